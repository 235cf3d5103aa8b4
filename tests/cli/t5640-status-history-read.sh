#!/bin/sh
test_description='status reads only the history columns it shows, and shows them as before: applied_at as to_char printed it (inside and outside 1970-2099, infinity) and as SQLite holds it, dirty progress and errors, the names of missing rows'
. "$(dirname "$0")/lib.sh"

# status --format json (on $1, else PG_URL), one line per migration:
# "version|state|applied_at|applied_by|execution_ms|total|done|error|name|applied_checksum"
fields()
{
	godwit --url "${1:-$PG_URL}" status --format json >status.json || return 1
	awk -F'": ' '
		function val(s) { sub(/,$/, "", s); gsub(/"/, "", s); return s }
		/^    \{/ { split("", f) }
		/^      "[a-z_]+":/ { k = $1; sub(/^ *"/, "", k); f[k] = val($2) }
		/^    \}/ { print f["version"] "|" f["state"] "|" f["applied_at"] "|" \
			f["applied_by"] "|" f["execution_ms"] "|" f["statements_total"] "|" \
			f["statements_done"] "|" f["error"] "|" f["name"] "|" f["applied_checksum"] }
	' status.json
}

# What the server's to_char makes of version $1's applied_at.
server_at()
{
	pg_sql "SELECT coalesce(to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), 'null') FROM godwit_migrations WHERE version = '$1'"
}

# times_sql CAST T1 T2 T3 T4 T5: the UPDATE that gives migrations 1 to 4
# the applied_at texts T1 to T4 and every other T5; CAST follows the first
# (PostgreSQL takes a CASE of text literals as text, not the column's type).
times_sql()
{
	printf "UPDATE godwit_migrations SET applied_at = CASE version \
WHEN '20240101000001' THEN '%s'%s WHEN '20240101000002' THEN '%s' \
WHEN '20240101000003' THEN '%s' WHEN '20240101000004' THEN '%s' ELSE '%s' END" \
		"$2" "$1" "$3" "$4" "$5" "$6"
}

# "VERSION TIME" for migrations 1 to 5, each time as to_char prints it.
server_times()
{
	for v in 1 2 3 4 5; do
		echo "2024010100000$v $(server_at 2024010100000$v)" || return 1
	done
}

test_expect_success PG 'setup: five migrations applied' '
	pg_new_db &&
	for i in 1 2 3 4 5; do
		write_migration db/migrations/2024010100000${i}_m$i.sql <<-EOF || return 1
		-- migrate:up
		CREATE TABLE m$i (id int);
		-- migrate:down
		DROP TABLE m$i;
		EOF
	done &&
	godwit --url "$PG_URL" up >out 2>&1 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 5
'

test_expect_success PG 'applied_at reads as to_char printed it, in range and out of it' '
	pg_sql "$(times_sql ::timestamptz "2024-02-29 23:59:59.9995Z" "1969-12-31 23:59:59.999Z" \
		"2099-12-31 23:59:59.999999Z" "2100-01-01 00:00:00.0015Z" infinity)" &&
	fields >got &&
	server_times >expect &&
	cat >expect.literal <<-\EOF &&
	20240101000001 2024-02-29T23:59:59.999Z
	20240101000002 1969-12-31T23:59:59.999Z
	20240101000003 2099-12-31T23:59:59.999Z
	20240101000004 2100-01-01T00:00:00.001Z
	20240101000005 null
	EOF
	test_cmp expect.literal expect &&
	awk -F"|" "{ print \$1, \$3 }" got >actual &&
	test_cmp expect actual
'

# history_query DATESTYLE: the query status reads the history with, in a
# session of that DateStyle, as the server shows it while a lock holds it.
history_query()
{
	rm -f rc &&
	pg_hold_lock godwit_migrations &&
	{
		PGDATESTYLE="$1" godwit --url "$PG_URL" status >/dev/null 2>&1
		echo $? >rc
	} &
	_gw_i=0
	until pg_sql "SELECT query FROM pg_stat_activity WHERE application_name = 'godwit' AND wait_event_type = 'Lock' AND datname = current_database()" >query &&
		test -s query
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 300 || { touch release; return 1; }
		sleep 0.1
	done
	touch release &&
	wait_for_file rc 60 &&
	test "$(cat rc)" = 0
}

# applied_at comes as the server's binary count of microseconds, in every
# DateStyle: no time is printed by the server and parsed back, and the
# session's settings (or a pooler's report of them) play no part.
test_expect_success PG 'the history is read in the binary form, whatever the DateStyle' '
	test_when_finished "touch release" &&
	history_query "ISO, DMY" &&
	test_grep "COPY (SELECT version, NULLIF(kind, .versioned.), checksum, applied_at," query &&
	test_grep "TO STDOUT (FORMAT binary)" query &&
	test_grep ! "date_part\|to_char" query &&
	history_query "SQL, DMY" &&
	test_grep "COPY (SELECT version, NULLIF(kind, .versioned.), checksum, applied_at," query &&
	test_grep "TO STDOUT (FORMAT binary)" query
'

# The same times in every zone and style (the ISO text of an earlier
# reader carried the session's offset, in hours, minutes or, before 1972
# in Monrovia, seconds).
test_expect_success PG 'applied_at reads the same in every time zone and date style' '
	pg_sql "$(times_sql ::timestamptz "2024-02-29 23:59:59.9995Z" "1971-06-01 12:00:00.5Z" \
		"1999-12-31 23:30:00Z" "2030-01-01 00:00:00Z" "2025-07-01 01:02:03.04Z")" &&
	PGTZ=UTC fields >expect &&
	cat >expect.times <<-\EOF &&
	20240101000001 2024-02-29T23:59:59.999Z
	20240101000002 1971-06-01T12:00:00.500Z
	20240101000003 1999-12-31T23:30:00.000Z
	20240101000004 2030-01-01T00:00:00.000Z
	20240101000005 2025-07-01T01:02:03.040Z
	EOF
	awk -F"|" "{ print \$1, \$3 }" expect >times &&
	test_cmp expect.times times &&
	for zone in Asia/Kolkata America/St_Johns Africa/Monrovia Pacific/Kiritimati; do
		for style in "ISO, MDY" "SQL, DMY" "German"; do
			PGTZ=$zone PGDATESTYLE="$style" fields >actual &&
			test_cmp expect actual || return 1
		done
	done
'

# Times at the ends of 1970-2099 and beyond it read the same in every
# zone (an earlier reader sent those as to_char's text).
test_expect_success PG 'times at the ends of the range read the same in every time zone' '
	pg_sql "$(times_sql ::timestamptz "2099-12-31 23:59:59.999999Z" "1970-01-01 00:00:00Z" \
		"1969-12-31 23:00:00Z" "2100-01-01 01:00:00Z" infinity)" &&
	PGTZ=UTC fields >expect &&
	cat >expect.times <<-\EOF &&
	20240101000001 2099-12-31T23:59:59.999Z
	20240101000002 1970-01-01T00:00:00.000Z
	20240101000003 1969-12-31T23:00:00.000Z
	20240101000004 2100-01-01T01:00:00.000Z
	20240101000005 null
	EOF
	awk -F"|" "{ print \$1, \$3 }" expect >times &&
	test_cmp expect.times times &&
	for zone in Asia/Kolkata America/St_Johns; do
		PGTZ=$zone fields >actual &&
		test_cmp expect actual || return 1
	done
'

# Out of 1970-9999 a time is shown as to_char shows it: the year without
# its era, five digits past 9999; infinity as no time at all. One such
# row does not make status read the history twice (the ISO reader before
# read it again through an expression for any time it could not take).
test_expect_success PG,STRACE 'times far from now read as to_char prints them, in one read' '
	pg_sql "$(times_sql ::timestamptz "0044-03-15 12:00:00.25Z BC" "1969-07-20 20:17:40.123456Z" \
		"12000-01-01 00:00:00Z" -infinity "4713-11-24 00:00:00Z BC")" &&
	server_times >expect &&
	cat >expect.literal <<-\EOF &&
	20240101000001 0044-03-15T12:00:00.250Z
	20240101000002 1969-07-20T20:17:40.123Z
	20240101000003 12000-01-01T00:00:00.000Z
	20240101000004 null
	20240101000005 4713-11-24T00:00:00.000Z
	EOF
	test_cmp expect.literal expect &&
	fields | awk -F"|" "{ print \$1, \$3 }" >actual &&
	test_cmp expect actual &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -e trace=sendto -s 64 -o trace "$GODWIT" --url "$PG_URL" status >out &&
	test "$(grep -c "COPY (SELECT" trace)" = 1 &&
	test_grep "^applied .*20240101000003 .*m3 .*12000-01-01T00:00:00.000Z$" out
'

test_expect_success PG 'times, dirty progress, errors and missing names come from the rows' '
	pg_sql "UPDATE godwit_migrations SET applied_at = '\''2025-06-01 12:00:00.25Z'\''" &&
	pg_sql "UPDATE godwit_migrations SET kind = '\''baseline'\'', applied_by = '\''ci-bot'\'', execution_ms = 42 WHERE version = '\''20240101000001'\''" &&
	pg_sql "UPDATE godwit_migrations SET state = '\''dirty'\'', statements_total = 3, statements_done = 1, error = '\''boom'\'' WHERE version = '\''20240101000002'\''" &&
	pg_sql "INSERT INTO godwit_migrations (version, name, kind, file, checksum, applied_at, applied_by, execution_ms, statements_total, statements_done, state)
		VALUES ('\''20231231000000'\'', '\''gone_file'\'', '\''versioned'\'', '\''x.sql'\'', '\''abc'\'', '\''2025-06-01 12:00:00.25Z'\'', '\''old'\'', 7, 1, 1, '\''applied'\'')" &&
	pg_sql "UPDATE godwit_migrations SET checksum = '\''edited'\'' WHERE version = '\''20240101000003'\''" &&
	fields | cut -d"|" -f1-9 >actual &&
	user=$(pg_sql "SELECT current_user") &&
	ms4=$(pg_sql "SELECT execution_ms FROM godwit_migrations WHERE version = '\''20240101000004'\''") &&
	cat >expect <<-EOF &&
	20240101000001|applied|2025-06-01T12:00:00.250Z|ci-bot|42|1|1|null|m1
	20240101000002|dirty|2025-06-01T12:00:00.250Z|$user|$(pg_sql "SELECT execution_ms FROM godwit_migrations WHERE version = '\''20240101000002'\''")|3|1|boom|m2
	20240101000003|changed|2025-06-01T12:00:00.250Z|$user|$(pg_sql "SELECT execution_ms FROM godwit_migrations WHERE version = '\''20240101000003'\''")|1|1|null|m3
	20240101000004|applied|2025-06-01T12:00:00.250Z|$user|$ms4|1|1|null|m4
	20240101000005|applied|2025-06-01T12:00:00.250Z|$user|$(pg_sql "SELECT execution_ms FROM godwit_migrations WHERE version = '\''20240101000005'\''")|1|1|null|m5
	20231231000000|missing|2025-06-01T12:00:00.250Z|old|7|1|1|null|gone_file
	EOF
	test_cmp expect actual &&
	fields | grep "^20240101000003|" | cut -d"|" -f10 >actual &&
	echo edited >expect &&
	test_cmp expect actual
'

# The text of status shows neither who applied a migration nor how long
# it took, nor the statement counts of one applied whole: the server is
# not asked for them (each value it sends costs it a call and an
# allocation). JSON shows them all, and the text a dirty row's counts.
test_expect_success PG,STRACE 'the text of status asks only for the columns it shows' '
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -e trace=sendto -s 400 -o trace "$GODWIT" --url "$PG_URL" status >out &&
	grep "COPY (SELECT" trace >copy &&
	test "$(wc -l <copy)" = 1 &&
	! grep -e applied_by -e execution_ms copy &&
	test_grep "CASE WHEN state <> .*applied.* THEN statements_total END" copy &&
	test_grep "statement 2 of 3 failed: boom" out &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -e trace=sendto -s 400 -o trace "$GODWIT" --url "$PG_URL" status \
		--format json >status.json &&
	grep "COPY (SELECT" trace >copy &&
	test_grep "applied_by, execution_ms, statements_total, statements_done" copy &&
	test_grep "\"applied_by\": \"ci-bot\"" status.json &&
	test_grep "\"execution_ms\": 42" status.json
'

# A row holds its numbers in narrow fields when they fit, and in its odd
# part when one does not: a run of 2^32 ms and more, a statement count
# over 65,535, a negative one, each shown as the table holds it.
test_expect_success PG 'numbers too wide for a row are shown as the table holds them' '
	pg_sql "UPDATE godwit_migrations SET execution_ms = 5000000000, statements_total = 70000, statements_done = 65535 WHERE version = '\''20240101000004'\''" &&
	pg_sql "UPDATE godwit_migrations SET execution_ms = 2147483647, statements_total = 65535, statements_done = -2 WHERE version = '\''20240101000005'\''" &&
	fields | grep "^2024010100000[45]|" | cut -d"|" -f1,5-7 >actual &&
	cat >expect <<-\EOF &&
	20240101000004|5000000000|70000|65535
	20240101000005|2147483647|65535|-2
	EOF
	test_cmp expect actual &&
	pg_sql "UPDATE godwit_migrations SET state = '\''dirty'\'', statements_total = 70000, statements_done = 69999, error = '\''late'\'' WHERE version = '\''20240101000004'\''" &&
	godwit --url "$PG_URL" status >out &&
	test_grep "statement 70000 of 70000 failed: late" out &&
	pg_sql "UPDATE godwit_migrations SET state = '\''applied'\'', statements_total = 1, statements_done = 1, error = NULL, execution_ms = 1 WHERE version IN ('\''20240101000004'\'', '\''20240101000005'\'')"
'

test_expect_success PG 'the text output shows the same times and states' '
	godwit --url "$PG_URL" status >out &&
	test_grep "^applied .*20240101000001 .*m1 .*2025-06-01T12:00:00.250Z$" out &&
	test_grep "statement 2 of 3 failed: boom" out &&
	test_grep "^missing .*20231231000000 .*gone_file .*2025-06-01T12:00:00.250Z$" out &&
	test_grep "3 applied, 0 pending, 1 changed, 1 missing, 1 dirty" out
'

# A row holds applied_at as a number when it prints the very same text,
# else the text: what SQLite holds is shown as it is.
test_expect_success SQLITE3 'applied_at reads as SQLite holds it, valid or not' '
	mkdir sq &&
	cd sq &&
	for i in 1 2 3 4 5; do
		write_migration db/migrations/2024010100000${i}_m$i.sql <<-EOF || return 1
		-- migrate:up
		CREATE TABLE m$i (id int);
		EOF
	done &&
	godwit --url sqlite:h.db up >out 2>&1 &&
	sqlite_sql h.db "$(times_sql "" 2024-02-29T23:59:59.999Z 2023-02-29T00:00:00.000Z \
		1969-12-31T23:59:59.999Z 2024-01-01T24:00:00.000Z 9999-12-31T23:59:59.999Z)" &&
	sqlite_sql h.db "INSERT INTO godwit_migrations (version, name, kind, file, checksum, applied_at, applied_by, execution_ms, statements_total, statements_done, state)
		VALUES ('\''20231231000000'\'', '\''gone'\'', '\''versioned'\'', '\''x.sql'\'', '\''abc'\'', '\''2024-01-01 00:00:00'\'', '\''old'\'', 7, 1, 1, '\''applied'\'')" &&
	fields sqlite:h.db | cut -d"|" -f1-3 >actual &&
	cat >expect <<-\EOF &&
	20240101000001|applied|2024-02-29T23:59:59.999Z
	20240101000002|applied|2023-02-29T00:00:00.000Z
	20240101000003|applied|1969-12-31T23:59:59.999Z
	20240101000004|applied|2024-01-01T24:00:00.000Z
	20240101000005|applied|9999-12-31T23:59:59.999Z
	20231231000000|missing|2024-01-01 00:00:00
	EOF
	test_cmp expect actual &&
	godwit --url sqlite:h.db status >out &&
	test_grep "^applied .*20240101000002 .*m2 .*2023-02-29T00:00:00.000Z$" out &&
	test_grep "^applied .*20240101000005 .*m5 .*9999-12-31T23:59:59.999Z$" out &&
	test_grep "^missing .*20231231000000 .*gone .*2024-01-01 00:00:00$" out
'

test_done
