#!/bin/sh
test_description='reset: everything reverted or dropped, after a backup and a confirmation'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id integer PRIMARY KEY);
	INSERT INTO users VALUES (1);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF
	-- migrate:up
	CREATE TABLE posts (id integer PRIMARY KEY);
	-- migrate:down
	DROP TABLE posts;
	EOF
'

test_expect_success SQLITE3 'reset needs a confirmation even in development' '
	godwit up &&
	test_expect_code 1 godwit reset 2>err &&
	test_grep "to revert every migration needs a confirmation and there is no terminal" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 2 &&
	test ! -d db/backups
'

test_expect_success SQLITE3 'reset --yes backs up, then reverts every migration' '
	godwit reset --yes 2>err &&
	test_grep "backed up to db/backups/development-" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 0 &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name IN ('\''users'\'', '\''posts'\'')")" = 0 &&
	f=$(ls db/backups/*) &&
	test "$(sqlite_sql "$f" "SELECT count(*) FROM users")" = 1
'

test_expect_success SQLITE3 'reset --drop drops every table and starts a new history' '
	godwit up &&
	sqlite_sql db/development.sqlite3 "CREATE TABLE stray (x int)" &&
	godwit reset --drop --yes &&
	sqlite_sql db/development.sqlite3 "SELECT name FROM sqlite_master WHERE type = '\''table'\'' AND name NOT LIKE '\''sqlite_%'\'' ORDER BY 1" >tables &&
	printf "godwit_events\ngodwit_migrations\n" >expect &&
	test_cmp expect tables &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT action FROM godwit_events")" = reset
'

test_expect_success SQLITE3 'reset in production needs --force' '
	printf "[env.production]\nurl = sqlite:db/production.sqlite3\n" >godwit.conf &&
	test_when_finished "rm godwit.conf" &&
	godwit --env production --yes up &&
	test_expect_code 1 godwit --env production --yes reset 2>err &&
	test_grep "needs --force" err &&
	test "$(sqlite_sql db/production.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 2
'

test_expect_success PG 'reset --drop on PostgreSQL drops the schema, after a backup that restores' '
	pg_new_db &&
	godwit --url "$PG_URL" up &&
	godwit --url "$PG_URL" --yes reset --drop 2>err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = '\''public'\''")" = 2 &&
	test "$(pg_sql "SELECT action FROM godwit_events")" = reset &&
	f=$(ls -t db/backups/*.dump | head -n 1) &&
	godwit --url "$PG_URL" --yes restore "$f" &&
	test "$(pg_count users)" = 1
'

test_expect_success 'a failed backup stops reset' '
	printf "x\n" >blocker &&
	printf "backup_dir = blocker/b\n" >godwit.conf &&
	test_expect_code 1 godwit reset --yes 2>err &&
	test_grep "backup failed, nothing was changed" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_events WHERE action = '\''reset'\''")" = 1 &&
	rm godwit.conf
'

test_done
