#!/bin/sh
test_description='down needs only the files it reverts; out-of-order errors name the right path'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: three applied native migrations on SQLite' '
	mkdir -p db/migrations &&
	for n in 1 2 3
	do
		printf -- "-- migrate:up\nCREATE TABLE t$n (id int);\n-- migrate:down\nDROP TABLE t$n;\n" \
			>db/migrations/2024010100000${n}_t$n.sql || return 1
	done &&
	godwit up &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 3
'

test_expect_success 'the file of an older applied migration is missing: down still reverts the newer ones' '
	rm db/migrations/20240101000001_t1.sql &&
	godwit down >out &&
	test_grep "^reverted 20240101000003 t3" out &&
	godwit down >out &&
	test_grep "^reverted 20240101000002 t2" out &&
	tables=$(sqlite_sql db/development.sqlite3 "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE name GLOB ${SQ}t[0-9]${SQ} ORDER BY 1)") &&
	test "$tables" = t1
'

test_expect_success 'reverting the migration whose file is missing is still refused, and nothing changes' '
	test_expect_code 1 godwit down 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: cannot revert 20240101000001 t1: its file is missing from the migrations folder
	hint: restore the file, then revert it
	EOF
	test_cmp expect err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 1 &&
	sqlite_sql db/development.sqlite3 "SELECT count(*) FROM t1"
'

test_expect_success PG 'PostgreSQL: a missing older file blocks neither down N nor down --to' '
	pg_new_db &&
	mkdir pg &&
	for n in 1 2 3 4
	do
		printf -- "-- migrate:up\nCREATE TABLE t$n (id int);\n-- migrate:down\nDROP TABLE t$n;\n" \
			>pg/2024010100000${n}_t$n.sql || return 1
	done &&
	godwit --url "$PG_URL" --dir pg up &&
	rm pg/20240101000002_t2.sql &&
	godwit --url "$PG_URL" --dir pg down --to 20240101000003 >out &&
	test_grep "^reverted 20240101000004 t4" out &&
	test_expect_code 1 godwit --url "$PG_URL" --dir pg down 2 2>err &&
	test_grep "^godwit: error: cannot revert 20240101000002 t2: its file is missing" err &&
	test "$(pg_sql "SELECT string_agg(version, $SQ,$SQ ORDER BY version) FROM godwit_migrations")" = "20240101000001,20240101000002,20240101000003"
'

test_expect_success PG 'the out-of-order error names the files below a sqitch top_dir' '
	pg_new_db &&
	mkdir -p topdir/sql/deploy topdir/sql/revert &&
	printf "[core]\n\tengine = pg\n\ttop_dir = sql\n" >topdir/sqitch.conf &&
	write_migration topdir/sql/sqitch.plan <<-\EOF &&
	%syntax-version=1.0.0
	%project=p

	a 2024-01-01T00:00:00Z Tester <t@example.com> # a
	b 2024-01-01T00:00:01Z Tester <t@example.com> # b
	EOF
	printf "CREATE TABLE a (id int);\n" >topdir/sql/deploy/a.sql &&
	printf "DROP TABLE a;\n" >topdir/sql/revert/a.sql &&
	printf "CREATE TABLE b (id int);\n" >topdir/sql/deploy/b.sql &&
	printf "DROP TABLE b;\n" >topdir/sql/revert/b.sql &&
	godwit --url "$PG_URL" --dir topdir up &&
	pg_sql "DELETE FROM godwit_migrations WHERE version = ${SQ}1${SQ}; DROP TABLE a" &&
	test_expect_code 1 godwit --url "$PG_URL" --dir topdir up 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: 1 pending migration is older than the last applied one (2): topdir/sql/deploy/a.sql
	hint: apply it with --allow-out-of-order, or give it a newer version
	EOF
	test_cmp expect err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename = ${SQ}a${SQ}")" = 0
'

test_done
