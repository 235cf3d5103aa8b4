#!/bin/sh
test_description='usage errors: exit code 2 with the error, the usage and where to look'
. "$(dirname "$0")/lib.sh"

# Runs godwit expecting exit code 2 and exactly the given stderr (stdin).
expect_usage()
{
	cat >expect &&
	test_expect_code 2 godwit "$@" >out 2>err &&
	test ! -s out &&
	test_cmp expect err
}

test_expect_success 'an unknown global or command option' '
	expect_usage --nope status <<-\EOF &&
	godwit: error: unknown option '\''--nope'\''
	see '\''godwit help'\''
	EOF
	expect_usage status --nope=3 <<-\EOF
	godwit: error: unknown option '\''--nope'\''
	usage: godwit status [--exit-code] [--format text|json]
	see '\''godwit help status'\''
	EOF
'

test_expect_success 'a value given to a flag' '
	expect_usage up --dry-run=yes <<-\EOF
	godwit: error: option --dry-run takes no value
	usage: godwit up [--to V] [--dry-run] [--resume] [--atomic] [--ignore-other-history] [--allow-unsafe]
	see '\''godwit help up'\''
	EOF
'

test_expect_success 'too few and too many arguments' '
	expect_usage resolve <<-\EOF &&
	godwit: error: missing argument
	usage: godwit resolve VERSION --applied|--rolled-back
	see '\''godwit help resolve'\''
	EOF
	expect_usage redo extra <<-\EOF
	godwit: error: unexpected argument '\''extra'\''
	usage: godwit redo [--target V] [--dry-run]
	see '\''godwit help redo'\''
	EOF
'

test_expect_success 'an unknown command, with a suggestion when one is close' '
	expect_usage stauts <<-\EOF &&
	godwit: error: unknown command '\''stauts'\''; did you mean '\''status'\''?
	see '\''godwit help'\''
	EOF
	expect_usage abcdefghijabcdefghijabcdefghijabcdefghij <<-\EOF
	godwit: error: unknown command '\''abcdefghijabcdefghijabcdefghijabcdefghij'\''
	see '\''godwit help'\''
	EOF
'

test_expect_success 'nothing is created by a usage error' '
	test ! -e db
'

test_expect_success 'a config file that does not exist' '
	test_expect_code 1 godwit --config nothere.conf status 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: config file nothere.conf does not exist
	hint: check the --config option
	EOF
	test_cmp expect err
'

test_expect_success 'output that cannot be written is a failure' '
	mkdir -p db/migrations &&
	test_expect_code 1 godwit status >/dev/full 2>err &&
	echo "godwit: error: could not write the output" >expect &&
	test_cmp expect err
'

test_done
