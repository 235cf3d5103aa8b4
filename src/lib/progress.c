/*
 * progress.c: what a run is doing now, for a display (gw_project_set_progress).
 *
 * The runner says which migration and statement it starts; a thread of
 * this file's own calls the caller's callback at a steady pace with that,
 * the time it has taken, and, on PostgreSQL, the sessions that block it.
 * While a statement waits for a lock the runner's connection is busy, so
 * the blocking sessions are asked for on a second connection, opened by
 * the thread itself so that the run never waits for it: pg_blocking_pids()
 * of the runner's server process, with pg_stat_activity's application and
 * query of the first, and how long the lock has been waited for.
 *
 * Before that, a run may wait for another runner's migration lock. The
 * lock code polls for it on the runner's own connection, asking who holds
 * it at each poll when a display wants to know, and tells this thread,
 * which reports the wait at the same steady pace.
 */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/error.h"

#define POLL_MS 250

/* The first blocking session (oldest first), how many there are, and how
 * long the oldest lock request of the session has waited. pg_locks has
 * waitstart from PostgreSQL 14 on; through to_jsonb the query runs on older
 * servers too, where the wait is then counted from when it was first seen. */
static const char BLOCKERS_SQL[] =
        "WITH b AS (SELECT pg_blocking_pids($1::int) AS pids) "
        "SELECT a.pid, coalesce(a.application_name, ''), "
        "coalesce(a.query, ''), cardinality(b.pids), "
        "(SELECT (extract(epoch FROM clock_timestamp() - "
        "min((to_jsonb(l) ->> 'waitstart')::timestamptz)) * 1000)::bigint "
        "FROM pg_locks l WHERE l.pid = $1::int AND NOT l.granted) "
        "FROM b JOIN pg_stat_activity a ON a.pid = ANY (b.pids) "
        "ORDER BY a.backend_start, a.pid LIMIT 1";

typedef struct blocker {
	int pid;
	char *application;
	char *query;
	int count;
	long long waited_ms; /* -1: the server does not say */
} blocker;

struct gw_watch {
	gw_project *p;
	pthread_t thread;
	pthread_mutex_t mutex;
	pthread_cond_t wake;
	int stop;
	int interval_ms;

	/* What runs, set by the runner; m NULL between migrations. */
	const gw_migration *m;
	const char *file;
	gw_direction dir;
	size_t statement, statements;
	long long started_ms;
	unsigned long generation; /* one per migration, so a late answer is dropped */
	int reported;             /* the callback saw this migration */

	/* The runner's server process (0: not known, or not PostgreSQL). */
	int pid;
	const gw_conn *pid_conn; /* the connection pid belongs to */

	/* The thread's own; read by the callback under the mutex. */
	blocker b;
	long long blocked_since; /* when the thread first saw it blocked */

	/* Set by the lock code while the run waits for the runner lock. */
	int lock_waiting;
	char *lock_holder;
	long long lock_since;
};

static long long clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void blocker_clear(blocker *b)
{
	free(b->application);
	free(b->query);
	memset(b, 0, sizeof(*b));
}

static int blocker_row(void *payload, int ncols, const char *const *values)
{
	blocker *b = payload;

	if (ncols < 5 || !values[0])
		return 0;
	b->pid = atoi(values[0]);
	b->application = gw_strdup(values[1] ? values[1] : "");
	b->query = gw_strdup(values[2] ? values[2] : "");
	b->count = values[3] ? atoi(values[3]) : 1;
	b->waited_ms = values[4] ? atoll(values[4]) : -1;
	return b->application && b->query ? 0 : -1;
}

/* Asks the server who blocks pid; *out is cleared when nobody does. */
static void ask_blockers(blocker *out, gw_conn *conn, int pid)
{
	char pidbuf[16];
	const char *params[1] = {pidbuf};
	gw_stmt stmt = {BLOCKERS_SQL, sizeof(BLOCKERS_SQL) - 1, params, 1};

	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	if (conn->driver->exec(conn, &stmt, blocker_row, out) < 0) {
		gw_ctx_clear_error(conn->ctx);
		blocker_clear(out);
	}
}

/* Calls the callback with what runs now; under the mutex. */
static void report(gw_watch *w, long long now)
{
	gw_progress g;

	memset(&g, 0, sizeof(g));
	g.version = w->m->version;
	g.name = w->m->name;
	g.file = w->file;
	g.direction = w->dir;
	g.statement = w->statement;
	g.statements = w->statements;
	g.elapsed_ms = now - w->started_ms;
	if (w->b.pid) {
		g.blocker_pid = w->b.pid;
		g.blocker_application = w->b.application;
		g.blocker_query = w->b.query;
		g.blockers = w->b.count;
		g.waiting_ms = now - w->blocked_since;
	}
	w->reported = 1;
	w->p->progress_cb(&g, w->p->progress_payload);
}

/* Reports the wait for the runner lock; under the mutex. */
static void report_lock(gw_watch *w, long long now)
{
	gw_progress g;

	memset(&g, 0, sizeof(g));
	g.lock_wait = 1;
	g.lock_holder = w->lock_holder;
	g.lock_waiting_ms = now - w->lock_since;
	w->reported = 1;
	w->p->progress_cb(&g, w->p->progress_payload);
}

static void wait_until(gw_watch *w, long long ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&w->wake, &w->mutex, &until);
}

static void *watch_thread(void *arg)
{
	gw_watch *w = arg;
	gw_project *p = w->p;
	gw_conn_options copts = {"godwit progress", 0};
	gw_conn *conn = NULL;
	gw_ctx *ctx = NULL;
	long long next_poll = 0, now;
	int tried = 0;

	pthread_mutex_lock(&w->mutex);
	while (!w->stop) {
		now = clock_ms();
		if (w->m && w->pid && now >= next_poll) {
			unsigned long generation = w->generation;
			int pid = w->pid;
			blocker b;

			memset(&b, 0, sizeof(b));
			next_poll = now + POLL_MS;
			pthread_mutex_unlock(&w->mutex);
			/* Opened once, on the first poll: a failure only costs
			 * the blocking sessions, never the run. */
			if (!tried++ && (gw_ctx_new(&ctx) < 0 ||
			                 p->driver->open(&conn, p->opts.url, &copts, ctx) < 0))
				conn = NULL;
			if (conn)
				ask_blockers(&b, conn, pid);
			pthread_mutex_lock(&w->mutex);
			if (generation == w->generation) {
				/* The server's count as of the poll, counted on
				 * here between polls; else from the first poll
				 * that saw the wait. */
				if (b.pid && b.waited_ms >= 0)
					w->blocked_since = now - b.waited_ms;
				else if (b.pid && !w->b.pid)
					w->blocked_since = now;
				blocker_clear(&w->b);
				w->b = b;
			} else {
				blocker_clear(&b);
			}
			if (w->stop)
				break;
			now = clock_ms();
		}
		if (w->m)
			report(w, now);
		else if (w->lock_waiting)
			report_lock(w, now);
		wait_until(w, w->interval_ms);
	}
	pthread_mutex_unlock(&w->mutex);
	if (conn)
		conn->driver->close(conn);
	gw_ctx_free(ctx);
	return NULL;
}

/* The runner's server process, asked once per connection (a reconnect
 * makes a new one), on a scratch context: progress must never add an
 * error to the run's. */
static int runner_pid(gw_project *p)
{
	gw_session_info info;
	gw_ctx *scratch = NULL;
	gw_ctx *kept;
	int pid = 0;

	if (!p->conn || !p->driver->session || gw_ctx_new(&scratch) < 0)
		return 0;
	kept = p->conn->ctx;
	p->conn->ctx = scratch;
	if (p->driver->session(p->conn, &info) == 0)
		pid = info.server_pid;
	p->conn->ctx = kept;
	gw_ctx_free(scratch);
	return pid;
}

static gw_watch *watch_start(gw_project *p)
{
	gw_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->p = p;
	w->interval_ms = p->progress_interval_ms > 0 ? p->progress_interval_ms : 100;
	pthread_mutex_init(&w->mutex, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (pthread_create(&w->thread, NULL, watch_thread, w) != 0) {
		pthread_mutex_destroy(&w->mutex);
		pthread_cond_destroy(&w->wake);
		free(w);
		return NULL;
	}
	return w;
}

void gw_progress__begin(gw_project *p, const gw_migration *m, gw_direction dir, const char *file,
                        size_t statements, int each)
{
	gw_watch *w;
	int pid = 0;

	if (!p->progress_cb)
		return;
	if (!p->watch && !(p->watch = watch_start(p)))
		return; /* no thread: no progress, the run goes on */
	w = p->watch;
	if (w->pid_conn != p->conn && p->driver->dialect == GW_DIALECT_POSTGRES)
		pid = runner_pid(p);
	pthread_mutex_lock(&w->mutex);
	if (w->pid_conn != p->conn) {
		w->pid = pid;
		w->pid_conn = p->conn;
	}
	w->m = m;
	w->file = file;
	w->dir = dir;
	w->statement = 0;
	w->statements = statements;
	w->started_ms = clock_ms();
	w->generation++;
	w->reported = 0;
	blocker_clear(&w->b);
	if (each)
		w->statement = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mutex);
}

int gw_progress__wants_lock_holder(const gw_project *p)
{
	return p->progress_cb != NULL;
}

void gw_progress__lock_wait(gw_project *p, const char *holder, long long since)
{
	gw_watch *w;
	char *copy = holder ? gw_strdup(holder) : NULL;

	if (!p->progress_cb || (!p->watch && !(p->watch = watch_start(p)))) {
		free(copy);
		return;
	}
	w = p->watch;
	pthread_mutex_lock(&w->mutex);
	if (!w->lock_waiting) {
		w->lock_waiting = 1;
		w->lock_since = since;
		w->reported = 0;
		pthread_cond_signal(&w->wake);
	}
	/* A holder that let go between the two queries, or a failed query,
	 * leaves the last one known. */
	if (copy) {
		free(w->lock_holder);
		w->lock_holder = copy;
	}
	pthread_mutex_unlock(&w->mutex);
}

void gw_progress__lock_end(gw_project *p)
{
	gw_watch *w = p->watch;
	gw_progress g;

	if (!w)
		return;
	pthread_mutex_lock(&w->mutex);
	if (w->lock_waiting && w->reported) {
		memset(&g, 0, sizeof(g));
		p->progress_cb(&g, p->progress_payload);
	}
	w->lock_waiting = 0;
	w->reported = 0;
	free(w->lock_holder);
	w->lock_holder = NULL;
	pthread_mutex_unlock(&w->mutex);
}

void gw_progress__statement(gw_project *p, size_t statement)
{
	gw_watch *w = p->watch;

	if (!w)
		return;
	pthread_mutex_lock(&w->mutex);
	if (w->statement != statement + 1) {
		w->statement = statement + 1;
		w->generation++; /* a new statement waits on its own */
		blocker_clear(&w->b);
	}
	pthread_mutex_unlock(&w->mutex);
}

void gw_progress__end(gw_project *p)
{
	gw_watch *w = p->watch;
	gw_progress g;

	if (!w)
		return;
	pthread_mutex_lock(&w->mutex);
	if (w->m && w->reported) {
		memset(&g, 0, sizeof(g));
		p->progress_cb(&g, p->progress_payload);
	}
	w->m = NULL;
	w->generation++;
	blocker_clear(&w->b);
	pthread_mutex_unlock(&w->mutex);
}

void gw_progress__stop(gw_project *p)
{
	gw_watch *w = p->watch;

	if (!w)
		return;
	gw_progress__lock_end(p);
	gw_progress__end(p);
	pthread_mutex_lock(&w->mutex);
	w->stop = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mutex);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mutex);
	pthread_cond_destroy(&w->wake);
	blocker_clear(&w->b);
	free(w);
	p->watch = NULL;
}

void gw_project_set_progress(gw_project *p, gw_progress_cb cb, void *payload, int interval_ms)
{
	if (!p)
		return;
	gw_progress__stop(p);
	p->progress_cb = cb;
	p->progress_payload = payload;
	p->progress_interval_ms = interval_ms;
}
