#!/bin/sh
test_description='redo and repair in text and JSON; JSON output is valid UTF-8 whatever it carries'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	write_migration db/migrations/20240101000001_a.sql <<-\EOF
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
'

test_expect_success 'redo with nothing applied is an error, in text and JSON' '
	test_expect_code 1 godwit redo 2>err &&
	echo "godwit: error: nothing to redo: no migration is applied" >expect &&
	test_cmp expect err &&
	test_expect_code 1 godwit --format json redo >out.json &&
	test_grep "^    \"code\": \"state\",$" out.json &&
	test_grep "^    \"message\": \"nothing to redo: no migration is applied\",$" out.json
'

test_expect_success 'redo in JSON lists what it reverted and applied' '
	godwit up >/dev/null &&
	sqlite_sql db/development.sqlite3 "INSERT INTO a VALUES (1)" &&
	godwit --format json redo >out.json &&
	sed -e "s/\"duration_ms\": [0-9]*/\"duration_ms\": N/" out.json >got &&
	cat >expect <<-\EOF &&
	{
	  "reverted": [
	    {
	      "version": "20240101000001",
	      "name": "a",
	      "duration_ms": N
	    }
	  ],
	  "applied": [
	    {
	      "version": "20240101000001",
	      "name": "a",
	      "duration_ms": N
	    }
	  ]
	}
	EOF
	test_cmp expect got &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM a")" = 0
'

test_expect_success 'repair in text and JSON' '
	godwit repair >out &&
	echo "nothing to repair; every applied migration matches its file" >expect &&
	test_cmp expect out &&
	write_migration db/migrations/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id bigint);
	-- migrate:down
	DROP TABLE a;
	EOF
	test_expect_code 1 godwit up 2>err &&
	test_grep "was changed after it was applied" err &&
	godwit --format json repair >out.json &&
	printf "{\n  \"repaired\": 1\n}\n" >expect &&
	test_cmp expect out.json &&
	godwit repair >out &&
	echo "nothing to repair; every applied migration matches its file" >expect &&
	test_cmp expect out &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT action FROM godwit_events ORDER BY id DESC LIMIT 1")" = repair
'

test_expect_success 'bytes that are not UTF-8 reach JSON as U+FFFD, valid ones as they are' '
	# valid: e-acute, euro sign, a 4-byte emoji; invalid: a stray 0xFF, an
	# overlong form, a surrogate, a code point past U+10FFFF, a lead byte
	# without its continuation.
	url=$(printf "sqlite:a\303\251\342\202\254\360\237\220\246\377\340\200\257\355\240\200\364\220\200\200\303(z") &&
	godwit --format json --url "$url" status >out.json &&
	r=$(printf "\357\277\275") &&
	printf "  \"database\": \"sqlite:a\303\251\342\202\254\360\237\220\246%s%s%s%s%s%s%s%s%s%s%s%s(z\",\n" \
		$r $r $r $r $r $r $r $r $r $r $r $r >expect &&
	sed -n 2p out.json >got &&
	test_cmp expect got
'

test_done
