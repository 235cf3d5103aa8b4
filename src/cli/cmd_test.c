/*
 * cmd_test.c: `godwit test`: proves that every migration's down undoes its
 * up, on an ephemeral database that is always dropped afterwards.
 *
 * The proof is the library's (gw_project_test, src/lib/prove.c): this file
 * reads the options and prints the report as text, JSON, Markdown or
 * GitHub annotations. SIGINT and SIGTERM cancel the project, which stops
 * the run after the current step and still drops the database.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"

enum {
	OPT_DEV_URL = 1,
	OPT_KEEP,
	OPT_ONLY_NEW,
	OPT_SINCE,
	OPT_FORMAT,
	OPT_IGNORE_COLUMN_ORDER,
	OPT_ROWS,
	OPT_FAIL_FAST,
};

static const gw_opt test_options[] = {
        {OPT_DEV_URL, "dev-url", 0, "URL",
         "server for the ephemeral database (default: the database URL)"},
        {OPT_KEEP, "keep", 0, NULL, "keep the ephemeral database for inspection"},
        {OPT_ONLY_NEW, "only-new", 0, NULL, "test only migrations not applied in the target"},
        {OPT_SINCE, "since", 0, "REV", "test only migrations changed since a git revision"},
        {OPT_FORMAT, "format", 0, "FMT", "text, json, markdown or github"},
        {OPT_IGNORE_COLUMN_ORDER, "ignore-column-order", 0, NULL,
         "compare columns by name, not by position"},
        {OPT_ROWS, "rows", 0, NULL,
         "also check that the rows of existing tables survive up and down"},
        {OPT_FAIL_FAST, "fail-fast", 0, NULL,
         "stop at the first failed migration (the rest: not run)"},
        {0, NULL, 0, NULL, NULL},
};

typedef enum { FMT_TEXT, FMT_JSON, FMT_MARKDOWN, FMT_GITHUB } fmt;

/* ---- Ctrl-C ----------------------------------------------------------------- */

static gw_project *volatile interrupt_project;

/* gw_project_cancel is async-signal-safe: the run stops after its step. */
static void on_signal(int sig)
{
	(void)sig;
	gw_project_cancel(interrupt_project);
}

static void catch_signals(gw_project *project)
{
	struct sigaction sa;

	interrupt_project = project;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* ---- output ----------------------------------------------------------------- */

/* The reason as printed: the library says what stopped the run, the CLI
 * names the flag that asked for it. */
static char *reason_text(const gw_test_entry *o)
{
	const char *r = o->reason ? o->reason : "";
	size_t len = strlen(r) + 16;
	char *s;

	if (!o->reason || !(s = malloc(len)))
		return o->reason ? strdup(o->reason) : NULL;
	snprintf(s, len, "%s%s", r, o->fail_fast ? " (--fail-fast)" : "");
	return s;
}

static void print_text(gw_cli *cli, const gw_test_report *r)
{
	size_t i;

	printf("testing on the ephemeral database %s\n", gw_test_report_database(r));
	for (i = 0; i < gw_test_report_count(r); i++) {
		const gw_test_entry *o = gw_test_report_get(r, i);
		char *reason = reason_text(o);
		gw_out_cell(cli, stdout,
		            o->result == GW_TEST_PASS   ? GW_SGR_GREEN
		            : o->result == GW_TEST_FAIL ? GW_SGR_RED
		                                        : GW_SGR_YELLOW,
		            gw_test_result_name(o->result), 12);
		printf("%s %s%s%s\n", o->version, o->name, reason ? ": " : "",
		       reason ? reason : "");
		free(reason);
		if (o->diff)
			gw_cli_print_diff(cli, o->diff, "    ");
	}
	printf("%zu passed, %zu failed, %zu untestable",
	       gw_test_report_count_result(r, GW_TEST_PASS),
	       gw_test_report_count_result(r, GW_TEST_FAIL),
	       gw_test_report_count_result(r, GW_TEST_UNTESTABLE));
	if (gw_test_report_count_result(r, GW_TEST_NOT_RUN))
		printf(", %zu not run", gw_test_report_count_result(r, GW_TEST_NOT_RUN));
	fputc('\n', stdout);
}

static int print_json(gw_cli *cli, const gw_test_report *r)
{
	json_t *root = json_object(), *list = json_array(), *sum = json_object();
	size_t i;

	gw_json_set(root, "database", gw_json_str(gw_test_report_database(r)));
	for (i = 0; i < gw_test_report_count(r); i++) {
		const gw_test_entry *o = gw_test_report_get(r, i);
		char *reason = reason_text(o);
		json_t *m = json_object();
		gw_json_set(m, "version", gw_json_str(o->version));
		gw_json_set(m, "name", gw_json_str(o->name));
		gw_json_set(m, "file", gw_json_str(o->file));
		gw_json_set(m, "result", gw_json_str(gw_test_result_name(o->result)));
		gw_json_set(m, "reason", gw_json_str(reason));
		gw_json_set(m, "differences", o->diff ? gw_cli_diff_json(o->diff) : json_array());
		gw_json_append(list, m);
		free(reason);
	}
	gw_json_set(sum, "passed",
	            json_integer((json_int_t)gw_test_report_count_result(r, GW_TEST_PASS)));
	gw_json_set(sum, "failed",
	            json_integer((json_int_t)gw_test_report_count_result(r, GW_TEST_FAIL)));
	gw_json_set(sum, "untestable",
	            json_integer((json_int_t)gw_test_report_count_result(r, GW_TEST_UNTESTABLE)));
	gw_json_set(sum, "not_run",
	            json_integer((json_int_t)gw_test_report_count_result(r, GW_TEST_NOT_RUN)));
	gw_json_set(root, "migrations", list);
	gw_json_set(root, "summary", sum);
	return gw_json_print(cli, root);
}

static void print_markdown(const gw_test_report *r)
{
	size_t i;
	char *text;

	printf("## godwit test\n\n| Migration | Result | Details |\n|---|---|---|\n");
	for (i = 0; i < gw_test_report_count(r); i++) {
		const gw_test_entry *o = gw_test_report_get(r, i);
		char *reason = reason_text(o);
		printf("| `%s` %s | %s | %s |\n", o->version, o->name,
		       o->result == GW_TEST_PASS   ? "\xe2\x9c\x85 pass"
		       : o->result == GW_TEST_FAIL ? "\xe2\x9d\x8c fail"
		                                   : gw_test_result_name(o->result),
		       reason ? reason : "");
		free(reason);
	}
	for (i = 0; i < gw_test_report_count(r); i++) {
		const gw_test_entry *o = gw_test_report_get(r, i);
		if (!o->diff || gw_schema_diff_text(&text, o->diff) < 0)
			continue;
		printf("\n<details><summary>%s %s</summary>\n\n```\n%s```\n</details>\n",
		       o->version, o->name, text);
		free(text);
	}
	printf("\n%zu passed, %zu failed, %zu untestable\n",
	       gw_test_report_count_result(r, GW_TEST_PASS),
	       gw_test_report_count_result(r, GW_TEST_FAIL),
	       gw_test_report_count_result(r, GW_TEST_UNTESTABLE));
}

/* GitHub workflow commands: one annotation per problem, on its file. */
static void print_github(const gw_test_report *r, const char *dir)
{
	size_t i;
	char *text = NULL;

	for (i = 0; i < gw_test_report_count(r); i++) {
		const gw_test_entry *o = gw_test_report_get(r, i);
		char *reason;
		if (o->result == GW_TEST_PASS)
			continue;
		printf("::%s file=", o->result == GW_TEST_FAIL ? "error" : "warning");
		gw_report_github_escape(dir, 1);
		fputc('/', stdout);
		gw_report_github_escape(o->file ? o->file : "", 1);
		fputs(",title=godwit test ", stdout);
		gw_report_github_escape(o->version, 1);
		fputs("::", stdout);
		reason = reason_text(o);
		gw_report_github_escape(reason ? reason : gw_test_result_name(o->result), 0);
		free(reason);
		if (o->diff && gw_schema_diff_text(&text, o->diff) == 0) {
			gw_report_github_escape("\n", 0);
			gw_report_github_escape(text, 0);
			free(text);
		}
		fputc('\n', stdout);
	}
	printf("godwit test: %zu passed, %zu failed, %zu untestable\n",
	       gw_test_report_count_result(r, GW_TEST_PASS),
	       gw_test_report_count_result(r, GW_TEST_FAIL),
	       gw_test_report_count_result(r, GW_TEST_UNTESTABLE));
}

/* ---- the command -------------------------------------------------------------- */

static int parse(gw_cli *cli, const gw_args *args, gw_test_options *o, fmt *format)
{
	size_t i;

	*format = cli->output == GW_OUTPUT_JSON ? FMT_JSON : FMT_TEXT;
	for (i = 0; i < args->nopts; i++) {
		const char *v = args->opts[i].value;
		switch (args->opts[i].id) {
		case OPT_DEV_URL:
			o->server_url = v;
			break;
		case OPT_KEEP:
			o->keep = 1;
			break;
		case OPT_ONLY_NEW:
			o->only_new = 1;
			break;
		case OPT_SINCE:
			o->since = v;
			break;
		case OPT_IGNORE_COLUMN_ORDER:
			o->schema.ignore_column_order = 1;
			break;
		case OPT_ROWS:
			o->rows = 1;
			break;
		case OPT_FAIL_FAST:
			o->fail_fast = 1;
			break;
		case OPT_FORMAT:
			if (strcmp(v, "text") == 0)
				*format = FMT_TEXT;
			else if (strcmp(v, "json") == 0)
				*format = FMT_JSON;
			else if (strcmp(v, "markdown") == 0)
				*format = FMT_MARKDOWN;
			else if (strcmp(v, "github") == 0)
				*format = FMT_GITHUB;
			else
				return gw_cli_usage(cli,
				                    "unknown format '%s'; use text, json, "
				                    "markdown or github",
				                    v);
			break;
		default:
			break;
		}
	}
	if (*format == FMT_JSON)
		cli->output = GW_OUTPUT_JSON;
	return 0;
}

static int test_run(gw_cli *cli, const gw_args *args)
{
	gw_test_options opts = GW_TEST_OPTIONS_INIT;
	gw_test_report *report = NULL;
	const char *dir = gw_config_get(cli->config, "dir");
	fmt format = FMT_TEXT;
	int rc;

	if ((rc = parse(cli, args, &opts, &format)) != 0)
		return rc;
	catch_signals(cli->project);
	if ((rc = gw_project_test(&report, cli->project, &opts)) < 0)
		return gw_cli_fail(cli, rc);
	switch (format) {
	case FMT_JSON:
		rc = print_json(cli, report);
		break;
	case FMT_MARKDOWN:
		print_markdown(report);
		break;
	case FMT_GITHUB:
		print_github(report, dir ? dir : "db/migrations");
		break;
	default:
		print_text(cli, report);
		break;
	}
	if (rc == GW_EXIT_OK &&
	    gw_test_report_count_result(report, GW_TEST_PASS) < gw_test_report_count(report))
		rc = GW_EXIT_FOUND;
	gw_test_report_free(report);
	return rc;
}

const gw_cmd gw_cmd_test = {
        .name = "test",
        .summary = "prove every migration's down on an ephemeral database",
        .usage = "test [--dev-url URL] [--only-new | --since REV] [--rows] [--fail-fast] [--keep] "
                 "[--format text|json|markdown|github]",
        .description =
                "Creates an ephemeral database (on the --dev-url server, else the target's),\n"
                "then for each migration: up, down, up again, comparing schema snapshots.\n"
                "A down must restore the schema from before its up, and the second up must\n"
                "give the same schema as the first. With --rows, every empty table first gets\n"
                "a probe row, and the rows of the tables of before must survive up and down.\n"
                "After a failed migration the run goes on with a fresh database that has the\n"
                "ups up to it replayed, so one run reports every broken migration (--fail-fast\n"
                "stops at the first). The database is dropped at the end, also after a failure\n"
                "or Ctrl-C. Exits 3 when a migration fails or has no down.",
        .options = test_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT,
        .run = test_run,
};
