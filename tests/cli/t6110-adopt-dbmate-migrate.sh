#!/bin/sh
test_description='adopt --from dbmate and --from golang-migrate'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup: a dbmate folder, two of three applied by dbmate' '
	pg_new_db &&
	for v in 1 2 3; do
		write_migration db/migrations/2024010${v}000000_t$v.sql <<-EOF || return 1
		-- migrate:up
		CREATE TABLE t$v (id int);
		-- migrate:down
		DROP TABLE t$v;
		EOF
	done &&
	# dbmate pkg/driver/postgres/postgres.go, CreateMigrationsTable:
	# create table if not exists schema_migrations (version varchar(128) primary key)
	# and each applied migration: insert into schema_migrations (version) values ($1)
	pg_sql "CREATE TABLE t1 (id int); CREATE TABLE t2 (id int);
		create table if not exists schema_migrations (version varchar(128) primary key);
		insert into schema_migrations (version) values ('\''20240101000000'\''), ('\''20240102000000'\'')"
'

test_expect_success PG 'adopt --dry-run shows what would be recorded and records nothing' '
	godwit --url "$PG_URL" adopt --from dbmate --dry-run >out &&
	test_grep "would record *20240101000000" out &&
	test_grep "pending *20240103000000" out &&
	test_grep "dry run: would record 2 migrations; nothing was changed" out &&
	test "$(pg_sql "SELECT to_regclass('\''godwit_migrations'\'') IS NULL")" = t
'

test_expect_success PG 'adopt records what dbmate applied, kind adopted, with events' '
	godwit --url "$PG_URL" adopt --from dbmate >out &&
	test_grep "recorded 2 migrations as applied; 1 pending" out &&
	pg_sql "SELECT version, kind, state FROM godwit_migrations ORDER BY version" >rows &&
	cat >expect <<-\EOF &&
	20240101000000|adopted|applied
	20240102000000|adopted|applied
	EOF
	test_cmp expect rows &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''adopt'\''")" = 2 &&
	test "$(pg_sql "SELECT count(*) FROM schema_migrations")" = 2
'

test_expect_success PG 'up then applies only what is pending' '
	godwit --url "$PG_URL" up >out 2>&1 &&
	test "$(pg_sql "SELECT string_agg(version, '\'','\'') FROM godwit_migrations WHERE kind = '\''versioned'\''")" = 20240103000000 &&
	godwit --url "$PG_URL" status --exit-code
'

test_expect_success PG 'adopt again is a no-op' '
	godwit --url "$PG_URL" adopt --from dbmate >out &&
	test_grep "already recorded *20240101000000" out &&
	test_grep "recorded 0 migrations" out
'

test_expect_success PG 'a dbmate row with no file refuses, recording nothing' '
	pg_new_db &&
	pg_sql "create table if not exists schema_migrations (version varchar(128) primary key);
		insert into schema_migrations (version) values ('\''20240101000000'\''), ('\''20231231000000'\'')" &&
	test_expect_code 1 godwit --url "$PG_URL" adopt --from dbmate >out 2>err &&
	test_grep "PROBLEM *20231231000000 *(no file)" out &&
	test_grep "dbmate applied it, but no file in db/migrations has this version; restore the file" out &&
	test_grep "cannot adopt the dbmate history: 1 migration disagrees with db/migrations; nothing was recorded" err &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 0
'

test_expect_success PG 'the refusal as JSON' '
	test_expect_code 1 godwit --url "$PG_URL" --format json adopt --from dbmate >out &&
	test_grep "\"action\": \"problem\"" out &&
	test_grep "\"error\": \"cannot adopt" out
'

test_expect_success PG 'no table of the tool is a clear error' '
	pg_new_db &&
	test_expect_code 1 godwit --url "$PG_URL" adopt --from dbmate 2>err &&
	test_grep "no dbmate history in this database: table .schema_migrations. does not exist" err &&
	test_expect_code 2 godwit --url "$PG_URL" adopt --from nope 2>err &&
	test_grep "cannot adopt from '\''nope'\'': unknown tool; adopt knows dbmate, golang-migrate, goose, flyway, diesel, prisma, drizzle, sqitch or supabase" err
'

test_expect_success PG 'setup: a golang-migrate folder at version 2' '
	pg_new_db &&
	mkdir gm &&
	for v in 1 2 3; do
		echo "CREATE TABLE g$v (id int);" >gm/00000${v}_g$v.up.sql &&
		echo "DROP TABLE g$v;" >gm/00000${v}_g$v.down.sql || return 1
	done &&
	# golang-migrate database/postgres/postgres.go, ensureVersionTable:
	# CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)
	# SetVersion: TRUNCATE, then INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2)
	pg_sql "CREATE TABLE g1 (id int); CREATE TABLE g2 (id int);
		CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null);
		INSERT INTO schema_migrations (version, dirty) VALUES (2, false)"
'

test_expect_success PG 'adopt --from golang-migrate counts every migration up to its version' '
	godwit --url "$PG_URL" --dir gm adopt --from golang-migrate >out &&
	test_grep "recorded 2 migrations as applied; 1 pending" out &&
	test "$(pg_sql "SELECT string_agg(version || kind, '\'','\'' ORDER BY version) FROM godwit_migrations")" = "000001adopted,000002adopted" &&
	godwit --url "$PG_URL" --dir gm up &&
	test "$(pg_sql "SELECT to_regclass('\''g3'\'') IS NOT NULL")" = t &&
	godwit --url "$PG_URL" --dir gm status --exit-code
'

test_expect_success PG 'a dirty golang-migrate version refuses' '
	pg_new_db &&
	pg_sql "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null);
		INSERT INTO schema_migrations (version, dirty) VALUES (2, true)" &&
	test_expect_code 1 godwit --url "$PG_URL" --dir gm adopt --from golang-migrate >out 2>err &&
	test_grep "PROBLEM *000002" out &&
	test_grep "golang-migrate marks it dirty: it failed half-way" out &&
	test_grep "nothing was recorded" err &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 0
'

test_expect_success PG 'a golang-migrate version with no file refuses' '
	pg_sql "UPDATE schema_migrations SET version = 7, dirty = false" &&
	test_expect_code 1 godwit --url "$PG_URL" --dir gm adopt --from golang-migrate >out 2>err &&
	test_grep "PROBLEM *7 *(no file)" out
'

test_expect_success SQLITE3 'adopt --from dbmate on SQLite' '
	sqlite_sql a.db "create table if not exists schema_migrations (version varchar(128) primary key);
		insert into schema_migrations (version) values ('\''20240101000000'\'')" &&
	godwit --url "sqlite:./a.db" adopt --from dbmate >out &&
	test_grep "recorded 1 migration as applied; 2 pending" out
'

test_done
