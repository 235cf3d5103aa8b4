#!/bin/sh
test_description='test goes on after a failed migration on a rebuilt database; --fail-fast stops'
# ctest: ephemeral databases
. "$(dirname "$0")/lib.sh"

# Downs that break at several places: one that fails, one that drops too
# much (the migration after it needs what it dropped), one that re-adds a
# column at the end. Each good migration after a broken one must still be
# tested on the schema it expects.
write_broken_set()
{
	write_migration "$1/20240101000000_users.sql" <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, name text);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration "$1/20240102000000_boom.sql" <<-\EOF &&
	-- migrate:up
	CREATE TABLE boom (id int);
	-- migrate:down
	DROP TABLE no_such_table;
	EOF
	write_migration "$1/20240103000000_boom_x.sql" <<-\EOF &&
	-- migrate:up
	ALTER TABLE boom ADD COLUMN x int;
	-- migrate:down
	ALTER TABLE boom DROP COLUMN x;
	EOF
	write_migration "$1/20240104000000_drops_too_much.sql" <<-\EOF &&
	-- migrate:up
	ALTER TABLE users ADD COLUMN nick text;
	-- migrate:down
	ALTER TABLE users DROP COLUMN nick;
	ALTER TABLE users DROP COLUMN email;
	EOF
	write_migration "$1/20240105000000_email_index.sql" <<-\EOF &&
	-- migrate:up
	CREATE INDEX users_email ON users (email);
	-- migrate:down
	DROP INDEX users_email;
	EOF
	write_migration "$1/20240106000000_drop_name.sql" <<-\EOF &&
	-- migrate:up
	ALTER TABLE users DROP COLUMN name;
	-- migrate:down
	ALTER TABLE users ADD COLUMN name text;
	EOF
	write_migration "$1/20240107000000_audit.sql" <<-\EOF
	-- migrate:up
	CREATE TABLE audit (id int, users_id int);
	-- migrate:down
	DROP TABLE audit;
	EOF
}

test_expect_success PG 'setup' '
	write_broken_set broken &&
	pg_new_db
'

test_expect_success PG 'one run reports every broken migration, exit 3' '
	test_expect_code 3 godwit --url "$PG_URL" --dir broken test >out 2>err &&
	cat >expect <<-\EOF &&
	pass        20240101000000 users
	fail        20240102000000 boom: down failed: table "no_such_table" does not exist
	pass        20240103000000 boom_x
	fail        20240104000000 drops_too_much: down did not restore the schema from before up
	    table public.users: column email missing
	pass        20240105000000 email_index
	fail        20240106000000 drop_name: down did not restore the schema from before up
	    table public.users: column order changed: id, email, name, nick → id, email, nick, name
	pass        20240107000000 audit
	4 passed, 3 failed, 0 untestable
	EOF
	sed 1d out >actual &&
	test_cmp expect actual &&
	test_cmp /dev/null err &&
	pg_ephemeral_left_by out >left &&
	test_cmp /dev/null left
'

test_expect_success PG '--fail-fast stops at the first failed migration' '
	test_expect_code 3 godwit --url "$PG_URL" --dir broken test --fail-fast >out &&
	cat >expect <<-\EOF &&
	pass        20240101000000 users
	fail        20240102000000 boom: down failed: table "no_such_table" does not exist
	not run     20240103000000 boom_x: 20240102000000 failed (--fail-fast)
	not run     20240104000000 drops_too_much: 20240102000000 failed (--fail-fast)
	not run     20240105000000 email_index: 20240102000000 failed (--fail-fast)
	not run     20240106000000 drop_name: 20240102000000 failed (--fail-fast)
	not run     20240107000000 audit: 20240102000000 failed (--fail-fast)
	1 passed, 1 failed, 0 untestable, 5 not run
	EOF
	sed 1d out >actual &&
	test_cmp expect actual &&
	pg_ephemeral_left_by out >left &&
	test_cmp /dev/null left
'

test_expect_success PG 'json: the same results, each with its reason' '
	test_expect_code 3 godwit --url "$PG_URL" --dir broken test --format json >out.json &&
	test_grep "\"passed\": 4" out.json &&
	test_grep "\"failed\": 3" out.json &&
	test_grep "\"not_run\": 0" out.json &&
	test_grep "\"key\": \"column order\"" out.json
'

test_expect_success PG 'a failed up ends the run: what follows needs it' '
	mkdir upfails &&
	cp broken/20240101000000_users.sql broken/20240107000000_audit.sql upfails/ &&
	write_migration upfails/20240103000000_bad_up.sql <<-\EOF &&
	-- migrate:up
	ALTER TABLE nope ADD COLUMN x int;
	-- migrate:down
	SELECT 1;
	EOF
	test_expect_code 3 godwit --url "$PG_URL" --dir upfails test >out &&
	cat >expect <<-\EOF &&
	pass        20240101000000 users
	fail        20240103000000 bad_up: up failed: relation "nope" does not exist
	not run     20240107000000 audit: the up of 20240103000000 failed
	1 passed, 1 failed, 0 untestable, 1 not run
	EOF
	sed 1d out >actual &&
	test_cmp expect actual
'

test_expect_success SQLITE3 'SQLite: every broken migration in one run too' '
	TMPDIR=$PWD test_expect_code 3 godwit --url sqlite:target.db --dir broken test >out &&
	test_grep "^fail        20240102000000 boom: down failed: " out &&
	test_grep "^pass        20240103000000 boom_x\$" out &&
	test_grep "^fail        20240104000000 drops_too_much: down did not restore the schema from before up\$" out &&
	test_grep "^pass        20240105000000 email_index\$" out &&
	test_grep "^    table users: column order changed: id, email, name, nick → id, email, nick, name\$" out &&
	test_grep "^4 passed, 3 failed, 0 untestable\$" out &&
	test ! -e target.db &&
	test -z "$(ls | grep godwit_test_)"
'

# On SQLite, where no other run drops them as stale: each replaced database
# holds the migrations up to the one that failed on it.
test_expect_success SQLITE3 '--keep keeps the replaced databases and the last one' '
	TMPDIR=$PWD test_expect_code 3 godwit --url sqlite:target.db --dir broken test --keep >out 2>err &&
	sed -n "s/^godwit: kept the ephemeral database //p" err >kept &&
	test "$(wc -l <kept)" = 4 &&
	test "$(sort -u kept | wc -l)" = 4 &&
	for f in $(cat kept); do
		sqlite3 "$f" "SELECT count(*) FROM godwit_migrations" || return 1
	done >counts &&
	printf "%s\n" 2 4 6 7 >expect &&
	test_cmp expect counts
'

test_done
