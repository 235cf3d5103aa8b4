/*
 * cmd_seed.c: `godwit seed`: apply the environment's seed files that are
 * new or changed, without migrating (up applies them after migrating).
 */
#include "cli.h"

static int seed_run(gw_cli *cli, const gw_args *args)
{
	size_t applied = 0;
	json_t *root;
	int rc;

	(void)args;
	if ((rc = gw_project_seed(&applied, cli->project)) < 0)
		return gw_cli_fail(cli, rc);
	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "seeded", json_integer((json_int_t)applied));
		return gw_json_print(cli, root);
	}
	if (applied == 0)
		printf("every seed is up to date\n");
	else
		printf("applied %zu seed file%s\n", applied, applied == 1 ? "" : "s");
	return GW_EXIT_OK;
}

const gw_cmd gw_cmd_seed = {
        .name = "seed",
        .summary = "apply the environment's new or changed seed files",
        .usage = "seed",
        .description = "Seeds are the *.sql files of seeds_dir (per environment in godwit.conf),\n"
                       "applied in name order, each in its own transaction, and again whenever\n"
                       "its checksum changes. up applies them after migrating. A protected\n"
                       "environment gets none unless it sets seeds_in_protected = true.",
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = seed_run,
};
