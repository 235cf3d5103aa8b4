/*
 * fuzz_source.c: fuzz target for the migration file parser
 * (src/lib/source/: source.c, order.c, goose.c): conventions,
 * -- migrate:up/down markers and their options, goose annotations,
 * godwit:no-transaction and @depends-on directives, UTF-8 checks.
 *
 * The input is the text of one migration file. It is written into a fresh
 * temporary folder under three names in turn, each loaded on its own:
 *   20240101000000_a.sql            native when it has -- migrate:up, goose
 *                                   when it has -- +goose Up or Down, else
 *                                   a pairs up file (also loaded with the
 *                                   native and goose conventions forced);
 *   1_a.up.sql + 1_a.down.sql       golang-migrate, the text in both;
 *   2024-01-02_a.sql + ..._rollback.sql   dated, the text in both, next
 *                                   to a fixed 2024-01-01_base.sql that an
 *                                   @depends-on can name.
 * Checked (source_checks.h): an error carries its code and a non-empty
 * message; a loaded set is well formed, and reading each migration's up and
 * down SQL again succeeds (the files did not change) within the file's
 * text, or says there is no down. Everything is freed and the folder
 * removed. fuzz_formats.c does the same for whole folders of the other
 * conventions.
 */
#include <string.h>
#include <unistd.h>

#include "source_checks.h"

static gw_ctx *ctx;

static void join(char path[FUZZ_PATH_SIZE], const char *dir, const char *name)
{
	int n = snprintf(path, FUZZ_PATH_SIZE, "%s/%s", dir, name);

	if (n < 0 || n >= FUZZ_PATH_SIZE)
		abort();
}

static void write_file(const char *dir, const char *name, const uint8_t *data, size_t size)
{
	char path[FUZZ_PATH_SIZE];
	FILE *f;

	join(path, dir, name);
	if (!(f = fopen(path, "wb")) || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
		perror(path);
		abort();
	}
}

static void remove_file(const char *dir, const char *name)
{
	char path[FUZZ_PATH_SIZE];

	join(path, dir, name);
	unlink(path);
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
	char dir[FUZZ_PATH_SIZE - 128];

	if (!ctx && gw_ctx_new(&ctx) < 0)
		abort();
	fuzz_mkdtemp(dir);
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		write_file(dir, sets[i].up, data, size);
		if (sets[i].down)
			write_file(dir, sets[i].down, data, size);
		if (sets[i].base)
			write_file(dir, sets[i].base, (const uint8_t *)base_text,
			           sizeof(base_text) - 1);
		fuzz_load(ctx, dir, GW_FORMAT_AUTO, NULL, 2);
		if (i == 0) {
			fuzz_load(ctx, dir, GW_FORMAT_NATIVE, NULL, 2);
			fuzz_load(ctx, dir, GW_FORMAT_GOOSE, NULL, 2);
		}
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
