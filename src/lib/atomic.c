/*
 * atomic.c: the whole-run rollback of `up --atomic` (atomic = true) and of
 * on_check_failure = rollback (plan and runner stages).
 *
 * Before anything runs, every pending migration must be revertible the
 * way a failed run would revert it: a down, and an up and a down that run
 * in a transaction each (a statement-by-statement migration can fail
 * half-way, and what it did cannot be taken back by its down). When the
 * run then fails (migration k, or a check after it), the migrations
 * 1..k-1 it applied are reverted newest first with their downs, each a
 * `revert` event, and the run is recorded as a `rollback` event with the
 * error that caused it.
 *
 * Each migration keeps its own transaction: PostgreSQL could run the whole
 * run in one, but then a run of long migrations would hold every lock it
 * took until the end, and a SQLite run could not be read by others while
 * it lasts; the downs are proved by `godwit test`.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

static int not_revertible(gw_project *p, const gw_migration *m, const char *why)
{
	gw_str path = GW_STR_INIT, hint = GW_STR_INIT;
	int error;

	gw_project__path(&path, p, m->up_file);
	error = gw_error_set(p->ctx, m->down_file ? GW_ESTATE : GW_ENODOWN,
	                     "cannot apply atomically: %s %s %s, so it could not be reverted if "
	                     "a later step of the run failed; nothing was applied",
	                     m->version, m->name, why);
	gw_error_set_location(p->ctx, path.ptr, 0, 0);
	if (!m->down_file && gw_source_down_hint(&hint, p->source, m) == 0)
		gw_error_set_hint(p->ctx, "%s, or apply it without atomic", hint.ptr);
	else
		gw_error_set_hint(p->ctx, "apply %s on its own first, without atomic", m->version);
	gw_str_dispose(&hint);
	gw_str_dispose(&path);
	return error;
}

/* Whether direction dir of m runs in one transaction; -1 when it cannot
 * be read (the error is on ctx). */
static int runs_in_transaction(gw_project *p, const gw_migration *m, gw_direction dir)
{
	gw_prepared pm = GW_PREPARED_INIT;
	int error;

	gw_ctx_set_quiet(p->ctx, 1);
	error = gw_prepare(&pm, p, m, dir);
	gw_ctx_set_quiet(p->ctx, 0);
	if (error == 0)
		error = pm.transactional;
	gw_prepared_dispose(&pm);
	return error;
}

int gw_atomic__check(gw_project *p, const gw_migration *const *ms, const int *resume, size_t n,
                     int when)
{
	size_t i;
	int tx;

	for (i = 0; i < n; i++) {
		const gw_migration *m = ms[i];

		if (resume[i])
			return not_revertible(
			        p, m, "is dirty and would be resumed statement by statement");
		if (!m->down_file)
			return not_revertible(p, m, "has no down migration");
		if ((tx = runs_in_transaction(p, m, GW_UP)) < 0)
			return tx;
		if (!tx)
			return not_revertible(p, m, "runs outside a transaction");
		if ((tx = runs_in_transaction(p, m, GW_DOWN)) < 0)
			return tx;
		if (!tx)
			return not_revertible(p, m, "has a down that runs outside a transaction");
	}
	if (n)
		gw_notify(p->ctx, GW_NOTICE_INFO, NULL, NULL, NULL, -1,
		          "atomic: each migration runs in its own transaction; %s, what this run "
		          "applied is reverted with the downs",
		          when == GW_ATOMIC_ON_CHECK ? "if a check after it fails"
		          : when == GW_ATOMIC_ON_FAILURE
		                  ? "if one fails"
		                  : "if one fails or a check after the run fails");
	return 0;
}

/* Reverts ran[n-1] .. ran[0] on a context of its own, so that the error
 * that stopped the run stays on p->ctx as it was; the reverts' notices go
 * to the caller as usual. */
static int revert_all(gw_project *p, const gw_migration *const *ran, size_t n, size_t *reverted,
                      char **why)
{
	gw_ctx *run_ctx = p->ctx, *own = NULL;
	int error = 0;

	*reverted = 0;
	*why = NULL;
	if (gw_ctx_new(&own) < 0)
		return -1;
	gw_ctx__copy_notice_cb(own, run_ctx);
	p->ctx = own;
	if (p->conn)
		p->conn->ctx = own;
	for (; n > 0 && error == 0; n--) {
		if ((error = gw_project__need_conn(p)) == 0 &&
		    (error = gw_run_down(p, ran[n - 1])) == 0 && (error = gw_events__flush(p)) == 0)
			(*reverted)++;
	}
	if (error < 0) {
		const gw_error *e = gw_ctx_error(own);

		*why = gw_strdup(e && e->message ? e->message : "failed");
	}
	p->ctx = run_ctx;
	if (p->conn)
		p->conn->ctx = run_ctx;
	gw_ctx_free(own);
	return error;
}

int gw_atomic__rollback(gw_project *p, const gw_migration *const *ran, size_t n,
                        const gw_migration *failed)
{
	size_t reverted = 0;
	char *why = NULL;
	int error;

	if (!n)
		return 0;
	if (p->cancelled || !gw_error_is_set(p->ctx)) {
		/* A Ctrl-C asks to stop, not to start reverting. */
		gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
		          "atomic: interrupted, so nothing was reverted: the %zu migration%s this "
		          "run applied stay%s applied",
		          n, n == 1 ? "" : "s", n == 1 ? "s" : "");
		return 0;
	}
	gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
	          "atomic: %s; reverting the %zu migration%s this run applied, newest first",
	          failed ? "a migration failed" : "a check after the run failed", n,
	          n == 1 ? "" : "s");
	error = revert_all(p, ran, n, &reverted, &why);
	if (error == 0) {
		gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
		          "atomic: reverted %zu migration%s; the database is as it was before "
		          "the run",
		          reverted, reverted == 1 ? "" : "s");
	} else {
		const gw_migration *m = ran[n - reverted - 1];

		gw_error_prefix(p->ctx,
		                "the rollback stopped: reverting %s %s failed (%s), and %zu "
		                "migration%s of this run stay%s applied; the run failed first: ",
		                m->version, m->name, why ? why : "out of memory", n - reverted,
		                n - reverted == 1 ? "" : "s", n - reverted == 1 ? "s" : "");
	}
	/* The rollback's own event carries the error that caused it. */
	if (p->conn)
		gw_hist_record_failure(p, failed ? failed->version : NULL,
		                       failed ? failed->name : NULL, "rollback");
	free(why);
	return error;
}
