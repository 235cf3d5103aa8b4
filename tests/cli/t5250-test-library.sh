#!/bin/sh
test_description='godwit test and drift through the library: --since lists files as lint --since does, messages and exit codes as before'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a repository with two committed migrations' '
	git init -q repo &&
	mkdir -p repo/db/migrations repo/other &&
	write_migration repo/db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id integer);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration repo/db/migrations/20240102000000_tags.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE tags (id integer);
	-- migrate:down
	DROP TABLE tags;
	EOF
	echo "not a migration" >repo/other/notes.sql &&
	(cd repo && git add . && git -c user.name=t -c user.email=t@example.com commit -qm one)
'

test_expect_success '--since tests a changed and an untracked migration, nothing else' '
	echo "-- a comment" >>repo/db/migrations/20240102000000_tags.sql &&
	echo "-- changed" >>repo/other/notes.sql &&
	write_migration repo/db/migrations/20240103000000_notes.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE notes (id integer);
	EOF
	(cd repo && test_expect_code 3 godwit --url sqlite:app.db test --since HEAD >../out 2>../err) &&
	sed 1d out >actual &&
	cat >expect <<-\EOF &&
	pass        20240102000000 tags
	untestable  20240103000000 notes: no down migration
	1 passed, 0 failed, 1 untestable
	EOF
	test_cmp expect actual &&
	test ! -s err &&
	! test -e repo/app.db
'

test_expect_success '--since with a revision git does not know says what git said' '
	(cd repo && test_expect_code 1 godwit --url sqlite:app.db test --since nosuchrev 2>../err) &&
	test_grep "^godwit: error: git could not list the files changed since nosuchrev: fatal: bad revision .nosuchrev.$" err &&
	! test -e repo/app.db
'

test_expect_success '--since refuses a revision that git would read as an option' '
	(cd repo && test_expect_code 1 godwit --url sqlite:app.db test --since -p 2>../err) &&
	test_grep "^godwit: error: .-p. is not a git revision$" err
'

test_expect_success '--fail-fast: the CLI names the flag in the reason of what was not run' '
	mkdir ff &&
	write_migration ff/20240101000000_bad.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id integer);
	CREATE TABLE b (id integer);
	-- migrate:down
	DROP TABLE a;
	EOF
	write_migration ff/20240102000000_next.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE c (id integer);
	-- migrate:down
	DROP TABLE c;
	EOF
	test_expect_code 3 godwit --url sqlite:ff.db --dir ff test --fail-fast --format json >out &&
	test_grep "\"reason\": *\"20240101000000 failed (--fail-fast)\"" out &&
	test_expect_code 3 godwit --url sqlite:ff.db --dir ff test --fail-fast --format github >out &&
	test_grep "^::warning file=ff/20240102000000_next.sql,title=godwit test 20240102000000::20240101000000 failed (--fail-fast)$" out
'

test_expect_success 'drift without a recorded snapshot: the CLI gives the hint' '
	mkdir d &&
	cp repo/db/migrations/20240101000000_users.sql d/ &&
	godwit --url sqlite:d.db --dir d up >/dev/null &&
	test_expect_code 1 godwit --url sqlite:d.db --dir d drift 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: no schema snapshot was recorded in this database
	hint: run '\''godwit drift --record'\'' after up, or use '\''godwit drift --replay'\''
	EOF
	test_cmp expect err &&
	godwit --url sqlite:d.db --dir d drift --replay >out &&
	echo "no drift: the live schema matches the applied migrations replayed" >expect &&
	test_cmp expect out
'

test_done
