/*
 * cmd_drop.c: `godwit drop`: drops the database the URL names (deletes a
 * SQLite file), as dbmate's drop does. In a protected environment it needs
 * --force and a confirmation, like every command that destroys data.
 */
#include "cli.h"

static int drop_run(gw_cli *cli, const gw_args *args)
{
	int rc;

	(void)args;
	if ((rc = gw_cli_guard(cli, "drop the database", GW_GUARD_FORCE)) != GW_EXIT_OK)
		return rc;
	if ((rc = gw_project_drop_database(cli->project)) < 0)
		return gw_cli_fail(cli, rc);
	return GW_EXIT_OK;
}

const gw_cmd gw_cmd_drop = {
        .name = "drop",
        .summary = "drop the database the URL names",
        .usage = "drop",
        .description = "PostgreSQL: DROP DATABASE from a session on the server's postgres (else\n"
                       "template1) database; it fails while other sessions use the database.\n"
                       "SQLite: deletes the file and its -wal, -shm and -journal files. Fails\n"
                       "when there is no such database. Needs --force and a typed confirmation\n"
                       "(or --yes) in a protected environment.",
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB,
        .run = drop_run,
};
