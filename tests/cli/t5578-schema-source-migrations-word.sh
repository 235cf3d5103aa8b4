#!/bin/sh
test_description='schema sources: the word migrations is the project'"'"'s migrations, ./migrations the path'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: migrations in db/migrations, and a folder of DDL named migrations' '
	write_migration db/migrations/20240101000001_m.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE from_migrations (id int);
	-- migrate:down
	DROP TABLE from_migrations;
	EOF
	mkdir migrations &&
	echo "CREATE TABLE from_folder (id int);" >migrations/01.sql
'

test_expect_success 'the bare word is the project'"'"'s migrations, ./migrations and migrations/ the folder' '
	cat >expect <<-\EOF &&
	table from_folder extra
	table from_migrations missing
	EOF
	test_expect_code 3 godwit --url sqlite:x.db schema diff migrations ./migrations >out &&
	test_cmp expect out &&
	test_expect_code 3 godwit --url sqlite:x.db schema diff migrations migrations/ >out &&
	test_cmp expect out &&
	test_expect_code 3 godwit --url sqlite:x.db schema diff migrations "$PWD/migrations" >out &&
	test_cmp expect out
'

test_expect_success 'the folder is never read for the word: --sql goes from the migrations to it' '
	godwit --url sqlite:x.db schema diff migrations ./migrations --sql >out &&
	test_grep "^CREATE TABLE from_folder" out &&
	test_grep "^DROP TABLE from_migrations;\$" out &&
	godwit --url sqlite:x.db schema diff ./migrations migrations --sql >out &&
	test_grep "^CREATE TABLE from_migrations" out &&
	test_grep "^DROP TABLE from_folder;\$" out
'

test_expect_success 'a file named migrations does not shadow the word either' '
	rm -r migrations &&
	echo "CREATE TABLE from_file (id int);" >migrations &&
	cat >expect <<-\EOF &&
	table from_file extra
	table from_migrations missing
	EOF
	test_expect_code 3 godwit --url sqlite:x.db schema diff migrations ./migrations >out &&
	test_cmp expect out
'

test_expect_success 'drift --against and generate --to read the word and the path the same way' '
	test_expect_code 3 godwit --url sqlite:x.db drift --against ./migrations >out &&
	test_grep "^  table from_file missing\$" out &&
	test_grep "^  table from_migrations extra\$" out &&
	godwit --url sqlite:x.db drift --against migrations >out &&
	godwit --url sqlite:x.db generate add_file --to ./migrations --dry-run >out &&
	test_grep "^CREATE TABLE from_file" out &&
	godwit --url sqlite:x.db generate none --to migrations >out &&
	echo "nothing to generate: the migrations give the schema of migrations" >expect &&
	test_cmp expect out &&
	ls db/migrations >files &&
	echo 20240101000001_m.sql >expect &&
	test_cmp expect files
'

test_done
