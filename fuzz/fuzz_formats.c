/*
 * fuzz_formats.c: fuzz target for the loader on whole folders of the other
 * tools' conventions (src/lib/source/: source.c, flyway.c, goose.c,
 * diesel.c, drizzle.c, order.c): Flyway names and
 * dotted versions, goose files, diesel and Prisma folders with their
 * metadata.toml, drizzle-kit's meta/_journal.json, multi-dialect suffixes
 * and the native repeatable/ folder.
 *
 * The input describes a folder, a little like Go's txtar: a first line
 * with options, then files, each a line "=== NAME" followed by its text
 * (up to the next "=== " line; the newline before it is the file's):
 *
 *   flyway postgres
 *   === V1_1__users.sql
 *   create table users (id int);
 *   === U1_1__users.sql
 *   drop table users;
 *
 * NAME is a relative path of at most three parts of [A-Za-z0-9._-] (no "."
 * or ".."); a NAME ending in '/' makes an empty folder; a bad NAME, or one
 * that cannot be created (a file where a folder goes), is skipped. The
 * first line's first word is a convention for gw_format_parse, its second
 * a dialect; both are optional. The folder is loaded
 *   with GW_FORMAT_AUTO and gw_source_load (generic files only);
 *   with GW_FORMAT_AUTO for the dialect, when there is one;
 *   with the convention forced for the dialect: the first line's, or else
 *   the one the first load detected.
 * Checked by source_checks.h; the folder is removed afterwards.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source_checks.h"

#define MAX_FILES 16
#define MAX_NAME  100
#define MAX_WORD  32

static gw_ctx *ctx;

/* What was created, in order, so it can be removed in reverse. */
static char created[MAX_FILES * 4][FUZZ_PATH_SIZE];
static size_t ncreated;

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == '@'; /* '@': sqitch's name@tag.sql */
}

/* Whether name[0, len) is a NAME as described above. */
static int valid_name(const char *name, size_t len)
{
	size_t start = 0, parts = 0;

	if (!len || len > MAX_NAME)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && name[i] != '/') {
			if (!name_char(name[i]))
				return 0;
			continue;
		}
		/* A part ends at i; only the last may be empty (a folder). */
		if (i == start && i < len)
			return 0;
		if ((i - start == 1 && name[start] == '.') ||
		    (i - start == 2 && name[start] == '.' && name[start + 1] == '.'))
			return 0;
		parts += i > start;
		start = i + 1;
	}
	return parts <= 3;
}

static void note_created(const char *path)
{
	if (ncreated == sizeof(created) / sizeof(created[0]))
		abort();
	strcpy(created[ncreated++], path);
}

/* Creates dir/name with data (or the folder, for "name/") and the folders
 * above it; gives up quietly where a file stands in the way. */
static void add_file(const char *dir, const char *name, const uint8_t *data, size_t size)
{
	char path[FUZZ_PATH_SIZE];
	size_t base = strlen(dir) + 1, len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	len = strlen(path);
	for (size_t i = base; i < len; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) == 0)
			note_created(path);
		else if (errno != EEXIST)
			return;
		path[i] = '/';
	}
	if (path[len - 1] == '/')
		return;
	if (!(f = fopen(path, "wb")))
		return;
	note_created(path);
	if ((size && fwrite(data, 1, size, f) != size) || fclose(f)) {
		perror(path);
		abort();
	}
}

static void remove_created(void)
{
	while (ncreated) {
		const char *path = created[--ncreated];

		/* A name given twice was noted twice. */
		if (remove(path) < 0 && errno != ENOENT) {
			perror(path);
			abort();
		}
	}
}

/* Copies the n-th blank-separated word of line[0, len) into out ("" when
 * there is none or it is too long). */
static void word(char out[MAX_WORD], const uint8_t *line, size_t len, int n)
{
	size_t i = 0, start;

	out[0] = '\0';
	for (;;) {
		while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			i++;
		if (i == start)
			return;
		if (n-- == 0)
			break;
	}
	if (i - start < MAX_WORD) {
		memcpy(out, line + start, i - start);
		out[i - start] = '\0';
	}
}

static int is_header(const uint8_t *data, size_t size, size_t pos)
{
	return size - pos >= 4 && !memcmp(data + pos, "=== ", 4);
}

/* Writes the files the input describes into dir; returns how many. */
static size_t write_files(const char *dir, const uint8_t *data, size_t size)
{
	size_t pos = 0, nfiles = 0;

	while (pos < size && !is_header(data, size, pos)) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);

		pos = nl ? (size_t)(nl - data) + 1 : size;
	}
	while (pos < size && nfiles < MAX_FILES) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t name_end = nl ? (size_t)(nl - data) : size, body, end;
		char name[MAX_NAME + 1];

		body = end = nl ? name_end + 1 : size;
		/* The text runs to the next line that starts with "=== ". */
		while (end < size && !is_header(data, size, end)) {
			nl = memchr(data + end, '\n', size - end);
			end = nl ? (size_t)(nl - data) + 1 : size;
		}
		pos += 4;
		while (name_end > pos && (data[name_end - 1] == '\r' || data[name_end - 1] == ' '))
			name_end--;
		if (valid_name((const char *)data + pos, name_end - pos)) {
			memcpy(name, data + pos, name_end - pos);
			name[name_end - pos] = '\0';
			add_file(dir, name, data + body, end - body);
			nfiles++;
		}
		pos = end;
	}
	return nfiles;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t first = nl ? (size_t)(nl - data) : size, nfiles;
	char dir[FUZZ_PATH_SIZE - 128], fmt[MAX_WORD], dialect[MAX_WORD];
	gw_format forced = GW_FORMAT_AUTO, detected;

	if (!ctx && gw_ctx_new(&ctx) < 0)
		abort();
	/* The first line holds options unless it is a file already. */
	if (is_header(data, size, 0))
		first = 0;
	word(fmt, data, first, 0);
	word(dialect, data, first, 1);
	if (fmt[0] && gw_format_parse(&forced, fmt) < 0)
		forced = GW_FORMAT_AUTO;

	fuzz_mkdtemp(dir);
	nfiles = write_files(dir, data, size);
	detected = fuzz_load(ctx, dir, GW_FORMAT_AUTO, NULL, nfiles);
	if (dialect[0])
		fuzz_load(ctx, dir, GW_FORMAT_AUTO, dialect, nfiles);
	if (forced == GW_FORMAT_AUTO)
		forced = detected;
	if (forced != GW_FORMAT_AUTO)
		fuzz_load(ctx, dir, forced, dialect[0] ? dialect : NULL, nfiles);
	remove_created();
	if (rmdir(dir) < 0) {
		perror(dir);
		abort();
	}
	return 0;
}
