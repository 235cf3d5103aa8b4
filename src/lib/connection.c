/*
 * connection.c: the project's connection, made on first use: connecting
 * with retries while a server starts, the folder's thread that reads the
 * folder while a PostgreSQL session is opened, reconnecting after a lost
 * session, and the connection a cancel request goes to.
 *
 * Threads: gw_project__source_and_connect loads the client library, then
 * reads the folder on a thread of its own (joined before it returns) while
 * the calling thread connects, with a context of its own whose notice
 * callback is the project's. For status, the calling thread also reads
 * the history on the new session (gw_project__source_connect_history),
 * its round trips overlapping the folder's reading. The folder's thread
 * touches p->ctx (its errors, and the notices of files that are no
 * migration) and the source; the calling thread neither until the join.
 * Nothing else here starts a thread.
 */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../drivers/pgurl.h"
#include "../util/backoff.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/url.h"

int gw_project__need_conn(gw_project *p)
{
	if (p->conn)
		return 0;
	return gw_error_set(p->ctx, GW_ECONNECT, "not connected to the database");
}

int gw_project__exec(gw_project *p, const char *sql, const char *const *params, int n, gw_row_cb cb,
                     void *payload)
{
	gw_stmt stmt = {sql, strlen(sql), params, n};
	int error;

	if ((error = gw_project__need_conn(p)) < 0)
		return error;
	return p->conn->driver->exec(p->conn, &stmt, cb, payload);
}

int gw_project__bool_row(void *payload, int ncols, const char *const *values)
{
	int *out = payload;

	*out = ncols > 0 && values[0] && (values[0][0] == 't' || values[0][0] == '1');
	return 0;
}

/* The embedded database's folders are created on first use, like the
 * database file itself, however many are missing (db/dev/x.sqlite3 as
 * well as db/x.sqlite3). Commands that only read never get here for a
 * missing file (see gw_project__database_missing), so they create
 * nothing. */
static int make_sqlite_dir(gw_project *p)
{
	gw_str path = GW_STR_INIT;
	char *slash;
	int error = 0;

	if (gw_url_sqlite_path(&path, p->opts.url) < 0)
		goto cleanup;
	slash = strrchr(path.ptr, '/');
	if (slash && slash != path.ptr) {
		*slash = '\0';
		if (gw_path_is_dir(path.ptr) < 0)
			error = gw_make_dirs(path.ptr, 0755, p->ctx);
	}
cleanup:
	gw_str_dispose(&path);
	return error;
}

static int qualify(char **out, gw_project *p, const char *table, gw_ctx *ctx)
{
	char *schema_q = NULL, *table_q = NULL;
	gw_str s = GW_STR_INIT;
	int error;

	if ((error = p->driver->quote_ident(p->conn, table, &table_q)) < 0)
		goto cleanup;
	if (p->opts.schema &&
	    (error = p->driver->quote_ident(p->conn, p->opts.schema, &schema_q)) < 0)
		goto cleanup;
	if (schema_q)
		gw_str_printf(&s, "%s.", schema_q);
	gw_str_puts(&s, table_q);
	if (!(*out = gw_str_detach(&s)))
		error = gw_error_oom(ctx);
cleanup:
	free(schema_q);
	free(table_q);
	gw_str_dispose(&s);
	return error;
}

int gw_project__database_missing(const gw_project *p)
{
	const char *file;
	struct stat st;

	/* Without a URL where one is required, connecting says so. The path
	 * is not copied: a copy that failed would answer "not missing", and
	 * connecting would create the file a command that reads must not. */
	if (p->conn || p->url_required || !(file = gw_url_sqlite_file(p->opts.url)) ||
	    !strcmp(file, ":memory:"))
		return 0;
	return stat(file, &st) < 0 && errno == ENOENT;
}

/* A cold serverless database or a server that is still starting refuses
 * connections for a few seconds; refused credentials will not get better,
 * so only GW_ECONNECT is retried. */
static int open_with_retries(gw_project *p, const gw_conn_options *copts, gw_ctx *ctx)
{
	int attempt, error;

	for (attempt = 0;; attempt++) {
		long delay;

		error = p->driver->open(&p->conn, p->opts.url, copts, ctx);
		if (error != GW_ECONNECT || attempt >= p->opts.connect_retries)
			break;
		delay = gw_backoff_ms(attempt, 500, 8000);
		gw_notify(ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
		          "%s; retrying in %.1f s (attempt %d of %d)", gw_ctx_error(ctx)->message,
		          (double)delay / 1000.0, attempt + 2, p->opts.connect_retries + 1);
		gw_ctx_clear_error(ctx);
		gw_sleep_ms(delay);
	}
	if (error == GW_ECONNECT && attempt > 0)
		gw_error_set_hint(ctx,
		                  "the server did not answer %d attempts; check the URL and that "
		                  "the server is up, or raise connect_retries",
		                  attempt + 1);
	return error;
}

/* The history's schema when none is configured: the URL's ?schema= (as
 * Prisma uses it, for the search path and its own history table), else
 * public. */
static int url_schema(gw_project *p, gw_ctx *ctx)
{
	gw_pgurl u = GW_PGURL_INIT;
	int error;

	if ((error = gw_pgurl_parse(&u, p->opts.url, ctx)) < 0)
		return error;
	if (u.schema && (error = gw_project__check_name(ctx, "schema", u.schema)) < 0)
		goto cleanup;
	if (!(p->opts.schema = gw_strdup(u.schema ? u.schema : "public")))
		error = gw_error_oom(ctx);
cleanup:
	gw_pgurl_dispose(&u);
	return error;
}

/* Connects with errors and notices on ctx, which is the project's own
 * except for the overlapped connect of gw_project__source_and_connect. */
static int connect_in(gw_project *p, gw_ctx *ctx)
{
	gw_conn_options copts = {p->app_name, p->opts.lock_wait};
	int error;

	if (p->url_required) {
		gw_error_set(ctx, GW_ECONFIG, "%s", p->url_required);
		gw_error_set_hint_code_after(ctx, GW_HINT_URL_REQUIRED, NULL, NULL,
		                             "the embedded SQLite default (%s) is for "
		                             "development; nothing was created; ",
		                             p->display_url);
		return GW_ECONFIG;
	}
	if (p->driver->dialect == GW_DIALECT_POSTGRES && !p->opts.schema &&
	    (error = url_schema(p, ctx)) < 0)
		return error;
	if (p->driver->dialect == GW_DIALECT_SQLITE && (error = make_sqlite_dir(p)) < 0)
		return error;
	if ((error = open_with_retries(p, &copts, ctx)) < 0)
		return error;
	/* Without the quoted names the session is of no use: a later call
	 * must connect again, not find a connection and run SQL naming
	 * (null) tables. */
	if ((error = qualify(&p->table_q, p, p->opts.table, ctx)) < 0 ||
	    (error = qualify(&p->events_q, p, p->opts.events_table, ctx)) < 0) {
		free(p->table_q);
		p->table_q = NULL;
		p->driver->close(p->conn);
		p->conn = NULL;
		return error;
	}
	return 0;
}

int gw_project__connect(gw_conn **out, gw_project *p)
{
	int error;

	if (!p->conn) {
		if ((error = connect_in(p, p->ctx)) < 0)
			return error;
		p->lock_key = gw_hash_key64(p->table_q);
		gw_project__remember_conn(p);
	}
	*out = p->conn;
	return 0;
}

int gw_project__connect_existing(gw_conn **out, gw_project *p)
{
	gw_str path = GW_STR_INIT;
	int error;

	if (!gw_project__database_missing(p))
		return gw_project__connect(out, p);
	gw_url_sqlite_path(&path, p->opts.url);
	error = gw_error_set(p->ctx, GW_ENOTFOUND, "the SQLite database %s does not exist",
	                     path.ptr);
	gw_error_set_hint_code(p->ctx, GW_HINT_SQLITE_MISSING, NULL, NULL);
	gw_str_dispose(&path);
	return error;
}

typedef struct connect_job {
	gw_project *p;
	gw_ctx *ctx;
	int error;
	gw_hist *hist; /* not NULL: read the history too, into it */
	gw_hist_cols cols;
	int *exists;
	int hist_read;
} connect_job;

static void connect_job_run(connect_job *job)
{
	job->error = connect_in(job->p, job->ctx);
	/* Published at once, so that a Ctrl-C cancels the history's read
	 * below (a COPY waiting for a lock) rather than finding no session
	 * and letting the status wait on. */
	if (job->error == 0)
		gw_project__remember_conn(job->p);
	/* status reads the history next: its two queries run while the
	 * other thread still reads the folder. */
	if (job->error == 0 && job->hist) {
		if (gw_hist__read_early(job->hist, job->cols, job->exists, job->p) == 0)
			job->hist_read = 1;
		else
			gw_hist_dispose(job->hist);
		gw_ctx_clear_error(job->ctx);
	}
}

typedef struct source_job {
	gw_project *p;
	gw_source **out;
	int error;
} source_job;

static void *source_job_run(void *arg)
{
	source_job *job = arg;

	job->error = gw_project__source(job->out, job->p);
	return NULL;
}

/* The thread's error, moved to the project's context. */
static int adopt_error(gw_project *p, const gw_ctx *from, int code)
{
	const gw_error *e = gw_ctx_error(from);

	if (!e)
		return gw_error_set(p->ctx, code, "cannot connect");
	gw_error_set(p->ctx, e->code, "%s", e->message);
	gw_error_set_sqlstate(p->ctx, e->sqlstate);
	gw_error_copy_hint(p->ctx, e);
	return e->code;
}

int gw_project__source_and_connect(gw_source **out, gw_project *p)
{
	return gw_project__source_connect_history(out, p, NULL, GW_HIST_ALL, NULL, NULL);
}

int gw_project__source_connect_history(gw_source **out, gw_project *p, gw_hist *hist,
                                       gw_hist_cols cols, int *exists, int *read)
{
	connect_job job = {p, NULL, 0, hist, cols, exists, 0};
	source_job walk = {p, out, 0};
	pthread_t thread;
	int error;

	if (read)
		*read = 0;
	/* Loading libpq and the server's start of a backend (~15 ms) overlap
	 * with reading the folder. SQLite connects in microseconds and is
	 * left alone. */
	if (p->conn || p->source || p->driver->dialect != GW_DIALECT_POSTGRES ||
	    gw_ctx_new(&job.ctx) < 0)
		return gw_project__source(out, p);
	gw_ctx__copy_notice_cb(job.ctx, p->ctx);
	/* The client library is loaded before the folder's thread starts (see
	 * the driver's load for why); a failure is the connect's to report. */
	if (p->driver->load && p->driver->load(job.ctx) < 0)
		gw_ctx_clear_error(job.ctx);
	/* The connect, on which the command waits longest, stays on this
	 * thread: a thread just started can wait a scheduler slice (up to
	 * 3 ms seen) before it runs, which the folder can afford. */
	if (pthread_create(&thread, NULL, source_job_run, &walk) != 0) {
		gw_ctx_free(job.ctx);
		return gw_project__source(out, p);
	}
	connect_job_run(&job);
	pthread_join(thread, NULL);
	error = walk.error;
	if (job.error < 0 && error == 0)
		error = adopt_error(p, job.ctx, job.error);
	if (read)
		*read = job.hist_read;
	gw_ctx_free(job.ctx);
	if (p->conn) {
		p->conn->ctx = p->ctx;
		p->lock_key = gw_hash_key64(p->table_q);
		gw_project__remember_conn(p);
	}
	return error;
}

/* The connection a cancel request goes to. It is published only once it is
 * complete and withdrawn before it is closed, and a signal handler runs
 * while the thread it interrupted is paused, so the handler never sees a
 * connection being torn down. */
void gw_project__remember_conn(gw_project *p)
{
	atomic_store(&p->cancel_conn, p->conn);
}

void gw_project__forget_conn(gw_project *p)
{
	atomic_store(&p->cancel_conn, (gw_conn *)NULL);
}

void gw_project_cancel(gw_project *p)
{
	gw_conn *conn;

	if (!p)
		return;
	/* Only a flag, an atomic load and the driver's cancel request: all
	 * async-signal-safe. */
	p->cancelled = 1;
	conn = atomic_load(&p->cancel_conn);
	if (conn && conn->driver->cancel)
		conn->driver->cancel(conn);
}

int gw_project_cancelled(const gw_project *p)
{
	return p && p->cancelled;
}

int gw_project__cancel_error(gw_project *p, const char *fmt, ...)
{
	gw_str msg = GW_STR_INIT;
	va_list ap;
	int error;

	va_start(ap, fmt);
	gw_str_vprintf(&msg, fmt, ap);
	va_end(ap);
	/* The driver's "canceling statement due to user request" says less
	 * than the runner knows: which migration, and what is left of it. */
	gw_ctx_clear_error(p->ctx);
	error = gw_error_set(p->ctx, GW_ECANCELED, "interrupted: %s",
	                     gw_str_failed(&msg) ? "cancelled" : msg.ptr);
	gw_str_dispose(&msg);
	return error;
}

int gw_project__reconnect(gw_project *p)
{
	gw_ctx *ctx = NULL;
	int error;

	/* The session (and with it the advisory lock) is gone already; a
	 * lease's heartbeat must stop so the lease can lapse. */
	gw_project__lock_drop(p);
	gw_project__forget_conn(p);
	p->driver->close(p->conn);
	p->conn = NULL;
	free(p->table_q);
	free(p->events_q);
	p->table_q = p->events_q = NULL;
	/* The new session's errors go to a context of their own: the error
	 * that lost the old one is what the run reports, and the retries'
	 * warnings still reach the caller. */
	if (gw_ctx_new(&ctx) < 0)
		return GW_ENOMEM;
	gw_ctx__copy_notice_cb(ctx, p->ctx);
	if ((error = connect_in(p, ctx)) < 0) {
		if (p->conn)
			p->driver->close(p->conn);
		p->conn = NULL;
	} else {
		p->conn->ctx = p->ctx;
		p->lock_key = gw_hash_key64(p->table_q);
		gw_project__remember_conn(p);
	}
	gw_ctx_free(ctx);
	return error;
}

int gw_project_server_version(const char **out, gw_project *p)
{
	gw_conn *conn;
	int error;

	if ((error = gw_project__connect(&conn, p)) < 0)
		return error;
	*out = p->driver->server_version(conn);
	return 0;
}
