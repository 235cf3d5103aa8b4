#!/bin/sh
test_description='Prisma folders (<timestamp>_<name>/migration.sql) are detected and applied on SQLite and PostgreSQL'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a Prisma folder' '
	m=template/prisma/migrations &&
	write_migration $m/20240101120000_init/migration.sql <<-\EOF &&
	-- CreateTable
	CREATE TABLE "User" (
	    "id" INTEGER NOT NULL,
	    "email" TEXT NOT NULL,
	    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
	);

	-- CreateIndex
	CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
	EOF
	write_migration $m/20240102120000_posts/migration.sql <<-\EOF &&
	-- CreateTable
	CREATE TABLE "Post" ("id" INTEGER NOT NULL PRIMARY KEY, "authorId" INTEGER REFERENCES "User" ("id"));
	EOF
	printf "provider = \"postgresql\"\n" >$m/migration_lock.toml
'

for backend in sqlite pg
do
	if [ $backend = pg ]; then
		prereq=PG
	else
		prereq=SQLITE3
	fi

	test_expect_success $prereq "$backend: detected and applied; no down" '
		cp -R template $backend &&
		cd $backend &&
		if [ $backend = pg ]; then
			pg_new_db && set -- --url "$PG_URL"
		else
			set -- --url "sqlite:prisma/dev.sqlite3"
		fi &&
		godwit "$@" --dir prisma/migrations status >out 2>err &&
		test_grep "^pending  *20240101120000  *init" out &&
		test_grep "prisma/migrations/migration_lock.toml is not a migration" err &&
		godwit "$@" --dir prisma/migrations --source-format prisma up >out &&
		test_grep "^applied 2 migrations$" out &&
		printf "Post\nUser\n" >expect &&
		if [ $backend = pg ]; then
			pg_sql "SELECT tablename FROM pg_tables WHERE schemaname = '"'public'"' AND tablename NOT LIKE '"'godwit%'"' ORDER BY 1" >actual
		else
			sqlite_sql prisma/dev.sqlite3 "SELECT name FROM sqlite_master WHERE type = '"'table'"' AND name NOT LIKE '"'godwit%'"' AND name NOT LIKE '"'sqlite%'"' ORDER BY 1" >actual
		fi &&
		test_cmp expect actual &&
		test_expect_code 1 godwit "$@" --dir prisma/migrations down 2>err &&
		test_grep "cannot revert 20240102120000 posts: it has no down migration" err
	'
done

test_done
