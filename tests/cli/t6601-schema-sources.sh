#!/bin/sh
test_description='schema diff sources: DDL files, folders, commands, snapshots and migrations, each error naming where it happened'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: DDL in a folder, one file without its final semicolon' '
	mkdir ddl &&
	printf "CREATE TABLE a (id int)" >ddl/1.sql &&
	printf "CREATE TABLE b (id int);\n" >ddl/2.sql &&
	echo "not DDL" >ddl/README.md &&
	mkdir empty &&
	echo "not DDL" >empty/README.md
'

test_expect_success 'a folder runs its .sql files in name order, the same as a command printing them' '
	godwit --url sqlite:x.db schema diff ddl "!cat ddl/1.sql; echo \";\"; cat ddl/2.sql" >out &&
	echo "the schemas are equal" >expect &&
	test_cmp expect out
'

test_expect_success 'a command printing less DDL gives a difference' '
	test_expect_code 3 godwit --url sqlite:x.db schema diff ddl "!cat ddl/1.sql" >out &&
	echo "table b missing" >expect &&
	test_cmp expect out
'

test_expect_success 'a folder without a .sql file is an error naming it' '
	test_expect_code 1 godwit --url sqlite:x.db schema diff empty ddl >out 2>err &&
	echo "godwit: error: empty: no .sql file in this folder" >expect &&
	test_cmp expect err &&
	! test -s out
'

test_expect_success 'a command that fails is an error with its exit status and standard error' '
	test_expect_code 1 godwit --url sqlite:x.db schema diff "!echo oops >&2; exit 2" ddl 2>err &&
	echo "godwit: error: the command '"'"'echo oops >&2; exit 2'"'"' exited with 2: oops" >expect &&
	test_cmp expect err
'

test_expect_success 'DDL that does not parse, or fails to run, names its file and line' '
	printf "CREATE TABLE a (id int);\nCREATE TABLE b (id int\n" >bad.sql &&
	test_expect_code 1 godwit --url sqlite:x.db schema diff bad.sql ddl 2>err &&
	echo "godwit: error: bad.sql: line 2: incomplete input" >expect &&
	test_cmp expect err &&
	printf "CREATE TABLE a (id int);\n\nCREATE INDEX i ON nope (id);\n" >run.sql &&
	test_expect_code 1 godwit --url sqlite:x.db schema diff ddl run.sql 2>err &&
	echo "godwit: error: run.sql: line 3: no such table: main.nope" >expect &&
	test_cmp expect err &&
	! test -e x.db
'

test_expect_success 'a snapshot file that does not parse names its file and line' '
	printf -- "-- godwit schema snapshot (sqlite)\n\n  column x\n" >c.snap &&
	test_expect_code 1 godwit --url sqlite:x.db schema diff c.snap ddl 2>err &&
	echo "godwit: error: c.snap: line 3: a member line outside an object" >expect &&
	test_cmp expect err
'

test_expect_success 'migrations that fail to replay are an error saying so' '
	write_migration db/migrations/20240101000001_t.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t (id int);
	CREATE INDEX i ON nope (id);
	-- migrate:down
	DROP TABLE t;
	EOF
	test_expect_code 1 godwit --url sqlite:x.db schema diff migrations ddl 2>err &&
	echo "godwit: error: replaying the migrations failed: no such table: main.nope" >expect &&
	test_cmp expect err &&
	! test -e x.db
'

test_done
