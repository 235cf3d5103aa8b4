/*
 * cmd_lint.c: `godwit lint [FILES...]`: find statements that are unsafe
 * on a live database (long locks, table rewrites, breaking renames and
 * drops, secrets, ...). With no files it lints the pending migrations
 * (every migration when no database URL is configured); with --since REV
 * the migration files changed since a git revision. Exit 3 on an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

enum { OPT_FORMAT = 1, OPT_EXPLAIN, OPT_LIST, OPT_SINCE, OPT_ALL, OPT_DIALECT };

static const gw_opt lint_options[] = {
        {OPT_FORMAT, "format", 0, "FMT", "output: " GW_REPORT_FORMATS},
        {OPT_EXPLAIN, "explain", 0, "RULE", "show what a rule checks and the safe way"},
        {OPT_LIST, "list", 0, NULL, "list every rule"},
        {OPT_SINCE, "since", 0, "REV", "lint the migrations changed since a git revision"},
        {OPT_ALL, "all", 0, NULL, "lint every migration, not only the pending ones"},
        {OPT_DIALECT, "dialect", 0, "NAME",
         "postgres or sqlite (default: the URL's, the dialect setting's, or what the SQL "
         "parses as)"},
        {0, NULL, 0, NULL, NULL},
};

static int lint_run(gw_cli *cli, const gw_args *args)
{
	gw_project_lint_options opts = GW_PROJECT_LINT_OPTIONS_INIT;
	gw_report_format format = cli->output == GW_OUTPUT_JSON ? GW_REPORT_JSON : GW_REPORT_TEXT;
	gw_findings *f = NULL;
	const char *since = NULL;
	char **changed = NULL;
	size_t i, nchanged = 0;
	int all = 0, list = 0, rc;

	for (i = 0; i < args->nopts; i++) {
		const gw_optval *o = &args->opts[i];

		if (o->id == OPT_FORMAT && gw_report_parse_format(&format, o->value) < 0)
			return gw_cli_usage(cli, "unknown format '%s'; use " GW_REPORT_FORMATS,
			                    o->value);
		if (o->id == OPT_EXPLAIN) {
			if (gw_report_explain(o->value) < 0)
				return gw_cli_usage(cli,
				                    "unknown rule '%s'; 'godwit lint --list' "
				                    "shows them",
				                    o->value);
			return GW_EXIT_OK;
		}
		if (o->id == OPT_LIST)
			list = 1;
		if (o->id == OPT_SINCE)
			since = o->value;
		if (o->id == OPT_ALL)
			all = 1;
		if (o->id == OPT_DIALECT)
			opts.dialect = o->value;
	}
	if (list) {
		gw_report_list(format);
		return GW_EXIT_OK;
	}
	if (since && args->npos)
		return gw_cli_usage(cli, "give either --since or files, not both");
	gw_cli_lint_levels(cli, &opts.lint);
	if (since) {
		if ((rc = gw_project_changed_files(&changed, &nchanged, cli->project, since)) < 0) {
			rc = gw_cli_fail(cli, rc);
			goto cleanup;
		}
		if (!nchanged) {
			rc = gw_report_print(cli, NULL, format, "no migration changed");
			goto cleanup;
		}
		opts.files = (const char *const *)changed;
		opts.nfiles = nchanged;
	} else {
		opts.files = (const char *const *)args->pos;
		opts.nfiles = args->npos;
	}
	/* "Pending" needs a history; without a configured database there is
	 * none to ask, so every migration is linted. */
	opts.pending_only = !all && gw_config_get(cli->config, "url") != NULL;
	if ((rc = gw_project_lint(&f, cli->project, &opts)) < 0) {
		rc = gw_cli_fail(cli, rc);
		goto cleanup;
	}
	rc = gw_report_print(cli, f, format, "no problems found");
cleanup:
	gw_findings_free(f);
	gw_strings_free(changed);
	return rc;
}

const gw_cmd gw_cmd_lint = {
        .name = "lint",
        .summary = "find statements that are unsafe on a live database",
        .usage =
                "lint [--format FMT] [--since REV] [--all] [--dialect NAME] [FILES...] | --explain "
                "RULE | --list",
        .description = "Checks each statement with PostgreSQL's parser for long locks, table\n"
                       "rewrites, breaking drops and renames, risky types, transaction mistakes\n"
                       "and secrets. With no files: the pending migrations (all of them when no\n"
                       "database URL is configured, or with --all). '-- godwit:ignore RULE' on\n"
                       "the line before a statement silences it; godwit.conf's lint_disable,\n"
                       "lint_error and lint_warning change the rules' levels. The SQL's dialect\n"
                       "comes from --dialect, else the database URL, else the dialect setting,\n"
                       "else what the migrations parse as; the last line says which. In SQLite\n"
                       "SQL, statements PostgreSQL cannot parse are left to validate, and only\n"
                       "the rules that apply to SQLite report.\n"
                       "Exit status: 0 no error found, 3 an error was found, 1 it could not run.",
        .options = lint_options,
        .min_args = 0,
        .max_args = 100000,
        .needs = GW_NEEDS_PROJECT,
        .run = lint_run,
};
