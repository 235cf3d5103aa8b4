/*
 * test_wording.c: the library names no program's command or flag. Texts
 * that end in an action carry it as a hint code (a rule's description);
 * texts the library composes (a generated script's warnings, a message
 * opening with the rename it is about) take the words of the program's
 * gw_ctx_set_wording, and the library's own words without one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "godwit/generate.h"
#include "godwit/init.h"
#include "godwit/lint.h"
#include "godwit/schema.h"

/* No godwit command, no flag: the text could be printed by any program. */
static void assert_names_no_command(const char *text)
{
	static const char *const commands[] = {"up",     "down",  "new",  "repair",  "generate",
	                                       "status", "seed",  "lint", "resolve", "baseline",
	                                       "create", "adopt", "redo", "drift",   "schema",
	                                       "config", "init",  "test", "serve",   "fleet"};
	char word[64];
	const char *p;
	size_t i;

	for (p = strstr(text, "--"); p; p = strstr(p + 2, "--"))
		if (p[2] >= 'a' && p[2] <= 'z')
			fail_msg("\"%s\" names a flag", text);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		snprintf(word, sizeof(word), "godwit %s", commands[i]);
		if (strstr(text, word))
			fail_msg("\"%s\" names '%s'", text, word);
	}
}

/* Every rule's documentation; a description that ends in an action is
 * the hint's context followed by the library's wording of its code. */
static void rules_name_no_command(void **state)
{
	size_t i, coded = 0;

	(void)state;
	for (i = 0; i < gw_lint_rule_count(); i++) {
		const gw_lint_rule *r = gw_lint_rule_get(i);

		assert_names_no_command(r->summary);
		assert_names_no_command(r->description);
		if (r->hint.code == GW_HINT_NONE)
			continue;
		coded++;
		assert_int_equal(strncmp(r->description, r->hint.context, strlen(r->hint.context)),
		                 0);
		assert_string_equal(r->hint.args[0], "");
		assert_string_equal(r->hint.args[1], "");
	}
	assert_int_equal(coded, 5);
	assert_int_equal(gw_lint_rule_find("missing-down")->hint.code, GW_HINT_RULE_REVERT);
	assert_string_equal(gw_lint_rule_find("missing-down")->description,
	                    "Without a down script the migration cannot be reverted. Make it an "
	                    "error with lint_error = missing-down in godwit.conf.");
	assert_int_equal(gw_lint_rule_find("checksum-changed")->hint.code, GW_HINT_RULE_REPAIR);
	assert_string_equal(gw_lint_rule_find("checksum-changed")->description,
	                    "The file differs from the one that was applied; the database no "
	                    "longer matches the history. Restore the file, or accept the edit by "
	                    "repairing the migration's checksum.");
	assert_int_equal(gw_lint_rule_find("transaction-control-in-migration")->hint.code,
	                 GW_HINT_RULE_TRANSACTION);
	assert_string_equal(gw_lint_rule_find("transaction-control-in-migration")->description,
	                    "godwit runs each migration in a transaction already; applying refuses "
	                    "the file.");
	assert_int_equal(gw_lint_rule_find("empty-migration")->hint.code, GW_HINT_RULE_EMPTY);
	assert_string_equal(gw_lint_rule_find("empty-migration")->hint.context, "");
	assert_int_equal(gw_lint_rule_find("rebuilding-table")->hint.code, GW_HINT_RULE_REBUILD);
}

/* A program's wording: the code and the library's text, so the test sees
 * both reach it. */
static const char *shout(const gw_text_hint *h, const char *text, char *buf, size_t size)
{
	snprintf(buf, size, "%s<%d:%s|%s>", h->context, h->code, h->args[0], text);
	return buf;
}

static gw_schema *parse(const char *body, gw_ctx *ctx)
{
	static const char header[] = "-- godwit schema snapshot (postgres)\n\n";
	gw_schema *s = NULL;
	size_t n = strlen(header) + strlen(body) + 1;
	char *text = malloc(n);

	assert_non_null(text);
	snprintf(text, n, "%s%s", header, body);
	assert_int_equal(gw_schema_parse(&s, text, strlen(text), ctx), 0);
	free(text);
	return s;
}

static const char order_a[] = "table app.t\n"
                              "  column id integer\n"
                              "  column b text\n";
static const char order_b[] = "table app.t\n"
                              "  column id integer\n"
                              "  column a text\n"
                              "  column b text\n";

/* The one warning of turning order_a into order_b, and the script holds
 * it as a comment. */
static void check_warning(int append, gw_wording_cb cb, const char *expected)
{
	gw_sql_options o = GW_SQL_OPTIONS_INIT;
	gw_ctx *ctx = NULL;
	gw_schema *sa, *sb;
	gw_sql *q = NULL;
	char line[1024];

	o.column_order_append = append;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	gw_ctx_set_wording(ctx, cb);
	sa = parse(order_a, ctx);
	sb = parse(order_b, ctx);
	assert_int_equal(gw_schema_sql(&q, sa, sb, &o, ctx), 0);
	assert_int_equal(gw_sql_warning_count(q), 1);
	assert_string_equal(gw_sql_warning(q, 0), expected);
	snprintf(line, sizeof(line), "-- warning: %s\n", expected);
	assert_non_null(strstr(gw_sql_text(q), line));
	if (!cb)
		assert_names_no_command(gw_sql_text(q));
	gw_sql_free(q);
	gw_schema_free(sa);
	gw_schema_free(sb);
	gw_ctx_free(ctx);
}

static void warnings_worded(void **state)
{
	static const char rebuilt[] =
	        "table app.t is rebuilt to get its columns in the order id, a, b: its rows are "
	        "copied into a new table that takes its place, under an ACCESS EXCLUSIVE lock on "
	        "it until the migration commits (";
	static const char appended[] =
	        "table app.t gets its columns in the order id, b, a, not id, a, b: PostgreSQL adds "
	        "a column at the end (";
	char expected[1024];

	(void)state;
	snprintf(expected, sizeof(expected),
	         "%scolumn_order_append adds the columns at the end "
	         "instead)",
	         rebuilt);
	check_warning(0, NULL, expected);
	snprintf(expected, sizeof(expected),
	         "%s<%d:|%scolumn_order_append adds the columns at "
	         "the end instead>)",
	         rebuilt, GW_HINT_COLUMN_ORDER_APPEND, rebuilt);
	check_warning(0, shout, expected);
	snprintf(expected, sizeof(expected), "%scompare with ignore_column_order)", appended);
	check_warning(1, NULL, expected);
	snprintf(expected, sizeof(expected), "%s<%d:|%scompare with ignore_column_order>)",
	         appended, GW_HINT_COMPARE_COLUMN_ORDER, appended);
	check_warning(1, shout, expected);
}

static void check_rename(const char *spec, gw_wording_cb cb, const char *expected)
{
	const char *const renames[] = {spec};
	gw_sql_options o = GW_SQL_OPTIONS_INIT;
	gw_ctx *ctx = NULL;
	gw_schema *sa, *sb;
	gw_sql *q = NULL;

	o.renames = renames;
	o.nrenames = 1;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	gw_ctx_set_wording(ctx, cb);
	sa = parse(order_a, ctx);
	sb = parse(order_b, ctx);
	assert_int_equal(gw_schema_sql(&q, sa, sb, &o, ctx), GW_EINVALID);
	assert_null(q);
	assert_string_equal(gw_ctx_error(ctx)->message, expected);
	gw_schema_free(sa);
	gw_schema_free(sb);
	gw_ctx_free(ctx);
}

/* A rename's errors open with the rename as the program names it. */
static void rename_worded(void **state)
{
	char expected[256];

	(void)state;
	check_rename("app.t", NULL, "rename 'app.t': expected OLD=NEW");
	snprintf(expected, sizeof(expected), "<%d:'app.t'|rename 'app.t'>: expected OLD=NEW",
	         GW_HINT_OPTION_RENAME);
	check_rename("app.t", shout, expected);
	check_rename("app.t=app.u", NULL,
	             "rename app.t=app.u: the target schema has no table app.u");
	snprintf(expected, sizeof(expected),
	         "<%d:app.t=app.u|rename app.t=app.u>: the target schema has no table app.u",
	         GW_HINT_OPTION_RENAME);
	check_rename("app.t=app.u", shout, expected);
}

/* A new project's godwit.conf explains itself without naming a program's
 * flags or commands, unless the program words them. */
static void init_conf_worded(void **state)
{
	char dir[] = "/tmp/gw-wording-XXXXXX", path[64], text[4096];
	gw_init_item items[GW_INIT_ITEMS];
	gw_ctx *ctx = NULL;
	size_t n = 0, len;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_project_init(items, &n, dir, ctx), 0);
	assert_int_equal(n, 3);
	snprintf(path, sizeof(path), "%s/godwit.conf", dir);
	assert_non_null(f = fopen(path, "r"));
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	assert_names_no_command(text);
	assert_non_null(strstr(text, "# godwit.conf: which database each environment migrates, and "
	                             "how.\n# The environment is the program's choice, else "
	                             "GODWIT_ENV, else\n"));
	assert_non_null(strstr(text, "\n# The migrations: one file each, in this folder.\ndir = "
	                             "db/migrations\n"));
	assert_non_null(strstr(text,
	                       "Protected: applying asks for the\n# environment's name to be "
	                       "confirmed, reverting must be forced too,\n# and a missing url "
	                       "is an error, never a SQLite file.\n[env.production]\n"));
	assert_null(strstr(text, "--"));
	unlink(path);
	snprintf(path, sizeof(path), "%s/.gitignore", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/db/migrations", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/db", dir);
	rmdir(path);
	rmdir(dir);
	gw_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(rules_name_no_command),
	        cmocka_unit_test(warnings_worded),
	        cmocka_unit_test(rename_worded),
	        cmocka_unit_test(init_conf_worded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
