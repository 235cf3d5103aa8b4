#!/bin/sh
test_description='help and version: every command has its help, from the same tables as the parser'
. "$(dirname "$0")/lib.sh"

# The command names of the overview's "commands:" section, one a line.
overview_commands()
{
	sed -n '/^commands:$/,/^$/p' "$1" | sed -n 's/^  \([a-z-]*\).*/\1/p'
}

test_expect_success 'help, --help and no command print the overview' '
	godwit help >help.out &&
	godwit --help >dashdash.out &&
	godwit >bare.out &&
	test_cmp help.out dashdash.out &&
	test_cmp help.out bare.out &&
	head -3 help.out >head.out &&
	cat >head.expect <<-\EOF &&
	usage: godwit [global options] <command> [options] [args]

	godwit applies database schema migrations: all of them, or none.
	EOF
	test_cmp head.expect head.out &&
	test_grep "^  2  usage error: unknown command or option, bad or missing argument$" help.out &&
	test_grep "^  up, migrate  *apply pending migrations$" help.out &&
	test_grep "^  down, rollback  *revert the last N migrations, or down to a version$" help.out &&
	test_grep "^  -h, --help  *show help$" help.out &&
	test_grep "^see .godwit help <command>. for the options of one command.$" help.out
'

test_expect_success 'each command listed has a help of its own, the same with --help' '
	overview_commands help.out >commands &&
	test "$(wc -l <commands)" -ge 20 &&
	while read cmd
	do
		godwit help $cmd >cmd.out &&
		head -1 cmd.out | grep "^usage: godwit $cmd" >/dev/null &&
		test_grep "^global options: see .godwit help.; exit codes: 0 ok, 1 failed, 2 usage" cmd.out &&
		godwit $cmd --help >cmd2.out &&
		test_cmp cmd.out cmd2.out || return 1
	done <commands
'

test_expect_success 'a command help names its alias, its options and, for status, exit code 3' '
	godwit help down >down.out &&
	sed -n 2p down.out >alias.out &&
	echo "alias: rollback" >alias.expect &&
	test_cmp alias.expect alias.out &&
	test_grep "^revert the last N migrations, or down to a version\.$" down.out &&
	test_grep "^options:$" down.out &&
	godwit help status >status.out &&
	test_grep "2 usage, 3 found (with --exit-code)$" status.out &&
	! grep "3 found" down.out &&
	godwit help rollback >rollback.out &&
	test_cmp down.out rollback.out
'

test_expect_success 'help of an unknown command is a usage error' '
	test_expect_code 2 godwit help nope >out 2>err &&
	test ! -s out &&
	cat >expect <<-\EOF &&
	godwit: error: unknown command '\''nope'\''
	usage: godwit help [--man] [COMMAND]
	see '\''godwit help help'\''
	EOF
	test_cmp expect err &&
	test_expect_code 2 godwit help up down 2>err &&
	test_grep "usage: godwit help \[--man\] \[COMMAND\]" err
'

test_expect_success 'version prints the program, the library and the parts inside' '
	godwit version >out &&
	godwit --version >out2 &&
	test_cmp out out2 &&
	sed -n 1,2p out >head.out &&
	printf "godwit %s\nlibrary %s\n" "$(sed -n "s/^#define GODWIT_VERSION  *\"\(.*\)\"$/\1/p" "$GW_SOURCE_DIR/include/godwit/common.h")" \
		"$(sed -n "s/^#define GODWIT_VERSION  *\"\(.*\)\"$/\1/p" "$GW_SOURCE_DIR/include/godwit/common.h")" >head.expect &&
	test_cmp head.expect head.out &&
	test_grep "^driver postgres: libpq " out &&
	test_grep "^driver sqlite: SQLite 3\." out &&
	test_grep "^parser: libpg_query " out
'

test_expect_success 'version as JSON' '
	godwit --format json version >out.json &&
	v=$(sed -n 1p out | cut -d" " -f2) &&
	test_grep "^  \"godwit\": \"$v\",$" out.json &&
	test_grep "^  \"library\": \"$v\",$" out.json &&
	test_grep "^  \"details\": \"driver postgres: libpq .*\\\\ndriver sqlite: SQLite 3\..*\\\\nparser: libpg_query .*\"$" out.json
'

test_done
