/*
 * test_cov_lib_sql.c: the statements whose run mode or locks only
 * PostgreSQL's rarer commands decide (src/lib/sql/pgquery.c, locks.c):
 * subscriptions and ALTER DATABASE ... SET TABLESPACE, which cannot run in
 * a transaction, and views, policies, schema moves, CREATE TABLE AS over a
 * subquery and REINDEX of a schema, each with the locks it takes; and
 * the defaults and columns that make adding a column rewrite its table or
 * build an index under its lock (lint.c, lint_tables.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pg_query/pg_query.pb-c.h>

#include "godwit.h"
#include "lib/sql/locks.h"
#include "lib/sql/sql.h"
#include "util/error.h"
#include "util/str.h"

typedef struct kind_case {
	const char *sql;
	gw_stmt_kind kind;
} kind_case;

static const kind_case kinds[] = {
        {"ALTER DATABASE d SET TABLESPACE fast", GW_STMT_NO_TX},
        {"ALTER DATABASE d WITH CONNECTION LIMIT 5", GW_STMT_PLAIN},
        {"CREATE SUBSCRIPTION s CONNECTION 'host=h' PUBLICATION p", GW_STMT_NO_TX},
        {"CREATE SUBSCRIPTION s CONNECTION 'host=h' PUBLICATION p WITH (connect = false)",
         GW_STMT_PLAIN},
        {"CREATE SUBSCRIPTION s CONNECTION 'host=h' PUBLICATION p WITH (create_slot = false)",
         GW_STMT_PLAIN},
        {"CREATE SUBSCRIPTION s CONNECTION 'host=h' PUBLICATION p WITH (connect = 0)",
         GW_STMT_PLAIN},
        {"CREATE SUBSCRIPTION s CONNECTION 'host=h' PUBLICATION p WITH (create_slot = 1)",
         GW_STMT_NO_TX},
        {"CREATE SUBSCRIPTION s CONNECTION 'host=h' PUBLICATION p WITH (create_slot)",
         GW_STMT_NO_TX},
        {"ALTER SUBSCRIPTION s REFRESH PUBLICATION", GW_STMT_NO_TX},
        {"ALTER SUBSCRIPTION s SET PUBLICATION p", GW_STMT_NO_TX},
        {"ALTER SUBSCRIPTION s SET PUBLICATION p WITH (refresh = false)", GW_STMT_PLAIN},
        {"ALTER SUBSCRIPTION s ENABLE", GW_STMT_PLAIN},
};

static void test_kinds(void **state)
{
	gw_ctx *ctx = NULL;
	size_t i;
	int failed = 0;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		gw_sql_list list = GW_SQL_LIST_INIT;
		size_t at = 0;

		if (gw_sql_split(&list, GW_DIALECT_POSTGRES, kinds[i].sql, strlen(kinds[i].sql),
		                 &at, ctx) < 0)
			fail_msg("split: %s: %s", kinds[i].sql, gw_ctx_error(ctx)->message);
		assert_int_equal(list.count, 1);
		if (list.items[0].kind != kinds[i].kind) {
			print_error("%s: kind %d, want %d\n", kinds[i].sql, (int)list.items[0].kind,
			            (int)kinds[i].kind);
			failed++;
		}
		gw_sql_list_dispose(&list);
	}
	gw_ctx_free(ctx);
	assert_int_equal(failed, 0);
}

/* The locks of the one statement in sql, as "[table mode effect] ...". */
static void assert_locks(const char *sql, const char *want)
{
	PgQuery__ParseResult *tree = NULL;
	gw_lock_list l = GW_LOCK_LIST_INIT;
	gw_str syntax = GW_STR_INIT, got = GW_STR_INIT;
	gw_ctx *ctx = NULL;
	size_t bad = 0, i;

	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_sql_parse_tree(&tree, sql, strlen(sql), &syntax, &bad, ctx), 0);
	if (!tree)
		fail_msg("does not parse: %s: %s", sql, syntax.ptr);
	assert_int_equal(tree->n_stmts, 1);
	assert_int_equal(gw_locks_classify(&l, tree->stmts[0]->stmt), 0);
	for (i = 0; i < l.count; i++)
		gw_str_printf(&got, "%s[%s %s %s]", i ? " " : "",
		              l.items[i].table ? l.items[i].table : "(all)",
		              gw_lock_mode_name(l.items[i].mode),
		              gw_lock_effect_name(l.items[i].effect));
	if (strcmp(got.ptr, want))
		fail_msg("%s\n  got:  %s\n  want: %s", sql, got.ptr, want);
	gw_lock_list_dispose(&l);
	gw_sql_parse_tree_free(tree);
	gw_str_dispose(&syntax);
	gw_str_dispose(&got);
	gw_ctx_free(ctx);
}

/* A table the statement creates takes no lock ("creates"); REINDEX of a
 * schema or database locks its tables one after the other ("(all)"). */
static void test_locks(void **state)
{
	(void)state;
	assert_locks("CREATE VIEW v AS SELECT * FROM t", "[v  creates] [t ACCESS SHARE none]");
	assert_locks("CREATE TABLE c AS SELECT * FROM (SELECT id FROM t) s",
	             "[c  creates] [t ACCESS SHARE none]");
	assert_locks("SELECT * INTO c FROM t", "[c  creates] [t ACCESS SHARE none]");
	assert_locks("ALTER TABLE t SET SCHEMA archive", "[t ACCESS EXCLUSIVE none]");
	assert_locks("CREATE POLICY p ON t USING (true)", "[t ACCESS EXCLUSIVE none]");
	assert_locks("REINDEX SCHEMA app", "[(all) SHARE scan]");
	assert_locks("REINDEX SCHEMA CONCURRENTLY app", "[(all) SHARE UPDATE EXCLUSIVE scan]");
	assert_locks("REINDEX DATABASE app", "[(all) SHARE scan]");
}

/* The rules that fired on sql, in order, one per line. */
static void assert_rules(const char *sql, const char *want)
{
	gw_lint_options opts = GW_LINT_OPTIONS_INIT;
	gw_findings *f = NULL;
	gw_str got = GW_STR_INIT;
	gw_ctx *ctx = NULL;
	size_t i;

	/* Only the rule under test, whatever its default level. */
	opts.disable = "require-timeout-settings";
	opts.warning = "adding-field-with-volatile-default,adding-serial-or-identity,"
	               "unique-constraint-without-index";
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_lint_sql(&f, "m.sql", sql, strlen(sql), &opts, ctx), 0);
	for (i = 0; i < gw_findings_count(f); i++)
		gw_str_printf(&got, "%s\n", gw_findings_get(f, i)->rule);
	if (strcmp(got.ptr, want))
		fail_msg("%s\n  got:  %s\n  want: %s", sql, got.ptr, want);
	gw_str_dispose(&got);
	gw_findings_free(f);
	gw_ctx_free(ctx);
}

/* A default PostgreSQL can store once is no rewrite: a stable function
 * whose arguments are stable too. Anything else is evaluated for every
 * row: a volatile function anywhere in it, under a cast or an operator,
 * or a subquery. A table the migration creates has no rows to rewrite. */
static void test_volatile_defaults(void **state)
{
	(void)state;
	assert_rules("ALTER TABLE t ADD COLUMN x int DEFAULT (random() * 10)::int;",
	             "adding-field-with-volatile-default\n");
	assert_rules("ALTER TABLE t ADD COLUMN x int DEFAULT 1 + random()::int;",
	             "adding-field-with-volatile-default\n");
	assert_rules("ALTER TABLE t ADD COLUMN x text DEFAULT upper(md5(random()::text));",
	             "adding-field-with-volatile-default\n");
	assert_rules("ALTER TABLE t ADD COLUMN x text DEFAULT upper(lower('A') || 'b');", "");
	assert_rules("ALTER TABLE t ADD COLUMN x int DEFAULT (SELECT 1);",
	             "adding-field-with-volatile-default\n");
	assert_rules("CREATE TABLE c AS SELECT 1 AS id;\n"
	             "ALTER TABLE c ADD COLUMN x int DEFAULT (random() * 10)::int;",
	             "");
}

/* A new identity column gets a value in every row: the table is
 * rewritten. An existing column made an identity keeps its values and
 * takes only a sequence: no rewrite (PostgreSQL keeps the same
 * relfilenode), so nothing to report. A new column with UNIQUE builds its
 * index while the table is locked. */
static void test_identity_and_unique_columns(void **state)
{
	(void)state;
	assert_rules("ALTER TABLE t ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;",
	             "adding-serial-or-identity\n");
	assert_rules("ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;", "");
	assert_rules("ALTER TABLE t ADD COLUMN code text UNIQUE;",
	             "unique-constraint-without-index\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_kinds),
	        cmocka_unit_test(test_locks),
	        cmocka_unit_test(test_volatile_defaults),
	        cmocka_unit_test(test_identity_and_unique_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
