#!/bin/sh
test_description='godwit config shows effective settings, their sources, and masks passwords'
. "$(dirname "$0")/lib.sh"

test_expect_success 'each setting names where it came from' '
	cat >godwit.conf <<-\EOF &&
	lock_timeout = 2s

	[env.production]
	url = postgres://app:hunter2@db.example.com/app
	EOF
	printf "GODWIT_RETRIES=7\n" >.env &&
	GODWIT_STATEMENT_TIMEOUT=30s godwit --env production --lock-wait 30 config >out &&
	test_grep "^environment  *production (protected)" out &&
	test_grep "^url  *postgres://app:\*\*\*\*@db.example.com/app  *godwit.conf:4" out &&
	test_grep "^lock_wait  *30  *--lock-wait" out &&
	test_grep "^lock_timeout  *2s  *godwit.conf:1" out &&
	test_grep "^statement_timeout  *30s  *env GODWIT_STATEMENT_TIMEOUT" out &&
	test_grep "^retries  *7  *.env:1" out &&
	test_grep "^connect_retries  *3  *default" out &&
	! grep hunter2 out
'

test_expect_success 'config --format json masks the password too' '
	godwit --env production config --format json >json &&
	test_grep "\"protected\": true" json &&
	test_grep "app:\*\*\*\*@db.example.com" json &&
	! grep hunter2 json
'

test_expect_success 'an undefined ${VAR} in the selected environment is an error with its line' '
	printf "[env.staging]\nurl = \${STAGING_URL}\n" >godwit.conf &&
	test_expect_code 1 godwit --env staging config 2>err &&
	test_grep "godwit.conf:2" err &&
	test_grep "STAGING_URL" err
'

test_done
