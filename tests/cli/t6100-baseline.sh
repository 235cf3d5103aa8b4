#!/bin/sh
test_description='baseline records migrations as applied without running them'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup: a database that already has the first two migrations' '
	pg_new_db &&
	for v in 1 2 3; do
		write_migration db/migrations/2024010${v}000000_t$v.sql <<-EOF || return 1
		-- migrate:up
		CREATE TABLE t$v (id int);
		-- migrate:down
		DROP TABLE t$v;
		EOF
	done &&
	pg_sql "CREATE TABLE t1 (id int); CREATE TABLE t2 (id int)"
'

test_expect_success PG 'baseline refuses a version that is not in the folder' '
	test_expect_code 1 godwit --url "$PG_URL" baseline 20240109000000 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: no migration 20240109000000 in db/migrations; nothing was recorded
	hint: '"'"'godwit status'"'"' lists the versions of the folder
	EOF
	test_cmp expect err
'

test_expect_success PG 'baseline records every migration up to V, kind baseline, with its checksum' '
	godwit --url "$PG_URL" baseline 20240102000000 >out &&
	test_grep "recorded 2 migrations up to 20240102000000 as applied (baseline)" out &&
	pg_sql "SELECT version, kind, state, length(checksum), execution_ms IS NULL FROM godwit_migrations ORDER BY version" >rows &&
	cat >expect <<-\EOF &&
	20240101000000|baseline|applied|64|t
	20240102000000|baseline|applied|64|t
	EOF
	test_cmp expect rows &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''baseline'\''")" = 2
'

test_expect_success PG 'status shows them applied and up applies only the later one' '
	godwit --url "$PG_URL" status >out &&
	test_grep "applied *20240101000000" out &&
	test_grep "pending *20240103000000" out &&
	godwit --url "$PG_URL" up &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations WHERE kind = '\''versioned'\''")" = 1 &&
	test "$(pg_sql "SELECT to_regclass('\''t3'\'') IS NOT NULL")" = t
'

test_expect_success PG 'baseline again skips what is already applied' '
	godwit --url "$PG_URL" baseline 20240103000000 >out &&
	test_grep "nothing to record" out &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''baseline'\''")" = 2
'

test_expect_success PG 'baseline refuses a migration recorded with another checksum, changing nothing' '
	pg_new_db &&
	godwit --url "$PG_URL" up --to 20240101000000 &&
	pg_sql "UPDATE godwit_migrations SET checksum = '\''x'\''" &&
	test_expect_code 1 godwit --url "$PG_URL" baseline 20240102000000 2>err &&
	test_grep "migration 20240101000000 (20240101000000_t1.sql) is recorded as applied with another checksum; nothing was recorded" err &&
	test_grep "^hint: settle it first with .godwit status., .godwit repair. or .godwit resolve.$" err &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 1 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''baseline'\''")" = 0
'

test_expect_success PG 'baseline refuses a dirty migration' '
	pg_sql "UPDATE godwit_migrations SET state = '\''dirty'\''" &&
	test_expect_code 1 godwit --url "$PG_URL" baseline 20240102000000 2>err &&
	test_grep "is recorded as dirty" err
'

test_expect_success PG 'baseline --format json' '
	pg_new_db &&
	godwit --url "$PG_URL" --format json baseline 20240101000000 >out &&
	test_grep "\"recorded\": 1" out
'

test_expect_success 'baseline works on SQLite' '
	godwit --url "sqlite:./b.db" baseline 20240102000000 &&
	godwit --url "sqlite:./b.db" status >out &&
	test_grep "pending *20240103000000" out
'

test_done
