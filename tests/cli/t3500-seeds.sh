#!/bin/sh
test_description='seeds: applied after up, once each, again when changed, never in production by default'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id integer PRIMARY KEY, name text);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/seeds/dev/01_users.sql <<-\EOF &&
	INSERT INTO users VALUES (1, '\''ada'\'') ON CONFLICT (id) DO UPDATE SET name = excluded.name;
	EOF
	cat >godwit.conf <<-\EOF
	seeds_dir = db/seeds/dev
	EOF
'

test_expect_success 'up applies the seeds after migrating' '
	godwit up 2>err &&
	test_grep "seeded db/seeds/dev/01_users.sql" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT name FROM users")" = ada &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_seeds")" = 1
'

test_expect_success 'an unchanged seed is not applied again' '
	godwit seed >out &&
	test_grep "every seed is up to date" out &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_events WHERE action = '\''seed'\''")" = 1
'

test_expect_success 'a changed seed is applied again' '
	sed -i "s/ada/grace/" db/seeds/dev/01_users.sql &&
	godwit seed >out &&
	test_grep "applied 1 seed file" out &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT name FROM users")" = grace
'

test_expect_success 'a failing seed is rolled back, reported at its line, and not recorded' '
	write_migration db/seeds/dev/02_bad.sql <<-\EOF &&
	INSERT INTO users VALUES (2, '\''bob'\'');
	INSERT INTO nope VALUES (1);
	EOF
	test_expect_code 1 godwit seed 2>err &&
	test_grep "db/seeds/dev/02_bad.sql:2:1: no such table: nope" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM users")" = 1 &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_seeds")" = 1 &&
	rm db/seeds/dev/02_bad.sql
'

test_expect_success 'a protected environment gets no seeds unless it says so' '
	cat >godwit.conf <<-\EOF &&
	[env.production]
	url = sqlite:db/production.sqlite3
	seeds_dir = db/seeds/dev
	EOF
	godwit --env production --yes up 2>err &&
	! grep seeded err &&
	test "$(sqlite_sql db/production.sqlite3 "SELECT count(*) FROM users")" = 0 &&
	test_expect_code 1 godwit --env production seed 2>err &&
	test_grep "seeds are not applied in the protected environment production" err &&
	printf "seeds_in_protected = true\n" >>godwit.conf &&
	godwit --env production seed >out &&
	test_grep "applied 1 seed file" out
'

test_expect_success PG 'seeds on PostgreSQL' '
	pg_new_db &&
	printf "seeds_dir = db/seeds/dev\n" >godwit.conf &&
	godwit --url "$PG_URL" up 2>err &&
	test "$(pg_sql "SELECT name FROM users")" = grace &&
	test "$(pg_sql "SELECT file FROM godwit_seeds")" = 01_users.sql
'

test_done
