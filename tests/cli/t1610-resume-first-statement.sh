#!/bin/sh
test_description='up --resume runs the failed statement of a dirty no-transaction migration, even when it is the first'
. "$(dirname "$0")/lib.sh"

# on BACKEND: work in BACKEND's folder, on its database.
on()
{
	backend=$1
	cd "$TRASH_DIRECTORY/$1" || return 1
	if [ "$backend" = pg ]; then
		PG_URL=$(cat pg_url) || return 1
	fi
}

# row VERSION: "state done/total" of VERSION's history row.
row()
{
	db_sql "SELECT state || ' ' || statements_done || '/' || statements_total FROM godwit_migrations WHERE version = '$1'"
}

for backend in sqlite pg
do
	if [ $backend = pg ]; then
		prereq=PG
	else
		prereq=SQLITE3
	fi

	test_expect_success $prereq "$backend: setup" '
		mkdir $backend &&
		if [ $backend = pg ]; then pg_new_db && echo "$PG_URL" >$backend/pg_url; fi &&
		on $backend &&
		mkdir -p db &&
		# A duplicate key fails only when the statement runs: up
		# prepares every SQLite migration first, so a missing table
		# would be refused before anything ran.
		db_sql "CREATE TABLE nope (id int PRIMARY KEY); INSERT INTO nope VALUES (1)" &&
		write_migration db/migrations/20240101000000_first.sql <<-\EOF
		-- migrate:up
		-- godwit:no-transaction
		INSERT INTO nope VALUES (1);
		CREATE TABLE t3 (id int);
		EOF
	'

	test_expect_success $prereq "$backend: a failed first statement leaves the migration dirty at statement 1" '
		on $backend &&
		test_expect_code 1 gw up >out 2>err &&
		test_grep "first.sql:3:1: UNIQUE constraint failed: nope.id\|first.sql:3:1: duplicate key value violates unique constraint \"nope_pkey\"" err &&
		test_grep "20240101000000 is now dirty: statement 1 of 2 failed" err &&
		test "$(row 20240101000000)" = "dirty 0/2"
	'

	test_expect_success $prereq "$backend: up --dry-run --resume shows the run resuming at statement 1" '
		on $backend &&
		gw up --dry-run --resume >out &&
		test_grep "^-- 20240101000000 first (20240101000000_first.sql) \[no transaction\], 2 statements, resuming at statement 1$" out
	'

	test_expect_success $prereq "$backend: up --resume runs statement 1 and the rest" '
		on $backend &&
		db_sql "DELETE FROM nope" &&
		gw up --resume >out 2>err &&
		sed "s/ ([0-9]* ms)$//" out >actual &&
		printf "%s\n" "applied  20240101000000 first" "applied 1 migration" >expect &&
		test_cmp expect actual &&
		test_grep ! "concurrent runner" err &&
		test "$(row 20240101000000)" = "applied 2/2" &&
		test "$(db_sql "SELECT count(*) FROM nope")" = 1 &&
		test "$(db_sql "SELECT count(*) FROM t3")" = 0 &&
		gw status --exit-code
	'
done

test_expect_success PG 'pg: a failed CREATE INDEX CONCURRENTLY as the first statement is resumed' '
	on pg &&
	write_migration db/migrations/20240102000000_index_first.sql <<-\EOF &&
	-- migrate:up
	CREATE INDEX CONCURRENTLY later_a ON later (a);
	CREATE TABLE after_index (id int);
	EOF
	test_expect_code 1 gw up >out 2>err &&
	test_grep "index_first.sql:2:.*relation \"later\" does not exist" err &&
	test "$(row 20240102000000)" = "dirty 0/2" &&
	pg_sql "CREATE TABLE later (a int)" &&
	gw up --resume >out 2>err &&
	test_grep "^applied  20240102000000 index_first" out &&
	test_grep ! "concurrent runner" err &&
	test "$(row 20240102000000)" = "applied 2/2" &&
	test "$(pg_sql "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass('\''later_a'\'')")" = t &&
	test "$(pg_sql "SELECT to_regclass('\''after_index'\'') IS NOT NULL")" = t
'

test_done
