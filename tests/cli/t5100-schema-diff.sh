#!/bin/sh
test_description='schema diff: files and databases compared object by object'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup: a database and its snapshot file' '
	pg_new_db &&
	URL_A=$PG_URL &&
	pg_sql "CREATE TABLE person (id int PRIMARY KEY, email text, admin boolean); CREATE INDEX idx_person_admin ON person (admin); CREATE VIEW admins AS SELECT id FROM person WHERE admin; CREATE TABLE gone (id int)" &&
	godwit --url "$URL_A" schema dump -o a.sql &&
	pg_new_db &&
	URL_B=$PG_URL &&
	pg_sql "CREATE TABLE person (id int PRIMARY KEY, email varchar(255), admin boolean); CREATE VIEW admins AS SELECT id FROM person WHERE admin AND id > 0; CREATE TABLE added (id int)"
'

test_expect_success PG 'equal schemas: exit 0' '
	godwit --url "$URL_A" schema diff a.sql "$URL_A" >out &&
	test_grep "^the schemas are equal\$" out
'

test_expect_success PG 'a file against a database: every difference by object, exit 3' '
	test_expect_code 3 godwit schema diff a.sql "$URL_B" >out &&
	cat >expect <<-\EOF &&
	table public.added extra
	table public.gone missing
	table public.person: column email: text → character varying(255)
	table public.person: index idx_person_admin missing
	view public.admins: definition changed
	  -   WHERE person.admin;
	  +   WHERE (person.admin AND (person.id > 0));
	EOF
	test_cmp expect out
'

test_expect_success PG 'two databases give the same answer as a file and a database' '
	test_expect_code 3 godwit schema diff "$URL_A" "$URL_B" >out2 &&
	test_cmp out out2
'

test_expect_success PG 'the other way round, missing and extra swap' '
	test_expect_code 3 godwit schema diff "$URL_B" a.sql >out &&
	test_grep "^table public.added missing\$" out &&
	test_grep "^table public.gone extra\$" out &&
	test_grep "^table public.person: column email: character varying(255) → text\$" out &&
	test_grep "^table public.person: index idx_person_admin extra\$" out
'

test_expect_success PG '--format json' '
	test_expect_code 3 godwit schema diff a.sql "$URL_B" --format json >out.json &&
	test_grep "\"equal\": false" out.json &&
	test_grep "\"key\": \"index idx_person_admin\"" out.json &&
	test_grep "\"b\": \"column email character varying(255)\"" out.json
'

test_expect_success 'a damaged file is refused with its line' '
	printf "%s\n" "-- godwit schema snapshot (postgres)" "" "  column x int" >bad.sql &&
	test_expect_code 1 godwit schema diff bad.sql bad.sql 2>err &&
	test_grep "bad.sql: line 3: a member line outside an object" err
'

test_expect_success 'an argument that is neither a file nor a URL is a usage error' '
	test_expect_code 2 godwit schema diff nothing.sql nothing.sql 2>err &&
	test_grep "'\''nothing.sql'\'' is neither a file nor a database URL" err
'

test_expect_success SQLITE3 'SQLite databases compare too' '
	sqlite_sql one.db "CREATE TABLE t (a int, b text); CREATE INDEX t_a ON t (a);" &&
	sqlite_sql two.db "CREATE TABLE t (a int, b text);" &&
	test_expect_code 3 godwit schema diff sqlite:one.db sqlite:two.db >out &&
	test_grep "^table t: index t_a missing\$" out
'

test_done
