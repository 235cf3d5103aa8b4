/*
 * history_events.c: reading godwit_events: the events `godwit history`
 * shows and an embedder lists (gw_project_history and its kin), and the
 * events a restore saves before it and puts back after it, so the audit
 * survives the database being put back to an earlier state.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "../util/vec.h"
#include "history_sql.h"

/* ---- events kept across a restore --------------------------------------- */

/* Every column of godwit_events but id, in the order saved rows hold them
 * after the id. */
#define EVENT_COLUMNS                                                                              \
	"at, action, version, name, file, checksum, duration_ms, applied_by, environment, "        \
	"error, sqlstate, error_file, error_line, error_column, godwit_version"
#define EVENT_NCOLS 16 /* with the id */

static int saved_event_row(void *payload, int ncols, const char *const *v)
{
	gw_vec *out = payload;
	char **row = calloc(EVENT_NCOLS, sizeof(*row));
	int i, failed = !row || ncols != EVENT_NCOLS;

	for (i = 0; !failed && i < EVENT_NCOLS; i++)
		failed = v[i] && !(row[i] = gw_strdup(v[i]));
	if (!failed && gw_vec_push(out, row) == 0)
		return 0;
	for (i = 0; row && i < EVENT_NCOLS; i++)
		free(row[i]);
	free(row);
	return 1;
}

int gw_hist_save_events(gw_vec *out, gw_project *p)
{
	gw_str sql = GW_STR_INIT;
	int exists = 0, error;

	if ((error = gw_hist_exists(&exists, p)) < 0 || !exists)
		return error;
	/* As text, which the same session reads back exactly. */
	gw_str_printf(&sql,
	              "SELECT CAST(id AS text), CAST(at AS text), action, version, name, file, "
	              "checksum, CAST(duration_ms AS text), applied_by, environment, error, "
	              "sqlstate, error_file, CAST(error_line AS text), CAST(error_column AS "
	              "text), godwit_version FROM %s ORDER BY id",
	              p->events_q);
	error = gw_str_failed(&sql) ? gw_error_oom(p->ctx)
	                            : gw_project__exec(p, sql.ptr, NULL, 0, saved_event_row, out);
	if (error < 0)
		gw_error_prefix(p->ctx, "cannot read the events to keep across the restore: ");
	gw_str_dispose(&sql);
	return error;
}

int gw_hist_put_back_events(gw_batch *b, gw_project *p, const gw_vec *saved)
{
	const char *t = gw_hist__sql(p)->time_type;
	size_t i;

	/* An event the restored database has (same id, time and action) is
	 * left alone; the others, recorded after the backup was taken, are
	 * appended in their order with their own times. */
	for (i = 0; i < saved->len; i++)
		if (gw_batch_addf(
		            b, (const char *const *)saved->items[i], EVENT_NCOLS,
		            "INSERT INTO %s (" EVENT_COLUMNS
		            ") SELECT CAST($2 AS %s), CAST($3 AS text), CAST($4 AS text), "
		            "CAST($5 AS text), CAST($6 AS text), CAST($7 AS text), CAST($8 AS "
		            "bigint), CAST($9 AS text), CAST($10 AS text), CAST($11 AS text), "
		            "CAST($12 AS text), CAST($13 AS text), CAST($14 AS integer), "
		            "CAST($15 AS integer), CAST($16 AS text) WHERE NOT EXISTS (SELECT 1 "
		            "FROM %s WHERE id = CAST($1 AS bigint) AND action = CAST($3 AS "
		            "text) AND at = CAST($2 AS %s))",
		            p->events_q, t, p->events_q, t) < 0)
			return gw_error_oom(p->ctx);
	return 0;
}

void gw_hist_saved_events_dispose(gw_vec *saved)
{
	size_t i;
	int c;

	for (i = 0; i < saved->len; i++) {
		char **row = saved->items[i];

		for (c = 0; row && c < EVENT_NCOLS; c++)
			free(row[c]);
	}
	gw_vec_dispose(saved, free);
}

/* ---- the events, for `godwit history` ---------------------------------- */

struct gw_history {
	gw_event *events;
	size_t count, cap;
	gw_vec owned;
	int failed;
};

static const char *keep(gw_history *h, const char *value)
{
	char *copy;

	if (!value)
		return NULL;
	if (!(copy = gw_strdup(value)) || gw_vec_push(&h->owned, copy) < 0) {
		free(copy);
		h->failed = 1;
		return NULL;
	}
	return copy;
}

static int event_row(void *payload, int ncols, const char *const *v)
{
	gw_history *h = payload;
	gw_event *e;

	if (ncols < 15)
		return 1;
	if (!(e = gw_grow(h->events, &h->cap, h->count, sizeof(*e)))) {
		h->failed = 1;
		return 1;
	}
	h->events = e;
	e = &h->events[h->count++];
	e->id = gw_hist__to_ll(v[0], 0);
	e->at = keep(h, v[1]);
	e->action = keep(h, v[2]);
	e->version = keep(h, v[3]);
	e->name = keep(h, v[4]);
	e->duration_ms = gw_hist__to_ll(v[5], -1);
	e->applied_by = keep(h, v[6]);
	e->environment = keep(h, v[7]);
	e->error = keep(h, v[8]);
	e->sqlstate = keep(h, v[9]);
	e->file = keep(h, v[10]);
	e->line = (int)gw_hist__to_ll(v[11], 0);
	e->column = (int)gw_hist__to_ll(v[12], 0);
	e->godwit_version = keep(h, v[13]);
	e->checksum = keep(h, v[14]);
	return h->failed;
}

static void reverse_events(gw_history *h)
{
	size_t i;

	for (i = 0; i < h->count / 2; i++) {
		gw_event t = h->events[i];

		h->events[i] = h->events[h->count - 1 - i];
		h->events[h->count - 1 - i] = t;
	}
}

/* The events matching `where` (a condition on $1, or ""), newest first
 * when desc, at most limit (0: all). */
static int select_events(gw_history **out, gw_project *p, const char *where, const char *param,
                         int desc, size_t limit)
{
	gw_history *h = calloc(1, sizeof(*h));
	gw_str sql = GW_STR_INIT;
	int exists = 0, error;

	*out = NULL;
	if (!h)
		return gw_error_oom(p->ctx);
	if ((error = gw_hist_exists(&exists, p)) < 0 || !exists)
		goto done;
	gw_str_puts(&sql, "SELECT id, ");
	gw_hist__put_around(&sql, gw_hist__sql(p)->show_time, "at");
	gw_str_printf(&sql,
	              ", action, version, name, duration_ms, applied_by, environment, error, "
	              "sqlstate, error_file, error_line, error_column, godwit_version, checksum "
	              "FROM %s%s ORDER BY id %s",
	              p->events_q, where, desc ? "DESC" : "ASC");
	if (limit)
		gw_str_printf(&sql, " LIMIT %zu", limit);
	if (gw_str_failed(&sql)) {
		error = gw_error_oom(p->ctx);
		goto done;
	}
	error = gw_project__exec(p, sql.ptr, &param, param ? 1 : 0, event_row, h);
	if (h->failed)
		error = gw_error_oom(p->ctx);
	if (desc)
		reverse_events(h);
done:
	gw_str_dispose(&sql);
	if (error < 0) {
		gw_history_free(h);
		return error;
	}
	*out = h;
	return 0;
}

int gw_project_history(gw_history **out, gw_project *p, const char *version, size_t limit)
{
	return select_events(out, p, version ? " WHERE version = $1" : "", version, 1, limit);
}

int gw_hist_events_after(gw_history **out, gw_project *p, long long id)
{
	char text[32];

	snprintf(text, sizeof(text), "%lld", id);
	return select_events(out, p, " WHERE id > CAST($1 AS bigint)", text, 0, 0);
}

int gw_project_history_latest(gw_history **out, gw_project *p)
{
	gw_str where = GW_STR_INIT;
	int exists = 0, error;

	*out = NULL;
	if ((error = gw_hist_exists(&exists, p)) < 0)
		return error;
	if (!exists)
		return select_events(out, p, "", NULL, 0, 0); /* empty */
	gw_str_printf(&where, " WHERE id IN (SELECT max(id) FROM %s GROUP BY action)", p->events_q);
	error = gw_str_failed(&where) ? gw_error_oom(p->ctx)
	                              : select_events(out, p, where.ptr, NULL, 0, 0);
	gw_str_dispose(&where);
	return error;
}

static int count_row(void *payload, int ncols, const char *const *v)
{
	*(long long *)payload = ncols > 0 ? gw_hist__to_ll(v[0], 0) : 0;
	return 0;
}

int gw_project_event_count(long long *out, gw_project *p, const char *action)
{
	gw_str sql = GW_STR_INIT;
	int exists = 0, error;

	*out = 0;
	if ((error = gw_hist_exists(&exists, p)) < 0 || !exists)
		return error;
	gw_str_printf(&sql, "SELECT count(*) FROM %s WHERE action = $1", p->events_q);
	error = gw_str_failed(&sql) ? gw_error_oom(p->ctx)
	                            : gw_project__exec(p, sql.ptr, &action, 1, count_row, out);
	gw_str_dispose(&sql);
	return error;
}

size_t gw_history_count(const gw_history *h)
{
	return h ? h->count : 0;
}

const gw_event *gw_history_get(const gw_history *h, size_t i)
{
	return h && i < h->count ? &h->events[i] : NULL;
}

void gw_history_free(gw_history *h)
{
	if (!h)
		return;
	free(h->events);
	gw_vec_dispose(&h->owned, free);
	free(h);
}
