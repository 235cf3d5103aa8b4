/*
 * cmd_drift.c: `godwit drift`: does the live schema still match what the
 * migrations say?
 *
 * The expected schema is the snapshot recorded last (godwit_schema_snapshots,
 * written by `drift --record` or by an up that records), or with --replay
 * the schema the applied migrations produce when they are applied again on
 * an ephemeral database. Prints the difference ("missing": expected, not
 * live; "extra": live, not expected) and exits 3 when there is one.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_REPLAY = 1, OPT_RECORD, OPT_DEV_URL };

static const gw_opt drift_options[] = {
        {OPT_REPLAY, "replay", 0, NULL,
         "compare with the applied migrations replayed on an ephemeral database"},
        {OPT_RECORD, "record", 0, NULL, "record the live schema as the expected one"},
        {OPT_DEV_URL, "dev-url", 0, "URL", "--replay: server for the ephemeral database"},
        {0, NULL, 0, NULL, NULL},
};

/* The last applied version in apply order, or NULL when none is. */
static const char *last_applied(const gw_status *st)
{
	const char *last = NULL;
	size_t i;

	for (i = 0; i < gw_status_count(st); i++)
		if (gw_status_get(st, i)->state == GW_STATE_APPLIED)
			last = gw_status_get(st, i)->version;
	return last;
}

static int replay_on(gw_cli *cli, gw_schema **out, const char *url, gw_ctx *ctx)
{
	gw_project *ep = NULL;
	gw_status *st = NULL;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	int rc;

	if ((rc = gw_project_status(&st, cli->project)) < 0)
		return gw_cli_fail(cli, rc);
	up.to = last_applied(st);
	if ((rc = gw_cli_open_url(cli, &ep, url, ctx)) == 0 &&
	    (!up.to || (rc = gw_project_up(NULL, ep, &up)) == 0))
		rc = gw_schema_snapshot(out, ep, NULL);
	if (rc < 0) {
		const gw_error *e = gw_ctx_error(ctx);
		fprintf(stderr, "godwit: error: replaying the migrations failed: %s\n",
		        e ? e->message : "error");
		rc = GW_EXIT_FAILED;
	}
	gw_project_free(ep);
	gw_status_free(st);
	return rc;
}

static int replay(gw_cli *cli, gw_schema **out, const char *dev_url)
{
	const char *url = dev_url ? dev_url : gw_config_get(cli->config, "url");
	gw_ephemeral *eph = NULL;
	gw_ctx *ctx = NULL;
	int rc;

	if (gw_ctx_new(&ctx) < 0)
		return GW_EXIT_FAILED;
	if ((rc = gw_cli_ephemeral(cli, &eph, url ? url : "sqlite:", cli->ctx)) < 0) {
		gw_ctx_free(ctx);
		return gw_cli_fail(cli, rc);
	}
	rc = replay_on(cli, out, gw_ephemeral_url(eph), ctx);
	if (gw_ephemeral_drop(eph) < 0)
		gw_cli_warn(cli, "could not drop the ephemeral database");
	gw_ctx_free(ctx);
	return rc;
}

static int report(gw_cli *cli, const gw_schema_diff *d, const char *source)
{
	json_t *root;
	int rc = GW_EXIT_OK;

	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "expected", gw_json_str(source));
		gw_json_set(root, "drift", gw_json_bool(gw_schema_diff_count(d) > 0));
		gw_json_set(root, "differences", gw_cli_diff_json(d));
		rc = gw_json_print(cli, root);
	} else if (gw_schema_diff_count(d) == 0) {
		printf("no drift: the live schema matches %s\n", source);
	} else {
		printf("drift: the live schema differs from %s\n"
		       "(missing: expected but not in the database; extra: in the database only)\n",
		       source);
		rc = gw_cli_print_diff(cli, d, "  ");
	}
	return rc == GW_EXIT_OK && gw_schema_diff_count(d) > 0 ? GW_EXIT_FOUND : rc;
}

static int drift_run(gw_cli *cli, const gw_args *args)
{
	gw_schema *expected = NULL, *live = NULL;
	gw_schema_diff *d = NULL;
	const char *dev_url = NULL, *source;
	int do_replay = 0, record = 0, rc;
	size_t i;

	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].id == OPT_REPLAY)
			do_replay = 1;
		else if (args->opts[i].id == OPT_RECORD)
			record = 1;
		else if (args->opts[i].id == OPT_DEV_URL)
			dev_url = args->opts[i].value;
	}
	if (record) {
		if ((rc = gw_schema_record_expected(cli->project)) < 0)
			return gw_cli_fail(cli, rc);
		if (cli->output == GW_OUTPUT_TEXT)
			printf("recorded the live schema as the expected one\n");
		return GW_EXIT_OK;
	}
	source = do_replay ? "the applied migrations replayed" : "the snapshot recorded last";
	if (do_replay) {
		if ((rc = replay(cli, &expected, dev_url)) != 0)
			goto cleanup;
	} else if ((rc = gw_schema_recorded(&expected, cli->project)) < 0) {
		rc = gw_cli_fail(cli, rc);
		goto cleanup;
	} else if (!expected) {
		fprintf(stderr, "godwit: error: no schema snapshot was recorded in this database\n"
		                "hint: run 'godwit drift --record' after up, or use 'godwit drift "
		                "--replay'\n");
		rc = GW_EXIT_FAILED;
		goto cleanup;
	}
	if ((rc = gw_schema_snapshot(&live, cli->project, NULL)) < 0) {
		rc = gw_cli_fail(cli, rc);
		goto cleanup;
	}
	if (gw_schema_diff_compute(&d, expected, live) < 0) {
		fputs("godwit: error: out of memory\n", stderr);
		rc = GW_EXIT_FAILED;
		goto cleanup;
	}
	rc = report(cli, d, source);
cleanup:
	gw_schema_diff_free(d);
	gw_schema_free(expected);
	gw_schema_free(live);
	return rc;
}

const gw_cmd gw_cmd_drift = {
        .name = "drift",
        .summary = "compare the live schema with what the migrations say",
        .usage = "drift [--replay [--dev-url URL]] [--record] [--format text|json]",
        .description = "Compares the live schema with the snapshot recorded last (drift --record\n"
                       "records one), or with --replay with the applied migrations applied again\n"
                       "on an ephemeral database. Exits 3 when they differ.",
        .options = drift_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB,
        .run = drift_run,
};
