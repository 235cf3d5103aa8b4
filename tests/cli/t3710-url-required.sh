#!/bin/sh
test_description='a protected environment, or CI, without a database URL is an error, and nothing is created'
. "$(dirname "$0")/lib.sh"

looked_for="set GODWIT_URL, POSTGRES_URL_NON_POOLING, DATABASE_URL_UNPOOLED, DIRECT_URL, DATABASE_URL or POSTGRES_URL (in the environment or .env), or url in godwit.conf"

test_expect_success 'setup' '
	write_migration sql/20240101000000_users.sql <<-\EOF
	-- migrate:up
	CREATE TABLE users (id integer PRIMARY KEY);
	-- migrate:down
	DROP TABLE users;
	EOF
'

test_expect_success 'VERCEL_ENV=production up --yes without a URL fails and creates nothing' '
	cat >expect <<-EOF &&
	godwit: error: no database URL for the protected environment production; $looked_for
	hint: the embedded SQLite default (sqlite:db/production.sqlite3) is for development; nothing was created; the URL can also be given with --url
	EOF
	VERCEL_ENV=production test_expect_code 1 godwit --dir sql up --yes 2>err &&
	test_cmp expect err &&
	test ! -e db
'

test_expect_success 'status and backup in production without a URL fail the same way' '
	test_expect_code 1 godwit --dir sql --env production status >out 2>err &&
	test_cmp expect err &&
	test ! -s out &&
	test_expect_code 1 godwit --dir sql --env production backup 2>err &&
	sed "1s/^godwit: error: /&backup failed, nothing was changed: /" expect >expect.backup &&
	test_cmp expect.backup err &&
	test ! -e db
'

test_expect_success 'CI without a URL fails and creates nothing' '
	cat >expect <<-EOF &&
	godwit: error: no database URL, and CI is set; $looked_for
	hint: the embedded SQLite default (sqlite:db/development.sqlite3) is for development; nothing was created; the URL can also be given with --url
	EOF
	CI=true test_expect_code 1 godwit --dir sql up 2>err &&
	test_cmp expect err &&
	test ! -e db
'

test_expect_success 'checks that need no database still run in CI' '
	CI=true godwit --dir sql validate >out &&
	test_grep "^all migrations are valid$" out &&
	test ! -e db
'

test_expect_success 'CI=false and development keep the embedded default' '
	CI=false godwit --dir sql up >out &&
	test_grep "^applied 1 migration$" out &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT version FROM godwit_migrations")" = 20240101000000 &&
	rm -r db
'

test_expect_success 'a URL from godwit.conf, the environment or --url is used' '
	printf "[env.production]\nurl = sqlite:prod.db\n" >godwit.conf &&
	CI=1 VERCEL_ENV=production godwit --dir sql up --yes >out &&
	test_grep "^applied 1 migration$" out &&
	test "$(sqlite_sql prod.db "SELECT count(*) FROM godwit_migrations")" = 1 &&
	rm godwit.conf &&
	CI=1 DATABASE_URL=sqlite:ci.db godwit --dir sql up >out &&
	test_grep "^applied 1 migration$" out &&
	CI=1 godwit --dir sql --url sqlite:flag.db up >out &&
	test_grep "^applied 1 migration$" out &&
	test ! -e db
'

test_expect_success 'protected = false in godwit.conf allows the embedded default' '
	printf "[env.production]\nprotected = false\n" >godwit.conf &&
	godwit --dir sql --env production up >out &&
	test_grep "^applied 1 migration$" out &&
	test -f db/production.sqlite3 &&
	rm godwit.conf
'

test_done
