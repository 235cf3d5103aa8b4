#!/bin/sh
test_description='a migration that releases the runner advisory lock (pg_advisory_unlock_all, DISCARD ALL, or a function that calls them): the run takes it back, stops when another session took it, or says at its end that it was lost'
. "$(dirname "$0")/lib.sh"

# godwit_locks: the granted advisory locks of this database that a godwit
# session holds.
godwit_locks()
{
	pg_sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'godwit' AND a.datname = current_database()"
}

# wait_godwit_blocked: until godwit's session waits for a table lock.
wait_godwit_blocked()
{
	_gw_i=0
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'godwit' AND wait_event_type = 'Lock' AND datname = current_database()")" = 1
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 300 || return 1
		sleep 0.1
	done
}

# up_bg [OPTION...]: godwit up in the background, its output in out and
# err, its exit code in rc once it ended.
up_bg()
{
	rm -f rc
	{
		godwit --url "$PG_URL" --lock-timeout 60s "$@" up >out 2>err
		echo $? >rc
	} &
}

# take_lock: a psql session named gw-taker takes the advisory lock of key
# and keeps it until the file release2 exists; its pid in taker_pid, to
# wait for it before the trash directory (where it looks) goes.
take_lock()
{
	{
		printf "%s\n" "SELECT pg_advisory_lock($(cat key));" "\\! while [ ! -e release2 ]; do sleep 0.1; done" |
			PGAPPNAME=gw-taker psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL" >taker.out 2>&1
	} &
	taker_pid=$!
}

test_expect_success PG 'setup' '
	pg_new_db &&
	pg_sql "CREATE TABLE held (id int)" &&
	write_migration db/migrations/20240101000000_unlock.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t1 (id int);
	SELECT pg_advisory_unlock_all();
	-- migrate:down
	DROP TABLE t1;
	EOF
	write_migration db/migrations/20240102000000_wait.sql <<-\EOF
	-- migrate:up
	CREATE TABLE t2 AS SELECT count(*) AS n FROM held;
	-- migrate:down
	DROP TABLE t2;
	EOF
'

test_expect_success PG 'lint reports the unlock as an error naming the lock' '
	test_expect_code 3 godwit lint db/migrations/20240101000000_unlock.sql >out 2>err &&
	test_grep "releasing-migration-lock" out &&
	test_grep "pg_advisory_unlock_all() releases session advisory locks, godwit'\''s migration lock too" out
'

test_expect_success PG 'after a migration released the lock, the run takes it back before the next one' '
	test_when_finished "touch release" &&
	pg_hold_lock held &&
	up_bg &&
	wait_godwit_blocked &&
	# The next migration runs while the lock is held again.
	test "$(godwit_locks)" = 1 &&
	pg_sql "SELECT (l.classid::bigint << 32) | l.objid::bigint FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = '\''advisory'\'' AND a.application_name = '\''godwit'\'' AND a.datname = current_database()" >key &&
	touch release &&
	wait_for_file rc 60 &&
	test "$(cat rc)" = 0 &&
	test_grep ! WARNING err &&
	test "$(pg_sql "SELECT string_agg(version, '\'' '\'' ORDER BY version) FROM godwit_migrations")" = "20240101000000 20240102000000"
'

test_expect_success PG 'when another session took the released lock, the run stops after recording the migration' '
	write_migration db/migrations/20240103000000_discard.sql <<-\EOF &&
	-- migrate:up
	-- godwit:no-transaction
	DISCARD ALL;
	CREATE TABLE t3 AS SELECT count(*) AS n FROM held;
	-- migrate:down
	DROP TABLE t3;
	EOF
	write_migration db/migrations/20240104000000_after.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t4 (id int);
	-- migrate:down
	DROP TABLE t4;
	EOF
	rm -f release2 &&
	test_when_finished "touch release release2; wait" &&
	pg_hold_lock held &&
	up_bg &&
	wait_godwit_blocked &&
	test "$(godwit_locks)" = 0 &&
	take_lock &&
	_i=0 &&
	until test "$(pg_sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = '\''advisory'\'' AND l.granted AND a.application_name = '\''gw-taker'\'' AND a.datname = current_database()")" = 1
	do
		_i=$((_i + 1)) &&
		test $_i -lt 300 &&
		sleep 0.1 || return 1
	done &&
	touch release &&
	wait_for_file rc 60 &&
	test "$(cat rc)" = 1 &&
	test_grep "20240103000000_discard.sql released the migration lock on" err &&
	test_grep "another session took it before godwit could take it back: pid [0-9]* (application \"gw-taker\"" err &&
	test_grep "stopped after recording db/migrations/20240103000000_discard.sql as applied" err &&
	test_grep ! WARNING err &&
	test "$(pg_sql "SELECT string_agg(version || '\'':'\'' || state, '\'' '\'' ORDER BY version) FROM godwit_migrations")" = "20240101000000:applied 20240102000000:applied 20240103000000:applied" &&
	test "$(pg_sql "SELECT to_regclass('\''t4'\'') IS NULL")" = t &&
	touch release2 &&
	wait "$taker_pid"
'

test_expect_success PG 'a function defined by one migration and called by a later one: the run takes the lock back after the call' '
	pg_new_db &&
	pg_sql "CREATE TABLE held (id int)" &&
	write_migration fn/20240101000000_define.sql <<-\EOF &&
	-- migrate:up
	CREATE FUNCTION tidy() RETURNS void LANGUAGE sql AS $$ SELECT pg_advisory_unlock_all() $$;
	-- migrate:down
	DROP FUNCTION tidy();
	EOF
	write_migration fn/20240102000000_call.sql <<-\EOF &&
	-- migrate:up
	SELECT tidy();
	CREATE TABLE t2 (id int);
	-- migrate:down
	DROP TABLE t2;
	EOF
	write_migration fn/20240103000000_wait.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t3 AS SELECT count(*) AS n FROM held;
	-- migrate:down
	DROP TABLE t3;
	EOF
	test_expect_code 3 godwit lint fn/20240101000000_define.sql >out 2>err &&
	test_grep "fn/20240101000000_define.sql:2:1: error: the function calls pg_advisory_unlock, which releases session advisory locks, godwit'\''s migration lock too, wherever it runs" out &&
	test_when_finished "touch release" &&
	pg_hold_lock held &&
	up_bg --dir fn &&
	wait_godwit_blocked &&
	test "$(godwit_locks)" = 1 &&
	touch release &&
	wait_for_file rc 60 &&
	test "$(cat rc)" = 0 &&
	test_grep ! WARNING err &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 3
'

test_expect_success 'lint: a function or DO block whose body calls pg_advisory_unlock, not one whose body does not' '
	write_migration body/20240101000000_proc.sql <<-\EOF &&
	-- migrate:up
	CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN PERFORM PG_ADVISORY_UNLOCK(7); END $$;
	DO $$ BEGIN PERFORM pg_advisory_unlock_shared(7); END $$;
	CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
	DO $$ BEGIN PERFORM 1; END $$;
	EOF
	test_expect_code 3 godwit lint body/20240101000000_proc.sql >out 2>err &&
	test_grep "proc.sql:2:1: error: the procedure calls pg_advisory_unlock" out &&
	test_grep "proc.sql:3:1: error: the DO block calls pg_advisory_unlock" out &&
	test_grep "^2 errors, 0 warnings" out
'

test_expect_success PG 'a function from before the run releases the lock: the run ends recorded whole and says the lock was lost' '
	pg_new_db &&
	pg_sql "CREATE TABLE held (id int)" &&
	pg_sql "CREATE FUNCTION tidy() RETURNS void LANGUAGE sql AS \$\$ SELECT pg_advisory_unlock_all() \$\$" &&
	rm fn/20240101000000_define.sql &&
	godwit --url "$PG_URL" --dir fn up >out 2>err &&
	test_grep "warning: the migration lock on \"public\".\"godwit_migrations\" was no longer held when the run ended: a migration released it" err &&
	test "$(pg_sql "SELECT string_agg(version, '\'' '\'' ORDER BY version) FROM godwit_migrations")" = "20240102000000 20240103000000" &&
	test "$(godwit_locks)" = 0
'

test_done
