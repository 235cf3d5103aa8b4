/*
 * status.c: the state of every migration, from the set and the history.
 *
 * Used by `status` and, before anything runs, by `up` and `down`, so the
 * checks that stop a run (changed, dirty, out of order) are computed in one
 * place.
 */
#include "adopt_priv.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

const char *gw_state_name(gw_state state)
{
	switch (state) {
	case GW_STATE_PENDING:
		return "pending";
	case GW_STATE_APPLIED:
		return "applied";
	case GW_STATE_CHANGED:
		return "changed";
	case GW_STATE_MISSING:
		return "missing";
	case GW_STATE_OUT_OF_ORDER:
		return "out-of-order";
	case GW_STATE_DIRTY:
		return "dirty";
	case GW_STATE_RUNNING:
		return "running";
	}
	return "unknown";
}

/* applied_checksum: the row's checksum as text (see gw_hist_row). */
static void fill_from_row(gw_status_entry *e, const gw_hist_row *r, const char *applied_checksum)
{
	e->kind = r->kind;
	e->applied_checksum = applied_checksum;
	e->applied_at = r->applied_at;
	e->applied_by = r->applied_by;
	e->execution_ms = r->execution_ms;
	e->statements_total = r->statements_total;
	e->statements_done = r->statements_done;
	e->error = r->error;
}

/* same: the row's checksum is m's. */
static gw_state state_of(const gw_migration *m, const gw_hist_row *r, int same)
{
	if (!r)
		return GW_STATE_PENDING;
	if (!strcmp(r->state, "dirty"))
		return GW_STATE_DIRTY;
	/* A repeatable migration whose text changed is due again, which is
	 * what repeatable means, not an edit to refuse. */
	if (m->repeatable)
		return same ? GW_STATE_APPLIED : GW_STATE_PENDING;
	/* Baselined and adopted rows store the file's checksum too, so an
	 * edit after them is caught like any other. */
	return same ? GW_STATE_APPLIED : GW_STATE_CHANGED;
}

/* Rows that match no file: applied by a branch that is gone, or a file
 * deleted by mistake. Marks matched rows first so this is one pass. */
static int add_missing(gw_status *st, const char *matched)
{
	size_t i, n = st->count;

	for (i = 0; i < st->hist.count; i++) {
		gw_status_entry *e;
		gw_hist_row *r = st->hist.rows[i];

		if (matched[i])
			continue;
		if (gw_hist_row_sum_text(&st->hist, r) < 0)
			return GW_ENOMEM;
		e = &st->entries[n++];
		memset(e, 0, sizeof(*e));
		e->version = r->version;
		e->name = r->name;
		e->file = NULL;
		e->state = !strcmp(r->state, "dirty") ? GW_STATE_DIRTY : GW_STATE_MISSING;
		e->transactional = 1;
		fill_from_row(e, r, r->checksum);
	}
	st->count = n;
	return 0;
}

/* A no-transaction migration is dirty from its first statement to its
 * last. Seen from outside the lock, one whose runner still holds the lock
 * is simply in progress: the caller waits for the lock as for any other
 * migration. Under the lock, nobody else runs anything, so a dirty row
 * was interrupted. */
static int mark_running(gw_status *st, gw_project *p)
{
	size_t i;
	int held = 0, error;

	if (!gw_status_count_state(st, GW_STATE_DIRTY))
		return 0;
	if ((error = gw_project__lock_held_elsewhere(&held, p)) < 0 || !held)
		return error;
	for (i = 0; i < st->count; i++)
		if (st->entries[i].state == GW_STATE_DIRTY)
			st->entries[i].state = GW_STATE_RUNNING;
	return 0;
}

int gw_status__compute(gw_status **out, gw_project *p, int history_exists)
{
	return gw_status__compute_from(out, p, history_exists, NULL);
}

int gw_status__compute_from(gw_status **out, gw_project *p, int history_exists, gw_hist *hist)
{
	gw_status *st = NULL;
	gw_source *src;
	char *matched = NULL;
	size_t i, next = 0;
	int error;

	*out = NULL;
	if ((error = gw_project__source(&src, p)) < 0)
		return error;
	if (!(st = calloc(1, sizeof(*st)))) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	if (hist) {
		st->hist = *hist;
		*hist = (gw_hist)GW_HIST_INIT;
	} else if (history_exists && (error = gw_hist_load(&st->hist, p)) < 0) {
		goto cleanup;
	}
	st->entries = calloc(src->count + st->hist.count + 1, sizeof(*st->entries));
	matched = calloc(st->hist.count + 1, 1);
	if (!st->entries || !matched) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	for (i = 0; i < src->count; i++) {
		const gw_migration *m = src->items[i];
		gw_status_entry *e = &st->entries[i];
		gw_hist_row *r;
		long ri;
		int same;

		/* Both in version order, mostly: the row after the last one
		 * matched is tried before a search. */
		if (next < st->hist.count &&
		    !gw_version_cmp(st->hist.rows[next]->version, m->version))
			ri = (long)next;
		else
			ri = gw_hist_find_index(&st->hist, m->version);
		r = ri >= 0 ? st->hist.rows[ri] : NULL;
		if (ri >= 0)
			next = (size_t)ri + 1;
		/* A checksum other than the file's is shown: made text. */
		same = r && gw_hist_row_sum_is(r, m->checksum);
		if (r && !same && gw_hist_row_sum_text(&st->hist, r) < 0) {
			error = gw_error_oom(p->ctx);
			goto cleanup;
		}

		e->version = m->version;
		e->name = m->name;
		e->file = m->up_file;
		e->checksum = m->checksum;
		e->kind = "versioned";
		e->execution_ms = -1;
		e->transactional = !m->no_transaction;
		e->has_down = m->down_file != NULL;
		e->empty = m->empty;
		e->state = state_of(m, r, same);
		if (m->repeatable)
			e->kind = "repeatable";
		if (r) {
			fill_from_row(e, r, same ? m->checksum : r->checksum);
			matched[ri] = 1;
			/* Repeatables come after every versioned migration and
			 * say nothing about the order of the others. */
			if (!m->repeatable)
				st->last_applied_index = i + 1;
		}
	}
	st->count = src->count;
	if (add_missing(st, matched) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	/* Pending migrations behind the last applied one arrived late, from a
	 * merged branch; they are shown, and up refuses them by default. */
	for (i = 0; i < src->count && i < st->last_applied_index; i++)
		if (st->entries[i].state == GW_STATE_PENDING)
			st->entries[i].state = GW_STATE_OUT_OF_ORDER;
	error = mark_running(st, p);
cleanup:
	free(matched);
	if (error < 0)
		gw_status_free(st);
	else
		*out = st;
	return error;
}

/* A database that another tool migrated, with nothing in godwit's
 * history yet, is to be adopted: applying every migration again would
 * fail on the first object that exists, or worse, succeed twice. */
int gw_status__other_history(gw_status *st, gw_project *p)
{
	if (st->hist.count > 0 || st->other_tool)
		return 0;
	return gw_adopt__other_history(&st->other_tool, &st->other_table, p);
}

/* Whether each migration runs in a transaction, decided as the runner
 * decides it: a statement that cannot run in one (CREATE INDEX
 * CONCURRENTLY, ...) turns the whole migration into a statement-by-statement
 * run even without the directive. A file that does not prepare keeps what
 * its directive says; up reports its error. */
static void effective_modes(gw_status *st, gw_project *p, const gw_source *src)
{
	size_t i;

	gw_ctx_set_quiet(p->ctx, 1);
	for (i = 0; i < src->count && i < st->count; i++) {
		gw_prepared pm = GW_PREPARED_INIT;

		if (!st->entries[i].transactional || src->items[i]->plain_tx)
			continue;
		if (gw_prepare(&pm, p, src->items[i], GW_UP) == 0)
			st->entries[i].transactional = pm.transactional;
		else
			gw_ctx_clear_error(p->ctx);
		gw_prepared_dispose(&pm);
	}
	gw_ctx_set_quiet(p->ctx, 0);
}

/* modes: work out each migration's transactional field (effective_modes),
 * which reads every file whose text the word scan could not clear. */
static int project_status(gw_status **out, gw_project *p, int modes)
{
	gw_hist early = GW_HIST_INIT;
	gw_source *src;
	int exists = 0, read = 0, error;

	*out = NULL;
	/* Read the folder first: a broken file is reported without needing a
	 * database at all. Meanwhile the connecting thread reads the
	 * history. */
	error = gw_project__source_connect_history(&src, p, &early, &exists, &read);
	if (error == 0 && !read)
		error = gw_hist_rows_exist(&exists, p);
	if (error == 0)
		error = gw_status__compute_from(out, p, exists, read ? &early : NULL);
	gw_hist_dispose(&early);
	if (error < 0)
		return error;
	if (modes)
		effective_modes(*out, p, src);
	if ((error = gw_status__other_history(*out, p)) < 0) {
		gw_status_free(*out);
		*out = NULL;
	}
	return error;
}

int gw_project_status(gw_status **out, gw_project *p)
{
	return project_status(out, p, 1);
}

/* The text of `status` shows no transaction mode: a folder where one file
 * in ten says "database" in a comment made it read and split a thousand
 * files of 10,000 on every run, a fifth of its CPU. */
int gw_project_status_states(gw_status **out, gw_project *p)
{
	return project_status(out, p, 0);
}

const char *gw_status_other_tool(const gw_status *st)
{
	return st ? st->other_tool : NULL;
}

const char *gw_status_other_table(const gw_status *st)
{
	return st ? st->other_table : NULL;
}

size_t gw_status_count(const gw_status *st)
{
	return st ? st->count : 0;
}

const gw_status_entry *gw_status_get(const gw_status *st, size_t i)
{
	return st && i < st->count ? &st->entries[i] : NULL;
}

size_t gw_status_count_state(const gw_status *st, gw_state state)
{
	size_t i, n = 0;

	for (i = 0; st && i < st->count; i++)
		n += st->entries[i].state == state;
	return n;
}

void gw_status_free(gw_status *st)
{
	if (!st)
		return;
	gw_hist_dispose(&st->hist);
	free(st->entries);
	free(st->other_table);
	free(st);
}
