#!/bin/sh
test_description='schema diff --sql: aggregates, domains, types and grants made again on a real server'
. "$(dirname "$0")/lib.sh"

# Each object is dumped, written as SQL from an empty schema, run on an
# empty database, and dumped again: the two dumps are equal only when
# every statement ran and made the same object.
test_expect_success PG 'setup: one database with the objects, one empty' '
	pg_new_db &&
	A=$PG_URL &&
	pg_new_db &&
	E=$PG_URL &&
	psql -X -q -d "$A" -c "DO \$\$ BEGIN CREATE ROLE cov6600_reader; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" &&
	cat >a.sql <<-\EOF &&
	CREATE AGGREGATE psum(int) (SFUNC = int4pl, STYPE = int, PARALLEL = SAFE);
	CREATE AGGREGATE rsum(int) (SFUNC = int4pl, STYPE = int, PARALLEL = RESTRICTED);
	CREATE AGGREGATE msum(int) (SFUNC = int4pl, STYPE = int, MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = int);
	CREATE AGGREGATE mymax(int) (SFUNC = int4larger, STYPE = int, SORTOP = >);
	CREATE DOMAIN code AS text COLLATE "C" NOT NULL DEFAULT $$x$$ CONSTRAINT code_check CHECK (VALUE <> $$$$);
	COMMENT ON CONSTRAINT code_check ON DOMAIN code IS $$never empty$$;
	CREATE TYPE pair AS (a int, b text COLLATE "C");
	CREATE TYPE floatr AS RANGE (SUBTYPE = float8);
	CREATE TABLE t (id int PRIMARY KEY, c code);
	GRANT SELECT ON t TO cov6600_reader WITH GRANT OPTION;
	GRANT UPDATE ON t TO cov6600_reader;
	EOF
	psql -X -q -v ON_ERROR_STOP=1 -d "$A" -f a.sql &&
	godwit --url "$A" schema dump --privileges -o a.snap &&
	godwit --url "$E" schema dump --privileges -o e.snap
'

test_expect_success PG 'the SQL names PARALLEL by its word and keeps the grant option to SELECT' '
	godwit schema diff e.snap a.snap --sql --privileges >up.sql &&
	test_grep "^CREATE AGGREGATE public.psum(integer) (SFUNC = int4pl, STYPE = integer, PARALLEL = SAFE);\$" up.sql &&
	test_grep "^CREATE AGGREGATE public.rsum(integer) (SFUNC = int4pl, STYPE = integer, PARALLEL = RESTRICTED);\$" up.sql &&
	test_grep "^CREATE AGGREGATE public.msum(integer) (SFUNC = int4pl, STYPE = integer, MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = integer);\$" up.sql &&
	test_grep "^CREATE AGGREGATE public.mymax(integer) (SFUNC = int4larger, STYPE = integer, SORTOP = OPERATOR(pg_catalog.>));\$" up.sql &&
	test_grep "^GRANT UPDATE ON TABLE public.t TO cov6600_reader;\$" up.sql &&
	test_grep "^GRANT SELECT ON TABLE public.t TO cov6600_reader WITH GRANT OPTION;\$" up.sql
'

test_expect_success PG 'the SQL runs on the empty database and makes the same schema' '
	psql -X -q -v ON_ERROR_STOP=1 -d "$E" -f up.sql &&
	godwit --url "$E" schema dump --privileges -o again.snap &&
	test_cmp a.snap again.snap
'

test_done
