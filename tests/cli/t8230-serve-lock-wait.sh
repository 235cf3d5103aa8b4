#!/bin/sh
test_description='a run that waited for the runner lock records a lock-wait event, which godwit serve reports as godwit_lock_wait_seconds'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/serve.sh"

test_expect_success PG 'setup: one slow migration' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_slow.sql <<-\EOF
	-- migrate:up
	SELECT pg_sleep(2);
	EOF
'

test_expect_success PG 'a run that found the lock free records no wait; one that waited records how long' '
	{ godwit --url "$PG_URL" up >first.out 2>&1 & } &&
	first=$! &&
	pg_wait_for_query "pg_sleep(2)" &&
	godwit --url "$PG_URL" up >second.out 2>&1 &&
	wait $first &&
	test_grep "^applied  *20240101000000 slow" first.out &&
	test_grep "another godwit run holds the migration lock; waiting up to 60 s" second.out &&
	test_grep ! "another godwit run" first.out &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''lock-wait'\''")" = 1 &&
	test "$(pg_sql "SELECT duration_ms BETWEEN 500 AND 60000 FROM godwit_events WHERE action = '\''lock-wait'\''")" = t &&
	test "$(pg_sql "SELECT max(id) FROM godwit_events")" = "$(pg_sql "SELECT id FROM godwit_events WHERE action = '\''lock-wait'\''")"
'

test_expect_success PG 'history lists it' '
	godwit --url "$PG_URL" history >out &&
	test_grep "lock-wait  *-  *[0-9][0-9]* ms" out
'

test_expect_success PG,CURL,PROMTOOL 'godwit_lock_wait_seconds is the newest lock-wait event' '
	test_when_finished serve_kill &&
	ms=$(pg_sql "SELECT duration_ms FROM godwit_events WHERE action = '\''lock-wait'\''") &&
	serve_start --url "$PG_URL" &&
	http /metrics &&
	promtool check metrics <http.body &&
	test_grep "^godwit_lock_wait_seconds $(printf "%d.%03d" $((ms / 1000)) $((ms % 1000)))$" http.body &&
	serve_stop
'

test_expect_success PG,CURL 'no run ever waited: no sample, the family still described' '
	test_when_finished serve_kill &&
	pg_new_db &&
	godwit --url "$PG_URL" up &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''lock-wait'\''")" = 0 &&
	serve_start --url "$PG_URL" &&
	http /metrics &&
	test_grep "^# TYPE godwit_lock_wait_seconds gauge$" http.body &&
	test_grep ! "^godwit_lock_wait_seconds " http.body &&
	serve_stop
'

test_done
