#!/bin/sh
test_description='up --atomic: a failed run reverts what it applied; a run it could not take back is refused first'
. "$(dirname "$0")/lib.sh"

native()
{
	printf -- "-- migrate:up\n$2\n-- migrate:down\n$3\n" >db/migrations/2024010100000$1.sql
}

history_rows()
{
	pg_sql "SELECT string_agg(version || $SQ $SQ || checksum || $SQ $SQ || state, $SQ,$SQ ORDER BY version) FROM godwit_migrations"
}

test_expect_success PG 'setup: one migration applied, five pending; the fourth fails' '
	pg_new_db &&
	mkdir -p db/migrations &&
	native 0_base "CREATE TABLE base (id int);" "DROP TABLE base;" &&
	godwit --url "$PG_URL" up >out 2>err &&
	pg_sql "INSERT INTO base VALUES (1)" &&
	native 1_t1 "CREATE TABLE t1 (id int);" "DROP TABLE t1;" &&
	native 2_t2 "ALTER TABLE base ADD COLUMN note text DEFAULT ${SQ}x${SQ};" "ALTER TABLE base DROP COLUMN note;" &&
	native 3_t3 "CREATE INDEX base_id ON base (id);" "DROP INDEX base_id;" &&
	native 4_t4 "CREATE TABLE t4 (id int);\nINSERT INTO nosuch VALUES (1);" "DROP TABLE t4;" &&
	native 5_t5 "CREATE TABLE t5 (id int);" "DROP TABLE t5;" &&
	godwit --url "$PG_URL" schema dump >schema.before &&
	history_rows >history.before &&
	pg_sql "SELECT max(id) FROM godwit_events" >events.before
'

test_expect_success PG 'the fourth fails: the first three are reverted, newest first, and each is reported' '
	test_expect_code 1 godwit --url "$PG_URL" up --atomic >out 2>err &&
	sed "s/ ([0-9]* ms)\$//" out >actual &&
	cat >expect <<-\EOF &&
	applied  20240101000001 t1
	applied  20240101000002 t2
	applied  20240101000003 t3
	reverted 20240101000003 t3
	reverted 20240101000002 t2
	reverted 20240101000001 t1
	EOF
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	godwit: atomic: each migration runs in its own transaction; if one fails, what this run applied is reverted with the downs
	godwit: applying 20240101000001 t1
	godwit: applying 20240101000002 t2
	godwit: applying 20240101000003 t3
	godwit: applying 20240101000004 t4
	godwit: warning: atomic: a migration failed; reverting the 3 migrations this run applied, newest first
	godwit: reverting 20240101000003 t3
	godwit: reverting 20240101000002 t2
	godwit: reverting 20240101000001 t1
	godwit: warning: atomic: reverted 3 migrations; the database is as it was before the run
	godwit: error: db/migrations/20240101000004_t4.sql:3:13: relation "nosuch" does not exist (SQLSTATE 42P01)
	hint: the migration was rolled back and nothing of it was applied; fix it and run godwit up again
	EOF
	test_cmp expect err
'

test_expect_success PG 'history, schema and rows are as before the run; the events tell it all' '
	history_rows >history.after &&
	test_cmp history.before history.after &&
	godwit --url "$PG_URL" schema dump >schema.after &&
	test_cmp schema.before schema.after &&
	test "$(pg_sql "SELECT id FROM base")" = 1 &&
	test "$(pg_sql "SELECT string_agg(action || $SQ:$SQ || coalesce(version, $SQ-$SQ), $SQ $SQ ORDER BY id) FROM godwit_events WHERE id > $(cat events.before)")" = "apply:20240101000001 apply:20240101000002 apply:20240101000003 fail:20240101000004 revert:20240101000003 revert:20240101000002 revert:20240101000001 rollback:20240101000004" &&
	test "$(pg_sql "SELECT error FROM godwit_events WHERE action = ${SQ}rollback${SQ}")" = "relation \"nosuch\" does not exist"
'

test_expect_success PG 'atomic = true in godwit.conf does the same; the history shows the rollback' '
	printf "atomic = true\n" >godwit.conf &&
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	test_grep "atomic: reverted 3 migrations; the database is as it was before the run" err &&
	history_rows >history.after &&
	test_cmp history.before history.after &&
	godwit --url "$PG_URL" history >hist &&
	test_grep "rollback.*20240101000004" hist &&
	rm godwit.conf
'

test_expect_success PG 'a pending migration without a down is refused before anything runs' '
	native 4_t4 "CREATE TABLE t4 (id int);" "DROP TABLE t4;" &&
	printf -- "-- migrate:up\nCREATE TABLE t6 (id int);\n" >db/migrations/20240101000006_t6.sql &&
	test_expect_code 1 godwit --url "$PG_URL" up --atomic >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: db/migrations/20240101000006_t6.sql: cannot apply atomically: 20240101000006 t6 has no down migration, so it could not be reverted if a later step of the run failed; nothing was applied
	hint: add a '"'"'-- migrate:down'"'"' section to db/migrations/20240101000006_t6.sql, or apply it without atomic
	EOF
	test_cmp expect err &&
	test ! -s out &&
	history_rows >history.after &&
	test_cmp history.before history.after
'

test_expect_success PG 'a pending migration that runs outside a transaction is refused, in --dry-run too' '
	native 6_t6 "CREATE INDEX CONCURRENTLY base_id2 ON base (id);" "DROP INDEX base_id2;" &&
	test_expect_code 1 godwit --url "$PG_URL" up --atomic --dry-run >out 2>err &&
	test_grep "^godwit: error: db/migrations/20240101000006_t6.sql: cannot apply atomically: 20240101000006 t6 runs outside a transaction, so it could not be reverted" err &&
	test_grep "^hint: apply 20240101000006 on its own first, without atomic" err &&
	test_expect_code 1 godwit --url "$PG_URL" up --atomic 2>err &&
	test_grep "20240101000006 t6 runs outside a transaction" err &&
	history_rows >history.after &&
	test_cmp history.before history.after &&
	godwit --url "$PG_URL" schema dump >schema.after &&
	test_cmp schema.before schema.after
'

test_expect_success PG 'a run that succeeds under --atomic applies everything' '
	native 6_t6 "CREATE TABLE t6 (id int);" "DROP TABLE t6;" &&
	godwit --url "$PG_URL" up --atomic >out 2>err &&
	test_grep "^applied 6 migrations" out &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 7
'

test_expect_success 'SQLite: the same rollback' '
	rm -rf db &&
	mkdir -p db/migrations &&
	native 1_t1 "CREATE TABLE t1 (id int);" "DROP TABLE t1;" &&
	native 2_t2 "CREATE TABLE t2 (id int);" "DROP TABLE t2;" &&
	native 3_t3 "CREATE TABLE t3 (id int NOT NULL);\nINSERT INTO t3 VALUES (NULL);" "DROP TABLE t3;" &&
	test_expect_code 1 godwit up --atomic >out 2>err &&
	test_grep "atomic: reverted 2 migrations; the database is as it was before the run" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 0 &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name GLOB ${SQ}t[0-9]${SQ}")" = 0 &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT group_concat(action || ${SQ}:${SQ} || coalesce(version, ${SQ}-${SQ}), ${SQ} ${SQ}) FROM (SELECT * FROM godwit_events ORDER BY id)")" = "apply:20240101000001 apply:20240101000002 fail:20240101000003 revert:20240101000002 revert:20240101000001 rollback:20240101000003"
'

test_expect_success 'SQLite: a down that fails stops the rollback, and the error says what stays applied' '
	native 2_t2 "CREATE TABLE t2 (id int);" "DROP TABLE nosuch;" &&
	test_expect_code 1 godwit up --atomic >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: db/migrations/20240101000003_t3.sql:3:1: the rollback stopped: reverting 20240101000002 t2 failed (no such table: nosuch), and 2 migrations of this run stay applied; the run failed first: NOT NULL constraint failed: t3.id (SQLSTATE 23000)
	EOF
	grep "^godwit: error: " err >actual &&
	test_cmp expect actual &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT group_concat(version, ${SQ} ${SQ}) FROM godwit_migrations")" = "20240101000001 20240101000002" &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT action || ${SQ}:${SQ} || version FROM godwit_events ORDER BY id DESC LIMIT 1")" = "rollback:20240101000003"
'

test_done
