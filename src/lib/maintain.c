/*
 * maintain.c: repair and resolve, the two ways a person settles a history
 * that no longer matches the files or the database.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

/* Runs the row change already in b together with its event. */
static int record(gw_project *p, gw_batch *b, int built, const gw_record *event)
{
	gw_exec_failure fail = {0, 0};
	int error;

	if (built < 0 || gw_hist_add_event(b, p, event) < 0)
		error = gw_error_oom(p->ctx);
	else
		error = p->conn->driver->exec_tx(p->conn, b->stmts, b->count, &fail);
	gw_batch_dispose(b);
	return error;
}

static int repair_one(gw_project *p, const gw_migration *m)
{
	gw_record event = {m, NULL, NULL, "repair", NULL, 0, 0};
	char sum[GW_CHECKSUM_HEX], down[GW_CHECKSUM_HEX];
	const char *params[3] = {m->version, gw_migration_hex(sum, m),
	                         gw_migration_down_hex(down, m)};
	gw_batch b = GW_BATCH_INIT;
	int built = gw_batch_addf(&b, params, 3,
	                          "UPDATE %s SET checksum = $2, down_checksum = $3 WHERE "
	                          "version = $1",
	                          p->table_q);

	return record(p, &b, built, &event);
}

static int find_entry(const gw_status_entry **out, gw_project *p, const gw_status *st,
                      const char *version)
{
	size_t i;

	for (i = 0; i < st->count; i++) {
		if (!gw_version_cmp(st->entries[i].version, version)) {
			*out = &st->entries[i];
			return 0;
		}
	}
	return gw_error_set(p->ctx, GW_ENOTFOUND, "migration %s is neither in %s nor applied",
	                    version, gw_project__dir(p));
}

static int with_locked_status(gw_status **st, gw_project *p)
{
	gw_source *src;
	int error;

	if ((error = gw_project__source(&src, p)) < 0 || (error = gw_hist_begin(p)) < 0)
		return error;
	return gw_status__compute(st, p, 1);
}

int gw_project_repair(size_t *repaired, gw_project *p, const char *version)
{
	const gw_status_entry *target = NULL;
	gw_status *st = NULL;
	size_t i, n = 0;
	int error;

	if ((error = with_locked_status(&st, p)) < 0)
		goto cleanup;
	if (version && (error = find_entry(&target, p, st, version)) < 0)
		goto cleanup;
	if (target && target->state != GW_STATE_CHANGED) {
		error = gw_error_set(p->ctx, GW_ESTATE,
		                     "migration %s is %s, not changed; "
		                     "nothing to repair",
		                     target->version, gw_state_name(target->state));
		goto cleanup;
	}
	for (i = 0; i < p->source->count && error == 0; i++) {
		if (st->entries[i].state != GW_STATE_CHANGED ||
		    (target && target != &st->entries[i]))
			continue;
		if ((error = repair_one(p, p->source->items[i])) == 0)
			n++;
	}
cleanup:
	if (repaired)
		*repaired = n;
	gw_project__unlock(p);
	gw_status_free(st);
	return error;
}

int gw_project_resolve(gw_project *p, const char *version, gw_resolution resolution)
{
	const gw_status_entry *e = NULL;
	gw_status *st = NULL;
	gw_record event = {NULL, NULL, NULL, "resolve", NULL, 0, 0};
	gw_batch b = GW_BATCH_INIT;
	int error, built;

	if (resolution != GW_RESOLVE_APPLIED && resolution != GW_RESOLVE_ROLLED_BACK)
		return gw_error_set(p->ctx, GW_EINVALID, "unknown resolution %d", resolution);
	if ((error = with_locked_status(&st, p)) < 0 ||
	    (error = find_entry(&e, p, st, version)) < 0)
		goto cleanup;
	if (e->state != GW_STATE_DIRTY) {
		error = gw_error_set(p->ctx, GW_ESTATE,
		                     "migration %s is %s, not dirty; nothing to resolve",
		                     e->version, gw_state_name(e->state));
		goto cleanup;
	}
	event.version = e->version;
	event.name = e->name;
	if (resolution == GW_RESOLVE_APPLIED)
		built = gw_batch_addf(&b, &e->version, 1,
		                      "UPDATE %s SET state = 'applied', error = NULL, "
		                      "statements_done = statements_total WHERE version = $1",
		                      p->table_q);
	else
		built = gw_batch_addf(&b, &e->version, 1, "DELETE FROM %s WHERE version = $1",
		                      p->table_q);
	error = record(p, &b, built, &event);
cleanup:
	gw_project__unlock(p);
	gw_status_free(st);
	return error;
}
