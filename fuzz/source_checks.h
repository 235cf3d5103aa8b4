/*
 * source_checks.h: what fuzz_source.c and fuzz_formats.c check about
 * gw_source_load and gw_source_read_up/down, taken from src/lib/source/source.h
 * and docs/formats.md:
 *  - an error carries its code, a non-empty message and non-NULL file,
 *    hint and sqlstate, and no set is returned with it;
 *  - a loaded set is in the forced convention (or a detected one), every
 *    migration is listed once in apply order and found by its version, its
 *    files are named as its convention names them, repeatables come last,
 *    and in a multi-dialect folder no file of another dialect is used;
 *  - each migration's up and down SQL reads back (the files did not
 *    change) within its file's text, or the read says there is no down.
 * Functions are static inline so each target takes what it uses.
 */
#ifndef GW_FUZZ_SOURCE_CHECKS_H
#define GW_FUZZ_SOURCE_CHECKS_H

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "godwit/errors.h"
#include "lib/source/source.h"
#include "lib/version.h"

#define FUZZ_PATH_SIZE 1024

/* A fresh folder under $TMPDIR (default /tmp). */
static inline void fuzz_mkdtemp(char dir[FUZZ_PATH_SIZE - 128])
{
	const char *tmp = getenv("TMPDIR");
	int n = snprintf(dir, FUZZ_PATH_SIZE - 128, "%s/godwit-fuzz-XXXXXX",
	                 tmp && *tmp ? tmp : "/tmp");

	if (n < 0 || n >= FUZZ_PATH_SIZE - 128 || !mkdtemp(dir)) {
		perror(dir);
		abort();
	}
}

static inline void fuzz_check_error(gw_ctx *ctx, int r)
{
	const gw_error *err = gw_ctx_error(ctx);

	FUZZ_CHECK(r < 0);
	FUZZ_CHECK(err != NULL && err->code == r);
	FUZZ_CHECK(err->message && err->message[0]);
	FUZZ_CHECK(err->file && err->hint && err->sqlstate);
	FUZZ_CHECK(err->line >= 0 && err->column >= 0);
}

static inline void fuzz_check_text(const gw_source_text *t, const char *file)
{
	FUZZ_CHECK(t->offset <= t->file_text.size && t->len <= t->file_text.size - t->offset);
	FUZZ_CHECK(t->file_text.ptr[t->file_text.size] == '\0');
	FUZZ_CHECK(t->file && !strcmp(t->file, file));
}

static inline int fuzz_ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/* The dialect a golang-migrate file name is for: "postgres" in
 * 1_a.postgres.autocommit.up.sql, NULL in 1_a.up.sql; *autocommit says
 * whether it has .autocommit. Both suffixes, in either order, sit between
 * a non-empty name and .up.sql or .down.sql (docs/formats.md). */
static inline const char *fuzz_name_dialect(const char *path, int *autocommit)
{
	static const char *const dialects[] = {"postgres", "sqlite3", "mysql", "cockroach"};
	const char *base = strrchr(path, '/'), *found = NULL, *u;
	size_t len, min, n;

	*autocommit = 0;
	base = base ? base + 1 : path;
	len = strlen(base);
	if (fuzz_ends_with(base, len, ".up.sql"))
		len -= 7;
	else if (fuzz_ends_with(base, len, ".down.sql"))
		len -= 9;
	else
		return NULL;
	if (!(u = memchr(base, '_', len)))
		return NULL;
	min = (size_t)(u - base) + 1;
	for (int round = 0; round < 2; round++) {
		if (!*autocommit && len > min + 11 && fuzz_ends_with(base, len, ".autocommit")) {
			*autocommit = 1;
			len -= 11;
			continue;
		}
		for (size_t i = 0; i < sizeof(dialects) / sizeof(dialects[0]) && !found; i++) {
			n = strlen(dialects[i]) + 1;
			if (len > min + n && base[len - n] == '.' &&
			    !memcmp(base + len - n + 1, dialects[i], n - 1)) {
				found = dialects[i];
				len -= n;
			}
		}
	}
	return found;
}

/* Whether s is digits, or with dots digit runs joined by single dots. */
static inline int fuzz_is_number(const char *s, int dots)
{
	int digit = 0; /* the byte before was a digit */

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digit = 1;
		else if (dots && *s == '.' && digit)
			digit = 0;
		else
			return 0;
	}
	return digit;
}

/* How the convention names a migration's files. */
static inline void fuzz_check_names(const gw_migration *m, gw_format format, const char *dialect)
{
	const char *up = m->up_file, *down = m->down_file, *d;
	size_t ulen = strlen(up), dlen = down ? strlen(down) : 0;
	int autocommit;

	if (m->repeatable) {
		FUZZ_CHECK(!strncmp(m->version, "R__", 3) && !down);
		return;
	}
	switch (format) {
	case GW_FORMAT_NATIVE:
	case GW_FORMAT_GOOSE:
		FUZZ_CHECK(!down || !strcmp(down, up));
		break;
	case GW_FORMAT_GOLANG:
	case GW_FORMAT_MULTI:
		FUZZ_CHECK(fuzz_ends_with(up, ulen, ".up.sql"));
		FUZZ_CHECK(!down || fuzz_ends_with(down, dlen, ".down.sql"));
		d = fuzz_name_dialect(up, &autocommit);
		FUZZ_CHECK(!d || (dialect && !strcmp(d, dialect)));
		FUZZ_CHECK(!autocommit || m->no_transaction);
		if (down) {
			d = fuzz_name_dialect(down, &autocommit);
			FUZZ_CHECK(!d || (dialect && !strcmp(d, dialect)));
			FUZZ_CHECK(!autocommit || m->down_no_transaction);
		}
		break;
	case GW_FORMAT_PAIRS:
	case GW_FORMAT_DATED:
		FUZZ_CHECK(!down || fuzz_ends_with(down, dlen, "_rollback.sql"));
		break;
	case GW_FORMAT_FLYWAY:
		FUZZ_CHECK(up[0] == 'V' && fuzz_is_number(m->version, 1));
		FUZZ_CHECK(!down || (down[0] == 'U' && !strcmp(down + 1, up + 1)));
		break;
	case GW_FORMAT_DIESEL:
		/* "<folder>/up.sql" and "<folder>/down.sql", the version the
		 * folder's without its dashes. */
		FUZZ_CHECK(fuzz_ends_with(up, ulen, "/up.sql") && fuzz_is_number(m->version, 0));
		FUZZ_CHECK(!down || (dlen == ulen + 2 && !strncmp(down, up, ulen - 6) &&
		                     !strcmp(down + ulen - 6, "down.sql")));
		break;
	case GW_FORMAT_PRISMA:
		FUZZ_CHECK(fuzz_ends_with(up, ulen, "/migration.sql") && !down);
		FUZZ_CHECK(strlen(m->version) == 14 && fuzz_is_number(m->version, 0));
		break;
	case GW_FORMAT_DRIZZLE:
		FUZZ_CHECK(!down && fuzz_is_number(m->version, 0));
		break;
	default:
		/* A convention this file does not know yet: the common checks
		 * only. */
		break;
	}
}

static inline void fuzz_check_set(gw_ctx *ctx, const gw_source *src, gw_format format,
                                  const char *dialect, size_t max_count)
{
	int repeatables = 0;

	FUZZ_CHECK(src->dir != NULL);
	FUZZ_CHECK(src->format != GW_FORMAT_AUTO);
	FUZZ_CHECK(format == GW_FORMAT_AUTO || src->format == format);
	FUZZ_CHECK(src->count <= max_count);
	for (size_t i = 0; i < src->count; i++) {
		const gw_migration *m = src->items[i];
		gw_source_text t = GW_SOURCE_TEXT_INIT;
		int r;

		FUZZ_CHECK(m && m->index == i);
		FUZZ_CHECK(m->version && m->version[0] && m->name && m->up_file);
		FUZZ_CHECK(m->down_file ? m->has_down_sum : !m->has_down_sum);
		FUZZ_CHECK(gw_migration_ndepends(m) == 0 || m->rare->depends != NULL);
		FUZZ_CHECK(gw_source_find(src, m->version) == m);
		/* Repeatables run after every versioned migration. */
		FUZZ_CHECK(m->repeatable || !repeatables);
		repeatables |= m->repeatable;
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "    %s %s %s\n", m->version, m->up_file,
			        m->down_file ? m->down_file : "-");
		fuzz_check_names(m, src->format, dialect);

		gw_ctx_clear_error(ctx);
		r = gw_source_read_up(&t, src, m, ctx);
		if (r < 0)
			fuzz_check_error(ctx, r);
		/* Known: an empty "<digits>_<name>.sql" file in a folder taken
		 * for native has no -- migrate:up line to find again, and
		 * read_up says it changed. Every caller skips empty
		 * migrations; the lead has the report. */
		if (m->empty && r == GW_ECHECKSUM && src->format == GW_FORMAT_NATIVE) {
			gw_source_text_dispose(&t);
			continue;
		}
		if (r < 0)
			fprintf(stderr, "read_up: %s\n", gw_ctx_error(ctx)->message);
		FUZZ_CHECK(r == 0);
		fuzz_check_text(&t, m->up_file);
		gw_source_text_dispose(&t);

		gw_ctx_clear_error(ctx);
		r = gw_source_read_down(&t, src, m, ctx);
		if (m->down_file) {
			if (r < 0) {
				fuzz_check_error(ctx, r);
				fprintf(stderr, "read_down: %s\n", gw_ctx_error(ctx)->message);
			}
			FUZZ_CHECK(r == 0);
			fuzz_check_text(&t, m->down_file);
		} else {
			FUZZ_CHECK(r == GW_ENODOWN);
			fuzz_check_error(ctx, r);
		}
		gw_source_text_dispose(&t);
	}
}

/* Loads dir for dialect (NULL: generic files only) and checks the outcome;
 * returns the convention of the set, GW_FORMAT_AUTO when it did not load.
 * A set has at most max_count migrations. */
static inline gw_format fuzz_load(gw_ctx *ctx, const char *dir, gw_format format,
                                  const char *dialect, size_t max_count)
{
	gw_source *src = (gw_source *)1;
	gw_format loaded = GW_FORMAT_AUTO;
	int r;

	gw_ctx_clear_error(ctx);
	r = dialect ? gw_source_load_dialect(&src, dir, format, dialect, ctx)
	            : gw_source_load(&src, dir, format, ctx);
	if (r < 0) {
		FUZZ_CHECK(src == NULL);
		fuzz_check_error(ctx, r);
	} else {
		FUZZ_CHECK(r == 0 && src != NULL);
		FUZZ_CHECK(gw_ctx_error(ctx) == NULL);
		fuzz_check_set(ctx, src, format, dialect, max_count);
		loaded = src->format;
	}
	/* FUZZ_VERBOSE=1 shows what each load did, to check a new seed. */
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "  load %s%s%s: %s%s\n", gw_format_name(format), dialect ? " " : "",
		        dialect ? dialect : "", r < 0 ? "" : gw_format_name(loaded),
		        r < 0 ? gw_ctx_error(ctx)->message : "");
	gw_source_free(src);
	gw_ctx_clear_error(ctx);
	return loaded;
}

#endif
