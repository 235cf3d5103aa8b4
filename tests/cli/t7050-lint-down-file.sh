#!/bin/sh
test_description='lint of a down file named on the command line lints that file'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: golang-migrate pairs' '
	mkdir -p db/migrations &&
	printf "CREATE TABLE a (id int);\n" >db/migrations/000001_a.up.sql &&
	printf "DROP TABLE a;\n" >db/migrations/000001_a.down.sql
'

test_expect_success 'the down file is linted, not its up' '
	godwit lint db/migrations/000001_a.down.sql >out &&
	grep -v "^ " out >findings &&
	cat >expect <<-\EOF &&
	db/migrations/000001_a.down.sql:1:1: warning: dropping a table breaks code that still uses it, and its data is gone [dropping-table]
	0 errors, 1 warning
	dialect: postgres (no database URL or dialect setting; what the SQL parses as)
	EOF
	test_cmp expect findings &&
	godwit lint db/migrations/000001_a.up.sql >out &&
	test_grep "^no problems found\$" out
'

test_done
