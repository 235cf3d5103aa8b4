#!/bin/sh
test_description='adopt --from sqitch, with the registry sqitch itself writes'
. "$(dirname "$0")/lib.sh"

# The registry is written by sqitch itself (`sqitch deploy`): its own DDL
# (App/Sqitch/Engine/pg.sql, sqlite.sql) and its own rows, script_hash
# being the SHA-1 of each deploy script.
test_expect_success 'setup: a sqitch project with a reworked change' '
	mkdir shop && cd shop &&
	write_migration sqitch.plan <<-\PLAN &&
	%syntax-version=1.0.0
	%project=shop

	items 2024-01-01T00:00:00Z T <t@example.com> # items
	prices [items] 2024-01-02T00:00:00Z T <t@example.com> # prices
	@v1 2024-01-03T00:00:00Z T <t@example.com> # v1

	items [items@v1] 2024-01-04T00:00:00Z T <t@example.com> # items get a name
	orders [items prices] 2024-01-05T00:00:00Z T <t@example.com> # orders
	PLAN
	write_migration deploy/items@v1.sql <<-\SQL &&
	-- Deploy shop:items to pg
	BEGIN;
	CREATE TABLE items (id int PRIMARY KEY);
	COMMIT;
	SQL
	write_migration revert/items@v1.sql <<-\SQL &&
	BEGIN;
	DROP TABLE items;
	COMMIT;
	SQL
	write_migration deploy/items.sql <<-\SQL &&
	BEGIN;
	ALTER TABLE items ADD COLUMN name text;
	COMMIT;
	SQL
	write_migration revert/items.sql <<-\SQL &&
	BEGIN;
	ALTER TABLE items DROP COLUMN name;
	COMMIT;
	SQL
	write_migration deploy/prices.sql <<-\SQL &&
	BEGIN;
	CREATE TABLE prices (item int REFERENCES items (id), cents int);
	COMMIT;
	SQL
	write_migration revert/prices.sql <<-\SQL &&
	BEGIN;
	DROP TABLE prices;
	COMMIT;
	SQL
	write_migration deploy/orders.sql <<-\SQL &&
	BEGIN;
	CREATE TABLE orders (item int REFERENCES items (id));
	COMMIT;
	SQL
	write_migration revert/orders.sql <<-\SQL
	BEGIN;
	DROP TABLE orders;
	COMMIT;
	SQL
'

test_expect_success PG,SQITCH 'PostgreSQL: the deployed changes are recorded, checksums verified, times kept' '
	cp -R shop pg1 && cd pg1 &&
	sqitch_env &&
	pg_new_db &&
	sqitch deploy "db:pg:$PG_DB" --to @v1 >out 2>&1 &&
	godwit --dir . --url "$PG_URL" adopt --from sqitch --dry-run >out &&
	test_grep "would record *1 .*deploy/items@v1.sql .*checksum verified" out &&
	test_grep "pending *3 .*deploy/items.sql" out &&
	test "$(pg_sql "SELECT to_regclass('\''godwit_migrations'\'') IS NULL")" = t &&
	godwit --dir . --url "$PG_URL" adopt --from sqitch >out &&
	test_grep "recorded *2 .*deploy/prices.sql" out &&
	test_grep "recorded 2 migrations as applied; 2 pending" out &&
	test "$(pg_sql "SELECT string_agg(version || kind, '\'','\'' ORDER BY version) FROM godwit_migrations")" = "1adopted,2adopted" &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations m JOIN sqitch.changes c ON c.committed_at = m.applied_at")" = 2 &&
	godwit --dir . --url "$PG_URL" up >out &&
	test_grep "^applied 2 migrations$" out &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = '\''items'\'' AND column_name = '\''name'\''")" = 1 &&
	test "$(pg_sql "SELECT count(*) FROM sqitch.changes")" = 2
'

test_expect_success PG,SQITCH 'PostgreSQL: the reworked change maps to both plan entries in deploy order' '
	cp -R shop pg2 && cd pg2 &&
	sqitch_env &&
	pg_new_db &&
	sqitch deploy "db:pg:$PG_DB" --to items@HEAD >out 2>&1 &&
	godwit --dir . --url "$PG_URL" adopt --from sqitch >out &&
	test_grep "recorded 3 migrations as applied; 1 pending" out &&
	test "$(pg_sql "SELECT string_agg(version, '\'','\'' ORDER BY version) FROM godwit_migrations")" = "1,2,3" &&
	godwit --dir . --url "$PG_URL" up >out &&
	test_grep "^applied 1 migration$" out
'

test_expect_success PG,SQITCH 'PostgreSQL: another project in the same registry is not ours' '
	mkdir other && cd other &&
	sqitch_env &&
	printf "%%project=other\n\nwidgets 2024-01-01T00:00:00Z T <t@x>\n" >sqitch.plan &&
	write_migration deploy/widgets.sql <<-\SQL &&
	CREATE TABLE widgets (id int);
	SQL
	cp -R ../shop shop && pg_new_db &&
	sqitch deploy "db:pg:$PG_DB" >out 2>&1 &&
	(cd shop && sqitch deploy "db:pg:$PG_DB" --to prices) >out 2>&1 &&
	godwit --dir shop --url "$PG_URL" adopt --from sqitch >out &&
	test_grep "recorded 2 migrations as applied; 2 pending" out &&
	! grep widgets out
'

test_expect_success PG,SQITCH 'PostgreSQL: a deploy script changed since sqitch ran it refuses, nothing recorded' '
	cp -R shop pg3 && cd pg3 &&
	sqitch_env &&
	pg_new_db &&
	sqitch deploy "db:pg:$PG_DB" --to prices >out 2>&1 &&
	echo "-- edited" >>deploy/prices.sql &&
	test_expect_code 1 godwit --dir . --url "$PG_URL" adopt --from sqitch >out 2>err &&
	test_grep "PROBLEM *2 .*deploy/prices.sql .*checksum mismatch" out &&
	test_grep "the file changed since sqitch applied it" out &&
	test_grep "cannot adopt the sqitch history: 1 migration disagrees" err &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 0
'

test_expect_success PG,SQITCH 'PostgreSQL: a deployed change the plan no longer has refuses' '
	cp -R shop pg4 && cd pg4 &&
	sqitch_env &&
	pg_new_db &&
	sqitch deploy "db:pg:$PG_DB" >out 2>&1 &&
	sed -i "/^orders /d" sqitch.plan &&
	test_expect_code 1 godwit --dir . --url "$PG_URL" adopt --from sqitch >out 2>err &&
	test_grep "PROBLEM *orders *(no file)" out &&
	test_grep "sqitch applied it, but no file in \. has this change name" out &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 0
'

test_expect_success PG,SQITCH 'PostgreSQL: the registry schema sqitch.conf names' '
	cp -R shop reg && cd reg &&
	sqitch_env &&
	printf "[core]\n\tengine = pg\n[engine \"pg\"]\n\tregistry = deploy_meta\n" >sqitch.conf &&
	pg_new_db &&
	sqitch deploy "db:pg:$PG_DB" --to prices >out 2>&1 &&
	test "$(pg_sql "SELECT count(*) FROM deploy_meta.changes")" = 2 &&
	godwit --dir . --url "$PG_URL" adopt --from sqitch >out &&
	test_grep "^sqitch history in deploy_meta.changes:" out &&
	test_grep "recorded 2 migrations as applied; 2 pending" out
'

test_expect_success PG 'PostgreSQL: no registry is a clear error' '
	pg_new_db &&
	test_expect_code 1 godwit --dir shop --url "$PG_URL" adopt --from sqitch 2>err &&
	test_grep "no sqitch history in this database: table \"sqitch\".\"changes\" does not exist" err
'

test_expect_success SQITCH_SQLITE,SQLITE3 'SQLite: the registry file next to the database is read' '
	cp -R shop lite && cd lite &&
	sqitch_env &&
	mkdir db &&
	sqitch deploy db:sqlite:db/development.sqlite3 --to prices >out 2>&1 &&
	test -f db/sqitch.sqlite3 &&
	godwit --dir . adopt --from sqitch >out &&
	test_grep "recorded *1 .*checksum verified" out &&
	test_grep "recorded 2 migrations as applied; 2 pending" out &&
	godwit --dir . up >out &&
	test_grep "^applied 2 migrations$" out &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM pragma_database_list")" = 1
'

test_expect_success SQLITE3 'SQLite: no registry file is a clear error, and none is created' '
	cp -R shop lite2 && cd lite2 &&
	godwit --dir . status >/dev/null &&
	test_expect_code 1 godwit --dir . adopt --from sqitch 2>err &&
	test_grep "no sqitch registry for this database: db/sqitch.sqlite3 does not exist" err &&
	! test -e db/sqitch.sqlite3
'

test_done
