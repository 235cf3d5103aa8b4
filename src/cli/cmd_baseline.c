/*
 * cmd_baseline.c: `godwit baseline VERSION`: record every migration up to
 * VERSION as applied without running it, for a database that already has
 * the schema. Nothing runs; a conflicting record refuses the whole
 * baseline.
 */
#include "cli.h"

static int baseline_run(gw_cli *cli, const gw_args *args)
{
	const char *version = args->pos[0];
	size_t recorded = 0;
	json_t *root;
	int rc;

	if ((rc = gw_project_baseline(&recorded, cli->project, version)) < 0)
		return gw_cli_fail(cli, rc);
	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "version", gw_json_str(version));
		gw_json_set(root, "recorded", json_integer((json_int_t)recorded));
		return gw_json_print(cli, root);
	}
	if (recorded == 0)
		printf("nothing to record; every migration up to %s is already applied\n", version);
	else
		printf("recorded %zu migration%s up to %s as applied (baseline)\n", recorded,
		       recorded == 1 ? "" : "s", version);
	return GW_EXIT_OK;
}

const gw_cmd gw_cmd_baseline = {
        .name = "baseline",
        .summary = "record migrations up to a version as applied, without running them",
        .usage = "baseline VERSION",
        .description = "For a database that already has the schema. Migrations already\n"
                       "recorded as applied are skipped; any other record of one of them\n"
                       "refuses the baseline and nothing is recorded.",
        .min_args = 1,
        .max_args = 1,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = baseline_run,
};
