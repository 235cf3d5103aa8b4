#!/bin/sh
test_description='schema diff --sql and generate: a table rebuilt to get a column in the middle'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup: a table with everything on it, and B with a column in its middle' '
	pg_new_db &&
	A=$PG_URL &&
	pg_new_db &&
	B=$PG_URL &&
	psql -X -q -d "$A" -c "DO \$\$ BEGIN CREATE ROLE rt_reader; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" &&
	cat >common.sql <<-\EOF &&
	CREATE SEQUENCE ticket;
	CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, $q$new$q$); RETURN NEW; END $$;
	EOF
	cat >a.sql <<-\EOF &&
	CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text, n int DEFAULT nextval($$ticket$$),
		CONSTRAINT note_short CHECK (length(note) < 100));
	EOF
	cat >b.sql <<-\EOF &&
	CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, added text DEFAULT $$x$$, note text, n int DEFAULT nextval($$ticket$$),
		CONSTRAINT note_short CHECK (length(note) < 100));
	EOF
	cat >rest.sql <<-\EOF &&
	ALTER SEQUENCE ticket OWNED BY t.n;
	CREATE UNIQUE INDEX t_note ON t (note);
	CREATE TABLE c (id int PRIMARY KEY, t int REFERENCES t);
	CREATE VIEW tv AS SELECT id, note FROM t;
	CREATE TRIGGER t_stamp BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();
	ALTER TABLE t ENABLE ROW LEVEL SECURITY;
	ALTER TABLE t FORCE ROW LEVEL SECURITY;
	CREATE POLICY hide ON t USING (note <> $$secret$$);
	COMMENT ON COLUMN t.note IS $$a note$$;
	COMMENT ON TABLE t IS $$things$$;
	GRANT SELECT ON t TO rt_reader;
	GRANT UPDATE (note) ON t TO rt_reader;
	EOF
	cat >data.sql <<-\EOF &&
	ALTER TABLE t NO FORCE ROW LEVEL SECURITY;
	INSERT INTO t (note) VALUES ($$one$$), ($$secret$$), (NULL);
	INSERT INTO c VALUES (1, 1), (2, 2);
	ALTER TABLE t FORCE ROW LEVEL SECURITY;
	EOF
	psql -X -q -v ON_ERROR_STOP=1 -d "$A" -f common.sql -f a.sql -f rest.sql -f data.sql &&
	psql -X -q -v ON_ERROR_STOP=1 -d "$B" -f common.sql -f b.sql -f rest.sql &&
	godwit --url "$A" schema dump -o a.snap &&
	godwit --url "$B" schema dump -o b.snap
'

test_expect_success PG 'the up rebuilds the table, with a warning naming the rewrite' '
	godwit schema diff a.snap b.snap --sql >up.sql 2>err &&
	cat >expect <<-\EOF &&
	godwit: warning: table public.t is rebuilt to get its columns in the order id, added, note, n: its rows are copied into a new table that takes its place, under an ACCESS EXCLUSIVE lock on it until the migration commits (--column-order=append adds the columns at the end instead)
	EOF
	test_cmp expect err &&
	test_grep "^LOCK TABLE public.t IN EXCLUSIVE MODE;\$" up.sql &&
	test_grep "^CREATE TABLE public.godwit_new_t (\$" up.sql &&
	test_grep "^INSERT INTO public.godwit_new_t (id, note, n) OVERRIDING SYSTEM VALUE SELECT id, note, n FROM public.t;\$" up.sql &&
	test_grep "^DROP TABLE public.t;\$" up.sql &&
	test_grep "^ALTER TABLE public.godwit_new_t RENAME TO t;\$" up.sql &&
	test_grep "^ALTER SEQUENCE public.ticket OWNED BY NONE;\$" up.sql &&
	test_grep "^ALTER SEQUENCE public.ticket OWNED BY public.t.n;\$" up.sql &&
	godwit schema diff a.snap b.snap --down >down.sql &&
	test_grep "^ALTER TABLE public.t DROP COLUMN added;\$" down.sql &&
	test_grep ! "godwit_new_t" down.sql
'

test_expect_success PG 'applied in one transaction: B exactly, column order included; rows, ids, grants, keys kept' '
	psql -X -q -v ON_ERROR_STOP=1 -1 -d "$A" -o /dev/null -f up.sql &&
	godwit --url "$A" schema diff "$A" b.snap >out &&
	echo "the schemas are equal" >expect &&
	test_cmp expect out &&
	cat >check.sql <<-\EOF &&
	BEGIN;
	SET LOCAL row_security = off;
	SELECT id, added, note, n FROM t ORDER BY id;
	COMMIT;
	INSERT INTO t (note) VALUES ($$four$$) RETURNING id;
	SELECT count(*) FROM c JOIN t ON c.t = t.id;
	SELECT has_table_privilege($$rt_reader$$, $$t$$, $$SELECT$$);
	SELECT has_column_privilege($$rt_reader$$, $$t$$, $$note$$, $$UPDATE$$),
		has_column_privilege($$rt_reader$$, $$t$$, $$id$$, $$UPDATE$$);
	SELECT nextval($$ticket$$);
	SELECT convalidated FROM pg_constraint WHERE conname = $$c_t_fkey$$;
	EOF
	psql -X -A -t -q -d "$A" -f check.sql >rows &&
	cat >expect <<-\EOF &&
	1|x|one|1
	2|x|secret|2
	3|x|new|3
	4
	2
	t
	t|f
	5
	t
	EOF
	test_cmp expect rows &&
	test_must_fail psql -X -q -d "$A" -c "INSERT INTO c VALUES (3, 99)" 2>/dev/null
'

test_expect_success PG 'the down gives A again, column order included, rows kept' '
	psql -X -q -v ON_ERROR_STOP=1 -1 -d "$A" -o /dev/null -f down.sql &&
	godwit --url "$A" schema diff "$A" a.snap >out &&
	echo "the schemas are equal" >expect &&
	test_cmp expect out &&
	cat >check.sql <<-\EOF &&
	ALTER TABLE t NO FORCE ROW LEVEL SECURITY;
	SELECT id, note, n FROM t ORDER BY id;
	EOF
	psql -X -A -t -q -d "$A" -f check.sql >rows &&
	printf "%s\n" "1|one|1" "2|secret|2" "3|new|3" "4|four|4" >expect &&
	test_cmp expect rows
'

test_expect_success PG 'the down of a dropped middle column rebuilds the table; rows come back as NULL' '
	godwit schema diff b.snap a.snap --down >down2.sql 2>err &&
	test_grep "table public.t is rebuilt to get its columns in the order id, added, note, n" err &&
	psql -X -q -v ON_ERROR_STOP=1 -1 -d "$A" -o /dev/null -f up.sql -f down.sql -f down2.sql &&
	godwit --url "$A" schema diff "$A" b.snap >out &&
	echo "the schemas are equal" >expect &&
	test_cmp expect out
'

test_expect_success PG '--column-order=append: ADD COLUMN at the end, and the old warning' '
	godwit schema diff a.snap b.snap --sql --column-order=append >up.sql 2>err &&
	test_grep "^ALTER TABLE public.t ADD COLUMN added text DEFAULT " up.sql &&
	test_grep ! "godwit_new_t" up.sql &&
	test_grep "table public.t gets its columns in the order id, note, n, added, not id, added, note, n: PostgreSQL adds a column at the end" err &&
	test_expect_code 2 godwit schema diff a.snap b.snap --sql --column-order=sideways 2>err &&
	test_grep "column-order is rebuild or append" err &&
	test_expect_code 2 godwit schema diff a.snap b.snap --column-order=append 2>err &&
	test_grep "rename, --plain and --column-order go with --sql or --down" err
'

test_expect_success PG 'lint: a table swapped for its copy is an error (rebuilding-table)' '
	cat >swap.sql <<-\EOF &&
	CREATE TABLE users_new (id bigint, email text);
	INSERT INTO users_new SELECT id, email FROM users;
	DROP TABLE users;
	ALTER TABLE users_new RENAME TO users;
	EOF
	test_expect_code 3 godwit lint --dialect postgres swap.sql >out 2>&1 &&
	test_grep "swap.sql:4:1: error: users_new takes the place of table users, which it copies: every row is rewritten, under a lock on users until the migration commits \[rebuilding-table\]" out &&
	printf "%s\n" "CREATE TABLE users_new (id bigint);" "ALTER TABLE users_new RENAME TO accounts;" >noswap.sql &&
	godwit lint --dialect postgres noswap.sql >out 2>&1 &&
	test_grep ! rebuilding-table out
'

test_expect_success PG 'generate refuses the rebuild unless --allow-unsafe; --column-order=append does not rebuild' '
	pg_new_db &&
	mkdir -p proj/db/migrations &&
	printf "%s\n" "url = \"$PG_URL\"" "schema_source = \"schema.sql\"" >proj/godwit.conf &&
	echo "CREATE TABLE t (id int PRIMARY KEY, b text);" >proj/schema.sql &&
	(cd proj && godwit generate init >/dev/null) &&
	echo "CREATE TABLE t (id int PRIMARY KEY, a int, b text);" >proj/schema.sql &&
	(cd proj && test_expect_code 1 godwit generate add_a >out 2>err) &&
	test_grep "rebuilding-table" proj/out &&
	test_grep "the generated migration has lint errors; nothing was written (--allow-unsafe writes it anyway)" proj/err &&
	test $(ls proj/db/migrations | wc -l) = 1 &&
	(cd proj && godwit generate add_a --column-order=append --dry-run >out 2>err) &&
	test_grep "^ALTER TABLE public.t ADD COLUMN a integer;\$" proj/out &&
	(cd proj && godwit generate add_a --allow-unsafe >out 2>err) &&
	test $(ls proj/db/migrations | wc -l) = 2 &&
	(cd proj && godwit up >/dev/null 2>&1 && godwit test >out 2>&1) &&
	(cd proj && godwit drift --against schema.sql >out 2>&1)
'

test_expect_success PG 'an enum label added and used: no rebuild (no transaction), the columns appended' '
	cat >e1.sql <<-\EOF &&
	CREATE TYPE k AS ENUM ($$a$$);
	CREATE TABLE t (id int, b text);
	EOF
	cat >e2.sql <<-\EOF &&
	CREATE TYPE k AS ENUM ($$a$$, $$b$$);
	CREATE TABLE t (id int, kind k DEFAULT $$b$$, b text);
	EOF
	godwit --url "$A" schema diff e1.sql e2.sql --sql >up.sql 2>err &&
	test_grep "^-- the statements below cannot run inside one transaction: a later one uses an enum label added before it\$" up.sql &&
	test_grep "an enum label added is used by a later statement, so the script cannot run in one transaction" err &&
	test_grep "^ALTER TABLE public.t ADD COLUMN kind k DEFAULT " up.sql &&
	test_grep ! "godwit_new_t" up.sql
'

test_done
