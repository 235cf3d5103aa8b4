/*
 * file.c: one migration file → one migration.
 *
 * gw_source__load_entry classifies a folder entry by its name (each
 * convention's classify hook), lets the convention settle what its text
 * makes it (settle), refuses a file of another convention than the one
 * forced, reads its directives (@depends-on, godwit:no-transaction) and
 * checksums each section once; the text is then dropped. The helpers the
 * conventions build their own loading with (whole files, downs, folders
 * of their own) are here too.
 *
 * Native files keep both directions in one file; their down_file is
 * up_file itself (the same pointer), freed once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"
#include "../sql/sql.h"
#include "../../util/error.h"
#include "../../util/fs.h"
#include "../../util/text.h"

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

static int starts_word(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && !memcmp(p, word, n) &&
	       ((size_t)(end - p) == n || gw_is_blank(p[n]) || p[n] == ':');
}

gw_migration_rare *gw_source__rare(gw_source_mig *m)
{
	if (!m->pub.rare)
		m->pub.rare = calloc(1, sizeof(*m->pub.rare));
	return m->pub.rare;
}

int gw_source__add_depend(gw_source_mig *m, const char *name, size_t len, int line)
{
	gw_migration_rare *r = gw_source__rare(m);
	char *copy;
	size_t n;

	if (!r)
		return -1;
	/* Room for 4, then twice as many each time it is full: the room
	 * follows from the count, which spares the record a field. */
	n = r->ndepends;
	if (n == 0 || (n >= 4 && !(n & (n - 1)))) {
		size_t cap = n ? n * 2 : 4;
		char **d = realloc(r->depends, cap * sizeof(*d));
		int *l;

		if (!d)
			return -1;
		r->depends = d;
		if (!(l = realloc(r->depends_line, cap * sizeof(*l))))
			return -1;
		r->depends_line = l;
	}
	if (!(copy = gw_strndup(name, len)))
		return -1;
	r->depends[r->ndepends] = copy;
	r->depends_line[r->ndepends++] = line;
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
		if (stop > item && gw_source__add_depend(m, item, (size_t)(stop - item), line) < 0)
			return -1;
	}
	return 0;
}

/* Reads the directives in the comment lines of [from, to), the head of a
 * section before its first statement. m is NULL for a down section, where
 * only godwit:no-transaction means something. */
static int read_directives(gw_source_mig *m, unsigned char *no_tx, const char *text, size_t from,
                           size_t to, int line, gw_ctx *ctx)
{
	const char *p, *end;
	size_t pos = from, eol;

	for (; pos < to; pos = eol + 1, line++) {
		eol = gw_source__line_end(text, to, pos);
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

static void rare_free(gw_migration_rare *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->ndepends; i++)
		free(r->depends[i]);
	free(r->depends);
	free(r->requires);
	free(r->depends_line);
	for (i = 0; i < r->nconflicts; i++)
		free(r->conflicts[i]);
	free(r->conflicts);
	free(r->verify_file);
	free(r);
}

void gw_source__mig_free(gw_source_mig *m)
{
	if (!m)
		return;
	if (m->pub.down_file != m->pub.up_file && !m->down_listed)
		free(m->pub.down_file);
	if (m->packed != MIG_IN_NAMES)
		free(m->pub.version);
	if (!m->packed) {
		free(m->pub.name);
		free(m->pub.up_file);
		free(m->stem);
	}
	rare_free(m->pub.rare);
	if (!m->in_block)
		free(m);
}

int gw_source__name_mig(gw_source_mig *m, const char *version, size_t version_len, const char *name,
                        size_t name_len, const char *file, const char *stem, size_t stem_len)
{
	size_t file_len = strlen(file);
	char *p = malloc(version_len + name_len + file_len + stem_len + 4);

	if (!p)
		return -1;
	m->packed = 1;
	m->pub.version = p;
	memcpy(p, version, version_len);
	p[version_len] = '\0';
	m->pub.name = p += version_len + 1;
	memcpy(p, name, name_len);
	p[name_len] = '\0';
	m->pub.up_file = p += name_len + 1;
	memcpy(p, file, file_len + 1);
	m->stem = p += file_len + 1;
	memcpy(p, stem, stem_len);
	p[stem_len] = '\0';
	if (m->down_in_up)
		m->pub.down_file = m->pub.up_file;
	return 0;
}

void gw_source__checksum(unsigned char out[GW_CHECKSUM_BYTES], const char *text, size_t len)
{
	gw_checksum_bytes(out, text, len);
}

/* The checksum of a migration's up text, read once; the cheap look at
 * its words spares status parsing it to tell how it runs. */
static void up_checksum(gw_source_mig *m, const char *text, size_t len)
{
	m->pub.plain_tx = !gw_sql_may_need_no_tx(text, len);
	gw_source__checksum(m->pub.sum, text, len);
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
	return len > n && !memcmp(text, NEW_DOWN_TEMPLATE, n) &&
	       gw_source__line_end(text, len, 0) == len - 1;
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
	                             ld->ctx)) < 0)
		goto cleanup;
	up_checksum(m, text + up_off, up_len);
	if (conv->scan && gw_source__has_sql(text, down_off, len)) {
		if ((error = read_directives(NULL, &m->pub.down_no_transaction, text, down_off,
		                             gw_text_skip_space_comments(text, len, down_off),
		                             down_line, ld->ctx)) < 0)
			goto cleanup;
		gw_source__checksum(m->pub.down_sum, text + down_off, down_len);
		m->pub.has_down_sum = 1;
		m->down_in_up = 1;
	} else if (conv->scan) {
		m->down_state = mk->down.found ? GW_DOWN_EMPTY : GW_DOWN_NONE;
		m->pub.down_no_transaction = 0;
	}
	return gw_source__push_up(ld, m, file, fn);
cleanup:
	gw_source__mig_free(m);
	return error;
}

/* Names m of file, an entry of ld's listing, in the listing's blocks:
 * up_file is the entry's name, and version and stem copies there; name
 * is the end of the stem ("<version>_<name>"). Held once the folder is
 * loaded, the name was a second copy, and malloc's chunk of the four
 * strings some 40 bytes more than them. -1 when out of memory. */
static int name_in_listing(gw_loader *ld, gw_source_mig *m, const char *file, const file_name *fn)
{
	size_t vlen = fn->version_len, slen = fn->stem_len - fn->stem_start;
	char *p = gw_source__folder_alloc(ld->names, vlen + slen + 2);

	if (!p)
		return -1;
	m->packed = MIG_IN_NAMES;
	m->pub.version = p;
	memcpy(p, file + fn->version_start, vlen);
	p[vlen] = '\0';
	m->stem = p += vlen + 1;
	memcpy(p, file + fn->stem_start, slen);
	p[slen] = '\0';
	m->pub.name = m->stem + (fn->name_start - fn->stem_start);
	/* The listing's names are not changed once listed. */
	m->pub.up_file = (char *)(uintptr_t)file;
	if (m->down_in_up)
		m->pub.down_file = m->pub.up_file;
	ld->names_kept = 1;
	return 0;
}

/* Whether the name of file's migration is the end of its stem, as
 * name_in_listing keeps it. */
static int name_ends_stem(const file_name *fn)
{
	return fn->name_start >= fn->stem_start && fn->name_start <= fn->stem_len;
}

int gw_source__push_up(gw_loader *ld, gw_source_mig *m, const char *file, const file_name *fn)
{
	const gw_convention *conv = gw_convention_of(fn->conv);
	int named;

	m->pub.repeatable = fn->repeatable;
	m->specific = fn->dialect != NULL;
	if (conv->scan || conv->unwrap)
		m->conv = (unsigned char)(fn->conv + 1);
	if (ld->names && name_ends_stem(fn))
		named = name_in_listing(ld, m, file, fn);
	else
		named = gw_source__name_mig(m, file + fn->version_start, fn->version_len,
		                            file + fn->name_start, fn->stem_len - fn->name_start,
		                            file, file + fn->stem_start,
		                            fn->stem_len - fn->stem_start);
	if (named < 0 || gw_vec_push(&ld->ups, m) < 0) {
		gw_source__mig_free(m);
		return gw_error_oom(ld->ctx);
	}
	/* Flyway's V1_1 is version 1.1, so both spellings compare and
	 * collide as one. */
	if (fn->dotted)
		undot(m->pub.version);
	return 0;
}

int gw_source__down_text(unsigned char sum[GW_CHECKSUM_BYTES], unsigned char *no_tx,
                         const char *text, size_t len, gw_ctx *ctx)
{
	int error;

	if ((error = read_directives(NULL, no_tx, text, 0,
	                             gw_text_skip_space_comments(text, len, 0), 1, ctx)) < 0)
		return error;
	gw_source__checksum(sum, text, len);
	return 0;
}

/* Adds down d of file to ld's downs, waiting for their ups; frees it on
 * an error. */
static int push_down(gw_loader *ld, gw_down_rec *d, const char *file, const file_name *fn)
{
	d->file = file;
	d->stem_start = fn->stem_start;
	d->stem_len = fn->stem_len;
	d->specific = fn->dialect != NULL;
	if (gw_vec_push(&ld->downs, d) < 0) {
		free(d);
		return gw_error_oom(ld->ctx);
	}
	return 0;
}

static int add_down(gw_loader *ld, const char *file, const file_name *fn)
{
	const char *text = ld->text.ptr;
	size_t len = ld->text.size;
	gw_down_rec *d = calloc(1, sizeof(*d));
	int error;

	if (!d)
		return gw_error_oom(ld->ctx);
	d->no_tx = fn->autocommit;
	d->empty = !gw_source__has_sql(text, 0, len);
	d->untouched = is_template(text, len);
	d->blank = is_blank_text(text, len);
	if ((error = gw_source__down_text(d->sum, &d->no_tx, text, len, ld->ctx)) < 0) {
		free(d);
		return error;
	}
	return push_down(ld, d, file, fn);
}

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
	                             gw_text_skip_space_comments(text, len, 0), 1, ld->ctx)) < 0)
		goto cleanup;
	up_checksum(m, text, len);
	if (gw_source__name_mig(m, version, strlen(version), name, name_len, file, stem,
	                        strlen(stem)) < 0 ||
	    gw_vec_push(&ld->ups, m) < 0) {
		error = gw_error_oom(ld->ctx);
		goto cleanup;
	}
	*out = m;
	return 0;
cleanup:
	gw_source__mig_free(m);
	return error;
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

/* ld->path: the path of file, an entry of the folder, which errors name. */
static int entry_path(gw_loader *ld, const char *file)
{
	gw_str_clear(&ld->path);
	return gw_path_join(&ld->path, ld->dir, file) < 0 ? gw_error_oom(ld->ctx) : 0;
}

/* A file of another convention than the one forced is refused. */
static int check_forced(gw_loader *ld, file_name *fn, const char *file)
{
	const gw_convention *forced = gw_convention_of(ld->forced);
	int error;

	if (ld->forced == GW_FORMAT_AUTO)
		return 0;
	/* A generic golang-migrate file is as much multi-dialect. */
	if (forced->adopts && forced->adopts == fn->conv)
		fn->conv = ld->forced;
	if (ld->forced == fn->conv)
		return 0;
	if ((error = entry_path(ld, file)) < 0)
		return error;
	if (forced->unmarked && fn->shared)
		return gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0, "%s",
		                             forced->unmarked);
	return gw_source__file_error(
	        ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
	        "does not follow the %s convention (it looks like %s); expected e.g. %s",
	        gw_format_name(ld->forced), gw_format_name(fn->conv), forced->example);
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

/* An entry the checksum cache has as it is: what its text made it,
 * without reading it. 1 when the record cannot be read (the file is read
 * then). */
static int load_cached(gw_loader *ld, const gw_folder_entry *e)
{
	gw_source_mig *m;
	gw_down_rec *d;
	file_name fn;
	int error;

	if ((error = gw_source__sums_replay(ld->sums, e, &fn, ld->names, &m, &d)) < 0)
		return error == GW_ENOMEM ? gw_error_oom(ld->ctx) : 1;
	/* m is in the listing's blocks: the set keeps them. */
	if (m)
		ld->names_kept = 1;
	if ((error = check_forced(ld, &fn, e->name)) < 0) {
		gw_source__mig_free(m);
		free(d);
		return error;
	}
	gw_source__note_conv(ld, fn.conv, e->name);
	return d ? push_down(ld, d, e->name, &fn) : gw_source__push_up(ld, m, e->name, &fn);
}

/* Whether what a file's text makes of it may be kept in the checksum
 * cache: settled by its text alone, with no mark left on the loader. */
static int cacheable(const gw_loader *ld, const file_name *fn)
{
	return ld->sums && !ld->detected && !fn->dialect &&
	       (fn->conv == GW_FORMAT_PAIRS || !gw_convention_of(fn->conv)->settle);
}

int gw_source__load_entry(gw_loader *ld, const gw_folder_entry *e)
{
	const char *file = e->name;
	const gw_convention *conv;
	file_name fn, settled;
	markers mk;
	int error, keep;

	if (e->skip)
		return load_other(ld, e->name);
	/* A file the checksum cache holds as it is: its record says what
	 * its name made of it too, so the name is not classified again
	 * (nor its path made, which only errors name). Only the names of
	 * files that cacheable() keeps are recorded, and the cache is this
	 * build's, of this convention forced and dialect: the name would
	 * classify as it did. */
	if (gw_source__sums_hit(e->sum) && (error = load_cached(ld, e)) <= 0)
		return error;
	if ((error = entry_path(ld, file)) < 0)
		return error;
	if (classify_name(&fn, file) < 0)
		return gw_source__file_error(
		        ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
		        "cannot tell the migration's version from its name; expected "
		        "e.g. %s",
		        gw_convention_of(ld->forced)->example);
	if (ld->detected && ld->detected->claim)
		ld->detected->claim(ld, &fn, file);
	keep = cacheable(ld, &fn);
	if ((error = gw_source__read_entry(ld, e)) < 0)
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
	settled = fn;
	if ((error = check_forced(ld, &fn, file)) < 0)
		return error;
	gw_source__note_conv(ld, fn.conv, file);
	/* Another database's variant is not this run's migration. */
	if (fn.dialect && (!ld->dialect || strcmp(fn.dialect, ld->dialect)))
		return 0;
	if ((error = fn.is_down ? add_down(ld, file, &fn) : add_up(ld, file, &fn, &mk)) < 0)
		return error;
	/* Recorded as settled: the convention forced is checked again. */
	if (keep)
		gw_source__sums_record(ld->sums, e, &settled,
		                       fn.is_down ? NULL : ld->ups.items[ld->ups.len - 1],
		                       fn.is_down ? ld->downs.items[ld->downs.len - 1] : NULL);
	return 0;
}
