/*
 * cmd_health.c: `godwit health`: is the database reachable, up to date and
 * free of what blocks a deploy? For deploy gates and health endpoints:
 * exit 3 when a check fails (with --strict, also when one warns).
 */
#include "cli.h"

enum { OPT_STRICT = 1 };

static const gw_opt health_options[] = {
        {OPT_STRICT, "strict", 0, NULL, "exit 3 on warnings (pending migrations, ...) too"},
        {0, NULL, 0, NULL, NULL},
};

const char *const gw_cli_check_names[] = {"ok", "warn", "fail"};
static const char *const status_colors[] = {GW_SGR_GREEN, GW_SGR_YELLOW, GW_SGR_RED};

static void print_text(gw_cli *cli, const gw_report *r)
{
	char buf[GW_CLI_TEXT_MAX];
	size_t i, j;

	for (i = 0; i < gw_report_count(r); i++) {
		const gw_check *c = gw_report_get(r, i);

		gw_out_cell(cli, stdout, status_colors[c->status], gw_cli_check_names[c->status],
		            6);
		gw_out_cell(cli, stdout, NULL, c->name, 19);
		printf("%s\n", gw_cli_hint_text(&c->hint, c->summary, buf, sizeof(buf)));
		for (j = 0; j < c->ndetails; j++)
			printf("%25s%s\n", "", c->details[j]);
	}
}

json_t *gw_cli_health_json(const gw_report *r)
{
	json_t *root = json_object(), *checks = json_array();
	char buf[GW_CLI_TEXT_MAX];
	size_t i, j;

	for (i = 0; i < gw_report_count(r); i++) {
		const gw_check *c = gw_report_get(r, i);
		json_t *o = json_object(), *details = json_array();

		for (j = 0; j < c->ndetails; j++)
			json_array_append_new(details, gw_json_str(c->details[j]));
		gw_json_set(o, "name", gw_json_str(c->name));
		gw_json_set(o, "status", gw_json_str(gw_cli_check_names[c->status]));
		gw_json_set(o, "summary",
		            gw_json_str(gw_cli_hint_text(&c->hint, c->summary, buf, sizeof(buf))));
		gw_json_set(o, "value", c->value >= 0 ? json_integer(c->value) : json_null());
		gw_json_set(o, "details", details);
		json_array_append_new(checks, o);
	}
	gw_json_set(root, "status", gw_json_str(gw_cli_check_names[gw_report_status(r)]));
	gw_json_set(root, "checks", checks);
	return root;
}

static int health_run(gw_cli *cli, const gw_args *args)
{
	gw_report *report = NULL;
	gw_check_status worst;
	int rc, strict = args->nopts > 0;

	rc = gw_project_health(&report, cli->project);
	/* A check that could not run is a failed check of the report; an
	 * error the report does not show as one (out of memory) must not
	 * print as ok. */
	if (rc < 0 && gw_report_status(report) != GW_CHECK_FAIL) {
		gw_report_free(report);
		return gw_cli_fail(cli, rc);
	}
	/* An unreachable database is a finding of the report, not a crash
	 * of the command. */
	worst = gw_report_status(report);
	if (cli->output == GW_OUTPUT_JSON)
		rc = gw_json_print(cli, gw_cli_health_json(report));
	else
		print_text(cli, report), rc = GW_EXIT_OK;
	gw_report_free(report);
	if (rc != GW_EXIT_OK)
		return rc;
	return worst == GW_CHECK_FAIL || (strict && worst == GW_CHECK_WARN) ? GW_EXIT_FOUND
	                                                                    : GW_EXIT_OK;
}

const gw_cmd gw_cmd_health = {
        .name = "health",
        .summary = "check the database, its sessions and the migrations",
        .usage = "health [--strict]",
        .description = "Connectivity and round-trip time, server version, extensions, required\n"
                       "tables (required_tables), pending, changed and dirty migrations, invalid\n"
                       "indexes left by a failed CREATE INDEX CONCURRENTLY, long transactions and\n"
                       "sessions that block others. Exit 3 when a check fails.",
        .options = health_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT,
        .run = health_run,
};
