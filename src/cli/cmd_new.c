/*
 * cmd_new.c: `godwit new NAME`: create a migration file, with its up and
 * down parts, in the convention the folder already uses (native for a new
 * folder).
 *
 * The name ends up in a file name and in the history tables, so it is
 * restricted to characters that are safe in both everywhere.
 */
#include <stdlib.h>

#include "cli.h"

static int valid_name(const char *name)
{
	const char *p;

	for (p = name; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return 0;
	}
	return p != name;
}

static int new_run(gw_cli *cli, const gw_args *args)
{
	const char *name = args->pos[0];
	char *path = NULL;
	json_t *root;
	int rc;

	if (!valid_name(name))
		return gw_cli_usage(
		        cli,
		        "invalid migration name '%s'; a name is made of letters, digits, "
		        "'_' and '-' (e.g. create_users)",
		        name);
	if ((rc = gw_project_new_migration(&path, cli->project, name)) < 0)
		return gw_cli_fail(cli, rc);
	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "created", gw_json_str(path));
		rc = gw_json_print(cli, root);
	} else {
		printf("created %s\n", path);
		rc = GW_EXIT_OK;
	}
	free(path);
	return rc;
}

const gw_cmd gw_cmd_new = {
        .name = "new",
        .summary = "create a migration file in the folder's convention",
        .usage = "new NAME",
        .description = "NAME is made of letters, digits, '_' and '-'. The file is created in the\n"
                       "migrations folder (--dir), named in the folder's convention, with a\n"
                       "version from the current time where the convention uses timestamps.",
        .min_args = 1,
        .max_args = 1,
        .needs = GW_NEEDS_PROJECT,
        .run = new_run,
};
