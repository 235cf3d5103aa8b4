#!/bin/sh
test_description='godwit serve: a listen address or serve_timeout it cannot use is refused before serving'
. "$(dirname "$0")/lib.sh"

# Each case is refused at start-up: none serves, so none needs stopping.
test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_users.sql <<-\EOF
	-- migrate:up
	CREATE TABLE users (id int);
	EOF
'

usage_tail="usage: godwit serve [--listen ADDR:PORT]
see 'godwit help serve'"

test_expect_success 'a listen without ADDR:PORT is a usage error' '
	for spec in nocolon :8080 127.0.0.1: "[]:8080"; do
		test_expect_code 2 godwit --url sqlite:app.db serve --listen "$spec" 2>err &&
		printf "%s\n%s\n" \
			"godwit: error: listen must be ADDR:PORT, such as 127.0.0.1:8080, not $SQ$spec$SQ (--listen)" \
			"$usage_tail" >expect &&
		test_cmp expect err || return 1
	done
'

test_expect_success 'a port over 65535 or not a number is refused, not wrapped around' '
	for port in 99999 8o80 -1; do
		test_expect_code 2 godwit --url sqlite:app.db serve --listen 127.0.0.1:$port 2>err &&
		printf "%s\n%s\n" \
			"godwit: error: listen: the port must be a number from 0 to 65535, not $SQ$port$SQ (--listen)" \
			"$usage_tail" >expect &&
		test_cmp expect err || return 1
	done &&
	test_expect_code 2 env GODWIT_LISTEN=127.0.0.1:70000 "$GODWIT" --url sqlite:app.db serve 2>err &&
	test_grep "not ${SQ}70000$SQ (env GODWIT_LISTEN)" err
'

test_expect_success 'an address that is not one is a usage error' '
	test_expect_code 2 godwit --url sqlite:app.db serve --listen "[::1:8080" 2>err &&
	test_grep "^godwit: error: listen: cannot use $SQ\[::1:8080$SQ: .* (--listen)\$" err
'

# 192.0.2.0/24 is TEST-NET-1 (RFC 5737): no machine has that address.
test_expect_success 'an address of another machine cannot be listened on' '
	test_expect_code 1 godwit --url sqlite:app.db serve --listen 192.0.2.1:8080 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: cannot listen on 192.0.2.1:8080: Cannot assign requested address
	hint: choose another port with --listen ADDR:PORT
	EOF
	test_cmp expect err
'

test_expect_success 'serve_timeout 0 is a usage error' '
	test_expect_code 2 env GODWIT_SERVE_TIMEOUT=0 "$GODWIT" --url sqlite:app.db serve 2>err &&
	printf "%s\n%s\n" "godwit: error: serve_timeout must be more than 0 (env GODWIT_SERVE_TIMEOUT)" \
		"$usage_tail" >expect &&
	test_cmp expect err &&
	test ! -e app.db
'

test_done
