#!/bin/sh
test_description='backup, backups and restore; automatic backups before changes'
. "$(dirname "$0")/lib.sh"

secret=Bk-S3cret-pw

test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id integer PRIMARY KEY, email text);
	INSERT INTO users VALUES (1, '\''a@example.com'\''), (2, '\''b@example.com'\'');
	-- migrate:down
	DROP TABLE users;
	EOF
	godwit up
'

test_expect_success SQLITE3 'a SQLite backup is private, named, verified and listed' '
	godwit backup 2>err &&
	test_grep "backed up to db/backups/development-[0-9T]*Z-20240101000000.sqlite3" err &&
	test "$(stat -c %a db/backups)" = 700 &&
	f=$(ls db/backups/*.sqlite3) &&
	test "$(stat -c %a "$f")" = 600 &&
	test "$(sqlite_sql "$f" "SELECT count(*) FROM users")" = 2 &&
	godwit backups >out &&
	test_grep "$f" out
'

test_expect_success SQLITE3 'restore brings the data back' '
	sqlite_sql db/development.sqlite3 "DELETE FROM users" &&
	godwit restore "$(ls db/backups/*.sqlite3)" 2>err &&
	test_grep "restored" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM users")" = 2
'

test_expect_success 'only the newest backup_keep backups are kept' '
	printf "backup_keep = 2\n" >godwit.conf &&
	godwit backup && godwit backup && godwit backup &&
	test "$(ls db/backups | wc -l)" = 2 &&
	rm godwit.conf
'

test_expect_success 'backup = true backs up before up changes anything, and not when nothing is pending' '
	rm -rf db/backups &&
	printf "backup = true\n" >godwit.conf &&
	godwit up >out 2>&1 &&
	test ! -d db/backups &&
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE posts (id integer PRIMARY KEY);
	-- migrate:down
	DROP TABLE posts;
	EOF
	godwit up >out 2>&1 &&
	test "$(ls db/backups | wc -l)" = 1 &&
	f=$(ls db/backups/*) &&
	test "$(sqlite_sql "$f" "SELECT count(*) FROM sqlite_master WHERE name = '\''posts'\''")" = 0 &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name = '\''posts'\''")" = 1
'

test_expect_success 'a failed backup stops the run before any change' '
	godwit down &&
	printf "not a folder\n" >blocker &&
	printf "backup = true\nbackup_dir = blocker/backups\n" >godwit.conf &&
	test_expect_code 1 godwit up 2>err &&
	test_grep "backup failed, nothing was changed: cannot create folder blocker/backups" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name = '\''posts'\''")" = 0 &&
	rm godwit.conf
'

test_expect_success 'restore in a protected environment needs --force' '
	printf "[env.production]\nurl = sqlite:db/production.sqlite3\n" >godwit.conf &&
	test_when_finished "rm godwit.conf" &&
	godwit --env production --yes up &&
	test_expect_code 1 godwit --env production --yes restore "$(ls db/backups/* | head -n 1)" 2>err &&
	test_grep "needs --force" err
'

test_expect_success PG 'a PostgreSQL backup restores into a fresh database' '
	pg_new_db &&
	src=$PG_URL &&
	godwit --url "$src" up &&
	pg_sql "INSERT INTO users VALUES (3, '\''c@example.com'\'')" &&
	godwit --url "$src" backup 2>err &&
	f=$(ls -t db/backups/development-*.dump | head -n 1) &&
	test "$(stat -c %a "$f")" = 600 &&
	pg_new_db &&
	godwit --url "$PG_URL" restore "$f" &&
	test "$(pg_sql "SELECT string_agg(email, '\'','\'' ORDER BY id) FROM users")" = "a@example.com,b@example.com,c@example.com" &&
	godwit --url "$PG_URL" status --exit-code
'

test_expect_success PG 'pg_dump older than the server is a clear error naming what to install' '
	mkdir -p fakebin &&
	printf "#!/bin/sh\necho \"pg_dump (PostgreSQL) 12.0\"\n" >fakebin/pg_dump &&
	chmod +x fakebin/pg_dump &&
	GODWIT_PG_BINDIR=$PWD/fakebin test_expect_code 1 godwit --url "$PG_URL" backup 2>err &&
	test_grep "pg_dump 12 cannot back up a PostgreSQL 15" err &&
	test_grep "apt-get install postgresql-client-15" err
'

test_expect_success PG 'the password reaches pg_dump in its environment, never in its arguments' '
	pg_sql "CREATE ROLE bk LOGIN PASSWORD '\''$secret'\'' SUPERUSER" &&
	cat >fakebin/pg_dump <<-\EOF &&
	#!/bin/sh
	if [ "$1" = --version ]; then echo "pg_dump (PostgreSQL) 15.0"; exit 0; fi
	echo "$*" >"$ARGS_FILE"
	echo "${PGPASSWORD:-none}" >"$ENV_FILE"
	EOF
	cat >fakebin/pg_restore <<-\EOF &&
	#!/bin/sh
	echo ";"
	EOF
	chmod +x fakebin/pg_dump fakebin/pg_restore &&
	url="postgresql://bk:$secret@/$PG_DB?host=$(pg_sql "SHOW unix_socket_directories")" &&
	ARGS_FILE=$PWD/args ENV_FILE=$PWD/env GODWIT_PG_BINDIR=$PWD/fakebin godwit --url "$url" backup 2>err &&
	! grep "$secret" args &&
	test_grep "user='\''bk'\'' dbname='\''$PG_DB'\''" args &&
	test "$(cat env)" = "$secret" &&
	! grep "$secret" err
'

test_done
