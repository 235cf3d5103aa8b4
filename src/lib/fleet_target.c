/*
 * fleet_target.c: one target of a fleet run, as a normal run of its own:
 * a gw_project on the target's URL with a context of its own, opened,
 * run and freed on the worker thread that took the target. Up and down
 * are runs with their start and end events (gw_project_run_begin), as
 * `godwit up` on that database would be; every result is copied into
 * the target's slot before the project goes.
 */
#include <stdlib.h>
#include <string.h>

#include "fleet_priv.h"
#include "godwit/events.h"
#include "godwit/health.h"
#include "godwit/prove.h"
#include "godwit/schema.h"
#include "../util/str.h"

long long gw_fleet__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct {
	const gw_fleet_options *opts;
} relay_to;

static void relay(const gw_notice *n, void *payload)
{
	const gw_fleet_options *o = ((relay_to *)payload)->opts;

	if (o->notice)
		o->notice(n, o->notice_payload);
}

void gw_fleet__slot_reset(gw_fleet_slot *s)
{
	const gw_fleet_target *t = s->pub.target;
	size_t host = s->host;

	free(s->before);
	free(s->after);
	free(s->error);
	free(s->sqlstate);
	free(s->summary);
	memset(s, 0, sizeof(*s));
	s->pub.target = t;
	s->pub.duration_ms = -1;
	s->host = host;
}

/* The newest applied version: the last applied entry in apply order
 * (missing ones, applied by a newer deploy, come last). */
static char *newest_applied(const gw_status *st)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < gw_status_count(st); i++) {
		const gw_status_entry *e = gw_status_get(st, i);

		if (e->state == GW_STATE_APPLIED || e->state == GW_STATE_CHANGED ||
		    e->state == GW_STATE_MISSING)
			v = e->version;
	}
	return gw_strdup(v);
}

static int read_status(gw_fleet_slot *s, gw_project *p, char **version)
{
	gw_status *st = NULL;
	int error;

	if ((error = gw_project_status(&st, p)) < 0)
		return error;
	free(*version);
	*version = newest_applied(st);
	s->pub.pending = gw_status_count_state(st, GW_STATE_PENDING) +
	                 gw_status_count_state(st, GW_STATE_OUT_OF_ORDER);
	s->pub.changed = gw_status_count_state(st, GW_STATE_CHANGED);
	s->pub.dirty = gw_status_count_state(st, GW_STATE_DIRTY) +
	               gw_status_count_state(st, GW_STATE_RUNNING);
	s->pub.missing = gw_status_count_state(st, GW_STATE_MISSING);
	gw_status_free(st);
	return 0;
}

/* "3 checks failed", or `none` when n is 0. */
static void summarise(gw_fleet_slot *s, size_t n, const char *what, const char *none)
{
	gw_str text = GW_STR_INIT;

	if (n)
		gw_str_printf(&text, "%zu %s%s", n, what, n == 1 ? "" : "s");
	else
		gw_str_puts(&text, none);
	free(s->summary);
	s->summary = gw_str_detach(&text);
}

static int run_test(gw_fleet_slot *s, gw_project *p)
{
	gw_test_options to = GW_TEST_OPTIONS_INIT;
	gw_test_report *rep = NULL;
	int error;

	to.only_new = 1;
	if ((error = gw_project_test(&rep, p, &to)) < 0)
		return error;
	s->pub.found = gw_test_report_count_result(rep, GW_TEST_FAIL);
	s->pub.applied = gw_test_report_count(rep);
	summarise(s, s->pub.found, "failed migration", "passed");
	gw_test_report_free(rep);
	return 0;
}

static int run_drift(gw_fleet_slot *s, gw_project *p)
{
	gw_drift_options dopts = GW_DRIFT_OPTIONS_INIT;
	gw_schema_diff *d = NULL;
	int error;

	if ((error = gw_project_drift(&d, p, &dopts)) < 0)
		return error;
	if (!d) {
		free(s->summary);
		s->summary = gw_strdup("no snapshot recorded");
		return 0;
	}
	s->pub.found = gw_schema_diff_count(d);
	summarise(s, s->pub.found, "difference", "no drift");
	gw_schema_diff_free(d);
	return 0;
}

static int run_health(gw_fleet_slot *s, gw_project *p)
{
	gw_report *rep = NULL;
	size_t i, n = 0;
	int error;

	/* A database that cannot be reached fails the target; the report
	 * that says so is still made, and freed here. */
	if ((error = gw_project_health(&rep, p)) < 0) {
		gw_report_free(rep);
		return error;
	}
	for (i = 0; i < gw_report_count(rep); i++)
		n += gw_report_get(rep, i)->status == GW_CHECK_FAIL;
	s->pub.found = n;
	summarise(s, n, "failed check", "healthy");
	gw_report_free(rep);
	return 0;
}

static int run_action(gw_fleet_slot *s, gw_project *p, const gw_fleet_options *o)
{
	int error = 0, end;

	switch (o->action) {
	case GW_FLEET_UP:
	case GW_FLEET_DOWN:
		if ((error = gw_project_run_begin(p, gw_fleet_action_name(o->action))) < 0)
			return error;
		if ((error = read_status(s, p, &s->before)) == 0)
			error = o->action == GW_FLEET_UP
			                ? gw_project_up(&s->pub.applied, p, &o->up)
			                : gw_project_down(&s->pub.applied, p, &o->down);
		/* What the database holds now, also after a failure (the
		 * migrations before the failed one stay applied), unless the
		 * session is gone. */
		if (error != GW_ECONNECT && error != GW_ECANCELED)
			read_status(s, p, &s->after);
		end = gw_project_run_end(p, error < 0 ? 1 : 0);
		return error < 0 ? error : end;
	case GW_FLEET_STATUS:
		if ((error = read_status(s, p, &s->before)) == 0)
			s->after = gw_strdup(s->before);
		return error;
	case GW_FLEET_TEST:
		return run_test(s, p);
	case GW_FLEET_DRIFT:
		return run_drift(s, p);
	case GW_FLEET_HEALTH:
		return run_health(s, p);
	}
	return 0;
}

void gw_fleet__run_target(gw_fleet_slot *s, const gw_fleet_options *o,
                          void (*publish)(void *payload, gw_fleet_slot *slot, gw_project *p),
                          void *payload)
{
	gw_project_options po = *o->project;
	relay_to to = {o};
	gw_ctx *ctx = NULL;
	gw_project *p = NULL;
	const gw_error *e;
	long long start = gw_fleet__now_ms();
	int error;

	s->pub.state = GW_TARGET_RUNNING;
	if (gw_ctx_new(&ctx) < 0) {
		s->pub.state = GW_TARGET_FAILED;
		s->pub.error_code = GW_ENOMEM;
		s->error = gw_strdup("out of memory");
		return;
	}
	gw_ctx_set_notice_cb(ctx, relay, &to);
	po.url = s->pub.target->url;
	/* One schema file describes one database; the fleet's many would
	 * overwrite it in turn. */
	po.schema_file = NULL;
	if ((error = gw_project_open(&p, &po, ctx)) == 0) {
		publish(payload, s, p);
		error = run_action(s, p, o);
		publish(payload, s, NULL);
	}
	s->pub.duration_ms = gw_fleet__now_ms() - start;
	if (error < 0) {
		e = gw_ctx_error(ctx);
		s->pub.state = GW_TARGET_FAILED;
		s->pub.error_code = error;
		s->error = gw_strdup(e ? e->message : gw_error_code_name(error));
		s->sqlstate = e && e->sqlstate[0] ? gw_strdup(e->sqlstate) : NULL;
		/* The migrations before a failed one stay applied. */
		if (!s->after && s->before && s->pub.applied == 0)
			s->after = gw_strdup(s->before);
	} else {
		s->pub.state = GW_TARGET_DONE;
	}
	gw_fleet__slot_sync(s);
	gw_project_free(p);
	gw_ctx_free(ctx);
}

void gw_fleet__slot_sync(gw_fleet_slot *s)
{
	s->pub.version_before = s->before;
	s->pub.version_after = s->after;
	s->pub.error = s->error;
	s->pub.sqlstate = s->sqlstate;
	s->pub.summary = s->summary;
}

int gw_fleet__too_many_connections(const gw_fleet_slot *s)
{
	if (s->pub.state != GW_TARGET_FAILED)
		return 0;
	if (s->sqlstate && strcmp(s->sqlstate, "53300") == 0)
		return 1;
	return s->error &&
	       (strstr(s->error, "too many clients") || strstr(s->error, "too many connections") ||
	        strstr(s->error, "remaining connection slots are reserved"));
}
