/*
 * sqlite.c: the SQLite driver, on libsqlite3.
 *
 * SQLite is godwit's embedded default, so a project works before it has a
 * server. The library writes SQL with PostgreSQL's $1, $2 placeholders,
 * which SQLite reads as named parameters, so statements are shared between
 * the drivers. A batch runs under BEGIN IMMEDIATE: it holds the write lock
 * from its first statement, which is SQLite's equivalent of the runner's
 * advisory lock. Errors are given SQLSTATE-like codes so the library can
 * treat a busy database like PostgreSQL's lock_not_available.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/registry.h"
#include "drivers/sq.h"
#include "util/error.h"
#include "util/str.h"
#include "util/text.h"
#include "util/url.h"

#define DEFAULT_BUSY_TIMEOUT_MS 60000

typedef struct gw_sqliteconn {
	gw_conn base; /* first, so a gw_conn * is a gw_sqliteconn * */
	sqlite3 *db;
	int last_position; /* of the last failed statement, for last_error_position */
} gw_sqliteconn;

static const char *sqlstate_for(int rc, int from_prepare, const char *msg)
{
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
			return "23505";
		return "23000";
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "55P03";
	case SQLITE_INTERRUPT:
		return "57014"; /* PostgreSQL's query_canceled: gw_project_cancel */
	case SQLITE_ERROR:
		if (!from_prepare)
			return NULL;
		/* Prepare reports these as plain errors; PostgreSQL's codes let
		 * the library tell them from a syntax error. */
		if (strstr(msg, "no such table"))
			return "42P01";
		if (strstr(msg, "no such column"))
			return "42703";
		if (strstr(msg, "already exists"))
			return "42P07";
		return "42601";
	default:
		return NULL;
	}
}

static int code_for(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return GW_ENOMEM;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_FULL:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return GW_EIO;
	default:
		return GW_ESQL;
	}
}

/* Sets the error of the last failed call on the connection; call it
 * before anything else touches the handle. */
static int set_error(gw_sqliteconn *sc, int rc, int from_prepare)
{
	const char *msg = sqlite3_errmsg(sc->db);
	const char *sqlstate = sqlstate_for(rc, from_prepare, msg);
	int error = gw_error_set(sc->base.ctx, code_for(rc), "%s", msg);

	if (sqlstate)
		gw_error_set_sqlstate(sc->base.ctx, sqlstate);
	return error;
}

/* 1-based character position of byte offset `at` in UTF-8 text. */
static int char_position(const char *text, size_t at)
{
	int pos = 1;
	size_t i;

	for (i = 0; i < at; i++)
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			pos++;
	return pos;
}

/* 0 means the default; a negative value means do not wait at all. */
static int busy_timeout_ms(const gw_conn_options *opts)
{
	int ms = opts ? opts->busy_timeout_ms : 0;

	if (ms == 0)
		return DEFAULT_BUSY_TIMEOUT_MS;
	return ms < 0 ? 0 : ms;
}

/* A file is not a server: an open that failed is never retried as if
 * one were starting up. A busy file has waited its busy timeout (the
 * lock wait) already. */
static int open_error(gw_ctx *ctx, const char *path, sqlite3 *db, int rc, int waited_ms)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	int error;

	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return gw_error_oom(ctx);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		error = gw_error_set(ctx, GW_ELOCK,
		                     "the SQLite database %s is locked by another connection "
		                     "(SQLite: %s); waited %.1f s",
		                     path, msg, (double)waited_ms / 1000.0);
		gw_error_set_hint_code(ctx, GW_HINT_SQLITE_BUSY, NULL, NULL);
		return error;
	case SQLITE_NOTADB:
		error = gw_error_set(ctx, GW_EIO, "cannot open the SQLite database %s: %s", path,
		                     msg);
		gw_error_set_hint_code(ctx, GW_HINT_SQLITE_NOT_DATABASE, path, NULL);
		return error;
	default:
		error = gw_error_set(ctx, GW_EIO, "cannot open the SQLite database %s: %s", path,
		                     msg);
		gw_error_set_hint(ctx,
		                  "check that %s is a file (not a folder) that you may read "
		                  "and write, in a folder you may write to",
		                  path);
		return error;
	}
}

static int sq_open(gw_conn **out, const char *url, const gw_conn_options *opts, gw_ctx *ctx)
{
	gw_str path = GW_STR_INIT;
	gw_str masked = GW_STR_INIT;
	gw_sqliteconn *sc = NULL;
	sqlite3 *db = NULL;
	int rc, error;

	*out = NULL;
	if ((error = gw_sq_load(ctx)) < 0)
		return error;
	/* Out of memory is not a bad URL. */
	error = gw_url_sqlite_path(&path, url);
	if (gw_str_failed(&path)) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if (error < 0 || path.size == 0) {
		gw_url_mask(&masked, url);
		error = gw_error_set(ctx, GW_EINVALID, "not a SQLite URL with a file: %s",
		                     masked.ptr);
		goto cleanup;
	}
	rc = sqlite3_open_v2(path.ptr, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(db, 1);
		sqlite3_busy_timeout(db, busy_timeout_ms(opts));
		/* Opening is lazy: read the header now so that a file that is
		 * not a database fails here, naming its path. */
		rc = sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		error = open_error(ctx, path.ptr, db, rc, busy_timeout_ms(opts));
		goto cleanup;
	}
	if (!(sc = calloc(1, sizeof(*sc)))) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	sc->base.driver = &gw_driver_sqlite;
	sc->base.ctx = ctx;
	sc->db = db;
	db = NULL;
	*out = &sc->base;
	error = 0;
cleanup:
	sqlite3_close(db);
	gw_str_dispose(&path);
	gw_str_dispose(&masked);
	return error;
}

/* sqlite3_interrupt only sets a flag on the handle, which the running
 * statement checks: safe from a signal handler, as gw_project_cancel
 * needs. */
static int sq_cancel(gw_conn *conn)
{
	sqlite3_interrupt(((gw_sqliteconn *)conn)->db);
	return 0;
}

static void sq_close(gw_conn *conn)
{
	gw_sqliteconn *sc = (gw_sqliteconn *)conn;

	if (!sc)
		return;
	sqlite3_close(sc->db);
	free(sc);
}

/* SQLite reads "$1" as a named parameter; bind each by its name. */
static int bind_params(gw_sqliteconn *sc, sqlite3_stmt *st, const gw_stmt *stmt)
{
	char name[16];
	int i, idx, rc;

	for (i = 0; i < stmt->nparams; i++) {
		snprintf(name, sizeof(name), "$%d", i + 1);
		if ((idx = sqlite3_bind_parameter_index(st, name)) == 0)
			continue; /* not used by this statement */
		if (stmt->params[i])
			rc = sqlite3_bind_text(st, idx, stmt->params[i], -1, SQLITE_STATIC);
		else
			rc = sqlite3_bind_null(st, idx);
		if (rc != SQLITE_OK)
			return set_error(sc, rc, 0);
	}
	return 0;
}

/* Steps a prepared statement to its end, handing rows to cb. */
static int step_all(gw_sqliteconn *sc, sqlite3_stmt *st, gw_row_cb cb, void *payload)
{
	int ncols = sqlite3_column_count(st);
	const char **values = NULL;
	int rc, c, error = 0;

	if (cb && !(values = calloc(ncols ? (size_t)ncols : 1, sizeof(*values))))
		return gw_error_oom(sc->base.ctx);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!cb)
			continue;
		for (c = 0; c < ncols; c++)
			values[c] = sqlite3_column_type(st, c) == SQLITE_NULL
			                    ? NULL
			                    : (const char *)sqlite3_column_text(st, c);
		if ((error = cb(payload, ncols, values)) != 0)
			break;
	}
	if (!error && rc != SQLITE_DONE)
		error = set_error(sc, rc, 0);
	free(values);
	return error;
}

/* Runs every SQL statement in stmt's text. On a failure *position is the
 * 1-based character position of the error inside that text: the token
 * SQLite blames, else the start of the failing statement. */
static int run_text(gw_sqliteconn *sc, const gw_stmt *stmt, gw_row_cb cb, void *payload,
                    int *position)
{
	const char *sql = stmt->sql, *end = sql + stmt->len, *p = sql, *tail = NULL;
	sqlite3_stmt *st = NULL;
	size_t at;
	int rc, offset, error = 0;

	if (stmt->len > INT_MAX)
		return gw_error_set(sc->base.ctx, GW_EINVALID, "statement too long for SQLite");
	while (p < end) {
		rc = sqlite3_prepare_v2(sc->db, p, (int)(end - p), &st, &tail);
		if (rc != SQLITE_OK) {
			offset = sqlite3_error_offset(sc->db);
			at = offset >= 0 ? (size_t)(p - sql) + (size_t)offset
			                 : gw_text_skip_space_comments(sql, stmt->len,
			                                               (size_t)(p - sql));
			*position = char_position(sql, at);
			error = set_error(sc, rc, 1);
			break;
		}
		if (!st)
			break; /* only white space and comments remain */
		if ((error = bind_params(sc, st, stmt)) == 0)
			error = step_all(sc, st, cb, payload);
		if (error < 0) {
			at = gw_text_skip_space_comments(sql, stmt->len, (size_t)(p - sql));
			*position = char_position(sql, at);
		}
		sqlite3_finalize(st);
		if (error)
			break;
		p = tail;
	}
	return error;
}

static int sq_exec(gw_conn *conn, const gw_stmt *stmt, gw_row_cb cb, void *payload)
{
	gw_sqliteconn *sc = (gw_sqliteconn *)conn;

	sc->last_position = 0;
	return run_text(sc, stmt, cb, payload, &sc->last_position);
}

static int begin_immediate(gw_sqliteconn *sc)
{
	int rc = sqlite3_exec(sc->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	int error;

	if (rc == SQLITE_OK)
		return 0;
	if ((rc & 0xff) != SQLITE_BUSY)
		return set_error(sc, rc, 0);
	error = gw_error_set(sc->base.ctx, GW_ELOCK, "the database is locked by another writer");
	gw_error_set_sqlstate(sc->base.ctx, "55P03");
	return error;
}

static int sq_exec_tx(gw_conn *conn, const gw_stmt *stmts, size_t n, gw_exec_failure *failure)
{
	gw_sqliteconn *sc = (gw_sqliteconn *)conn;
	gw_exec_failure ignored;
	size_t i;
	int rc, error;

	if (!failure)
		failure = &ignored;
	failure->index = 0;
	failure->position = 0;
	sc->last_position = 0;
	/* Nothing to roll back if BEGIN failed: any open transaction is the
	 * caller's. */
	if ((error = begin_immediate(sc)) < 0)
		return error;
	for (i = 0; i < n; i++) {
		if ((error = run_text(sc, &stmts[i], NULL, NULL, &failure->position)) != 0) {
			failure->index = i;
			goto cleanup;
		}
	}
	if ((rc = sqlite3_exec(sc->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
		failure->index = n; /* e.g. a deferred foreign key */
		error = set_error(sc, rc, 0);
	}
cleanup:
	sc->last_position = failure->position;
	/* Some errors roll the transaction back by themselves. */
	if (error && !sqlite3_get_autocommit(sc->db))
		sqlite3_exec(sc->db, "ROLLBACK", NULL, NULL, NULL);
	return error;
}

static int sq_quote_ident(gw_conn *conn, const char *ident, char **out)
{
	gw_str q = GW_STR_INIT;
	const char *p;

	gw_str_putc(&q, '"');
	for (p = ident; *p; p++) {
		if (*p == '"')
			gw_str_putc(&q, '"');
		gw_str_putc(&q, *p);
	}
	gw_str_putc(&q, '"');
	if (!(*out = gw_str_detach(&q)))
		return gw_error_oom(conn->ctx);
	return 0;
}

static int sq_last_error_position(gw_conn *conn)
{
	return ((gw_sqliteconn *)conn)->last_position;
}

/* Copies one database into another page by page with SQLite's online
 * backup API, which holds a read lock on the source while it copies, so
 * the copy is consistent however the source is being used. */
static int copy_database(gw_conn *conn, sqlite3 *to, sqlite3 *from, const char *what)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	int rc;

	if (!b)
		return gw_error_set(conn->ctx, GW_EIO, "cannot %s: %s", what, sqlite3_errmsg(to));
	while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY ||
	       rc == SQLITE_LOCKED)
		sqlite3_sleep(rc == SQLITE_OK ? 0 : 50);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return gw_error_set(conn->ctx, GW_EIO, "cannot %s: %s", what, sqlite3_errstr(rc));
	return 0;
}

static int sq_backup(gw_conn *conn, const char *path)
{
	gw_sqliteconn *sc = (gw_sqliteconn *)conn;
	sqlite3 *to = NULL;
	int error;

	if (sqlite3_open_v2(path, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		error = gw_error_set(conn->ctx, GW_EIO, "cannot create the backup %s: %s", path,
		                     to ? sqlite3_errmsg(to) : "out of memory");
		sqlite3_close(to);
		return error;
	}
	error = copy_database(conn, to, sc->db, "write the backup");
	sqlite3_close(to);
	return error;
}

static int sq_restore(gw_conn *conn, const char *path)
{
	gw_sqliteconn *sc = (gw_sqliteconn *)conn;
	sqlite3 *from = NULL;
	int error;

	if (sqlite3_open_v2(path, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		error = gw_error_set(conn->ctx, GW_EIO, "cannot read the backup %s: %s", path,
		                     from ? sqlite3_errmsg(from) : "out of memory");
		sqlite3_close(from);
		return error;
	}
	error = copy_database(conn, sc->db, from, "restore the backup");
	sqlite3_close(from);
	return error;
}

static const char *sq_server_version(gw_conn *conn)
{
	(void)conn;
	return sqlite3_libversion();
}

const gw_driver gw_driver_sqlite = {
        .version = GW_DRIVER_VERSION,
        .name = "sqlite",
        .schemes = (const char *const[]){"sqlite", "sqlite3", NULL},
        .caps = GW_CAP_TRANSACTIONAL_DDL | GW_CAP_ERROR_POSITION,
        .dialect = GW_DIALECT_SQLITE,
        .open = sq_open,
        .close = sq_close,
        .exec = sq_exec,
        .exec_tx = sq_exec_tx,
        .try_lock = NULL,
        .unlock = NULL,
        .lock_holder = NULL,
        .quote_ident = sq_quote_ident,
        .last_error_position = sq_last_error_position,
        .backup = sq_backup,
        .restore = sq_restore,
        .server_version = sq_server_version,
        .cancel = sq_cancel,
};
