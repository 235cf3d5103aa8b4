/*
 * cmd_graph.c: `godwit graph`: the migrations with their state and the
 * edges between them: each -- @depends-on line, and in the conventions
 * whose migrations form a line, each step of the apply order (drawn
 * lighter). The library builds the graph (gw_project_graph, the one
 * `status` reads too) and its DOT text, and renders svg and png through
 * graphviz's dot; this file prints it as DOT, JSON or a text tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

enum { OPT_FORMAT = 1, OPT_OUTPUT };

static const gw_opt graph_options[] = {
        {OPT_FORMAT, "format", 0, "FMT", "text (a tree, the default), dot, svg, png or json"},
        {OPT_OUTPUT, "output", 'o', "FILE", "write to FILE instead of stdout"},
        {0, NULL, 0, NULL, NULL},
};

typedef enum { G_TEXT, G_DOT, G_SVG, G_PNG, G_JSON } graph_format;

static const char *const format_names[] = {"text", "dot", "svg", "png", "json"};

/* ---- JSON ------------------------------------------------------------------ */

static json_t *graph_json(const gw_graph *g)
{
	const gw_status *st = gw_graph_status(g);
	json_t *root = json_object(), *nodes = json_array(), *edges = json_array();
	size_t i;

	for (i = 0; i < gw_status_count(st); i++) {
		const gw_status_entry *e = gw_status_get(st, i);
		json_t *o = json_object();

		gw_json_set(o, "version", gw_json_str(e->version));
		gw_json_set(o, "name", gw_json_str(e->name));
		gw_json_set(o, "file", gw_json_str(e->file));
		gw_json_set(o, "state", gw_json_str(gw_state_name(e->state)));
		gw_json_append(nodes, o);
	}
	for (i = 0; i < gw_graph_edge_count(g); i++) {
		const gw_graph_edge *e = gw_graph_edge_get(g, i);
		json_t *o = json_object();

		gw_json_set(o, "from", gw_json_str(gw_status_get(st, e->from)->version));
		gw_json_set(o, "to", gw_json_str(gw_status_get(st, e->to)->version));
		gw_json_set(o, "kind",
		            gw_json_str(e->kind == GW_GRAPH_DEPENDS_ON ? "depends-on" : "order"));
		gw_json_append(edges, o);
	}
	gw_json_set(root, "linear", gw_json_bool(gw_graph_linear(g)));
	gw_json_set(root, "nodes", nodes);
	gw_json_set(root, "edges", edges);
	return root;
}

/* ---- the text tree ---------------------------------------------------------- */

/* A tree of the @depends-on edges, from the migrations that depend on
 * nothing down to those that need them. A migration that needs several
 * (the bottom of a diamond) is shown under each; its own dependents are
 * shown the first time only. The order edges are left out: the roots are
 * listed in apply order, which is the line they draw. */
typedef struct tree {
	const gw_graph *g;
	FILE *out;
	unsigned char *shown;
	unsigned char *more; /* more[d]: depth d still has siblings below */
} tree;

static void print_node(tree *t, size_t node, size_t depth, int again)
{
	const gw_status_entry *e = gw_status_get(gw_graph_status(t->g), node);
	size_t d, i, n = gw_graph_edge_count(t->g), last = n;

	for (d = 1; d < depth; d++)
		fputs(t->more[d] ? "\xe2\x94\x82   " : "    ", t->out);
	if (depth > 0)
		fputs(t->more[depth] ? "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 "
		                     : "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 ",
		      t->out);
	fprintf(t->out, "%s %s [%s]%s\n", e->version, e->name ? e->name : "",
	        gw_state_name(e->state), again ? " (see above)" : "");
	if (again)
		return;
	t->shown[node] = 1;
	for (i = 0; i < n; i++) {
		const gw_graph_edge *ed = gw_graph_edge_get(t->g, i);

		if (ed->kind == GW_GRAPH_DEPENDS_ON && ed->from == node)
			last = i;
	}
	for (i = 0; i < n; i++) {
		const gw_graph_edge *ed = gw_graph_edge_get(t->g, i);

		if (ed->kind != GW_GRAPH_DEPENDS_ON || ed->from != node)
			continue;
		t->more[depth + 1] = i != last;
		print_node(t, ed->to, depth + 1, t->shown[ed->to]);
	}
}

static int print_tree(FILE *out, const gw_graph *g)
{
	size_t i, k, n = gw_status_count(gw_graph_status(g)), ne = gw_graph_edge_count(g);
	tree t = {g, out, calloc(n + 1, 1), calloc(n + 2, 1)};
	int error = 0;

	if (!t.shown || !t.more) {
		error = -1;
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		int root = 1;

		for (k = 0; k < ne && root; k++) {
			const gw_graph_edge *ed = gw_graph_edge_get(g, k);

			root = !(ed->kind == GW_GRAPH_DEPENDS_ON && ed->to == i);
		}
		if (root)
			print_node(&t, i, 0, 0);
	}
cleanup:
	free(t.shown);
	free(t.more);
	return error;
}

/* ---- the command ------------------------------------------------------------ */

static int parse_format(graph_format *out, const char *value)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (!strcmp(value, format_names[i])) {
			*out = (graph_format)i;
			return 0;
		}
	return -1;
}

static int write_text(gw_cli *cli, FILE *out, const gw_graph *g, graph_format format)
{
	char *dot = NULL;
	json_t *doc;
	int rc;

	switch (format) {
	case G_DOT:
		if ((rc = gw_graph_dot(&dot, g)) < 0)
			return gw_cli_fail(cli, rc);
		fputs(dot, out);
		free(dot);
		return GW_EXIT_OK;
	case G_JSON:
		doc = graph_json(g);
		rc = doc ? json_dumpf(doc, out, JSON_INDENT(2)) : -1;
		json_decref(doc);
		if (rc < 0)
			return gw_cli_refuse(cli, NULL, "out of memory while writing JSON");
		fputc('\n', out);
		return GW_EXIT_OK;
	default:
		if (print_tree(out, g) < 0)
			return gw_cli_refuse(cli, NULL, "out of memory");
		return GW_EXIT_OK;
	}
}

static int graph_run(gw_cli *cli, const gw_args *args)
{
	graph_format format = cli->output == GW_OUTPUT_JSON ? G_JSON : G_TEXT;
	const char *output = NULL;
	gw_graph *g = NULL;
	FILE *out = stdout;
	int fd = STDOUT_FILENO, rc;
	size_t i;

	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].id == OPT_OUTPUT)
			output = args->opts[i].value;
		else if (args->opts[i].id == OPT_FORMAT &&
		         parse_format(&format, args->opts[i].value) < 0)
			return gw_cli_usage(cli,
			                    "unknown graph format '%s'; use text, dot, svg, png or "
			                    "json",
			                    args->opts[i].value);
	}
	cli->output = format == G_JSON ? GW_OUTPUT_JSON : GW_OUTPUT_TEXT;
	if (format == G_PNG && !output && isatty(STDOUT_FILENO))
		return gw_cli_refuse(cli,
		                     "redirect it to a file (> graph.png) or use --output FILE",
		                     "a PNG is binary and stdout is a terminal");
	if ((rc = gw_project_graph(&g, cli->project)) < 0)
		return gw_cli_fail(cli, rc);
	if (output) {
		fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0 || !(out = fdopen(fd, "w"))) {
			if (fd >= 0)
				close(fd);
			gw_graph_free(g);
			return gw_cli_refuse(cli, NULL, "cannot write %s: %s", output,
			                     strerror(errno));
		}
	}
	if (format == G_SVG || format == G_PNG) {
		fflush(out);
		rc = gw_graph_render(g, format_names[format], fd);
		rc = rc < 0 ? gw_cli_fail(cli, rc) : GW_EXIT_OK;
	} else {
		rc = write_text(cli, out, g, format);
	}
	if (output && fclose(out) != 0 && rc == GW_EXIT_OK)
		rc = gw_cli_refuse(cli, NULL, "cannot write %s: %s", output, strerror(errno));
	gw_graph_free(g);
	return rc;
}

const gw_cmd gw_cmd_graph = {
        .name = "graph",
        .summary = "draw the migrations and their dependencies",
        .usage = "graph [--format text|dot|svg|png|json] [--output FILE]",
        .description = "Each migration with its state (applied, pending, changed, dirty,\n"
                       "missing, ...), an edge for each -- @depends-on line and, where the\n"
                       "folder's convention orders migrations in a line (all but dated), a\n"
                       "dashed edge for each step of that order. text is a tree of the\n"
                       "@depends-on edges; svg and png are drawn by graphviz's dot program.",
        .options = graph_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB,
        .run = graph_run,
};
