#!/bin/sh
test_description='SQLite files: health, missing files and folders, locked and unopenable files'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_users.sql <<-\EOF
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
'

# ---- missing files and folders ---------------------------------------------

test_expect_success 'health on a missing file is unhealthy and creates nothing' '
	test_expect_code 3 godwit --url sqlite:a/b/c.db health >out &&
	cat >expect <<-\EOF &&
	fail  connection         the SQLite database a/b/c.db does not exist (health creates nothing; '\''godwit up'\'' creates it)
	EOF
	test_cmp expect out &&
	test_expect_code 3 godwit --url sqlite:missing.db health --format json >out &&
	test_grep "\"status\": \"fail\"" out &&
	test ! -e a && test ! -e missing.db
'

test_expect_success 'commands that only read create neither the file nor its folders' '
	godwit --url sqlite:a/b/c.db status >out &&
	test_grep "^0 applied, 1 pending$" out &&
	godwit --url sqlite:a/b/c.db history >out &&
	test_expect_code 1 godwit --url sqlite:a/b/c.db schema dump 2>err &&
	test_grep "^godwit: error: the SQLite database a/b/c.db does not exist$" err &&
	test_expect_code 1 godwit --url sqlite:a/b/c.db drift 2>err &&
	test_grep "^godwit: error: the SQLite database a/b/c.db does not exist$" err &&
	test ! -e a
'

test_expect_success 'up creates every missing folder of the file, two levels deep as one' '
	godwit --url sqlite:a/b/c.db up >out &&
	test_grep "^applied 1 migration$" out &&
	test "$(sqlite_sql a/b/c.db "SELECT count(*) FROM godwit_migrations")" = 1 &&
	godwit --url sqlite:one/d.db up >out &&
	test -f one/d.db
'

test_expect_success 'health checks required_tables on SQLite' '
	printf "required_tables = \"users, orders ,, godwit_migrations\"\n" >godwit.conf &&
	test_expect_code 3 godwit --url sqlite:a/b/c.db health >out &&
	test_grep "^fail  tables  *1 required tables missing$" out &&
	test_grep "^  *orders$" out &&
	test_grep ! "^  *users$" out &&
	printf "required_tables = \"users\"\n" >godwit.conf &&
	godwit --url sqlite:a/b/c.db health >out &&
	test_grep "^ok    tables  *every required table exists$" out &&
	rm godwit.conf
'

# ---- files that cannot be opened -------------------------------------------

test_expect_success 'a file that is not a database: SQLite words, no retries' '
	echo "not a database" >bad.db &&
	test_expect_code 1 godwit --url sqlite:bad.db status 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: cannot open the SQLite database bad.db: file is not a database
	hint: bad.db is not a SQLite database file; check --url
	EOF
	test_cmp expect err &&
	mkdir folder.db &&
	test_expect_code 1 godwit --url sqlite:folder.db up 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: cannot open the SQLite database folder.db: unable to open database file
	hint: check that folder.db is a file (not a folder) that you may read and write, in a folder you may write to
	EOF
	test_cmp expect err
'

# hold_lock SECONDS: another process holds an exclusive lock on lock.db for
# that long; returns once the lock is held. The holder waits for the lock
# itself, as the reads that look for it hold a shared lock for a moment.
hold_lock()
{
	printf ".timeout 10000\nBEGIN EXCLUSIVE;\nINSERT INTO a VALUES (1);\n.shell sleep %s\nCOMMIT;\n" "$1" |
		sqlite3 lock.db >holder.out 2>&1 &
	i=0
	while sqlite3 -cmd ".timeout 0" lock.db "SELECT count(*) FROM a" >/dev/null 2>&1; do
		i=$((i + 1))
		test $i -lt 400 || return 1
		sleep 0.05
	done
}

test_expect_success SQLITE3 'a locked database waits --lock-wait, then says so in SQLite words' '
	sqlite_sql lock.db "CREATE TABLE a (id int)" &&
	hold_lock 4 &&
	test_expect_code 1 godwit --url sqlite:lock.db --lock-wait 1 status 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: the SQLite database lock.db is locked by another connection (SQLite: database is locked); waited 1.0 s
	hint: wait for the process that holds it to finish, or wait longer with --lock-wait SECONDS
	EOF
	test_cmp expect err &&
	wait &&
	test ! -s holder.out
'

test_expect_success SQLITE3 'a lock released within --lock-wait is waited for' '
	hold_lock 1 &&
	godwit --url sqlite:lock.db --lock-wait 30 up >out 2>err &&
	test_grep "^applied 1 migration$" out &&
	test_grep ! "retrying" err &&
	wait &&
	test ! -s holder.out &&
	test "$(sqlite_sql lock.db "SELECT count(*) FROM a")" = 2
'

test_done
