/*
 * fleet_run.c: a fleet run (gw_fleet_run): a pool of at most `jobs`
 * worker threads that take the targets in order, each run as a normal
 * gw_project of its own (fleet_target.c), and the calling thread, which
 * watches the clock (the deadline), the cancel flag and reports progress.
 *
 * The policy lives under one lock, decided where a target ends: a failed
 * canary or too many failures stop new targets from starting (those
 * running finish; the deadline and a cancel also cancel them), a target
 * refused because the server had no connection left goes back to the
 * queue with a backoff instead of failing, and the run's record is
 * written (fleet_state.c) after every change, so that a killed run can
 * be resumed from it.
 */
#include <stdlib.h>
#include <string.h>

#include "fleet_priv.h"
#include "settings.h"
#include "../util/backoff.h"
#include "../util/error.h"
#include "../util/str.h"

/* How often a target refused for want of connections is tried again. */
#define CONNECTION_ATTEMPTS 6

typedef struct {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	gw_fleet *fleet;
	const gw_fleet_options *opts;
	gw_fleet_report *r;
	gw_fleet_state *state;
	int jobs, max_failures, canary, max_per_host, deadline_ms;
	int canary_left, canary_failed;
	char *control_url;
	const char **hosts;
	int *host_running;
	size_t nhosts;
	size_t running, failed;
	int stop;
	const char *stop_why;
	int live;
	/* A record that could not be written stops the run; its error. */
	gw_ctx *save_ctx;
	int save_error;
} fleet_run;

static const char *const action_names[] = {
        [GW_FLEET_UP] = "up",     [GW_FLEET_STATUS] = "status", [GW_FLEET_DOWN] = "down",
        [GW_FLEET_TEST] = "test", [GW_FLEET_DRIFT] = "drift",   [GW_FLEET_HEALTH] = "health",
};

const char *gw_fleet_action_name(gw_fleet_action a)
{
	return a >= GW_FLEET_UP && a <= GW_FLEET_HEALTH ? action_names[a] : NULL;
}

const char *gw_target_state_name(gw_target_state s)
{
	static const char *const names[] = {"not started", "running", "done", "failed",
	                                    "done before"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : NULL;
}

/* ---- the report ------------------------------------------------------------ */

const char *gw_fleet_report_run_id(const gw_fleet_report *r)
{
	return r->run_id;
}

gw_fleet_action gw_fleet_report_action(const gw_fleet_report *r)
{
	return r->action;
}

const char *gw_fleet_report_state(const gw_fleet_report *r)
{
	return r->state;
}

size_t gw_fleet_report_count(const gw_fleet_report *r)
{
	return r ? r->count : 0;
}

const gw_fleet_result *gw_fleet_report_get(const gw_fleet_report *r, size_t i)
{
	return r && i < r->count ? &r->slots[i].pub : NULL;
}

size_t gw_fleet_report_count_state(const gw_fleet_report *r, gw_target_state state)
{
	size_t i, n = 0;

	for (i = 0; r && i < r->count; i++)
		n += r->slots[i].pub.state == state;
	return n;
}

long long gw_fleet_report_duration_ms(const gw_fleet_report *r)
{
	return r->duration_ms;
}

void gw_fleet_report_free(gw_fleet_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->count; i++)
		gw_fleet__slot_reset(&r->slots[i]);
	free(r->slots);
	free(r->run_id);
	free(r->state);
	free(r);
}

/* ---- the pool -------------------------------------------------------------- */

static size_t host_index(fleet_run *run, const char *host)
{
	size_t i;

	for (i = 0; i < run->nhosts; i++)
		if (!strcmp(run->hosts[i], host))
			return i;
	return run->nhosts;
}

static void save(fleet_run *run)
{
	if (!run->state || run->save_error)
		return;
	if ((run->save_error = gw_fleet__state_save(run->state, run->r, run->save_ctx)) < 0) {
		run->stop = 1;
		run->stop_why = "the run's record could not be written";
	}
}

/* A target's project, published for cancel_running while it runs. */
typedef struct {
	fleet_run *run;
	gw_fleet_slot *slot; /* the shared one, not the worker's copy */
} publish_to;

static void publish(void *payload, gw_fleet_slot *work, gw_project *p)
{
	publish_to *to = payload;

	(void)work;
	pthread_mutex_lock(&to->run->mu);
	to->slot->project = p;
	pthread_mutex_unlock(&to->run->mu);
}

static void cancel_running(fleet_run *run)
{
	size_t i;

	for (i = 0; i < run->r->count; i++)
		if (run->r->slots[i].project)
			gw_project_cancel(run->r->slots[i].project);
}

/* The next target a worker may start, or -1; *left says whether any is
 * still to start, *wait_ms how long until a refused one may be retried
 * (-1: none is waiting). */
static long pick(fleet_run *run, int *left, long long *wait_ms)
{
	long long now = gw_fleet__now_ms();
	size_t i;

	*left = 0;
	*wait_ms = -1;
	for (i = 0; i < run->r->count; i++) {
		gw_fleet_slot *s = &run->r->slots[i];

		if (s->picked)
			continue;
		*left = 1;
		/* The canaries first, alone. */
		if (run->canary_left > 0 && !s->canary)
			continue;
		if (s->retry_at_ms > now) {
			if (*wait_ms < 0 || s->retry_at_ms - now < *wait_ms)
				*wait_ms = s->retry_at_ms - now;
			continue;
		}
		if (run->max_per_host > 0 && run->host_running[s->host] >= run->max_per_host)
			continue;
		return (long)i;
	}
	return -1;
}

static void wait_for(fleet_run *run, long long ms)
{
	struct timespec ts;

	if (ms < 0) {
		pthread_cond_wait(&run->cond, &run->mu);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&run->cond, &run->mu, &ts);
}

/* Under the lock: a target ended; the policy decides what follows. */
static void ended(fleet_run *run, gw_fleet_slot *s)
{
	int attempts = s->pub.attempts, canary = s->canary;

	run->running--;
	run->host_running[s->host]--;
	if (!run->stop && gw_fleet__too_many_connections(s) && attempts + 1 < CONNECTION_ATTEMPTS) {
		/* Not the target's fault: the server is full. Later. */
		gw_fleet__slot_reset(s);
		s->unsaved = 1;
		s->canary = canary;
		s->pub.attempts = attempts + 1;
		s->retry_at_ms = gw_fleet__now_ms() + gw_backoff_ms(attempts, 500, 8000);
		pthread_cond_broadcast(&run->cond);
		return;
	}
	s->unsaved = 1;
	if (s->pub.state == GW_TARGET_FAILED)
		run->failed++;
	if (s->canary) {
		run->canary_left--;
		if (s->pub.state == GW_TARGET_FAILED)
			run->canary_failed = 1;
	}
	if (!run->stop && run->canary_failed) {
		run->stop = 1;
		run->stop_why = "a canary failed";
	}
	if (!run->stop && run->max_failures > 0 && run->failed >= (size_t)run->max_failures) {
		run->stop = 1;
		run->stop_why = "too many failures";
	}
	save(run);
	pthread_cond_broadcast(&run->cond);
}

static void *worker(void *payload)
{
	fleet_run *run = payload;
	publish_to to = {run, NULL};
	gw_fleet_slot work;
	long long wait_ms;
	long i;
	int left;

	pthread_mutex_lock(&run->mu);
	for (;;) {
		gw_fleet_slot *s;

		if (run->stop)
			break;
		i = pick(run, &left, &wait_ms);
		if (i < 0) {
			if (!left)
				break;
			wait_for(run, wait_ms);
			continue;
		}
		s = &run->r->slots[i];
		s->picked = 1;
		s->unsaved = 1;
		s->pub.state = GW_TARGET_RUNNING;
		s->started_ms = gw_fleet__now_ms();
		run->running++;
		run->host_running[s->host]++;
		save(run);
		/* The target runs on a copy, so that the record written by
		 * the other workers under the lock never reads a result
		 * being made; it is moved into the slot under the lock. */
		memset(&work, 0, sizeof(work));
		work.pub.target = s->pub.target;
		work.pub.attempts = s->pub.attempts;
		to.slot = s;
		pthread_mutex_unlock(&run->mu);
		gw_fleet__run_target(&work, run->opts, publish, &to);
		pthread_mutex_lock(&run->mu);
		s->pub = work.pub;
		s->before = work.before;
		s->after = work.after;
		s->error = work.error;
		s->sqlstate = work.sqlstate;
		s->summary = work.summary;
		gw_fleet__slot_sync(s);
		ended(run, s);
	}
	run->live--;
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->mu);
	return NULL;
}

/* The slowest running targets, for the progress line. */
static void progress(fleet_run *run, gw_fleet_progress *pr, long long start)
{
	long long now = gw_fleet__now_ms();
	size_t i, k;

	memset(pr, 0, sizeof(*pr));
	pr->run_id = run->r->run_id;
	pr->action = gw_fleet_action_name(run->r->action);
	pr->total = run->r->count;
	pr->elapsed_ms = now - start;
	for (i = 0; i < run->r->count; i++) {
		const gw_fleet_slot *s = &run->r->slots[i];
		long long ms = now - s->started_ms;

		switch (s->pub.state) {
		case GW_TARGET_DONE:
		case GW_TARGET_DONE_BEFORE:
			pr->done++;
			break;
		case GW_TARGET_FAILED:
			pr->failed++;
			break;
		case GW_TARGET_RUNNING:
			pr->running++;
			for (k = pr->nslowest; k > 0 && pr->slowest_ms[k - 1] < ms; k--)
				if (k < 3) {
					pr->slowest[k] = pr->slowest[k - 1];
					pr->slowest_ms[k] = pr->slowest_ms[k - 1];
				}
			if (k < 3) {
				pr->slowest[k] = s->pub.target->name;
				pr->slowest_ms[k] = ms;
				if (pr->nslowest < 3)
					pr->nslowest++;
			}
			break;
		default:
			pr->pending++;
			break;
		}
	}
}

static int report_new(gw_fleet_report **out, fleet_run *run, gw_ctx *ctx)
{
	gw_fleet_report *r = calloc(1, sizeof(*r));
	size_t i, n = gw_fleet_count(run->fleet);

	if (!r || !(r->slots = calloc(n ? n : 1, sizeof(*r->slots))) ||
	    !(run->hosts = calloc(n ? n : 1, sizeof(*run->hosts))) ||
	    !(run->host_running = calloc(n ? n : 1, sizeof(*run->host_running)))) {
		if (r)
			free(r->slots);
		free(r);
		return gw_error_oom(ctx);
	}
	r->count = n;
	r->action = run->opts->action;
	for (i = 0; i < n; i++) {
		gw_fleet_slot *s = &r->slots[i];
		const gw_fleet_target *t = gw_fleet_get(run->fleet, i);

		s->pub.target = t;
		s->pub.duration_ms = -1;
		s->host = host_index(run, t->host);
		if (s->host == run->nhosts)
			run->hosts[run->nhosts++] = t->host;
	}
	*out = r;
	return 0;
}

static int check_options(const gw_fleet_options *o, gw_fleet *f, gw_ctx *ctx)
{
	if (!o || o->version < 1 || o->version > GW_FLEET_OPTIONS_VERSION)
		return gw_error_set(ctx, GW_EINVALID, "unsupported gw_fleet_options version");
	if (!gw_fleet_action_name(o->action))
		return gw_error_set(ctx, GW_EINVALID, "unknown fleet action %d", (int)o->action);
	if (!o->project)
		return gw_error_set(ctx, GW_EINVALID, "gw_fleet_options.project is not set");
	if (o->jobs < 0 || o->canary < 0 || o->max_per_host < 0 || o->deadline_ms < 0 ||
	    (o->max_failures < 0 && o->max_failures != GW_OPTION_OFF))
		return gw_error_set(ctx, GW_EINVALID, "a fleet limit is negative");
	if (!gw_fleet_count(f))
		return gw_error_set(ctx, GW_EINVALID, "the fleet has no targets");
	return 0;
}

/* Each limit from the options, else from the settings (godwit.conf, the
 * environment, the command line's flags through the gw_config). */
static int resolve(fleet_run *run, const gw_fleet_options *o, gw_ctx *ctx)
{
	gw_settings s;
	int error;

	memset(&s, 0, sizeof(s));
	if ((error = gw_settings__from_options(&s, o->project, o->project->config, ctx)) < 0) {
		gw_settings__dispose(&s);
		return error;
	}
	run->jobs = o->jobs > 0 ? o->jobs : s.jobs > 0 ? s.jobs : 4;
	run->max_failures = o->max_failures == GW_OPTION_OFF ? 0
	                    : o->max_failures > 0            ? o->max_failures
	                                                     : s.max_failures;
	run->canary = o->canary > 0 ? o->canary : s.canary;
	run->max_per_host = o->max_per_host > 0 ? o->max_per_host : s.max_per_host;
	run->deadline_ms = o->deadline_ms > 0 ? o->deadline_ms : s.deadline;
	run->control_url = gw_strdup(o->control_url ? o->control_url : s.control_url);
	gw_settings__dispose(&s);
	/* The failure policy guards changes; a run that changes nothing
	 * reads every target whatever it finds. */
	if (o->action != GW_FLEET_UP && o->action != GW_FLEET_DOWN) {
		run->max_failures = 0;
		run->canary = 0;
	}
	return 0;
}

int gw_fleet_run(gw_fleet_report **out, gw_fleet *f, const gw_fleet_options *o, gw_ctx *ctx)
{
	fleet_run run;
	gw_fleet_report *r = NULL;
	gw_fleet_progress pr;
	pthread_t *threads = NULL;
	long long start = gw_fleet__now_ms(), deadline;
	int i, started = 0, error, n;
	size_t k;

	*out = NULL;
	memset(&run, 0, sizeof(run));
	if ((error = check_options(o, f, ctx)) < 0)
		return error;
	run.fleet = f;
	run.opts = o;
	if ((error = resolve(&run, o, ctx)) < 0)
		goto cleanup;
	if ((error = report_new(&r, &run, ctx)) < 0)
		goto cleanup;
	if ((error = gw_ctx_new(&run.save_ctx)) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if ((error = gw_fleet__state_open(&run.state, r, o, run.control_url, ctx)) < 0)
		goto cleanup;
	/* The canaries: the first targets the run still has to do. */
	for (k = 0; k < r->count && run.canary_left < run.canary; k++)
		if (!r->slots[k].picked) {
			r->slots[k].canary = 1;
			run.canary_left++;
		}
	run.r = r;
	n = run.jobs < (int)r->count ? run.jobs : (int)r->count;
	if (!(threads = calloc((size_t)n, sizeof(*threads)))) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	pthread_mutex_init(&run.mu, NULL);
	pthread_cond_init(&run.cond, NULL);
	pthread_mutex_lock(&run.mu);
	save(&run);
	for (i = 0; i < n; i++) {
		if (pthread_create(&threads[i], NULL, worker, &run) != 0)
			break;
		started++;
		run.live++;
	}
	if (!started) {
		run.stop = 1;
		run.stop_why = "no thread could be started";
	}
	deadline = run.deadline_ms > 0 ? start + run.deadline_ms : 0;
	while (run.live > 0) {
		long long now = gw_fleet__now_ms();
		long long wait = 100;

		if (!run.stop && f->cancelled) {
			run.stop = 1;
			run.stop_why = "cancelled";
		}
		if (!run.stop && deadline && now >= deadline) {
			run.stop = 1;
			run.stop_why = "deadline";
		}
		if (run.stop && (f->cancelled || (deadline && now >= deadline)))
			cancel_running(&run);
		if (o->progress) {
			progress(&run, &pr, start);
			pthread_mutex_unlock(&run.mu);
			o->progress(&pr, o->progress_payload);
			pthread_mutex_lock(&run.mu);
		}
		if (deadline && deadline - now < wait && deadline > now)
			wait = deadline - now;
		if (run.live > 0)
			wait_for(&run, wait);
	}
	/* What never started says why. */
	for (k = 0; k < r->count; k++)
		if (!r->slots[k].picked) {
			gw_fleet__slot_reset(&r->slots[k]);
			r->slots[k].unsaved = 1;
			r->slots[k].pub.not_started_why = run.stop_why ? run.stop_why : "cancelled";
		}
	r->duration_ms = gw_fleet__now_ms() - start;
	save(&run);
	pthread_mutex_unlock(&run.mu);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_cond_destroy(&run.cond);
	pthread_mutex_destroy(&run.mu);
	if (o->progress)
		o->progress(NULL, o->progress_payload);
	if (run.save_error < 0) {
		const gw_error *e = gw_ctx_error(run.save_ctx);

		error = gw_error_set(ctx, run.save_error, "%s", e ? e->message : "cannot record");
		goto cleanup;
	}
	*out = r;
	r = NULL;
	error = 0;
cleanup:
	free(threads);
	free(run.hosts);
	free(run.host_running);
	free(run.control_url);
	gw_fleet__state_close(run.state);
	gw_ctx_free(run.save_ctx);
	gw_fleet_report_free(r);
	return error;
}
