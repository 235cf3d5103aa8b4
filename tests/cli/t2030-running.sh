#!/bin/sh
test_description='a migration another runner is executing is running, not interrupted: others wait for it'
. "$(dirname "$0")/lib.sh"

# Starts godwit in the background; output in out.$1, exit code in rc.$1,
# pid in pid.$1.
start_runner()
{
	n=$1
	shift
	rm -f pid.$n rc.$n &&
	(
		"$GODWIT" "$@" >out.$n 2>&1 &
		echo $! >pid.$n
		wait $!
		echo $? >rc.$n
	) &
	until test -s pid.$n
	do
		sleep 0.05
	done
}

test_expect_success PG 'setup' '
	pg_new_db &&
	pg_sql "CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 1000)" &&
	write_migration db/migrations/001_index.sql <<-\EOF
	-- migrate:up
	CREATE INDEX CONCURRENTLY t_a ON t (a);
	SELECT pg_sleep(3);
	-- migrate:down
	DROP INDEX t_a;
	EOF
'

test_expect_success PG 'status shows the migration another runner executes as running' '
	start_runner a --url "$PG_URL" up &&
	pg_wait_for_query "pg_sleep(3)" &&
	godwit --url "$PG_URL" status >status.out &&
	test_grep "^running  *001  *index" status.out &&
	test_grep "^    statement 2 of 2 is running: another godwit run holds the lock$" status.out &&
	test_grep "^0 applied, 0 pending, 1 running$" status.out &&
	godwit --url "$PG_URL" status --format json >status.json &&
	test_grep "\"state\": \"running\"" status.json &&
	test_grep "\"running\": 1" status.json
'

test_expect_success PG 'a second runner waits for it and finds nothing to apply' '
	godwit --url "$PG_URL" up >out.b 2>&1 &&
	test_grep "another godwit run holds the migration lock; waiting" out.b &&
	test_grep "^nothing to apply; the database is up to date$" out.b &&
	wait &&
	test "$(cat rc.a)" = 0 &&
	test "$(pg_sql "SELECT state, statements_done FROM godwit_migrations")" = "applied|2" &&
	test "$(pg_sql "SELECT string_agg(action, '\'' '\'' ORDER BY id) FROM godwit_events")" = "apply lock-wait"
'

test_expect_success PG 'eight runners started around a running no-transaction migration all succeed' '
	godwit --url "$PG_URL" down &&
	start_runner 0 --url "$PG_URL" up &&
	pg_wait_for_query "pg_sleep(3)" &&
	for n in 1 2 3 4 5 6 7 8
	do
		start_runner $n --url "$PG_URL" up || return 1
	done &&
	wait &&
	cat rc.0 rc.1 rc.2 rc.3 rc.4 rc.5 rc.6 rc.7 rc.8 >rcs &&
	printf "0\n0\n0\n0\n0\n0\n0\n0\n0\n" >expect &&
	test_cmp expect rcs &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''apply'\''")" = 2 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''fail'\''")" = 0
'

test_expect_success PG 'with lock = table, a live lease makes the dirty migration running too' '
	godwit --url "$PG_URL" down &&
	start_runner a --url "$PG_URL" --lock table up &&
	pg_wait_for_query "pg_sleep(3)" &&
	godwit --url "$PG_URL" --lock table status >status.out &&
	test_grep "^running  *001" status.out &&
	godwit --url "$PG_URL" --lock table up >out.b 2>&1 &&
	test_grep "^nothing to apply" out.b &&
	wait &&
	test "$(cat rc.a)" = 0
'

test_expect_success PG 'a dirty migration whose runner died is interrupted, and up refuses it' '
	godwit --url "$PG_URL" --lock table down &&
	start_runner a --url "$PG_URL" up &&
	pg_wait_for_query "pg_sleep(3)" &&
	kill -9 "$(cat pid.a)" &&
	wait &&
	pg_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(3)%'\'' AND pid <> pg_backend_pid()" >/dev/null &&
	godwit --url "$PG_URL" status >status.out &&
	test_grep "^dirty  *001" status.out &&
	test_grep "statement 2 of 2 was interrupted" status.out &&
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "migration 001 (db/migrations/001_index.sql) is dirty: statement 2 of 2 was interrupted" err
'

test_done
