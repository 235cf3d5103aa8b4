/*
 * fuzz_split.c: fuzz target for gw_sql_split (src/lib/sql/split.c and
 * pgquery.c), which cuts a migration into the statements the runner sends
 * one by one and maps a server error back to a line.
 *
 * The input is SQL text (not NUL-terminated), split once as PostgreSQL and
 * once as SQLite. Checked: statements lie inside the text, in increasing
 * order, without overlapping, each starting at a token (not at a blank or
 * a comment); a syntax error carries a message and an offset inside the
 * text. And since only statements that hold nothing but blanks and
 * comments may be dropped, the text between two statements must be
 * nothing but blanks, comments and ';' by the dialect's own rules:
 * SQLite's are asked of SQLite itself (sqlite3_prepare_v2 on an in-memory
 * database compiles no statement from such text); PostgreSQL's are written
 * out below from its scanner (scan.l): "--" comments end at '\n' or '\r',
 * block comments nest.
 */
#include <sqlite3.h>
#include <string.h>

#include "fuzz.h"
#include "godwit/errors.h"
#include "lib/sql/sql.h"
#include "util/text.h"

static gw_ctx *ctx;
static sqlite3 *db;

static int pg_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Whether text[from, to) holds only blanks, comments and ';' for
 * PostgreSQL. */
static int pg_only_separators(const char *text, size_t from, size_t to)
{
	size_t i = from;
	int depth;

	while (i < to) {
		if (pg_space(text[i]) || text[i] == ';') {
			i++;
		} else if (text[i] == '-' && i + 1 < to && text[i + 1] == '-') {
			while (i < to && text[i] != '\n' && text[i] != '\r')
				i++;
		} else if (text[i] == '/' && i + 1 < to && text[i + 1] == '*') {
			for (depth = 1, i += 2; depth && i < to;) {
				if (text[i] == '/' && i + 1 < to && text[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (text[i] == '*' && i + 1 < to && text[i + 1] == '/') {
					depth--;
					i += 2;
				} else {
					i++;
				}
			}
			if (depth)
				return 0;
		} else {
			return 0;
		}
	}
	return 1;
}

/* The same for SQLite, by SQLite. A '\v' (which split.c takes for a blank
 * and SQLite for an illegal character) is read as a space: cutting it
 * from between statements loses nothing. */
static int sqlite_only_separators(const char *text, size_t from, size_t to)
{
	char *gap = malloc(to - from + 1);
	const char *p, *end, *tail;
	sqlite3_stmt *stmt;
	int rc, ok = 1;

	if (!gap)
		abort();
	for (size_t i = from; i < to; i++)
		gap[i - from] = text[i] == '\v' ? ' ' : text[i];
	gap[to - from] = '\0';
	for (p = gap, end = gap + (to - from); p < end; p = tail) {
		stmt = NULL;
		tail = NULL;
		rc = sqlite3_prepare_v2(db, p, (int)(end - p), &stmt, &tail);
		/* A statement, or an error (no such table, a syntax error),
		 * means there was a token. */
		if (stmt || rc != SQLITE_OK || !tail || tail <= p) {
			sqlite3_finalize(stmt);
			ok = 0;
			break;
		}
	}
	free(gap);
	return ok;
}

static void check_list(const gw_sql_list *list, gw_dialect dialect, const char *text, size_t len,
                       int ask_sqlite)
{
	size_t prev_end = 0, i;
	char buf[64], tiny[4];
	const char *kw;

	for (i = 0; i < list->count; i++) {
		const gw_sql_stmt *st = &list->items[i];

		FUZZ_CHECK(st->len > 0);
		FUZZ_CHECK(st->offset <= len && st->len <= len - st->offset);
		FUZZ_CHECK(st->offset >= prev_end);
		FUZZ_CHECK(st->kind == GW_STMT_PLAIN || st->kind == GW_STMT_TRANSACTION ||
		           st->kind == GW_STMT_NO_TX || st->kind == GW_STMT_COPY_STDIN);
		/* status relies on it to skip parsing: never 0 for such a text. */
		if (st->kind == GW_STMT_NO_TX)
			FUZZ_CHECK(gw_sql_may_need_no_tx(text, len));
		/* It starts at its first token. */
		FUZZ_CHECK(!pg_space(text[st->offset]));
		FUZZ_CHECK(st->len < 2 || memcmp(text + st->offset, "--", 2));
		FUZZ_CHECK(st->len < 2 || memcmp(text + st->offset, "/*", 2));
		if (dialect == GW_DIALECT_POSTGRES)
			FUZZ_CHECK(!pg_only_separators(text, st->offset, st->offset + st->len));
		FUZZ_CHECK(i == 0 || st->offset > prev_end);
		if (dialect == GW_DIALECT_POSTGRES)
			FUZZ_CHECK(pg_only_separators(text, prev_end, st->offset));
		else if (ask_sqlite)
			FUZZ_CHECK(sqlite_only_separators(text, prev_end, st->offset));
		kw = gw_sql_stmt_keyword(text + st->offset, st->len, buf, sizeof(buf));
		FUZZ_CHECK(kw && strlen(kw) < sizeof(buf));
		kw = gw_sql_stmt_keyword(text + st->offset, st->len, tiny, sizeof(tiny));
		FUZZ_CHECK(kw && strlen(kw) < sizeof(tiny));
		prev_end = st->offset + st->len;
	}
	if (dialect == GW_DIALECT_POSTGRES)
		FUZZ_CHECK(pg_only_separators(text, prev_end, len));
	else if (ask_sqlite)
		FUZZ_CHECK(sqlite_only_separators(text, prev_end, len));
}

static void split_one(gw_dialect dialect, const char *text, size_t len, int has_nul)
{
	gw_sql_list list = GW_SQL_LIST_INIT;
	size_t at = (size_t)-1;
	const gw_error *err;
	int r, again;

	gw_ctx_clear_error(ctx);
	r = gw_sql_split(&list, dialect, text, len, &at, ctx);
	err = gw_ctx_error(ctx);
	if (r == 0) {
		FUZZ_CHECK(err == NULL);
		/* SQLite would stop reading at a NUL byte (PostgreSQL text
		 * with one never gets here). */
		check_list(&list, dialect, text, len, !has_nul);
	} else {
		FUZZ_CHECK(r < 0);
		FUZZ_CHECK(list.items == NULL && list.count == 0);
		FUZZ_CHECK(err != NULL && err->code == r);
		FUZZ_CHECK(err->message && err->message[0]);
		FUZZ_CHECK(r == GW_ESYNTAX || r == GW_ENOMEM);
		FUZZ_CHECK(dialect == GW_DIALECT_POSTGRES || r == GW_ENOMEM);
		if (r == GW_ESYNTAX)
			FUZZ_CHECK(at <= len);
	}
	gw_sql_list_dispose(&list);
	/* The offset is optional. */
	gw_ctx_clear_error(ctx);
	again = gw_sql_split(&list, dialect, text, len, NULL, ctx);
	FUZZ_CHECK(again == r);
	gw_sql_list_dispose(&list);
	gw_ctx_clear_error(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);

	if (!ctx && gw_ctx_new(&ctx) < 0)
		abort();
	if (!db && sqlite3_open(":memory:", &db) != SQLITE_OK)
		abort();
	if (!text)
		return 0;
	if (size)
		memcpy(text, data, size);
	else
		text[0] = '\0'; /* never read, but keeps gcc's flow analysis quiet */
	split_one(GW_DIALECT_POSTGRES, text, size, memchr(text, '\0', size) != NULL);
	split_one(GW_DIALECT_SQLITE, text, size, memchr(text, '\0', size) != NULL);
	free(text);
	return 0;
}
