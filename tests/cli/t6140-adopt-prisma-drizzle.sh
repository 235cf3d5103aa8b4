#!/bin/sh
test_description='adopt --from prisma and --from drizzle, on SQLite and PostgreSQL'
. "$(dirname "$0")/lib.sh"

# Each backend gets a project folder of its own (sqlite/, pg/); SQLite uses
# the default database, db/development.sqlite3.
on()
{
	backend=$1
	mkdir -p "$TRASH_DIRECTORY/$1/db" && cd "$TRASH_DIRECTORY/$1" || return 1
}

sha256() { sha256sum "$1" | cut -d" " -f1; }

# applied_at VERSION: godwit's applied_at of VERSION as ISO 8601 UTC, ms.
applied_at()
{
	if [ "$backend" = pg ]; then
		db_sql "SELECT to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM godwit_migrations WHERE version = '$1'"
	else
		db_sql "SELECT applied_at FROM godwit_migrations WHERE version = '$1'"
	fi
}

# no_history: godwit recorded nothing (its table may not even exist).
no_history()
{
	if [ "$backend" = pg ]; then
		test "$(db_sql "SELECT to_regclass('godwit_migrations') IS NOT NULL AND EXISTS (SELECT FROM godwit_migrations)")" != t
	else
		test "$(db_sql "SELECT count(*) FROM sqlite_master WHERE name = 'godwit_migrations'")" = 0 ||
		test "$(db_sql "SELECT count(*) FROM godwit_migrations")" = 0
	fi
}

# fresh: a new empty database for the current backend.
fresh()
{
	if [ "$backend" = pg ]; then
		pg_new_db
	else
		rm -f db/development.sqlite3
	fi
}

# ---- Prisma ---------------------------------------------------------------

# The table as Prisma's schema engine creates it:
# schema-engine/connectors/sql-schema-connector/src/flavour/postgres.rs and
# sqlite.rs, create_migrations_table.
prisma_table()
{
	if [ "$backend" = pg ]; then
		db_sql 'CREATE TABLE "_prisma_migrations" (
			"id" VARCHAR(36) PRIMARY KEY NOT NULL,
			"checksum" VARCHAR(64) NOT NULL,
			"finished_at" TIMESTAMPTZ,
			"migration_name" VARCHAR(255) NOT NULL,
			"logs" TEXT,
			"rolled_back_at" TIMESTAMPTZ,
			"started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
			"applied_steps_count" INTEGER NOT NULL DEFAULT 0)'
	else
		db_sql 'CREATE TABLE "_prisma_migrations" (
			"id" TEXT PRIMARY KEY NOT NULL,
			"checksum" TEXT NOT NULL,
			"finished_at" DATETIME,
			"migration_name" TEXT NOT NULL,
			"logs" TEXT,
			"rolled_back_at" DATETIME,
			"started_at" DATETIME NOT NULL DEFAULT current_timestamp,
			"applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)'
	fi
}

# prisma_time MS: a time as Prisma binds it: a timestamptz on PostgreSQL,
# Unix milliseconds on SQLite (quaint's sqlite conversion.rs, ToSql for
# DateTime: timestamp_millis).
prisma_time()
{
	if [ "$backend" = pg ]; then
		echo "to_timestamp($1 / 1000.0)"
	else
		echo "$1"
	fi
}

# prisma_row ID NAME CHECKSUM STARTED FINISHED ROLLED_BACK: a row as
# sql_migration_persistence.rs writes it: record_migration_started_impl
# inserts (id, checksum, started_at, migration_name), then
# record_successful_step bumps applied_steps_count and
# record_migration_finished sets finished_at; `migrate resolve
# --rolled-back` sets rolled_back_at. Times in ms, or NULL.
prisma_row()
{
	fin=NULL rb=NULL steps=0
	[ "$5" = NULL ] || { fin=$(prisma_time "$5") && steps=1; }
	[ "$6" = NULL ] || rb=$(prisma_time "$6")
	db_sql "INSERT INTO \"_prisma_migrations\" (id, checksum, started_at, migration_name,
		applied_steps_count, finished_at, rolled_back_at)
		VALUES ('$1', '$3', $(prisma_time "$4"), '$2', $steps, $fin, $rb)"
}

for backend in sqlite pg; do
	prereq=SQLITE3
	[ $backend = pg ] && prereq=PG

	test_expect_success $prereq "prisma ($backend): setup, two of three applied, one after a failure" '
		on $backend && fresh &&
		m=prisma/migrations &&
		write_migration $m/20240101120000_init/migration.sql <<-\EOF &&
		-- CreateTable
		CREATE TABLE "p1" ("id" INTEGER NOT NULL);
		EOF
		mkdir -p $m/20240102120000_posts &&
		printf "CREATE TABLE \"p2\" (\"id\" INTEGER);\r\n-- saved on Windows\r\n" \
			>$m/20240102120000_posts/migration.sql &&
		write_migration $m/20240103120000_tags/migration.sql <<-\EOF &&
		CREATE TABLE "p3" ("id" INTEGER);
		EOF
		printf "provider = \"postgresql\"\n" >$m/migration_lock.toml &&
		prisma_table &&
		db_sql "CREATE TABLE p1 (id int); CREATE TABLE p2 (id int)" &&
		# init as the file is; posts applied from a checkout with LF
		# endings (the checksum of the folded text), after a failed
		# attempt that was resolved as rolled back.
		prisma_row a1 20240101120000_init "$(sha256 $m/20240101120000_init/migration.sql)" \
			1704110400000 1704110405000 NULL &&
		prisma_row a2 20240102120000_posts 0000000000000000000000000000000000000000000000000000000000000000 \
			1704196800000 NULL 1704196900000 &&
		prisma_row a3 20240102120000_posts \
			"$(tr -d "\r" <$m/20240102120000_posts/migration.sql | sha256sum | cut -d" " -f1)" \
			1704197000000 1704197001000 NULL
	'

	test_expect_success $prereq "prisma ($backend): --dry-run records nothing" '
		on $backend &&
		gw --dir prisma/migrations adopt --from prisma --dry-run >out &&
		test_grep "would record *20240101120000 *20240101120000_init/migration.sql *(applied at 2024-01-01T12:00:05.000.*checksum verified)" out &&
		test_grep "would record *20240102120000 .*checksum verified" out &&
		test_grep "pending *20240103120000" out &&
		test_grep "dry run: would record 2 migrations; nothing was changed" out &&
		no_history
	'

	test_expect_success $prereq "prisma ($backend): adopt keeps finished_at, up runs only the rest" '
		on $backend &&
		gw --dir prisma/migrations adopt --from prisma >out &&
		test_grep "recorded 2 migrations as applied; 1 pending" out &&
		test "$(applied_at 20240101120000)" = 2024-01-01T12:00:05.000Z &&
		test "$(applied_at 20240102120000)" = 2024-01-02T12:03:21.000Z &&
		test "$(db_sql "SELECT count(*) FROM godwit_migrations WHERE kind = '\''adopted'\''")" = 2 &&
		test "$(db_sql "SELECT count(*) FROM \"_prisma_migrations\"")" = 3 &&
		gw --dir prisma/migrations up &&
		test "$(db_sql "SELECT version FROM godwit_migrations WHERE kind = '\''versioned'\''")" = 20240103120000 &&
		gw --dir prisma/migrations status --exit-code
	'

	test_expect_success $prereq "prisma ($backend): a changed migration.sql refuses, recording nothing" '
		on $backend && fresh && prisma_table &&
		m=prisma/migrations &&
		prisma_row b1 20240101120000_init "$(sha256 $m/20240101120000_init/migration.sql)" \
			1704110400000 1704110405000 NULL &&
		echo "-- edited" >>$m/20240101120000_init/migration.sql &&
		test_when_finished "sed -i \"/^-- edited/d\" $m/20240101120000_init/migration.sql" &&
		test_expect_code 1 gw --dir $m adopt --from prisma >out 2>err &&
		test_grep "PROBLEM *20240101120000 .*checksum mismatch" out &&
		test_grep "the file changed since Prisma applied it" out &&
		test_grep "nothing was recorded" err &&
		no_history
	'

	test_expect_success $prereq "prisma ($backend): an unfinished migration refuses" '
		on $backend && fresh && prisma_table &&
		m=prisma/migrations &&
		prisma_row c1 20240101120000_init "$(sha256 $m/20240101120000_init/migration.sql)" \
			1704110400000 1704110405000 NULL &&
		prisma_row c2 20240102120000_posts "$(sha256 $m/20240102120000_posts/migration.sql)" \
			1704196800000 NULL NULL &&
		test_expect_code 1 gw --dir $m adopt --from prisma >out 2>err &&
		test_grep "PROBLEM *20240102120000 .*(unfinished" out &&
		test_grep "Prisma started it and never finished it" out &&
		test_grep "cannot adopt the Prisma history: 1 migration disagrees" err &&
		no_history
	'

	test_expect_success $prereq "prisma ($backend): a row with no migration folder refuses" '
		on $backend && fresh && prisma_table &&
		prisma_row d1 20231231000000_gone 00 1704000000000 1704000001000 NULL &&
		test_expect_code 1 gw --dir prisma/migrations adopt --from prisma >out 2>err &&
		test_grep "PROBLEM *20231231000000_gone *(no file)" out &&
		test_grep "Prisma applied it, but no file in prisma/migrations has this name" out &&
		no_history
	'
done

test_expect_success SQLITE3 'prisma: a folder in another convention is refused' '
	on sqlite && fresh &&
	write_migration other/20240101120000_init.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE o (id int);
	EOF
	prisma_table &&
	test_expect_code 1 gw --dir other adopt --from prisma 2>err &&
	test_grep "cannot adopt from Prisma: Prisma records migrations by their name, but other is in the native convention" err
'

# ---- drizzle ----------------------------------------------------------------

# The table as drizzle-orm's migrator creates it: src/pg-core/dialect.ts
# migrate() (schema "drizzle", created_at bigint) and
# src/sqlite-core/dialect.ts (created_at numeric).
drizzle_table()
{
	if [ "$backend" = pg ]; then
		db_sql 'CREATE SCHEMA IF NOT EXISTS "drizzle";
			CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (
				id SERIAL PRIMARY KEY,
				hash text NOT NULL,
				created_at bigint)'
	else
		db_sql 'CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (
				id SERIAL PRIMARY KEY,
				hash text NOT NULL,
				created_at numeric)'
	fi
}

# drizzle_row TAG_FILE WHEN: what migrate() inserts for a migration it ran:
# (hash, created_at) = (sha256 of the file text, the journal's "when"), see
# src/migrator.ts readMigrationFiles.
drizzle_row()
{
	t=__drizzle_migrations
	[ "$backend" = pg ] && t=drizzle.__drizzle_migrations
	db_sql "INSERT INTO $t (hash, created_at) VALUES ('$(sha256 "$1")', $2)"
}

for backend in sqlite pg; do
	prereq=SQLITE3
	[ $backend = pg ] && prereq=PG

	test_expect_success $prereq "drizzle ($backend): setup, two of three applied" '
		on $backend && fresh &&
		write_migration drizzle/0000_init.sql <<-\EOF &&
		CREATE TABLE "d1" ("id" integer);
		EOF
		write_migration drizzle/0001_posts.sql <<-\EOF &&
		CREATE TABLE "d2" ("id" integer);
		--> statement-breakpoint
		CREATE INDEX "d2_id" ON "d2" ("id");
		EOF
		write_migration drizzle/0002_tags.sql <<-\EOF &&
		CREATE TABLE "d3" ("id" integer);
		EOF
		write_migration drizzle/meta/_journal.json <<-\EOF &&
		{
		  "version": "7",
		  "dialect": "postgresql",
		  "entries": [
		    {
		      "idx": 0,
		      "version": "7",
		      "when": 1700000000000,
		      "tag": "0000_init",
		      "breakpoints": true
		    },
		    {
		      "idx": 1,
		      "version": "7",
		      "when": 1700000100000,
		      "tag": "0001_posts",
		      "breakpoints": true
		    },
		    {
		      "idx": 2,
		      "version": "7",
		      "when": 1700000200000,
		      "tag": "0002_tags",
		      "breakpoints": true
		    }
		  ]
		}
		EOF
		drizzle_table &&
		db_sql "CREATE TABLE d1 (id int); CREATE TABLE d2 (id int)" &&
		drizzle_row drizzle/0000_init.sql 1700000000000 &&
		drizzle_row drizzle/0001_posts.sql 1700000100000
	'

	test_expect_success $prereq "drizzle ($backend): --dry-run records nothing" '
		on $backend &&
		gw --dir drizzle adopt --from drizzle --dry-run >out &&
		test_grep "would record *0000 *0000_init.sql *(applied at 2023-11-14T22:13:20.000.*checksum verified)" out &&
		test_grep "would record *0001 .*checksum verified" out &&
		test_grep "pending *0002" out &&
		no_history
	'

	test_expect_success $prereq "drizzle ($backend): adopt keeps created_at, up runs only the rest" '
		on $backend &&
		gw --dir drizzle adopt --from drizzle >out &&
		test_grep "recorded 2 migrations as applied; 1 pending" out &&
		test "$(applied_at 0000)" = 2023-11-14T22:13:20.000Z &&
		test "$(applied_at 0001)" = 2023-11-14T22:15:00.000Z &&
		test "$(db_sql "SELECT count(*) FROM godwit_migrations WHERE kind = '\''adopted'\''")" = 2 &&
		gw --dir drizzle up &&
		test "$(db_sql "SELECT version FROM godwit_migrations WHERE kind = '\''versioned'\''")" = 0002 &&
		gw --dir drizzle status --exit-code
	'

	test_expect_success $prereq "drizzle ($backend): every entry up to the latest row counts as applied" '
		on $backend && fresh && drizzle_table &&
		drizzle_row drizzle/0001_posts.sql 1700000100000 &&
		gw --dir drizzle adopt --from drizzle >out &&
		test_grep "recorded *0000 .*(applied (no row of its own; older than the latest))" out &&
		test_grep "recorded *0001 .*checksum verified" out &&
		test_grep "recorded 2 migrations as applied; 1 pending" out
	'

	test_expect_success $prereq "drizzle ($backend): a CRLF file matches the hash of its LF text" '
		on $backend && fresh && drizzle_table &&
		drizzle_row drizzle/0000_init.sql 1700000000000 &&
		sed -i "s/\$/\r/" drizzle/0000_init.sql &&
		test_when_finished "sed -i \"s/\r\$//\" drizzle/0000_init.sql" &&
		gw --dir drizzle adopt --from drizzle --dry-run >out &&
		test_grep "would record *0000 .*checksum verified" out
	'

	test_expect_success $prereq "drizzle ($backend): a changed file refuses, recording nothing" '
		on $backend && fresh && drizzle_table &&
		drizzle_row drizzle/0000_init.sql 1700000000000 &&
		echo "-- edited" >>drizzle/0000_init.sql &&
		test_when_finished "sed -i \"/^-- edited/d\" drizzle/0000_init.sql" &&
		test_expect_code 1 gw --dir drizzle adopt --from drizzle >out 2>err &&
		test_grep "PROBLEM *0000 .*checksum mismatch" out &&
		test_grep "the file changed since drizzle applied it" out &&
		no_history
	'

	test_expect_success $prereq "drizzle ($backend): a created_at with no journal entry refuses" '
		on $backend && fresh && drizzle_table &&
		drizzle_row drizzle/0000_init.sql 1700000000000 &&
		drizzle_row drizzle/0000_init.sql 1690000000000 &&
		test_expect_code 1 gw --dir drizzle adopt --from drizzle >out 2>err &&
		test_grep "PROBLEM *1690000000000 *(no file)" out &&
		test_grep "drizzle applied it, but no file in drizzle has this \"when\" in meta/_journal.json" out &&
		no_history
	'
done

test_done
