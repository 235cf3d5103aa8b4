#!/bin/sh
test_description='down --target and redo --target revert a migration and what depends on it, and nothing else'
. "$(dirname "$0")/lib.sh"

# A diamond: b and c depend on a, d on b and c; x depends on nothing.
dated()
{
	printf -- "$2" >pg/2026-01-0$1.sql &&
	printf -- "$3" >pg/2026-01-0$1_rollback.sql
}

test_expect_success PG 'setup: a diamond of dependencies in the dated convention, applied' '
	pg_new_db &&
	mkdir pg &&
	dated 1_a "CREATE TABLE a (id int);\n" "DROP TABLE a;\n" &&
	dated 2_b "-- @depends-on: 2026-01-01_a.sql\nCREATE TABLE b (id int);\n" "DROP TABLE b;\n" &&
	dated 3_c "-- @depends-on: 2026-01-01_a.sql\nCREATE TABLE c (id int);\n" "DROP TABLE c;\n" &&
	dated 4_x "CREATE TABLE x (id int);\n" "DROP TABLE x;\n" &&
	dated 5_d "-- @depends-on: 2026-01-02_b.sql\n-- @depends-on: 2026-01-03_c.sql\nCREATE TABLE d (id int);\n" "DROP TABLE d;\n" &&
	godwit --url "$PG_URL" --dir pg up >out 2>err &&
	test "$(pg_sql "SELECT string_agg(version, $SQ $SQ ORDER BY version) FROM godwit_migrations")" = "2026-01-01_a 2026-01-02_b 2026-01-03_c 2026-01-04_x 2026-01-05_d"
'

tables()
{
	pg_sql "SELECT string_agg(tablename, $SQ $SQ ORDER BY tablename) FROM pg_tables WHERE schemaname = ${SQ}public${SQ} AND tablename NOT LIKE ${SQ}godwit%${SQ}"
}

test_expect_success PG '--dry-run shows the set, newest first, and changes nothing' '
	godwit --url "$PG_URL" --dir pg down --target 2026-01-02_b --dry-run >out 2>err &&
	cat >expect <<-\EOF &&
	-- 2026-01-05_d d (2026-01-05_d_rollback.sql) [transaction], 1 statement
	DROP TABLE d;

	-- 2026-01-02_b b (2026-01-02_b_rollback.sql) [transaction], 1 statement
	DROP TABLE b;
	EOF
	test_cmp expect out &&
	test ! -s err &&
	test "$(tables)" = "a b c d x"
'

test_expect_success PG 'down --target b reverts d then b; a, c and x stay' '
	events_before=$(pg_sql "SELECT max(id) FROM godwit_events") &&
	godwit --url "$PG_URL" --dir pg down --target 2026-01-02_b >out 2>err &&
	cat >expect <<-\EOF &&
	reverted 2026-01-05_d d
	reverted 2026-01-02_b b
	reverted 2 migrations
	EOF
	sed "s/ ([0-9]* ms)\$//" out >actual &&
	test_cmp expect actual &&
	test "$(tables)" = "a c x" &&
	test "$(pg_sql "SELECT string_agg(version, $SQ $SQ ORDER BY version) FROM godwit_migrations")" = "2026-01-01_a 2026-01-03_c 2026-01-04_x" &&
	test "$(pg_sql "SELECT string_agg(action || $SQ:$SQ || version, $SQ $SQ ORDER BY id) FROM godwit_events WHERE id > $events_before")" = "revert:2026-01-05_d revert:2026-01-02_b"
'

test_expect_success PG 'the top of the diamond takes everything that depends on it, and not x' '
	godwit --url "$PG_URL" --dir pg up --allow-out-of-order >out 2>err &&
	test "$(tables)" = "a b c d x" &&
	godwit --url "$PG_URL" --dir pg down --target 2026-01-01_a --dry-run >out &&
	grep "^-- " out >actual &&
	cat >expect <<-\EOF &&
	-- 2026-01-05_d d (2026-01-05_d_rollback.sql) [transaction], 1 statement
	-- 2026-01-03_c c (2026-01-03_c_rollback.sql) [transaction], 1 statement
	-- 2026-01-02_b b (2026-01-02_b_rollback.sql) [transaction], 1 statement
	-- 2026-01-01_a a (2026-01-01_a_rollback.sql) [transaction], 1 statement
	EOF
	test_cmp expect actual
'

test_expect_success PG 'redo --target c --dry-run shows d and c reverted, then c and d applied; nothing changes' '
	events_before=$(pg_sql "SELECT max(id) FROM godwit_events") &&
	godwit --url "$PG_URL" --dir pg redo --target 2026-01-03_c --dry-run >out 2>err &&
	cat >expect <<-\EOF &&
	-- 2026-01-05_d d (2026-01-05_d_rollback.sql) [transaction], 1 statement
	DROP TABLE d;

	-- 2026-01-03_c c (2026-01-03_c_rollback.sql) [transaction], 1 statement
	DROP TABLE c;

	-- then applied again: 2026-01-03_c c, 2026-01-05_d d
	EOF
	test_cmp expect out &&
	test ! -s err &&
	godwit --url "$PG_URL" --dir pg --format json redo --target 2026-01-03_c --dry-run >out.json &&
	python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print(*[s[\"version\"] + \" \" + s[\"direction\"] for s in d[\"revert\"]], *[s[\"version\"] for s in d[\"apply\"]])" out.json >actual &&
	echo "2026-01-05_d down 2026-01-03_c down 2026-01-03_c 2026-01-05_d" >expect &&
	test_cmp expect actual &&
	test "$(tables)" = "a b c d x" &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE id > $events_before")" = 0
'

test_expect_success PG 'redo --target c reverts d and c, then applies c and d again' '
	events_before=$(pg_sql "SELECT max(id) FROM godwit_events") &&
	godwit --url "$PG_URL" --dir pg redo --target 2026-01-03_c >out 2>err &&
	cat >expect <<-\EOF &&
	reverted 2026-01-05_d d
	reverted 2026-01-03_c c
	applied  2026-01-03_c c
	applied  2026-01-05_d d
	EOF
	sed "s/ ([0-9]* ms)\$//" out >actual &&
	test_cmp expect actual &&
	test "$(tables)" = "a b c d x" &&
	test "$(pg_sql "SELECT string_agg(action || $SQ:$SQ || version, $SQ $SQ ORDER BY id) FROM godwit_events WHERE id > $events_before")" = "revert:2026-01-05_d revert:2026-01-03_c apply:2026-01-03_c apply:2026-01-05_d"
'

test_expect_success PG 'a target that is not applied, or not there, is refused and nothing changes' '
	godwit --url "$PG_URL" --dir pg down --target 2026-01-04_x >out &&
	test_expect_code 1 godwit --url "$PG_URL" --dir pg down --target 2026-01-04_x 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: cannot revert 2026-01-04_x x: it is not applied
	hint: '"'"'godwit status'"'"' shows what is applied
	EOF
	test_cmp expect err &&
	test_expect_code 1 godwit --url "$PG_URL" --dir pg down --target 2026-01-09_z 2>err &&
	echo "godwit: error: no migration in pg has version 2026-01-09_z" >expect &&
	test_cmp expect err &&
	test_expect_code 2 godwit --url "$PG_URL" --dir pg down 1 --target 2026-01-01_a 2>err &&
	test_grep "give only one of N, --to V, --all and --target V" err &&
	test "$(tables)" = "a b c d"
'

test_expect_success 'SQLite, native convention: --target V is down --to the one before V, and says so' '
	mkdir -p db/migrations &&
	for n in 1 2 3 4
	do
		printf -- "-- migrate:up\nCREATE TABLE t$n (id int);\n-- migrate:down\nDROP TABLE t$n;\n" \
			>db/migrations/2024010100000${n}_t$n.sql || return 1
	done &&
	godwit up >out 2>err &&
	godwit down --target 20240101000002 >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: in the native convention each migration depends on the one before it: reverting 20240101000002 and the 2 applied after it, the same as reverting everything applied after 20240101000001
	EOF
	without_start_lines err >actual &&
	test_cmp expect actual &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT group_concat(version) FROM godwit_migrations")" = 20240101000001 &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE name GLOB ${SQ}t[0-9]${SQ} ORDER BY 1)")" = t1 &&
	godwit up >out 2>err &&
	godwit redo --target 20240101000001 >out 2>err &&
	sed "s/ ([0-9]* ms)\$//" out >actual &&
	cat >expect <<-\EOF &&
	reverted 20240101000004 t4
	reverted 20240101000003 t3
	reverted 20240101000002 t2
	reverted 20240101000001 t1
	applied  20240101000001 t1
	applied  20240101000002 t2
	applied  20240101000003 t3
	applied  20240101000004 t4
	EOF
	test_cmp expect actual &&
	test_grep "reverting 20240101000001 and the 3 applied after it, the same as reverting every applied migration" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 4
'

test_done
