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
	# The down that `prisma migrate diff --script` writes, kept beside it.
	write_migration $m/20240102120000_posts/down.sql <<-\EOF &&
	-- DropTable
	DROP TABLE "Post";
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
		test_cmp /dev/null err &&
		godwit "$@" --dir prisma/migrations --source-format prisma up >out &&
		test_grep "^applied 2 migrations$" out &&
		printf "Post\nUser\n" >expect &&
		if [ $backend = pg ]; then
			pg_sql "SELECT tablename FROM pg_tables WHERE schemaname = '"'public'"' AND tablename NOT LIKE '"'godwit%'"' ORDER BY 1" >actual
		else
			sqlite_sql prisma/dev.sqlite3 "SELECT name FROM sqlite_master WHERE type = '"'table'"' AND name NOT LIKE '"'godwit%'"' AND name NOT LIKE '"'sqlite%'"' ORDER BY 1" >actual
		fi &&
		test_cmp expect actual &&
		godwit "$@" --dir prisma/migrations down >out 2>err &&
		test_grep "^reverted  *20240102120000 posts" out &&
		echo "godwit: reverting 20240102120000 posts" >expect &&
		test_cmp expect err &&
		if [ $backend = pg ]; then
			pg_sql "SELECT to_regclass('"'\"Post\"'"') IS NULL" >actual
		else
			sqlite_sql prisma/dev.sqlite3 "SELECT count(*) = 0 FROM sqlite_master WHERE name = '"'Post'"'" >actual
		fi &&
		test "$(cat actual)" = t -o "$(cat actual)" = 1 &&
		test_expect_code 1 godwit "$@" --dir prisma/migrations down 2>err &&
		cat >expect <<-\EOF &&
		godwit: error: cannot revert 20240101120000 init: it has no down migration
		hint: write its down SQL in prisma/migrations/20240101120000_init/down.sql first
		EOF
		test_cmp expect err
	'
done

test_done
