#!/bin/sh
test_description='status reads the history once, without the names of its rows; only when a row has no file (missing) are the names read again, that row'\''s shown as stored'
. "$(dirname "$0")/lib.sh"

# scans: how many times the history table was read (sequential and index
# scans), once every other session of the database has ended and
# reported its counts.
scans()
{
	_gw_i=0
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()")" = 0
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 100 || return 1
		sleep 0.1
	done
	pg_sql "SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_user_tables
		WHERE relname = ${SQ}godwit_migrations${SQ}"
}

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

test_expect_success PG 'every row has its file: the table is read once' '
	before=$(scans) &&
	godwit --url "$PG_URL" status >out &&
	after=$(scans) &&
	test "$after" -eq $((before + 1)) &&
	test_grep "^3 applied, 0 pending" out
'

test_expect_success PG 'a row with no file: the names are read once more, its own shown' '
	pg_sql "UPDATE godwit_migrations SET name = E${SQ}gone\\tname${SQ} WHERE version = ${SQ}20240101000002${SQ}" &&
	pg_sql "UPDATE godwit_migrations SET name = ${SQ}not_m1${SQ} WHERE version = ${SQ}20240101000001${SQ}" &&
	rm db/migrations/20240101000002_m2.sql &&
	before=$(scans) &&
	godwit --url "$PG_URL" status --format json >status.json &&
	after=$(scans) &&
	test "$after" -eq $((before + 2)) &&
	grep "\"name\":" status.json >actual &&
	cat >expect <<-\EOF &&
	      "name": "m1",
	      "name": "m3",
	      "name": "gone\tname",
	EOF
	test_cmp expect actual &&
	godwit --url "$PG_URL" status >out &&
	test_grep "^missing  *20240101000002  *gone	name " out
'

test_expect_success SQLITE3 'on SQLite the same names' '
	mkdir sq && cd sq &&
	write_migration db/migrations/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	EOF
	write_migration db/migrations/20240101000002_b.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE b (id int);
	EOF
	godwit --url sqlite:app.db up >out 2>&1 &&
	sqlite_sql app.db "UPDATE godwit_migrations SET name = ${SQ}b_was_here${SQ} WHERE version = ${SQ}20240101000002${SQ}" &&
	rm db/migrations/20240101000002_b.sql &&
	godwit --url sqlite:app.db status >out &&
	test_grep "^applied  *20240101000001  *a " out &&
	test_grep "^missing  *20240101000002  *b_was_here " out
'

test_done
