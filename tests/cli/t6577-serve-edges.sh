#!/bin/sh
test_description='godwit serve on SQLite: label escapes, token edge cases, HEAD, a GET with a body, a folder or history that breaks while serving'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/serve.sh"

auth="Authorization: Bearer sekrit"

test_expect_success CURL 'setup: serve an environment whose name needs escapes' '
	write_migration db/migrations/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	godwit --url sqlite:app.db up >/dev/null 2>&1 &&
	GODWIT_ENV="q\"b\\s" GODWIT_SERVE_TOKEN=sekrit GODWIT_SERVE_CACHE=0 serve_start --url sqlite:app.db
'

test_expect_success CURL 'the metrics escape a quote and a backslash in a label' '
	http /metrics -H "$auth" &&
	test "$(cat http.code)" = 200 &&
	test_grep "^godwit_info{version=\"[^\"]*\",environment=\"q\\\\\"b\\\\\\\\s\",driver=\"sqlite\"} 1$" http.body
'

test_expect_success CURL 'another scheme, or a token one character short, is 401' '
	http /status -H "Authorization: Basic c2Vrcml0" &&
	test "$(cat http.code)" = 401 &&
	http /status -H "Authorization: Bearer sekri" &&
	test "$(cat http.code)" = 401 &&
	http /status -H "Authorization: Bearer sekritt" &&
	test "$(cat http.code)" = 401 &&
	cat >expect <<-\EOF &&
	{
	  "error": {
	    "message": "this needs the header '"'"'Authorization: Bearer'"'"' with serve_token"
	  }
	}
	EOF
	test_cmp expect http.body
'

test_expect_success CURL 'HEAD answers the headers of a GET' '
	http /health/live -I &&
	test "$(cat http.code)" = 200 &&
	test_grep "^Content-Length: 21" http.headers
'

test_expect_success CURL 'a GET with a body is answered as one without: the body is never read' '
	http /health/live -X GET --data xx &&
	test "$(cat http.code)" = 200 &&
	printf "{\n  \"status\": \"ok\"\n}\n" >expect &&
	test_cmp expect http.body &&
	http /health/live -X POST --data xx &&
	test "$(cat http.code)" = 405
'

test_expect_success CURL 'a history table of the wrong shape: /status is 503, cannot read the history' '
	sqlite_sql app.db "ALTER TABLE godwit_events RENAME TO saved_events; CREATE TABLE godwit_events (x int)" &&
	http /status -H "$auth" &&
	test "$(cat http.code)" = 503 &&
	test_grep "^    \"message\": \"no such column: " http.body &&
	http /health/ready -H "$auth" &&
	test "$(cat http.code)" = 503 &&
	sqlite_sql app.db "DROP TABLE godwit_events; ALTER TABLE saved_events RENAME TO godwit_events" &&
	http /status -H "$auth" &&
	test "$(cat http.code)" = 200
'

test_expect_success CURL 'a folder that breaks while serving: 503 naming the file, then ok once fixed' '
	write_migration db/migrations/20240101000001_dup.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE d (id int);
	EOF
	http /status -H "$auth" &&
	test "$(cat http.code)" = 503 &&
	test_grep "^    \"code\": \"order\",$" http.body &&
	test_grep "^    \"message\": \"duplicate version 20240101000001: 20240101000001_a.sql and 20240101000001_dup.sql; give each migration its own version\",$" http.body &&
	test_grep "^    \"file\": \"db/migrations/20240101000001_dup.sql\",$" http.body &&
	http /health/ready -H "$auth" &&
	test "$(cat http.code)" = 503 &&
	rm db/migrations/20240101000001_dup.sql &&
	http /health/ready -H "$auth" &&
	test "$(cat http.code)" = 200 &&
	serve_stop &&
	test "$(sqlite_sql app.db "SELECT count(*) FROM sqlite_master WHERE name = ${SQ}d${SQ}")" = 0
'

test_expect_success CURL 'events without a time or a duration leave their gauges without a sample' '
	GODWIT_SERVE_CACHE=0 serve_start --url sqlite:app.db &&
	http /metrics &&
	test_grep "^godwit_last_apply_timestamp_seconds [0-9.]*$" http.body &&
	test_grep "^godwit_last_run_duration_seconds [0-9.]*$" http.body &&
	sqlite_sql app.db "INSERT INTO godwit_events (at, action, version, duration_ms)
		VALUES (${SQ}not a time${SQ}, ${SQ}apply${SQ}, ${SQ}20240101000001${SQ}, NULL),
		(${SQ}2024-01-01T00:00:00.000Z${SQ}, ${SQ}lock-wait${SQ}, NULL, NULL)" &&
	http /metrics &&
	test "$(cat http.code)" = 200 &&
	test_grep "^# TYPE godwit_last_apply_timestamp_seconds gauge$" http.body &&
	test_grep ! "^godwit_last_apply_timestamp_seconds " http.body &&
	test_grep ! "^godwit_last_run_duration_seconds " http.body &&
	test_grep "^# TYPE godwit_lock_wait_seconds gauge$" http.body &&
	test_grep ! "^godwit_lock_wait_seconds " http.body
'

test_expect_success CURL 'SIGINT stops it as SIGTERM does' '
	kill -INT "$SERVE_PID" &&
	wait "$SERVE_PID" &&
	SERVE_PID= &&
	test_grep "^godwit: SIGINT received, stopping$" serve.err
'

test_expect_success CURL 'serve_cache in ms; requests at once share one refresh' '
	GODWIT_SERVE_CACHE=60000ms serve_start --url sqlite:app.db &&
	pids= &&
	for i in 1 2 3 4 5 6; do
		curl -s -S -m 30 -o status.$i.body "$SERVE_URL/status" &
		pids="$pids $!"
	done &&
	for p in $pids; do
		wait $p || return 1
	done &&
	for i in 1 2 3 4 5 6; do
		test_grep "^  \"database\": \"sqlite:app.db\",$" status.$i.body || return 1
	done &&
	http /metrics &&
	test_grep "^godwit_serve_refreshes_total 1$" http.body &&
	serve_stop
'

test_expect_success 'a listen host or port too long for godwit is a usage error' '
	host=$(printf "%0300d" 0) &&
	test_expect_code 2 godwit --url sqlite:app.db serve --listen "$host:80" 2>err &&
	test_grep "^godwit: error: listen must be ADDR:PORT, such as 127.0.0.1:8080, not ${SQ}$host:80${SQ} (--listen)$" err &&
	test_expect_code 2 godwit --url sqlite:app.db serve --listen "127.0.0.1:00000000000000000080" 2>err &&
	test_grep "^godwit: error: listen must be ADDR:PORT, such as 127.0.0.1:8080, not ${SQ}127.0.0.1:00000000000000000080${SQ} (--listen)$" err
'

test_done
