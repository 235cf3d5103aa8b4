/*
 * test_lint.c: the lint engine and its rules (src/lib/sql/lint*.c)
 * through the public gw_lint_sql: every rule fires on its case and stays
 * silent on the safe one; positions, ignores, levels and the rule table.
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

typedef struct rule_case {
	const char *rule;
	const char *fires;
	const char *safe;
	int no_tx; /* lint as a -- godwit:no-transaction file */
} rule_case;

/* "CREATE TABLE users ..." makes a table new to the file, which exempts
 * it; the cases below work on tables that already exist. */
static const rule_case cases[] = {
        {"adding-field-with-volatile-default",
         "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
         "ALTER TABLE users ADD COLUMN created timestamptz DEFAULT now();", 0},
        {"changing-column-type", "ALTER TABLE users ALTER COLUMN name TYPE text;",
         "CREATE TABLE t (name varchar);\nALTER TABLE t ALTER COLUMN name TYPE text;", 0},
        {"stored-generated-column",
         "ALTER TABLE users ADD COLUMN l text GENERATED ALWAYS AS (lower(email)) STORED;",
         "ALTER TABLE users ADD COLUMN l text;", 0},
        {"adding-serial-or-identity", "ALTER TABLE events ADD COLUMN id bigserial;",
         "CREATE TABLE events (id bigserial);", 0},
        {"vacuum-full-or-cluster", "VACUUM FULL users;", "VACUUM users;", 1},
        {"rebuilding-table",
         "CREATE TABLE users_new (id bigint);\nINSERT INTO users_new SELECT id FROM users;\n"
         "DROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
         "CREATE TABLE users_new (id bigint);\nALTER TABLE users_new RENAME TO accounts;", 0},
        {"constraint-missing-not-valid",
         "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
         "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT "
         "VALID;",
         0},
        {"unique-constraint-without-index", "ALTER TABLE users ADD CONSTRAINT k UNIQUE (email);",
         "ALTER TABLE users ADD CONSTRAINT k UNIQUE USING INDEX k;", 0},
        {"setting-not-null-on-existing-column",
         "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
         "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;", 0},
        {"adding-not-nullable-field", "ALTER TABLE users ADD COLUMN plan text NOT NULL;",
         "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';", 0},
        {"require-concurrent-index-creation", "CREATE INDEX users_email ON users (email);",
         "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (email);", 1},
        {"require-concurrent-index-deletion", "DROP INDEX users_email;",
         "DROP INDEX CONCURRENTLY IF EXISTS users_email;", 1},
        {"reindex-without-concurrently", "REINDEX INDEX users_email;",
         "REINDEX INDEX CONCURRENTLY users_email;", 1},
        {"detach-partition-without-concurrently", "ALTER TABLE events DETACH PARTITION e2020;",
         "ALTER TABLE events DETACH PARTITION e2020 CONCURRENTLY;", 1},
        {"wide-non-unique-index", "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a, b, c, d);",
         "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a, b, c, d);", 1},
        {"truncate-cascade", "TRUNCATE users CASCADE;", "TRUNCATE users;", 0},
        {"require-timeout-settings", "ALTER TABLE users ADD COLUMN bio text;",
         "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN bio text;", 0},
        {"dropping-column", "ALTER TABLE users DROP COLUMN nickname;",
         "ALTER TABLE users ADD COLUMN nickname text;", 0},
        {"dropping-table", "DROP TABLE sessions;", "DROP VIEW sessions_view;", 0},
        {"ban-drop-database", "DROP DATABASE app;", "DROP SCHEMA app;", 1},
        {"dropping-not-null", "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;",
         "ALTER TABLE users ALTER COLUMN email SET DEFAULT '';", 0},
        {"renaming-column", "ALTER TABLE users RENAME COLUMN name TO full_name;",
         "CREATE TABLE t (name text);\nALTER TABLE t RENAME COLUMN name TO full_name;", 0},
        {"renaming-table", "ALTER TABLE users RENAME TO accounts;",
         "ALTER INDEX users_email RENAME TO users_mail;", 0},
        {"renaming-schema", "ALTER SCHEMA app RENAME TO core;", "CREATE SCHEMA core;", 0},
        {"renaming-enum-value", "ALTER TYPE status RENAME VALUE 'a' TO 'b';",
         "ALTER TYPE status ADD VALUE 'b' AFTER 'a';", 0},
        {"enum-add-value-without-position", "ALTER TYPE status ADD VALUE 'paused';",
         "ALTER TYPE status ADD VALUE 'paused' BEFORE 'done';", 0},
        {"prefer-jsonb", "CREATE TABLE t (data json);", "CREATE TABLE t (data jsonb);", 0},
        {"prefer-text-over-varchar", "CREATE TABLE t (name varchar(100));",
         "CREATE TABLE t (name varchar);", 0},
        {"ban-char-field", "CREATE TABLE t (code char(3));", "CREATE TABLE t (code text);", 0},
        {"prefer-timestamptz", "CREATE TABLE t (at timestamp);", "CREATE TABLE t (at timestamptz);",
         0},
        {"prefer-bigint-keys", "CREATE TABLE t (id int, PRIMARY KEY (id));",
         "CREATE TABLE t (id bigint PRIMARY KEY, n int);", 0},
        {"transaction-control-in-migration", "BEGIN;\nCREATE TABLE t (id bigint);\nCOMMIT;",
         "CREATE TABLE t (id bigint);", 0},
        {"concurrently-in-transaction",
         "BEGIN;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);\nCOMMIT;",
         "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);", 1},
        {"mixed-no-transaction",
         "CREATE TABLE IF NOT EXISTS t (id bigint);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "
         "i ON t (id);",
         "SET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (id);", 1},
        {"uncommitted-transaction", "BEGIN;\nUPDATE t SET a = 1;",
         "BEGIN;\nUPDATE t SET a = 1;\nCOMMIT;", 1},
        {"prefer-if-exists", "CREATE INDEX CONCURRENTLY i ON t (a);",
         "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);", 1},
        {"identifier-too-long",
         "CREATE TABLE t (a_column_name_that_is_much_longer_than_sixty_three_bytes_in_total_x "
         "text);",
         "CREATE TABLE t (a_short_name text);", 0},
        {"duplicate-column-assignment", "UPDATE t SET a = 1, a = 2;",
         "UPDATE t SET a[1] = 1, a[2] = 2;", 0},
        {"hardcoded-password", "CREATE ROLE app LOGIN PASSWORD 'hunter2';",
         "CREATE ROLE app LOGIN;", 0},
        {"secret-literal", "INSERT INTO s VALUES ('AKIAIOSFODNN7EXAMPLE');",
         "INSERT INTO s VALUES ('AKIA is a prefix');", 0},
        {"secret-literal",
         "SELECT '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA "
         "PRIVATE KEY-----';",
         "SELECT '-----BEGIN CERTIFICATE-----';", 0},
        {"secret-literal",
         "SELECT 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_"
         "XgL0n3I9PlFUP0THsR8U';",
         "SELECT 'eyJ.not.a.token';", 0},
        {"secret-literal", "SELECT 'q8Zt3LmX9vR2pK7wN4bY6cH1jF5sD0gA';",
         "SELECT 'the quick brown fox jumps over the lazy dog';", 0},
        /* A valid CHECK (col IS NOT NULL) spares SET NOT NULL its scan;
         * one NOT VALID, or on another column, does not. */
        {"setting-not-null-on-existing-column",
         "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\n"
         "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
         "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\n"
         "ALTER TABLE users VALIDATE CONSTRAINT c;\n"
         "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
         0},
        {"setting-not-null-on-existing-column",
         "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\n"
         "ALTER TABLE users VALIDATE CONSTRAINT c;\n"
         "ALTER TABLE users ALTER COLUMN name SET NOT NULL;",
         "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL);\n"
         "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
         0},
        {"setting-not-null-on-existing-column",
         "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\n"
         "ALTER TABLE orders VALIDATE CONSTRAINT c;\n"
         "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
         "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\n"
         "ALTER TABLE users VALIDATE CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET "
         "NOT NULL, ALTER COLUMN email SET DEFAULT '';",
         0},
        {"drop-schema-cascade", "DROP SCHEMA app CASCADE;", "DROP SCHEMA app;", 0},
        {"dropping-policy", "DROP POLICY p ON users;", "CREATE POLICY p ON users USING (true);", 0},
        {"granting-superuser", "ALTER ROLE app SUPERUSER;", "ALTER ROLE app NOSUPERUSER;", 0},
        {"granting-superuser", "ALTER ROLE app WITH SUPERUSER LOGIN;", "ALTER ROLE app LOGIN;", 0},
        {"granting-superuser", "CREATE ROLE admin SUPERUSER;", "CREATE ROLE admin NOLOGIN;", 0},
        {"disabling-row-level-security", "ALTER TABLE users DISABLE ROW LEVEL SECURITY;",
         "ALTER TABLE users ENABLE ROW LEVEL SECURITY;", 0},
        {"grant-to-public", "GRANT SELECT ON users TO PUBLIC;", "GRANT SELECT ON users TO app;", 0},
        {"delete-without-where", "DELETE FROM users;", "DELETE FROM users WHERE id = 1;", 0},
        {"update-without-where", "UPDATE users SET a = 1;", "UPDATE users SET a = 1 WHERE id = 2;",
         0},
        {"releasing-migration-lock", "DISCARD ALL;", "DISCARD PLANS;\nDISCARD SEQUENCES;", 1},
        {"releasing-migration-lock", "SELECT pg_advisory_unlock_all();",
         "SELECT app.pg_advisory_unlock_all();", 0},
        {"releasing-migration-lock", "SELECT pg_catalog.pg_advisory_unlock(7);",
         "SELECT pg_advisory_xact_lock(7);", 0},
        {"releasing-migration-lock",
         "WITH x AS (SELECT 1) SELECT count(*) FROM x WHERE pg_advisory_unlock_shared(7);",
         "SELECT pg_advisory_xact_lock_shared(7);", 0},
};

static gw_findings *lint(const char *sql, int no_tx, const char *disable)
{
	gw_lint_options opts = GW_LINT_OPTIONS_INIT;
	gw_findings *f = NULL;
	gw_ctx *ctx = NULL;

	opts.no_transaction = no_tx;
	opts.disable = disable;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_lint_sql(&f, "m.sql", sql, strlen(sql), &opts, ctx), 0);
	gw_ctx_free(ctx);
	assert_non_null(f);
	return f;
}

static const gw_finding *find(const gw_findings *f, const char *rule)
{
	size_t i;

	for (i = 0; i < gw_findings_count(f); i++)
		if (!strcmp(gw_findings_get(f, i)->rule, rule))
			return gw_findings_get(f, i);
	return NULL;
}

static void test_every_rule_fires_and_stays_silent(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gw_findings *f = lint(cases[i].fires, cases[i].no_tx, NULL);

		if (!find(f, cases[i].rule))
			fail_msg("%s did not fire on: %s", cases[i].rule, cases[i].fires);
		gw_findings_free(f);
		f = lint(cases[i].safe, cases[i].no_tx, NULL);
		if (find(f, cases[i].rule))
			fail_msg("%s fired on the safe case: %s", cases[i].rule, cases[i].safe);
		gw_findings_free(f);
	}
}

/* The examples the rule table gives (godwit lint --explain shows them)
 * are true for every rule gw_lint_sql runs: the bad one fires its rule, the good one does not,
 * linted as a file with a transaction or, for the rules about statements that cannot run in one,
 * without. */
static void test_every_rule_example_is_true(void **state)
{
	size_t i;
	int checked = 0;

	(void)state;
	for (i = 0; i < gw_lint_rule_count(); i++) {
		const gw_lint_rule *r = gw_lint_rule_get(i);
		gw_findings *f0, *f1;
		int fires;

		/* The validate family is gw_project_validate's, not lint's;
		 * table-without-row-level-security fires for the schemas a
		 * project's rls_schemas names only. */
		if (!r->bad || !r->good || !strcmp(r->family, "validate") ||
		    !strcmp(r->id, "table-without-row-level-security"))
			continue;
		f0 = lint(r->bad, 0, NULL);
		f1 = lint(r->bad, 1, NULL);
		fires = find(f0, r->id) || find(f1, r->id);
		gw_findings_free(f0);
		gw_findings_free(f1);
		if (!fires)
			fail_msg("%s: its bad example does not fire it: %s", r->id, r->bad);
		/* A breaking change's advice is when to run it, the same SQL;
		 * mixed-no-transaction's is to make two files of one. */
		if (!strcmp(r->family, "breaking") || !strcmp(r->id, "mixed-no-transaction")) {
			checked++;
			continue;
		}
		f0 = lint(r->good, 0, NULL);
		f1 = lint(r->good, 1, NULL);
		if (find(f0, r->id) && find(f1, r->id))
			fail_msg("%s: its good example fires it: %s", r->id, r->good);
		gw_findings_free(f0);
		gw_findings_free(f1);
		checked++;
	}
	assert_true(checked > 30);
}

static void test_every_tested_rule_is_documented(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const gw_lint_rule *r = gw_lint_rule_find(cases[i].rule);

		assert_non_null(r);
		assert_non_null(r->summary);
		assert_non_null(r->description);
	}
	assert_null(gw_lint_rule_find("no-such-rule"));
	assert_true(gw_lint_rule_count() >= 40);
}

static void test_finding_fields(void **state)
{
	gw_findings *f = lint(
	        "SET lock_timeout = '1s';\n\nALTER TABLE public.users\n  ALTER COLUMN email SET "
	        "NOT NULL;\n",
	        0, NULL);
	const gw_finding *x;

	(void)state;
	assert_int_equal(gw_findings_count(f), 1);
	x = gw_findings_get(f, 0);
	assert_string_equal(x->rule, "setting-not-null-on-existing-column");
	assert_int_equal(x->level, GW_LEVEL_ERROR);
	assert_string_equal(x->file, "m.sql");
	assert_int_equal(x->line, 3);
	assert_int_equal(x->column, 1);
	assert_string_equal(x->message, "SET NOT NULL on public.users.email checks every row while "
	                                "the table is locked");
	assert_string_equal(x->table, "public.users");
	assert_string_equal(x->lock, "ACCESS EXCLUSIVE");
	assert_string_equal(x->source_line, "ALTER TABLE public.users");
	assert_non_null(strstr(x->help, "VALIDATE CONSTRAINT"));
	assert_int_equal(gw_findings_max_level(f), GW_LEVEL_ERROR);
	gw_findings_free(f);
}

static void test_syntax_error_position(void **state)
{
	gw_findings *f = lint("SELECT 1;\nCREATE TABLE t (id bigint,);\n", 0, NULL);
	const gw_finding *x;

	(void)state;
	assert_int_equal(gw_findings_count(f), 1);
	x = gw_findings_get(f, 0);
	assert_string_equal(x->rule, "syntax");
	assert_string_equal(x->message, "syntax error at or near \")\"");
	assert_int_equal(x->line, 2);
	assert_int_equal(x->column, 27);
	gw_findings_free(f);
}

static void test_column_counts_characters(void **state)
{
	gw_findings *f = lint("SET lock_timeout = '1s'; /* héllo */ DROP TABLE t;", 0, NULL);

	(void)state;
	assert_int_equal(gw_findings_count(f), 1);
	assert_int_equal(gw_findings_get(f, 0)->column, 38);
	gw_findings_free(f);
}

static void test_ignore_on_the_line_before(void **state)
{
	gw_findings *f =
	        lint("SET lock_timeout = '1s';\n-- godwit:ignore dropping-table\nDROP TABLE "
	             "t;\nDROP TABLE u;\n",
	             0, NULL);

	(void)state;
	assert_int_equal(gw_findings_count(f), 1);
	assert_string_equal(gw_findings_get(f, 0)->rule, "dropping-table");
	assert_int_equal(gw_findings_get(f, 0)->line, 4);
	gw_findings_free(f);
}

static void test_ignore_at_the_end_of_the_line(void **state)
{
	gw_findings *f = lint("SET lock_timeout = '1s';\nDROP TABLE t; -- godwit:ignore "
	                      "dropping-table\nDROP TABLE u;\n",
	                      0, NULL);

	(void)state;
	assert_int_equal(gw_findings_count(f), 1);
	assert_int_equal(gw_findings_get(f, 0)->line, 3);
	gw_findings_free(f);
}

static void test_unused_and_unknown_ignores(void **state)
{
	gw_findings *f = lint("-- godwit:ignore renaming-column, no-such-rule\nCREATE TABLE t (id "
	                      "bigint);\n",
	                      0, NULL);

	(void)state;
	assert_int_equal(gw_findings_count(f), 2);
	assert_string_equal(gw_findings_get(f, 0)->rule, "unused-ignore");
	assert_string_equal(gw_findings_get(f, 0)->message,
	                    "godwit:ignore renaming-column silences nothing here; remove it");
	assert_int_equal(gw_findings_get(f, 0)->level, GW_LEVEL_WARNING);
	assert_string_equal(gw_findings_get(f, 1)->message,
	                    "unknown rule 'no-such-rule' in godwit:ignore");
	gw_findings_free(f);
}

static void test_levels_from_options(void **state)
{
	gw_lint_options opts = GW_LINT_OPTIONS_INIT;
	gw_findings *f = NULL;
	gw_ctx *ctx = NULL;
	const char *sql = "CREATE TABLE t (a json, b timestamp);";

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	opts.disable = "prefer-jsonb";
	opts.error = " prefer-timestamptz ";
	assert_int_equal(gw_lint_sql(&f, "m.sql", sql, strlen(sql), &opts, ctx), 0);
	assert_int_equal(gw_findings_count(f), 1);
	assert_string_equal(gw_findings_get(f, 0)->rule, "prefer-timestamptz");
	assert_int_equal(gw_findings_get(f, 0)->level, GW_LEVEL_ERROR);
	gw_findings_free(f);

	opts.error = "prefer-timestamp";
	assert_int_equal(gw_lint_sql(&f, "m.sql", sql, strlen(sql), &opts, ctx), GW_ECONFIG);
	assert_null(f);
	assert_string_equal(gw_ctx_error(ctx)->message,
	                    "lint_error: unknown lint rule 'prefer-timestamp'");
	assert_int_equal(gw_ctx_error(ctx)->hint_code, GW_HINT_LINT_RULES);
	assert_string_equal(gw_ctx_error(ctx)->hint, "gw_lint_rule_get lists them");
	gw_ctx_free(ctx);
}

static void test_new_tables_are_exempt(void **state)
{
	gw_findings *f = lint("CREATE TABLE t (id bigint PRIMARY KEY, email text);\n"
	                      "CREATE INDEX t_email ON t (email);\n"
	                      "ALTER TABLE t ADD COLUMN n bigint NOT NULL;\n"
	                      "ALTER TABLE t ALTER COLUMN email SET NOT NULL;\n",
	                      0, NULL);

	(void)state;
	assert_int_equal(gw_findings_count(f), 0);
	gw_findings_free(f);
}

static void test_mixed_names_the_no_transaction_statement(void **state)
{
	gw_findings *f = lint("SET lock_timeout = '1s';\nUPDATE t SET a = 1;\nCREATE INDEX "
	                      "CONCURRENTLY IF NOT EXISTS i ON t (a);\n",
	                      1, NULL);
	const gw_finding *x = find(f, "mixed-no-transaction");

	(void)state;
	assert_non_null(x);
	assert_int_equal(x->line, 2);
	assert_string_equal(x->message, "UPDATE runs without a transaction because CREATE INDEX "
	                                "(line 3) cannot run in one; a failure leaves this "
	                                "migration half-applied");
	gw_findings_free(f);
}

/* The runner runs such a file without a transaction on its own, so the
 * statement is fine where it stands; only BEGIN ... COMMIT around it fails. */
static void test_concurrently_without_directive(void **state)
{
	gw_findings *f = lint("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);", 0, NULL);

	(void)state;
	assert_null(find(f, "concurrently-in-transaction"));
	assert_int_equal(gw_findings_count(f), 0);
	gw_findings_free(f);
}

/* The finding points at the call, names it and says what to do instead;
 * one per call. */
static void test_releasing_migration_lock_points_at_the_call(void **state)
{
	gw_findings *f = lint(
	        "UPDATE t SET a = 1 WHERE id = 1;\nSELECT 1, pg_advisory_unlock_all();\n", 0, NULL);
	const gw_finding *x = find(f, "releasing-migration-lock");
	size_t i, n = 0;

	(void)state;
	assert_non_null(x);
	assert_int_equal(x->line, 2);
	assert_int_equal(x->column, 11);
	assert_int_equal(x->level, GW_LEVEL_ERROR);
	assert_string_equal(x->message,
	                    "pg_advisory_unlock_all() releases session advisory locks, godwit's "
	                    "migration lock too; take the migration's own locks with "
	                    "pg_advisory_xact_lock instead");
	for (i = 0; i < gw_findings_count(f); i++)
		n += !strcmp(gw_findings_get(f, i)->rule, "releasing-migration-lock");
	assert_int_equal(n, 1);
	gw_findings_free(f);
	f = lint("-- godwit:no-transaction\nDISCARD ALL;\n", 1, NULL);
	assert_non_null(x = find(f, "releasing-migration-lock"));
	assert_int_equal(x->line, 2);
	assert_string_equal(x->message,
	                    "DISCARD ALL releases every session advisory lock, godwit's "
	                    "migration lock too; use DISCARD PLANS, DISCARD SEQUENCES "
	                    "or DISCARD TEMP for what it is meant to reset");
	gw_findings_free(f);
	f = lint("SELECT pg_advisory_unlock_all();", 0, "releasing-migration-lock");
	assert_null(find(f, "releasing-migration-lock"));
	gw_findings_free(f);
}

static void test_concurrently_between_begin_and_commit(void **state)
{
	gw_findings *f = lint(
	        "BEGIN;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);\nCOMMIT;", 1, NULL);
	const gw_finding *x = find(f, "concurrently-in-transaction");

	(void)state;
	assert_non_null(x);
	assert_int_equal(x->line, 2);
	assert_string_equal(x->message, "CREATE INDEX cannot run between BEGIN and COMMIT");
	gw_findings_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_rule_fires_and_stays_silent),
	        cmocka_unit_test(test_every_rule_example_is_true),
	        cmocka_unit_test(test_every_tested_rule_is_documented),
	        cmocka_unit_test(test_finding_fields),
	        cmocka_unit_test(test_syntax_error_position),
	        cmocka_unit_test(test_column_counts_characters),
	        cmocka_unit_test(test_ignore_on_the_line_before),
	        cmocka_unit_test(test_ignore_at_the_end_of_the_line),
	        cmocka_unit_test(test_unused_and_unknown_ignores),
	        cmocka_unit_test(test_levels_from_options),
	        cmocka_unit_test(test_new_tables_are_exempt),
	        cmocka_unit_test(test_mixed_names_the_no_transaction_statement),
	        cmocka_unit_test(test_concurrently_without_directive),
	        cmocka_unit_test(test_releasing_migration_lock_points_at_the_call),
	        cmocka_unit_test(test_concurrently_between_begin_and_commit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
