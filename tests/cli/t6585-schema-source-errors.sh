#!/bin/sh
test_description='schema diff: a file that cannot be read or a bad snapshot is an error naming it, in text and in JSON'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	write_migration db/migrations/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	printf -- "-- godwit schema snapshot\nbogus\n" >snap.txt
'

# /proc/self/mem opens, and reading its first page fails (EIO).
test_expect_success 'a file that opens but cannot be read' '
	test -r /proc/self/mem &&
	test_expect_code 1 godwit --url sqlite:a.db schema diff /proc/self/mem migrations 2>err &&
	echo "godwit: error: cannot read /proc/self/mem: Input/output error" >expect &&
	test_cmp expect err &&
	test_expect_code 1 godwit --url sqlite:a.db schema diff /proc/self/mem migrations --format json >out &&
	test_grep "^    \"message\": \"cannot read /proc/self/mem: Input/output error\",$" out
'

test_expect_success 'a snapshot that does not parse: file, line and what was expected' '
	test_expect_code 1 godwit --url sqlite:a.db schema diff snap.txt migrations 2>err &&
	echo "godwit: error: snap.txt: line 2: expected ${SQ}KIND NAME${SQ} to start an object" >expect &&
	test_cmp expect err &&
	test_expect_code 1 godwit --url sqlite:a.db schema diff snap.txt migrations --format json >out 2>err &&
	test_grep "^    \"message\": \"snap.txt: line 2: expected ${SQ}KIND NAME${SQ} to start an object\",$" out &&
	test ! -s err &&
	test ! -e a.db
'

test_done
