/*
 * schema_record.c: snapshots recorded after `up`, for `godwit drift`.
 *
 * Each successful up (when the project asks for it) appends the snapshot's
 * text and its SHA-256 to godwit_schema_snapshots, next to the history
 * tables; drift compares the live schema with the newest row. The text is
 * a plain text column: PostgreSQL compresses it itself (TOAST) once it
 * passes about 2 KiB, and a readable column lets anyone look at what was
 * recorded with psql.
 */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* schema.table quoted by the driver; the table alone on SQLite. */
static int snapshots_table(gw_str *out, gw_project *p, gw_conn *conn)
{
	char *qs = NULL, *qt = NULL;
	int error;

	if ((error = conn->driver->quote_ident(conn, GW_SCHEMA_SNAPSHOTS_TABLE, &qt)) < 0)
		goto cleanup;
	if (p->opts.schema && conn->driver->dialect == GW_DIALECT_POSTGRES &&
	    (error = conn->driver->quote_ident(conn, p->opts.schema, &qs)) < 0)
		goto cleanup;
	if (qs)
		gw_str_printf(out, "%s.%s", qs, qt);
	else
		gw_str_puts(out, qt);
	error = out->failed ? gw_error_oom(p->ctx) : 0;
cleanup:
	free(qs);
	free(qt);
	return error;
}

static int run(gw_conn *conn, const char *sql, const char *const *params, int n, gw_row_cb cb,
               void *payload)
{
	gw_stmt st = {sql, strlen(sql), params, n};

	return conn->driver->exec(conn, &st, cb, payload);
}

int gw_schema_record(gw_project *p)
{
	gw_schema *s = NULL;
	gw_conn *conn;
	gw_str table = GW_STR_INIT, sql = GW_STR_INIT;
	char *text = NULL, hash[GW_CHECKSUM_HEX];
	const char *params[2];
	int pg = p->driver->dialect == GW_DIALECT_POSTGRES, error;

	if ((error = gw_project__connect(&conn, p)) < 0 ||
	    (error = snapshots_table(&table, p, conn)) < 0)
		goto cleanup;
	gw_str_printf(
	        &sql,
	        pg ? "CREATE TABLE IF NOT EXISTS %s (id bigserial PRIMARY KEY, recorded_at "
	             "timestamptz NOT NULL DEFAULT now(), hash text NOT NULL, snapshot text "
	             "NOT NULL)"
	           : "CREATE TABLE IF NOT EXISTS %s (id INTEGER PRIMARY KEY AUTOINCREMENT, "
	             "recorded_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, hash TEXT NOT NULL, "
	             "snapshot TEXT NOT NULL)",
	        table.ptr);
	if (sql.failed) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	if ((error = run(conn, sql.ptr, NULL, 0, NULL, NULL)) < 0 ||
	    (error = gw_schema_snapshot(&s, p, NULL)) < 0)
		goto cleanup;
	if (gw_schema_text(&text, s) < 0 || gw_schema_hash(hash, s) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	gw_str_clear(&sql);
	gw_str_printf(&sql, "INSERT INTO %s (hash, snapshot) VALUES ($1, $2)", table.ptr);
	params[0] = hash;
	params[1] = text;
	error = sql.failed ? gw_error_oom(p->ctx) : run(conn, sql.ptr, params, 2, NULL, NULL);
cleanup:
	gw_schema_free(s);
	free(text);
	gw_str_dispose(&table);
	gw_str_dispose(&sql);
	return error;
}

int gw_schema_record_expected(gw_project *p)
{
	int error = gw_schema_record(p);

	return error < 0 ? error : gw_hist_record_event(p, "record-schema", NULL);
}

static int first_value(void *payload, int ncols, const char *const *v)
{
	char **out = payload;

	if (ncols < 1 || *out)
		return 0;
	*out = gw_strdup(v[0] ? v[0] : "");
	return *out ? 0 : GW_ENOMEM;
}

int gw_schema_recorded(gw_schema **out, gw_project *p)
{
	gw_conn *conn;
	gw_str table = GW_STR_INIT, sql = GW_STR_INIT;
	char *found = NULL, *text = NULL;
	const char *param;
	int pg = p->driver->dialect == GW_DIALECT_POSTGRES, error;

	*out = NULL;
	if ((error = gw_project__connect_existing(&conn, p)) < 0 ||
	    (error = snapshots_table(&table, p, conn)) < 0)
		goto cleanup;
	param = pg ? table.ptr : GW_SCHEMA_SNAPSHOTS_TABLE;
	if ((error = run(conn,
	                 pg ? "SELECT to_regclass($1)::text"
	                    : "SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1",
	                 &param, 1, first_value, &found)) < 0)
		goto cleanup;
	if (!found || !*found)
		goto cleanup; /* nothing recorded yet */
	gw_str_printf(&sql, "SELECT snapshot FROM %s ORDER BY id DESC LIMIT 1", table.ptr);
	if (sql.failed) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	if ((error = run(conn, sql.ptr, NULL, 0, first_value, &text)) < 0 || !text)
		goto cleanup;
	error = gw_schema_parse(out, text, strlen(text), p->ctx);
cleanup:
	if (error == GW_ENOMEM)
		error = gw_error_oom(p->ctx);
	free(found);
	free(text);
	gw_str_dispose(&table);
	gw_str_dispose(&sql);
	return error;
}
