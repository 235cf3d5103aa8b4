/*
 * cmd_up.c: `godwit up` (alias `migrate`): apply the pending migrations,
 * each atomically, in order; or with --dry-run print what would run.
 *
 * Progress comes from the library's notices, one line per migration as it
 * commits (output.c); this file adds the final count, which is what a
 * deploy log is read for.
 */
#include "cli.h"

enum { OPT_TO = 1, OPT_DRY_RUN, OPT_RESUME, OPT_IGNORE_OTHER };

static const gw_opt up_options[] = {
        {OPT_TO, "to", 0, "V", "apply up to and including version V"},
        {OPT_DRY_RUN, "dry-run", 0, NULL, "print each migration's SQL and change nothing"},
        {OPT_RESUME, "resume", 0, NULL, "continue a dirty migration from its failed statement"},
        {OPT_IGNORE_OTHER, "ignore-other-history", 0, NULL,
         "apply although another tool's history is in the database (see adopt)"},
        {0, NULL, 0, NULL, NULL},
};

static int print_result(gw_cli *cli, size_t applied)
{
	json_t *root;

	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "applied", json_integer((json_int_t)applied));
		gw_json_set(root, "migrations",
		            cli->applied ? json_incref(cli->applied) : json_array());
		if (cli->skipped)
			gw_json_set(root, "skipped", json_incref(cli->skipped));
		return gw_json_print(cli, root);
	}
	if (applied == 0)
		printf("nothing to apply; the database is up to date\n");
	else
		printf("applied %zu migration%s\n", applied, applied == 1 ? "" : "s");
	return GW_EXIT_OK;
}

static int dry_run(gw_cli *cli, const gw_up_options *opts)
{
	gw_plan *plan = NULL;
	int rc;

	if ((rc = gw_project_plan_up(&plan, cli->project, opts)) < 0)
		return gw_cli_fail(cli, rc);
	rc = gw_cli_print_plan(cli, plan, "nothing to apply; the database is up to date");
	gw_plan_free(plan);
	return rc;
}

/* A protected environment confirms what up is about to apply. The plan
 * is made quietly: the run that follows gives its notices. Elsewhere no
 * plan is made: muted, it would also hide the connection's retries, and
 * the run refuses a database another tool migrated before its lock
 * creates anything (migrate.c). */
static int confirm(gw_cli *cli, const gw_up_options *opts)
{
	char what[64];
	gw_plan *plan = NULL;
	int rc;

	if (!gw_config_protected(cli->config))
		return GW_EXIT_OK;
	gw_cli_mute_notices(cli, 1);
	rc = gw_project_plan_up(&plan, cli->project, opts);
	gw_cli_mute_notices(cli, 0);
	if (rc < 0)
		return gw_cli_fail(cli, rc);
	rc = GW_EXIT_OK;
	if (gw_plan_count(plan)) {
		snprintf(what, sizeof(what), "apply %zu migration%s", gw_plan_count(plan),
		         gw_plan_count(plan) == 1 ? "" : "s");
		rc = gw_cli_guard(cli, what, 0);
	}
	gw_plan_free(plan);
	return rc;
}

static int up_run(gw_cli *cli, const gw_args *args)
{
	gw_up_options opts = {.version = GW_UP_OPTIONS_VERSION};
	int dry = 0, rc;
	size_t i, applied = 0;

	for (i = 0; i < args->nopts; i++) {
		switch (args->opts[i].id) {
		case OPT_TO:
			opts.to = args->opts[i].value;
			break;
		case OPT_DRY_RUN:
			dry = 1;
			break;
		case OPT_RESUME:
			opts.resume = 1;
			break;
		case OPT_IGNORE_OTHER:
			opts.ignore_other_history = 1;
			break;
		default:
			break;
		}
	}
	if (dry)
		return dry_run(cli, &opts);
	if ((rc = confirm(cli, &opts)) != GW_EXIT_OK)
		return rc;
	if ((rc = gw_project_up(&applied, cli->project, &opts)) < 0)
		return gw_cli_fail(cli, rc);
	return print_result(cli, applied);
}

static const char *const up_aliases[] = {"migrate", NULL};

const gw_cmd gw_cmd_up = {
        .name = "up",
        .aliases = up_aliases,
        .summary = "apply pending migrations",
        .usage = "up [--to V] [--dry-run] [--resume] [--ignore-other-history]",
        .description = "Each migration runs in its own transaction together with its history row,\n"
                       "unless it cannot (CREATE INDEX CONCURRENTLY, ...): then it runs statement\n"
                       "by statement and a failure leaves it dirty, to be continued with --resume\n"
                       "or settled with 'godwit resolve'. Only one runner works at a time.\n"
                       "A database that another tool migrated (its history table is there,\n"
                       "godwit's is empty) is refused: take it over with 'godwit adopt'.",
        .options = up_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = up_run,
};
