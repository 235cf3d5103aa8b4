#!/bin/sh
test_description='Flyway folders (V/U/R__ files) are detected, applied and reverted on SQLite and PostgreSQL'
. "$(dirname "$0")/lib.sh"

# The folder: versions written with dots and with underscores, compared as
# numbers (1.9 before 1.10), undo files, one versioned migration without a
# transaction, a repeatable view, and a README godwit must leave alone.

test_expect_success 'setup: a Flyway folder' '
	write_migration template/db/migrations/V1__base.sql <<-\EOF &&
	CREATE TABLE base (id int);
	EOF
	write_migration template/db/migrations/V1_1__users.sql <<-\EOF &&
	CREATE TABLE users (id int PRIMARY KEY);
	EOF
	write_migration template/db/migrations/U1_1__users.sql <<-\EOF &&
	DROP TABLE users;
	EOF
	write_migration template/db/migrations/V1.9__tags.sql <<-\EOF &&
	CREATE TABLE tags (id int);
	EOF
	write_migration template/db/migrations/U1.9__tags.sql <<-\EOF &&
	DROP TABLE tags;
	EOF
	write_migration template/db/migrations/V1.10__posts.sql <<-\EOF &&
	-- godwit:no-transaction
	CREATE TABLE posts (id int, user_id int REFERENCES users (id));
	EOF
	write_migration template/db/migrations/U1.10__posts.sql <<-\EOF &&
	DROP TABLE posts;
	EOF
	write_migration template/db/migrations/R__user_view.sql <<-\EOF &&
	DROP VIEW IF EXISTS user_ids;
	CREATE VIEW user_ids AS SELECT id FROM users;
	EOF
	echo "# Flyway migrations" >template/db/migrations/README.md &&
	cat >expect.pending <<-\EOF
	1 pending tx no-down
	1.1 pending tx down
	1.9 pending tx down
	1.10 pending no-tx down
	R__user_view pending tx no-down
	EOF
'

for backend in sqlite pg
do
	if [ $backend = pg ]; then
		prereq=PG
	else
		prereq=SQLITE3
	fi

	test_expect_success $prereq "$backend: detected; status lists numeric order, repeatable last" '
		cp -R template $backend &&
		cd $backend &&
		if [ $backend = pg ]; then pg_new_db && echo "$PG_URL" >pg_url; fi &&
		states >actual 2>err &&
		test_cmp ../expect.pending actual &&
		test_grep "db/migrations/README.md is not a migration (not a .sql file); ignored" err
	'

	test_expect_success $prereq "$backend: up applies versioned ones, then the repeatable" '
		cd $backend &&
		if [ $backend = pg ]; then PG_URL=$(cat pg_url); fi &&
		gw up >out &&
		printf "%s\n" "1 base" "1.1 users" "1.9 tags" "1.10 posts" "R__user_view user_view" >expect &&
		sed -n "s/^applied  *\([^ ]* [a-z_]*\) (.*/\1/p" out >actual &&
		test_cmp expect actual &&
		printf "base\nposts\ntags\nusers\n" >expect &&
		user_tables >actual &&
		test_cmp expect actual &&
		test "$(db_sql "SELECT count(*) FROM user_ids")" = 0
	'

	test_expect_success $prereq "$backend: down 2 reverts with the U files, leaving the repeatable" '
		cd $backend &&
		if [ $backend = pg ]; then PG_URL=$(cat pg_url); fi &&
		gw down 2 >out &&
		printf "%s\n" "1.10 posts" "1.9 tags" >expect &&
		sed -n "s/^reverted  *\([^ ]* [a-z]*\) (.*/\1/p" out >actual &&
		test_cmp expect actual &&
		printf "base\nusers\n" >expect &&
		user_tables >actual &&
		test_cmp expect actual
	'

	test_expect_success $prereq "$backend: --source-format flyway forces it; another format refuses the folder" '
		cd $backend &&
		if [ $backend = pg ]; then PG_URL=$(cat pg_url); fi &&
		gw --source-format flyway up >out &&
		test_grep "^applied 2 migrations$" out &&
		test_expect_code 1 gw --source-format golang-migrate status 2>err &&
		test_grep "db/migrations/R__user_view.sql: does not follow the golang-migrate convention (it looks like flyway)" err
	'
done

test_expect_success 'V1.1 and V1_1 are one version' '
	mkdir -p dup/db/migrations &&
	cd dup &&
	echo "SELECT 1;" >db/migrations/V1.1__a.sql &&
	echo "SELECT 1;" >db/migrations/V1_1__b.sql &&
	test_expect_code 1 godwit status 2>err &&
	test_grep "duplicate version 1.1: V1.1__a.sql and V1_1__b.sql" err
'

test_expect_success 'an undo file without its versioned file is an error' '
	mkdir -p orphan/db/migrations &&
	cd orphan &&
	echo "SELECT 1;" >db/migrations/V1__a.sql &&
	echo "SELECT 1;" >db/migrations/U2__b.sql &&
	test_expect_code 1 godwit status 2>err &&
	test_grep "db/migrations/U2__b.sql: there is no V2__b.sql for this down migration; add it or delete this file" err
'

test_expect_success 'godwit new in a Flyway folder writes V and U files' '
	mkdir -p new/db/migrations &&
	cd new &&
	echo "SELECT 1;" >db/migrations/V1__a.sql &&
	godwit new add_things >out &&
	ls db/migrations >actual &&
	test "$(grep -c "^V[0-9.]*__add_things.sql$" actual)" = 1 &&
	test "$(grep -c "^U[0-9.]*__add_things.sql$" actual)" = 1
'

test_expect_success SQLITE3 'a native folder takes repeatables from repeatable/, applied last' '
	mkdir -p native/db/migrations/repeatable &&
	cd native &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/repeatable/user_view.sql <<-\EOF &&
	DROP VIEW IF EXISTS user_ids;
	CREATE VIEW user_ids AS SELECT id FROM users;
	EOF
	godwit up >out &&
	printf "%s\n" "20240101000000 users" "R__user_view user_view" >expect &&
	sed -n "s/^applied  *\([^ ]* [a-z_]*\) (.*/\1/p" out >actual &&
	test_cmp expect actual &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM user_ids")" = 0
'

test_done
