#!/bin/sh
test_description='seed'\''s hints name the seed command: the library gives a hint code, the CLI words it'
. "$(dirname "$0")/lib.sh"

# The library words these hints without naming a command (unit test
# test_wording); the CLI prints the same words as before the code existed.

test_expect_success SQLITE3 'a seed that fails is rolled back, and the hint names godwit seed' '
	printf "seeds_dir = seeds\n" >godwit.conf &&
	write_migration db/migrations/001_t.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t (id int);
	-- migrate:down
	DROP TABLE t;
	EOF
	mkdir seeds &&
	godwit --url sqlite:x.db up >/dev/null 2>&1 &&
	printf "INSERT INTO t VALUES (1);\nINSERT INTO nope VALUES (2);\n" >seeds/01_t.sql &&
	test_expect_code 1 godwit --url sqlite:x.db seed >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: seeds/01_t.sql:2:1: no such table: nope (SQLSTATE 42P01)
	hint: the seed was rolled back; fix it and run godwit seed again
	EOF
	test_cmp expect err &&
	test ! -s out &&
	test "$(sqlite_sql x.db "SELECT count(*) FROM t")" = 0
'

test_expect_success PG 'a seed that does not parse runs no seed, and the hint names godwit seed' '
	pg_new_db &&
	mkdir p &&
	(cd p && printf "seeds_dir = seeds\n" >godwit.conf && mkdir -p seeds db/migrations &&
	 printf -- "-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n" >db/migrations/001_t.sql &&
	 godwit --url "$PG_URL" up >/dev/null 2>&1 &&
	 printf "INSERT INTO t VALUES (1);\n" >seeds/01_a.sql &&
	 printf "INSERT INTO t VALUES (${SQ}x);\n" >seeds/02_b.sql &&
	 test_expect_code 1 godwit --url "$PG_URL" seed >../out 2>../err) &&
	test_grep "^godwit: error: seeds/02_b.sql:1:23: unterminated quoted string at or near \"${SQ}x);$" err &&
	test_grep "^hint: no seed ran; fix it and run godwit seed again$" err &&
	test "$(pg_count t)" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_seeds")" = 0
'

test_done
