#!/bin/sh
test_description='schema diff --sql and --down: live-safe forms, warnings, renames, sources'
# ctest: ephemeral databases
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup: two schemas as DDL files' '
	pg_new_db &&
	cat >a.sql <<-\EOF &&
	CREATE TYPE mood AS ENUM ('\''sad'\'', '\''ok'\'');
	CREATE TABLE person (id int PRIMARY KEY, email text, admin boolean, age int);
	CREATE INDEX idx_person_admin ON person (admin);
	CREATE VIEW admins AS SELECT id, age FROM person WHERE admin;
	CREATE TABLE gone (id int);
	EOF
	cat >b.sql <<-\EOF
	CREATE TYPE mood AS ENUM ('\''sad'\'', '\''ok'\'', '\''happy'\'');
	CREATE TABLE person (id int PRIMARY KEY, email text NOT NULL UNIQUE, admin boolean,
		age bigint, m mood DEFAULT '\''happy'\'');
	CREATE VIEW admins AS SELECT id, age FROM person WHERE admin AND id > 0;
	CREATE TABLE added (id int GENERATED ALWAYS AS IDENTITY, p int REFERENCES person (id));
	CREATE INDEX added_p ON added (p) WHERE p > 3;
	COMMENT ON TABLE added IS '\''new'\'';
	EOF
'

test_expect_success PG '--sql: dependency order, live-safe forms, the rewrite named' '
	godwit --url "$PG_URL" schema diff a.sql b.sql --sql >up.sql 2>err &&
	cat >expect <<-\EOF &&
	-- the statements below cannot run inside one transaction: a later one uses an enum label added before it
	DROP VIEW public.admins;
	DROP TABLE public.gone;
	ALTER TYPE public.mood ADD VALUE '\''happy'\'' AFTER '\''ok'\'';
	CREATE TABLE public.added (
	    id integer NOT NULL GENERATED ALWAYS AS IDENTITY,
	    p integer
	);
	ALTER TABLE public.person ADD CONSTRAINT godwit_not_null_email CHECK (email IS NOT NULL) NOT VALID;
	-- warning: changing public.person.age from integer to bigint rewrites table public.person, holding an ACCESS EXCLUSIVE lock while it runs
	ALTER TABLE public.person ALTER COLUMN age TYPE bigint USING age::bigint;
	ALTER TABLE public.person ADD COLUMN m mood DEFAULT '\''happy'\''::mood;
	CREATE INDEX added_p ON public.added USING btree (p) WHERE (p > 3);
	ALTER TABLE public.added ADD CONSTRAINT added_p_fkey FOREIGN KEY (p) REFERENCES person(id);
	CREATE VIEW public.admins AS
	 SELECT person.id,
	    person.age
	   FROM person
	  WHERE (person.admin AND (person.id > 0));
	COMMENT ON TABLE public.added IS '\''new'\'';
	-- the statements below run in a transaction of their own
	ALTER TABLE public.person VALIDATE CONSTRAINT godwit_not_null_email;
	-- godwit:ignore setting-not-null-on-existing-column
	ALTER TABLE public.person ALTER COLUMN email SET NOT NULL;
	ALTER TABLE public.person DROP CONSTRAINT godwit_not_null_email;
	-- the statements below cannot run inside a transaction
	DROP INDEX CONCURRENTLY IF EXISTS public.idx_person_admin;
	CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS person_email_key ON public.person (email);
	ALTER TABLE public.person ADD CONSTRAINT person_email_key UNIQUE USING INDEX person_email_key;
	EOF
	test_cmp expect up.sql &&
	echo "godwit: warning: changing public.person.age from integer to bigint rewrites table public.person, holding an ACCESS EXCLUSIVE lock while it runs" >expect &&
	test_cmp expect err
'

test_expect_success PG '--plain: no CONCURRENTLY, no NOT VALID' '
	godwit --url "$PG_URL" schema diff a.sql b.sql --sql --plain >plain.sql 2>err &&
	! grep -i "concurrently\|not valid\|godwit_not_null" plain.sql &&
	test_grep "^ALTER TABLE public.person ALTER COLUMN email SET NOT NULL;\$" plain.sql &&
	test_grep "^ALTER TABLE public.person ADD CONSTRAINT person_email_key UNIQUE (email);\$" plain.sql
'

test_expect_success PG 'the up applied to A gives B' '
	psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL" -f a.sql -f up.sql 2>apply.err &&
	godwit --url "$PG_URL" schema diff "$PG_URL" b.sql >out &&
	echo "the schemas are equal" >expect &&
	test_cmp expect out
'

test_expect_success PG '--down: removing an enum label cannot be expressed: a comment, exit 3' '
	test_expect_code 3 godwit --url "$PG_URL" schema diff a.sql b.sql --down >down.sql 2>err &&
	test_grep "^-- cannot be expressed: enum public.mood loses or reorders label '\''happy'\''; PostgreSQL cannot remove an enum label (recreate the type by hand)\$" down.sql &&
	test_grep "^godwit: 1 change cannot be expressed in SQL; see the comments \"-- cannot be expressed\"\$" err &&
	test_grep "^DROP TABLE public.added;\$" down.sql
'

test_expect_success PG 'equal schemas: no statement, exit 0' '
	godwit --url "$PG_URL" schema diff b.sql "$PG_URL" --sql >out &&
	test ! -s out
'

test_expect_success PG '--rename: a table and a column renamed, never guessed' '
	cat >r1.sql <<-\EOF &&
	CREATE TABLE person (id int PRIMARY KEY, email text, age int);
	EOF
	cat >r2.sql <<-\EOF &&
	CREATE TABLE people (id int PRIMARY KEY, mail text, age int);
	EOF
	godwit --url "$PG_URL" schema diff r1.sql r2.sql --sql >guess.sql &&
	test_grep "^DROP TABLE public.person;\$" guess.sql &&
	godwit --url "$PG_URL" schema diff r1.sql r2.sql --sql \
		--rename public.person=public.people --rename public.people.email=public.people.mail >up.sql &&
	cat >expect <<-\EOF &&
	ALTER TABLE public.person RENAME TO people;
	ALTER TABLE public.people RENAME CONSTRAINT person_pkey TO people_pkey;
	ALTER TABLE public.people RENAME COLUMN email TO mail;
	EOF
	test_cmp expect up.sql &&
	godwit --url "$PG_URL" schema diff r1.sql r2.sql --down \
		--rename public.person=public.people --rename public.people.email=public.people.mail >down.sql &&
	cat >expect <<-\EOF &&
	ALTER TABLE public.people RENAME COLUMN mail TO email;
	ALTER TABLE public.people RENAME TO person;
	ALTER TABLE public.person RENAME CONSTRAINT people_pkey TO person_pkey;
	EOF
	test_cmp expect down.sql
'

test_expect_success PG 'a rename that names nothing is refused' '
	test_expect_code 1 godwit --url "$PG_URL" schema diff r1.sql r2.sql --sql \
		--rename public.nobody=public.people 2>err &&
	test_grep "rename public.nobody=public.people: public.nobody is no table, view, sequence or type, nor a column (schema.table.column)" err &&
	test_expect_code 2 godwit --url "$PG_URL" schema diff r1.sql r2.sql --rename a=b 2>err &&
	test_grep "rename, --plain and --column-order go with --sql or --down" err
'

# godwit_pid ARGS...: godwit ARGS, with its pid in gw.pid: the names of its
# ephemeral databases start with godwit_test_PID_, which tells them from
# those of the other scripts on the suite's server.
godwit_pid()
{
	sh -c 'echo $$ >gw.pid && exec "$@"' sh "$GODWIT" "$@"
}

test_expect_success PG 'a DDL file that fails names its line; nothing is left behind' '
	printf "CREATE TABLE ok (id int);\n\nCREATE TABLE bad (id nosuchtype);\n" >bad.sql &&
	test_expect_code 1 godwit_pid --url "$PG_URL" schema diff bad.sql b.sql --sql 2>err &&
	test_grep "bad.sql: line 3: .*type \"nosuchtype\" does not exist" err &&
	test -s gw.pid &&
	test "$(psql -X -A -t -d "$PG_URL" -c "SELECT count(*) FROM pg_database WHERE datname LIKE '\''godwit\_test\_$(cat gw.pid)\_%'\''")" = 0
'

test_expect_success PG 'a folder of DDL, a command, and the migrations as sources' '
	mkdir -p ddl db/migrations &&
	printf "CREATE TABLE a (id int);\n" >ddl/01.sql &&
	printf "CREATE TABLE b (id int)\n" >ddl/02.sql &&
	printf "%s\n" "-- migrate:up" "CREATE TABLE a (id int);" "CREATE TABLE b (id int);" \
		"-- migrate:down" "DROP TABLE a, b;" >db/migrations/20240101000000_ab.sql &&
	godwit --url "$PG_URL" schema diff ddl migrations --sql >out &&
	test ! -s out &&
	godwit --url "$PG_URL" schema diff "!cat ddl/01.sql" migrations --sql >out &&
	echo "CREATE TABLE public.b (" >expect &&
	echo "    id integer" >>expect &&
	echo ");" >>expect &&
	test_cmp expect out &&
	test_expect_code 1 godwit --url "$PG_URL" schema diff "!echo oops >&2; exit 4" migrations --sql 2>err &&
	test_grep "the command '\''echo oops >&2; exit 4'\'' exited with 4: oops" err
'

test_expect_success PG 'two columns of one table made NOT NULL: a CHECK of its own for each' '
	pg_new_db &&
	echo "CREATE TABLE pair (a int, b int);" >nn-a.sql &&
	echo "CREATE TABLE pair (a int NOT NULL, b int NOT NULL);" >nn-b.sql &&
	godwit --url "$PG_URL" schema diff nn-a.sql nn-b.sql --sql >nn.sql &&
	grep "ADD CONSTRAINT" nn.sql >actual &&
	cat >expect <<-\EOF &&
	ALTER TABLE public.pair ADD CONSTRAINT godwit_not_null_a CHECK (a IS NOT NULL) NOT VALID;
	ALTER TABLE public.pair ADD CONSTRAINT godwit_not_null_b CHECK (b IS NOT NULL) NOT VALID;
	EOF
	test_cmp expect actual &&
	psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL" -f nn-a.sql -f nn.sql &&
	godwit --url "$PG_URL" schema diff "$PG_URL" nn-b.sql >out &&
	echo "the schemas are equal" >expect &&
	test_cmp expect out
'

test_done
