#!/bin/sh
test_description='a history row holds a checksum of 64 lowercase hex digits as its 32 bytes: status compares and shows every checksum exactly as stored (other case, other length, another text, a changed file, a row no file has), and shares one applied_by between rows without mixing them up; numbers read by hand read as the server wrote them'
. "$(dirname "$0")/lib.sh"

# status --format json, one line per migration:
# "version|state|applied_by|execution_ms|total|done|checksum|applied_checksum"
fields()
{
	godwit --url "$1" status --format json >status.json || return 1
	awk -F'": ' '
		function val(s) { sub(/,$/, "", s); gsub(/"/, "", s); return s }
		/^    \{/ { split("", f) }
		/^      "[a-z_]+":/ { k = $1; sub(/^ *"/, "", k); f[k] = val($2) }
		/^    \}/ { print f["version"] "|" f["state"] "|" f["applied_by"] "|" \
			f["execution_ms"] "|" f["statements_total"] "|" f["statements_done"] "|" \
			f["checksum"] "|" f["applied_checksum"] }
	' status.json
}

test_expect_success PG 'setup: six migrations applied' '
	pg_new_db &&
	for i in 1 2 3 4 5 6; do
		write_migration db/migrations/2024010100000${i}_m$i.sql <<-EOF || return 1
		-- migrate:up
		CREATE TABLE m$i (id int);
		-- migrate:down
		DROP TABLE m$i;
		EOF
	done &&
	godwit --url "$PG_URL" up >out 2>&1 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 6
'

test_expect_success PG 'checksums of every form are compared and shown as stored' '
	pg_sql "SELECT version || '\''|'\'' || checksum FROM godwit_migrations ORDER BY version" >sums &&
	test "$(awk -F"|" "length(\$2) == 64 && \$2 ~ /^[0-9a-f]+\$/" sums | wc -l)" = 6 &&
	pg_sql "UPDATE godwit_migrations SET checksum = CASE version
		WHEN '\''20240101000001'\'' THEN upper(checksum)
		WHEN '\''20240101000002'\'' THEN '\''sha256:'\'' || checksum
		WHEN '\''20240101000003'\'' THEN md5(checksum) || md5(checksum)
		WHEN '\''20240101000004'\'' THEN left(checksum, 63)
		WHEN '\''20240101000005'\'' THEN checksum || '\''0'\''
		ELSE checksum END" &&
	pg_sql "INSERT INTO godwit_migrations (version, name, checksum, applied_at, applied_by)
		VALUES ('\''20231231000000'\'', '\''gone'\'', repeat('\''0f'\'', 32), now(), current_user)" &&
	pg_sql "SELECT version || '\''|'\'' || checksum FROM godwit_migrations ORDER BY version" >stored &&
	fields "$PG_URL" >got &&
	awk -F"|" "{ print \$1 \"|\" \$2 \"|\" \$8 }" got | sort >actual &&
	file_sum() { grep "^$1|" sums | cut -d"|" -f2; } &&
	row_sum() { grep "^$1|" stored | cut -d"|" -f2; } &&
	{
		echo "20231231000000|missing|$(row_sum 20231231000000)" &&
		for v in 1 2 3 4 5; do
			echo "2024010100000$v|changed|$(row_sum 2024010100000$v)" || return 1
		done &&
		echo "20240101000006|applied|$(file_sum 20240101000006)"
	} >expect &&
	test_cmp expect actual &&
	test "$(row_sum 20231231000000)" = 0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f &&
	grep "^20240101000001|" got | cut -d"|" -f8 | grep "^[0-9A-F]\{64\}\$" &&
	awk -F"|" "\$1 != \"20231231000000\" { print \$1 \"|\" \$7 }" got | sort >actual &&
	sort sums >expect &&
	test_cmp expect actual
'

test_expect_success PG 'a file put back as it was applied reads as applied again' '
	pg_sql "UPDATE godwit_migrations SET checksum = lower(checksum) WHERE version = '\''20240101000001'\''" &&
	fields "$PG_URL" >got &&
	grep "^20240101000001|applied|" got &&
	godwit --url "$PG_URL" status >out &&
	grep "^20240101000001|" sums | cut -d"|" -f2 >expect &&
	grep "^20240101000001|" got | cut -d"|" -f8 >actual &&
	test_cmp expect actual
'

test_expect_success PG 'applied_by shared between rows stays each row'\''s own' '
	pg_sql "UPDATE godwit_migrations SET applied_by = CASE version
		WHEN '\''20240101000001'\'' THEN '\''alice'\''
		WHEN '\''20240101000002'\'' THEN '\''alice'\''
		WHEN '\''20240101000003'\'' THEN '\''bob'\''
		WHEN '\''20240101000004'\'' THEN '\''alice'\''
		WHEN '\''20240101000005'\'' THEN NULL
		WHEN '\''20240101000006'\'' THEN '\''alice'\''
		ELSE '\''alicia'\'' END" &&
	fields "$PG_URL" | cut -d"|" -f1,3 | sort >actual &&
	cat >expect <<-\EOF &&
	20231231000000|alicia
	20240101000001|alice
	20240101000002|alice
	20240101000003|bob
	20240101000004|alice
	20240101000005|null
	20240101000006|alice
	EOF
	test_cmp expect actual
'

test_expect_success PG 'execution_ms and progress read as the server wrote them' '
	pg_sql "UPDATE godwit_migrations SET execution_ms = CASE version
		WHEN '\''20240101000001'\'' THEN 123456789012345678
		WHEN '\''20240101000002'\'' THEN 9223372036854775807
		WHEN '\''20240101000003'\'' THEN -5
		WHEN '\''20240101000004'\'' THEN 0
		ELSE NULL END" &&
	pg_sql "UPDATE godwit_migrations SET state = '\''dirty'\'', statements_total = 2147483647, statements_done = 1999999999 WHERE version = '\''20240101000005'\''" &&
	fields "$PG_URL" | cut -d"|" -f1,4,5,6 | sort >actual &&
	cat >expect <<-\EOF &&
	20231231000000|null|0|0
	20240101000001|123456789012345678|1|1
	20240101000002|9223372036854775807|1|1
	20240101000003|null|1|1
	20240101000004|0|1|1
	20240101000005|null|2147483647|1999999999
	20240101000006|null|1|1
	EOF
	test_cmp expect actual &&
	godwit --url "$PG_URL" status >out &&
	grep "statement 2000000000 of 2147483647 was interrupted" out
'

test_expect_success SQLITE3 'on SQLite the same: other case changed, same bytes applied' '
	mkdir sq && cd sq &&
	write_migration db/migrations/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	write_migration db/migrations/20240101000002_b.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE b (id int);
	-- migrate:down
	DROP TABLE b;
	EOF
	godwit --url sqlite:app.db up >out 2>&1 &&
	sqlite_sql app.db "UPDATE godwit_migrations SET checksum = upper(checksum) WHERE version = '\''20240101000001'\''" &&
	sqlite_sql app.db "SELECT version || '\''|'\'' || checksum FROM godwit_migrations ORDER BY version" >stored &&
	fields sqlite:app.db | cut -d"|" -f1,2,8 >actual &&
	{
		echo "20240101000001|changed|$(sed -n 1p stored | cut -d"|" -f2)" &&
		echo "20240101000002|applied|$(sed -n 2p stored | cut -d"|" -f2)"
	} >expect &&
	test_cmp expect actual
'

test_done
