#!/bin/sh
test_description='on a terminal: colours unless NO_COLOR is set or TERM is dumb, the progress line cut to the width, and kept out of the run log'
. "$(dirname "$0")/lib.sh"

ESC=$(printf '\033')

# term FILE ENV... -- COMMAND: COMMAND under a pseudo-terminal (script,
# from util-linux) with the environment ENV, its output in FILE.
term()
{
	_gw_out=$1
	shift
	env "$@" script -qfec "$GODWIT --url sqlite:a.db up" "$_gw_out" >/dev/null </dev/null
}

# A statement that runs for a while (half a second or more), so the progress
# line is drawn (every 100 ms) while it runs.
test_expect_success 'setup: a slow migration with a long name' '
	write_migration db/migrations/20240101000001_slow_migration_with_a_long_name.sql <<-\EOF
	-- migrate:up
	CREATE TABLE big AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) SELECT x FROM c;
	-- migrate:down
	DROP TABLE big;
	EOF
'

test_expect_success 'an empty NO_COLOR colours; the progress line fits COLUMNS=30' '
	term tty.out NO_COLOR= TERM=xterm COLUMNS=30 &&
	test_grep "${ESC}\[32mapplied${ESC}\[0m  20240101000001 slow_migration_with_a_long_name ([0-9]* ms)" tty.out &&
	tr "\r" "\n" <tty.out >lines &&
	test_grep "^applying 20240101000001 sl\.\.\.${ESC}\[K$" lines &&
	test_grep ! "^applying 20240101000001 slo" lines &&
	test "$(sqlite_sql a.db "SELECT count(*) FROM big")" = 1000000
'

test_expect_success 'with a run log: progress on the terminal only, and no colour in the log' '
	godwit --url sqlite:a.db down >/dev/null 2>&1 &&
	term tty.out TERM=xterm COLUMNS=30 GODWIT_LOG_DIR=logs &&
	tr "\r" "\n" <tty.out >lines &&
	test_grep "^applying 20240101000001 sl\.\.\.${ESC}\[K$" lines &&
	test_grep "${ESC}\[32mapplied${ESC}\[0m" tty.out &&
	test_grep "^applied  20240101000001 slow_migration_with_a_long_name ([0-9]* ms)$" logs/godwit-*.log &&
	test_grep ! "$ESC" logs/godwit-*.log &&
	test_grep ! "^applying 20240101000001 sl\.\.\.$" logs/godwit-*.log
'

test_expect_success 'NO_COLOR=1 or TERM=dumb: no escape at all' '
	godwit --url sqlite:a.db down >/dev/null 2>&1 &&
	term tty.out NO_COLOR=1 TERM=xterm COLUMNS=30 &&
	tr "\r" "\n" <tty.out >lines &&
	test_grep "^${ESC}\[Kapplied  20240101000001 slow_migration_with_a_long_name ([0-9]* ms)$" lines &&
	test_grep ! "${ESC}\[3" tty.out &&
	godwit --url sqlite:a.db down >/dev/null 2>&1 &&
	term tty.out TERM=dumb &&
	test_grep "^applied  20240101000001 slow_migration_with_a_long_name ([0-9]* ms)" tty.out &&
	test_grep ! "$ESC" tty.out
'

test_done
