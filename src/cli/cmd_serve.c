/*
 * cmd_serve.c: `godwit serve`: the health, status, history and metrics of
 * the database over HTTP, for load balancers, uptime monitors and
 * Prometheus.
 *
 *   GET /health/live     200 while the process runs
 *   GET /health/ready    `godwit health --format json`; 200 when no check
 *                        fails and nothing is pending, else 503
 *   GET /status          `godwit status --format json`
 *   GET /history         `godwit history --format json` of the newest
 *                        100 events (?limit=N: N, up to 1000)
 *   GET /metrics         Prometheus text format
 *
 * The server lives in the CLI, not the library: it prints, owns a socket
 * and the process's signals, and serves the documents the commands
 * print, built by the same functions (cmd_status.c, cmd_health.c,
 * cmd_history.c). libmicrohttpd is loaded when serve starts (mhd.h).
 *
 * Every value served is what the library reports: the health report, the
 * status, the events. Nothing is counted here but the refreshes. The
 * database is asked at most once per serve_cache, however many requests
 * come in: one refresh (a session of its own: health, status, events)
 * builds a snapshot that every request of the next serve_cache reads. A
 * request that finds the snapshot stale wakes the refresher thread and
 * waits for it up to serve_timeout; a database that does not answer by
 * then gets 503, and the refresh is cancelled (gw_project_cancel), so a
 * dead or locked database never hangs a load balancer's probe.
 *
 * Threads: libmicrohttpd's (a thread per connection, so a request waiting
 * for the database never holds up /health/live), the refresher, and the
 * main thread, which waits for SIGINT or SIGTERM and then stops both.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>

#include "cli.h"
#include "mhd.h"

/* /history answers the newest HISTORY_DEFAULT events, or ?limit=N of
 * them up to HISTORY_MAX: a history of any length costs a refresh and a
 * request the same. */
#define HISTORY_DEFAULT  100
#define HISTORY_MAX      1000
#define HISTORY_MAX_TEXT "1000"

/* A snapshot of the database, built by one refresh and read by every
 * request until the next; reference-counted, because a request may still
 * send the old one while the refresher puts a new one in place. */
typedef struct snapshot {
	int refs;
	long long taken_ms; /* when its refresh started (monotonic) */
	int ready;
	char *health;       /* the health report's JSON */
	char *status;       /* the status JSON, or NULL (error then says why) */
	gw_history *events; /* the newest HISTORY_MAX; NULL when unreadable */
	char *error;        /* {"error": ...} when status or events could not be read */
	char *metrics;
} snapshot;

typedef struct server {
	gw_cli *cli;
	const char *token; /* NULL: no token asked */
	long long cache_ms;
	long long timeout_ms;

	pthread_mutex_t lock;
	pthread_cond_t wake;           /* the refresher: a request wants a refresh, or stop */
	pthread_cond_t done;           /* the requests: a refresh ended, or stop */
	snapshot *snap;                /* the newest, or NULL before the first refresh */
	unsigned long long generation; /* refreshes ended */
	long long refreshes;           /* refreshes started */
	long long last_start_ms;
	int wanted, refreshing, stop;
	gw_project *current; /* the refresh's project, for a cancel */
	int in_flight;       /* requests not yet answered */
	pthread_cond_t idle; /* in_flight dropped to 0 */
} server;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void snapshot_release(snapshot *s)
{
	if (!s || --s->refs > 0)
		return;
	free(s->health);
	free(s->status);
	gw_history_free(s->events);
	free(s->error);
	free(s->metrics);
	free(s);
}

/* ---- what a refresh reads --------------------------------------------------- */

/* Seconds since the epoch of the events' "2026-01-21T10:00:00.123Z" (the
 * library writes UTC in that form on both databases); -1 if it is not. */
static double event_time(const char *at)
{
	int y, mo, d, h, mi;
	double s;
	long long days;

	if (!at || sscanf(at, "%4d-%2d-%2dT%2d:%2d:%lf", &y, &mo, &d, &h, &mi, &s) != 6)
		return -1;
	/* Days from 1970-01-01 of the proleptic Gregorian date (Howard
	 * Hinnant's days_from_civil): timegm is not POSIX. */
	y -= mo <= 2;
	{
		long long era = (y >= 0 ? y : y - 399) / 400;
		long long yoe = y - era * 400;
		long long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		days = era * 146097 + doe - 719468;
	}
	return (double)days * 86400.0 + h * 3600.0 + mi * 60.0 + s;
}

/* A label value with the escapes the text format asks for. */
static void put_label(FILE *out, const char *value)
{
	for (; value && *value; value++) {
		if (*value == '\\' || *value == '"')
			fprintf(out, "\\%c", *value);
		else if (*value == '\n')
			fputs("\\n", out);
		else
			fputc(*value, out);
	}
}

static void put_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const gw_state all_states[] = {
        GW_STATE_APPLIED, GW_STATE_PENDING,      GW_STATE_CHANGED, GW_STATE_DIRTY,
        GW_STATE_MISSING, GW_STATE_OUT_OF_ORDER, GW_STATE_RUNNING,
};

/* The newest event of one of the actions (NULL-terminated), or NULL; h
 * is gw_project_history_latest's, oldest first. */
static const gw_event *newest(const gw_history *h, const char *const *actions)
{
	size_t i = gw_history_count(h);
	const char *const *a;

	while (i-- > 0) {
		const gw_event *e = gw_history_get(h, i);

		for (a = actions; *a; a++)
			if (e->action && strcmp(e->action, *a) == 0)
				return e;
	}
	return NULL;
}

/* The metrics, from the report, the status, the newest event of each
 * action (h) and the count of failures of one refresh (status and events
 * NULL when they could not be read: then their families have no samples
 * rather than stale or made-up ones). */
static char *render_metrics(const server *srv, const gw_report *report, const gw_status *st,
                            const gw_history *h, long long failures, long long refreshes)
{
	static const char *const applies[] = {"apply", NULL};
	static const char *const runs[] = {"apply", "revert", NULL};
	static const char *const waits[] = {"lock-wait", NULL};
	char *text = NULL;
	size_t i, size;
	FILE *m = open_memstream(&text, &size);
	const gw_event *e;

	if (!m)
		return NULL;

	put_family(m, "godwit_info", "gauge", "godwit's version, environment and driver");
	fputs("godwit_info{version=\"", m);
	put_label(m, gw_library_version());
	fputs("\",environment=\"", m);
	put_label(m, gw_config_environment(srv->cli->config));
	fputs("\",driver=\"", m);
	put_label(m, gw_project_driver_name(srv->cli->project));
	fputs("\"} 1\n", m);

	put_family(m, "godwit_health_check_ok", "gauge",
	           "1 when the health check is ok, 0 when it warns or fails (godwit health)");
	for (i = 0; i < gw_report_count(report); i++) {
		const gw_check *c = gw_report_get(report, i);

		fputs("godwit_health_check_ok{check=\"", m);
		put_label(m, c->name);
		fprintf(m, "\"} %d\n", c->status == GW_CHECK_OK);
	}

	put_family(m, "godwit_migrations", "gauge", "migrations by state (godwit status)");
	for (i = 0; st && i < sizeof(all_states) / sizeof(all_states[0]); i++)
		fprintf(m, "godwit_migrations{state=\"%s\"} %zu\n", gw_state_name(all_states[i]),
		        gw_status_count_state(st, all_states[i]));

	put_family(m, "godwit_failures_total", "counter",
	           "failed migrations recorded in the events (action fail)");
	if (h)
		fprintf(m, "godwit_failures_total %lld\n", failures);

	put_family(m, "godwit_last_apply_timestamp_seconds", "gauge",
	           "when the newest applied migration was applied (its apply event)");
	if (h && (e = newest(h, applies)) && event_time(e->at) >= 0)
		fprintf(m, "godwit_last_apply_timestamp_seconds %.3f\n", event_time(e->at));

	put_family(m, "godwit_last_run_duration_seconds", "gauge",
	           "how long the newest apply or revert of a migration took (its event)");
	if (h && (e = newest(h, runs)) && e->duration_ms >= 0)
		fprintf(m, "godwit_last_run_duration_seconds %.3f\n",
		        (double)e->duration_ms / 1000.0);

	put_family(m, "godwit_lock_wait_seconds", "gauge",
	           "how long the newest run that found the runner lock taken waited for it "
	           "(its lock-wait event)");
	if (h && (e = newest(h, waits)) && e->duration_ms >= 0)
		fprintf(m, "godwit_lock_wait_seconds %.3f\n", (double)e->duration_ms / 1000.0);

	put_family(m, "godwit_serve_refreshes_total", "counter",
	           "times godwit serve read the database (at most once per serve_cache)");
	fprintf(m, "godwit_serve_refreshes_total %lld\n", refreshes);
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The document as a response body: indented as the commands print it,
 * with the final newline. */
static char *dump(json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	char *body = text ? malloc(strlen(text) + 2) : NULL;

	if (body)
		strcat(strcpy(body, text), "\n");
	free(text);
	json_decref(doc);
	return body;
}

/* {"error": ...} of the error on ctx. */
static char *error_body(gw_ctx *ctx, const char *fallback)
{
	const gw_error *e = gw_ctx_error(ctx);
	json_t *root = json_object();

	if (e)
		gw_json_set(root, "error", gw_cli_error_json(e));
	else
		gw_json_set(root, "error", gw_json_str(fallback));
	return dump(root);
}

/* The report a request gets when the database did not answer in time:
 * the same shape as the health check's. */
static char *timeout_body(const server *srv)
{
	char summary[128];

	snprintf(summary, sizeof(summary),
	         "the database did not answer within %.1f s (serve_timeout)",
	         (double)srv->timeout_ms / 1000.0);
	return dump(json_pack("{s:s, s:[{s:s, s:s, s:s, s:n, s:[]}]}", "status", "fail", "checks",
	                      "name", "connection", "status", "fail", "summary", summary, "value",
	                      "details"));
}

/* Ready: the database answered, no check fails and the migrations check
 * is ok (nothing pending, changed or dirty), as `godwit health --strict`
 * would say for the migrations. */
static int is_ready(int rc, const gw_report *r)
{
	size_t i;

	if (rc < 0 || gw_report_count(r) == 0 || gw_report_status(r) == GW_CHECK_FAIL)
		return 0;
	for (i = 0; i < gw_report_count(r); i++)
		if (strcmp(gw_report_get(r, i)->name, "migrations") == 0)
			return gw_report_get(r, i)->status == GW_CHECK_OK;
	return 0;
}

/* One refresh: a project of its own (a new session, the folder read
 * again, no cancel left from the last one), published for a cancel while
 * it runs. */
static snapshot *refresh(server *srv, long long started, long long refreshes)
{
	gw_project_options opts = {.version = GW_PROJECT_OPTIONS_VERSION};
	snapshot *s = calloc(1, sizeof(*s));
	gw_report *report = NULL;
	gw_status *st = NULL;
	gw_history *h = NULL, *latest = NULL;
	long long failures = 0;
	gw_project *p = NULL;
	gw_ctx *ctx = NULL;
	int rc, cancelled = 0;

	if (!s)
		return NULL;
	s->refs = 1;
	s->taken_ms = started;
	if (gw_ctx_new(&ctx) < 0)
		goto oom;
	if ((rc = gw_config_project_options(&opts, srv->cli->config, ctx)) == 0) {
		opts.application_name = "godwit";
		/* The next refresh is the retry: a probe must not wait for
		 * backoff. */
		opts.timeouts.connect_retries = GW_OPTION_OFF;
		rc = gw_project_open(&p, &opts, ctx);
	}
	if (rc < 0) {
		s->health = error_body(ctx, "cannot open the project");
		s->error = error_body(ctx, "cannot open the project");
		goto done;
	}
	pthread_mutex_lock(&srv->lock);
	srv->current = p;
	if (srv->stop)
		gw_project_cancel(p);
	pthread_mutex_unlock(&srv->lock);

	rc = gw_project_health_basic(&report, p);
	s->ready = is_ready(rc, report);
	/* A check that could not run is a failed check of the report; an
	 * error it does not show as one (out of memory) must not read ok
	 * beside a 503. */
	s->health = rc < 0 && gw_report_status(report) != GW_CHECK_FAIL
	                    ? error_body(ctx, "cannot check the health")
	                    : dump(gw_cli_health_json(report));
	gw_ctx_clear_error(ctx);
	/* A cancelled project goes on to its next query: after a cancel,
	 * nothing more is asked. */
	if (gw_project_cancelled(p)) {
		/* the timeout report below */
	} else if (gw_report_status(report) == GW_CHECK_FAIL && gw_report_count(report) <= 1) {
		/* Not connected: status and events would only say so again. */
		s->error = s->health ? strdup(s->health) : NULL;
	} else if ((rc = gw_project_status(&st, p)) < 0 || gw_project_cancelled(p) ||
	           (rc = gw_project_history(&h, p, NULL, HISTORY_MAX)) < 0 ||
	           gw_project_cancelled(p) || (rc = gw_project_history_latest(&latest, p)) < 0 ||
	           (rc = gw_project_event_count(&failures, p, "fail")) < 0) {
		s->ready = 0;
		s->error = error_body(ctx, "cannot read the history");
	} else {
		/* /status is status --format json: with what each migration
		 * depends on, from the graph on this status. */
		gw_graph *g = NULL;

		if (gw_status_graph(&g, p, st) == 0)
			s->status = dump(gw_cli_status_json(p, srv->cli->config, st, g));
		gw_graph_free(g);
	}

	pthread_mutex_lock(&srv->lock);
	srv->current = NULL;
	cancelled = gw_project_cancelled(p);
	pthread_mutex_unlock(&srv->lock);
	if (cancelled) {
		/* A cancelled refresh's errors ("canceling statement due to
		 * user request") would hide why: the database was too slow. */
		free(s->health);
		free(s->status);
		free(s->error);
		s->ready = 0;
		s->status = NULL;
		s->health = timeout_body(srv);
		s->error = timeout_body(srv);
		gw_status_free(st);
		gw_history_free(h);
		gw_history_free(latest);
		st = NULL;
		h = latest = NULL;
	}
	if (!h) {
		/* Events without status, or the reverse, would be half a
		 * picture. */
		gw_history_free(latest);
		latest = NULL;
	}
	s->metrics = render_metrics(srv, report, st, latest, failures, refreshes);
	s->events = h;
	h = NULL;
done:
	gw_history_free(latest);
	latest = NULL;
	if (!s->health || !s->metrics || (!s->status && !s->error))
		goto oom;
	gw_report_free(report);
	gw_status_free(st);
	gw_project_free(p);
	gw_ctx_free(ctx);
	return s;
oom:
	gw_report_free(report);
	gw_status_free(st);
	gw_history_free(h);
	gw_project_free(p);
	gw_ctx_free(ctx);
	snapshot_release(s);
	return NULL;
}

static void *refresher(void *arg)
{
	server *srv = arg;
	snapshot *s;
	long long started, n;

	pthread_mutex_lock(&srv->lock);
	for (;;) {
		while (!srv->stop && !srv->wanted)
			pthread_cond_wait(&srv->wake, &srv->lock);
		if (srv->stop)
			break;
		srv->wanted = 0;
		started = now_ms();
		/* Another request's refresh may have been enough. */
		if (srv->snap && started - srv->snap->taken_ms < srv->cache_ms)
			continue;
		srv->refreshing = 1;
		srv->last_start_ms = started;
		n = ++srv->refreshes;
		pthread_mutex_unlock(&srv->lock);

		s = refresh(srv, started, n);

		pthread_mutex_lock(&srv->lock);
		srv->refreshing = 0;
		if (s) {
			snapshot_release(srv->snap);
			srv->snap = s;
		}
		srv->generation++;
		pthread_cond_broadcast(&srv->done);
	}
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

/* The CLOCK_MONOTONIC time ms milliseconds from now, for the condition
 * variables that wait on that clock. */
static void deadline_in(struct timespec *t, long long ms)
{
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, t);
	ns = t->tv_nsec + ms % 1000 * 1000000;
	t->tv_sec += (time_t)(ms / 1000 + ns / 1000000000);
	t->tv_nsec = (long)(ns % 1000000000);
}

/* The snapshot to answer from (a reference: release it), or NULL when the
 * database did not answer within serve_timeout (or serve is stopping). */
static snapshot *current_snapshot(server *srv)
{
	struct timespec deadline;
	snapshot *s = NULL;
	unsigned long long gen;
	int waited = 0;

	deadline_in(&deadline, srv->timeout_ms);
	pthread_mutex_lock(&srv->lock);
	gen = srv->generation;
	/* A snapshot younger than serve_cache, or one whose refresh ended
	 * after this request came (with serve_cache = 0, each request waits
	 * for a refresh). */
	while (!srv->stop && srv->generation == gen &&
	       !(srv->snap && now_ms() - srv->snap->taken_ms < srv->cache_ms)) {
		if (!srv->refreshing && !srv->wanted) {
			srv->wanted = 1;
			pthread_cond_signal(&srv->wake);
		}
		if (pthread_cond_timedwait(&srv->done, &srv->lock, &deadline) == ETIMEDOUT) {
			waited = 1;
			break;
		}
	}
	if (waited) {
		/* Stop the refresh that keeps everyone waiting; it ends as a
		 * timeout report for the requests of the next serve_cache. (On
		 * a stop, the main thread cancels it: no second cancel here,
		 * which would hold the lock the answers need.) */
		if (srv->current)
			gw_project_cancel(srv->current);
	} else if (!srv->stop && (s = srv->snap)) {
		s->refs++;
	}
	pthread_mutex_unlock(&srv->lock);
	return s;
}

/* ---- HTTP --------------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int code, const char *type,
                             const char *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len = strlen(body);

	r = gw_mhd.MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	                                           MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	gw_mhd.MHD_add_response_header(r, "Content-Type", type);
	gw_mhd.MHD_add_response_header(r, "Cache-Control", "no-store");
	if (code == MHD_HTTP_UNAUTHORIZED)
		gw_mhd.MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"godwit\"");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		gw_mhd.MHD_add_response_header(r, "Allow", "GET, HEAD");
	ret = gw_mhd.MHD_queue_response(c, code, r);
	gw_mhd.MHD_destroy_response(r);
	return ret;
}

#define JSON_TYPE    "application/json"
#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned int code, const char *body)
{
	return reply(c, code, JSON_TYPE, body);
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned int code, const char *msg)
{
	char *body = dump(json_pack("{s:{s:s}}", "error", "message", msg));
	enum MHD_Result ret;

	if (!body)
		return MHD_NO;
	ret = reply_json(c, code, body);
	free(body);
	return ret;
}

/* Compared in a time that does not depend on where the first difference
 * is, so the token cannot be guessed a byte at a time. */
static int authorized(const server *srv, struct MHD_Connection *c)
{
	const char *h = gw_mhd.MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	size_t i, n, tn = strlen(srv->token);
	unsigned char diff = 0;

	if (!h || strncmp(h, "Bearer ", 7) != 0)
		return 0;
	h += 7;
	n = strlen(h);
	for (i = 0; i < tn; i++)
		diff |= (unsigned char)(h[i < n ? i : 0] ^ srv->token[i]);
	return diff == 0 && n == tn;
}

static enum MHD_Result reply_history(struct MHD_Connection *c, const snapshot *s)
{
	const char *limit = gw_mhd.MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
	size_t n = gw_history_count(s->events), first = 0;
	enum MHD_Result ret;
	char *body;
	int count = HISTORY_DEFAULT;

	if (limit && (gw_parse_count(limit, &count) < 0 || count > HISTORY_MAX))
		return reply_error(c, MHD_HTTP_BAD_REQUEST,
		                   "limit must be a whole number from 1 to " HISTORY_MAX_TEXT);
	if ((size_t)count < n)
		first = n - (size_t)count;
	if (!(body = dump(gw_cli_history_json(s->events, first))))
		return MHD_NO;
	ret = reply_json(c, MHD_HTTP_OK, body);
	free(body);
	return ret;
}

/* A request counts from its first call until libmicrohttpd says it is
 * over (answered, or the connection gone), so a stop can let the answers
 * in flight go out before it closes the connections. */
static char request_mark;

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	server *srv = cls;

	(void)c;
	(void)toe;
	if (*con_cls != &request_mark)
		return;
	*con_cls = NULL;
	pthread_mutex_lock(&srv->lock);
	if (--srv->in_flight == 0)
		pthread_cond_broadcast(&srv->idle);
	pthread_mutex_unlock(&srv->lock);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
	server *srv = cls;
	snapshot *s;
	enum MHD_Result ret;
	char *timeout;

	(void)version;
	(void)upload;
	if (!*con_cls) {
		*con_cls = &request_mark;
		pthread_mutex_lock(&srv->lock);
		srv->in_flight++;
		pthread_mutex_unlock(&srv->lock);
	}
	/* A body is never read: MHD calls this first with *upload_size 0,
	 * and every path queues its answer (or fails) on that first call,
	 * so no call with upload data follows. */
	(void)upload_size;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD are served");
	if (strcmp(url, "/health/live") == 0)
		return reply_json(c, MHD_HTTP_OK, "{\n  \"status\": \"ok\"\n}\n");
	if (strcmp(url, "/health/ready") && strcmp(url, "/status") && strcmp(url, "/history") &&
	    strcmp(url, "/metrics"))
		return reply_error(c, MHD_HTTP_NOT_FOUND,
		                   "not found; godwit serves /health/live, /health/ready, /status, "
		                   "/history and /metrics");
	if (srv->token && !authorized(srv, c))
		return reply_error(
		        c, MHD_HTTP_UNAUTHORIZED,
		        "this needs the header 'Authorization: Bearer' with serve_token");
	if (!(s = current_snapshot(srv))) {
		if (srv->stop)
			return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			                   "godwit serve is stopping");
		if (!(timeout = timeout_body(srv)))
			return MHD_NO;
		ret = reply_json(c, MHD_HTTP_SERVICE_UNAVAILABLE, timeout);
		free(timeout);
		return ret;
	}
	if (strcmp(url, "/health/ready") == 0)
		ret = reply_json(c, s->ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
		                 s->health);
	else if (strcmp(url, "/metrics") == 0)
		ret = reply(c, MHD_HTTP_OK, METRICS_TYPE, s->metrics);
	else if (strcmp(url, "/status") == 0 ? !s->status : !s->events)
		ret = reply_json(c, MHD_HTTP_SERVICE_UNAVAILABLE, s->error);
	else if (strcmp(url, "/status") == 0)
		ret = reply_json(c, MHD_HTTP_OK, s->status);
	else
		ret = reply_history(c, s);
	pthread_mutex_lock(&srv->lock);
	snapshot_release(s);
	pthread_mutex_unlock(&srv->lock);
	return ret;
}

/* ---- the command ------------------------------------------------------------- */

/* A duration setting in milliseconds (its value was checked when read,
 * and it has a default: it is never unset). */
static long long setting_ms(const gw_cli *cli, const char *key)
{
	const char *v = gw_config_get(cli->config, key);
	char *end;
	long long n = strtoll(v, &end, 10);

	if (strcmp(end, "ms") == 0)
		return n;
	if (strcmp(end, "min") == 0)
		return n * 60000;
	return n * 1000;
}

/* Opens the listening socket for "ADDR:PORT" ("[v6]:PORT" too); *fd
 * gets it, and `shown` the address as a URL. Returns 0 or an exit code. */
static int listen_on(gw_cli *cli, int *fd, char *shown, size_t shown_size)
{
	const char *spec = gw_config_get(cli->config, "listen");
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage bound;
	socklen_t len = sizeof(bound);
	char host[256], port[16], numeric[64];
	const char *colon = strrchr(spec, ':');
	size_t hlen;
	int one = 1, rc;

	*fd = -1;
	hlen = colon ? (size_t)(colon - spec) : 0;
	if (hlen && spec[0] == '[' && spec[hlen - 1] == ']')
		spec++, hlen -= 2;
	if (!colon || !hlen || hlen >= sizeof(host) || !colon[1] ||
	    strlen(colon + 1) >= sizeof(port))
		return gw_cli_usage(
		        cli, "listen must be ADDR:PORT, such as 127.0.0.1:8080, not '%s' (%s)",
		        gw_config_get(cli->config, "listen"),
		        gw_config_source(cli->config, "listen"));
	/* getaddrinfo takes any number for a port and wraps it: 99999 would
	 * listen on 34463. */
	if (strspn(colon + 1, "0123456789") != strlen(colon + 1) || atol(colon + 1) > 65535)
		return gw_cli_usage(
		        cli, "listen: the port must be a number from 0 to 65535, not '%s' (%s)",
		        colon + 1, gw_config_source(cli->config, "listen"));
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	snprintf(port, sizeof(port), "%s", colon + 1);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		return gw_cli_usage(cli, "listen: cannot use '%s': %s (%s)",
		                    gw_config_get(cli->config, "listen"), gai_strerror(rc),
		                    gw_config_source(cli->config, "listen"));
	/* getnameinfo's error is its result (gai_strerror), the others' errno. */
	if ((*fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) < 0 ||
	    setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(*fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(*fd, 128) < 0 ||
	    getsockname(*fd, (struct sockaddr *)&bound, &len) < 0 ||
	    (rc = getnameinfo((struct sockaddr *)&bound, len, numeric, sizeof(numeric), port,
	                      sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV)) != 0) {
		const char *why = rc ? gai_strerror(rc) : strerror(errno);

		freeaddrinfo(ai);
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return gw_cli_refuse(cli, "choose another port with --listen ADDR:PORT",
		                     "cannot listen on %s: %s",
		                     gw_config_get(cli->config, "listen"), why);
	}
	snprintf(shown, shown_size, ai->ai_family == AF_INET6 ? "http://[%s]:%s" : "http://%s:%s",
	         numeric, port);
	freeaddrinfo(ai);
	return 0;
}

static int serve_run(gw_cli *cli, const gw_args *args)
{
	server srv;
	struct MHD_Daemon *daemon = NULL;
	pthread_t thread;
	sigset_t stop_signals, old;
	char why[600], url[128];
	int fd = -1, rc, sig = 0, started = 0;

	(void)args;
	memset(&srv, 0, sizeof(srv));
	srv.cli = cli;
	srv.token = gw_config_get(cli->config, "serve_token");
	srv.cache_ms = setting_ms(cli, "serve_cache");
	srv.timeout_ms = setting_ms(cli, "serve_timeout");
	if (srv.timeout_ms <= 0)
		return gw_cli_usage(cli, "serve_timeout must be more than 0 (%s)",
		                    gw_config_source(cli->config, "serve_timeout"));
	if (gw_mhd_load(why, sizeof(why)) < 0)
		return gw_cli_refuse(cli, NULL, "%s", why);
	if ((rc = listen_on(cli, &fd, url, sizeof(url))) != 0)
		return rc;
	/* jansson's hash seed, set once before the threads that build JSON. */
	json_object_seed(0);
	pthread_mutex_init(&srv.lock, NULL);
	pthread_cond_init(&srv.wake, NULL);
	{
		pthread_condattr_t attr;

		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&srv.done, &attr);
		pthread_cond_init(&srv.idle, &attr);
		pthread_condattr_destroy(&attr);
	}
	/* The signals are taken by sigwait below, never by a handler: every
	 * thread started from here inherits them blocked. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, &old);
	/* pthread_create's error is its result; errno is not set. */
	if ((rc = pthread_create(&thread, NULL, refresher, &srv)) != 0) {
		rc = gw_cli_refuse(cli, NULL, "cannot start a thread: %s", strerror(rc));
		goto cleanup;
	}
	started = 1;
	daemon = gw_mhd.MHD_start_daemon(
	        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC, 0, NULL,
	        NULL, handle, &srv, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, 256u,
	        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_NOTIFY_COMPLETED, request_done, &srv,
	        MHD_OPTION_END);
	if (!daemon) {
		rc = gw_cli_refuse(cli, NULL, "cannot start the HTTP server on %s", url);
		goto cleanup;
	}
	/* The daemon's now, and ours again after MHD_stop_daemon. */
	fprintf(stderr,
	        "godwit: serving %s on %s (/health/live, /health/ready, /status, /history, "
	        "/metrics)%s\n",
	        gw_project_display_url(cli->project), url,
	        srv.token ? "; all but /health/live need the token" : "");
	fflush(stderr);
	/* sigwait fails only for a set holding an invalid signal. */
	sigwait(&stop_signals, &sig);
	fprintf(stderr, "godwit: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	rc = GW_EXIT_OK;
cleanup:
	/* No new connections; the requests waiting for the database are
	 * answered 503 and go out before the connections close (a few
	 * seconds at most: a client that does not read is not waited for). */
	if (daemon)
		gw_mhd.MHD_quiesce_daemon(daemon);
	pthread_mutex_lock(&srv.lock);
	srv.stop = 1;
	if (srv.current)
		gw_project_cancel(srv.current);
	pthread_cond_broadcast(&srv.wake);
	pthread_cond_broadcast(&srv.done);
	{
		struct timespec until;

		deadline_in(&until, 5000);
		while (srv.in_flight > 0 &&
		       pthread_cond_timedwait(&srv.idle, &srv.lock, &until) != ETIMEDOUT)
			;
	}
	/* The refresh is cancelled until it ends. A cancel reaches the server
	 * only through the refresh's connection: one that came while the
	 * connection was being made, or between two of its statements (the
	 * server ignores it then), was lost, and its next statement waited
	 * for a lock as long as another session held it, with serve unable
	 * to exit. So it is sent again every 100 ms. */
	while (srv.refreshing) {
		struct timespec until;

		if (srv.current)
			gw_project_cancel(srv.current);
		deadline_in(&until, 100);
		pthread_cond_timedwait(&srv.done, &srv.lock, &until);
	}
	pthread_mutex_unlock(&srv.lock);
	if (daemon)
		gw_mhd.MHD_stop_daemon(daemon);
	if (started)
		pthread_join(thread, NULL);
	if (fd >= 0)
		close(fd);
	snapshot_release(srv.snap);
	pthread_cond_destroy(&srv.wake);
	pthread_cond_destroy(&srv.done);
	pthread_cond_destroy(&srv.idle);
	pthread_mutex_destroy(&srv.lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

const gw_cmd gw_cmd_serve = {
        .name = "serve",
        .summary = "serve health checks, status, history and metrics over HTTP",
        .usage = "serve [--listen ADDR:PORT]",
        .description = "GET /health/live (200 while it runs), /health/ready (the health check's\n"
                       "JSON; 200 when no check fails and nothing is pending, else 503), /status,\n"
                       "/history?limit=N (the newest 100 events, up to 1000) and /metrics\n"
                       "(Prometheus). Listens on listen (default 127.0.0.1:8080). With\n"
                       "serve_token set (GODWIT_SERVE_TOKEN), all but /health/live need\n"
                       "'Authorization: Bearer TOKEN'. The database is read at most once per\n"
                       "serve_cache (5s); one that does not answer within serve_timeout (5s)\n"
                       "gets 503. Stops on SIGINT or SIGTERM.",
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT,
        .run = serve_run,
};
