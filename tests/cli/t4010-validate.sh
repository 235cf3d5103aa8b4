#!/bin/sh
test_description='validate checks files and their SQL without running them'
. "$(dirname "$0")/lib.sh"

# The line that ends a report checked as PostgreSQL for want of a URL.
guessed_pg="dialect: postgres (no database URL or dialect setting; what the SQL parses as)"

test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigint PRIMARY KEY);
	-- migrate:down
	DROP TABLE users;
	EOF
	echo "url = postgres://nobody@localhost:1/none" >/dev/null
'

test_expect_success 'a valid folder' '
	godwit validate >out &&
	printf "%s\n" "all migrations are valid" "$guessed_pg" >expect &&
	test_cmp expect out
'

test_expect_success 'a syntax error with the line and a caret' '
	write_migration db/migrations/20240102000000_bad.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t (
	    id bigint,
	);
	-- migrate:down
	DROP TABLE t;
	EOF
	test_expect_code 3 godwit validate --dialect postgres >out &&
	cat >expect <<-\EOF &&
	db/migrations/20240102000000_bad.sql:4:1: error: syntax error at or near ")" [syntax]
	  );
	  ^
	1 error, 0 warnings
	dialect: postgres (--dialect)
	EOF
	test_cmp expect out
'

test_expect_success 'an error inside a PL/pgSQL body' '
	write_migration db/migrations/20240102000000_bad.sql <<-\EOF &&
	-- migrate:up
	CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$
	BEGIN
	    RETRN 1;
	END
	$$;
	DO $$BEGIN RAISE NOTICE '\''x'\'' END$$;
	EOF
	test_expect_code 3 godwit validate --dialect postgres >out &&
	cat >expect <<-\EOF &&
	db/migrations/20240102000000_bad.sql: warning: migration 20240102000000 has no down script; godwit down cannot revert it [missing-down]
	db/migrations/20240102000000_bad.sql:4:5: error: syntax error at or near "RETRN" [plpgsql-syntax]
	      RETRN 1;
	      ^
	db/migrations/20240102000000_bad.sql:7:29: error: syntax error at or near "END" [plpgsql-syntax]
	  DO $$BEGIN RAISE NOTICE '\''x'\'' END$$;
	                              ^
	2 errors, 1 warning
	dialect: postgres (--dialect)
	EOF
	test_cmp expect out
'

test_expect_success 'a missing down can be made an error' '
	write_migration db/migrations/20240102000000_bad.sql <<-\EOF &&
	-- migrate:up
	SELECT 1;
	EOF
	godwit validate >out &&
	test_grep "warning: migration 20240102000000 has no down script" out &&
	echo "lint_error = missing-down" >godwit.conf &&
	test_expect_code 3 godwit validate >out &&
	test_grep "error: migration 20240102000000 has no down script" out &&
	rm godwit.conf
'

test_expect_success 'an empty migration' '
	printf -- "-- migrate:up\n-- migrate:down\n" >db/migrations/20240102000000_bad.sql &&
	test_expect_code 3 godwit validate >out &&
	test_grep "^db/migrations/20240102000000_bad.sql: error: the migration holds no SQL; godwit up refuses it \[empty-migration\]" out
'

test_expect_success 'a duplicate version is reported, and the other files still parsed' '
	rm db/migrations/20240102000000_bad.sql &&
	printf -- "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n" >db/migrations/20240103000000_a.sql &&
	printf -- "-- migrate:up\nSELEC 1;\n-- migrate:down\nSELECT 1;\n" >db/migrations/20240103000000_b.sql &&
	test_expect_code 3 godwit validate --dialect postgres >out &&
	test_grep "^db/migrations/20240103000000_b.sql: error: duplicate version 20240103000000: 20240103000000_a.sql and 20240103000000_b.sql" out &&
	test_grep "^db/migrations/20240103000000_b.sql:2:1: error: syntax error at or near \"SELEC\" \[syntax\]" out &&
	rm db/migrations/20240103000000_*.sql
'

test_expect_success 'bytes that are not UTF-8' '
	printf -- "-- migrate:up\nSELECT '\''\377'\'';\n-- migrate:down\nSELECT 1;\n" >db/migrations/20240104000000_latin.sql &&
	test_expect_code 3 godwit validate >out &&
	test_grep "20240104000000_latin.sql:2:9: error: .*UTF-8.* \[source\]" out &&
	rm db/migrations/20240104000000_latin.sql
'

test_expect_success 'SQLite: statements are prepared on the earlier migrations' '
	write_migration db/migrations/20240105000000_fill.sql <<-\EOF &&
	-- migrate:up
	INSERT INTO users (id) VALUES (1);
	INSERT INTO missing_table VALUES (1);
	-- migrate:down
	DELETE FROM users;
	EOF
	echo "dialect = sqlite" >godwit.conf &&
	test_expect_code 3 godwit validate >out &&
	rm godwit.conf &&
	test_grep "^db/migrations/20240105000000_fill.sql:3:1: error: no such table: missing_table \[sqlite-prepare\]" out &&
	test_grep ! "20240105000000_fill.sql:2" out &&
	test_grep "^dialect: sqlite (the dialect setting)$" out &&
	rm db/migrations/20240105000000_fill.sql
'

test_expect_success 'without a URL, validate and lint check the SQL as what it parses as' '
	mkdir -p guess/pg/db/migrations guess/lite/db/migrations &&
	write_migration guess/pg/db/migrations/20240101000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id bigint PRIMARY KEY, data jsonb DEFAULT '\''{}'\''::jsonb);
	-- migrate:down
	DROP TABLE a;
	EOF
	write_migration guess/lite/db/migrations/20240101000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT) STRICT;
	-- migrate:down
	DROP TABLE a;
	EOF
	for cmd in validate lint
	do
		(cd guess/pg && godwit $cmd >../../out) &&
		test_grep "^dialect: postgres (no database URL or dialect setting; what the SQL parses as)$" out &&
		test_grep ! "error" out &&
		(cd guess/lite && godwit $cmd >../../out) &&
		test_grep "^dialect: sqlite (no database URL or dialect setting; what the SQL parses as)$" out &&
		test_grep ! "error" out || return 1
	done &&
	(cd guess/pg && godwit validate --format json >../../out) &&
	test_grep "\"dialect\": \"postgres\"" out &&
	test_grep "\"dialect_from\": \"sql\"" out &&
	(cd guess/pg && test ! -e db/development.sqlite3)
'

test_expect_success 'a bad dialect setting names the values it takes' '
	(cd guess/pg && GODWIT_DIALECT=oracle test_expect_code 1 godwit validate 2>../../err) &&
	test_grep "GODWIT_DIALECT must be one of postgres, sqlite, citus, cockroachdb, yugabyte, not .oracle." err
'

test_expect_success 'json output' '
	write_migration db/migrations/20240106000000_x.sql <<-\EOF &&
	-- migrate:up
	SELECT 1;
	EOF
	godwit validate --format json >out &&
	test_grep "\"rule\": \"missing-down\"" out &&
	test_grep "\"line\": null" out &&
	rm db/migrations/20240106000000_x.sql
'

test_expect_success PG 'with a database: changed and missing migrations' '
	pg_new_db &&
	godwit --url "$PG_URL" up &&
	sed -i "s/PRIMARY KEY);/PRIMARY KEY); -- edited/" db/migrations/20240101000000_users.sql &&
	test_expect_code 3 godwit --url "$PG_URL" validate >out &&
	test_grep "^db/migrations/20240101000000_users.sql: error: migration 20240101000000 was changed after it was applied; restore the file or run .godwit repair 20240101000000. \[checksum-changed\]" out &&
	rm db/migrations/20240101000000_users.sql &&
	test_expect_code 3 godwit --url "$PG_URL" validate >out &&
	test_grep "error: migration 20240101000000 (users) was applied but no file has it" out &&
	godwit --url "$PG_URL" validate --offline >out &&
	test_grep "all migrations are valid" out &&
	test_grep "^dialect: postgres (the database URL)$" out
'

test_done
