/*
 * target.c: what `down --target V` and `redo --target V` revert (plan
 * stage): V and every applied migration that depends on it, through its
 * @depends-on lines and theirs, and nothing else.
 *
 * The apply order (order.c) is a topological sort of the dependency
 * graph, so one pass in that order finds every dependent, and reverting in
 * the reverse order reverts each dependent before what it depends on.
 * That is also why down N, --to and --all never revert a migration alone
 * while one that depends on it stays applied: they revert the newest part
 * of that order, which holds every dependent of what it holds. In
 * the conventions whose migrations form a line, each migration depends on
 * the one before it: the set is V and everything after it.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "source/priv.h"
#include "../util/error.h"

static int applied(const gw_status_entry *e)
{
	return e->state == GW_STATE_APPLIED || e->state == GW_STATE_CHANGED;
}

static int requires_marked(const gw_migration *m, const char *mark)
{
	size_t d;

	for (d = 0; d < gw_migration_ndepends(m); d++)
		if (m->rare->requires[d] && mark[m->rare->requires[d] -> index])
			return 1;
	return 0;
}

int gw_target__closure(char **out, gw_project *p, const gw_status *st, const char *version)
{
	const gw_source *src = p->source;
	const gw_migration *v = gw_source_find(src, version);
	int linear = !gw_convention_of(src->format)->by_dependencies;
	char *mark;
	size_t i, n = 0;

	*out = NULL;
	if (!v)
		return gw_error_set(p->ctx, GW_ENOTFOUND, "no migration in %s has version %s",
		                    gw_project__dir(p), version);
	if (!applied(&st->entries[v->index])) {
		gw_error_set(p->ctx, GW_ESTATE, "cannot revert %s %s: it is not applied",
		             v->version, v->name);
		gw_error_set_hint_code(p->ctx, GW_HINT_STATUS_APPLIED, NULL, NULL);
		return GW_ESTATE;
	}
	if (!(mark = calloc(src->count + 1, 1)))
		return gw_error_oom(p->ctx);
	mark[v->index] = 1;
	for (i = v->index + 1; i < src->count; i++)
		mark[i] = linear || requires_marked(src->items[i], mark);
	for (i = v->index; i < src->count; i++)
		n += mark[i] && applied(&st->entries[i]);
	if (linear)
		gw_notify(p->ctx, GW_NOTICE_INFO, v->version, v->name, NULL, -1,
		          "in the %s convention each migration depends on the one before it: "
		          "reverting %s and the %zu applied after it, the same as reverting %s%s",
		          gw_format_name(src->format), v->version, n - 1,
		          v->index ? "everything applied after " : "every applied migration",
		          v->index ? src->items[v->index - 1]->version : "");
	*out = mark;
	return 0;
}
