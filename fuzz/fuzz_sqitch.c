/*
 * fuzz_sqitch.c: fuzz target for the readers of a sqitch project's own
 * files (src/lib/source/sqitch.c): the sqitch.plan parser (pragmas, notes,
 * tags, [requires !conflicts], reworked changes) and what godwit reads of
 * sqitch.conf (core.top_dir, the engine and its registry).
 *
 * The input is parsed whole as a plan, and whole as a sqitch.conf.
 * Checked: a refused plan is GW_ESOURCE with a message naming
 * sqitch.plan; a parsed plan has a project, changes with non-empty names
 * unique among the changes not reworked later, each on a line of the
 * plan in plan order. sqitch.conf never fails on its text: it yields NULL
 * or non-empty strings without a newline.
 */
#include <string.h>

#include "fuzz.h"
#include "lib/source/priv.h"
#include "source_checks.h"

static gw_ctx *ctx;

static int line_count(const char *s, size_t len)
{
	int n = 1;

	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

static void check_plan(const char *text, size_t len)
{
	gw_sqitch_plan plan;
	int r, lines = line_count(text, len), last = 0;

	memset(&plan, 0, sizeof(plan));
	r = gw_source__sqitch_plan(&plan, text, len, "sqitch.plan", ctx);
	if (r < 0) {
		fuzz_check_error(ctx, r);
		FUZZ_CHECK(r == GW_ESOURCE || r == GW_ENOMEM);
		FUZZ_CHECK(strstr(gw_ctx_error(ctx)->message, "sqitch.plan") != NULL ||
		           strstr(gw_ctx_error(ctx)->file, "sqitch.plan") != NULL);
		gw_ctx_clear_error(ctx);
		gw_source__sqitch_plan_dispose(&plan);
		return;
	}
	FUZZ_CHECK(plan.project && plan.project[0]);
	for (size_t i = 0; i < plan.count; i++) {
		const gw_sqitch_change *c = &plan.changes[i];

		FUZZ_CHECK(c->name && c->name[0] && !strchr(c->name, '\n'));
		FUZZ_CHECK(c->line > last && c->line <= lines);
		last = c->line;
		/* A name comes back only after a rework, which tags the earlier one. */
		for (size_t j = 0; j < i; j++)
			if (!strcmp(plan.changes[j].name, c->name))
				FUZZ_CHECK(plan.changes[j].rework_tags.len > 0);
	}
	gw_source__sqitch_plan_dispose(&plan);
}

static void check_value(const char *v)
{
	if (v)
		FUZZ_CHECK(v[0] && !strchr(v, '\n'));
}

static void check_conf(const char *text, size_t len)
{
	gw_sqitch_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (gw_source__sqitch_conf(&conf, text, len) == 0) {
		check_value(conf.top_dir);
		check_value(conf.engine);
		check_value(conf.registry);
	}
	gw_source__sqitch_conf_dispose(&conf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text || (!ctx && gw_ctx_new(&ctx) < 0))
		abort();
	if (size)
		memcpy(text, data, size);
	text[size] = '\0';
	check_plan(text, size);
	check_conf(text, size);
	free(text);
	return 0;
}
