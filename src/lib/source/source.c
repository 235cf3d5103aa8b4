/*
 * source.c: migration files → a migration set (the sources stage): the
 * generic core every folder convention goes through.
 *
 * gw_source_load lists the folder once, classifies every entry by its name
 * (and, for "<digits>_<name>.sql", by whether its text has a -- migrate:up
 * line), reads each .sql file once to validate it, checksum it and read its
 * directives, then drops the text. The set is then checked for duplicate
 * versions and put in apply order by order.c. gw_source_read_up/down
 * read a file again when its SQL is needed and prove by checksum that it is
 * the text that was validated.
 *
 * Native files keep both directions in one file; their down_file is a
 * separate copy of up_file (same text, own allocation) so every field can be
 * freed the same way.
 *
 * Each convention (docs/formats.md) has a file of its own in this folder
 * exporting a gw_convention table (priv.h), listed in ../format.c: its
 * names, its example, where its down goes and what `godwit new` writes and
 * records. Flyway names (flyway.c) and multi-dialect suffixes are
 * classified here; goose sections (goose.c) are cut like native ones;
 * diesel and Prisma folders, drizzle-kit's journal (diesel.c, drizzle.c)
 * and the repeatable/ folder are read near the end of this file.
 */
/* readdir's d_type (below) is a BSD extension glibc hides under strict POSIX.
 */
#define _DEFAULT_SOURCE 1

#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../sql/sql.h"
#include "../../util/error.h"
#include "../../util/fs.h"
#include "../../util/text.h"
#include "../../util/vec.h"
#include "priv.h"
#include "../version.h"

/* A down file waiting for its up file. */
typedef struct down_rec {
	const char *file; /* borrowed from the folder listing */
	int specific;     /* multi-dialect: for the target dialect */
	size_t stem_start, stem_len;
	char checksum[GW_CHECKSUM_HEX];
	int no_tx;
	int empty;
	int untouched; /* still what `godwit new` wrote */
	int blank;     /* nothing but blanks, not even a comment */
} down_rec;

/* ---- small helpers ---------------------------------------------------- */

static size_t line_end(const char *text, size_t len, size_t from)
{
	const char *nl = memchr(text + from, '\n', len - from);

	return nl ? (size_t)(nl - text) : len;
}

int gw_source__file_error(gw_ctx *ctx, int code, const char *path, int line, int col,
                          const char *fmt, ...)
{
	gw_str msg = GW_STR_INIT;
	va_list ap;

	gw_str_puts(&msg, path);
	if (line > 0)
		gw_str_printf(&msg, ":%d", line);
	if (line > 0 && col > 0)
		gw_str_printf(&msg, ":%d", col);
	gw_str_puts(&msg, ": ");
	va_start(ap, fmt);
	gw_str_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (gw_str_failed(&msg))
		code = gw_error_oom(ctx);
	else
		code = gw_error_set(ctx, code, "%s", msg.ptr);
	gw_error_set_location(ctx, path, line, col);
	gw_str_dispose(&msg);
	return code;
}

/* ---- file names ------------------------------------------------------- */

/* Classifies a "*.sql" name by the shapes the conventions know; -1 when
 * it fits none. */
static int classify_name(file_name *fn, const char *n)
{
	const gw_convention *const *conv;
	size_t base = strlen(n) - 4;

	for (conv = gw_conventions(); *conv; conv++) {
		memset(fn, 0, sizeof(*fn));
		if ((*conv)->classify && (*conv)->classify(fn, n, base) == 0)
			return 0;
	}
	return -1;
}

/* ---- native sections -------------------------------------------------- */

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

static int is_letter(char c)
{
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'z';
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
		if (!is_letter(text[i]))
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
		for (j = i; j < end && is_letter(text[j]); j++)
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
		end = line_end(text, len, pos);
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

int gw_source__marker_options(int *no_tx, const char *text, const marker *m, const char *what,
                              const char *path, gw_ctx *ctx)
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

/* ---- directives ------------------------------------------------------- */

static int starts_word(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && !memcmp(p, word, n) &&
	       ((size_t)(end - p) == n || gw_is_blank(p[n]) || p[n] == ':');
}

static int add_depend(gw_source_mig *m, const char *name, size_t len, int line)
{
	char *copy;

	if (m->pub.ndepends == m->depends_cap) {
		size_t cap = m->depends_cap ? m->depends_cap * 2 : 4;
		char **d = realloc(m->pub.depends, cap * sizeof(*d));
		int *l;

		if (!d)
			return -1;
		m->pub.depends = d;
		if (!(l = realloc(m->depends_line, cap * sizeof(*l))))
			return -1;
		m->depends_line = l;
		m->depends_cap = cap;
	}
	if (!(copy = gw_strndup(name, len)))
		return -1;
	m->pub.depends[m->pub.ndepends] = copy;
	m->depends_line[m->pub.ndepends++] = line;
	return 0;
}

/* "FILE[, FILE]..." after @depends-on. */
static int parse_depends(gw_source_mig *m, const char *p, const char *end, int line)
{
	const char *item, *stop;

	while (p < end) {
		while (p < end && (gw_is_blank(*p) || *p == ','))
			p++;
		item = p;
		while (p < end && *p != ',')
			p++;
		stop = p;
		while (stop > item && gw_is_blank(stop[-1]))
			stop--;
		if (stop > item && add_depend(m, item, (size_t)(stop - item), line) < 0)
			return -1;
	}
	return 0;
}

/* Reads the directives in the comment lines of [from, to), the head of a
 * section before its first statement. m is NULL for a down section, where
 * only godwit:no-transaction means something. */
static int read_directives(gw_source_mig *m, int *no_tx, const char *text, size_t from, size_t to,
                           int line, gw_ctx *ctx)
{
	const char *p, *end;
	size_t pos = from, eol;

	for (; pos < to; pos = eol + 1, line++) {
		eol = line_end(text, to, pos);
		p = text + pos;
		end = text + eol;
		while (p < end && gw_is_blank(*p))
			p++;
		if (end - p < 2 || p[0] != '-' || p[1] != '-')
			continue;
		p += 2;
		while (p < end && gw_is_blank(*p))
			p++;
		if (starts_word(p, end, "godwit:no-transaction")) {
			*no_tx = 1;
		} else if (m && starts_word(p, end, "@depends-on")) {
			p += 11;
			if (p < end && *p == ':')
				p++;
			if (parse_depends(m, p, end, line) < 0)
				return gw_error_oom(ctx);
		}
	}
	return 0;
}

/* ---- one file --------------------------------------------------------- */

static void mig_free(gw_source_mig *m)
{
	size_t i;

	if (!m)
		return;
	free(m->pub.version);
	free(m->pub.name);
	free(m->pub.up_file);
	free(m->pub.down_file);
	for (i = 0; i < m->pub.ndepends; i++)
		free(m->pub.depends[i]);
	free(m->pub.depends);
	free(m->depends_line);
	for (i = 0; i < m->pub.nconflicts; i++)
		free(m->pub.conflicts[i]);
	free(m->pub.conflicts);
	free(m->stem);
	free(m->verify_file);
	free(m);
}

static void mig_free_cb(void *p)
{
	mig_free(p);
}

static int checksum(char out[GW_CHECKSUM_HEX], const char *text, size_t len, gw_ctx *ctx)
{
	if (gw_checksum_text(out, text, len) < 0)
		return gw_error_set(ctx, GW_ERROR, "cannot compute a SHA-256 checksum");
	return 0;
}

/* The checksum of a migration's up text, read once; the cheap look at
 * its words spares status parsing it to tell how it runs. */
static int up_checksum(gw_source_mig *m, const char *text, size_t len, gw_ctx *ctx)
{
	m->pub.plain_tx = !gw_sql_may_need_no_tx(text, len);
	return checksum(m->pub.checksum, text, len, ctx);
}

int gw_source__has_sql(const char *text, size_t from, size_t to)
{
	return gw_text_skip_space_comments(text, to, from) < to;
}

/* Whether text holds nothing but blanks and newlines. */
static int is_blank_text(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!gw_is_blank(text[i]) && text[i] != '\n')
			return 0;
	return 1;
}

/* Whether text is still the template `godwit new` wrote. */
static int is_template(const char *text, size_t len)
{
	size_t n = strlen(NEW_DOWN_TEMPLATE);

	if (len == strlen(NEW_UP_TEMPLATE) && !memcmp(text, NEW_UP_TEMPLATE, len))
		return 1;
	return len > n && !memcmp(text, NEW_DOWN_TEMPLATE, n) && line_end(text, len, 0) == len - 1;
}

static void undot(char *version)
{
	for (; *version; version++)
		if (*version == '_')
			*version = '.';
}

/* Builds the migration of an up file (with sections: of both). */
static int add_up(gw_loader *ld, const char *file, const file_name *fn, const markers *mk)
{
	const gw_convention *conv = gw_convention_of(fn->conv);
	const char *text = ld->text.ptr;
	size_t len = ld->text.size, up_off = 0, up_len = len, down_off = len, down_len = 0;
	gw_source_mig *m = calloc(1, sizeof(*m));
	int error = GW_ENOMEM, down_line = 1;

	if (!m)
		return gw_error_oom(ld->ctx);
	m->pub.repeatable = fn->repeatable;
	m->pub.no_transaction = fn->autocommit;
	m->specific = fn->dialect != NULL;
	if (conv->scan) {
		gw_source__sections(mk, len, &up_off, &up_len, &down_off, &down_len);
		down_line = mk->down.line + 1;
		/* Options on the marker lines (native), or goose's NO
		 * TRANSACTION, which is for the whole file. */
		if ((error = gw_source__marker_options(&m->pub.no_transaction, text, &mk->up, "up",
		                                       ld->path.ptr, ld->ctx)) < 0 ||
		    (mk->down.found && (error = gw_source__marker_options(
		                                &m->pub.down_no_transaction, text, &mk->down,
		                                "down", ld->path.ptr, ld->ctx)) < 0))
			goto cleanup;
		if (mk->no_tx)
			m->pub.no_transaction = m->pub.down_no_transaction = 1;
	}
	/* An empty migration is usually one just made by `godwit new`: it
	 * shows in status, and up refuses it before running anything. */
	m->pub.empty = !gw_source__has_sql(text, up_off, up_off + up_len);
	m->untouched = !conv->scan && is_template(text, len);
	m->pub.has_verify =
	        conv->scan && mk->verify.found && gw_source__has_sql(text, mk->verify.body, len);
	/* Directives may sit above the first marker too, so the head is
	 * read from the start of the file. */
	if ((error = read_directives(m, &m->pub.no_transaction, text, 0,
	                             gw_text_skip_space_comments(text, up_off + up_len, up_off), 1,
	                             ld->ctx)) < 0 ||
	    (error = up_checksum(m, text + up_off, up_len, ld->ctx)) < 0)
		goto cleanup;
	if (conv->scan && gw_source__has_sql(text, down_off, len)) {
		if ((error = read_directives(NULL, &m->pub.down_no_transaction, text, down_off,
		                             gw_text_skip_space_comments(text, len, down_off),
		                             down_line, ld->ctx)) < 0 ||
		    (error = checksum(m->pub.down_checksum, text + down_off, down_len, ld->ctx)) <
		            0)
			goto cleanup;
		if (!(m->pub.down_file = gw_strdup(file)))
			goto oom;
	} else if (conv->scan) {
		m->down_state = mk->down.found ? GW_DOWN_EMPTY : GW_DOWN_NONE;
		m->pub.down_no_transaction = 0;
	}
	if (conv->scan || conv->unwrap)
		m->conv = conv;
	if (!(m->pub.version = gw_strndup(file + fn->version_start, fn->version_len)) ||
	    !(m->pub.name = gw_strndup(file + fn->name_start, fn->stem_len - fn->name_start)) ||
	    !(m->pub.up_file = gw_strdup(file)) ||
	    !(m->stem = gw_strndup(file + fn->stem_start, fn->stem_len - fn->stem_start)) ||
	    gw_vec_push(&ld->ups, m) < 0)
		goto oom;
	/* Flyway's V1_1 is version 1.1, so both spellings compare and
	 * collide as one. */
	if (fn->dotted)
		undot(m->pub.version);
	return 0;
oom:
	error = gw_error_oom(ld->ctx);
cleanup:
	mig_free(m);
	return error;
}

int gw_source__down_text(char sum[GW_CHECKSUM_HEX], int *no_tx, const char *text, size_t len,
                         gw_ctx *ctx)
{
	int error;

	if ((error = read_directives(NULL, no_tx, text, 0,
	                             gw_text_skip_space_comments(text, len, 0), 1, ctx)) < 0)
		return error;
	return checksum(sum, text, len, ctx);
}

static int add_down(gw_loader *ld, const char *file, const file_name *fn)
{
	const char *text = ld->text.ptr;
	size_t len = ld->text.size;
	down_rec *d = calloc(1, sizeof(*d));
	int error;

	if (!d)
		return gw_error_oom(ld->ctx);
	d->file = file;
	d->stem_start = fn->stem_start;
	d->stem_len = fn->stem_len;
	d->no_tx = fn->autocommit;
	d->specific = fn->dialect != NULL;
	d->empty = !gw_source__has_sql(text, 0, len);
	d->untouched = is_template(text, len);
	d->blank = is_blank_text(text, len);
	if ((error = gw_source__down_text(d->checksum, &d->no_tx, text, len, ld->ctx)) < 0)
		goto cleanup;
	if (gw_vec_push(&ld->downs, d) < 0) {
		error = gw_error_oom(ld->ctx);
		goto cleanup;
	}
	return 0;
cleanup:
	free(d);
	return error;
}

/* What Windows editors often write first: a UTF-8 byte-order mark. */
#define UTF8_BOM "\xef\xbb\xbf"

/* Whether path is dir or below it. */
static int path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) &&
	       (path[n] == '\0' || path[n] == '/' || (n && dir[n - 1] == '/'));
}

/* A symbolic link must not take godwit out of the project: a migration
 * file resolving elsewhere runs SQL nobody reviewed with the project. */
static int check_inside(const char *path, const gw_file_guard *g, gw_ctx *ctx)
{
	char *real;
	int error = 0;

	if (!g || !g->root)
		return 0;
	/* A file that cannot be resolved cannot be read either, and reading
	 * it says why. */
	if (!(real = realpath(path, NULL)))
		return 0;
	if (!path_under(real, g->root) && !(g->dir && path_under(real, g->dir))) {
		error = gw_source__file_error(ctx, GW_ESOURCE, path, 0, 0,
		                              "is a symbolic link to %s, outside the project (%s); "
		                              "godwit does not follow it there",
		                              real, g->root);
		gw_error_set_hint(ctx, "copy the file into the project, or set "
		                       "allow_symlinks_outside = true in godwit.conf");
	}
	free(real);
	return error;
}

/* Reads a migration file as godwit checksums and runs it. A leading UTF-8
 * byte-order mark is dropped: it is no part of the SQL (a server would
 * take it for one), so neither is it of the checksum, and a file saved
 * with or without one is the same migration. The text must be UTF-8 and
 * hold no NUL byte, which SQLite takes for the end of the SQL: what comes
 * after it would never run. */
static int read_migration(gw_str *text, const char *path, const gw_file_guard *g, gw_ctx *ctx)
{
	const char *nul;
	size_t bad = 0;
	int error, line, col;

	if ((error = check_inside(path, g, ctx)) < 0 ||
	    (error = gw_file_read(text, path, GW_FILE_MAX, ctx)) < 0)
		return error;
	if (text->size >= 3 && !memcmp(text->ptr, UTF8_BOM, 3)) {
		memmove(text->ptr, text->ptr + 3, text->size - 3);
		gw_str_truncate(text, text->size - 3);
	}
	if (gw_utf8_check(text->ptr, text->size, &bad) < 0) {
		gw_text_position(text->ptr, text->size, bad, &line, &col);
		return gw_source__file_error(ctx, GW_ESOURCE, path, line, col,
		                             "invalid UTF-8 byte 0x%02x; save the file as UTF-8",
		                             (unsigned char)text->ptr[bad]);
	}
	if ((nul = memchr(text->ptr, '\0', text->size)) != NULL) {
		gw_text_position(text->ptr, text->size, (size_t)(nul - text->ptr), &line, &col);
		return gw_source__file_error(ctx, GW_ESOURCE, path, line, col,
		                             "a NUL byte; SQL text cannot hold one (SQLite would "
		                             "stop reading the migration there): remove it");
	}
	return 0;
}

/* Where the down of a migration goes in a convention (see gw_convention). */
static const char *down_place(gw_str *file, gw_format format, const char *stem, const char *up_file)
{
	return gw_convention_of(format)->down_place(file, stem, up_file);
}

/* A file that runs whole (every convention but native and goose) with a
 * -- migrate:down or -- migrate:verify line: its tool would run the SQL
 * below that line as part of the up, so it is refused. In a down file, a
 * -- migrate:up line would make the SQL below it run as the down. stem is
 * the migration's, for naming where its down goes. */
int gw_source__whole_markers(gw_loader *ld, const markers *mk, gw_format conv, const char *stem,
                             int is_down, int repeatable)
{
	gw_str down = GW_STR_INIT;
	int error;

	if (mk->verify.found)
		return gw_source__file_error(
		        ld->ctx, GW_ESOURCE, ld->path.ptr, mk->verify.line, 0,
		        "a -- migrate:verify section belongs in a native migration; here it "
		        "would run with the %s SQL",
		        is_down ? "down" : "up");
	if (is_down && (mk->up.found || mk->down.found))
		return gw_source__file_error(
		        ld->ctx, GW_ESOURCE, ld->path.ptr,
		        mk->up.found ? mk->up.line : mk->down.line, 0,
		        "a -- migrate:%s line in a %s down file, which runs whole; keep only the "
		        "down SQL here, without the line",
		        mk->up.found ? "up" : "down", gw_format_name(conv));
	if (!mk->down.found)
		return 0;
	gw_path_join(&down, ld->dir, "");
	down_place(&down, conv, stem, "");
	if (gw_str_failed(&down))
		error = gw_error_oom(ld->ctx);
	else
		error = gw_source__file_error(
		        ld->ctx, GW_ESOURCE, ld->path.ptr, mk->down.line, 0,
		        "a -- migrate:down section in a %s migration would run with the up SQL "
		        "(the whole file is the up); %s%s",
		        gw_format_name(conv),
		        repeatable ? "a repeatable migration has no down" : "put the down SQL in ",
		        repeatable ? "" : down.ptr);
	gw_str_dispose(&down);
	return error;
}

int gw_source__whole_down_markers(gw_loader *ld, gw_format conv, const char *stem)
{
	markers mk;

	gw_source__native_scan(&mk, ld->text.ptr, ld->text.size);
	return gw_source__whole_markers(ld, &mk, conv, stem, 1, 0);
}

/* A file of another convention than the one forced is refused. */
static int check_forced(gw_loader *ld, file_name *fn)
{
	const gw_convention *forced = gw_convention_of(ld->forced);

	if (ld->forced == GW_FORMAT_AUTO)
		return 0;
	/* A generic golang-migrate file is as much multi-dialect. */
	if (forced->adopts && forced->adopts == fn->conv)
		fn->conv = ld->forced;
	if (ld->forced == fn->conv)
		return 0;
	if (forced->unmarked && fn->shared)
		return gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0, "%s",
		                             forced->unmarked);
	return gw_source__file_error(
	        ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
	        "does not follow the %s convention (it looks like %s); expected e.g. %s",
	        gw_format_name(ld->forced), gw_format_name(fn->conv), forced->example);
}

/* A line that looks like a marker but is not one is skipped as a comment by
 * the tool too: the SQL below it would run with the section above it (a
 * misspelt -- migrate:down runs the down as part of the up). */
int gw_source__near_error(gw_loader *ld, const file_name *fn, const markers *mk, int sections)
{
	const char *text = ld->text.ptr;
	size_t start = mk->near_start, end = mk->near_end;

	while (end > start && gw_is_blank(text[end - 1]))
		end--;
	if (end - start > 60) {
		end = start + 60;
		while (end > start && (text[end] & 0xc0) == 0x80)
			end--;
	}
	if (sections)
		return gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, mk->near_line, 0,
		                             "\"%.*s\" is not a section marker; write it exactly "
		                             "as \"%s\" at the start of the line (as it is, the "
		                             "SQL below it would run as part of the section "
		                             "above it)",
		                             (int)(end - start), text + start, mk->near_want);
	return gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, mk->near_line, 0,
	                             "\"%.*s\" looks like a section marker, but a %s "
	                             "migration has no sections: the SQL below it would run "
	                             "as part of the up; put the down SQL in its own file",
	                             (int)(end - start), text + start, gw_format_name(fn->conv));
}

int gw_source__check_whole(gw_loader *ld, const char *file, file_name *fn, markers *mk)
{
	gw_str stem = GW_STR_INIT;
	int error;

	if (mk->near_line)
		return gw_source__near_error(ld, fn, mk, 0);
	gw_str_put(&stem, file + fn->stem_start, fn->stem_len - fn->stem_start);
	error = gw_source__whole_markers(ld, mk, fn->conv, stem.ptr, fn->is_down || fn->rollback,
	                                 fn->repeatable);
	gw_str_dispose(&stem);
	return error;
}

void gw_source__note_conv(gw_loader *ld, gw_format conv, const char *file)
{
	if (ld->first[conv])
		return;
	ld->first[conv] = file;
	ld->seen[ld->nseen++] = conv;
}

/* An entry that is no .sql file: a convention's (diesel's folders), or
 * ignored. */
static int load_other(gw_loader *ld, char *name)
{
	const gw_convention *const *conv;
	int error;

	for (conv = gw_conventions(); *conv; conv++)
		if ((*conv)->load_dir && (error = (*conv)->load_dir(ld, name)) != 0)
			return error < 0 ? error : 0;
	return gw_vec_push(&ld->ignored, name) < 0 ? gw_error_oom(ld->ctx) : 0;
}

static int load_entry(gw_loader *ld, const gw_folder_entry *e)
{
	const char *file = e->name;
	const gw_convention *conv;
	file_name fn;
	markers mk;
	int error;

	if (e->skip)
		return load_other(ld, e->name);
	gw_str_clear(&ld->path);
	if (gw_path_join(&ld->path, ld->dir, file) < 0)
		return gw_error_oom(ld->ctx);
	if (classify_name(&fn, file) < 0)
		return gw_source__file_error(
		        ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
		        "cannot tell the migration's version from its name; expected "
		        "e.g. %s",
		        gw_convention_of(ld->forced)->example);
	if (ld->detected && ld->detected->claim)
		ld->detected->claim(ld, &fn, file);
	if ((error = read_migration(&ld->text, ld->path.ptr, &ld->guard, ld->ctx)) < 0)
		return error;
	/* Every file is looked at for native markers: one that runs whole
	 * must not have them (and the shape they share may be native's). */
	gw_source__native_scan(&mk, ld->text.ptr, ld->text.size);
	conv = gw_convention_of(fn.conv);
	if ((error = conv->settle ? conv->settle(ld, file, &fn, &mk)
	                          : gw_source__check_whole(ld, file, &fn, &mk)) < 0)
		return error;
	/* An empty file of the shared shape takes no side (pairs.c). */
	if (error)
		return add_up(ld, file, &fn, &mk);
	if ((error = check_forced(ld, &fn)) < 0)
		return error;
	gw_source__note_conv(ld, fn.conv, file);
	/* Another database's variant is not this run's migration. */
	if (fn.dialect && (!ld->dialect || strcmp(fn.dialect, ld->dialect)))
		return 0;
	return fn.is_down ? add_down(ld, file, &fn) : add_up(ld, file, &fn, &mk);
}

/* ---- the folder ------------------------------------------------------- */

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const gw_folder_entry *)a)->name, ((const gw_folder_entry *)b)->name);
}

/* Whether a listed name is left out of the set: hidden names silently,
 * anything but a .sql file into the ignored list. readdir's d_type saves a
 * stat per file; only file systems that do not fill it pay for one. */
static int entry_skip(const char *dir, const struct dirent *d, gw_str *path)
{
	const char *name = d->d_name;

	if (name[0] == '.')
		return 2;
	if (!gw_source__ends_with(name, strlen(name), ".sql"))
		return 1;
#ifdef DT_DIR
	if (d->d_type == DT_DIR)
		return 1;
	if (d->d_type != DT_UNKNOWN && d->d_type != DT_LNK)
		return 0;
#endif
	gw_str_clear(path);
	gw_path_join(path, dir, name);
	return gw_path_is_dir(path->ptr) == 1;
}

static int add_entry(gw_folder *l, const char *name, int skip)
{
	gw_folder_entry *items = gw_grow(l->items, &l->cap, l->len, sizeof(*items));

	if (!items)
		return -1;
	l->items = items;
	if (!(l->items[l->len].name = gw_strdup(name)))
		return -1;
	l->items[l->len++].skip = skip;
	return 0;
}

/* Like gw_dir_list, sorted bytewise, but it also tells which entries are
 * not migration files. */
int gw_source__list_dir(gw_folder *out, const char *dir, gw_ctx *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	gw_str path = GW_STR_INIT;
	int skip, error = 0;

	if (!d)
		return gw_error_set(ctx, GW_EIO, "cannot read folder %s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if ((skip = entry_skip(dir, e, &path)) == 2)
			continue;
		if (add_entry(out, e->d_name, skip) < 0) {
			error = gw_error_oom(ctx);
			break;
		}
	}
	closedir(d);
	gw_str_dispose(&path);
	if (out->len)
		qsort(out->items, out->len, sizeof(*out->items), cmp_entry);
	return error;
}

void gw_source__folder_dispose(gw_folder *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		free(l->items[i].name);
	free(l->items);
}

/* The files of a convention another adopts are that one's in its folders
 * (golang-migrate names are the generic files of a multi-dialect folder). */
static void merge_adopted(gw_loader *ld)
{
	const gw_convention *const *conv;
	gw_format adopted;
	size_t i, k;

	for (conv = gw_conventions(); *conv; conv++) {
		adopted = (*conv)->adopts;
		if (!adopted || !ld->first[(*conv)->format] || !ld->first[adopted])
			continue;
		for (i = k = 0; i < ld->nseen; i++)
			if (ld->seen[i] != adopted)
				ld->seen[k++] = ld->seen[i];
		ld->nseen = k;
		ld->first[adopted] = NULL;
	}
}

static int check_mixed(gw_loader *ld)
{
	gw_str msg = GW_STR_INIT;
	size_t i;
	int error;

	merge_adopted(ld);
	if (ld->nseen < 2)
		return 0;
	gw_str_printf(&msg, "%s mixes conventions: ", ld->dir);
	for (i = 0; i < ld->nseen; i++)
		gw_str_printf(&msg, "%s%s (%s)", i ? ", " : "", ld->first[ld->seen[i]],
		              gw_format_name(ld->seen[i]));
	gw_str_puts(&msg, "; use one convention per folder, or choose one with --source-format");
	if (gw_str_failed(&msg))
		error = gw_error_oom(ld->ctx);
	else
		error = gw_error_set(ld->ctx, GW_ESOURCE, "%s", msg.ptr);
	gw_str_dispose(&msg);
	return error;
}

static int cmp_stem(const void *a, const void *b)
{
	return strcmp((*(gw_source_mig *const *)a)->stem, (*(gw_source_mig *const *)b)->stem);
}

typedef struct stem_key {
	const char *s;
	size_t len;
} stem_key;

static int cmp_stem_key(const void *key, const void *elem)
{
	const stem_key *k = key;
	const char *s = (*(gw_source_mig *const *)elem)->stem;
	int c = strncmp(k->s, s, k->len);

	return c ? c : (s[k->len] ? -1 : 0);
}

static int down_error(gw_loader *ld, const down_rec *d, gw_format format)
{
	const gw_convention *conv = gw_convention_of(format);

	gw_str_clear(&ld->path);
	gw_path_join(&ld->path, ld->dir, d->file);
	return gw_source__file_error(
	        ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
	        "there is no %s%.*s%s for this down migration; add it or delete this "
	        "file",
	        conv->stem_prefix ? conv->stem_prefix : "", (int)(d->stem_len - d->stem_start),
	        d->file + d->stem_start, conv->up_suffix ? conv->up_suffix : ".sql");
}

/* Of a generic up and the target dialect's, the latter stays. ups is
 * sorted by stem. */
static void prefer_dialect(gw_loader *ld)
{
	gw_source_mig **ups = (gw_source_mig **)ld->ups.items;
	size_t i, k = 0;

	for (i = 0; i < ld->ups.len; i++) {
		if (k && !strcmp(ups[k - 1]->stem, ups[i]->stem) &&
		    ups[k - 1]->specific != ups[i]->specific) {
			if (ups[i]->specific) {
				mig_free(ups[k - 1]);
				ups[k - 1] = ups[i];
			} else {
				mig_free(ups[i]);
			}
			continue;
		}
		ups[k++] = ups[i];
	}
	ld->ups.len = k;
}

/* Gives each down file to the up file with the same stem. */
static int match_downs(gw_loader *ld, gw_format format)
{
	int empty_down = gw_convention_of(format)->empty_down;
	gw_source_mig **ups = (gw_source_mig **)ld->ups.items, **hit;
	size_t i;

	if (ld->ups.len)
		qsort(ups, ld->ups.len, sizeof(*ups), cmp_stem);
	prefer_dialect(ld);
	if (!ld->downs.len)
		return 0;
	for (i = 0; i < ld->downs.len; i++) {
		down_rec *d = ld->downs.items[i];
		stem_key key = {d->file + d->stem_start, d->stem_len - d->stem_start};
		gw_source_mig *m;

		hit = ld->ups.len ? bsearch(&key, ups, ld->ups.len, sizeof(*ups), cmp_stem_key)
		                  : NULL;
		if (!hit)
			return down_error(ld, d, format);
		m = *hit;
		/* The target dialect's down wins over the generic one. */
		if ((m->specific & 2) && !d->specific)
			continue;
		if (d->specific)
			m->specific |= 2;
		free(m->pub.down_file);
		m->pub.down_file = NULL;
		m->pub.down_checksum[0] = '\0';
		/* Where a down without SQL does not mean "nothing to undo",
		 * the migration has no down. */
		if (d->empty && !(empty_down == GW_EMPTY_DOWN_NOOP && !d->untouched) &&
		    !(empty_down == GW_EMPTY_DOWN_BLANK && d->blank)) {
			m->down_state = GW_DOWN_EMPTY;
			continue;
		}
		if (!(m->pub.down_file = gw_strdup(d->file)))
			return gw_error_oom(ld->ctx);
		memcpy(m->pub.down_checksum, d->checksum, GW_CHECKSUM_HEX);
		m->pub.down_no_transaction = d->no_tx;
	}
	return 0;
}

/* The tools of these conventions apply a migration whose file holds no SQL
 * (empty, or only comments and blanks): popx, golang-migrate, Flyway,
 * Prisma and drizzle-orm record it and run nothing, so godwit does too.
 * godwit's own conventions (and goose, diesel, sqitch, whose generators
 * write a comment-only template) refuse it, as one not written yet, and so
 * does every convention while the file is still godwit new's template. */
static void accept_empty(gw_loader *ld, gw_format format)
{
	size_t i;

	if (!gw_convention_of(format)->runs_empty)
		return;
	for (i = 0; i < ld->ups.len; i++) {
		gw_source_mig *m = ld->ups.items[i];

		if (!m->untouched)
			m->pub.empty = 0;
	}
}

/* ---- the repeatable/ folder ------------------------------------------- */

#define REPEATABLE_DIR "repeatable"

int gw_source__add_whole(gw_loader *ld, gw_source_mig **out, gw_format conv, const char *file,
                         const char *version, const char *name, size_t name_len, const char *stem)
{
	const char *text = ld->text.ptr;
	size_t len = ld->text.size;
	gw_source_mig *m;
	markers mk;
	int error;

	gw_source__native_scan(&mk, text, len);
	if ((error = gw_source__whole_markers(ld, &mk, conv, stem, 0, conv == GW_FORMAT_AUTO)) < 0)
		return error;
	if (!(m = calloc(1, sizeof(*m))))
		return gw_error_oom(ld->ctx);
	m->pub.empty = !gw_source__has_sql(text, 0, len);
	m->untouched = is_template(text, len);
	if ((error = read_directives(m, &m->pub.no_transaction, text, 0,
	                             gw_text_skip_space_comments(text, len, 0), 1, ld->ctx)) < 0 ||
	    (error = up_checksum(m, text, len, ld->ctx)) < 0)
		goto cleanup;
	if (!(m->pub.version = gw_strdup(version)) || !(m->pub.name = gw_strndup(name, name_len)) ||
	    !(m->pub.up_file = gw_strdup(file)) || !(m->stem = gw_strdup(stem)) ||
	    gw_vec_push(&ld->ups, m) < 0) {
		error = gw_error_oom(ld->ctx);
		goto cleanup;
	}
	*out = m;
	return 0;
cleanup:
	mig_free(m);
	return error;
}

/* One repeatable/<name>.sql: the whole file is its SQL, run after every
 * versioned migration; its version is "R__<name>" like Flyway's, so one
 * name means the same thing in every convention. */
static int add_repeatable(gw_loader *ld, const char *name)
{
	size_t base = strlen(name) - 4;
	gw_str file = GW_STR_INIT, version = GW_STR_INIT;
	gw_source_mig *m;
	int error;

	gw_str_printf(&file, REPEATABLE_DIR "/%s", name);
	gw_str_printf(&version, "R__%.*s", (int)base, name);
	gw_str_clear(&ld->path);
	if (gw_str_failed(&file) || gw_str_failed(&version) ||
	    gw_path_join(&ld->path, ld->dir, file.ptr) < 0) {
		error = gw_error_oom(ld->ctx);
		goto cleanup;
	}
	if ((error = read_migration(&ld->text, ld->path.ptr, &ld->guard, ld->ctx)) < 0)
		goto cleanup;
	/* GW_FORMAT_AUTO: a repeatable, which has no down. */
	if ((error = gw_source__add_whole(ld, &m, GW_FORMAT_AUTO, file.ptr, version.ptr, name, base,
	                                  version.ptr)) == 0)
		m->pub.repeatable = 1;
cleanup:
	gw_str_dispose(&file);
	gw_str_dispose(&version);
	return error;
}

/* Drops "repeatable" from the ignored entries once it has been read. */
static void unignore(gw_loader *ld, const char *name)
{
	size_t i;

	for (i = 0; i < ld->ignored.len; i++) {
		if (!strcmp(ld->ignored.items[i], name)) {
			memmove(&ld->ignored.items[i], &ld->ignored.items[i + 1],
			        (ld->ignored.len - i - 1) * sizeof(*ld->ignored.items));
			ld->ignored.len--;
			return;
		}
	}
}

/* Flyway names its repeatables R__*.sql; the other flat conventions keep
 * theirs in a repeatable/ subfolder. */
static int load_repeatables(gw_loader *ld, gw_format format)
{
	gw_folder names = {NULL, 0, 0};
	gw_str sub = GW_STR_INIT;
	size_t i;
	int error = 0;

	if (!gw_convention_of(format)->repeatable_dir)
		return 0;
	if (gw_path_join(&sub, ld->dir, REPEATABLE_DIR) < 0) {
		error = gw_error_oom(ld->ctx);
		goto cleanup;
	}
	if (gw_path_is_dir(sub.ptr) != 1)
		goto cleanup;
	unignore(ld, REPEATABLE_DIR);
	if ((error = gw_source__list_dir(&names, sub.ptr, ld->ctx)) < 0)
		goto cleanup;
	for (i = 0; i < names.len && !error; i++)
		if (!names.items[i].skip)
			error = add_repeatable(ld, names.items[i].name);
cleanup:
	gw_source__folder_dispose(&names);
	gw_str_dispose(&sub);
	return error;
}

/* The library never prints: the caller shows these as it likes. Only the
 * conventions of other tools say so, as their folders often hold a README
 * or config the user may expect godwit to read. */
static void notify_ignored(gw_loader *ld, gw_format format)
{
	size_t i;

	if (!gw_convention_of(format)->notes_ignored)
		return;
	for (i = 0; i < ld->ignored.len; i++)
		gw_notify(ld->ctx, GW_NOTICE_INFO, NULL, NULL, NULL, 0,
		          "%s/%s is not a migration (not a .sql file); ignored", ld->dir,
		          (const char *)ld->ignored.items[i]);
}

/* ---- what the conventions load with ------------------------------------ */

/* Reads <dir>/<sub>/<file> into ld->text: 1 when read, 0 when there is no
 * such file. */
int gw_source__read_sub(gw_loader *ld, const char *sub, const char *file)
{
	int error;

	gw_str_clear(&ld->path);
	if (gw_path_join(&ld->path, ld->dir, sub) < 0 || gw_str_printf(&ld->path, "/%s", file) < 0)
		return gw_error_oom(ld->ctx);
	if (gw_path_is_dir(ld->path.ptr) != 0)
		return 0;
	if ((error = read_migration(&ld->text, ld->path.ptr, &ld->guard, ld->ctx)) < 0)
		return error;
	return 1;
}

/* A forced convention refuses a migration folder of another tool. */
int gw_source__check_dir_forced(gw_loader *ld, gw_format conv)
{
	if (ld->forced == GW_FORMAT_AUTO || ld->forced == conv)
		return 0;
	return gw_source__file_error(
	        ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
	        "does not follow the %s convention (it looks like %s); expected e.g. %s",
	        gw_format_name(ld->forced), gw_format_name(conv),
	        gw_convention_of(ld->forced)->example);
}

/* An empty "<digits>_<name>.sql" takes no side between the native and
 * pairs conventions (and goose's), but it is no Flyway, diesel or other
 * tool's migration: in such a folder it is a stray file. */
static int check_empty_file(gw_loader *ld, gw_format format)
{
	if (!ld->empty_file || gw_convention_of(format)->takes_empty)
		return 0;
	gw_str_clear(&ld->path);
	gw_path_join(&ld->path, ld->dir, ld->empty_file);
	return gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
	                             "is empty and named like a native migration, in a %s folder; "
	                             "delete it or name it like %s",
	                             gw_format_name(format), gw_convention_of(format)->example);
}

static int missing_dir(const char *dir, gw_ctx *ctx)
{
	int error = gw_error_set(ctx, GW_EIO, "migrations folder %s does not exist", dir);

	gw_error_set_hint(ctx, "create it (mkdir -p %s) or pass --dir", dir);
	return error;
}

static int take_ignored(gw_source *src, gw_loader *ld)
{
	size_t i;

	if (!ld->ignored.len)
		return 0;
	if (!(src->ignored = calloc(ld->ignored.len, sizeof(char *))))
		return -1;
	for (i = 0; i < ld->ignored.len; i++) {
		if (!(src->ignored[i] = gw_strdup(ld->ignored.items[i])))
			return -1;
		src->nignored++;
	}
	return 0;
}

int gw_source_load(gw_source **out, const char *dir, gw_format format, gw_ctx *ctx)
{
	return gw_source_load_dialect(out, dir, format, NULL, ctx);
}

/* Asks the conventions that may be the folder's whether a file of theirs
 * lists its migrations; the last to say so loads it. */
static int detect(gw_loader *ld)
{
	const gw_convention *const *conv;
	int error;

	for (conv = gw_conventions(); *conv; conv++) {
		if (!(*conv)->detect ||
		    (ld->forced != GW_FORMAT_AUTO && ld->forced != (*conv)->format))
			continue;
		if ((error = (*conv)->detect(ld)) < 0)
			return error;
		if (error)
			ld->detected = *conv;
	}
	return 0;
}

static int load_folder(gw_source **out, const char *dir, gw_format format, const char *dialect,
                       const char *root, gw_ctx *ctx)
{
	const gw_convention *conv;
	gw_source_priv *sp = NULL;
	gw_folder names = {NULL, 0, 0};
	gw_loader ld;
	size_t i;
	int error = -1, isdir;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.dir = dir;
	ld.forced = format;
	ld.dialect = dialect;
	ld.ctx = ctx;
	ld.path = (gw_str)GW_STR_INIT;
	/* realpath fails only for what does not exist: the project then has
	 * no file to resolve into it, and the folder's absence is said below. */
	if (root &&
	    (!(ld.guard.root = realpath(root, NULL)) || !(ld.guard.dir = realpath(dir, NULL))) &&
	    errno == ENOMEM) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	ld.text = (gw_str)GW_STR_INIT;

	if ((isdir = gw_path_is_dir(dir)) < 0) {
		error = missing_dir(dir, ctx);
		goto cleanup;
	}
	if (!isdir) {
		error = gw_error_set(ctx, GW_EIO,
		                     "%s is not a folder; pass the migrations "
		                     "folder with --dir",
		                     dir);
		goto cleanup;
	}
	if ((error = gw_source__list_dir(&names, dir, ctx)) < 0 || (error = detect(&ld)) < 0)
		goto cleanup;
	if (ld.detected && ld.detected->load) {
		if ((error = ld.detected->load(&ld, &names)) < 0)
			goto cleanup;
	} else {
		for (i = 0; i < names.len; i++)
			if ((error = load_entry(&ld, &names.items[i])) < 0)
				goto cleanup;
	}
	if ((error = check_mixed(&ld)) < 0)
		goto cleanup;
	if (format == GW_FORMAT_AUTO)
		/* A journal with no migrations yet is still drizzle-kit's. */
		format = ld.nseen      ? ld.seen[0]
		         : ld.detected ? ld.detected->format
		                       : GW_FORMAT_NATIVE;
	conv = gw_convention_of(format);
	if ((error = check_empty_file(&ld, format)) < 0 ||
	    (conv->check_folder && (error = conv->check_folder(&ld)) < 0))
		goto cleanup;
	if ((error = match_downs(&ld, format)) < 0 || (error = load_repeatables(&ld, format)) < 0 ||
	    (conv->check_set && (error = conv->check_set(&ld)) < 0))
		goto cleanup;
	accept_empty(&ld, format);
	/* Prisma writes migration_lock.toml in every migrations folder: it
	 * is Prisma's own, not a stray file worth a notice. */
	if (conv->own_file)
		unignore(&ld, conv->own_file);
	notify_ignored(&ld, format);

	if (!(sp = calloc(1, sizeof(*sp))) || !(sp->pub.dir = gw_strdup(dir)) ||
	    take_ignored(&sp->pub, &ld) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	sp->pub.format = format;
	sp->pub.project = ld.project;
	ld.project = NULL;
	sp->guard = ld.guard;
	ld.guard.root = ld.guard.dir = NULL;
	/* From here the set owns the migrations. */
	sp->all = (gw_source_mig **)ld.ups.items;
	sp->pub.count = ld.ups.len;
	ld.ups = (gw_vec)GW_VEC_INIT;
	if ((error = gw_source__order(sp, ctx)) < 0)
		goto cleanup;

	*out = &sp->pub;
	sp = NULL;
	error = 0;
cleanup:
	if (sp)
		gw_source_free(&sp->pub);
	gw_vec_dispose(&ld.ups, mig_free_cb);
	gw_vec_dispose(&ld.downs, free);
	gw_vec_dispose(&ld.ignored, NULL);
	gw_vec_dispose(&ld.listed, free);
	free(ld.project);
	free(ld.guard.root);
	free(ld.guard.dir);
	gw_source__folder_dispose(&names);
	gw_str_dispose(&ld.path);
	gw_str_dispose(&ld.text);
	return error;
}

int gw_source_load_dialect(gw_source **out, const char *dir, gw_format format, const char *dialect,
                           gw_ctx *ctx)
{
	return gw_source_load_in(out, dir, format, dialect, NULL, ctx);
}

int gw_source_load_in(gw_source **out, const char *dir, gw_format format, const char *dialect,
                      const char *root, gw_ctx *ctx)
{
	const gw_convention *const *c, *conv = NULL;
	gw_str top = GW_STR_INIT;
	char *registry = NULL;
	int error;

	/* A convention's settings may put its migrations elsewhere. */
	for (c = gw_conventions(); *c && !conv; c++)
		if ((*c)->locate && (format == GW_FORMAT_AUTO || format == (*c)->format))
			conv = *c;
	if (conv && (error = conv->locate(&top, &registry, dir, ctx)) < 0)
		goto cleanup;
	if (top.size)
		error = load_folder(out, top.ptr, conv->format, dialect, root, ctx);
	else
		error = load_folder(out, dir, format, dialect, root, ctx);
	if (error == 0 && conv && (*out)->format == conv->format) {
		(*out)->registry = registry;
		registry = NULL;
	}
cleanup:
	free(registry);
	gw_str_dispose(&top);
	return error;
}

void gw_source_free(gw_source *src)
{
	gw_source_priv *sp = (gw_source_priv *)src;
	size_t i;

	if (!src)
		return;
	for (i = 0; i < src->count; i++)
		mig_free(sp->all[i]);
	free(sp->all);
	free(src->items);
	for (i = 0; i < src->nignored; i++)
		free(src->ignored[i]);
	free(src->ignored);
	free(src->dir);
	free(src->project);
	free(sp->guard.root);
	free(sp->guard.dir);
	free(src->registry);
	free(sp);
}

static int cmp_find(const void *key, const void *elem)
{
	return gw_version_cmp(key, (*(gw_source_mig *const *)elem)->pub.version);
}

const gw_migration *gw_source_find(const gw_source *src, const char *version)
{
	const gw_source_priv *sp = (const gw_source_priv *)src;
	gw_source_mig **hit;

	if (!src->count || !version)
		return NULL;
	/* By number, so "6" finds 0006_x.sql as the history table may spell
	 * it either way. */
	hit = bsearch(version, sp->all, src->count, sizeof(*sp->all), cmp_find);
	return hit ? &(*hit)->pub : NULL;
}

/* ---- reading SQL when it runs ----------------------------------------- */

static int changed_error(const char *path, gw_ctx *ctx)
{
	int error =
	        gw_error_set(ctx, GW_ECHECKSUM,
	                     "%s changed while godwit was running; run the command again", path);

	gw_error_set_location(ctx, path, 0, 0);
	return error;
}

/* Where the down of a migration goes in the folder's convention: the file
 * to write, relative to the folder, into *file. Returns the marker line of
 * the down section when the convention keeps it in the up file (*file is
 * then the up file), NULL when the down is a file of its own. */
int gw_source_down_hint(gw_str *out, const gw_source *src, const gw_migration *m)
{
	const gw_source_mig *sm = (const gw_source_mig *)m;
	gw_str file = GW_STR_INIT;
	const char *section;

	gw_str_clear(out);
	if (m->repeatable) {
		gw_str_puts(out, "delete it and write a migration that reverts it");
		return gw_str_failed(out) ? GW_ENOMEM : 0;
	}
	section = down_place(&file, src->format, sm->stem, m->up_file);
	if (section && sm->down_state == GW_DOWN_EMPTY)
		gw_str_printf(out, "write its down SQL in the '%s' section of %s/%s", section,
		              src->dir, file.ptr);
	else if (section)
		gw_str_printf(out, "add a '%s' section to %s/%s", section, src->dir, file.ptr);
	else
		gw_str_printf(out, "write its down SQL in %s/%s", src->dir, file.ptr);
	gw_str_dispose(&file);
	return gw_str_failed(out) || gw_str_failed(&file) ? GW_ENOMEM : 0;
}

/* The error of a migration that cannot be reverted, naming what to write. */
static int nodown_error(const gw_source *src, const gw_migration *m, gw_ctx *ctx)
{
	const gw_convention *conv = gw_convention_of(src->format);
	const gw_source_mig *sm = (const gw_source_mig *)m;
	gw_str file = GW_STR_INIT;
	const char *section;
	int error;

	if (m->repeatable)
		return gw_error_set(ctx, GW_ENODOWN,
		                    "%s is repeatable and has no down migration; to undo it, "
		                    "delete it and write a migration that reverts it",
		                    m->up_file);
	section = down_place(&file, src->format, sm->stem, m->up_file);
	if (gw_str_failed(&file))
		error = gw_error_oom(ctx);
	else if (conv->nodown_error)
		error = conv->nodown_error(m, file.ptr, sm->down_state == GW_DOWN_EMPTY, ctx);
	else if (section)
		error = gw_error_set(ctx, GW_ENODOWN,
		                     "%s has no down migration; write %s %s section %s %s to make "
		                     "it revertible",
		                     sm->stem, sm->down_state == GW_DOWN_EMPTY ? "SQL in the" : "a",
		                     section, sm->down_state == GW_DOWN_EMPTY ? "of" : "in",
		                     file.ptr);
	else
		error = gw_error_set(ctx, GW_ENODOWN,
		                     "%s%s has no down migration; write %s%s to make it revertible",
		                     conv->stem_prefix ? conv->stem_prefix : "", sm->stem,
		                     sm->down_state == GW_DOWN_EMPTY ? "SQL in " : "", file.ptr);
	gw_str_dispose(&file);
	return error;
}

static int read_section(gw_source_text *out, const gw_source *src, const gw_migration *m, int down,
                        gw_ctx *ctx)
{
	const gw_source_mig *sm = (const gw_source_mig *)m;
	const char *file = down ? m->down_file : m->up_file;
	const char *want = down ? m->down_checksum : m->checksum;
	gw_str path = GW_STR_INIT;
	char sum[GW_CHECKSUM_HEX];
	size_t off = 0, len, down_off, down_len;
	markers mk;
	int error;

	if (gw_path_join(&path, src->dir, file) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if ((error = read_migration(&out->file_text, path.ptr,
	                            &((const gw_source_priv *)src)->guard, ctx)) < 0)
		goto cleanup;
	len = out->file_text.size;
	if (sm->conv && sm->conv->scan) {
		sm->conv->scan(&mk, out->file_text.ptr, out->file_text.size);
		if (!mk.up.found || (down && !mk.down.found)) {
			error = changed_error(path.ptr, ctx);
			goto cleanup;
		}
		gw_source__sections(&mk, out->file_text.size, &off, &len, &down_off, &down_len);
		if (down) {
			off = down_off;
			len = down_len;
		}
	}
	if ((error = checksum(sum, out->file_text.ptr + off, len, ctx)) < 0)
		goto cleanup;
	if (strcmp(sum, want)) {
		error = changed_error(path.ptr, ctx);
		goto cleanup;
	}
	/* A script (sqitch's) is checksummed whole, and run without the
	 * BEGIN and COMMIT it wraps itself in. */
	if (sm->conv && sm->conv->unwrap) {
		sm->conv->unwrap(out->file_text.ptr, len, 0, &off, &down_off);
		len = down_off - off;
	}
	out->offset = off;
	out->len = len;
	out->file = file;
	error = 0;
cleanup:
	gw_str_dispose(&path);
	return error;
}

int gw_source_read_up(gw_source_text *out, const gw_source *src, const gw_migration *m, gw_ctx *ctx)
{
	return read_section(out, src, m, 0, ctx);
}

/* A verify script of its own (sqitch's verify/<name>.sql), without its
 * BEGIN ... ROLLBACK. */
static int read_verify_script(gw_source_text *out, const gw_source *src, const gw_source_mig *sm,
                              gw_ctx *ctx)
{
	gw_str path = GW_STR_INIT;
	size_t off, end;
	int error;

	if (gw_path_join(&path, src->dir, sm->verify_file) < 0)
		return gw_error_oom(ctx);
	if ((error = read_migration(&out->file_text, path.ptr,
	                            &((const gw_source_priv *)src)->guard, ctx)) == 0) {
		sm->conv->unwrap(out->file_text.ptr, out->file_text.size, 1, &off, &end);
		out->offset = off;
		out->len = end - off;
		out->file = sm->verify_file;
	}
	gw_str_dispose(&path);
	return error;
}

int gw_source_read_verify(gw_source_text *out, const gw_source *src, const gw_migration *m,
                          gw_ctx *ctx)
{
	const gw_source_mig *sm = (const gw_source_mig *)m;
	gw_str path = GW_STR_INIT;
	markers mk;
	int error;

	if (!m->has_verify)
		return gw_error_set(ctx, GW_ENOTFOUND, "%s has no verify section", m->up_file);
	if (sm->verify_file)
		return read_verify_script(out, src, sm, ctx);
	if (gw_path_join(&path, src->dir, m->up_file) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	/* The verify section is not part of what was applied, so it is read
	 * as it is now, without a checksum. */
	if ((error = read_migration(&out->file_text, path.ptr,
	                            &((const gw_source_priv *)src)->guard, ctx)) < 0)
		goto cleanup;
	sm->conv->scan(&mk, out->file_text.ptr, out->file_text.size);
	if (!mk.verify.found) {
		error = changed_error(path.ptr, ctx);
		goto cleanup;
	}
	out->offset = mk.verify.body;
	out->len = out->file_text.size - mk.verify.body;
	out->file = m->up_file;
cleanup:
	gw_str_dispose(&path);
	return error;
}

int gw_source_read_down(gw_source_text *out, const gw_source *src, const gw_migration *m,
                        gw_ctx *ctx)
{
	if (!m->down_file)
		return nodown_error(src, m, ctx);
	return read_section(out, src, m, 1, ctx);
}

void gw_source_text_dispose(gw_source_text *t)
{
	gw_str_dispose(&t->file_text);
	t->offset = t->len = 0;
	t->file = NULL;
}

/* ---- new migrations --------------------------------------------------- */

int gw_source_new_files(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                        gw_format format, const char *version, const char *name)
{
	gw_str_clear(up_name);
	gw_str_clear(up_body);
	gw_str_clear(down_name);
	gw_str_clear(down_body);
	if (!version || !*version || !name || !*name || strchr(name, '/') || strchr(version, '/'))
		return GW_EINVALID;
	gw_convention_of(format)->new_files(up_name, up_body, down_name, down_body, version, name);
	if (down_name->size && !up_body->size) {
		gw_str_puts(up_body, NEW_UP_TEMPLATE);
		gw_str_printf(down_body, NEW_DOWN_TEMPLATE "%s here.\n", up_name->ptr);
	}
	if (gw_str_failed(up_name) || gw_str_failed(up_body) || gw_str_failed(down_name) ||
	    gw_str_failed(down_body))
		return GW_ENOMEM;
	return 0;
}

int gw_source_register_new(const gw_source *src, const char *version, const char *name, gw_ctx *ctx)
{
	const gw_convention *conv = gw_convention_of(src->format);

	return conv->register_new ? conv->register_new(src, version, name, ctx) : 0;
}

int gw_source_check_new(const gw_source *src, const char *name, gw_ctx *ctx)
{
	const gw_convention *conv = gw_convention_of(src->format);

	return conv->check_new ? conv->check_new(src, name, ctx) : 0;
}
