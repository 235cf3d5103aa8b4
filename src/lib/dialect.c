/*
 * dialect.c: which SQL a project's migrations are written in, decided in
 * one place for validate and lint alike.
 *
 * In this order: what the caller asks for (`--dialect`), the configured
 * database URL's, the `dialect` setting (godwit.conf, GODWIT_DIALECT),
 * and last what the migrations' SQL parses as. The embedded SQLite
 * default says nothing about the SQL: a CI job that checks a PostgreSQL
 * project has no URL, and a project written for SQLite shows it in its
 * syntax (AUTOINCREMENT, STRICT, ...) as much as PostgreSQL's does
 * (`::jsonb`, CONCURRENTLY). The decision is kept on the project, so both
 * commands and every file in one run agree.
 */
#include "internal.h"

#include <string.h>

#include "godwit/lint.h"
#include "../drivers/sq.h"
#include "../util/error.h"

/* 1 when SQLite's tokenizer or grammar, not its catalog, refused the
 * statement: "no such table" only means an earlier migration is missing
 * from the scratch database. */
static int sqlite_syntax_error(sqlite3 *db, const char *sql, size_t len)
{
	sqlite3_stmt *st = NULL;
	const char *msg;
	int bad = 0;

	if (sqlite3_prepare_v2(db, sql, (int)len, &st, NULL) != SQLITE_OK) {
		msg = sqlite3_errmsg(db);
		bad = strstr(msg, "syntax error") || !strncmp(msg, "unrecognized token", 18) ||
		      !strncmp(msg, "incomplete input", 16);
	}
	sqlite3_finalize(st);
	return bad;
}

/* Counts the migrations whose up SQL PostgreSQL, and SQLite, cannot parse. */
static int count_parse_failures(size_t *pg_bad, size_t *lite_bad, gw_project *p)
{
	gw_source *src;
	sqlite3 *db = NULL;
	size_t i, j, bad;
	int error = 0;

	*pg_bad = *lite_bad = 0;
	if (gw_project__source(&src, p) < 0) {
		/* A folder that does not load is validate's finding to report;
		 * it says nothing about the dialect. */
		gw_ctx_clear_error(p->ctx);
		return 0;
	}
	if ((error = gw_sq_load(p->ctx)) < 0)
		return error;
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return gw_error_set(p->ctx, GW_ERROR, "cannot open an in-memory SQLite database");
	}
	for (i = 0; i < src->count && error == 0; i++) {
		gw_source_text t = GW_SOURCE_TEXT_INIT;
		gw_sql_list stmts = GW_SQL_LIST_INIT;
		const char *sql;

		if (src->items[i]->empty)
			continue;
		if ((error = gw_source_read_up(&t, src, src->items[i], p->ctx)) < 0)
			break;
		sql = t.file_text.ptr + t.offset;
		if (gw_sql_split(&stmts, GW_DIALECT_POSTGRES, sql, t.len, &bad, p->ctx) < 0) {
			(*pg_bad)++;
			gw_ctx_clear_error(p->ctx);
		}
		gw_sql_list_dispose(&stmts);
		if (gw_sql_split(&stmts, GW_DIALECT_SQLITE, sql, t.len, &bad, p->ctx) < 0) {
			(*lite_bad)++;
			gw_ctx_clear_error(p->ctx);
		} else {
			for (j = 0; j < stmts.count; j++)
				if (sqlite_syntax_error(db, sql + stmts.items[j].offset,
				                        stmts.items[j].len))
					break;
			*lite_bad += j < stmts.count;
		}
		gw_sql_list_dispose(&stmts);
		gw_source_text_dispose(&t);
	}
	sqlite3_close(db);
	return error;
}

static int guess(gw_project *p)
{
	size_t pg_bad, lite_bad;
	int error;

	if ((error = count_parse_failures(&pg_bad, &lite_bad, p)) < 0)
		return error;
	/* PostgreSQL, the lint rules' own dialect, unless SQLite reads
	 * more of the migrations. */
	p->sql_dialect = pg_bad > lite_bad ? GW_DIALECT_SQLITE : GW_DIALECT_POSTGRES;
	p->sql_dialect_from = GW_DIALECT_FROM_SQL;
	return 0;
}

static int named(gw_dialect *out, gw_project *p, const char *name)
{
	const gw_engine *e = gw_engine_named(name);

	/* An engine (citus, cockroachdb, ...) names its SQL's dialect. */
	if (e)
		*out = e->sql;
	else
		return gw_error_set(p->ctx, GW_EINVALID,
		                    "unknown SQL dialect '%s'; use postgres or sqlite", name);
	return 0;
}

int gw_project__sql_dialect(gw_dialect *out, gw_dialect_from *from, gw_project *p,
                            const char *requested)
{
	int error;

	if (requested) {
		*from = GW_DIALECT_FROM_OPTION;
		return named(out, p, requested);
	}
	if (!p->sql_dialect_from) {
		if (p->url_given) {
			p->sql_dialect = p->driver->dialect;
			p->sql_dialect_from = GW_DIALECT_FROM_URL;
		} else if (p->opts.dialect) {
			if ((error = named(&p->sql_dialect, p, p->opts.dialect)) < 0)
				return error;
			p->sql_dialect_from = GW_DIALECT_FROM_CONFIG;
		} else if ((error = guess(p)) < 0) {
			return error;
		}
	}
	*out = p->sql_dialect;
	*from = p->sql_dialect_from;
	return 0;
}
