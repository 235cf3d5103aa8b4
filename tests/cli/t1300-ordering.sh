#!/bin/sh
test_description='apply order: @depends-on, cycles, missing dependencies, duplicate versions, out-of-order migrations, up --to and down'
. "$(dirname "$0")/lib.sh"

# native_migration FILE TABLE [HEAD]: a native migration creating TABLE,
# with a down section dropping it; HEAD (directive lines) goes on top.
native_migration()
{
	{
		[ -z "${3:-}" ] || printf '%s\n' "$3"
		printf '%s\n' "-- migrate:up" "CREATE TABLE $2 (id int);" "-- migrate:down" "DROP TABLE $2;"
	} | write_migration "$1"
}

# history_order: "action version" of each event, oldest first, as
# `godwit history --format json` lists them.
history_order()
{
	godwit --url "$PG_URL" "$@" history --format json >history.json || return 1
	awk -F'"' '
		/^      "action":/ { a = $4 }
		/^      "version":/ { print a, $4 }
	' history.json
}

# state_of VERSION [godwit args...]: the state `status --format json`
# gives VERSION.
state_of()
{
	_v=$1
	shift
	godwit --url "$PG_URL" "$@" status --format json >status.json || return 1
	awk -F'"' -v want="$_v" '
		/^      "version":/ { v = $4 }
		/^      "state":/ { if (v == want) print $4 }
	' status.json
}

# snapshot: what godwit may have changed in $PG_URL: the history rows, the
# number of events and the user tables with their row counts.
snapshot()
{
	pg_sql "SELECT version, state, checksum FROM godwit_migrations ORDER BY version" &&
	pg_sql "SELECT 'events: ' || count(*) FROM godwit_events" &&
	pg_sql "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
}

# user_tables: the tables of $PG_URL that are not godwit's.
user_tables()
{
	pg_sql "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'godwit%' ORDER BY 1"
}

test_expect_success PG 'setup: a dependency on a later file' '
	pg_new_db &&
	native_migration db/migrations/20240101000000_users.sql users &&
	native_migration db/migrations/20240102000000_orders.sql orders \
		"-- @depends-on: 20240105000000_products.sql" &&
	native_migration db/migrations/20240103000000_audit.sql audit &&
	native_migration db/migrations/20240104000000_reports.sql reports \
		"-- reports read orders and audit rows
-- @depends-on: 20240102000000_orders, db/migrations/20240103000000_audit.sql" &&
	native_migration db/migrations/20240105000000_products.sql products &&
	cat >expect.order <<-\EOF
	20240101000000
	20240103000000
	20240105000000
	20240102000000
	20240104000000
	EOF
'

test_expect_success PG 'status and up --dry-run list the stable topological order' '
	godwit --url "$PG_URL" status >out &&
	sed -n "s/^pending  *\([0-9]*\) .*/\1/p" out >actual &&
	test_cmp expect.order actual &&
	godwit --url "$PG_URL" up --dry-run >out &&
	sed -n "s/^-- \([0-9]*\) [a-z]* (.*/\1/p" out >actual &&
	test_cmp expect.order actual
'

test_expect_success PG 'up applies in that order: the dependency is pulled earlier, the rest keep version order' '
	godwit --url "$PG_URL" up >out &&
	sed -n "s/^applied  *\([0-9]*\) [a-z]* ([0-9]* ms)$/\1/p" out >actual &&
	test_cmp expect.order actual &&
	sed "s/^/apply /" expect.order >expect &&
	history_order >actual &&
	test_cmp expect actual &&
	printf "audit\norders\nproducts\nreports\nusers\n" >expect &&
	user_tables >actual &&
	test_cmp expect actual
'

test_expect_success PG 'down --to V reverts what was applied after V, newest first' '
	godwit --url "$PG_URL" down --to 20240105000000 >out &&
	printf "20240104000000\n20240102000000\n" >expect &&
	sed -n "s/^reverted  *\([0-9]*\) [a-z]* ([0-9]* ms)$/\1/p" out >actual &&
	test_cmp expect actual &&
	test "$(state_of 20240105000000)" = applied &&
	test "$(state_of 20240102000000)" = pending &&
	test "$(state_of 20240104000000)" = pending &&
	test "$(pg_count godwit_migrations)" = 3 &&
	printf "audit\nproducts\nusers\n" >expect &&
	user_tables >actual &&
	test_cmp expect actual
'

test_expect_success PG 'down 2 reverts the last two applied' '
	godwit --url "$PG_URL" down 2 >out &&
	printf "20240105000000\n20240103000000\n" >expect &&
	sed -n "s/^reverted  *\([0-9]*\) [a-z]* ([0-9]* ms)$/\1/p" out >actual &&
	test_cmp expect actual &&
	test_grep "^reverted 2 migrations$" out &&
	echo users >expect &&
	user_tables >actual &&
	test_cmp expect actual &&
	test "$(pg_sql "SELECT string_agg(version, ${SQ},${SQ}) FROM godwit_migrations")" = 20240101000000
'

test_expect_success PG 'up --to V applies up to V in apply order, its dependency included' '
	godwit --url "$PG_URL" up --to 20240102000000 >out &&
	printf "20240103000000\n20240105000000\n20240102000000\n" >expect &&
	sed -n "s/^applied  *\([0-9]*\) [a-z]* ([0-9]* ms)$/\1/p" out >actual &&
	test_cmp expect actual &&
	test "$(state_of 20240104000000)" = pending &&
	printf "audit\norders\nproducts\nusers\n" >expect &&
	user_tables >actual &&
	test_cmp expect actual
'

test_expect_success PG 'up --to a version that is not in the folder fails and applies nothing' '
	snapshot >before &&
	test_expect_code 1 godwit --url "$PG_URL" up --to 20240109000000 >out 2>err &&
	test_grep "^godwit: error: no migration in db/migrations has version 20240109000000$" err &&
	snapshot >after &&
	test_cmp before after
'

test_expect_success PG 'down --all reverts every applied migration' '
	godwit --url "$PG_URL" down --all >out &&
	test_grep "^reverted 4 migrations$" out &&
	test "$(pg_count godwit_migrations)" = 0 &&
	user_tables >actual &&
	test ! -s actual &&
	godwit --url "$PG_URL" down --all >out &&
	test_grep "^nothing to revert$" out
'

test_expect_success PG 'down refuses N together with --to' '
	test_expect_code 2 godwit --url "$PG_URL" down 2 --to 20240101000000 2>err &&
	test_grep "^godwit: error: give only one of N, --to V, --all and --target V$" err
'

test_expect_success 'a dependency cycle is an error that names the cycle' '
	native_migration cycle/20240101000000_a.sql a "-- @depends-on: 20240103000000_c.sql" &&
	native_migration cycle/20240102000000_b.sql b "-- @depends-on: 20240101000000_a.sql" &&
	native_migration cycle/20240103000000_c.sql c "-- c needs b
-- @depends-on: 20240102000000_b" &&
	native_migration cycle/20240104000000_d.sql d &&
	test_expect_code 1 godwit --dir cycle up >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: cycle/20240101000000_a.sql:1: dependency cycle: 20240101000000_a.sql -> 20240103000000_c.sql -> 20240102000000_b.sql -> 20240101000000_a.sql
	hint: remove one of these -- @depends-on lines
	EOF
	test_cmp expect err &&
	test ! -s out &&
	test ! -e db/development.sqlite3 &&
	test_expect_code 1 godwit --dir cycle status 2>err &&
	test_cmp expect err
'

test_expect_success 'a migration that depends on itself is a cycle of one' '
	native_migration self/20240101000000_a.sql a "-- @depends-on: 20240101000000_a.sql" &&
	test_expect_code 1 godwit --dir self status 2>err &&
	test_grep "^godwit: error: self/20240101000000_a.sql:1: dependency cycle: 20240101000000_a.sql -> 20240101000000_a.sql$" err
'

test_expect_success PG 'a cycle changes nothing in the database' '
	pg_new_db &&
	native_migration cycle2/20240101000000_ok.sql ok &&
	godwit --url "$PG_URL" --dir cycle2 up &&
	native_migration cycle2/20240102000000_x.sql x "-- @depends-on: 20240103000000_y.sql" &&
	native_migration cycle2/20240103000000_y.sql y "-- @depends-on: 20240102000000_x.sql" &&
	snapshot >before &&
	test_expect_code 1 godwit --url "$PG_URL" --dir cycle2 up 2>err &&
	test_grep "^godwit: error: cycle2/20240102000000_x.sql:1: dependency cycle: 20240102000000_x.sql -> 20240103000000_y.sql -> 20240102000000_x.sql$" err &&
	snapshot >after &&
	test_cmp before after
'

test_expect_success PG 'a dependency on a missing file names both files and changes nothing' '
	native_migration cycle2/20240102000000_x.sql x "-- a comment first
-- @depends-on: 20240109000000_nowhere.sql" &&
	rm cycle2/20240103000000_y.sql &&
	test_expect_code 1 godwit --url "$PG_URL" --dir cycle2 up 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: cycle2/20240102000000_x.sql:2: depends on 20240109000000_nowhere.sql, which does not exist
	hint: fix the name in the -- @depends-on line, or add 20240109000000_nowhere.sql
	EOF
	test_cmp expect err &&
	snapshot >after &&
	test_cmp before after
'

test_expect_success 'duplicate versions spelled differently (0006 and 6) name both files' '
	mkdir dup1 &&
	echo "CREATE TABLE a (id int);" >dup1/0006_a.sql &&
	echo "CREATE TABLE b (id int);" >dup1/6_b.sql &&
	echo "CREATE TABLE c (id int);" >dup1/0005_c.sql &&
	test_expect_code 1 godwit --dir dup1 up 2>err &&
	test_grep "^godwit: error: dup1/6_b.sql: duplicate version 6: 0006_a.sql and 6_b.sql; give each migration its own version$" err &&
	test ! -e db/development.sqlite3
'

test_expect_success 'two native files with one version name both files' '
	native_migration dup2/20240101000000_a.sql a &&
	native_migration dup2/20240101000000_b.sql b &&
	test_expect_code 1 godwit --dir dup2 status 2>err &&
	test_grep "^godwit: error: dup2/20240101000000_b.sql: duplicate version 20240101000000: 20240101000000_a.sql and 20240101000000_b.sql; give each migration its own version$" err
'

test_expect_success PG 'a duplicate version changes nothing in the database' '
	pg_new_db &&
	mkdir dup3 &&
	echo "CREATE TABLE a (id int);" >dup3/1_a.up.sql &&
	godwit --url "$PG_URL" --dir dup3 up &&
	echo "CREATE TABLE b (id int);" >dup3/2_b.up.sql &&
	echo "CREATE TABLE c (id int);" >dup3/02_c.up.sql &&
	snapshot >before &&
	test_expect_code 1 godwit --url "$PG_URL" --dir dup3 up 2>err &&
	test_grep "^godwit: error: dup3/2_b.up.sql: duplicate version 2: 02_c.up.sql and 2_b.up.sql; give each migration its own version$" err &&
	snapshot >after &&
	test_cmp before after
'

test_expect_success PG 'out of order: setup, 1 and 3 applied, then 2 (and a newer 4) appear' '
	pg_new_db &&
	native_migration ooo/20240101000001_one.sql one &&
	native_migration ooo/20240101000003_three.sql three &&
	godwit --url "$PG_URL" --dir ooo up &&
	native_migration ooo/20240101000002_two.sql two &&
	native_migration ooo/20240101000004_four.sql four
'

test_expect_success PG 'status shows the older pending migration as out-of-order' '
	godwit --url "$PG_URL" --dir ooo status >out &&
	test_grep "^out-of-order 20240101000002  *two$" out &&
	test_grep "^    older than an applied migration; apply it with ${SQ}godwit up --allow-out-of-order${SQ}$" out &&
	test_grep "^pending  *20240101000004  *four$" out &&
	test_grep "^2 applied, 1 pending, 1 out of order$" out &&
	test "$(state_of 20240101000002 --dir ooo)" = out-of-order &&
	test "$(state_of 20240101000004 --dir ooo)" = pending &&
	test_grep "\"out_of_order\": 1" status.json &&
	test_expect_code 3 godwit --url "$PG_URL" --dir ooo status --exit-code >out
'

test_expect_success PG 'up refuses, lists it, and applies nothing at all' '
	snapshot >before &&
	test_expect_code 1 godwit --url "$PG_URL" --dir ooo up >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: 1 pending migration is older than the last applied one (20240101000003): ooo/20240101000002_two.sql
	hint: apply it with --allow-out-of-order, or give it a newer version
	EOF
	test_cmp expect err &&
	test_grep ! "^applied" out &&
	snapshot >after &&
	test_cmp before after &&
	test "$(pg_count godwit_migrations)" = 2 &&
	test "$(pg_sql "SELECT to_regclass(${SQ}four${SQ}) IS NULL")" = t
'

test_expect_success PG 'up lists every out-of-order migration' '
	native_migration ooo/20240101000000_zero.sql zero &&
	test_expect_code 1 godwit --url "$PG_URL" --dir ooo up 2>err &&
	test_grep "^godwit: error: 2 pending migrations are older than the last applied one (20240101000003): ooo/20240101000000_zero.sql, ooo/20240101000002_two.sql$" err &&
	test_grep "^hint: apply them with --allow-out-of-order, or give them a newer version$" err &&
	snapshot >after &&
	test_cmp before after &&
	rm ooo/20240101000000_zero.sql
'

test_expect_success PG 'up --allow-out-of-order applies it, then the newer one' '
	godwit --url "$PG_URL" --dir ooo up --allow-out-of-order >out &&
	printf "20240101000002\n20240101000004\n" >expect &&
	sed -n "s/^applied  *\([0-9]*\) [a-z]* ([0-9]* ms)$/\1/p" out >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	apply 20240101000001
	apply 20240101000003
	apply 20240101000002
	apply 20240101000004
	EOF
	history_order --dir ooo >actual &&
	test_cmp expect actual &&
	test "$(state_of 20240101000002 --dir ooo)" = applied &&
	godwit --url "$PG_URL" --dir ooo status --exit-code
'

test_expect_success PG 'down 2 then reverts the last two of the folder order' '
	godwit --url "$PG_URL" --dir ooo down 2 >out &&
	printf "20240101000004\n20240101000003\n" >expect &&
	sed -n "s/^reverted  *\([0-9]*\) [a-z]* ([0-9]* ms)$/\1/p" out >actual &&
	test_cmp expect actual &&
	test "$(state_of 20240101000002 --dir ooo)" = applied &&
	test "$(state_of 20240101000003 --dir ooo)" = pending &&
	printf "one\ntwo\n" >expect &&
	user_tables >actual &&
	test_cmp expect actual
'

test_done
