#!/bin/sh
test_description='-- migrate:verify: checked after up in the same transaction; a failure rolls back'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF
	-- migrate:up
	CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
	-- migrate:down
	DROP TABLE users;
	-- migrate:verify
	SELECT id, email FROM users WHERE false;
	EOF
'

test_expect_success PG 'a passing verify lets the migration commit' '
	godwit --url "$PG_URL" up &&
	test "$(pg_count godwit_migrations)" = 1
'

test_expect_success PG 'the verify section is not part of the up, and down stops before it' '
	godwit --url "$PG_URL" down &&
	test "$(pg_sql "SELECT to_regclass('\''users'\'') IS NULL")" = t &&
	godwit --url "$PG_URL" up
'

test_expect_success PG 'a failing verify rolls the migration back and names its line' '
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE posts (id bigint PRIMARY KEY, title text);
	-- migrate:down
	DROP TABLE posts;
	-- migrate:verify
	SELECT id, title FROM posts WHERE false;
	SELECT body FROM posts WHERE false;
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "db/migrations/20240102000000_posts.sql:7:8: verify failed: column \"body\" does not exist (SQLSTATE 42703)" err &&
	test "$(pg_sql "SELECT to_regclass('\''posts'\'') IS NULL")" = t &&
	test "$(pg_count godwit_migrations)" = 1 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''fail'\'' AND version = '\''20240102000000'\''")" = 1
'

test_expect_success PG 'fixing the verify needs no repair: it is not checksummed' '
	sed -i "s/SELECT body FROM/SELECT title FROM/" db/migrations/20240102000000_posts.sql &&
	godwit --url "$PG_URL" up &&
	test "$(pg_count godwit_migrations)" = 2
'

test_expect_success PG 'a verify that fails after a no-transaction migration leaves it dirty' '
	write_migration db/migrations/20240103000000_idx.sql <<-\EOF &&
	-- migrate:up
	CREATE INDEX CONCURRENTLY posts_title ON posts (title);
	-- migrate:verify
	SELECT 1 / (SELECT count(*) FROM pg_indexes WHERE indexname = '\''posts_nope'\'');
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "verify failed: division by zero" err &&
	test "$(pg_sql "SELECT state FROM godwit_migrations WHERE version = '\''20240103000000'\''")" = dirty
'

test_expect_success 'a verify section in a golang-migrate file is refused' '
	mkdir -p gm &&
	printf -- "CREATE TABLE a (id int);\n-- migrate:verify\nSELECT 1;\n" >gm/1_a.up.sql &&
	test_expect_code 1 godwit --dir gm status 2>err &&
	test_grep "gm/1_a.up.sql:2: a -- migrate:verify section belongs in a native migration" err
'

test_expect_success 'a verify section before the down section is refused' '
	mkdir -p bad &&
	printf -- "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:verify\nSELECT 1;\n-- migrate:down\nDROP TABLE a;\n" >bad/20240101000000_a.sql &&
	test_expect_code 1 godwit --dir bad status 2>err &&
	test_grep "bad/20240101000000_a.sql:3: -- migrate:verify comes before the up or down section; put it last" err
'

test_done
