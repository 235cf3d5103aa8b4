/*
 * cmd_generate.c: `godwit generate NAME [--to SOURCE]`: the migration that
 * turns the schema of the folder's migrations into SOURCE's (an ORM's DDL,
 * a schema.sql, a database), proven on an ephemeral database, linted, and
 * written in the folder's convention.
 *
 * SOURCE defaults to schema_source in godwit.conf. Exit 3 when a change
 * cannot be expressed (nothing is written); lint errors refuse the
 * migration unless --allow-unsafe.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "godwit/generate.h"
#include "report.h"

enum {
	OPT_TO = 1,
	OPT_DEV_URL,
	OPT_DRY_RUN,
	OPT_ALLOW_UNSAFE,
	OPT_RENAME,
	OPT_PLAIN,
	OPT_COLUMN_ORDER,
};

static const gw_opt generate_options[] = {
        {OPT_TO, "to", 0, "SOURCE",
         "the desired schema: a DDL file or folder, '!command', a snapshot or a URL "
         "(default: schema_source)"},
        {OPT_DEV_URL, "dev-url", 0, "URL", "server of the ephemeral databases"},
        {OPT_DRY_RUN, "dry-run", 0, NULL, "print the migration instead of writing it"},
        {OPT_ALLOW_UNSAFE, "allow-unsafe", 0, NULL, "write it even with lint errors"},
        {OPT_RENAME, "rename", 0, "OLD=NEW", "OLD in the migrations is NEW in SOURCE (repeatable)"},
        {OPT_PLAIN, "plain", 0, NULL, "plain forms (no CONCURRENTLY, no NOT VALID then VALIDATE)"},
        {OPT_COLUMN_ORDER, "column-order", 0, "rebuild|append",
         "a column new in the middle rebuilds its table (default) or goes at the end"},
        {0, NULL, 0, NULL, NULL},
};

static int valid_name(const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return 0;
	return p != name;
}

/* Lints every script; *errors is set when a finding is an error. */
static int lint(gw_cli *cli, const gw_generated *g, int *errors)
{
	size_t i;
	int rc = GW_EXIT_OK;

	*errors = 0;
	/* gw_lint_sql reads PostgreSQL, and its rules are about PostgreSQL's
	 * locks: SQLite's migration (whose table rebuilds start with a
	 * PRAGMA) would read as syntax errors and be refused. It was proven
	 * on the ephemeral database all the same. */
	if (!strcmp(gw_project_driver_name(cli->project), "sqlite"))
		return GW_EXIT_OK;
	for (i = 0; i < gw_generated_count(g) && rc != GW_EXIT_FAILED; i++) {
		gw_lint_options lo = GW_LINT_OPTIONS_INIT;
		gw_findings *f = NULL;
		const char *up = gw_generated_up(g, i);
		char file[64];

		gw_cli_lint_levels(cli, &lo);
		lo.no_transaction = gw_generated_no_transaction(g, i);
		snprintf(file, sizeof(file), "generated migration %zu (up)", i + 1);
		if (gw_lint_sql(&f, file, up, strlen(up), &lo, cli->ctx) < 0) {
			rc = gw_cli_fail(cli, GW_ERROR);
			break;
		}
		if (gw_findings_count(f)) {
			if (gw_report_print(cli, f, GW_REPORT_TEXT, "") == GW_EXIT_FOUND)
				*errors = 1;
		}
		gw_findings_free(f);
	}
	return rc;
}

static void print_scripts(const gw_generated *g, const char *name)
{
	size_t i;

	for (i = 0; i < gw_generated_count(g); i++) {
		printf("-- migration %zu of %zu: %s%s%s\n", i + 1, gw_generated_count(g), name,
		       gw_generated_suffix(g, i),
		       gw_generated_no_transaction(g, i) ? " (no transaction)" : "");
		printf("-- up\n%s", gw_generated_up(g, i));
		printf("-- down\n%s", gw_generated_down(g, i));
	}
}

static int generate_run(gw_cli *cli, const gw_args *args)
{
	gw_generate_options go = GW_GENERATE_OPTIONS_INIT;
	gw_sql_options so = GW_SQL_OPTIONS_INIT;
	const char **renames = calloc(args->nopts + 1, sizeof(*renames));
	const char *name = args->pos[0];
	gw_generated *g = NULL;
	int dry = 0, unsafe = 0, errors = 0, bad_order = 0, rc = GW_EXIT_OK;
	size_t i;

	if (!renames) {
		fputs("godwit: error: out of memory\n", stderr);
		return GW_EXIT_FAILED;
	}
	for (i = 0; i < args->nopts; i++) {
		switch (args->opts[i].id) {
		case OPT_TO:
			go.source = args->opts[i].value;
			break;
		case OPT_DEV_URL:
			go.server_url = args->opts[i].value;
			break;
		case OPT_DRY_RUN:
			dry = 1;
			break;
		case OPT_ALLOW_UNSAFE:
			unsafe = 1;
			break;
		case OPT_RENAME:
			renames[so.nrenames++] = args->opts[i].value;
			break;
		case OPT_PLAIN:
			so.plain = 1;
			break;
		case OPT_COLUMN_ORDER:
			if (strcmp(args->opts[i].value, "append") != 0 &&
			    strcmp(args->opts[i].value, "rebuild") != 0)
				bad_order = 1;
			so.column_order_append = strcmp(args->opts[i].value, "append") == 0;
			break;
		default:
			break;
		}
	}
	so.renames = renames;
	go.sql = &so;
	if (!go.source)
		go.source = gw_config_get(cli->config, "schema_source");
	if (bad_order) {
		rc = gw_cli_usage(cli, "--column-order is rebuild or append");
		goto cleanup;
	}
	if (!valid_name(name)) {
		rc = gw_cli_usage(cli,
		                  "invalid migration name '%s'; a name is made of letters, digits, "
		                  "'_' and '-' (e.g. add_users)",
		                  name);
		goto cleanup;
	}
	if (!go.source || !*go.source) {
		rc = gw_cli_usage(cli, "no desired schema: give --to SOURCE or set schema_source "
		                       "in godwit.conf");
		goto cleanup;
	}
	if ((rc = gw_project_generate(&g, cli->project, &go)) < 0) {
		rc = gw_cli_fail(cli, rc);
		goto cleanup;
	}
	rc = GW_EXIT_OK;
	for (i = 0; i < gw_sql_warning_count(gw_generated_sql(g, 0)); i++)
		fprintf(stderr, "godwit: warning: %s\n", gw_sql_warning(gw_generated_sql(g, 0), i));
	if (gw_generated_unexpressed(g)) {
		printf("-- up\n%s-- down\n%s", gw_sql_text(gw_generated_sql(g, 0)),
		       gw_sql_text(gw_generated_sql(g, 1)));
		fprintf(stderr,
		        "godwit: %zu change%s cannot be expressed in SQL (see \"-- cannot be "
		        "expressed\"); nothing was written: write this migration by hand\n",
		        gw_generated_unexpressed(g), gw_generated_unexpressed(g) == 1 ? "" : "s");
		rc = GW_EXIT_FOUND;
		goto cleanup;
	}
	if (gw_generated_count(g) == 0) {
		printf("nothing to generate: the migrations give the schema of %s\n", go.source);
		goto cleanup;
	}
	if (dry)
		print_scripts(g, name);
	if ((rc = lint(cli, g, &errors)) != GW_EXIT_OK)
		goto cleanup;
	if (dry)
		goto cleanup;
	if (errors && !unsafe) {
		fprintf(stderr,
		        "godwit: error: the generated migration has lint errors; nothing was "
		        "written (--allow-unsafe writes it anyway)\n");
		rc = GW_EXIT_FAILED;
		goto cleanup;
	}
	for (i = 0; i < gw_generated_count(g); i++) {
		char *path = NULL;
		int err = gw_project_write_generated(&path, cli->project, g, i, name);
		if (err < 0) {
			rc = gw_cli_fail(cli, err);
			break;
		}
		printf("created %s\n", path);
		free(path);
	}
cleanup:
	gw_generated_free(g);
	free(renames);
	return rc;
}

const gw_cmd gw_cmd_generate = {
        .name = "generate",
        .summary = "write the migration that gives the desired schema (an ORM's, a schema.sql)",
        .usage = "generate NAME [--to SOURCE] [--dev-url URL] [--dry-run] [--allow-unsafe] "
                 "[--rename OLD=NEW]...",
        .description =
                "Replays the migrations on an ephemeral database, compares their schema with\n"
                "SOURCE's (default: schema_source in godwit.conf; a DDL file or folder,\n"
                "'!command' whose output is DDL, a snapshot file or a database URL), and\n"
                "writes the migration between them in the folder's convention, with its down.\n"
                "Both are run and checked on the ephemeral database first. Validations that\n"
                "need a transaction of their own become NAME_validate, and index work that\n"
                "must run outside any becomes NAME_concurrently.\n"
                "The migration is linted; lint errors refuse it unless --allow-unsafe.\n"
                "Exit 3, writing nothing, when a change cannot be expressed in SQL.",
        .options = generate_options,
        .min_args = 1,
        .max_args = 1,
        .needs = GW_NEEDS_PROJECT,
        .run = generate_run,
};
