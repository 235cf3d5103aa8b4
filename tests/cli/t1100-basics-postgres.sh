#!/bin/sh
test_description='up, down and state tables on PostgreSQL, with configurable and quoted names'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF
	-- migrate:up
	CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
	CREATE INDEX posts_user ON posts (user_id);
	-- migrate:down
	DROP TABLE posts;
	EOF
'

test_expect_success PG 'status on a fresh database creates nothing' '
	godwit --url "$PG_URL" status >out &&
	test_grep "0 applied, 2 pending" out &&
	test "$(pg_sql "SELECT to_regclass('\''godwit_migrations'\'') IS NULL")" = t
'

test_expect_success PG 'up creates the state tables in public and applies' '
	godwit --url "$PG_URL" up >out &&
	test_grep "applied 2 migrations" out &&
	test "$(pg_count godwit_migrations)" = 2 &&
	test "$(pg_count godwit_events)" = 2 &&
	test "$(pg_sql "SELECT count(*) FROM pg_indexes WHERE indexname = '\''posts_user'\''")" = 1
'

test_expect_success PG 'each row records timings, statements and the server role' '
	pg_sql "SELECT version, state, statements_total, applied_by, execution_ms >= 0, kind FROM godwit_migrations ORDER BY version" >rows &&
	cat >expect <<-\EOF &&
	20240101000000|applied|1|postgres|t|versioned
	20240102000000|applied|2|postgres|t|versioned
	EOF
	test_cmp expect rows &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''apply'\'' AND duration_ms >= 0")" = 2
'

test_expect_success PG 'DATABASE_URL is used when --url is absent' '
	DATABASE_URL=$PG_URL godwit status >out &&
	test_grep "2 applied, 0 pending" out
'

test_expect_success PG 'down 2 reverts both in reverse order' '
	godwit --url "$PG_URL" down 2 >out &&
	test_grep "reverted 2 migrations" out &&
	test "$(pg_count godwit_migrations)" = 0 &&
	test "$(pg_sql "SELECT to_regclass('\''users'\'') IS NULL")" = t &&
	pg_sql "SELECT action, version FROM godwit_events ORDER BY id" >events &&
	cat >expect <<-\EOF &&
	apply|20240101000000
	apply|20240102000000
	revert|20240102000000
	revert|20240101000000
	EOF
	test_cmp expect events
'

test_expect_success PG 'schema and table names are configurable and quoted' '
	godwit --url "$PG_URL" --schema "Ops Schema" --table "mig\"rations" up &&
	test "$(pg_sql "SELECT count(*) FROM \"Ops Schema\".\"mig\"\"rations\"")" = 2 &&
	test "$(pg_sql "SELECT count(*) FROM \"Ops Schema\".godwit_events")" = 2 &&
	test "$(pg_sql "SELECT to_regclass('\''public.godwit_migrations'\'') IS NOT NULL")" = t &&
	godwit --url "$PG_URL" --schema "Ops Schema" --table "mig\"rations" status >out &&
	test_grep "2 applied, 0 pending" out
'

test_expect_success PG 'an injection attempt in a table name stays an identifier' '
	pg_new_db &&
	godwit --url "$PG_URL" --table "x; DROP TABLE users; --" up &&
	test "$(pg_sql "SELECT count(*) FROM \"x; DROP TABLE users; --\"")" = 2 &&
	test "$(pg_sql "SELECT to_regclass('\''users'\'') IS NOT NULL")" = t
'

test_expect_success PG 'libpq parameters in the URL pass through' '
	godwit --url "$PG_URL&application_name=deploy-42&connect_timeout=5" --table "x; DROP TABLE users; --" status >out &&
	test_grep "2 applied" out
'

test_expect_success PG 'an unsupported URL scheme is a clear error' '
	test_expect_code 1 godwit --url "mysql://u@h/db" status 2>err &&
	test_grep "unsupported database URL mysql://u@h/db" err
'

test_done
