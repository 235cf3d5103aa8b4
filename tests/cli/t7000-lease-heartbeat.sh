#!/bin/sh
test_description='lock = table: the heartbeat renews the lease, and a lease lost stops the run'
. "$(dirname "$0")/lib.sh"

# A gate the slow migration waits at (as in t3600): it reads the table
# "gate", which a background transaction holds locked until open_gate.
close_gate()
{
	psql -X -q -d "$PG_URL" -c "BEGIN; LOCK TABLE gate; SELECT pg_sleep(300); COMMIT;" >gate.out 2>&1 &
	wait_until_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(300)%' AND state = 'active' AND pid <> pg_backend_pid()" 1
}

open_gate()
{
	pg_sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(300)%' AND pid <> pg_backend_pid()" >/dev/null
}

start_runner()
{
	("$GODWIT" "$@" >out 2>err; echo $? >rc) &
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

test_expect_success PG 'setup' '
	pg_new_db &&
	pg_sql "CREATE TABLE gate (id int)" &&
	printf "lock = table\nlock_lease = 1s\n" >godwit.conf
'

test_expect_success PG 'the heartbeat renews the lease while a migration runs' '
	write_migration db/migrations/20240101000001_sleep.sql <<-\EOF &&
	-- migrate:up
	SELECT pg_sleep(1.5);
	EOF
	write_migration db/migrations/20240101000002_seen.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE seen AS SELECT heartbeat_at > acquired_at AS renewed,
	  expires_at > heartbeat_at AS ahead FROM godwit_lock;
	EOF
	godwit --url "$PG_URL" up &&
	test "$(pg_sql "SELECT renewed, ahead FROM seen")" = "t|t" &&
	test "$(pg_sql "SELECT count(*) FROM godwit_lock")" = 0
'

test_expect_success PG 'a lease taken over stops the run before the next migration' '
	write_migration over/20240101000001_wait.sql <<-\EOF &&
	-- migrate:up
	SELECT count(*) FROM gate;
	EOF
	write_migration over/20240101000002_after.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE after_takeover (id int);
	EOF
	close_gate &&
	start_runner --url "$PG_URL" --dir over --table over_history up &&
	wait_until_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = '\''Lock'\'' AND query LIKE '\''%FROM gate%'\''" 1 &&
	pg_sql "UPDATE godwit_lock SET owner = '\''someone else'\''" >/dev/null &&
	changed=$(pg_sql "SELECT clock_timestamp()") &&
	wait_until_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\''godwit heartbeat'\'' AND query LIKE '\''UPDATE%'\'' AND state = '\''idle'\'' AND state_change > '\''$changed'\''" 1 &&
	open_gate &&
	wait &&
	test "$(cat rc)" = 1 &&
	test_grep "the migration lease could not be renewed; stopped before 20240101000002 so that two runners never overlap" err &&
	test "$(pg_sql "SELECT version, state FROM over_history")" = "20240101000001|applied" &&
	test "$(pg_sql "SELECT to_regclass('\''after_takeover'\'') IS NULL")" = t &&
	test "$(pg_sql "SELECT owner FROM godwit_lock")" = "someone else"
'

test_done
