#!/bin/sh
test_description='dialect = citus|cockroachdb|yugabyte: the engine chooses the lock and the transaction handling'
. "$(dirname "$0")/lib.sh"

# These run on the suite's PostgreSQL standing in for the other engines:
# what they prove is godwit's choice (which lock, which migrations run
# statement by statement, what is waited for), not the engines' own
# behaviour (docs/scale.md says what was run where).

# start_runner N [NAME=VALUE] ARGS...: godwit in the background, its
# output in out.N and its exit code in rc.N.
start_runner()
{
	n=$1
	shift
	(env "$@" >out.$n 2>&1; echo $? >rc.$n) &
}

# A gate the migrations wait at: they read the table "gate", which a
# background transaction holds locked until open_gate.
close_gate()
{
	psql -X -q -d "$PG_URL" -c "BEGIN; LOCK TABLE gate; SELECT pg_sleep(300); COMMIT;" >gate.out 2>&1 &
	wait_until_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(300)%' AND state = 'active' AND pid <> pg_backend_pid()" 1
}

open_gate()
{
	pg_sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(300)%' AND pid <> pg_backend_pid()" >/dev/null
}

# Waits until a query answers the given value, for up to 60 s.
wait_until_sql()
{
	i=0
	until test "$(pg_sql "$1")" = "$2"
	do
		i=$((i + 1))
		test $i -lt 1200 || return 1
		sleep 0.05
	done
}

# Waits until a file holds a line matching a pattern, for up to 60 s.
wait_for_line()
{
	i=0
	until grep -q "$1" "$2" 2>/dev/null
	do
		i=$((i + 1))
		test $i -lt 1200 || return 1
		sleep 0.05
	done
}

wait_at_gate()
{
	wait_until_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM gate%' AND pid <> pg_backend_pid()" 1
}

advisory_locks()
{
	pg_sql "SELECT count(*) FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND locktype = 'advisory'"
}

test_expect_success PG 'setup' '
	pg_new_db &&
	pg_sql "CREATE TABLE gate (id int)" &&
	write_migration gated/20240101000000_gated.sql <<-\EOF
	-- migrate:up
	SELECT count(*) FROM gate;
	EOF
'

test_expect_success PG 'by default (postgres) the run holds the advisory lock, and no lease' '
	close_gate &&
	start_runner pg "$GODWIT" --url "$PG_URL" --dir gated --table pg_history --lock-timeout 0 up &&
	wait_at_gate &&
	test "$(advisory_locks)" = 1 &&
	test "$(pg_sql "SELECT to_regclass('\''godwit_lock'\'') IS NULL")" = t &&
	open_gate &&
	wait &&
	test "$(cat rc.pg)" = 0
'

test_expect_success PG 'dialect = cockroachdb takes the lease in godwit_lock, not the advisory lock' '
	printf "dialect = cockroachdb\n" >godwit.conf &&
	test_when_finished "rm -f godwit.conf" &&
	close_gate &&
	start_runner crdb "$GODWIT" --url "$PG_URL" --dir gated --table crdb_history --lock-timeout 0 up &&
	wait_at_gate &&
	test "$(advisory_locks)" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_lock WHERE name LIKE '\''%crdb_history%'\'' AND expires_at > now()")" = 1 &&
	open_gate &&
	wait &&
	test "$(cat rc.crdb)" = 0 &&
	test "$(pg_count godwit_lock)" = 0 &&
	test "$(pg_sql "SELECT state FROM crdb_history")" = applied
'

test_expect_success PG 'GODWIT_DIALECT=yugabyte takes the lease too; citus the advisory lock' '
	close_gate &&
	start_runner yb GODWIT_DIALECT=yugabyte "$GODWIT" --url "$PG_URL" --dir gated --table yb_history --lock-timeout 0 up &&
	wait_at_gate &&
	test "$(advisory_locks)" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_lock WHERE name LIKE '\''%yb_history%'\''")" = 1 &&
	open_gate &&
	wait &&
	test "$(cat rc.yb)" = 0 &&
	close_gate &&
	start_runner citus GODWIT_DIALECT=citus "$GODWIT" --url "$PG_URL" --dir gated --table citus_history --lock-timeout 0 up &&
	wait_at_gate &&
	test "$(advisory_locks)" = 1 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_lock WHERE name LIKE '\''%citus_history%'\''")" = 0 &&
	open_gate &&
	wait &&
	test "$(cat rc.citus)" = 0
'

test_expect_success PG 'a cockroachdb:// URL chooses the engine like the setting' '
	crdb_url=$(printf "%s" "$PG_URL" | sed "s|^postgres[a-z]*://|cockroachdb://|") &&
	close_gate &&
	start_runner scheme "$GODWIT" --url "$crdb_url" --dir gated --table scheme_history --lock-timeout 0 up &&
	wait_at_gate &&
	test "$(advisory_locks)" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_lock WHERE name LIKE '\''%scheme_history%'\''")" = 1 &&
	open_gate &&
	wait &&
	test "$(cat rc.scheme)" = 0 &&
	godwit --url "$crdb_url" --dir gated --table scheme_history status >out &&
	test_grep "20240101000000" out
'

test_expect_success PG 'a fleet over the schemas of a cockroachdb:// URL keeps the engine for each' '
	pg_sql "CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b" &&
	write_migration plain/20240101000000_t.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t (id int);
	EOF
	godwit --url "$crdb_url" --dir plain up --schemas "tenant_*" >out 2>err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename = '\''godwit_lock'\'' AND schemaname IN ('\''tenant_a'\'', '\''tenant_b'\'')")" = 2 &&
	test "$(pg_sql "SELECT count(*) FROM tenant_a.t") $(pg_sql "SELECT count(*) FROM tenant_b.t")" = "0 0"
'

test_expect_success 'the password of a cockroachdb:// URL is masked' '
	mkdir -p masked/db/migrations &&
	(cd masked && test_expect_code 1 godwit --url "cockroachdb://u:s3cretpw@127.0.0.1:1/db" --connect-retries 0 status 2>../err) &&
	test_grep "cannot connect to cockroachdb://u:\*\*\*\*@127.0.0.1:1/db" err &&
	test_grep ! s3cretpw err
'

test_expect_success PG 'an engine the URL does not speak is refused, and nothing is created' '
	GODWIT_DIALECT=cockroachdb test_expect_code 1 godwit --url "sqlite:lite.db" --dir gated up 2>err &&
	test_grep "dialect = cockroachdb needs a postgres:// URL, not a sqlite one" err &&
	test ! -e lite.db
'

test_expect_success PG 'setup: a migration whose second schema change fails' '
	write_migration ddl/20240101000000_two_tables.sql <<-\EOF
	-- migrate:up
	CREATE TABLE a (id int);
	INSERT INTO a VALUES (1);
	CREATE TABLE a (id int);
	EOF
'

test_expect_success PG 'postgres runs it in one transaction: nothing stays' '
	test_expect_code 1 godwit --url "$PG_URL" --dir ddl --table ddl_pg up 2>err &&
	test_grep "relation \"a\" already exists" err &&
	test_grep ! "statement by statement" err &&
	test "$(pg_sql "SELECT to_regclass('\''a'\'') IS NULL")" = t &&
	test "$(pg_sql "SELECT count(*) FROM ddl_pg")" = 0
'

test_expect_success PG 'cockroachdb runs it statement by statement: the first two stay, dirty at 2 of 3' '
	GODWIT_DIALECT=cockroachdb test_expect_code 1 godwit --url "$PG_URL" --dir ddl --table ddl_crdb up 2>err &&
	test_grep "20240101000000_two_tables.sql:2: CREATE TABLE does not run in a transaction with other statements on cockroachdb; running this migration statement by statement" err &&
	test_grep "relation \"a\" already exists" err &&
	test_grep "dialect = cockroachdb, but the server has no crdb_internal.jobs: not waiting for schema change jobs" err &&
	test "$(grep -c "no crdb_internal.jobs" err)" = 1 &&
	test "$(pg_sql "SELECT count(*) FROM a")" = 1 &&
	test "$(pg_sql "SELECT state, statements_done, statements_total FROM ddl_crdb")" = "dirty|2|3" &&
	pg_sql "DROP TABLE a"
'

test_expect_success PG 'cockroachdb runs a migration without schema changes in one transaction' '
	write_migration dml2/20240101000000_rows.sql <<-\EOF &&
	-- migrate:up
	INSERT INTO gate VALUES (1);
	INSERT INTO gate VALUES (1 / 0);
	EOF
	GODWIT_DIALECT=cockroachdb test_expect_code 1 godwit --url "$PG_URL" --dir dml2 --table dml_crdb up 2>err &&
	test_grep "division by zero" err &&
	test_grep ! "statement by statement" err &&
	test "$(pg_count gate)" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM dml_crdb")" = 0
'

# CockroachDB's crdb_internal.jobs, stood in for by a table of the same
# name: what this exercises is godwit's wait, not CockroachDB's jobs.
test_expect_success PG 'cockroachdb waits for running schema change jobs after a schema change' '
	pg_sql "CREATE SCHEMA crdb_internal; CREATE TABLE crdb_internal.jobs (job_id int, job_type text, status text); INSERT INTO crdb_internal.jobs VALUES (1, '\''SCHEMA CHANGE'\'', '\''running'\''), (2, '\''SCHEMA CHANGE'\'', '\''paused'\''), (3, '\''BACKUP'\'', '\''running'\'')" &&
	write_migration jobs/20240101000000_b.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE b (id int);
	CREATE TABLE c (id int);
	EOF
	start_runner jobs GODWIT_DIALECT=cockroachdb "$GODWIT" --url "$PG_URL" --dir jobs --table jobs_history up &&
	wait_for_line "waiting for 1 CockroachDB schema change job(s) to finish" out.jobs &&
	test "$(pg_sql "SELECT state, statements_done FROM jobs_history")" = "dirty|1" &&
	test "$(pg_sql "SELECT to_regclass('\''c'\'') IS NULL")" = t &&
	pg_sql "UPDATE crdb_internal.jobs SET status = '\''succeeded'\'' WHERE job_id = 1" &&
	wait &&
	test "$(cat rc.jobs)" = 0 &&
	test "$(pg_sql "SELECT state, statements_done FROM jobs_history")" = "applied|2" &&
	test "$(grep -c "waiting for" out.jobs)" = 1 &&
	test_grep ! "no crdb_internal.jobs" out.jobs
'

test_expect_success PG 'postgres does not look at crdb_internal.jobs' '
	pg_sql "UPDATE crdb_internal.jobs SET status = '\''running'\'' WHERE job_id = 1" &&
	write_migration jobs_pg/20240101000000_d.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE d (id int);
	EOF
	godwit --url "$PG_URL" --dir jobs_pg --table jobs_pg up 2>err &&
	test_grep ! "waiting for" err &&
	test "$(pg_sql "SELECT state FROM jobs_pg")" = applied
'

# Citus refuses create_distributed_table_concurrently() in a transaction
# block. A function of that name stands in for it: it fails when its
# transaction has written before it, or began before its statement (as a
# migration's transaction began with BEGIN), so it fails in a transaction
# with other statements and succeeds alone (a statement run alone is its
# own transaction, which starts at the statement's own moment).
test_expect_success PG 'setup: a stand-in for create_distributed_table_concurrently' '
	pg_sql <<-\EOF &&
	CREATE TABLE events (id int PRIMARY KEY, tenant int);
	CREATE FUNCTION create_distributed_table_concurrently(t text, col text) RETURNS void
	LANGUAGE plpgsql AS $$
	BEGIN
		IF txid_current_if_assigned() IS NOT NULL OR now() <> statement_timestamp() THEN
			RAISE EXCEPTION '\''create_distributed_table_concurrently cannot run inside a transaction block'\'';
		END IF;
	END $$;
	EOF
	write_migration citus/20240101000000_distribute.sql <<-\EOF &&
	-- migrate:up
	SELECT create_distributed_table_concurrently('\''events'\'', '\''tenant'\'');
	EOF
	write_migration citus_named/20240101000000_named.sql <<-\EOF
	-- migrate:up
	SELECT '\''create_distributed_table_concurrently'\'';
	EOF
'

test_expect_success PG 'postgres runs the call in the migration transaction, where it is refused' '
	test_expect_code 1 godwit --url "$PG_URL" --dir citus --table citus_pg up 2>err &&
	test_grep "create_distributed_table_concurrently cannot run inside a transaction block" err &&
	test "$(pg_sql "SELECT count(*) FROM citus_pg")" = 0
'

test_expect_success PG 'citus runs the call outside a transaction block' '
	GODWIT_DIALECT=citus godwit --url "$PG_URL" --dir citus --table citus_tx up 2>err &&
	test_grep "20240101000000_distribute.sql:2: create_distributed_table_concurrently() does not run in a transaction with other statements on citus; running this migration statement by statement" err &&
	test "$(pg_sql "SELECT state, statements_done FROM citus_tx")" = "applied|1"
'

test_expect_success PG 'citus runs a migration that only names the function in one transaction' '
	GODWIT_DIALECT=citus godwit --url "$PG_URL" --dir citus_named --table citus_named up 2>err &&
	test_grep ! "statement by statement" err &&
	test "$(pg_sql "SELECT state FROM citus_named")" = applied
'

test_done
