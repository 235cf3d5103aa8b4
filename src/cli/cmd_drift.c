/*
 * cmd_drift.c: `godwit drift`: does the live schema still match what the
 * migrations say?
 *
 * The expected schema is the snapshot recorded last (godwit_schema_snapshots,
 * written by `drift --record` or by an up that records), or with --replay
 * the schema the applied migrations produce when they are applied again on
 * an ephemeral database. The comparison is the library's (gw_project_drift,
 * src/lib/drift.c); this file prints the difference ("missing": expected,
 * not live; "extra": live, not expected) and exits 3 when there is one.
 */
#include "cli.h"

enum { OPT_REPLAY = 1, OPT_RECORD, OPT_DEV_URL, OPT_AGAINST };

static const gw_opt drift_options[] = {
        {OPT_REPLAY, "replay", 0, NULL,
         "compare with the applied migrations replayed on an ephemeral database"},
        {OPT_RECORD, "record", 0, NULL, "record the live schema as the expected one"},
        {OPT_DEV_URL, "dev-url", 0, "URL",
         "--replay, --against: server for the ephemeral database"},
        {OPT_AGAINST, "against", 0, "SOURCE",
         "compare the migrations' schema with SOURCE's (an ORM's DDL, '!command', a file)"},
        {0, NULL, 0, NULL, NULL},
};

/* The live schema against SOURCE; with AGAINST, the migrations' schema
 * against SOURCE, whose "missing" is what no migration makes yet. */
static int report(gw_cli *cli, const gw_schema_diff *d, const char *source, int against)
{
	const char *what = against ? "the migrations' schema" : "the live schema";
	json_t *root;
	int rc = GW_EXIT_OK;

	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "expected", gw_json_str(source));
		gw_json_set(root, "drift", gw_json_bool(gw_schema_diff_count(d) > 0));
		gw_json_set(root, "differences", gw_cli_diff_json(d));
		rc = gw_json_print(cli, root);
	} else if (gw_schema_diff_count(d) == 0) {
		printf("no drift: %s %s\n",
		       against ? "the migrations give the schema of" : "the live schema matches",
		       source);
	} else {
		printf("drift: %s differs from %s\n", what, source);
		if (against)
			printf("(missing: in %s, not made by any migration; extra: made by the "
			       "migrations only)\n",
			       source);
		else
			printf("(missing: expected but not in the database; extra: in the database "
			       "only)\n");
		rc = gw_cli_print_diff(cli, d, "  ");
		if (against && rc == GW_EXIT_OK)
			fprintf(stderr,
			        "hint: 'godwit generate NAME --to \"%s\"' writes the migration\n",
			        source);
	}
	return rc == GW_EXIT_OK && gw_schema_diff_count(d) > 0 ? GW_EXIT_FOUND : rc;
}

static int drift_run(gw_cli *cli, const gw_args *args)
{
	gw_drift_options opts = GW_DRIFT_OPTIONS_INIT;
	gw_schema_diff *d = NULL;
	const char *source;
	int record = 0, rc;
	size_t i;

	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].id == OPT_REPLAY)
			opts.replay = 1;
		else if (args->opts[i].id == OPT_RECORD)
			record = 1;
		else if (args->opts[i].id == OPT_DEV_URL)
			opts.server_url = args->opts[i].value;
		else if (args->opts[i].id == OPT_AGAINST)
			opts.against = args->opts[i].value;
	}
	if (opts.against && (record || opts.replay))
		return gw_cli_usage(cli, "--against compares the migrations with SOURCE; it goes "
		                         "with neither --record nor --replay");
	if (opts.against) {
		if ((rc = gw_project_drift(&d, cli->project, &opts)) < 0)
			return gw_cli_fail(cli, rc);
		rc = report(cli, d, opts.against, 1);
		gw_schema_diff_free(d);
		return rc;
	}
	if (record) {
		if ((rc = gw_schema_record_expected(cli->project)) < 0)
			return gw_cli_fail(cli, rc);
		if (cli->output == GW_OUTPUT_JSON) {
			json_t *root = json_object();

			gw_json_set(root, "recorded", gw_json_bool(1));
			return gw_json_print(cli, root);
		}
		printf("recorded the live schema as the expected one\n");
		return GW_EXIT_OK;
	}
	source = opts.replay ? "the applied migrations replayed" : "the snapshot recorded last";
	if ((rc = gw_project_drift(&d, cli->project, &opts)) < 0)
		return gw_cli_fail(cli, rc);
	if (!d)
		/* Nothing was recorded; what to run about it is the CLI's to say
		 * (in JSON too: --format json always prints a document). */
		return gw_cli_refuse(cli,
		                     "run 'godwit drift --record' after up, or use 'godwit drift "
		                     "--replay'",
		                     "no schema snapshot was recorded in this database");
	rc = report(cli, d, source, 0);
	gw_schema_diff_free(d);
	return rc;
}

const gw_cmd gw_cmd_drift = {
        .name = "drift",
        .summary = "compare the live schema with what the migrations say",
        .usage = "drift [--replay | --against SOURCE] [--dev-url URL] [--record] [--format "
                 "text|json]",
        .description = "Compares the live schema with the snapshot recorded last (drift --record\n"
                       "records one), or with --replay with the applied migrations applied again\n"
                       "on an ephemeral database. --against SOURCE compares every migration,\n"
                       "replayed, with SOURCE's schema instead (an ORM's DDL, '!npx drizzle-kit\n"
                       "export', a schema.sql): a forgotten `generate`. Exits 3 when they differ.",
        .options = drift_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = drift_run,
};
