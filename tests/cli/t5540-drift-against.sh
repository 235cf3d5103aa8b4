#!/bin/sh
test_description='drift --against: the migrations schema compared with a desired one'
# ctest: ephemeral databases
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup: migrations and the ORM schema they were generated from' '
	pg_new_db &&
	mkdir -p db/migrations &&
	cat >db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int PRIMARY KEY, email text);
	-- migrate:down
	DROP TABLE users;
	EOF
	cat >orm.sql <<-\EOF
	CREATE TABLE users (id int PRIMARY KEY, email text);
	EOF
'

test_expect_success PG 'in step: no drift, exit 0, the live database untouched' '
	godwit --url "$PG_URL" drift --against orm.sql >out &&
	echo "no drift: the migrations give the schema of orm.sql" >expect &&
	test_cmp expect out &&
	test "$(psql -X -A -t -d "$PG_URL" -c "SELECT count(*) FROM pg_tables WHERE schemaname = '\''public'\''")" = 0
'

test_expect_success PG 'the ORM schema was edited, no migration generated: exit 3 and what is missing' '
	cat >orm.sql <<-\EOF &&
	CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, name text);
	CREATE TABLE posts (id int PRIMARY KEY);
	EOF
	test_expect_code 3 godwit --url "$PG_URL" drift --against orm.sql >out 2>err &&
	cat >expect <<-\EOF &&
	drift: the migrations'\'' schema differs from orm.sql
	(missing: in orm.sql, not made by any migration; extra: made by the migrations only)
	  table public.posts missing
	  table public.users: column email: text not null → text
	  table public.users: column name missing
	EOF
	test_cmp expect out &&
	echo "hint: '\''godwit generate NAME --to \"orm.sql\"'\'' writes the migration" >expect &&
	test_cmp expect err
'

test_expect_success PG 'after generate, no drift again; --format json' '
	godwit --url "$PG_URL" generate catch_up --to orm.sql --allow-unsafe >/dev/null 2>&1 &&
	godwit --url "$PG_URL" drift --against orm.sql >out &&
	echo "no drift: the migrations give the schema of orm.sql" >expect &&
	test_cmp expect out &&
	godwit --url "$PG_URL" drift --against orm.sql --format json >out.json &&
	test_grep "\"drift\": false" out.json
'

test_expect_success PG '--against with --replay or --record is a usage error' '
	test_expect_code 2 godwit --url "$PG_URL" drift --against orm.sql --replay 2>err &&
	test_grep "against compares the migrations with SOURCE; it goes with neither --record nor --replay" err
'

test_expect_success PG 'a source that does not load names its line' '
	echo "CREATE TABLE broken (id nosuchtype);" >bad.sql &&
	test_expect_code 1 godwit --url "$PG_URL" drift --against bad.sql 2>err &&
	test_grep "bad.sql: line 1: .*type \"nosuchtype\" does not exist" err
'

test_done
