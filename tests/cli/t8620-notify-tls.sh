#!/bin/sh
test_description='notify over TLS: an https:// receiver, SMTP with STARTTLS and AUTH (the password masked everywhere), the failing migration in every failure message, no per-migration success messages; dead and mute receivers bounded'
. "$(dirname "$0")/lib.sh"

for py in python3 /usr/bin/python3; do
	if "$py" -c 'import json, ssl' 2>/dev/null; then
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
command -v openssl >/dev/null 2>&1 && test_set_prereq OPENSSL

# The receivers must not outlive the script, whichever way it ends.
trap '_gw_rc=$?; test -s receiver.pid && kill "$(cat receiver.pid)" 2>/dev/null; (exit $_gw_rc); gw_die' EXIT

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

# received KIND: how many requests (https) or mails (mail) have come.
received()
{
	ls rcv | grep -c "^$1\.[0-9]*\$"
}

# start_receiver: the TLS receivers in the background, their pid in
# receiver.pid; waits for their ports.
start_receiver()
{
	mkdir rcv &&
	"$PY" "$TEST_DIRECTORY/notify-tls-receiver.py" rcv cert.pem key.pem deploy "p@ss:w0rd/x" >rcv.log 2>&1 &
	echo $! >receiver.pid
	for _gw_i in $(seq 100); do
		test -f rcv/https.port && return 0
		sleep 0.1
	done
	return 1
}

# no_password FILE...: none of the files holds the SMTP password, plain or
# URL-encoded.
no_password()
{
	! grep -e "p@ss" -e "p%40ss" -e "w0rd" "$@"
}

now_ms()
{
	echo $(($(date +%s%N) / 1000000))
}

test_expect_success PG,PYTHON,OPENSSL 'setup: a throwaway self-signed certificate, the receivers, a project with a failing migration' '
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 \
		-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null &&
	start_receiver &&
	HTTPS=https://127.0.0.1:$(cat rcv/https.port) &&
	STARTTLS=127.0.0.1:$(cat rcv/starttls.port) &&
	CLEARTEXT=127.0.0.1:$(cat rcv/cleartext.port) &&
	MUTE=127.0.0.1:$(cat rcv/mute.port) &&
	SMTP_URL="smtp://deploy:p%40ss%3Aw0rd%2Fx@$STARTTLS" &&
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_broken.sql <<-\EOF
	-- migrate:up
	SELECT 1;
	INSERT INTO nosuch VALUES (1);
	EOF
'

test_expect_success PG,PYTHON,OPENSSL 'https receiver trusted through notify_ca: the failing migration'\''s fail event, then the end; exit 1 kept' '
	test_expect_code 1 env GODWIT_NOTIFY_CA="$PWD/cert.pem" \
		"$GODWIT" --url "$PG_URL" --notify "$HTTPS/hook?token=Xsecret" up >out 2>err &&
	test "$(received https)" = 2 &&
	head -n 1 rcv/https.1 >actual &&
	echo "POST /hook?token=Xsecret" >expect &&
	test_cmp expect actual &&
	json rcv/https.1 "d[\"action\"], d[\"version\"], d[\"name\"], d[\"sqlstate\"], d[\"file\"], d[\"line\"], d[\"column\"]" >actual &&
	echo "fail 20240102000000 broken 42P01 db/migrations/20240102000000_broken.sql 3 13" >expect &&
	test_cmp expect actual &&
	json rcv/https.1 "d[\"error\"]" >actual &&
	echo "relation \"nosuch\" does not exist" >expect &&
	test_cmp expect actual &&
	json rcv/https.2 "d[\"action\"], d[\"exit_code\"], d[\"sqlstate\"], d[\"line\"]" >actual &&
	echo "end 1 42P01 3" >expect &&
	test_cmp expect actual &&
	! grep -i "notif" err &&
	test "$(pg_sql "SELECT version FROM godwit_migrations")" = 20240101000000
'

test_expect_success PG,JSONSCHEMA 'both bodies are events valid against the schema' '
	sed 1d rcv/https.1 >events.json &&
	echo >>events.json &&
	sed 1d rcv/https.2 >>events.json &&
	"$JPY" "$TEST_DIRECTORY/event-check.py" lines events.json
'

test_expect_success PG,PYTHON,OPENSSL 'no migration'\''s success is sent on its own: notify_on = all sends start and end only' '
	mv db/migrations/20240102000000_broken.sql broken.sql &&
	godwit --url "$PG_URL" down >/dev/null 2>&1 &&
	GODWIT_NOTIFY_ON=all GODWIT_NOTIFY_CA="$PWD/cert.pem" \
		godwit --url "$PG_URL" --notify "$HTTPS/all" up >out 2>err &&
	test "$(received https)" = 4 &&
	json rcv/https.3 "d[\"action\"]" >actual &&
	json rcv/https.4 "d[\"action\"], d[\"exit_code\"]" >>actual &&
	printf "start\nend 0\n" >expect &&
	test_cmp expect actual &&
	mv broken.sql db/migrations/20240102000000_broken.sql
'

test_expect_success PG,PYTHON,OPENSSL 'an https receiver whose certificate is not trusted: a warning, nothing received, exit 1 kept' '
	test_expect_code 1 env GODWIT_NOTIFY_TIMEOUT=2s \
		"$GODWIT" --url "$PG_URL" --notify "$HTTPS/hook?token=Xsecret" up >out 2>err &&
	test "$(received https)" = 4 &&
	grep "^godwit: warning: could not notify $HTTPS/\*\*\*\*: SSL peer certificate or SSH remote key was not OK (3 attempts)$" err &&
	! grep Xsecret out err
'

test_expect_success PG,PYTHON,OPENSSL 'mail through STARTTLS with AUTH: the failing migration in the subject and body; the password never shown' '
	printf "notify = mailto:ops@example.com\nsmtp_url = \${SMTP_URL}\nsmtp_from = deploy@example.com\nnotify_ca = %s\n" "$PWD/cert.pem" >godwit.conf &&
	export SMTP_URL &&
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	test "$(received mail)" = 1 &&
	tr -d "\r" <rcv/mail.1 >mail &&
	sed -n "1,4p" mail >actual &&
	cat >expect <<-\EOF &&
	TLS: yes
	AUTH: deploy p@ss:w0rd/x
	MAIL FROM:<deploy@example.com>
	RCPT TO:<ops@example.com>
	EOF
	test_cmp expect actual &&
	grep -x "Subject: godwit up failed in development at 20240102000000 broken" mail &&
	grep -x "  20240102000000 broken failed" mail &&
	grep -x "Error: db/migrations/20240102000000_broken.sql:3:13: relation \"nosuch\" does not exist (SQLSTATE 42P01)" mail &&
	echo "starttls TLS PLAIN" >expect &&
	test_cmp expect rcv/auth.log &&
	godwit --url "$PG_URL" config >config.out 2>&1 &&
	grep "^smtp_url  *smtp://deploy:\*\*\*\*@$STARTTLS " config.out &&
	no_password out err config.out
'

test_expect_success PG,PYTHON,OPENSSL 'a password is never sent to a server without STARTTLS: a warning, no AUTH, exit 1 kept' '
	SMTP_URL="smtp://deploy:p%40ss%3Aw0rd%2Fx@$CLEARTEXT" &&
	test_expect_code 1 env GODWIT_NOTIFY_TIMEOUT=2s "$GODWIT" --url "$PG_URL" up >out 2>err &&
	test "$(received mail)" = 1 &&
	echo "starttls TLS PLAIN" >expect &&
	test_cmp expect rcv/auth.log &&
	grep "^godwit: warning: could not notify mailto:ops@example.com: Requested SSL level failed (3 attempts)$" err &&
	no_password out err
'

test_expect_success PG,PYTHON,OPENSSL 'a mail server that never answers: each attempt ends at notify_timeout; exit 0 and 1 kept' '
	SMTP_URL="smtp://deploy:p%40ss%3Aw0rd%2Fx@$MUTE" &&
	mv db/migrations/20240102000000_broken.sql broken.sql &&
	godwit --url "$PG_URL" down >/dev/null 2>&1 &&
	start=$(now_ms) &&
	GODWIT_NOTIFY_ON=success GODWIT_NOTIFY_TIMEOUT=300ms godwit --url "$PG_URL" up >out 2>err &&
	end=$(now_ms) &&
	grep "^godwit: warning: could not notify mailto:ops@example.com: Timeout was reached (3 attempts)$" err &&
	echo "took $((end - start)) ms" &&
	test $((end - start)) -lt 20000 &&
	mv broken.sql db/migrations/20240102000000_broken.sql &&
	test_expect_code 1 env GODWIT_NOTIFY_TIMEOUT=300ms "$GODWIT" --url "$PG_URL" up >out 2>err &&
	grep "^godwit: warning: could not notify mailto:ops@example.com: Timeout was reached (3 attempts)$" err &&
	no_password out err &&
	rm godwit.conf
'

test_expect_success PYTHON 'stop the receivers' '
	kill "$(cat receiver.pid)" &&
	rm receiver.pid
'

test_done
