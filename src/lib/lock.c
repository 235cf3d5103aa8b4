/*
 * lock.c: the runner lock, one interface (gw_project__lock, _unlock,
 * _lock_held_elsewhere, _lock_lost, _lock_drop) over its two kinds.
 *
 * PostgreSQL by default: a session advisory lock keyed by the history
 * table's name, polled with pg_try_advisory_lock. It is refused behind a
 * transaction pooler, where it would not keep other runners out.
 *
 * lock = table: a lease row, for connections that go through PgBouncer in
 * transaction mode. A session advisory lock needs a session of its own,
 * which a transaction pooler does not give: the lock would stay with
 * whatever server connection the pooler picked. Here the lock is a row in
 * godwit_lock with an owner and an expiry, taken and renewed by single
 * autocommit statements. A heartbeat thread, on its own connection and
 * context, renews it every third of the lease; a killed runner stops
 * renewing, and the next one takes the row over once it has expired. The
 * heartbeat calls no callback; it is started by gw_project__lock and
 * joined by gw_project__unlock (or _lock_drop).
 *
 * SQLite has no session lock: each migration's transaction takes the
 * database's write lock and re-checks the history row first.
 *
 * Which of the three a run takes is the engine's (engine.h): the lease
 * when lock = table asks for it, else the engine's own (the lease on
 * CockroachDB and YugabyteDB, which have no advisory locks).
 *
 * A migration can release the advisory lock itself (DISCARD ALL,
 * pg_advisory_unlock_all(): lint's releasing-migration-lock). Checking
 * after every statement would cost a round trip each, so the runner asks
 * gw_project__lock_recheck only where it can have happened: after a
 * migration run statement by statement, after one whose text names what
 * releases it, and after every later one of the run (the text may define
 * a function that a later migration calls). A release none of these sees
 * shows at the end, when the unlock finds the lock gone: a warning.
 *
 * The history tables are not created here: the code that writes history
 * does that once it holds the lock (gw_hist_begin).
 */
#include "internal.h"
#include "util/text.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/backoff.h"
#include "../util/error.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the lease (lock = table) -------------------------------------------- */

static void lease_release(gw_lease *l);

struct gw_lease {
	gw_project *p;
	char *table_q;
	char owner[128];
	char lease[32]; /* "60000 milliseconds" */
	pthread_t thread;
	pthread_mutex_t mutex;
	pthread_cond_t stop_cond;
	int stop;
	atomic_int lost; /* the heartbeat found the row taken over, or could not renew */
	int running;
};

static int row_exists(void *payload, int ncols, const char *const *values)
{
	(void)ncols;
	(void)values;
	*(int *)payload = 1;
	return 0;
}

/* One statement on conn, its rows to cb (which may be NULL). */
static int exec_rows(gw_conn *conn, const char *sql, const char *const *params, int n, gw_row_cb cb,
                     void *payload)
{
	gw_stmt stmt = {sql, strlen(sql), params, n};

	/* The SQL of a text that could not be built is empty: run, it would
	 * match no row, and a lease would read as held by someone else or
	 * lost. */
	if (!*sql)
		return gw_error_oom(conn->ctx);
	return conn->driver->exec(conn, &stmt, cb, payload);
}

/* *rows (may be NULL): whether the statement returned a row. */
static int exec_sql(gw_conn *conn, const char *sql, const char *const *params, int n, int *rows)
{
	if (rows)
		*rows = 0;
	return exec_rows(conn, sql, params, n, rows ? row_exists : NULL, rows);
}

static int is_creation_race(gw_ctx *ctx)
{
	const gw_error *e = gw_ctx_error(ctx);

	/* Two first runners creating the table at once: the loser fails on
	 * the catalog's unique indexes (the table's or its row type's). */
	return e && (!strcmp(e->sqlstate, "23505") || !strcmp(e->sqlstate, "42P07") ||
	             !strcmp(e->sqlstate, "42710"));
}

static int ensure_table(gw_lease *l)
{
	const char *params[1] = {l->table_q};
	gw_str sql = GW_STR_INIT;
	int exists = 0, schema = 0, error;

	/* Checking first keeps "already exists, skipping" notices out of
	 * every run. */
	if ((error = exec_sql(l->p->conn, "SELECT 1 WHERE to_regclass($1) IS NOT NULL", params, 1,
	                      &exists)) < 0 ||
	    exists || (error = gw_hist_schema_missing(&schema, l->p)) < 0)
		return error;
	/* The lease comes before the history tables, which create their
	 * schema: a history schema of its own must exist for the lease too. */
	if (schema) {
		char *q = NULL;

		if (l->p->driver->quote_ident(l->p->conn, l->p->opts.schema, &q) < 0)
			return gw_error_oom(l->p->ctx);
		gw_str_printf(&sql, "CREATE SCHEMA IF NOT EXISTS %s; ", q);
		free(q);
	}
	gw_str_printf(&sql,
	              "CREATE TABLE IF NOT EXISTS %s (name text PRIMARY KEY, owner text NOT NULL, "
	              "acquired_at timestamptz NOT NULL, heartbeat_at timestamptz NOT NULL, "
	              "expires_at timestamptz NOT NULL)",
	              l->table_q);
	error = exec_sql(l->p->conn, sql.ptr, NULL, 0, NULL);
	if (error < 0 && is_creation_race(l->p->ctx)) {
		gw_ctx_clear_error(l->p->ctx);
		error = 0;
	}
	gw_str_dispose(&sql);
	return error;
}

/* Takes the row if nobody holds it or its lease has expired. */
static int try_take(gw_lease *l, int *taken)
{
	const char *params[3] = {l->p->table_q, l->owner, l->lease};
	gw_str sql = GW_STR_INIT;
	int error;

	gw_str_printf(&sql,
	              "INSERT INTO %s AS l (name, owner, acquired_at, heartbeat_at, expires_at) "
	              "VALUES ($1, $2, now(), now(), now() + $3::interval) ON CONFLICT (name) DO "
	              "UPDATE SET owner = excluded.owner, acquired_at = now(), heartbeat_at = "
	              "now(), expires_at = excluded.expires_at WHERE l.expires_at < now() OR "
	              "l.owner = excluded.owner RETURNING owner",
	              l->table_q);
	error = exec_sql(l->p->conn, sql.ptr, params, 3, taken);
	gw_str_dispose(&sql);
	return error;
}

static int text_row(void *payload, int ncols, const char *const *values)
{
	char **out = payload;

	if (ncols > 0 && values[0] && !*out)
		*out = gw_strdup(values[0]);
	return 0;
}

static char *describe_holder(gw_lease *l)
{
	const char *params[1] = {l->p->table_q};
	gw_str sql = GW_STR_INIT;
	char *text = NULL;
	gw_stmt stmt;

	gw_str_printf(&sql,
	              "SELECT 'owner ' || owner || ', since ' || acquired_at || ', last "
	              "heartbeat ' || heartbeat_at || ', expires ' || expires_at FROM %s "
	              "WHERE name = $1",
	              l->table_q);
	stmt.sql = sql.ptr;
	stmt.len = sql.size;
	stmt.params = params;
	stmt.nparams = 1;
	/* A courtesy for the error message; its own failure is not reported. */
	if (l->p->conn->driver->exec(l->p->conn, &stmt, text_row, &text) < 0)
		gw_ctx_clear_error(l->p->ctx);
	gw_str_dispose(&sql);
	return text;
}

/* ---- the heartbeat --------------------------------------------------------- */

static int renew(gw_lease *l, gw_conn *conn)
{
	const char *params[3] = {l->p->table_q, l->owner, l->lease};
	gw_str sql = GW_STR_INIT;
	int renewed = 0, error;

	gw_str_printf(&sql,
	              "UPDATE %s SET heartbeat_at = now(), expires_at = now() + $3::interval "
	              "WHERE name = $1 AND owner = $2 RETURNING owner",
	              l->table_q);
	error = exec_sql(conn, sql.ptr, params, 3, &renewed);
	gw_str_dispose(&sql);
	return error < 0 ? error : renewed ? 0 : -1;
}

static void *heartbeat(void *arg)
{
	gw_lease *l = arg;
	gw_conn *conn = NULL;
	gw_ctx *ctx = NULL;
	gw_conn_options copts = {"godwit heartbeat", 0};
	long interval_ms = l->p->opts.lock_lease / 3;
	struct timespec until;

	/* Its own context and connection: the runner's are not shared
	 * between threads. */
	if (gw_ctx_new(&ctx) < 0 || l->p->driver->open(&conn, l->p->opts.url, &copts, ctx) < 0) {
		atomic_store(&l->lost, 1);
		goto done;
	}
	pthread_mutex_lock(&l->mutex);
	while (!l->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += interval_ms / 1000;
		until.tv_nsec += (interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&l->stop_cond, &l->mutex, &until) == 0 || l->stop)
			break;
		pthread_mutex_unlock(&l->mutex);
		if (renew(l, conn) < 0) {
			gw_ctx_clear_error(ctx);
			atomic_store(&l->lost, 1);
		}
		pthread_mutex_lock(&l->mutex);
	}
	pthread_mutex_unlock(&l->mutex);
done:
	if (conn)
		conn->driver->close(conn);
	gw_ctx_free(ctx);
	return NULL;
}

/* ---- taking and giving back ------------------------------------------------ */

static int timeout_error(gw_lease *l)
{
	char *holder = describe_holder(l);
	int error = gw_error_set(l->p->ctx, GW_ELOCK,
	                         "another godwit run has held the migration lease on %s for over "
	                         "%d s%s%s",
	                         l->table_q, l->p->opts.lock_wait / 1000, holder ? ": " : "",
	                         holder ? holder : "");

	gw_error_set_hint_code(l->p->ctx, GW_HINT_LEASE_WAIT, NULL, NULL);
	free(holder);
	return error;
}

static void lease_free(gw_lease *l)
{
	free(l->table_q);
	pthread_mutex_destroy(&l->mutex);
	pthread_cond_destroy(&l->stop_cond);
	free(l);
}

static int lease_new(gw_lease **out, gw_project *p)
{
	gw_lease *l = calloc(1, sizeof(*l));
	char host[64] = "";
	char *schema_q = NULL, *table_q = NULL;
	gw_str q = GW_STR_INIT;
	int error;

	*out = NULL;
	if (!l)
		return gw_error_oom(p->ctx);
	pthread_mutex_init(&l->mutex, NULL);
	pthread_cond_init(&l->stop_cond, NULL);
	l->p = p;
	gethostname(host, sizeof(host) - 1);
	snprintf(l->owner, sizeof(l->owner), "%s:%ld:%lld", host, (long)getpid(), now_ms());
	snprintf(l->lease, sizeof(l->lease), "%d milliseconds", p->opts.lock_lease);
	if ((error = p->driver->quote_ident(p->conn, p->opts.schema, &schema_q)) < 0 ||
	    (error = p->driver->quote_ident(p->conn, GW_LOCK_TABLE, &table_q)) < 0)
		goto cleanup;
	gw_str_printf(&q, "%s.%s", schema_q, table_q);
	if (!(l->table_q = gw_str_detach(&q)))
		error = gw_error_oom(p->ctx);
cleanup:
	free(schema_q);
	free(table_q);
	if (error < 0)
		lease_free(l);
	else
		*out = l;
	return error;
}

static int lease_held(int *held, gw_project *p)
{
	gw_lease *l = NULL;
	const char *params[1];
	gw_str sql = GW_STR_INIT;
	int exists = 0, error;

	*held = 0;
	if ((error = lease_new(&l, p)) < 0)
		return error;
	params[0] = l->table_q;
	if ((error = exec_sql(p->conn, "SELECT 1 WHERE to_regclass($1) IS NOT NULL", params, 1,
	                      &exists)) < 0 ||
	    !exists)
		goto cleanup;
	params[0] = p->table_q;
	gw_str_printf(&sql, "SELECT 1 FROM %s WHERE name = $1 AND expires_at > now()", l->table_q);
	error = gw_str_failed(&sql) ? gw_error_oom(p->ctx)
	                            : exec_sql(p->conn, sql.ptr, params, 1, held);
cleanup:
	gw_str_dispose(&sql);
	lease_free(l);
	return error;
}

/* Given back even after a failed run, so the next deploy need not wait
 * for the lease to expire; if that fails the lease simply expires, and the
 * failure must not hide the run's own error. */
static void give_back(gw_lease *l)
{
	const char *params[2] = {l->p->table_q, l->owner};
	gw_str sql = GW_STR_INIT;
	int had_error = gw_error_is_set(l->p->ctx);

	gw_str_printf(&sql, "DELETE FROM %s WHERE name = $1 AND owner = $2", l->table_q);
	if (l->p->conn && exec_sql(l->p->conn, sql.ptr, params, 2, NULL) < 0 && !had_error)
		gw_ctx_clear_error(l->p->ctx);
	gw_str_dispose(&sql);
}

/* ---- both kinds at once ---------------------------------------------------
 *
 * A runner with lock = table (through a pooler) and one without (on the
 * direct URL) can run at the same time: each takes its own kind, then
 * looks for the other's, so that of two runners at least one sees the
 * other. The one with the lease gives it back and waits while the
 * advisory lock is held (pg_locks, which a pooler does not hide), taking
 * the lease again only once it is free; the one
 * with the advisory lock keeps it and waits while a live lease is held,
 * so neither waits for the other forever. */

/* The session that holds the advisory lock, described, in *holder (NULL:
 * nobody else); on an engine without advisory locks, nobody. */
static int advisory_holder(gw_project *p, char **holder)
{
	*holder = NULL;
	if (p->engine->lock != GW_ENGINE_LOCK_ADVISORY || !p->driver->lock_holder)
		return 0;
	return p->driver->lock_holder(p->conn, p->lock_key, holder);
}

static int lease_acquire(gw_lease **out, gw_project *p)
{
	long long start = now_ms(), deadline = start + p->opts.lock_wait;
	gw_lease *l = NULL;
	int taken = 0, told = 0, attempt = 0, error;

	*out = NULL;
	if (!p->engine->lease)
		return gw_error_set(p->ctx, GW_EINVALID, "lock = table needs PostgreSQL");
	if ((error = lease_new(&l, p)) < 0)
		return error;
	if ((error = ensure_table(l)) < 0)
		goto fail;
	for (;;) {
		char *runner = NULL;

		/* From the second turn of a wait on, the advisory lock is
		 * asked about before the lease is taken again: taking and
		 * giving back the lease at every turn showed a lease to every
		 * reader (status, a third runner) for a moment each time.
		 * Taken, the lease is still checked against the advisory
		 * lock, as the advisory side checks it against the lease. */
		taken = 0;
		if ((attempt > 0 && (error = advisory_holder(p, &runner)) < 0) ||
		    (!runner && ((error = try_take(l, &taken)) < 0 ||
		                 (taken && (error = advisory_holder(p, &runner)) < 0))))
			goto fail;
		if (runner && taken) {
			give_back(l);
			taken = 0;
		}
		if (taken) {
			p->lock_waited_ms = told ? now_ms() - start : 0;
			break;
		}
		if (p->cancelled) {
			free(runner);
			error = gw_project__cancel_error(p,
			                                 "stopped while waiting for the migration "
			                                 "lease; nothing was changed");
			goto fail;
		}
		if (runner && now_ms() >= deadline) {
			error = gw_error_set(p->ctx, GW_ELOCK,
			                     "another godwit run has held the migration lock on %s "
			                     "for over %d s: %s",
			                     p->table_q, p->opts.lock_wait / 1000, runner);
			gw_error_set_hint_code(p->ctx, GW_HINT_LOCK_WAIT, NULL, NULL);
			free(runner);
			goto fail;
		}
		if (now_ms() >= deadline) {
			error = timeout_error(l);
			goto fail;
		}
		if (!told++)
			gw_notify(p->ctx, GW_NOTICE_LOCK_WAIT, NULL, NULL, NULL, -1,
			          "another godwit run holds the migration %s; waiting up to %d s",
			          runner ? "lock" : "lease", p->opts.lock_wait / 1000);
		if (gw_progress__wants_lock_holder(p)) {
			char *holder = runner ? runner : describe_holder(l);

			runner = NULL;
			gw_progress__lock_wait(p, holder, start);
			free(holder);
		}
		free(runner);
		gw_sleep_ms(gw_backoff_ms(attempt++ < 5 ? attempt : 5, 50, 1000));
	}
	gw_progress__lock_end(p);
	if (pthread_create(&l->thread, NULL, heartbeat, l) != 0) {
		error = gw_error_set(p->ctx, GW_ERROR, "cannot start the lease's heartbeat");
		lease_release(l);
		return error;
	}
	l->running = 1;
	*out = l;
	return 0;
fail:
	gw_progress__lock_end(p);
	lease_free(l);
	return error;
}

static int lease_lost(gw_lease *l)
{
	return l && atomic_load(&l->lost);
}

/* Stops the heartbeat, so that the lease can lapse. */
static void lease_stop(gw_lease *l)
{
	if (l->running) {
		pthread_mutex_lock(&l->mutex);
		l->stop = 1;
		pthread_cond_signal(&l->stop_cond);
		pthread_mutex_unlock(&l->mutex);
		pthread_join(l->thread, NULL);
		l->running = 0;
	}
}

static void lease_release(gw_lease *l)
{
	lease_stop(l);
	give_back(l);
	lease_free(l);
}

/* A lease kept from a lost session (gw_project__lock_drop): given back
 * on the session there is now, if any; only if it is still this run's. */
static void give_back_kept(gw_project *p)
{
	if (!p->locked && p->lease) {
		lease_release(p->lease);
		p->lease = NULL;
	}
}

/* ---- no advisory lock behind a transaction pooler ---------------------------
 *
 * PgBouncer in transaction mode (Supabase's port 6543, the pooled URLs of
 * Vercel's Neon and Supabase integrations) hands each transaction to
 * whichever server connection is free. A session advisory lock taken
 * through it stays on that server connection: the next transaction may run
 * elsewhere, and another runner's may run there and find the lock its own.
 * Two deploys would then migrate at once. So before taking the lock, the
 * runner looks for a transaction pooler, and refuses the lock if it finds
 * one, pointing to the direct URL or `lock = table` (above).
 *
 * The signs, cheapest first: the connection string names a pooler
 * (pgbouncer=true, Supabase's port 6543, a Neon "-pooler." host); else the
 * server process that answers is not the one the connection was given at
 * startup (poolers make up their own), and then, to tell a transaction
 * pooler from a session one, whether the server process changes between
 * two transactions while a second connection holds one open (a session
 * pooler keeps the process for the client).
 */

static int pid_row(void *payload, int ncols, const char *const *values)
{
	if (ncols > 0 && values[0])
		*(int *)payload = atoi(values[0]);
	return 0;
}

/* With a second connection inside a transaction: whether this
 * connection's statements moved to another server process, or the second
 * connection's transaction ran on this one's. 1 yes, 0 no (a session
 * pooler or proxy), -1 when it could not be checked. */
static int transactions_move(gw_project *p, const gw_session_info *first)
{
	gw_conn_options copts = {p->app_name, p->opts.lock_wait};
	gw_session_info again;
	gw_conn *other = NULL;
	gw_ctx *ctx = NULL;
	int other_pid = 0, moved = -1;

	if (gw_ctx_new(&ctx) < 0 || p->driver->open(&other, p->opts.url, &copts, ctx) < 0)
		goto cleanup;
	if (exec_sql(other, "BEGIN", NULL, 0, NULL) < 0 ||
	    exec_rows(other, "SELECT pg_backend_pid()", NULL, 0, pid_row, &other_pid) < 0)
		goto cleanup;
	if (p->driver->session(p->conn, &again) < 0) {
		gw_ctx_clear_error(p->ctx);
		goto cleanup;
	}
	moved = other_pid == first->server_pid || again.server_pid != first->server_pid;
cleanup:
	if (other) {
		exec_sql(other, "ROLLBACK", NULL, 0, NULL);
		p->driver->close(other);
	}
	gw_ctx_free(ctx);
	return moved;
}

static int check_pooler(gw_project *p)
{
	gw_session_info info;
	const char *why = NULL;
	int error, moved;

	if (!p->driver->session)
		return 0;
	if ((error = p->driver->session(p->conn, &info)) < 0)
		return error;
	if (info.pooler) {
		why = info.pooler;
	} else if (!info.own) {
		moved = transactions_move(p, &info);
		if (moved > 0)
			why = "the server process changes from one transaction to the next";
		else if (moved < 0)
			why = "a pooler answers instead of the server, and its mode could not be "
			      "checked";
	}
	if (!why)
		return 0;
	gw_error_set(p->ctx, GW_ELOCK,
	             "the connection goes through a transaction pooler (%s): a session advisory "
	             "lock would not keep other runners out",
	             why);
	gw_error_set_hint_code(p->ctx, GW_HINT_LOCK_POOLER, NULL, NULL);
	return GW_ELOCK;
}

/* ---- the advisory lock, and the one interface ------------------------------ */

static int lock_timeout_error(gw_project *p)
{
	char *holder = NULL;
	int error;

	/* Naming the holder is a courtesy: if that query fails, the lock
	 * timeout is still the error to report. */
	if (p->driver->lock_holder(p->conn, p->lock_key, &holder) < 0)
		gw_ctx_clear_error(p->ctx);
	error = gw_error_set(
	        p->ctx, GW_ELOCK,
	        "another godwit run has held the migration lock on %s for over %d s%s%s",
	        p->table_q, p->opts.lock_wait / 1000, holder ? ": " : "", holder ? holder : "");
	gw_error_set_hint_code(p->ctx, GW_HINT_LOCK_WAIT, NULL, NULL);
	free(holder);
	return error;
}

/* Poll pg_try_advisory_lock instead of blocking in pg_advisory_lock: a
 * session waiting on the lock would deadlock with a CREATE INDEX
 * CONCURRENTLY run by the holder, which waits for all transactions. */
static int poll_advisory_lock(gw_project *p)
{
	long long start = now_ms(), deadline = start + p->opts.lock_wait;
	long delay = 20;
	int acquired = 0, error, told = 0;

	for (;;) {
		if ((error = p->driver->try_lock(p->conn, p->lock_key, &acquired)) < 0)
			return error;
		if (acquired) {
			p->lock_waited_ms = told ? now_ms() - start : 0;
			return 0;
		}
		if (p->cancelled)
			return gw_project__cancel_error(p,
			                                "stopped while waiting for the migration "
			                                "lock; nothing was changed");
		if (now_ms() >= deadline)
			return lock_timeout_error(p);
		if (!told++)
			gw_notify(p->ctx, GW_NOTICE_LOCK_WAIT, NULL, NULL, NULL, -1,
			          "another godwit run holds the migration lock; waiting up to "
			          "%d s",
			          p->opts.lock_wait / 1000);
		if (gw_progress__wants_lock_holder(p)) {
			char *holder = NULL;

			/* For the display only: a failed query keeps the
			 * holder shown last. */
			if (p->driver->lock_holder(p->conn, p->lock_key, &holder) < 0)
				gw_ctx_clear_error(p->ctx);
			gw_progress__lock_wait(p, holder, start);
			free(holder);
		}
		gw_sleep_ms(delay);
		if (delay < 1000)
			delay *= 2;
	}
}

static int take_advisory_lock(gw_project *p)
{
	int error = poll_advisory_lock(p);

	gw_progress__lock_end(p);
	return error;
}

/* With the advisory lock held: waits while a runner with lock = table
 * holds a live lease ("both kinds at once", above). */
static int wait_for_lease(gw_project *p)
{
	long long start = now_ms(), deadline = start + p->opts.lock_wait;
	int held = 0, told = 0, attempt = 0, error;

	if (!p->engine->lease)
		return 0;
	for (;;) {
		if ((error = lease_held(&held, p)) < 0 || !held)
			break;
		if (p->cancelled) {
			error = gw_project__cancel_error(p,
			                                 "stopped while waiting for the migration "
			                                 "lease; nothing was changed");
			break;
		}
		if (now_ms() >= deadline) {
			error = gw_error_set(p->ctx, GW_ELOCK,
			                     "another godwit run (lock = table) has held the "
			                     "migration lease for over %d s",
			                     p->opts.lock_wait / 1000);
			gw_error_set_hint_code(p->ctx, GW_HINT_LEASE_WAIT, NULL, NULL);
			break;
		}
		if (!told++)
			gw_notify(
			        p->ctx, GW_NOTICE_LOCK_WAIT, NULL, NULL, NULL, -1,
			        "another godwit run holds the migration lease; waiting up to %d s",
			        p->opts.lock_wait / 1000);
		gw_sleep_ms(gw_backoff_ms(attempt++ < 5 ? attempt : 5, 50, 1000));
	}
	if (told && !error)
		p->lock_waited_ms += now_ms() - start;
	return error;
}

int gw_project__lock(gw_project *p)
{
	gw_conn *conn;
	int error;

	if (p->locked)
		return 0;
	if ((error = gw_project__connect(&conn, p)) < 0)
		return error;
	give_back_kept(p);
	switch (gw_engine_lock_for(p->engine, p->opts.lock)) {
	case GW_ENGINE_LOCK_LEASE:
		if ((error = lease_acquire(&p->lease, p)) < 0)
			return error;
		p->locked = 1;
		break;
	case GW_ENGINE_LOCK_ADVISORY:
		if ((error = check_pooler(p)) < 0 || (error = take_advisory_lock(p)) < 0)
			return error;
		if ((error = wait_for_lease(p)) < 0) {
			/* Given back at once; a failed unlock (which cannot
			 * replace the error set) ends with the session. */
			(void)p->driver->unlock(p->conn, p->lock_key);
			return error;
		}
		p->locked = 1;
		break;
	case GW_ENGINE_LOCK_NONE:
		/* Without session locks (SQLite) each migration's transaction
		 * takes the database's write lock and re-checks the history
		 * row first. */
		break;
	}
	return 0;
}

int gw_project__lock_lost(const gw_project *p)
{
	return p->locked && lease_lost(p->lease);
}

/* The session is lost. The lease row outlives it: its heartbeat stops so
 * that it can lapse, and it is kept, unlocked, to be given back on the
 * next session by gw_project__unlock (or _lock), so that after recording
 * the failure the run does not leave the next one waiting out the lease,
 * and status does not take the lease for a runner at work. */
void gw_project__lock_drop(gw_project *p)
{
	if (p->lease)
		lease_stop(p->lease);
	p->locked = 0;
}

int gw_project__lock_held_elsewhere(int *held, gw_project *p)
{
	char *holder = NULL;
	int error = 0;

	*held = 0;
	if (p->locked || !p->conn)
		return 0;
	/* Either kind: a runner of the other kind may be at work
	 * ("both kinds at once", above). */
	switch (gw_engine_lock_for(p->engine, p->opts.lock)) {
	case GW_ENGINE_LOCK_NONE:
		return 0;
	case GW_ENGINE_LOCK_LEASE:
	case GW_ENGINE_LOCK_ADVISORY:
		break;
	}
	if (p->engine->lease && (error = lease_held(held, p)) < 0)
		return error;
	if (*held || (error = advisory_holder(p, &holder)) < 0)
		return error;
	*held = holder != NULL;
	free(holder);
	return 0;
}

void gw_project__unlock(gw_project *p)
{
	int had_error, error;

	give_back_kept(p);
	/* A project whose options could not be copied has no ctx yet. */
	if (!p->locked || !p->conn)
		return;
	/* What the run recorded goes to the audit log and notifications
	 * while the lock still keeps other runners' events out. */
	gw_events__flush(p);
	had_error = gw_error_is_set(p->ctx);
	p->locked = 0;
	if (p->lease) {
		lease_release(p->lease);
		p->lease = NULL;
		return;
	}
	/* Released after a failure too, for a program that keeps the project
	 * open. A failed unlock is harmless (the session lock ends with the
	 * connection) and must not hide the run's own error. */
	error = p->driver->unlock(p->conn, p->lock_key);
	if (error < 0 && !had_error) {
		gw_ctx_clear_error(p->ctx);
		/* Not held any more: something the run did released it where
		 * no re-check looked (a function defined before this run that
		 * calls pg_advisory_unlock_all), and from then on nothing kept
		 * other runners out. Too late to stop; said, not hidden. */
		if (error == GW_ELOCK)
			gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
			          "the migration lock on %s was no longer held when the run "
			          "ended: a migration released it (DISCARD ALL, or "
			          "pg_advisory_unlock called directly or through a function), "
			          "so other runners were not kept out after it",
			          p->table_q);
	}
}

/* ---- a lock the migration released ----------------------------------------- */

int gw_project__lock_may_be_lost(gw_project *p, const char *text, size_t len)
{
	/* A migration can define a function that releases the lock and a
	 * later one call it under another name: from the first text that
	 * names a release on, every migration of the run is re-checked. */
	if (!p->lock_release_named && (gw_text_has_nocase(text, len, "discard") ||
	                               gw_text_has_nocase(text, len, "pg_advisory_unlock")))
		p->lock_release_named = 1;
	return p->lock_release_named;
}

/* One round trip: the session still holds the key (a bigint key is
 * classid = high 32 bits, objid = low 32 bits, objsubid = 1), else it
 * takes it again if it is free. CASE runs pg_try_advisory_lock only when
 * the lock is not held, so a held lock is not taken twice (which one
 * unlock would not undo). */
static const char RECHECK_SQL[] =
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
        " AND granted AND pid = pg_backend_pid() AND classid = $2::oid AND objid = $3::oid"
        " AND objsubid = 1) THEN 'held' WHEN pg_try_advisory_lock($1::bigint) THEN 'taken'"
        " ELSE 'lost' END";

static int recheck_row(void *payload, int ncols, const char *const *values)
{
	char *state = payload;

	if (ncols > 0 && values[0])
		*state = values[0][0];
	return 0;
}

int gw_project__lock_recheck(gw_project *p, const char *migration)
{
	char key[24], classid[16], objid[16], state = 0, *holder = NULL;
	const char *params[3] = {key, classid, objid};
	int error;

	if (!p->locked || p->lease || !p->conn ||
	    gw_engine_lock_for(p->engine, p->opts.lock) != GW_ENGINE_LOCK_ADVISORY)
		return 0;
	snprintf(key, sizeof(key), "%" PRId64, p->lock_key);
	snprintf(classid, sizeof(classid), "%" PRIu32, (uint32_t)((uint64_t)p->lock_key >> 32));
	snprintf(objid, sizeof(objid), "%" PRIu32, (uint32_t)p->lock_key);
	if ((error = gw_project__exec(p, RECHECK_SQL, params, 3, recheck_row, &state)) < 0)
		return error;
	if (state == 'h' || state == 't')
		return 0;
	/* Another runner holds it now: not ours to release at the end (which
	 * would flush what the run recorded first: done here). */
	gw_events__flush(p);
	p->locked = 0;
	if (p->driver->lock_holder(p->conn, p->lock_key, &holder) < 0)
		gw_ctx_clear_error(p->ctx);
	error = gw_error_set(p->ctx, GW_ELOCK,
	                     "%s released the migration lock on %s (DISCARD ALL or "
	                     "pg_advisory_unlock), and another session took it before godwit "
	                     "could take it back%s%s; stopped after recording %s as applied",
	                     migration, p->table_q, holder ? ": " : "", holder ? holder : "",
	                     migration);
	gw_error_set_hint(p->ctx,
	                  "another runner may be applying migrations now: let it finish, then "
	                  "run godwit again; in the migration, use DISCARD PLANS, DISCARD "
	                  "SEQUENCES or DISCARD TEMP instead of DISCARD ALL, and "
	                  "pg_advisory_xact_lock for its own locks");
	free(holder);
	return error;
}
