/*
 * generate.c: gw_project_generate (`godwit generate`): the migration that
 * turns the schema of the folder's migrations into a desired schema (an
 * ORM's DDL, a schema.sql), proven before it is written.
 *
 * The migrations are replayed on an ephemeral database; the scripts of
 * gw_schema_sql are then run on that same database, one after the other,
 * and after each the snapshot must be the schema it should give: the up
 * must give the source's schema, each down the schema before its up. So
 * a migration that `generate` writes has already worked once, on the
 * server, and its down has been seen to undo it. Validations that must
 * not share ADD CONSTRAINT's transaction, and index work that must run
 * outside any, become migrations of their own; their downs are made from
 * the real schema between them.
 */
#include "internal.h"

#include "godwit/generate.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

struct gw_generated {
	gw_sql *up, *down; /* the whole scripts: source's schema and back */
	gw_sql *downs_sql[3];
	size_t count;
	const char *ups[3], *downs[3], *suffix[3];
	int no_tx[3];
	size_t unexpressed;
};

size_t gw_generated_count(const gw_generated *g)
{
	return g->count;
}

const char *gw_generated_up(const gw_generated *g, size_t i)
{
	return i < g->count ? g->ups[i] : NULL;
}

const char *gw_generated_down(const gw_generated *g, size_t i)
{
	return i < g->count ? g->downs[i] : NULL;
}

const char *gw_generated_suffix(const gw_generated *g, size_t i)
{
	return i < g->count ? g->suffix[i] : NULL;
}

int gw_generated_no_transaction(const gw_generated *g, size_t i)
{
	return i < g->count ? g->no_tx[i] : 0;
}

const gw_sql *gw_generated_sql(const gw_generated *g, int down)
{
	return down ? g->down : g->up;
}

size_t gw_generated_unexpressed(const gw_generated *g)
{
	return g->unexpressed;
}

void gw_generated_free(gw_generated *g)
{
	size_t i;

	if (!g)
		return;
	gw_sql_free(g->up);
	gw_sql_free(g->down);
	for (i = 0; i < 3; i++)
		gw_sql_free(g->downs_sql[i]);
	free(g);
}

/* The options with each rename reversed and in reverse order: the down's. */
static int reversed(gw_sql_options *out, gw_vec *owned, const gw_sql_options *o)
{
	const char **r;
	size_t i;

	*out = *o;
	if (!o->nrenames)
		return 0;
	if (!(r = calloc(o->nrenames, sizeof(*r))) || gw_vec_push(owned, r) < 0) {
		free(r);
		return GW_ENOMEM;
	}
	for (i = 0; i < o->nrenames; i++) {
		const char *s = o->renames[o->nrenames - 1 - i], *eq = strchr(s, '=');
		gw_str t = GW_STR_INIT;
		if (!eq) {
			r[i] = s;
			continue;
		}
		gw_str_printf(&t, "%s=%.*s", eq + 1, (int)(eq - s), s);
		if (t.failed || gw_vec_push(owned, t.ptr) < 0) {
			gw_str_dispose(&t);
			return GW_ENOMEM;
		}
		r[i] = t.ptr;
	}
	out->renames = r;
	return 0;
}

/* 1 when a script says a table's columns end up in another order. */
static int reorders(const gw_sql *q)
{
	size_t i;

	for (i = 0; i < gw_sql_warning_count(q); i++)
		if (strstr(gw_sql_warning(q, i), "gets its columns in the order"))
			return 1;
	return 0;
}

typedef struct prover {
	gw_project *p;  /* the caller's: errors go on its context */
	gw_project *ep; /* on the ephemeral database */
	const gw_generate_options *o;
	int loose; /* compare columns as a set: a script said the order differs */
} prover;

/* Runs a script on the ephemeral database, in a transaction unless its
 * migration has none; its snapshot in *now. */
static int run(prover *pr, const char *what, const char *sql, int no_tx, gw_schema **now)
{
	int error;

	*now = NULL;
	if (*sql &&
	    (error = gw_schema__run_ddl(pr->ep, what, sql, strlen(sql), !no_tx, pr->p->ctx)) < 0)
		return error;
	if ((error = gw_schema_snapshot(now, pr->ep, pr->o->schema)) < 0) {
		const gw_error *e = gw_ctx_error(pr->ep->ctx);
		return gw_error_set(pr->p->ctx, error, "%s", e ? e->message : "error");
	}
	return 0;
}

/* The snapshot must be the expected one. */
static int expect(prover *pr, const char *what, const gw_schema *got, const gw_schema *want)
{
	gw_schema_options so = GW_SCHEMA_OPTIONS_INIT;
	gw_schema_diff *d = NULL;
	char *text = NULL;
	int error = 0;

	if (pr->o->schema)
		so = *pr->o->schema;
	so.ignore_column_order |= pr->loose;
	if (gw_schema_diff_compute_with(&d, want, got, &so) < 0)
		return gw_error_oom(pr->p->ctx);
	if (gw_schema_diff_count(d) > 0) {
		if (gw_schema_diff_text(&text, d) < 0)
			error = gw_error_oom(pr->p->ctx);
		else
			error = gw_error_set(
			        pr->p->ctx, GW_ERROR,
			        "the generated %s does not give the schema it should on "
			        "the ephemeral database (please report this): %s",
			        what, text);
	}
	free(text);
	gw_schema_diff_free(d);
	return error;
}

/* Runs the parts of the up on the ephemeral database holding the
 * migrations' schema `a`, one migration each, then their downs (made from
 * the schema before and after each part) in reverse, checking every
 * result, and fills g. */
static int prove(prover *pr, gw_generated *g, const gw_schema *a, const gw_schema *b,
                 const gw_sql_options *down_opts)
{
	static const char *const suffixes[3] = {"", "_validate", "_concurrently"};
	const char *parts[3] = {gw_sql_head(g->up), gw_sql_middle(g->up), gw_sql_tail(g->up)};
	const gw_schema *at[4] = {a, NULL, NULL, NULL};
	gw_schema *made[3] = {NULL, NULL, NULL}, *back = NULL;
	gw_sql_options plain;
	size_t i, n = 0;
	int error = 0;

	pr->loose = reorders(g->up) || reorders(g->down);
	for (i = 0; i < 3; i++) {
		if (!*parts[i])
			continue;
		g->no_tx[n] = i == 2 || (i == 0 && gw_sql_head_no_transaction(g->up));
		if ((error = run(pr, "the generated up", parts[i], g->no_tx[n], &made[n])) < 0)
			goto cleanup;
		at[n + 1] = made[n];
		g->ups[n] = parts[i];
		g->suffix[n] = n ? suffixes[i] : "";
		n++;
	}
	if ((error = expect(pr, "up", at[n], b)) < 0)
		goto cleanup;
	/* Downs in plain forms: each runs in its migration's transaction. */
	for (i = n; i > 0; i--) {
		plain = *down_opts;
		plain.plain = 1;
		if (i > 1)
			plain.nrenames = 0; /* the renames are undone by the first's down */
		if ((error = gw_schema_sql(&g->downs_sql[i - 1], at[i], at[i - 1], &plain,
		                           pr->p->ctx)) < 0)
			goto cleanup;
		g->unexpressed += gw_sql_unexpressed(g->downs_sql[i - 1]);
		pr->loose |= reorders(g->downs_sql[i - 1]);
		g->downs[i - 1] = gw_sql_text(g->downs_sql[i - 1]);
		g->no_tx[i - 1] |= gw_sql_head_no_transaction(g->downs_sql[i - 1]);
	}
	if (g->unexpressed)
		goto cleanup;
	for (i = n; i > 0; i--) {
		gw_schema_free(back);
		back = NULL;
		if ((error = run(pr, "the generated down", g->downs[i - 1], g->no_tx[i - 1],
		                 &back)) < 0 ||
		    (error = expect(pr, "down", back, at[i - 1])) < 0)
			goto cleanup;
	}
	g->count = n;
cleanup:
	for (i = 0; i < 3; i++)
		gw_schema_free(made[i]);
	gw_schema_free(back);
	return error;
}

int gw_project_generate(gw_generated **out, gw_project *p, const gw_generate_options *o)
{
	static const gw_sql_options sql_defaults = GW_SQL_OPTIONS_INIT;
	gw_load_options lo = GW_LOAD_OPTIONS_INIT;
	gw_sql_options down_opts;
	gw_vec owned = GW_VEC_INIT;
	gw_schema *a = NULL, *b = NULL;
	gw_ephemeral *eph = NULL;
	gw_generated *g = NULL;
	gw_ctx *ctx = NULL;
	prover pr = {p, NULL, o, 0};
	int error;

	*out = NULL;
	if (!o || o->version != GW_GENERATE_OPTIONS_VERSION || !o->source)
		return gw_error_set(p->ctx, GW_EINVALID,
		                    "gw_generate_options: a version 1 with a source is needed");
	if (!(g = calloc(1, sizeof(*g))) || gw_ctx_new(&ctx) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	if ((error = reversed(&down_opts, &owned, o->sql ? o->sql : &sql_defaults)) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	lo.server_url = o->server_url;
	lo.schema = o->schema;
	if ((error = gw_schema_load(&b, p, o->source, &lo)) < 0)
		goto cleanup;
	/* The migrations, replayed: the schema the new migration starts from. */
	if ((error = gw_project__ephemeral(&eph, p, gw_project__server_url(p, o->server_url))) < 0)
		goto cleanup;
	if ((error = gw_project__open_like(&pr.ep, p, gw_ephemeral_url(eph), ctx)) < 0 ||
	    (error = gw_project_up(NULL, pr.ep, NULL)) < 0 ||
	    (error = gw_schema_snapshot(&a, pr.ep, o->schema)) < 0) {
		const gw_error *e = gw_ctx_error(ctx);
		error = gw_error_set(p->ctx, error, "replaying the migrations failed: %s",
		                     e ? e->message : "error");
		goto cleanup;
	}
	if ((error = gw_schema_sql(&g->up, a, b, o->sql ? o->sql : &sql_defaults, p->ctx)) < 0 ||
	    (error = gw_schema_sql(&g->down, b, a, &down_opts, p->ctx)) < 0)
		goto cleanup;
	g->unexpressed = gw_sql_unexpressed(g->up) + gw_sql_unexpressed(g->down);
	if (g->unexpressed || !*gw_sql_text(g->up))
		goto cleanup;
	error = prove(&pr, g, a, b, &down_opts);
cleanup:
	gw_project_free(pr.ep);
	gw_project__ephemeral_done(p, eph, 0);
	gw_ctx_free(ctx);
	gw_schema_free(a);
	gw_schema_free(b);
	gw_vec_dispose(&owned, free);
	if (error < 0) {
		gw_generated_free(g);
		return error;
	}
	*out = g;
	return 0;
}

int gw_project_write_generated(char **path, gw_project *p, const gw_generated *g, size_t i,
                               const char *name)
{
	gw_str n = GW_STR_INIT;
	int error;

	*path = NULL;
	if (i >= g->count)
		return gw_error_set(p->ctx, GW_EINVALID, "no generated migration %zu", i);
	gw_str_printf(&n, "%s%s", name, g->suffix[i]);
	if (n.failed)
		return gw_error_oom(p->ctx);
	error = gw_project__write_migration(path, p, n.ptr, g->ups[i], g->downs[i], g->no_tx[i]);
	gw_str_dispose(&n);
	return error;
}
