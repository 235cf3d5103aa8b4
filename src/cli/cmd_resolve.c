/*
 * cmd_resolve.c: `godwit resolve VERSION --applied|--rolled-back`: settle a
 * dirty migration (a no-transaction migration that stopped half-way) after
 * the database was fixed by hand.
 *
 * The user says which way it went; godwit cannot know, so exactly one of
 * the two flags is required.
 */
#include "cli.h"

enum { OPT_APPLIED = 1, OPT_ROLLED_BACK };

static const gw_opt resolve_options[] = {
        {OPT_APPLIED, "applied", 0, NULL, "the rest of the migration was completed by hand"},
        {OPT_ROLLED_BACK, "rolled-back", 0, NULL, "what it did was undone by hand"},
        {0, NULL, 0, NULL, NULL},
};

static int resolve_run(gw_cli *cli, const gw_args *args)
{
	const char *version = args->pos[0];
	int applied = 0, rolled_back = 0, rc;
	gw_resolution how;
	json_t *root;
	size_t i;

	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].id == OPT_APPLIED)
			applied = 1;
		else if (args->opts[i].id == OPT_ROLLED_BACK)
			rolled_back = 1;
	}
	if (applied == rolled_back)
		return gw_cli_usage(cli, "give exactly one of --applied and --rolled-back");
	how = applied ? GW_RESOLVE_APPLIED : GW_RESOLVE_ROLLED_BACK;
	if ((rc = gw_project_resolve(cli->project, version, how)) < 0)
		return gw_cli_fail(cli, rc);
	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "version", gw_json_str(version));
		gw_json_set(root, "resolution", gw_json_str(applied ? "applied" : "rolled_back"));
		return gw_json_print(cli, root);
	}
	printf("marked %s as %s\n", version, applied ? "applied" : "rolled back");
	return GW_EXIT_OK;
}

const gw_cmd gw_cmd_resolve = {
        .name = "resolve",
        .summary = "mark a dirty migration as applied or rolled back",
        .usage = "resolve VERSION --applied|--rolled-back",
        .description = "Use it after fixing the database by hand, when 'godwit up --resume'\n"
                       "is not the way forward. 'godwit status' shows the statement that failed.",
        .options = resolve_options,
        .min_args = 1,
        .max_args = 1,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = resolve_run,
};
