/*
 * test_cov_lib4_lint.c: the lint engine's paths that the rule table's
 * examples do not take (src/lib/sql/lint.c, lint_tables.c), each with the
 * exact findings it gives:
 *  - a column added as PRIMARY KEY, serial2/4/8, VACUUM (FULL false),
 *    NOT NULL proven by a CHECK validated by name;
 *  - godwit:ignore with trailing blanks, an empty list, a CRLF file;
 *  - level lists with blanks, empty items and a name too long;
 *  - PL/pgSQL errors located in a quoted body, on a later line, in a body
 *    that starts with CRLF, and a message that names no token;
 *  - SQLite's SQL linted statement by statement.
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

/* The findings as "rule LINE:COL message", one per line. */
static void put_findings(char *out, size_t size, const gw_findings *f)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < gw_findings_count(f); i++) {
		const gw_finding *x = gw_findings_get(f, i);

		len += (size_t)snprintf(out + len, size - len, "%s %d:%d %s\n", x->rule, x->line,
		                        x->column, x->message);
	}
}

/* What gw_lint_sql finds in sql. */
static void assert_lint(const char *sql, const gw_lint_options *opts, const char *expected)
{
	gw_ctx *ctx = NULL;
	gw_findings *f = NULL;
	char out[8192];

	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_lint_sql(&f, "m.sql", sql, strlen(sql), opts, ctx), 0);
	put_findings(out, sizeof(out), f);
	if (strcmp(out, expected))
		fail_msg("%s\n--- found:\n%s--- expected:\n%s", sql, out, expected);
	gw_findings_free(f);
	gw_ctx_free(ctx);
}

/* What one section finds with these checks (validate's and lint's are
 * made of them): the PL/pgSQL compiler and SQLite's way are not
 * gw_lint_sql's. */
static void assert_section(const char *sql, unsigned checks, const char *expected)
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

/* A column added as a primary key builds its index under the lock, needs
 * a default for its NOT NULL, and is an int key. */
static void test_column_added_as_primary_key(void **state)
{
	(void)state;
	assert_lint(
	        "SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN id int PRIMARY KEY;", NULL,
	        "adding-not-nullable-field 2:30 adding the NOT NULL column id without a default "
	        "fails if users has rows\n"
	        "prefer-bigint-keys 2:33 key column id is int4, which runs out at 2^31; use "
	        "bigint\n"
	        "unique-constraint-without-index 2:37 adding column id as a primary key builds "
	        "its index while users is locked\n");
}

/* Every spelling of serial rewrites the table. */
static void test_serial_spellings(void **state)
{
	(void)state;
	assert_lint(
	        "SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN a serial2, ADD COLUMN b "
	        "serial4, ADD COLUMN c serial8, ADD COLUMN d smallserial;",
	        NULL,
	        "adding-serial-or-identity 2:30 adding the serial2 column a rewrites users\n"
	        "adding-serial-or-identity 2:52 adding the serial4 column b rewrites users\n"
	        "adding-serial-or-identity 2:74 adding the serial8 column c rewrites users\n"
	        "adding-serial-or-identity 2:96 adding the smallserial column d rewrites users\n");
}

/* Column constraints that build nothing (a foreign key, NULL, CHECK on a
 * new column) are no finding; USING INDEX builds nothing either, while
 * an EXCLUDE constraint does. */
static void test_constraints_that_build_nothing(void **state)
{
	(void)state;
	assert_lint("SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN org bigint REFERENCES "
	            "orgs (id), ADD COLUMN note text NULL CHECK (note <> '');",
	            NULL, "");
	assert_lint("SET lock_timeout = '1s';\nALTER TABLE users ADD EXCLUDE USING gist (span WITH "
	            "&&), ADD CONSTRAINT p PRIMARY KEY USING INDEX users_pk;",
	            NULL,
	            "unique-constraint-without-index 2:23 adding constraint (unnamed) builds its "
	            "index while users is locked; build the index CONCURRENTLY first and add it "
	            "USING INDEX\n");
	assert_lint("SET lock_timeout = '1s';\nALTER TABLE events DETACH PARTITION e2020 FINALIZE;",
	            NULL, "");
	assert_lint(
	        "SET lock_timeout = '1s';\nALTER TABLE ONLY public.users ADD CONSTRAINT fk FOREIGN "
	        "KEY (o) REFERENCES o (id), ADD CONSTRAINT ck CHECK (a > 0);",
	        NULL,
	        "constraint-missing-not-valid 2:35 adding foreign key fk without NOT VALID checks "
	        "every row of public.users while it and the referenced table are locked\n"
	        "constraint-missing-not-valid 2:88 adding check constraint ck without NOT VALID "
	        "checks every row of public.users while it is locked\n");
}

/* SET NOT NULL needs no scan after a valid CHECK (col IS NOT NULL): one
 * validated by its own name (not a name it starts with), or added valid;
 * a CHECK about something else proves nothing. */
static void test_not_null_proven_by_check(void **state)
{
	(void)state;
	assert_lint("SET lock_timeout = '1s';\n"
	            "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\n"
	            "ALTER TABLE users VALIDATE CONSTRAINT cc;\n"
	            "ALTER TABLE users VALIDATE CONSTRAINT c;\n"
	            "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
	            NULL, "");
	assert_lint(
	        "SET lock_timeout = '1s';\n"
	        "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\n"
	        "ALTER TABLE users VALIDATE CONSTRAINT cc;\n"
	        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
	        NULL,
	        "setting-not-null-on-existing-column 4:1 SET NOT NULL on users.email checks every "
	        "row while the table is locked\n");
	assert_lint(
	        "SET lock_timeout = '1s';\n"
	        "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NULL) NOT VALID, ADD "
	        "CONSTRAINT d CHECK (lower(email) IS NOT NULL) NOT VALID, ADD CONSTRAINT e CHECK "
	        "(u.email IS NOT NULL) NOT VALID, ADD CONSTRAINT f CHECK (id > 0) NOT VALID;\n"
	        "ALTER TABLE users VALIDATE CONSTRAINT c, VALIDATE CONSTRAINT d, VALIDATE "
	        "CONSTRAINT e, VALIDATE CONSTRAINT f;\n"
	        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
	        NULL,
	        "setting-not-null-on-existing-column 4:1 SET NOT NULL on users.email checks every "
	        "row while the table is locked\n");
	assert_lint(
	        "SET lock_timeout = '1s';\nALTER TABLE users ADD CHECK (email IS NOT NULL);\n"
	        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
	        NULL,
	        "constraint-missing-not-valid 2:23 adding check constraint (unnamed) without NOT "
	        "VALID checks every row of users while it is locked\n");
}

/* FULL takes a boolean the way PostgreSQL reads one: FULL false, off or 0
 * is a plain VACUUM, which takes no ACCESS EXCLUSIVE lock. */
static void test_vacuum_full_as_a_boolean(void **state)
{
	static const char *const full[] = {"VACUUM FULL users;", "VACUUM (FULL) users;",
	                                   "VACUUM (FULL true) users;", "VACUUM (FULL on) users;",
	                                   "VACUUM (FULL 1, ANALYZE) users;"};
	static const char *const plain[] = {
	        "VACUUM (FULL false) users;", "VACUUM (FULL off) users;", "VACUUM (FULL 0) users;",
	        "VACUUM (FULL 'OFF') users;", "VACUUM (ANALYZE) users;"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(full) / sizeof(full[0]); i++)
		assert_lint(
		        full[i], NULL,
		        "vacuum-full-or-cluster 1:1 VACUUM FULL rewrites the table under an ACCESS "
		        "EXCLUSIVE lock\n");
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		assert_lint(plain[i], NULL, "");
}

/* godwit:ignore: trailing blanks are not part of the list; one on the
 * line of the statement before (CRLF lines) covers that statement only;
 * a name too long for a rule is unknown; an empty list names no rule. */
static void test_ignore_comments(void **state)
{
	(void)state;
	assert_lint(
	        "SET lock_timeout = 1;\n-- godwit:ignore dropping-table   \nDROP TABLE users;\n",
	        NULL, "");
	assert_lint(
	        "SET lock_timeout = '1s';\r\n"
	        "DROP TABLE a; -- godwit:ignore dropping-table\r\n"
	        "DROP TABLE b;\r\n"
	        "-- godwit:ignore "
	        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	        "xxxxxxxxxxxxxxxxxx, prefer-jsonb\r\n"
	        "DROP TABLE c;\r\n"
	        "-- godwit:ignore\r\n"
	        "DROP TABLE d;\r\n",
	        NULL,
	        "dropping-table 3:1 dropping a table breaks code that still uses it, and its data "
	        "is gone\n"
	        "unused-ignore 4:1 unknown rule "
	        "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	        "xxxxxxxxxxxxxxxxxxx' in godwit:ignore\n"
	        "unused-ignore 4:1 godwit:ignore prefer-jsonb silences nothing here; remove it\n"
	        "dropping-table 5:1 dropping a table breaks code that still uses it, and its data "
	        "is gone\n"
	        "unused-ignore 6:1 godwit:ignore names no rule\n"
	        "dropping-table 7:1 dropping a table breaks code that still uses it, and its data "
	        "is gone\n");
}

/* With unused-ignore off, or the rule named off, an ignore that silences
 * nothing is not reported. */
static void test_unused_ignore_off(void **state)
{
	gw_lint_options o = GW_LINT_OPTIONS_INIT;

	(void)state;
	o.disable = "unused-ignore";
	assert_lint("-- godwit:ignore prefer-jsonb, nonsense\nSELECT 1;", &o, "");
	o.disable = " prefer-jsonb , ,";
	assert_lint("-- godwit:ignore prefer-jsonb\nSELECT 1;", &o, "");
}

/* Level lists: blanks and empty items are skipped; a name longer than
 * any rule's is unknown, said once, and nothing is linted. */
static void test_level_lists(void **state)
{
	gw_lint_options o = GW_LINT_OPTIONS_INIT;
	gw_ctx *ctx = NULL;
	gw_findings *f = NULL;
	const char *sql = "CREATE TABLE t (a json);";

	(void)state;
	o.warning = " , prefer-jsonb ,, ";
	assert_lint(sql, &o, "prefer-jsonb 1:19 column a is json; use jsonb\n");
	assert_int_equal(gw_ctx_new(&ctx), 0);
	o.warning = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	            "xxxxxxxxxxxxxxxxxxxxxx";
	assert_int_equal(gw_lint_sql(&f, "m.sql", sql, strlen(sql), &o, ctx), GW_ECONFIG);
	assert_null(f);
	assert_string_equal(gw_ctx_error(ctx)->message,
	                    "lint_warning: unknown lint rule "
	                    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'");
	gw_ctx_free(ctx);
	assert_string_equal(gw_level_name((gw_level)7), "off");
}

/* PL/pgSQL errors point at the token the compiler names, on the line it
 * was near: in a body written as a quoted string too, in one whose first
 * line ends with CRLF, and at the line's start when the message names no
 * token. A body in another language is not compiled. */
static void test_plpgsql_positions(void **state)
{
	unsigned checks = GW_CHECK_SYNTAX | GW_CHECK_PLPGSQL;

	(void)state;
	assert_section(
	        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS '\nBEGIN\n  RETURN 1\nEND';",
	        checks, "plpgsql-syntax 4:1 syntax error at end of input\n");
	assert_section("DO $$\r\nBEGIN\r\n  PERFORM 1;\r\n  x := 1;\r\nEND$$;", checks,
	               "plpgsql-syntax 4:3 \"x\" is not a known variable\n");
	assert_section("DO LANGUAGE plpgsql $$BEGIN RETURN 1 END$$;", checks,
	               "plpgsql-syntax 1:23 syntax error at end of input\n");
	assert_section("DO LANGUAGE sql $$BEGIN RETURN 1 END$$;\n"
	               "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1';",
	               checks, "");
}

/* SQLite's SQL: a statement PostgreSQL cannot read is skipped, the others
 * are linted with their comments (the last one needs no semicolon); SQL
 * that SQLite's splitter refuses is validate's to report, not lint's. */
static void test_sqlite_statement_by_statement(void **state)
{
	unsigned checks = GW_CHECK_SYNTAX | GW_CHECK_RULES | GW_CHECK_SQLITE;

	(void)state;
	assert_section(
	        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x) WITHOUT ROWID;\n"
	        "-- godwit:ignore dropping-table\n"
	        "DROP TABLE users;\n"
	        "DROP TABLE sessions",
	        checks,
	        "dropping-table 4:1 dropping a table breaks code that still uses it, and its "
	        "data is gone\n");
	assert_section("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);\nSELECT 'open",
	               checks, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_column_added_as_primary_key),
	        cmocka_unit_test(test_serial_spellings),
	        cmocka_unit_test(test_constraints_that_build_nothing),
	        cmocka_unit_test(test_not_null_proven_by_check),
	        cmocka_unit_test(test_vacuum_full_as_a_boolean),
	        cmocka_unit_test(test_ignore_comments),
	        cmocka_unit_test(test_unused_ignore_off),
	        cmocka_unit_test(test_level_lists),
	        cmocka_unit_test(test_plpgsql_positions),
	        cmocka_unit_test(test_sqlite_statement_by_statement),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
