#!/bin/sh
test_description='plan: each statement on one line without its comments, cut when long, and the findings of a line shared by two'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigint PRIMARY KEY);
	EOF
	godwit --url "$PG_URL" up &&
	write_migration db/migrations/20240102000000_bio.sql <<-\EOF
	-- migrate:up
	SET lock_timeout = '\''2s'\'';
	ALTER TABLE /* a comment; with a semicolon */ users -- and one to the end of the line
	  ADD COLUMN bio text; ALTER TABLE users ADD COLUMN b2 text NOT NULL;
	INSERT INTO users (id, bio) VALUES (1, '\''a -- not a comment /* nor this */ but a long literal that goes on and on past the cut of the excerpt'\'');
	SELECT 1 -- the last line
	EOF
'

test_expect_success PG 'comments are dropped, literals kept, a long statement cut, a shared line split' '
	test_expect_code 3 godwit --url "$PG_URL" plan >out &&
	cat >expect <<-\EOF &&
	20240102000000 bio (db/migrations/20240102000000_bio.sql): transaction
	  2:1  SET lock_timeout = '\''2s'\''
	      no table lock
	  3:1  ALTER TABLE users ADD COLUMN bio text
	      ACCESS EXCLUSIVE on users (blocks reads and writes)
	  4:24  ALTER TABLE users ADD COLUMN b2 text NOT NULL
	      ACCESS EXCLUSIVE on users (blocks reads and writes), scans the table
	      error: adding the NOT NULL column b2 without a default fails if users has rows [adding-not-nullable-field]
	  5:1  INSERT INTO users (id, bio) VALUES (1, '\''a -- not a comment /* nor this */ but a long literal that go...
	      ROW EXCLUSIVE on users (blocks index builds and schema changes)
	  6:1  SELECT 1
	      no table lock

	1 migration, 5 statements: 1 error, 0 warnings
	EOF
	test_cmp expect out &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = '\''users'\''")" = 1
'

test_done
