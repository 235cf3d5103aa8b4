/*
 * scratch.c: checking SQLite migrations before the first one runs.
 *
 * PostgreSQL's parser checks a migration when it is split; SQLite has none
 * apart from sqlite3_prepare, which needs the tables a statement names. So
 * before up (or down) runs anything on SQLite, the schema of the database
 * (its CREATE statements from sqlite_master, no rows) is copied into an
 * in-memory database, and every statement of every selected migration is
 * prepared there, in run order. The schema statements among them (CREATE,
 * ALTER, DROP) are also run, so a later statement sees the tables an
 * earlier one makes. Nothing else is run: rows are not there to work on,
 * and ATTACH or VACUUM INTO would touch files (so a statement on an
 * attached database is not checked). A statement SQLite cannot prepare
 * stops the run before anything changed, at its file:line:column.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../drivers/sq.h"
#include "../util/error.h"
#include "../util/text.h"

struct gw_scratch {
	sqlite3 *db;
};

/* One schema statement of the real database, run in the copy. One that
 * fails there (a virtual table of a module this build lacks, say) is left
 * out: the check is then as good as SQLite's own prepare without it. */
static int copy_row(void *payload, int ncols, const char *const *values)
{
	gw_scratch *s = payload;

	if (ncols >= 1 && values[0])
		sqlite3_exec(s->db, values[0], NULL, NULL, NULL);
	return 0;
}

int gw_scratch_open(gw_scratch **out, gw_project *p)
{
	gw_scratch *s = calloc(1, sizeof(*s));
	int error;

	*out = NULL;
	if (!s)
		return gw_error_oom(p->ctx);
	if ((error = gw_sq_load(p->ctx)) < 0) {
		free(s);
		return error;
	}
	if (sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		gw_scratch_close(s);
		return gw_error_set(p->ctx, GW_ERROR, "cannot open an in-memory SQLite database");
	}
	/* sqlite_ names are SQLite's own (sqlite_sequence, sqlite_stat1):
	 * it makes them itself, and refuses to have them made. A database
	 * not made yet (a dry run does not make it) has no schema to copy. */
	error = !p->conn ? 0
	                 : gw_project__exec(
	                           p,
	                           "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name "
	                           "NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
	                           NULL, 0, copy_row, s);
	if (error < 0) {
		gw_scratch_close(s);
		return error;
	}
	*out = s;
	return 0;
}

/* Whether a statement changes the schema, which later ones may need. */
static int is_schema(const char *sql, size_t len)
{
	static const char *const words[] = {"CREATE", "ALTER", "DROP"};
	char kw[32];
	size_t i;

	gw_sql_stmt_keyword(sql, len, kw, sizeof(kw));
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strncasecmp(kw, words[i], strlen(words[i])) &&
		    (kw[strlen(words[i])] == '\0' || kw[strlen(words[i])] == ' '))
			return 1;
	return 0;
}

int gw_scratch_check(gw_scratch *s, gw_project *p, const gw_prepared *pm, size_t from)
{
	const char *text = pm->text.file_text.ptr + pm->text.offset;
	size_t i;
	int line, column, at, error;

	for (i = from; i < pm->stmts.count; i++) {
		const gw_sql_stmt *st = &pm->stmts.items[i];
		/* What the run will send: placeholders replaced. */
		const char *sql = pm->sub && pm->sub[i] ? pm->sub[i] : text + st->offset;
		size_t len = pm->sub && pm->sub[i] ? strlen(pm->sub[i]) : st->len;
		sqlite3_stmt *stmt = NULL;
		int rc = sqlite3_prepare_v2(s->db, sql, (int)len, &stmt, NULL);

		/* An ATTACHed database is not there in the copy, where ATTACH
		 * is not run: what names it is left to the run. */
		if (rc != SQLITE_OK && !strncmp(sqlite3_errmsg(s->db), "unknown database", 16)) {
			sqlite3_finalize(stmt);
			continue;
		}
		if (rc != SQLITE_OK) {
			/* The offset is only known for errors the parser saw;
			 * others point at the statement. */
			at = sqlite3_error_offset(s->db);
			error = gw_error_set(p->ctx, GW_ESQL, "%s", sqlite3_errmsg(s->db));
			gw_text_position(
			        pm->text.file_text.ptr, pm->text.file_text.size,
			        pm->text.offset +
			                (at >= 0 && sql == text + st->offset
			                         ? st->offset + (size_t)at
			                         : gw_text_skip_space_comments_sqlite(
			                                   text, st->offset + st->len, st->offset)),
			        &line, &column);
			gw_error_set_location(p->ctx, pm->path.ptr, line, column);
			gw_error_set_hint(p->ctx,
			                  "nothing was run: every migration of the run is checked "
			                  "before the first one starts; fix it and run the command "
			                  "again");
			sqlite3_finalize(stmt);
			return error;
		}
		if (stmt && is_schema(sql, len))
			while (sqlite3_step(stmt) == SQLITE_ROW)
				;
		sqlite3_finalize(stmt);
	}
	return 0;
}

void gw_scratch_close(gw_scratch *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s);
}
