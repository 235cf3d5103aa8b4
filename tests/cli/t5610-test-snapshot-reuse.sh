#!/bin/sh
test_description='test reuses a migration'\''s last snapshot as the next one'\''s first only when nothing ran in between'
# ctest: ephemeral databases
. "$(dirname "$0")/lib.sh"

# The target has only the middle migration applied, so --only-new tests the
# first and the last, and the middle one is applied untested between them:
# the last one's first snapshot must include the middle one's table, or its
# down would look like it dropped that table.
test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240102000000_middle.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE middle (id int);
	-- migrate:down
	DROP TABLE middle;
	EOF
	godwit --url "$PG_URL" up >out 2>&1 &&
	write_migration db/migrations/20240101000000_first.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE first (id int);
	-- migrate:down
	DROP TABLE first;
	EOF
	write_migration db/migrations/20240103000000_last.sql <<-\EOF
	-- migrate:up
	CREATE TABLE last (id int);
	-- migrate:down
	DROP TABLE last;
	EOF
'

test_expect_success PG 'an untested migration between two tested ones is in the schema the second starts from' '
	godwit --url "$PG_URL" test --only-new >out 2>&1 &&
	test_grep "2 passed, 0 failed, 0 untestable" out &&
	test_grep "20240101000000 first" out &&
	test_grep "20240103000000 last" out &&
	test_grep ! "20240102000000 middle" out
'

test_done
