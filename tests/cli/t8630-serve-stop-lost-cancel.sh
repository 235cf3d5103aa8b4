#!/bin/sh
test_description='godwit serve: SIGTERM while a refresh is still connecting, then waits for a lock held until the test lets go: serve stops, exit 0, the request gets its 503'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/serve.sh"

# A cancel reaches the server only through the refresh's connection. One
# sent while that connection is still being made (or between two of its
# statements, when the server ignores it) was lost, and the refresh's next
# statement waited for the lock as long as it was held: serve did not exit.
# The gate proxy holds the refresh's connection while SIGTERM comes, so the
# test does not depend on timing.

# start_gate: the gate proxy to the cluster's socket; its port in GATE_PORT.
start_gate()
{
	mkdir gate &&
	python3 "$TEST_DIRECTORY/gate-proxy.py" gate "$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT" >gate.log 2>&1 &
	echo $! >gate.pid
	wait_for_file gate/port || return 1
	GATE_PORT=$(cat gate/port)
}

# wait_for_file FILE: polls for FILE (30 s at most).
wait_for_file()
{
	_gw_i=0
	until test -e "$1"
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 300 || return 1
		sleep 0.1
	done
}

trap '_gw_rc=$?; touch release gate/open 2>/dev/null; test -s gate.pid && kill "$(cat gate.pid)" 2>/dev/null; serve_kill; (exit $_gw_rc); gw_die' EXIT

command -v python3 >/dev/null 2>&1 && test_set_prereq PYTHON

test_expect_success PG,CURL,PYTHON 'setup: a history table locked until the test lets go, serve behind a gate' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	EOF
	godwit --url "$PG_URL" up >out 2>err &&
	pg_hold_lock godwit_migrations &&
	start_gate &&
	GATE_URL="postgresql://$PG_USER@127.0.0.1:$GATE_PORT/$PG_DB?sslmode=disable" &&
	GODWIT_SERVE_CACHE=0 GODWIT_SERVE_TIMEOUT=60s serve_start --url "$GATE_URL"
'

test_expect_success PG,CURL,PYTHON 'SIGTERM while the refresh connects: it is cancelled once connected, serve exits 0, the request gets 503' '
	{ curl -s -o waiting.body -w "%{http_code}" -m 120 "$SERVE_URL/status" >waiting.out & } &&
	curl_pid=$! &&
	wait_for_file gate/held &&
	kill -TERM "$SERVE_PID" &&
	_i=0 &&
	until grep -q "^godwit: SIGTERM received, stopping" serve.err
	do
		_i=$((_i + 1)) &&
		test $_i -lt 300 &&
		sleep 0.1 || return 1
	done &&
	touch gate/open &&
	# Still held: the refresh reaches the lock. serve must stop anyway.
	_i=0 &&
	while kill -0 "$SERVE_PID" 2>/dev/null
	do
		_i=$((_i + 1)) &&
		test $_i -lt 300 &&
		sleep 0.1 || { echo "serve still runs 30 s after SIGTERM" && return 1; }
	done &&
	wait "$SERVE_PID" &&
	SERVE_PID= &&
	wait "$curl_pid" &&
	test "$(cat waiting.out)" = 503 &&
	test_grep "\"message\": \"godwit serve is stopping\"" waiting.body &&
	# serve stopped while the lock was still held.
	test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\''gw-blocker'\'' AND datname = current_database()")" = 1
'

test_expect_success PG,PYTHON 'let go of the lock, stop the gate' '
	touch release &&
	kill "$(cat gate.pid)" &&
	rm gate.pid
'

test_done
