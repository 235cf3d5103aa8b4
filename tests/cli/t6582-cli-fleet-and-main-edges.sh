#!/bin/sh
test_description='fleet options at their edges (targets on stdin, --targets=FILE, --schemas on SQLite, targets_query without a control database, a protected environment) and output that cannot be written'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: two SQLite targets' '
	write_migration db/migrations/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	godwit --url sqlite:one.db up >/dev/null 2>&1 &&
	printf "one=sqlite:one.db\ntwo=sqlite:two.db\n" >targets.txt
'

test_expect_success 'targets on standard input, with --targets=- and --format text' '
	printf "one=sqlite:one.db\n" | godwit status --targets=- --format text >out &&
	cat >expect <<-\EOF &&
	VERSION         TARGETS  NAMES
	20240101000001  1        one
	1 target at 1 version
	EOF
	test_cmp expect out &&
	echo "# nothing" | test_expect_code 1 godwit status --targets - 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: no targets in standard input
	hint: list one URL or NAME=URL a line
	EOF
	test_cmp expect err
'

test_expect_success 'up --targets=FILE --ignore-other-history applies on each target' '
	godwit up --targets=targets.txt --ignore-other-history --format text >out 2>err &&
	test_grep "^fleet run [0-9-]*[0-9a-f]*: 2 done, in [0-9]*ms$" out &&
	test "$(sqlite_sql two.db "SELECT count(*) FROM godwit_migrations")" = 1
'

test_expect_success '--schemas needs PostgreSQL; targets_query needs a control database' '
	test_expect_code 1 godwit --url sqlite:one.db status --schemas "x%" 2>err &&
	echo "godwit: error: --schemas needs a PostgreSQL database; sqlite:one.db is sqlite" >expect &&
	test_cmp expect err &&
	test_expect_code 2 env GODWIT_TARGETS_QUERY="SELECT 1" "$GODWIT" status --targets targets.txt 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: targets_query runs on the control database: give --control-url (or control_url in godwit.conf)
	usage: godwit status --targets FILE|--schemas PATTERN [--jobs N]
	see '"'"'godwit help status'"'"'
	EOF
	test_cmp expect err
'

test_expect_success 'a protected environment refuses a fleet up without a terminal or --yes' '
	rm -f three.db &&
	echo "three=sqlite:three.db" >t3.txt &&
	test_expect_code 1 env GODWIT_ENV=production "$GODWIT" up --targets t3.txt 2>err </dev/null &&
	cat >expect <<-\EOF &&
	godwit: error: ${SQ}production${SQ} is a protected environment and there is no terminal to confirm on; nothing was changed
	hint: pass --yes to confirm in a non-interactive deploy
	EOF
	sed "s/\${SQ}/$SQ/g" expect >expect.q &&
	test_cmp expect.q err &&
	test ! -e three.db
'

test_expect_success 'output that cannot be written is an error, exit 1' '
	test -w /dev/full &&
	test_expect_code 1 godwit version >/dev/full 2>err &&
	echo "godwit: error: could not write the output" >expect &&
	test_cmp expect err
'

test_expect_success 'an unknown command of 40 letters is named, with no guess' '
	test_expect_code 2 godwit aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: unknown command ${SQ}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa${SQ}
	see ${SQ}godwit help${SQ}
	EOF
	sed "s/\${SQ}/$SQ/g" expect >expect.q &&
	test_cmp expect.q err
'

test_done
