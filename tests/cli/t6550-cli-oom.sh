#!/bin/sh
test_description='out of memory in a CLI run that reads: an error that says so, never a wrong result'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/oom-lib.sh"

test_expect_success 'setup' '
	oom_setup
'

test_expect_success 'commands that only read, on a database not made yet' '
	for args in "status --format json" "config" "config --format json" "lint --format json" "version" \
		"plan --format json" "graph"; do
		oom_each $args || return 1
	done &&
	test ! -e app.db
'

test_expect_success 'commands that only read, on a migrated database' '
	godwit up 2>/dev/null >/dev/null &&
	for args in "status" "history --format json" "health" "validate"; do
		oom_each $args || return 1
	done
'

test_done
