/*
 * cmd_validate.c: `godwit validate`: check every migration file without
 * running it: names, versions, dependencies, down scripts, UTF-8, and SQL
 * that parses (PL/pgSQL bodies included). With a database URL, also
 * whether applied migrations were changed or lost. Exit 3 on an error.
 */
#include <string.h>

#include "report.h"

enum { OPT_FORMAT = 1, OPT_DIALECT, OPT_OFFLINE };

static const gw_opt validate_options[] = {
        {OPT_FORMAT, "format", 0, "FMT", "output: " GW_REPORT_FORMATS},
        {OPT_DIALECT, "dialect", 0, "NAME",
         "check the SQL as postgres or sqlite (default: as lint decides it)"},
        {OPT_OFFLINE, "offline", 0, NULL, "do not compare with the database's history"},
        {0, NULL, 0, NULL, NULL},
};

static int validate_run(gw_cli *cli, const gw_args *args)
{
	gw_validate_options opts = GW_VALIDATE_OPTIONS_INIT;
	gw_report_format format = cli->output == GW_OUTPUT_JSON ? GW_REPORT_JSON : GW_REPORT_TEXT;
	gw_findings *f = NULL;
	int offline = 0, rc;
	size_t i;

	for (i = 0; i < args->nopts; i++) {
		const gw_optval *o = &args->opts[i];

		if (o->id == OPT_FORMAT && gw_report_parse_format(&format, o->value) < 0)
			return gw_cli_usage(cli, "unknown format '%s'; use " GW_REPORT_FORMATS,
			                    o->value);
		if (o->id == OPT_DIALECT)
			opts.dialect = o->value;
		if (o->id == OPT_OFFLINE)
			offline = 1;
	}
	gw_cli_lint_levels(cli, &opts.lint);
	/* Only a URL the user gave means there is a history to compare. */
	opts.check_history = !offline && gw_config_get(cli->config, "url") != NULL;
	if ((rc = gw_project_validate(&f, cli->project, &opts)) < 0)
		return gw_cli_fail(cli, rc);
	rc = gw_report_print(cli, f, format, "all migrations are valid");
	gw_findings_free(f);
	return rc;
}

const gw_cmd gw_cmd_validate = {
        .name = "validate",
        .summary = "check migration files without running them",
        .usage = "validate [--format FMT] [--dialect postgres|sqlite] [--offline]",
        .description =
                "Checks names and formats, duplicate versions, dependency cycles and missing\n"
                "dependencies, missing down scripts (a warning; lint_error = missing-down\n"
                "makes it an error), empty migrations, bytes that are not UTF-8, and SQL\n"
                "that does not parse, PL/pgSQL bodies included, in the dialect lint would\n"
                "use (the last line says which). With a database URL it also reports\n"
                "applied migrations whose file changed or is missing.\n"
                "Exit status: 0 valid, 3 an error was found, 1 the check could not run.",
        .options = validate_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT,
        .run = validate_run,
};
