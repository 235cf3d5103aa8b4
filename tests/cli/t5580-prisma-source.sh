#!/bin/sh
test_description='generate and drift --against with prisma migrate diff as the schema source, for real'
# ctest: ephemeral databases
. "$(dirname "$0")/lib.sh"

command -v npm >/dev/null 2>&1 && command -v npx >/dev/null 2>&1 && test_set_prereq NPM
npm_config_update_notifier=false
npm_config_fund=false
npm_config_audit=false
export npm_config_update_notifier npm_config_fund npm_config_audit
# Prisma's schema engine runs as WebAssembly with a driver adapter
# (engine "js"), so nothing is downloaded from binaries.prisma.sh; the
# CLI still looks for its query engine library at start, which these
# variables answer (any file does: it is not loaded for migrate diff).
PRISMA_QUERY_ENGINE_LIBRARY=$PWD/no-engine.so.node
PRISMA_SCHEMA_ENGINE_BINARY=$PWD/no-engine
PRISMA_HIDE_UPDATE_MESSAGE=1
export PRISMA_QUERY_ENGINE_LIBRARY PRISMA_SCHEMA_ENGINE_BINARY PRISMA_HIDE_UPDATE_MESSAGE

# Each run of prisma migrate diff takes some 15 s (Node, the TypeScript
# config, the WebAssembly engine), and godwit runs its source once per
# generate and drift: the command godwit runs is prisma's, through a
# script that keeps its output by the SHA-256 of the Prisma schema, so
# prisma runs once per version of the schema (twice here) and never
# answers for a schema it was not given.
source='!sh prisma-diff.sh'

test_expect_success PG,NPM 'setup: prisma, its PostgreSQL adapter and a Prisma schema' '
	pg_new_db &&
	: >no-engine.so.node &&
	: >no-engine &&
	cat >prisma-diff.sh <<-\EOF &&
	key=$(sha256sum prisma/schema.prisma | cut -c1-64) || exit 1
	if ! test -f "prisma-out/$key.sql"; then
		mkdir -p prisma-out &&
		npx prisma migrate diff --from-empty --to-schema-datamodel prisma/schema.prisma --script >"prisma-out/$key.tmp" &&
		mv "prisma-out/$key.tmp" "prisma-out/$key.sql" || exit 1
	fi
	cat "prisma-out/$key.sql"
	EOF
	npm install --silent --prefer-offline prisma@6 @prisma/adapter-pg@6 pg >npm.log 2>&1 &&
	mkdir -p prisma db/migrations &&
	cat >prisma/schema.prisma <<-\EOF &&
	datasource db {
	  provider = "postgresql"
	  url      = env("DATABASE_URL")
	}
	model User {
	  id    Int     @id @default(autoincrement())
	  email String  @unique
	  posts Post[]
	}
	model Post {
	  id       Int    @id @default(autoincrement())
	  title    String
	  authorId Int
	  author   User   @relation(fields: [authorId], references: [id])
	}
	EOF
	cat >prisma.config.ts <<-\EOF &&
	import { defineConfig } from "prisma/config";
	import { PrismaPg } from "@prisma/adapter-pg";
	export default defineConfig({
	  engine: "js",
	  experimental: { adapter: true },
	  schema: "prisma/schema.prisma",
	  async adapter() {
	    return new PrismaPg({ connectionString: process.env.DATABASE_URL });
	  },
	});
	EOF
	DATABASE_URL=$PG_URL &&
	export DATABASE_URL &&
	printf "%s\n" "url = \"$PG_URL\"" "schema_source = \"$source\"" >godwit.conf
'

test_expect_success PG,NPM 'generate writes the first migration from prisma migrate diff' '
	godwit generate init >out 2>err &&
	test_grep "^created db/migrations/[0-9]*_init.sql\$" out &&
	test_grep "^CREATE TABLE public.\"User\" (\$" db/migrations/*_init.sql &&
	test_grep "^ALTER TABLE public.\"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\"(id) ON UPDATE CASCADE ON DELETE RESTRICT;\$" db/migrations/*_init.sql &&
	godwit drift --against "$source" >out &&
	echo "no drift: the migrations give the schema of $source" >expect &&
	test_cmp expect out
'

test_expect_success PG,NPM 'the Prisma schema edited: drift exits 3, generate catches up, test passes' '
	sed -i "s|^  email String  @unique\$|&\n  bio   String?|" prisma/schema.prisma &&
	test_expect_code 3 godwit drift --against "$source" >out 2>/dev/null &&
	test_grep "^  table public.\"User\": column bio missing\$" out &&
	godwit generate add_bio >out 2>err &&
	cat >expect <<-\EOF &&
	-- migrate:up
	ALTER TABLE public."User" ADD COLUMN bio text;

	-- migrate:down
	ALTER TABLE public."User" DROP COLUMN bio;
	EOF
	test_cmp expect db/migrations/*_add_bio.sql &&
	godwit drift --against "$source" >/dev/null &&
	godwit test >out &&
	test $(grep -c "^pass " out) = 2 &&
	ls prisma-out >runs &&
	test $(wc -l <runs) = 2
'

test_done
