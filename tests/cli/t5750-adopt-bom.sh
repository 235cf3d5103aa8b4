#!/bin/sh
test_description='files saved with a UTF-8 byte-order mark: adopt, validate, lint, schema diff'
# ctest: ephemeral databases
. "$(dirname "$0")/lib.sh"

# Windows editors write a byte-order mark first. godwit leaves it out of
# the SQL and of its own checksum; Prisma checksums the file's bytes
# (read_to_string keeps the mark) and drizzle-orm the file's text
# (Buffer.toString keeps U+FEFF, hashed as the same three bytes), so the
# checksums those tools recorded include it.

BOM=$(printf '\357\273\277')

sha256() { sha256sum "$1" | cut -d" " -f1; }

# godwit_sums: version and checksum of every row of godwit's history.
godwit_sums()
{
	pg_sql "SELECT version || ' ' || checksum FROM godwit_migrations ORDER BY version"
}

test_expect_success PG 'prisma: setup, migration.sql files saved with a byte-order mark' '
	pg_new_db &&
	m=prisma/migrations &&
	mkdir -p $m/20240101120000_init $m/20240102120000_posts $m/20240103120000_tags &&
	printf "%s-- CreateTable\nCREATE TABLE \"p1\" (\"id\" INTEGER NOT NULL);\n" "$BOM" \
		>$m/20240101120000_init/migration.sql &&
	printf "%sCREATE TABLE \"p2\" (\"id\" INTEGER);\r\n-- saved on Windows\r\n" "$BOM" \
		>$m/20240102120000_posts/migration.sql &&
	printf "%sCREATE TABLE \"p3\" (\"id\" INTEGER);\n" "$BOM" \
		>$m/20240103120000_tags/migration.sql &&
	printf "provider = \"postgresql\"\n" >$m/migration_lock.toml &&
	pg_sql "CREATE TABLE \"_prisma_migrations\" (
		\"id\" VARCHAR(36) PRIMARY KEY NOT NULL,
		\"checksum\" VARCHAR(64) NOT NULL,
		\"finished_at\" TIMESTAMPTZ,
		\"migration_name\" VARCHAR(255) NOT NULL,
		\"logs\" TEXT,
		\"rolled_back_at\" TIMESTAMPTZ,
		\"started_at\" TIMESTAMPTZ NOT NULL DEFAULT now(),
		\"applied_steps_count\" INTEGER NOT NULL DEFAULT 0);
		CREATE TABLE p1 (id int); CREATE TABLE p2 (id int);
		INSERT INTO \"_prisma_migrations\" (id, checksum, started_at, finished_at,
			migration_name, applied_steps_count) VALUES
		(${SQ}a1${SQ}, ${SQ}$(sha256 $m/20240101120000_init/migration.sql)${SQ},
			to_timestamp(1704110400), to_timestamp(1704110405), ${SQ}20240101120000_init${SQ}, 1),
		(${SQ}a2${SQ}, ${SQ}$(sha256 $m/20240102120000_posts/migration.sql)${SQ},
			to_timestamp(1704196800), to_timestamp(1704196801), ${SQ}20240102120000_posts${SQ}, 1)"
'

test_expect_success PG 'prisma: adopt verifies the checksums Prisma took over the bytes, mark included' '
	godwit --url "$PG_URL" --dir prisma/migrations adopt --from prisma >out &&
	test_grep "recorded *20240101120000 .*checksum verified" out &&
	test_grep "recorded *20240102120000 .*checksum verified" out &&
	test_grep "recorded 2 migrations as applied; 1 pending" out &&
	{
		printf "20240101120000 " &&
		printf -- "-- CreateTable\nCREATE TABLE \"p1\" (\"id\" INTEGER NOT NULL);\n" | sha256sum | cut -d" " -f1 &&
		printf "20240102120000 " &&
		printf "CREATE TABLE \"p2\" (\"id\" INTEGER);\n-- saved on Windows\n" | sha256sum | cut -d" " -f1
	} >expect &&
	godwit_sums >actual &&
	test_cmp expect actual
'

test_expect_success PG 'prisma: status and up see the adopted migrations as applied and run the rest' '
	godwit --url "$PG_URL" --dir prisma/migrations status >out &&
	test_grep "^applied *20240101120000" out &&
	test_grep "^applied *20240102120000" out &&
	test_grep "^pending *20240103120000" out &&
	godwit --url "$PG_URL" --dir prisma/migrations up >out &&
	test_grep "^applied  20240103120000" out &&
	test_grep "applied 1 migration" out &&
	test "$(pg_count p3)" = 0 &&
	godwit --url "$PG_URL" --dir prisma/migrations status --exit-code
'

test_expect_success PG 'prisma: a checksum of other bytes is still a mismatch, and nothing is recorded' '
	pg_new_db &&
	m=prisma/migrations &&
	printf "CREATE TABLE \"p1\" (\"id\" INTEGER);\n" >other.sql &&
	pg_sql "CREATE TABLE \"_prisma_migrations\" (
		\"id\" VARCHAR(36) PRIMARY KEY NOT NULL,
		\"checksum\" VARCHAR(64) NOT NULL,
		\"finished_at\" TIMESTAMPTZ,
		\"migration_name\" VARCHAR(255) NOT NULL,
		\"logs\" TEXT,
		\"rolled_back_at\" TIMESTAMPTZ,
		\"started_at\" TIMESTAMPTZ NOT NULL DEFAULT now(),
		\"applied_steps_count\" INTEGER NOT NULL DEFAULT 0);
		INSERT INTO \"_prisma_migrations\" (id, checksum, started_at, finished_at,
			migration_name, applied_steps_count) VALUES
		(${SQ}b1${SQ}, ${SQ}$(sha256 other.sql)${SQ}, to_timestamp(1704110400),
			to_timestamp(1704110405), ${SQ}20240101120000_init${SQ}, 1)" &&
	test_expect_code 1 godwit --url "$PG_URL" --dir $m adopt --from prisma >out 2>err &&
	test_grep "PROBLEM *20240101120000 .*checksum mismatch" out &&
	test_grep "nothing was recorded" err &&
	test "$(pg_sql "SELECT to_regclass(${SQ}godwit_migrations${SQ}) IS NULL OR NOT EXISTS (SELECT FROM godwit_migrations)")" = t
'

test_expect_success PG 'drizzle: setup, NNNN_name.sql files saved with a byte-order mark' '
	pg_new_db &&
	mkdir -p drizzle/meta &&
	printf "%sCREATE TABLE \"d1\" (\"id\" integer);\n" "$BOM" >drizzle/0000_init.sql &&
	printf "%sCREATE TABLE \"d2\" (\"id\" integer);\r\n--> statement-breakpoint\r\nCREATE INDEX \"d2_id\" ON \"d2\" (\"id\");\r\n" "$BOM" \
		>drizzle/0001_posts.sql &&
	printf "%sCREATE TABLE \"d3\" (\"id\" integer);\n--> statement-breakpoint\nCREATE INDEX \"d3_id\" ON \"d3\" (\"id\");\n" "$BOM" \
		>drizzle/0002_tags.sql &&
	cat >drizzle/meta/_journal.json <<-\JSON &&
	{
	  "version": "7",
	  "dialect": "postgresql",
	  "entries": [
	    {"idx": 0, "version": "7", "when": 1700000000000, "tag": "0000_init", "breakpoints": true},
	    {"idx": 1, "version": "7", "when": 1700000100000, "tag": "0001_posts", "breakpoints": true},
	    {"idx": 2, "version": "7", "when": 1700000200000, "tag": "0002_tags", "breakpoints": true}
	  ]
	}
	JSON
	# 0001 as older drizzle-orm hashes it (the text as read), 0000 as
	# newer versions do (CRLF folded; no CR in it): both keep the mark.
	pg_sql "CREATE SCHEMA drizzle;
		CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL,
			created_at bigint);
		CREATE TABLE d1 (id int); CREATE TABLE d2 (id int);
		INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES
		(${SQ}$(sha256 drizzle/0000_init.sql)${SQ}, 1700000000000),
		(${SQ}$(sha256 drizzle/0001_posts.sql)${SQ}, 1700000100000)"
'

test_expect_success PG 'drizzle: adopt verifies the hashes drizzle-orm took over the text, mark included' '
	godwit --url "$PG_URL" --dir drizzle adopt --from drizzle >out &&
	test_grep "recorded *0000 .*checksum verified" out &&
	test_grep "recorded *0001 .*checksum verified" out &&
	test_grep "recorded 2 migrations as applied; 1 pending" out &&
	{
		printf "0000 " &&
		printf "CREATE TABLE \"d1\" (\"id\" integer);\n" | sha256sum | cut -d" " -f1 &&
		printf "0001 " &&
		printf "CREATE TABLE \"d2\" (\"id\" integer);\n--> statement-breakpoint\nCREATE INDEX \"d2_id\" ON \"d2\" (\"id\");\n" |
			sha256sum | cut -d" " -f1
	} >expect &&
	godwit_sums >actual &&
	test_cmp expect actual
'

test_expect_success PG 'drizzle: status and up see the adopted migrations as applied and run the rest' '
	godwit --url "$PG_URL" --dir drizzle status >out &&
	test_grep "^applied *0000" out &&
	test_grep "^applied *0001" out &&
	test_grep "^pending *0002" out &&
	godwit --url "$PG_URL" --dir drizzle up >out &&
	test_grep "^applied  0002" out &&
	test "$(pg_sql "SELECT count(*) FROM pg_indexes WHERE indexname = ${SQ}d3_id${SQ}")" = 1 &&
	godwit --url "$PG_URL" --dir drizzle status --exit-code
'

test_expect_success PG 'drizzle: a CRLF file with a mark matches the hash of its folded text' '
	pg_new_db &&
	pg_sql "CREATE SCHEMA drizzle;
		CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL,
			created_at bigint);
		INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES
		(${SQ}$(tr -d "\r" <drizzle/0001_posts.sql | sha256sum | cut -d" " -f1)${SQ}, 1700000100000)" &&
	godwit --url "$PG_URL" --dir drizzle adopt --from drizzle --dry-run >out &&
	test_grep "would record *0001 .*checksum verified" out
'

test_expect_success PG 'native: validate of a folder that cannot load parses a file with a mark as SQL' '
	pg_new_db &&
	mkdir -p dup &&
	printf "%s-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n" "$BOM" \
		>dup/20240101000000_a.sql &&
	printf "%s-- migrate:up\nSELECT 1 FROM;\n" "$BOM" >dup/20240101000000_b.sql &&
	test_expect_code 3 godwit --url "$PG_URL" --dir dup validate >out 2>&1 &&
	cat >expect <<-\OUT &&
	dup/20240101000000_b.sql: error: duplicate version 20240101000000: 20240101000000_a.sql and 20240101000000_b.sql; give each migration its own version [source]
	dup/20240101000000_b.sql:2:14: error: syntax error at or near ";" [syntax]
	OUT
	grep "error:" out >actual &&
	test_cmp expect actual
'

test_expect_success PG 'drizzle: a journal with a mark is refused with a clear error, as drizzle refuses it' '
	pg_new_db &&
	mkdir -p dj/meta &&
	cp drizzle/0000_init.sql dj/ &&
	printf "%s{\"version\": \"7\", \"dialect\": \"postgresql\", \"entries\": [{\"idx\": 0, \"version\": \"7\", \"when\": 1700000000000, \"tag\": \"0000_init\", \"breakpoints\": true}]}\n" "$BOM" \
		>dj/meta/_journal.json &&
	cat >expect <<-\OUT &&
	godwit: error: dj/meta/_journal.json:1:1: starts with a UTF-8 byte-order mark, which drizzle-kit and drizzle-orm cannot read either (JSON.parse refuses it); save the file without it
	OUT
	test_expect_code 1 godwit --url "$PG_URL" --dir dj up >out 2>err &&
	test_cmp expect err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}public${SQ}")" = 0
'

test_expect_success PG 'lint FILE: a file outside the folder with a mark parses as SQL' '
	printf "%s-- a note\nSELECT 1 FROM;\n" "$BOM" >loose.sql &&
	test_expect_code 3 godwit --url "$PG_URL" --dir dup lint loose.sql >out 2>&1 &&
	cat >expect <<-\OUT &&
	loose.sql:2:14: error: syntax error at or near ";" [syntax]
	OUT
	grep "error:" out >actual &&
	test_cmp expect actual
'

test_expect_success PG 'schema diff: DDL files with a mark, alone or in a folder, load' '
	printf "%sCREATE TABLE s1 (id int);\n" "$BOM" >s1.sql &&
	mkdir ddl &&
	printf "%sCREATE TABLE s1 (id int);\n" "$BOM" >ddl/1.sql &&
	printf "%sCREATE TABLE s2 (id int);\n" "$BOM" >ddl/2.sql &&
	godwit --url "$PG_URL" --dir dup schema diff s1.sql ddl --sql >out 2>err &&
	test_grep "^CREATE TABLE public.s2 (" out &&
	test_grep ! "public.s1" out
'

test_done
