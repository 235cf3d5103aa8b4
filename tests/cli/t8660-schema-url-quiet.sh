#!/bin/sh
test_description='up with ?schema= in the URL: no server notice about the schema on any run'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/001_users.sql <<-\EOF
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
'

test_expect_success PG 'up with ?schema=app, the schema made beforehand: no notice, first run or next' '
	pg_sql "CREATE SCHEMA app" &&
	godwit --url "$PG_URL&schema=app" up >out 2>err &&
	echo "godwit: applying 001 users" >expect &&
	test_cmp expect err &&
	test_grep "^applied 1 migration$" out &&
	godwit --url "$PG_URL&schema=app" up >out 2>err &&
	test ! -s err &&
	echo "nothing to apply; the database is up to date" >expect &&
	test_cmp expect out &&
	test "$(pg_sql "SELECT string_agg(schemaname || ${SQ}.${SQ} || tablename, ${SQ} ${SQ} ORDER BY tablename) FROM pg_tables WHERE schemaname = ${SQ}app${SQ}")" = \
		"app.godwit_events app.godwit_migrations app.users"
'

test_expect_success PG 'lock = table with ?schema=app: the lease table made without a notice' '
	pg_new_db &&
	pg_sql "CREATE SCHEMA app" &&
	godwit --url "$PG_URL&schema=app" --lock table up >out 2>err &&
	echo "godwit: applying 001 users" >expect &&
	test_cmp expect err &&
	godwit --url "$PG_URL&schema=app" --lock table up >out 2>err &&
	test ! -s err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}app${SQ} AND tablename = ${SQ}godwit_lock${SQ}")" = 1
'

test_expect_success PG 'a history schema of its own (--schema hist) that exists: no notice; one that does not: made' '
	pg_new_db &&
	pg_sql "CREATE SCHEMA hist" &&
	godwit --url "$PG_URL" --schema hist up >out 2>err &&
	echo "godwit: applying 001 users" >expect &&
	test_cmp expect err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}hist${SQ}")" = 2 &&
	pg_new_db &&
	godwit --url "$PG_URL" --schema fresh up >out 2>err &&
	test_cmp expect err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}fresh${SQ}")" = 2
'

test_done
