#!/bin/sh
test_description='concurrent index builds: an INVALID index is never reported applied, and a failed build is dropped before it runs again'
. "$(dirname "$0")/lib.sh"

# row VERSION: "state done/total" of VERSION's history row.
row()
{
	pg_sql "SELECT state || ' ' || statements_done || '/' || statements_total FROM godwit_migrations WHERE version = '$1'"
}

# valid INDEX: t or f (pg_index.indisvalid), or nothing when it does not exist.
valid()
{
	pg_sql "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('$1')"
}

# blocker SECONDS: a session that writes to t and keeps its transaction
# open for SECONDS, so a concurrent build waits for it; returns once it holds
# its lock. Its pid is in blocker.pid.
blocker()
{
	psql -X -q -d "$PG_URL" -c "BEGIN; INSERT INTO t VALUES (100); SELECT pg_sleep($1); COMMIT" \
		>/dev/null 2>&1 &
	echo $! >blocker.pid
	pg_wait_for_sleep "pg_sleep($1)"
}

test_expect_success PG 'setup' '
	pg_new_db &&
	pg_sql "CREATE TABLE t (a int); INSERT INTO t VALUES (1), (1)" &&
	write_migration db/migrations/20240101000000_first.sql <<-\EOF
	-- migrate:up
	CREATE TABLE first (id int);
	EOF
'

test_expect_success PG 'a unique build on duplicate values fails and leaves the migration dirty' '
	write_migration db/migrations/20240102000000_unique.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE before_index (id int);
	CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_a ON t (a);
	CREATE TABLE after_index (id int);
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	test_grep "unique.sql:3:1: could not create unique index \"t_a\" (SQLSTATE 23505)" err &&
	test "$(row 20240102000000)" = "dirty 1/3" &&
	test "$(valid t_a)" = f
'

test_expect_success PG 'up --resume without a fix drops the INVALID index, fails again, and is not applied' '
	test_expect_code 1 godwit --url "$PG_URL" up --resume >out 2>err &&
	test_grep "warning: db/migrations/20240102000000_unique.sql:3: dropped the INVALID index public.t_a that a failed build of this statement left, to build it again" err &&
	test_grep "unique.sql:3:1: could not create unique index \"t_a\"" err &&
	test_grep ! "^applied" out &&
	test "$(row 20240102000000)" = "dirty 1/3" &&
	test "$(pg_sql "SELECT to_regclass('\''after_index'\'') IS NULL")" = t
'

test_expect_success PG 'up --resume after the fix builds a valid index and applies the rest' '
	pg_sql "DELETE FROM t WHERE ctid = (SELECT min(ctid) FROM t)" &&
	godwit --url "$PG_URL" up --resume >out 2>err &&
	test_grep "dropped the INVALID index public.t_a" err &&
	test_grep "^applied  20240102000000 unique" out &&
	test "$(row 20240102000000)" = "applied 3/3" &&
	test "$(valid t_a)" = t &&
	test "$(pg_sql "SELECT to_regclass('\''after_index'\'') IS NOT NULL")" = t
'

test_expect_success PG 'IF NOT EXISTS that keeps an INVALID index fails the migration with the index named' '
	pg_sql "CREATE TABLE u (a int); INSERT INTO u VALUES (1), (1)" &&
	test_must_fail pg_sql "CREATE UNIQUE INDEX CONCURRENTLY u_a ON u (a)" 2>/dev/null &&
	test "$(valid u_a)" = f &&
	write_migration db/migrations/20240103000000_keep_invalid.sql <<-\EOF &&
	-- migrate:up
	CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u_a ON u (a);
	CREATE TABLE after_u (id int);
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	test_grep "godwit: error: db/migrations/20240103000000_keep_invalid.sql:2:1: index public.u_a is INVALID after CREATE INDEX CONCURRENTLY IF NOT EXISTS: an earlier build of it failed and left it unusable, and IF NOT EXISTS kept it" err &&
	test_grep "hint: the migration is now dirty at this statement; fix what made the first build fail (duplicate values for a unique index, a lock timeout, ...), then run .godwit up --resume.: it drops the INVALID index and builds it again" err &&
	test_grep ! "^applied" out &&
	test "$(row 20240103000000)" = "dirty 0/2" &&
	test "$(valid u_a)" = f &&
	test "$(pg_sql "SELECT to_regclass('\''after_u'\'') IS NULL")" = t &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE version = '\''20240103000000'\'' AND action = '\''fail'\''")" = 1
'

test_expect_success PG 'a valid index of that name is kept and passes' '
	pg_sql "DELETE FROM u WHERE ctid = (SELECT min(ctid) FROM u)" &&
	godwit --url "$PG_URL" up --resume >out 2>err &&
	test "$(row 20240103000000)" = "applied 2/2" &&
	test "$(valid u_a)" = t &&
	oid=$(pg_sql "SELECT to_regclass('\''u_a'\'')::oid") &&
	write_migration db/migrations/20240104000000_again.sql <<-\EOF &&
	-- migrate:up
	CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u_a ON u (a);
	EOF
	godwit --url "$PG_URL" up >out 2>err &&
	test_grep "^applied  20240104000000 again" out &&
	test_grep ! "dropped" err &&
	test "$(pg_sql "SELECT to_regclass('\''u_a'\'')::oid")" = "$oid"
'

test_expect_success PG 'REINDEX TABLE CONCURRENTLY that skips an INVALID index fails the migration' '
	pg_sql "CREATE TABLE v (a int); INSERT INTO v VALUES (1), (1)" &&
	test_must_fail pg_sql "CREATE UNIQUE INDEX CONCURRENTLY v_a ON v (a)" 2>/dev/null &&
	write_migration db/migrations/20240105000000_reindex.sql <<-\EOF &&
	-- migrate:up
	REINDEX TABLE CONCURRENTLY v;
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	test_grep "error: db/migrations/20240105000000_reindex.sql:2:1: index public.v_a is INVALID after REINDEX CONCURRENTLY: it was not rebuilt and is not used" err &&
	test_grep "^hint: the migration is now dirty at this statement; drop the index (DROP INDEX CONCURRENTLY public.v_a) or rebuild it (REINDEX INDEX public.v_a) once the cause is fixed, then settle the migration with .godwit resolve.$" err &&
	test "$(row 20240105000000)" = "dirty 0/1" &&
	pg_sql "DROP INDEX v_a" &&
	godwit --url "$PG_URL" up --resume >out &&
	test "$(row 20240105000000)" = "applied 1/1"
'

test_expect_success PG 'a build cancelled by the lock timeout is resumed: its INVALID index is dropped first' '
	write_migration db/migrations/20240106000000_timeout.sql <<-\EOF &&
	-- migrate:up
	CREATE INDEX CONCURRENTLY t_a_plain ON t (a);
	EOF
	blocker 60 &&
	test_expect_code 1 godwit --url "$PG_URL" --lock-timeout 200ms --retries 0 up >out 2>err &&
	pg_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(60)%'\'' AND pid <> pg_backend_pid()" >/dev/null &&
	{ wait $(cat blocker.pid) || :; } &&
	test_grep "timeout.sql:2:1: canceling statement due to lock timeout (SQLSTATE 55P03)" err &&
	test "$(row 20240106000000)" = "dirty 0/1" &&
	test "$(valid t_a_plain)" = f &&
	godwit --url "$PG_URL" up --resume >out 2>err &&
	test_grep "dropped the INVALID index public.t_a_plain that a failed build of this statement left" err &&
	test "$(row 20240106000000)" = "applied 1/1" &&
	test "$(valid t_a_plain)" = t
'

test_expect_success PG 'a build cancelled by the lock timeout is retried after its INVALID index is dropped' '
	write_migration db/migrations/20240107000000_retry.sql <<-\EOF &&
	-- migrate:up
	CREATE INDEX CONCURRENTLY t_a_retry ON t (a);
	EOF
	blocker 3 &&
	godwit --url "$PG_URL" --lock-timeout 200ms --retries 10 up >out 2>err &&
	{ wait $(cat blocker.pid) || :; } &&
	test_grep "retry.*canceling statement due to lock timeout; the statement was cancelled (it ran without a transaction, so nothing was rolled back), retrying in" err &&
	test_grep ! "; rolled back" err &&
	test_grep "dropped the INVALID index public.t_a_retry that a failed build of this statement left, to build it again" err &&
	test_grep ! "already exists" err &&
	test_grep "^applied  20240107000000 retry" out &&
	test "$(row 20240107000000)" = "applied 1/1" &&
	test "$(valid t_a_retry)" = t
'

test_done
