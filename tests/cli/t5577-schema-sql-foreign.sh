#!/bin/sh
test_description='schema diff --sql and --down: foreign-data wrappers, servers, foreign tables and event triggers'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/roundtrip.sh"

build_corpus()
{
	variant foreign <<-\EOF &&
	CREATE FOREIGN DATA WRAPPER dummy;
	CREATE SERVER s FOREIGN DATA WRAPPER dummy;
	CREATE FOREIGN TABLE ft (id int, name text) SERVER s;
	CREATE VIEW fv AS SELECT id FROM ft;
	CREATE TABLE kept (id int PRIMARY KEY);
	INSERT INTO kept VALUES (1), (2);
	EOF
	variant foreign <<-\EOF &&
	CREATE FOREIGN DATA WRAPPER dummy OPTIONS (debug 'true');
	CREATE SERVER s VERSION '1.0' FOREIGN DATA WRAPPER dummy OPTIONS (host 'a', port '5432');
	COMMENT ON SERVER s IS 'the source';
	CREATE FOREIGN TABLE ft (id int NOT NULL, name text OPTIONS (column_name 'nm'),
		CONSTRAINT id_pos CHECK (id > 0)) SERVER s OPTIONS (table_name 'remote''s, "x"');
	COMMENT ON FOREIGN TABLE ft IS 'remote rows';
	COMMENT ON COLUMN ft.name IS 'its name';
	CREATE VIEW fv AS SELECT id FROM ft;
	CREATE TABLE kept (id int PRIMARY KEY);
	INSERT INTO kept VALUES (1), (2);
	EOF
	variant foreign <<-\EOF &&
	CREATE FOREIGN DATA WRAPPER dummy;
	CREATE FOREIGN DATA WRAPPER checked VALIDATOR postgresql_fdw_validator;
	COMMENT ON FOREIGN DATA WRAPPER checked IS 'validated';
	CREATE SERVER s FOREIGN DATA WRAPPER dummy;
	CREATE SERVER s2 FOREIGN DATA WRAPPER checked OPTIONS (host 'b');
	CREATE FOREIGN TABLE ft (id bigint, extra int, name text) SERVER s2;
	CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
	CREATE TRIGGER ft_t BEFORE INSERT ON ft FOR EACH ROW EXECUTE FUNCTION trg();
	GRANT SELECT ON ft TO rt_reader;
	CREATE VIEW fv AS SELECT id FROM ft;
	CREATE TABLE kept (id int PRIMARY KEY);
	INSERT INTO kept VALUES (1), (2);
	EOF
	variant foreign <<-\EOF &&
	CREATE TABLE kept (id int PRIMARY KEY);
	INSERT INTO kept VALUES (1), (2);
	EOF
	variant foreign <<-\EOF &&
	CREATE FOREIGN DATA WRAPPER other;
	CREATE SERVER s TYPE 'db' FOREIGN DATA WRAPPER other;
	CREATE FOREIGN TABLE ft (id int, name text) SERVER s;
	CREATE TABLE kept (id int PRIMARY KEY);
	INSERT INTO kept VALUES (1), (2);
	EOF
	echo "SELECT id FROM kept ORDER BY id;" >foreign.check &&
	variant evtrig <<-\EOF &&
	CREATE FUNCTION evt() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
	CREATE EVENT TRIGGER e1 ON ddl_command_start EXECUTE FUNCTION evt();
	EOF
	variant evtrig <<-\EOF &&
	CREATE FUNCTION evt() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
	CREATE FUNCTION evt2() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN NULL; END $$;
	CREATE EVENT TRIGGER e1 ON ddl_command_start WHEN TAG IN ('DROP TABLE', 'CREATE TABLE') EXECUTE FUNCTION evt();
	ALTER EVENT TRIGGER e1 DISABLE;
	COMMENT ON EVENT TRIGGER e1 IS 'watch';
	CREATE EVENT TRIGGER "E two" ON sql_drop EXECUTE FUNCTION evt2();
	ALTER EVENT TRIGGER "E two" ENABLE ALWAYS;
	EOF
	variant evtrig <<-\EOF &&
	CREATE FUNCTION evt() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
	CREATE EVENT TRIGGER e1 ON ddl_command_end EXECUTE FUNCTION evt();
	ALTER EVENT TRIGGER e1 ENABLE REPLICA;
	EOF
	variant evtrig <<-\EOF &&
	CREATE FUNCTION evt() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
	CREATE EVENT TRIGGER e1 ON ddl_command_start EXECUTE FUNCTION evt();
	ALTER EVENT TRIGGER e1 DISABLE;
	CREATE EVENT TRIGGER rw ON table_rewrite EXECUTE FUNCTION evt();
	EOF
	variant evtrig <<-\EOF &&
	CREATE TABLE t (id int);
	EOF
	variant fprivs <<-\EOF &&
	CREATE FOREIGN DATA WRAPPER dummy;
	CREATE SERVER s FOREIGN DATA WRAPPER dummy;
	CREATE FOREIGN TABLE ft (id int) SERVER s;
	EOF
	variant fprivs <<-\EOF
	CREATE FOREIGN DATA WRAPPER dummy;
	GRANT USAGE ON FOREIGN DATA WRAPPER dummy TO rt_reader;
	CREATE SERVER s FOREIGN DATA WRAPPER dummy;
	GRANT USAGE ON FOREIGN SERVER s TO rt_reader WITH GRANT OPTION;
	ALTER SERVER s OWNER TO rt_reader;
	CREATE FOREIGN TABLE ft (id int) SERVER s;
	GRANT SELECT ON ft TO rt_reader;
	EOF
}

test_expect_success PG 'setup: two databases, a role and the corpus' '
	rt_setup &&
	psql -X -q -d "$RT_URL_A" -c "DO \$\$ BEGIN CREATE ROLE rt_reader; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" &&
	build_corpus &&
	rt_snap foreign &&
	rt_snap evtrig
'

test_expect_success PG 'the snapshot holds servers, wrappers, options and event trigger states' '
	sed -n "/^foreign_data_wrapper /,/^schema public/p" foreign/v01.snap >objects &&
	cat >expect <<-\EOF &&
	foreign_data_wrapper dummy
	  fdw_options debug '\''true'\''

	server s
	  wrapper dummy
	  version '\''1.0'\''
	  fdw_options host '\''a'\'', port '\''5432'\''
	  comment '\''the source'\''

	schema public
	EOF
	test_cmp expect objects &&
	sed -n "/^foreign_table /,/^\$/p" foreign/v01.snap >ft &&
	cat >expect <<-\EOF &&
	foreign_table public.ft
	  server s
	  fdw_options table_name '\''remote'\'''\''s, "x"'\''
	  column id integer not null
	  column name text
	  constraint id_pos CHECK ((id > 0))
	  column_options name column_name '\''nm'\''
	  comment '\''remote rows'\''
	  column_comment name '\''its name'\''

	EOF
	test_cmp expect ft &&
	grep -A1 "^event_trigger" evtrig/v01.snap >out &&
	cat >expect <<-\EOF &&
	event_trigger "E two"
	  on sql_drop execute public.evt2() enabled always
	--
	event_trigger e1
	  on ddl_command_start execute public.evt() tags CREATE TABLE, DROP TABLE disabled
	EOF
	test_cmp expect out
'

test_expect_success PG 'an option named like a password is never read' '
	pg_new_db &&
	psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL" \
		-c "CREATE FOREIGN DATA WRAPPER w" \
		-c "CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (host '\''h'\'', password '\''hunter2'\'', api_token '\''t0k'\'')" &&
	godwit --url "$PG_URL" schema dump >out &&
	test_grep "^  fdw_options host '\''h'\''\$" out &&
	test_grep ! "hunter2\|t0k" out
'

test_expect_success PG 'the script alters options in place and makes a foreign table again when its columns change' '
	godwit schema diff foreign/v00.snap foreign/v01.snap --sql >up.sql &&
	test_grep "^ALTER FOREIGN DATA WRAPPER dummy OPTIONS (ADD debug '\''true'\'');\$" up.sql &&
	test_grep "^ALTER SERVER s VERSION '\''1.0'\'';\$" up.sql &&
	test_grep "^ALTER SERVER s OPTIONS (ADD host '\''a'\'', ADD port '\''5432'\'');\$" up.sql &&
	test_grep "^-- foreign table public.ft is made again: its columns or server change\$" up.sql &&
	godwit schema diff foreign/v01.snap foreign/v00.snap --sql >down.sql &&
	test_grep "^ALTER SERVER s VERSION NULL;\$" down.sql &&
	test_grep "^ALTER SERVER s OPTIONS (DROP host, DROP port);\$" down.sql &&
	godwit schema diff foreign/v03.snap foreign/v02.snap --sql >new.sql &&
	test_grep "^CREATE FOREIGN DATA WRAPPER checked VALIDATOR postgresql_fdw_validator;\$" new.sql &&
	test_grep "^CREATE SERVER s2 FOREIGN DATA WRAPPER checked OPTIONS (host '\''b'\'');\$" new.sql &&
	godwit schema diff foreign/v02.snap foreign/v03.snap --sql >gone.sql &&
	test_grep "^DROP FOREIGN TABLE public.ft;\$" gone.sql &&
	test_grep "^DROP SERVER s2;\$" gone.sql &&
	test_grep "^DROP FOREIGN DATA WRAPPER checked;\$" gone.sql
'

test_expect_success PG 'a server whose wrapper or type changes is refused' '
	test_expect_code 3 godwit schema diff foreign/v00.snap foreign/v04.snap --sql >out 2>err &&
	test_grep "^-- cannot be expressed: server s changes its foreign-data wrapper or type (drop it, its user mappings and foreign tables, and create them by hand)\$" out
'

test_expect_success PG 'wrappers, servers, options, foreign tables, their views and grants: every pair' '
	rt_group foreign foreign.check
'

test_expect_success PG 'a remade foreign table keeps its grants' '
	rt_psql -d "$RT_URL_A" -f rt_reset.sql -f foreign/v02.sql &&
	godwit schema diff foreign/v02.snap foreign/v01.snap --sql >up.sql &&
	rt_apply "$RT_URL_A" up.sql &&
	echo t >expect &&
	psql -X -At -d "$RT_URL_A" -c "SELECT has_table_privilege('\''rt_reader'\'', '\''ft'\'', '\''SELECT'\'')" >out &&
	test_cmp expect out
'

test_expect_success PG 'event triggers: events, tags, states, comments, functions: every pair' '
	godwit schema diff evtrig/v00.snap evtrig/v01.snap --sql >up.sql &&
	test_grep "^CREATE EVENT TRIGGER \"E two\" ON sql_drop EXECUTE FUNCTION public.evt2();\$" up.sql &&
	test_grep "^ALTER EVENT TRIGGER \"E two\" ENABLE ALWAYS;\$" up.sql &&
	test_grep "^CREATE EVENT TRIGGER e1 ON ddl_command_start WHEN TAG IN ('\''CREATE TABLE'\'', '\''DROP TABLE'\'') EXECUTE FUNCTION public.evt();\$" up.sql &&
	godwit schema diff evtrig/v00.snap evtrig/v03.snap --sql >up.sql &&
	printf "%s\n" "ALTER EVENT TRIGGER e1 DISABLE;" "CREATE EVENT TRIGGER rw ON table_rewrite EXECUTE FUNCTION public.evt();" >expect &&
	test_cmp expect up.sql &&
	rt_group evtrig
'

test_expect_success PG 'owners and grants of wrappers, servers and foreign tables with --privileges' '
	RT_PRIVILEGES=--privileges &&
	rt_group fprivs &&
	RT_PRIVILEGES=
'

test_expect_success PG 'the count of pairs' '
	say "# $RT_PAIRS pairs proven (up then down), $RT_REFUSED inexpressible changes refused, $RT_REORDERED compared without column order" &&
	test $RT_PAIRS = 18 &&
	test $RT_REFUSED = 4 &&
	test $RT_REORDERED = 0
'

test_done
