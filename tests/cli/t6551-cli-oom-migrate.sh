#!/bin/sh
test_description='out of memory in up and down: an error that says so, never half a migration'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/oom-lib.sh"

# The user tables and the history's versions of app.db, one line each.
tables()
{
	sqlite3 app.db "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'godwit%' AND name NOT LIKE 'sqlite%'
		ORDER BY name); SELECT group_concat(version) FROM (SELECT version FROM godwit_migrations
		ORDER BY version)" 2>/dev/null
}

# Each state app.db may be left in: nothing, the first migration, both.
test_expect_success 'setup' '
	oom_setup &&
	printf "users\n20240101000001\n" >first &&
	printf "posts,users\n20240101000001,20240101000002\n" >both
'

in_a_state()
{
	tables >actual
	test ! -e app.db || test -z "$(cat actual)" || cmp -s first actual || cmp -s both actual
}

test_expect_success 'up: each migration applied or not, never half' '
	OOM_RESET="rm -f app.db" &&
	OOM_CHECK=in_a_state &&
	oom_each up &&
	OOM_RESET= &&
	OOM_CHECK= &&
	tables >actual &&
	test_cmp both actual
'

test_expect_success 'down: the last migration reverted or still applied' '
	cp app.db applied.db &&
	OOM_RESET="cp applied.db app.db" &&
	OOM_CHECK=in_a_state &&
	oom_each down &&
	OOM_RESET= &&
	OOM_CHECK= &&
	tables >actual &&
	test_cmp first actual
'

test_done
