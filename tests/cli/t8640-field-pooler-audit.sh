#!/bin/sh
test_description='field tests: the audit log, notifications and serve through a PgBouncer in transaction mode and with ?schema=; kill -9 while audit lines are written leaves no torn line'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/serve.sh"

command -v python3 >/dev/null 2>&1 && test_set_prereq PYTHON
python3 -c 'import jsonschema' 2>/dev/null && test_set_prereq JSONSCHEMA

trap '_gw_rc=$?; serve_kill; test -s receiver.pid && kill "$(cat receiver.pid)" 2>/dev/null; test -n "${PGB:-}" && stop_bouncers; (exit $_gw_rc); gw_die' EXIT

# bouncer: a PgBouncer on $PGB/.s.PGSQL.6432 whose database tx is the
# test's, pooled by transaction. Its password check is trust: the URL's
# password is only there to be masked.
bouncer()
{
	cat >"$PGB/b.ini" <<-EOF &&
	[databases]
	tx = host=$PG_SOCKET_DIR port=${PG_PORT:-5432} dbname=$PG_DB pool_mode=transaction
	[pgbouncer]
	listen_addr =
	unix_socket_dir = $PGB
	listen_port = 6432
	auth_type = trust
	auth_file = $PGB/users.txt
	pool_mode = transaction
	logfile = $PGB/b.log
	pidfile = $PGB/b.pid
	ignore_startup_parameters = extra_float_digits,options
	EOF
	if [ "$(id -u)" = 0 ]; then chown -R postgres: "$PGB"; fi &&
	run_pgbouncer "$PGB/b.ini" &&
	for i in $(seq 50); do
		test -S "$PGB/.s.PGSQL.6432" && break
		sleep 0.1
	done &&
	test -S "$PGB/.s.PGSQL.6432"
}

# json_lines FILE EXPR: EXPR (Python, over d) for each JSON line of FILE.
json_lines()
{
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    v = eval(sys.argv[2])
    print(" ".join(map(str, v)) if isinstance(v, tuple) else v)
' "$1" "$2"
}

# json_file FILE EXPR: EXPR (Python, over d) for the JSON document FILE.
json_file()
{
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(" ".join(map(str, v)) if isinstance(v, tuple) else v)
' "$1" "$2"
}

# no_secret FILE...: the URL's password is in none of the files.
no_secret()
{
	! grep -l "pb-s3cret" "$@"
}

test_expect_success PGBOUNCER,PYTHON 'setup: a PgBouncer in transaction mode, a notification receiver' '
	pg_new_db &&
	PGB=$(mktemp -d /tmp/godwit-test-pgb-XXXXXX) &&
	printf "\"%s\" \"\"\n" "${PG_USER:-postgres}" >"$PGB/users.txt" &&
	bouncer &&
	TX_URL="postgresql://${PG_USER:-postgres}:pb-s3cret@/tx?host=$PGB&port=6432" &&
	mkdir rcv &&
	{ python3 "$TEST_DIRECTORY/notify-receiver.py" rcv >/dev/null 2>&1 & } &&
	echo $! >receiver.pid &&
	for i in $(seq 50); do
		test -f rcv/http.port && break
		sleep 0.1
	done &&
	HTTP=http://127.0.0.1:$(cat rcv/http.port) &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF
	-- migrate:up
	CREATE TABLE posts (id int);
	-- migrate:down
	DROP TABLE posts;
	EOF
'

test_expect_success PGBOUNCER,PYTHON 'up through the pooler (lock = table): every event in the audit log and to the receiver, the password masked' '
	GODWIT_NOTIFY_ON=all godwit --url "$TX_URL" --lock table --audit-log audit.log \
		--notify "$HTTP/hook" up >out 2>err &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 2 &&
	json_lines audit.log "d[\"action\"], d[\"version\"], d.get(\"exit_code\")" >actual &&
	cat >expect <<-\EOF &&
	start None None
	apply 20240101000000 None
	apply 20240102000000 None
	end None 0
	EOF
	test_cmp expect actual &&
	json_lines audit.log "d[\"target\"]" | sort -u >actual &&
	echo "postgresql://${PG_USER:-postgres}:****@/tx?host=$PGB&port=6432" >expect &&
	test_cmp expect actual &&
	test "$(ls rcv | grep -c "^http\.[0-9]*\$")" = 2 &&
	sed 1d rcv/http.1 >start.json &&
	sed 1d rcv/http.2 >end.json &&
	json_file start.json "d[\"action\"], d[\"target\"]" >actual &&
	json_file end.json "d[\"action\"], d[\"exit_code\"]" >>actual &&
	printf "%s\n" "start postgresql://${PG_USER:-postgres}:****@/tx?host=$PGB&port=6432" "end 0" >expect &&
	test_cmp expect actual &&
	no_secret audit.log rcv/http.* out err
'

test_expect_success PGBOUNCER,JSONSCHEMA 'those audit lines and bodies are valid against the event schema' '
	{ cat audit.log start.json && echo && cat end.json && echo; } >all.json &&
	python3 "$TEST_DIRECTORY/event-check.py" lines all.json
'

test_expect_success PGBOUNCER,CURL 'serve through the pooler: ready, status, history and metrics, no password' '
	GODWIT_SERVE_CACHE=0 serve_start --url "$TX_URL" --lock table &&
	http /health/ready &&
	test "$(cat http.code)" = 200 &&
	cp http.body ready.json &&
	http /status &&
	test "$(cat http.code)" = 200 &&
	cp http.body status.json &&
	json_file status.json "[m[\"state\"] for m in d[\"migrations\"]]" >actual &&
	echo "[${SQ}applied${SQ}, ${SQ}applied${SQ}]" >expect &&
	test_cmp expect actual &&
	http "/history?limit=5" &&
	test "$(cat http.code)" = 200 &&
	cp http.body history.json &&
	python3 -c "import json, sys; print(*[e[\"action\"] + \" \" + (e[\"version\"] or \"\") for e in json.load(open(sys.argv[1]))[\"events\"]], sep=\"\\n\")" history.json >actual &&
	printf "apply 20240101000000\napply 20240102000000\n" >expect &&
	test_cmp expect actual &&
	http /metrics &&
	test "$(cat http.code)" = 200 &&
	cp http.body metrics.txt &&
	test_grep "^godwit_migrations{state=\"applied\"} 2$" metrics.txt &&
	serve_stop &&
	no_secret ready.json status.json history.json metrics.txt serve.err
'

test_expect_success PGBOUNCER,CURL,PROMTOOL 'the metrics served through the pooler pass promtool' '
	promtool check metrics <metrics.txt
'

test_expect_success PG,PYTHON '?schema=app (direct): tables, history and events in app; the audit log and serve say so' '
	pg_new_db &&
	godwit --url "$PG_URL&schema=app" --audit-log app.log up >out 2>err &&
	test "$(pg_sql "SELECT string_agg(schemaname || ${SQ}.${SQ} || tablename, ${SQ} ${SQ} ORDER BY schemaname, tablename) FROM pg_tables WHERE schemaname IN (${SQ}app${SQ}, ${SQ}public${SQ})")" = \
		"app.godwit_events app.godwit_migrations app.posts app.users" &&
	json_lines app.log "d[\"action\"], d[\"version\"], d[\"target\"]" >actual &&
	cat >expect <<-EOF &&
	start None $PG_URL&schema=app
	apply 20240101000000 $PG_URL&schema=app
	apply 20240102000000 $PG_URL&schema=app
	end None $PG_URL&schema=app
	EOF
	test_cmp expect actual &&
	GODWIT_SERVE_CACHE=0 serve_start --url "$PG_URL&schema=app" &&
	http /status &&
	test "$(cat http.code)" = 200 &&
	json_file http.body "[m[\"state\"] for m in d[\"migrations\"]]" >actual &&
	echo "[${SQ}applied${SQ}, ${SQ}applied${SQ}]" >expect &&
	test_cmp expect actual &&
	http /health/ready &&
	test "$(cat http.code)" = 200 &&
	serve_stop
'

# Known: PgBouncer drops the startup option that sets the search path
# (ignore_startup_parameters = options, as poolers are set up), and a SET
# made once connected does not follow the next transaction to its server
# connection: through a transaction pooler, ?schema= reaches the history
# (whose names are qualified) but not the migrations, which run in the
# server connection's search path.
test_expect_success PGBOUNCER '?schema=app through the transaction pooler: the migrations'\'' tables in app' '
	pg_new_db &&
	stop_bouncers &&
	rm -f "$PGB/b.pid" &&
	bouncer &&
	godwit --url "$TX_URL&schema=app" --lock table up >out 2>err &&
	test "$(pg_sql "SELECT string_agg(schemaname || ${SQ}.${SQ} || tablename, ${SQ} ${SQ} ORDER BY schemaname, tablename) FROM pg_tables WHERE tablename IN (${SQ}users${SQ}, ${SQ}posts${SQ})")" = \
		"app.posts app.users"
'

# kill_when_lines FILE N: waits until FILE has N lines, then kill -9 the
# godwit whose pid is in godwit.pid.
kill_when_lines()
{
	_gw_i=0
	until test "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2"
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 600 || return 1
		sleep 0.01
	done
	kill -9 "$(cat godwit.pid)"
}

test_expect_success PG,PYTHON 'setup: 300 quick migrations' '
	mkdir many &&
	for i in $(seq 100 399); do
		printf -- "-- migrate:up\nSELECT $i;\n-- migrate:down\nSELECT $i;\n" >many/20240101000${i}_m$i.sql || return 1
	done
'

test_expect_success PG,PYTHON 'kill -9 while audit lines are written, three times: every line whole; no line without its event, at most the last event without its line' '
	lines=0 &&
	before=0 &&
	for n in 20 90 170; do
		pg_new_db &&
		{ sh -c "echo \$\$ >godwit.pid; exec \"\$GODWIT\" --dir many --url \"\$0\" --audit-log killed.log up" "$PG_URL" >/dev/null 2>&1 & } &&
		until test -s godwit.pid; do sleep 0.01; done &&
		kill_when_lines killed.log $((lines + n)) &&
		wait $! ;
		test $? = 137 &&
		rm godwit.pid &&
		lines=$(wc -l <killed.log) &&
		test "$(tail -c 1 killed.log | od -An -c | tr -d " ")" = "\\n" &&
		applies=$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = ${SQ}apply${SQ}") &&
		total=$(grep -c "\"action\":\"apply\"" killed.log) &&
		logged=$((total - before)) &&
		before=$total &&
		echo "killed at $lines lines: $applies applies recorded, $logged of them logged" &&
		# Each line is written once its commit is done: at most the
		# one whose commit the kill followed is missing.
		test "$logged" -le "$applies" &&
		test "$((applies - logged))" -le 1 || return 1
	done &&
	json_lines killed.log "d[\"action\"]" | sort | uniq -c >actions &&
	cat actions &&
	test "$(grep -c " start$" actions)" = 1
'

test_expect_success PG,JSONSCHEMA 'every line of the killed runs'\'' audit log is valid against the event schema' '
	python3 "$TEST_DIRECTORY/event-check.py" lines killed.log
'

test_expect_success PYTHON 'stop the receiver and the pooler' '
	kill "$(cat receiver.pid)" &&
	rm receiver.pid &&
	stop_bouncers
'

test_done
