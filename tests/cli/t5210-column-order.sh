#!/bin/sh
test_description='schema diff and test compare column positions unless --ignore-column-order'
# ctest: ephemeral databases
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup: the same columns in another order' '
	pg_new_db &&
	URL_A=$PG_URL &&
	pg_sql "CREATE TABLE person (id int, email text, name text); CREATE TYPE pair AS (x int, y int)" &&
	godwit --url "$URL_A" schema dump -o a.sql &&
	pg_new_db &&
	URL_B=$PG_URL &&
	pg_sql "CREATE TABLE person (id int, name text, email text); CREATE TYPE pair AS (y int, x int)"
'

test_expect_success PG 'two databases: column order changed, with both orders, exit 3' '
	test_expect_code 3 godwit schema diff "$URL_A" "$URL_B" >out &&
	cat >expect <<-\EOF &&
	table public.person: column order changed: id, email, name → id, name, email
	type public.pair: attribute order changed: x, y → y, x
	EOF
	test_cmp expect out
'

test_expect_success PG 'a file written by dump against a database: the same' '
	test_expect_code 3 godwit schema diff a.sql "$URL_B" >out &&
	test_cmp expect out
'

test_expect_success PG '--ignore-column-order: equal, also against a file in position order' '
	godwit schema diff --ignore-column-order "$URL_A" "$URL_B" >out &&
	test_grep "^the schemas are equal\$" out &&
	godwit schema diff --ignore-column-order a.sql "$URL_B" >out &&
	test_grep "^the schemas are equal\$" out
'

test_expect_success PG 'an added column is not an order change' '
	pg_sql "ALTER TABLE person ADD COLUMN age int; ALTER TYPE pair RENAME ATTRIBUTE x TO z" &&
	test_expect_code 3 godwit schema diff "$URL_A" "$URL_B" >out &&
	cat >expect <<-\EOF &&
	table public.person: column age extra
	table public.person: column order changed: id, email, name → id, name, email, age
	type public.pair: attribute x missing
	type public.pair: attribute z extra
	EOF
	test_cmp expect out
'

test_expect_success PG '--format json: the change keyed "column order"' '
	test_expect_code 3 godwit schema diff a.sql "$URL_B" --format json >out.json &&
	test_grep "\"key\": \"column order\"" out.json &&
	test_grep "\"a\": \"column order id, email, name\"" out.json &&
	test_grep "\"b\": \"column order id, name, email, age\"" out.json
'

test_expect_success SQLITE3 'SQLite: column order changed too (beside the definition)' '
	sqlite_sql one.db "CREATE TABLE t (id int, a int, b text)" &&
	sqlite_sql two.db "CREATE TABLE t (id int, b text, a int)" &&
	test_expect_code 3 godwit schema diff sqlite:one.db sqlite:two.db >out &&
	cat >expect <<-\EOF &&
	table t: definition: CREATE TABLE t(id int, a int, b text) → CREATE TABLE t(id int, b text, a int)
	table t: column order changed: id, a, b → id, b, a
	EOF
	test_cmp expect out
'

# A down that drops a column and adds it back puts it at the end: the
# schema has the same columns, not the same table.
write_readd_set()
{
	write_migration "$1/20240101000000_person.sql" <<-\EOF &&
	-- migrate:up
	CREATE TABLE person (id int, email text, name text);
	-- migrate:down
	DROP TABLE person;
	EOF
	write_migration "$1/20240102000000_drop_email.sql" <<-\EOF
	-- migrate:up
	ALTER TABLE person DROP COLUMN email;
	-- migrate:down
	ALTER TABLE person ADD COLUMN email text;
	EOF
}

test_expect_success PG 'test: a down that re-adds a column at the end fails with the orders' '
	write_readd_set readd &&
	pg_new_db &&
	test_expect_code 3 godwit --url "$PG_URL" --dir readd test >out &&
	cat >expect <<-\EOF &&
	pass        20240101000000 person
	fail        20240102000000 drop_email: down did not restore the schema from before up
	    table public.person: column order changed: id, email, name → id, name, email
	1 passed, 1 failed, 0 untestable
	EOF
	sed 1d out >actual &&
	test_cmp expect actual
'

test_expect_success PG 'test --ignore-column-order lets it pass' '
	godwit --url "$PG_URL" --dir readd test --ignore-column-order >out &&
	test_grep "^2 passed, 0 failed, 0 untestable\$" out
'

test_expect_success SQLITE3 'SQLite: test fails it too' '
	TMPDIR=$PWD test_expect_code 3 godwit --url sqlite:target.db --dir readd test >out &&
	test_grep "^fail        20240102000000 drop_email: down did not restore the schema from before up\$" out &&
	test_grep "^    table person: column order changed: id, email, name → id, name, email\$" out &&
	test ! -e target.db
'

test_done
