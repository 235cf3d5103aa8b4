/*
 * cmd_redo.c: `godwit redo`: revert the last applied migration and apply it
 * again: the edit-run loop of writing a migration, and a quick proof that
 * its down script really undoes its up. --target V redoes V together with
 * the applied migrations that depend on it.
 */
#include "cli.h"

enum { OPT_TARGET = 1 };

static const gw_opt redo_options[] = {
        {OPT_TARGET, "target", 0, "V", "redo V and what depends on it"},
        {0, NULL, 0, NULL, NULL},
};

static int redo_run(gw_cli *cli, const gw_args *args)
{
	const char *target = NULL;
	json_t *root;
	size_t i;
	int rc;

	for (i = 0; i < args->nopts; i++)
		if (args->opts[i].id == OPT_TARGET)
			target = args->opts[i].value;
	/* A redo reverts first, so it is guarded like down. */
	if ((rc = gw_cli_guard(cli,
	                       target ? "revert and re-apply the target and what depends on it"
	                              : "revert and re-apply the last migration",
	                       GW_GUARD_FORCE)) != GW_EXIT_OK)
		return rc;
	if ((rc = gw_project_redo_target(cli->project, target)) < 0)
		return gw_cli_fail(cli, rc);
	if (cli->output != GW_OUTPUT_JSON)
		return GW_EXIT_OK; /* the notices said what was reverted and applied */
	root = json_object();
	gw_json_set(root, "reverted", cli->reverted ? json_incref(cli->reverted) : json_array());
	gw_json_set(root, "applied", cli->applied ? json_incref(cli->applied) : json_array());
	return gw_json_print(cli, root);
}

const gw_cmd gw_cmd_redo = {
        .name = "redo",
        .summary = "revert the last migration and apply it again",
        .usage = "redo [--target V]",
        .options = redo_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = redo_run,
};
