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

test_expect_success PG 'setup' '
	pg_new_db &&
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
	SELECT pg_sleep(3);
	EOF
	start_runner slow --url "$PG_URL" --dir slow --table slow_history --lock table up &&
	i=0 &&
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(3)%'\'' AND pid <> pg_backend_pid()")" = 1
	do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || return 1
	done &&
	test "$(pg_sql "SELECT count(*) FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND locktype = '\''advisory'\''")" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_lock WHERE name LIKE '\''%slow_history%'\''")" = 1 &&
	wait &&
	test "$(cat rc.slow)" = 0
'

test_expect_success PG 'a second runner waits, then names the lease holder' '
	write_migration slow/20240101000001_slow2.sql <<-\EOF &&
	-- migrate:up
	SELECT pg_sleep(4);
	EOF
	start_runner slow2 --url "$PG_URL" --dir slow --table slow_history --lock table up &&
	i=0 &&
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(4)%'\'' AND pid <> pg_backend_pid()")" = 1
	do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || return 1
	done &&
	test_expect_code 1 godwit --url "$PG_URL" --dir slow --table slow_history --lock table --lock-wait 1 up 2>err &&
	test_grep "held the migration lease on \"public\".\"godwit_lock\" for over 1 s: owner .*:[0-9]*:" err &&
	wait
'

test_expect_success PG 'a runner killed with kill -9 blocks the next one no longer than its lease' '
	write_migration slow/20240101000002_slow3.sql <<-\EOF &&
	-- migrate:up
	-- godwit:no-transaction
	SELECT pg_sleep(30);
	EOF
	printf "lock = table\nlock_lease = 2s\n" >godwit.conf &&
	start_killable --url "$PG_URL" --dir slow --table slow_history up &&
	pid=$(cat killable.pid) &&
	i=0 &&
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(30)%'\'' AND pid <> pg_backend_pid()")" = 1
	do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || return 1
	done &&
	kill -9 $pid &&
	{ wait $pid; true; } &&
	pg_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(30)%'\'' AND pid <> pg_backend_pid()" >/dev/null &&
	start=$(date +%s%N) &&
	godwit --url "$PG_URL" --dir slow --table slow_history --lock-wait 30 resolve 20240101000002 --rolled-back 2>err &&
	elapsed=$(( ($(date +%s%N) - start) / 1000000 )) &&
	test_grep "holds the migration lease; waiting" err &&
	test $elapsed -ge 500 &&
	test $elapsed -le 8000 &&
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
