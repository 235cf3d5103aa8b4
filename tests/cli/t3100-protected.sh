#!/bin/sh
test_description='protected environments need a typed confirmation, --yes, and --force to revert'
. "$(dirname "$0")/lib.sh"

# Runs godwit on a pseudo-terminal (util-linux script), typing $1 at it.
on_terminal()
{
	answer=$1
	shift
	printf '%s\n' "$answer" | script -qec "$GODWIT $*" /dev/null
}

count_applied()
{
	if test -f db/production.sqlite3
	then
		sqlite_sql db/production.sqlite3 "SELECT count(*) FROM godwit_migrations"
	else
		echo 0
	fi
}

test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id integer PRIMARY KEY);
	-- migrate:down
	DROP TABLE users;
	EOF
	printf "[env.production]\nurl = sqlite:db/production.sqlite3\n" >godwit.conf.base &&
	cp godwit.conf.base godwit.conf
'

test_expect_success 'production refuses up without a terminal or --yes, changing nothing' '
	test_expect_code 1 godwit --env production up 2>err &&
	test_grep "'\''production'\'' is a protected environment and there is no terminal to confirm on; nothing was changed" err &&
	test_grep "pass --yes" err &&
	test "$(count_applied)" = 0
'

test_expect_success 'VERCEL_ENV=production is protected too' '
	VERCEL_ENV=production test_expect_code 1 godwit up 2>err &&
	test_grep "protected environment" err
'

test_expect_success 'dry runs and status need no confirmation' '
	godwit --env production up --dry-run >out &&
	test_grep "CREATE TABLE users" out &&
	godwit --env production status >out &&
	test_grep "0 applied, 1 pending" out
'

test_expect_success 'a wrong typed confirmation changes nothing' '
	test_expect_code 1 on_terminal staging --env production up >out 2>&1 &&
	test_grep "Type '\''production'\'' to go on" out &&
	test_grep "the confirmation did not match '\''production'\''; nothing was changed" out &&
	test "$(count_applied)" = 0
'

test_expect_success 'typing the environment name applies' '
	on_terminal production --env production up >out 2>&1 &&
	test_grep "About to apply 1 migration on the protected environment '\''production'\''" out &&
	test_grep "applied 1 migration" out &&
	test "$(count_applied)" = 1
'

test_expect_success 'nothing to apply needs no confirmation' '
	godwit --env production up >out &&
	test_grep "nothing to apply" out
'

test_expect_success 'down needs --force even with --yes' '
	test_expect_code 1 godwit --env production --yes down 2>err &&
	test_grep "to revert 1 migration there needs --force; nothing was changed" err &&
	test "$(count_applied)" = 1 &&
	test_expect_code 1 godwit --env production redo 2>err &&
	test_grep "needs --force" err
'

test_expect_success 'down --force --yes reverts' '
	godwit --env production down --force --yes >out &&
	test_grep "reverted 1 migration" out &&
	test "$(count_applied)" = 0
'

test_expect_success '--yes confirms up in CI' '
	godwit --env production --yes up >out &&
	test_grep "applied 1 migration" out
'

test_expect_success 'godwit.conf can unprotect production and protect another environment' '
	cat >godwit.conf <<-\EOF &&
	[env.production]
	url = sqlite:db/production.sqlite3
	protected = false

	[env.staging]
	url = sqlite:db/staging.sqlite3
	protected = true
	EOF
	godwit --env production down >out &&
	test_grep "reverted 1 migration" out &&
	test_expect_code 1 godwit --env staging up 2>err &&
	test_grep "'\''staging'\'' is a protected environment" err &&
	cp godwit.conf.base godwit.conf
'

test_expect_success 'a bad protected value names the file and line' '
	printf "[env.production]\nprotected = yes\n" >godwit.conf &&
	test_expect_code 1 godwit --env production status 2>err &&
	test_grep "godwit.conf:2" err &&
	test_grep "true or false" err &&
	cp godwit.conf.base godwit.conf
'

test_expect_success 'development is not protected' '
	godwit up >out &&
	test_grep "applied 1 migration" out
'

test_done
