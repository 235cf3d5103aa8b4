/*
 * cmd_status.c: `godwit status`: every migration's state, in apply order:
 * applied, pending, changed (the file's checksum differs from the applied
 * one), missing (applied, no file), out-of-order and dirty (half-applied).
 *
 * A state that needs the user comes with the command that settles it, so
 * the output of status is also the to-do list. With --exit-code it is a CI
 * check: 3 when anything is not applied and clean.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_EXIT_CODE = 1 };

static const gw_opt status_options[] = {
        {OPT_EXIT_CODE, "exit-code", 0, NULL, "exit 3 when anything is not applied and clean"},
        {0, NULL, 0, NULL, NULL},
};

/* "out-of-order" is the longest state name. */
#define STATE_WIDTH 13

static const char *state_color(gw_state state)
{
	switch (state) {
	case GW_STATE_APPLIED:
		return GW_SGR_GREEN;
	case GW_STATE_PENDING:
	case GW_STATE_RUNNING:
		return GW_SGR_YELLOW;
	default:
		return GW_SGR_RED;
	}
}

/* The lines under an entry that say what is wrong and what to do. */
static void print_detail(const gw_status_entry *e)
{
	switch (e->state) {
	case GW_STATE_DIRTY:
		/* No error recorded means the runner died (killed, lost its
		 * connection) before it could write one. */
		if (e->error)
			printf("    statement %d of %d failed: %s\n", e->statements_done + 1,
			       e->statements_total, e->error);
		else
			printf("    statement %d of %d was interrupted\n", e->statements_done + 1,
			       e->statements_total);
		printf("    run 'godwit up --resume' after fixing the cause, or 'godwit resolve "
		       "%s --applied|--rolled-back'\n",
		       e->version);
		break;
	case GW_STATE_RUNNING:
		printf("    statement %d of %d is running: another godwit run holds the lock\n",
		       e->statements_done + 1, e->statements_total);
		break;
	case GW_STATE_CHANGED:
		printf("    file changed since it was applied; restore it or run 'godwit repair "
		       "%s'\n",
		       e->version);
		break;
	case GW_STATE_MISSING:
		printf("    applied, but no file has this version; restore the file from version "
		       "control\n");
		break;
	case GW_STATE_OUT_OF_ORDER:
		printf("    older than an applied migration; apply it with 'godwit up "
		       "--allow-out-of-order'\n");
		break;
	default:
		break;
	}
	if (e->empty && e->state != GW_STATE_APPLIED)
		printf("    the file holds no SQL yet; 'godwit up' refuses it until it does\n");
}

static size_t len_of(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Each line is made in one buffer and written in one call: four cells a
 * line through stdio were about a tenth of a 10,000-line status's CPU. */
static int print_text(gw_cli *cli, const gw_status *st)
{
	size_t i, n = gw_status_count(st), vl = 0, nl = 0, cap = 0, need;
	int vw = 0, nw = 0, w;
	gw_status_entry entry;
	const gw_status_entry *e = &entry;
	const char *version, *name;
	char *line = NULL, *at;

	/* The columns' widths from the versions and names alone: reading
	 * whole entries twice made the text of every time and checksum
	 * twice, a quarter of the printing's CPU. An entry is then read into
	 * one struct, not gw_status_get's array of every entry (208 bytes a
	 * migration at status's peak). */
	for (i = 0; i < n; i++) {
		size_t len;

		gw_status_names(st, i, &version, &name);
		if ((len = len_of(version)) > vl)
			vl = len;
		if ((w = gw_out_width_n(version ? version : "", len)) > vw)
			vw = w;
		if ((len = len_of(name)) > nl)
			nl = len;
		if ((w = gw_out_width_n(name ? name : "", len)) > nw)
			nw = w;
	}
	for (i = 0; i < n; i++) {
		gw_status_read(st, i, &entry);
		/* Room for each cell's text, its padding and its color. */
		need = 2 * STATE_WIDTH + vl + (size_t)vw + 2 + nl + (size_t)nw + 2 +
		       len_of(e->applied_at) + 2 * GW_OUT_SGR_MAX + 1;
		if (need > cap) {
			char *grown = realloc(line, need);

			if (!grown) {
				free(line);
				return -1;
			}
			line = grown;
			cap = need;
		}
		at = gw_out_cell_at(cli, stdout, line, state_color(e->state),
		                    gw_state_name(e->state), STATE_WIDTH);
		at = gw_out_cell_at(cli, stdout, at, NULL, e->version, vw + 2);
		at = gw_out_cell_at(cli, stdout, at, NULL, e->name, e->applied_at ? nw + 2 : 0);
		if (e->applied_at)
			at = gw_out_cell_at(cli, stdout, at, GW_SGR_DIM, e->applied_at, 0);
		*at++ = '\n';
		fwrite(line, 1, (size_t)(at - line), stdout);
		print_detail(e);
	}
	free(line);
	return 0;
}

static void print_summary(const gw_status *st)
{
	static const struct {
		gw_state state;
		const char *label;
	} extra[] = {
	        {GW_STATE_CHANGED, "changed"},           {GW_STATE_MISSING, "missing"},
	        {GW_STATE_OUT_OF_ORDER, "out of order"}, {GW_STATE_DIRTY, "dirty"},
	        {GW_STATE_RUNNING, "running"},
	};
	size_t i, count;

	if (gw_status_count(st) == 0)
		printf("no migrations yet; create one with 'godwit new NAME'\n");
	printf("%zu applied, %zu pending", gw_status_count_state(st, GW_STATE_APPLIED),
	       gw_status_count_state(st, GW_STATE_PENDING));
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if ((count = gw_status_count_state(st, extra[i].state)) > 0)
			printf(", %zu %s", count, extra[i].label);
	fputc('\n', stdout);
	if (gw_status_other_tool(st))
		printf("this database holds the %s history (%s) and godwit's history is empty;\n"
		       "take it over with 'godwit adopt --from %s'; until then 'godwit up' refuses "
		       "(it would apply every migration again)\n",
		       gw_status_other_tool(st), gw_status_other_table(st),
		       gw_status_other_tool(st));
}

/* The versions migration i names in its -- @depends-on lines. The edges
 * come in the order of their `to` node (graph.h), so *next walks them once
 * for the whole list instead of once a migration: 10,000 migrations made
 * a hundred million steps. */
static json_t *depends_json(const gw_graph *g, size_t i, size_t *next)
{
	const gw_status *st = gw_graph_status(g);
	json_t *list = json_array();
	size_t n = gw_graph_edge_count(g);
	const gw_graph_edge *e;

	for (; *next < n && (e = gw_graph_edge_get(g, *next))->to <= i; (*next)++)
		if (e->to == i && e->kind == GW_GRAPH_DEPENDS_ON)
			gw_json_append(list, gw_json_str(gw_status_get(st, e->from)->version));
	return list;
}

static json_t *entry_json(const gw_status *st, const gw_graph *g, size_t i, size_t *next)
{
	const gw_status_entry *e = gw_status_get(st, i);
	json_t *o = json_object();

	gw_json_set(o, "version", gw_json_str(e->version));
	gw_json_set(o, "name", gw_json_str(e->name));
	gw_json_set(o, "file", gw_json_str(e->file));
	gw_json_set(o, "state", gw_json_str(gw_state_name(e->state)));
	gw_json_set(o, "applied_at", gw_json_str(e->applied_at));
	gw_json_set(o, "applied_by", gw_json_str(e->applied_by));
	gw_json_set(o, "execution_ms", gw_json_ms(e->execution_ms));
	gw_json_set(o, "checksum", gw_json_str(e->checksum));
	gw_json_set(o, "applied_checksum", gw_json_str(e->applied_checksum));
	gw_json_set(o, "transactional", gw_json_bool(e->transactional));
	gw_json_set(o, "empty", gw_json_bool(e->empty));
	gw_json_set(o, "has_down", gw_json_bool(e->has_down));
	/* Progress only means something for a migration that was started. */
	gw_json_set(o, "statements_total",
	            e->state == GW_STATE_PENDING || e->state == GW_STATE_OUT_OF_ORDER
	                    ? json_null()
	                    : json_integer(e->statements_total));
	gw_json_set(o, "statements_done",
	            e->state == GW_STATE_PENDING || e->state == GW_STATE_OUT_OF_ORDER
	                    ? json_null()
	                    : json_integer(e->statements_done));
	gw_json_set(o, "error", gw_json_str(e->error));
	if (g)
		gw_json_set(o, "depends_on", depends_json(g, i, next));
	return o;
}

static json_t *summary_json(const gw_status *st)
{
	json_t *o = json_object();

	gw_json_set(o, "applied",
	            json_integer((json_int_t)gw_status_count_state(st, GW_STATE_APPLIED)));
	gw_json_set(o, "pending",
	            json_integer((json_int_t)gw_status_count_state(st, GW_STATE_PENDING)));
	gw_json_set(o, "changed",
	            json_integer((json_int_t)gw_status_count_state(st, GW_STATE_CHANGED)));
	gw_json_set(o, "missing",
	            json_integer((json_int_t)gw_status_count_state(st, GW_STATE_MISSING)));
	gw_json_set(o, "out_of_order",
	            json_integer((json_int_t)gw_status_count_state(st, GW_STATE_OUT_OF_ORDER)));
	gw_json_set(o, "dirty",
	            json_integer((json_int_t)gw_status_count_state(st, GW_STATE_DIRTY)));
	gw_json_set(o, "running",
	            json_integer((json_int_t)gw_status_count_state(st, GW_STATE_RUNNING)));
	return o;
}

/* Another tool's history to adopt, or null. */
static json_t *other_json(const gw_status *st)
{
	json_t *o;
	char cmd[128];

	if (!gw_status_other_tool(st))
		return json_null();
	o = json_object();
	snprintf(cmd, sizeof(cmd), "godwit adopt --from %s", gw_status_other_tool(st));
	gw_json_set(o, "tool", gw_json_str(gw_status_other_tool(st)));
	gw_json_set(o, "table", gw_json_str(gw_status_other_table(st)));
	gw_json_set(o, "command", gw_json_str(cmd));
	return o;
}

/* The document, with every migration when entries is set, else with an
 * empty list that print_json fills. */
static json_t *status_root(const gw_project *project, const gw_config *config, const gw_status *st,
                           const gw_graph *g, int entries)
{
	json_t *root = json_object(), *list = json_array();
	size_t i, n = entries ? gw_status_count(st) : 0, next = 0;

	gw_json_set(root, "database", gw_json_str(gw_project_display_url(project)));
	gw_json_set(root, "driver", gw_json_str(gw_project_driver_name(project)));
	gw_json_set(root, "dir", gw_json_str(gw_config_get(config, "dir")));
	gw_json_set(root, "dir_source", gw_json_str(gw_config_source(config, "dir")));
	for (i = 0; i < n; i++)
		gw_json_append(list, entry_json(st, g, i, &next));
	gw_json_set(root, "migrations", list);
	gw_json_set(root, "summary", summary_json(st));
	gw_json_set(root, "other_history", other_json(st));
	return root;
}

json_t *gw_cli_status_json(const gw_project *project, const gw_config *config, const gw_status *st,
                           const gw_graph *g)
{
	return status_root(project, config, st, g, 1);
}

/* jansson's text of an empty "migrations" at the document's top level
 * (JSON_INDENT(2)); a string value holds no raw newline, so only the key
 * matches. */
#define EMPTY_LIST "\n  \"migrations\": []"

/* One migration's object as jansson would print it inside the list: its
 * own lines indented by four more spaces. */
static int put_entry(FILE *out, json_t *entry, int first)
{
	char *text = gw_json_take_failed() ? NULL : json_dumps(entry, JSON_INDENT(2));
	const char *p, *nl;

	json_decref(entry);
	if (!text)
		return -1;
	fputs(first ? "\n    " : ",\n    ", out);
	for (p = text; (nl = strchr(p, '\n')); p = nl + 1) {
		fwrite(p, 1, (size_t)(nl - p), out);
		fputs("\n    ", out);
	}
	fputs(p, out);
	free(text);
	return 0;
}

/* --format json without a tree of every migration (jansson's tree was
 * 2.4 KB a migration, three times what the status holds): the document
 * is written as text one migration at a time, in memory, and printed
 * once whole, so that a run out of memory prints an error, never half a
 * document. The text is what gw_json_print printed. */
static int print_json(gw_cli *cli, const gw_status *st, const gw_graph *g)
{
	json_t *root = status_root(cli->project, cli->config, st, g, 0);
	char *head = gw_json_take_failed() || !root ? NULL : json_dumps(root, JSON_INDENT(2));
	char *doc = NULL, *at = head ? strstr(head, EMPTY_LIST) : NULL;
	size_t len = 0, i, n = gw_status_count(st), next = 0;
	FILE *out = at ? open_memstream(&doc, &len) : NULL;
	int failed = !out;

	json_decref(root);
	if (out) {
		fwrite(head, 1, (size_t)(at - head) + strlen(EMPTY_LIST) - 1, out);
		for (i = 0; !failed && i < n; i++)
			failed = put_entry(out, entry_json(st, g, i, &next), i == 0) < 0;
		fputs(n ? "\n  ]" : "]", out);
		fputs(at + strlen(EMPTY_LIST), out);
		fputc('\n', out);
		failed |= ferror(out) != 0;
		failed |= fclose(out) != 0;
	}
	if (!failed)
		failed = fwrite(doc, 1, len, stdout) != len;
	free(doc);
	free(head);
	(void)cli;
	if (failed) {
		fputs("godwit: error: out of memory while writing JSON\n", stderr);
		return GW_EXIT_FAILED;
	}
	return GW_EXIT_OK;
}

static int needs_attention(const gw_status *st)
{
	return gw_status_count(st) > gw_status_count_state(st, GW_STATE_APPLIED);
}

static int status_run(gw_cli *cli, const gw_args *args)
{
	const gw_status *st;
	gw_status *text_st = NULL;
	gw_graph *g = NULL;
	int exit_code = 0, rc;
	size_t i;

	for (i = 0; i < args->nopts; i++)
		if (args->opts[i].id == OPT_EXIT_CODE)
			exit_code = 1;
	/* JSON shows what each migration depends on and whether it runs in a
	 * transaction: the graph, whose nodes are the status entries. The
	 * text shows neither, and reads no file to find them out. */
	if (cli->output == GW_OUTPUT_JSON)
		rc = gw_project_graph(&g, cli->project);
	else
		rc = gw_project_status_states(&text_st, cli->project);
	if (rc < 0)
		return gw_cli_fail(cli, rc);
	st = g ? gw_graph_status(g) : text_st;
	if (cli->output == GW_OUTPUT_JSON) {
		rc = print_json(cli, st, g);
	} else {
		/* A folder godwit found by itself is named, so a user who
		 * expected another one sees it at once. */
		if (!strncmp(gw_config_source(cli->config, "dir"), "found: ", 7))
			printf("migrations in %s (%s)\n", gw_config_get(cli->config, "dir"),
			       gw_config_source(cli->config, "dir"));
		if (print_text(cli, st) < 0) {
			gw_graph_free(g);
			gw_status_free(text_st);
			return gw_cli_refuse(cli, NULL, "out of memory");
		}
		print_summary(st);
		rc = GW_EXIT_OK;
	}
	if (rc == GW_EXIT_OK && exit_code && needs_attention(st))
		rc = GW_EXIT_FOUND;
	gw_graph_free(g);
	gw_status_free(text_st);
	return rc;
}

const gw_cmd gw_cmd_status = {
        .name = "status",
        .summary = "show the state of every migration",
        .usage = "status [--exit-code] [--format text|json]",
        .description = "States: applied, pending, changed (the file was edited after it was\n"
                       "applied), missing (applied, but no file has it), out-of-order (pending,\n"
                       "older than an applied migration) and dirty (a no-transaction migration\n"
                       "that stopped half-way). Nothing is created or locked.",
        .options = status_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB,
        .run = status_run,
};
