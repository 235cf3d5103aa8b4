/*
 * cmd_wait.c: `godwit wait [--timeout SECONDS]`: waits for the database
 * server to accept connections, as dbmate's wait does, for the step of a
 * docker compose or CI job that starts the server and migrates at once.
 */
#include <stdlib.h>

#include "cli.h"

enum { OPT_TIMEOUT = 1 };

static const gw_opt wait_options[] = {
        {OPT_TIMEOUT, "timeout", 0, "SECONDS", "give up after this long (default: 60)"},
        {0, NULL, 0, NULL, NULL},
};

static int wait_run(gw_cli *cli, const gw_args *args)
{
	long seconds = 60;
	char *end;
	size_t i;
	int rc;

	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].id != OPT_TIMEOUT)
			continue;
		seconds = strtol(args->opts[i].value, &end, 10);
		if (end == args->opts[i].value || *end || seconds < 0 || seconds > 86400)
			return gw_cli_usage(cli,
			                    "--timeout must be a whole number of seconds from 0 to "
			                    "86400, not '%s'",
			                    args->opts[i].value);
	}
	if ((rc = gw_project_wait(cli->project, (int)(seconds * 1000))) < 0)
		return gw_cli_fail(cli, rc);
	return GW_EXIT_OK;
}

const gw_cmd gw_cmd_wait = {
        .name = "wait",
        .summary = "wait for the database server to accept connections",
        .usage = "wait [--timeout SECONDS]",
        .description = "Tries to connect once a second until the server answers, for at most\n"
                       "--timeout seconds (default 60). A server that answers that the database\n"
                       "does not exist yet is up (run `godwit create` next); refused credentials\n"
                       "or a bad URL end the wait at once. SQLite needs no wait.",
        .options = wait_options,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB,
        .run = wait_run,
};
