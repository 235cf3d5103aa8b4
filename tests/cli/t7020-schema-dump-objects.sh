#!/bin/sh
test_description='schema dump: extensions, event triggers, domains, foreign-data wrappers, servers, foreign and unlogged tables, trigger states and policies'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup' '
	pg_new_db &&
	cat >objects.sql <<-\EOF &&
	CREATE EXTENSION pg_trgm;
	CREATE FOREIGN DATA WRAPPER w;
	CREATE SERVER srv FOREIGN DATA WRAPPER w;
	CREATE FOREIGN TABLE ft (id int) SERVER srv;
	CREATE UNLOGGED TABLE u (id int);
	CREATE DOMAIN code AS text COLLATE "C" NOT NULL DEFAULT '\''x'\'';
	CREATE TABLE t (id int, owner text);
	CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
	CREATE TRIGGER t_d BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg();
	ALTER TABLE t DISABLE TRIGGER t_d;
	CREATE TRIGGER t_r BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION trg();
	ALTER TABLE t ENABLE REPLICA TRIGGER t_r;
	CREATE TRIGGER t_a BEFORE DELETE ON t FOR EACH ROW EXECUTE FUNCTION trg();
	ALTER TABLE t ENABLE ALWAYS TRIGGER t_a;
	ALTER TABLE t ENABLE ROW LEVEL SECURITY;
	CREATE POLICY p_ins ON t FOR INSERT WITH CHECK (owner = current_user);
	CREATE POLICY p_upd ON t FOR UPDATE USING (true) WITH CHECK (owner <> '\'''\'');
	CREATE POLICY p_del ON t FOR DELETE USING (owner = current_user);
	CREATE FUNCTION evt() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
	CREATE EVENT TRIGGER e1 ON ddl_command_start WHEN TAG IN ('\''CREATE TABLE'\'') EXECUTE FUNCTION evt();
	CREATE EVENT TRIGGER e2 ON sql_drop EXECUTE FUNCTION evt();
	ALTER EVENT TRIGGER e2 DISABLE;
	COMMENT ON EVENT TRIGGER e1 IS '\''watch'\'';
	EOF
	psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL" -f objects.sql
'

test_expect_success PG 'each object and state is in the dump' '
	cat >expect <<-\EOF &&
	-- godwit schema snapshot (postgres)
	
	extension pg_trgm
	  schema public
	  version 1.6
	
	event_trigger e1
	  on ddl_command_start execute public.evt() tags CREATE TABLE
	  comment '\''watch'\''
	
	event_trigger e2
	  on sql_drop execute public.evt() disabled
	
	foreign_data_wrapper w
	
	server srv
	  wrapper w
	
	schema public
	  comment '\''standard public schema'\''
	
	domain public.code
	  base text collate pg_catalog."C" not null default '\''x'\''::text
	
	table public.t
	  column id integer
	  column owner text
	  trigger t_a CREATE TRIGGER t_a BEFORE DELETE ON public.t FOR EACH ROW EXECUTE FUNCTION trg() enabled always
	  trigger t_d CREATE TRIGGER t_d BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION trg() disabled
	  trigger t_r CREATE TRIGGER t_r BEFORE UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION trg() enabled replica
	  row_security enabled
	  policy p_del as permissive for delete to public using ((owner = CURRENT_USER))
	  policy p_ins as permissive for insert to public with check ((owner = CURRENT_USER))
	  policy p_upd as permissive for update to public using (true) with check ((owner <> '\'''\''::text))
	
	table public.u
	  unlogged
	  column id integer
	
	foreign_table public.ft
	  server srv
	  column id integer
	
	function public.evt()
	  definition
	  |CREATE OR REPLACE FUNCTION public.evt()
	  | RETURNS event_trigger
	  | LANGUAGE plpgsql
	  |AS $function$ BEGIN END $function$
	
	function public.trg()
	  definition
	  |CREATE OR REPLACE FUNCTION public.trg()
	  | RETURNS trigger
	  | LANGUAGE plpgsql
	  |AS $function$ BEGIN RETURN NEW; END $function$
	EOF
	godwit --url "$PG_URL" schema dump >out &&
	test_cmp expect out
'

test_expect_success PG 'with --schema, objects of no schema are left out' '
	sed "/^event_trigger e1\$/,/^\$/d; /^event_trigger e2\$/,/^\$/d; /^foreign_data_wrapper w\$/,/^\$/d; /^server srv\$/,/^\$/d" expect >expect.public &&
	godwit --url "$PG_URL" schema dump --schema public >out &&
	test_cmp expect.public out
'

test_done
