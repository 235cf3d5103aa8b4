/*
 * project.c: opening a project, and the lazily made pieces every command
 * shares: the migration set, the connection, and the runner lock.
 */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../drivers/pgurl.h"
#include "../drivers/registry.h"
#include "../util/backoff.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/url.h"
#include "sql/sql.h"

#define DEFAULT_DIR             "db/migrations"
#define DEFAULT_TABLE           "godwit_migrations"
#define DEFAULT_EVENTS_TABLE    "godwit_events"
#define DEFAULT_ENVIRONMENT     "development"
#define DEFAULT_LOCK_WAIT_MS    60000
#define DEFAULT_LOCK_TIMEOUT_MS 5000
#define DEFAULT_RETRIES         5
#define DEFAULT_CONNECT_RETRIES 3

const char *gw_library_version(void)
{
	return GODWIT_VERSION;
}

const char *gw_version_details(void)
{
	static char text[512];
	const gw_driver *const *d;
	gw_str s = GW_STR_INIT;
	char buf[128];

	if (text[0])
		return text;
	for (d = gw_drivers(); *d; d++)
		gw_str_printf(&s, "driver %s: %s\n", (*d)->name,
		              gw_driver_client_version(*d, buf, sizeof(buf)));
	gw_str_printf(&s, "parser: %s", gw_sql_parser_version());
	snprintf(text, sizeof(text), "%s", s.ptr);
	gw_str_dispose(&s);
	return text;
}

/* The embedded default: a SQLite file per environment in the project's db/
 * folder, so development and test data never mix. */
static char *default_url(const char *project_dir, const char *env)
{
	gw_str s = GW_STR_INIT;

	gw_str_puts(&s, "sqlite:");
	if (project_dir && strcmp(project_dir, "."))
		gw_path_join(&s, project_dir, "");
	gw_str_printf(&s, "db/%s.sqlite3", env);
	return gw_str_detach(&s);
}

static char *join_dir(const char *a, const char *b)
{
	gw_str s = GW_STR_INIT;

	gw_path_join(&s, a, b);
	return gw_str_detach(&s);
}

/* A copy of a URL without the white space around it, which a .env or a
 * CI secret easily adds and no URL holds. */
static char *trimmed(const char *url)
{
	const char *end;

	while (isspace((unsigned char)*url))
		url++;
	end = url + strlen(url);
	while (end > url && isspace((unsigned char)end[-1]))
		end--;
	return gw_strndup(url, (size_t)(end - url));
}

/* Options use 0 for "the default" and a negative value for "off". */
static int option_value(int value, int fallback)
{
	return value == 0 ? fallback : value < 0 ? 0 : value;
}

static int copy_options(gw_project *p, const gw_project_options *o)
{
	const char *env = o->environment ? o->environment : DEFAULT_ENVIRONMENT;

	p->dir = gw_strdup(o->dir ? o->dir : DEFAULT_DIR);
	p->environment = gw_strdup(env);
	p->app_name = gw_strdup(o->application_name ? o->application_name : "godwit");
	p->schema = gw_strdup(o->schema);
	p->table = gw_strdup(o->table ? o->table : DEFAULT_TABLE);
	p->events_table = gw_strdup(o->events_table ? o->events_table : DEFAULT_EVENTS_TABLE);
	p->url = o->url && *o->url ? trimmed(o->url) : default_url(o->project_dir, env);
	p->url_given = o->url && *o->url;
	if (!p->url_given && o->url_required && !(p->url_required = gw_strdup(o->url_required)))
		return -1;
	p->format = o->format;
	p->lock_wait_ms = o->lock_wait_ms > 0 ? o->lock_wait_ms : DEFAULT_LOCK_WAIT_MS;
	p->lock_table = o->lock_table;
	p->lock_lease_ms = o->lock_lease_ms > 0 ? o->lock_lease_ms : 60000;
	p->allow_out_of_order = o->allow_out_of_order;
	if (!o->allow_symlinks_outside &&
	    !(p->symlink_root = gw_strdup(o->project_dir ? o->project_dir : ".")))
		return -1;
	p->lock_timeout_ms = option_value(o->lock_timeout_ms, DEFAULT_LOCK_TIMEOUT_MS);
	p->statement_timeout_ms = option_value(o->statement_timeout_ms, 0);
	p->retries = option_value(o->retries, DEFAULT_RETRIES);
	p->connect_retries = option_value(o->connect_retries, DEFAULT_CONNECT_RETRIES);
	p->preflight = o->preflight;
	p->preflight_wait_ms = o->preflight_wait_ms;
	p->max_transaction_age_ms = o->max_transaction_age_ms;
	p->max_connections = o->max_connections;
	if ((o->min_server_version &&
	     !(p->min_server_version = gw_strdup(o->min_server_version))) ||
	    (o->required_extensions &&
	     !(p->required_extensions = gw_strdup(o->required_extensions))) ||
	    (o->required_tables && !(p->required_tables = gw_strdup(o->required_tables))))
		return -1;
	p->backup_keep = o->backup_keep > 0 ? o->backup_keep : 10;
	p->backup_before_changes = o->backup_before_changes;
	if (o->backup_dir)
		p->backup_dir = gw_strdup(o->backup_dir);
	else if (o->project_dir && strcmp(o->project_dir, "."))
		p->backup_dir = join_dir(o->project_dir, "db/backups");
	else
		p->backup_dir = gw_strdup("db/backups");
	if (!p->backup_dir)
		return -1;
	p->record_schema = o->record_schema;
	p->schema_strict = o->schema_strict;
	if (o->schema_file && !(p->schema_file = gw_strdup(o->schema_file)))
		return -1;
	p->seeds_allowed = o->seeds_allowed;
	if (o->seeds_dir && !(p->seeds_dir = gw_strdup(o->seeds_dir)))
		return -1;
	if (o->sql_dialect && !(p->sql_dialect_setting = gw_strdup(o->sql_dialect)))
		return -1;
	if (!p->dir || !p->environment || !p->app_name || (o->schema && !p->schema) || !p->table ||
	    !p->events_table || !p->url)
		return -1;
	return 0;
}

static int check_name(gw_ctx *ctx, const char *what, const char *value)
{
	if (!*value || strlen(value) > 63)
		return gw_error_set(ctx, GW_EINVALID, "%s name '%s' must be 1 to 63 bytes long",
		                    what, value);
	return 0;
}

int gw_project_open(gw_project **out, const gw_project_options *opts, gw_ctx *ctx)
{
	gw_project_options defaults = GW_PROJECT_OPTIONS_INIT;
	gw_project *p = NULL;
	gw_str masked = GW_STR_INIT;
	int error;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != GW_PROJECT_OPTIONS_VERSION)
		return gw_error_set(ctx, GW_EINVALID, "unsupported gw_project_options version %u",
		                    opts->version);
	if (!(p = calloc(1, sizeof(*p))) || copy_options(p, opts) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	p->ctx = ctx;
	if ((error = check_name(ctx, "history table", p->table)) < 0 ||
	    (error = check_name(ctx, "events table", p->events_table)) < 0 ||
	    (p->schema && (error = check_name(ctx, "schema", p->schema)) < 0))
		goto cleanup;
	if (gw_url_mask(&masked, p->url) < 0 || !(p->display_url = gw_str_detach(&masked))) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if (*p->url && strchr("\"'`", p->url[0])) {
		error = gw_error_set(ctx, GW_EINVALID, "the database URL %s starts with a quote",
		                     p->display_url);
		gw_error_set_hint(ctx, "a quote is part of the value only when unbalanced: "
		                       "write url = \"postgres://...\" with both quotes, or none");
		goto cleanup;
	}
	if (gw_url_ambiguous_userinfo(p->url)) {
		error = gw_error_set(ctx, GW_EINVALID,
		                     "the database URL %s has more than one '@' before its host",
		                     p->display_url);
		gw_error_set_hint(ctx, "percent-encode an '@' in the user name or password as "
		                       "%%40");
		goto cleanup;
	}
	if (!(p->driver = gw_driver_for_url(p->url))) {
		error = gw_error_set(ctx, GW_EINVALID,
		                     "unsupported database URL %s; use postgres://, "
		                     "postgresql:// or sqlite:PATH",
		                     p->display_url);
		goto cleanup;
	}
	*out = p;
	p = NULL;
	error = 0;
cleanup:
	gw_str_dispose(&masked);
	gw_project_free(p);
	return error;
}

void gw_project_free(gw_project *p)
{
	if (!p)
		return;
	gw_project__unlock(p);
	gw_project__forget_conn(p);
	if (p->conn)
		p->driver->close(p->conn);
	gw_source_free(p->source);
	free(p->dir);
	free(p->url);
	free(p->url_required);
	free(p->display_url);
	free(p->environment);
	free(p->app_name);
	free(p->schema);
	free(p->table);
	free(p->events_table);
	free(p->table_q);
	free(p->events_q);
	free(p->min_server_version);
	free(p->required_extensions);
	free(p->required_tables);
	free(p->backup_dir);
	free(p->seeds_dir);
	free(p->schema_file);
	free(p->sql_dialect_setting);
	free(p->symlink_root);
	free(p);
}

const char *gw_project_display_url(const gw_project *p)
{
	return p->display_url;
}

const char *gw_project_driver_name(const gw_project *p)
{
	return p->driver->name;
}

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

int gw_project__path(gw_str *out, const gw_project *p, const char *file)
{
	gw_str_clear(out);
	/* A migration's file is relative to the folder its set was read from,
	 * which a sqitch top_dir puts below the one given. */
	return gw_path_join(out, p->source ? p->source->dir : p->dir, file);
}

int gw_project__source(gw_source **out, gw_project *p)
{
	int error;

	if (!p->source && (error = gw_source_load_in(
	                           &p->source, p->dir, p->format,
	                           p->driver->dialect == GW_DIALECT_SQLITE ? "sqlite3" : "postgres",
	                           p->symlink_root, p->ctx)) < 0)
		return error;
	*out = p->source;
	return 0;
}

int gw_project_format(gw_format *out, gw_project *p)
{
	gw_source *src;
	int error;

	if ((error = gw_project__source(&src, p)) < 0)
		return error;
	*out = src->format;
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

	if (gw_url_sqlite_path(&path, p->url) < 0)
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

static int qualify(char **out, gw_project *p, const char *table)
{
	char *schema_q = NULL, *table_q = NULL;
	gw_str s = GW_STR_INIT;
	int error;

	if ((error = p->driver->quote_ident(p->conn, table, &table_q)) < 0)
		goto cleanup;
	if (p->schema && (error = p->driver->quote_ident(p->conn, p->schema, &schema_q)) < 0)
		goto cleanup;
	if (schema_q)
		gw_str_printf(&s, "%s.", schema_q);
	gw_str_puts(&s, table_q);
	if (!(*out = gw_str_detach(&s)))
		error = gw_error_oom(p->ctx);
cleanup:
	free(schema_q);
	free(table_q);
	gw_str_dispose(&s);
	return error;
}

int gw_project__database_missing(const gw_project *p)
{
	gw_str path = GW_STR_INIT;
	struct stat st;
	int missing = 0;

	/* Without a URL where one is required, connecting says so. */
	if (!p->conn && !p->url_required && gw_url_sqlite_path(&path, p->url) == 0 &&
	    strcmp(path.ptr, ":memory:"))
		missing = stat(path.ptr, &st) < 0 && errno == ENOENT;
	gw_str_dispose(&path);
	return missing;
}

/* A cold serverless database or a server that is still starting refuses
 * connections for a few seconds; refused credentials will not get better,
 * so only GW_ECONNECT is retried. */
static int open_with_retries(gw_project *p, const gw_conn_options *copts, gw_ctx *ctx)
{
	int attempt, error;

	for (attempt = 0;; attempt++) {
		long delay;

		error = p->driver->open(&p->conn, p->url, copts, ctx);
		if (error != GW_ECONNECT || attempt >= p->connect_retries)
			break;
		delay = gw_backoff_ms(attempt, 500, 8000);
		gw_notify(ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
		          "%s; retrying in %.1f s (attempt %d of %d)", gw_ctx_error(ctx)->message,
		          (double)delay / 1000.0, attempt + 2, p->connect_retries + 1);
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

	if ((error = gw_pgurl_parse(&u, p->url, ctx)) < 0)
		return error;
	if (u.schema && (error = check_name(ctx, "schema", u.schema)) < 0)
		goto cleanup;
	if (!(p->schema = gw_strdup(u.schema ? u.schema : "public")))
		error = gw_error_oom(ctx);
cleanup:
	gw_pgurl_dispose(&u);
	return error;
}

/* Connects with errors and notices on ctx, which is the project's own
 * except for the overlapped connect of gw_project__source_and_connect. */
static int connect_in(gw_project *p, gw_ctx *ctx)
{
	gw_conn_options copts = {p->app_name, p->lock_wait_ms};
	int error;

	if (p->url_required) {
		gw_error_set(ctx, GW_ECONFIG, "%s", p->url_required);
		gw_error_set_hint(ctx,
		                  "the embedded SQLite default (%s) is for development; "
		                  "nothing was created",
		                  p->display_url);
		return GW_ECONFIG;
	}
	if (p->driver->dialect == GW_DIALECT_POSTGRES && !p->schema &&
	    (error = url_schema(p, ctx)) < 0)
		return error;
	if (p->driver->dialect == GW_DIALECT_SQLITE && (error = make_sqlite_dir(p)) < 0)
		return error;
	if ((error = open_with_retries(p, &copts, ctx)) < 0)
		return error;
	if ((error = qualify(&p->table_q, p, p->table)) < 0 ||
	    (error = qualify(&p->events_q, p, p->events_table)) < 0)
		return error;
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
	gw_url_sqlite_path(&path, p->url);
	error = gw_error_set(p->ctx, GW_ENOTFOUND, "the SQLite database %s does not exist",
	                     path.ptr);
	gw_error_set_hint(p->ctx, "check --url; 'godwit up' creates it");
	gw_str_dispose(&path);
	return error;
}

typedef struct connect_job {
	gw_project *p;
	gw_ctx *ctx;
	int error;
} connect_job;

static void *connect_job_run(void *arg)
{
	connect_job *job = arg;

	job->error = connect_in(job->p, job->ctx);
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
	if (e->hint[0])
		gw_error_set_hint(p->ctx, "%s", e->hint);
	return e->code;
}

int gw_project__source_and_connect(gw_source **out, gw_project *p)
{
	connect_job job = {p, NULL, 0};
	pthread_t thread;
	int error;

	/* Loading libpq and the server's start of a backend (~15 ms) overlap
	 * with reading and hashing the folder. SQLite connects in
	 * microseconds and is left alone. */
	if (p->conn || p->source || p->driver->dialect != GW_DIALECT_POSTGRES ||
	    gw_ctx_new(&job.ctx) < 0)
		return gw_project__source(out, p);
	gw_ctx__copy_notice_cb(job.ctx, p->ctx);
	if (pthread_create(&thread, NULL, connect_job_run, &job) != 0) {
		gw_ctx_free(job.ctx);
		return gw_project__source(out, p);
	}
	error = gw_project__source(out, p);
	pthread_join(thread, NULL);
	if (job.error < 0 && error == 0)
		error = adopt_error(p, job.ctx, job.error);
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
	if (p->lease) {
		gw_lease_release(p->lease);
		p->lease = NULL;
	}
	gw_project__forget_conn(p);
	p->driver->close(p->conn);
	p->conn = NULL;
	p->locked = 0;
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

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
	        p->table_q, p->lock_wait_ms / 1000, holder ? ": " : "", holder ? holder : "");
	gw_error_set_hint(p->ctx,
	                  "wait for it to finish, raise --lock-wait, or end that session if it "
	                  "is stuck");
	free(holder);
	return error;
}

/* Poll pg_try_advisory_lock instead of blocking in pg_advisory_lock: a
 * session waiting on the lock would deadlock with a CREATE INDEX
 * CONCURRENTLY run by the holder, which waits for all transactions. */
static int take_advisory_lock(gw_project *p)
{
	long long deadline = now_ms() + p->lock_wait_ms;
	long delay = 20;
	int acquired = 0, error, told = 0;

	for (;;) {
		if ((error = p->driver->try_lock(p->conn, p->lock_key, &acquired)) < 0)
			return error;
		if (acquired)
			return 0;
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
			          p->lock_wait_ms / 1000);
		gw_sleep_ms(delay);
		if (delay < 1000)
			delay *= 2;
	}
}

int gw_project__lock(gw_project *p)
{
	gw_conn *conn;
	int error;

	if (p->locked)
		return 0;
	if ((error = gw_project__connect(&conn, p)) < 0)
		return error;
	if (p->lock_table) {
		if ((error = gw_lease_acquire(&p->lease, p)) < 0)
			return error;
		p->locked = 1;
	} else if (p->driver->caps & GW_CAP_ADVISORY_LOCK) {
		/* Without session locks (SQLite) each migration's transaction
		 * takes the database's write lock and re-checks the history
		 * row first. */
		if ((error = gw_project__check_pooler(p)) < 0 ||
		    (error = take_advisory_lock(p)) < 0)
			return error;
		p->locked = 1;
	}
	return gw_hist_ensure(p);
}

int gw_project__lock_held_elsewhere(int *held, gw_project *p)
{
	char *holder = NULL;
	int error;

	*held = 0;
	if (p->locked || !p->conn)
		return 0;
	if (p->lock_table)
		return gw_lease_held(held, p);
	if (!(p->driver->caps & GW_CAP_ADVISORY_LOCK))
		return 0;
	if ((error = p->driver->lock_holder(p->conn, p->lock_key, &holder)) < 0)
		return error;
	*held = holder != NULL;
	free(holder);
	return 0;
}

void gw_project__unlock(gw_project *p)
{
	int had_error = gw_error_is_set(p->ctx);

	if (!p->locked || !p->conn)
		return;
	p->locked = 0;
	if (p->lease) {
		gw_lease_release(p->lease);
		p->lease = NULL;
		return;
	}
	/* Released after a failure too, for a program that keeps the project
	 * open. A failed unlock is harmless (the session lock ends with the
	 * connection) and must not hide the run's own error. */
	if (p->driver->unlock(p->conn, p->lock_key) < 0 && !had_error)
		gw_ctx_clear_error(p->ctx);
}
