#!/bin/sh
test_description='the history is read as a COPY of its query: values with tabs, newlines, backslashes and \N come through as stored, NULLs stay NULL, thousands of rows are all read, and the session goes on to apply'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup: three migrations applied' '
	pg_new_db &&
	for i in 1 2 3; do
		write_migration db/migrations/2024010100000${i}_m$i.sql <<-EOF || return 1
		-- migrate:up
		CREATE TABLE m$i (id int);
		-- migrate:down
		DROP TABLE m$i;
		EOF
	done &&
	godwit --url "$PG_URL" up >out 2>&1 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 3
'

test_expect_success PG 'tabs, newlines, backslashes and \N read as stored' '
	pg_sql "UPDATE godwit_migrations SET state = '\''dirty'\'', statements_total = 2, statements_done = 1,
		error = E'\''one\n\ttwo \\\\ three \\\\N\r'\'', applied_by = '\''\\N'\'' WHERE version = '\''20240101000002'\''" &&
	pg_sql "UPDATE godwit_migrations SET applied_by = E'\''ci\\\\bot\tx'\'' WHERE version = '\''20240101000001'\''" &&
	pg_sql "INSERT INTO godwit_migrations (version, name, checksum, applied_at, applied_by)
		VALUES ('\''20231231000000'\'', E'\''gone\tname \\\\N'\'', '\''abc'\'', now(), E'\''\\\\'\'')" &&
	godwit --url "$PG_URL" status --format json >status.json &&
	cat >expect <<-\EOF &&
	      "applied_by": "ci\\bot\tx",
	      "applied_by": "\\N",
	      "error": "one\n\ttwo \\ three \\N\r",
	      "name": "gone\tname \\N",
	      "applied_by": "\\",
	EOF
	grep -e "\"applied_by\": \"[^p]" -e "\"error\": \"" -e "\"name\": \"gone" status.json >actual &&
	test_cmp expect actual
'

test_expect_success PG 'NULLs stay NULL' '
	pg_sql "UPDATE godwit_migrations SET applied_by = NULL, execution_ms = NULL, error = NULL WHERE version = '\''20240101000003'\''" &&
	godwit --url "$PG_URL" status --format json >status.json &&
	sed -n "/\"version\": \"20240101000003\"/,/}/p" status.json >row &&
	test_grep "\"applied_by\": null," row &&
	test_grep "\"execution_ms\": null," row &&
	test_grep "\"error\": null," row
'

test_expect_success PG 'thousands of rows are all read, in the versions order' '
	pg_sql "INSERT INTO godwit_migrations (version, name, checksum, applied_at)
		SELECT 20200101000000 + g, E'\''old\t'\'' || g, '\''abc'\'', now() FROM generate_series(1, 3000) g" &&
	godwit --url "$PG_URL" status >out &&
	test "$(grep -c "^missing .*old	" out)" = 3000 &&
	grep "^missing" out | head -n 1 >first &&
	test_grep "20200101000001 .*old	1 " first &&
	grep "^missing" out | sed -n 3000p >last &&
	test_grep "20200101003000 .*old	3000 " last
'

test_expect_success PG 'errors longer than a block of rows read whole, between short rows' '
	pg_sql "UPDATE godwit_migrations SET state = '\''dirty'\'', statements_total = 2, statements_done = 1,
		error = CASE version WHEN '\''20240101000001'\'' THEN repeat('\''a'\'', 20000) || '\''<'\''
		ELSE repeat('\''b'\'', 70000) || '\''>'\'' END WHERE version IN ('\''20240101000001'\'', '\''20240101000003'\'')" &&
	godwit --url "$PG_URL" status >out &&
	grep "failed: " out | sed "s/.*failed: //" >actual &&
	test "$(sed -n 1p actual | wc -c)" = 20002 &&
	test "$(sed -n 1p actual | tr -d a)" = "<" &&
	test "$(sed -n 3p actual | wc -c)" = 70002 &&
	test "$(sed -n 3p actual | tr -d b)" = ">" &&
	test "$(grep -c "^missing .*old	" out)" = 3000
'

test_expect_success PG 'the session that read the history goes on to apply' '
	pg_sql "DELETE FROM godwit_migrations WHERE version < '\''20240101000001'\''" &&
	pg_sql "UPDATE godwit_migrations SET state = '\''applied'\'', error = NULL" &&
	write_migration db/migrations/20240101000004_m4.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE m4 (id int);
	-- migrate:down
	DROP TABLE m4;
	EOF
	godwit --url "$PG_URL" up >out 2>&1 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 4 &&
	test "$(pg_sql "SELECT to_regclass('\''m4'\'') IS NOT NULL")" = t
'

test_done
