#!/bin/sh
test_description='generate and drift --against with drizzle-kit export as the schema source, for real'
# ctest: ephemeral databases
. "$(dirname "$0")/lib.sh"

command -v npm >/dev/null 2>&1 && command -v npx >/dev/null 2>&1 && test_set_prereq NPM
npm_config_update_notifier=false
npm_config_fund=false
npm_config_audit=false
export npm_config_update_notifier npm_config_fund npm_config_audit

test_expect_success PG,NPM 'setup: drizzle-kit and a drizzle schema' '
	pg_new_db &&
	npm install --silent drizzle-kit drizzle-orm >npm.log 2>&1 &&
	mkdir -p src db/migrations &&
	cat >src/schema.ts <<-\EOF &&
	import { pgTable, serial, text, integer, index } from "drizzle-orm/pg-core";
	export const users = pgTable("users", {
	  id: serial("id").primaryKey(),
	  email: text("email").notNull().unique(),
	});
	export const posts = pgTable("posts", {
	  id: serial("id").primaryKey(),
	  userId: integer("user_id").references(() => users.id),
	}, (t) => [index("posts_user_id").on(t.userId)]);
	EOF
	cat >drizzle.config.ts <<-\EOF &&
	import { defineConfig } from "drizzle-kit";
	export default defineConfig({ dialect: "postgresql", schema: "./src/schema.ts" });
	EOF
	printf "%s\n" "url = \"$PG_URL\"" "schema_source = \"!npx drizzle-kit export\"" >godwit.conf
'

test_expect_success PG,NPM 'generate writes the first migration from drizzle-kit export' '
	godwit generate init >out 2>err &&
	test_grep "^created db/migrations/[0-9]*_init.sql\$" out &&
	test_grep "^ALTER TABLE public.posts ADD CONSTRAINT posts_user_id_users_id_fk FOREIGN KEY (user_id) REFERENCES users(id);\$" db/migrations/*_init.sql &&
	godwit drift --against "!npx drizzle-kit export" >out &&
	echo "no drift: the migrations give the schema of !npx drizzle-kit export" >expect &&
	test_cmp expect out
'

test_expect_success PG,NPM 'the drizzle schema edited: drift exits 3, generate catches up, test passes' '
	sed -i "s|email: text(\"email\").notNull().unique(),|&\n  bio: text(\"bio\"),|" src/schema.ts &&
	test_expect_code 3 godwit drift --against "!npx drizzle-kit export" >out 2>/dev/null &&
	test_grep "^  table public.users: column bio missing\$" out &&
	godwit generate add_bio >out 2>err &&
	cat >expect <<-\EOF &&
	-- migrate:up
	ALTER TABLE public.users ADD COLUMN bio text;

	-- migrate:down
	ALTER TABLE public.users DROP COLUMN bio;
	EOF
	test_cmp expect db/migrations/*_add_bio.sql &&
	godwit drift --against "!npx drizzle-kit export" >/dev/null &&
	godwit test >out &&
	test $(grep -c "^pass " out) = 2
'

test_done
