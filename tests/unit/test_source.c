/*
 * test_source.c: migration folders → migration sets (src/lib/source*.c).
 *
 * Each test builds a folder under GW_TEST_TMP, loads it and checks what a
 * user would see: the detected convention, versions, names, files,
 * directives, checksums and apply order, or the exact error message of a
 * malformed folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "godwit/project.h"
#include "lib/source/source.h"
#include "lib/source/priv.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/str.h"

/* ---- helpers ----------------------------------------------------------- */

static char *make_temp_dir(void)
{
	const char *base = getenv("GW_TEST_TMP");
	gw_str path = GW_STR_INIT;

	if (!base || !*base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0755);
	assert_int_equal(gw_str_printf(&path, "%s/test_source.XXXXXX", base), 0);
	assert_non_null(mkdtemp(path.ptr));
	return gw_str_detach(&path);
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	gw_str path = GW_STR_INIT;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		gw_str_clear(&path);
		gw_path_join(&path, dir, e->d_name);
		if (gw_path_is_dir(path.ptr) == 1)
			remove_tree(path.ptr);
		else
			unlink(path.ptr);
	}
	closedir(d);
	rmdir(dir);
	gw_str_dispose(&path);
}

static void put_bytes(const char *dir, const char *name, const char *data, size_t len)
{
	gw_str path = GW_STR_INIT;
	FILE *f;

	assert_int_equal(gw_path_join(&path, dir, name), 0);
	f = fopen(path.ptr, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	gw_str_dispose(&path);
}

static void put(const char *dir, const char *name, const char *text)
{
	put_bytes(dir, name, text, strlen(text));
}

typedef struct fixture {
	char *dir;
	gw_ctx *ctx;
	gw_source *src;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = make_temp_dir();
	assert_int_equal(gw_ctx_new(&f->ctx), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	gw_source_free(f->src);
	gw_ctx_free(f->ctx);
	remove_tree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static gw_source *load(fixture *f, gw_format format)
{
	int error = gw_source_load(&f->src, f->dir, format, f->ctx);

	if (error < 0)
		fail_msg("gw_source_load: %s", gw_ctx_error(f->ctx)->message);
	assert_non_null(f->src);
	return f->src;
}

/* Loads, expects the code, and returns the message. */
static const char *load_fails(fixture *f, gw_format format, int code)
{
	const gw_error *err;
	int error = gw_source_load(&f->src, f->dir, format, f->ctx);

	assert_int_equal(error, code);
	assert_null(f->src);
	err = gw_ctx_error(f->ctx);
	assert_non_null(err);
	assert_int_equal(err->code, code);
	return err->message;
}

/* "<dir>/<rest>" for expected messages. */
static const char *in_dir(fixture *f, const char *fmt, ...) GW_FORMAT_PRINTF(2, 3);

static const char *in_dir(fixture *f, const char *fmt, ...)
{
	static gw_str s = GW_STR_INIT;
	va_list ap;

	gw_str_clear(&s);
	gw_str_puts(&s, f->dir);
	va_start(ap, fmt);
	gw_str_vprintf(&s, fmt, ap);
	va_end(ap);
	return s.ptr;
}

/* A checksum of m as text, the history's form; the down one "" when m has
 * none. Four at a time, for the assertions that compare two. */
static const char *sum_text(const gw_migration *m, int down)
{
	static char bufs[4][GW_CHECKSUM_HEX];
	static int next;
	char *out = bufs[next++ % 4];

	if (down && !m->has_down_sum)
		return "";
	gw_checksum_hex(out, down ? m->down_sum : m->sum);
	return out;
}

static void assert_checksum_of(const char *sum, const char *text)
{
	char want[GW_CHECKSUM_HEX];

	assert_int_equal(gw_checksum_text(want, text, strlen(text)), 0);
	assert_string_equal(sum, want);
}

/* The SQL gw_source_read_up/down return, as a C string in out. */
static int read_section(fixture *f, const gw_migration *m, int down, gw_str *out)
{
	gw_source_text t = GW_SOURCE_TEXT_INIT;
	int error = down ? gw_source_read_down(&t, f->src, m, f->ctx)
	                 : gw_source_read_up(&t, f->src, m, f->ctx);

	if (!error) {
		assert_true(t.offset + t.len <= t.file_text.size);
		gw_str_set(out, t.file_text.ptr + t.offset, t.len);
		assert_string_equal(t.file, down ? m->down_file : m->up_file);
	}
	gw_source_text_dispose(&t);
	return error;
}

static void assert_section(fixture *f, const gw_migration *m, int down, const char *want)
{
	gw_str got = GW_STR_INIT;

	if (read_section(f, m, down, &got) < 0)
		fail_msg("read: %s", gw_ctx_error(f->ctx)->message);
	assert_string_equal(got.ptr, want);
	gw_str_dispose(&got);
}

/* ---- conventions --------------------------------------------------------- */

static void test_native(void **state)
{
	fixture *f = *state;
	gw_source *src;
	const gw_migration *m;

	put(f->dir, "20240101000000_users.sql",
	    "-- migrate:up\nCREATE TABLE users (id int);\n\n-- migrate:down\nDROP TABLE users;\n");
	put(f->dir, "20240102000000_index.sql",
	    "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON users (id);\n"
	    "-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY i;\n");
	put(f->dir, "20240103000000_seed.sql",
	    "-- seeds the admin\n\n-- migrate:up\nINSERT INTO users VALUES (1);\n"
	    "-- migrate:down\n-- nothing to undo\n");
	put(f->dir, "20240104000000_forward.sql", "--migrate:up\nSELECT 1;\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->format, GW_FORMAT_NATIVE);
	assert_int_equal(src->count, 4);
	assert_string_equal(src->dir, f->dir);

	m = src->items[0];
	assert_string_equal(m->version, "20240101000000");
	assert_string_equal(m->name, "users");
	assert_string_equal(m->up_file, "20240101000000_users.sql");
	/* Kept in the listing's blocks: the name is the end of the stem. */
	assert_string_equal(((const gw_source_mig *)m)->stem, "20240101000000_users");
	assert_int_equal(((const gw_source_mig *)m)->packed, MIG_IN_NAMES);
	assert_ptr_equal(m->name, ((const gw_source_mig *)m)->stem + 15);
	assert_non_null(m->down_file);
	assert_string_equal(m->down_file, "20240101000000_users.sql");
	assert_int_equal(m->no_transaction, 0);
	assert_int_equal(m->down_no_transaction, 0);
	assert_int_equal(m->index, 0);
	assert_checksum_of(sum_text(m, 0), "CREATE TABLE users (id int);\n\n");
	assert_checksum_of(sum_text(m, 1), "DROP TABLE users;\n");
	assert_section(f, m, 0, "CREATE TABLE users (id int);\n\n");
	assert_section(f, m, 1, "DROP TABLE users;\n");

	m = src->items[1];
	assert_string_equal(m->name, "index");
	assert_int_equal(m->no_transaction, 1);
	assert_int_equal(m->down_no_transaction, 1);
	assert_section(f, m, 0, "CREATE INDEX CONCURRENTLY i ON users (id);\n");
	assert_section(f, m, 1, "DROP INDEX CONCURRENTLY i;\n");

	/* A down section with only comments is no down at all. */
	m = src->items[2];
	assert_null(m->down_file);
	assert_string_equal(sum_text(m, 1), "");
	assert_section(f, m, 0, "INSERT INTO users VALUES (1);\n");

	m = src->items[3];
	assert_null(m->down_file);
	assert_int_equal(m->index, 3);
	assert_section(f, m, 0, "SELECT 1;\n");
}

static void test_golang(void **state)
{
	fixture *f = *state;
	gw_source *src;
	const gw_migration *m;

	put(f->dir, "1_users.up.sql", "CREATE TABLE users (id int);\n");
	put(f->dir, "1_users.down.sql", "DROP TABLE users;\n");
	put(f->dir, "2_posts.up.sql", "CREATE TABLE posts (id int);\n");
	put(f->dir, "10_tags.up.sql", "CREATE TABLE tags (id int);\n");
	put(f->dir, "10_tags.down.sql", "-- godwit:no-transaction\nDROP TABLE tags;\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->format, GW_FORMAT_GOLANG);
	assert_int_equal(src->count, 3);

	m = src->items[0];
	assert_string_equal(m->version, "1");
	assert_string_equal(m->name, "users");
	assert_string_equal(m->up_file, "1_users.up.sql");
	assert_string_equal(m->down_file, "1_users.down.sql");
	/* The down file's name as listed, kept by the set. */
	assert_int_equal(((const gw_source_mig *)m)->down_listed, 1);
	assert_checksum_of(sum_text(m, 0), "CREATE TABLE users (id int);\n");
	assert_checksum_of(sum_text(m, 1), "DROP TABLE users;\n");
	assert_section(f, m, 1, "DROP TABLE users;\n");

	m = src->items[1];
	assert_string_equal(m->version, "2");
	assert_null(m->down_file);
	assert_string_equal(sum_text(m, 1), "");

	m = src->items[2];
	assert_string_equal(m->version, "10");
	assert_string_equal(m->name, "tags");
	assert_int_equal(m->no_transaction, 0);
	assert_int_equal(m->down_no_transaction, 1);
	assert_section(f, m, 0, "CREATE TABLE tags (id int);\n");
}

static void test_pairs(void **state)
{
	fixture *f = *state;
	gw_source *src;
	const gw_migration *m;

	put(f->dir, "0001_users.sql", "CREATE TABLE users (id int);\n");
	put(f->dir, "0001_users_rollback.sql", "DROP TABLE users;\n");
	put(f->dir, "0002_posts.sql", "CREATE TABLE posts (id int);\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->format, GW_FORMAT_PAIRS);
	assert_int_equal(src->count, 2);
	m = src->items[0];
	assert_string_equal(m->version, "0001");
	assert_string_equal(m->name, "users");
	assert_string_equal(m->up_file, "0001_users.sql");
	assert_string_equal(m->down_file, "0001_users_rollback.sql");
	assert_section(f, m, 0, "CREATE TABLE users (id int);\n");
	assert_section(f, m, 1, "DROP TABLE users;\n");
	m = src->items[1];
	assert_string_equal(m->version, "0002");
	assert_null(m->down_file);
}

static void test_dated(void **state)
{
	fixture *f = *state;
	gw_source *src;
	const gw_migration *m;

	put(f->dir, "2026-01-20_users.sql", "CREATE TABLE users (id int);\n");
	put(f->dir, "2026-01-20_users_rollback.sql", "DROP TABLE users;\n");
	put(f->dir, "2026-01-21_posts.sql",
	    "-- @depends-on: 2026-01-20_users.sql\nCREATE TABLE posts (id int);\n");
	put(f->dir, "2026-01-21_comments.sql", "CREATE TABLE comments (id int);\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->format, GW_FORMAT_DATED);
	assert_int_equal(src->count, 3);
	m = src->items[0];
	assert_string_equal(m->version, "2026-01-20_users");
	assert_string_equal(m->name, "users");
	assert_string_equal(m->down_file, "2026-01-20_users_rollback.sql");
	/* Several per day: by date, then by name. */
	assert_string_equal(src->items[1]->version, "2026-01-21_comments");
	m = src->items[2];
	assert_string_equal(m->version, "2026-01-21_posts");
	assert_string_equal(m->name, "posts");
	assert_int_equal(gw_migration_ndepends(m), 1);
	assert_string_equal(m->rare->depends[0], "2026-01-20_users.sql");
	assert_null(m->down_file);
}

static void test_empty_folder(void **state)
{
	fixture *f = *state;
	gw_source *src = load(f, GW_FORMAT_AUTO);

	assert_int_equal(src->format, GW_FORMAT_NATIVE);
	assert_int_equal(src->count, 0);
	assert_null(gw_source_find(src, "1"));
}

static void test_ignored_entries(void **state)
{
	fixture *f = *state;
	gw_source *src;
	gw_str sub = GW_STR_INIT;

	put(f->dir, "1_a.sql", "SELECT 1;\n");
	put(f->dir, "README.md", "# migrations\n");
	put(f->dir, ".hidden.sql", "not SQL at all \xff");
	put(f->dir, ".DS_Store", "x");
	gw_path_join(&sub, f->dir, "archive");
	assert_int_equal(mkdir(sub.ptr, 0755), 0);
	gw_str_dispose(&sub);
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->count, 1);
	assert_int_equal(src->nignored, 2);
	assert_string_equal(src->ignored[0], "README.md");
	assert_string_equal(src->ignored[1], "archive");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The listing is sorted as strcmp sorts (folder.c sorts by 8 bytes past
 * the prefix every name shares, then by strcmp where those are equal):
 * names that share more than 8 bytes past it, names that end inside
 * them, a name that starts another, bytes past 0x7f, in an order
 * readdir does not give. */
static void test_listing_order(void **state)
{
	static const char *const names[] = {
	        "2024010112345678_b.sql",
	        "2024010112345678_a.sql",
	        "2024010112345678.sql",
	        "2024010112345678_a.sql.txt",
	        "20240101_x.sql",
	        "2024010.sql",
	        "2024010",
	        "2024\xc3\xa9_e.sql",
	        "2024\x7f.sql",
	        "2024Z.sql",
	        "2024010112345679_a.sql",
	        "20240101123456780_a.sql",
	        "2024010112345677_zzzzzzzzzzzzzz.sql",
	        "2024",
	        "202401011234567_a.sql",
	        "2024010112345678_a.sqk",
	};
	enum { N = sizeof(names) / sizeof(names[0]) };
	fixture *f = *state;
	gw_folder l = GW_FOLDER_INIT;
	const char *want[N];
	size_t i;

	for (i = 0; i < N; i++) {
		put(f->dir, names[i], "SELECT 1;\n");
		want[i] = names[i];
	}
	qsort(want, N, sizeof(*want), cmp_str);
	assert_int_equal(gw_source__list_dir(&l, f->dir, f->ctx), 0);
	assert_int_equal(l.len, N);
	for (i = 0; i < N; i++)
		assert_string_equal(l.items[i].name, want[i]);
	gw_source__folder_dispose(&l);
	/* No prefix shared at all. */
	put(f->dir, "a.sql", "SELECT 1;\n");
	l = (gw_folder)GW_FOLDER_INIT;
	assert_int_equal(gw_source__list_dir(&l, f->dir, f->ctx), 0);
	assert_int_equal(l.len, N + 1);
	for (i = 0; i < N; i++)
		assert_string_equal(l.items[i].name, want[i]);
	assert_string_equal(l.items[N].name, "a.sql");
	gw_source__folder_dispose(&l);
}

static void test_forced_format(void **state)
{
	fixture *f = *state;
	gw_source *src;

	/* Files with the same names are pairs when forced so. */
	put(f->dir, "1_a.sql", "SELECT 1;\n");
	src = load(f, GW_FORMAT_PAIRS);
	assert_int_equal(src->format, GW_FORMAT_PAIRS);
	gw_source_free(src);
	f->src = NULL;

	assert_string_equal(load_fails(f, GW_FORMAT_GOLANG, GW_ESOURCE),
	                    in_dir(f, "/1_a.sql: does not follow the golang-migrate convention (it "
	                              "looks like pairs); expected e.g. 1_create_users.up.sql"));
	gw_ctx_clear_error(f->ctx);
	assert_string_equal(load_fails(f, GW_FORMAT_NATIVE, GW_ESOURCE),
	                    in_dir(f, "/1_a.sql: no -- migrate:up line; a native migration puts "
	                              "its up SQL below -- migrate:up and its down SQL below -- "
	                              "migrate:down"));
}

/* What the loader takes for granted of the registry (format.c): formats
 * run from 1 in its order (the loader's arrays are sized by its length),
 * every table names itself and says how to write a migration, and the
 * hooks that act on a detected folder belong to a convention that
 * detects one. */
static void test_registry(void **state)
{
	const gw_convention *const *conv;
	int n = 0;

	(void)state;
	for (conv = gw_conventions(); *conv; conv++) {
		n++;
		assert_int_equal((*conv)->format, n);
		assert_true(n < GW_SOURCE_NFORMATS);
		assert_non_null((*conv)->name);
		assert_non_null((*conv)->example);
		assert_non_null((*conv)->down_place);
		assert_non_null((*conv)->new_files);
		assert_ptr_equal(gw_convention_of((*conv)->format), *conv);
		if ((*conv)->load || (*conv)->claim)
			assert_non_null((*conv)->detect);
		if ((*conv)->adopts)
			assert_int_equal(gw_convention_of((*conv)->adopts)->format,
			                 (*conv)->adopts);
	}
	assert_int_equal(n, GW_FORMAT_SQITCH);
	/* Where no convention is named, godwit's own. */
	assert_ptr_equal(gw_convention_of(GW_FORMAT_AUTO), gw_conventions()[0]);
	assert_int_equal(gw_conventions()[0]->format, GW_FORMAT_NATIVE);
}

static void test_format_names(void **state)
{
	gw_format fmt = GW_FORMAT_AUTO;

	(void)state;
	assert_string_equal(gw_format_name(GW_FORMAT_NATIVE), "native");
	assert_string_equal(gw_format_name(GW_FORMAT_GOLANG), "golang-migrate");
	assert_string_equal(gw_format_name(GW_FORMAT_PAIRS), "pairs");
	assert_string_equal(gw_format_name(GW_FORMAT_DATED), "dated");
	assert_string_equal(gw_format_name(GW_FORMAT_AUTO), "auto");
	assert_null(gw_format_name((gw_format)42));
	assert_int_equal(gw_format_parse(&fmt, "dbmate"), 0);
	assert_int_equal(fmt, GW_FORMAT_NATIVE);
	assert_int_equal(gw_format_parse(&fmt, "migrate"), 0);
	assert_int_equal(fmt, GW_FORMAT_GOLANG);
	assert_int_equal(gw_format_parse(&fmt, "golang"), 0);
	assert_int_equal(fmt, GW_FORMAT_GOLANG);
	assert_int_equal(gw_format_parse(&fmt, "rollback-pairs"), 0);
	assert_int_equal(fmt, GW_FORMAT_PAIRS);
	assert_int_equal(gw_format_parse(&fmt, "dated"), 0);
	assert_int_equal(fmt, GW_FORMAT_DATED);
	assert_string_equal(gw_format_name(GW_FORMAT_FLYWAY), "flyway");
	assert_int_equal(gw_format_parse(&fmt, "Flyway"), 0);
	assert_int_equal(fmt, GW_FORMAT_FLYWAY);
	assert_string_equal(gw_format_name(GW_FORMAT_GOOSE), "goose");
	assert_int_equal(gw_format_parse(&fmt, "goose"), 0);
	assert_int_equal(fmt, GW_FORMAT_GOOSE);
	assert_string_equal(gw_format_name(GW_FORMAT_DIESEL), "diesel");
	assert_int_equal(gw_format_parse(&fmt, "diesel"), 0);
	assert_int_equal(fmt, GW_FORMAT_DIESEL);
	assert_string_equal(gw_format_name(GW_FORMAT_PRISMA), "prisma");
	assert_int_equal(gw_format_parse(&fmt, "prisma"), 0);
	assert_int_equal(fmt, GW_FORMAT_PRISMA);
	assert_string_equal(gw_format_name(GW_FORMAT_DRIZZLE), "drizzle");
	assert_int_equal(gw_format_parse(&fmt, "drizzle-kit"), 0);
	assert_int_equal(fmt, GW_FORMAT_DRIZZLE);
	assert_string_equal(gw_format_name(GW_FORMAT_MULTI), "multi-dialect");
	assert_int_equal(gw_format_parse(&fmt, "multi-dialect"), 0);
	assert_int_equal(fmt, GW_FORMAT_MULTI);
	assert_int_equal(gw_format_parse(&fmt, "auto"), 0);
	assert_int_equal(fmt, GW_FORMAT_AUTO);
	assert_int_equal(gw_format_parse(&fmt, "flyway-ish"), -1);
}

/* ---- directives and checksums ------------------------------------------- */

static void test_directives(void **state)
{
	fixture *f = *state;
	gw_source *src;
	const gw_migration *m;

	put(f->dir, "0001_a.sql", "SELECT 1;\n");
	put(f->dir, "0002_b.sql", "SELECT 2;\n");
	put(f->dir, "0003_c.sql", "SELECT 3;\n");
	put(f->dir, "0004_d.sql",
	    "-- godwit:no-transaction\n"
	    "-- @depends-on: 0001_a.sql, 0002_b\n"
	    "--@depends-on: 0003_c.sql\n"
	    "CREATE INDEX CONCURRENTLY i ON t (x);\n"
	    "-- @depends-on: 9999_not_a_directive.sql\n");
	put(f->dir, "0004_d_rollback.sql",
	    "  -- godwit:no-transaction\nDROP INDEX CONCURRENTLY i;\n");
	src = load(f, GW_FORMAT_AUTO);
	m = gw_source_find(src, "4");
	assert_non_null(m);
	assert_string_equal(m->version, "0004");
	assert_int_equal(m->no_transaction, 1);
	assert_int_equal(m->down_no_transaction, 1);
	assert_int_equal(gw_migration_ndepends(m), 3);
	assert_string_equal(m->rare->depends[0], "0001_a.sql");
	assert_string_equal(m->rare->depends[1], "0002_b");
	assert_string_equal(m->rare->depends[2], "0003_c.sql");
	m = gw_source_find(src, "0001");
	assert_non_null(m);
	assert_int_equal(m->no_transaction, 0);
	assert_int_equal(gw_migration_ndepends(m), 0);
	assert_null(m->rare);
	assert_null(gw_source_find(src, "5"));
}

static void test_native_directives(void **state)
{
	fixture *f = *state;
	gw_source *src;
	const gw_migration *m;

	put(f->dir, "1_a.sql", "-- migrate:up\nSELECT 1;\n");
	put(f->dir, "2_b.sql",
	    "-- @depends-on: 1_a.sql\n-- migrate:up\n-- godwit:no-transaction\nVACUUM;\n"
	    "-- migrate:down\n-- godwit:no-transaction\nSELECT 1;\n");
	src = load(f, GW_FORMAT_AUTO);
	m = src->items[1];
	assert_string_equal(m->version, "2");
	assert_int_equal(m->no_transaction, 1);
	assert_int_equal(m->down_no_transaction, 1);
	assert_int_equal(gw_migration_ndepends(m), 1);
	assert_string_equal(m->rare->depends[0], "1_a.sql");
	assert_section(f, m, 0, "-- godwit:no-transaction\nVACUUM;\n");
}

static void test_crlf_checksum(void **state)
{
	fixture *f = *state;
	gw_source *src;

	put(f->dir, "1_lf.sql",
	    "-- migrate:up\nCREATE TABLE a (id int);\nSELECT 1;\n-- migrate:down\nDROP TABLE a;\n");
	put(f->dir, "2_crlf.sql",
	    "-- migrate:up\r\nCREATE TABLE a (id int);\r\nSELECT 1;\r\n-- migrate:down\r\n"
	    "DROP TABLE a;\r\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->count, 2);
	assert_string_equal(sum_text(src->items[0], 0), sum_text(src->items[1], 0));
	assert_string_equal(sum_text(src->items[0], 1), sum_text(src->items[1], 1));
	assert_checksum_of(sum_text(src->items[0], 0), "CREATE TABLE a (id int);\nSELECT 1;\n");
	assert_section(f, src->items[1], 0, "CREATE TABLE a (id int);\r\nSELECT 1;\r\n");
	/* Any other change of bytes changes the checksum. */
	assert_string_not_equal(sum_text(src->items[0], 0), sum_text(src->items[0], 1));
}

static void test_same_bytes_same_checksum(void **state)
{
	fixture *f = *state;
	gw_source *src;

	put(f->dir, "1_a.sql", "SELECT 1;\n");
	put(f->dir, "2_b.sql", "SELECT 1;\n");
	put(f->dir, "3_c.sql", "SELECT 1; \n");
	src = load(f, GW_FORMAT_AUTO);
	assert_string_equal(sum_text(src->items[0], 0), sum_text(src->items[1], 0));
	assert_string_not_equal(sum_text(src->items[0], 0), sum_text(src->items[2], 0));
}

/* ---- malformed folders ---------------------------------------------------- */

static void test_mixed_conventions(void **state)
{
	fixture *f = *state;

	put(f->dir, "001_a.sql", "-- migrate:up\nSELECT 1;\n");
	put(f->dir, "1_b.up.sql", "SELECT 2;\n");
	put(f->dir, "2_c.up.sql", "SELECT 3;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, " mixes conventions: 001_a.sql (native), 1_b.up.sql "
	                              "(golang-migrate)"));
	assert_int_equal(gw_ctx_error(f->ctx)->hint_code, GW_HINT_ONE_CONVENTION);
	assert_string_equal(gw_ctx_error(f->ctx)->hint,
	                    "keep one convention per folder, or set source_format");
}

static void test_mixed_native_and_pairs(void **state)
{
	fixture *f = *state;

	put(f->dir, "001_a.sql", "-- migrate:up\nSELECT 1;\n");
	put(f->dir, "002_b.sql", "SELECT 2;\n");
	put(f->dir, "2026-01-01_c.sql", "SELECT 3;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, " mixes conventions: 001_a.sql (native), 002_b.sql (pairs), "
	                              "2026-01-01_c.sql (dated)"));
	assert_int_equal(gw_ctx_error(f->ctx)->hint_code, GW_HINT_ONE_CONVENTION);
}

static void test_unknown_file(void **state)
{
	fixture *f = *state;
	const gw_error *err;

	put(f->dir, "1_a.sql", "SELECT 1;\n");
	put(f->dir, "foo.sql", "SELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/foo.sql: cannot tell the migration's version from its "
	                              "name; expected e.g. 20240101120000_create_users.sql"));
	err = gw_ctx_error(f->ctx);
	assert_string_equal(err->file, in_dir(f, "/foo.sql"));
	assert_int_equal(err->line, 0);
}

static void test_missing_folder(void **state)
{
	fixture *f = *state;
	gw_str dir = GW_STR_INIT;
	gw_source *src = NULL;
	const gw_error *err;

	gw_path_join(&dir, f->dir, "nope");
	assert_int_equal(gw_source_load(&src, dir.ptr, GW_FORMAT_AUTO, f->ctx), GW_EIO);
	assert_null(src);
	err = gw_ctx_error(f->ctx);
	gw_str_clear(&dir);
	gw_str_printf(&dir, "migrations folder %s/nope does not exist", f->dir);
	assert_string_equal(err->message, dir.ptr);
	/* The action as a code the CLI words with its --dir; the library's
	 * own words name the setting, no flag. */
	assert_int_equal(err->hint_code, GW_HINT_DIR_MISSING);
	gw_str_clear(&dir);
	gw_str_printf(&dir, "create it (mkdir -p %s/nope) or set dir", f->dir);
	assert_string_equal(err->hint, dir.ptr);
	gw_str_dispose(&dir);
}

/* Empty migrations load (status shows them; up refuses them) but carry
 * the flag, so `godwit new` followed by `godwit status` works. */
static void test_empty_file(void **state)
{
	fixture *f = *state;
	gw_source *src;

	put(f->dir, "1_a.sql", "SELECT 1;\n");
	put(f->dir, "2_b.sql", "");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->count, 2);
	assert_false(src->items[0]->empty);
	assert_true(src->items[1]->empty);
}

/* golang-migrate (like Flyway, Prisma and drizzle-orm) applies a file with
 * no SQL: a migration that runs nothing. godwit's own conventions refuse
 * it. */
static void test_comment_only_file(void **state)
{
	fixture *f = *state;
	gw_source *src;

	put(f->dir, "1_a.up.sql", "-- TODO\n/* later */\n\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->count, 1);
	assert_false(src->items[0]->empty);
	gw_source_free(src);
	f->src = NULL;

	put(f->dir, "1_a.up.sql", "");
	put(f->dir, "1_a.down.sql", "-- irreversible\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_false(src->items[0]->empty);
	/* A golang-migrate down with only a comment still means no down. */
	assert_null(src->items[0]->down_file);
	gw_source_free(src);
	f->src = NULL;

	/* A blank one, as `migrate create` writes it, is a down that does
	 * nothing, as golang-migrate runs it. */
	put(f->dir, "1_a.down.sql", "\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_string_equal(src->items[0]->down_file, "1_a.down.sql");
	gw_source_free(src);
	f->src = NULL;

	/* golang-migrate users wrap a file in BEGIN; ... COMMIT; themselves:
	 * what is between runs in godwit's transaction. */
	put(f->dir, "1_a.up.sql", "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_section(f, src->items[0], 0, "\nCREATE TABLE a (id int);");
	gw_source_free(src);
	f->src = NULL;

	unlink(in_dir(f, "/1_a.up.sql"));
	unlink(in_dir(f, "/1_a.down.sql"));
	put(f->dir, "V1__a.sql", "-- nothing\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->format, GW_FORMAT_FLYWAY);
	assert_false(src->items[0]->empty);
	gw_source_free(src);
	f->src = NULL;

	unlink(in_dir(f, "/V1__a.sql"));
	put(f->dir, "1_a.sql", "-- nothing\n");
	src = load(f, GW_FORMAT_PAIRS);
	assert_true(src->items[0]->empty);
}

static void test_empty_native_up(void **state)
{
	fixture *f = *state;
	gw_source *src;

	put(f->dir, "1_a.sql", "-- migrate:up\n\n-- migrate:down\nDROP TABLE a;\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_true(src->items[0]->empty);
	assert_non_null(src->items[0]->down_file);
}

static void test_native_markers(void **state)
{
	fixture *f = *state;

	put(f->dir, "1_a.sql", "SELECT 1;\n-- migrate:down\nSELECT 2;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/1_a.sql:2: -- migrate:down without a -- migrate:up line; "
	                              "put -- migrate:up above the up SQL"));
	assert_int_equal(gw_ctx_error(f->ctx)->line, 2);
	gw_ctx_clear_error(f->ctx);

	put(f->dir, "1_a.sql", "-- note\nCREATE TABLE x (id int);\n-- migrate:up\nSELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/1_a.sql:2: SQL before the -- migrate:up line; move it "
	                              "below that line"));
	gw_ctx_clear_error(f->ctx);

	put(f->dir, "1_a.sql", "-- migrate:up transaction:flase\nSELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/1_a.sql:1: unknown option 'transaction:flase' on the -- "
	                              "migrate:up line; only transaction:false is understood"));
	gw_ctx_clear_error(f->ctx);

	put(f->dir, "1_a.sql",
	    "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n"
	    "-- migrate:up\nSELECT 3;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/1_a.sql:5: a second -- migrate:up line; a file holds one "
	                              "migration"));
}

/* What a misspelt marker is taken for: a word it starts with, or one word
 * of four letters or more it misses by one edit; prose is no marker. */
static void test_marker_spelling(void **state)
{
	static const char *const words[] = {"up", "down", "verify"};
	static const struct {
		const char *text;
		int want;
	} cases[] = {
	        {"down", 1},       {"Down", 1},    {"DOWNN", 1},  {"dwon", 1}, {"dow", 1},
	        {"dowm", 1},       {" down x", 1}, {"up", 0},     {"UP;", 0},  {"upgrade", 0},
	        {"verfy", 2},      {"verfiy", 2},  {"users", -1}, {"do", -1},  {"", -1},
	        {"the table", -1}, {"drown", 1},   {"own", 1},    {"p", -1},   {"verifyy", 2},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (gw_source__spelled(cases[i].text, 0, strlen(cases[i].text), words, 3) !=
		    cases[i].want)
			fail_msg("\"%s\": want %d", cases[i].text, cases[i].want);
	/* Blanks between the words of an annotation are left out. */
	{
		static const char *const goose[] = {"up", "notransaction"};
		const char *t = "NO  TRANSACTION";

		assert_int_equal(gw_source__spelled(t, 0, strlen(t), goose, 2), 1);
	}
}

static void test_invalid_utf8(void **state)
{
	fixture *f = *state;
	const gw_error *err;

	put(f->dir, "1_a.sql", "SELECT 1;\nSELECT 'caf\xe9';\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/1_a.sql:2:12: invalid UTF-8 byte 0xe9; save the file as "
	                              "UTF-8"));
	err = gw_ctx_error(f->ctx);
	assert_string_equal(err->file, in_dir(f, "/1_a.sql"));
	assert_int_equal(err->line, 2);
	assert_int_equal(err->column, 12);
}

static void test_duplicate_version(void **state)
{
	fixture *f = *state;

	put(f->dir, "0006_a.sql", "SELECT 1;\n");
	put(f->dir, "6_b.sql", "SELECT 2;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_EORDER),
	                    "duplicate version 6: 0006_a.sql and 6_b.sql; give each migration its "
	                    "own version");
}

static void test_duplicate_version_golang(void **state)
{
	fixture *f = *state;

	put(f->dir, "3_a.up.sql", "SELECT 1;\n");
	put(f->dir, "3_b.up.sql", "SELECT 2;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_EORDER),
	                    "duplicate version 3: 3_a.up.sql and 3_b.up.sql; give each migration "
	                    "its own version");
}

static void test_down_without_up(void **state)
{
	fixture *f = *state;

	put(f->dir, "1_a.up.sql", "SELECT 1;\n");
	put(f->dir, "2_b.down.sql", "SELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/2_b.down.sql: there is no 2_b.up.sql for this down "
	                              "migration; add it or delete this file"));
}

static void test_rollback_without_up(void **state)
{
	fixture *f = *state;

	put(f->dir, "0001_a.sql", "SELECT 1;\n");
	put(f->dir, "0002_b_rollback.sql", "SELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/0002_b_rollback.sql: there is no 0002_b.sql for this down "
	                              "migration; add it or delete this file"));
}

/* ---- dependencies and order ----------------------------------------------- */

static void test_missing_dependency(void **state)
{
	fixture *f = *state;
	const gw_error *err;

	put(f->dir, "2026-01-20_a.sql", "SELECT 1;\n");
	put(f->dir, "2026-01-20_b.sql", "-- adds b\n-- @depends-on: 2026-01-19_x.sql\nSELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_EORDER),
	                    in_dir(f, "/2026-01-20_b.sql:2: depends on 2026-01-19_x.sql, which "
	                              "does not exist"));
	err = gw_ctx_error(f->ctx);
	assert_string_equal(err->file, in_dir(f, "/2026-01-20_b.sql"));
	assert_int_equal(err->line, 2);
}

/* The room for a migration's @depends-on lines follows from their count
 * (4, then twice as many each time it is full): nine take it past 4 and
 * 8, and each keeps its name and its line. */
static void test_many_dependencies(void **state)
{
	fixture *f = *state;
	gw_str text = GW_STR_INIT;
	const gw_migration *m;
	char name[32];
	int i;

	for (i = 1; i <= 9; i++) {
		snprintf(name, sizeof(name), "2026-01-0%d_a%d.sql", i, i);
		put(f->dir, name, "SELECT 1;\n");
		gw_str_printf(&text, "-- @depends-on: %s\n", name);
	}
	gw_str_puts(&text, "SELECT 2;\n");
	put(f->dir, "2026-01-10_b.sql", text.ptr);
	m = gw_source_find(load(f, GW_FORMAT_AUTO), "2026-01-10_b");
	assert_non_null(m);
	assert_int_equal(gw_migration_ndepends(m), 9);
	for (i = 1; i <= 9; i++) {
		snprintf(name, sizeof(name), "2026-01-0%d_a%d.sql", i, i);
		assert_string_equal(m->rare->depends[i - 1], name);
	}
	/* The ninth names a file that is not there: its line is the ninth. */
	gw_source_free(f->src);
	f->src = NULL;
	gw_str_clear(&text);
	for (i = 1; i <= 8; i++)
		gw_str_printf(&text, "-- @depends-on: 2026-01-0%d_a%d.sql\n", i, i);
	gw_str_puts(&text, "-- @depends-on: 2026-01-09_x.sql\nSELECT 2;\n");
	put(f->dir, "2026-01-10_b.sql", text.ptr);
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_EORDER),
	                    in_dir(f, "/2026-01-10_b.sql:9: depends on 2026-01-09_x.sql, which "
	                              "does not exist"));
	assert_int_equal(gw_ctx_error(f->ctx)->line, 9);
	gw_str_dispose(&text);
}

static void test_dependency_cycle(void **state)
{
	fixture *f = *state;

	put(f->dir, "2026-01-01_a.sql", "-- @depends-on: 2026-01-03_c.sql\nSELECT 1;\n");
	put(f->dir, "2026-01-02_b.sql", "-- @depends-on: 2026-01-01_a\nSELECT 1;\n");
	put(f->dir, "2026-01-03_c.sql", "-- @depends-on: 2026-01-02_b.sql\nSELECT 1;\n");
	put(f->dir, "2026-01-04_free.sql", "SELECT 1;\n");
	put(f->dir, "2026-01-00_waits.sql", "-- @depends-on: 2026-01-02_b.sql\nSELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_EORDER),
	                    "dependency cycle: 2026-01-01_a.sql -> 2026-01-03_c.sql -> "
	                    "2026-01-02_b.sql -> 2026-01-01_a.sql");
	assert_string_equal(gw_ctx_error(f->ctx)->file, in_dir(f, "/2026-01-01_a.sql"));
	assert_int_equal(gw_ctx_error(f->ctx)->line, 1);
}

static void test_self_dependency(void **state)
{
	fixture *f = *state;

	put(f->dir, "1_a.sql", "-- @depends-on: 1_a.sql\nSELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_EORDER),
	                    "dependency cycle: 1_a.sql -> 1_a.sql");
}

static const char *order_of(const gw_source *src, gw_str *out)
{
	size_t i;

	gw_str_clear(out);
	for (i = 0; i < src->count; i++) {
		assert_int_equal(src->items[i]->index, i);
		gw_str_printf(out, "%s%s", i ? " " : "", src->items[i]->name);
	}
	return out->ptr;
}

static void test_stable_topological_order(void **state)
{
	fixture *f = *state;
	gw_str order = GW_STR_INIT;

	/* b needs d, so b waits for d while c and d keep their places; a
	 * needs f, so it goes after f, the latest version. */
	put(f->dir, "2026-01-01_a.sql", "-- @depends-on: 2026-01-06_f.sql\nSELECT 1;\n");
	put(f->dir, "2026-01-02_b.sql", "-- @depends-on: 2026-01-04_d.sql\nSELECT 1;\n");
	put(f->dir, "2026-01-03_c.sql", "SELECT 1;\n");
	put(f->dir, "2026-01-04_d.sql", "SELECT 1;\n");
	put(f->dir, "2026-01-05_e.sql", "SELECT 1;\n");
	put(f->dir, "2026-01-06_f.sql", "SELECT 1;\n");
	load(f, GW_FORMAT_AUTO);
	assert_string_equal(order_of(f->src, &order), "c d b e f a");
	gw_str_dispose(&order);
}

static void test_version_order_without_dependencies(void **state)
{
	fixture *f = *state;
	gw_str order = GW_STR_INIT;

	put(f->dir, "10_ten.sql", "SELECT 1;\n");
	put(f->dir, "9_nine.sql", "SELECT 1;\n");
	put(f->dir, "100_hundred.sql", "SELECT 1;\n");
	put(f->dir, "011_eleven.sql", "SELECT 1;\n");
	load(f, GW_FORMAT_AUTO);
	assert_string_equal(order_of(f->src, &order), "nine ten eleven hundred");
	gw_str_dispose(&order);
}

/* ---- reading SQL again ------------------------------------------------------ */

static void test_read_detects_edit(void **state)
{
	fixture *f = *state;
	gw_source *src;
	gw_str got = GW_STR_INIT;

	put(f->dir, "1_a.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n");
	src = load(f, GW_FORMAT_AUTO);
	/* An edit of the down section leaves the up section readable. */
	put(f->dir, "1_a.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 3;\n");
	assert_int_equal(read_section(f, src->items[0], 0, &got), 0);
	assert_string_equal(got.ptr, "SELECT 1;\n");
	assert_int_equal(read_section(f, src->items[0], 1, &got), GW_ECHECKSUM);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    in_dir(f, "/1_a.sql changed while godwit was running; run the command "
	                              "again"));
	gw_ctx_clear_error(f->ctx);
	put(f->dir, "1_a.sql", "-- migrate:up\nSELECT 10;\n-- migrate:down\nSELECT 2;\n");
	assert_int_equal(read_section(f, src->items[0], 0, &got), GW_ECHECKSUM);
	gw_ctx_clear_error(f->ctx);
	/* Gone markers mean the file changed too. */
	put(f->dir, "1_a.sql", "SELECT 1;\n");
	assert_int_equal(read_section(f, src->items[0], 0, &got), GW_ECHECKSUM);
	gw_str_dispose(&got);
}

static void test_read_down_missing(void **state)
{
	fixture *f = *state;
	gw_source *src;
	gw_str got = GW_STR_INIT;

	put(f->dir, "1_a.sql", "-- migrate:up\nSELECT 1;\n");
	put(f->dir, "2_b.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(read_section(f, src->items[0], 1, &got), GW_ENODOWN);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "1_a has no down migration; write a -- migrate:down section in "
	                    "1_a.sql to make it revertible");
	gw_ctx_clear_error(f->ctx);
	assert_int_equal(read_section(f, src->items[1], 1, &got), GW_ENODOWN);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "2_b has no down migration; write SQL in the -- migrate:down section "
	                    "of 2_b.sql to make it revertible");
	gw_str_dispose(&got);
}

static void test_read_down_missing_file(void **state)
{
	fixture *f = *state;
	gw_source *src;
	gw_str got = GW_STR_INIT;

	put(f->dir, "1_a.up.sql", "SELECT 1;\n");
	put(f->dir, "2_b.up.sql", "SELECT 1;\n");
	put(f->dir, "2_b.down.sql", "-- irreversible\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_null(src->items[1]->down_file);
	assert_int_equal(read_section(f, src->items[0], 1, &got), GW_ENODOWN);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "1_a has no down migration; write 1_a.down.sql to make it revertible");
	gw_ctx_clear_error(f->ctx);
	assert_int_equal(read_section(f, src->items[1], 1, &got), GW_ENODOWN);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "2_b has no down migration; write SQL in 2_b.down.sql to make it "
	                    "revertible");
	gw_str_dispose(&got);
}

static void test_read_up_deleted_file(void **state)
{
	fixture *f = *state;
	gw_source *src;
	gw_str got = GW_STR_INIT, path = GW_STR_INIT;

	put(f->dir, "1_a.sql", "SELECT 1;\n");
	src = load(f, GW_FORMAT_AUTO);
	gw_path_join(&path, f->dir, "1_a.sql");
	unlink(path.ptr);
	assert_int_equal(read_section(f, src->items[0], 0, &got), GW_EIO);
	assert_non_null(strstr(gw_ctx_error(f->ctx)->message, path.ptr));
	gw_str_dispose(&got);
	gw_str_dispose(&path);
}

/* ---- scale ------------------------------------------------------------------ */

static void test_many_files(void **state)
{
	fixture *f = *state;
	gw_source *src;
	gw_str name = GW_STR_INIT, body = GW_STR_INIT;
	size_t i, n = 2000;

	for (i = 0; i < n; i++) {
		gw_str_clear(&name);
		gw_str_clear(&body);
		gw_str_printf(&name, "%zu_m%zu.sql", i + 1, i + 1);
		/* Every tenth migration waits for the one 500 versions later. */
		if (i % 10 == 0 && i + 500 < n)
			gw_str_printf(&body, "-- @depends-on: %zu_m%zu.sql\n", i + 501, i + 501);
		gw_str_printf(&body,
		              "-- migrate:up\nCREATE TABLE t%zu (id int);\n"
		              "-- migrate:down\nDROP TABLE t%zu;\n",
		              i, i);
		put(f->dir, name.ptr, body.ptr);
	}
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->count, n);
	for (i = 0; i < n; i++) {
		const gw_migration *m = src->items[i];

		assert_int_equal(m->index, i);
		assert_non_null(m->down_file);
		/* Without dependencies, version order. */
		if (i && !gw_migration_ndepends(m) && !gw_migration_ndepends(src->items[i - 1]))
			assert_true(atoi(src->items[i - 1]->version) < atoi(m->version));
	}
	/* 1 waits for 501: it comes right after it. */
	assert_true(gw_source_find(src, "1")->index == gw_source_find(src, "501")->index + 1);
	assert_true(gw_source_find(src, "2")->index < gw_source_find(src, "3")->index);
	assert_string_equal(src->items[0]->version, "2");
	gw_str_dispose(&name);
	gw_str_dispose(&body);
}

/* ---- Flyway and repeatables ---------------------------------------------- */

static void notice_count(const gw_notice *n, void *payload)
{
	gw_str *log = payload;

	gw_str_printf(log, "%s\n", n->message);
}

static void test_flyway(void **state)
{
	fixture *f = *state;
	gw_source *src;
	const gw_migration *m;
	gw_str log = GW_STR_INIT;
	static const char *const order[] = {"1",    "1.1",     "1.2.3",   "1.9",
	                                    "1.10", "R__a_fn", "R__views"};
	size_t i;

	put(f->dir, "V1__base.sql", "CREATE TABLE base (id int);\n");
	put(f->dir, "V1_1__users.sql", "CREATE TABLE users (id int);\n");
	put(f->dir, "U1_1__users.sql", "-- godwit:no-transaction\nDROP TABLE users;\n");
	put(f->dir, "V1.10__ten.sql", "SELECT 10;\n");
	put(f->dir, "V1.9__nine.sql", "SELECT 9;\n");
	put(f->dir, "V1.2.3__three.sql", "SELECT 3;\n");
	put(f->dir, "R__views.sql", "CREATE VIEW v AS SELECT 1;\n");
	put(f->dir, "R__a_fn.sql", "-- godwit:no-transaction\nSELECT 1;\n");
	put(f->dir, "README.md", "# migrations\n");
	gw_ctx_set_notice_cb(f->ctx, notice_count, &log);
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->format, GW_FORMAT_FLYWAY);
	assert_int_equal(src->count, 7);
	for (i = 0; i < 7; i++) {
		assert_string_equal(src->items[i]->version, order[i]);
		assert_int_equal(src->items[i]->repeatable, i >= 5);
	}
	m = src->items[1];
	assert_string_equal(m->name, "users");
	assert_string_equal(m->up_file, "V1_1__users.sql");
	assert_string_equal(m->down_file, "U1_1__users.sql");
	assert_int_equal(m->no_transaction, 0);
	assert_int_equal(m->down_no_transaction, 1);
	assert_section(f, m, 0, "CREATE TABLE users (id int);\n");
	assert_section(f, m, 1, "-- godwit:no-transaction\nDROP TABLE users;\n");
	assert_ptr_equal(gw_source_find(src, "1.1"), m);
	assert_ptr_equal(gw_source_find(src, "1.10"), src->items[4]);

	m = src->items[5];
	assert_string_equal(m->name, "a_fn");
	assert_string_equal(m->up_file, "R__a_fn.sql");
	assert_null(m->down_file);
	assert_int_equal(m->no_transaction, 1);
	assert_section(f, m, 0, "-- godwit:no-transaction\nSELECT 1;\n");
	assert_ptr_equal(gw_source_find(src, "R__views"), src->items[6]);

	/* Other tools' folders say what godwit leaves out. */
	assert_int_equal(src->nignored, 1);
	assert_string_equal(log.ptr, in_dir(f, "/README.md is not a migration (not a .sql "
	                                       "file); ignored\n"));
	gw_str_dispose(&log);
}

static void test_flyway_errors(void **state)
{
	fixture *f = *state;
	gw_str path = GW_STR_INIT;

	put(f->dir, "V1.1__a.sql", "SELECT 1;\n");
	put(f->dir, "V1_1__b.sql", "SELECT 2;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_EORDER),
	                    "duplicate version 1.1: V1.1__a.sql and V1_1__b.sql; give each "
	                    "migration its own version");
	gw_ctx_clear_error(f->ctx);
	gw_path_join(&path, f->dir, "V1_1__b.sql");
	unlink(path.ptr);

	put(f->dir, "U2__c.sql", "SELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/U2__c.sql: there is no V2__c.sql for this down "
	                              "migration; add it or delete this file"));
	gw_ctx_clear_error(f->ctx);
	gw_str_clear(&path);
	gw_path_join(&path, f->dir, "U2__c.sql");
	unlink(path.ptr);

	/* No description, or a version that is not numbers. */
	put(f->dir, "V3__.sql", "SELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/V3__.sql: cannot tell the migration's version from its "
	                              "name; expected e.g. 20240101120000_create_users.sql"));
	gw_ctx_clear_error(f->ctx);
	gw_str_clear(&path);
	gw_path_join(&path, f->dir, "V3__.sql");
	unlink(path.ptr);
	put(f->dir, "V1a__x.sql", "SELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_FLYWAY, GW_ESOURCE),
	                    in_dir(f, "/V1a__x.sql: cannot tell the migration's version from "
	                              "its name; expected e.g. V1__create_users.sql"));
	gw_ctx_clear_error(f->ctx);
	gw_str_clear(&path);
	gw_path_join(&path, f->dir, "V1a__x.sql");
	unlink(path.ptr);

	/* Mixed with another convention. */
	put(f->dir, "2_b.up.sql", "SELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, " mixes conventions: 2_b.up.sql (golang-migrate), "
	                              "V1.1__a.sql (flyway)"));
	gw_ctx_clear_error(f->ctx);
	assert_string_equal(load_fails(f, GW_FORMAT_FLYWAY, GW_ESOURCE),
	                    in_dir(f, "/2_b.up.sql: does not follow the flyway convention (it "
	                              "looks like golang-migrate); expected e.g. "
	                              "V1__create_users.sql"));
	gw_str_dispose(&path);
}

static void test_flyway_no_down(void **state)
{
	fixture *f = *state;
	gw_source_text t = GW_SOURCE_TEXT_INIT;
	gw_source *src;

	put(f->dir, "V1__a.sql", "SELECT 1;\n");
	put(f->dir, "R__v.sql", "SELECT 2;\n");
	src = load(f, GW_FORMAT_FLYWAY);
	assert_int_equal(gw_source_read_down(&t, src, src->items[0], f->ctx), GW_ENODOWN);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "V1__a has no down migration; write U1__a.sql to make it revertible");
	gw_ctx_clear_error(f->ctx);
	assert_int_equal(gw_source_read_down(&t, src, src->items[1], f->ctx), GW_ENODOWN);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "R__v.sql is repeatable and has no down migration; to undo it, "
	                    "delete it and write a migration that reverts it");
	gw_source_text_dispose(&t);
}

static void test_repeatable_folder(void **state)
{
	fixture *f = *state;
	gw_source *src;
	const gw_migration *m;
	gw_str sub = GW_STR_INIT;

	put(f->dir, "20240101000000_users.sql", "-- migrate:up\nCREATE TABLE users (id int);\n");
	put(f->dir, "20240102000000_posts.sql",
	    "-- @depends-on: 20240101000000_users.sql\n-- migrate:up\nSELECT 1;\n");
	gw_path_join(&sub, f->dir, "repeatable");
	assert_int_equal(mkdir(sub.ptr, 0755), 0);
	put(sub.ptr, "views.sql",
	    "-- @depends-on: 20240102000000_posts.sql\nCREATE VIEW v AS "
	    "SELECT 1;\n");
	put(sub.ptr, "a_functions.sql", "SELECT 2;\n");
	put(sub.ptr, "notes.txt", "not SQL");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->format, GW_FORMAT_NATIVE);
	assert_int_equal(src->count, 4);
	assert_int_equal(src->nignored, 0);
	assert_string_equal(src->items[1]->version, "20240102000000");
	m = src->items[2];
	assert_string_equal(m->version, "R__a_functions");
	assert_string_equal(m->name, "a_functions");
	assert_string_equal(m->up_file, "repeatable/a_functions.sql");
	assert_int_equal(m->repeatable, 1);
	assert_null(m->down_file);
	assert_section(f, m, 0, "SELECT 2;\n");
	m = src->items[3];
	assert_string_equal(m->version, "R__views");
	assert_int_equal(gw_migration_ndepends(m), 1);
	assert_int_equal(m->index, 3);
	gw_source_free(src);
	f->src = NULL;

	/* Nothing may depend on a repeatable: it runs after every versioned one. */
	put(f->dir, "20240103000000_late.sql",
	    "-- @depends-on: repeatable/views.sql\n"
	    "-- migrate:up\nSELECT 3;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_EORDER),
	                    in_dir(f, "/20240103000000_late.sql:1: depends on "
	                              "repeatable/views.sql, a repeatable migration; repeatables "
	                              "run after every versioned migration, in name order"));
	gw_str_dispose(&sub);
}

/* ---- goose ----------------------------------------------------------------- */

static void test_goose(void **state)
{
	fixture *f = *state;
	gw_source *src;
	const gw_migration *m;

	put(f->dir, "20240101000000_users.sql",
	    "-- a comment\n-- +goose Up\nCREATE TABLE users (id int);\n\n-- +goose Down\n"
	    "DROP TABLE users;\n");
	put(f->dir, "20240102000000_fn.sql",
	    "-- +goose up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$ "
	    "BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;\n-- +goose StatementEnd\n");
	put(f->dir, "20240103000000_idx.sql",
	    "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON users (id);\n"
	    "-- +goose Down\nDROP INDEX CONCURRENTLY i;\n");
	put(f->dir, "20240104000000_x_rollback.sql", "-- +goose Up\nSELECT 1;\n-- +goose Down\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->format, GW_FORMAT_GOOSE);
	assert_int_equal(src->count, 4);
	m = src->items[0];
	assert_string_equal(m->version, "20240101000000");
	assert_string_equal(m->name, "users");
	assert_string_equal(m->down_file, "20240101000000_users.sql");
	assert_int_equal(m->no_transaction, 0);
	assert_section(f, m, 0, "CREATE TABLE users (id int);\n\n");
	assert_section(f, m, 1, "DROP TABLE users;\n");
	m = src->items[1];
	assert_null(m->down_file);
	assert_section(f, m, 0,
	               "-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$ BEGIN "
	               "RETURN 1; END; $$ LANGUAGE plpgsql;\n-- +goose StatementEnd\n");
	m = src->items[2];
	assert_int_equal(m->no_transaction, 1);
	assert_int_equal(m->down_no_transaction, 1);
	assert_section(f, m, 1, "DROP INDEX CONCURRENTLY i;\n");
	/* A goose file is one migration, whatever its name ends with. */
	m = src->items[3];
	assert_string_equal(m->name, "x_rollback");
	assert_null(m->down_file);
}

static void test_goose_errors(void **state)
{
	fixture *f = *state;
	gw_str path = GW_STR_INIT;

	gw_path_join(&path, f->dir, "1_a.sql");
	put(f->dir, "1_a.sql", "SELECT 1;\n-- +goose Up\nSELECT 2;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/1_a.sql:1: SQL before the -- +goose Up line; move it "
	                              "below that line"));
	gw_ctx_clear_error(f->ctx);
	put(f->dir, "1_a.sql", "-- +goose Down\nSELECT 2;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/1_a.sql:1: -- +goose Down without a -- +goose Up line; "
	                              "put -- +goose Up above the up SQL"));
	gw_ctx_clear_error(f->ctx);
	put(f->dir, "1_a.sql", "-- +goose Up\nSELECT 1;\n-- +goose ENVSUB ON\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/1_a.sql:3: a goose annotation godwit does not support; "
	                              "it understands Up, Down, StatementBegin, StatementEnd and "
	                              "NO TRANSACTION"));
	gw_ctx_clear_error(f->ctx);
	put(f->dir, "1_a.sql", "-- +goose Up\nSELECT 1;\n-- +goose Up\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/1_a.sql:3: a second -- +goose Up line; a file holds one "
	                              "migration"));
	gw_ctx_clear_error(f->ctx);

	/* Against native and pairs. */
	put(f->dir, "1_a.sql", "-- +goose Up\nSELECT 1;\n");
	put(f->dir, "2_b.sql", "-- migrate:up\nSELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, " mixes conventions: 1_a.sql (goose), 2_b.sql (native)"));
	gw_ctx_clear_error(f->ctx);
	put(f->dir, "2_b.sql", "SELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_GOOSE, GW_ESOURCE),
	                    in_dir(f, "/2_b.sql: no -- +goose Up line; a goose migration puts "
	                              "its up SQL below -- +goose Up and its down SQL below -- "
	                              "+goose Down"));
	gw_str_dispose(&path);
}

/* ---- diesel ---------------------------------------------------------------- */

/* Writes <dir>/<sub>/<name>. */
static void put_in(fixture *f, const char *sub, const char *name, const char *text)
{
	gw_str d = GW_STR_INIT;

	gw_path_join(&d, f->dir, sub);
	mkdir(d.ptr, 0755);
	put(d.ptr, name, text);
	gw_str_dispose(&d);
}

static void test_diesel(void **state)
{
	fixture *f = *state;
	gw_source *src;
	const gw_migration *m;

	put_in(f, "00000000000000_diesel_initial_setup", "up.sql", "SELECT 0;\n");
	put_in(f, "00000000000000_diesel_initial_setup", "down.sql", "SELECT 1;\n");
	put_in(f, "2023-07-05-000058_create_users", "up.sql", "CREATE TABLE users (id int);\n");
	put_in(f, "2023-07-05-000058_create_users", "down.sql", "DROP TABLE users;\n");
	put_in(f, "2023-07-06-101010-0000_idx", "up.sql",
	       "CREATE INDEX CONCURRENTLY i ON u (id);\n");
	put_in(f, "2023-07-06-101010-0000_idx", "down.sql",
	       "-- This file should undo anything in `up.sql`\n");
	put_in(f, "2023-07-06-101010-0000_idx", "metadata.toml",
	       "# settings\nrun_in_transaction = false\n");
	put_in(f, "notes", "up.sql", "SELECT 1;\n");
	put(f->dir, "diesel.toml", "[print_schema]\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->format, GW_FORMAT_DIESEL);
	assert_int_equal(src->count, 3);
	m = src->items[0];
	assert_string_equal(m->version, "00000000000000");
	assert_string_equal(m->name, "diesel_initial_setup");
	m = src->items[1];
	assert_string_equal(m->version, "20230705000058");
	assert_string_equal(m->name, "create_users");
	assert_string_equal(m->up_file, "2023-07-05-000058_create_users/up.sql");
	assert_string_equal(m->down_file, "2023-07-05-000058_create_users/down.sql");
	assert_int_equal(m->no_transaction, 0);
	assert_section(f, m, 0, "CREATE TABLE users (id int);\n");
	assert_section(f, m, 1, "DROP TABLE users;\n");
	m = src->items[2];
	assert_string_equal(m->version, "202307061010100000");
	assert_int_equal(m->no_transaction, 1);
	assert_null(m->down_file);
	assert_ptr_equal(gw_source_find(src, "20230705000058"), src->items[1]);
	assert_int_equal(src->nignored, 2);
	assert_string_equal(src->ignored[0], "diesel.toml");
	assert_string_equal(src->ignored[1], "notes");
}

static void test_diesel_errors(void **state)
{
	fixture *f = *state;
	gw_source_text t = GW_SOURCE_TEXT_INIT;
	gw_source *src;

	put_in(f, "2023-07-05-000058_a", "up.sql", "SELECT 1;\n");
	src = load(f, GW_FORMAT_DIESEL);
	assert_int_equal(gw_source_read_down(&t, src, src->items[0], f->ctx), GW_ENODOWN);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "2023-07-05-000058_a has no down migration; write "
	                    "2023-07-05-000058_a/down.sql to make it revertible");
	gw_ctx_clear_error(f->ctx);
	gw_source_free(src);
	f->src = NULL;

	put_in(f, "2023-07-06-000000_b", "down.sql", "SELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/2023-07-06-000000_b/up.sql: missing; a diesel migration "
	                              "folder holds up.sql (and down.sql)"));
	gw_ctx_clear_error(f->ctx);
	put_in(f, "2023-07-06-000000_b", "up.sql", "SELECT 1;\n");
	put(f->dir, "1_x.up.sql", "SELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, " mixes conventions: 1_x.up.sql (golang-migrate), "
	                              "2023-07-05-000058_a (diesel)"));
	gw_ctx_clear_error(f->ctx);
	/* Forcing another convention leaves the folders alone, as before. */
	src = load(f, GW_FORMAT_GOLANG);
	assert_int_equal(src->count, 1);
	gw_source_text_dispose(&t);
}

static void test_prisma(void **state)
{
	fixture *f = *state;
	gw_source_text t = GW_SOURCE_TEXT_INIT;
	gw_source *src;
	const gw_migration *m;

	put_in(f, "20240101120000_init", "migration.sql",
	       "-- CreateTable\nCREATE TABLE u (id int);\n");
	put_in(f, "20240102120000_posts", "migration.sql", "CREATE TABLE p (id int);\n");
	put_in(f, "20240102120000_posts", "down.sql", "-- DropTable\nDROP TABLE p;\n");
	put(f->dir, "migration_lock.toml", "provider = \"postgresql\"\n");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->format, GW_FORMAT_PRISMA);
	assert_int_equal(src->count, 2);
	m = src->items[0];
	assert_string_equal(m->version, "20240101120000");
	assert_string_equal(m->name, "init");
	assert_string_equal(m->up_file, "20240101120000_init/migration.sql");
	assert_null(m->down_file);
	assert_section(f, m, 0, "-- CreateTable\nCREATE TABLE u (id int);\n");
	/* migration_lock.toml is Prisma's own: not even a notice. */
	assert_int_equal(src->nignored, 0);
	assert_int_equal(gw_source_read_down(&t, src, m, f->ctx), GW_ENODOWN);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "20240101120000_init has no down migration; write "
	                    "20240101120000_init/down.sql to make it revertible");
	gw_ctx_clear_error(f->ctx);
	/* down.sql beside migration.sql is the down. */
	m = src->items[1];
	assert_string_equal(m->down_file, "20240102120000_posts/down.sql");
	assert_section(f, m, 1, "-- DropTable\nDROP TABLE p;\n");
	gw_source_free(src);
	f->src = NULL;

	assert_string_equal(load_fails(f, GW_FORMAT_DIESEL, GW_ESOURCE),
	                    in_dir(f, "/20240101120000_init/migration.sql: does not follow the "
	                              "diesel convention (it looks like prisma); expected e.g. "
	                              "2023-07-05-000058_create_users/up.sql"));
	gw_ctx_clear_error(f->ctx);
	put_in(f, "20240103120000_empty", "notes.txt", "x");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/20240103120000_empty/up.sql: missing; a diesel migration "
	                              "folder holds up.sql (and down.sql), a Prisma one "
	                              "migration.sql"));
	gw_source_text_dispose(&t);
}

/* ---- drizzle-kit ------------------------------------------------------------- */

static const char journal[] =
        "{\n  \"version\": \"7\",\n  \"dialect\": \"postgresql\",\n  \"entries\": [\n"
        "    {\n      \"idx\": 0,\n      \"version\": \"7\",\n      \"when\": 1700000000000,\n"
        "      \"tag\": \"0000_init\",\n      \"breakpoints\": true\n    },\n"
        "    {\n      \"idx\": 1,\n      \"when\": 1700000000001,\n      \"tag\" : "
        "\"0001_posts\",\n      \"breakpoints\": true\n    }\n  ]\n}\n";

static void test_drizzle(void **state)
{
	fixture *f = *state;
	gw_source *src;
	const gw_migration *m;

	put(f->dir, "0000_init.sql",
	    "CREATE TABLE u (id int);\n--> statement-breakpoint\nCREATE TABLE v (id int);\n");
	put(f->dir, "0001_posts.sql", "CREATE TABLE p (id int);\n");
	put_in(f, "meta", "_journal.json", journal);
	put_in(f, "meta", "0000_snapshot.json", "{}");
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->format, GW_FORMAT_DRIZZLE);
	assert_int_equal(src->count, 2);
	assert_int_equal(src->nignored, 0);
	m = src->items[0];
	assert_string_equal(m->version, "0000");
	assert_string_equal(m->name, "init");
	assert_null(m->down_file);
	assert_section(f, m, 0,
	               "CREATE TABLE u (id int);\n--> statement-breakpoint\nCREATE TABLE v (id "
	               "int);\n");
	assert_string_equal(src->items[1]->version, "0001");
	gw_source_free(src);
	f->src = NULL;

	/* Without the journal the same files are rollback pairs. */
	src = load(f, GW_FORMAT_PAIRS);
	assert_int_equal(src->format, GW_FORMAT_PAIRS);
}

/* Hand-written downs beside drizzle-kit's files: <tag>.down.sql or
 * <tag>_rollback.sql. A journal tag ending in _rollback stays an up. */
static void test_drizzle_downs(void **state)
{
	static const char journal3[] =
	        "{\"entries\": [{\"tag\": \"0000_init\"}, {\"tag\": \"0001_posts\"},\n"
	        "{\"tag\": \"0002_undo_rollback\"}]}";
	fixture *f = *state;
	gw_source *src;
	gw_source_text t = GW_SOURCE_TEXT_INIT;

	put(f->dir, "0000_init.sql", "CREATE TABLE u (id int);\n");
	put(f->dir, "0000_init.down.sql", "DROP TABLE u;\n");
	put(f->dir, "0001_posts.sql", "CREATE TABLE p (id int);\n");
	put(f->dir, "0001_posts_rollback.sql", "DROP TABLE p;\n");
	put(f->dir, "0002_undo_rollback.sql", "CREATE TABLE r (id int);\n");
	put_in(f, "meta", "_journal.json", journal3);
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->format, GW_FORMAT_DRIZZLE);
	assert_int_equal(src->count, 3);
	assert_string_equal(src->items[0]->down_file, "0000_init.down.sql");
	assert_section(f, src->items[0], 1, "DROP TABLE u;\n");
	assert_string_equal(src->items[1]->down_file, "0001_posts_rollback.sql");
	assert_string_equal(src->items[2]->name, "undo_rollback");
	assert_null(src->items[2]->down_file);
	assert_int_equal(gw_source_read_down(&t, src, src->items[2], f->ctx), GW_ENODOWN);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "0002_undo_rollback has no down migration; write "
	                    "0002_undo_rollback.down.sql to make it revertible");
	gw_ctx_clear_error(f->ctx);
	gw_source_free(src);
	f->src = NULL;

	put(f->dir, "0003_gone.down.sql", "SELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/0003_gone.down.sql: there is no 0003_gone.sql for this "
	                              "down migration; add it or delete this file"));
}

static void test_drizzle_errors(void **state)
{
	fixture *f = *state;

	put(f->dir, "0000_init.sql", "SELECT 1;\n");
	put_in(f, "meta", "_journal.json", journal);
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/meta/_journal.json: lists 0001_posts, but there is no "
	                              "0001_posts.sql; restore it or remove its entry"));
	gw_ctx_clear_error(f->ctx);
	put(f->dir, "0001_posts.sql", "SELECT 1;\n");
	put(f->dir, "0002_extra.sql", "SELECT 1;\n");
	assert_string_equal(load_fails(f, GW_FORMAT_DRIZZLE, GW_ESOURCE),
	                    in_dir(f, "/0002_extra.sql: is not in meta/_journal.json; drizzle-kit "
	                              "would not run it: add an entry or delete the file"));
	gw_ctx_clear_error(f->ctx);
	put_in(f, "meta", "_journal.json",
	       "{\"entries\": [{\"tag\": \"0001_posts\"}, {\"tag\": \"0000_init\"}]}");
	put(f->dir, "0002_extra.sql", "");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/meta/_journal.json: lists 0000_init after 0001_posts; "
	                              "number the files in journal order"));
	gw_ctx_clear_error(f->ctx);
	put_in(f, "meta", "_journal.json",
	       "{\"entries\": [{\"tag\": \"0000_init\"}, {\"tag\": 7}]}");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/meta/_journal.json: entry 2 of \"entries\" has a \"tag\" "
	                              "that is not a file name; godwit reads each entry's tag as "
	                              "the file name"));
	gw_ctx_clear_error(f->ctx);
	/* The journal is read as JSON: what is not JSON is refused where it breaks. */
	put_in(f, "meta", "_journal.json", "{\"entries\": [{\"tag\": \"0000_init\",}]}");
	assert_string_equal(load_fails(f, GW_FORMAT_AUTO, GW_ESOURCE),
	                    in_dir(f, "/meta/_journal.json:1:34: not valid JSON: string or '}' "
	                              "expected near '}'"));
}

/* ---- multi-dialect ------------------------------------------------------------ */

static gw_source *load_dialect(fixture *f, const char *dialect)
{
	if (gw_source_load_dialect(&f->src, f->dir, GW_FORMAT_AUTO, dialect, f->ctx) < 0)
		fail_msg("gw_source_load_dialect: %s", gw_ctx_error(f->ctx)->message);
	return f->src;
}

static void test_multi_dialect(void **state)
{
	fixture *f = *state;
	gw_source *src;
	const gw_migration *m;

	put(f->dir, "1_users.up.sql", "CREATE TABLE users (id int);\n");
	put(f->dir, "1_users.down.sql", "DROP TABLE users;\n");
	put(f->dir, "1_users.postgres.up.sql", "CREATE TABLE users (id serial);\n");
	put(f->dir, "2_pg_only.postgres.up.sql", "CREATE EXTENSION x;\n");
	put(f->dir, "2_pg_only.postgres.down.sql", "DROP EXTENSION x;\n");
	put(f->dir, "3_idx.autocommit.up.sql", "CREATE INDEX i ON users (id);\n");
	put(f->dir, "3_idx.postgres.autocommit.up.sql",
	    "CREATE INDEX CONCURRENTLY i ON users (id);\n");
	put(f->dir, "3_idx.sqlite3.down.sql", "DROP INDEX i;\n");
	put(f->dir, "4_mysql.mysql.up.sql", "SELECT 1;\n");

	src = load_dialect(f, "postgres");
	assert_int_equal(src->format, GW_FORMAT_MULTI);
	assert_int_equal(src->count, 3);
	m = src->items[0];
	assert_string_equal(m->version, "1");
	assert_string_equal(m->name, "users");
	assert_string_equal(m->up_file, "1_users.postgres.up.sql");
	/* The generic down serves the dialect's up. */
	assert_string_equal(m->down_file, "1_users.down.sql");
	m = src->items[1];
	assert_string_equal(m->name, "pg_only");
	assert_string_equal(m->down_file, "2_pg_only.postgres.down.sql");
	m = src->items[2];
	assert_string_equal(m->name, "idx");
	assert_string_equal(m->up_file, "3_idx.postgres.autocommit.up.sql");
	assert_int_equal(m->no_transaction, 1);
	assert_null(m->down_file);
	gw_source_free(src);
	f->src = NULL;

	src = load_dialect(f, "sqlite3");
	assert_int_equal(src->count, 2);
	assert_string_equal(src->items[0]->up_file, "1_users.up.sql");
	m = src->items[1];
	assert_string_equal(m->up_file, "3_idx.autocommit.up.sql");
	assert_int_equal(m->no_transaction, 1);
	assert_string_equal(m->down_file, "3_idx.sqlite3.down.sql");
	assert_section(f, m, 1, "DROP INDEX i;\n");
	gw_source_free(src);
	f->src = NULL;

	/* Without a dialect: the generic files only. */
	src = load(f, GW_FORMAT_AUTO);
	assert_int_equal(src->format, GW_FORMAT_MULTI);
	assert_int_equal(src->count, 2);
	gw_source_free(src);
	f->src = NULL;

	assert_string_equal(load_fails(f, GW_FORMAT_GOLANG, GW_ESOURCE),
	                    in_dir(f,
	                           "/1_users.postgres.up.sql: does not follow the golang-migrate "
	                           "convention (it looks like multi-dialect); expected e.g. "
	                           "1_create_users.up.sql"));
}

/* popx's dialect synonyms, and its empty files: a migration with no SQL
 * (recorded, nothing run), an empty down a down that does nothing. */
static void test_multi_dialect_popx(void **state)
{
	fixture *f = *state;
	gw_source *src;
	const gw_migration *m;
	static const char *const pg[] = {"postgres", "postgresql", "pg", "pgx"};
	static const char *const lite[] = {"sqlite3", "sqlite"};
	gw_str name = GW_STR_INIT;
	size_t i;

	for (i = 0; i < 4; i++) {
		gw_str_clear(&name);
		gw_str_printf(&name, "%zu_v%zu.%s.up.sql", i + 1, i, pg[i]);
		put(f->dir, name.ptr, "SELECT 1;\n");
		gw_str_clear(&name);
		gw_str_printf(&name, "%zu_v%zu.%s.down.sql", i + 1, i, pg[i]);
		put(f->dir, name.ptr, "");
	}
	for (i = 0; i < 2; i++) {
		gw_str_clear(&name);
		gw_str_printf(&name, "%zu_l%zu.%s.up.sql", i + 5, i, lite[i]);
		put(f->dir, name.ptr, "-- nothing to do here\n\n");
	}
	put(f->dir, "7_m.mariadb.up.sql", "SELECT 1;\n");
	put(f->dir, "8_m.maria.autocommit.up.sql", "SELECT 1;\n");
	put(f->dir, "9_c.cockroachdb.up.sql", "SELECT 1;\n");
	put(f->dir, "10_c.crdb.up.sql", "SELECT 1;\n");
	gw_str_dispose(&name);

	src = load_dialect(f, "postgres");
	assert_int_equal(src->format, GW_FORMAT_MULTI);
	assert_int_equal(src->count, 4);
	for (i = 0; i < 4; i++) {
		m = src->items[i];
		assert_false(m->empty);
		/* An empty popx down is a down that does nothing. */
		assert_non_null(m->down_file);
		assert_section(f, m, 1, "");
	}
	assert_string_equal(src->items[3]->up_file, "4_v3.pgx.up.sql");
	gw_source_free(src);
	f->src = NULL;

	src = load_dialect(f, "sqlite3");
	assert_int_equal(src->count, 2);
	assert_string_equal(src->items[1]->up_file, "6_l1.sqlite.up.sql");
	/* Comments only: a migration with no SQL, applied as popx does. */
	assert_false(src->items[0]->empty);
	assert_false(src->items[1]->empty);
	gw_source_free(src);
	f->src = NULL;

	src = load_dialect(f, "mysql");
	assert_int_equal(src->count, 2);
	assert_int_equal(src->items[1]->no_transaction, 1);
	gw_source_free(src);
	f->src = NULL;

	src = load_dialect(f, "cockroach");
	assert_int_equal(src->count, 2);
	assert_string_equal(src->items[1]->name, "c");
}

/* ---- new migrations --------------------------------------------------------- */

static void test_new_files(void **state)
{
	gw_str un = GW_STR_INIT, ub = GW_STR_INIT, dn = GW_STR_INIT, db = GW_STR_INIT;

	(void)state;
	assert_int_equal(gw_source_new_files(&un, &ub, &dn, &db, GW_FORMAT_NATIVE, "20240101120000",
	                                     "create_users"),
	                 0);
	assert_string_equal(un.ptr, "20240101120000_create_users.sql");
	assert_string_equal(ub.ptr, "-- migrate:up\n\n\n-- migrate:down\n\n");
	assert_string_equal(dn.ptr, "");
	assert_string_equal(db.ptr, "");

	assert_int_equal(gw_source_new_files(&un, &ub, &dn, &db, GW_FORMAT_GOLANG, "3", "tags"), 0);
	assert_string_equal(un.ptr, "3_tags.up.sql");
	assert_string_equal(dn.ptr, "3_tags.down.sql");
	assert_true(ub.size > 0 && db.size > 0);

	assert_int_equal(gw_source_new_files(&un, &ub, &dn, &db, GW_FORMAT_PAIRS, "0007", "x"), 0);
	assert_string_equal(un.ptr, "0007_x.sql");
	assert_string_equal(dn.ptr, "0007_x_rollback.sql");

	assert_int_equal(
	        gw_source_new_files(&un, &ub, &dn, &db, GW_FORMAT_DATED, "2026-01-21", "posts"), 0);
	assert_string_equal(un.ptr, "2026-01-21_posts.sql");
	assert_string_equal(dn.ptr, "2026-01-21_posts_rollback.sql");

	assert_int_equal(gw_source_new_files(&un, &ub, &dn, &db, GW_FORMAT_FLYWAY, "1.2", "posts"),
	                 0);
	assert_string_equal(un.ptr, "V1.2__posts.sql");
	assert_string_equal(dn.ptr, "U1.2__posts.sql");

	assert_int_equal(
	        gw_source_new_files(&un, &ub, &dn, &db, GW_FORMAT_GOOSE, "20240101120000", "posts"),
	        0);
	assert_string_equal(un.ptr, "20240101120000_posts.sql");
	assert_string_equal(ub.ptr, "-- +goose Up\n\n\n-- +goose Down\n\n");
	assert_string_equal(dn.ptr, "");

	assert_int_equal(gw_source_new_files(&un, &ub, &dn, &db, GW_FORMAT_DIESEL, "20240101120000",
	                                     "posts"),
	                 0);
	assert_string_equal(un.ptr, "2024-01-01-120000_posts/up.sql");
	assert_string_equal(dn.ptr, "2024-01-01-120000_posts/down.sql");

	assert_int_equal(gw_source_new_files(&un, &ub, &dn, &db, GW_FORMAT_PRISMA, "20240101120000",
	                                     "posts"),
	                 0);
	assert_string_equal(un.ptr, "20240101120000_posts/migration.sql");
	assert_string_equal(dn.ptr, "20240101120000_posts/down.sql");
	assert_string_equal(ub.ptr, "-- Write the SQL of this migration here.\n");

	/* drizzle runs the whole file: no -- migrate: sections in it. */
	assert_int_equal(gw_source_new_files(&un, &ub, &dn, &db, GW_FORMAT_DRIZZLE, "0003", "tags"),
	                 0);
	assert_string_equal(un.ptr, "0003_tags.sql");
	assert_string_equal(ub.ptr, "-- Write the SQL of this migration here.\n");
	assert_string_equal(dn.ptr, "0003_tags.down.sql");
	assert_string_equal(db.ptr, "-- Write the SQL that reverts 0003_tags.sql here.\n");

	assert_int_equal(gw_source_new_files(&un, &ub, &dn, &db, GW_FORMAT_MULTI, "3", "tags"), 0);
	assert_string_equal(un.ptr, "3_tags.up.sql");
	assert_string_equal(dn.ptr, "3_tags.down.sql");

	assert_int_equal(gw_source_new_files(&un, &ub, &dn, &db, GW_FORMAT_NATIVE, "1", ""),
	                 GW_EINVALID);
	assert_int_equal(gw_source_new_files(&un, &ub, &dn, &db, GW_FORMAT_NATIVE, "1", "a/b"),
	                 GW_EINVALID);
	gw_str_dispose(&un);
	gw_str_dispose(&ub);
	gw_str_dispose(&dn);
	gw_str_dispose(&db);
}

/* adopt --from drizzle reads each journal entry's tag with its "when". */
static void test_drizzle_whens(void **state)
{
	static const char drizzle_journal[] =
	        "{\n  \"version\": \"7\",\n  \"dialect\": \"postgresql\",\n  \"entries\": [\n"
	        "    {\"idx\": 0, \"version\": \"7\", \"when\": 1700000000000,\n"
	        "     \"tag\": \"0000_init\", \"breakpoints\": true},\n"
	        "    {\"idx\": 1, \"tag\": \"0001_posts\", \"when\" : 1700000050000}\n  ]\n}\n";
	static const char no_when[] = "{\"entries\": [{\"idx\": 0, \"tag\": \"0000_a\"},\n"
	                              "{\"when\": 5}]}";
	gw_vec tags = GW_VEC_INIT, whens = GW_VEC_INIT;
	gw_drizzle_error err;

	(void)state;
	assert_int_equal(gw_source__drizzle_read(&tags, &whens, drizzle_journal,
	                                         strlen(drizzle_journal), &err),
	                 0);
	assert_int_equal(tags.len, 2);
	assert_int_equal(whens.len, 2);
	assert_string_equal(tags.items[0], "0000_init");
	assert_string_equal(whens.items[0], "1700000000000");
	assert_string_equal(tags.items[1], "0001_posts");
	assert_string_equal(whens.items[1], "1700000050000");
	gw_vec_dispose(&tags, free);
	gw_vec_dispose(&whens, free);

	/* The "when" of the next entry is not this entry's. */
	assert_int_equal(gw_source__drizzle_read(&tags, &whens, no_when, strlen(no_when), &err),
	                 -1);
	assert_string_equal(err.what, "entry 1 of \"entries\" (0000_a) has no numeric \"when\"; "
	                              "drizzle records each migration by it");
	gw_vec_dispose(&tags, free);
	gw_vec_dispose(&whens, free);
}

/* `godwit new` adds an entry to the parsed journal and writes it back as
 * drizzle-kit does (JSON.stringify(journal, null, 2)), keys in order. */
static void test_drizzle_append(void **state)
{
	static const char journal_in[] =
	        "{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":[{\"idx\":0,"
	        "\"version\":\"6\",\"when\":1700000000000,\"tag\":\"0000_init\","
	        "\"breakpoints\":true}]}\n";
	static const char journal_out[] = "{\n"
	                                  "  \"version\": \"7\",\n"
	                                  "  \"dialect\": \"postgresql\",\n"
	                                  "  \"entries\": [\n"
	                                  "    {\n"
	                                  "      \"idx\": 0,\n"
	                                  "      \"version\": \"6\",\n"
	                                  "      \"when\": 1700000000000,\n"
	                                  "      \"tag\": \"0000_init\",\n"
	                                  "      \"breakpoints\": true\n"
	                                  "    },\n"
	                                  "    {\n"
	                                  "      \"idx\": 1,\n"
	                                  "      \"version\": \"6\",\n"
	                                  "      \"when\": 1700000000001,\n"
	                                  "      \"tag\": \"0001_posts\",\n"
	                                  "      \"breakpoints\": true\n"
	                                  "    }\n"
	                                  "  ]\n"
	                                  "}\n";
	gw_str out = GW_STR_INIT;
	gw_drizzle_error err;

	(void)state;
	/* A clock behind the last entry still gives a later "when". */
	assert_int_equal(gw_source__drizzle_append(&out, journal_in, strlen(journal_in),
	                                           "0001_posts", 5, &err),
	                 0);
	assert_string_equal(out.ptr, journal_out);
	gw_str_clear(&out);
	assert_int_equal(gw_source__drizzle_append(&out, "{\"entries\": 3}", 14, "0000_a", 5, &err),
	                 -1);
	assert_string_equal(err.what, "has no \"entries\" array to add 0000_a to");
	assert_int_equal(gw_source__drizzle_append(&out, "{\"entries\": [", 13, "0000_a", 5, &err),
	                 -1);
	assert_int_equal(err.line, 1);
	assert_int_equal(strncmp(err.what, "not valid JSON: ", 16), 0);
	gw_str_dispose(&out);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

/* A struct made in a folder's name blocks is aligned as a pointer, and
 * so is one that fits the block's room unpadded but not padded: it goes
 * in a new block. Strings before it are left as they were. */
static void test_folder_alloc_struct(void **state)
{
	gw_folder l = {0};
	size_t len = sizeof(gw_source_mig), odd = 13;
	char *first;
	void *m;

	(void)state;
	assert_non_null(first = gw_source__folder_alloc(&l, 3));
	memcpy(first, "ab", 3);
	assert_non_null(m = gw_source__folder_alloc_struct(&l, len));
	assert_int_equal((uintptr_t)m % sizeof(char *), 0);
	assert_ptr_equal(m, first + sizeof(char *));
	/* Room for 13 bytes exactly, at an address 3 past a pointer's
	 * alignment: they fit there unpadded only. */
	assert_non_null(gw_source__folder_alloc(&l, l.block_size - l.block_used - odd));
	assert_int_equal(l.block_size - l.block_used, odd);
	assert_int_equal((uintptr_t)(l.block + l.block_used) % sizeof(char *), 3);
	assert_non_null(m = gw_source__folder_alloc_struct(&l, odd));
	assert_int_equal((uintptr_t)m % sizeof(char *), 0);
	assert_ptr_equal(m, l.block + sizeof(char *));
	memset(m, 0, odd);
	assert_string_equal(first, "ab");
	gw_source__folder_dispose(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_native),
	        T(test_golang),
	        T(test_pairs),
	        T(test_dated),
	        T(test_empty_folder),
	        T(test_ignored_entries),
	        T(test_listing_order),
	        T(test_forced_format),
	        cmocka_unit_test(test_format_names),
	        cmocka_unit_test(test_folder_alloc_struct),
	        cmocka_unit_test(test_registry),
	        T(test_directives),
	        T(test_native_directives),
	        T(test_crlf_checksum),
	        T(test_same_bytes_same_checksum),
	        T(test_mixed_conventions),
	        T(test_mixed_native_and_pairs),
	        T(test_unknown_file),
	        T(test_missing_folder),
	        T(test_empty_file),
	        T(test_comment_only_file),
	        T(test_empty_native_up),
	        T(test_native_markers),
	        cmocka_unit_test(test_marker_spelling),
	        T(test_invalid_utf8),
	        T(test_duplicate_version),
	        T(test_duplicate_version_golang),
	        T(test_down_without_up),
	        T(test_rollback_without_up),
	        T(test_missing_dependency),
	        T(test_many_dependencies),
	        T(test_dependency_cycle),
	        T(test_self_dependency),
	        T(test_stable_topological_order),
	        T(test_version_order_without_dependencies),
	        T(test_read_detects_edit),
	        T(test_read_down_missing),
	        T(test_read_down_missing_file),
	        T(test_read_up_deleted_file),
	        T(test_many_files),
	        T(test_flyway),
	        T(test_flyway_errors),
	        T(test_flyway_no_down),
	        T(test_repeatable_folder),
	        T(test_goose),
	        T(test_goose_errors),
	        T(test_diesel),
	        T(test_diesel_errors),
	        T(test_prisma),
	        T(test_drizzle),
	        T(test_drizzle_errors),
	        T(test_multi_dialect),
	        T(test_multi_dialect_popx),
	        T(test_drizzle_downs),
	        cmocka_unit_test(test_new_files),
	        cmocka_unit_test(test_drizzle_whens),
	        cmocka_unit_test(test_drizzle_append),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
