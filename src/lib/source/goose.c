/*
 * goose.c: goose's annotated SQL files (see docs/formats.md).
 *
 * A goose migration is "<version>_<name>.sql" with its up SQL below
 * "-- +goose Up" and its down SQL below "-- +goose Down". The annotations
 * are comments to the SQL splitter, which already keeps $$ bodies and quoted
 * semicolons whole, so StatementBegin/StatementEnd need no handling beyond
 * being recognised. The sections reuse the native markers struct so that
 * the generic loader cuts, checksums and reads them with the same code.
 * Its files take the shape of native's and pairs': pairs.c settles whose
 * a file is, with gw_source__goose_sniff.
 */
#include <string.h>
#include <strings.h>

#include "priv.h"
#include "../../util/error.h"
#include "../../util/text.h"

enum { G_NONE, G_UP, G_DOWN, G_KNOWN, G_NO_TX, G_ODD };

/* The annotation after "-- +goose" compared without case, as goose does,
 * with the blanks between its words as written. */
static int annotation(const char *p, size_t n)
{
	static const struct {
		const char *word;
		int kind;
	} words[] = {
	        {"up", G_UP},
	        {"down", G_DOWN},
	        {"statementbegin", G_KNOWN},
	        {"statementend", G_KNOWN},
	        {"no transaction", G_NO_TX},
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].word) == n && !strncasecmp(p, words[i].word, n))
			return words[i].kind;
	return G_ODD;
}

/* What the line [start, end) is to goose. */
static int line_kind(const char *text, size_t start, size_t end)
{
	size_t i = start + 2;

	if (end - start < 2 || text[start] != '-' || text[start + 1] != '-')
		return G_NONE;
	while (i < end && gw_is_blank(text[i]))
		i++;
	if (end - i < 6 || memcmp(text + i, "+goose", 6))
		return G_NONE;
	/* goose cuts "+goose" out and trims what is left, so "-- +gooseUp"
	 * is its Up too. */
	i += 6;
	while (i < end && gw_is_blank(text[i]))
		i++;
	while (end > i && gw_is_blank(text[end - 1]))
		end--;
	return annotation(text + i, end - i);
}

static const char *const goose_words[] = {"up", "down", "statementbegin", "statementend",
                                          "notransaction"};
static const char *const goose_spelling[] = {"-- +goose Up", "-- +goose Down",
                                             "-- +goose StatementBegin", "-- +goose StatementEnd",
                                             "-- +goose NO TRANSACTION"};

/* The annotation that the comment line [start, end), which is none (or
 * one godwit does not know), looks like: "-- +Goose Down", "-- + goose
 * Down", "-- +goose Downn", an indented "-- +goose Down". NULL when it
 * looks like none. */
static const char *goose_near(const char *text, size_t start, size_t end)
{
	size_t i = gw_source__comment_body(text, start, end);
	int k;

	if (i == (size_t)-1)
		return NULL;
	if (i < end && text[i] == '+')
		i++;
	while (i < end && gw_is_blank(text[i]))
		i++;
	if (end - i < 5 || strncasecmp(text + i, "goose", 5))
		return NULL;
	k = gw_source__spelled(text, i + 5, end, goose_words,
	                       (int)(sizeof(goose_words) / sizeof(goose_words[0])));
	return k < 0 ? NULL : goose_spelling[k];
}

static void mark(marker *m, int line, size_t start, size_t end, size_t len)
{
	if (m->found) {
		if (!m->again)
			m->again = line;
		return;
	}
	m->found = 1;
	m->line = line;
	m->start = start;
	m->body = end < len ? end + 1 : len;
	m->opts = m->opts_end = end;
}

void gw_source__goose_scan(markers *mk, const char *text, size_t len)
{
	size_t pos = 0, end, first;
	const char *nl, *want;
	int line = 1, kind;

	memset(mk, 0, sizeof(*mk));
	for (; pos < len; pos = end + 1, line++) {
		nl = memchr(text + pos, '\n', len - pos);
		end = nl ? (size_t)(nl - text) : len;
		for (first = pos; first < end && gw_is_blank(text[first]); first++)
			;
		if (first == end || text[first] != '-')
			continue;
		/* goose refuses an indented annotation; godwit names the line. */
		kind = first == pos ? line_kind(text, pos, end) : G_NONE;
		if ((kind == G_NONE || kind == G_ODD) &&
		    (want = goose_near(text, pos, end)) != NULL) {
			gw_source__near(mk, line, pos, end, want);
			continue;
		}
		if (kind == G_NONE)
			continue;
		if (kind == G_UP)
			mark(&mk->up, line, pos, end, len);
		else if (kind == G_DOWN)
			mark(&mk->down, line, pos, end, len);
		else if (kind == G_NO_TX)
			mk->no_tx = 1;
		else if (kind == G_ODD && !mk->odd_line)
			mk->odd_line = line;
	}
}

int gw_source__goose_check(const char *text, size_t len, const markers *mk, const char *path,
                           gw_ctx *ctx)
{
	int error;

	if (mk->odd_line)
		return gw_source__file_error(
		        ctx, GW_ESOURCE, path, mk->odd_line, 0,
		        "a goose annotation godwit does not support; it understands Up, Down, "
		        "StatementBegin, StatementEnd and NO TRANSACTION");
	if (!mk->up.found)
		return gw_source__file_error(
		        ctx, GW_ESOURCE, path, mk->down.line, 0,
		        "-- +goose Down without a -- +goose Up line; put -- +goose Up above "
		        "the up SQL");
	if ((error = gw_source__check_markers(mk, "-- +goose Up", "-- +goose Down", path, ctx)) < 0)
		return error;
	return gw_source__check_head(text, len, mk, "-- +goose Up", path, ctx);
}

static void keep_near(markers *to, const markers *from)
{
	if (from->near_line)
		gw_source__near(to, from->near_line, from->near_start, from->near_end,
		                from->near_want);
}

/* An annotation godwit does not know makes the file goose's too: it is
 * refused, not run. */
void gw_source__goose_sniff(file_name *fn, markers *mk, const char *text, size_t len)
{
	markers gk;

	gw_source__goose_scan(&gk, text, len);
	if (!gk.up.found && !gk.down.found && !gk.odd_line) {
		keep_near(mk, &gk);
		return;
	}
	keep_near(&gk, mk);
	fn->conv = GW_FORMAT_GOOSE;
	fn->shared = 0;
	*mk = gk;
}

static const char *goose_down_place(gw_str *file, const char *stem, const char *up_file)
{
	(void)stem;
	gw_str_puts(file, up_file);
	return "-- +goose Down";
}

static void goose_new(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                      const char *version, const char *name)
{
	(void)down_name;
	(void)down_body;
	gw_str_printf(up_name, "%s_%s.sql", version, name);
	gw_str_puts(up_body, "-- +goose Up\n\n\n-- +goose Down\n\n");
}

const gw_convention gw_convention_goose = {
        .format = GW_FORMAT_GOOSE,
        .name = "goose",
        .example = "20240101120000_create_users.sql",
        .down_place = goose_down_place,
        .new_files = goose_new,
        .no_tx_up = "-- +goose NO TRANSACTION\n-- +goose Up",
        .no_tx_down = "-- +goose Down",
        .scan = gw_source__goose_scan,
        .unmarked = "no -- +goose Up line; a goose migration puts its up SQL below -- "
                    "+goose Up and its down SQL below -- +goose Down",
        .takes_empty = 1,
        .notes_ignored = 1,
};
