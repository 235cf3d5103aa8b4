#!/bin/sh
test_description='lock timeouts with retry keep live traffic flowing; connections are retried'
. "$(dirname "$0")/lib.sh"

# Runs SQL in the background in one transaction that holds its locks for
# the given number of seconds.
hold_locks()
{
	seconds=$1
	shift
	psql -X -q -d "$PG_URL" -c "BEGIN; $*; SELECT pg_sleep($seconds); COMMIT;" >holder.out 2>&1 &
	echo $! >holder.pid
}

start_godwit()
{
	("$GODWIT" "$@" >bg.out 2>&1; echo $? >bg.rc) &
}

# Waits until a query answers the given value, for up to 60 s.
wait_until_sql()
{
	i=0
	until test "$(pg_sql "$1")" = "$2"
	do
		i=$((i + 1))
		test $i -lt 1200 || return 1
		sleep 0.05
	done
}

# Waits until a file holds a line matching a pattern (a background
# godwit's output), for up to 60 s.
wait_until_grep()
{
	i=0
	until grep "$1" "$2" >/dev/null 2>&1
	do
		i=$((i + 1))
		test $i -lt 1200 || return 1
		sleep 0.05
	done
}

# Ends the holder (of pg_sleep(30)) once a test has seen what it needed:
# holders never let go on a timer, so a slow machine cannot make one let go
# before the test looked.
release_locks()
{
	pg_sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()" >/dev/null
}

# A reader that gives up after 1 s, as an application's request would.
read_users()
{
	psql -X -A -t -q -d "$PG_URL" -c "SET statement_timeout = '1s'" \
		-c "SELECT count(*) FROM users"
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int PRIMARY KEY);
	INSERT INTO users SELECT generate_series(1, 100);
	EOF
	godwit --url "$PG_URL" up &&
	write_migration db/migrations/20240102000000_nickname.sql <<-\EOF
	-- migrate:up
	ALTER TABLE users ADD COLUMN nickname text;
	-- migrate:down
	ALTER TABLE users DROP COLUMN nickname;
	EOF
'

test_expect_success PG 'without a lock timeout a waiting ALTER blocks every reader' '
	hold_locks 30 "SELECT count(*) FROM users" &&
	wait_until_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(30)%'\'' AND state = '\''active'\'' AND pid <> pg_backend_pid()" 1 &&
	start_godwit --url "$PG_URL" --lock-timeout 0 up &&
	wait_until_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = '\''Lock'\'' AND query LIKE '\''%ADD COLUMN nickname%'\'' AND pid <> pg_backend_pid()" 1 &&
	test_must_fail read_users 2>reader.err &&
	test_grep "canceling statement due to statement timeout" reader.err &&
	release_locks &&
	wait &&
	test "$(cat bg.rc)" = 0 &&
	godwit --url "$PG_URL" down &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.columns WHERE column_name = '\''nickname'\''")" = 0
'

test_expect_success PG 'with lock_timeout the ALTER gives way, readers are answered, and a retry succeeds' '
	hold_locks 30 "SELECT count(*) FROM users" &&
	wait_until_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(30)%'\'' AND state = '\''active'\'' AND pid <> pg_backend_pid()" 1 &&
	start_godwit --url "$PG_URL" --lock-timeout 200ms --retries 40 up &&
	wait_until_sql "SELECT count(*) > 0 FROM godwit_events WHERE action = '\''retry'\''" t &&
	for i in 1 2 3 4 5
	do
		test "$(read_users)" = 100 || return 1
		sleep 0.2
	done &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.columns WHERE column_name = '\''nickname'\''")" = 0 &&
	release_locks &&
	wait &&
	test "$(cat bg.rc)" = 0 &&
	test_grep "canceling statement due to lock timeout; rolled back, retrying in" bg.out &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.columns WHERE column_name = '\''nickname'\''")" = 1 &&
	test "$(pg_sql "SELECT DISTINCT sqlstate FROM godwit_events WHERE action = '\''retry'\''")" = 55P03 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''apply'\'' AND version = '\''20240102000000'\''")" = 2
'

test_expect_success PG 'when the retries run out the migration fails and nothing is applied' '
	godwit --url "$PG_URL" down &&
	hold_locks 30 "SELECT count(*) FROM users" &&
	wait_until_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(30)%'\'' AND state = '\''active'\'' AND pid <> pg_backend_pid()" 1 &&
	test_expect_code 1 godwit --url "$PG_URL" --lock-timeout 100ms --retries 1 up 2>err &&
	release_locks &&
	test_grep "20240102000000_nickname.sql:2:1: canceling statement due to lock timeout (SQLSTATE 55P03)" err &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.columns WHERE column_name = '\''nickname'\''")" = 0 &&
	test "$(pg_sql "SELECT action FROM godwit_events ORDER BY id DESC LIMIT 2" | tr "\n" " ")" = "fail retry " &&
	wait
'

test_expect_success PG 'statement_timeout stops a long statement and is not retried' '
	write_migration db/migrations/20240103000000_slow.sql <<-\EOF &&
	-- migrate:up
	SELECT pg_sleep(3);
	EOF
	test_expect_code 1 godwit --url "$PG_URL" --statement-timeout 300ms up 2>err &&
	test_grep "canceling statement due to statement timeout (SQLSTATE 57014)" err &&
	! grep "retrying" err &&
	rm db/migrations/20240103000000_slow.sql
'

test_expect_success PG 'timeouts come from the environment section of godwit.conf' '
	godwit --url "$PG_URL" down &&
	cat >godwit.conf <<-EOF &&
	[env.production]
	url = $PG_URL
	lock_timeout = 100ms
	retries = 0
	EOF
	hold_locks 30 "SELECT count(*) FROM users" &&
	wait_until_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''%pg_sleep(30)%'\'' AND state = '\''active'\'' AND pid <> pg_backend_pid()" 1 &&
	test_expect_code 1 godwit --env production --yes up 2>err &&
	release_locks &&
	test_grep "lock timeout (SQLSTATE 55P03)" err &&
	wait &&
	rm godwit.conf
'

test_expect_success 'a bad timeout in godwit.conf names the file and line' '
	printf "lock_timeout = 5 seconds\n" >godwit.conf &&
	test_expect_code 1 godwit status 2>err &&
	test_grep "godwit.conf:1" err &&
	test_grep "a duration such as 500ms, 5s or 1min" err &&
	rm godwit.conf
'

test_expect_success 'an unreachable server is retried with backoff, then a clear error' '
	test_expect_code 1 godwit --url "postgresql://u@127.0.0.1:1/db?connect_timeout=1" --connect-retries 2 status 2>err &&
	test "$(grep -c "retrying in" err)" = 2 &&
	test_grep "attempt 3 of 3" err &&
	test_grep "cannot connect to postgresql://u@127.0.0.1:1/db" err &&
	test_grep "did not answer 3 attempts" err
'

pg2_ctl()
{
	cmd="'$(cat pg2/bindir)/pg_ctl' -D '$(cat pg2/root)/data' -l '$(cat pg2/root)/server.log' -w $1"
	if test "$(id -u)" = 0
	then
		su postgres -s /bin/sh -c "$cmd"
	else
		sh -c "$cmd"
	fi
}

test_expect_success PG 'a server that is still starting is waited for' '
	test_when_finished "sh \"$TEST_DIRECTORY/pg-cluster.sh\" stop \"$PWD/pg2\" >/dev/null" &&
	GODWIT_TEST_PG_URL= sh "$TEST_DIRECTORY/pg-cluster.sh" start "$PWD/pg2" >/dev/null &&
	url2=$(cat pg2/url) &&
	pg2_ctl stop >/dev/null &&
	start_godwit --url "$url2" --connect-retries 6 up &&
	wait_until_grep "retrying in" bg.out &&
	pg2_ctl start >/dev/null &&
	wait &&
	test "$(cat bg.rc)" = 0 &&
	test_grep "retrying in" bg.out &&
	test "$(psql -X -A -t -q -d "$url2" -c "SELECT count(*) FROM godwit_migrations")" = 2
'

test_done
