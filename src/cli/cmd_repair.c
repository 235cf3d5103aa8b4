/*
 * cmd_repair.c: `godwit repair [VERSION]`: after a reviewed edit of an
 * applied migration, record its file's new checksum so that status and up
 * stop reporting it as changed. Without VERSION, every changed migration.
 *
 * This never runs the edited SQL: it only accepts that the file and the
 * database agree, which the user has checked.
 */
#include "cli.h"

static int repair_run(gw_cli *cli, const gw_args *args)
{
	size_t repaired = 0;
	json_t *root;
	int rc;

	if ((rc = gw_project_repair(&repaired, cli->project, args->npos ? args->pos[0] : NULL)) < 0)
		return gw_cli_fail(cli, rc);
	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "repaired", json_integer((json_int_t)repaired));
		return gw_json_print(cli, root);
	}
	if (repaired == 0)
		printf("nothing to repair; every applied migration matches its file\n");
	else
		printf("recorded the new checksum of %zu migration%s\n", repaired,
		       repaired == 1 ? "" : "s");
	return GW_EXIT_OK;
}

const gw_cmd gw_cmd_repair = {
        .name = "repair",
        .summary = "record the checksum of a reviewed, edited migration",
        .usage = "repair [VERSION]",
        .min_args = 0,
        .max_args = 1,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = repair_run,
};
