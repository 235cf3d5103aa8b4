/*
 * postgres.c: the PostgreSQL driver, on libpq.
 *
 * The runner hands a migration to exec_tx as a batch of statements; this
 * driver sends BEGIN, the statements and COMMIT through libpq's pipeline
 * mode, so a migration costs one network round trip however many statements
 * it has. Errors carry the server's primary message and SQLSTATE, and the
 * failing statement's index and character position so the library can point
 * at the line in the migration file. Passwords never reach a message: URLs
 * are masked, and anything libpq echoes is scrubbed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/pgcopy.h"
#include "drivers/pgerr.h"
#include "drivers/pgprep.h"
#include "drivers/pgurl.h"
#include "drivers/pq.h"
#include "drivers/registry.h"
#include "util/error.h"
#include "util/str.h"
#include "util/url.h"

typedef struct gw_pgconn {
	gw_conn base; /* first, so a gw_conn * is a gw_pgconn * */
	PGconn *pg;
	PGcancel *cancel; /* made at connect time: PQcancel is signal-safe with it */
	char *server_version;
	int last_position; /* of the last failed statement, for last_error_position */
	size_t running;    /* the statement of the batch whose results are read, for notices */
	int pgbouncer;     /* the URL says pgbouncer=true */
	/* The URL's schema, which each transaction sets again for itself: a
	 * transaction pooler drops the startup option (or, with
	 * pgbouncer=true, keeps the session's SET on whichever server
	 * connection it gave the first transaction), so only a SET inside
	 * the transaction is sure to reach the migration. NULL: none. */
	char *tx_search_path;
	gw_pgprep prep;   /* the statements this session keeps prepared */
	int prep_checked; /* prep.off is set for a named pooler */
} gw_pgconn;

static const char *named_pooler(gw_pgconn *pc);

/* Server NOTICEs and WARNINGs go to the caller, never to stderr. */
static void notice_receiver(void *arg, const PGresult *res)
{
	gw_pgconn *pc = arg;
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY);
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	gw_str text = GW_STR_INIT;

	if (!primary)
		primary = PQresultErrorMessage(res);
	if (!pc->base.on_notice) {
		gw_notify(pc->base.ctx, GW_NOTICE_SERVER, NULL, NULL, NULL, -1, "%s: %s",
		          severity ? severity : "NOTICE", primary);
		return;
	}
	gw_str_printf(&text, "%s: %s", severity ? severity : "NOTICE", primary);
	pc->base.on_notice(pc->base.notice_payload, pc->running, text.ptr);
	gw_str_dispose(&text);
}

/* "15.18 (Debian 15.18-1)" -> "15.18" */
static char *short_server_version(PGconn *pg)
{
	const char *v = PQparameterStatus(pg, "server_version");

	if (!v)
		return gw_strdup("");
	return gw_strndup(v, strcspn(v, " "));
}

/* "-c search_path=..." for libpq's options: the schema as a quoted
 * identifier, with the backslash escapes the server's options reader wants
 * for spaces and backslashes. */
static int search_path_option(gw_str *out, const char *existing, const char *schema)
{
	const char *p;

	if (existing && *existing)
		gw_str_printf(out, "%s ", existing);
	gw_str_puts(out, "-c search_path=\"");
	for (p = schema; *p; p++) {
		if (*p == '"')
			gw_str_putc(out, '"');
		if (*p == ' ' || *p == '\\' || *p == '\t')
			gw_str_putc(out, '\\');
		gw_str_putc(out, *p);
	}
	gw_str_putc(out, '"');
	return gw_str_failed(out) ? -1 : 0;
}

/* Through a transaction pooler (pgbouncer=true), which refuses startup
 * options, the search path is set once connected. */
static int set_search_path(PGconn *pg, const char *schema, gw_ctx *ctx)
{
	char *q = PQescapeIdentifier(pg, schema, strlen(schema));
	gw_str sql = GW_STR_INIT;
	PGresult *res = NULL;
	int error = 0;

	if (!q || gw_str_printf(&sql, "SET search_path TO %s", q) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	res = PQexec(pg, sql.ptr);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		gw_str msg = GW_STR_INIT;

		gw_pg_first_line(&msg, res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
		error = gw_error_set(ctx, GW_ESQL,
		                     "cannot set the search_path to the URL's schema: %s",
		                     msg.ptr ? msg.ptr : "");
		gw_str_dispose(&msg);
	}
cleanup:
	PQclear(res);
	if (q)
		PQfreemem(q);
	gw_str_dispose(&sql);
	return error;
}

static int pg_open(gw_conn **out, const char *url, const gw_conn_options *opts, gw_ctx *ctx)
{
	/* Entries before the URL's own are defaults: the URL's overrides
	 * them, so its own connect_timeout or client_encoding wins. A deploy
	 * must not hang for minutes on a black-holed host, and migration files
	 * are UTF-8 whatever the database's encoding. */
	const char *appname = opts && opts->application_name ? opts->application_name : "godwit";
	gw_pgurl u = GW_PGURL_INIT;
	gw_str options = GW_STR_INIT;
	const char **keys = NULL, **values = NULL;
	gw_pgconn *pc = NULL;
	PGconn *pg = NULL;
	size_t i, n = 0;
	int error;

	*out = NULL;
	if ((error = gw_pq_load(ctx)) < 0)
		return error;
	if ((error = gw_pgurl_parse(&u, url, ctx)) < 0)
		return error;
	error = GW_ENOMEM;
	if (u.schema && !u.pgbouncer &&
	    (search_path_option(&options, gw_pgurl_get(&u, "options"), u.schema) < 0 ||
	     gw_pgurl_set(&u, "options", options.ptr) < 0))
		goto oom;
	if (!(keys = calloc(u.n + 4, sizeof(*keys))) ||
	    !(values = calloc(u.n + 4, sizeof(*values))))
		goto oom;
	keys[n] = "fallback_application_name", values[n++] = appname;
	if (!getenv("PGCONNECT_TIMEOUT"))
		keys[n] = "connect_timeout", values[n++] = "10";
	if (!getenv("PGCLIENTENCODING"))
		keys[n] = "client_encoding", values[n++] = "UTF8";
	for (i = 0; i < u.n; i++)
		keys[n] = u.keys[i], values[n++] = u.values[i];
	keys[n] = NULL, values[n] = NULL;

	/* expand_dbname 0: the string was parsed above, and a dbname is a
	 * name, never a second connection string. */
	pg = PQconnectdbParams(keys, values, 0);
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		error = gw_pg_connect_error(ctx, url, pg, gw_pgurl_get(&u, "password"));
		goto cleanup;
	}
	if (u.schema && u.pgbouncer && (error = set_search_path(pg, u.schema, ctx)) < 0)
		goto cleanup;
	if (!(pc = calloc(1, sizeof(*pc))) || !(pc->server_version = short_server_version(pg)) ||
	    (u.schema && !(pc->tx_search_path = gw_strdup(u.schema))))
		goto oom;
	pc->base.driver = &gw_driver_postgres;
	pc->base.ctx = ctx;
	pc->pg = pg;
	pc->pgbouncer = u.pgbouncer;
	pg = NULL;
	pc->cancel = PQgetCancel(pc->pg);
	PQsetNoticeReceiver(pc->pg, notice_receiver, pc);
	*out = &pc->base;
	pc = NULL;
	error = 0;
	goto cleanup;
oom:
	error = gw_error_oom(ctx);
cleanup:
	if (pc) {
		free(pc->server_version);
		free(pc->tx_search_path);
	}
	free(pc);
	PQfinish(pg);
	free(keys);
	free(values);
	gw_pgurl_dispose(&u);
	gw_str_dispose(&options);
	return error;
}

static void pg_close(gw_conn *conn)
{
	gw_pgconn *pc = (gw_pgconn *)conn;

	if (!pc)
		return;
	if (pc->cancel)
		PQfreeCancel(pc->cancel);
	PQfinish(pc->pg);
	free(pc->server_version);
	free(pc->tx_search_path);
	gw_pgprep_dispose(&pc->prep);
	free(pc);
}

/* Called from a signal handler: PQcancel with a PGcancel made beforehand
 * is documented as safe there; it opens a new socket to the server. */
static int pg_cancel(gw_conn *conn)
{
	gw_pgconn *pc = (gw_pgconn *)conn;
	char errbuf[256];

	if (!pc->cancel || !PQcancel(pc->cancel, errbuf, (int)sizeof(errbuf)))
		return GW_ERROR;
	return 0;
}

/* Whether a failure lost the session. libpq does not always mark the
 * connection bad at once: a server shut down while the session was idle
 * leaves its FATAL message to be read with the next query, whose error
 * then has only libpq's own words (and no SQLSTATE), or the server's
 * 57P0x (admin or crash shutdown) or class 08 (connection exception). */
static int connection_lost(gw_pgconn *pc, const PGresult *res, const char *msg)
{
	static const char *const words[] = {
	        "server closed the connection",  "no connection to the server",
	        "could not receive data",        "could not send data",
	        "connection to server was lost",
	};
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	size_t i;

	if (PQstatus(pc->pg) == CONNECTION_BAD)
		return 1;
	if (state)
		return !strncmp(state, "57P0", 4) || !strncmp(state, "08", 2);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(msg, words[i]))
			return 1;
	return 0;
}

/* Sets the error of a failed result (res may be NULL when libpq itself
 * failed) and returns its code. */
static int result_error(gw_pgconn *pc, const PGresult *res)
{
	gw_ctx *ctx = pc->base.ctx;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	gw_str msg = GW_STR_INIT;
	int error;

	gw_pg_first_line(&msg, primary ? primary : PQerrorMessage(pc->pg));
	if (!msg.size)
		gw_str_puts(&msg, "unknown error");
	if (connection_lost(pc, res, msg.ptr))
		error = gw_error_set(ctx, GW_ECONNECT, "lost the connection to the server: %s",
		                     msg.ptr);
	else
		error = gw_error_set(ctx, GW_ESQL, "%s", msg.ptr);
	if (res) {
		const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);

		gw_error_set_sqlstate(ctx, PQresultErrorField(res, PG_DIAG_SQLSTATE));
		if (hint)
			gw_error_set_hint(ctx, "%s", hint);
	}
	gw_str_dispose(&msg);
	return error;
}

/* PostgreSQL's 1-based character position of the error; 0 if none. */
static int error_position(const PGresult *res)
{
	const char *pos = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;

	return pos ? atoi(pos) : 0;
}

static int result_ok(const PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	return res && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY);
}

static int deliver_rows(gw_pgconn *pc, const PGresult *res, gw_row_cb cb, void *payload)
{
	int ncols = PQnfields(res), nrows = PQntuples(res);
	const char *few[32], **values = few;
	int r, c, error = 0;

	if (!cb || nrows == 0)
		return 0;
	/* Rows streamed one at a time come here once each: no allocation for
	 * the usual few columns. */
	if (ncols > 32 && !(values = calloc((size_t)ncols, sizeof(*values))))
		return gw_error_oom(pc->base.ctx);
	for (r = 0; r < nrows && !error; r++) {
		for (c = 0; c < ncols; c++)
			values[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
		error = cb(payload, ncols, values);
	}
	if (values != few)
		free(values);
	return error;
}

static int is_copy(ExecStatusType st)
{
	return st == PGRES_COPY_IN || st == PGRES_COPY_OUT;
}

/* A COPY would leave the session waiting for data godwit never sends (FROM
 * STDIN) or holding rows nobody reads (TO STDOUT): refuse the first, discard
 * the second, so the session stays usable. */
static void end_copy(gw_pgconn *pc, ExecStatusType st)
{
	char *row = NULL;

	if (st == PGRES_COPY_IN)
		PQputCopyEnd(pc->pg, "godwit sends no COPY FROM STDIN data; use INSERT, or COPY "
		                     "FROM a file on the server");
	else
		while (PQgetCopyData(pc->pg, &row, 0) > 0)
			PQfreemem(row);
}

/* Reads the rest of a PQexec that stopped at a COPY: the result is the
 * first error, else the last result, as PQexec would have returned. */
static PGresult *finish_copy(gw_pgconn *pc, PGresult *res)
{
	PGresult *kept = NULL, *next;

	for (next = res; next; next = PQgetResult(pc->pg)) {
		if (is_copy(PQresultStatus(next))) {
			end_copy(pc, PQresultStatus(next));
			PQclear(next);
			if (PQstatus(pc->pg) == CONNECTION_BAD)
				break;
		} else if (kept && PQresultStatus(kept) == PGRES_FATAL_ERROR) {
			PQclear(next);
		} else {
			PQclear(kept);
			kept = next;
		}
	}
	return kept;
}

/* Runs sql (NUL-terminated) with text parameters; *out is the successful
 * result, to be PQclear'ed. */
static int run(gw_pgconn *pc, const char *sql, int nparams, const char *const *params,
               PGresult **out)
{
	PGresult *res;

	*out = NULL;
	pc->last_position = 0;
	pc->running = 0;
	if (nparams > 0)
		res = PQexecParams(pc->pg, sql, nparams, NULL, params, NULL, NULL, 0);
	else
		res = PQexec(pc->pg, sql); /* simple protocol: no parameters needed */
	if (res && is_copy(PQresultStatus(res)))
		res = finish_copy(pc, res);
	if (!result_ok(res)) {
		int error = result_error(pc, res);

		pc->last_position = error_position(res);
		PQclear(res);
		return error;
	}
	*out = res;
	return 0;
}

/* Runs sql and hands its rows to cb as they arrive (libpq's single-row
 * mode), so a large result (the history of 10,000 migrations) is never
 * held whole, in one round trip. Every result is read, whatever fails;
 * the first error is returned, and no row is delivered after it. */
static int stream(gw_pgconn *pc, const char *sql, int nparams, const char *const *params,
                  gw_row_cb cb, void *payload)
{
	PGresult *res, *failed = NULL;
	int error = 0;

	pc->last_position = 0;
	pc->running = 0;
	if (!(nparams > 0 ? PQsendQueryParams(pc->pg, sql, nparams, NULL, params, NULL, NULL, 0)
	                  : PQsendQuery(pc->pg, sql)))
		return result_error(pc, NULL);
	/* Without it (it can only fail right after sending) the rows come in
	 * one result: the same rows, held at once. */
	PQsetSingleRowMode(pc->pg);
	while ((res = PQgetResult(pc->pg)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		if (is_copy(st)) {
			end_copy(pc, st);
			if (PQstatus(pc->pg) == CONNECTION_BAD) {
				PQclear(res);
				break;
			}
		} else if (st == PGRES_FATAL_ERROR) {
			if (!failed && !error) {
				failed = res;
				res = NULL;
			}
		} else if ((st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) && !failed &&
		           !error) {
			error = deliver_rows(pc, res, cb, payload);
		}
		PQclear(res);
	}
	if (failed) {
		error = result_error(pc, failed);
		pc->last_position = error_position(failed);
		PQclear(failed);
	} else if (!error && PQstatus(pc->pg) == CONNECTION_BAD) {
		error = result_error(pc, NULL);
	}
	return error;
}

static int pg_exec(gw_conn *conn, const gw_stmt *stmt, gw_row_cb cb, void *payload)
{
	gw_pgconn *pc = (gw_pgconn *)conn;
	gw_str sql = GW_STR_INIT;
	PGresult *res = NULL;
	int error;

	/* The caller's text need not be NUL-terminated. */
	if (gw_str_put(&sql, stmt->sql, stmt->len) < 0) {
		error = gw_error_oom(conn->ctx);
		goto cleanup;
	}
	if (cb) {
		error = stream(pc, sql.ptr, stmt->nparams, stmt->params, cb, payload);
		goto cleanup;
	}
	error = run(pc, sql.ptr, stmt->nparams, stmt->params, &res);
cleanup:
	PQclear(res);
	gw_str_dispose(&sql);
	return error;
}

/* Whether the server refused COPY of a query as such (an engine that
 * speaks PostgreSQL's protocol without it), rather than the query. */
static int copy_refused(const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return state && (!strcmp(state, "0A000") || !strcmp(state, "42601"));
}

/* Reads and drops what is left of a query's results, so the session is
 * ready for the next one. */
static void discard_results(gw_pgconn *pc)
{
	PGresult *res;

	while ((res = PQgetResult(pc->pg)) != NULL)
		PQclear(res);
}

/* Where the rows of exec_copy (as text) or exec_binary go. */
typedef struct copy_sink {
	gw_row_cb text;
	gw_binrow_cb binary;
	void *payload;
} copy_sink;

/* exec_binary's rows without COPY, for an engine that speaks PostgreSQL's
 * protocol without it: the query's result in the binary format, whose
 * values are those COPY's binary format holds. */
static int binary_result(gw_pgconn *pc, const gw_stmt *stmt, const copy_sink *sink)
{
	gw_str sql = GW_STR_INIT;
	PGresult *res = NULL;
	const char *few[32], **values = few;
	int lens[32], *lengths = lens, ncols, row, i, error = 0;

	if (gw_str_put(&sql, stmt->sql, stmt->len) < 0)
		return gw_error_oom(pc->base.ctx);
	if (!PQsendQueryParams(pc->pg, sql.ptr, stmt->nparams, NULL, stmt->params, NULL, NULL, 1)) {
		error = result_error(pc, NULL);
		goto cleanup;
	}
	res = PQgetResult(pc->pg);
	if (!result_ok(res)) {
		error = result_error(pc, res);
		goto cleanup;
	}
	ncols = PQnfields(res);
	if (ncols > 32 && (!(values = calloc((size_t)ncols, sizeof(*values))) ||
	                   !(lengths = calloc((size_t)ncols, sizeof(*lengths))))) {
		error = gw_error_oom(pc->base.ctx);
		goto cleanup;
	}
	for (row = 0; row < PQntuples(res) && !error; row++) {
		for (i = 0; i < ncols; i++) {
			values[i] = PQgetisnull(res, row, i) ? NULL : PQgetvalue(res, row, i);
			lengths[i] = PQgetlength(res, row, i);
		}
		error = sink->binary(sink->payload, ncols, values, lengths);
	}
cleanup:
	discard_results(pc);
	if (values != few)
		free(values);
	if (lengths != lens)
		free(lengths);
	PQclear(res);
	gw_str_dispose(&sql);
	return error;
}

/* One row of COPY's data, in the sink's format, to its callback. */
static int copy_row(gw_conn *conn, const copy_sink *sink, char *row, int len, int *state,
                    const char **values, int *lengths, int ncols)
{
	int got;

	if (!sink->binary) {
		if (gw_pgcopy_split(row, (size_t)len, values, ncols) < 0)
			return gw_error_set(conn->ctx, GW_ESQL,
			                    "the server sent a row of COPY without its %d columns",
			                    ncols);
		return sink->text ? sink->text(sink->payload, ncols, values) : 0;
	}
	if ((got = gw_pgcopy_binary_split(row, (size_t)len, state, values, lengths, ncols)) < 0)
		return gw_error_set(conn->ctx, GW_ESQL,
		                    "the server sent COPY data that is not a binary row of %d "
		                    "columns",
		                    ncols);
	return got == 1 ? 0 : sink->binary(sink->payload, ncols, values, lengths);
}

/* exec_copy and exec_binary: the query's rows as COPY (query) TO STDOUT,
 * each one buffer from libpq taken apart in place (pgcopy.c), where
 * single-row mode makes a whole result a row: at 10,000 history rows,
 * half the client's CPU. Every row is read, whatever fails, so the
 * session stays usable; the first error is returned and no row is
 * delivered after it. */
static int copy_out(gw_conn *conn, const gw_stmt *stmt, const copy_sink *sink)
{
	static const char head[] = "COPY (";
	gw_pgconn *pc = (gw_pgconn *)conn;
	gw_str sql = GW_STR_INIT;
	PGresult *res = NULL, *failed = NULL;
	const char *few[32], **values = few;
	char *row = NULL;
	int lens[32], *lengths = lens, ncols, len, state = 0, error = 0;

	/* COPY takes no parameters. */
	if (stmt->nparams > 0)
		return sink->binary ? binary_result(pc, stmt, sink)
		                    : pg_exec(conn, stmt, sink->text, sink->payload);
	gw_str_puts(&sql, head);
	gw_str_put(&sql, stmt->sql, stmt->len);
	gw_str_puts(&sql, sink->binary ? ") TO STDOUT (FORMAT binary)" : ") TO STDOUT");
	if (gw_str_failed(&sql)) {
		error = gw_error_oom(conn->ctx);
		goto cleanup;
	}
	pc->last_position = 0;
	pc->running = 0;
	/* Not PQexec: when the server ends the session with a FATAL error,
	 * PQexec returns libpq's last result, which holds only the whole
	 * message ("FATAL:  ..."), not the server's fields; the first result
	 * has them, as stream reports them. */
	if (!PQsendQuery(pc->pg, sql.ptr)) {
		error = result_error(pc, NULL);
		goto cleanup;
	}
	res = PQgetResult(pc->pg);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		discard_results(pc);
		if (copy_refused(res) && PQstatus(pc->pg) != CONNECTION_BAD) {
			error = sink->binary ? binary_result(pc, stmt, sink)
			                     : pg_exec(conn, stmt, sink->text, sink->payload);
		} else if (!result_ok(res)) {
			error = result_error(pc, res);
			/* A position inside the caller's query, not the wrapper. */
			len = error_position(res) - (int)(sizeof(head) - 1);
			pc->last_position = len > 0 ? len : 0;
		}
		goto cleanup;
	}
	ncols = PQnfields(res);
	if (ncols > 32 && (!(values = calloc((size_t)ncols, sizeof(*values))) ||
	                   !(lengths = calloc((size_t)ncols, sizeof(*lengths)))))
		error = gw_error_oom(conn->ctx);
	while ((len = PQgetCopyData(pc->pg, &row, 0)) > 0) {
		if (!error)
			error = copy_row(conn, sink, row, len, &state, values, lengths, ncols);
		PQfreemem(row);
	}
	PQclear(res);
	while ((res = PQgetResult(pc->pg)) != NULL) {
		if (PQresultStatus(res) == PGRES_FATAL_ERROR && !failed) {
			failed = res;
			res = NULL;
		}
		PQclear(res);
	}
	if (failed && !error)
		error = result_error(pc, failed);
	else if (!error && (len == -2 || PQstatus(pc->pg) == CONNECTION_BAD))
		error = result_error(pc, NULL);
cleanup:
	if (values != few)
		free(values);
	if (lengths != lens)
		free(lengths);
	PQclear(failed);
	PQclear(res);
	gw_str_dispose(&sql);
	return error;
}

static int pg_exec_copy(gw_conn *conn, const gw_stmt *stmt, gw_row_cb cb, void *payload)
{
	copy_sink sink = {cb, NULL, payload};

	return copy_out(conn, stmt, &sink);
}

static int pg_exec_binary(gw_conn *conn, const gw_stmt *stmt, gw_binrow_cb cb, void *payload)
{
	copy_sink sink = {NULL, cb, payload};

	return copy_out(conn, stmt, &sink);
}

static int send_query(gw_pgconn *pc, const char *sql, int nparams, const char *const *params)
{
	if (PQsendQueryParams(pc->pg, sql, nparams, NULL, params, NULL, NULL, 0))
		return 0;
	return result_error(pc, NULL);
}

/* The queries a batch sends after BEGIN before its statements: the
 * URL's search path (one more query in the same round trip). */
static size_t batch_prelude(const gw_pgconn *pc)
{
	return pc->tx_search_path ? 1 : 0;
}

/* Queues statement i (0-based) of a batch as query *q (pgprep.h). */
static int send_statement(gw_pgconn *pc, const char *sql, size_t len, const gw_stmt *stmt, size_t i,
                          size_t *q)
{
	int named;

	if (!pc->prep_checked) {
		pc->prep_checked = 1;
		if (named_pooler(pc))
			gw_pgprep_off(&pc->prep);
	}
	if ((named = gw_pgprep_send(&pc->prep, pc->pg, sql, len, stmt, i, q)) < 0)
		return result_error(pc, NULL);
	return named ? send_query(pc, sql, stmt->nparams, stmt->params) : 0;
}

/* Queues BEGIN, the prelude, the statements and COMMIT. Stops at the
 * first statement libpq refuses to queue; what was queued still has to be
 * drained. */
static int send_batch(gw_pgconn *pc, const gw_stmt *stmts, size_t n)
{
	gw_str sql = GW_STR_INIT;
	size_t i, q;
	int error;

	gw_pgprep_batch(&pc->prep);
	if ((error = send_query(pc, "BEGIN", 0, NULL)) < 0)
		goto cleanup;
	/* set_config's value is a search_path list: the schema quoted as an
	 * identifier, as SET search_path TO would take it. */
	if (pc->tx_search_path) {
		char *qi =
		        PQescapeIdentifier(pc->pg, pc->tx_search_path, strlen(pc->tx_search_path));
		const char *param = qi;

		if (!qi) {
			error = gw_error_oom(pc->base.ctx);
			goto cleanup;
		}
		error = send_query(pc, "SELECT pg_catalog.set_config('search_path', $1, true)", 1,
		                   &param);
		PQfreemem(qi);
		if (error < 0)
			goto cleanup;
	}
	q = 1 + batch_prelude(pc);
	for (i = 0; i < n; i++) {
		if (gw_str_set(&sql, stmts[i].sql, stmts[i].len) < 0) {
			error = gw_error_oom(pc->base.ctx);
			goto cleanup;
		}
		if ((error = send_statement(pc, sql.ptr, sql.size, &stmts[i], i, &q)) < 0)
			goto cleanup;
	}
	error = send_query(pc, "COMMIT", 0, NULL);
cleanup:
	gw_str_dispose(&sql);
	return error;
}

/* Reads every result up to the sync point. *failed is the first failed
 * result (kept for its diagnostics), *failed_at the number of the
 * statement that produced it (gw_pgprep_number). */
static void read_batch(gw_pgconn *pc, PGresult **failed, size_t *failed_at)
{
	size_t query = 0;
	int nulls = 0;

	for (;;) {
		PGresult *res;
		ExecStatusType st;

		/* The notices read with query q's results are its own (libpq
		 * stops reading once a result is complete); BEGIN's and
		 * COMMIT's fall outside the statements. */
		pc->running = gw_pgprep_number(&pc->prep, batch_prelude(pc), query) - 1;
		res = PQgetResult(pc->pg);

		if (!res) {
			/* One NULL ends each query's results; a second in a row
			 * means nothing more is coming (a lost connection). */
			if (++nulls > 1 || PQstatus(pc->pg) == CONNECTION_BAD)
				return;
			query++;
			continue;
		}
		nulls = 0;
		st = PQresultStatus(res);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			return;
		}
		if (is_copy(st)) {
			end_copy(pc, st); /* its error result comes next */
			PQclear(res);
			continue;
		}
		if (st == PGRES_COMMAND_OK)
			gw_pgprep_done(&pc->prep, query);
		/* PGRES_PIPELINE_ABORTED: skipped after the failure. */
		if (st == PGRES_FATAL_ERROR && !*failed) {
			*failed = res;
			*failed_at = gw_pgprep_number(&pc->prep, batch_prelude(pc), query);
			continue;
		}
		PQclear(res);
	}
}

static int fail_batch(gw_pgconn *pc, PGresult *res, size_t failed_at, size_t n,
                      gw_exec_failure *failure)
{
	if (failed_at == 0) {
		failure->index = 0;
	} else if (failed_at > n) {
		failure->index = n; /* COMMIT failed, e.g. a deferred constraint */
	} else {
		failure->index = failed_at - 1;
		failure->position = error_position(res);
	}
	pc->last_position = failure->position;
	return result_error(pc, res);
}

/* One attempt at the batch; *failed and *failed_at as read_batch's. */
static int try_batch(gw_pgconn *pc, const gw_stmt *stmts, size_t n, PGresult **failed,
                     size_t *failed_at)
{
	int send_error;

	if (!PQenterPipelineMode(pc->pg))
		return result_error(pc, NULL);
	send_error = send_batch(pc, stmts, n);
	if (!PQpipelineSync(pc->pg) && !send_error)
		send_error = result_error(pc, NULL);
	read_batch(pc, failed, failed_at);
	PQexitPipelineMode(pc->pg);
	gw_pgprep_drop_unready(&pc->prep);
	return send_error;
}

/* A failure leaves the transaction aborted (or, if sending stopped early,
 * open); only a failed COMMIT has ended it already. */
static void end_failed(gw_pgconn *pc)
{
	if (PQstatus(pc->pg) == CONNECTION_OK && PQtransactionStatus(pc->pg) != PQTRANS_IDLE)
		PQclear(PQexec(pc->pg, "ROLLBACK"));
}

static int pg_exec_tx(gw_conn *conn, const gw_stmt *stmts, size_t n, gw_exec_failure *failure)
{
	gw_pgconn *pc = (gw_pgconn *)conn;
	gw_exec_failure ignored;
	PGresult *failed = NULL;
	size_t failed_at = 0;
	int error, send_error;

	if (!failure)
		failure = &ignored;
	failure->index = 0;
	failure->position = 0;
	pc->last_position = 0;
	send_error = try_batch(pc, stmts, n, &failed, &failed_at);
	if (failed && !send_error &&
	    gw_pgprep_lost(&pc->prep, PQresultErrorField(failed, PG_DIAG_SQLSTATE), failed_at)) {
		/* Everything was rolled back: the same batch again, unnamed. */
		PQclear(failed);
		failed = NULL;
		failed_at = 0;
		end_failed(pc);
		gw_pgprep_off(&pc->prep);
		send_error = try_batch(pc, stmts, n, &failed, &failed_at);
	}
	if (failed)
		error = fail_batch(pc, failed, failed_at, n, failure);
	else
		error = send_error;
	if (!error && PQstatus(pc->pg) == CONNECTION_BAD)
		error = result_error(pc, NULL);
	if (error)
		end_failed(pc);
	PQclear(failed);
	return error;
}

/* Sends every query and one sync, then reads the results in order: the
 * server works through the queue while the rows of the first queries are
 * handed over, and the whole batch costs one round trip. */
static int pg_exec_pipeline(gw_conn *conn, const gw_query *qs, size_t n)
{
	gw_pgconn *pc = (gw_pgconn *)conn;
	gw_str sql = GW_STR_INIT;
	PGresult *failed = NULL;
	size_t i, q = 0;
	int error = 0, nulls = 0;

	pc->last_position = 0;
	pc->running = 0;
	if (!PQenterPipelineMode(pc->pg))
		return result_error(pc, NULL);
	for (i = 0; i < n && !error; i++) {
		if (gw_str_set(&sql, qs[i].stmt.sql, qs[i].stmt.len) < 0)
			error = gw_error_oom(conn->ctx);
		else
			error = send_query(pc, sql.ptr, qs[i].stmt.nparams, qs[i].stmt.params);
	}
	if (!PQpipelineSync(pc->pg) && !error)
		error = result_error(pc, NULL);
	/* Everything queued is read, whatever failed, so the session stays
	 * usable: one NULL ends each query's results, a second in a row means
	 * nothing more is coming. */
	for (;;) {
		PGresult *res = PQgetResult(pc->pg);
		ExecStatusType st;

		if (!res) {
			if (++nulls > 1 || PQstatus(pc->pg) == CONNECTION_BAD)
				break;
			q++;
			continue;
		}
		nulls = 0;
		st = PQresultStatus(res);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			break;
		}
		if (is_copy(st))
			end_copy(pc, st);
		else if (st == PGRES_FATAL_ERROR && !failed && !error)
			failed = res, res = NULL;
		/* libpq 14 and 15 keep the single-row mode of a streamed query
		 * (stream) for the first query of the next pipeline. */
		else if ((result_ok(res) || st == PGRES_SINGLE_TUPLE) && !failed && !error && q < n)
			error = deliver_rows(pc, res, qs[q].cb, qs[q].payload);
		PQclear(res);
	}
	PQexitPipelineMode(pc->pg);
	if (failed) {
		pc->last_position = error_position(failed);
		error = result_error(pc, failed);
	} else if (!error && PQstatus(pc->pg) == CONNECTION_BAD) {
		error = result_error(pc, NULL);
	}
	PQclear(failed);
	gw_str_dispose(&sql);
	return error;
}

/* Runs a query expected to return one row and copies its first value
 * (NULL for SQL NULL) into *out. */
static int query_value(gw_pgconn *pc, const char *sql, int nparams, const char *const *params,
                       char **out)
{
	PGresult *res = NULL;
	int error;

	*out = NULL;
	if ((error = run(pc, sql, nparams, params, &res)) < 0)
		return error;
	if (PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0) &&
	    !(*out = gw_strdup(PQgetvalue(res, 0, 0))))
		error = gw_error_oom(pc->base.ctx);
	PQclear(res);
	return error;
}

static int pg_try_lock(gw_conn *conn, int64_t key, int *acquired)
{
	char keybuf[24];
	const char *params[1] = {keybuf};
	char *value = NULL;
	int error;

	*acquired = 0;
	snprintf(keybuf, sizeof(keybuf), "%" PRId64, key);
	error = query_value((gw_pgconn *)conn, "SELECT pg_try_advisory_lock($1::bigint)", 1, params,
	                    &value);
	if (!error)
		*acquired = value && value[0] == 't';
	free(value);
	return error;
}

static int pg_unlock(gw_conn *conn, int64_t key)
{
	char keybuf[24];
	const char *params[1] = {keybuf};
	char *value = NULL;
	int error;

	snprintf(keybuf, sizeof(keybuf), "%" PRId64, key);
	error = query_value((gw_pgconn *)conn, "SELECT pg_advisory_unlock($1::bigint)", 1, params,
	                    &value);
	/* false: the session had lost the lock (a reset connection, a
	 * pooler); the runner must know its exclusion was not guaranteed. */
	if (!error && !(value && value[0] == 't'))
		error = gw_error_set(conn->ctx, GW_ELOCK,
		                     "the advisory lock %" PRId64 " was not held by this session",
		                     key);
	free(value);
	return error;
}

/* A bigint advisory key is stored in pg_locks as classid = high 32 bits,
 * objid = low 32 bits, objsubid = 1, in the current database. The host is
 * the client's as the server sees it (its name only with log_hostname). */
static const char lock_holder_sql[] =
        "SELECT l.pid, a.application_name, a.usename::text,"
        " coalesce(a.client_hostname, host(a.client_addr),"
        " CASE WHEN a.client_port = -1 THEN 'local socket' END),"
        " date_trunc('second', a.backend_start)::text, a.state"
        " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 1"
        " AND l.pid IS DISTINCT FROM pg_backend_pid()"
        " ORDER BY a.backend_start LIMIT 1";

static void describe_holder(gw_str *out, const PGresult *res)
{
	static const char *const parts[][2] = {
	        {"", ""},          {"application \"", "\""}, {"user \"", "\""},
	        {"host \"", "\""}, {"connected since ", ""}, {"state \"", "\""}};
	const char *sep = " (";
	int c;

	if (PQgetisnull(res, 0, 0)) {
		gw_str_puts(out, "a prepared transaction");
		return;
	}
	gw_str_printf(out, "pid %s", PQgetvalue(res, 0, 0));
	for (c = 1; c < 6; c++) {
		if (PQgetisnull(res, 0, c))
			continue; /* hidden from roles without pg_read_all_stats */
		gw_str_puts(out, sep);
		gw_str_puts(out, parts[c][0]);
		gw_str_puts(out, PQgetvalue(res, 0, c));
		gw_str_puts(out, parts[c][1]);
		sep = ", ";
	}
	if (sep[0] == ',')
		gw_str_putc(out, ')');
}

static int pg_lock_holder(gw_conn *conn, int64_t key, char **out)
{
	gw_pgconn *pc = (gw_pgconn *)conn;
	uint64_t ukey = (uint64_t)key;
	char classid[16], objid[16];
	const char *params[2] = {classid, objid};
	gw_str text = GW_STR_INIT;
	PGresult *res = NULL;
	int error;

	*out = NULL;
	snprintf(classid, sizeof(classid), "%" PRIu32, (uint32_t)(ukey >> 32));
	snprintf(objid, sizeof(objid), "%" PRIu32, (uint32_t)(ukey & 0xffffffffu));
	if ((error = run(pc, lock_holder_sql, 2, params, &res)) < 0)
		goto cleanup;
	if (PQntuples(res) == 0)
		goto cleanup;
	describe_holder(&text, res);
	if (!(*out = gw_str_detach(&text)))
		error = gw_error_oom(conn->ctx);
cleanup:
	PQclear(res);
	gw_str_dispose(&text);
	return error;
}

static int pg_quote_ident(gw_conn *conn, const char *ident, char **out)
{
	gw_pgconn *pc = (gw_pgconn *)conn;
	char *quoted = PQescapeIdentifier(pc->pg, ident, strlen(ident));
	gw_str msg = GW_STR_INIT;
	int error;

	*out = NULL;
	if (quoted) {
		*out = gw_strdup(quoted);
		PQfreemem(quoted);
		return *out ? 0 : gw_error_oom(conn->ctx);
	}
	gw_pg_first_line(&msg, PQerrorMessage(pc->pg));
	error = gw_error_set(conn->ctx, GW_EINVALID, "cannot quote identifier: %s", msg.ptr);
	gw_str_dispose(&msg);
	return error;
}

static int pg_last_error_position(gw_conn *conn)
{
	return ((gw_pgconn *)conn)->last_position;
}

static const char *pg_server_version(gw_conn *conn)
{
	return ((gw_pgconn *)conn)->server_version;
}

/* What the connection string says of a transaction pooler: Prisma's
 * pgbouncer=true, Supabase's pooler port, Neon's "-pooler" host. */
static const char *named_pooler(gw_pgconn *pc)
{
	const char *port = PQport(pc->pg), *host = PQhost(pc->pg);

	if (pc->pgbouncer)
		return "the URL says pgbouncer=true";
	if (port && !strcmp(port, "6543"))
		return "port 6543 is a transaction pooler's (Supabase's)";
	if (host && host[0] != '/' && host[0] != '@' && strstr(host, "-pooler."))
		return "the host is a Neon pooler (-pooler.)";
	return NULL;
}

/* PgBouncer (and other poolers) give the client a made-up process id and
 * cancel key of their own at startup, so it differs from the
 * pg_backend_pid() of the server process that answers. */
static int pg_session(gw_conn *conn, gw_session_info *out)
{
	gw_pgconn *pc = (gw_pgconn *)conn;
	char *value = NULL;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = query_value(pc, "SELECT pg_backend_pid()", 0, NULL, &value)) < 0)
		return error;
	out->server_pid = value ? atoi(value) : 0;
	out->own = out->server_pid != 0 && out->server_pid == PQbackendPID(pc->pg);
	out->pooler = named_pooler(pc);
	free(value);
	return 0;
}

const gw_driver gw_driver_postgres = {
        .version = GW_DRIVER_VERSION,
        .name = "postgres",
        .schemes =
                (const char *const[]){"postgres", "postgresql", "cockroachdb", "yugabytedb", NULL},
        .caps = GW_CAP_TRANSACTIONAL_DDL | GW_CAP_ADVISORY_LOCK | GW_CAP_PIPELINE |
                GW_CAP_ERROR_POSITION,
        .dialect = GW_DIALECT_POSTGRES,
        .open = pg_open,
        .close = pg_close,
        .exec = pg_exec,
        .exec_tx = pg_exec_tx,
        .try_lock = pg_try_lock,
        .unlock = pg_unlock,
        .lock_holder = pg_lock_holder,
        .quote_ident = pg_quote_ident,
        .last_error_position = pg_last_error_position,
        .server_version = pg_server_version,
        .session = pg_session,
        .cancel = pg_cancel,
        .exec_pipeline = pg_exec_pipeline,
        .exec_copy = pg_exec_copy,
        .exec_binary = pg_exec_binary,
        .load = gw_pq_load,
};
