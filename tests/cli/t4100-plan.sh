#!/bin/sh
test_description='plan shows what up would do: statements, locks, rewrites and findings'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup: one applied migration, two pending' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigint PRIMARY KEY, name varchar(50));
	-- migrate:down
	DROP TABLE users;
	EOF
	godwit --url "$PG_URL" up &&
	write_migration db/migrations/20240102000000_add_email.sql <<-\EOF &&
	-- migrate:up
	SET lock_timeout = '\''2s'\'';
	ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT '\'''\'';
	ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
	ALTER TABLE users ALTER COLUMN name TYPE text;
	CREATE TABLE orders (
		id bigint PRIMARY KEY,
		user_id bigint REFERENCES users (id)
	);
	UPDATE users SET email = '\''x'\''; -- every row
	-- migrate:down
	DROP TABLE orders;
	ALTER TABLE users DROP COLUMN email, DROP COLUMN token;
	EOF
	write_migration db/migrations/20240103000000_index.sql <<-\EOF
	-- godwit:no-transaction
	-- migrate:up
	SET lock_timeout = '\''2s'\'';
	CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (email);
	-- migrate:down
	DROP INDEX CONCURRENTLY IF EXISTS users_email;
	EOF
'

test_expect_success PG 'text: each statement with its locks and inline findings; exit 3 on an error' '
	test_expect_code 3 godwit --url "$PG_URL" plan >out &&
	cat >expect <<-\EOF &&
	20240102000000 add_email (db/migrations/20240102000000_add_email.sql): transaction
	  2:1  SET lock_timeout = '\''2s'\''
	      no table lock
	  3:1  ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT '\'''\''
	      ACCESS EXCLUSIVE on users (blocks reads and writes)
	  4:1  ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()
	      ACCESS EXCLUSIVE on users (blocks reads and writes), rewrites the table, for a volatile default
	      error: adding column token with a volatile default rewrites users [adding-field-with-volatile-default]
	  5:1  ALTER TABLE users ALTER COLUMN name TYPE text
	      ACCESS EXCLUSIVE on users (blocks reads and writes), rewrites the table, unless the type change is binary-compatible (varchar(n) to text)
	      error: changing the type of users.name rewrites the table and its indexes [changing-column-type]
	  6:1  CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id))
	      creates orders
	      SHARE ROW EXCLUSIVE on users (blocks writes)
	  10:1  UPDATE users SET email = '\''x'\''
	      ROW EXCLUSIVE on users (blocks index builds and schema changes), scans the table, changes every row
	      error: UPDATE without WHERE changes every row of users [update-without-where]

	20240103000000 index (db/migrations/20240103000000_index.sql): no transaction
	  3:1  SET lock_timeout = '\''2s'\''
	      no table lock
	  4:1  CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (email)
	      SHARE UPDATE EXCLUSIVE on users (blocks other schema changes; reads and writes go on), scans the table

	2 migrations, 8 statements: 3 errors, 0 warnings
	EOF
	test_cmp expect out
'

test_expect_success PG 'applied migrations are not listed' '
	test_expect_code 3 godwit --url "$PG_URL" plan >out &&
	test_grep ! 20240101000000 out &&
	test_grep ! "CREATE TABLE users" out
'

test_expect_success PG 'plan changes nothing in the database' '
	test_expect_code 3 godwit --url "$PG_URL" plan >out &&
	test_expect_code 3 godwit --url "$PG_URL" plan --format json >out &&
	test "$(pg_count godwit_migrations)" = 1 &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = '\''users'\''")" = 2 &&
	test "$(pg_sql "SELECT to_regclass('\''orders'\'') IS NULL")" = t &&
	test "$(pg_sql "SELECT count(*) FROM pg_indexes WHERE indexname = '\''users_email'\''")" = 0 &&
	godwit --url "$PG_URL" status >out &&
	test_grep "pending *20240102000000" out
'

test_expect_success PG 'json: migrations, statements, locks and findings' '
	test_expect_code 3 godwit --url "$PG_URL" plan --format json >out &&
	test_grep "\"version\": \"20240102000000\"" out &&
	test_grep "\"transactional\": true" out &&
	test_grep "\"transactional\": false" out &&
	test_grep "\"sql\": \"ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()\"" out &&
	test_grep "\"mode\": \"ACCESS EXCLUSIVE\"" out &&
	test_grep "\"mode\": \"SHARE UPDATE EXCLUSIVE\"" out &&
	test_grep "\"effect\": \"rewrite\"" out &&
	test_grep "\"effect\": \"creates\"" out &&
	test_grep "\"blocks\": \"blocks reads and writes\"" out &&
	test_grep "\"rule\": \"adding-field-with-volatile-default\"" out &&
	test_grep "\"statements\": 8" out &&
	test_grep "\"errors\": 3" out &&
	test_grep ! 20240101000000 out
'

test_expect_success PG 'json: a finding sits in the statement it is about' '
	test_expect_code 3 godwit --url "$PG_URL" plan --format json >out &&
	sed -n "/\"line\": 4,/,/\"rule\"/p" out >stmt &&
	test_grep "gen_random_uuid" stmt &&
	test_grep "\"rule\": \"adding-field-with-volatile-default\"" stmt
'

test_expect_success PG '--to stops at a version' '
	test_expect_code 3 godwit --url "$PG_URL" plan --to 20240102000000 >out &&
	test_grep "^20240102000000 add_email" out &&
	test_grep ! 20240103000000 out &&
	test_grep "^1 migration, 6 statements: 3 errors, 0 warnings$" out
'

test_expect_success PG 'godwit.conf levels the inline findings as lint does' '
	test_when_finished "rm -f godwit.conf" &&
	echo "lint_disable = adding-field-with-volatile-default, changing-column-type, update-without-where" >godwit.conf &&
	godwit --url "$PG_URL" plan >out &&
	test_grep ! "error:" out &&
	test_grep "^2 migrations, 8 statements: 0 errors, 0 warnings$" out
'

test_expect_success PG 'nothing pending' '
	godwit --url "$PG_URL" up &&
	godwit --url "$PG_URL" plan >out &&
	echo "nothing to apply; the database is up to date" >expect &&
	test_cmp expect out
'

test_expect_success 'SQLite: statements without lock information' '
	mkdir lite &&
	write_migration lite/db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id integer PRIMARY KEY);
	INSERT INTO users VALUES (1);
	EOF
	(cd lite && godwit plan >../out) &&
	cat >expect <<-\EOF &&
	20240101000000 users (db/migrations/20240101000000_users.sql): transaction
	  (SQLite locks the whole database for writes)
	  2:1  CREATE TABLE users (id integer PRIMARY KEY)
	  3:1  INSERT INTO users VALUES (1)

	1 migration, 2 statements: 0 errors, 0 warnings
	EOF
	test_cmp expect out &&
	(cd lite && godwit plan --format json >../out) &&
	test_grep "\"locks\": null" out &&
	test_grep "\"note\": \"SQLite locks the whole database for writes\"" out
'

test_done
