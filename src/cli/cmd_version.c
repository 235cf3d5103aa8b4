/*
 * cmd_version.c: `godwit version`: the program, the library it runs on,
 * and the drivers and parser inside.
 *
 * It needs no configuration, project or database: it is the start-up
 * benchmark (a couple of milliseconds), and the first thing a user runs to
 * check an install, where nothing else may be set up yet.
 */

#include "cli.h"

int gw_version_print(gw_cli *cli)
{
	const char *details = gw_version_details();
	json_t *root;

	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "godwit", gw_json_str(GODWIT_VERSION));
		gw_json_set(root, "library", gw_json_str(gw_library_version()));
		gw_json_set(root, "details", gw_json_str(details));
		return gw_json_print(cli, root);
	}
	printf("godwit %s\nlibrary %s\n", GODWIT_VERSION, gw_library_version());
	/* One line per component, the last without its newline. */
	printf("%s\n", details);
	return GW_EXIT_OK;
}

static int version_run(gw_cli *cli, const gw_args *args)
{
	(void)args;
	return gw_version_print(cli);
}

const gw_cmd gw_cmd_version = {
        .name = "version",
        .summary = "show the program, library, driver and parser versions",
        .usage = "version [--format text|json]",
        .min_args = 0,
        .max_args = 0,
        .needs = 0,
        .run = version_run,
};
