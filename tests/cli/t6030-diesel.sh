#!/bin/sh
test_description='diesel folders (<version>_<name>/up.sql, down.sql) are detected, applied and reverted on SQLite and PostgreSQL'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a diesel folder' '
	m=template/db/migrations &&
	write_migration $m/00000000000000_diesel_initial_setup/up.sql <<-\EOF &&
	CREATE TABLE base (id int);
	EOF
	write_migration $m/00000000000000_diesel_initial_setup/down.sql <<-\EOF &&
	-- This file was automatically created by Diesel
	EOF
	write_migration $m/2023-07-05-000058_create_users/up.sql <<-\EOF &&
	CREATE TABLE users (id int PRIMARY KEY);
	EOF
	write_migration $m/2023-07-05-000058_create_users/down.sql <<-\EOF &&
	DROP TABLE users;
	EOF
	write_migration $m/2023-07-06-101010-0000_create_posts/up.sql <<-\EOF &&
	CREATE TABLE posts (id int, user_id int REFERENCES users (id));
	EOF
	write_migration $m/2023-07-06-101010-0000_create_posts/down.sql <<-\EOF &&
	DROP TABLE posts;
	EOF
	write_migration $m/2023-07-06-101010-0000_create_posts/metadata.toml <<-\EOF &&
	run_in_transaction = false
	EOF
	mkdir -p $m/.keep &&
	cat >expect.pending <<-\EOF
	00000000000000 pending tx no-down
	20230705000058 pending tx down
	202307061010100000 pending no-tx down
	EOF
'

for backend in sqlite pg
do
	if [ $backend = pg ]; then
		prereq=PG
	else
		prereq=SQLITE3
	fi

	test_expect_success $prereq "$backend: detected; status shows versions without dashes" '
		cp -R template $backend &&
		cd $backend &&
		if [ $backend = pg ]; then pg_new_db && echo "$PG_URL" >pg_url; fi &&
		states >actual &&
		test_cmp ../expect.pending actual &&
		states --source-format diesel >actual &&
		test_cmp ../expect.pending actual
	'

	test_expect_success $prereq "$backend: up applies, down 2 reverts with down.sql" '
		cd $backend &&
		if [ $backend = pg ]; then PG_URL=$(cat pg_url); fi &&
		gw up >out &&
		test_grep "^applied 3 migrations$" out &&
		printf "base\nposts\nusers\n" >expect &&
		user_tables >actual &&
		test_cmp expect actual &&
		gw down 2 >out &&
		test_grep "^reverted 2 migrations$" out &&
		echo base >expect &&
		user_tables >actual &&
		test_cmp expect actual &&
		gw up >out &&
		test_grep "^applied 2 migrations$" out
	'
done

test_expect_success PG 'metadata.toml run_in_transaction = false really runs outside a transaction' '
	mkdir -p notx/db/migrations &&
	cd notx &&
	write_migration db/migrations/2023-01-01-000000_enum/up.sql <<-\EOF &&
	CREATE TYPE mood AS ENUM ('"'sad'"');
	CREATE TABLE feelings (m mood);
	EOF
	write_migration db/migrations/2023-01-02-000000_happy/up.sql <<-\EOF &&
	ALTER TYPE mood ADD VALUE '"'happy'"';
	INSERT INTO feelings VALUES ('"'happy'"');
	EOF
	echo "run_in_transaction = false" >db/migrations/2023-01-02-000000_happy/metadata.toml &&
	pg_new_db &&
	godwit --url "$PG_URL" up >out &&
	test_grep "^applied 2 migrations$" out &&
	test "$(pg_sql "SELECT m FROM feelings")" = happy
'

test_expect_success 'a diesel folder without up.sql is an error' '
	mkdir -p bad/db/migrations/2023-01-01-000000_a &&
	cd bad &&
	echo "SELECT 1;" >db/migrations/2023-01-01-000000_a/down.sql &&
	test_expect_code 1 godwit status 2>err &&
	test_grep "db/migrations/2023-01-01-000000_a/up.sql: missing; a diesel migration folder holds up.sql (and down.sql)" err
'

test_done
