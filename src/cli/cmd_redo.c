/*
 * cmd_redo.c: `godwit redo`: revert the last applied migration and apply it
 * again: the edit-run loop of writing a migration, and a quick proof that
 * its down script really undoes its up. --target V redoes V together with
 * the applied migrations that depend on it; --dry-run shows that set.
 */
#include "cli.h"

enum { OPT_TARGET = 1, OPT_DRY_RUN };

static const gw_opt redo_options[] = {
        {OPT_TARGET, "target", 0, "V", "redo V and what depends on it"},
        {OPT_DRY_RUN, "dry-run", 0, NULL,
         "print what would be reverted (with its SQL) and applied again; change nothing"},
        {0, NULL, 0, NULL, NULL},
};

/* The down plan of what redo reverts, newest first, then what it applies
 * again, oldest first: the same migrations, in the other order. */
static int dry_run(gw_cli *cli, const char *target)
{
	gw_down_options opts = {.version = GW_DOWN_OPTIONS_VERSION};
	gw_plan *plan = NULL;
	json_t *root, *again;
	size_t i, n;
	int rc;

	opts.target = target;
	if ((rc = gw_project_plan_down(&plan, cli->project, &opts)) < 0)
		return gw_cli_fail(cli, rc);
	n = gw_plan_count(plan);
	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		again = json_array();
		gw_json_set(root, "revert", gw_cli_plan_json(plan));
		for (i = n; i > 0; i--) {
			const gw_plan_step *st = gw_plan_get(plan, i - 1);
			json_t *o = json_object();

			gw_json_set(o, "version", gw_json_str(st->version));
			gw_json_set(o, "name", gw_json_str(st->name));
			gw_json_append(again, o);
		}
		gw_json_set(root, "apply", again);
		gw_plan_free(plan);
		return gw_json_print(cli, root);
	}
	rc = gw_cli_print_plan(cli, plan, "nothing to redo");
	if (n)
		printf("\n-- then applied again:");
	for (i = n; i > 0; i--)
		printf(" %s %s%s", gw_plan_get(plan, i - 1)->version,
		       gw_plan_get(plan, i - 1)->name, i > 1 ? "," : "\n");
	gw_plan_free(plan);
	return rc;
}

static int redo_run(gw_cli *cli, const gw_args *args)
{
	const char *target = NULL;
	json_t *root;
	size_t i;
	int rc, dry = 0;

	for (i = 0; i < args->nopts; i++)
		if (args->opts[i].id == OPT_TARGET)
			target = args->opts[i].value;
		else if (args->opts[i].id == OPT_DRY_RUN)
			dry = 1;
	if (dry)
		return dry_run(cli, target);
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
        .usage = "redo [--target V] [--dry-run]",
        .options = redo_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = redo_run,
};
