/*
 * cmd_backup.c: `godwit backup`, `godwit backups` and `godwit restore FILE`:
 * take a verified backup, list this environment's backups, and replace
 * the database with one (guarded like down in a protected environment).
 */
#include "cli.h"

#include <stdlib.h>

static int backup_run(gw_cli *cli, const gw_args *args)
{
	char *path = NULL;
	json_t *root;
	int rc;

	(void)args;
	if ((rc = gw_project_backup(&path, cli->project)) < 0)
		return gw_cli_fail(cli, rc);
	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "backup", gw_json_str(path));
		rc = gw_json_print(cli, root);
	} else {
		rc = GW_EXIT_OK; /* the notice said where it went */
	}
	free(path);
	return rc;
}

static int backups_run(gw_cli *cli, const gw_args *args)
{
	gw_backup_list *list = NULL;
	json_t *root, *items;
	size_t i;
	int rc;

	(void)args;
	if ((rc = gw_project_backups(&list, cli->project)) < 0)
		return gw_cli_fail(cli, rc);
	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		items = json_array();
		for (i = 0; i < gw_backup_list_count(list); i++) {
			const gw_backup_entry *e = gw_backup_list_get(list, i);
			json_t *o = json_object();

			gw_json_set(o, "path", gw_json_str(e->path));
			gw_json_set(o, "size", json_integer(e->size));
			json_array_append_new(items, o);
		}
		gw_json_set(root, "backups", items);
		rc = gw_json_print(cli, root);
	} else {
		for (i = 0; i < gw_backup_list_count(list); i++)
			printf("%s  %lld bytes\n", gw_backup_list_get(list, i)->path,
			       gw_backup_list_get(list, i)->size);
		if (!gw_backup_list_count(list))
			printf("no backups yet; take one with 'godwit backup'\n");
		rc = GW_EXIT_OK;
	}
	gw_backup_list_free(list);
	return rc;
}

enum { OPT_KEEP_SCHEMA = 1 };

static const gw_opt restore_options[] = {
        {OPT_KEEP_SCHEMA, "keep-schema", 0, "NAME",
         "PostgreSQL: leave this schema, which the backup does not hold, alone (repeatable)"},
        {0, NULL, 0, NULL, NULL},
};

static int restore_run(gw_cli *cli, const gw_args *args)
{
	const char **keep = calloc(args->nopts + 1, sizeof(*keep));
	size_t i, n = 0;
	int rc;

	if (!keep)
		return gw_cli_fail(cli, GW_ENOMEM);
	for (i = 0; i < args->nopts; i++)
		if (args->opts[i].id == OPT_KEEP_SCHEMA)
			keep[n++] = args->opts[i].value;
	if ((rc = gw_cli_guard(cli, "restore a backup over the database", GW_GUARD_FORCE)) ==
	    GW_EXIT_OK) {
		rc = gw_project_restore_keeping(cli->project, args->pos[0], keep);
		rc = rc < 0 ? gw_cli_fail(cli, rc) : GW_EXIT_OK;
	}
	free(keep);
	return rc;
}

const gw_cmd gw_cmd_backup = {
        .name = "backup",
        .summary = "take a verified backup of the database",
        .usage = "backup",
        .description = "PostgreSQL: pg_dump -Fc (the client matching the server's major\n"
                       "version), checked with pg_restore --list. SQLite: the online backup API,\n"
                       "checked with PRAGMA integrity_check. Files are 0600 in backup_dir (0700,\n"
                       "default db/backups); the newest backup_keep (10) are kept.",
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = backup_run,
};

const gw_cmd gw_cmd_backups = {
        .name = "backups",
        .summary = "list this environment's backups, oldest first",
        .usage = "backups",
        .needs = GW_NEEDS_PROJECT,
        .run = backups_run,
};

const gw_cmd gw_cmd_restore = {
        .name = "restore",
        .summary = "replace the database with a backup",
        .usage = "restore [--keep-schema NAME]... FILE",
        .description = "The database gets exactly the backup's schemas and data. PostgreSQL:\n"
                       "every schema but the system's and extensions' is dropped, then the dump\n"
                       "restored (pg_restore into psql), all in one transaction: a restore that\n"
                       "fails changes nothing; --keep-schema spares a schema made since by\n"
                       "another application. SQLite: the backup must pass PRAGMA\n"
                       "integrity_check first. The events recorded before the restore are kept,\n"
                       "with a restore event (its error when it failed). In a protected\n"
                       "environment this needs --force, and a typed confirmation on a terminal\n"
                       "or --yes without one.",
        .options = restore_options,
        .min_args = 1,
        .max_args = 1,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = restore_run,
};
