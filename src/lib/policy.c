/*
 * policy.c: the deploy policies up applies before it runs anything.
 *
 * block: up lints the migrations it is about to apply, as `godwit lint`
 * would (the project's levels, `-- godwit:ignore RULE` comments), and a
 * finding at or above the environment's block level (error by default in
 * a protected environment) stops the run before its first statement,
 * naming each finding. Destructive statements (block_destructive, on
 * wherever block is) are refused whatever their level: DROP TABLE is a
 * lint warning, since retiring a table is what a migration does, but in
 * production it must be a decision, acknowledged in the file or made with
 * the override. The checks that validate makes (syntax, unused
 * ignores) are not this policy's: the run refuses bad SQL on its own. An
 * override (allow_unsafe) goes on, and leaves an allow-unsafe event per
 * migration naming what it let through, so the history says who ran
 * what against the policy.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "sql/lint_int.h"
#include "../util/error.h"

/* The rules whose statements destroy data or its structure. */
static const char *const destructive[] = {
        "dropping-table",       "dropping-column",     "truncating-table",
        "truncate-cascade",     "drop-schema-cascade", "delete-without-where",
        "update-without-where", "ban-drop-database",   NULL,
};

static int is_destructive(const char *rule)
{
	size_t i;

	for (i = 0; destructive[i]; i++)
		if (!strcmp(destructive[i], rule))
			return 1;
	return 0;
}

/* Whether up refuses anything at all. */
static int policy_on(const gw_project *p)
{
	return p->block || p->block_destructive;
}

/* What block is about: the rules of `godwit lint`, not validate's. */
static int blocks(const gw_project *p, const gw_finding *f)
{
	const gw_lint_rule *rule = gw_lint_rule_find(f->rule);

	if (rule && !strcmp(rule->family, "validate"))
		return 0;
	return (p->block && f->level >= p->block) ||
	       (p->block_destructive && f->level > GW_LEVEL_OFF && is_destructive(f->rule));
}

static int has_auth_schema(void *payload, int ncols, const char *const *values)
{
	(void)ncols;
	*(int *)payload = values[0] && !strcmp(values[0], "1");
	return 0;
}

const char *gw_policy__rls_schemas(gw_project *p, int connected)
{
	static const char sql[] = "SELECT 1 FROM pg_namespace WHERE nspname = 'auth'";
	gw_stmt stmt = {sql, sizeof(sql) - 1, NULL, 0};
	const char *dir = p->opts.dir;
	size_t n = dir ? strlen(dir) : 0;
	int found = 0;

	if (p->opts.rls_schemas)
		return p->opts.rls_schemas;
	while (n && dir[n - 1] == '/')
		n--;
	if (n >= 19 && !strncmp(dir + n - 19, "supabase/migrations", 19) &&
	    (n == 19 || dir[n - 20] == '/'))
		return "public";
	if (!connected || !p->conn || p->driver->dialect != GW_DIALECT_POSTGRES)
		return NULL;
	/* A failed look is no Supabase project: the run's own queries
	 * report a lost connection. */
	gw_ctx_set_quiet(p->ctx, 1);
	if (p->driver->exec(p->conn, &stmt, has_auth_schema, &found) < 0)
		found = 0;
	gw_ctx_clear_error(p->ctx);
	gw_ctx_set_quiet(p->ctx, 0);
	return found ? "public" : NULL;
}

/* "rule at file:line, rule at file:line" for the findings of file. */
static void describe(gw_str *out, const gw_findings *f, const char *file, const gw_project *p,
                     size_t *first)
{
	size_t i;

	*first = (size_t)-1;
	for (i = 0; i < gw_findings_count(f); i++) {
		const gw_finding *x = gw_findings_get(f, i);

		if (!blocks(p, x) || strcmp(x->file, file))
			continue;
		if (*first == (size_t)-1)
			*first = i;
		gw_str_printf(out, "%s%s at %s:%d", out->size ? ", " : "", x->rule, x->file,
		              x->line);
	}
}

static int record_overrides(gw_project *p, const gw_migration *const *ms, size_t n,
                            const gw_findings *f)
{
	gw_str path = GW_STR_INIT, what = GW_STR_INIT;
	size_t i, first;
	int error = 0;

	for (i = 0; i < n && error == 0; i++) {
		gw_str_clear(&path);
		gw_str_clear(&what);
		if (gw_project__path(&path, p, ms[i]->up_file) < 0)
			return gw_error_oom(p->ctx);
		describe(&what, f, path.ptr, p, &first);
		if (gw_str_failed(&what)) {
			error = gw_error_oom(p->ctx);
			break;
		}
		if (first == (size_t)-1)
			continue;
		gw_notify(p->ctx, GW_NOTICE_WARNING, ms[i]->version, ms[i]->name, path.ptr, -1,
		          "applying %s despite block = %s (allow-unsafe): %s", path.ptr,
		          gw_level_name(p->block), what.ptr);
		error = gw_hist_record_note(p, "allow-unsafe", ms[i], what.ptr, path.ptr,
		                            gw_findings_get(f, first)->line);
	}
	gw_str_dispose(&path);
	gw_str_dispose(&what);
	return error;
}

int gw_policy__up(gw_project *p, const gw_migration *const *ms, size_t n, int allow_unsafe)
{
	gw_findings *f = NULL;
	const gw_finding *x = NULL;
	size_t i, count = 0;
	int error, below = 0;

	if (!policy_on(p) || !n)
		return 0;
	if ((error = gw_project__lint_up(&f, p, ms, n, gw_policy__rls_schemas(p, 1))) < 0)
		goto cleanup;
	for (i = 0; i < gw_findings_count(f); i++) {
		const gw_finding *y = gw_findings_get(f, i);

		if (!blocks(p, y))
			continue;
		if (!count++)
			x = y;
		if (!p->block || y->level < p->block)
			below = 1;
	}
	if (!count)
		goto cleanup;
	if (allow_unsafe) {
		error = record_overrides(p, ms, n, f);
		goto cleanup;
	}
	error = gw_error_set(p->ctx, GW_EUNSAFE,
	                     "%s:%d: %s: %s; %s%zu unsafe statement%s and block = %s%s in the "
	                     "environment %s; nothing was changed",
	                     x->file, x->line, x->rule, x->message, count > 1 ? "and more: " : "",
	                     count, count == 1 ? "" : "s", gw_level_name(p->block),
	                     below ? " (and destructive statements at any level)" : "",
	                     p->environment);
	gw_error_set_location(p->ctx, x->file, x->line, x->column);
	gw_error_set_hint(p->ctx,
	                  "acknowledge each statement with a '-- godwit:ignore %s' comment above "
	                  "it, or override the policy for this run (allow_unsafe)",
	                  x->rule);
cleanup:
	gw_findings_free(f);
	return error;
}

int gw_project_unsafe(gw_findings **out, gw_project *p, const gw_up_options *opts)
{
	gw_plan *plan = NULL;
	gw_source *src;
	gw_findings *all = NULL, *f = NULL;
	const gw_migration **ms = NULL;
	size_t i, k, n = 0;
	int error;

	*out = NULL;
	if ((error = gw_findings__new(&f, p->ctx)) < 0)
		return error;
	if (!policy_on(p))
		goto done;
	if ((error = gw_project_plan_up(&plan, p, opts)) < 0 ||
	    (error = gw_project__source(&src, p)) < 0)
		goto cleanup;
	if (!(ms = calloc(gw_plan_count(plan) + 1, sizeof(*ms)))) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	for (i = 0; i < gw_plan_count(plan); i++)
		for (k = 0; k < src->count; k++)
			if (!strcmp(src->items[k]->version, gw_plan_get(plan, i)->version))
				ms[n++] = src->items[k];
	if ((error = gw_project__lint_up(&all, p, ms, n, gw_policy__rls_schemas(p, 1))) < 0)
		goto cleanup;
	for (i = 0; i < gw_findings_count(all); i++) {
		const gw_finding *x = gw_findings_get(all, i);

		if (blocks(p, x) &&
		    gw_findings__add(f, x, x->source_line ? strlen(x->source_line) : 0) < 0) {
			error = gw_error_oom(p->ctx);
			goto cleanup;
		}
	}
done:
	*out = f;
	f = NULL;
cleanup:
	gw_findings_free(f);
	gw_findings_free(all);
	gw_plan_free(plan);
	free(ms);
	return error;
}

gw_level gw_project_block_level(const gw_project *p)
{
	return p ? p->block : GW_LEVEL_OFF;
}
