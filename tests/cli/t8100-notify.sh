#!/bin/sh
test_description='notify: Slack messages, JSON POSTs and mail to local receivers; notify_on; retries, timeouts and dead receivers never change the exit status; URL secrets masked'
. "$(dirname "$0")/lib.sh"

# The receivers (tests/cli/notify-receiver.py) need Python 3 only; the
# POSTed events are checked against the schema with jsonschema where
# that Python has it.
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import json' 2>/dev/null; then
		PY=$py
		test_set_prereq PYTHON
		break
	fi
done
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import jsonschema' 2>/dev/null; then
		JPY=$py
		test_set_prereq JSONSCHEMA
		break
	fi
done

# body FILE: the body of a received request (after its first line).
body()
{
	sed 1d "$1"
}

# json FILE EXPR: EXPR (Python, over `d`, the body's JSON) printed.
json()
{
	sed 1d "$1" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
v = eval(sys.argv[1])
print(" ".join(map(str, v)) if isinstance(v, tuple) else v)
' "$2"
}

# start_receiver: the receivers in the background, their pid in
# receiver.pid.
start_receiver()
{
	mkdir rcv &&
	"$PY" "$TEST_DIRECTORY/notify-receiver.py" rcv >/dev/null 2>&1 &
	echo $! >receiver.pid
}

# received KIND: how many requests (http) or mails (mail) have come.
received()
{
	ls rcv | grep -c "^$1\.[0-9]*\$"
}

test_expect_success PG,PYTHON 'setup: the receivers, a project with a failing migration' '
	start_receiver &&
	for i in $(seq 50); do
		test -f rcv/http.port && break
		sleep 0.1
	done &&
	HTTP=http://127.0.0.1:$(cat rcv/http.port) &&
	SMTP=smtp://127.0.0.1:$(cat rcv/smtp.port) &&
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_broken.sql <<-\EOF
	-- migrate:up
	INSERT INTO nosuch VALUES (1);
	EOF
'

test_expect_success PG,PYTHON 'a failed up in production: a Slack message with the environment, versions, who, commit and error' '
	test_expect_code 1 env GITHUB_ACTOR=octocat GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 \
		"$GODWIT" --url "$PG_URL" --env production --yes \
		--notify "slack:$HTTP/services/T000/B000/Xsecret" up >out 2>err &&
	test "$(received http)" = 1 &&
	head -n 1 rcv/http.1 >actual &&
	echo "POST /services/T000/B000/Xsecret" >expect &&
	test_cmp expect actual &&
	json rcv/http.1 "d[\"text\"]" >actual &&
	echo "godwit up failed in production at 20240102000000 broken" >expect &&
	test_cmp expect actual &&
	json rcv/http.1 "[b[\"type\"] for b in d[\"blocks\"]]" >actual &&
	echo "[${SQ}header${SQ}, ${SQ}section${SQ}, ${SQ}section${SQ}, ${SQ}section${SQ}]" >expect &&
	test_cmp expect actual &&
	json rcv/http.1 "\"\\n\".join(f[\"text\"] for f in d[\"blocks\"][1][\"fields\"])" >actual &&
	cat >expect <<-EOF &&
	*Environment*
	production
	*Database*
	$PG_URL
	*Duration*
	$(json rcv/http.1 "d[\"blocks\"][1][\"fields\"][2][\"text\"].split(chr(10))[1]")
	*Who*
	octocat (database user $(pg_sql "SELECT current_user"))
	*Commit*
	0123456789ab
	EOF
	test_cmp expect actual &&
	json rcv/http.1 "d[\"blocks\"][1][\"fields\"][2][\"text\"]" | grep -Eq "^\*Duration\*\$" &&
	json rcv/http.1 "d[\"blocks\"][2][\"text\"][\"text\"]" >actual &&
	printf "*Migrations*\n20240101000000 users applied\n20240102000000 broken failed\n" >expect &&
	test_cmp expect actual &&
	json rcv/http.1 "d[\"blocks\"][3][\"text\"][\"text\"]" >actual &&
	cat >expect <<-\EOF &&
	*Error*
	```db/migrations/20240102000000_broken.sql:2:13: relation "nosuch" does not exist (SQLSTATE 42P01)```
	EOF
	test_cmp expect actual &&
	! grep -i "notif" err
'

test_expect_success PG,PYTHON 'success in production is not told by default; notify_on = success tells it' '
	rm db/migrations/20240102000000_broken.sql &&
	godwit --url "$PG_URL" --env production --yes --force --notify "$HTTP/hook" down >/dev/null &&
	test "$(received http)" = 1 &&
	GODWIT_NOTIFY_ON=success godwit --url "$PG_URL" --env production --yes \
		--notify "$HTTP/hook" up >/dev/null &&
	test "$(received http)" = 2 &&
	head -n 1 rcv/http.2 >actual &&
	echo "POST /hook" >expect &&
	test_cmp expect actual &&
	json rcv/http.2 "d[\"action\"], d[\"command\"], d[\"exit_code\"], d[\"error\"]" >actual &&
	echo "end up 0 None" >expect &&
	test_cmp expect actual
'

test_expect_success PG,JSONSCHEMA 'a plain http URL gets the event JSON, valid against the schema' '
	body rcv/http.2 >event.json &&
	"$JPY" "$TEST_DIRECTORY/event-check.py" lines event.json
'

test_expect_success PG,PYTHON 'notify_on = all outside production: start and end, by mail too' '
	printf "[env.staging]\nnotify = $HTTP/all, mailto:ops@example.com\nnotify_on = all\nsmtp_url = $SMTP\nsmtp_from = deploy@example.com\n" >godwit.conf &&
	godwit --url "$PG_URL" --env staging down >/dev/null &&
	test "$(received http)" = 4 &&
	json rcv/http.3 "d[\"action\"]" >actual &&
	json rcv/http.4 "d[\"action\"]" >>actual &&
	printf "start\nend\n" >expect &&
	test_cmp expect actual &&
	test "$(received mail)" = 2 &&
	tr -d "\r" <rcv/mail.2 >mail &&
	sed -n "1,2p;5p" mail >actual &&
	cat >expect <<-\EOF &&
	MAIL FROM:<deploy@example.com>
	RCPT TO:<ops@example.com>
	Subject: godwit down succeeded in staging
	EOF
	test_cmp expect actual &&
	grep -x "  20240101000000 users reverted" mail &&
	grep -x "Environment: staging" mail &&
	rm godwit.conf
'

test_expect_success PG,PYTHON 'a failed attempt is retried: one 500, then delivered, no warning' '
	GODWIT_NOTIFY_ON=success godwit --url "$PG_URL" --notify "$HTTP/fail-once" up >/dev/null 2>err &&
	test "$(received http)" = 6 &&
	head -n 1 rcv/http.5 >actual &&
	head -n 1 rcv/http.6 >>actual &&
	printf "POST /fail-once\nPOST /fail-once\n" >expect &&
	test_cmp expect actual &&
	test_cmp rcv/http.5 rcv/http.6 &&
	! grep notify err
'

test_expect_success PG,PYTHON 'a receiver that keeps failing: three attempts, a warning with the URL masked, exit 0' '
	GODWIT_NOTIFY_ON=success godwit --url "$PG_URL" \
		--notify "slack:$HTTP/fail/T000/Xsecret" down >/dev/null 2>err &&
	test "$(received http)" = 9 &&
	cat >expect <<-EOF &&
	godwit: reverting 20240101000000 users
	godwit: warning: could not notify slack:$HTTP/****: HTTP 500 (3 attempts)
	EOF
	test_cmp expect err
'

test_expect_success PG,PYTHON 'a receiver slower than notify_timeout: a warning, exit 0' '
	GODWIT_NOTIFY_ON=success GODWIT_NOTIFY_TIMEOUT=500ms godwit --url "$PG_URL" \
		--notify "$HTTP/slow?token=Xsecret" up >/dev/null 2>err &&
	test "$(received http)" = 12 &&
	sed "s/after [0-9]* milliseconds.*/after N milliseconds/" err >actual &&
	cat >expect <<-EOF &&
	godwit: applying 20240101000000 users
	godwit: warning: could not notify $HTTP/****: Timeout was reached (3 attempts)
	EOF
	test_cmp expect actual
'

test_expect_success PG,PYTHON 'a dead receiver changes no exit status: 0 for a good run, 1 for a failed one' '
	dead=$("$PY" -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])") &&
	GODWIT_NOTIFY_ON=all godwit --url "$PG_URL" --notify "http://127.0.0.1:$dead/x" down >/dev/null 2>err &&
	grep -c "could not notify http://127.0.0.1:$dead/\*\*\*\*: Couldn.t connect to server (3 attempts)" err >count &&
	echo 2 >expect &&
	test_cmp expect count &&
	test -z "$(pg_sql "SELECT version FROM godwit_migrations")" &&
	write_migration db/migrations/20240103000000_broken.sql <<-\EOF &&
	-- migrate:up
	INSERT INTO nosuch VALUES (1);
	EOF
	test_expect_code 1 godwit --url "$PG_URL" --notify "http://127.0.0.1:$dead/x" up >/dev/null 2>err &&
	grep "relation \"nosuch\" does not exist" err &&
	test "$(pg_sql "SELECT version FROM godwit_migrations")" = 20240101000000 &&
	rm db/migrations/20240103000000_broken.sql
'

test_expect_success PG,PYTHON 'the secret of a notification URL is never shown' '
	GODWIT_NOTIFY="https://hooks.slack.com/services/T000/B000/Xsecret" godwit --url "$PG_URL" config >config.out &&
	grep "^notify" config.out >actual &&
	grep -q "https://hooks.slack.com/\*\*\*\*" actual &&
	! grep -r Xsecret config.out err out
'

test_expect_success PG,PYTHON 'bad notify and notify_on values are refused before anything runs' '
	test_expect_code 2 godwit --url "$PG_URL" --notify "ftp://x" up 2>err &&
	grep "notify must be a comma-separated list of https://..., slack:https://... or mailto:ADDRESS, not ${SQ}ftp://x${SQ}" err &&
	printf "notify_on = sometimes\n" >godwit.conf &&
	test_must_fail godwit --url "$PG_URL" up 2>err &&
	grep "notify_on must be a comma-separated list of failure, success, start or all" err &&
	rm godwit.conf
'

test_expect_success PYTHON 'stop the receivers' '
	kill "$(cat receiver.pid)"
'

test_done
