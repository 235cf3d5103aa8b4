#!/bin/sh
test_description='multi-dialect folders: the target database'"'"'s files win over the generic ones; .autocommit runs outside a transaction'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a multi-dialect folder' '
	m=template/db/migrations &&
	write_migration $m/1_users.up.sql <<-\EOF &&
	CREATE TABLE users (id int PRIMARY KEY, generic int);
	EOF
	write_migration $m/1_users.postgres.up.sql <<-\EOF &&
	CREATE TABLE users (id int PRIMARY KEY, pg int);
	EOF
	write_migration $m/1_users.down.sql <<-\EOF &&
	DROP TABLE users;
	EOF
	write_migration $m/2_idx.autocommit.up.sql <<-\EOF &&
	CREATE INDEX users_idx ON users (id);
	EOF
	write_migration $m/2_idx.postgres.autocommit.up.sql <<-\EOF &&
	CREATE INDEX CONCURRENTLY users_idx ON users (id);
	EOF
	write_migration $m/2_idx.down.sql <<-\EOF &&
	DROP INDEX users_idx;
	EOF
	write_migration $m/3_lite.sqlite3.up.sql <<-\EOF &&
	CREATE TABLE lite (id int);
	EOF
	write_migration $m/3_lite.sqlite3.down.sql <<-\EOF
	DROP TABLE lite;
	EOF
'

test_expect_success SQLITE3 'sqlite: the generic files and the sqlite3 ones' '
	cp -R template sqlite &&
	cd sqlite &&
	godwit up >out &&
	test_grep "^applied 3 migrations$" out &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM pragma_table_info(${SQ}users${SQ}) WHERE name = ${SQ}generic${SQ}")" = 1 &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM lite")" = 0 &&
	godwit status --format json >status.json &&
	test "$(grep -c "\"transactional\": false" status.json)" = 1 &&
	godwit down 2 >out &&
	test_grep "^reverted 2 migrations$" out &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name IN (${SQ}lite${SQ}, ${SQ}users_idx${SQ})")" = 0
'

test_expect_success PG 'pg: the postgres files win; .autocommit runs CREATE INDEX CONCURRENTLY' '
	cp -R template pg &&
	cd pg &&
	pg_new_db &&
	godwit --url "$PG_URL" --source-format multi-dialect up >out &&
	test_grep "^applied 2 migrations$" out &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = ${SQ}users${SQ} AND column_name = ${SQ}pg${SQ}")" = 1 &&
	test "$(pg_sql "SELECT count(*) FROM pg_indexes WHERE indexname = ${SQ}users_idx${SQ}")" = 1 &&
	test "$(pg_sql "SELECT to_regclass(${SQ}lite${SQ}) IS NULL")" = t &&
	godwit --url "$PG_URL" down 2 >out &&
	test_grep "^reverted 2 migrations$" out &&
	test "$(pg_sql "SELECT to_regclass(${SQ}users${SQ}) IS NULL")" = t
'

test_done
