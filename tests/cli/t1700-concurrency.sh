#!/bin/sh
test_description='concurrent runners: one at a time, each migration applied exactly once'
. "$(dirname "$0")/lib.sh"

# Starts godwit in the background as a child of the test shell; its exit
# code lands in rc.N and its output in out.N.
start_runner()
{
	n=$1
	shift
	("$GODWIT" "$@" >out.$n 2>&1; echo $? >rc.$n) &
}

make_migrations()
{
	i=1
	while test $i -le 20
	do
		v=$(printf "202401010000%02d" $i)
		write_migration db/migrations/${v}_t$i.sql <<-EOF || return 1
		-- migrate:up
		CREATE TABLE t$i (id bigint PRIMARY KEY);
		INSERT INTO t$i VALUES ($i);
		-- migrate:down
		DROP TABLE t$i;
		EOF
		i=$((i + 1))
	done
}

test_expect_success 'setup' '
	make_migrations
'

test_expect_success PG 'eight runners at once on an empty PostgreSQL database' '
	pg_new_db &&
	for n in 1 2 3 4 5 6 7 8
	do
		start_runner $n --url "$PG_URL" up || return 1
	done &&
	wait &&
	cat rc.1 rc.2 rc.3 rc.4 rc.5 rc.6 rc.7 rc.8 >rcs &&
	printf "0\n0\n0\n0\n0\n0\n0\n0\n" >expect &&
	test_cmp expect rcs &&
	test "$(pg_sql "SELECT count(*), count(DISTINCT version) FROM godwit_migrations")" = "20|20" &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''apply'\''")" = 20 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''fail'\''")" = 0 &&
	test "$(pg_sql "SELECT sum(id) FROM (SELECT id FROM t1 UNION ALL SELECT id FROM t20) s")" = 21
'

test_expect_success SQLITE3 'eight runners at once on an empty SQLite database' '
	for n in 1 2 3 4 5 6 7 8
	do
		start_runner $n up || return 1
	done &&
	wait &&
	cat rc.1 rc.2 rc.3 rc.4 rc.5 rc.6 rc.7 rc.8 >rcs &&
	printf "0\n0\n0\n0\n0\n0\n0\n0\n" >expect &&
	test_cmp expect rcs &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*), count(DISTINCT version) FROM godwit_migrations")" = "20|20" &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_events WHERE action = '\''apply'\''")" = 20 &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_events WHERE action = '\''fail'\''")" = 0
'

# Each SQLite run checks its migrations on a copy of the schema before it
# starts; a runner that applies a migration between another's reading of
# the history and its copy must not make that other runner fail.
test_expect_success SQLITE3 'eight SQLite runners, five rounds: none fails for another'"'"'s work' '
	for round in 1 2 3 4 5
	do
		rm -f db/development.sqlite3 &&
		for n in 1 2 3 4 5 6 7 8
		do
			start_runner $n up || return 1
		done &&
		wait &&
		cat rc.1 rc.2 rc.3 rc.4 rc.5 rc.6 rc.7 rc.8 >rcs &&
		test_cmp expect rcs &&
		test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 20 ||
		return 1
	done
'

test_expect_success PG 'a runner that cannot get the lock in time names the holder' '
	pg_new_db &&
	write_migration slow/20240101000000_slow.sql <<-\EOF &&
	-- migrate:up
	SELECT pg_sleep(20);
	EOF
	start_runner slow --url "$PG_URL" --dir slow up &&
	i=0 &&
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(20)%'\'' AND pid <> pg_backend_pid()")" = 1
	do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || return 1
	done &&
	test_expect_code 1 godwit --url "$PG_URL" --dir slow --lock-wait 1 up 2>err &&
	test_grep "another godwit run has held the migration lock on \"public\".\"godwit_migrations\" for over 1 s: pid [0-9]* (application \"godwit\"" err &&
	test_grep "lock-wait" err &&
	pg_sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(20)%'\'' AND pid <> pg_backend_pid()" >/dev/null &&
	wait &&
	test "$(cat rc.slow)" = 1
'

test_expect_success PG 'separate history tables have separate locks' '
	pg_new_db &&
	write_migration slow/20240101000000_slow.sql <<-\EOF &&
	-- migrate:up
	SELECT pg_sleep(3);
	EOF
	start_runner slow --url "$PG_URL" --dir slow up &&
	sleep 0.5 &&
	godwit --url "$PG_URL" --table other_history --lock-wait 1 up &&
	wait &&
	test "$(cat rc.slow)" = 0 &&
	test "$(pg_count other_history)" = 20
'

test_done
