/*
 * fuzz_schema.c: fuzz target for gw_schema_parse (src/lib/schema.c), the
 * reader of the text form `schema dump` writes and `schema diff` and
 * `drift` read back from files.
 *
 * Checked: a refused text is an error with a message and its line; a
 * parsed one writes a text form that parses again to the same text (the
 * form is canonical), with the same objects, and differs in nothing from
 * itself.
 */
#include <string.h>

#include "fuzz.h"
#include "godwit/schema.h"
#include "source_checks.h"

static gw_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gw_schema *a = NULL, *b = NULL;
	gw_schema_diff *diff = NULL;
	char *text = NULL, *again = NULL;
	int r;

	if (!ctx && gw_ctx_new(&ctx) < 0)
		abort();
	r = gw_schema_parse(&a, (const char *)data, size, ctx);
	if (r < 0) {
		fuzz_check_error(ctx, r);
		FUZZ_CHECK(a == NULL);
		gw_ctx_clear_error(ctx);
		return 0;
	}
	FUZZ_CHECK(gw_schema_text(&text, a) == 0);
	FUZZ_CHECK(gw_schema_parse(&b, text, strlen(text), ctx) == 0);
	FUZZ_CHECK(gw_schema_text(&again, b) == 0);
	FUZZ_CHECK(!strcmp(text, again));
	FUZZ_CHECK(gw_schema_count(a) == gw_schema_count(b));
	for (size_t i = 0; i < gw_schema_count(a); i++) {
		const gw_schema_object *x = gw_schema_get(a, i), *y = gw_schema_get(b, i);

		FUZZ_CHECK(!strcmp(x->kind, y->kind) && !strcmp(x->name, y->name));
		FUZZ_CHECK(x->nmembers == y->nmembers);
	}
	FUZZ_CHECK(gw_schema_diff_compute(&diff, a, b) == 0);
	FUZZ_CHECK(gw_schema_diff_count(diff) == 0);
	gw_schema_diff_free(diff);
	free(text);
	free(again);
	gw_schema_free(a);
	gw_schema_free(b);
	return 0;
}
