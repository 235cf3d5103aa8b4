#!/bin/sh
test_description='the history statement of each migration is prepared once a session and run by name; a session that loses it runs the batch again unprepared'
. "$(dirname "$0")/lib.sh"

# capture_migration FILE TABLE: a migration that copies, from inside its
# own transaction, the session's prepared statements of godwit.
capture_migration()
{
	write_migration "$1" <<-EOF
	-- migrate:up
	CREATE TABLE $2 AS SELECT name, statement, generic_plans + custom_plans AS runs FROM pg_prepared_statements WHERE name LIKE 'godwit\\_%';
	-- migrate:down
	DROP TABLE $2;
	EOF
}

# plain_migration FILE TABLE: a migration that creates TABLE.
plain_migration()
{
	write_migration "$1" <<-EOF
	-- migrate:up
	CREATE TABLE $2 (id int);
	-- migrate:down
	DROP TABLE $2;
	EOF
}

# every_applied N: N history rows, each applied with exactly one apply
# event matching it, and no other event of a migration.
every_applied()
{
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations WHERE state = ${SQ}applied${SQ}")" = "$1" &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations m WHERE (SELECT count(*) FROM godwit_events e WHERE e.version = m.version AND e.action = ${SQ}apply${SQ} AND e.at = m.applied_at AND e.checksum = m.checksum) = 1")" = "$1" &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE version IS NOT NULL AND action <> ${SQ}apply${SQ}")" = 0
}

test_expect_success PG 'setup' '
	pg_new_db &&
	capture_migration db/migrations/20240101000000_first.sql seen_first &&
	plain_migration db/migrations/20240102000000_second.sql second &&
	capture_migration db/migrations/20240103000000_third.sql seen_third
'

test_expect_success PG 'the first migration prepares the statement after its body; later ones run it by name' '
	godwit --url "$PG_URL" up >out 2>err &&
	test_grep "^applied 3 migrations" out &&
	test "$(pg_sql "SELECT count(*) FROM seen_first")" = 0 &&
	pg_sql "SELECT name ~ ${SQ}^godwit_[0-9a-f]{24}\$${SQ}, left(statement, 11), runs FROM seen_third" >seen &&
	echo "t|WITH r AS (|2" >expect &&
	test_cmp expect seen &&
	every_applied 3
'

test_expect_success PG 'DEALLOCATE ALL in a migration after one that prepared: its batch runs again unprepared, and nothing more is prepared' '
	plain_migration db/migrations/20240104000000_pre.sql pre &&
	write_migration db/migrations/20240104100000_deallocate.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE dealloc (id int);
	INSERT INTO dealloc VALUES (1);
	DEALLOCATE ALL;
	-- migrate:down
	DROP TABLE dealloc;
	EOF
	capture_migration db/migrations/20240105000000_after.sql seen_after &&
	godwit --url "$PG_URL" up >out 2>err &&
	test_grep "^applied 3 migrations" out &&
	test_grep ! -i "error\|retry" err &&
	test "$(pg_sql "SELECT count(*) FROM dealloc")" = 1 &&
	test "$(pg_sql "SELECT count(*) FROM seen_after")" = 0 &&
	every_applied 6
'

test_expect_success PG 'DISCARD ALL in a no-transaction migration: the next migration runs again unprepared' '
	plain_migration db/migrations/20240106000000_pre2.sql pre2 &&
	write_migration db/migrations/20240106100000_discard.sql <<-\EOF &&
	-- godwit:no-transaction
	-- migrate:up
	DISCARD ALL;
	-- migrate:down
	SELECT 1;
	EOF
	write_migration db/migrations/20240107000000_next.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE next (id int);
	-- migrate:down
	DROP TABLE next;
	EOF
	capture_migration db/migrations/20240108000000_last.sql seen_last &&
	godwit --url "$PG_URL" up >out 2>err &&
	test_grep "^applied 4 migrations" out &&
	test_grep ! -i "error\|retry" err &&
	test "$(pg_sql "SELECT to_regclass(${SQ}next${SQ}) IS NOT NULL")" = t &&
	# The no-transaction migration prepared its own row update after
	# DISCARD ALL; the row of a transactional migration is no more.
	test "$(pg_sql "SELECT count(*) FROM seen_last WHERE statement LIKE ${SQ}WITH r AS (INSERT%${SQ}")" = 0 &&
	every_applied 10
'

test_expect_success PG 'a failure after the statement was prepared still names its file and line' '
	pg_new_db &&
	rm -f db/migrations/* &&
	write_migration db/migrations/20240101000000_ok.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE ok (id int);
	-- migrate:down
	DROP TABLE ok;
	EOF
	write_migration db/migrations/20240102000000_broken.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE broken (id int);
	SELECT * FROM no_such_table;
	-- migrate:down
	DROP TABLE broken;
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	test_grep "20240102000000_broken.sql:3:15: .*no_such_table" err &&
	test "$(pg_sql "SELECT to_regclass(${SQ}broken${SQ}) IS NULL")" = t &&
	test "$(pg_sql "SELECT string_agg(version, ${SQ},${SQ}) FROM godwit_migrations")" = 20240101000000 &&
	test "$(pg_sql "SELECT string_agg(action, ${SQ},${SQ} ORDER BY id) FROM godwit_events WHERE version = ${SQ}20240102000000${SQ}")" = fail
'

test_expect_success PG 'a deferred constraint that fails at COMMIT, with the Parse in the batch: nothing recorded but the failure' '
	pg_new_db &&
	rm -f db/migrations/* &&
	write_migration db/migrations/20240101000000_deferred.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE d (id int, CONSTRAINT d_id UNIQUE (id) DEFERRABLE INITIALLY DEFERRED);
	INSERT INTO d VALUES (1), (1);
	-- migrate:down
	DROP TABLE d;
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	test_grep "d_id" err &&
	test "$(pg_sql "SELECT to_regclass(${SQ}d${SQ}) IS NULL")" = t &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 0 &&
	test "$(pg_sql "SELECT string_agg(action, ${SQ},${SQ} ORDER BY id) FROM godwit_events WHERE version IS NOT NULL")" = fail
'

test_done
