/*
 * drift.c: gw_project_drift (`godwit drift`): does the live schema still
 * match what the migrations say?
 *
 * The expected schema is the snapshot recorded last (schema_record.c), or
 * with replay the schema the applied migrations produce when they are
 * applied again, up to the last applied version, on an ephemeral database
 * (made and dropped as prove.c does for gw_project_test).
 */
#include "internal.h"

#include "godwit/generate.h"
#include "godwit/prove.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

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

static int replay_on(gw_schema **out, gw_project *p, const char *url)
{
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_project *ep = NULL;
	gw_status *st = NULL;
	gw_ctx *ctx = NULL;
	int error;

	if ((error = gw_project_status(&st, p)) < 0)
		return error;
	/* Its own context: the replayed ups are no progress of the caller's. */
	if (gw_ctx_new(&ctx) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	up.to = last_applied(st);
	if ((error = gw_project__open_like(&ep, p, url, ctx)) == 0 &&
	    (!up.to || (error = gw_project_up(NULL, ep, &up)) == 0))
		error = gw_schema_snapshot(out, ep, NULL);
	if (error < 0) {
		const gw_error *e = gw_ctx_error(ctx);
		error = gw_error_set(p->ctx, e ? e->code : error,
		                     "replaying the migrations failed: %s",
		                     e ? e->message : "error");
	}
cleanup:
	gw_project_free(ep);
	gw_status_free(st);
	gw_ctx_free(ctx);
	return error;
}

static int replay(gw_schema **out, gw_project *p, const char *server_url)
{
	gw_ephemeral *eph = NULL;
	int error;

	if ((error = gw_project__ephemeral(&eph, p, gw_project__server_url(p, server_url))) < 0)
		return error;
	error = replay_on(out, p, gw_ephemeral_url(eph));
	gw_project__ephemeral_done(p, eph, 0);
	if (error == 0 && gw_project_cancelled(p))
		error = gw_error_set(p->ctx, GW_ECANCELED,
		                     "interrupted; the ephemeral database was dropped");
	return error;
}

int gw_project_drift(gw_schema_diff **out, gw_project *p, const gw_drift_options *opts)
{
	static const gw_drift_options defaults = GW_DRIFT_OPTIONS_INIT;
	gw_schema *expected = NULL, *live = NULL;
	int error;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != GW_DRIFT_OPTIONS_VERSION)
		return gw_error_set(p->ctx, GW_EINVALID,
		                    "gw_drift_options version %u is not supported", opts->version);
	if (opts->against) {
		gw_load_options lo = GW_LOAD_OPTIONS_INIT;
		lo.server_url = opts->server_url;
		if ((error = gw_schema_load(&expected, p, opts->against, &lo)) < 0 ||
		    (error = gw_schema_load(&live, p, "migrations", &lo)) < 0)
			goto cleanup;
		if (gw_schema_diff_compute(out, expected, live) < 0)
			error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	if (opts->replay) {
		if ((error = replay(&expected, p, opts->server_url)) < 0)
			goto cleanup;
	} else if ((error = gw_schema_recorded(&expected, p)) < 0) {
		goto cleanup;
	} else if (!expected) {
		goto cleanup; /* *out stays NULL: nothing to compare with */
	}
	if ((error = gw_schema_snapshot(&live, p, NULL)) < 0)
		goto cleanup;
	if (gw_schema_diff_compute(out, expected, live) < 0)
		error = gw_error_oom(p->ctx);
cleanup:
	gw_schema_free(expected);
	gw_schema_free(live);
	return error;
}
