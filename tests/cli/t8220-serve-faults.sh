#!/bin/sh
test_description='godwit serve: a dead, stopped or blocked database gets 503 within serve_timeout, never a hang'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/own-cluster.sh"
. "$TEST_DIRECTORY/serve.sh"

# curl gives up after -m seconds: a request that hangs fails the test.
# The bound is serve_timeout (1 s here) with room for a busy machine; it
# tells an answer from a hang, it does not measure speed.

test_expect_success OWN_PG,CURL 'setup: serve on a cluster of our own' '
	own_pg_start &&
	own_pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	EOF
	godwit --url "$PG_URL" up &&
	GODWIT_SERVE_CACHE=0 GODWIT_SERVE_TIMEOUT=1s serve_start --url "$PG_URL" &&
	http /health/ready &&
	test "$(cat http.code)" = 200
'

test_expect_success OWN_PG,CURL 'the server stopped mid-serve: /health/ready is 503 saying why, /health/live 200' '
	own_pg_halt &&
	http /health/ready -m 10 &&
	test "$(cat http.code)" = 503 &&
	test_grep "^  \"status\": \"fail\"" http.body &&
	test_grep "\"name\": \"connection\"" http.body &&
	test_grep "\"summary\": \"cannot connect: " http.body &&
	http /health/live -m 10 &&
	test "$(cat http.code)" = 200 &&
	http /status -m 10 &&
	test "$(cat http.code)" = 503 &&
	http /metrics -m 10 &&
	test "$(cat http.code)" = 200 &&
	test_grep "^godwit_health_check_ok{check=\"connection\"} 0$" http.body &&
	test_grep ! "^godwit_migrations" http.body &&
	test_grep ! "^godwit_failures_total" http.body
'

test_expect_success OWN_PG,CURL,PROMTOOL 'the metrics of a dead database still pass promtool' '
	promtool check metrics <http.body
'

test_expect_success OWN_PG,CURL 'the server back: ready again, without restarting serve' '
	own_pg_resume &&
	http /health/ready -m 10 &&
	test "$(cat http.code)" = 200 &&
	serve_stop
'

test_expect_success PG,CURL 'a history table locked by another session: 503 after serve_timeout, then the query is cancelled' '
	pg_new_db &&
	godwit --url "$PG_URL" up &&
	GODWIT_SERVE_CACHE=0 GODWIT_SERVE_TIMEOUT=1s serve_start --url "$PG_URL" &&
	http /health/ready &&
	test "$(cat http.code)" = 200 &&
	test_when_finished "test \"\$gw_eval_ret\" = 0 || touch release" &&
	pg_hold_lock godwit_migrations &&
	http /health/ready -m 5 &&
	test "$(cat http.code)" = 503 &&
	test_grep "\"summary\": \"the database did not answer within 1.0 s (serve_timeout)\"" http.body &&
	http /health/live -m 5 &&
	test "$(cat http.code)" = 200 &&
	# The refresh that waited for the lock was cancelled, not left to
	# queue behind it.
	_i=0 &&
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '\''godwit'\''")" = 0
	do
		_i=$((_i + 1)) &&
		test $_i -lt 50 &&
		sleep 0.1 || return 1
	done
'

test_expect_success PG,CURL 'SIGTERM while a request waits for the locked database: serve stops at once, exit 0' '
	serve_stop &&
	# A serve_timeout longer than the test: the answer comes from the
	# stop, not from the timeout.
	GODWIT_SERVE_CACHE=0 GODWIT_SERVE_TIMEOUT=60s serve_start --url "$PG_URL" &&
	{ curl -s -o waiting.body -w "%{http_code} %{time_total}" -m 120 "$SERVE_URL/status" >waiting.out & } &&
	curl_pid=$! &&
	# On failure, what the request and the server saw.
	test_when_finished "test \"\$gw_eval_ret\" = 0 || cat waiting.out serve.err >&4 2>/dev/null; true" &&
	pg_wait_for_query "godwit_migrations\"" &&
	serve_stop &&
	test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\''gw-blocker'\'' AND datname = current_database()")" = 1 &&
	wait "$curl_pid" &&
	test "$(cut -d" " -f1 waiting.out)" = 503 &&
	test "$(cut -d" " -f2 waiting.out | cut -d. -f1)" -lt 30
'

test_expect_success PG,CURL 'the lock gone: ready again' '
	touch release &&
	_i=0 &&
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\''gw-blocker'\'' AND datname = current_database()")" = 0
	do
		_i=$((_i + 1)) &&
		test $_i -lt 100 &&
		sleep 0.1 || return 1
	done &&
	GODWIT_SERVE_CACHE=0 GODWIT_SERVE_TIMEOUT=1s serve_start --url "$PG_URL" &&
	http /health/ready &&
	test "$(cat http.code)" = 200 &&
	serve_stop
'

test_done
