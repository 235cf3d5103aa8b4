#!/bin/sh
test_description='a failing migration is rolled back whole, recorded, and reported at its file position'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigint PRIMARY KEY);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_broken.sql <<-\EOF
	-- migrate:up
	CREATE TABLE audit (id bigint);
	INSERT INTO audit VALUES (1);
	INSERT INTO   missing_table VALUES (1);
	CREATE TABLE never (id bigint);
	-- migrate:down
	DROP TABLE audit;
	EOF
'

test_expect_success PG 'a statement failing in the middle leaves nothing of that migration' '
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	test_grep "applied  20240101000000 users" out &&
	test_grep "godwit: error: db/migrations/20240102000000_broken.sql:4:15: relation \"missing_table\" does not exist (SQLSTATE 42P01)" err &&
	test_grep "rolled back" err &&
	test "$(pg_sql "SELECT to_regclass('\''audit'\'') IS NULL AND to_regclass('\''never'\'') IS NULL")" = t &&
	test "$(pg_sql "SELECT string_agg(version, '\'','\'') FROM godwit_migrations")" = 20240101000000
'

test_expect_success PG 'the failure is recorded as an event with its position' '
	pg_sql "SELECT action, version, sqlstate, error_file, error_line, error_column, error FROM godwit_events WHERE action = '\''fail'\''" >ev &&
	echo "fail|20240102000000|42P01|db/migrations/20240102000000_broken.sql|4|15|relation \"missing_table\" does not exist" >expect &&
	test_cmp expect ev
'

test_expect_success PG 'history shows the failure' '
	godwit --url "$PG_URL" history >out &&
	test_grep "fail .*20240102000000" out &&
	test_grep "20240102000000_broken.sql:4:15" out
'

test_expect_success PG 'on SQLite the same failure is found before anything runs, so nothing changes' '
	test_expect_code 1 godwit up 2>err &&
	test_grep "db/migrations/20240102000000_broken.sql:4:1: no such table: missing_table" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name IN ('\''users'\'', '\''audit'\'', '\''never'\'')")" = 0 &&
	godwit status >out &&
	test_grep "^0 applied, 2 pending" out
'

test_expect_success PG 'a fixed migration applies' '
	sed -i "s/missing_table/audit/" db/migrations/20240102000000_broken.sql &&
	godwit --url "$PG_URL" up &&
	test "$(pg_count audit)" = 2 &&
	test "$(pg_sql "SELECT to_regclass('\''never'\'') IS NOT NULL")" = t
'

test_expect_success PG 'BEGIN in a wrapped migration is refused before anything runs' '
	write_migration db/migrations/20240103000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	EOF
	write_migration db/migrations/20240104000000_tx.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE b (id int);
	  BEGIN;
	CREATE TABLE c (id int);
	COMMIT;
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "db/migrations/20240104000000_tx.sql:3:3: BEGIN inside a migration that godwit runs in a transaction" err &&
	test_grep "godwit:no-transaction" err &&
	test "$(pg_sql "SELECT to_regclass('\''a'\'') IS NULL")" = t &&
	test "$(pg_count godwit_migrations)" = 2
'

test_expect_success PG 'a syntax error in a later migration stops the whole run before it starts' '
	write_migration db/migrations/20240104000000_tx.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE b (id int);
	CREATE TABLE c (id int)
	  WHERE x;
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "db/migrations/20240104000000_tx.sql:4:3: syntax error at or near \"WHERE\"" err &&
	test "$(pg_sql "SELECT to_regclass('\''a'\'') IS NULL")" = t &&
	test "$(pg_count godwit_migrations)" = 2
'

test_expect_success PG 'COPY FROM STDIN is refused with a way out' '
	write_migration db/migrations/20240104000000_tx.sql <<-\EOF &&
	-- migrate:up
	COPY users FROM STDIN;
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "20240104000000_tx.sql:2:1: COPY ... FROM STDIN cannot run in a migration" err &&
	test "$(pg_count godwit_migrations)" = 2
'

test_expect_success PG 'a failing down is rolled back and the migration stays applied' '
	rm db/migrations/20240104000000_tx.sql &&
	write_migration db/migrations/20240103000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	DROP TABLE nothing_here;
	EOF
	godwit --url "$PG_URL" up &&
	test_expect_code 1 godwit --url "$PG_URL" down 2>err &&
	test_grep "20240103000000_a.sql:5:" err &&
	test_grep "still applied" err &&
	test "$(pg_sql "SELECT to_regclass('\''a'\'') IS NOT NULL")" = t &&
	test "$(pg_count godwit_migrations)" = 3
'

test_expect_success PG 'down of a migration without a down script changes nothing' '
	write_migration db/migrations/20240105000000_nodown.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE nd (id int);
	EOF
	godwit --url "$PG_URL" up &&
	test_expect_code 1 godwit --url "$PG_URL" down 2>err &&
	test_grep "cannot revert 20240105000000 nodown: it has no down migration" err &&
	test "$(pg_count godwit_migrations)" = 4
'

test_done
