#!/bin/sh
test_description='status and up point to adopt when another tool migrated the database'
. "$(dirname "$0")/lib.sh"

# Each tool's table is created with the DDL the tool itself runs (the same
# sources as t6110-t6150) and holds the row of one applied migration.
make_tool_table()
{
	case $1 in
	dbmate)
		# dbmate pkg/driver/postgres/postgres.go, CreateMigrationsTable
		pg_sql "create table if not exists schema_migrations (version varchar(128) primary key);
			insert into schema_migrations (version) values ('20240101000000')" ;;
	golang-migrate)
		# golang-migrate database/postgres/postgres.go, ensureVersionTable
		pg_sql "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null);
			INSERT INTO schema_migrations (version, dirty) VALUES (20240101000000, false)" ;;
	goose)
		# goose internal/dialect/dialectquery/postgres.go, CreateTable
		pg_sql "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL,
				is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id));
			INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (20240101000000, true)" ;;
	flyway)
		# Flyway core, database/postgresql/createMetaDataTable.sql
		pg_sql "CREATE TABLE \"flyway_schema_history\" (
				\"installed_rank\" INT NOT NULL, \"version\" VARCHAR(50),
				\"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) NOT NULL,
				\"script\" VARCHAR(1000) NOT NULL, \"checksum\" INTEGER,
				\"installed_by\" VARCHAR(100) NOT NULL,
				\"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),
				\"execution_time\" INTEGER NOT NULL, \"success\" BOOLEAN NOT NULL);
			INSERT INTO flyway_schema_history VALUES
				(1, '20240101000000', 't1', 'SQL', 'V20240101000000__t1.sql', 0, 'me', now(), 5, true)" ;;
	diesel)
		# diesel_migrations, setup_migration_table.sql
		pg_sql "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
				version VARCHAR(50) PRIMARY KEY NOT NULL,
				run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
			INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000000')" ;;
	prisma)
		# schema-engine sql-schema-connector flavour/postgres.rs
		pg_sql "CREATE TABLE \"_prisma_migrations\" (
				\"id\" VARCHAR(36) PRIMARY KEY NOT NULL,
				\"checksum\" VARCHAR(64) NOT NULL, \"finished_at\" TIMESTAMPTZ,
				\"migration_name\" VARCHAR(255) NOT NULL, \"logs\" TEXT,
				\"rolled_back_at\" TIMESTAMPTZ,
				\"started_at\" TIMESTAMPTZ NOT NULL DEFAULT now(),
				\"applied_steps_count\" INTEGER NOT NULL DEFAULT 0);
			INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name)
				VALUES ('a', 'x', now(), '20240101000000_t1')" ;;
	drizzle)
		# drizzle-orm pg-core/dialect.ts, migrate
		pg_sql "CREATE SCHEMA IF NOT EXISTS \"drizzle\";
			CREATE TABLE IF NOT EXISTS \"drizzle\".\"__drizzle_migrations\" (
				id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
			INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('x', 1704067200000)" ;;
	esac
}

# expect_pointer TOOL TABLE: status names the adopt command, up refuses
# and changes nothing.
expect_pointer()
{
	godwit --url "$PG_URL" status >out &&
	cat >expect <<-EOF &&
	pending      20240101000000  t1
	0 applied, 1 pending
	this database holds the $1 history ($2) and godwit's history is empty;
	take it over with 'godwit adopt --from $1'; until then 'godwit up' refuses (it would apply every migration again)
	EOF
	test_cmp expect out &&
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	cat >expect <<-EOF &&
	godwit: error: this database holds the $1 history ($2) and godwit's history is empty: up would apply every migration again on a database $1 already migrated
	hint: take the history over with 'godwit adopt --from $1' (see what it records with --dry-run first); to apply everything anyway, run 'godwit up --ignore-other-history'
	EOF
	test_cmp expect err &&
	test "$(pg_sql "SELECT to_regclass('t1') IS NULL AND to_regclass('godwit_migrations') IS NULL")" = t
}

test_expect_success 'setup: a native folder of one migration' '
	write_migration db/migrations/20240101000000_t1.sql <<-\EOF
	-- migrate:up
	CREATE TABLE t1 (id int);
	-- migrate:down
	DROP TABLE t1;
	EOF
'

for tool in dbmate golang-migrate goose flyway diesel prisma drizzle; do
	case $tool in
	goose) table=goose_db_version ;;
	flyway) table=flyway_schema_history ;;
	diesel) table=__diesel_schema_migrations ;;
	prisma) table=_prisma_migrations ;;
	drizzle) table=drizzle.__drizzle_migrations ;;
	*) table=schema_migrations ;;
	esac
	test_expect_success PG "$tool: status names 'godwit adopt --from $tool'; up refuses, changing nothing" '
		pg_new_db &&
		make_tool_table $tool &&
		expect_pointer $tool $table
	'
done

test_expect_success PG 'status --format json names the tool, its table and the command' '
	pg_new_db &&
	make_tool_table golang-migrate &&
	godwit --url "$PG_URL" status --format json >out &&
	test_grep "^  \"other_history\": {$" out &&
	test_grep "^    \"tool\": \"golang-migrate\",$" out &&
	test_grep "^    \"table\": \"schema_migrations\",$" out &&
	test_grep "^    \"command\": \"godwit adopt --from golang-migrate\"$" out &&
	pg_new_db &&
	godwit --url "$PG_URL" status --format json >out &&
	test_grep "^  \"other_history\": null$" out
'

test_expect_success PG 'up --dry-run refuses too, health fails, and --ignore-other-history applies anyway' '
	pg_new_db &&
	make_tool_table dbmate &&
	test_expect_code 3 godwit --url "$PG_URL" health >out &&
	test_grep "^fail  other_history  *the dbmate history (schema_migrations) is here and godwit.s is empty; take it over with .godwit adopt --from dbmate.$" out &&
	test_expect_code 1 godwit --url "$PG_URL" up --dry-run >out 2>err &&
	test_grep "up would apply every migration again" err &&
	godwit --url "$PG_URL" up --ignore-other-history >out &&
	test_grep "^applied 1 migration$" out &&
	test "$(pg_sql "SELECT to_regclass('\''t1'\'') IS NOT NULL")" = t
'

test_expect_success PG 'after adopt, status says nothing of it and up runs' '
	pg_new_db &&
	make_tool_table dbmate &&
	pg_sql "CREATE TABLE t1 (id int)" &&
	write_migration db/migrations/20240102000000_t2.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t2 (id int);
	EOF
	godwit --url "$PG_URL" adopt --from dbmate >out &&
	godwit --url "$PG_URL" status >out &&
	test_grep ! "history is empty" out &&
	godwit --url "$PG_URL" up >out &&
	test_grep "^applied 1 migration$" out &&
	rm db/migrations/20240102000000_t2.sql
'

test_expect_success PG 'a tool table without a row of history is not pointed at' '
	pg_new_db &&
	pg_sql "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL,
			is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id));
		INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true)" &&
	godwit --url "$PG_URL" status >out &&
	test_grep ! "history is empty" out &&
	godwit --url "$PG_URL" up >out &&
	test_grep "^applied 1 migration$" out
'

test_expect_success 'SQLite: a dbmate table is pointed at; a missing file stays missing' '
	godwit --url sqlite:none.db status >out &&
	test_grep ! "history is empty" out &&
	test ! -e none.db &&
	sqlite_sql a.db "create table if not exists schema_migrations (version varchar(128) primary key);
		insert into schema_migrations (version) values ('\''20240101000000'\'')" &&
	godwit --url sqlite:a.db status >out &&
	test_grep "^this database holds the dbmate history (schema_migrations) and godwit.s history is empty;$" out &&
	test_expect_code 1 godwit --url sqlite:a.db up 2>err &&
	test_grep "run '\''godwit up --ignore-other-history'\''$" err &&
	test "$(sqlite_sql a.db "SELECT count(*) FROM sqlite_master WHERE name = '\''t1'\''")" = 0
'

test_expect_success 'SQLite: drizzle (no schema) and a sqitch registry file beside the database' '
	sqlite_sql d.db "CREATE TABLE IF NOT EXISTS __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric);
		INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('\''x'\'', 1704067200000)" &&
	godwit --url sqlite:d.db status >out &&
	test_grep "^this database holds the drizzle history (__drizzle_migrations)" out &&
	mkdir reg && sqlite_sql reg/sqitch.db "CREATE TABLE changes (change_id TEXT PRIMARY KEY)" &&
	sqlite_sql reg/dev.db "CREATE TABLE app (id int)" &&
	godwit --url sqlite:reg/dev.db status >out &&
	test_grep "^this database holds the sqitch history (sqitch.changes)" out
'

test_expect_success PG,SQITCH 'sqitch: a database sqitch deployed is pointed at' '
	mkdir sq && cd sq &&
	sqitch_env &&
	write_migration sqitch.plan <<-\PLAN &&
	%syntax-version=1.0.0
	%project=p

	items 2024-01-01T00:00:00Z T <t@example.com> # items
	PLAN
	write_migration deploy/items.sql <<-\SQL &&
	CREATE TABLE items (id int);
	SQL
	write_migration revert/items.sql <<-\SQL &&
	DROP TABLE items;
	SQL
	pg_new_db &&
	sqitch deploy "db:pg:$PG_DB" >out 2>&1 &&
	godwit --dir . --url "$PG_URL" status >out &&
	test_grep "^this database holds the sqitch history (sqitch.changes)" out &&
	test_expect_code 1 godwit --dir . --url "$PG_URL" up 2>err &&
	test_grep "adopt --from sqitch" err
'

# ---- adopt's own messages --------------------------------------------------

test_expect_success 'an unknown tool is a usage error (exit 2) listing the tools' '
	test_expect_code 2 godwit --url sqlite:a.db adopt --from liquibase 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: cannot adopt from '\''liquibase'\'': unknown tool; adopt knows dbmate, golang-migrate, goose, flyway, diesel, prisma, drizzle, sqitch or supabase
	usage: godwit adopt --from TOOL [--dry-run] [--from-table NAME] [--from-schema NAME]
	see '\''godwit help adopt'\''
	EOF
	test_cmp expect err &&
	test_expect_code 2 godwit --url sqlite:a.db adopt 2>err &&
	test_grep "^godwit: error: adopt needs --from TOOL (one of dbmate, golang-migrate, goose, flyway, diesel, prisma, drizzle, sqitch or supabase)$" err
'

test_expect_success PG 'adopt JSON names the table without SQL quotes' '
	pg_new_db &&
	mkdir -p dz/meta &&
	printf "CREATE TABLE t1 (id int);\n" >dz/0000_t1.sql &&
	hash=$(sha256sum dz/0000_t1.sql | cut -d" " -f1) &&
	pg_sql "CREATE SCHEMA drizzle;
		CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
		INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('\''$hash'\'', 1704067200000)" &&
	cat >dz/meta/_journal.json <<-\EOF &&
	{"version":"7","dialect":"postgresql","entries":[{"idx":0,"version":"7","when":1704067200000,"tag":"0000_t1","breakpoints":true}]}
	EOF
	godwit --dir dz --url "$PG_URL" adopt --from drizzle --dry-run --format json >out &&
	test_grep "^  \"table\": \"drizzle.__drizzle_migrations\",$" out &&
	godwit --dir dz --url "$PG_URL" adopt --from drizzle --dry-run >out &&
	test_grep "^drizzle history in drizzle.__drizzle_migrations:$" out
'

test_expect_success PG 'a refused adopt labels the good rows "would record", not "recorded"' '
	pg_new_db &&
	pg_sql "create table schema_migrations (version varchar(128) primary key);
		insert into schema_migrations (version) values ('\''20240101000000'\''), ('\''20231231000000'\'')" &&
	test_expect_code 1 godwit --url "$PG_URL" adopt --from dbmate >out 2>err &&
	test_grep "^  would record  *20240101000000 " out &&
	test_grep ! "^  recorded" out &&
	test_grep "nothing was recorded" err &&
	test "$(pg_sql "SELECT to_regclass('\''godwit_migrations'\'') IS NULL OR (SELECT count(*) = 0 FROM godwit_migrations)")" = t
'

# ---- down N ----------------------------------------------------------------

test_expect_success 'down VERSION is refused with the --to it meant, changing nothing' '
	rm -f v.db &&
	godwit --url sqlite:v.db up --ignore-other-history >out &&
	test_expect_code 2 godwit --url sqlite:v.db down 20240101000000 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: '\''20240101000000'\'' looks like a version, not a number of migrations; to revert every migration applied after it, use --to 20240101000000 (it stays applied)
	usage: godwit down [N | --to V | --all | --target V] [--dry-run]
	see '\''godwit help down'\''
	EOF
	test_cmp expect err &&
	test_expect_code 2 godwit --url sqlite:v.db down 1.1 2>err &&
	test_grep "'\''1.1'\'' looks like a version" err &&
	test "$(sqlite_sql v.db "SELECT count(*) FROM godwit_migrations")" = 1 &&
	test_expect_code 2 godwit --url sqlite:v.db down two 2>err &&
	test_grep "N must be a positive whole number, not '\''two'\''" err &&
	godwit --url sqlite:v.db down 1 >out &&
	test_grep "^reverted 1 migration$" out
'

test_done
