#!/bin/sh
test_description='godwit serve: health, status, history and metrics over HTTP, from what the library records'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/serve.sh"

# serve_cache = 0 asks the database on every request, so each request
# sees what the test just changed; the cache has tests of its own.

# The health report with the figures that change from one run to the next
# taken out: round-trip times, and the sessions on the database (serve's
# own may not have ended yet).
steady()
{
	sed -e '/round trip takes/d' -e 's/"value": [0-9][0-9]*/"value": N/' \
		-e 's/[0-9][0-9]* connections to the database/N connections to the database/' "$1"
}

# health's JSON without the data checks, which serve leaves out.
without_data_checks()
{
	awk '
		/^    \{/ { block = $0 "\n"; inside = 1; next }
		inside { block = block $0 "\n" }
		inside && /^    \}/ {
			inside = 0
			if (block !~ /"name": "(not_valid|orphan_rows|sequences|rls)"/)
				printf "%s", block
			next
		}
		!inside { print }
	' "$1"
}

test_expect_success PG,CURL 'setup: two migrations applied, one pending' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE posts (id int);
	-- migrate:down
	DROP TABLE posts;
	EOF
	godwit --url "$PG_URL" up &&
	write_migration db/migrations/20240103000000_tags.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE tags (id int);
	-- migrate:down
	DROP TABLE tags;
	EOF
	GODWIT_SERVE_CACHE=0 serve_start --url "$PG_URL"
'

test_expect_success PG,CURL '/health/live answers 200 while serve runs' '
	http /health/live &&
	test "$(cat http.code)" = 200 &&
	test_grep -i "^content-type: application/json" http.headers &&
	printf "{\n  \"status\": \"ok\"\n}\n" >expect &&
	test_cmp expect http.body
'

test_expect_success PG,CURL '/health/ready: 503 with the health report while a migration is pending' '
	http /health/ready &&
	test "$(cat http.code)" = 503 &&
	test_expect_code 0 godwit --url "$PG_URL" health --format json >health.json &&
	without_data_checks health.json >health.basic &&
	test_grep "\"name\": \"orphan_rows\"" health.json &&
	steady health.basic >expect &&
	steady http.body >actual &&
	test_cmp expect actual &&
	test_grep "\"summary\": \"2 applied, 1 pending, 0 dirty, 0 changed, 0 missing\"" http.body
'

test_expect_success PG,CURL '/status is the document of status --format json' '
	http /status &&
	test "$(cat http.code)" = 200 &&
	godwit --url "$PG_URL" status --format json >expect &&
	test_cmp expect http.body
'

test_expect_success PG,CURL,PROMTOOL '/metrics: Prometheus text that promtool accepts, with the states' '
	http /metrics &&
	test "$(cat http.code)" = 200 &&
	test_grep -i "^content-type: text/plain; version=0.0.4" http.headers &&
	promtool check metrics <http.body &&
	test_grep "^godwit_migrations{state=\"applied\"} 2$" http.body &&
	test_grep "^godwit_migrations{state=\"pending\"} 1$" http.body &&
	test_grep "^godwit_migrations{state=\"dirty\"} 0$" http.body &&
	test_grep "^godwit_health_check_ok{check=\"connection\"} 1$" http.body &&
	test_grep "^godwit_health_check_ok{check=\"migrations\"} 0$" http.body &&
	test_grep "^godwit_failures_total 0$" http.body &&
	test_grep "^godwit_info{version=\"$(godwit version | sed -n "s/^godwit \([^ ]*\).*/\1/p")\",environment=\"development\",driver=\"postgres\"} 1$" http.body
'

test_expect_success PG,CURL 'after up, /health/ready answers 200' '
	godwit --url "$PG_URL" up &&
	http /health/ready &&
	test "$(cat http.code)" = 200 &&
	test_grep "^  \"status\": \"ok\"" http.body
'

test_expect_success PG,CURL,PROMTOOL 'a failed migration: failures_total and the apply time come from the events' '
	write_migration db/migrations/20240104000000_broken.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE broken (id nosuchtype);
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up &&
	http /metrics &&
	promtool check metrics <http.body &&
	test_grep "^godwit_failures_total 1$" http.body &&
	test_grep "^godwit_migrations{state=\"pending\"} 1$" http.body &&
	at=$(pg_sql "SELECT to_char(floor(extract(epoch FROM max(at)) * 1000) / 1000, '\''FM9999999999.000'\'') FROM godwit_events WHERE action = '\''apply'\''") &&
	test_grep "^godwit_last_apply_timestamp_seconds $at$" http.body &&
	ms=$(pg_sql "SELECT duration_ms FROM godwit_events WHERE action IN ('\''apply'\'', '\''revert'\'') ORDER BY id DESC LIMIT 1") &&
	test_grep "^godwit_last_run_duration_seconds $(printf "%d.%03d" $((ms / 1000)) $((ms % 1000)))$" http.body
'

test_expect_success PG,CURL '/history and /history?limit=N are the documents of history --format json' '
	http /history &&
	test "$(cat http.code)" = 200 &&
	godwit --url "$PG_URL" history --format json >expect &&
	test_cmp expect http.body &&
	http "/history?limit=2" &&
	godwit --url "$PG_URL" history --limit 2 --format json >expect &&
	test_cmp expect http.body &&
	test_grep "\"action\": \"fail\"" http.body
'

test_expect_success PG,CURL 'a bad limit is a 400 that says what a limit is' '
	for limit in abc 0 -1 1001
	do
		http "/history?limit=$limit" &&
		test "$(cat http.code)" = 400 &&
		test_grep "\"message\": \"limit must be a whole number from 1 to 1000\"" http.body ||
		return 1
	done &&
	http "/history?limit=1000" &&
	test "$(cat http.code)" = 200
'

test_expect_success PG,CURL,PROMTOOL 'a long history: /history answers the newest 100, the metrics count them all' '
	pg_sql "INSERT INTO godwit_events (at, action, version, name, duration_ms, applied_by, environment, godwit_version) SELECT now() - interval '\''1 day'\'' + g * interval '\''1 second'\'', CASE WHEN g % 10 = 0 THEN '\''fail'\'' ELSE '\''revert'\'' END, '\''20240101000000'\'', '\''users'\'', 7, '\''x'\'', '\''development'\'', '\''0.1.0'\'' FROM generate_series(1, 2000) g" &&
	http /history &&
	godwit --url "$PG_URL" history --limit 100 --format json >expect &&
	test_cmp expect http.body &&
	http "/history?limit=1000" &&
	godwit --url "$PG_URL" history --limit 1000 --format json >expect &&
	test_cmp expect http.body &&
	http /metrics &&
	promtool check metrics <http.body &&
	test_grep "^godwit_failures_total 201$" http.body &&
	at=$(pg_sql "SELECT to_char(floor(extract(epoch FROM max(at)) * 1000) / 1000, '\''FM9999999999.000'\'') FROM godwit_events WHERE action = '\''apply'\''") &&
	test_grep "^godwit_last_apply_timestamp_seconds $at$" http.body
'

test_expect_success PG,CURL 'another path is a 404 that lists the paths, another method a 405' '
	http /nope &&
	test "$(cat http.code)" = 404 &&
	test_grep "godwit serves /health/live, /health/ready, /status, /history and /metrics" http.body &&
	http /metrics -X POST &&
	test "$(cat http.code)" = 405 &&
	test_grep -i "^allow: GET, HEAD" http.headers
'

test_expect_success PG,CURL 'SIGTERM stops serve cleanly (exit 0)' '
	serve_stop &&
	! curl -s -m 5 "$SERVE_URL/health/live"
'

test_expect_success SQLITE3,CURL 'on SQLite too' '
	test_when_finished serve_kill &&
	write_migration lite/20240101000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	EOF
	godwit --url sqlite://lite.db --dir lite up &&
	GODWIT_SERVE_CACHE=0 serve_start --url sqlite://lite.db --dir lite &&
	http /health/ready &&
	test "$(cat http.code)" = 200 &&
	http /metrics &&
	test_grep "^godwit_migrations{state=\"applied\"} 1$" http.body &&
	test_grep "driver=\"sqlite\"" http.body &&
	test_grep "^godwit_failures_total 0$" http.body &&
	test_grep "^godwit_last_apply_timestamp_seconds [0-9]*\.[0-9][0-9][0-9]$" http.body &&
	http /history &&
	godwit --url sqlite://lite.db --dir lite history --format json >expect &&
	test_cmp expect http.body
'

test_done
