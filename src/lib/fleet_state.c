/*
 * fleet_state.c: the record of a fleet run, which --resume reads back.
 *
 * Each run has an id (its start time and a random suffix). Its record
 * is a JSON file, <state_dir>/<id>.json (state_dir: .godwit/fleet in the
 * project folder), with every target's state and result, replaced as a
 * whole (written beside it and renamed over it: gw_file_replace) after
 * each target starts and ends, so that a reader, and a run resumed after
 * a kill -9, sees one complete record or the one before. A target left
 * "running" by a killed run is simply run again: its own runner lock,
 * history and transactions make that safe.
 *
 * With a control database (control_url), the record is its table
 * godwit_fleet instead, one row per run and target, upserted as each
 * target changes: where the deploy's other tools can read it too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fleet_priv.h"
#include "internal.h"
#include "json.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/str.h"

struct gw_fleet_state {
	char *path;    /* the state file; NULL when nothing is recorded */
	char *started; /* UTC, ISO 8601 */
	/* The control database, on a context of its own. */
	gw_project *control;
	gw_ctx *control_ctx;
};

#define CONTROL_TABLE                                                                              \
	"CREATE TABLE IF NOT EXISTS godwit_fleet (run_id text NOT NULL, target text NOT NULL, "    \
	"action text NOT NULL, url text, state text NOT NULL, version_before text, "               \
	"version_after text, applied integer, duration_ms bigint, error text, sqlstate text, "     \
	"summary text, not_started_why text, updated_at timestamp NOT NULL DEFAULT "               \
	"CURRENT_TIMESTAMP, PRIMARY KEY (run_id, target))"

#define CONTROL_UPSERT                                                                             \
	"INSERT INTO godwit_fleet (run_id, target, action, url, state, version_before, "           \
	"version_after, applied, duration_ms, error, sqlstate, summary, not_started_why) "         \
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (run_id, "    \
	"target) DO UPDATE SET action = excluded.action, url = excluded.url, state = "             \
	"excluded.state, version_before = excluded.version_before, version_after = "               \
	"excluded.version_after, applied = excluded.applied, duration_ms = excluded.duration_ms, " \
	"error = excluded.error, sqlstate = excluded.sqlstate, summary = excluded.summary, "       \
	"not_started_why = excluded.not_started_why, updated_at = CURRENT_TIMESTAMP"

/* The control database's error, on the run's ctx. */
static int control_error(gw_fleet_state *st, int error, gw_ctx *ctx)
{
	const gw_error *e = gw_ctx_error(st->control_ctx);

	error = gw_error_set(ctx, error, "the control database: %s",
	                     e ? e->message : gw_error_code_name(error));
	gw_ctx_clear_error(st->control_ctx);
	return error;
}

static const char *state_key(gw_target_state s)
{
	switch (s) {
	case GW_TARGET_RUNNING:
		return "running";
	case GW_TARGET_DONE:
	case GW_TARGET_DONE_BEFORE:
		return "done";
	case GW_TARGET_FAILED:
		return "failed";
	default:
		return "not-started";
	}
}

/* The time now, UTC: ISO 8601, or compact for a run id. */
static void utc_now(char *buf, size_t size, int compact)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	if (compact)
		strftime(buf, size, "%Y%m%d-%H%M%S", &tm);
	else
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int new_run_id(gw_fleet_report *r, gw_ctx *ctx)
{
	char stamp[32], id[48];
	struct timespec ts;

	utc_now(stamp, sizeof(stamp), 1);
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(id, sizeof(id), "%s-%04x", stamp,
	         (unsigned)(((unsigned long)ts.tv_nsec / 1000) ^
	                    (unsigned long)getpid() * 2654435761u) &
	                 0xffff);
	return (r->run_id = gw_strdup(id)) ? 0 : gw_error_oom(ctx);
}

/* A run id names a file: letters, digits, '-', '_' and '.' only. */
static int check_run_id(const char *id, gw_ctx *ctx)
{
	const char *p;

	for (p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || (*p == '.' && p != id)))
			break;
	if (!*id || *p || strlen(id) > 64)
		return gw_error_set(ctx, GW_EINVALID,
		                    "'%s' is not a fleet run id (such as 20260101-120000-3fa9): it "
		                    "is printed when a run starts and ends",
		                    id);
	return 0;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The results of the run being resumed: the targets it did are done. */
static int read_back(gw_fleet_state *st, gw_fleet_report *r, gw_ctx *ctx)
{
	json_error_t jerr;
	json_t *root = NULL, *targets, *t;
	gw_str text = GW_STR_INIT;
	size_t i, k;
	int error;
	const char *action;

	if (access(st->path, F_OK) < 0 && errno == ENOENT) {
		error = gw_error_set(ctx, GW_ENOTFOUND,
		                     "there is no fleet run '%s' to resume (%s "
		                     "does not exist)",
		                     r->run_id, st->path);
		goto cleanup;
	}
	if ((error = gw_file_read(&text, st->path, (size_t)64 << 20, ctx)) < 0)
		goto cleanup;
	if ((error = gw_json__load(&root, text.ptr, text.size, &jerr)) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if (error > 0 || !json_is_array(targets = json_object_get(root, "targets"))) {
		error = gw_error_set(ctx, GW_ESTATE, "%s is not a fleet run's record (%s)",
		                     st->path, root ? "no targets" : jerr.text);
		goto cleanup;
	}
	action = jstr(root, "action");
	if (!action || strcmp(action, gw_fleet_action_name(r->action))) {
		error = gw_error_set(ctx, GW_ESTATE, "fleet run '%s' was a %s run, not %s",
		                     r->run_id, action ? action : "?",
		                     gw_fleet_action_name(r->action));
		goto cleanup;
	}
	free(st->started);
	st->started = gw_strdup(jstr(root, "started_at"));
	json_array_foreach(targets, k, t)
	{
		const char *name = jstr(t, "name"), *state = jstr(t, "state");

		if (!name || !state || strcmp(state, "done"))
			continue;
		for (i = 0; i < r->count; i++) {
			gw_fleet_slot *s = &r->slots[i];

			if (strcmp(s->pub.target->name, name))
				continue;
			s->picked = 1;
			s->pub.state = GW_TARGET_DONE_BEFORE;
			s->before = gw_strdup(jstr(t, "version_before"));
			s->after = gw_strdup(jstr(t, "version_after"));
			s->summary = gw_strdup(jstr(t, "summary"));
			s->pub.applied = (size_t)json_integer_value(json_object_get(t, "applied"));
			s->pub.duration_ms = json_integer_value(json_object_get(t, "duration_ms"));
			gw_fleet__slot_sync(s);
		}
	}
	error = 0;
cleanup:
	json_decref(root);
	gw_str_dispose(&text);
	return error;
}

typedef struct {
	gw_fleet_report *r;
	const char *action;
	size_t rows;
	int wrong_action;
} control_rows;

/* target, state, action, version_before, version_after, applied,
 * duration_ms, summary */
static int control_row(void *payload, int ncols, const char *const *v)
{
	control_rows *cr = payload;
	size_t i;

	cr->rows++;
	if (ncols < 8 || !v[0] || !v[1] || !v[2])
		return 0;
	if (strcmp(v[2], cr->action))
		cr->wrong_action = 1;
	if (strcmp(v[1], "done"))
		return 0;
	for (i = 0; i < cr->r->count; i++) {
		gw_fleet_slot *s = &cr->r->slots[i];

		if (strcmp(s->pub.target->name, v[0]))
			continue;
		s->picked = 1;
		s->pub.state = GW_TARGET_DONE_BEFORE;
		s->before = gw_strdup(v[3]);
		s->after = gw_strdup(v[4]);
		s->summary = gw_strdup(v[7]);
		s->pub.applied = v[5] ? (size_t)strtoull(v[5], NULL, 10) : 0;
		s->pub.duration_ms = v[6] ? strtoll(v[6], NULL, 10) : -1;
		gw_fleet__slot_sync(s);
	}
	return 0;
}

static int control_open(gw_fleet_state *st, gw_fleet_report *r, const char *url, int resume,
                        gw_ctx *ctx)
{
	gw_project_options po = GW_PROJECT_OPTIONS_INIT;
	control_rows cr = {r, gw_fleet_action_name(r->action), 0, 0};
	const char *params[1] = {r->run_id};
	gw_conn *conn;
	int error;

	if (gw_ctx_new(&st->control_ctx) < 0)
		return gw_error_oom(ctx);
	po.url = url;
	po.application_name = "godwit";
	if ((error = gw_project_open(&st->control, &po, st->control_ctx)) < 0 ||
	    (error = gw_project__connect(&conn, st->control)) < 0 ||
	    (error = gw_project__exec(st->control, CONTROL_TABLE, NULL, 0, NULL, NULL)) < 0)
		return control_error(st, error, ctx);
	if (!resume)
		return 0;
	if ((error = gw_project__exec(st->control,
	                              "SELECT target, state, action, version_before, "
	                              "version_after, applied, duration_ms, summary FROM "
	                              "godwit_fleet WHERE run_id = $1",
	                              params, 1, control_row, &cr)) < 0)
		return control_error(st, error, ctx);
	if (!cr.rows)
		return gw_error_set(ctx, GW_ENOTFOUND,
		                    "there is no fleet run '%s' to resume in the control database "
		                    "(%s)",
		                    r->run_id, gw_project_display_url(st->control));
	if (cr.wrong_action)
		return gw_error_set(ctx, GW_ESTATE, "fleet run '%s' was not a %s run", r->run_id,
		                    cr.action);
	return 0;
}

static int control_save(gw_fleet_state *st, gw_fleet_report *r, gw_ctx *ctx)
{
	char applied[32], ms[32];
	const char *v[13];
	size_t i;
	int error;

	for (i = 0; i < r->count; i++) {
		gw_fleet_slot *s = &r->slots[i];
		const gw_fleet_result *x = &s->pub;

		if (!s->unsaved)
			continue;
		snprintf(applied, sizeof(applied), "%zu", x->applied);
		snprintf(ms, sizeof(ms), "%lld", x->duration_ms);
		v[0] = r->run_id;
		v[1] = x->target->name;
		v[2] = gw_fleet_action_name(r->action);
		v[3] = x->target->display_url;
		v[4] = state_key(x->state);
		v[5] = x->version_before;
		v[6] = x->version_after;
		v[7] = applied;
		v[8] = x->duration_ms < 0 ? NULL : ms;
		v[9] = x->error;
		v[10] = x->sqlstate;
		v[11] = x->summary;
		v[12] = x->not_started_why;
		if ((error = gw_project__exec(st->control, CONTROL_UPSERT, v, 13, NULL, NULL)) < 0)
			return control_error(st, error, ctx);
		/* Only what reached the table is saved. */
		s->unsaved = 0;
	}
	return 0;
}

int gw_fleet__state_open(gw_fleet_state **out, gw_fleet_report *r, const gw_fleet_options *o,
                         const char *control_url, gw_ctx *ctx)
{
	gw_fleet_state *st = calloc(1, sizeof(*st));
	gw_str dir = GW_STR_INIT, path = GW_STR_INIT;
	char now[32];
	int error;

	*out = NULL;
	if (!st)
		return gw_error_oom(ctx);
	if (o->resume) {
		if ((error = check_run_id(o->resume, ctx)) < 0)
			goto cleanup;
		if (!(r->run_id = gw_strdup(o->resume))) {
			error = gw_error_oom(ctx);
			goto cleanup;
		}
	} else if ((error = new_run_id(r, ctx)) < 0) {
		goto cleanup;
	}
	utc_now(now, sizeof(now), 0);
	st->started = gw_strdup(now);
	if (!o->record && !o->resume) {
		error = 0;
		goto cleanup;
	}
	if (control_url) {
		if ((error = control_open(st, r, control_url, o->resume != NULL, ctx)) == 0 &&
		    !(r->state = gw_strdup(gw_project_display_url(st->control))))
			error = gw_error_oom(ctx);
		goto cleanup;
	}
	if (o->state_dir)
		gw_str_puts(&dir, o->state_dir);
	else
		gw_path_join(&dir, o->project->project_dir ? o->project->project_dir : ".",
		             ".godwit/fleet");
	gw_str_printf(&path, "%s/%s.json", dir.ptr, r->run_id);
	if (gw_str_failed(&dir) || gw_str_failed(&path)) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	st->path = gw_str_detach(&path);
	if (o->resume && (error = read_back(st, r, ctx)) < 0)
		goto cleanup;
	if ((error = gw_make_dirs(dir.ptr, 0777, ctx)) < 0)
		goto cleanup;
	r->state = gw_strdup(st->path);
	error = 0;
cleanup:
	gw_str_dispose(&dir);
	gw_str_dispose(&path);
	if (error < 0)
		gw_fleet__state_close(st);
	else
		*out = st;
	return error;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

int gw_fleet__state_save(gw_fleet_state *st, gw_fleet_report *r, gw_ctx *ctx)
{
	json_t *root, *targets;
	gw_str text = GW_STR_INIT;
	char now[32];
	size_t i;
	int error, failed = 0;

	if (st && st->control)
		return control_save(st, r, ctx);
	if (!st || !st->path)
		return 0;
	utc_now(now, sizeof(now), 0);
	root = json_pack("{s:s, s:s, s:s?, s:s}", "run", r->run_id, "action",
	                 gw_fleet_action_name(r->action), "started_at", st->started, "updated_at",
	                 now);
	targets = json_array();
	/* Every set is checked: a record missing a target's state would be
	 * read back by a resumed run as something it is not. */
	for (i = 0; root && targets && !failed && i < r->count; i++) {
		const gw_fleet_result *x = &r->slots[i].pub;
		json_t *t = json_object();

		failed = !t;
		failed |= json_object_set_new(t, "name", json_string(x->target->name));
		failed |= json_object_set_new(t, "url", json_string(x->target->display_url));
		failed |= json_object_set_new(t, "state", json_string(state_key(x->state)));
		failed |= json_object_set_new(t, "version_before", str_or_null(x->version_before));
		failed |= json_object_set_new(t, "version_after", str_or_null(x->version_after));
		failed |= json_object_set_new(t, "applied", json_integer((json_int_t)x->applied));
		failed |= json_object_set_new(t, "duration_ms", json_integer(x->duration_ms));
		failed |= json_object_set_new(t, "error", str_or_null(x->error));
		failed |= json_object_set_new(t, "sqlstate", str_or_null(x->sqlstate));
		failed |= json_object_set_new(t, "summary", str_or_null(x->summary));
		failed |=
		        json_object_set_new(t, "not_started_why", str_or_null(x->not_started_why));
		failed |= json_array_append_new(targets, t);
	}
	/* A record that is not JSON could not be resumed (json.c). */
	if (root && targets && !failed) {
		/* json_object_set_new takes targets, failing or not (it was
		 * freed twice when the set failed). */
		failed = json_object_set_new(root, "targets", targets) < 0 ||
		         gw_json__dump(&text, root, JSON_INDENT(1) | JSON_PRESERVE_ORDER) < 0;
		targets = NULL;
	} else {
		failed = 1;
	}
	json_decref(targets);
	json_decref(root);
	if (failed || gw_str_failed(&text))
		error = gw_error_oom(ctx);
	else
		error = gw_file_replace(st->path, text.ptr, text.size, ctx);
	gw_str_dispose(&text);
	return error;
}

void gw_fleet__state_close(gw_fleet_state *st)
{
	if (!st)
		return;
	gw_project_free(st->control);
	gw_ctx_free(st->control_ctx);
	free(st->path);
	free(st->started);
	free(st);
}
