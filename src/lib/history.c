/*
 * history.c: the two state tables (docs/architecture.md) and the statements that
 * write them.
 *
 * godwit_migrations holds one row per applied (or dirty) migration;
 * godwit_events is an append-only audit of everything that happened. The
 * statements here are appended to the same batch as the migration's own
 * SQL, so a migration and its record commit together or not at all. Values
 * always travel as parameters; only identifiers (quoted by the driver) and
 * fixed expressions are part of the SQL text.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/error.h"
#include "../util/proc.h"
#include "../util/vec.h"
#include "history_sql.h"

static const gw_hist_sql postgres_sql = {
        "timestamptz",
        "now()",
        "clock_timestamp()",
        {"(extract(epoch from (clock_timestamp() - ", ")) * 1000)::bigint"},
        {"to_char(", " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"},
        "id bigserial PRIMARY KEY",
        "current_user",
};

static const gw_hist_sql sqlite_sql = {
        "text",
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        {"CAST(round((julianday('now') - julianday(", ")) * 86400000) AS INTEGER)"},
        {"", ""},
        "id INTEGER PRIMARY KEY AUTOINCREMENT",
        NULL,
};

const gw_hist_sql *gw_hist__sql(const gw_project *p)
{
	return p->driver->dialect == GW_DIALECT_POSTGRES ? &postgres_sql : &sqlite_sql;
}

int gw_hist__put_around(gw_str *s, const char *const around[2], const char *column)
{
	gw_str_puts(s, around[0]);
	gw_str_puts(s, column);
	gw_str_puts(s, around[1]);
	return gw_str_failed(s) ? -1 : 0;
}

/* ---- batches ----------------------------------------------------------- */

int gw_batch_add(gw_batch *b, const char *sql, size_t len, const char *const *params, int n)
{
	gw_stmt *stmts = gw_grow(b->stmts, &b->cap, b->count, sizeof(*stmts));

	if (!stmts)
		return -1;
	b->stmts = stmts;
	b->stmts[b->count].sql = sql;
	b->stmts[b->count].len = len;
	b->stmts[b->count].params = params;
	b->stmts[b->count].nparams = n;
	b->count++;
	return 0;
}

static int own(gw_batch *b, void *ptr)
{
	if (!ptr || gw_vec_push(&b->owned, ptr) < 0) {
		free(ptr);
		return -1;
	}
	return 0;
}

int gw_batch_addf(gw_batch *b, const char *const *params, int n, const char *fmt, ...)
{
	gw_str sql = GW_STR_INIT;
	const char **copy = NULL;
	char *text;
	va_list ap;
	int i;

	va_start(ap, fmt);
	gw_str_vprintf(&sql, fmt, ap);
	va_end(ap);
	if (own(b, (text = gw_str_detach(&sql))) < 0)
		return -1;
	if (n > 0) {
		if (own(b, (copy = calloc((size_t)n, sizeof(*copy)))) < 0)
			return -1;
		for (i = 0; i < n; i++) {
			char *dup = gw_strdup(params[i]);

			if (params[i] && own(b, dup) < 0)
				return -1;
			copy[i] = dup;
		}
	}
	return gw_batch_add(b, text, strlen(text), copy, n);
}

void gw_batch_dispose(gw_batch *b)
{
	free(b->stmts);
	b->stmts = NULL;
	b->count = b->cap = 0;
	gw_vec_dispose(&b->owned, free);
}

/* ---- tables ------------------------------------------------------------ */

/* An escaped SQL literal, for the one value that is not a parameter in
 * SQLite's history SQL: the name of the OS user running godwit. */
static void put_literal(gw_str *s, const char *value)
{
	gw_str_putc(s, '\'');
	for (; *value; value++) {
		if (*value == '\'')
			gw_str_putc(s, '\'');
		gw_str_putc(s, *value);
	}
	gw_str_putc(s, '\'');
}

/* -1 when s could not grow (see put_around). */
static int put_who(gw_str *s, const gw_project *p)
{
	char *user;

	if (gw_hist__sql(p)->who) {
		gw_str_puts(s, gw_hist__sql(p)->who);
	} else {
		user = gw_os_user();
		put_literal(s, user ? user : "unknown");
		free(user);
	}
	return gw_str_failed(s) ? -1 : 0;
}

/* Whether the migrations table exists, and with both set, the events
 * table too. */
static int tables_exist(int *exists, gw_project *p, int both)
{
	gw_conn *conn;
	int error;
	const char *params[2];

	*exists = 0;
	if (gw_project__database_missing(p))
		return 0;
	if ((error = gw_project__connect(&conn, p)) < 0)
		return error;
	if (p->driver->dialect == GW_DIALECT_POSTGRES) {
		params[0] = p->table_q;
		params[1] = both ? p->events_q : p->table_q;
		return gw_project__exec(p,
		                        "SELECT to_regclass($1) IS NOT NULL AND "
		                        "to_regclass($2) IS NOT NULL",
		                        params, 2, gw_project__bool_row, exists);
	}
	/* sqlite_master holds bare names, not quoted ones. */
	params[0] = p->opts.table;
	params[1] = both ? p->opts.events_table : p->opts.table;
	return gw_project__exec(p,
	                        "SELECT count(DISTINCT name) = 1 + ($1 <> $2) FROM sqlite_master "
	                        "WHERE type = 'table' AND name IN ($1, $2)",
	                        params, 2, gw_project__bool_row, exists);
}

int gw_hist_exists(int *exists, gw_project *p)
{
	return tables_exist(exists, p, 1);
}

int gw_hist_rows_exist(int *exists, gw_project *p)
{
	return tables_exist(exists, p, 0);
}

/* The history's schema needs creating: PostgreSQL, not public, and not
 * there yet. Asked first because CREATE SCHEMA IF NOT EXISTS says
 * "schema ... already exists, skipping" to a run that had nothing to
 * create (a schema made by whoever set up the database, or ?schema=). */
int gw_hist_schema_missing(int *missing, gw_project *p)
{
	char *q = NULL;
	const char *param;
	int error, exists = 0;

	*missing = 0;
	if (p->driver->dialect != GW_DIALECT_POSTGRES || !strcmp(p->opts.schema, "public"))
		return 0;
	if (p->driver->quote_ident(p->conn, p->opts.schema, &q) < 0)
		return gw_error_oom(p->ctx);
	param = q;
	error = gw_project__exec(p, "SELECT to_regnamespace($1) IS NOT NULL", &param, 1,
	                         gw_project__bool_row, &exists);
	free(q);
	*missing = error == 0 && !exists;
	return error;
}

/* The statements that create the history tables, one per part: 0 the
 * schema (when `schema` says it is missing), 1 godwit_migrations,
 * 2 godwit_events. */
#define CREATE_PARTS 3

static void put_create_table(gw_str *s, const gw_project *p, int part, int schema)
{
	const gw_hist_sql *d = gw_hist__sql(p);

	if (part == 0 && schema) {
		char *q = NULL;

		if (p->driver->quote_ident(p->conn, p->opts.schema, &q) == 0)
			gw_str_printf(s, "CREATE SCHEMA IF NOT EXISTS %s;\n", q);
		else
			s->failed = 1;
		free(q);
	}
	if (part == 1)
		gw_str_printf(s,
		              "CREATE TABLE IF NOT EXISTS %s (\n"
		              "  version text PRIMARY KEY,\n"
		              "  name text NOT NULL,\n"
		              "  kind text NOT NULL DEFAULT 'versioned',\n"
		              "  file text,\n"
		              "  checksum text NOT NULL,\n"
		              "  down_checksum text,\n"
		              "  applied_at %s NOT NULL,\n"
		              "  applied_by text,\n"
		              "  execution_ms bigint,\n"
		              "  statements_total integer NOT NULL DEFAULT 0,\n"
		              "  statements_done integer NOT NULL DEFAULT 0,\n"
		              "  state text NOT NULL DEFAULT 'applied' CHECK (state IN ('applied', "
		              "'dirty')),\n"
		              "  error text,\n"
		              "  environment text,\n"
		              "  godwit_version text\n"
		              ");\n",
		              p->table_q, d->time_type);
	if (part == 2)
		gw_str_printf(s,
		              "CREATE TABLE IF NOT EXISTS %s (\n"
		              "  %s,\n"
		              "  at %s NOT NULL,\n"
		              "  action text NOT NULL,\n"
		              "  version text,\n"
		              "  name text,\n"
		              "  file text,\n"
		              "  checksum text,\n"
		              "  duration_ms bigint,\n"
		              "  applied_by text,\n"
		              "  environment text,\n"
		              "  error text,\n"
		              "  sqlstate text,\n"
		              "  error_file text,\n"
		              "  error_line integer,\n"
		              "  error_column integer,\n"
		              "  godwit_version text\n"
		              ");\n",
		              p->events_q, d->event_id, d->time_type);
}

static void put_create_tables(gw_str *s, const gw_project *p, int schema)
{
	int part;

	for (part = 0; part < CREATE_PARTS; part++)
		put_create_table(s, p, part, schema);
}

int gw_hist_add_create_tables(gw_batch *b, gw_project *p)
{
	gw_str sql = GW_STR_INIT;
	int part, schema, error;

	if ((error = gw_hist_schema_missing(&schema, p)) < 0)
		return error;
	for (part = 0; part < CREATE_PARTS && error == 0; part++) {
		gw_str_clear(&sql);
		put_create_table(&sql, p, part, schema);
		if (gw_str_failed(&sql))
			error = gw_error_oom(p->ctx);
		else if (sql.size && gw_batch_addf(b, NULL, 0, "%s", sql.ptr) < 0)
			error = gw_error_oom(p->ctx);
	}
	gw_str_dispose(&sql);
	return error;
}

int gw_hist_ensure(gw_project *p)
{
	gw_str sql = GW_STR_INIT;
	int exists = 0, schema = 0, error;

	/* Checking first keeps PostgreSQL's "already exists, skipping" notices
	 * out of every run, and needs no CREATE privilege once set up. */
	if ((error = gw_hist_exists(&exists, p)) < 0 ||
	    (!exists && (error = gw_hist_schema_missing(&schema, p)) < 0))
		return error;
	if (!exists) {
		put_create_tables(&sql, p, schema);
		if (gw_str_failed(&sql))
			error = gw_error_oom(p->ctx);
		else
			error = gw_project__exec(p, sql.ptr, NULL, 0, NULL, NULL);
		if (error < 0)
			gw_error_prefix(p->ctx,
			                "cannot create the history tables %s and %s: ", p->table_q,
			                p->events_q);
		gw_str_dispose(&sql);
	}
	/* The event stream starts here, before this run writes any. */
	if (error == 0)
		error = gw_events__mark(p, !exists);
	return error;
}

/* A run that waited for another runner's lock says for how long: the
 * lock-wait event, its duration the wait, so deploys queueing behind
 * each other show in the history (and in godwit serve's metrics). */
static int record_lock_wait(gw_project *p)
{
	gw_record rec = {NULL, NULL, NULL, "lock-wait", NULL, 0, 0};
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	char ms[32];
	const char *param = ms;
	int error;

	snprintf(ms, sizeof(ms), "%lld", p->lock_waited_ms);
	p->lock_waited_ms = 0;
	if (gw_hist_add_event(&b, p, &rec) < 0 ||
	    gw_batch_addf(&b, &param, 1,
	                  "UPDATE %s SET duration_ms = CAST($1 AS bigint) WHERE id = (SELECT "
	                  "max(id) FROM %s)",
	                  p->events_q, p->events_q) < 0)
		error = gw_error_oom(p->ctx);
	else
		error = p->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
	gw_batch_dispose(&b);
	return error;
}

int gw_hist_begin(gw_project *p)
{
	int error;

	/* Created under the lock, so concurrent first runs cannot race on
	 * CREATE TABLE. */
	if ((error = gw_project__lock(p)) < 0 || (error = gw_hist_ensure(p)) < 0)
		return error;
	return p->lock_waited_ms > 0 ? record_lock_wait(p) : 0;
}

/* ---- writing ------------------------------------------------------------ */

static const char *record_version(const gw_record *r)
{
	return r->m ? r->m->version : r->version;
}

static const char *record_name(const gw_record *r)
{
	return r->m ? r->m->name : r->name;
}

/* The apply event, copied from the finished row: its start, its duration
 * and who ran it. */
#define EVENT_FROM_ROW                                                                             \
	"INSERT INTO %s (at, action, version, name, file, checksum, duration_ms, applied_by, "     \
	"environment, godwit_version) SELECT applied_at, 'apply', version, name, file, "           \
	"checksum, execution_ms, applied_by, environment, godwit_version FROM %s"

/* The row's INSERT; with done, the finished row with its duration
 * (measured from the transaction's start, which applied_at is) and its
 * apply event, in one statement (a writable CTE: PostgreSQL only). */
static int add_row(gw_batch *b, gw_project *p, const gw_record *r, int done)
{
	char total[16], finished[16];
	const char *params[9];
	char sum[GW_CHECKSUM_HEX], down[GW_CHECKSUM_HEX];
	gw_str who = GW_STR_INIT, row = GW_STR_INIT;
	int error = -1;

	snprintf(total, sizeof(total), "%d", r->statements_total);
	snprintf(finished, sizeof(finished), "%d", r->statements_done);
	params[0] = record_version(r);
	params[1] = record_name(r);
	params[2] = r->m ? r->m->up_file : NULL;
	params[3] = r->m ? gw_migration_hex(sum, r->m) : "";
	params[4] = r->m ? gw_migration_down_hex(down, r->m) : NULL;
	params[5] = total;
	params[6] = finished;
	params[7] = r->state;
	params[8] = p->environment;
	if (put_who(&who, p) < 0)
		goto cleanup;
	gw_str_printf(&row,
	              "INSERT INTO %s (version, name, kind, file, checksum, down_checksum, "
	              "applied_at, applied_by, statements_total, statements_done, state, "
	              "environment, godwit_version%s) VALUES ($1, $2, '%s', $3, $4, $5, %s, %s, "
	              "$6, $7, $8, $9, '" GODWIT_VERSION "'%s",
	              p->table_q, done ? ", execution_ms" : "",
	              r->m && r->m->repeatable ? "repeatable" : "versioned", gw_hist__sql(p)->now,
	              who.ptr, done ? ", " : "");
	if (done)
		gw_hist__put_around(&row, gw_hist__sql(p)->elapsed, gw_hist__sql(p)->now);
	gw_str_putc(&row, ')');
	/* A repeatable migration keeps one row, replaced at each apply. */
	if (gw_str_failed(&row) ||
	    (r->m && r->m->repeatable && gw_hist_add_row_delete(b, p, r->m->version) < 0))
		goto cleanup;
	if (done)
		error = gw_batch_addf(b, params, 9, "WITH r AS (%s RETURNING *) " EVENT_FROM_ROW,
		                      row.ptr, p->events_q, "r");
	else
		error = gw_batch_addf(b, params, 9, "%s", row.ptr);
cleanup:
	gw_str_dispose(&row);
	gw_str_dispose(&who);
	return error;
}

int gw_hist_add_row_insert(gw_batch *b, gw_project *p, const gw_record *r)
{
	return add_row(b, p, r, 0);
}

int gw_hist_add_row_applied(gw_batch *b, gw_project *p, const gw_record *r)
{
	return add_row(b, p, r, 1);
}

int gw_hist_add_applied(gw_batch *b, gw_project *p, const gw_migration *m)
{
	char sum[GW_CHECKSUM_HEX], down[GW_CHECKSUM_HEX];
	const char *params[3] = {m->version, gw_migration_hex(sum, m),
	                         gw_migration_down_hex(down, m)};
	gw_str elapsed = GW_STR_INIT;
	int error;

	/* The checksum is written again: a resumed migration may have been
	 * fixed since its row was inserted. On PostgreSQL the row's update and
	 * the event are one statement (a writable CTE), one less to send and
	 * execute per migration. */
	if (gw_hist__put_around(&elapsed, gw_hist__sql(p)->elapsed, "applied_at") < 0) {
		error = -1;
	} else if (p->driver->dialect == GW_DIALECT_POSTGRES) {
		error = gw_batch_addf(
		        b, params, 3,
		        "WITH r AS (UPDATE %s SET state = 'applied', statements_done = "
		        "statements_total, error = NULL, checksum = $2, down_checksum = "
		        "$3, execution_ms = %s WHERE version = $1 RETURNING *) " EVENT_FROM_ROW,
		        p->table_q, elapsed.ptr, p->events_q, "r");
	} else {
		error = gw_batch_addf(
		        b, params, 3,
		        "UPDATE %s SET state = 'applied', statements_done = "
		        "statements_total, error = NULL, checksum = $2, down_checksum = $3, "
		        "execution_ms = %s WHERE version = $1",
		        p->table_q, elapsed.ptr);
		if (error == 0)
			error = gw_batch_addf(b, params, 1, EVENT_FROM_ROW " WHERE version = $1",
			                      p->events_q, p->table_q);
	}
	gw_str_dispose(&elapsed);
	return error;
}

int gw_hist_add_row_delete(gw_batch *b, gw_project *p, const char *version)
{
	return gw_batch_addf(b, &version, 1, "DELETE FROM %s WHERE version = $1", p->table_q);
}

int gw_hist_add_event(gw_batch *b, gw_project *p, const gw_record *r)
{
	char sum[GW_CHECKSUM_HEX];
	const char *params[6];
	gw_str who = GW_STR_INIT;
	int error;

	params[0] = r->action;
	params[1] = record_version(r);
	params[2] = record_name(r);
	params[3] = r->m ? (strcmp(r->action, "revert") ? r->m->up_file : r->m->down_file) : NULL;
	params[4] = r->m ? gw_migration_hex(sum, r->m) : NULL;
	params[5] = p->environment;
	error = put_who(&who, p) < 0
	                ? -1
	                : gw_batch_addf(
	                          b, params, 6,
	                          "INSERT INTO %s (at, action, version, name, file, checksum, "
	                          "applied_by, environment, godwit_version) VALUES (%s, $1, $2, "
	                          "$3, "
	                          "$4, $5, %s, $6, '" GODWIT_VERSION "')",
	                          p->events_q, gw_hist__sql(p)->clock, who.ptr);
	gw_str_dispose(&who);
	return error;
}

int gw_hist_add_event_done(gw_batch *b, gw_project *p)
{
	gw_str elapsed = GW_STR_INIT;
	int error;

	/* The batch holds the runner lock (or SQLite's write lock), so the
	 * newest event is the one this batch inserted. */
	error = gw_hist__put_around(&elapsed, gw_hist__sql(p)->elapsed, "at") < 0
	                ? -1
	                : gw_batch_addf(b, NULL, 0,
	                                "UPDATE %s SET duration_ms = %s WHERE id = (SELECT max(id) "
	                                "FROM %s)",
	                                p->events_q, elapsed.ptr, p->events_q);
	gw_str_dispose(&elapsed);
	return error;
}

int gw_hist_add_failure(gw_batch *b, gw_project *p, const char *version, const char *name,
                        const char *action)
{
	const gw_error *e = gw_ctx_error(p->ctx);
	char line[16], column[16];
	const char *params[9];
	gw_str who = GW_STR_INIT;
	int error;

	if (!e)
		return 0;
	snprintf(line, sizeof(line), "%d", e->line);
	snprintf(column, sizeof(column), "%d", e->column);
	params[0] = action;
	params[1] = version;
	params[2] = name;
	params[3] = e->message;
	params[4] = e->sqlstate[0] ? e->sqlstate : NULL;
	params[5] = e->file[0] ? e->file : NULL;
	params[6] = e->line ? line : NULL;
	params[7] = e->column ? column : NULL;
	params[8] = p->environment;
	error = put_who(&who, p) < 0
	                ? -1
	                : gw_batch_addf(
	                          b, params, 9,
	                          "INSERT INTO %s (at, action, version, name, error, sqlstate, "
	                          "error_file, error_line, error_column, applied_by, environment, "
	                          "godwit_version) VALUES (%s, $1, $2, $3, $4, $5, $6, $7, $8, %s, "
	                          "$9, "
	                          "'" GODWIT_VERSION "')",
	                          p->events_q, gw_hist__sql(p)->clock, who.ptr);
	gw_str_dispose(&who);
	return error;
}

void gw_hist_record_failure(gw_project *p, const char *version, const char *name,
                            const char *action)
{
	gw_batch b = GW_BATCH_INIT;

	if (!gw_ctx_error(p->ctx) || !p->conn)
		return;
	if (gw_hist_add_failure(&b, p, version, name, action) == 0 && b.count) {
		/* Runs in its own transaction: the failed one is gone. The
		 * context keeps the original error if this fails too. */
		if (p->conn->driver->exec(p->conn, &b.stmts[0], NULL, NULL) == 0)
			gw_events__flush(p);
	}
	gw_batch_dispose(&b);
}

static int copy_state(void *payload, int ncols, const char *const *values)
{
	char **state = payload;

	if (ncols < 1 || !values[0])
		return 0;
	free(*state);
	*state = gw_strdup(values[0]);
	return *state ? 0 : GW_ENOMEM;
}

int gw_hist_row_state(gw_project *p, const char *version, char **state)
{
	const char *params[1] = {version};
	gw_str sql = GW_STR_INIT;
	int error;

	*state = NULL;
	if ((error = gw_project__need_conn(p)) < 0)
		return error;
	gw_str_printf(&sql, "SELECT state FROM %s WHERE version = $1", p->table_q);
	error = gw_str_failed(&sql) ? gw_error_oom(p->ctx)
	                            : gw_project__exec(p, sql.ptr, params, 1, copy_state, state);
	gw_str_dispose(&sql);
	return error;
}

int gw_hist_set_progress(gw_project *p, const char *version, int done)
{
	char n[16];
	const char *params[2] = {version, n};
	gw_str sql = GW_STR_INIT;
	int error;

	if ((error = gw_project__need_conn(p)) < 0)
		return error;
	snprintf(n, sizeof(n), "%d", done);
	gw_str_printf(&sql, "UPDATE %s SET statements_done = $2 WHERE version = $1", p->table_q);
	error = gw_str_failed(&sql) ? gw_error_oom(p->ctx)
	                            : gw_project__exec(p, sql.ptr, params, 2, NULL, NULL);
	gw_str_dispose(&sql);
	return error;
}

int gw_hist_set_dirty(gw_project *p, const char *version, const char *message)
{
	const char *params[2] = {version, message};
	gw_str sql = GW_STR_INIT;
	int error;

	if ((error = gw_project__need_conn(p)) < 0)
		return error;
	gw_str_printf(&sql, "UPDATE %s SET state = 'dirty', error = $2 WHERE version = $1",
	              p->table_q);
	error = gw_str_failed(&sql) ? gw_error_oom(p->ctx)
	                            : gw_project__exec(p, sql.ptr, params, 2, NULL, NULL);
	gw_str_dispose(&sql);
	return error;
}

/* An event about no migration, in a transaction of its own: backup,
 * restore, reset, record-schema. The history tables are created first if
 * need be. */
int gw_hist_record_note(gw_project *p, const char *action, const gw_migration *m, const char *what,
                        const char *file, int line)
{
	char sum[GW_CHECKSUM_HEX];
	char line_text[16];
	const char *params[8];
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	gw_str who = GW_STR_INIT;
	int error;

	snprintf(line_text, sizeof(line_text), "%d", line);
	params[0] = action;
	params[1] = m->version;
	params[2] = m->name;
	params[3] = gw_migration_hex(sum, m);
	params[4] = what;
	params[5] = file;
	params[6] = line ? line_text : NULL;
	params[7] = p->environment;
	if ((error = gw_hist_ensure(p)) < 0)
		return error;
	if (put_who(&who, p) < 0 ||
	    gw_batch_addf(&b, params, 8,
	                  "INSERT INTO %s (at, action, version, name, checksum, error, error_file, "
	                  "error_line, applied_by, environment, godwit_version) VALUES (%s, $1, "
	                  "$2, $3, $4, $5, $6, $7, %s, $8, '" GODWIT_VERSION "')",
	                  p->events_q, gw_hist__sql(p)->clock, who.ptr) < 0)
		error = gw_error_oom(p->ctx);
	else
		error = p->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
	if (error == 0)
		error = gw_events__flush(p);
	gw_str_dispose(&who);
	gw_batch_dispose(&b);
	return error;
}

int gw_hist_record_event(gw_project *p, const char *action, const char *name)
{
	gw_record rec = {NULL, NULL, name, action, NULL, 0, 0};
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	int error;

	if ((error = gw_hist_ensure(p)) < 0)
		return error;
	if (gw_hist_add_event(&b, p, &rec) < 0)
		error = gw_error_oom(p->ctx);
	else
		error = p->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
	if (error == 0)
		error = gw_events__flush(p);
	gw_batch_dispose(&b);
	return error;
}
