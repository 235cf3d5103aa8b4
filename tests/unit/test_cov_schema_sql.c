/*
 * test_cov_schema_sql.c: the SQL that turns one snapshot into another
 * (src/lib/schema_sql*.c) for the objects and options the corpus tests
 * reach least: domains, composite and range types, extensions, grants
 * and owners, aggregates, functions whose result type changes, the
 * indexes and triggers of a kept materialized view, enum labels,
 * sequences' owners, renames and the errors of a bad --rename, and
 * SQLite's table rebuilds.
 *
 * No database here: both sides are parsed from the snapshot text form,
 * and each case checks the whole script, byte for byte, and how many
 * changes it could not express. t6600 runs such scripts on a server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "godwit/generate.h"
#include "godwit/schema.h"

static const char header[] = "-- godwit schema snapshot (postgres)\n\n";

/* A PostgreSQL snapshot, unless body has a header of its own. */
static gw_schema *parse(const char *body, gw_ctx *ctx)
{
	gw_schema *s = NULL;
	size_t n = strlen(header) + strlen(body) + 1;
	char *text = malloc(n);

	assert_non_null(text);
	snprintf(text, n, "%s%s", strncmp(body, "-- ", 3) == 0 ? "" : header, body);
	assert_int_equal(gw_schema_parse(&s, text, strlen(text), ctx), 0);
	free(text);
	return s;
}

/* The script that turns a into b is expected, with `unexpressed`
 * changes it cannot make. */
static void check(const gw_sql_options *o, const char *a, const char *b, const char *expected,
                  size_t unexpressed)
{
	gw_ctx *ctx = NULL;
	gw_schema *sa, *sb;
	gw_sql *q = NULL;

	assert_int_equal(gw_ctx_new(&ctx), 0);
	sa = parse(a, ctx);
	sb = parse(b, ctx);
	assert_int_equal(gw_schema_sql(&q, sa, sb, o, ctx), 0);
	assert_string_equal(gw_sql_text(q), expected);
	assert_int_equal(gw_sql_unexpressed(q), unexpressed);
	gw_sql_free(q);
	gw_schema_free(sa);
	gw_schema_free(sb);
	gw_ctx_free(ctx);
}

/* A rename that cannot be made fails with this message and no script; the
 * library names it as the API does (the CLI's wording says --rename). */
static void check_rename_error(const char *a, const char *b, const char *spec, const char *message)
{
	const char *const renames[] = {spec};
	gw_sql_options o = GW_SQL_OPTIONS_INIT;
	gw_ctx *ctx = NULL;
	gw_schema *sa, *sb;
	gw_sql *q = NULL;

	o.renames = renames;
	o.nrenames = 1;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	sa = parse(a, ctx);
	sb = parse(b, ctx);
	assert_int_equal(gw_schema_sql(&q, sa, sb, &o, ctx), GW_EINVALID);
	assert_null(q);
	assert_string_equal(gw_ctx_error(ctx)->message, message);
	gw_schema_free(sa);
	gw_schema_free(sb);
	gw_ctx_free(ctx);
}

static const char rename_a[] = "table app.person\n"
                               "  column id integer\n"
                               "  column email text\n";
static const char rename_b[] = "table app.people\n"
                               "  column id integer\n"
                               "  column mail text\n"
                               "\n"
                               "table other.people\n"
                               "  column id integer\n";

static void test_rename_errors(void **state)
{
	(void)state;
	check_rename_error(rename_a, rename_b, "app.person",
	                   "rename 'app.person': expected OLD=NEW");
	check_rename_error(rename_a, rename_b, "=app.people",
	                   "rename '=app.people': expected OLD=NEW");
	check_rename_error(rename_a, rename_b,
	                   "app.person=", "rename 'app.person=': expected OLD=NEW");
	check_rename_error(rename_a, rename_b, "app.person=app.nobody",
	                   "rename app.person=app.nobody: the target schema has no table "
	                   "app.nobody");
	check_rename_error(rename_a, rename_b, "app.person=other.people",
	                   "rename app.person=other.people: a rename keeps the schema (app)");
	check_rename_error(rename_a, rename_b, "app.person.phone=app.person.tel",
	                   "rename app.person.phone=app.person.tel: the source schema has no "
	                   "app.person.phone");
	check_rename_error(rename_a, rename_b, "app.person.email=app.other.mail",
	                   "rename app.person.email=app.other.mail: a column keeps its table "
	                   "(app.person.NEW)");
}

/* Domains made, changed (default, NOT NULL, constraints dropped, added NOT VALID then validated)
 * and one whose base type changes (not expressible); an extension moved and updated; a range and a
 * composite type */
static void test_domains(void **state)
{
	gw_sql_options o = GW_SQL_OPTIONS_INIT;

	(void)state;
	check(&o,
	      "\n"
	      "extension pgcrypto\n"
	      "  schema public\n"
	      "  version 1.2\n"
	      "\n"
	      "domain app.posint\n"
	      "  base integer\n"
	      "  constraint posint_check CHECK ((VALUE > 0))\n"
	      "  constraint_comment posint_check 'positive'\n"
	      "\n"
	      "domain app.code\n"
	      "  base text collate \"C\"\n"
	      "\n"
	      "domain app.d2\n"
	      "  base integer not null default 1\n"
	      "  constraint d2_a CHECK ((VALUE > 1))\n"
	      "  constraint d2_b CHECK ((VALUE > 2))\n"
	      "\n"
	      "domain app.d3\n"
	      "  base integer\n",
	      "\n"
	      "extension pgcrypto\n"
	      "  schema app\n"
	      "  version 1.3\n"
	      "\n"
	      "extension hstore\n"
	      "\n"
	      "domain app.posint\n"
	      "  base integer\n"
	      "  constraint posint_check CHECK ((VALUE > 0))\n"
	      "  constraint_comment posint_check 'strictly positive'\n"
	      "\n"
	      "domain app.code\n"
	      "  base varchar collate \"C\"\n"
	      "\n"
	      "domain app.d2\n"
	      "  base integer\n"
	      "  constraint d2_a CHECK ((VALUE > 10))\n"
	      "  constraint d2_c CHECK ((VALUE > 3)) NOT VALID\n"
	      "\n"
	      "domain app.d3\n"
	      "  base integer not null default 7\n"
	      "\n"
	      "domain app.newd\n"
	      "  base text collate \"C\" not null default 'x'::text\n"
	      "  constraint newd_check CHECK ((VALUE <> ''::text))\n"
	      "  comment 'a new domain'\n"
	      "\n"
	      "range app.floatr\n"
	      "  subtype double precision\n"
	      "\n"
	      "type app.pair\n"
	      "  attribute a integer\n"
	      "  attribute b text collate \"C\"\n",
	      "ALTER DOMAIN app.d2 DROP CONSTRAINT d2_a;\n"
	      "ALTER DOMAIN app.d2 DROP CONSTRAINT d2_b;\n"
	      "ALTER EXTENSION pgcrypto SET SCHEMA app;\n"
	      "ALTER EXTENSION pgcrypto UPDATE TO '1.3';\n"
	      "CREATE EXTENSION IF NOT EXISTS hstore;\n"
	      "CREATE TYPE app.floatr AS RANGE (SUBTYPE = double precision);\n"
	      "-- cannot be expressed: domain app.code changes its base type from text to varchar "
	      "(create a new domain and move the columns by hand)\n"
	      "ALTER DOMAIN app.d2 DROP DEFAULT;\n"
	      "ALTER DOMAIN app.d2 DROP NOT NULL;\n"
	      "ALTER DOMAIN app.d3 SET DEFAULT 7;\n"
	      "ALTER DOMAIN app.d3 SET NOT NULL;\n"
	      "CREATE DOMAIN app.newd AS text COLLATE \"C\" DEFAULT 'x'::text NOT NULL CONSTRAINT "
	      "newd_check CHECK ((VALUE <> ''::text));\n"
	      "CREATE TYPE app.pair AS (a integer, b text COLLATE \"C\");\n"
	      "ALTER DOMAIN app.d2 ADD CONSTRAINT d2_a CHECK ((VALUE > 10)) NOT VALID;\n"
	      "ALTER DOMAIN app.d2 ADD CONSTRAINT d2_c CHECK ((VALUE > 3)) NOT VALID;\n"
	      "COMMENT ON CONSTRAINT posint_check ON DOMAIN app.posint IS 'strictly positive';\n"
	      "COMMENT ON DOMAIN app.newd IS 'a new domain';\n"
	      "-- the statements below run in a transaction of their own\n"
	      "ALTER DOMAIN app.d2 VALIDATE CONSTRAINT d2_a;\n",
	      1);
}

/* --plain: a domain's new constraint is added valid, with no VALIDATE step */
static void test_domain_plain(void **state)
{
	gw_sql_options o = GW_SQL_OPTIONS_INIT;

	(void)state;
	o.plain = 1;
	check(&o,
	      "\n"
	      "domain app.d2\n"
	      "  base integer\n",
	      "\n"
	      "domain app.d2\n"
	      "  base integer\n"
	      "  constraint d2_c CHECK ((VALUE > 3))\n",
	      "ALTER DOMAIN app.d2 ADD CONSTRAINT d2_c CHECK ((VALUE > 3));\n", 0);
}

/* --privileges: owners changed, every grantee revoked then granted again, r*w giving the grant
 * option to SELECT only, an unreadable item skipped, grants that return to the defaults (not
 * expressible), types' USAGE and a view's grants */
static void test_privileges(void **state)
{
	gw_sql_options o = GW_SQL_OPTIONS_INIT;

	(void)state;
	o.privileges = 1;
	check(&o,
	      "\n"
	      "schema app\n"
	      "  owner alice\n"
	      "\n"
	      "table app.t\n"
	      "  column id integer not null\n"
	      "  index t_i CREATE INDEX t_i ON app.t USING btree (id)\n"
	      "  index_comment t_i 'the index'\n"
	      "  owner alice\n"
	      "  grants alice=arwdDxt/alice bob=r/alice\n"
	      "\n"
	      "table app.u\n"
	      "  column id integer\n"
	      "  owner alice\n"
	      "  grants alice=arwdDxt/alice bob=r/alice\n"
	      "\n"
	      "enum app.e\n"
	      "  values 'a'\n"
	      "  owner alice\n"
	      "\n"
	      "view app.v\n"
	      "  definition\n"
	      "  | SELECT 1 AS one;\n"
	      "  column one integer\n"
	      "  owner alice\n",
	      "\n"
	      "schema app\n"
	      "  owner bob\n"
	      "\n"
	      "table app.t\n"
	      "  column id integer not null\n"
	      "  index t_i CREATE INDEX t_i ON app.t USING btree (id)\n"
	      "  owner carol\n"
	      "  grants carol=arwdDxt/carol =r/carol dave=r*w/carol bad-item\n"
	      "\n"
	      "table app.u\n"
	      "  column id integer\n"
	      "  owner alice\n"
	      "\n"
	      "enum app.e\n"
	      "  values 'a'\n"
	      "  owner alice\n"
	      "  grants alice=U/alice bob=U/alice\n"
	      "\n"
	      "range app.r\n"
	      "  subtype integer\n"
	      "  owner alice\n"
	      "  grants alice=U/alice\n"
	      "\n"
	      "view app.v\n"
	      "  definition\n"
	      "  | SELECT 1 AS one;\n"
	      "  column one integer\n"
	      "  owner alice\n"
	      "  grants alice=arwdDxtm/alice bob=r/alice\n",
	      "CREATE TYPE app.r AS RANGE (SUBTYPE = integer);\n"
	      "COMMENT ON INDEX app.t_i IS NULL;\n"
	      "ALTER SCHEMA app OWNER TO bob;\n"
	      "REVOKE ALL ON TYPE app.e FROM PUBLIC;\n"
	      "GRANT USAGE ON TYPE app.e TO alice;\n"
	      "GRANT USAGE ON TYPE app.e TO bob;\n"
	      "ALTER TYPE app.r OWNER TO alice;\n"
	      "REVOKE ALL ON TYPE app.r FROM PUBLIC;\n"
	      "REVOKE ALL ON TYPE app.r FROM alice;\n"
	      "GRANT USAGE ON TYPE app.r TO alice;\n"
	      "ALTER TABLE app.t OWNER TO carol;\n"
	      "REVOKE ALL ON TABLE app.t FROM alice;\n"
	      "REVOKE ALL ON TABLE app.t FROM carol;\n"
	      "REVOKE ALL ON TABLE app.t FROM bob;\n"
	      "GRANT INSERT, SELECT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE app.t "
	      "TO carol;\n"
	      "GRANT SELECT ON TABLE app.t TO PUBLIC;\n"
	      "GRANT UPDATE ON TABLE app.t TO dave;\n"
	      "GRANT SELECT ON TABLE app.t TO dave WITH GRANT OPTION;\n"
	      "-- cannot be expressed: the grants of table app.u return to the defaults (no SQL "
	      "resets them: grant the owner's privileges explicitly)\n"
	      "REVOKE ALL ON TABLE app.v FROM PUBLIC;\n"
	      "GRANT INSERT, SELECT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER, MAINTAIN ON "
	      "TABLE app.v TO alice;\n"
	      "GRANT SELECT ON TABLE app.v TO bob;\n",
	      1);
}

/* A kept materialized view: its changed and removed indexes and triggers made again, new ones
 * added, its comment set */
static void test_matview_members(void **state)
{
	gw_sql_options o = GW_SQL_OPTIONS_INIT;

	(void)state;
	check(&o,
	      "\n"
	      "table app.t\n"
	      "  column id integer\n"
	      "\n"
	      "matview app.mv\n"
	      "  definition\n"
	      "  | SELECT t.id\n"
	      "  |   FROM app.t;\n"
	      "  column id integer\n"
	      "  index mv_a CREATE INDEX mv_a ON app.mv USING btree (id)\n"
	      "  index mv_b CREATE INDEX mv_b ON app.mv USING btree (id)\n"
	      "  index_comment mv_b 'b'\n"
	      "  trigger mv_t CREATE TRIGGER mv_t AFTER INSERT ON app.mv FOR EACH ROW EXECUTE "
	      "FUNCTION app.f()\n"
	      "  trigger mv_u CREATE TRIGGER mv_u AFTER INSERT ON app.mv FOR EACH ROW EXECUTE "
	      "FUNCTION app.f()\n",
	      "\n"
	      "table app.t\n"
	      "  column id integer\n"
	      "\n"
	      "matview app.mv\n"
	      "  definition\n"
	      "  | SELECT t.id\n"
	      "  |   FROM app.t;\n"
	      "  column id integer\n"
	      "  index mv_a CREATE INDEX mv_a ON app.mv USING hash (id)\n"
	      "  index mv_c CREATE UNIQUE INDEX mv_c ON app.mv USING btree (id)\n"
	      "  trigger mv_t CREATE TRIGGER mv_t AFTER UPDATE ON app.mv FOR EACH ROW EXECUTE "
	      "FUNCTION app.f()\n"
	      "  trigger mv_w CREATE TRIGGER mv_w AFTER DELETE ON app.mv FOR EACH ROW EXECUTE "
	      "FUNCTION app.f()\n"
	      "  comment 'kept'\n",
	      "DROP TRIGGER mv_t ON app.mv;\n"
	      "DROP TRIGGER mv_u ON app.mv;\n"
	      "CREATE TRIGGER mv_t AFTER UPDATE ON app.mv FOR EACH ROW EXECUTE FUNCTION app.f();\n"
	      "CREATE TRIGGER mv_w AFTER DELETE ON app.mv FOR EACH ROW EXECUTE FUNCTION app.f();\n"
	      "COMMENT ON MATERIALIZED VIEW app.mv IS 'kept';\n"
	      "-- the statements below cannot run inside a transaction\n"
	      "DROP INDEX CONCURRENTLY IF EXISTS app.mv_a;\n"
	      "CREATE INDEX CONCURRENTLY IF NOT EXISTS mv_a ON app.mv USING hash (id);\n"
	      "DROP INDEX CONCURRENTLY IF EXISTS app.mv_b;\n"
	      "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS mv_c ON app.mv USING btree (id);\n",
	      0);
}

/* New views whose definitions name each other (a word that is not a use): both are created, in name
 * order */
static void test_view_cycle(void **state)
{
	gw_sql_options o = GW_SQL_OPTIONS_INIT;

	(void)state;
	check(&o, "\n",
	      "\n"
	      "view app.va\n"
	      "  definition\n"
	      "  | SELECT 1 AS vb;\n"
	      "  column vb integer\n"
	      "\n"
	      "view app.vb\n"
	      "  definition\n"
	      "  | SELECT 1 AS va;\n"
	      "  column va integer\n",
	      "CREATE VIEW app.va AS\n"
	      " SELECT 1 AS vb;\n"
	      "CREATE VIEW app.vb AS\n"
	      " SELECT 1 AS va;\n",
	      0);
}

/* Aggregates: every clause CREATE AGGREGATE takes, PARALLEL by its word, an ordered-set one (not
 * expressible), one changed (dropped and made again) and a comment */
static void test_aggregates(void **state)
{
	gw_sql_options o = GW_SQL_OPTIONS_INIT;

	(void)state;
	check(&o,
	      "\n"
	      "aggregate app.agg(integer)\n"
	      "  definition\n"
	      "  |sfunc int4pl\n"
	      "  |stype integer\n"
	      "  |returns integer\n"
	      "\n"
	      "aggregate app.keep(integer)\n"
	      "  definition\n"
	      "  |sfunc int4pl\n"
	      "  |stype integer\n"
	      "  |returns integer\n",
	      "\n"
	      "aggregate app.agg(integer)\n"
	      "  definition\n"
	      "  |sfunc int4pl\n"
	      "  |stype integer\n"
	      "  |initcond '0'\n"
	      "  |returns integer\n"
	      "\n"
	      "aggregate app.keep(integer)\n"
	      "  definition\n"
	      "  |sfunc int4pl\n"
	      "  |stype integer\n"
	      "  |returns integer\n"
	      "  comment 'kept'\n"
	      "\n"
	      "aggregate app.mov(integer)\n"
	      "  definition\n"
	      "  |sfunc int4pl\n"
	      "  |stype bigint\n"
	      "  |finalfunc app.fin\n"
	      "  |finalfunc_extra\n"
	      "  |msfunc int4pl minvfunc int4mi mstype bigint\n"
	      "  |sortop >(integer,integer)\n"
	      "  |parallel s\n"
	      "  |returns bigint\n"
	      "\n"
	      "aggregate app.pct(double precision)\n"
	      "  definition\n"
	      "  |sfunc ordered_set_transition\n"
	      "  |stype internal\n"
	      "  |kind ordered-set\n"
	      "  |returns double precision\n",
	      "SET check_function_bodies = false;\n"
	      "CREATE AGGREGATE app.mov(integer) (SFUNC = int4pl, STYPE = bigint, FINALFUNC = "
	      "app.fin, FINALFUNC_EXTRA, MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = bigint, "
	      "SORTOP = OPERATOR(pg_catalog.>), PARALLEL = SAFE);\n"
	      "-- cannot be expressed: aggregate app.pct(double precision) is an ordered-set or "
	      "hypothetical aggregate\n"
	      "DROP AGGREGATE app.agg(integer);\n"
	      "CREATE AGGREGATE app.agg(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = "
	      "'0');\n"
	      "COMMENT ON AGGREGATE app.keep(integer) IS 'kept';\n",
	      1);
}

/* Functions: a changed body replaced, a changed result type dropped and made again with its owner
 * and grants, a comment */
static void test_functions(void **state)
{
	gw_sql_options o = GW_SQL_OPTIONS_INIT;

	(void)state;
	o.privileges = 1;
	check(&o,
	      "\n"
	      "function app.f(integer)\n"
	      "  definition\n"
	      "  |CREATE OR REPLACE FUNCTION app.f(x integer)\n"
	      "  | RETURNS integer\n"
	      "  | LANGUAGE sql\n"
	      "  |AS $function$ SELECT x $function$\n"
	      "  owner alice\n"
	      "\n"
	      "function app.g()\n"
	      "  definition\n"
	      "  |CREATE OR REPLACE FUNCTION app.g()\n"
	      "  | RETURNS integer\n"
	      "  | LANGUAGE sql\n"
	      "  |AS $function$ SELECT 1 $function$\n"
	      "\n"
	      "function app.h()\n"
	      "  definition\n"
	      "  |CREATE OR REPLACE FUNCTION app.h()\n"
	      "  | LANGUAGE sql\n"
	      "  |AS $function$ SELECT 1 $function$\n",
	      "\n"
	      "function app.f(integer)\n"
	      "  definition\n"
	      "  |CREATE OR REPLACE FUNCTION app.f(x integer)\n"
	      "  | RETURNS bigint\n"
	      "  | LANGUAGE sql\n"
	      "  |AS $function$ SELECT x $function$\n"
	      "  owner alice\n"
	      "  grants alice=X/alice\n"
	      "\n"
	      "function app.g()\n"
	      "  definition\n"
	      "  |CREATE OR REPLACE FUNCTION app.g()\n"
	      "  | RETURNS integer\n"
	      "  | LANGUAGE sql\n"
	      "  |AS $function$ SELECT 2 $function$\n"
	      "  comment 'two'\n"
	      "\n"
	      "function app.h()\n"
	      "  definition\n"
	      "  |CREATE OR REPLACE FUNCTION app.h()\n"
	      "  | LANGUAGE sql\n"
	      "  |AS $function$ SELECT 2 $function$\n",
	      "SET check_function_bodies = false;\n"
	      "CREATE OR REPLACE FUNCTION app.g()\n"
	      " RETURNS integer\n"
	      " LANGUAGE sql\n"
	      "AS $function$ SELECT 2 $function$;\n"
	      "CREATE OR REPLACE FUNCTION app.h()\n"
	      " LANGUAGE sql\n"
	      "AS $function$ SELECT 2 $function$;\n"
	      "DROP FUNCTION app.f(integer);\n"
	      "CREATE OR REPLACE FUNCTION app.f(x integer)\n"
	      " RETURNS bigint\n"
	      " LANGUAGE sql\n"
	      "AS $function$ SELECT x $function$;\n"
	      "COMMENT ON FUNCTION app.g() IS 'two';\n"
	      "ALTER FUNCTION app.f(integer) OWNER TO alice;\n"
	      "REVOKE ALL ON FUNCTION app.f(integer) FROM PUBLIC;\n"
	      "REVOKE ALL ON FUNCTION app.f(integer) FROM alice;\n"
	      "GRANT EXECUTE ON FUNCTION app.f(integer) TO alice;\n",
	      0);
}

/* Sequences' OWNED BY set, changed to NONE and set for a new sequence */
static void test_sequences(void **state)
{
	gw_sql_options o = GW_SQL_OPTIONS_INIT;

	(void)state;
	check(&o,
	      "\n"
	      "table app.t\n"
	      "  column id integer\n"
	      "\n"
	      "sequence app.s\n"
	      "  type bigint\n"
	      "  owned_by app.t.id\n"
	      "\n"
	      "sequence app.s2\n"
	      "  type bigint\n",
	      "\n"
	      "table app.t\n"
	      "  column id integer\n"
	      "\n"
	      "sequence app.s\n"
	      "  type bigint\n"
	      "\n"
	      "sequence app.s2\n"
	      "  type bigint\n"
	      "  owned_by app.t.id\n"
	      "\n"
	      "sequence app.s3\n"
	      "  type integer\n"
	      "  owned_by app.t.id\n",
	      "ALTER SEQUENCE app.s OWNED BY NONE;\n"
	      "CREATE SEQUENCE app.s3;\n"
	      "ALTER SEQUENCE app.s2 OWNED BY app.t.id;\n"
	      "ALTER SEQUENCE app.s3 OWNED BY app.t.id;\n",
	      0);
}

/* Enum labels added before the first, between two and after the last, quoted as quote_literal
 * writes them */
static void test_enums(void **state)
{
	gw_sql_options o = GW_SQL_OPTIONS_INIT;

	(void)state;
	check(&o,
	      "\n"
	      "enum app.e\n"
	      "  values 'b', 'd'\n",
	      "\n"
	      "enum app.e\n"
	      "  values 'a', 'b', 'c', 'd', E'e\\\\f', 'it''s'\n",
	      "ALTER TYPE app.e ADD VALUE 'a' BEFORE 'b';\n"
	      "ALTER TYPE app.e ADD VALUE 'c' AFTER 'b';\n"
	      "ALTER TYPE app.e ADD VALUE E'e\\\\f' AFTER 'd';\n"
	      "ALTER TYPE app.e ADD VALUE 'it''s' AFTER E'e\\\\f';\n",
	      0);
}

/* --rename of a table and a column: constraints and indexes named after the table follow it */
static void test_rename_constraints(void **state)
{
	static const char *const renames[] = {"app.person=app.people",
	                                      "app.people.email=app.people.mail"};
	gw_sql_options o = GW_SQL_OPTIONS_INIT;

	(void)state;
	o.renames = renames;
	o.nrenames = 2;
	check(&o,
	      "\n"
	      "table app.person\n"
	      "  column id integer not null\n"
	      "  column email text\n"
	      "  constraint person_pkey PRIMARY KEY (id)\n"
	      "  constraint person_email_check CHECK ((email <> ''::text))\n"
	      "  index person_email_idx CREATE INDEX person_email_idx ON app.person USING btree "
	      "(email)\n"
	      "  index other_idx CREATE INDEX other_idx ON app.person USING btree (email)\n",
	      "\n"
	      "table app.people\n"
	      "  column id integer not null\n"
	      "  column mail text\n"
	      "  constraint people_pkey PRIMARY KEY (id)\n"
	      "  constraint people_email_check CHECK ((mail <> ''::text))\n"
	      "  index people_email_idx CREATE INDEX people_email_idx ON app.people USING btree "
	      "(mail)\n"
	      "  index other_idx CREATE INDEX other_idx ON app.people USING btree (mail)\n",
	      "ALTER TABLE app.person RENAME TO people;\n"
	      "ALTER TABLE app.people RENAME CONSTRAINT person_pkey TO people_pkey;\n"
	      "ALTER TABLE app.people RENAME CONSTRAINT person_email_check TO people_email_check;\n"
	      "ALTER INDEX app.person_email_idx RENAME TO people_email_idx;\n"
	      "ALTER TABLE app.people RENAME COLUMN email TO mail;\n",
	      0);
}

/* SQLite: a table rebuilt (its quoted name moved out of the way, rows copied, indexes and triggers
 * made again), one dropped, one new, one whose indexes and triggers change, a virtual table (not
 * expressible), views dropped and made again when their table is rebuilt or goes */
static void test_sqlite_tables(void **state)
{
	gw_sql_options o = GW_SQL_OPTIONS_INIT;

	(void)state;
	check(&o,
	      "-- godwit schema snapshot (sqlite)\n"
	      "\n"
	      "\n"
	      "table \"my t\"\n"
	      "  definition CREATE TABLE \"my t\"(id int, n text)\n"
	      "  column id INT\n"
	      "  column n TEXT\n"
	      "  index i CREATE INDEX i ON \"my t\"(n)\n"
	      "  trigger tr CREATE TRIGGER tr AFTER INSERT ON \"my t\" BEGIN SELECT 1; END\n"
	      "\n"
	      "table gone\n"
	      "  definition CREATE TABLE gone (id int)\n"
	      "  column id INT\n"
	      "\n"
	      "table keep\n"
	      "  definition CREATE TABLE keep (id int, n text)\n"
	      "  column id INT\n"
	      "  column n TEXT\n"
	      "  index keep_n CREATE INDEX keep_n ON keep(n)\n"
	      "  index keep_same CREATE INDEX keep_same ON keep(id)\n"
	      "  trigger keep_tr CREATE TRIGGER keep_tr AFTER INSERT ON keep BEGIN SELECT 1; END\n"
	      "\n"
	      "table vt\n"
	      "  definition CREATE VIRTUAL TABLE vt USING fts5(a)\n"
	      "  column a\n"
	      "\n"
	      "view v\n"
	      "  definition CREATE VIEW v AS SELECT id FROM \"my t\"\n"
	      "  column id INT\n"
	      "\n"
	      "view w\n"
	      "  definition CREATE VIEW w AS SELECT id FROM keep\n"
	      "  column id INT\n"
	      "\n"
	      "view old\n"
	      "  definition CREATE VIEW old AS SELECT id FROM gone\n"
	      "  column id INT\n"
	      "\n"
	      "view changed\n"
	      "  definition CREATE VIEW changed AS SELECT 1 AS one\n"
	      "  column one\n",
	      "-- godwit schema snapshot (sqlite)\n"
	      "\n"
	      "\n"
	      "table \"my t\"\n"
	      "  definition CREATE TABLE \"my t\"(id int, n text, m int)\n"
	      "  column id INT\n"
	      "  column n TEXT\n"
	      "  column m INT\n"
	      "  index i CREATE INDEX i ON \"my t\"(n)\n"
	      "  trigger tr CREATE TRIGGER tr AFTER UPDATE ON \"my t\" BEGIN SELECT 1; END\n"
	      "\n"
	      "table keep\n"
	      "  definition CREATE TABLE keep (id int, n text)\n"
	      "  column id INT\n"
	      "  column n TEXT\n"
	      "  index keep_n CREATE UNIQUE INDEX keep_n ON keep(n)\n"
	      "  index keep_same CREATE INDEX keep_same ON keep(id)\n"
	      "  index keep_new CREATE INDEX keep_new ON keep(id, n)\n"
	      "\n"
	      "table other\n"
	      "  definition CREATE TABLE other (x int)\n"
	      "  column x INT\n"
	      "  index other_x CREATE INDEX other_x ON other(x)\n"
	      "\n"
	      "table plain\n"
	      "  definition CREATE TABLE plain (id int)\n"
	      "  column id INT\n"
	      "\n"
	      "table vt\n"
	      "  definition CREATE VIRTUAL TABLE vt USING fts5(a, b)\n"
	      "  column a\n"
	      "  column b\n"
	      "\n"
	      "view v\n"
	      "  definition CREATE VIEW v AS SELECT id FROM \"my t\"\n"
	      "  column id INT\n"
	      "\n"
	      "view w\n"
	      "  definition CREATE VIEW w AS SELECT id FROM keep\n"
	      "  column id INT\n"
	      "\n"
	      "view changed\n"
	      "  definition CREATE VIEW changed AS SELECT 2 AS one\n"
	      "  column one\n"
	      "\n"
	      "view fresh\n"
	      "  definition CREATE VIEW fresh AS SELECT x FROM other\n"
	      "  column x INT\n",
	      "DROP VIEW v;\n"
	      "DROP VIEW old;\n"
	      "DROP VIEW changed;\n"
	      "DROP INDEX IF EXISTS keep_n;\n"
	      "DROP TRIGGER IF EXISTS keep_tr;\n"
	      "DROP TABLE gone;\n"
	      "-- table \"my t\" is rebuilt: SQLite cannot alter it in place\n"
	      "PRAGMA legacy_alter_table = ON;\n"
	      "ALTER TABLE \"my t\" RENAME TO godwit_old_table;\n"
	      "PRAGMA legacy_alter_table = OFF;\n"
	      "CREATE TABLE \"my t\"(id int, n text, m int);\n"
	      "INSERT INTO \"my t\" (id, n) SELECT id, n FROM godwit_old_table;\n"
	      "DROP TABLE godwit_old_table;\n"
	      "CREATE INDEX i ON \"my t\"(n);\n"
	      "CREATE TRIGGER tr AFTER UPDATE ON \"my t\" BEGIN SELECT 1; END;\n"
	      "CREATE TABLE other (x int);\n"
	      "CREATE TABLE plain (id int);\n"
	      "-- cannot be expressed: table vt: its definition is not CREATE TABLE\n"
	      "CREATE UNIQUE INDEX keep_n ON keep(n);\n"
	      "CREATE INDEX keep_new ON keep(id, n);\n"
	      "CREATE INDEX other_x ON other(x);\n"
	      "CREATE VIEW v AS SELECT id FROM \"my t\";\n"
	      "CREATE VIEW changed AS SELECT 2 AS one;\n"
	      "CREATE VIEW fresh AS SELECT x FROM other;\n"
	      "PRAGMA foreign_key_check;\n",
	      1);
}

/* SQLite: a rebuilt table that shares no column with the old one copies no rows */
static void test_sqlite_new_columns(void **state)
{
	gw_sql_options o = GW_SQL_OPTIONS_INIT;

	(void)state;
	check(&o,
	      "-- godwit schema snapshot (sqlite)\n"
	      "\n"
	      "\n"
	      "table t\n"
	      "  definition CREATE TABLE t (a int)\n"
	      "  column a INT\n",
	      "-- godwit schema snapshot (sqlite)\n"
	      "\n"
	      "\n"
	      "table t\n"
	      "  definition CREATE TABLE t (b int)\n"
	      "  column b INT\n",
	      "-- table t is rebuilt: SQLite cannot alter it in place\n"
	      "PRAGMA legacy_alter_table = ON;\n"
	      "ALTER TABLE t RENAME TO godwit_old_t;\n"
	      "PRAGMA legacy_alter_table = OFF;\n"
	      "CREATE TABLE t (b int);\n"
	      "DROP TABLE godwit_old_t;\n"
	      "PRAGMA foreign_key_check;\n",
	      0);
}

/* A composite type's attributes: retyped (with a collation), dropped and added */
static void test_composite_attributes(void **state)
{
	gw_sql_options o = GW_SQL_OPTIONS_INIT;

	(void)state;
	check(&o,
	      "\n"
	      "type app.pair\n"
	      "  attribute a integer\n"
	      "  attribute b text\n"
	      "  attribute gone integer\n",
	      "\n"
	      "type app.pair\n"
	      "  attribute a bigint\n"
	      "  attribute b text collate \"C\"\n"
	      "  attribute c numeric\n",
	      "ALTER TYPE app.pair DROP ATTRIBUTE gone;\n"
	      "ALTER TYPE app.pair ALTER ATTRIBUTE a TYPE bigint;\n"
	      "ALTER TYPE app.pair ALTER ATTRIBUTE b TYPE text COLLATE \"C\";\n"
	      "ALTER TYPE app.pair ADD ATTRIBUTE c numeric;\n",
	      0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_domains),
	        cmocka_unit_test(test_rename_errors),
	        cmocka_unit_test(test_domain_plain),
	        cmocka_unit_test(test_privileges),
	        cmocka_unit_test(test_matview_members),
	        cmocka_unit_test(test_view_cycle),
	        cmocka_unit_test(test_aggregates),
	        cmocka_unit_test(test_functions),
	        cmocka_unit_test(test_sequences),
	        cmocka_unit_test(test_enums),
	        cmocka_unit_test(test_rename_constraints),
	        cmocka_unit_test(test_sqlite_tables),
	        cmocka_unit_test(test_sqlite_new_columns),
	        cmocka_unit_test(test_composite_attributes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
