#!/bin/sh
test_description='NUL bytes are refused in every migration file; a UTF-8 byte-order mark is skipped'
. "$(dirname "$0")/lib.sh"

# A NUL byte ends the SQL text for SQLite: what follows it never ran, yet the
# migration was recorded. A byte-order mark hid the -- migrate:up line.

BOM=$(printf '\357\273\277')

test_expect_success 'SQLite: a NUL byte is an error with line and column, and nothing runs' '
	mkdir -p sq/db/migrations &&
	(
		cd sq &&
		printf -- "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n" \
			>db/migrations/20240101000000_a.sql &&
		godwit up &&
		printf -- "-- migrate:up\nCREATE TABLE b (id int);\nCREATE TABLE c (id int);\000CREATE TABLE d (id int);\n" \
			>db/migrations/20240102000000_b.sql &&
		cat >expect <<-\EOF &&
		godwit: error: db/migrations/20240102000000_b.sql:3:25: a NUL byte; SQL text cannot hold one (SQLite would stop reading the migration there): remove it
		EOF
		test_expect_code 1 godwit up >out 2>err &&
		test_cmp expect err &&
		test_expect_code 1 godwit status 2>err &&
		test_cmp expect err &&
		test_expect_code 3 godwit validate >out 2>&1 &&
		test_grep "^db/migrations/20240102000000_b.sql:3:25: error: a NUL byte" out &&
		test "$(sqlite_sql db/development.sqlite3 "SELECT group_concat(name) FROM sqlite_master WHERE type = ${SQ}table${SQ} AND name NOT LIKE ${SQ}godwit%${SQ} AND name NOT LIKE ${SQ}sqlite%${SQ}")" = a &&
		test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 1
	)
'

# bad_pg DIR FILE LINE COL: up in DIR refuses FILE for the NUL at LINE:COL and
# changes nothing.
bad_pg()
{
	pg_sql "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1" >before &&
	printf "godwit: error: %s/%s:%s:%s: a NUL byte; SQL text cannot hold one (SQLite would stop reading the migration there): remove it\n" \
		"$1" "$2" "$3" "$4" >expect &&
	test_expect_code 1 godwit --url "$PG_URL" --dir "$1" up >out 2>err &&
	test_cmp expect err &&
	pg_sql "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1" >after &&
	test_cmp before after
}

test_expect_success PG 'PostgreSQL: a NUL byte in a golang-migrate up, a down, a goose and a Flyway file is refused' '
	pg_new_db &&
	mkdir gm fw goose &&
	printf "CREATE TABLE a (id int);\n" >gm/1_a.up.sql &&
	printf "DROP TABLE a;\000\n" >gm/1_a.down.sql &&
	bad_pg gm 1_a.down.sql 1 14 &&
	printf "DROP TABLE a;\n" >gm/1_a.down.sql &&
	printf "\000CREATE TABLE b (id int);\n" >gm/2_b.up.sql &&
	bad_pg gm 2_b.up.sql 1 1 &&
	printf -- "-- +goose Up\nCREATE TABLE g (id int);\n-- +goose Down\nDROP TABLE g;\000\n" >goose/1_g.sql &&
	bad_pg goose 1_g.sql 4 14 &&
	printf "CREATE TABLE f (id int);\n\n\000" >fw/V1__f.sql &&
	bad_pg fw V1__f.sql 3 1
'

test_expect_success PG 'PostgreSQL: a NUL byte in a sqitch deploy script is refused' '
	mkdir sq2 sq2/deploy sq2/revert &&
	printf "%%project=p\n\nt 2024-01-01T00:00:00Z Tester <t@example.com>\n" >sq2/sqitch.plan &&
	printf "BEGIN;\nCREATE TABLE t (id int);\000\nCOMMIT;\n" >sq2/deploy/t.sql &&
	bad_pg sq2 deploy/t.sql 2 25
'

test_expect_success 'SQLite: a native file that starts with a byte-order mark applies and reverts' '
	(
		cd sq &&
		rm db/migrations/20240102000000_b.sql &&
		printf "%s-- migrate:up\nCREATE TABLE bom (id int);\n-- migrate:down\nDROP TABLE bom;\n" "$BOM" \
			>db/migrations/20240102000000_bom.sql &&
		godwit up >out &&
		test_grep "^applied  20240102000000 bom" out &&
		sqlite_sql db/development.sqlite3 "SELECT count(*) FROM bom" &&
		godwit down >out &&
		test_grep "^reverted 20240102000000 bom" out &&
		test_must_fail sqlite_sql db/development.sqlite3 "SELECT count(*) FROM bom" 2>/dev/null
	)
'

test_expect_success PG 'PostgreSQL: byte-order marks are skipped in native and golang-migrate files' '
	pg_new_db &&
	mkdir bom &&
	printf "%sCREATE TABLE g (id int);\n" "$BOM" >bom/1_g.up.sql &&
	printf "%sDROP TABLE g;\n" "$BOM" >bom/1_g.down.sql &&
	godwit --url "$PG_URL" --dir bom up &&
	test "$(pg_count g)" = 0 &&
	godwit --url "$PG_URL" --dir bom down &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename = ${SQ}g${SQ}")" = 0
'

test_expect_success PG 'the byte-order mark is not part of the checksum: adding or removing one changes nothing' '
	pg_new_db &&
	mkdir ck &&
	printf -- "-- migrate:up\nCREATE TABLE c1 (id int);\n-- migrate:down\nDROP TABLE c1;\n" \
		>ck/20240101000000_c1.sql &&
	printf "%s-- migrate:up\nCREATE TABLE c2 (id int);\n-- migrate:down\nDROP TABLE c2;\n" "$BOM" \
		>ck/20240101000001_c2.sql &&
	godwit --url "$PG_URL" --dir ck up &&
	pg_sql "SELECT checksum FROM godwit_migrations ORDER BY version" >sums &&
	printf "CREATE TABLE c1 (id int);\n" | sha256sum | cut -d" " -f1 >expect &&
	printf "CREATE TABLE c2 (id int);\n" | sha256sum | cut -d" " -f1 >>expect &&
	test_cmp expect sums &&
	printf "%s-- migrate:up\nCREATE TABLE c1 (id int);\n-- migrate:down\nDROP TABLE c1;\n" "$BOM" \
		>ck/20240101000000_c1.sql &&
	printf -- "-- migrate:up\nCREATE TABLE c2 (id int);\n-- migrate:down\nDROP TABLE c2;\n" \
		>ck/20240101000001_c2.sql &&
	godwit --url "$PG_URL" --dir ck status >out &&
	awk "{ print \$1, \$2, \$3 }" out >actual &&
	cat >expect <<-\EOF &&
	applied 20240101000000 c1
	applied 20240101000001 c2
	2 applied, 0
	EOF
	test_cmp expect actual
'

test_done
