#!/bin/sh
test_description='drizzle-kit journal is read and written as JSON: an invalid one is refused where it breaks, new writes it back in drizzle-kit layout'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a one-migration drizzle folder with a compact journal' '
	mkdir -p m/meta &&
	echo "CREATE TABLE users (id int);" >m/0000_init.sql &&
	printf "{\"version\":\"7\",\"dialect\":\"sqlite\",\"entries\":[{\"idx\":0,\"version\":\"6\",\"when\":4102444800000,\"tag\":\"0000_init\",\"breakpoints\":true}]}\n" >m/meta/_journal.json &&
	cp -R m fresh
'

test_expect_success 'new rewrites the journal as drizzle-kit writes it, with the entry after the last' '
	godwit --dir m new add_tags >out &&
	cat >expect <<-\EOF &&
	{
	  "version": "7",
	  "dialect": "sqlite",
	  "entries": [
	    {
	      "idx": 0,
	      "version": "6",
	      "when": 4102444800000,
	      "tag": "0000_init",
	      "breakpoints": true
	    },
	    {
	      "idx": 1,
	      "version": "6",
	      "when": 4102444800001,
	      "tag": "0001_add_tags",
	      "breakpoints": true
	    }
	  ]
	}
	EOF
	test_cmp expect m/meta/_journal.json
'

test_expect_success 'a tag written with a JSON escape names its file' '
	cp -R fresh escaped &&
	sed "s/0000_init/0000_\\\\u0069nit/" fresh/meta/_journal.json >escaped/meta/_journal.json &&
	test_grep "0000_\\\\u0069nit" escaped/meta/_journal.json &&
	godwit --url "sqlite:$PWD/escaped.db" --dir escaped up >out &&
	test_grep "applied 1 migration" out
'

test_expect_success 'a journal that is not JSON is refused at its line and column; nothing is applied' '
	cp -R fresh broken &&
	printf "{\"entries\": [\n  {\"tag\": \"0000_init\",}\n]}\n" >broken/meta/_journal.json &&
	test_expect_code 1 godwit --url "sqlite:$PWD/broken.db" --dir broken up 2>err &&
	echo "godwit: error: broken/meta/_journal.json:2:23: not valid JSON: string or '"'"'}'"'"' expected near '"'"'}'"'"'" >expect &&
	head -n 1 err >actual &&
	test_cmp expect actual &&
	! test -s broken.db
'

test_expect_success 'an entry whose tag is not a string is refused, naming the entry' '
	cp -R fresh numeric &&
	printf "{\"entries\": [{\"tag\": \"0000_init\"}, {\"tag\": 1}]}\n" >numeric/meta/_journal.json &&
	test_expect_code 1 godwit --dir numeric status 2>err &&
	echo "godwit: error: numeric/meta/_journal.json: entry 2 of \"entries\" has a \"tag\" that is not a file name; godwit reads each entry'"'"'s tag as the file name" >expect &&
	head -n 1 err >actual &&
	test_cmp expect actual
'

test_done
