#!/bin/sh
test_description='Ctrl-C that finds the server idle between two statements of a no-transaction migration'
. "$(dirname "$0")/lib.sh"

# Starts godwit in the background (as in t2020): its pid lands in pid, its
# exit code in rc, its output in out.
start_godwit()
{
	rm -f pid rc &&
	(
		"$GODWIT" "$@" >out 2>&1 &
		echo $! >pid
		wait $!
		echo $? >rc
	) &
	until test -s pid
	do
		sleep 0.05
	done
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_nt.sql <<-\EOF
	-- migrate:up
	-- godwit:no-transaction
	CREATE TABLE nt1 (id int);
	DO $$ BEGIN PERFORM pg_sleep(30); EXCEPTION WHEN query_canceled THEN NULL; END $$;
	CREATE TABLE nt2 (id int);
	EOF
'

# The statement swallows the cancel and succeeds: the run must still stop
# before the next statement, not go on as if nothing was asked.
test_expect_success PG 'the run stops before the next statement: exit 130, dirty, resumable' '
	start_godwit --url "$PG_URL" up &&
	pg_wait_for_query "pg_sleep(30)" &&
	kill -INT "$(cat pid)" &&
	wait &&
	test "$(cat rc)" = 130 &&
	test_grep "^godwit: error: db/migrations/20240101000000_nt.sql: interrupted: 20240101000000 nt was cancelled before statement 3 of 3; the ones before it stay done and it is now dirty\$" out &&
	test_grep "^hint: run .godwit up --resume. to continue from it" out &&
	test "$(pg_sql "SELECT state, statements_done FROM godwit_migrations")" = "dirty|2" &&
	test "$(pg_sql "SELECT action FROM godwit_events WHERE version = '\''20240101000000'\''")" = cancel &&
	test "$(pg_sql "SELECT to_regclass('\''nt1'\'') IS NOT NULL, to_regclass('\''nt2'\'') IS NULL")" = "t|t"
'

test_expect_success PG 'up --resume runs only the last statement' '
	godwit --url "$PG_URL" up --resume >out 2>&1 &&
	test "$(pg_sql "SELECT state, statements_done FROM godwit_migrations")" = "applied|3" &&
	test "$(pg_sql "SELECT to_regclass('\''nt2'\'') IS NOT NULL")" = t
'

test_done
