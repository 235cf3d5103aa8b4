/*
 * split.c: splitting a migration's SQL into statements (see sql.h).
 *
 * gw_sql_split hands PostgreSQL text to pgquery.c and splits SQLite text
 * here with sqlite3_complete, SQLite's own tokenizer, which knows its
 * quoting rules and that a CREATE TRIGGER body's ';' do not end the
 * statement. The runner uses the statements to run a migration outside a
 * transaction one statement at a time and to map a failure back to a line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "../../drivers/sq.h"
#include "../../util/error.h"
#include "../../util/vec.h"
#include "../../util/text.h"

static int is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* The length of the keyword-like word at text[at], 0 if none. */
static size_t word_len(const char *text, size_t len, size_t at)
{
	size_t i = at;

	while (i < len && is_word(text[i]))
		i++;
	return i - at;
}

/* Whether the word text[at, at + n) (word_len's) is kw. No strlen of kw
 * first: a word's characters are never its NUL, so a shorter kw fails
 * on it, and the first character mostly decides (strlen of every keyword
 * for every word was a sixth of loading a folder of 10,000 files). */
static int word_is(const char *text, size_t at, size_t n, const char *kw)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (upper(text[at + i]) != kw[i])
			return 0;
	return kw[n] == '\0';
}

static int word_in(const char *text, size_t at, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (word_is(text, at, n, *list))
			return 1;
	return 0;
}

int gw_sql_may_need_no_tx(const char *text, size_t len)
{
	/* Every GW_STMT_NO_TX of pgquery.c's and sqlite_kind's needs one. */
	static const char *const words[] = {"CONCURRENTLY", "REINDEX", "VACUUM",     "CLUSTER",
	                                    "DATABASE",     "SYSTEM",  "TABLESPACE", "SUBSCRIPTION",
	                                    "PRAGMA",       NULL};
	size_t i = 0, k, n;
	uint32_t lens = 0, firsts = 0;
	char c;

	/* The keywords' lengths and first letters, so that most words
	 * (every migration file is scanned) are passed over on them. */
	for (k = 0; words[k]; k++) {
		lens |= (uint32_t)1 << strlen(words[k]);
		firsts |= (uint32_t)1 << (words[k][0] - 'A');
	}
	while (i < len) {
		if (!is_word(text[i])) {
			i++;
			continue;
		}
		n = word_len(text, len, i);
		c = upper(text[i]);
		if (n < 32 && (lens >> n & 1) && c >= 'A' && c <= 'Z' &&
		    (firsts >> (c - 'A') & 1) &&
		    (i == 0 ||
		     !(is_word(text[i - 1]) || (text[i - 1] >= '0' && text[i - 1] <= '9'))) &&
		    word_in(text, i, n, words))
			return 1;
		i += n;
	}
	return 0;
}

/* ---- SQLite ------------------------------------------------------------ */

static gw_stmt_kind sqlite_kind(const char *text, size_t off, size_t len)
{
	static const char *const tx[] = {"BEGIN",     "COMMIT",  "END", "ROLLBACK",
	                                 "SAVEPOINT", "RELEASE", NULL};
	size_t n = word_len(text, off + len, off), at;

	if (word_in(text, off, n, tx))
		return GW_STMT_TRANSACTION;
	if (word_is(text, off, n, "VACUUM"))
		return GW_STMT_NO_TX;
	/* PRAGMA foreign_keys is a silent no-op inside a transaction and
	 * journal_mode=WAL fails there; both only work outside one. */
	if (word_is(text, off, n, "PRAGMA")) {
		at = gw_text_skip_space_comments_sqlite(text, off + len, off + n);
		n = word_len(text, off + len, at);
		if (word_is(text, at, n, "FOREIGN_KEYS") || word_is(text, at, n, "JOURNAL_MODE"))
			return GW_STMT_NO_TX;
	}
	return GW_STMT_PLAIN;
}

static int push(gw_sql_list *out, size_t *cap, size_t off, size_t len, gw_stmt_kind kind)
{
	gw_sql_stmt *items = gw_grow(out->items, cap, out->count, sizeof(*items));

	if (!items)
		return -1;
	out->items = items;
	out->items[out->count].offset = off;
	out->items[out->count].len = len;
	out->items[out->count].kind = kind;
	out->count++;
	return 0;
}

/* Adds text[start, end) unless it holds only blanks and comments. */
static int add_sqlite(gw_sql_list *out, size_t *cap, const char *text, size_t start, size_t end)
{
	size_t off = gw_text_skip_space_comments_sqlite(text, end, start);

	while (end > off && gw_is_space(text[end - 1]))
		end--;
	if (off >= end)
		return 0;
	return push(out, cap, off, end - off, sqlite_kind(text, off, end - off));
}

static int split_sqlite(gw_sql_list *out, const char *text, size_t len, gw_ctx *ctx)
{
	char *buf = malloc(len + 1);
	size_t i, start = 0, cap = 0;
	const char *semi;
	char saved;
	int error = 0;

	if (!buf)
		return gw_error_oom(ctx);
	if ((error = gw_sq_load(ctx)) < 0) {
		free(buf);
		return error;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	/* sqlite3_complete needs a C string: cut the copy after each ';' in
	 * turn and ask whether the text so far ends a statement. A ';' in a
	 * string or a trigger body only makes the prefix incomplete. */
	for (i = 0; i < len; i = (size_t)(semi - buf) + 1) {
		if (!(semi = memchr(buf + i, ';', len - i)))
			break;
		saved = semi[1];
		buf[semi - buf + 1] = '\0';
		if (sqlite3_complete(buf + start)) {
			if (add_sqlite(out, &cap, text, start, (size_t)(semi - buf)) < 0) {
				error = gw_error_oom(ctx);
				break;
			}
			start = (size_t)(semi - buf) + 1;
		}
		buf[semi - buf + 1] = saved;
	}
	if (!error && add_sqlite(out, &cap, text, start, len) < 0)
		error = gw_error_oom(ctx);
	free(buf);
	return error;
}

/* ---- the public calls --------------------------------------------------- */

int gw_sql_split(gw_sql_list *out, gw_dialect dialect, const char *text, size_t len,
                 size_t *error_offset, gw_ctx *ctx)
{
	int error;

	out->items = NULL;
	out->count = 0;
	if (error_offset)
		*error_offset = 0;
	switch (dialect) {
	case GW_DIALECT_POSTGRES:
		error = gw_sql__split_postgres(out, text, len, error_offset, ctx);
		break;
	case GW_DIALECT_SQLITE:
		error = split_sqlite(out, text, len, ctx);
		break;
	default:
		error = gw_error_set(ctx, GW_EINVALID, "unknown SQL dialect %d", (int)dialect);
		break;
	}
	if (error < 0)
		gw_sql_list_dispose(out);
	return error;
}

void gw_sql_list_dispose(gw_sql_list *list)
{
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

static size_t put_word(char *buf, size_t bufsize, size_t used, const char *text, size_t at,
                       size_t n)
{
	size_t i;

	if (used && used + 1 < bufsize)
		buf[used++] = ' ';
	for (i = 0; i < n && used + 1 < bufsize; i++)
		buf[used++] = upper(text[at + i]);
	buf[used] = '\0';
	return used;
}

const char *gw_sql_stmt_keyword(const char *text, size_t len, char *buf, size_t bufsize)
{
	/* Statements named by their first two words ("CREATE INDEX"), and the
	 * modifiers skipped to find the second ("CREATE UNIQUE INDEX"). */
	static const char *const two[] = {"CREATE", "ALTER", "DROP", "START", NULL};
	static const char *const skip[] = {"OR",        "REPLACE",    "UNIQUE", "TEMP",
	                                   "TEMPORARY", "UNLOGGED",   "GLOBAL", "LOCAL",
	                                   "TRUSTED",   "PROCEDURAL", NULL};
	static const char *const three[] = {"MATERIALIZED", "FOREIGN", "EVENT", NULL};
	size_t at, n, used = 0;

	if (!buf || !bufsize)
		return "";
	buf[0] = '\0';
	if (!text)
		return buf;
	at = gw_text_skip_space_comments(text, len, 0);
	if (!(n = word_len(text, len, at)))
		return buf;
	used = put_word(buf, bufsize, used, text, at, n);
	if (!word_in(text, at, n, two))
		return buf;
	do {
		at = gw_text_skip_space_comments(text, len, at + n);
		n = word_len(text, len, at);
	} while (n && word_in(text, at, n, skip));
	if (!n)
		return buf;
	used = put_word(buf, bufsize, used, text, at, n);
	if (word_in(text, at, n, three)) {
		at = gw_text_skip_space_comments(text, len, at + n);
		if ((n = word_len(text, len, at)) != 0)
			put_word(buf, bufsize, used, text, at, n);
	}
	return buf;
}
