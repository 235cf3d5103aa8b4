#!/bin/sh
test_description='a lost connection applies nothing, is recorded, and leaves no lock'
. "$(dirname "$0")/lib.sh"

start_in_background()
{
	("$GODWIT" "$@" >bg.out 2>&1; echo $? >bg.rc) &
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_slow.sql <<-\EOF
	-- migrate:up
	CREATE TABLE before_sleep (id int);
	SELECT pg_sleep(30);
	CREATE TABLE after_sleep (id int);
	EOF
'

test_expect_success PG 'a connection lost inside a migration applies none of it' '
	start_in_background --url "$PG_URL" up &&
	pg_wait_for_query "pg_sleep(30)" &&
	pg_signal_queries terminate "pg_sleep(30)" &&
	wait &&
	test "$(cat bg.rc)" = 1 &&
	test_grep "lost the connection to the server" bg.out &&
	test_grep "20240101000000_slow.sql" bg.out &&
	test "$(pg_sql "SELECT to_regclass('\''before_sleep'\'') IS NULL")" = t &&
	test "$(pg_count godwit_migrations)" = 0
'

test_expect_success PG 'the failure is recorded on a new session' '
	test "$(pg_sql "SELECT action || '\'' '\'' || version FROM godwit_events")" = "fail 20240101000000" &&
	pg_sql "SELECT error FROM godwit_events" >err &&
	test_grep "lost the connection" err
'

test_expect_success PG 'the next run gets the lock at once and applies' '
	sed -i "s/pg_sleep(30)/pg_sleep(0)/" db/migrations/20240101000000_slow.sql &&
	godwit --url "$PG_URL" --lock-wait 1 up &&
	test "$(pg_sql "SELECT to_regclass('\''after_sleep'\'') IS NOT NULL")" = t
'

test_expect_success PG 'a connection lost in a no-transaction migration leaves it dirty with the error' '
	write_migration db/migrations/20240102000000_nt.sql <<-\EOF &&
	-- migrate:up
	-- godwit:no-transaction
	CREATE TABLE nt1 (id int);
	SELECT pg_sleep(31);
	CREATE TABLE nt2 (id int);
	EOF
	start_in_background --url "$PG_URL" up &&
	pg_wait_for_query "pg_sleep(31)" &&
	pg_signal_queries terminate "pg_sleep(31)" &&
	wait &&
	test "$(cat bg.rc)" = 1 &&
	pg_sql "SELECT state, statements_done, error FROM godwit_migrations WHERE version = '\''20240102000000'\''" >row &&
	test_grep "^dirty|1|.*terminat" row &&
	godwit --url "$PG_URL" status >out &&
	test_grep "statement 2 of 3 failed" out
'

test_expect_success PG 'an unreachable server is a clear connection error' '
	test_expect_code 1 godwit --connect-retries 0 --url "postgresql://u@127.0.0.1:1/db?connect_timeout=2" status 2>err &&
	test_grep "cannot connect to postgresql://u@127.0.0.1:1/db" err
'

test_done
