/*
 * migrate.c: choosing what up, down and redo run, checking it all before the
 * first statement, and running it (plan stage).
 *
 * Every refusal (a dirty or changed migration, out-of-order files, a
 * missing down, SQL that does not parse) happens before anything changes,
 * so bad input never leaves a database half-migrated.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "godwit/backup.h"
#include "godwit/schema.h"
#include "../util/error.h"
#include "../util/fs.h"

typedef struct pick {
	const gw_migration *m;
	int resume; /* a dirty migration continued at resume_from (which may be 0) */
	size_t resume_from;
} pick;

typedef struct selection {
	pick *items;
	size_t count;
} selection;

struct gw_plan {
	gw_plan_step *steps;
	size_t count;
	gw_vec owned;
};

static int add_pick(selection *sel, const gw_migration *m, int resume, size_t resume_from)
{
	pick *items = realloc(sel->items, (sel->count + 1) * sizeof(*items));

	if (!items)
		return -1;
	items[sel->count].m = m;
	items[sel->count].resume = resume;
	items[sel->count].resume_from = resume_from;
	sel->items = items;
	sel->count++;
	return 0;
}

static int dirty_error(gw_project *p, const gw_status_entry *e)
{
	gw_str path = GW_STR_INIT;
	int error;

	if (e->file)
		gw_project__path(&path, p, e->file);
	error = gw_error_set(p->ctx, GW_EDIRTY,
	                     "migration %s%s%s%s is dirty: statement %d of %d %s%s", e->version,
	                     path.size ? " (" : "", path.ptr, path.size ? ")" : "",
	                     e->statements_done + 1, e->statements_total,
	                     e->error ? "failed: " : "was interrupted", e->error ? e->error : "");
	gw_error_set_hint_code(p->ctx, GW_HINT_DIRTY, e->version, NULL);
	gw_str_dispose(&path);
	return error;
}

static int changed_error(gw_project *p, const gw_status_entry *e)
{
	gw_str path = GW_STR_INIT;
	int error;

	gw_project__path(&path, p, e->file);
	error = gw_error_set(p->ctx, GW_ECHECKSUM, "%s was changed after it was applied", path.ptr);
	gw_error_set_location(p->ctx, path.ptr, 0, 0);
	gw_error_set_hint_code(p->ctx, GW_HINT_REPAIR, e->version, NULL);
	gw_str_dispose(&path);
	return error;
}

static int empty_error(gw_project *p, const gw_status_entry *e)
{
	gw_str path = GW_STR_INIT;
	int error;

	gw_project__path(&path, p, e->file);
	error = gw_error_set(p->ctx, GW_ESOURCE, "%s: the migration is empty", path.ptr);
	gw_error_set_location(p->ctx, path.ptr, 0, 0);
	gw_error_set_hint(p->ctx, "add its SQL, or delete the file");
	gw_str_dispose(&path);
	return error;
}

static int out_of_order_error(gw_project *p, const gw_status *st)
{
	gw_str list = GW_STR_INIT, path = GW_STR_INIT;
	const gw_status_entry *last = &st->entries[st->last_applied_index - 1];
	size_t i, n = 0;
	int error;

	for (i = 0; i < st->count; i++) {
		if (st->entries[i].state != GW_STATE_OUT_OF_ORDER)
			continue;
		gw_str_puts(&list, n++ ? ", " : "");
		gw_project__path(&path, p, st->entries[i].file);
		gw_str_puts(&list, path.ptr);
	}
	gw_str_dispose(&path);
	error = gw_error_set(p->ctx, GW_EORDER,
	                     "%zu pending migration%s older than the last applied one (%s): %s", n,
	                     n == 1 ? " is" : "s are", last->version, list.ptr);
	gw_error_set_hint_code(p->ctx, GW_HINT_OUT_OF_ORDER, n == 1 ? "1" : "2", NULL);
	gw_str_dispose(&list);
	return error;
}

/* sqitch's [!change]: a migration is not applied while a change it
 * conflicts with is applied, or about to be in the same run. */
static int check_conflicts(gw_project *p, const gw_status *st, const selection *sel,
                           const gw_migration *m)
{
	const gw_migration *c;
	size_t i, k;

	for (k = 0; k < gw_migration_nconflicts(m); k++) {
		int in_run = 0;

		if (!(c = gw_source_find(p->source, m->rare->conflicts[k])))
			continue;
		for (i = 0; i < sel->count; i++)
			in_run = in_run || sel->items[i].m == c;
		if (!in_run && st->entries[c->index].state != GW_STATE_APPLIED &&
		    st->entries[c->index].state != GW_STATE_CHANGED)
			continue;
		gw_error_set(p->ctx, GW_ESTATE,
		             "cannot apply %s %s: it conflicts with %s %s, which %s", m->version,
		             m->name, c->version, c->name,
		             in_run ? "this run applies first" : "is applied");
		gw_error_set_hint_code(p->ctx, GW_HINT_REVERT_CONFLICT, c->name, NULL);
		return GW_ESTATE;
	}
	return 0;
}

static int find_target(size_t *index, gw_project *p, const char *version)
{
	gw_source *src = p->source;
	const gw_migration *m = gw_source_find(src, version);

	if (!m)
		return gw_error_set(p->ctx, GW_ENOTFOUND, "no migration in %s has version %s",
		                    gw_project__dir(p), version);
	*index = m->index;
	return 0;
}

/* Another tool migrated this database and godwit's history is empty:
 * applying everything would run each migration a second time. */
static int other_history_error(gw_project *p, const gw_status *st)
{
	gw_error_set(p->ctx, GW_ESTATE,
	             "this database holds the %s history (%s) and godwit's history is empty: "
	             "up would apply every migration again on a database %s already migrated",
	             st->other_tool, st->other_table, st->other_tool);
	gw_error_set_hint_code(p->ctx, GW_HINT_OTHER_HISTORY, st->other_tool, NULL);
	return GW_ESTATE;
}

static void changed_dirty_warning(gw_project *p, const gw_status_entry *e)
{
	gw_str path = GW_STR_INIT;

	gw_project__path(&path, p, e->file);
	gw_notify(p->ctx, GW_NOTICE_WARNING, e->version, e->name, e->file, -1,
	          "%s changed since its run started; resuming from statement %d with the "
	          "file as it is now",
	          path.size ? path.ptr : e->file, e->statements_done + 1);
	gw_str_dispose(&path);
}

/* What up applies, in order; refuses dirty, changed and out-of-order
 * states unless the options allow them. */
static int select_up(selection *sel, gw_project *p, const gw_status *st, const gw_up_options *o)
{
	size_t i, limit = st->count, nsrc = p->source->count;
	int error;

	if (o->to && (error = find_target(&limit, p, o->to)) < 0)
		return error;
	if (o->to)
		limit++;
	for (i = 0; i < st->count; i++) {
		const gw_status_entry *e = &st->entries[i];

		if (e->state == GW_STATE_DIRTY && (!o->resume || i >= nsrc))
			return dirty_error(p, e);
		if (e->state == GW_STATE_CHANGED)
			return changed_error(p, e);
		if (e->state == GW_STATE_MISSING)
			gw_notify(p->ctx, GW_NOTICE_WARNING, e->version, e->name, NULL, -1,
			          "migration %s %s is recorded as applied but has no file in %s",
			          e->version, e->name, gw_project__dir(p));
	}
	if (!p->opts.allow_out_of_order && gw_status_count_state(st, GW_STATE_OUT_OF_ORDER))
		return out_of_order_error(p, st);
	for (i = 0; i < nsrc && i < limit; i++) {
		const gw_status_entry *e = &st->entries[i];

		if (e->state == GW_STATE_DIRTY) {
			/* Fixing the statement that failed is the usual way out
			 * of a dirty state, so a changed file is expected here. */
			if (strcmp(e->applied_checksum, e->checksum))
				changed_dirty_warning(p, e);
			error = add_pick(sel, p->source->items[i], 1, (size_t)e->statements_done);
		} else if (e->state == GW_STATE_PENDING || e->state == GW_STATE_OUT_OF_ORDER) {
			if (e->empty)
				return empty_error(p, e);
			/* Up to a version means the versioned ones only. */
			if (o->to && p->source->items[i]->repeatable)
				continue;
			if ((error = check_conflicts(p, st, sel, p->source->items[i])) < 0)
				return error;
			error = add_pick(sel, p->source->items[i], 0, 0);
		} else {
			continue;
		}
		if (error < 0)
			return gw_error_oom(p->ctx);
	}
	if (sel->count && st->other_tool && !(o->version >= 2 && o->ignore_other_history))
		return other_history_error(p, st);
	return 0;
}

static int no_down_error(gw_project *p, const gw_status_entry *e)
{
	const gw_migration *m = e->file ? gw_source_find(p->source, e->version) : NULL;
	gw_str hint = GW_STR_INIT;
	int error = gw_error_set(p->ctx, GW_ENODOWN, "cannot revert %s %s: %s", e->version, e->name,
	                         e->file ? "it has no down migration"
	                                 : "its file is missing from the migrations folder");

	/* Name the file (or section) that would make it revertible, in the
	 * folder's own convention. */
	if (!e->file)
		gw_error_set_hint(p->ctx, "restore the file, then revert it");
	else if (m && gw_source_down_hint(&hint, p->source, m) == 0)
		gw_error_set_hint(p->ctx, "%s first", hint.ptr);
	gw_str_dispose(&hint);
	return error;
}

/* The status entries in the order down reverts them: newest first. A row
 * whose file is missing has no place in the folder's order, so it takes
 * the place of its version; only when it is among the reverted ones does
 * its missing file stop the run. */
static size_t *down_order(const gw_project *p, const gw_status *st)
{
	size_t nsrc = p->source->count, nmiss = st->count - nsrc, i, j, k, n = 0;
	size_t *order = malloc((st->count + 1) * sizeof(*order));
	size_t *miss = malloc((nmiss + 1) * sizeof(*miss));

	if (!order || !miss) {
		free(order);
		free(miss);
		return NULL;
	}
	/* The rows without a file, newest first (there are few). */
	for (i = 0; i < nmiss; i++) {
		for (j = i; j > 0 && gw_version_cmp(st->entries[miss[j - 1]].version,
		                                    st->entries[nsrc + i].version) < 0;
		     j--)
			miss[j] = miss[j - 1];
		miss[j] = nsrc + i;
	}
	for (i = nsrc, k = 0; i > 0 || k < nmiss;) {
		if (k < nmiss && (i == 0 || gw_version_cmp(st->entries[miss[k]].version,
		                                           st->entries[i - 1].version) > 0))
			order[n++] = miss[k++];
		else
			order[n++] = --i;
	}
	free(miss);
	return order;
}

static int select_down(selection *sel, gw_project *p, const gw_status *st, const gw_down_options *o)
{
	size_t i, n, stop = 0, steps = o->steps > 0 ? (size_t)o->steps : 1, *order = NULL;
	const char *target = o->version >= 2 ? o->target : NULL;
	char *mark = NULL;
	int error = 0;

	if (o->to && (error = find_target(&stop, p, o->to)) < 0)
		return error;
	if (o->to)
		stop++;
	for (i = 0; i < st->count; i++)
		if (st->entries[i].state == GW_STATE_DIRTY)
			return dirty_error(p, &st->entries[i]);
	if (target && (error = gw_target__closure(&mark, p, st, target)) < 0)
		return error;
	if (!(order = down_order(p, st))) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	for (n = 0; n < st->count; n++) {
		const gw_status_entry *e = &st->entries[i = order[n]];
		int missing = i >= p->source->count;

		if (e->state != GW_STATE_APPLIED && e->state != GW_STATE_CHANGED &&
		    e->state != GW_STATE_MISSING)
			continue;
		/* Repeatables have no down; they are not reverted. */
		if (e->kind && !strcmp(e->kind, "repeatable"))
			continue;
		/* The target's set is all it reverts, wherever its members are
		 * in the order. */
		if (mark && (missing || !mark[i]))
			continue;
		if (!mark && !o->to && !o->all && sel->count == steps)
			break;
		if (o->to &&
		    (missing ? gw_version_cmp(e->version, p->source->items[stop - 1]->version) <= 0
		             : i < stop))
			break;
		if (missing || !p->source->items[i]->down_file) {
			error = no_down_error(p, e);
			break;
		}
		if (e->state == GW_STATE_CHANGED)
			gw_notify(p->ctx, GW_NOTICE_WARNING, e->version, e->name, e->file, -1,
			          "%s changed since it was applied; reverting with its current "
			          "down",
			          e->file);
		if (add_pick(sel, p->source->items[i], 0, 0) < 0) {
			error = gw_error_oom(p->ctx);
			break;
		}
	}
cleanup:
	free(mark);
	free(order);
	return error;
}

/* Reads and splits every selected migration before running the first, so
 * a syntax error or a stray BEGIN in the last file changes nothing. On
 * SQLite, whose SQL is only checked by preparing it, each is prepared too,
 * on a copy of the schema (scratch.c): dirs are the directions the run
 * takes in turn (redo's down, then up), checked in that order; redo
 * applies again in the reverse of the order it reverted. */
static int check_all(gw_project *p, const selection *sel, const gw_direction *dirs, size_t ndirs)
{
	gw_scratch *scratch = NULL;
	size_t i, d;
	int error = 0;

	if (sel->count && p->driver->dialect == GW_DIALECT_SQLITE &&
	    (error = gw_scratch_open(&scratch, p)) < 0)
		return error;
	for (d = 0; d < ndirs; d++) {
		for (i = 0; i < sel->count && error == 0; i++) {
			const pick *k = &sel->items[d && ndirs > 1 ? sel->count - 1 - i : i];
			gw_prepared pm = GW_PREPARED_INIT;
			gw_ctx_set_quiet(p->ctx, 1);
			error = gw_prepare(&pm, p, k->m, dirs[d]);
			gw_ctx_set_quiet(p->ctx, 0);
			if (error == 0 && scratch)
				error = gw_scratch_check(scratch, p, &pm,
				                         k->resume ? k->resume_from : 0);
			gw_prepared_dispose(&pm);
		}
	}
	gw_scratch_close(scratch);
	return error;
}

typedef enum { READ_ONLY, LOCKED } access_mode;

static int load_status(gw_status **st, gw_project *p, access_mode mode)
{
	gw_source *src;
	int exists = 1, error;

	if ((error = gw_project__source_and_connect(&src, p)) < 0)
		return error;
	if (mode == LOCKED)
		error = gw_hist_begin(p);
	else
		error = gw_hist_rows_exist(&exists, p);
	if (error < 0 || (error = gw_status__compute(st, p, exists)) < 0)
		return error;
	return gw_status__other_history(*st, p);
}

/* Runs the selection in order until one fails; ran (NULL, or room for
 * every pick) gets each migration the run applied or reverted, *at the
 * index of the pick it stopped at. */
static int run_selection(size_t *done, gw_project *p, const selection *sel, gw_direction dir,
                         const gw_migration **ran, size_t *at)
{
	size_t i, n = 0;
	int error = 0, skipped = 0;

	for (i = 0; i < sel->count && error == 0; i++) {
		const pick *k = &sel->items[i];

		/* A lease whose heartbeat failed may have expired and been
		 * taken over: stop before the next migration. */
		if (gw_project__lock_lost(p)) {
			error = gw_error_set(p->ctx, GW_ELOCK,
			                     "the migration lease could not be renewed; stopped "
			                     "before %s so that two runners never overlap",
			                     k->m->version);
			break;
		}

		/* A cancel that came between two migrations stops the run
		 * before the next one. */
		if (p->cancelled) {
			error = gw_project__cancel_error(
			        p, "stopped before %s %s; %zu migration%s %s before it",
			        k->m->version, k->m->name, n, n == 1 ? " was" : "s were",
			        dir == GW_UP ? "applied" : "reverted");
			gw_hist_record_failure(p, k->m->version, k->m->name, "cancel");
			break;
		}
		if (dir == GW_UP)
			error = gw_run_up(p, k->m, k->resume ? &k->resume_from : NULL, &skipped);
		else
			error = gw_run_down(p, k->m);
		if (error == 0 && !skipped && ran)
			ran[n] = k->m;
		if (error == 0 && !skipped)
			n++;
		if (at)
			*at = i;
		/* Each migration's events go out as it ends; an audit log that
		 * audit_required needs and cannot be written stops the run. */
		if (error == 0)
			error = gw_events__flush(p);
	}
	if (done)
		*done = n;
	return error;
}

static int atomic_wanted(const gw_project *p, gw_direction dir, const gw_up_options *up)
{
	return dir == GW_UP && ((up->version >= 4 && up->atomic) || p->opts.atomic);
}

/* A failing check after up reverts the run: the run must be revertible. */
static int check_rollback_wanted(const gw_project *p, gw_direction dir)
{
	return dir == GW_UP && p->opts.after_up == GW_AFTER_UP_HEALTH &&
	       p->opts.on_check_failure == GW_ON_CHECK_FAILURE_ROLLBACK;
}

/* A run that may be reverted (atomic, or a failed check with
 * on_check_failure = rollback) must be revertible before it starts. */
static int atomic_check(gw_project *p, const selection *sel, gw_direction dir,
                        const gw_up_options *up)
{
	int when = (atomic_wanted(p, dir, up) ? GW_ATOMIC_ON_FAILURE : 0) |
	           (check_rollback_wanted(p, dir) ? GW_ATOMIC_ON_CHECK : 0);
	const gw_migration **ms = NULL;
	int *resume = NULL;
	size_t i;
	int error;

	if (!when)
		return 0;
	ms = calloc(sel->count + 1, sizeof(*ms));
	resume = calloc(sel->count + 1, sizeof(*resume));
	if (!ms || !resume) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	for (i = 0; i < sel->count; i++) {
		ms[i] = sel->items[i].m;
		resume[i] = sel->items[i].resume;
	}
	error = gw_atomic__check(p, ms, resume, sel->count, when);
cleanup:
	free(ms);
	free(resume);
	return error;
}

/* Runs what was selected, then the checks after up; with atomic, a failed
 * migration reverts what this run applied, and so does a failed check
 * with on_check_failure = rollback (never after a lost lease: another
 * runner may own the database by then). */
static int run_checked(size_t *done, gw_project *p, const selection *sel, gw_direction dir,
                       int atomic)
{
	const gw_migration **ran = calloc(sel->count + 1, sizeof(*ran));
	size_t n = 0, at = 0;
	int error, checked = 0;

	if (!ran)
		return gw_error_oom(p->ctx);
	error = run_selection(&n, p, sel, dir, ran, &at);
	if (error == 0 && dir == GW_UP) {
		checked = 1;
		error = gw_health__after_up(p);
	}
	if (error < 0 && (checked ? check_rollback_wanted(p, dir) : atomic) &&
	    gw_ctx_error(p->ctx)->code != GW_ELOCK &&
	    gw_atomic__rollback(p, ran, n, checked ? NULL : sel->items[at].m) == 0 && !p->cancelled)
		n = 0;
	if (done)
		*done = n;
	free(ran);
	return error;
}

/* A run that will change something backs up first when the project asks
 * for it. This happens before the runner lock is taken, so a long
 * pg_dump never holds up another deploy; a failed backup stops the run. */
static int backup_first(gw_project *p, gw_direction dir, const gw_up_options *up,
                        const gw_down_options *down)
{
	selection sel = {NULL, 0};
	gw_status *st = NULL;
	char *path = NULL;
	int error;

	if (!p->opts.backup)
		return 0;
	if ((error = load_status(&st, p, READ_ONLY)) < 0)
		goto cleanup;
	/* Quiet: the run selects again and gives the notices then. */
	gw_ctx_set_quiet(p->ctx, 1);
	error = dir == GW_UP ? select_up(&sel, p, st, up) : select_down(&sel, p, st, down);
	gw_ctx_set_quiet(p->ctx, 0);
	if (error == 0 && sel.count)
		error = gw_project_backup(&path, p);
cleanup:
	free(path);
	gw_status_free(st);
	free(sel.items);
	return error;
}

/* The runner lock creates godwit's tables; a database that another tool
 * migrated is refused before it, so that nothing is created in it. Only a
 * database without godwit's tables needs this look: once they exist, the
 * same refusal under the lock creates nothing either. */
static int other_history_first(gw_project *p, gw_direction dir, const gw_up_options *up)
{
	selection sel = {NULL, 0};
	gw_status *st = NULL;
	gw_source *src;
	int exists = 1, error;

	if (dir != GW_UP || (up->version >= 2 && up->ignore_other_history))
		return 0;
	if ((error = gw_project__source_and_connect(&src, p)) < 0 ||
	    (error = gw_hist_rows_exist(&exists, p)) < 0 || exists)
		return error;
	if ((error = load_status(&st, p, READ_ONLY)) == 0)
		error = select_up(&sel, p, st, up);
	gw_status_free(st);
	free(sel.items);
	return error;
}

/* Without a runner lock (SQLite's engine has none): between reading the history and copying the
 * schema for check_all, another runner may apply a migration of the
 * selection, and the check then fails on what that runner created ("table
 * t1 already exists"). 1 when the history changed under the check, so the
 * run must choose again instead of failing for another runner's work. */
static int history_moved(gw_project *p, gw_direction dir, const selection *sel, int attempt)
{
	gw_status *now = NULL;
	size_t i, k;
	int moved = 0;

	if (gw_engine_lock_for(p->engine, p->opts.lock) != GW_ENGINE_LOCK_NONE || !sel->count ||
	    attempt >= 100)
		return 0;
	gw_ctx_set_quiet(p->ctx, 1);
	/* The check's error stays: a failed look leaves it as it is. */
	if (gw_status__compute(&now, p, 1) == 0) {
		for (i = 0; i < sel->count && !moved; i++)
			for (k = 0; k < gw_status_count(now); k++) {
				const gw_status_entry *e = gw_status_get(now, k);

				if (strcmp(e->version, sel->items[i].m->version))
					continue;
				if (dir == GW_UP)
					moved = e->state == GW_STATE_APPLIED ||
					        (e->state == GW_STATE_DIRTY &&
					         !sel->items[i].resume);
				else
					moved = e->state != GW_STATE_APPLIED &&
					        e->state != GW_STATE_DIRTY;
			}
	}
	gw_ctx_set_quiet(p->ctx, 0);
	gw_status_free(now);
	return moved;
}

/* The deploy policies (policy.c) on what up selected, under the lock. */
static int up_policy(gw_project *p, const selection *sel, const gw_up_options *up)
{
	const gw_migration **ms;
	size_t i;
	int error;

	if (!sel->count || (!p->block && !p->block_destructive))
		return 0;
	if (!(ms = calloc(sel->count, sizeof(*ms))))
		return gw_error_oom(p->ctx);
	for (i = 0; i < sel->count; i++)
		ms[i] = sel->items[i].m;
	error = gw_policy__up(p, ms, sel->count, up->version >= 3 && up->allow_unsafe);
	free(ms);
	return error;
}

static int run(size_t *done, gw_project *p, gw_direction dir, const gw_up_options *up,
               const gw_down_options *down)
{
	selection sel = {NULL, 0};
	gw_status *st = NULL;
	int attempt, error;

	if (done)
		*done = 0;
	if ((error = other_history_first(p, dir, up)) < 0 ||
	    (error = backup_first(p, dir, up, down)) < 0)
		goto cleanup;
	for (attempt = 0;; attempt++) {
		if ((error = load_status(&st, p, LOCKED)) < 0)
			goto cleanup;
		error = dir == GW_UP ? select_up(&sel, p, st, up) : select_down(&sel, p, st, down);
		if (error == 0)
			error = check_all(p, &sel, &dir, 1);
		if (error == 0 || !history_moved(p, dir, &sel, attempt))
			break;
		/* Another runner applied part of the selection: choose again. */
		gw_ctx_clear_error(p->ctx);
		gw_status_free(st);
		st = NULL;
		free(sel.items);
		sel.items = NULL;
		sel.count = 0;
	}
	if (error < 0 || (dir == GW_UP && (error = up_policy(p, &sel, up)) < 0) ||
	    (error = atomic_check(p, &sel, dir, up)) < 0)
		goto cleanup;
	/* Only a run that will change something waits on live sessions. */
	if (sel.count && (error = gw_preflight__gate(p)) < 0)
		goto cleanup;
	error = run_checked(done, p, &sel, dir, atomic_wanted(p, dir, up));
cleanup:
	gw_progress__stop(p);
	gw_project__unlock(p);
	gw_status_free(st);
	free(sel.items);
	return error;
}

static const gw_up_options *up_options(const gw_up_options *o)
{
	static const gw_up_options defaults = GW_UP_OPTIONS_INIT;

	return o ? o : &defaults;
}

static const gw_down_options *down_options(const gw_down_options *o)
{
	static const gw_down_options defaults = GW_DOWN_OPTIONS_INIT;

	return o ? o : &defaults;
}

/* Writes the schema's text to the project's schema file, creating the
 * folders it needs. */
static int write_schema_file(gw_project *p)
{
	gw_schema_options so = GW_SCHEMA_OPTIONS_INIT;
	gw_schema *schema = NULL;
	char *text = NULL;
	const char *slash = strrchr(p->opts.schema_file, '/');
	gw_str tmp = GW_STR_INIT;
	int error;

	if ((error = gw_schema_snapshot(&schema, p, &so)) < 0)
		goto cleanup;
	if (gw_schema_text(&text, schema) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	if (slash && slash != p->opts.schema_file) {
		if (gw_str_put(&tmp, p->opts.schema_file, (size_t)(slash - p->opts.schema_file)) <
		    0) {
			error = gw_error_oom(p->ctx);
			goto cleanup;
		}
		if ((error = gw_make_dirs(tmp.ptr, 0777, p->ctx)) < 0)
			goto cleanup;
		gw_str_clear(&tmp);
	}
	/* Written beside and renamed over, so a reader never sees half. */
	if (gw_str_printf(&tmp, "%s.tmp", p->opts.schema_file) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	unlink(tmp.ptr);
	if ((error = gw_file_create(tmp.ptr, text, strlen(text), p->ctx)) == 0 &&
	    rename(tmp.ptr, p->opts.schema_file) < 0) {
		error = gw_error_set(p->ctx, GW_EIO, "cannot write %s: %s", p->opts.schema_file,
		                     strerror(errno));
		unlink(tmp.ptr);
	}
cleanup:
	gw_str_dispose(&tmp);
	free(text);
	gw_schema_free(schema);
	return error;
}

/* A failed after-step: a warning that leaves the context clear, or with
 * schema_strict the error GW_EAFTER (the first one's). */
static int after_failed(gw_project *p, const char *step, const char *command, int *failed)
{
	const gw_error *e = gw_ctx_error(p->ctx);
	char *msg = gw_strdup(e && e->message ? e->message : "failed");
	int error = 0;

	gw_ctx_clear_error(p->ctx);
	if (!msg)
		return gw_error_oom(p->ctx);
	if (!p->opts.schema_strict) {
		gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
		          "%s after %s failed: %s (the %s itself is done)", step, command, msg,
		          command);
	} else if (!*failed) {
		error = gw_error_set(p->ctx, GW_EAFTER, "%s after %s failed: %s", step, command,
		                     msg);
		gw_error_set_hint_code(p->ctx, GW_HINT_SCHEMA_AFTER, command, NULL);
	}
	*failed = 1;
	free(msg);
	return error;
}

/* After a command that changed the schema: the snapshot recorded for
 * drift (so that a down, a restore or a seed is no false drift) and the
 * schema file. The change is done by then, so a failure here never turns
 * it into a failed command unless the project asks for schema_strict. */
int gw_project__after_change(gw_project *p, const char *command)
{
	int failed = 0, error = 0, rc;

	if (p->opts.schema_record && gw_schema_record(p) < 0 &&
	    (rc = after_failed(p, "recording the schema snapshot", command, &failed)) < 0)
		error = rc;
	if (p->opts.schema_file && write_schema_file(p) < 0 &&
	    (rc = after_failed(p, "writing the schema file", command, &failed)) < 0 && !error)
		error = rc;
	return error;
}

int gw_project_up(size_t *applied, gw_project *p, const gw_up_options *opts)
{
	size_t n = 0;
	size_t seeded = 0;
	int error = run(&n, p, GW_UP, up_options(opts), NULL);

	if (applied)
		*applied = n;
	/* Seeds follow a successful up where the environment allows them;
	 * then the schema is recorded once for both. */
	if (error == 0 && p->opts.seeds_dir && p->seeds_allowed)
		error = gw_project__seed(&seeded, p);
	if (error == 0 && (n > 0 || seeded > 0))
		error = gw_project__after_change(p, "up");
	return error;
}

int gw_project_down(size_t *reverted, gw_project *p, const gw_down_options *opts)
{
	size_t n = 0;
	int error = run(&n, p, GW_DOWN, NULL, down_options(opts));

	if (reverted)
		*reverted = n;
	if (error == 0 && n > 0)
		error = gw_project__after_change(p, "down");
	return error;
}

int gw_project_redo(gw_project *p)
{
	return gw_project_redo_target(p, NULL);
}

int gw_project_redo_target(gw_project *p, const char *target)
{
	static const gw_direction redo_dirs[] = {GW_DOWN, GW_UP};
	gw_down_options down = GW_DOWN_OPTIONS_INIT;
	selection sel = {NULL, 0}, again = {NULL, 0};
	gw_status *st = NULL;
	size_t i;
	int error;

	down.steps = 1;
	down.target = target;
	if ((error = load_status(&st, p, LOCKED)) < 0 ||
	    (error = select_down(&sel, p, st, &down)) < 0 ||
	    (error = check_all(p, &sel, redo_dirs, 2)) < 0)
		goto cleanup;
	if (!sel.count) {
		error = gw_error_set(p->ctx, GW_ESTATE, "nothing to redo: no migration is applied");
		goto cleanup;
	}
	/* Applied again in apply order: what each depends on comes first. */
	for (i = sel.count; i > 0; i--)
		if (add_pick(&again, sel.items[i - 1].m, 0, 0) < 0) {
			error = gw_error_oom(p->ctx);
			goto cleanup;
		}
	if ((error = gw_preflight__gate(p)) < 0)
		goto cleanup;
	if ((error = run_selection(NULL, p, &sel, GW_DOWN, NULL, NULL)) == 0)
		error = run_selection(NULL, p, &again, GW_UP, NULL, NULL);
cleanup:
	gw_progress__stop(p);
	gw_project__unlock(p);
	gw_status_free(st);
	free(sel.items);
	free(again.items);
	if (error == 0)
		error = gw_project__after_change(p, "redo");
	return error;
}

/* ---- plans -------------------------------------------------------------- */

static int plan_add(gw_plan *plan, const gw_prepared *pm, const pick *k, gw_direction dir)
{
	gw_plan_step *steps = realloc(plan->steps, (plan->count + 1) * sizeof(*steps));
	gw_plan_step *s;
	char *sql;

	if (!steps)
		return -1;
	plan->steps = steps;
	s = &steps[plan->count];
	sql = gw_strndup(pm->text.file_text.ptr + pm->text.offset, pm->text.len);
	if (!sql || gw_vec_push(&plan->owned, sql) < 0) {
		free(sql);
		return -1;
	}
	s->version = k->m->version;
	s->name = k->m->name;
	s->file = dir == GW_UP ? k->m->up_file : k->m->down_file;
	s->direction = dir;
	s->transactional = pm->transactional && !k->resume;
	s->resuming = k->resume;
	s->statements = pm->stmts.count;
	s->resume_from = k->resume_from;
	s->sql = sql;
	plan->count++;
	return 0;
}

static int make_plan(gw_plan **out, gw_project *p, gw_direction dir, const gw_up_options *up,
                     const gw_down_options *down)
{
	selection sel = {NULL, 0};
	gw_status *st = NULL;
	gw_plan *plan = NULL;
	size_t i;
	int error;

	*out = NULL;
	if ((error = load_status(&st, p, READ_ONLY)) < 0)
		goto cleanup;
	error = dir == GW_UP ? select_up(&sel, p, st, up) : select_down(&sel, p, st, down);
	/* A plan shows only what the run would accept. */
	if (error < 0 || (error = check_all(p, &sel, &dir, 1)) < 0 ||
	    (error = atomic_check(p, &sel, dir, up)) < 0)
		goto cleanup;
	if (!(plan = calloc(1, sizeof(*plan)))) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	for (i = 0; i < sel.count; i++) {
		gw_prepared pm = GW_PREPARED_INIT;

		if ((error = gw_prepare(&pm, p, sel.items[i].m, dir)) == 0 &&
		    plan_add(plan, &pm, &sel.items[i], dir) < 0)
			error = gw_error_oom(p->ctx);
		gw_prepared_dispose(&pm);
		if (error < 0)
			goto cleanup;
	}
	*out = plan;
	plan = NULL;
cleanup:
	gw_plan_free(plan);
	gw_status_free(st);
	free(sel.items);
	return error;
}

int gw_project_plan_up(gw_plan **out, gw_project *p, const gw_up_options *opts)
{
	return make_plan(out, p, GW_UP, up_options(opts), NULL);
}

int gw_project_plan_down(gw_plan **out, gw_project *p, const gw_down_options *opts)
{
	return make_plan(out, p, GW_DOWN, NULL, down_options(opts));
}

size_t gw_plan_count(const gw_plan *plan)
{
	return plan ? plan->count : 0;
}

const gw_plan_step *gw_plan_get(const gw_plan *plan, size_t i)
{
	return plan && i < plan->count ? &plan->steps[i] : NULL;
}

void gw_plan_free(gw_plan *plan)
{
	if (!plan)
		return;
	free(plan->steps);
	gw_vec_dispose(&plan->owned, free);
	free(plan);
}
