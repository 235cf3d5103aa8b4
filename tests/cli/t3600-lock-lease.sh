#!/bin/sh
test_description='lock = table: a lease row with a heartbeat, for transaction poolers'
. "$(dirname "$0")/lib.sh"

start_killable()
{
	"$GODWIT" "$@" >killed.out 2>&1 &
	echo $! >killable.pid
}

start_runner()
{
	n=$1
	shift
	("$GODWIT" "$@" >out.$n 2>&1; echo $? >rc.$n) &
}

# A gate the slow migrations wait at: they read the table "gate", which a
# background transaction holds locked until open_gate. Runners that must
# be caught in the middle wait there for as long as the test needs, instead
# of sleeping for a time a loaded machine may exceed.
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

# Waits until a migration's statement waits at the gate.
wait_at_gate()
{
	wait_until_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM gate%' AND pid <> pg_backend_pid()" 1
}

test_expect_success PG 'setup' '
	pg_new_db &&
	pg_sql "CREATE TABLE gate (id int)" &&
	i=1 &&
	while test $i -le 10
	do
		write_migration db/migrations/2024010100000${i}_t$i.sql <<-EOF || return 1
		-- migrate:up
		CREATE TABLE t$i (id int);
		EOF
		i=$((i + 1))
	done
'

test_expect_success PG 'six runners at once with lock = table apply each migration once' '
	for n in 1 2 3 4 5 6
	do
		start_runner $n --url "$PG_URL" --lock table up || return 1
	done &&
	wait &&
	test "$(cat rc.1 rc.2 rc.3 rc.4 rc.5 rc.6 | sort -u)" = 0 &&
	test "$(pg_sql "SELECT count(*), count(DISTINCT version) FROM godwit_migrations")" = "10|10" &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''apply'\''")" = 10 &&
	test "$(pg_count godwit_lock)" = 0
'

test_expect_success PG 'no advisory lock is taken in lease mode' '
	write_migration slow/20240101000000_slow.sql <<-\EOF &&
	-- migrate:up
	SELECT count(*) FROM gate;
	EOF
	close_gate &&
	start_runner slow --url "$PG_URL" --dir slow --table slow_history --lock table --lock-timeout 0 up &&
	wait_at_gate &&
	test "$(pg_sql "SELECT count(*) FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND locktype = '\''advisory'\''")" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_lock WHERE name LIKE '\''%slow_history%'\''")" = 1 &&
	open_gate &&
	wait &&
	test "$(cat rc.slow)" = 0
'

test_expect_success PG 'a second runner waits, then names the lease holder' '
	write_migration slow/20240101000001_slow2.sql <<-\EOF &&
	-- migrate:up
	SELECT count(*) FROM gate;
	EOF
	close_gate &&
	start_runner slow2 --url "$PG_URL" --dir slow --table slow_history --lock table --lock-timeout 0 up &&
	wait_at_gate &&
	test_expect_code 1 godwit --url "$PG_URL" --dir slow --table slow_history --lock table --lock-wait 1 up 2>err &&
	test_grep "held the migration lease on \"public\".\"godwit_lock\" for over 1 s: owner .*:[0-9]*:" err &&
	open_gate &&
	wait &&
	test "$(cat rc.slow2)" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM slow_history")" = 2
'

test_expect_success PG 'a runner killed with kill -9 blocks the next one no longer than its lease' '
	write_migration slow/20240101000002_slow3.sql <<-\EOF &&
	-- migrate:up
	-- godwit:no-transaction
	SELECT pg_sleep(30);
	EOF
	printf "lock = table\nlock_lease = 10s\n" >godwit.conf &&
	start_killable --url "$PG_URL" --dir slow --table slow_history up &&
	pid=$(cat killable.pid) &&
	wait_until_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(30)%'\'' AND pid <> pg_backend_pid()" 1 &&
	kill -9 $pid &&
	{ wait $pid; true; } &&
	pg_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(30)%'\'' AND pid <> pg_backend_pid()" >/dev/null &&
	expires=$(pg_sql "SELECT expires_at FROM godwit_lock WHERE name LIKE '\''%slow_history%'\''") &&
	test "$(pg_sql "SELECT now() < '\''$expires'\''")" = t &&
	godwit --url "$PG_URL" --dir slow --table slow_history --lock-wait 30 resolve 20240101000002 --rolled-back 2>err &&
	test_grep "holds the migration lease; waiting" err &&
	test "$(pg_sql "SELECT at >= '\''$expires'\'' AND at < timestamptz '\''$expires'\'' + interval '\''10 seconds'\'' FROM godwit_events WHERE action = '\''resolve'\''")" = t &&
	rm godwit.conf
'

test_expect_success PG 'lock = table with a history schema that does not exist yet' '
	pg_new_db &&
	godwit --url "$PG_URL" --schema "Ops Hist" --lock table up >out &&
	test_grep "applied 10 migrations" out &&
	test "$(pg_sql "SELECT count(*) FROM \"Ops Hist\".godwit_migrations")" = 10 &&
	test "$(pg_sql "SELECT to_regclass('"'"'\"Ops Hist\".godwit_lock'"'"') IS NOT NULL")" = t
'

test_expect_success 'lock = table on SQLite is a clear error' '
	test_expect_code 1 godwit --lock table up 2>err &&
	test_grep "lock = table needs PostgreSQL" err
'

test_expect_success 'a bad lock mode is a usage error' '
	test_expect_code 2 godwit --lock nope status 2>err &&
	test_grep "advisory or table" err
'

test_done
