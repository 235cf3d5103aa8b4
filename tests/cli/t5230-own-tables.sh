#!/bin/sh
test_description='test, schema dump and drift leave godwit'\''s own tables out, whatever their names'
# ctest: ephemeral databases
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a project with seeds and renamed history tables' '
	write_migration db/migrations/20240101000000_t.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t (id int);
	-- migrate:down
	DROP TABLE t;
	EOF
	mkdir db/seeds &&
	echo "INSERT INTO t VALUES (1);" >db/seeds/01_t.sql &&
	cat >godwit.conf <<-\EOF
	seeds_dir = db/seeds
	table = my_history
	events_table = my_events
	EOF
'

test_expect_success SQLITE3 'SQLite: test passes; godwit_seeds is not an extra table' '
	TMPDIR=$PWD godwit --url sqlite:target.db test >out &&
	test_grep "^pass        20240101000000 t\$" out &&
	test_grep "^1 passed, 0 failed, 0 untestable\$" out
'

test_expect_success SQLITE3 'SQLite: schema dump after up shows only the project'\''s table' '
	godwit --url sqlite:app.db up &&
	test "$(sqlite_sql app.db "SELECT count(*) FROM godwit_seeds")" = 1 &&
	godwit --url sqlite:app.db schema dump >dump &&
	sed -n "/^table /p" dump >tables &&
	echo "table t" >expect &&
	test_cmp expect tables
'

test_expect_success PG 'PostgreSQL: the same, with the history in its own schema' '
	pg_new_db &&
	godwit --url "$PG_URL" --schema godwit test >out &&
	test_grep "^1 passed, 0 failed, 0 untestable\$" out &&
	godwit --url "$PG_URL" --schema godwit up &&
	test "$(pg_sql "SELECT count(*) FROM godwit.godwit_seeds")" = 1 &&
	godwit --url "$PG_URL" --schema godwit schema dump >dump &&
	test_grep ! "^schema godwit" dump &&
	godwit --url "$PG_URL" --schema godwit schema dump --include-history >dump.all &&
	test_grep "^schema godwit\$" dump.all &&
	test_grep "^table godwit.godwit_seeds\$" dump.all &&
	sed -n "/^table /p" dump >tables &&
	echo "table public.t" >expect &&
	test_cmp expect tables
'

test_expect_success PG 'PostgreSQL: the lease table of lock = table is left out too' '
	pg_new_db &&
	GODWIT_LOCK=table godwit --url "$PG_URL" test >out &&
	test_grep "^1 passed, 0 failed, 0 untestable\$" out &&
	GODWIT_LOCK=table godwit --url "$PG_URL" up &&
	test "$(pg_sql "SELECT to_regclass('\''godwit_lock'\'') IS NOT NULL")" = t &&
	godwit --url "$PG_URL" schema dump >dump &&
	sed -n "/^table /p" dump >tables &&
	echo "table public.t" >expect &&
	test_cmp expect tables
'

test_done
