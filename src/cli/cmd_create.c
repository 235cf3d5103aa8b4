/*
 * cmd_create.c: `godwit create`: creates the database the URL names, as
 * dbmate's create does, so a new checkout or a CI job needs no psql. In a
 * protected environment it asks for a confirmation first.
 */
#include "cli.h"

static int create_run(gw_cli *cli, const gw_args *args)
{
	int rc;

	(void)args;
	if ((rc = gw_cli_guard(cli, "create the database", 0)) != GW_EXIT_OK)
		return rc;
	if ((rc = gw_project_create_database(cli->project)) < 0)
		return gw_cli_fail(cli, rc);
	return GW_EXIT_OK;
}

const gw_cmd gw_cmd_create = {
        .name = "create",
        .summary = "create the database the URL names",
        .usage = "create",
        .description = "PostgreSQL: CREATE DATABASE from a session on the server's postgres\n"
                       "(else template1) database, with the URL's user and parameters. SQLite:\n"
                       "a new file, and its folder. Fails when the database already exists.\n"
                       "Needs a typed confirmation or --yes in a protected environment.",
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB,
        .run = create_run,
};
