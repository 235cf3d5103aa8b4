/*
 * markers.c: the section marker lines of a migration file.
 *
 * A native file holds its up and down below "-- migrate:up" and
 * "-- migrate:down" lines (and godwit's "-- migrate:verify"); goose.c finds
 * goose's annotations into the same markers struct, so one code cuts the
 * sections of both. Every file is scanned for the native markers, since a
 * file that runs whole must not have them (file.c), and for lines that
 * look like a marker but are not one ("-- Migrate:Down"), which the tools
 * skip as comments: the SQL below such a line would run with the section
 * above it.
 */
#include <string.h>
#include <strings.h>

#include "priv.h"
#include "../../util/error.h"
#include "../../util/text.h"

/* "-- migrate:up" / "--migrate:down" at the start of a line, followed by
 * the end of the line or blanks: the lines dbmate recognises, and godwit's
 * "-- migrate:verify". Returns 1 for up, 2 for down, 3 for verify, 0
 * otherwise; *opts gets where the options start. */
static int marker_kind(const char *text, size_t start, size_t end, size_t *opts)
{
	size_t i = start + 2;
	int kind;

	if (end - start < 2 || text[start] != '-' || text[start + 1] != '-')
		return 0;
	while (i < end && gw_is_blank(text[i]))
		i++;
	if (end - i >= 10 && !memcmp(text + i, "migrate:up", 10)) {
		kind = 1;
		i += 10;
	} else if (end - i >= 12 && !memcmp(text + i, "migrate:down", 12)) {
		kind = 2;
		i += 12;
	} else if (end - i >= 14 && !memcmp(text + i, "migrate:verify", 14)) {
		kind = 3;
		i += 14;
	} else {
		return 0;
	}
	if (i < end && !gw_is_blank(text[i]))
		return 0;
	*opts = i;
	return kind;
}

size_t gw_source__comment_body(const char *text, size_t start, size_t end)
{
	size_t i = start;

	while (i < end && gw_is_blank(text[i]))
		i++;
	if (end - i < 2 || text[i] != '-' || text[i + 1] != '-')
		return (size_t)-1;
	for (i += 2; i < end && (gw_is_blank(text[i]) || text[i] == '-'); i++)
		;
	return i;
}

/* Whether a (na letters) and b (nb) differ by at most one letter left
 * out, added or changed, or two neighbours swapped. */
static int one_edit(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0;

	if (na > nb + 1 || nb > na + 1)
		return 0;
	while (i < na && i < nb && a[i] == b[i])
		i++;
	if (na > nb)
		return !memcmp(a + i + 1, b + i, nb - i);
	if (nb > na)
		return !memcmp(a + i, b + i + 1, na - i);
	if (i == na || !memcmp(a + i + 1, b + i + 1, na - i - 1))
		return 1;
	return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
	       !memcmp(a + i + 2, b + i + 2, na - i - 2);
}

int gw_source__spelled(const char *text, size_t i, size_t end, const char *const *words, int nwords)
{
	char all[16], first[16];
	size_t nall = 0, nfirst = 0, n;
	int k, in_first = 1;

	for (; i < end && nall < sizeof(all); i++) {
		if (gw_is_blank(text[i])) {
			in_first = !nall;
			continue;
		}
		if (!gw_is_alpha(text[i]))
			break;
		all[nall++] = (char)(text[i] | 0x20);
		if (in_first)
			first[nfirst++] = all[nall - 1];
	}
	for (k = 0; k < nwords; k++)
		if (nall >= (n = strlen(words[k])) && !memcmp(all, words[k], n))
			return k;
	for (k = 0; k < nwords; k++)
		if ((n = strlen(words[k])) >= 4 && one_edit(first, nfirst, words[k], n))
			return k;
	return -1;
}

static const char *const native_words[] = {"up", "down", "verify"};

static const char *const native_spelling[] = {"-- migrate:up", "-- migrate:down",
                                              "-- migrate:verify"};

/* The marker that the comment line [start, end), which is none, looks
 * like: "-- Migrate:Down", "-- migrate: down", "-- migrate:downn", an
 * indented "-- migrate:up". NULL when it looks like none. */
static const char *native_near(const char *text, size_t start, size_t end)
{
	size_t i = gw_source__comment_body(text, start, end), j;
	int k;

	if (i == (size_t)-1 || end - i < 7 || strncasecmp(text + i, "migrate", 7))
		return NULL;
	for (i += 7; i < end && gw_is_blank(text[i]); i++)
		;
	if (i < end && text[i] == ':') {
		i++;
	} else {
		/* Without the colon, only a line that says no more
		 * ("-- migrate down") is taken for a marker, not prose. */
		for (j = i; j < end && gw_is_alpha(text[j]); j++)
			;
		while (j < end && gw_is_blank(text[j]))
			j++;
		if (j < end)
			return NULL;
	}
	k = gw_source__spelled(text, i, end, native_words, 3);
	return k < 0 ? NULL : native_spelling[k];
}

void gw_source__near(markers *mk, int line, size_t start, size_t end, const char *want)
{
	if (mk->near_line)
		return;
	mk->near_line = line;
	mk->near_start = start;
	mk->near_end = end;
	mk->near_want = want;
}

/* Finds the marker lines; validation is left to the caller, which knows
 * whether the file is meant to be native. */
void gw_source__native_scan(markers *mk, const char *text, size_t len)
{
	size_t pos = 0, end, opts = 0, first;
	const char *want;
	int line = 1, kind;
	marker *m;

	memset(mk, 0, sizeof(*mk));
	while (pos < len) {
		end = gw_source__line_end(text, len, pos);
		for (first = pos; first < end && gw_is_blank(text[first]); first++)
			;
		/* Cheap pre-check: markers are rare, comment lines are not.
		 * Like dbmate, only a marker at the start of its line counts. */
		kind = first < end && text[first] == '-' && first == pos
		               ? marker_kind(text, pos, end, &opts)
		               : 0;
		if (!kind && first < end && text[first] == '-' &&
		    (want = native_near(text, pos, end)) != NULL)
			gw_source__near(mk, line, pos, end, want);
		if (kind) {
			m = kind == 1 ? &mk->up : kind == 2 ? &mk->down : &mk->verify;
			if (m->found) {
				if (!m->again)
					m->again = line;
			} else {
				m->found = 1;
				m->line = line;
				m->start = pos;
				m->body = end < len ? end + 1 : len;
				m->opts = opts;
				m->opts_end = end;
			}
		}
		pos = end + 1;
		line++;
	}
}

int gw_source__marker_options(unsigned char *no_tx, const char *text, const marker *m,
                              const char *what, const char *path, gw_ctx *ctx)
{
	size_t i = m->opts, start;

	*no_tx = 0;
	while (i < m->opts_end) {
		while (i < m->opts_end && gw_is_blank(text[i]))
			i++;
		start = i;
		while (i < m->opts_end && !gw_is_blank(text[i]))
			i++;
		if (i == start)
			break;
		if (i - start == 17 && !memcmp(text + start, "transaction:false", 17))
			*no_tx = 1;
		else if (i - start == 16 && !memcmp(text + start, "transaction:true", 16))
			*no_tx = 0;
		else
			return gw_source__file_error(
			        ctx, GW_ESOURCE, path, m->line, 0,
			        "unknown option '%.*s' on the -- migrate:%s line; only "
			        "transaction:false is understood",
			        (int)(i - start), text + start, what);
	}
	return 0;
}

void gw_source__sections(const markers *mk, size_t len, size_t *up_off, size_t *up_len,
                         size_t *down_off, size_t *down_len)
{
	/* The verify section, when there is one, comes last. */
	size_t end = mk->verify.found ? mk->verify.start : len;

	*up_off = mk->up.body;
	*up_len = (mk->down.found ? mk->down.start : end) - mk->up.body;
	*down_off = mk->down.found ? mk->down.body : end;
	*down_len = end - *down_off;
}

int gw_source__check_markers(const markers *mk, const char *up, const char *down, const char *path,
                             gw_ctx *ctx)
{
	if (mk->up.again)
		return gw_source__file_error(ctx, GW_ESOURCE, path, mk->up.again, 0,
		                             "a second %s line; a file holds one migration", up);
	if (mk->down.again)
		return gw_source__file_error(ctx, GW_ESOURCE, path, mk->down.again, 0,
		                             "a second %s line; a file holds one migration", down);
	if (mk->down.found && mk->down.start < mk->up.start)
		return gw_source__file_error(ctx, GW_ESOURCE, path, mk->down.line, 0,
		                             "%s comes before %s; put the up section first", down,
		                             up);
	return 0;
}

int gw_source__check_head(const char *text, size_t len, const markers *mk, const char *up,
                          const char *path, gw_ctx *ctx)
{
	size_t first = gw_text_skip_space_comments(text, mk->up.start, 0);
	int line, col;

	if (first >= mk->up.start)
		return 0;
	gw_text_position(text, len, first, &line, &col);
	return gw_source__file_error(ctx, GW_ESOURCE, path, line, 0,
	                             "SQL before the %s line; move it below that line", up);
}
