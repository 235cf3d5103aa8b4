/*
 * cmd_history.c: `godwit history`: the audit trail from the events table:
 * every apply, revert, failure, repair and resolve, with when, how long,
 * who, and for a failure the error with its file position and SQLSTATE.
 *
 * Oldest first, like a log; --limit keeps the newest N.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_LIMIT = 1 };

static const gw_opt history_options[] = {
        {OPT_LIMIT, "limit", 0, "N", "show only the newest N events"},
        {0, NULL, 0, NULL, NULL},
};

enum { COL_AT, COL_ACTION, COL_VERSION, COL_NAME, COL_DURATION, COL_BY, NCOLS };

static const char *const headers[NCOLS] = {"TIME", "ACTION", "VERSION", "NAME", "DURATION", "BY"};

static const char *action_color(const char *action)
{
	if (!action)
		return NULL;
	if (strcmp(action, "apply") == 0)
		return GW_SGR_GREEN;
	if (strcmp(action, "fail") == 0)
		return GW_SGR_RED;
	if (strcmp(action, "revert") == 0)
		return GW_SGR_YELLOW;
	return NULL;
}

static void cells(const gw_event *e, const char *cell[NCOLS], char *duration, size_t size)
{
	if (e->duration_ms >= 0)
		snprintf(duration, size, "%lld ms", e->duration_ms);
	else
		snprintf(duration, size, "-");
	cell[COL_AT] = e->at;
	cell[COL_ACTION] = e->action;
	cell[COL_VERSION] = e->version ? e->version : "-";
	cell[COL_NAME] = e->name ? e->name : "";
	cell[COL_DURATION] = duration;
	cell[COL_BY] = e->applied_by ? e->applied_by : "";
}

static void print_error_line(const gw_event *e)
{
	printf("    error: ");
	if (e->file && *e->file) {
		printf("%s", e->file);
		if (e->line > 0)
			printf(":%d", e->line);
		if (e->line > 0 && e->column > 0)
			printf(":%d", e->column);
		printf(": ");
	}
	printf("%s", e->error);
	if (e->sqlstate && *e->sqlstate)
		printf(" (SQLSTATE %s)", e->sqlstate);
	fputc('\n', stdout);
}

static void print_text(gw_cli *cli, const gw_history *h)
{
	size_t i, n = gw_history_count(h);
	int width[NCOLS], c, w;
	const char *cell[NCOLS];
	char duration[32];

	if (n == 0) {
		printf("no events yet\n");
		return;
	}
	for (c = 0; c < NCOLS; c++)
		width[c] = gw_out_width(headers[c]);
	for (i = 0; i < n; i++) {
		cells(gw_history_get(h, i), cell, duration, sizeof(duration));
		for (c = 0; c < NCOLS; c++)
			if ((w = gw_out_width(cell[c])) > width[c])
				width[c] = w;
	}
	for (c = 0; c < NCOLS; c++)
		gw_out_cell(cli, stdout, GW_SGR_BOLD, headers[c], c + 1 < NCOLS ? width[c] + 2 : 0);
	fputc('\n', stdout);
	for (i = 0; i < n; i++) {
		const gw_event *e = gw_history_get(h, i);
		cells(e, cell, duration, sizeof(duration));
		for (c = 0; c < NCOLS; c++)
			gw_out_cell(cli, stdout, c == COL_ACTION ? action_color(e->action) : NULL,
			            cell[c], c + 1 < NCOLS ? width[c] + 2 : 0);
		fputc('\n', stdout);
		if (e->error)
			print_error_line(e);
	}
}

/* The library's JSON of an event, the same an audit line holds
 * (docs/events.md). */
static json_t *event_json(const gw_event *e)
{
	char *text = gw_event_json(e);
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;

	free(text);
	return o;
}

json_t *gw_cli_history_json(const gw_history *h, size_t first)
{
	json_t *root = json_object(), *list = json_array();
	size_t i, n = gw_history_count(h);

	for (i = first; i < n; i++)
		gw_json_append(list, event_json(gw_history_get(h, i)));
	gw_json_set(root, "events", list);
	return root;
}

static int history_run(gw_cli *cli, const gw_args *args)
{
	gw_history *h = NULL;
	int limit = 0, rc;
	size_t i;

	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].id == OPT_LIMIT &&
		    gw_parse_count(args->opts[i].value, &limit) < 0)
			return gw_cli_usage(cli,
			                    "--limit must be a positive whole number, not '%s'",
			                    args->opts[i].value);
	}
	if ((rc = gw_project_history(&h, cli->project, args->npos ? args->pos[0] : NULL,
	                             (size_t)limit)) < 0)
		return gw_cli_fail(cli, rc);
	if (cli->output == GW_OUTPUT_JSON) {
		rc = gw_json_print(cli, gw_cli_history_json(h, 0));
	} else {
		print_text(cli, h);
		rc = GW_EXIT_OK;
	}
	gw_history_free(h);
	return rc;
}

const gw_cmd gw_cmd_history = {
        .name = "history",
        .summary = "show applies, reverts and failures with their errors",
        .usage = "history [--limit N] [VERSION]",
        .description = "With VERSION, only the events of that migration.",
        .options = history_options,
        .min_args = 0,
        .max_args = 1,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB,
        .run = history_run,
};
