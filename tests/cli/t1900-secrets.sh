#!/bin/sh
test_description='a password never appears in any output, log or event'
. "$(dirname "$0")/lib.sh"

secret=S3cr3t-Pa55word

# Every way godwit can talk about the database, in text and JSON.
run_everything()
{
	url=$1
	for cmd in status up history "down" "up --dry-run" "status --format json" \
		"history --format json" "up --format json" "nosuch"
	do
		# shellcheck disable=SC2086
		"$GODWIT" --url "$url" $cmd >>all.out 2>&1
	done
	return 0
}

# app_without_password EXPECTED: waits (10 s at most) until a connection
# as app without a password gives EXPECTED ("refused" or "accepted").
# pg_reload_conf() only signals the postmaster, which reads pg_hba.conf
# again on its own time: a connection made right after it may still meet
# the rules from before.
app_without_password()
{
	_i=0
	while :
	do
		if psql -X -w -A -t -q -d "postgresql:///$PG_DB?host=$sock&user=app" \
			-c "SELECT 1" >app.out 2>&1
		then
			_got=accepted
		elif grep -q "no password supplied" app.out
		then
			_got=refused
		else
			cat app.out >&2
			return 1
		fi
		test "$_got" = "$1" && return 0
		_i=$((_i + 1))
		test $_i -lt 100 || {
			echo "a connection as app without a password is still $_got" >&2
			return 1
		}
		sleep 0.1
	done
}

test_expect_success PG 'setup: a role with a password and password authentication' '
	pg_new_db &&
	pg_sql "CREATE ROLE app LOGIN PASSWORD '\''$secret'\''" &&
	pg_sql "GRANT ALL ON DATABASE \"$PG_DB\" TO app" &&
	pg_sql "GRANT ALL ON SCHEMA public TO app" &&
	hba=$(pg_sql "SHOW hba_file") &&
	sock=$(pg_sql "SHOW unix_socket_directories") &&
	if test -w "$hba"
	then
		# Only this role needs a password; the other tests stay on trust.
		sed -i "1i local all app scram-sha-256" "$hba" &&
		pg_sql "SELECT pg_reload_conf()" >/dev/null &&
		app_without_password refused &&
		test_set_prereq PGAUTH
	fi &&
	write_migration db/migrations/20240101000000_a.sql <<-\EOF
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
'

test_expect_success PG 'the password in a URL is masked in every output' '
	url="postgresql://app:$secret@/$PG_DB?host=$(pg_sql "SHOW unix_socket_directories")" &&
	run_everything "$url" &&
	test_grep "app:\*\*\*\*@" all.out &&
	! grep "$secret" all.out &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE concat_ws(chr(1), error, applied_by, file) LIKE '\''%$secret%'\''")" = 0
'

test_expect_success PG 'a password= parameter is masked too' '
	: >all.out &&
	url="postgresql:///$PG_DB?host=$(pg_sql "SHOW unix_socket_directories")&user=app&password=$secret" &&
	run_everything "$url" &&
	test_grep "password=\*\*\*\*" all.out &&
	! grep "$secret" all.out
'

test_expect_success PG 'connection errors never show the password' '
	: >all.out &&
	test_expect_code 1 godwit --connect-retries 0 --url "postgresql://app:$secret@127.0.0.1:1/nodb?connect_timeout=2" status >>all.out 2>&1 &&
	test_expect_code 1 godwit --connect-retries 0 --url "postgresql://app:$secret@no-such-host.invalid/nodb?connect_timeout=2" status >>all.out 2>&1 &&
	test_grep "cannot connect to postgresql://app:\*\*\*\*@" all.out &&
	! grep "$secret" all.out
'

test_expect_success PG,PGAUTH 'a wrong password is an authentication error that hides it' '
	test_expect_code 1 godwit --url "postgresql://app:wrong-$secret@/$PG_DB?host=$(pg_sql "SHOW unix_socket_directories")" status >out 2>&1 &&
	test_grep "password authentication failed" out &&
	! grep "$secret" out
'

test_expect_success PG 'an unencoded @ in a password is refused without showing it' '
	test_expect_code 1 godwit --url "postgresql://app:p@$secret@localhost/db" status 2>err &&
	test_grep "more than one '\''@'\''" err &&
	! grep "$secret" err
'

test_expect_success 'DATABASE_URL from the environment is masked as well' '
	DATABASE_URL="postgresql://app:$secret@127.0.0.1:1/nodb?connect_timeout=2" \
		test_expect_code 1 godwit --connect-retries 0 status >env.out 2>&1 &&
	test -s env.out &&
	! grep "$secret" env.out
'

test_expect_success PG,PGAUTH 'cleanup: back to trust for everyone' '
	sed -i "/^local all app scram-sha-256$/d" "$hba" &&
	pg_sql "SELECT pg_reload_conf()" >/dev/null &&
	app_without_password accepted
'

test_done
