#!/bin/sh
test_description='a folder in each convention, as its tool writes it, applies and reverts completely on PostgreSQL'
. "$(dirname "$0")/lib.sh"

# Each folder holds what its tool writes (names, templates, side files such
# as Prisma's migration_lock.toml, drizzle-kit's journal and snapshots,
# sqitch's conf and verify scripts) and downs where the tool or its users
# keep them. popx folders are t6200's.

# round_trip DIR N [OPTIONS]: up applies N migrations from DIR on a new
# database, quietly; down --all reverts all of them and leaves no table but
# godwit's, and an empty history.
round_trip()
{
	dir=$1 n=$2 &&
	shift 2 &&
	pg_new_db &&
	godwit --url "$PG_URL" --dir "$dir" "$@" up >out 2>err &&
	without_start_lines err >warnings &&
	test_cmp /dev/null warnings &&
	test "$(grep -c "^godwit: applying " err)" = "$n" &&
	test_grep "^applied $n migrations\{0,1\}$" out &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}public${SQ} AND tablename NOT LIKE ${SQ}godwit%${SQ}")" -gt 0 &&
	godwit --url "$PG_URL" --dir "$dir" "$@" down --all >out 2>err &&
	without_start_lines err >warnings &&
	test_cmp /dev/null warnings &&
	test "$(grep -c "^godwit: reverting " err)" = "$n" &&
	test_grep "^reverted $n migrations\{0,1\}$" out &&
	pg_sql "SELECT tablename FROM pg_tables WHERE schemaname = ${SQ}public${SQ} AND tablename NOT LIKE ${SQ}godwit%${SQ}
		UNION ALL SELECT proname FROM pg_proc WHERE pronamespace = ${SQ}public${SQ}::regnamespace
		UNION ALL SELECT relname FROM pg_class WHERE relkind = ${SQ}v${SQ} AND relnamespace = ${SQ}public${SQ}::regnamespace" >left &&
	test_cmp /dev/null left &&
	test "$(pg_count godwit_migrations)" = 0
}

test_expect_success PG 'dbmate (native)' '
	write_migration dbmate/20240101000000_create_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);

	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration dbmate/20240102000000_users_email.sql <<-\EOF &&
	-- migrate:up transaction:false
	CREATE INDEX CONCURRENTLY users_email ON users (email);

	-- migrate:down transaction:false
	DROP INDEX CONCURRENTLY users_email;
	EOF
	round_trip dbmate 2
'

test_expect_success PG 'golang-migrate' '
	write_migration gm/000001_create_users.up.sql <<-\EOF &&
	CREATE TABLE IF NOT EXISTS users (id serial PRIMARY KEY, email varchar(300));
	EOF
	write_migration gm/000001_create_users.down.sql <<-\EOF &&
	DROP TABLE IF EXISTS users;
	EOF
	write_migration gm/000002_add_name.up.sql <<-\EOF &&
	BEGIN;
	ALTER TABLE users ADD COLUMN name text;
	COMMIT;
	EOF
	write_migration gm/000002_add_name.down.sql <<-\EOF &&
	ALTER TABLE users DROP COLUMN name;
	EOF
	: >gm/000003_placeholder.up.sql &&
	: >gm/000003_placeholder.down.sql &&
	round_trip gm 3
'

test_expect_success PG 'rollback pairs and dated files' '
	write_migration pairs/0001_users.sql <<-\EOF &&
	CREATE TABLE users (id int PRIMARY KEY);
	EOF
	write_migration pairs/0001_users_rollback.sql <<-\EOF &&
	DROP TABLE users;
	EOF
	write_migration dated/2026-01-20_users.sql <<-\EOF &&
	CREATE TABLE users (id int PRIMARY KEY);
	EOF
	write_migration dated/2026-01-20_users_rollback.sql <<-\EOF &&
	DROP TABLE users;
	EOF
	write_migration dated/2026-01-21_posts.sql <<-\EOF &&
	-- @depends-on: 2026-01-20_users.sql
	CREATE TABLE posts (id int, user_id int REFERENCES users (id));
	EOF
	write_migration dated/2026-01-21_posts_rollback.sql <<-\EOF &&
	DROP TABLE posts;
	EOF
	round_trip pairs 1 &&
	round_trip dated 2
'

test_expect_success PG 'Flyway (versioned and undo files)' '
	write_migration flyway/V1__Create_person_table.sql <<-\EOF &&
	create table PERSON (
	    ID int not null,
	    NAME varchar(100) not null
	);
	EOF
	write_migration flyway/U1__Create_person_table.sql <<-\EOF &&
	drop table PERSON;
	EOF
	write_migration flyway/V1_1__Populate_table.sql <<-\EOF &&
	insert into PERSON (ID, NAME) values (1, $$Axel$$);
	EOF
	write_migration flyway/U1_1__Populate_table.sql <<-\EOF &&
	delete from PERSON where ID = 1;
	EOF
	round_trip flyway 2
'

test_expect_success PG 'goose (StatementBegin, NO TRANSACTION)' '
	write_migration goose/20240101000000_create_users.sql <<-\EOF &&
	-- +goose Up
	-- +goose StatementBegin
	CREATE TABLE users (id int PRIMARY KEY, updated_at timestamptz);
	CREATE FUNCTION touch() RETURNS trigger AS $$
	BEGIN
	    NEW.updated_at = now();
	    RETURN NEW;
	END;
	$$ LANGUAGE plpgsql;
	-- +goose StatementEnd

	-- +goose Down
	-- +goose StatementBegin
	DROP FUNCTION touch();
	DROP TABLE users;
	-- +goose StatementEnd
	EOF
	write_migration goose/20240102000000_users_idx.sql <<-\EOF &&
	-- +goose NO TRANSACTION
	-- +goose Up
	CREATE INDEX CONCURRENTLY users_updated ON users (updated_at);

	-- +goose Down
	DROP INDEX CONCURRENTLY users_updated;
	EOF
	round_trip goose 2
'

test_expect_success PG 'diesel (with its initial setup and generated templates)' '
	write_migration diesel/00000000000000_diesel_initial_setup/up.sql <<-\EOF &&
	-- This file was automatically created by Diesel to setup helper functions
	-- and other internal bookkeeping.

	CREATE OR REPLACE FUNCTION diesel_manage_updated_at(_tbl regclass) RETURNS VOID AS $$
	BEGIN
	    EXECUTE format($f$CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s
	                    FOR EACH ROW EXECUTE PROCEDURE diesel_set_updated_at()$f$, _tbl);
	END;
	$$ LANGUAGE plpgsql;

	CREATE OR REPLACE FUNCTION diesel_set_updated_at() RETURNS trigger AS $$
	BEGIN
	    IF (NEW IS DISTINCT FROM OLD AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at) THEN
	        NEW.updated_at := current_timestamp;
	    END IF;
	    RETURN NEW;
	END;
	$$ LANGUAGE plpgsql;
	EOF
	write_migration diesel/00000000000000_diesel_initial_setup/down.sql <<-\EOF &&
	-- This file was automatically created by Diesel to setup helper functions
	-- and other internal bookkeeping.

	DROP FUNCTION IF EXISTS diesel_manage_updated_at(_tbl regclass);
	DROP FUNCTION IF EXISTS diesel_set_updated_at();
	EOF
	write_migration diesel/2023-07-05-000058_create_posts/up.sql <<-\EOF &&
	-- Your SQL goes here
	CREATE TABLE posts (id SERIAL PRIMARY KEY, title VARCHAR NOT NULL, updated_at timestamp);
	SELECT diesel_manage_updated_at($$posts$$);
	EOF
	write_migration diesel/2023-07-05-000058_create_posts/down.sql <<-\EOF &&
	-- This file should undo anything in `up.sql`
	DROP TABLE posts;
	EOF
	printf "[print_schema]\nfile = \"src/schema.rs\"\n" >diesel.toml &&
	round_trip diesel 2
'

test_expect_success PG 'Prisma (migration_lock.toml, down.sql from migrate diff)' '
	m=prisma/migrations &&
	write_migration $m/20240101120000_init/migration.sql <<-\EOF &&
	-- CreateTable
	CREATE TABLE "User" (
	    "id" SERIAL NOT NULL,
	    "email" TEXT NOT NULL,
	    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
	);

	-- CreateIndex
	CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
	EOF
	write_migration $m/20240101120000_init/down.sql <<-\EOF &&
	-- DropTable
	DROP TABLE "User";
	EOF
	write_migration $m/20240102120000_empty/migration.sql <<-\EOF &&
	-- This is an empty migration.
	EOF
	write_migration $m/20240102120000_empty/down.sql <<-\EOF &&
	-- This is an empty migration.
	SELECT 1;
	EOF
	printf "# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = \"postgresql\"\n" >$m/migration_lock.toml &&
	round_trip $m 2
'

test_expect_success PG 'drizzle-kit (journal, snapshots, breakpoints, downs beside it)' '
	# As drizzle-kit 0.31 generate and generate --custom write them.
	d=drizzle &&
	write_migration $d/0000_tidy_wolverine.sql <<-\EOF &&
	CREATE TABLE "posts" (
		"id" serial PRIMARY KEY NOT NULL,
		"author" integer
	);
	--> statement-breakpoint
	CREATE TABLE "users" (
		"id" serial PRIMARY KEY NOT NULL,
		"email" text NOT NULL
	);
	--> statement-breakpoint
	ALTER TABLE "posts" ADD CONSTRAINT "posts_author_users_id_fk" FOREIGN KEY ("author") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
	CREATE UNIQUE INDEX "email_idx" ON "users" USING btree ("email");
	EOF
	write_migration $d/0000_tidy_wolverine.down.sql <<-\EOF &&
	DROP TABLE "posts";
	DROP TABLE "users";
	EOF
	printf -- "-- Custom SQL migration file, put your code below! --" >$d/0001_custom.sql &&
	write_migration $d/0001_custom_rollback.sql <<-\EOF &&
	SELECT 1;
	EOF
	write_migration $d/meta/_journal.json <<-\EOF &&
	{
	  "version": "7",
	  "dialect": "postgresql",
	  "entries": [
	    {
	      "idx": 0,
	      "version": "7",
	      "when": 1717000000000,
	      "tag": "0000_tidy_wolverine",
	      "breakpoints": true
	    },
	    {
	      "idx": 1,
	      "version": "7",
	      "when": 1717000001000,
	      "tag": "0001_custom",
	      "breakpoints": true
	    }
	  ]
	}
	EOF
	echo "{\"id\": \"x\", \"prevId\": \"00000000-0000-0000-0000-000000000000\"}" >$d/meta/0000_snapshot.json &&
	round_trip $d 2
'

test_expect_success PG 'sqitch (conf, plan with a tag, deploy/revert/verify)' '
	mkdir -p sq/deploy sq/revert sq/verify &&
	printf "[core]\n\tengine = pg\n" >sq/sqitch.conf &&
	cat >sq/sqitch.plan <<-\EOF &&
	%syntax-version=1.0.0
	%project=flipr

	appschema 2024-01-01T00:00:00Z Marge N. <marge@example.com> # Add schema.
	users [appschema] 2024-01-02T00:00:00Z Marge N. <marge@example.com> # Creates table.
	@v1.0.0 2024-01-03T00:00:00Z Marge N. <marge@example.com> # Tag v1.0.0.
	EOF
	printf -- "-- Deploy flipr:appschema to pg\n\nBEGIN;\n\nCREATE SCHEMA flipr;\n\nCOMMIT;\n" >sq/deploy/appschema.sql &&
	printf -- "-- Revert flipr:appschema from pg\n\nBEGIN;\n\nDROP SCHEMA flipr;\n\nCOMMIT;\n" >sq/revert/appschema.sql &&
	printf -- "-- Verify flipr:appschema on pg\n\nBEGIN;\n\nSELECT pg_catalog.has_schema_privilege(${SQ}flipr${SQ}, ${SQ}usage${SQ});\n\nROLLBACK;\n" >sq/verify/appschema.sql &&
	printf -- "-- Deploy flipr:users to pg\n-- requires: appschema\n\nBEGIN;\n\nCREATE TABLE users (nickname TEXT PRIMARY KEY);\n\nCOMMIT;\n" >sq/deploy/users.sql &&
	printf -- "-- Revert flipr:users from pg\n\nBEGIN;\n\nDROP TABLE users;\n\nCOMMIT;\n" >sq/revert/users.sql &&
	printf -- "-- Verify flipr:users on pg\n\nBEGIN;\n\nSELECT nickname FROM users WHERE FALSE;\n\nROLLBACK;\n" >sq/verify/users.sql &&
	round_trip sq 2 &&
	test "$(pg_sql "SELECT count(*) FROM pg_namespace WHERE nspname = ${SQ}flipr${SQ}")" = 0
'

test_done
