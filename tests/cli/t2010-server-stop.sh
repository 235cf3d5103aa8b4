#!/bin/sh
test_description='the server stopping or restarting in the middle of a run: no crash, the truth told and recorded'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/own-cluster.sh"

# These tests crash the server on purpose, so they run on a cluster of
# their own (own-cluster.sh), never on the suite's shared one.

start_in_background()
{
	("$GODWIT" "$@" >bg.out 2>&1; echo $? >bg.rc) &
}

test_expect_success OWN_PG 'setup: a cluster of our own' '
	own_pg_start &&
	own_pg_new_db &&
	write_migration nt/20240101000000_nt.sql <<-\EOF &&
	-- migrate:up
	-- godwit:no-transaction
	CREATE TABLE nt1 (id int);
	SELECT pg_sleep(30);
	CREATE TABLE nt2 (id int);
	EOF
	write_migration tx/20240101000000_tx.sql <<-\EOF
	-- migrate:up
	CREATE TABLE tx1 (id int);
	SELECT pg_sleep(30);
	CREATE TABLE tx2 (id int);
	EOF
'

test_expect_success OWN_PG 'the server stopped during a no-transaction migration: exit 1, not a crash' '
	start_in_background --url "$PG_URL" --dir nt --connect-retries 0 up &&
	pg_wait_for_query "pg_sleep(30)" &&
	own_pg_halt &&
	wait &&
	test "$(cat bg.rc)" = 1 &&
	test_grep "error: nt/20240101000000_nt.sql:4:1: lost the connection to the server" bg.out &&
	test_grep "hint: the connection was lost at statement 2 of 3 of 20240101000000, and godwit could not reconnect to record it" bg.out &&
	own_pg_resume &&
	test "$(pg_sql "SELECT state, statements_done FROM godwit_migrations")" = "dirty|1" &&
	godwit --url "$PG_URL" --dir nt status >out &&
	test_grep "statement 2 of 3 was interrupted" out
'

test_expect_success OWN_PG 'the interrupted migration resumes at the statement the server lost' '
	sed -i "s/pg_sleep(30)/pg_sleep(0)/" nt/20240101000000_nt.sql &&
	godwit --url "$PG_URL" --dir nt up --resume &&
	test "$(pg_sql "SELECT state, statements_done FROM godwit_migrations")" = "applied|3" &&
	test "$(pg_sql "SELECT to_regclass('\''nt2'\'') IS NOT NULL")" = t
'

test_expect_success OWN_PG 'the server stopped during CREATE INDEX CONCURRENTLY: exit 1, not a crash' '
	own_pg_new_db &&
	pg_sql "CREATE TABLE big (a int); INSERT INTO big SELECT generate_series(1, 1000)" &&
	write_migration cic/20240101000000_cic.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE other (id int);
	CREATE INDEX CONCURRENTLY big_a ON big (a);
	EOF
	# An open transaction with a snapshot keeps the index build waiting.
	(psql -X -q -d "$PG_URL" -c "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM big; SELECT pg_sleep(60)" >/dev/null 2>&1 &) &&
	pg_wait_for_sleep "pg_sleep(60)" &&
	start_in_background --url "$PG_URL" --dir cic --connect-retries 0 up &&
	pg_wait_for_query "CREATE INDEX CONCURRENTLY" &&
	own_pg_halt &&
	wait &&
	test "$(cat bg.rc)" = 1 &&
	test_grep "error: cic/20240101000000_cic.sql:3:1: lost the connection to the server" bg.out &&
	test_grep "statement 2 of 2 of 20240101000000, and godwit could not reconnect" bg.out &&
	own_pg_resume &&
	test "$(pg_sql "SELECT state, statements_done FROM godwit_migrations")" = "dirty|1"
'

test_expect_success OWN_PG 'a restart inside the retry window: the migration in flight, that it did not commit, and the event' '
	own_pg_new_db &&
	start_in_background --url "$PG_URL" --dir tx --connect-retries 8 up &&
	pg_wait_for_query "pg_sleep(30)" &&
	own_pg_halt &&
	sleep 1 &&
	own_pg_resume &&
	wait &&
	test "$(cat bg.rc)" = 1 &&
	test_grep "retrying in" bg.out &&
	test_grep "^godwit: error: tx/20240101000000_tx.sql:3:1: lost the connection to the server: " bg.out &&
	test_grep "^hint: the connection was lost while 20240101000000 was being applied; on a new session the history shows that it was not applied: it was rolled back with the connection; run godwit up again$" bg.out &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 0 &&
	test "$(pg_sql "SELECT to_regclass('\''tx1'\'') IS NULL")" = t &&
	test "$(pg_sql "SELECT action, version FROM godwit_events")" = "fail|20240101000000" &&
	pg_sql "SELECT error FROM godwit_events" >err &&
	test_grep "^lost the connection to the server" err
'

test_expect_success OWN_PG 'a restart inside the retry window during a no-transaction migration records it dirty' '
	own_pg_new_db &&
	sed -i "s/pg_sleep(0)/pg_sleep(30)/" nt/20240101000000_nt.sql &&
	start_in_background --url "$PG_URL" --dir nt --connect-retries 8 up &&
	pg_wait_for_query "pg_sleep(30)" &&
	own_pg_halt &&
	sleep 1 &&
	own_pg_resume &&
	wait &&
	test "$(cat bg.rc)" = 1 &&
	test_grep "^hint: the connection was lost at statement 2 of 3, and a new session recorded 20240101000000 as dirty with the statements before it done" bg.out &&
	pg_sql "SELECT state, statements_done, error FROM godwit_migrations" >row &&
	test_grep "^dirty|1|lost the connection to the server" row &&
	test "$(pg_sql "SELECT action FROM godwit_events")" = fail
'

test_expect_success OWN_PG 'a server that stays down: a clear error after the retries, no crash' '
	own_pg_halt &&
	test_expect_code 1 godwit --url "$PG_URL" --dir nt --connect-retries 1 status 2>err &&
	test_grep "cannot connect to" err &&
	own_pg_resume
'

test_expect_success OWN_PG 'the server stopped during a transactional migration: the hint says it may not know' '
	write_migration tx3/20240101000000_tx3.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE tx3 (id int);
	SELECT pg_sleep(30);
	EOF
	start_in_background --url "$PG_URL" --dir tx3 --table tx3_history --connect-retries 0 up &&
	pg_wait_for_query "pg_sleep(30)" &&
	own_pg_halt &&
	wait &&
	test "$(cat bg.rc)" = 1 &&
	test_grep "error: tx3/20240101000000_tx3.sql:3:1: lost the connection to the server" bg.out &&
	test_grep "hint: the connection was lost while 20240101000000 was being applied, and godwit could not reconnect to learn whether it committed; once the server is back, .godwit status. shows it (a migration in a transaction is never half done)" bg.out &&
	own_pg_resume &&
	test "$(pg_sql "SELECT count(*) FROM tx3_history")" = 0 &&
	test "$(pg_sql "SELECT to_regclass('\''tx3'\'') IS NULL")" = t
'

test_done
