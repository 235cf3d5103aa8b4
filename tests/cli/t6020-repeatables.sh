#!/bin/sh
test_description='repeatable migrations: after every versioned one, again whenever they change'
. "$(dirname "$0")/lib.sh"

repeatable_rows()
{
	sqlite_sql db/development.sqlite3 "SELECT version || ' ' || kind FROM godwit_migrations ORDER BY version"
}

test_expect_success 'setup' '
	write_migration db/migrations/V1__users.sql <<-\EOF &&
	CREATE TABLE users (id integer PRIMARY KEY, name text);
	EOF
	write_migration db/migrations/R__user_names.sql <<-\EOF &&
	DROP VIEW IF EXISTS user_names;
	CREATE VIEW user_names AS SELECT name FROM users;
	EOF
	write_migration db/migrations/V2__emails.sql <<-\EOF
	ALTER TABLE users ADD COLUMN email text;
	EOF
'

test_expect_success SQLITE3 'a repeatable runs after every versioned migration' '
	godwit up >out &&
	grep "^applied  " out | cut -c10- | cut -d" " -f1 >order &&
	printf "1\n2\nR__user_names\n" >expect &&
	test_cmp expect order &&
	repeatable_rows >rows &&
	printf "1 versioned\n2 versioned\nR__user_names repeatable\n" >expect &&
	test_cmp expect rows
'

test_expect_success SQLITE3 'an unchanged repeatable is not applied again' '
	godwit up >out &&
	test_grep "nothing to apply" out &&
	godwit status --exit-code
'

test_expect_success SQLITE3 'a changed repeatable is pending, not "changed", and up applies it again' '
	sed -i "s/SELECT name FROM/SELECT name, email FROM/" db/migrations/R__user_names.sql &&
	test_expect_code 3 godwit status --exit-code >out &&
	test_grep "^pending *R__user_names" out &&
	godwit up >out &&
	test_grep "applied  R__user_names" out &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations WHERE version = '\''R__user_names'\''")" = 1 &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_events WHERE action = '\''apply'\'' AND version = '\''R__user_names'\''")" = 2 &&
	sqlite_sql db/development.sqlite3 "SELECT email FROM user_names"
'

test_expect_success SQLITE3 'a repeatable does not make a new versioned migration out of order' '
	write_migration db/migrations/V3__posts.sql <<-\EOF &&
	CREATE TABLE posts (id integer PRIMARY KEY);
	EOF
	godwit status >out &&
	test_grep "^pending *3 " out &&
	godwit up
'

test_expect_success SQLITE3 'up --to leaves repeatables for a full up' '
	sed -i "s/name, email/email, name/" db/migrations/R__user_names.sql &&
	write_migration db/migrations/V4__tags.sql <<-\EOF &&
	CREATE TABLE tags (id integer PRIMARY KEY);
	EOF
	godwit up --to 4 >out &&
	! grep R__user_names out &&
	godwit up >out &&
	test_grep "applied  R__user_names" out
'

test_expect_success PG 'repeatables on PostgreSQL' '
	pg_new_db &&
	godwit --url "$PG_URL" up &&
	test "$(pg_sql "SELECT kind FROM godwit_migrations WHERE version = '\''R__user_names'\''")" = repeatable &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.views WHERE table_name = '\''user_names'\''")" = 1
'

test_done
