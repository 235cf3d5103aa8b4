/*
 * graph.c: the migrations as a graph (godwit/graph.h): the status entries
 * as nodes, and as edges the @depends-on lines the sources stage resolved
 * (order.c keeps what each names) and, for the linear conventions, each
 * step of the apply order.
 *
 * The states come from gw_project_status, so a node says what `status`
 * says; nothing here reads the folder or the history a second time.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "godwit/graph.h"
#include "source/priv.h"
#include "../util/error.h"
#include "../util/proc.h"

struct gw_graph {
	gw_ctx *ctx;
	const gw_status *status;
	gw_status *owned; /* status, when the graph made it */
	gw_graph_edge *edges;
	size_t count;
	int linear;
};

static int depends_on_previous(const gw_migration *m, const gw_migration *prev)
{
	size_t d;

	for (d = 0; d < gw_migration_ndepends(m); d++)
		if (m->rare->requires[d] == prev)
			return 1;
	return 0;
}

static int depends_line(const gw_migration *m, size_t d)
{
	return m->rare->depends_line[d];
}

static int build_edges(gw_graph *g, const gw_source *src, gw_ctx *ctx)
{
	size_t i, d, n = 0;

	for (i = 0; i < src->count; i++)
		n += gw_migration_ndepends(src->items[i]) + (i > 0);
	if (!(g->edges = calloc(n ? n : 1, sizeof(*g->edges))))
		return gw_error_oom(ctx);
	for (i = 0; i < src->count; i++) {
		const gw_migration *m = src->items[i];

		for (d = 0; d < gw_migration_ndepends(m); d++)
			g->edges[g->count++] =
			        (gw_graph_edge){m->rare->requires[d] -> index, i,
			                        GW_GRAPH_DEPENDS_ON, depends_line(m, d)};
		if (g->linear && i > 0 && !depends_on_previous(m, src->items[i - 1]))
			g->edges[g->count++] = (gw_graph_edge){i - 1, i, GW_GRAPH_ORDER, 0};
	}
	return 0;
}

static int make(gw_graph **out, gw_project *p, gw_status *owned, const gw_status *st)
{
	gw_graph *g = NULL;
	gw_source *src;
	int error;

	*out = NULL;
	if (!(g = calloc(1, sizeof(*g)))) {
		gw_status_free(owned);
		return gw_error_oom(p->ctx);
	}
	g->ctx = p->ctx;
	g->owned = owned;
	g->status = st;
	if ((error = gw_project__source(&src, p)) < 0)
		goto cleanup;
	g->linear = !gw_convention_of(src->format)->by_dependencies;
	if ((error = build_edges(g, src, p->ctx)) < 0)
		goto cleanup;
	*out = g;
	g = NULL;
cleanup:
	gw_graph_free(g);
	return error;
}

int gw_project_graph(gw_graph **out, gw_project *p)
{
	gw_status *st = NULL;
	int error;

	*out = NULL;
	if ((error = gw_project_status(&st, p)) < 0)
		return error;
	return make(out, p, st, st);
}

int gw_status_graph(gw_graph **out, gw_project *p, const gw_status *st)
{
	*out = NULL;
	if (!st)
		return gw_error_set(p->ctx, GW_EINVALID, "no status to build the graph on");
	return make(out, p, NULL, st);
}

const gw_status *gw_graph_status(const gw_graph *g)
{
	return g ? g->status : NULL;
}

size_t gw_graph_edge_count(const gw_graph *g)
{
	return g ? g->count : 0;
}

const gw_graph_edge *gw_graph_edge_get(const gw_graph *g, size_t i)
{
	return g && i < g->count ? &g->edges[i] : NULL;
}

int gw_graph_linear(const gw_graph *g)
{
	return g ? g->linear : 0;
}

/* ---- graphviz -------------------------------------------------------------- */

/* Text inside a DOT quoted string: only '"' and '\\' need escaping. */
static void dot_escaped(gw_str *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			gw_str_putc(out, '\\');
		gw_str_putc(out, *s);
	}
}

static void dot_quoted(gw_str *out, const char *s)
{
	gw_str_putc(out, '"');
	dot_escaped(out, s);
	gw_str_putc(out, '"');
}

/* The fill of each state: green applied, white pending, yellow for what
 * waits on the user's decision, red for what is broken, blue running. */
static const char *state_fill(gw_state state)
{
	switch (state) {
	case GW_STATE_APPLIED:
		return "#c8e6c9";
	case GW_STATE_PENDING:
		return "#ffffff";
	case GW_STATE_OUT_OF_ORDER:
		return "#fff3cd";
	case GW_STATE_CHANGED:
		return "#ffe0b2";
	case GW_STATE_DIRTY:
		return "#ffcdd2";
	case GW_STATE_RUNNING:
		return "#bbdefb";
	case GW_STATE_MISSING:
		return "#eeeeee";
	}
	return "#ffffff";
}

int gw_graph_dot(char **out, const gw_graph *g)
{
	gw_str dot = GW_STR_INIT;
	size_t i, n = gw_status_count(g->status);

	*out = NULL;
	gw_str_puts(&dot,
	            "digraph migrations {\n"
	            "\tnode [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n");
	for (i = 0; i < n; i++) {
		const gw_status_entry *e = gw_status_get(g->status, i);

		gw_str_putc(&dot, '\t');
		dot_quoted(&dot, e->version);
		/* "\n" in a DOT label is a line break. */
		gw_str_puts(&dot, " [label=\"");
		dot_escaped(&dot, e->version);
		gw_str_puts(&dot, "\\n");
		dot_escaped(&dot, e->name);
		gw_str_printf(&dot, "\\n%s\"", gw_state_name(e->state));
		gw_str_printf(&dot, ", fillcolor=\"%s\"%s];\n", state_fill(e->state),
		              e->state == GW_STATE_MISSING ? ", style=\"rounded,dashed,filled\""
		                                           : "");
	}
	for (i = 0; i < g->count; i++) {
		const gw_graph_edge *e = &g->edges[i];

		gw_str_putc(&dot, '\t');
		dot_quoted(&dot, gw_status_get(g->status, e->from)->version);
		gw_str_puts(&dot, " -> ");
		dot_quoted(&dot, gw_status_get(g->status, e->to)->version);
		/* The order of a linear convention is drawn lighter than what
		 * a migration says it needs. */
		gw_str_puts(&dot, e->kind == GW_GRAPH_ORDER
		                          ? " [style=dashed, color=\"#9e9e9e\", arrowhead=open];\n"
		                          : ";\n");
	}
	gw_str_puts(&dot, "}\n");
	if (gw_str_failed(&dot) || !(*out = gw_str_detach(&dot))) {
		gw_str_dispose(&dot);
		return gw_error_oom(g->ctx);
	}
	return 0;
}

/* dot reads the graph from a file of its own: no pipe to feed while its
 * output is read, and its stderr comes back whole for the message. */
static int write_temp(gw_str *path, const char *text, gw_ctx *ctx)
{
	const char *tmp = getenv("TMPDIR");
	size_t len = strlen(text);
	ssize_t w = 0;
	int fd;

	if (gw_str_printf(path, "%s/godwit-graph-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		return gw_error_oom(ctx);
	if ((fd = mkstemp(path->ptr)) < 0) {
		gw_str_clear(path);
		return gw_error_set(ctx, GW_EIO, "cannot create a temporary file for dot: %s",
		                    strerror(errno));
	}
	while (len > 0 && (w = write(fd, text, len)) > 0) {
		text += w;
		len -= (size_t)w;
	}
	close(fd);
	if (len > 0)
		return gw_error_set(ctx, GW_EIO, "cannot write the temporary file %s for dot: %s",
		                    path->ptr, strerror(errno));
	return 0;
}

int gw_graph_render(const gw_graph *g, const char *format, int fd)
{
	gw_str path = GW_STR_INIT, type = GW_STR_INIT, output = GW_STR_INIT;
	char *dot = NULL;
	int status = 0, error;

	if ((error = gw_graph_dot(&dot, g)) < 0 || (error = write_temp(&path, dot, g->ctx)) < 0)
		goto cleanup;
	if (gw_str_printf(&type, "-T%s", format) < 0) {
		error = gw_error_oom(g->ctx);
		goto cleanup;
	}
	{
		const char *argv[] = {"dot", type.ptr, path.ptr, NULL};

		if ((error = gw_proc_run(&status, &output, argv, NULL, fd, g->ctx)) < 0) {
			gw_error_prefix(g->ctx,
			                "drawing %s needs graphviz's dot program: ", format);
			gw_error_set_hint_code(g->ctx, GW_HINT_GRAPH_DOT, NULL, NULL);
			goto cleanup;
		}
	}
	if (status != 0) {
		gw_str_truncate(&output, strcspn(output.ptr, "\n"));
		error = gw_error_set(g->ctx, GW_ERROR, "dot -T%s failed (exit %d)%s%s", format,
		                     status, output.size ? ": " : "", output.ptr);
	}
cleanup:
	if (path.size)
		unlink(path.ptr);
	free(dot);
	gw_str_dispose(&path);
	gw_str_dispose(&type);
	gw_str_dispose(&output);
	return error;
}

void gw_graph_free(gw_graph *g)
{
	if (!g)
		return;
	gw_status_free(g->owned);
	free(g->edges);
	free(g);
}
