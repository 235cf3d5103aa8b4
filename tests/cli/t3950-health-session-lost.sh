#!/bin/sh
test_description='godwit health when its session is lost half-way through the checks

The session is ended while a check waits for a lock another session holds,
so the checks before it have run and the ones after it cannot.'
. "$(dirname "$0")/lib.sh"

# hold_lock TABLE: another session holds TABLE in ACCESS EXCLUSIVE mode
# until release_lock. Returns once the session sleeps, its LOCK done (on
# a loaded machine, health once read the table before the LOCK had run,
# and the session was ended a check later).
hold_lock()
{
	{ psql -X -q -d "$PG_URL" -c "BEGIN; LOCK TABLE $1 IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;" >holder.out 2>&1 & } &&
	pg_wait_for_sleep "pg_sleep(60)"
}

# release_lock: ends the holder and waits (10 s at most) until its session
# is gone: the next test's hold_lock waits for a session running
# pg_sleep(60), and one still ending would do.
release_lock()
{
	pg_signal_queries terminate "pg_sleep(60)" &&
	_gw_i=0 &&
	until test "$(pg_running_queries "pg_sleep(60)")" = 0
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 100 || return 1
		sleep 0.1
	done
}

# health_lost QUERY ARGS...: runs godwit ARGS in the background, waits
# until its session runs QUERY (blocked on the lock), ends that session
# and leaves the output in out and err, the exit code in rc.
health_lost()
{
	_query=$1 &&
	shift &&
	{ "$GODWIT" "$@" >out 2>err & } &&
	_pid=$! &&
	pg_wait_for_query "$_query" &&
	pg_signal_queries terminate "$_query" &&
	{ wait $_pid; echo $? >rc; }
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int PRIMARY KEY);
	-- migrate:down
	DROP TABLE users;
	EOF
	godwit --url "$PG_URL" up &&
	pg_sql "ALTER ROLE CURRENT_USER PASSWORD '\''s3cr3t-pw'\''" &&
	PW_URL=$(echo "$PG_URL" | sed "s|^postgresql://|postgresql://postgres:s3cr3t-pw@|") &&
	echo "$PW_URL" >pw_url
'

test_expect_success PG 'a session lost in the extensions check fails it and every check after it' '
	PW_URL=$(cat pw_url) &&
	hold_lock pg_extension &&
	test_when_finished release_lock &&
	health_lost "FROM pg_extension" --url "$PW_URL" health &&
	echo 3 >expect.rc &&
	test_cmp expect.rc rc &&
	sed -n "2,\$p" out >actual &&
	cat >expect <<-\EOF &&
	ok    server_version     postgres 15
	fail  extensions         lost the connection to the server: terminating connection due to administrator command
	fail  long_transactions  not run: the check of extensions failed
	fail  connections        not run: the check of extensions failed
	fail  invalid_indexes    not run: the check of extensions failed
	fail  not_valid          not run: the check of extensions failed
	fail  orphan_rows        not run: the check of extensions failed
	fail  sequences          not run: the check of extensions failed
	fail  lock_holders       not run: the check of extensions failed
	fail  migrations         not run: the check of extensions failed
	EOF
	sed "s/^\(ok    server_version     postgres 15\)\.[0-9]*$/\1/" actual >actual.v &&
	test_cmp expect actual.v &&
	test_grep "^ok    connection  *connected to postgresql://postgres:\*\*\*\*@/" out &&
	test ! -s err &&
	test_grep ! "s3cr3t-pw" out
'

test_expect_success PG 'the same with --format json' '
	PW_URL=$(cat pw_url) &&
	hold_lock pg_extension &&
	test_when_finished release_lock &&
	health_lost "FROM pg_extension" --url "$PW_URL" health --format json &&
	echo 3 >expect.rc &&
	test_cmp expect.rc rc &&
	test ! -s err &&
	test_grep ! "s3cr3t-pw" out &&
	sed -e "s/\"summary\": \"connected to .*\"/\"summary\": \"connected to URL\"/" \
	    -e "s/\"postgres 15\.[0-9]*\"/\"postgres 15\"/" \
	    -e "s/\"value\": [0-9][0-9]*,/\"value\": MS,/" out >actual &&
	cat >expect <<-\EOF &&
	{
	  "status": "fail",
	  "checks": [
	    {
	      "name": "connection",
	      "status": "ok",
	      "summary": "connected to URL",
	      "value": MS,
	      "details": []
	    },
	    {
	      "name": "server_version",
	      "status": "ok",
	      "summary": "postgres 15",
	      "value": null,
	      "details": []
	    },
	    {
	      "name": "extensions",
	      "status": "fail",
	      "summary": "lost the connection to the server: terminating connection due to administrator command",
	      "value": null,
	      "details": []
	    },
	    {
	      "name": "long_transactions",
	      "status": "fail",
	      "summary": "not run: the check of extensions failed",
	      "value": null,
	      "details": []
	    },
	    {
	      "name": "connections",
	      "status": "fail",
	      "summary": "not run: the check of extensions failed",
	      "value": null,
	      "details": []
	    },
	    {
	      "name": "invalid_indexes",
	      "status": "fail",
	      "summary": "not run: the check of extensions failed",
	      "value": null,
	      "details": []
	    },
	    {
	      "name": "not_valid",
	      "status": "fail",
	      "summary": "not run: the check of extensions failed",
	      "value": null,
	      "details": []
	    },
	    {
	      "name": "orphan_rows",
	      "status": "fail",
	      "summary": "not run: the check of extensions failed",
	      "value": null,
	      "details": []
	    },
	    {
	      "name": "sequences",
	      "status": "fail",
	      "summary": "not run: the check of extensions failed",
	      "value": null,
	      "details": []
	    },
	    {
	      "name": "lock_holders",
	      "status": "fail",
	      "summary": "not run: the check of extensions failed",
	      "value": null,
	      "details": []
	    },
	    {
	      "name": "migrations",
	      "status": "fail",
	      "summary": "not run: the check of extensions failed",
	      "value": null,
	      "details": []
	    }
	  ]
	}
	EOF
	test_cmp expect actual
'

test_expect_success PG 'a session lost in the migrations check fails it' '
	PW_URL=$(cat pw_url) &&
	hold_lock godwit_migrations &&
	test_when_finished release_lock &&
	health_lost "godwit_migrations\"" --url "$PW_URL" health &&
	echo 3 >expect.rc &&
	test_cmp expect.rc rc &&
	test ! -s err &&
	test_grep ! "s3cr3t-pw" out &&
	tail -n 1 out >actual &&
	echo "fail  migrations         lost the connection to the server: terminating connection due to administrator command" >expect &&
	test_cmp expect actual
'

test_done
