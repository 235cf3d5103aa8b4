/*
 * baseline.c: `godwit baseline V`: record every migration up to V as
 * applied without running it, for a database that already has the schema
 * (built by hand, restored from a dump, or managed by something else).
 *
 * The rows keep the files' checksums, so a file edited after the baseline
 * is noticed like any other edit. Everything is decided before anything is
 * written, and the rows and their events commit together: a refused
 * baseline changes nothing.
 */
#include "adopt_priv.h"
#include "godwit/adopt.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

int gw_adopt__add_row(gw_batch *b, gw_project *p, const gw_migration *m, const char *kind,
                      const char *applied_at)
{
	int pg = p->driver->dialect == GW_DIALECT_POSTGRES;
	const char *params[9];
	char sum[GW_CHECKSUM_HEX], down[GW_CHECKSUM_HEX];
	const char *who = getenv("USER");

	params[0] = m->version;
	params[1] = m->name;
	params[2] = kind;
	params[3] = m->up_file;
	params[4] = gw_migration_hex(sum, m);
	params[5] = gw_migration_down_hex(down, m);
	params[6] = applied_at;
	params[7] = p->environment;
	params[8] = who ? who : "unknown";
	/* SQLite has no database user: the OS user is a ninth parameter
	 * there (PostgreSQL refuses a parameter that the SQL never uses). */
	return gw_batch_addf(
	        b, params, pg ? 8 : 9,
	        "INSERT INTO %s (version, name, kind, file, checksum, down_checksum, applied_at, "
	        "applied_by, statements_total, statements_done, state, environment, "
	        "godwit_version) VALUES ($1, $2, $3, $4, $5, $6, %s, %s, 0, 0, 'applied', $8, "
	        "'" GODWIT_VERSION "')",
	        p->table_q,
	        pg ? "COALESCE(CAST($7 AS timestamptz), now())"
	           : "COALESCE($7, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
	        pg ? "current_user" : "$9");
}

/* Why an existing record of m stops the baseline, or NULL when it is the
 * same applied migration and can be skipped. */
static const char *conflict(const gw_migration *m, const gw_hist_row *r)
{
	if (!strcmp(gw_hist_row_state_text(r), "dirty"))
		return "is recorded as dirty (started and not finished)";
	if (!gw_hist_row_sum_eq(r, m->sum))
		return "is recorded as applied with another checksum";
	return NULL;
}

static int check_target(const gw_migration **target, gw_project *p, const gw_source *src,
                        const char *version)
{
	*target = gw_source_find(src, version);
	if (*target && !(*target)->repeatable)
		return 0;
	gw_error_set(p->ctx, GW_ENOTFOUND, "no migration %s in %s; nothing was recorded", version,
	             gw_project__dir(p));
	gw_error_set_hint_code(p->ctx, GW_HINT_STATUS_VERSIONS, NULL, NULL);
	return GW_ENOTFOUND;
}

/* Adds a row and an event for every migration up to target that is not
 * already recorded; refuses at the first conflicting record. */
static int build(gw_batch *b, size_t *n, gw_project *p, const gw_source *src, const gw_hist *h,
                 const gw_migration *target)
{
	size_t i;

	for (i = 0; i < src->count; i++) {
		const gw_migration *m = src->items[i];
		const gw_hist_row *r = gw_hist_find(h, m->version);
		gw_record event = {m, NULL, NULL, "baseline", NULL, 0, 0};
		const char *why;

		/* Repeatables have no version to be "up to"; up runs them. */
		if (m->repeatable || gw_version_cmp(m->version, target->version) > 0)
			continue;
		if (r && (why = conflict(m, r))) {
			gw_error_set(p->ctx, GW_ESTATE,
			             "migration %s (%s) %s; nothing was recorded", m->version,
			             m->up_file, why);
			gw_error_set_hint_code(p->ctx, GW_HINT_SETTLE_FIRST, NULL, NULL);
			return GW_ESTATE;
		}
		if (r)
			continue;
		if (gw_adopt__add_row(b, p, m, "baseline", NULL) < 0 ||
		    gw_hist_add_event(b, p, &event) < 0)
			return gw_error_oom(p->ctx);
		(*n)++;
	}
	return 0;
}

int gw_project_baseline(size_t *recorded, gw_project *p, const char *version)
{
	const gw_migration *target;
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	gw_hist h = GW_HIST_INIT;
	gw_source *src;
	size_t n = 0;
	int error;

	if (recorded)
		*recorded = 0;
	if (!version)
		return gw_error_set(p->ctx, GW_EINVALID, "baseline needs a version");
	/* The folder is checked before the database is touched. */
	if ((error = gw_project__source(&src, p)) < 0 ||
	    (error = check_target(&target, p, src, version)) < 0)
		return error;
	if ((error = gw_hist_begin(p)) < 0 || (error = gw_hist_load(&h, p, GW_HIST_ALL)) < 0 ||
	    (error = build(&b, &n, p, src, &h, target)) < 0)
		goto cleanup;
	if (n && (error = p->conn->driver->exec_tx(p->conn, b.stmts, b.count, &fail)) < 0)
		goto cleanup;
	if (recorded)
		*recorded = n;
cleanup:
	gw_batch_dispose(&b);
	gw_hist_dispose(&h);
	gw_project__unlock(p);
	return error;
}
