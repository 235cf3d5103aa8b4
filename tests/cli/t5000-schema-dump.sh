#!/bin/sh
test_description='schema dump: a deterministic snapshot from the catalogs (PostgreSQL) and sqlite_schema'
. "$(dirname "$0")/lib.sh"

# The same schema, written so that building it in two orders gives
# different OIDs, attnums of dropped columns and creation order.
write_schema_forward()
{
	cat <<-\EOF
	CREATE SCHEMA app;
	COMMENT ON SCHEMA app IS 'the app';
	CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
	CREATE DOMAIN app.posint AS integer NOT NULL DEFAULT 1 CONSTRAINT pos CHECK (VALUE > 0);
	CREATE TYPE app.pair AS (a int, b text);
	CREATE SEQUENCE app.counter START 10 INCREMENT 5 CACHE 2;
	CREATE TABLE app.person (
		id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		email text COLLATE "C" NOT NULL DEFAULT 'x',
		mood app.mood,
		n app.posint,
		shout text GENERATED ALWAYS AS (upper(email)) STORED,
		CONSTRAINT email_unique UNIQUE (email) DEFERRABLE INITIALLY DEFERRED
	);
	COMMENT ON TABLE app.person IS 'people';
	COMMENT ON COLUMN app.person.email IS 'their mail';
	CREATE TABLE app.post (id serial PRIMARY KEY, person_id bigint, body text);
	ALTER TABLE app.post ADD CONSTRAINT post_person FOREIGN KEY (person_id) REFERENCES app.person (id) NOT VALID;
	CREATE INDEX post_body ON app.post (person_id) WHERE body IS NOT NULL;
	CREATE TABLE app.m (ts timestamptz NOT NULL, v int) PARTITION BY RANGE (ts);
	CREATE TABLE app.m_2024 PARTITION OF app.m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
	CREATE VIEW app.v AS SELECT id, email FROM app.person WHERE id > 1;
	CREATE MATERIALIZED VIEW app.mv AS SELECT count(*) AS n FROM app.post;
	CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
	CREATE PROCEDURE app.p(x int) LANGUAGE sql AS $$ SELECT 1 $$;
	CREATE TRIGGER t_touch BEFORE UPDATE ON app.post FOR EACH ROW EXECUTE FUNCTION app.touch();
	ALTER TABLE app.post ENABLE ROW LEVEL SECURITY;
	CREATE POLICY own ON app.post FOR SELECT TO public USING (person_id > 0);
	CREATE TABLE booking (r int4range, EXCLUDE USING gist (r WITH &&));
	EOF
}

write_schema_backward()
{
	cat <<-\EOF
	CREATE TABLE booking (r int4range, EXCLUDE USING gist (r WITH &&));
	CREATE SCHEMA app;
	CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
	CREATE PROCEDURE app.p(x int) LANGUAGE sql AS $$ SELECT 1 $$;
	CREATE TABLE app.m (ts timestamptz NOT NULL, v int) PARTITION BY RANGE (ts);
	CREATE TABLE app.m_2024 PARTITION OF app.m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
	CREATE TYPE app.pair AS (a int, b text);
	CREATE DOMAIN app.posint AS integer NOT NULL DEFAULT 1 CONSTRAINT pos CHECK (VALUE > 0);
	CREATE TYPE app.mood AS ENUM ('sad', 'ok');
	ALTER TYPE app.mood ADD VALUE 'happy';
	CREATE TABLE app.person (
		dropped_later int,
		id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		email text COLLATE "C" NOT NULL DEFAULT 'x',
		mood app.mood,
		n app.posint,
		shout text GENERATED ALWAYS AS (upper(email)) STORED
	);
	ALTER TABLE app.person DROP COLUMN dropped_later;
	ALTER TABLE app.person ADD CONSTRAINT email_unique UNIQUE (email) DEFERRABLE INITIALLY DEFERRED;
	CREATE TABLE app.post (id serial PRIMARY KEY, person_id bigint, body text);
	CREATE POLICY own ON app.post FOR SELECT TO public USING (person_id > 0);
	ALTER TABLE app.post ENABLE ROW LEVEL SECURITY;
	CREATE TRIGGER t_touch BEFORE UPDATE ON app.post FOR EACH ROW EXECUTE FUNCTION app.touch();
	CREATE INDEX post_body ON app.post (person_id) WHERE body IS NOT NULL;
	ALTER TABLE app.post ADD CONSTRAINT post_person FOREIGN KEY (person_id) REFERENCES app.person (id) NOT VALID;
	CREATE MATERIALIZED VIEW app.mv AS SELECT count(*) AS n FROM app.post;
	CREATE VIEW app.v AS SELECT id, email FROM app.person WHERE id > 1;
	CREATE SEQUENCE app.counter START 10 INCREMENT 5 CACHE 2;
	COMMENT ON COLUMN app.person.email IS 'their mail';
	COMMENT ON TABLE app.person IS 'people';
	COMMENT ON SCHEMA app IS 'the app';
	EOF
}

test_expect_success PG 'setup: one schema built in two orders' '
	pg_new_db &&
	URL_A=$PG_URL &&
	write_schema_forward | pg_sql &&
	pg_new_db &&
	URL_B=$PG_URL &&
	write_schema_backward | pg_sql
'

test_expect_success PG 'the two dumps are byte-identical' '
	godwit --url "$URL_A" schema dump >a.sql &&
	godwit --url "$URL_B" schema dump >b.sql &&
	test_cmp a.sql b.sql
'

test_expect_success PG 'the dump is the same on a second run' '
	godwit --url "$URL_A" schema dump >again.sql &&
	test_cmp a.sql again.sql
'

test_expect_success PG 'tables list columns in order with type, collation, default, identity, generation' '
	sed -n "/^table app.person\$/,/^\$/p" a.sql >person &&
	cat >expect <<-\EOF &&
	table app.person
	  column id bigint not null identity always
	  column email text collate pg_catalog."C" not null default '\''x'\''::text
	  column mood app.mood
	  column n app.posint
	  column shout text generated always as (upper(email)) stored
	  constraint email_unique UNIQUE (email) DEFERRABLE INITIALLY DEFERRED
	  constraint person_pkey PRIMARY KEY (id)
	  comment '\''people'\''
	  column_comment email '\''their mail'\''

	EOF
	test_cmp expect person
'

test_expect_success PG 'constraints keep validity, indexes, triggers, policies and RLS are listed' '
	sed -n "/^table app.post\$/,/^\$/p" a.sql >post &&
	test_grep "^  constraint post_person FOREIGN KEY (person_id) REFERENCES app.person(id) NOT VALID\$" post &&
	test_grep "^  index post_body CREATE INDEX post_body ON app.post USING btree (person_id) WHERE (body IS NOT NULL)\$" post &&
	test_grep "^  trigger t_touch CREATE TRIGGER t_touch BEFORE UPDATE ON app.post FOR EACH ROW EXECUTE FUNCTION app.touch()\$" post &&
	test_grep "^  row_security enabled\$" post &&
	test_grep "^  policy own as permissive for select to public using ((person_id > 0))\$" post &&
	test_grep "^  constraint booking_r_excl EXCLUDE USING gist (r WITH &&)\$" a.sql
'

test_expect_success PG 'types, sequences, partitions, views and functions' '
	test_grep "^  values '\''sad'\'', '\''ok'\'', '\''happy'\''\$" a.sql &&
	test_grep "^  base integer not null default 1\$" a.sql &&
	test_grep "^  constraint pos CHECK ((VALUE > 0))\$" a.sql &&
	test_grep "^  attribute b text\$" a.sql &&
	test_grep "^  options as bigint start 10 increment 5 minvalue 1 maxvalue 9223372036854775807 cache 2\$" a.sql &&
	test_grep "^  owned_by app.post.id\$" a.sql &&
	test_grep "^  partition by RANGE (ts)\$" a.sql &&
	test_grep "^  partition of app.m FOR VALUES FROM" a.sql &&
	test_grep "^matview app.mv\$" a.sql &&
	test_grep "^  |  WHERE (person.id > 1);\$" a.sql &&
	test_grep "^procedure app.p(IN x integer)\$" a.sql &&
	test_grep "^  |CREATE OR REPLACE FUNCTION app.touch()\$" a.sql
'

test_expect_success PG 'aggregates are listed with their clauses; a changed one differs' '
	pg_new_db &&
	pg_sql "CREATE FUNCTION add2(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS '\''SELECT \$1 + \$2'\'';
		CREATE AGGREGATE total(int) (sfunc = add2, stype = int, initcond = '\''0'\'')" &&
	godwit --url "$PG_URL" schema dump >agg1.sql &&
	test_grep "^aggregate public.total(integer)\$" agg1.sql &&
	test_grep "^  |sfunc add2\$" agg1.sql &&
	test_grep "^  |initcond '\''0'\''\$" agg1.sql &&
	pg_sql "DROP AGGREGATE total(int);
		CREATE AGGREGATE total(int) (sfunc = add2, stype = int, initcond = '\''10'\'')" &&
	test_expect_code 3 godwit --url "$PG_URL" schema diff agg1.sql "$PG_URL" >out &&
	test_grep "aggregate public.total(integer)" out
'

test_expect_success PG 'objects are sorted by schema, kind and name' '
	grep "^[a-z]" a.sql | grep -v "^--" >headers &&
	cat >expect <<-\EOF &&
	schema app
	enum app.mood
	domain app.posint
	type app.pair
	sequence app.counter
	sequence app.post_id_seq
	table app.m
	table app.m_2024
	table app.person
	table app.post
	view app.v
	matview app.mv
	function app.touch()
	procedure app.p(IN x integer)
	schema public
	table public.booking
	EOF
	test_cmp expect headers
'

test_expect_success PG 'the history tables are left out unless asked for' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_one.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE one (id int);
	-- migrate:down
	DROP TABLE one;
	EOF
	godwit --url "$PG_URL" up &&
	godwit --url "$PG_URL" schema dump >out &&
	test_grep "^table public.one\$" out &&
	test_grep ! godwit_ out &&
	godwit --url "$PG_URL" schema dump --include-history >out &&
	test_grep "^table public.godwit_migrations\$" out &&
	test_grep "^table public.godwit_events\$" out &&
	test_grep "^sequence public.godwit_events_id_seq\$" out
'

test_expect_success PG '--schema keeps only the named schemas' '
	godwit --url "$URL_A" schema dump --schema public >out &&
	test_grep "^table public.booking\$" out &&
	test_grep ! "app\\." out &&
	godwit --url "$URL_A" schema dump --schema app --schema public >out &&
	test_grep "^table app.person\$" out
'

test_expect_success PG '--ignore-column-order compares columns by name' '
	pg_new_db && URL_C=$PG_URL &&
	pg_sql "CREATE TABLE t (a int, b text)" &&
	pg_new_db && URL_D=$PG_URL &&
	pg_sql "CREATE TABLE t (b text, a int)" &&
	godwit --url "$URL_C" schema dump >c.sql &&
	godwit --url "$URL_D" schema dump >d.sql &&
	test_must_fail test_cmp c.sql d.sql &&
	godwit --url "$URL_C" schema dump --ignore-column-order >c.sql &&
	godwit --url "$URL_D" schema dump --ignore-column-order >d.sql &&
	test_cmp c.sql d.sql
'

test_expect_success PG '--privileges adds owners and grants' '
	pg_sql "GRANT SELECT ON t TO PUBLIC" &&
	godwit --url "$PG_URL" schema dump >out &&
	test_grep ! "^  owner " out &&
	godwit --url "$PG_URL" schema dump --privileges >out &&
	sed -n "/^table public.t\$/,/^\$/p" out >t &&
	test_grep "^  owner postgres\$" t &&
	test_grep "^  grants =r/postgres postgres=arwdDxt/postgres\$" t
'

test_expect_success PG '--output writes the file, --format json the same objects' '
	godwit --url "$URL_A" schema dump --output db/schema.sql &&
	test_cmp a.sql db/schema.sql &&
	godwit --url "$URL_A" schema dump --format json >out.json &&
	test_grep "\"dialect\": \"postgres\"" out.json &&
	test_grep "\"name\": \"app.person\"" out.json &&
	test_grep "\"column email text collate pg_catalog.\\\\\"C\\\\\" not null default" out.json
'

test_expect_success SQLITE3 'SQLite: tables, columns, indexes, views, triggers; history left out' '
	write_migration sq/20240101000000_one.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE person (id integer PRIMARY KEY, email text NOT NULL DEFAULT '\'''\'');
	CREATE INDEX person_email ON person (email);
	CREATE VIEW emails AS SELECT email FROM person;
	CREATE TRIGGER person_t AFTER INSERT ON person BEGIN SELECT 1; END;
	-- migrate:down
	DROP TABLE person;
	EOF
	godwit --url sqlite:one.db --dir sq up &&
	godwit --url sqlite:one.db --dir sq schema dump >out &&
	cat >expect <<-\EOF &&
	-- godwit schema snapshot (sqlite)

	table person
	  definition CREATE TABLE person(id integer PRIMARY KEY, email text NOT NULL DEFAULT '\'''\'')
	  column id INTEGER primary key 1
	  column email TEXT not null default '\'''\''
	  index person_email CREATE INDEX person_email ON person(email)
	  trigger person_t CREATE TRIGGER person_t AFTER INSERT ON person BEGIN SELECT 1; END

	view emails
	  definition CREATE VIEW emails AS SELECT email FROM person
	  column email TEXT
	EOF
	test_cmp expect out
'

test_expect_success SQLITE3 'SQLite: spacing does not change the snapshot' '
	sqlite_sql two.db "CREATE TABLE person ( id integer PRIMARY KEY ,email text NOT NULL DEFAULT '\'''\'' ); CREATE INDEX person_email ON person ( email ); CREATE VIEW emails AS SELECT email FROM person; CREATE TRIGGER person_t AFTER INSERT ON person BEGIN SELECT 1; END;" &&
	godwit --url sqlite:two.db schema dump >out2 &&
	test_cmp out out2
'

test_done
