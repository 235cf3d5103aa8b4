/*
 * test_cov_lint2_oom.c: running out of memory in the lint rules that keep
 * state from one statement to the next (src/lib/sql/lint_danger.c's tables
 * waiting for row-level security, lint_tables.c's CHECK (col IS NOT NULL)
 * constraints and proven columns, lint.c's created and dropped tables)
 * is GW_ENOMEM with "out of memory", never a crash or a finding left out.
 * For N = 1, 2, ... the Nth allocation godwit's code makes fails, and each
 * run either fails with GW_ENOMEM or gives exactly the findings of a run
 * with memory to spare (rule, position, level, message, table).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "godwit.h"
#include "lib/sql/lint_int.h"
#include "util/error.h"
#include "util/str.h"
#include "oom.h"

/* Tables created in exposed schemas, one enabled later; checks named,
 * unnamed, valid and validated; data changes on new and old tables (one
 * made by SELECT ... INTO). */
static const char state_sql[] = "CREATE TABLE a (id int);\n"
                                "CREATE TABLE api.b (id int);\n"
                                "CREATE TABLE api.e (id int);\n"
                                "ALTER TABLE api.e ENABLE ROW LEVEL SECURITY;\n"
                                "ALTER TABLE t ADD CONSTRAINT c1 CHECK (a IS NOT NULL) NOT VALID;\n"
                                "ALTER TABLE t ADD CONSTRAINT c2 CHECK (b IS NOT NULL);\n"
                                "ALTER TABLE t ADD CHECK (c IS NOT NULL) NOT VALID;\n"
                                "ALTER TABLE t VALIDATE CONSTRAINT c1;\n"
                                "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n"
                                "ALTER TABLE t ALTER COLUMN b SET NOT NULL;\n"
                                "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n"
                                "DELETE FROM a;\n"
                                "TRUNCATE a, old1;\n"
                                "DROP TABLE old2;\n"
                                "UPDATE old2 SET x = 1;\n"
                                "ALTER TABLE a DISABLE ROW LEVEL SECURITY;\n"
                                "GRANT SELECT ON a TO PUBLIC;\n"
                                "CREATE ROLE r SUPERUSER;\n"
                                "SELECT 1 AS x INTO m;\n"
                                "UPDATE m SET x = 2;\n";

/* What state_sql gives with memory to spare. */
static const char state_found[] =
        "table-without-row-level-security|error|1:1|public.a is created in a schema the API "
        "exposes, and this migration does not enable row-level security on it|public.a|-\n"
        "table-without-row-level-security|error|2:1|api.b is created in a schema the API exposes, "
        "and this migration does not enable row-level security on it|api.b|-\n"
        "require-timeout-settings|warning|5:1|ALTER TABLE waits for a lock without a lock_timeout; "
        "queries queue behind it|-|-\n"
        "constraint-missing-not-valid|error|6:19|adding check constraint c2 without NOT VALID "
        "checks every row of t while it is locked|t|ACCESS EXCLUSIVE\n"
        "setting-not-null-on-existing-column|error|11:1|SET NOT NULL on t.c checks every row while "
        "the table is locked|t|ACCESS EXCLUSIVE\n"
        "truncating-table|warning|13:1|TRUNCATE empties old1 at once|old1|-\n"
        "dropping-table|warning|14:1|dropping a table breaks code that still uses it, and its data "
        "is gone|-|ACCESS EXCLUSIVE\n"
        "update-without-where|error|15:1|UPDATE without WHERE changes every row of old2|old2|-\n"
        "disabling-row-level-security|error|16:1|row-level security on a is turned off: every role "
        "with a grant on it sees and changes every row|a|-\n"
        "grant-to-public|error|17:1|GRANT ... TO PUBLIC gives every role, present and future, "
        "these privileges|-|-\n"
        "granting-superuser|error|18:1|role r is created a superuser, which bypasses every "
        "permission and row-level security|-|-\n"
        "table-without-row-level-security|error|19:1|public.m is created in a schema the API "
        "exposes, and this migration does not enable row-level security on it|public.m|-\n";

/* Every field of every finding, one finding a line. */
static char *render(const gw_findings *f)
{
	gw_str out = GW_STR_INIT;
	size_t i;

	for (i = 0; i < gw_findings_count(f); i++) {
		const gw_finding *x = gw_findings_get(f, i);

		gw_str_printf(&out, "%s|%s|%d:%d|%s|%s|%s\n", x->rule, gw_level_name(x->level),
		              x->line, x->column, x->message, x->table ? x->table : "-",
		              x->lock ? x->lock : "-");
	}
	assert_false(gw_str_failed(&out));
	return gw_str_detach(&out);
}

/* One section of sql linted with the rules, exposing rls_schemas. */
static int lint_section(gw_findings **out, const char *sql, const char *rls_schemas, gw_ctx *ctx)
{
	gw_lint_levels levels = {0};
	gw_lines lines = {0};
	gw_lint_section sec = {0};
	gw_findings *f = NULL;
	int error;

	if ((error = gw_lint__levels(&levels, NULL, ctx)) < 0 ||
	    (error = gw_findings__new(&f, ctx)) < 0)
		goto cleanup;
	if (gw_lines_build(&lines, sql, strlen(sql)) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	sec.file = "m.sql";
	sec.text = sql;
	sec.text_len = strlen(sql);
	sec.lines = &lines;
	sec.len = strlen(sql);
	sec.checks = GW_CHECK_SYNTAX | GW_CHECK_RULES;
	sec.rls_schemas = rls_schemas;
	if ((error = gw_lint__section(f, &levels, &sec, ctx)) < 0)
		goto cleanup;
	gw_findings__sort(f);
	*out = f;
	f = NULL;
cleanup:
	gw_lines_dispose(&lines);
	gw_lint__levels_dispose(&levels);
	gw_findings_free(f);
	return error;
}

/* lint_section on one text, for oom_every_allocation. */
typedef struct {
	const char *sql;
	const char *rls_schemas;
	gw_findings *f;
} section_call;

static int section_run(void *arg, gw_ctx *ctx)
{
	section_call *c = arg;

	return lint_section(&c->f, c->sql, c->rls_schemas, ctx);
}

static char *section_take(void *arg)
{
	section_call *c = arg;
	char *text = c->f ? render(c->f) : NULL;

	gw_findings_free(c->f);
	c->f = NULL;
	return text;
}

static void section_every_allocation(const char *sql, const char *rls_schemas, const char *expected)
{
	section_call c = {sql, rls_schemas, NULL};
	oom_call call = {section_run, section_take, &c};
	gw_ctx *ctx = NULL;
	char *want = NULL;
	long n;

	assert_int_equal(gw_ctx_new(&ctx), 0);
	n = oom_every_allocation(&call, ctx, &want);
	assert_true(n > 0);
	if (strcmp(want, expected))
		fail_msg("--- found:\n%s--- expected:\n%s", want, expected);
	print_message("%ld allocations failed one at a time\n", n);
	free(want);
	gw_ctx_free(ctx);
}

static void state_kept_between_statements(void **state)
{
	(void)state;
	section_every_allocation(state_sql, "public, api", state_found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(state_kept_between_statements),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
