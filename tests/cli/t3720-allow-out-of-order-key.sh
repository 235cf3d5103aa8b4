#!/bin/sh
test_description='allow_out_of_order in godwit.conf and GODWIT_ALLOW_OUT_OF_ORDER, as well as the flag'
. "$(dirname "$0")/lib.sh"

native()
{
	write_migration "db/migrations/$1_$2.sql" <<-EOF
	-- migrate:up
	CREATE TABLE $2 (id integer);
	-- migrate:down
	DROP TABLE $2;
	EOF
}

applied()
{
	sqlite_sql db/development.sqlite3 "SELECT version FROM godwit_migrations ORDER BY version" |
		tr "\n" " "
}

test_expect_success 'setup: a merged branch brings a migration older than an applied one' '
	native 20240101000003 three &&
	godwit up >out &&
	native 20240101000001 one &&
	native 20240101000002 two &&
	test_expect_code 1 godwit up 2>err &&
	test_grep "^godwit: error: 2 pending migrations are older than the last applied one (20240101000003)" err &&
	test "$(applied)" = "20240101000003 "
'

test_expect_success 'a bad GODWIT_ALLOW_OUT_OF_ORDER value is refused' '
	GODWIT_ALLOW_OUT_OF_ORDER=yes test_expect_code 1 godwit up 2>err &&
	echo "godwit: error: GODWIT_ALLOW_OUT_OF_ORDER must be true or false, not ${SQ}yes${SQ}" >expect &&
	test_cmp expect err &&
	test "$(applied)" = "20240101000003 "
'

test_expect_success 'GODWIT_ALLOW_OUT_OF_ORDER=false keeps refusing' '
	GODWIT_ALLOW_OUT_OF_ORDER=false test_expect_code 1 godwit up 2>err &&
	test_grep "older than the last applied one" err &&
	test "$(applied)" = "20240101000003 "
'

test_expect_success 'GODWIT_ALLOW_OUT_OF_ORDER=true applies them' '
	GODWIT_ALLOW_OUT_OF_ORDER=true godwit config >out &&
	test_grep "^allow_out_of_order  *true  *env GODWIT_ALLOW_OUT_OF_ORDER$" out &&
	GODWIT_ALLOW_OUT_OF_ORDER=true godwit up >out &&
	test_grep "^applied 2 migrations$" out &&
	test "$(applied)" = "20240101000001 20240101000002 20240101000003 "
'

test_expect_success 'allow_out_of_order = true in godwit.conf applies them' '
	godwit down 3 >out &&
	test "$(applied)" = "" &&
	mv db/migrations/20240101000001_one.sql one.sql &&
	godwit up >out &&
	mv one.sql db/migrations/20240101000001_one.sql &&
	test_expect_code 1 godwit up 2>err &&
	test_grep "older than the last applied one" err &&
	printf "[env.development]\nallow_out_of_order = true\n" >godwit.conf &&
	godwit config >out &&
	test_grep "^allow_out_of_order  *true  *godwit.conf:2 \[env.development\]$" out &&
	godwit up >out &&
	test_grep "^applied 1 migration$" out &&
	test "$(applied)" = "20240101000001 20240101000002 20240101000003 "
'

test_expect_success 'the environment overrides godwit.conf, and the flag both' '
	godwit down 3 >/dev/null &&
	mv db/migrations/20240101000001_one.sql one.sql &&
	godwit up >/dev/null &&
	mv one.sql db/migrations/20240101000001_one.sql &&
	GODWIT_ALLOW_OUT_OF_ORDER=false test_expect_code 1 godwit up 2>err &&
	test_grep "older than the last applied one" err &&
	rm godwit.conf &&
	godwit config --allow-out-of-order >out &&
	test_grep "^allow_out_of_order  *true  *--allow-out-of-order$" out &&
	GODWIT_ALLOW_OUT_OF_ORDER=false godwit up --allow-out-of-order >out &&
	test_grep "^applied 1 migration$" out &&
	test "$(applied)" = "20240101000001 20240101000002 20240101000003 "
'

test_done
