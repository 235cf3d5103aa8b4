#!/bin/sh
test_description='a runner with lock = table and one with the advisory lock keep each other out'
. "$(dirname "$0")/lib.sh"

# A deploy through a pooler takes the lease (lock = table) while another,
# on the direct URL, takes the advisory lock: each must see the other's.

# Starts godwit in the background; output in out.$1, exit code in rc.$1.
start_runner()
{
	n=$1
	shift
	rm -f pid.$n rc.$n &&
	(
		"$GODWIT" "$@" >out.$n 2>&1 &
		echo $! >pid.$n
		wait $!
		echo $? >rc.$n
	) &
	until test -s pid.$n
	do
		sleep 0.05
	done
}

# wait_for_text FILE TEXT: until FILE holds TEXT (10 s at most).
wait_for_text()
{
	_i=0
	until grep -q "$2" "$1" 2>/dev/null
	do
		_i=$((_i + 1))
		test $_i -lt 200 || return 1
		sleep 0.05
	done
}

# lease_takes: how many times a lease was taken (a row inserted into
# godwit_lock) by the sessions that have ended. The lease side waiting for
# an advisory holder takes it once, sees the holder and gives it back, then
# asks about the advisory lock first: it takes the lease again only once
# the holder is gone. Taken and given back at every turn of the wait, it
# showed a lease for a moment each time.
lease_takes()
{
	pg_sql "SELECT coalesce(sum(n_tup_ins), 0) FROM pg_stat_user_tables WHERE relname = ${SQ}godwit_lock${SQ}"
}

test_expect_success PG 'setup' '
	pg_new_db &&
	pg_sql "CREATE TABLE log (v int); CREATE TABLE gate (x int)" &&
	write_migration db/migrations/001_steps.sql <<-\EOF
	-- migrate:up transaction:false
	INSERT INTO log VALUES (1);
	SELECT count(*) FROM gate;
	INSERT INTO log VALUES (2);
	-- migrate:down
	DELETE FROM log;
	EOF
'

test_expect_success PG 'a lease holder runs: the advisory side sees it running and waits for it' '
	test_when_finished "touch release" &&
	pg_hold_lock gate &&
	GODWIT_LOCK_TIMEOUT=0 start_runner a --url "$PG_URL" --lock table up &&
	pg_wait_for_query "FROM gate" &&
	godwit --url "$PG_URL" status >status.out &&
	test_grep "^running  *001  *steps" status.out &&
	test_grep "^0 applied, 0 pending, 1 running$" status.out &&
	start_runner b --url "$PG_URL" up &&
	wait_for_text out.b "another godwit run holds the migration lease; waiting" &&
	touch release &&
	wait &&
	test "$(cat rc.a) $(cat rc.b)" = "0 0" &&
	test_grep "^nothing to apply; the database is up to date$" out.b &&
	test "$(pg_sql "SELECT string_agg(v::text, $SQ $SQ ORDER BY v) FROM log")" = "1 2" &&
	test "$(pg_sql "SELECT state FROM godwit_migrations")" = applied
'

test_expect_success PG 'an advisory holder runs: the lease side sees it running and waits for it' '
	godwit --url "$PG_URL" down &&
	test_when_finished "touch release" &&
	pg_hold_lock gate &&
	GODWIT_LOCK_TIMEOUT=0 start_runner c --url "$PG_URL" up &&
	pg_wait_for_query "FROM gate" &&
	godwit --url "$PG_URL" --lock table status >status.out &&
	test_grep "^running  *001  *steps" status.out &&
	takes_before=$(lease_takes) &&
	start_runner d --url "$PG_URL" --lock table up &&
	wait_for_text out.d "another godwit run holds the migration lock; waiting" &&
	test "$(pg_sql "SELECT count(*) FROM godwit_lock")" = 0 &&
	sleep 1.5 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_lock")" = 0 &&
	touch release &&
	wait &&
	test "$(cat rc.c) $(cat rc.d)" = "0 0" &&
	test_grep "^nothing to apply; the database is up to date$" out.d &&
	test "$(pg_sql "SELECT string_agg(v::text, $SQ $SQ ORDER BY v) FROM log")" = "1 2" &&
	pg_wait_gone "$PG_DB" &&
	test $(($(lease_takes) - takes_before)) -le 2
'

test_expect_success PG 'a lease side that waits too long names the advisory holder' '
	test_when_finished "touch release" &&
	pg_hold_lock gate &&
	pg_sql "DELETE FROM log" &&
	GODWIT_LOCK_TIMEOUT=0 start_runner e --url "$PG_URL" redo &&
	pg_wait_for_query "FROM gate" &&
	test_expect_code 1 godwit --url "$PG_URL" --lock table --lock-wait 1 up 2>err &&
	test_grep "^godwit: error: another godwit run has held the migration lock on \"public\".\"godwit_migrations\" for over 1 s: pid [0-9]" err &&
	test "$(pg_sql "SELECT count(*) FROM godwit_lock")" = 0 &&
	touch release &&
	wait &&
	test "$(cat rc.e)" = 0
'

test_expect_success PG 'Ctrl-C while waiting for the lease stops at once, nothing changed' '
	godwit --url "$PG_URL" down &&
	pg_sql "DELETE FROM log" &&
	test_when_finished "touch release" &&
	pg_hold_lock gate &&
	GODWIT_LOCK_TIMEOUT=0 start_runner f --url "$PG_URL" --lock table up &&
	pg_wait_for_query "FROM gate" &&
	start_runner g --url "$PG_URL" --lock table up &&
	wait_for_text out.g "another godwit run holds the migration lease; waiting" &&
	kill -INT "$(cat pid.g)" &&
	wait_for_text rc.g . &&
	test "$(cat rc.g)" = 130 &&
	test_grep "^godwit: error: interrupted: stopped while waiting for the migration lease; nothing was changed$" out.g &&
	touch release &&
	wait &&
	test "$(cat rc.f)" = 0 &&
	test "$(pg_sql "SELECT string_agg(v::text, $SQ $SQ ORDER BY v) FROM log")" = "1 2"
'

test_expect_success PG 'a lease holder whose session is ended gives the lease back after recording the failure' '
	godwit --url "$PG_URL" down &&
	test_when_finished "touch release" &&
	pg_hold_lock gate &&
	GODWIT_LOCK_TIMEOUT=0 start_runner h --url "$PG_URL" --lock table up &&
	pg_wait_for_query "FROM gate" &&
	pg_signal_queries terminate "FROM gate" &&
	wait_for_text rc.h . &&
	test "$(cat rc.h)" = 1 &&
	test_grep "a new session recorded 001 as dirty with the statements before it done" out.h &&
	test "$(pg_sql "SELECT count(*) FROM godwit_lock")" = 0 &&
	godwit --url "$PG_URL" --lock table status >status.out &&
	test_grep "^dirty  *001  *steps" status.out &&
	test_grep "^    statement 2 of 3 failed: lost the connection to the server" status.out
'

test_done
