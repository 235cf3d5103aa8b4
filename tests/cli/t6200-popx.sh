#!/bin/sh
test_description='popx (ory) folders used unchanged: every dialect synonym popx accepts, empty and comment-only files, .autocommit; apply and revert completely'
. "$(dirname "$0")/lib.sh"

# A folder as popx projects (Ory Kratos, Hydra, Keto) keep theirs: versions
# of 20 digits, one file per dialect and direction, written with any of the
# synonyms pop's CanonicalDialect accepts, and many files that are empty or
# hold only a comment because a dialect needs nothing there.

test_expect_success 'setup: a popx folder' '
	m=template/migrations &&
	write_migration $m/20210101000000000000_users.up.sql <<-\EOF &&
	CREATE TABLE users (id int PRIMARY KEY);
	EOF
	write_migration $m/20210101000000000000_users.down.sql <<-\EOF &&
	DROP TABLE users;
	EOF
	write_migration $m/20210101000001000000_email.postgres.up.sql <<-\EOF &&
	ALTER TABLE users ADD COLUMN email text;
	EOF
	write_migration $m/20210101000001000000_email.postgres.down.sql <<-\EOF &&
	ALTER TABLE users DROP COLUMN email;
	EOF
	write_migration $m/20210101000001000000_email.sqlite3.up.sql <<-\EOF &&
	ALTER TABLE users ADD COLUMN email text;
	EOF
	write_migration $m/20210101000001000000_email.sqlite3.down.sql <<-\EOF &&
	ALTER TABLE users DROP COLUMN email;
	EOF
	write_migration $m/20210101000001000000_email.mysql.up.sql <<-\EOF &&
	ALTER TABLE users ADD COLUMN email VARCHAR(255);
	EOF
	write_migration $m/20210101000001000000_email.cockroach.up.sql <<-\EOF &&
	ALTER TABLE users ADD COLUMN email STRING;
	EOF
	write_migration $m/20210101000002000000_idx.postgresql.autocommit.up.sql <<-\EOF &&
	CREATE INDEX CONCURRENTLY users_email_idx ON users (email);
	EOF
	write_migration $m/20210101000002000000_idx.postgresql.autocommit.down.sql <<-\EOF &&
	DROP INDEX CONCURRENTLY users_email_idx;
	EOF
	write_migration $m/20210101000002000000_idx.sqlite.up.sql <<-\EOF &&
	CREATE INDEX users_email_idx ON users (email);
	EOF
	write_migration $m/20210101000002000000_idx.sqlite.down.sql <<-\EOF &&
	DROP INDEX users_email_idx;
	EOF
	write_migration $m/20210101000002000000_idx.mariadb.up.sql <<-\EOF &&
	CREATE INDEX users_email_idx ON users (email(64));
	EOF
	write_migration $m/20210101000002000000_idx.cockroachdb.up.sql <<-\EOF &&
	CREATE INDEX users_email_idx ON users (email);
	EOF
	# Nothing to do on PostgreSQL and SQLite: empty and comment-only
	# files, ups and downs.
	: >$m/20210101000003000000_noop.pg.up.sql &&
	printf -- "-- nothing to undo\n\n" >$m/20210101000003000000_noop.pg.down.sql &&
	printf -- "-- SQLite needs nothing here\n" >$m/20210101000003000000_noop.sqlite.up.sql &&
	: >$m/20210101000003000000_noop.sqlite.down.sql &&
	write_migration $m/20210101000003000000_noop.maria.up.sql <<-\EOF &&
	ALTER TABLE users ENGINE = InnoDB;
	EOF
	write_migration $m/20210101000003000000_noop.crdb.up.sql <<-\EOF &&
	ALTER TABLE users CONFIGURE ZONE USING gc.ttlseconds = 600;
	EOF
	write_migration $m/20210101000004000000_names.pgx.up.sql <<-\EOF &&
	CREATE TABLE names (id int REFERENCES users (id));
	EOF
	write_migration $m/20210101000004000000_names.pgx.down.sql <<-\EOF &&
	DROP TABLE names;
	EOF
	write_migration $m/20210101000004000000_names.up.sql <<-\EOF &&
	CREATE TABLE names (id int);
	EOF
	write_migration $m/20210101000004000000_names.down.sql <<-\EOF &&
	DROP TABLE names;
	EOF
	cat >template/expect.versions <<-\EOF
	20210101000000000000 users
	20210101000001000000 email
	20210101000002000000 idx
	20210101000003000000 noop
	20210101000004000000 names
	EOF
'

for backend in sqlite pg
do
	if [ $backend = pg ]; then
		prereq=PG
	else
		prereq=SQLITE3
	fi

	test_expect_success $prereq "$backend: status lists every migration of this dialect, quietly" '
		rm -rf $backend && cp -R template $backend &&
		cd $backend &&
		if [ $backend = pg ]; then
			pg_new_db && echo "$PG_URL" >url
		else
			echo "sqlite:app.db" >url
		fi &&
		godwit --url "$(cat url)" --dir migrations status >out 2>err &&
		test_cmp /dev/null err &&
		sed -n "s/^pending  *\([0-9]*\)  *\([a-z]*\)$/\1 \2/p" out >actual &&
		test_cmp expect.versions actual &&
		test_grep ! "holds no SQL" out &&
		godwit --url "$(cat url)" --dir migrations validate >out 2>err &&
		test_grep "^all migrations are valid$" out
	'

	test_expect_success $prereq "$backend: up applies all five; the empty ones are recorded, nothing run" '
		cd $backend &&
		godwit --url "$(cat url)" --dir migrations up >out 2>err &&
		test_grep "^applied 5 migrations$" out &&
		test_grep "^applied  *20210101000003000000 noop" out &&
		if [ $backend = pg ]; then
			pg_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = ${SQ}users${SQ} AND column_name = ${SQ}email${SQ}" >actual &&
			pg_sql "SELECT indisvalid FROM pg_index WHERE indexrelid = ${SQ}users_email_idx${SQ}::regclass" >>actual &&
			pg_sql "SELECT count(*) FROM pg_constraint WHERE conrelid = ${SQ}names${SQ}::regclass AND contype = ${SQ}f${SQ}" >>actual &&
			pg_sql "SELECT count(*) FROM godwit_migrations" >>actual &&
			printf "1\nt\n1\n5\n" >expect
		else
			sqlite_sql app.db "SELECT count(*) FROM pragma_table_info(${SQ}users${SQ}) WHERE name = ${SQ}email${SQ}" >actual &&
			sqlite_sql app.db "SELECT count(*) FROM sqlite_master WHERE name = ${SQ}users_email_idx${SQ}" >>actual &&
			sqlite_sql app.db "SELECT count(*) FROM pragma_foreign_key_list(${SQ}names${SQ})" >>actual &&
			sqlite_sql app.db "SELECT count(*) FROM godwit_migrations" >>actual &&
			printf "1\n1\n0\n5\n" >expect
		fi &&
		test_cmp expect actual
	'

	test_expect_success $prereq "$backend: down --all reverts all five; the empty downs do nothing" '
		cd $backend &&
		godwit --url "$(cat url)" --dir migrations down --all >out 2>err &&
		test_grep "^reverted 5 migrations$" out &&
		test_grep "^reverted  *20210101000003000000 noop" out &&
		if [ $backend = pg ]; then
			pg_sql "SELECT tablename FROM pg_tables WHERE schemaname = ${SQ}public${SQ} AND tablename NOT LIKE ${SQ}godwit%${SQ}" >actual &&
			pg_sql "SELECT count(*) FROM godwit_migrations" >>actual
		else
			sqlite_sql app.db "SELECT name FROM sqlite_master WHERE name NOT LIKE ${SQ}godwit%${SQ} AND name NOT LIKE ${SQ}sqlite%${SQ}" >actual &&
			sqlite_sql app.db "SELECT count(*) FROM godwit_migrations" >>actual
		fi &&
		echo 0 >expect &&
		test_cmp expect actual
	'
done

test_expect_success 'a dialect godwit does not know is an error in a popx folder, not a generic file' '
	mkdir -p typo &&
	echo "CREATE TABLE a (id int);" >typo/1_a.postgres.up.sql &&
	echo "CREATE TABLE a (id int);" >typo/1_a.postgress.up.sql &&
	test_expect_code 1 godwit --dir typo --url sqlite:typo.db up 2>err &&
	echo "godwit: error: typo/1_a.postgress.up.sql: names no dialect godwit knows, in a multi-dialect folder; use postgres, sqlite3, mysql or cockroach (or a synonym popx accepts), or no ${SQ}.${SQ} in the name for a generic file" >expect &&
	test_cmp expect err &&
	test ! -e typo.db &&
	# In a plain golang-migrate folder a dot is part of the name.
	mkdir -p plain &&
	echo "SELECT 1;" >plain/1_a.v2.up.sql &&
	godwit --dir plain --url sqlite:plain.db status >out &&
	test_grep "^pending  *1  *a.v2$" out
'

test_expect_success 'a fizz migration is an error: godwit cannot run it, and leaving it out would skip it' '
	cp -R template fizz &&
	echo "create_table(\"tags\") { t.Column(\"id\", \"int\") }" >fizz/migrations/20210101000005000000_tags.up.fizz &&
	test_expect_code 1 godwit --dir fizz/migrations --url sqlite:fizz.db up 2>err &&
	echo "godwit: error: fizz/migrations/20210101000005000000_tags.up.fizz: is a fizz migration, which godwit cannot run; write the SQL it stands for in a .sql file of the same name instead" >expect &&
	test_cmp expect err &&
	test ! -e fizz.db
'

# Other tools that apply a file with no SQL as a migration that runs
# nothing: golang-migrate, Flyway, Prisma, drizzle-orm.
test_expect_success PG 'golang-migrate, Flyway, Prisma, drizzle: a file without SQL is applied and recorded' '
	mkdir -p gm fw prisma/20240101000000_empty drizzle/meta &&
	echo "CREATE TABLE gm (id int);" >gm/1_gm.up.sql &&
	: >gm/2_placeholder.up.sql &&
	echo "DROP TABLE gm;" >gm/1_gm.down.sql &&
	printf -- "-- nothing yet\n" >fw/V1__nothing.sql &&
	printf -- "-- This is an empty migration.\n" >prisma/20240101000000_empty/migration.sql &&
	printf -- "-- Custom SQL migration file, put your code below! --\n" >drizzle/0000_custom.sql &&
	printf "{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":[{\"idx\":0,\"version\":\"7\",\"when\":1700000000000,\"tag\":\"0000_custom\",\"breakpoints\":true}]}" >drizzle/meta/_journal.json &&
	for d in gm:2 fw:1 prisma:1 drizzle:1
	do
		pg_new_db &&
		godwit --url "$PG_URL" --dir ${d%:*} up >out 2>err &&
		test_grep "^applied" out &&
		without_start_lines err >warnings &&
		test_cmp /dev/null warnings &&
		test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = ${d#*:} || return 1
	done
'

test_done
