#!/bin/sh
test_description='in another tool'\''s project root, its migrations folder is found from its own files'
. "$(dirname "$0")/lib.sh"

# traced ARGS...: godwit ARGS, its file calls traced into ./trace.
# LeakSanitizer cannot run under ptrace: the traced runs check no leaks.
traced()
{
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -e trace=%file,getdents64 -o trace "$GODWIT" "$@"
}

# project NAME: a fresh project folder to cd into.
project()
{
	mkdir "$1" && cd "$1"
}

# found DIR WHY: status names the folder it found, config says where from,
# and up applies what is in it (on the embedded SQLite default).
found()
{
	godwit status >out &&
	echo "migrations in $1 (found: $2)" >expect &&
	head -n 1 out >actual &&
	test_cmp expect actual &&
	godwit config >out &&
	grep "^dir " out >actual &&
	printf "%-20s %-40s %s\n" dir "$1" "found: $2" >expect &&
	test_cmp expect actual &&
	godwit status --format json >out &&
	test_grep "\"dir\": \"$1\"" out &&
	godwit up >out &&
	test_grep "^applied $3 migrations\{0,1\}$" out
}

test_expect_success 'sqitch: sqitch.conf and sqitch.plan, with top_dir' '
	project sqitch &&
	printf "[core]\n\tengine = sqlite\n\ttop_dir = db/sqitch\n" >sqitch.conf &&
	write_migration db/sqitch/sqitch.plan <<-\EOF &&
	%syntax-version=1.0.0
	%project=app

	users 2024-01-01T00:00:00Z A <a@example.com> # users
	EOF
	write_migration db/sqitch/deploy/users.sql <<-\EOF &&
	CREATE TABLE users (id integer);
	EOF
	write_migration db/sqitch/revert/users.sql <<-\EOF &&
	DROP TABLE users;
	EOF
	found . "sqitch${SQ}s sqitch.conf and sqitch.plan" 1 &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM users")" = 0
'

test_expect_success 'sqitch.conf alone (no plan) is not a sqitch project' '
	project sqitch-noplan &&
	printf "[core]\n\tengine = sqlite\n" >sqitch.conf &&
	test_expect_code 1 godwit status 2>err &&
	test_grep "^godwit: error: migrations folder db/migrations does not exist$" err
'

test_expect_success 'Prisma: prisma/migrations/' '
	project prisma &&
	write_migration prisma/migrations/20240101000000_init/migration.sql <<-\EOF &&
	CREATE TABLE "users" ("id" INTEGER NOT NULL PRIMARY KEY);
	EOF
	printf "provider = \"sqlite\"\n" >prisma/migrations/migration_lock.toml &&
	found prisma/migrations "Prisma${SQ}s prisma/migrations/" 1
'

write_drizzle()
{
	write_migration "$1/0000_init.sql" <<-\EOF &&
	CREATE TABLE `users` (`id` integer PRIMARY KEY NOT NULL);
	EOF
	write_migration "$1/meta/_journal.json" <<-\EOF
	{
	  "version": "7",
	  "dialect": "sqlite",
	  "entries": [
	    {"idx": 0, "version": "6", "when": 1700000000000, "tag": "0000_init", "breakpoints": true}
	  ]
	}
	EOF
}

test_expect_success 'drizzle-kit: out in drizzle.config.ts' '
	project drizzle-config &&
	cat >drizzle.config.ts <<-\EOF &&
	import { defineConfig } from "drizzle-kit";

	export default defineConfig({
	  schema: "./src/db/schema.ts",
	  out: "./src/db/migrations/",
	  dialect: "sqlite",
	});
	EOF
	write_drizzle src/db/migrations &&
	found src/db/migrations "drizzle-kit${SQ}s drizzle.config.ts" 1
'

test_expect_success 'drizzle-kit: a config without out means drizzle/' '
	project drizzle-default &&
	printf "module.exports = { schema: \"./schema.js\", dialect: \"sqlite\" };\n" >drizzle.config.js &&
	write_drizzle drizzle &&
	found drizzle "drizzle-kit${SQ}s drizzle.config.js" 1
'

test_expect_success 'drizzle-kit: drizzle/meta/_journal.json without a config' '
	project drizzle-journal &&
	write_drizzle drizzle &&
	found drizzle "drizzle-kit${SQ}s drizzle/meta/_journal.json" 1
'

write_diesel()
{
	write_migration "$1/2024-01-01-000000_users/up.sql" <<-\EOF &&
	CREATE TABLE users (id integer);
	EOF
	write_migration "$1/2024-01-01-000000_users/down.sql" <<-\EOF
	DROP TABLE users;
	EOF
}

test_expect_success 'diesel: diesel.toml [migrations_directory] dir' '
	project diesel-dir &&
	cat >diesel.toml <<-\EOF &&
	[print_schema]
	file = "src/schema.rs"

	[migrations_directory]
	dir = "db/diesel"
	EOF
	write_diesel db/diesel &&
	found db/diesel "diesel${SQ}s diesel.toml" 1
'

test_expect_success 'diesel: diesel.toml and migrations/' '
	project diesel-default &&
	printf "[print_schema]\nfile = \"src/schema.rs\"\n" >diesel.toml &&
	write_diesel migrations &&
	found migrations "diesel${SQ}s diesel.toml" 1
'

write_flyway()
{
	write_migration "$1/V1__users.sql" <<-\EOF &&
	CREATE TABLE users (id integer);
	EOF
	write_migration "$1/V2__posts.sql" <<-\EOF
	CREATE TABLE posts (id integer);
	EOF
}

test_expect_success 'Flyway: flyway.locations in flyway.conf' '
	project flyway-conf &&
	cat >flyway.conf <<-\EOF &&
	flyway.url=jdbc:sqlite:app.db
	flyway.locations=filesystem:database/flyway,filesystem:missing
	EOF
	write_flyway database/flyway &&
	found database/flyway "Flyway${SQ}s flyway.conf" 2
'

test_expect_success 'Flyway: locations in flyway.toml' '
	project flyway-toml &&
	cat >flyway.toml <<-\EOF &&
	[environments.default]
	url = "jdbc:sqlite:app.db"

	[flyway]
	locations = ["filesystem:sql"]
	EOF
	write_flyway sql &&
	found sql "Flyway${SQ}s flyway.toml" 2
'

test_expect_success 'Flyway: a classpath location is a folder of resources' '
	project flyway-classpath &&
	printf "flyway.locations=classpath:db/migration\n" >flyway.conf &&
	write_flyway src/main/resources/db/migration &&
	found src/main/resources/db/migration "Flyway${SQ}s flyway.conf" 2
'

test_expect_success 'goose: SQL files in migrations/' '
	project goose &&
	write_migration migrations/20240101000000_users.sql <<-\EOF &&
	-- +goose Up
	CREATE TABLE users (id integer);
	-- +goose Down
	DROP TABLE users;
	EOF
	found migrations "SQL files in migrations/, as goose and golang-migrate keep them" 1
'

test_expect_success 'goose: GOOSE_MIGRATION_DIR' '
	project goose-env &&
	write_migration sql/schema/20240101000000_users.sql <<-\EOF &&
	-- +goose Up
	CREATE TABLE users (id integer);
	EOF
	GOOSE_MIGRATION_DIR=sql/schema &&
	export GOOSE_MIGRATION_DIR &&
	test_when_finished "unset GOOSE_MIGRATION_DIR" &&
	found sql/schema "goose${SQ}s GOOSE_MIGRATION_DIR" 1
'

test_expect_success 'golang-migrate: SQL files in migrations/' '
	project golang-migrate &&
	write_migration migrations/1_users.up.sql <<-\EOF &&
	CREATE TABLE users (id integer);
	EOF
	write_migration migrations/1_users.down.sql <<-\EOF &&
	DROP TABLE users;
	EOF
	found migrations "SQL files in migrations/, as goose and golang-migrate keep them" 1
'

test_expect_success 'two tools: refused with both folders named, and nothing created' '
	project two &&
	write_migration prisma/migrations/20240101000000_init/migration.sql <<-\EOF &&
	CREATE TABLE "users" ("id" INTEGER NOT NULL PRIMARY KEY);
	EOF
	write_drizzle drizzle &&
	cat >expect <<-EOF &&
	godwit: error: no migrations folder given, and db/migrations does not exist, but more than one tool${SQ}s folder is here: prisma/migrations (Prisma${SQ}s prisma/migrations/), drizzle (drizzle-kit${SQ}s drizzle/meta/_journal.json)
	hint: pass --dir, or set dir in godwit.conf
	EOF
	test_expect_code 1 godwit status 2>err &&
	test_cmp expect err &&
	test_expect_code 1 godwit up 2>err &&
	test_cmp expect err &&
	test ! -e db &&
	godwit --dir drizzle up >out &&
	test_grep "^applied 1 migration$" out &&
	printf "dir = prisma/migrations\n" >godwit.conf &&
	godwit status >out &&
	test_grep ! "^migrations in" out &&
	test_grep "^pending  *20240101000000  *init$" out
'

test_expect_success 'db/migrations, when it exists, is read as before' '
	project both &&
	write_migration prisma/migrations/20240101000000_init/migration.sql <<-\EOF &&
	CREATE TABLE "users" ("id" INTEGER NOT NULL PRIMARY KEY);
	EOF
	mkdir -p db/migrations &&
	godwit status >out &&
	test_grep ! "^migrations in" out &&
	test_grep "^0 applied, 0 pending$" out &&
	godwit config >out &&
	test_grep "^dir  *db/migrations  *default$" out
'

test_expect_success 'GODWIT_DIR and --dir are never second-guessed' '
	project given &&
	write_migration prisma/migrations/20240101000000_init/migration.sql <<-\EOF &&
	CREATE TABLE "users" ("id" INTEGER NOT NULL PRIMARY KEY);
	EOF
	GODWIT_DIR=elsewhere test_expect_code 1 godwit status 2>err &&
	test_grep "^godwit: error: migrations folder elsewhere does not exist$" err &&
	test_expect_code 1 godwit --dir elsewhere status 2>err &&
	test_grep "^godwit: error: migrations folder elsewhere does not exist$" err
'

# The flag reaches the settings before any folder is looked for: other
# tools' files are not opened nor the migrations/ folder listed for a
# folder the command line already names (a tenth of a millisecond each,
# and a listing of the first 32 KiB of names).
test_expect_success STRACE 'with --dir, no other tool'\''s folder is looked for' '
	project flagged &&
	write_migration migrations/1_users.up.sql <<-\EOF &&
	CREATE TABLE users (id integer);
	EOF
	printf "[core]\n\tengine = sqlite\n" >sqitch.conf &&
	traced status >out 2>err &&
	test_grep "\"sqitch.conf\"" trace &&
	test_grep "\"migrations\", O_RDONLY" trace &&
	traced --dir migrations status >out 2>err &&
	test_grep "^pending  *1  *users$" out &&
	test_grep ! "\"\(sqitch.conf\|prisma/migrations\|drizzle[^\"]*\|diesel.toml\|flyway[^\"]*\)\"" trace
'

test_done
