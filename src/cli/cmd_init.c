/*
 * cmd_init.c: `godwit init [DIR]`: set up a new project (gw_project_init):
 * the migrations folder, a commented godwit.conf and .gitignore lines,
 * never overwriting a file, and saying what it did with each.
 */
#include "cli.h"

static const char *action_word(gw_init_action a)
{
	switch (a) {
	case GW_INIT_CREATED:
		return "created";
	case GW_INIT_APPENDED:
		return "appended";
	case GW_INIT_EXISTS:
		break;
	}
	return "exists";
}

static int init_run(gw_cli *cli, const gw_args *args)
{
	gw_init_item items[GW_INIT_ITEMS];
	const char *dir = args->npos ? args->pos[0] : ".";
	json_t *root, *list;
	size_t n = 0, i;
	int rc;

	/* init needs no configuration, hence main.c made no context (freed
	 * with the cli). */
	if (!cli->ctx && gw_ctx_new(&cli->ctx) == 0)
		gw_ctx_set_wording(cli->ctx, gw_cli_hint_text);
	if (!cli->ctx) {
		fputs("godwit: error: out of memory\n", stderr);
		return GW_EXIT_FAILED;
	}
	rc = gw_project_init(items, &n, dir, cli->ctx);

	if (cli->output == GW_OUTPUT_JSON && rc == 0) {
		root = json_object();
		list = json_array();
		for (i = 0; i < n; i++) {
			json_t *o = json_object();
			gw_json_set(o, "path", gw_json_str(items[i].path));
			gw_json_set(o, "action", gw_json_str(action_word(items[i].action)));
			json_array_append_new(list, o);
		}
		gw_json_set(root, "items", list);
		return gw_json_print(cli, root);
	}
	for (i = 0; i < n && cli->output == GW_OUTPUT_TEXT; i++) {
		switch (items[i].action) {
		case GW_INIT_CREATED:
			printf("created %s\n", items[i].path);
			break;
		case GW_INIT_APPENDED:
			printf("added the SQLite files and backups to %s\n", items[i].path);
			break;
		case GW_INIT_EXISTS:
			printf("%s exists: left as it is\n", items[i].path);
			break;
		}
	}
	if (rc < 0)
		return gw_cli_fail(cli, rc);
	printf("next: `godwit new create_users`, edit the file, then `godwit up`\n");
	return GW_EXIT_OK;
}

const gw_cmd gw_cmd_init = {
        .name = "init",
        .summary = "set up a project: migrations folder, godwit.conf, .gitignore",
        .usage = "init [DIR]",
        .description = "Creates db/migrations/, a commented godwit.conf (development on a SQLite\n"
                       "file; preview and production on PostgreSQL from POSTGRES_URL_NON_POOLING,\n"
                       "DATABASE_URL_UNPOOLED, DIRECT_URL, DATABASE_URL or POSTGRES_URL;\n"
                       "production protected) and .gitignore lines for the SQLite files and\n"
                       "db/backups/, in DIR (default: the current folder). It never overwrites:\n"
                       "a file that exists is left as it is, and an existing .gitignore only\n"
                       "gains the lines it lacks, at its end.",
        .min_args = 0,
        .max_args = 1,
        .needs = 0,
        .run = init_run,
};
