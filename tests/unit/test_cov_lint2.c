/*
 * test_cov_lint2.c: the lint rules' paths the rule table's examples and
 * test_cov_lib4_lint.c do not take (src/lib/sql/lint_danger.c,
 * lint_tables.c, lint.c), each with the exact findings it gives (rule,
 * line, column, level):
 *  - DELETE/UPDATE/TRUNCATE on tables this migration created, several
 *    truncated at once, GRANT and REVOKE, roles made superuser or not;
 *  - tables in the schemas the API exposes, with and without row-level
 *    security enabled later, temporary ones, a list with blanks;
 *  - NOT NULL proven by a CHECK on another column or table, unnamed
 *    constraints, VACUUM without FULL, FULL spelled every way;
 *  - volatile calls nested in a default, tables made by CREATE TABLE AS,
 *    PL/pgSQL found by its LANGUAGE option, godwit:ignore among other
 *    comments, the findings API at its edges;
 *  - how pgquery.c classifies the statements refused in a transaction
 *    block, and what a concurrent index build names (src/lib/sql/pgquery.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "godwit.h"
#include "lib/sql/lint_int.h"
#include "lib/sql/sql.h"

/* The findings as "rule LINE:COL level", one per line. */
static void put_findings(char *out, size_t size, const gw_findings *f)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < gw_findings_count(f); i++) {
		const gw_finding *x = gw_findings_get(f, i);

		len += (size_t)snprintf(out + len, size - len, "%s %d:%d %s\n", x->rule, x->line,
		                        x->column, gw_level_name(x->level));
	}
}

/* What one section checked for checks finds in sql, rls_schemas being
 * the schemas the API exposes (NULL: none). */
static void assert_checks(const char *sql, unsigned checks, const char *rls_schemas,
                          const char *expected)
{
	gw_ctx *ctx = NULL;
	gw_findings *f = NULL;
	gw_lint_levels levels = {0};
	gw_lines lines = {0};
	gw_lint_section sec = {0};
	char out[8192];

	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_lint__levels(&levels, NULL, ctx), 0);
	assert_int_equal(gw_findings__new(&f, ctx), 0);
	assert_int_equal(gw_lines_build(&lines, sql, strlen(sql)), 0);
	sec.file = "m.sql";
	sec.text = sql;
	sec.text_len = strlen(sql);
	sec.lines = &lines;
	sec.len = strlen(sql);
	sec.checks = checks;
	sec.rls_schemas = rls_schemas;
	assert_int_equal(gw_lint__section(f, &levels, &sec, ctx), 0);
	gw_findings__sort(f);
	put_findings(out, sizeof(out), f);
	if (strcmp(out, expected))
		fail_msg("%s\n--- found:\n%s--- expected:\n%s", sql, out, expected);
	gw_lines_dispose(&lines);
	gw_lint__levels_dispose(&levels);
	gw_findings_free(f);
	gw_ctx_free(ctx);
}

static void assert_rules(const char *sql, const char *rls_schemas, const char *expected)
{
	assert_checks(sql, GW_CHECK_SYNTAX | GW_CHECK_RULES, rls_schemas, expected);
}

/* What gw_lint_sql finds in sql. */
static void assert_lint(const char *sql, const char *expected)
{
	gw_lint_options opts = GW_LINT_OPTIONS_INIT;
	gw_ctx *ctx = NULL;
	gw_findings *f = NULL;
	char out[8192];

	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_lint_sql(&f, "m.sql", sql, strlen(sql), &opts, ctx), 0);
	put_findings(out, sizeof(out), f);
	if (strcmp(out, expected))
		fail_msg("%s\n--- found:\n%s--- expected:\n%s", sql, out, expected);
	gw_findings_free(f);
	gw_ctx_free(ctx);
}

/* Data changes on a table created in the same migration touch no existing
 * row; on others, every row. */
static void test_data_changes(void **state)
{
	(void)state;
	assert_rules("CREATE TABLE n (a int);\n"
	             "DELETE FROM n;\n"
	             "UPDATE n SET a = 1;\n"
	             "TRUNCATE n, old1, old2;\n"
	             "DELETE FROM old1 WHERE a = 1;\n"
	             "UPDATE old1 SET a = 1 WHERE a = 2;\n"
	             "TRUNCATE old3 CASCADE;\n",
	             NULL,
	             "require-timeout-settings 4:1 warning\n"
	             "truncating-table 4:1 warning\n"
	             "truncating-table 4:1 warning\n"
	             "truncate-cascade 7:1 error\n");
}

/* Grants to named roles and revokes from PUBLIC are not grant-to-public;
 * SUPERUSER only when it is on; DROP SCHEMA without CASCADE. */
static void test_access(void **state)
{
	(void)state;
	assert_rules("GRANT SELECT ON t TO app, PUBLIC;\n"
	             "GRANT SELECT ON t TO app;\n"
	             "REVOKE SELECT ON t FROM PUBLIC;\n"
	             "CREATE ROLE a NOSUPERUSER LOGIN;\n"
	             "CREATE ROLE b LOGIN SUPERUSER;\n"
	             "ALTER ROLE c SUPERUSER;\n"
	             "ALTER ROLE d NOSUPERUSER;\n"
	             "ALTER ROLE e LOGIN;\n"
	             "ALTER ROLE CURRENT_USER SUPERUSER;\n"
	             "DROP SCHEMA s;\n"
	             "DROP POLICY p ON t;\n"
	             "DROP SCHEMA s2 RESTRICT;\n",
	             NULL,
	             "grant-to-public 1:1 error\n"
	             "granting-superuser 5:1 error\n"
	             "granting-superuser 6:1 error\n"
	             "granting-superuser 9:1 error\n"
	             "dropping-policy 11:1 warning\n");
}

/* Tables created in exposed schemas need ENABLE ROW LEVEL SECURITY later
 * in the migration; temporary ones and other schemas do not. */
static void test_row_level_security(void **state)
{
	(void)state;
	assert_rules("CREATE TABLE a (id int);\n"
	             "CREATE TABLE api.b (id int);\n"
	             "CREATE TABLE other.c (id int);\n"
	             "CREATE TEMP TABLE d (id int);\n"
	             "CREATE TABLE api.e (id int);\n"
	             "CREATE TABLE f (id int);\n"
	             "ALTER TABLE api.e ENABLE ROW LEVEL SECURITY;\n"
	             "ALTER TABLE public.f ENABLE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;\n"
	             "ALTER TABLE api.zz ENABLE ROW LEVEL SECURITY;\n"
	             "ALTER TABLE apix.a ENABLE ROW LEVEL SECURITY;\n",
	             " public ,\tapi\t,,",
	             "table-without-row-level-security 1:1 error\n"
	             "table-without-row-level-security 2:1 error\n"
	             "disabling-row-level-security 8:1 error\n"
	             "require-timeout-settings 9:1 warning\n");
	assert_rules("CREATE TABLE a (id int);\n", "api,", "");
}

/* CREATE TABLE ... AS and SELECT ... INTO (also the first SELECT of a
 * UNION) create tables too; a materialized view cannot have row-level
 * security, and temporary tables and other schemas need none. */
static void test_row_level_security_as(void **state)
{
	(void)state;
	assert_rules("CREATE TABLE a AS SELECT 1 AS id;\n"
	             "SELECT 1 AS id INTO api.b;\n"
	             "SELECT 1 AS id INTO c UNION SELECT 2;\n"
	             "CREATE TABLE api.d AS SELECT 1 AS id;\n"
	             "SELECT 1 AS id INTO e;\n"
	             "CREATE MATERIALIZED VIEW f AS SELECT 1 AS id;\n"
	             "CREATE TEMP TABLE g AS SELECT 1 AS id;\n"
	             "SELECT 1 AS id INTO TEMP h;\n"
	             "CREATE TABLE other.i AS SELECT 1 AS id;\n"
	             "SELECT 1 AS id INTO other.j;\n"
	             "CREATE TABLE IF NOT EXISTS k AS SELECT 1 AS id;\n"
	             "ALTER TABLE api.d ENABLE ROW LEVEL SECURITY;\n"
	             "ALTER TABLE public.e ENABLE ROW LEVEL SECURITY;\n",
	             "public,api",
	             "table-without-row-level-security 1:1 error\n"
	             "table-without-row-level-security 2:1 error\n"
	             "table-without-row-level-security 3:1 error\n"
	             "table-without-row-level-security 11:1 error\n");
}

/* NOT NULL proven by a CHECK only for that table and column. */
static void test_not_null_checks(void **state)
{
	(void)state;
	assert_rules("ALTER TABLE t ADD CONSTRAINT c1 CHECK (a IS NOT NULL) NOT VALID;\n"
	             "ALTER TABLE t ADD CONSTRAINT c2 CHECK (a IS NULL) NOT VALID;\n"
	             "ALTER TABLE t ADD CONSTRAINT c3 CHECK (a > 0) NOT VALID;\n"
	             "ALTER TABLE t ADD CONSTRAINT c4 CHECK (t.a IS NOT NULL) NOT VALID;\n"
	             "ALTER TABLE t ADD CHECK (b IS NOT NULL) NOT VALID;\n"
	             "ALTER TABLE t VALIDATE CONSTRAINT c1;\n"
	             "ALTER TABLE u VALIDATE CONSTRAINT c1;\n"
	             "ALTER TABLE t VALIDATE CONSTRAINT c9;\n"
	             "ALTER TABLE u ALTER COLUMN a SET NOT NULL;\n"
	             "ALTER TABLE t ALTER COLUMN b SET NOT NULL;\n"
	             "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n",
	             NULL,
	             "require-timeout-settings 1:1 warning\n"
	             "setting-not-null-on-existing-column 9:1 error\n"
	             "setting-not-null-on-existing-column 10:1 error\n");
}

/* VACUUM without FULL and ANALYZE take no exclusive lock. */
static void test_vacuum(void **state)
{
	(void)state;
	assert_lint("VACUUM t;\n"
	            "VACUUM (ANALYZE) t;\n"
	            "VACUUM (FULL) t, u;\n"
	            "ANALYZE t;\n"
	            "VACUUM FULL;\n"
	            "ALTER TABLE p ATTACH PARTITION c FOR VALUES IN (1);\n"
	            "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;\n"
	            "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i;\n"
	            "ALTER TABLE t ADD PRIMARY KEY USING INDEX i;\n"
	            "ALTER TABLE t ADD UNIQUE (a);\n",
	            "vacuum-full-or-cluster 3:1 error\n"
	            "vacuum-full-or-cluster 5:1 error\n"
	            "require-timeout-settings 6:1 warning\n"
	            "mixed-no-transaction 6:1 error\n"
	            "unique-constraint-without-index 10:19 error\n");
}

/* How the runner must run each statement of sql, one letter each:
 * P plain, T transaction control, N not in a transaction, C COPY FROM
 * STDIN. */
static void assert_kinds(const char *sql, const char *expected)
{
	gw_sql_list list = GW_SQL_LIST_INIT;
	gw_ctx *ctx = NULL;
	char out[256];
	size_t i;

	assert_int_equal(gw_ctx_new(&ctx), 0);
	if (gw_sql_split(&list, GW_DIALECT_POSTGRES, sql, strlen(sql), NULL, ctx) < 0)
		fail_msg("%s\n--- %s", sql, gw_ctx_error(ctx)->message);
	for (i = 0; i < list.count && i + 1 < sizeof(out); i++)
		out[i] = "PTNC"[list.items[i].kind];
	out[i] = '\0';
	if (strcmp(out, expected))
		fail_msg("%s\n--- found: %s, expected: %s", sql, out, expected);
	gw_sql_list_dispose(&list);
	gw_ctx_free(ctx);
}

/* The statements PostgreSQL refuses in a transaction block, and the
 * spellings of the same commands it accepts there. */
static void test_statement_kinds(void **state)
{
	(void)state;
	assert_kinds("REINDEX (CONCURRENTLY) INDEX i;\n"
	             "REINDEX (CONCURRENTLY false) INDEX i;\n"
	             "REINDEX (VERBOSE) TABLE t;\n"
	             "REINDEX SCHEMA s;\n"
	             "REINDEX SYSTEM d;\n"
	             "REINDEX DATABASE d;\n",
	             "NPPNNN");
	assert_kinds("ALTER TABLE p DETACH PARTITION c CONCURRENTLY;\n"
	             "ALTER TABLE p DETACH PARTITION c;\n"
	             "ALTER TABLE p ADD COLUMN \"concurrently\" int;\n"
	             "CLUSTER t USING i;\n"
	             "CLUSTER;\n"
	             "VACUUM t;\n"
	             "ANALYZE t;\n",
	             "NPPPNNP");
	assert_kinds("ALTER DATABASE d SET TABLESPACE x;\n"
	             "ALTER DATABASE d WITH CONNECTION LIMIT 3;\n"
	             "ALTER SYSTEM SET work_mem = '1MB';\n"
	             "CREATE DATABASE d;\n"
	             "DROP DATABASE d;\n"
	             "CREATE TABLESPACE x LOCATION '/x';\n"
	             "DROP TABLESPACE x;\n",
	             "NPNNNNN");
	assert_kinds(
	        "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p;\n"
	        "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (connect = false);\n"
	        "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (create_slot = false);\n"
	        "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (connect = false, "
	        "create_slot = true);\n"
	        "ALTER SUBSCRIPTION s REFRESH PUBLICATION;\n"
	        "ALTER SUBSCRIPTION s SET PUBLICATION p;\n"
	        "ALTER SUBSCRIPTION s ADD PUBLICATION p WITH (refresh = false);\n"
	        "ALTER SUBSCRIPTION s DROP PUBLICATION p WITH (refresh = true);\n"
	        "ALTER SUBSCRIPTION s DISABLE;\n"
	        "DROP SUBSCRIPTION s;\n",
	        "NPPNNNPNPN");
	assert_kinds("COPY t FROM STDIN;\n"
	             "COPY t FROM '/tmp/x';\n"
	             "COPY t FROM PROGRAM 'cat';\n"
	             "COPY t TO STDOUT;\n"
	             "DROP INDEX CONCURRENTLY i;\n"
	             "DROP INDEX i;\n"
	             "SAVEPOINT a;\n"
	             "RELEASE a;\n"
	             "PREPARE TRANSACTION 'x';\n"
	             "SELECT 'concurrently';\n",
	             "CPPPNPTTTP");
}

/* What the runner checks after a concurrent index build, and statements
 * that build none. */
static void assert_index_build(const char *sql, const char *expected)
{
	gw_index_build b = GW_INDEX_BUILD_INIT;
	gw_ctx *ctx = NULL;
	char out[256];

	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_sql_index_build(&b, sql, strlen(sql), ctx), 0);
	snprintf(out, sizeof(out), "%d %d %s %s %s", (int)b.kind, b.if_not_exists,
	         b.schema ? b.schema : "-", b.table ? b.table : "-", b.index ? b.index : "-");
	if (strcmp(out, expected))
		fail_msg("%s\n--- found: %s, expected: %s", sql, out, expected);
	gw_index_build_dispose(&b);
	gw_ctx_free(ctx);
}

static void test_index_builds(void **state)
{
	(void)state;
	assert_index_build("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t (a)", "1 1 s t i");
	assert_index_build("CREATE INDEX CONCURRENTLY i ON t (a)", "1 0 - t i");
	assert_index_build("CREATE INDEX CONCURRENTLY ON t (a)", "0 0 - - -");
	assert_index_build("CREATE INDEX i ON t (a)", "0 0 - - -");
	assert_index_build("REINDEX (CONCURRENTLY) INDEX s.i", "2 0 s - i");
	assert_index_build("REINDEX TABLE CONCURRENTLY t", "3 0 - t -");
	assert_index_build("REINDEX (CONCURRENTLY) SCHEMA s", "0 0 - - -");
	assert_index_build("REINDEX INDEX i", "0 0 - - -");
	assert_index_build("SELECT 1; SELECT 2", "0 0 - - -");
	assert_index_build("CREATE INDEX CONCURRENTLY i ON", "0 0 - - -");
	assert_index_build("", "0 0 - - -");
}

/* FULL spelled as a string, a number or a boolean. */
static void test_option_spellings(void **state)
{
	(void)state;
	assert_lint("VACUUM (FULL off) t;\n"
	            "VACUUM (FULL 'false') t;\n"
	            "VACUUM (FULL 0) t;\n"
	            "VACUUM (FULL 1) t;\n"
	            "VACUUM (FULL on) t;\n"
	            "VACUUM (FULL true) t;\n"
	            "VACUUM (FULL FALSE) t;\n",
	            "vacuum-full-or-cluster 4:1 error\n"
	            "vacuum-full-or-cluster 5:1 error\n"
	            "vacuum-full-or-cluster 6:1 error\n");
}

/* Defaults that need a rewrite: volatile calls anywhere in them. */
static void test_volatile_defaults(void **state)
{
	(void)state;
	assert_lint("SET lock_timeout = '1s';\n"
	            "ALTER TABLE t ADD COLUMN a timestamptz DEFAULT now();\n"
	            "ALTER TABLE t ADD COLUMN b text DEFAULT lower(random()::text);\n"
	            "ALTER TABLE t ADD COLUMN c text DEFAULT lower('X');\n"
	            "ALTER TABLE t ADD COLUMN d int DEFAULT 1 + 2;\n"
	            "ALTER TABLE t ADD COLUMN e float DEFAULT 1 + random();\n"
	            "ALTER TABLE t ADD COLUMN f int DEFAULT (SELECT 1);\n"
	            "ALTER TABLE t ADD COLUMN g text DEFAULT s.lower('x');\n"
	            "ALTER TABLE t ADD COLUMN h text DEFAULT now()::text;\n"
	            "ALTER TABLE t ADD COLUMN i int DEFAULT -1;\n"
	            "ALTER TABLE t ADD COLUMN j text DEFAULT pg_catalog.lower('x');\n"
	            "ALTER TABLE t ADD COLUMN k text DEFAULT a.b.upper('x');\n",
	            "adding-field-with-volatile-default 3:26 error\n"
	            "adding-field-with-volatile-default 6:26 error\n"
	            "adding-field-with-volatile-default 7:26 error\n"
	            "adding-field-with-volatile-default 8:26 error\n"
	            "adding-field-with-volatile-default 12:26 error\n");
}

/* A table created with CREATE TABLE AS or SELECT INTO is new too, also
 * when the SELECT INTO is the first of a UNION; a plain SELECT creates
 * nothing. */
static void test_created_as(void **state)
{
	(void)state;
	assert_lint("CREATE TABLE n AS SELECT 1 AS a;\n"
	            "SELECT 1 AS a INTO m;\n"
	            "DELETE FROM n;\n"
	            "UPDATE m SET a = 2;\n"
	            "CREATE TABLE s.x (a int);\n"
	            "DELETE FROM s.x;\n"
	            "DELETE FROM x;\n"
	            "SELECT 1 AS a INTO TEMP u UNION SELECT 2 UNION SELECT 3;\n"
	            "UPDATE u SET a = 4;\n"
	            "SELECT 1 AS a INTO s.v;\n"
	            "DELETE FROM s.v;\n"
	            "SELECT 1 AS a FROM w;\n"
	            "UPDATE w SET a = 5;\n",
	            "delete-without-where 7:1 error\n"
	            "update-without-where 13:1 error\n");
}

/* PL/pgSQL bodies found by the language option, wherever it is. */
static void test_plpgsql_languages(void **state)
{
	(void)state;
	assert_checks("CREATE FUNCTION a() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"
	              "CREATE FUNCTION b() RETURNS int AS $f$\nBEGIN\n  IF THEN END IF;\nEND $f$ "
	              "LANGUAGE plpgsql;\n"
	              "DO LANGUAGE plpgsql $$ BEGIN RETURN 1 END $$;\n"
	              "DO $$ SELECT 1 $$ LANGUAGE sql;\n"
	              "CREATE FUNCTION c() RETURNS int AS 'BEGIN PERFORM ''a'' END' "
	              "LANGUAGE plpgsql;\n"
	              "CREATE PROCEDURE d() LANGUAGE plpgsql AS $$\nBEGIN\n  COMMIT;\n  y := "
	              "1;\nEND $$;\n",
	              GW_CHECK_SYNTAX | GW_CHECK_PLPGSQL, NULL,
	              "plpgsql-syntax 4:6 error\n"
	              "plpgsql-syntax 6:24 error\n"
	              "plpgsql-syntax 8:37 error\n"
	              "plpgsql-syntax 12:3 error\n");
}

/* godwit:ignore among other comments and minus signs. */
static void test_ignore_scanning(void **state)
{
	(void)state;
	assert_lint("SELECT 1 - 2;\n"
	            "--\n"
	            "-- godwit\n"
	            "--godwit:ignore\t\tprefer-jsonb\t \n"
	            "CREATE TABLE a (j json);\n"
	            "CREATE TABLE b (j json); -- godwit:ignore prefer-jsonb\r\n"
	            "CREATE TABLE c (j json);\n"
	            "CREATE TABLE d (j json); \t-- godwit:ignore prefer-jsonb\n",
	            "prefer-jsonb 7:19 warning\n");
	/* A lone minus at the very end. */
	assert_lint("SELECT 1;\n-", "syntax 2:1 error\n");
}

/* The findings API on no findings and past the end; a version it does
 * not know; a text without a name. */
static void test_findings_api(void **state)
{
	gw_lint_options opts = GW_LINT_OPTIONS_INIT;
	gw_findings *f = NULL;
	gw_dialect_from from = GW_DIALECT_FROM_OPTION;
	gw_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(gw_findings_count(NULL), 0);
	assert_null(gw_findings_get(NULL, 0));
	assert_int_equal(gw_findings_max_level(NULL), GW_LEVEL_OFF);
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_lint_sql(&f, NULL, "DROP TABLE t;", 13, &opts, ctx), 0);
	assert_int_equal(gw_findings_count(f), 2);
	assert_string_equal(gw_findings_get(f, 0)->file, "-");
	assert_string_equal(gw_findings_get(f, 1)->file, "-");
	assert_null(gw_findings_get(f, 2));
	/* gw_lint_sql's findings say no dialect: the caller chose it. */
	assert_null(gw_findings_dialect(f, NULL));
	assert_null(gw_findings_dialect(f, &from));
	assert_int_equal(from, 0);
	from = GW_DIALECT_FROM_OPTION;
	assert_null(gw_findings_dialect(NULL, &from));
	assert_int_equal(from, 0);
	gw_findings_free(f);
	f = NULL;
	opts.version = 99;
	assert_int_equal(gw_lint_sql(&f, "m.sql", "SELECT 1;", 9, &opts, ctx), GW_EINVALID);
	assert_null(f);
	gw_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_data_changes),
	        cmocka_unit_test(test_access),
	        cmocka_unit_test(test_row_level_security),
	        cmocka_unit_test(test_row_level_security_as),
	        cmocka_unit_test(test_not_null_checks),
	        cmocka_unit_test(test_vacuum),
	        cmocka_unit_test(test_statement_kinds),
	        cmocka_unit_test(test_index_builds),
	        cmocka_unit_test(test_option_spellings),
	        cmocka_unit_test(test_volatile_defaults),
	        cmocka_unit_test(test_created_as),
	        cmocka_unit_test(test_plpgsql_languages),
	        cmocka_unit_test(test_ignore_scanning),
	        cmocka_unit_test(test_findings_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
