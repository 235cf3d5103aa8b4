#!/bin/sh
test_description='a transactional migration writes its history row once, at the end of its transaction, with its event; the unique key still refuses a second apply'
. "$(dirname "$0")/lib.sh"

trap '_gw_rc=$?; touch open-gate 2>/dev/null; (exit $_gw_rc); gw_die' EXIT

# Under PostgreSQL's advisory lock no other runner can apply a migration
# while this one runs, so the row is inserted once, finished, after the
# body, and the apply event comes from it in the same statement. Without
# a session lock (a lease that can lapse, SQLite) the row still goes
# first, as the guard that makes a concurrent apply a clean skip.

# session NAME SQL-BEFORE FILE SQL-AFTER: a psql session named NAME runs
# SQL-BEFORE, waits until FILE exists, then runs SQL-AFTER.
session()
{
	rm -f "$3" &&
	{
		printf '%s\n' "$2" "\\! while [ ! -e $3 ]; do sleep 0.02; done" "$4" |
			PGAPPNAME=$1 psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL" >"$1.out" 2>&1
	} &
}

# wait_sql SQL: waits (30 s at most) until SQL answers t.
wait_sql()
{
	_gw_i=0
	until test "$(pg_sql "$1")" = t
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 600 || return 1
		sleep 0.05
	done
}

# peek_migration FILE VERSION: a migration that records, from inside its
# own transaction, how many history rows and events its version has.
peek_migration()
{
	write_migration "$1" <<-EOF
	-- migrate:up
	CREATE TABLE peek AS SELECT (SELECT count(*) FROM godwit_migrations WHERE version = '$2') AS own_rows, (SELECT count(*) FROM godwit_events WHERE version = '$2') AS own_events;
	SELECT 1;
	-- migrate:down
	DROP TABLE peek;
	EOF
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_first.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE first (id int);
	-- migrate:down
	DROP TABLE first;
	EOF
	peek_migration db/migrations/20240102000000_peek.sql 20240102000000 &&
	write_migration db/migrations/20240103000000_slow.sql <<-\EOF
	-- migrate:up
	CREATE TABLE slow (id int);
	SELECT pg_sleep(0.25);
	-- migrate:down
	DROP TABLE slow;
	EOF
'

test_expect_success PG 'under the advisory lock the body runs before the row exists' '
	godwit --url "$PG_URL" up >out 2>err &&
	test_grep "^applied 3 migrations" out &&
	test "$(pg_sql "SELECT own_rows || ${SQ}/${SQ} || own_events FROM peek")" = 0/0 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 3
'

test_expect_success PG 'the row is the finished one, and its event matches it' '
	pg_sql "SELECT version, state, statements_total, statements_done, error IS NULL, execution_ms IS NOT NULL FROM godwit_migrations ORDER BY version" >rows &&
	cat >expect <<-\EOF &&
	20240101000000|applied|1|1|t|t
	20240102000000|applied|2|2|t|t
	20240103000000|applied|2|2|t|t
	EOF
	test_cmp expect rows &&
	test "$(pg_sql "SELECT execution_ms >= 250 FROM godwit_migrations WHERE version = ${SQ}20240103000000${SQ}")" = t &&
	pg_sql "SELECT e.version, count(*), bool_and(e.at = m.applied_at), bool_and(e.duration_ms = m.execution_ms), bool_and(e.checksum = m.checksum), bool_and(e.file = m.file) FROM godwit_events e JOIN godwit_migrations m USING (version) WHERE e.action = ${SQ}apply${SQ} GROUP BY 1 ORDER BY 1" >events &&
	cat >expect <<-\EOF &&
	20240101000000|1|t|t|t|t
	20240102000000|1|t|t|t|t
	20240103000000|1|t|t|t|t
	EOF
	test_cmp expect events
'

test_expect_success PG 'a failing migration leaves neither its row nor an apply event' '
	write_migration db/migrations/20240104000000_broken.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE broken (id int);
	SELECT * FROM no_such_table;
	-- migrate:down
	DROP TABLE broken;
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	test_grep "20240104000000_broken.sql:3:15: .*no_such_table" err &&
	test "$(pg_sql "SELECT to_regclass(${SQ}broken${SQ}) IS NULL")" = t &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations WHERE version = ${SQ}20240104000000${SQ}")" = 0 &&
	test "$(pg_sql "SELECT string_agg(action, ${SQ},${SQ} ORDER BY id) FROM godwit_events WHERE version = ${SQ}20240104000000${SQ}")" = fail &&
	rm db/migrations/20240104000000_broken.sql
'

test_expect_success PG 'a row that appears while the body runs is refused by the unique key: skipped, nothing applied' '
	write_migration db/migrations/20240105000000_gated.sql <<-\EOF &&
	-- migrate:up
	SELECT pg_advisory_xact_lock_shared(5670);
	CREATE TABLE gated (id int);
	-- migrate:down
	DROP TABLE gated;
	EOF
	session gw-gate "SELECT pg_advisory_lock(5670);" open-gate "SELECT pg_advisory_unlock(5670);" &&
	wait_sql "SELECT count(*) = 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.datname = current_database() AND a.application_name = ${SQ}gw-gate${SQ} AND l.locktype = ${SQ}advisory${SQ} AND l.objid = 5670 AND l.granted" &&
	{ (godwit --url "$PG_URL" up >gated.out 2>gated.err; echo $? >gated.rc) & } &&
	wait_sql "SELECT count(*) = 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.datname = current_database() AND l.locktype = ${SQ}advisory${SQ} AND l.objid = 5670 AND NOT l.granted" &&
	# Another runner (by hand here) records the version meanwhile.
	pg_sql "SET lock_timeout = ${SQ}5s${SQ}; INSERT INTO godwit_migrations (version, name, checksum, applied_at) VALUES (${SQ}20240105000000${SQ}, ${SQ}gated${SQ}, ${SQ}other${SQ}, now())" &&
	touch open-gate &&
	wait &&
	test "$(cat gated.rc)" = 0 &&
	test_grep "^skipped  20240105000000 gated" gated.out &&
	test "$(pg_sql "SELECT to_regclass(${SQ}gated${SQ}) IS NULL")" = t &&
	test "$(pg_sql "SELECT checksum FROM godwit_migrations WHERE version = ${SQ}20240105000000${SQ}")" = other &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE version = ${SQ}20240105000000${SQ} AND action = ${SQ}apply${SQ}")" = 0
'

test_expect_success PG 'with a lease (lock = table) the row goes first, as the guard' '
	pg_new_db &&
	rm -f db/migrations/* &&
	peek_migration db/migrations/20240102000000_peek.sql 20240102000000 &&
	godwit --url "$PG_URL" --lock table up >out 2>err &&
	test "$(pg_sql "SELECT own_rows || ${SQ}/${SQ} || own_events FROM peek")" = 1/0 &&
	pg_sql "SELECT state, statements_done, execution_ms IS NOT NULL FROM godwit_migrations" >rows &&
	echo "applied|2|t" >expect &&
	test_cmp expect rows &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = ${SQ}apply${SQ}")" = 1
'

test_expect_success SQLITE3 'on SQLite, without a session lock, the row goes first, as the guard' '
	godwit --url sqlite:peek.db up >out 2>err &&
	test "$(sqlite_sql peek.db "SELECT own_rows || ${SQ}/${SQ} || own_events FROM peek")" = 1/0 &&
	test "$(sqlite_sql peek.db "SELECT state || ${SQ}|${SQ} || statements_done FROM godwit_migrations")" = "applied|2"
'

test_done
