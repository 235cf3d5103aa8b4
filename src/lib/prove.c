/*
 * prove.c: gw_project_test (`godwit test`): proves that every migration's
 * down undoes its up, on an ephemeral database that is always dropped
 * afterwards.
 *
 * For each migration in order: snapshot, up, snapshot, down, snapshot
 * (must equal the first), up again, snapshot (must equal the second; it
 * is the next migration's first when nothing runs in between). A
 * failure names the objects the down left behind ("extra") or removed
 * ("missing"). Migrations that are not under test (only_new, since) are
 * applied normally on the way. After a failed migration the database is
 * in no known state: it is replaced by a fresh one with the ups up to
 * that migration replayed, and the run goes on, so one run reports every
 * broken migration (fail_fast stops at the first). gw_project_cancel stops
 * the run after the current step and still drops the database; a run
 * killed outright leaves a database whose name holds its pid, and the next
 * run drops it (gw_project__ephemeral).
 *
 * The ephemeral projects work on a context of their own, without a notice
 * callback: their ups and downs are the test's steps, not progress the
 * caller should print. What the caller should see (stale databases
 * dropped, a database kept or not dropped) goes to the project's context
 * as notices.
 */
#include "internal.h"

#include "godwit/prove.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "../util/fs.h"

/* ---- shared with drift.c ------------------------------------------------------ */

const char *gw_project__server_url(const gw_project *p, const char *server_url)
{
	return server_url ? server_url : p->url_given ? p->opts.url : "sqlite:";
}

int gw_project__ephemeral(gw_ephemeral **out, gw_project *p, const char *url)
{
	size_t dropped = 0;

	if (gw_ephemeral_cleanup(&dropped, url, p->ctx) < 0) {
		const gw_error *e = gw_ctx_error(p->ctx);
		gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
		          "could not look for stale ephemeral databases: %s",
		          e ? e->message : "error");
		gw_ctx_clear_error(p->ctx);
	} else if (dropped) {
		gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
		          "dropped %zu ephemeral database%s left by killed runs", dropped,
		          dropped == 1 ? "" : "s");
	}
	return gw_ephemeral_create(out, url, p->ctx);
}

void gw_project__ephemeral_done(gw_project *p, gw_ephemeral *eph, int keep)
{
	int failed = gw_error_is_set(p->ctx);
	char *name;

	if (!eph)
		return;
	name = strdup(gw_ephemeral_name(eph));
	if (keep)
		gw_notify(p->ctx, GW_NOTICE_INFO, NULL, NULL, NULL, -1,
		          "kept the ephemeral database %s", name ? name : "");
	/* A kept database is marked kept: unmarked, the next run's cleanup
	 * would drop it, as its run no longer runs. */
	if ((keep ? gw_ephemeral_keep(eph) : gw_ephemeral_drop(eph)) < 0) {
		gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
		          keep ? "could not mark %s kept: another run of godwit test may drop it"
		               : "could not drop the ephemeral database %s",
		          name ? name : "");
		/* Neither error is the caller's: the run's own error, when
		 * there is one, stays. */
		if (!failed)
			gw_ctx_clear_error(p->ctx);
	}
	free(name);
}

/* ---- the report ------------------------------------------------------------------ */

typedef struct item {
	gw_test_entry pub; /* points into the fields below */
	char *version, *name, *file, *reason;
	gw_schema_diff *diff;
} item;

struct gw_test_report {
	item *items;
	size_t n;
	char *database;
};

const char *gw_test_result_name(gw_test_result r)
{
	static const char *const names[] = {"pass", "fail", "untestable", "not run"};

	return (unsigned)r < sizeof(names) / sizeof(*names) ? names[r] : "unknown";
}

size_t gw_test_report_count(const gw_test_report *r)
{
	return r ? r->n : 0;
}

const gw_test_entry *gw_test_report_get(const gw_test_report *r, size_t i)
{
	return r && i < r->n ? &r->items[i].pub : NULL;
}

size_t gw_test_report_count_result(const gw_test_report *r, gw_test_result result)
{
	size_t i, n = 0;

	for (i = 0; r && i < r->n; i++)
		n += r->items[i].pub.result == result;
	return n;
}

const char *gw_test_report_database(const gw_test_report *r)
{
	return r && r->database ? r->database : "";
}

void gw_test_report_free(gw_test_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->items[i].version);
		free(r->items[i].name);
		free(r->items[i].file);
		free(r->items[i].reason);
		gw_schema_diff_free(r->items[i].diff);
	}
	free(r->items);
	free(r->database);
	free(r);
}

/* ---- one migration ------------------------------------------------------------- */

typedef struct tester {
	gw_project *p;     /* the project under test: notices, the run's error */
	gw_ctx *ctx;       /* the ephemeral project's: no notices */
	gw_project *ep;    /* the project on the ephemeral database */
	gw_ephemeral *eph; /* the database ep works on */
	const char *server;
	const gw_test_options *o;
	gw_test_report *r;
	int stop; /* the rest is not run; stop_why says why */
	char *stop_why;
	int stop_fail_fast; /* it was fail_fast that stopped it */
	int up_failed;      /* the migration's first up failed */
	/* The schema as the last cycle's final snapshot read it, while nothing
	 * has run since: the next cycle's first snapshot, so a cycle takes
	 * three snapshots rather than four. NULL when not known. */
	gw_schema *last;
} tester;

static int interrupted(const tester *t)
{
	return gw_project_cancelled(t->p);
}

static char *error_text(tester *t, const char *what)
{
	const gw_error *e = gw_ctx_error(t->ctx);
	const char *msg = e && e->message ? e->message : "failed";
	size_t len = strlen(what) + strlen(msg) + 3;
	char *s = malloc(len);

	if (s)
		snprintf(s, len, "%s: %s", what, msg);
	gw_ctx_clear_error(t->ctx);
	return s;
}

/* A failed step fails the migration and leaves the database in no known
 * state (run_all replaces it). */
static int step_failed(tester *t, item *o, const char *what)
{
	o->pub.result = GW_TEST_FAIL;
	o->reason = error_text(t, what);
	return -1;
}

/* Ends the run: the migrations after this one are not run, for why. */
static void stop(tester *t, const char *form, ...) GW_FORMAT_PRINTF(2, 3);

static void stop(tester *t, const char *form, ...)
{
	char buf[1024];
	va_list ap;

	t->stop = 1;
	va_start(ap, form);
	vsnprintf(buf, sizeof(buf), form, ap);
	va_end(ap);
	if (!t->stop_why)
		t->stop_why = strdup(buf);
}

static int up_to(tester *t, const char *version)
{
	gw_up_options up = GW_UP_OPTIONS_INIT;

	up.to = version;
	return gw_project_up(NULL, t->ep, &up);
}

static int snap(tester *t, item *o, gw_schema **out)
{
	if (gw_schema_snapshot(out, t->ep, &t->o->schema) < 0)
		return step_failed(t, o, "snapshot failed");
	return 0;
}

/* 1 when they differ; the difference is kept on o. */
static int differ(tester *t, item *o, const gw_schema *a, const gw_schema *b, const char *why)
{
	gw_schema_diff *d = NULL;

	if (gw_schema_diff_compute_with(&d, a, b, &t->o->schema) < 0) {
		o->pub.result = GW_TEST_FAIL;
		o->reason = strdup("out of memory");
		t->stop = 1;
		return 1;
	}
	if (gw_schema_diff_count(d) == 0) {
		gw_schema_diff_free(d);
		return 0;
	}
	o->pub.result = GW_TEST_FAIL;
	o->reason = strdup(why);
	o->diff = d;
	return 1;
}

/* rows: every empty table gets a probe row, and the rows are
 * fingerprinted before up (and again after down, to compare). */
static int rows_now(tester *t, item *o, gw_rows **out, int probe)
{
	if ((probe && gw_rows_probe(t->ep) < 0) ||
	    gw_rows_fingerprint(out, t->ep, &t->o->schema) < 0)
		return step_failed(t, o, "reading the rows failed");
	return 0;
}

/* 1 when a table of before lost or changed rows; the reason is kept. */
static int rows_differ(item *o, const gw_rows *before, const gw_rows *after)
{
	char *what = NULL;
	size_t len;

	if (gw_rows_compare(&what, before, after) < 0 || !what) {
		free(what);
		return 0;
	}
	len = strlen(what) + 64;
	o->pub.result = GW_TEST_FAIL;
	if ((o->reason = malloc(len)))
		snprintf(o->reason, len, "rows did not survive up and down: %s", what);
	free(what);
	return 1;
}

static void cycle(tester *t, item *o, int has_down)
{
	gw_schema *s0 = NULL, *s1 = NULL, *s2 = NULL, *s3 = NULL;
	gw_down_options down = GW_DOWN_OPTIONS_INIT;
	gw_rows *r0 = NULL, *r2 = NULL;
	int down_differs;

	o->pub.result = GW_TEST_PASS;
	t->up_failed = 0;
	s0 = t->last;
	t->last = NULL;
	if ((t->o->rows && rows_now(t, o, &r0, 1) < 0) || (!s0 && snap(t, o, &s0) < 0))
		goto cleanup;
	if (up_to(t, o->version) < 0) {
		t->up_failed = 1;
		step_failed(t, o, "up failed");
		goto cleanup;
	}
	if (snap(t, o, &s1) < 0)
		goto cleanup;
	if (!has_down) {
		o->pub.result = GW_TEST_UNTESTABLE;
		o->reason = strdup("no down migration");
		goto cleanup;
	}
	down.steps = 1;
	if (interrupted(t) ||
	    (gw_project_down(NULL, t->ep, &down) < 0 && step_failed(t, o, "down failed")) ||
	    snap(t, o, &s2) < 0)
		goto cleanup;
	down_differs = differ(t, o, s0, s2, "down did not restore the schema from before up");
	if (!down_differs && t->o->rows) {
		if (rows_now(t, o, &r2, 0) < 0)
			goto cleanup;
		down_differs = rows_differ(o, r0, r2);
	}
	if (interrupted(t) || t->stop)
		goto cleanup;
	/* Applied again even after a bad down, so the migrations after it
	 * still run on the schema they expect when it can be done. */
	if (up_to(t, o->version) < 0) {
		if (!down_differs)
			step_failed(t, o, "up after down failed");
		gw_ctx_clear_error(t->ctx);
		goto cleanup;
	}
	if (snap(t, o, &s3) < 0 || down_differs)
		goto cleanup;
	if (!differ(t, o, s1, s3, "up after down gave a different schema than the first up")) {
		t->last = s3;
		s3 = NULL;
	}
cleanup:
	gw_rows_free(r0);
	gw_rows_free(r2);
	gw_schema_free(s0);
	gw_schema_free(s1);
	gw_schema_free(s2);
	gw_schema_free(s3);
}

/* ---- which migrations are under test --------------------------------------------- */

/* A migration as the plan listed it; copied, because the plan points into
 * the project that a rebuild replaces. */
typedef struct todo {
	char *version, *name, *file;
	int has_down, tested;
} todo;

static void free_todos(todo *list, size_t n)
{
	size_t i;

	for (i = 0; list && i < n; i++) {
		free(list[i].version);
		free(list[i].name);
		free(list[i].file);
	}
	free(list);
}

static int is_applied(const gw_status *st, const char *version)
{
	size_t i;

	for (i = 0; st && i < gw_status_count(st); i++) {
		const gw_status_entry *e = gw_status_get(st, i);
		if (e->state == GW_STATE_APPLIED && strcmp(e->version, version) == 0)
			return 1;
	}
	return 0;
}

/* 1 when git listed the migration's file (paths as git prints them:
 * relative to the current directory, as the folder is). */
static int changed(char *const *git, gw_project *ep, const char *file)
{
	gw_str path = GW_STR_INIT;
	size_t i;
	int found = 0;

	if (gw_project__path(&path, ep, file) < 0)
		return 0;
	for (i = 0; git && git[i] && !found; i++)
		found = strcmp(git[i], path.ptr) == 0;
	gw_str_dispose(&path);
	return found;
}

static todo *todos(tester *t, const gw_status *plan, const gw_status *target, char *const *git,
                   size_t *n)
{
	todo *list = calloc(gw_status_count(plan) + 1, sizeof(*list));
	size_t i;

	*n = 0;
	for (i = 0; list && i < gw_status_count(plan); i++) {
		const gw_status_entry *e = gw_status_get(plan, i);
		todo *d = &list[*n];
		if (!e->file)
			continue;
		(*n)++;
		d->version = strdup(e->version);
		d->name = strdup(e->name);
		d->file = strdup(e->file);
		d->has_down = e->has_down;
		d->tested = (!t->o->only_new || !is_applied(target, e->version)) &&
		            (!t->o->since || changed(git, t->ep, e->file));
		if (!d->version || !d->name || !d->file) {
			free_todos(list, *n);
			return NULL;
		}
	}
	return list;
}

/* ---- the run --------------------------------------------------------------------- */

/* The ephemeral project's error, moved to the project's context. */
static int adopt_error(tester *t, const char *prefix, int fallback)
{
	const gw_error *e = gw_ctx_error(t->ctx);
	int code = e ? e->code : fallback;

	gw_error_set(t->p->ctx, code, "%s%s", prefix, e ? e->message : "failed");
	gw_ctx_clear_error(t->ctx);
	return code;
}

/* The ephemeral database of the run, replaced after a failed migration by
 * a fresh one with the ups up to and including version replayed: the
 * migrations after it are then tested on the schema they expect. Replaying
 * works the same on every database and takes no template that a session
 * could keep busy; with keep the replaced database is kept to look at. */
static int rebuild(tester *t, const char *version)
{
	gw_ctx *ctx = t->p->ctx;
	char *why = NULL;

	gw_schema_free(t->last);
	t->last = NULL;
	gw_project_free(t->ep); /* its session must end before the drop */
	t->ep = NULL;
	gw_project__ephemeral_done(t->p, t->eph, t->o->keep);
	t->eph = NULL;
	if (gw_ephemeral_create(&t->eph, t->server, ctx) < 0) {
		const gw_error *e = gw_ctx_error(ctx);
		stop(t, "a new ephemeral database to go on after %s failed: %s", version,
		     e ? e->message : "error");
		gw_ctx_clear_error(ctx);
		return -1;
	}
	if (gw_project__open_like(&t->ep, t->p, gw_ephemeral_url(t->eph), t->ctx) < 0 ||
	    up_to(t, version) < 0) {
		why = error_text(t, "failed");
		stop(t, "replaying the ups up to %s to go on %s", version, why ? why : "failed");
		free(why);
		return -1;
	}
	return 0;
}

static int run_all(tester *t, const gw_status *plan, const gw_status *target, char *const *git)
{
	size_t i, n = 0;
	todo *list = todos(t, plan, target, git, &n);
	int error = 0;

	if (!list || !(t->r->items = calloc(n + 1, sizeof(*t->r->items)))) {
		free_todos(list, n);
		return gw_error_oom(t->p->ctx);
	}
	for (i = 0; i < n && error == 0; i++) {
		const todo *e = &list[i];
		if (!e->tested) {
			if (t->stop || interrupted(t))
				continue;
			gw_schema_free(t->last);
			t->last = NULL;
			if (up_to(t, e->version) < 0) {
				char *msg = error_text(t, "up failed");
				error = gw_error_set(t->p->ctx, GW_ERROR, "%s %s: %s", e->version,
				                     e->name, msg ? msg : "up failed");
				free(msg);
			}
			continue;
		}
		item *o = &t->r->items[t->r->n++];
		/* Copies: an up or down reloads what the status points to. */
		o->version = strdup(e->version);
		o->name = strdup(e->name);
		o->file = strdup(e->file);
		if (!o->version || !o->name || !o->file) {
			error = gw_error_oom(t->p->ctx);
			break;
		}
		if (t->stop || interrupted(t)) {
			o->pub.result = GW_TEST_NOT_RUN;
			o->reason = strdup(t->stop_why ? t->stop_why : "an earlier step failed");
			o->pub.fail_fast = t->stop_fail_fast;
			continue;
		}
		cycle(t, o, e->has_down);
		if (o->pub.result != GW_TEST_FAIL || t->stop || interrupted(t))
			continue;
		if (t->o->fail_fast) {
			stop(t, "%s failed", e->version);
			t->stop_fail_fast = 1;
		} else if (t->up_failed)
			stop(t, "the up of %s failed", e->version);
		else
			rebuild(t, e->version);
	}
	free_todos(list, n);
	return error;
}

/* The public entries point at the owned copies once the run is over. */
static void publish(gw_test_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		item *o = &r->items[i];
		o->pub.version = o->version;
		o->pub.name = o->name;
		o->pub.file = o->file;
		o->pub.reason = o->reason;
		o->pub.diff = o->diff;
	}
}

int gw_project_test(gw_test_report **out, gw_project *p, const gw_test_options *opts)
{
	static const gw_test_options defaults = GW_TEST_OPTIONS_INIT;
	tester t = {.p = p};
	gw_status *plan = NULL, *target = NULL;
	char **git = NULL;
	size_t ngit = 0;
	int error;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != GW_TEST_OPTIONS_VERSION)
		return gw_error_set(p->ctx, GW_EINVALID,
		                    "gw_test_options version %u is not supported", opts->version);
	t.o = opts;
	if (opts->since && (error = gw_project_changed_files(&git, &ngit, p, opts->since)) < 0)
		goto cleanup;
	if (opts->only_new && (error = gw_project_status(&target, p)) < 0)
		goto cleanup;
	if (!(t.r = calloc(1, sizeof(*t.r))) || gw_ctx_new(&t.ctx) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	t.server = gw_project__server_url(p, opts->server_url);
	if ((error = gw_project__ephemeral(&t.eph, p, t.server)) < 0)
		goto cleanup;
	if (!(t.r->database = strdup(gw_ephemeral_name(t.eph)))) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	/* The history (and its schema, a Prisma URL's ?schema=) exists before
	 * the first snapshot, as in the target database: it is not the
	 * first migration's doing. */
	if (gw_project__open_like(&t.ep, p, gw_ephemeral_url(t.eph), t.ctx) < 0 ||
	    gw_project_init_history(t.ep) < 0 || gw_project_status(&plan, t.ep) < 0) {
		error = adopt_error(&t, "", GW_ERROR);
		goto cleanup;
	}
	error = run_all(&t, plan, target, git);
cleanup:
	gw_project_free(t.ep); /* its session must end before the drop */
	gw_project__ephemeral_done(p, t.eph, opts->keep);
	if (error == 0 && gw_project_cancelled(p))
		error = gw_error_set(p->ctx, GW_ECANCELED,
		                     "interrupted; the ephemeral database was %s",
		                     opts->keep ? "kept" : "dropped");
	if (error == 0) {
		publish(t.r);
		*out = t.r;
		t.r = NULL;
	}
	gw_test_report_free(t.r);
	gw_schema_free(t.last);
	free(t.stop_why);
	gw_strings_free(git);
	gw_status_free(plan);
	gw_status_free(target);
	gw_ctx_free(t.ctx);
	return error;
}
