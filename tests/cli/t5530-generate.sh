#!/bin/sh
test_description='generate: the migration from the migrations schema to a desired schema'
# ctest: ephemeral databases
. "$(dirname "$0")/lib.sh"

command -v npm >/dev/null 2>&1 && test_set_prereq NPM
npm_config_update_notifier=false
npm_config_fund=false
npm_config_audit=false
export npm_config_update_notifier npm_config_fund npm_config_audit

test_expect_success PG 'setup: a project and a desired schema' '
	pg_new_db &&
	mkdir -p db/migrations &&
	printf "%s\n" "url = \"$PG_URL\"" "schema_source = \"schema.sql\"" >godwit.conf &&
	cat >schema.sql <<-\EOF
	CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL,
		name text);
	CREATE INDEX users_email ON users (email);
	EOF
'

test_expect_success PG 'the first migration, from schema_source, in the folder convention' '
	godwit generate init >out &&
	f=$(ls db/migrations/*_init.sql) &&
	echo "created $f" >expect &&
	test_cmp expect out &&
	cat >expect <<-\EOF &&
	-- migrate:up
	CREATE TABLE public.users (
	    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY,
	    email text NOT NULL,
	    name text
	);
	ALTER TABLE public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
	CREATE INDEX users_email ON public.users USING btree (email);

	-- migrate:down
	DROP TABLE public.users;
	EOF
	test_cmp expect "$f"
'

test_expect_success PG 'equal: nothing to generate, nothing written' '
	godwit generate again >out &&
	echo "nothing to generate: the migrations give the schema of schema.sql" >expect &&
	test_cmp expect out &&
	test $(ls db/migrations | wc -l) = 1
'

test_expect_success PG 'a NOT NULL and an index on an existing table: three migrations, each proven' '
	godwit up 2>/dev/null &&
	cat >schema.sql <<-\EOF &&
	CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL,
		name text NOT NULL);
	CREATE INDEX users_email ON users (email);
	CREATE INDEX users_name ON users (name);
	CREATE TABLE posts (id int PRIMARY KEY, user_id bigint REFERENCES users (id), title text);
	EOF
	psql -X -q -d "$PG_URL" -c "INSERT INTO users (email, name) VALUES ('\''a@x'\'', '\''a'\'')" &&
	godwit generate add_names --dry-run >dry &&
	test $(ls db/migrations | wc -l) = 1 &&
	test_grep "^-- migration 2 of 3: add_names_validate\$" dry &&
	test_grep "^-- migration 3 of 3: add_names_concurrently (no transaction)\$" dry &&
	godwit generate add_names >out &&
	test $(grep -c "^created " out) = 3 &&
	v=$(ls db/migrations/*_add_names_validate.sql) &&
	cat >expect <<-\EOF &&
	-- migrate:up
	ALTER TABLE public.users VALIDATE CONSTRAINT godwit_not_null_name;
	-- godwit:ignore setting-not-null-on-existing-column
	ALTER TABLE public.users ALTER COLUMN name SET NOT NULL;
	ALTER TABLE public.users DROP CONSTRAINT godwit_not_null_name;

	-- migrate:down
	ALTER TABLE public.users ALTER COLUMN name DROP NOT NULL;
	ALTER TABLE public.users ADD CONSTRAINT godwit_not_null_name CHECK ((name IS NOT NULL)) NOT VALID;
	EOF
	test_cmp expect "$v" &&
	c=$(ls db/migrations/*_add_names_concurrently.sql) &&
	cat >expect <<-\EOF &&
	-- migrate:up transaction:false
	CREATE INDEX CONCURRENTLY IF NOT EXISTS users_name ON public.users USING btree (name);

	-- migrate:down transaction:false
	DROP INDEX IF EXISTS public.users_name;
	EOF
	test_cmp expect "$c"
'

test_expect_success PG 'the generated migrations pass godwit test, and drift is none' '
	godwit test >out 2>err &&
	test $(grep -c "^pass " out) = 4 &&
	psql -X -q -d "$PG_URL" -c "UPDATE users SET name = '\''n'\''" &&
	godwit up 2>/dev/null &&
	godwit schema diff "$PG_URL" schema.sql >out &&
	echo "the schemas are equal" >expect &&
	test_cmp expect out
'

# The folder is dbmate's: dbmate itself must run what godwit wrote, the
# concurrent index included (it fails inside dbmate's transaction unless
# the file says transaction:false in dbmate's own syntax).
test_expect_success PG,NPM 'dbmate itself applies the generated migrations, the index concurrently' '
	mkdir dbmate-bin &&
	(cd dbmate-bin && npm install --silent dbmate >npm.log 2>&1) &&
	app_url=$PG_URL &&
	pg_new_db &&
	sock=$(pg_sql "SHOW unix_socket_directories") &&
	port=$(pg_sql "SHOW port") &&
	DATABASE_URL="postgres://postgres@/$PG_DB?host=$sock&port=$port&sslmode=disable" \
		dbmate-bin/node_modules/.bin/dbmate --migrations-dir db/migrations --no-dump-schema \
		up >dbmate.out 2>&1 &&
	test "$(grep -c "^Applied: " dbmate.out)" = 4 &&
	test "$(pg_sql "SELECT indisvalid FROM pg_index WHERE indexrelid = '\''users_name'\''::regclass")" = t &&
	test "$(pg_sql "SELECT attnotnull FROM pg_attribute WHERE attrelid = '\''users'\''::regclass AND attname = '\''name'\''")" = t &&
	PG_URL=$app_url
'

test_expect_success PG 'a change that cannot be expressed: exit 3, nothing written' '
	cat >>schema.sql <<-\EOF &&
	CREATE TYPE mood AS ENUM ('\''sad'\'', '\''ok'\'');
	EOF
	godwit generate mood >/dev/null &&
	sed -i "s/'\''sad'\'', //" schema.sql &&
	n=$(ls db/migrations | wc -l) &&
	test_expect_code 3 godwit generate unmood >out 2>err &&
	test_grep "^-- cannot be expressed: enum public.mood loses or reorders label" out &&
	test_grep "nothing was written: write this migration by hand" err &&
	test $(ls db/migrations | wc -l) = $n
'

test_expect_success PG 'lint errors refuse the migration unless --allow-unsafe' '
	sed -i "s/, title text)/, title varchar(10))/" schema.sql &&
	sed -i "/CREATE TYPE mood/d" schema.sql &&
	printf "%s\n" "CREATE TYPE mood AS ENUM ('\''sad'\'', '\''ok'\'');" >>schema.sql &&
	n=$(ls db/migrations | wc -l) &&
	test_expect_code 1 godwit generate retitle >out 2>err &&
	test_grep "error: changing the type of public.posts.title rewrites the table" out &&
	test_grep "^godwit: warning: changing public.posts.title from text to character varying(10) rewrites table public.posts" err &&
	test_grep "the generated migration has lint errors; nothing was written (--allow-unsafe writes it anyway)" err &&
	test $(ls db/migrations | wc -l) = $n &&
	godwit generate retitle --allow-unsafe >out 2>err &&
	test $(ls db/migrations | wc -l) = $((n + 1))
'

test_expect_success PG 'no source: a usage error naming both ways to give one' '
	test_expect_code 2 godwit --config /dev/null --url "$PG_URL" generate x 2>err &&
	test_grep "no desired schema: give --to SOURCE or set schema_source in godwit.conf" err
'

test_expect_success PG 'goose and golang-migrate: the down in its place' '
	mkdir -p goose golang &&
	printf "%s\n" "-- +goose Up" "CREATE TABLE a (id int);" "" "-- +goose Down" "DROP TABLE a;" >goose/20240101000000_a.sql &&
	printf "CREATE TABLE a (id int, b int);\n" >g.sql &&
	godwit --config /dev/null --url "$PG_URL" --dir goose generate add_b --to g.sql >/dev/null &&
	cat >expect <<-\EOF &&
	-- +goose Up
	ALTER TABLE public.a ADD COLUMN b integer;

	-- +goose Down
	ALTER TABLE public.a DROP COLUMN b;
	EOF
	test_cmp expect goose/*_add_b.sql &&
	printf "%s\n" "CREATE TABLE a (id int);" >golang/000001_a.up.sql &&
	printf "%s\n" "DROP TABLE a;" >golang/000001_a.down.sql &&
	godwit --config /dev/null --url "$PG_URL" --dir golang generate add_b --to g.sql >/dev/null &&
	echo "ALTER TABLE public.a ADD COLUMN b integer;" >expect &&
	test_cmp expect golang/000002_add_b.up.sql &&
	echo "ALTER TABLE public.a DROP COLUMN b;" >expect &&
	test_cmp expect golang/000002_add_b.down.sql
'

test_done
