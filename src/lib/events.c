/*
 * events.c: the event stream, and the JSON of an event.
 *
 * godwit_events is the one record of what happened. The sinks (the audit
 * log, notifications) are fed from it: once a batch that wrote events has
 * committed, the events past the last one handed on are read back and
 * given to each open sink, so a line in the audit log is the table's row,
 * with its server time and duration, never a second account of it. The
 * mark (the newest id when the stream started) is read under the runner
 * lock, so the events read back are this run's. The start and end of a run
 * are the two events the table does not hold: they frame a command even
 * when the database cannot be reached.
 *
 * An event's JSON is built here only, for `history --format json` and the
 * audit line alike (docs/events.md, docs/event.schema.json).
 */
#include "internal.h"
#include "json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "godwit/events.h"
#include "../util/error.h"
#include "../util/proc.h"
#include "../util/text.h"

static const gw_event_sink *const sinks[] = {
        &gw_audit_sink,
        &gw_notify_sink,
};
#define NSINKS (sizeof(sinks) / sizeof(sinks[0]))

struct gw_events {
	void *state[NSINKS]; /* NULL: that sink is not open */
	int active;          /* some sink is open */
	int marked;
	long long mark; /* the newest event id handed on */
	char *command;  /* the run's, NULL outside one */
	struct timespec started;
	char *database_user; /* PostgreSQL's current_user, read with the mark */
	char *os_user;
	char *commit;
	int commit_read;
	int backfilled; /* the sinks back-filled in this run */
};

/* ---- JSON ------------------------------------------------------------------ */

/* A JSON string of s, NULL as null; bytes that are not UTF-8 become
 * U+FFFD (a server message in another encoding must not lose the line). */
static json_t *str_or_null(const char *s)
{
	gw_str fixed = GW_STR_INIT;
	size_t len, bad;
	json_t *v;

	if (!s)
		return json_null();
	len = strlen(s);
	while (gw_utf8_check(s, len, &bad) < 0) {
		gw_str_put(&fixed, s, bad);
		gw_str_puts(&fixed, "\xEF\xBF\xBD");
		s += bad + 1;
		len -= bad + 1;
	}
	if (!fixed.size)
		return json_string(s);
	gw_str_put(&fixed, s, len);
	v = gw_str_failed(&fixed) ? NULL : json_string(fixed.ptr);
	gw_str_dispose(&fixed);
	return v;
}

static json_t *nonempty(const char *s)
{
	return str_or_null(s && *s ? s : NULL);
}

static json_t *int_or_null(long long n, long long none)
{
	return n == none ? json_null() : json_integer((json_int_t)n);
}

static int set(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v);
}

static char *event_line(const gw_event *e, const gw_event_context *c)
{
	json_t *o = json_object(), *who;
	int failed = !o;
	char *text = NULL;

	if (failed)
		return NULL;
	failed |= set(o, "id", e->id > 0 ? json_integer((json_int_t)e->id) : json_null());
	failed |= set(o, "at", str_or_null(e->at));
	failed |= set(o, "action", str_or_null(e->action));
	if (c && !c->backfilled)
		failed |= set(o, "command", str_or_null(c->command));
	failed |= set(o, "version", str_or_null(e->version));
	failed |= set(o, "name", str_or_null(e->name));
	failed |= set(o, "checksum", nonempty(e->checksum));
	failed |= set(o, "duration_ms", int_or_null(e->duration_ms, -1));
	failed |= set(o, "environment", str_or_null(e->environment));
	failed |= set(o, "applied_by", str_or_null(e->applied_by));
	if (c && c->backfilled) {
		failed |= set(o, "target", str_or_null(c->target));
	} else if (c) {
		failed |= set(o, "target", str_or_null(c->target));
		who = json_object();
		failed |= !who;
		if (who) {
			failed |= set(who, "database_user", str_or_null(c->database_user));
			failed |= set(who, "os_user", str_or_null(c->os_user));
			failed |= set(who, "actor", str_or_null(c->actor));
		}
		failed |= set(o, "who", who);
		failed |= set(o, "commit", str_or_null(c->commit));
	}
	failed |= set(o, "godwit_version", str_or_null(e->godwit_version));
	failed |= set(o, "error", str_or_null(e->error));
	failed |= set(o, "sqlstate", nonempty(e->sqlstate));
	failed |= set(o, "file", nonempty(e->file));
	failed |= set(o, "line", e->line > 0 ? json_integer(e->line) : json_null());
	failed |= set(o, "column", e->column > 0 ? json_integer(e->column) : json_null());
	if (c && c->exit_code >= 0)
		failed |= set(o, "exit_code", json_integer(c->exit_code));
	if (c && c->backfilled)
		failed |= set(o, "backfilled", json_true());
	/* Never a line with a key missing (json.c). */
	if (!failed)
		text = gw_json__dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

char *gw_event_json(const gw_event *e)
{
	return e ? event_line(e, NULL) : NULL;
}

char *gw_events__backfill_line(gw_project *p, const gw_event *e)
{
	gw_event_context c = {NULL, p->display_url, NULL, NULL, NULL, NULL, -1, 1};

	return event_line(e, &c);
}

char *gw_events__target_key(gw_project *p)
{
	json_t *v = str_or_null(p->display_url);
	char *text = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	gw_str key = GW_STR_INIT;

	json_decref(v);
	if (text)
		gw_str_printf(&key, "\"target\":%s,", text);
	free(text);
	return text && !gw_str_failed(&key) ? gw_str_detach(&key) : (gw_str_dispose(&key), NULL);
}

/* ---- who and which commit -------------------------------------------------- */

static const char *getenv_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static const char *actor(void)
{
	const char *v = getenv_set("GITHUB_ACTOR");

	return v ? v : getenv_set("VERCEL_GIT_COMMIT_AUTHOR_LOGIN");
}

/* The commit being deployed: what CI says, else the project's checkout. */
static const char *commit(gw_project *p, struct gw_events *ev)
{
	const char *dir = p->project_dir;
	const char *argv[] = {"git", "-C", dir, "rev-parse", "--verify", "-q", "HEAD", NULL};
	const char *v;
	gw_str out = GW_STR_INIT;
	gw_ctx *quiet = NULL;
	int status = -1;

	if ((v = getenv_set("GITHUB_SHA")) || (v = getenv_set("VERCEL_GIT_COMMIT_SHA")))
		return v;
	if (ev->commit_read)
		return ev->commit;
	ev->commit_read = 1;
	/* Its own context: no git, or no repository, is no error of the
	 * run's. stderr goes to /dev/null-like capture with stdout. */
	if (gw_ctx_new(&quiet) == 0 && gw_proc_run(&status, &out, argv, NULL, -1, quiet) == 0 &&
	    status == 0 && out.size) {
		while (out.size && (out.ptr[out.size - 1] == '\n' || out.ptr[out.size - 1] == '\r'))
			gw_str_truncate(&out, out.size - 1);
		if (out.size >= 40 && strspn(out.ptr, "0123456789abcdef") == out.size)
			ev->commit = gw_str_detach(&out);
	}
	gw_str_dispose(&out);
	gw_ctx_free(quiet);
	return ev->commit;
}

/* ---- the stream ------------------------------------------------------------ */

static struct gw_events *stream(gw_project *p)
{
	struct gw_events *ev = p->events;
	size_t i;

	if (ev)
		return ev;
	if (!(ev = calloc(1, sizeof(*ev))))
		return NULL;
	p->events = ev;
	for (i = 0; i < NSINKS; i++)
		if (sinks[i]->open(&ev->state[i], p) > 0)
			ev->active = 1;
	ev->os_user = ev->active ? gw_os_user() : NULL;
	return ev;
}

static void now_text(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

static int emit(gw_project *p, struct gw_events *ev, const gw_event *e, int exit_code)
{
	gw_event_context c = {ev->command, p->display_url, ev->database_user, ev->os_user,
	                      actor(),     commit(p, ev),  exit_code,         0};
	char *line = event_line(e, &c);
	int error = 0, rc;
	size_t i;

	if (!line)
		return 0; /* out of memory: the table still holds the event */
	for (i = 0; i < NSINKS; i++)
		if (ev->state[i] && (rc = sinks[i]->event(ev->state[i], p, e, &c, line)) < 0 &&
		    !error)
			error = rc;
	free(line);
	return error;
}

static int first_row(void *payload, int ncols, const char *const *v)
{
	struct gw_events *ev = payload;

	ev->mark = ncols > 0 && v[0] ? strtoll(v[0], NULL, 10) : 0;
	if (ncols > 1 && v[1] && !ev->database_user)
		ev->database_user = gw_strdup(v[1]);
	return 0;
}

/* The sinks add what they missed of this target's events: a runner
 * killed between a commit and its audit line leaves the event in the
 * table only. Once per run: at the mark, else (another runner was
 * writing the log then) at the end. The stream goes on after what was
 * back-filled, so no event goes out twice. */
static int backfill(gw_project *p, struct gw_events *ev)
{
	long long last = 0;
	int error = 0, rc, looked = 1;
	size_t i;

	if (ev->backfilled || !ev->marked || !p->conn)
		return 0;
	for (i = 0; i < NSINKS; i++) {
		if (!ev->state[i] || !sinks[i]->backfill)
			continue;
		if ((rc = sinks[i]->backfill(ev->state[i], p, &last)) < 0 && !error)
			error = rc;
		if (rc == 0)
			looked = 0;
	}
	ev->backfilled = looked;
	if (last > ev->mark)
		ev->mark = last;
	return error;
}

int gw_events__mark(gw_project *p, int created)
{
	struct gw_events *ev = stream(p);
	gw_str sql = GW_STR_INIT;
	int error = 0, had_error;

	/* Tables made just now (at first, or again after reset --drop
	 * dropped them) start again from their first id: read it anew. */
	if (!ev || !ev->active || !p->conn || (ev->marked && !created))
		return 0;
	had_error = gw_error_is_set(p->ctx);
	gw_str_printf(&sql, "SELECT coalesce(max(id), 0)%s FROM %s",
	              p->driver->dialect == GW_DIALECT_POSTGRES ? ", current_user" : "",
	              p->events_q);
	if (!gw_str_failed(&sql) && gw_project__exec(p, sql.ptr, NULL, 0, first_row, ev) == 0) {
		ev->marked = 1;
		if (!created)
			error = backfill(p, ev);
	} else if (!had_error) {
		/* The events are safe in the table; only their copies miss
		 * this run's. As in gw_events__flush, that must not fail a
		 * good run, nor leave an error set on a call that succeeds. */
		gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
		          "cannot find where this run's events start, for the audit log and "
		          "notifications: %s",
		          gw_error_is_set(p->ctx) ? gw_ctx_error(p->ctx)->message
		                                  : "out of memory");
		gw_ctx_clear_error(p->ctx);
	}
	gw_str_dispose(&sql);
	return error;
}

int gw_events__flush(gw_project *p)
{
	struct gw_events *ev = p->events;
	gw_history *h = NULL;
	int had_error, error = 0, rc;
	size_t i;

	if (!ev || !ev->active || !ev->marked || !p->conn)
		return 0;
	had_error = gw_error_is_set(p->ctx);
	if (gw_hist_events_after(&h, p, ev->mark) < 0) {
		/* The events are safe in the table; only their copies are
		 * late. That must not turn a good run into a failed one. */
		if (!had_error) {
			gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
			          "cannot read the events back for the audit log and "
			          "notifications: %s",
			          gw_ctx_error(p->ctx)->message);
			gw_ctx_clear_error(p->ctx);
		}
		return 0;
	}
	for (i = 0; i < gw_history_count(h); i++) {
		const gw_event *e = gw_history_get(h, i);

		ev->mark = e->id;
		if ((rc = emit(p, ev, e, -1)) < 0 && !error)
			error = rc;
	}
	gw_history_free(h);
	return error;
}

int gw_project_run_begin(gw_project *p, const char *command)
{
	struct gw_events *ev = stream(p);
	gw_event e;
	char at[40];

	if (!ev)
		return gw_error_oom(p->ctx);
	if (!ev->active)
		return 0;
	free(ev->command);
	if (!(ev->command = gw_strdup(command ? command : "run")))
		return gw_error_oom(p->ctx);
	clock_gettime(CLOCK_MONOTONIC, &ev->started);
	memset(&e, 0, sizeof(e));
	now_text(at, sizeof(at));
	e.at = at;
	e.action = "start";
	e.duration_ms = -1;
	e.environment = p->environment;
	e.godwit_version = GODWIT_VERSION;
	return emit(p, ev, &e, -1);
}

int gw_project_run_end(gw_project *p, int status)
{
	struct gw_events *ev = p->events;
	const gw_error *err = gw_ctx_error(p->ctx);
	struct timespec ts;
	gw_event e;
	char at[40];
	int error, rc;

	if (!ev || !ev->active || !ev->command)
		return 0;
	error = gw_events__flush(p);
	if ((rc = backfill(p, ev)) < 0 && !error)
		error = rc;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	memset(&e, 0, sizeof(e));
	now_text(at, sizeof(at));
	e.at = at;
	e.action = "end";
	e.duration_ms = (long long)(ts.tv_sec - ev->started.tv_sec) * 1000 +
	                (ts.tv_nsec - ev->started.tv_nsec) / 1000000;
	e.environment = p->environment;
	e.godwit_version = GODWIT_VERSION;
	if (status != 0 && err) {
		e.error = err->message;
		e.sqlstate = err->sqlstate;
		e.file = err->file;
		e.line = err->line;
		e.column = err->column;
	}
	if ((status = emit(p, ev, &e, status < 0 ? 1 : status)) < 0 && !error)
		error = status;
	free(ev->command);
	ev->command = NULL;
	return error;
}

void gw_events__free(gw_project *p)
{
	struct gw_events *ev = p->events;
	size_t i;

	if (!ev)
		return;
	gw_events__flush(p); /* for a program that ran no gw_project_run_end */
	for (i = 0; i < NSINKS; i++)
		if (ev->state[i])
			sinks[i]->close(ev->state[i]);
	free(ev->command);
	free(ev->database_user);
	free(ev->os_user);
	free(ev->commit);
	free(ev);
	p->events = NULL;
}
