/*
 * cmd_adopt.c: `godwit adopt --from TOOL [--dry-run]`: take over a database
 * from the tool that migrated it (dbmate, golang-migrate, goose, Flyway,
 * diesel, Prisma, drizzle, sqitch, the Supabase CLI). Prints, for each migration, what the tool's
 * table says and what godwit records; a refusal prints the same report with the problems, then the
 * error.
 */
#include "cli.h"

#include <string.h>

enum { OPT_FROM = 1, OPT_DRY_RUN, OPT_FROM_TABLE, OPT_FROM_SCHEMA };

static const gw_opt adopt_options[] = {
        {OPT_FROM, "from", 0, "TOOL",
         "dbmate, golang-migrate, goose, flyway, diesel, prisma, drizzle, sqitch or supabase"},
        {OPT_DRY_RUN, "dry-run", 0, NULL, "show what would be recorded and record nothing"},
        {OPT_FROM_TABLE, "from-table", 0, "NAME",
         "the tool's history table, when it is not the tool's default"},
        {OPT_FROM_SCHEMA, "from-schema", 0, "NAME",
         "the schema of that table (drizzle's migrationsSchema, a sqitch registry)"},
        {0, NULL, 0, NULL, NULL},
};

static const char *what_text(const gw_adopt_report *r, const gw_adopt_entry *e)
{
	switch (e->action) {
	case GW_ADOPT_RECORD:
		/* A refusal records nothing, not even the rows that were fine. */
		return gw_adopt_report_dry_run(r) ||
		                       gw_adopt_report_count_action(r, GW_ADOPT_PROBLEM)
		               ? "would record"
		               : "recorded";
	case GW_ADOPT_ALREADY:
		return "already recorded";
	case GW_ADOPT_PENDING:
		return "pending";
	case GW_ADOPT_PROBLEM:
		return "PROBLEM";
	}
	return "";
}

static void print_text(gw_cli *cli, const gw_adopt_report *r)
{
	char buf[GW_CLI_TEXT_MAX];
	size_t i;

	printf("%s history in %s:\n", gw_adopt_report_tool(r), gw_adopt_report_table(r));
	for (i = 0; i < gw_adopt_report_count(r); i++) {
		const gw_adopt_entry *e = gw_adopt_report_get(r, i);
		const char *sgr = e->action == GW_ADOPT_PROBLEM   ? GW_SGR_RED
		                  : e->action == GW_ADOPT_PENDING ? GW_SGR_YELLOW
		                                                  : GW_SGR_GREEN;

		printf("  ");
		gw_out_cell(cli, stdout, sgr, what_text(r, e), 17);
		printf("%-16s %s  (%s", e->version, e->file ? e->file : "(no file)", e->found);
		if (e->applied_at)
			printf(" at %s", e->applied_at);
		if (e->checksum != GW_ADOPT_SUM_NONE)
			printf(", checksum %s", gw_adopt_checksum_name(e->checksum));
		printf(")\n");
		if (e->problem)
			printf("      %s\n",
			       gw_cli_hint_text(&e->hint, e->problem, buf, sizeof(buf)));
	}
	if (gw_adopt_report_count_action(r, GW_ADOPT_PROBLEM))
		return;
	if (gw_adopt_report_dry_run(r))
		printf("dry run: would record %zu migration%s; nothing was changed\n",
		       gw_adopt_report_count_action(r, GW_ADOPT_RECORD),
		       gw_adopt_report_count_action(r, GW_ADOPT_RECORD) == 1 ? "" : "s");
	else
		printf("recorded %zu migration%s as applied; %zu pending; %s left as it was\n",
		       gw_adopt_report_recorded(r), gw_adopt_report_recorded(r) == 1 ? "" : "s",
		       gw_adopt_report_count_action(r, GW_ADOPT_PENDING), gw_adopt_report_table(r));
}

static json_t *report_json(const gw_adopt_report *r)
{
	json_t *root = json_object(), *list = json_array();
	char buf[GW_CLI_TEXT_MAX];
	size_t i;

	gw_json_set(root, "tool", gw_json_str(gw_adopt_report_tool(r)));
	gw_json_set(root, "table", gw_json_str(gw_adopt_report_table(r)));
	gw_json_set(root, "dry_run", gw_json_bool(gw_adopt_report_dry_run(r)));
	gw_json_set(root, "recorded", json_integer((json_int_t)gw_adopt_report_recorded(r)));
	for (i = 0; i < gw_adopt_report_count(r); i++) {
		const gw_adopt_entry *e = gw_adopt_report_get(r, i);
		json_t *o = json_object();

		gw_json_set(o, "version", gw_json_str(e->version));
		gw_json_set(o, "name", gw_json_str(e->name));
		gw_json_set(o, "file", gw_json_str(e->file));
		gw_json_set(o, "found", gw_json_str(e->found));
		gw_json_set(o, "applied_at", gw_json_str(e->applied_at));
		gw_json_set(o, "tool_checksum", gw_json_str(e->tool_checksum));
		gw_json_set(o, "checksum", gw_json_str(gw_adopt_checksum_name(e->checksum)));
		gw_json_set(o, "action", gw_json_str(gw_adopt_action_name(e->action)));
		gw_json_set(o, "problem",
		            gw_json_str(e->problem ? gw_cli_hint_text(&e->hint, e->problem, buf,
		                                                      sizeof(buf))
		                                   : NULL));
		gw_json_append(list, o);
	}
	gw_json_set(root, "migrations", list);
	return root;
}

/* The tools adopt reads, "a, b or c", from the library's list. */
static const char *tool_list(char *buf)
{
	const char *const *t = gw_adopt_tools();
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; t[i] && len < 255; i++)
		len += (size_t)snprintf(buf + len, 256 - len, "%s%s",
		                        i == 0     ? ""
		                        : t[i + 1] ? ", "
		                                   : " or ",
		                        t[i]);
	return buf;
}

static int adopt_run(gw_cli *cli, const gw_args *args)
{
	gw_adopt_options opts = GW_ADOPT_OPTIONS_INIT;
	char list[256];
	gw_adopt_report *report = NULL;
	int rc, exit_code;
	size_t i;

	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].id == OPT_FROM)
			opts.tool = args->opts[i].value;
		else if (args->opts[i].id == OPT_DRY_RUN)
			opts.dry_run = 1;
		else if (args->opts[i].id == OPT_FROM_TABLE)
			opts.table = args->opts[i].value;
		else if (args->opts[i].id == OPT_FROM_SCHEMA)
			opts.schema = args->opts[i].value;
	}
	if (!opts.tool)
		return gw_cli_usage(cli, "adopt needs --from TOOL (one of %s)", tool_list(list));
	if (!gw_adopt_tool_known(opts.tool))
		return gw_cli_usage(cli, "cannot adopt from '%s': unknown tool; adopt knows %s",
		                    opts.tool, tool_list(list));
	rc = gw_project_adopt_with(&report, cli->project, &opts);
	if (report && cli->output == GW_OUTPUT_JSON) {
		/* One JSON document: the report, with the refusal's error. */
		json_t *root = report_json(report);
		const gw_error *e = gw_ctx_error(cli->ctx);

		if (rc < 0 && e)
			gw_json_set(root, "error", gw_json_str(e->message));
		exit_code = gw_json_print(cli, root);
		if (rc < 0)
			exit_code = GW_EXIT_FAILED;
	} else {
		/* A refusal prints its report (text) before the error. */
		if (report && cli->output == GW_OUTPUT_TEXT)
			print_text(cli, report);
		exit_code = rc < 0 ? gw_cli_fail(cli, rc) : GW_EXIT_OK;
	}
	gw_adopt_report_free(report);
	return exit_code;
}

const gw_cmd gw_cmd_adopt = {
        .name = "adopt",
        .summary = "take over a database from dbmate, goose, Flyway, Prisma, sqitch and others",
        .usage = "adopt --from TOOL [--dry-run] [--from-table NAME] [--from-schema NAME]",
        .description = "Reads the tool's history table and records the migrations it applied\n"
                       "as applied (kind 'adopted'), keeping its applied times and checking\n"
                       "its checksums. Nothing runs and the tool's table is left in place.\n"
                       "Any disagreement with the folder refuses, recording nothing.",
        .options = adopt_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = adopt_run,
};
