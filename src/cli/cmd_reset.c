/*
 * cmd_reset.c: `godwit reset [--drop]`: back to an empty database. Always
 * asks for confirmation (typed, or --yes), needs --force in a protected
 * environment, and takes a backup first.
 */
#include "cli.h"

enum { OPT_DROP = 1 };

static const gw_opt reset_options[] = {
        {OPT_DROP, "drop", 0, NULL,
         "drop and create again the history's schema instead of reverting each migration"},
        {0, NULL, 0, NULL, NULL},
};

static int reset_run(gw_cli *cli, const gw_args *args)
{
	int drop = args->nopts > 0, rc;

	if ((rc = gw_cli_guard(cli,
	                       drop ? "drop everything in the database" : "revert every migration",
	                       GW_GUARD_FORCE | GW_GUARD_ALWAYS)) != GW_EXIT_OK)
		return rc;
	if ((rc = gw_project_reset(cli->project, drop)) < 0)
		return gw_cli_fail(cli, rc);
	return GW_EXIT_OK;
}

const gw_cmd gw_cmd_reset = {
        .name = "reset",
        .summary = "revert everything (or drop the schema), after a backup",
        .usage = "reset [--drop]",
        .description = "Reverts every applied migration in reverse order, or with --drop drops\n"
                       "the history's schema (PostgreSQL) or every table and view (SQLite) and\n"
                       "starts a new history. A backup is taken first; a failed backup stops it.\n"
                       "Needs a typed confirmation or --yes, and --force in a protected\n"
                       "environment.",
        .options = reset_options,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = reset_run,
};
