#!/bin/sh
test_description='godwit serve: the bearer token, no password in any answer, and one database read per serve_cache'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/serve.sh"

# Sessions opened on the test's database so far, as the server counts
# them (pg_stat_database.sessions, PostgreSQL 14+), asked from another
# database so that asking opens none; a session's figures are in once it
# has ended, and serve ends its session when a refresh is done.
sessions()
{
	psql -X -A -t -q -d "$PG_BASE_URL" \
		-c "SELECT sessions FROM pg_stat_database WHERE datname = '$PG_DB'"
}

test_expect_success PG,CURL 'setup: a database with a password in its URL' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	EOF
	godwit --url "$PG_URL" up &&
	# The suite trusts local connections, so the password is sent to
	# nobody, but it is in the URL serve was given.
	PW_URL=$(printf "%s" "$PG_URL" | sed "s|^postgresql://|postgresql://$(id -un):Sw0rdf1sh-secret@|") &&
	godwit --url "$PW_URL" status
'

test_expect_success PG,CURL 'with serve_token, all but /health/live need the token' '
	GODWIT_SERVE_TOKEN=t0ken-abc GODWIT_SERVE_CACHE=0 serve_start --url "$PW_URL" &&
	test_grep "; all but /health/live need the token" serve.err &&
	http /health/live &&
	test "$(cat http.code)" = 200 &&
	for path in /health/ready /status /history /metrics
	do
		http $path &&
		test "$(cat http.code)" = 401 &&
		test_grep -i "^www-authenticate: Bearer realm=\"godwit\"" http.headers &&
		test_grep "this needs the header '\''Authorization: Bearer'\'' with serve_token" http.body &&
		http $path -H "Authorization: Bearer t0ken-abd" &&
		test "$(cat http.code)" = 401 &&
		http $path -H "Authorization: Bearer t0ken-ab" &&
		test "$(cat http.code)" = 401 &&
		http $path -H "Authorization: Bearer t0ken-abc" &&
		test "$(cat http.code)" = 200 || return 1
	done
'

test_expect_success PG,CURL 'no answer and no line of serve holds the password or the token' '
	for path in /health/live /health/ready /status /history /metrics /nope
	do
		http $path -H "Authorization: Bearer t0ken-abc" &&
		! grep -e Sw0rdf1sh -e t0ken-abc http.body http.headers || return 1
	done &&
	http /status -H "Authorization: Bearer t0ken-abc" &&
	test_grep "\"database\": \"postgresql://[^:]*:\*\*\*\*@" http.body &&
	serve_stop &&
	! grep -e Sw0rdf1sh -e t0ken-abc serve.err serve.out
'

test_expect_success PG,CURL 'godwit config masks serve_token' '
	GODWIT_SERVE_TOKEN=t0ken-abc godwit config >out &&
	test_grep "^serve_token  *\*\*\*\*\*\*\*\*  *env GODWIT_SERVE_TOKEN" out &&
	GODWIT_SERVE_TOKEN=t0ken-abc godwit config --format json >out.json &&
	! grep t0ken-abc out out.json
'

test_expect_success 'serve_token in godwit.conf: only a ${VAR}, never the value' '
	printf "serve_token = t0ken-abc\n" >godwit.conf &&
	test_expect_code 1 godwit config 2>err &&
	test_grep "godwit.conf:1: serve_token is a secret: set GODWIT_SERVE_TOKEN in the environment or in .env, or write serve_token = \${VAR} here, not the value itself" err &&
	! grep t0ken-abc err &&
	printf "serve_token = \${MY_TOKEN}\n" >godwit.conf &&
	MY_TOKEN=t0ken-abc godwit config >out &&
	test_grep "^serve_token  *\*\*\*\*\*\*\*\*  *godwit.conf:1" out &&
	rm godwit.conf
'

test_expect_success PG,CURL 'many requests within serve_cache: the database is read once' '
	pg_wait_gone "$PG_DB" &&
	before=$(sessions) &&
	GODWIT_SERVE_CACHE=1min serve_start --url "$PG_URL" &&
	for i in 1 2 3 4 5 6 7 8 9 10
	do
		http /metrics &&
		http /health/ready &&
		http /status &&
		http /history || return 1
	done &&
	http /metrics &&
	test_grep "^godwit_serve_refreshes_total 1$" http.body &&
	serve_stop &&
	pg_wait_gone "$PG_DB" &&
	test "$(sessions)" = $((before + 1))
'

test_expect_success PG,CURL 'concurrent first requests wait for one read and share it' '
	before=$(sessions) &&
	GODWIT_SERVE_CACHE=1min serve_start --url "$PG_URL" &&
	(
		for i in 1 2 3 4 5 6 7 8
		do
			curl -s -o /dev/null -w "%{http_code}\n" "$SERVE_URL/health/ready" >code.$i &
		done
		wait
	) &&
	cat code.* | sort | uniq -c | sed "s/^ *//" >codes &&
	echo "8 200" >expect &&
	test_cmp expect codes &&
	http /metrics &&
	test_grep "^godwit_serve_refreshes_total 1$" http.body &&
	serve_stop &&
	pg_wait_gone "$PG_DB" &&
	test "$(sessions)" = $((before + 1))
'

test_expect_success PG,CURL 'after serve_cache, the next request reads the database again' '
	pg_wait_gone "$PG_DB" &&
	before=$(sessions) &&
	GODWIT_SERVE_CACHE=1s serve_start --url "$PG_URL" &&
	http /metrics &&
	test_grep "^godwit_serve_refreshes_total 1$" http.body &&
	sleep 1.2 &&
	http /metrics &&
	test_grep "^godwit_serve_refreshes_total 2$" http.body &&
	serve_stop &&
	pg_wait_gone "$PG_DB" &&
	test "$(sessions)" = $((before + 2))
'

test_done
