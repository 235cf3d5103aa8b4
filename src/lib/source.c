/*
 * source.c: migration files → a migration set (the sources stage).
 *
 * gw_source_load lists the folder once, classifies every entry by its name
 * (and, for "<digits>_<name>.sql", by whether its text has a -- migrate:up
 * line), reads each .sql file once to validate it, checksum it and read its
 * directives, then drops the text. The set is then checked for duplicate
 * versions and put in apply order by source_order.c. gw_source_read_up/down
 * read a file again when its SQL is needed and prove by checksum that it is
 * the text that was validated.
 *
 * Native files keep both directions in one file; their down_file is a
 * separate copy of up_file (same text, own allocation) so every field can be
 * freed the same way.
 */
/* readdir's d_type (below) is a BSD extension glibc hides under strict POSIX. */
#define _DEFAULT_SOURCE 1

#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "source_priv.h"
#include "version.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/text.h"
#include "../util/vec.h"

/* What a file's name says about it. */
typedef struct file_name {
	gw_format conv;     /* PAIRS stands for "<digits>_<name>.sql" until the text is read */
	int is_down;        /* a .down.sql or _rollback.sql file */
	int rollback;       /* "<digits>_<name>_rollback.sql": a down unless it is native */
	size_t version_len; /* the version is the name's first version_len bytes */
	size_t name_start;  /* where the description starts */
	size_t stem_len;    /* "<version>_<name>" without suffixes */
} file_name;

/* A -- migrate:up or -- migrate:down line of a native file. */
typedef struct marker {
	int found;
	int line;              /* 1-based */
	size_t start;          /* the marker line */
	size_t body;           /* the text after it */
	size_t opts, opts_end; /* what follows the marker word on its line */
	int again;             /* the line of a second marker of this kind, 0 if none */
} marker;

typedef struct markers {
	marker up, down, verify;
} markers;

/* A folder entry; skip marks what is not a migration file (not .sql, or a
 * folder). */
typedef struct dir_entry {
	char *name;
	int skip;
} dir_entry;

typedef struct dir_list {
	dir_entry *items;
	size_t len, cap;
} dir_list;

/* A down file waiting for its up file. */
typedef struct down_rec {
	const char *file; /* borrowed from the folder listing */
	size_t stem_len;
	char checksum[GW_CHECKSUM_HEX];
	int no_tx;
	int empty;
} down_rec;

typedef struct loader {
	const char *dir;
	gw_format forced;
	gw_ctx *ctx;
	gw_str path; /* "<dir>/<file>" of the file at hand */
	gw_str text; /* its content; one buffer reused for every file */
	gw_vec ups;  /* gw_source_mig * */
	gw_vec downs;
	gw_vec ignored;
	const char *first[GW_FORMAT_DATED + 1]; /* the first file of each convention */
	gw_format seen[GW_FORMAT_DATED + 1];    /* conventions in the order first seen */
	size_t nseen;
} loader;

/* ---- small helpers ---------------------------------------------------- */

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

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

static int line_of(const char *text, size_t len, size_t at)
{
	int line, col;

	gw_text_position(text, len, at, &line, &col);
	return line;
}

/* ---- file names ------------------------------------------------------- */

static int is_dated(const char *n, size_t len)
{
	static const char shape[] = "dddd-dd-dd_";
	size_t i;

	if (len < sizeof(shape) - 1)
		return 0;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd' ? !is_digit(n[i]) : n[i] != shape[i])
			return 0;
	}
	return 1;
}

/* Classifies a "*.sql" name; -1 when it fits no convention. */
static int classify_name(file_name *fn, const char *n)
{
	size_t base = strlen(n) - 4, d = 0;

	memset(fn, 0, sizeof(*fn));
	if (is_dated(n, base)) {
		fn->conv = GW_FORMAT_DATED;
		fn->name_start = 11;
		fn->stem_len = base;
		if (ends_with(n, base, "_rollback") && base - 9 > 11) {
			fn->is_down = 1;
			fn->stem_len = base - 9;
		}
		fn->version_len = fn->stem_len;
		return fn->stem_len > 11 ? 0 : -1;
	}
	while (d < base && is_digit(n[d]))
		d++;
	if (!d || d >= base || n[d] != '_')
		return -1;
	fn->version_len = d;
	fn->name_start = d + 1;
	fn->stem_len = base;
	if (ends_with(n, base, ".up") || ends_with(n, base, ".down")) {
		fn->conv = GW_FORMAT_GOLANG;
		fn->is_down = n[base - 1] == 'n';
		fn->stem_len = base - (fn->is_down ? 5 : 3);
	} else {
		fn->conv = GW_FORMAT_PAIRS;
		fn->rollback = ends_with(n, base, "_rollback") && base - 9 > d + 1;
	}
	return fn->stem_len > d + 1 ? 0 : -1;
}

static const char *example_name(gw_format format)
{
	switch (format) {
	case GW_FORMAT_GOLANG:
		return "1_create_users.up.sql";
	case GW_FORMAT_PAIRS:
		return "0001_create_users.sql";
	case GW_FORMAT_DATED:
		return "2024-01-01_create_users.sql";
	default:
		return "20240101120000_create_users.sql";
	}
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
	while (i < end && is_blank(text[i]))
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
	if (i < end && !is_blank(text[i]))
		return 0;
	*opts = i;
	return kind;
}

/* Finds the marker lines; validation is left to the caller, which knows
 * whether the file is meant to be native. */
static void scan_markers(markers *mk, const char *text, size_t len)
{
	size_t pos = 0, end, opts = 0;
	int line = 1, kind;
	marker *m;

	memset(mk, 0, sizeof(*mk));
	while (pos < len) {
		end = line_end(text, len, pos);
		/* Cheap pre-check: markers are rare, comment lines are not. */
		if (text[pos] == '-' && (kind = marker_kind(text, pos, end, &opts)) != 0) {
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

/* Reads "transaction:false" (or :true) after a marker. */
static int marker_options(int *no_tx, const char *text, const marker *m, const char *what,
                          const char *path, gw_ctx *ctx)
{
	size_t i = m->opts, start;

	*no_tx = 0;
	while (i < m->opts_end) {
		while (i < m->opts_end && is_blank(text[i]))
			i++;
		start = i;
		while (i < m->opts_end && !is_blank(text[i]))
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

/* Checks a file that has a -- migrate:up line. */
static int check_native(const char *text, size_t len, const markers *mk, const char *path,
                        gw_ctx *ctx)
{
	size_t first;

	if (mk->up.again)
		return gw_source__file_error(
		        ctx, GW_ESOURCE, path, mk->up.again, 0,
		        "a second -- migrate:up line; a file holds one migration");
	if (mk->down.again)
		return gw_source__file_error(
		        ctx, GW_ESOURCE, path, mk->down.again, 0,
		        "a second -- migrate:down line; a file holds one migration");
	if (mk->down.found && mk->down.start < mk->up.start)
		return gw_source__file_error(
		        ctx, GW_ESOURCE, path, mk->down.line, 0,
		        "-- migrate:down comes before -- migrate:up; put the up section "
		        "first");
	if (mk->verify.again)
		return gw_source__file_error(
		        ctx, GW_ESOURCE, path, mk->verify.again, 0,
		        "a second -- migrate:verify line; a file holds one migration");
	if (mk->verify.found && (mk->verify.start < mk->up.start ||
	                         (mk->down.found && mk->verify.start < mk->down.start)))
		return gw_source__file_error(ctx, GW_ESOURCE, path, mk->verify.line, 0,
		                             "-- migrate:verify comes before the up or down "
		                             "section; put it last");
	first = gw_text_skip_space_comments(text, mk->up.start, 0);
	if (first < mk->up.start)
		return gw_source__file_error(
		        ctx, GW_ESOURCE, path, line_of(text, len, first), 0,
		        "SQL before the -- migrate:up line; move it below that line");
	return 0;
}

/* The up and down sections of a checked native file. */
static void native_sections(const markers *mk, size_t len, size_t *up_off, size_t *up_len,
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
	       ((size_t)(end - p) == n || is_blank(p[n]) || p[n] == ':');
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
		while (p < end && (is_blank(*p) || *p == ','))
			p++;
		item = p;
		while (p < end && *p != ',')
			p++;
		stop = p;
		while (stop > item && is_blank(stop[-1]))
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
		while (p < end && is_blank(*p))
			p++;
		if (end - p < 2 || p[0] != '-' || p[1] != '-')
			continue;
		p += 2;
		while (p < end && is_blank(*p))
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
	free(m->stem);
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

/* Whether text[from, to) holds a statement, not just blanks and comments. */
static int has_sql(const char *text, size_t from, size_t to)
{
	return gw_text_skip_space_comments(text, to, from) < to;
}

/* Builds the migration of an up file (native: of both its sections). */
static int add_up(loader *ld, const char *file, const file_name *fn, const markers *mk)
{
	const char *text = ld->text.ptr;
	size_t len = ld->text.size, up_off = 0, up_len = len, down_off = len, down_len = 0;
	gw_source_mig *m = calloc(1, sizeof(*m));
	int error = GW_ENOMEM, down_line = 1;

	if (!m)
		return gw_error_oom(ld->ctx);
	if (fn->conv == GW_FORMAT_NATIVE) {
		native_sections(mk, len, &up_off, &up_len, &down_off, &down_len);
		down_line = mk->down.line + 1;
		if ((error = marker_options(&m->pub.no_transaction, text, &mk->up, "up",
		                            ld->path.ptr, ld->ctx)) < 0 ||
		    (mk->down.found &&
		     (error = marker_options(&m->pub.down_no_transaction, text, &mk->down, "down",
		                             ld->path.ptr, ld->ctx)) < 0))
			goto cleanup;
	}
	/* An empty migration is usually one just made by `godwit new`: it
	 * shows in status, and up refuses it before running anything. */
	m->pub.empty = !has_sql(text, up_off, up_off + up_len);
	m->pub.has_verify = fn->conv == GW_FORMAT_NATIVE && mk->verify.found &&
	                    has_sql(text, mk->verify.body, len);
	/* Directives may sit above the native marker too, so the head is
	 * read from the start of the file. */
	if ((error = read_directives(m, &m->pub.no_transaction, text, 0,
	                             gw_text_skip_space_comments(text, up_off + up_len, up_off), 1,
	                             ld->ctx)) < 0 ||
	    (error = checksum(m->pub.checksum, text + up_off, up_len, ld->ctx)) < 0)
		goto cleanup;
	if (fn->conv == GW_FORMAT_NATIVE && has_sql(text, down_off, len)) {
		if ((error = read_directives(NULL, &m->pub.down_no_transaction, text, down_off,
		                             gw_text_skip_space_comments(text, len, down_off),
		                             down_line, ld->ctx)) < 0 ||
		    (error = checksum(m->pub.down_checksum, text + down_off, down_len, ld->ctx)) <
		            0)
			goto cleanup;
		if (!(m->pub.down_file = gw_strdup(file)))
			goto oom;
	} else if (fn->conv == GW_FORMAT_NATIVE) {
		m->down_state = mk->down.found ? GW_DOWN_EMPTY : GW_DOWN_NONE;
		m->pub.down_no_transaction = 0;
	}
	if (!(m->pub.version = gw_strndup(file, fn->version_len)) ||
	    !(m->pub.name = gw_strndup(file + fn->name_start, fn->stem_len - fn->name_start)) ||
	    !(m->pub.up_file = gw_strdup(file)) || !(m->stem = gw_strndup(file, fn->stem_len)) ||
	    gw_vec_push(&ld->ups, m) < 0)
		goto oom;
	return 0;
oom:
	error = gw_error_oom(ld->ctx);
cleanup:
	mig_free(m);
	return error;
}

static int add_down(loader *ld, const char *file, const file_name *fn)
{
	const char *text = ld->text.ptr;
	size_t len = ld->text.size;
	down_rec *d = calloc(1, sizeof(*d));
	int error;

	if (!d)
		return gw_error_oom(ld->ctx);
	d->file = file;
	d->stem_len = fn->stem_len;
	d->empty = !has_sql(text, 0, len);
	if ((error = read_directives(NULL, &d->no_tx, text, 0,
	                             gw_text_skip_space_comments(text, len, 0), 1, ld->ctx)) < 0 ||
	    (error = checksum(d->checksum, text, len, ld->ctx)) < 0)
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

static int check_utf8(loader *ld)
{
	size_t bad = 0;
	int line, col;

	if (gw_utf8_check(ld->text.ptr, ld->text.size, &bad) == 0)
		return 0;
	gw_text_position(ld->text.ptr, ld->text.size, bad, &line, &col);
	return gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, line, col,
	                             "invalid UTF-8 byte 0x%02x; save the file as UTF-8",
	                             (unsigned char)ld->text.ptr[bad]);
}

/* Settles the convention of a "<digits>_<name>.sql" file from its markers
 * and rejects -- migrate:down sections where nothing would read them. */
static int resolve_conv(loader *ld, file_name *fn, const markers *mk)
{
	const char *text = ld->text.ptr;
	size_t len = ld->text.size;

	if (fn->conv == GW_FORMAT_PAIRS && mk->up.found) {
		fn->conv = GW_FORMAT_NATIVE;
		return check_native(text, len, mk, ld->path.ptr, ld->ctx);
	}
	if (fn->conv == GW_FORMAT_PAIRS && mk->down.found && ld->forced != GW_FORMAT_PAIRS)
		return gw_source__file_error(
		        ld->ctx, GW_ESOURCE, ld->path.ptr, mk->down.line, 0,
		        "-- migrate:down without a -- migrate:up line; put -- migrate:up "
		        "above the up SQL");
	if (mk->verify.found)
		return gw_source__file_error(
		        ld->ctx, GW_ESOURCE, ld->path.ptr, mk->verify.line, 0,
		        "a -- migrate:verify section belongs in a native migration; here it "
		        "would run with the up SQL");
	if (mk->down.found)
		return gw_source__file_error(
		        ld->ctx, GW_ESOURCE, ld->path.ptr, mk->down.line, 0,
		        "a -- migrate:down section in a %s migration would run with the "
		        "up SQL; put the down SQL in its own file",
		        gw_format_name(fn->conv));
	if (fn->conv == GW_FORMAT_PAIRS && fn->rollback)
		fn->is_down = 1;
	if (fn->conv == GW_FORMAT_PAIRS && fn->is_down)
		fn->stem_len -= 9;
	return 0;
}

static int check_forced(loader *ld, const file_name *fn)
{
	if (ld->forced == GW_FORMAT_AUTO || ld->forced == fn->conv)
		return 0;
	if (ld->forced == GW_FORMAT_NATIVE && fn->conv == GW_FORMAT_PAIRS)
		return gw_source__file_error(
		        ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
		        "no -- migrate:up line; a native migration puts its up SQL "
		        "below -- migrate:up and its down SQL below -- migrate:down");
	return gw_source__file_error(
	        ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
	        "does not follow the %s convention (it looks like %s); expected e.g. %s",
	        gw_format_name(ld->forced), gw_format_name(fn->conv), example_name(ld->forced));
}

static void note_conv(loader *ld, gw_format conv, const char *file)
{
	if (ld->first[conv])
		return;
	ld->first[conv] = file;
	ld->seen[ld->nseen++] = conv;
}

static int load_entry(loader *ld, const dir_entry *e)
{
	const char *file = e->name;
	file_name fn;
	markers mk;
	int error;

	if (e->skip)
		return gw_vec_push(&ld->ignored, e->name) < 0 ? gw_error_oom(ld->ctx) : 0;
	gw_str_clear(&ld->path);
	if (gw_path_join(&ld->path, ld->dir, file) < 0)
		return gw_error_oom(ld->ctx);
	if (classify_name(&fn, file) < 0)
		return gw_source__file_error(
		        ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
		        "cannot tell the migration's version from its name; expected "
		        "e.g. %s",
		        example_name(ld->forced));
	if ((error = gw_file_read(&ld->text, ld->path.ptr, GW_FILE_MAX, ld->ctx)) < 0 ||
	    (error = check_utf8(ld)) < 0)
		return error;
	scan_markers(&mk, ld->text.ptr, ld->text.size);
	/* A "<digits>_<name>.sql" file with no text at all (just created by
	 * touch, say) reads the same as a native or a pair's up file, so it
	 * takes no side: it is an empty migration either way, and up says so. */
	if (ld->forced == GW_FORMAT_AUTO && fn.conv == GW_FORMAT_PAIRS && !fn.rollback &&
	    !mk.up.found && !mk.down.found && !has_sql(ld->text.ptr, 0, ld->text.size))
		return add_up(ld, file, &fn, &mk);
	if ((error = resolve_conv(ld, &fn, &mk)) < 0 || (error = check_forced(ld, &fn)) < 0)
		return error;
	note_conv(ld, fn.conv, file);
	return fn.is_down ? add_down(ld, file, &fn) : add_up(ld, file, &fn, &mk);
}

/* ---- the folder ------------------------------------------------------- */

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const dir_entry *)a)->name, ((const dir_entry *)b)->name);
}

/* Whether a listed name is left out of the set: hidden names silently,
 * anything but a .sql file into the ignored list. readdir's d_type saves a
 * stat per file; only file systems that do not fill it pay for one. */
static int entry_skip(const char *dir, const struct dirent *d, gw_str *path)
{
	const char *name = d->d_name;

	if (name[0] == '.')
		return 2;
	if (!ends_with(name, strlen(name), ".sql"))
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

static int add_entry(dir_list *l, const char *name, int skip)
{
	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		dir_entry *items = realloc(l->items, cap * sizeof(*items));

		if (!items)
			return -1;
		l->items = items;
		l->cap = cap;
	}
	if (!(l->items[l->len].name = gw_strdup(name)))
		return -1;
	l->items[l->len++].skip = skip;
	return 0;
}

/* Like gw_dir_list, sorted bytewise, but it also tells which entries are
 * not migration files. */
static int list_dir(dir_list *out, const char *dir, gw_ctx *ctx)
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

static void dir_list_dispose(dir_list *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		free(l->items[i].name);
	free(l->items);
}

static int check_mixed(loader *ld)
{
	gw_str msg = GW_STR_INIT;
	size_t i;
	int error;

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

static int down_error(loader *ld, const down_rec *d, gw_format format)
{
	gw_str_clear(&ld->path);
	gw_path_join(&ld->path, ld->dir, d->file);
	return gw_source__file_error(
	        ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
	        "there is no %.*s%s for this down migration; add it or delete this file",
	        (int)d->stem_len, d->file, format == GW_FORMAT_GOLANG ? ".up.sql" : ".sql");
}

/* Gives each down file to the up file with the same stem. */
static int match_downs(loader *ld, gw_format format)
{
	gw_source_mig **ups = (gw_source_mig **)ld->ups.items, **hit;
	size_t i;

	if (!ld->downs.len)
		return 0;
	if (ld->ups.len)
		qsort(ups, ld->ups.len, sizeof(*ups), cmp_stem);
	for (i = 0; i < ld->downs.len; i++) {
		down_rec *d = ld->downs.items[i];
		stem_key key = {d->file, d->stem_len};
		gw_source_mig *m;

		hit = ld->ups.len ? bsearch(&key, ups, ld->ups.len, sizeof(*ups), cmp_stem_key)
		                  : NULL;
		if (!hit)
			return down_error(ld, d, format);
		m = *hit;
		if (d->empty) {
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

static int missing_dir(const char *dir, gw_ctx *ctx)
{
	int error = gw_error_set(ctx, GW_EIO, "migrations folder %s does not exist", dir);

	gw_error_set_hint(ctx, "create it (mkdir -p %s) or pass --dir", dir);
	return error;
}

static int take_ignored(gw_source *src, loader *ld)
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
	gw_source_priv *sp = NULL;
	dir_list names = {NULL, 0, 0};
	loader ld;
	size_t i;
	int error = -1, isdir;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.dir = dir;
	ld.forced = format;
	ld.ctx = ctx;
	ld.path = (gw_str)GW_STR_INIT;
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
	if ((error = list_dir(&names, dir, ctx)) < 0)
		goto cleanup;
	for (i = 0; i < names.len; i++)
		if ((error = load_entry(&ld, &names.items[i])) < 0)
			goto cleanup;
	if ((error = check_mixed(&ld)) < 0)
		goto cleanup;
	if (format == GW_FORMAT_AUTO)
		format = ld.nseen ? ld.seen[0] : GW_FORMAT_NATIVE;
	if ((error = match_downs(&ld, format)) < 0)
		goto cleanup;

	if (!(sp = calloc(1, sizeof(*sp))) || !(sp->pub.dir = gw_strdup(dir)) ||
	    take_ignored(&sp->pub, &ld) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	sp->pub.format = format;
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
	dir_list_dispose(&names);
	gw_str_dispose(&ld.path);
	gw_str_dispose(&ld.text);
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

/* Message fragments for a migration that cannot be reverted. */
static int nodown_error(const gw_source *src, const gw_migration *m, gw_ctx *ctx)
{
	const gw_source_mig *sm = (const gw_source_mig *)m;
	const char *what = sm->down_state == GW_DOWN_EMPTY ? "SQL in " : "";
	int error;

	switch (src->format) {
	case GW_FORMAT_NATIVE:
		error = gw_error_set(
		        ctx, GW_ENODOWN,
		        "%s has no down migration; write %s %s to make it revertible", sm->stem,
		        sm->down_state == GW_DOWN_EMPTY ? "SQL in the -- migrate:down section of"
		                                        : "a -- migrate:down section in",
		        m->up_file);
		break;
	case GW_FORMAT_GOLANG:
		error = gw_error_set(ctx, GW_ENODOWN,
		                     "%s has no down migration; write %s%s.down.sql to make it "
		                     "revertible",
		                     sm->stem, what, sm->stem);
		break;
	default:
		error = gw_error_set(ctx, GW_ENODOWN,
		                     "%s has no down migration; write %s%s_rollback.sql to make it "
		                     "revertible",
		                     sm->stem, what, sm->stem);
		break;
	}
	return error;
}

static int read_section(gw_source_text *out, const gw_source *src, const gw_migration *m, int down,
                        gw_ctx *ctx)
{
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
	if ((error = gw_file_read(&out->file_text, path.ptr, GW_FILE_MAX, ctx)) < 0)
		goto cleanup;
	len = out->file_text.size;
	if (src->format == GW_FORMAT_NATIVE) {
		scan_markers(&mk, out->file_text.ptr, out->file_text.size);
		if (!mk.up.found || (down && !mk.down.found)) {
			error = changed_error(path.ptr, ctx);
			goto cleanup;
		}
		native_sections(&mk, out->file_text.size, &off, &len, &down_off, &down_len);
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

int gw_source_read_verify(gw_source_text *out, const gw_source *src, const gw_migration *m,
                          gw_ctx *ctx)
{
	gw_str path = GW_STR_INIT;
	markers mk;
	int error;

	if (!m->has_verify)
		return gw_error_set(ctx, GW_ENOTFOUND, "%s has no verify section", m->up_file);
	if (gw_path_join(&path, src->dir, m->up_file) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	/* The verify section is not part of what was applied, so it is read
	 * as it is now, without a checksum. */
	if ((error = gw_file_read(&out->file_text, path.ptr, GW_FILE_MAX, ctx)) < 0)
		goto cleanup;
	scan_markers(&mk, out->file_text.ptr, out->file_text.size);
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
	switch (format) {
	case GW_FORMAT_GOLANG:
		gw_str_printf(up_name, "%s_%s.up.sql", version, name);
		gw_str_printf(down_name, "%s_%s.down.sql", version, name);
		break;
	case GW_FORMAT_PAIRS:
	case GW_FORMAT_DATED:
		gw_str_printf(up_name, "%s_%s.sql", version, name);
		gw_str_printf(down_name, "%s_%s_rollback.sql", version, name);
		break;
	default:
		gw_str_printf(up_name, "%s_%s.sql", version, name);
		gw_str_puts(up_body, "-- migrate:up\n\n\n-- migrate:down\n\n");
		break;
	}
	if (down_name->size) {
		gw_str_puts(up_body, "-- Write the SQL of this migration here.\n");
		gw_str_printf(down_body, "-- Write the SQL that reverts %s here.\n", up_name->ptr);
	}
	if (gw_str_failed(up_name) || gw_str_failed(up_body) || gw_str_failed(down_name) ||
	    gw_str_failed(down_body))
		return GW_ENOMEM;
	return 0;
}
