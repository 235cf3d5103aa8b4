/*
 * status.c: the state of every migration, from the set and the history.
 *
 * Used by `status` and, before anything runs, by `up` and `down`, so the
 * checks that stop a run (changed, dirty, out of order) are computed in one
 * place.
 */
#include "adopt_priv.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

_Static_assert(GW_HIST_AT_SIZE <= sizeof(((gw_status_entry *)0)->applied_at_text),
               "an entry holds a row's time");

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

/* An entry from its slot: the migration's fields, then the row's. A
 * row's checksum is text when it is not the file's (compute_from), so
 * the one shown is the row's text, else the file's, which is the same. */
static gw_status_slot *slot_at(const gw_status *st, size_t i)
{
	return (gw_status_slot *)(void *)(st->slots + i * st->slot_stride);
}

/* slot: entry i's, by value, as the entry may be written where it lies. */
static void fill_entry(gw_status_entry *e, const gw_status *st, size_t i, gw_status_slot slot)
{
	const gw_migration *m = i < st->nsrc ? st->src->items[i] : NULL;
	const gw_hist_row *r = slot.row != GW_STATUS_NO_ROW ? st->hist.rows[slot.row] : NULL;

	/* Whole, not zeroed and then filled: the text of status reads every
	 * entry twice. */
	if (m)
		*e = (gw_status_entry){.version = m->version,
		                       .name = m->name,
		                       .file = m->up_file,
		                       .state = (gw_state)slot.state,
		                       .kind = m->repeatable ? "repeatable" : "versioned",
		                       .execution_ms = -1,
		                       .transactional = !m->no_transaction,
		                       .has_down = m->down_file != NULL,
		                       .empty = m->empty};
	else if (r) /* a row no file matches */
		*e = (gw_status_entry){.version = r->version,
		                       .name = gw_hist_row_name(r) ? gw_hist_row_name(r) : "",
		                       .state = (gw_state)slot.state,
		                       .transactional = 1};
	if (m)
		e->checksum = gw_migration_hex(e->checksum_text, m);
	if (r) {
		e->kind = gw_hist_row_kind(r);
		e->applied_checksum =
		        gw_hist_row_checksum(r) ? gw_hist_row_checksum(r) : e->checksum;
		e->applied_at = gw_hist_row_at(r, e->applied_at_text);
		e->applied_by = r->applied_by;
		e->execution_ms = gw_hist_row_ms(r);
		e->statements_total = gw_hist_row_total(r);
		e->statements_done = gw_hist_row_done(r);
		e->error = gw_hist_row_error(r);
	}
}

/* same: the row's checksum is m's. */
static gw_state state_of(const gw_migration *m, const gw_hist_row *r, int same)
{
	if (!r)
		return GW_STATE_PENDING;
	if (!strcmp(gw_hist_row_state_text(r), "dirty"))
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
		gw_hist_row *r = st->hist.rows[i];

		if (matched[i])
			continue;
		if (gw_hist_row_sum_text(&st->hist, r) < 0)
			return GW_ENOMEM;
		slot_at(st, n)->row = (uint32_t)i;
		slot_at(st, n++)->state =
		        (unsigned char)(!strcmp(gw_hist_row_state_text(r), "dirty")
		                                ? GW_STATE_DIRTY
		                                : GW_STATE_MISSING);
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
		if (slot_at(st, i)->state == GW_STATE_DIRTY)
			slot_at(st, i)->state = GW_STATE_RUNNING;
	return 0;
}

/* Every entry at once, for gw_status_get of a status of states only;
 * NULL when out of memory. */
static gw_status_entry *make_entries(const gw_status *st)
{
	gw_status_entry *all = calloc(st->count + 1, sizeof(*all));
	size_t i;

	for (i = 0; all && i < st->count; i++)
		fill_entry(&all[i], st, i, *slot_at(st, i));
	return all;
}

int gw_status__compute(gw_status **out, gw_project *p, int history_exists)
{
	return gw_status__compute_from(out, p, history_exists, NULL, 1);
}

int gw_status__compute_from(gw_status **out, gw_project *p, int history_exists, gw_hist *hist,
                            int entries)
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
	st->src = src;
	st->nsrc = src->count;
	if (hist) {
		st->hist = *hist;
		*hist = (gw_hist)GW_HIST_INIT;
	} else if (history_exists &&
	           (error = gw_hist_load(&st->hist, p, entries ? GW_HIST_ALL : GW_HIST_STATES)) <
	                   0) {
		goto cleanup;
	}
	if (st->hist.count >= GW_STATUS_NO_ROW) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	/* With entries, each slot is the start of its entry, which takes its
	 * place at the end: nothing more is held than the entries. */
	st->slot_stride = entries ? sizeof(gw_status_entry) : sizeof(gw_status_slot);
	st->slots = calloc(src->count + st->hist.count + 1, st->slot_stride);
	matched = calloc(st->hist.count + 1, 1);
	if (!st->slots || !matched) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	for (i = 0; i < src->count; i++) {
		const gw_migration *m = src->items[i];
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
		slot_at(st, i)->row = r ? (uint32_t)ri : GW_STATUS_NO_ROW;
		if (!r) {
			slot_at(st, i)->state = GW_STATE_PENDING;
			continue;
		}
		next = (size_t)ri + 1;
		/* A checksum other than the file's is shown: made text. */
		same = gw_hist_row_sum_eq(r, m->sum);
		if (!same && gw_hist_row_sum_text(&st->hist, r) < 0) {
			error = gw_error_oom(p->ctx);
			goto cleanup;
		}
		slot_at(st, i)->state = (unsigned char)state_of(m, r, same);
		matched[ri] = 1;
		/* Repeatables come after every versioned migration and say
		 * nothing about the order of the others. */
		if (!m->repeatable)
			st->last_applied_index = i + 1;
	}
	st->count = src->count;
	/* The rows hold no name: read for the rows no file has, if any. */
	if (memchr(matched, 0, st->hist.count) &&
	    (error = gw_hist_load_names(&st->hist, p, matched)) < 0)
		goto cleanup;
	if (add_missing(st, matched) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	/* Pending migrations behind the last applied one arrived late, from a
	 * merged branch; they are shown, and up refuses them by default. */
	for (i = 0; i < src->count && i < st->last_applied_index; i++)
		if (slot_at(st, i)->state == GW_STATE_PENDING)
			slot_at(st, i)->state = GW_STATE_OUT_OF_ORDER;
	if ((error = mark_running(st, p)) < 0)
		goto cleanup;
	/* The entries, 208 bytes each, are made now for the library's
	 * readers, each over its own slot; the text of status reads each
	 * one from its 8-byte slot instead (gw_status_read). */
	if (entries) {
		for (i = 0; i < st->count; i++)
			fill_entry((gw_status_entry *)(void *)slot_at(st, i), st, i,
			           *slot_at(st, i));
		st->entries = (gw_status_entry *)(void *)st->slots;
		st->slots = NULL;
	}
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
	 * database at all. Meanwhile this thread connects and reads the
	 * history. */
	error = gw_project__source_connect_history(
	        &src, p, &early, modes ? GW_HIST_ALL : GW_HIST_STATES, &exists, &read);
	/* A Ctrl-C that cancelled the history's read is no failed read to make
	 * again: the second would wait for whatever held the first (a lock),
	 * and the status would come out as if nobody had asked to stop. */
	if (error == 0 && !read && gw_project_cancelled(p))
		error = gw_project__cancel_error(p, "stopped while reading the history");
	if (error == 0 && !read)
		error = gw_hist_rows_exist(&exists, p);
	if (error == 0)
		error = gw_status__compute_from(out, p, exists, read ? &early : NULL, modes);
	gw_hist_dispose(&early);
	if (error < 0)
		return error;
	if (modes)
		effective_modes(*out, p, src);
	/* A Ctrl-C while the folder was read (nothing there looks for one),
	 * or later: the status is not shown as if nobody had asked to stop. */
	if ((error = gw_status__other_history(*out, p)) == 0 && gw_project_cancelled(p))
		error = gw_project__cancel_error(p, "stopped before the status was shown");
	if (error < 0) {
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
	gw_status *lazy = (gw_status *)(uintptr_t)st; /* made: set once, atomically */
	gw_status_entry *all, *none = NULL;

	if (!st || i >= st->count)
		return NULL;
	if (st->entries)
		return &st->entries[i];
	/* A status of states only makes its entries at the first call; two
	 * threads reading the same status keep the first one made. */
	if (!(all = atomic_load(&lazy->made))) {
		if (!(all = make_entries(st)))
			return NULL;
		if (!atomic_compare_exchange_strong(&lazy->made, &none, all)) {
			free(all);
			all = none;
		}
	}
	return &all[i];
}

int gw_status_names(const gw_status *st, size_t i, const char **version, const char **name)
{
	const gw_migration *m;
	const gw_hist_row *r;
	gw_status_slot slot;

	if (!st || i >= st->count)
		return -1;
	if (st->entries) {
		*version = st->entries[i].version;
		*name = st->entries[i].name;
		return 0;
	}
	/* As fill_entry names them. */
	slot = *slot_at(st, i);
	if ((m = i < st->nsrc ? st->src->items[i] : NULL)) {
		*version = m->version;
		*name = m->name;
		return 0;
	}
	r = slot.row != GW_STATUS_NO_ROW ? st->hist.rows[slot.row] : NULL;
	*version = r ? r->version : NULL;
	*name = r ? (gw_hist_row_name(r) ? gw_hist_row_name(r) : "") : NULL;
	return 0;
}

int gw_status_read(const gw_status *st, size_t i, gw_status_entry *out)
{
	const gw_status_entry *from;

	if (!st || i >= st->count)
		return -1;
	if (!st->entries) {
		fill_entry(out, st, i, *slot_at(st, i));
		return 0;
	}
	/* The copy's texts point into itself, not into the status. */
	from = &st->entries[i];
	*out = *from;
	if (out->checksum)
		out->checksum = out->checksum_text;
	if (out->applied_checksum == from->checksum_text)
		out->applied_checksum = out->checksum_text;
	if (out->applied_at == from->applied_at_text)
		out->applied_at = out->applied_at_text;
	return 0;
}

size_t gw_status_count_state(const gw_status *st, gw_state state)
{
	size_t i, n = 0;

	if (st && st->entries)
		for (i = 0; i < st->count; i++)
			n += st->entries[i].state == state;
	else
		for (i = 0; st && i < st->count; i++)
			n += slot_at(st, i)->state == state;
	return n;
}

void gw_status_free(gw_status *st)
{
	if (!st)
		return;
	gw_hist_dispose(&st->hist);
	free(st->entries);
	free(atomic_load(&st->made));
	free(st->slots);
	free(st->other_table);
	free(st);
}
