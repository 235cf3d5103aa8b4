#!/bin/sh
test_description='godwit test: up, down, up again on an ephemeral database, with the exact differences'
# ctest: ephemeral databases
. "$(dirname "$0")/lib.sh"

# The names of ephemeral databases on the server, one a line.
ephemeral_dbs()
{
	pg_sql "SELECT datname FROM pg_database WHERE datname LIKE 'godwit\\_test\\_%' ORDER BY 1"
}

# The ephemeral database a run printed it used.
used_db()
{
	sed -n 's/^testing on the ephemeral database //p' "$1"
}

# Starts godwit in the background; bg.pid gets its pid, bg.code its exit
# code.
start_in_background()
{
	rm -f bg.code bg.pid
	(sh -c 'echo $$ >bg.pid && exec "$@"' sh "$GODWIT" "$@" >bg.out 2>bg.err
	 echo $? >bg.code) &
}

# Waits (up to 10 s) for the ephemeral database of the run started in the
# background to appear (not another script's); prints its name.
wait_for_ephemeral()
{
	_n=0
	while [ $_n -lt 100 ]; do
		_db=
		[ -s bg.pid ] && _db=$(ephemeral_dbs | grep "^godwit_test_$(cat bg.pid)_" | head -1)
		if [ -n "$_db" ]; then
			echo "$_db"
			return 0
		fi
		_n=$((_n + 1))
		sleep 0.1
	done
	return 1
}

# The pid a database name holds.
db_pid()
{
	echo "$1" | sed "s/^godwit_test_\([0-9]*\)_.*/\1/"
}

wait_gone()
{
	while kill -0 "$1" 2>/dev/null; do sleep 0.1; done
}

test_expect_success PG 'setup: a correct set' '
	pg_new_db &&
	write_migration good/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
	CREATE INDEX users_email ON users (email);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration good/20240102000000_admin.sql <<-\EOF
	-- migrate:up
	ALTER TABLE users ADD COLUMN admin boolean NOT NULL DEFAULT false;
	CREATE INDEX users_admin ON users (admin);
	-- migrate:down
	DROP INDEX users_admin;
	ALTER TABLE users DROP COLUMN admin;
	EOF
'

test_expect_success PG 'a correct set passes and the ephemeral database is dropped' '
	godwit --url "$PG_URL" --dir good test >out &&
	test_grep "^pass        20240101000000 users\$" out &&
	test_grep "^pass        20240102000000 admin\$" out &&
	test_grep "^2 passed, 0 failed, 0 untestable\$" out &&
	db=$(used_db out) &&
	case $db in godwit_test_*) ;; *) false ;; esac &&
	! ephemeral_dbs | grep -qx "$db"
'

test_expect_success PG 'the target database is not touched' '
	test "$(pg_sql "SELECT to_regclass('\''users'\'') IS NULL")" = t
'

test_expect_success PG 'setup: broken downs' '
	mkdir bad &&
	cp good/20240101000000_users.sql bad/ &&
	write_migration bad/20240102000000_forgets_index.sql <<-\EOF &&
	-- migrate:up
	ALTER TABLE users ADD COLUMN admin boolean;
	CREATE INDEX users_admin ON users (admin);
	-- migrate:down
	ALTER TABLE users DROP COLUMN admin;
	CREATE INDEX users_admin_left ON users (id);
	EOF
	write_migration bad/20240103000000_drops_too_much.sql <<-\EOF &&
	-- migrate:up
	ALTER TABLE users ADD COLUMN nick text;
	-- migrate:down
	ALTER TABLE users DROP COLUMN nick;
	ALTER TABLE users DROP COLUMN email;
	EOF
	write_migration bad/20240104000000_no_down.sql <<-\EOF
	-- migrate:up
	CREATE TABLE audit (id int);
	EOF
'

test_expect_success PG 'each broken down is caught and names the exact object' '
	test_expect_code 3 godwit --url "$PG_URL" --dir bad test >out &&
	cat >expect <<-\EOF &&
	pass        20240101000000 users
	fail        20240102000000 forgets_index: down did not restore the schema from before up
	    table public.users: index users_admin_left extra
	fail        20240103000000 drops_too_much: down did not restore the schema from before up
	    table public.users: column email missing
	    table public.users: index users_email missing
	untestable  20240104000000 no_down: no down migration
	1 passed, 2 failed, 1 untestable
	EOF
	sed 1d out >actual &&
	test_cmp expect actual &&
	! ephemeral_dbs | grep -qx "$(used_db out)"
'

test_expect_success PG 'a migration without a down is untestable, not passed' '
	mkdir nodown &&
	cp good/20240101000000_users.sql bad/20240104000000_no_down.sql nodown/ &&
	test_expect_code 3 godwit --url "$PG_URL" --dir nodown test >out &&
	test_grep "^untestable  20240104000000 no_down: no down migration\$" out &&
	test_grep "^1 passed, 0 failed, 1 untestable\$" out
'

test_expect_success PG 'a down that fails is reported with the error' '
	mkdir failing &&
	cp good/20240101000000_users.sql failing/ &&
	write_migration failing/20240102000000_boom.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE boom (id int);
	-- migrate:down
	DROP TABLE no_such_table;
	EOF
	test_expect_code 3 godwit --url "$PG_URL" --dir failing test >out &&
	test_grep "^fail        20240102000000 boom: down failed: .*table \"no_such_table\" does not exist" out
'

test_expect_success PG 'markdown, github and json formats' '
	test_expect_code 3 godwit --url "$PG_URL" --dir bad test --format markdown >out.md &&
	test_grep "^| \`20240102000000\` forgets_index | ❌ fail | down did not restore the schema from before up |\$" out.md &&
	test_grep "^table public.users: index users_admin_left extra\$" out.md &&
	test_expect_code 3 godwit --url "$PG_URL" --dir bad test --format github >out.gh &&
	test_grep "^::error file=bad/20240103000000_drops_too_much.sql,title=godwit test 20240103000000::down did not restore the schema from before up%0Atable public.users: column email missing%0A" out.gh &&
	test_expect_code 3 godwit --url "$PG_URL" --dir bad test --format json >out.json &&
	test_grep "\"result\": \"untestable\"\\|\"result\": \"not run\"" out.json &&
	test_grep "\"key\": \"index users_admin_left\"" out.json &&
	test_expect_code 2 godwit --url "$PG_URL" --dir bad test --format yaml 2>err &&
	test_grep "unknown format '\''yaml'\''" err
'

test_expect_success PG '--only-new tests what the target has not applied' '
	godwit --url "$PG_URL" --dir good up --to 20240101000000 &&
	godwit --url "$PG_URL" --dir good test --only-new >out &&
	test_grep ! "20240101000000" out &&
	test_grep "^pass        20240102000000 admin\$" out &&
	test_grep "^1 passed, 0 failed, 0 untestable\$" out
'

test_expect_success PG '--since tests the migrations changed since a git revision' '
	git init -q repo &&
	mkdir -p repo/db/migrations &&
	cp good/* repo/db/migrations/ &&
	(cd repo && git add . && git -c user.name=t -c user.email=t@example.com commit -qm one) &&
	cp bad/20240104000000_no_down.sql repo/db/migrations/ &&
	(cd repo && test_expect_code 3 godwit --url "$PG_URL" test --since HEAD >../out) &&
	test_grep "^untestable  20240104000000 no_down: no down migration\$" out &&
	test_grep ! "20240101000000\|20240102000000" out
'

test_expect_success PG '--keep keeps the database' '
	godwit --url "$PG_URL" --dir good test --keep >out 2>err &&
	db=$(used_db out) &&
	test_grep "kept the ephemeral database $db" err &&
	ephemeral_dbs | grep -qx "$db" &&
	pg_sql "DROP DATABASE \"$db\""
'

test_expect_success PG 'a killed run leaves its database; the next run drops it' '
	mkdir slow &&
	write_migration slow/20240101000000_slow.sql <<-\EOF &&
	-- migrate:up
	SELECT pg_sleep(60);
	-- migrate:down
	SELECT 1;
	EOF
	start_in_background --url "$PG_URL" --dir slow test &&
	db=$(wait_for_ephemeral) &&
	pid=$(db_pid "$db") &&
	kill -9 "$pid" &&
	wait_gone "$pid" &&
	ephemeral_dbs | grep -qx "$db" &&
	godwit --url "$PG_URL" --dir good test >out 2>err &&
	test_grep "dropped 1 ephemeral database left by killed runs" err &&
	! ephemeral_dbs | grep -qx "$db"
'

test_expect_success PG 'SIGTERM stops the run after the current step and drops the database' '
	mkdir slowish &&
	write_migration slowish/20240101000000_slowish.sql <<-\EOF &&
	-- migrate:up
	SELECT pg_sleep(1);
	-- migrate:down
	SELECT 1;
	EOF
	start_in_background --url "$PG_URL" --dir slowish test &&
	db=$(wait_for_ephemeral) &&
	pid=$(db_pid "$db") &&
	kill -TERM "$pid" &&
	wait_gone "$pid" &&
	while [ ! -s bg.code ]; do sleep 0.1; done &&
	test "$(cat bg.code)" = 1 &&
	test_grep "interrupted; the ephemeral database was dropped" bg.err &&
	! ephemeral_dbs | grep -qx "$db"
'

test_expect_success SQLITE3 'SQLite: a temporary file is the ephemeral database' '
	mkdir sq &&
	cp bad/20240101000000_users.sql sq/ &&
	write_migration sq/20240102000000_forgets_index.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE tags (id int);
	CREATE INDEX users_admin_left ON users (id);
	-- migrate:down
	DROP TABLE tags;
	EOF
	TMPDIR=$PWD test_expect_code 3 godwit --url sqlite:target.db --dir sq test >out &&
	test_grep "^fail        20240102000000 forgets_index: down did not restore the schema from before up\$" out &&
	test_grep "^    table users: index users_admin_left extra\$" out &&
	test ! -e target.db &&
	test -z "$(ls | grep godwit_test_)"
'

# --rows: a down that empties a table it did not create, or an up whose
# data change the down does not undo, keeps the schema but not the rows.
write_rows_set()
{
	write_migration "$1/20240101000000_users.sql" <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, kind text NOT NULL DEFAULT 'user');
	CREATE TABLE posts (id int PRIMARY KEY, author int NOT NULL REFERENCES users (id));
	-- migrate:down
	DROP TABLE posts;
	DROP TABLE users;
	EOF
	write_migration "$1/20240102000000_age.sql" <<-\EOF &&
	-- migrate:up
	ALTER TABLE users ADD COLUMN age int;
	-- migrate:down
	ALTER TABLE users DROP COLUMN age;
	EOF
	write_migration "$1/20240103000000_audit.sql" <<-\EOF &&
	-- migrate:up
	CREATE TABLE audit (id int);
	-- migrate:down
	DROP TABLE audit;
	DELETE FROM posts;
	EOF
	write_migration "$1/20240104000000_shout.sql" <<-\EOF
	-- migrate:up
	UPDATE users SET email = upper(email);
	-- migrate:down
	SELECT 1;
	EOF
}

test_expect_success PG '--rows: probe rows must survive up and down' '
	write_rows_set rows &&
	godwit --url "$PG_URL" --dir rows test >out &&
	test_grep "^4 passed, 0 failed, 0 untestable\$" out &&
	test_expect_code 3 godwit --url "$PG_URL" --dir rows test --rows >out &&
	test_grep "^pass        20240101000000 users\$" out &&
	test_grep "^pass        20240102000000 age\$" out &&
	test_grep "^fail        20240103000000 audit: rows did not survive up and down: table public.posts: 1 row before, 0 after\$" out &&
	test_grep "^fail        20240104000000 shout: rows did not survive up and down: table public.users: the 1 row changed\$" out
'

test_expect_success SQLITE3 'SQLite: --rows too' '
	write_rows_set rows-lite &&
	TMPDIR=$PWD test_expect_code 3 godwit --url sqlite:target.db --dir rows-lite test --rows >out &&
	test_grep "^pass        20240102000000 age\$" out &&
	test_grep "^fail        20240103000000 audit: rows did not survive up and down: table posts: 1 row before, 0 after\$" out &&
	test_grep "^fail        20240104000000 shout: rows did not survive up and down: table users: the 1 row changed\$" out
'

test_done
