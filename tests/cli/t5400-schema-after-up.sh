#!/bin/sh
test_description='after up: the schema recorded for drift, and written to schema_file'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigint PRIMARY KEY, email text);
	EOF
	printf "schema_record = true\nschema_file = db/schema.sql\n" >godwit.conf
'

test_expect_success PG 'up records the snapshot and writes db/schema.sql' '
	godwit --url "$PG_URL" up &&
	test_grep "^table public.users" db/schema.sql &&
	test_grep "column email text" db/schema.sql &&
	! grep godwit_migrations db/schema.sql &&
	godwit --url "$PG_URL" schema dump >dump &&
	test_cmp dump db/schema.sql &&
	godwit --url "$PG_URL" drift >out &&
	test_grep "^no drift" out
'

test_expect_success PG 'a manual change after up is drift' '
	pg_sql "ALTER TABLE users ADD COLUMN nickname text" &&
	test_expect_code 3 godwit --url "$PG_URL" drift >out &&
	test_grep "nickname" out
'

test_expect_success PG 'an up with nothing to apply leaves both alone' '
	cp db/schema.sql before &&
	godwit --url "$PG_URL" up &&
	test_cmp before db/schema.sql &&
	test_expect_code 3 godwit --url "$PG_URL" drift >out
'

test_expect_success PG 'the recorded snapshot is stored compressed (TOAST), its hash beside it' '
	i=0 &&
	{
		echo "-- migrate:up" &&
		while [ $i -lt 40 ]; do
			echo "CREATE TABLE wide_$i (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now());"
			i=$((i + 1))
		done
	} >db/migrations/20240102000000_wide.sql &&
	godwit --url "$PG_URL" up &&
	test "$(pg_sql "SELECT octet_length(snapshot) > 4000 AND pg_column_size(snapshot) * 2 < octet_length(snapshot) FROM godwit_schema_snapshots ORDER BY id DESC LIMIT 1")" = t &&
	test "$(pg_sql "SELECT hash FROM godwit_schema_snapshots ORDER BY id DESC LIMIT 1")" = "$(sha256sum db/schema.sql | cut -d" " -f1)"
'

test_done
