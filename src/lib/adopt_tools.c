/*
 * adopt_tools.c: the tools `godwit adopt` takes a history over from: how
 * each one's history table is read, and how each checksum it keeps (Flyway's
 * CRC-32, Prisma's and drizzle's SHA-256, sqitch's SHA-1) is checked
 * against a file.
 */
#include "adopt_tool.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "source/priv.h"
#include "../util/error.h"
#include "../util/hash.h"

/* Table definitions: see docs/formats.md ("Adopting ...") and
 * tests/cli/t61xx-*.sh for each tool's DDL and where it comes from. */
const tool_def gw_adopt__tools[] = {
        {"dbmate", "dbmate", NULL, "schema_migrations", "version", NULL, NULL, "'ok'", NULL,
         "version", COVER_NONE, MATCH_VERSION, SUM_NONE, TIME_STAMP, GW_FORMAT_AUTO, "version",
         NULL, 0, NULL},
        {"golang-migrate", "golang-migrate", NULL, "schema_migrations", "version", NULL, NULL,
         "CASE WHEN dirty THEN 'dirty' ELSE 'ok' END", NULL, "version", COVER_EARLIER,
         MATCH_VERSION, SUM_NONE, TIME_STAMP, GW_FORMAT_AUTO, "version", NULL, 0, "dirty"},
        /* goose writes a row per apply and per revert; version 0 is the
         * row it adds when it creates the table. */
        {"goose", "goose", NULL, "goose_db_version", "version_id", "tstamp", NULL,
         "CASE WHEN is_applied THEN 'ok' ELSE 'reverted' END", "version_id <> 0", "id", COVER_NONE,
         MATCH_VERSION, SUM_NONE, TIME_STAMP, GW_FORMAT_AUTO, "version", NULL, 0, NULL},
        {"flyway", "Flyway", NULL, "flyway_schema_history", "version", "installed_on", "checksum",
         "CASE WHEN NOT success THEN 'failed' WHEN type LIKE 'UNDO%' OR type = 'DELETE' THEN "
         "'reverted' WHEN type = 'BASELINE' THEN 'baseline' ELSE 'ok' END",
         "version IS NOT NULL AND type <> 'SCHEMA'", "installed_rank", COVER_NONE, MATCH_VERSION,
         SUM_FLYWAY, TIME_STAMP, GW_FORMAT_AUTO, "version", NULL, 0, NULL},
        {"diesel", "diesel", NULL, "__diesel_schema_migrations", "version", "run_on", NULL, "'ok'",
         NULL, "version", COVER_NONE, MATCH_DIGITS, SUM_NONE, TIME_STAMP, GW_FORMAT_AUTO, "version",
         NULL, 0, NULL},
        /* Prisma writes a row when a migration starts and sets finished_at
         * when it ends; `migrate resolve --rolled-back` sets rolled_back_at
         * on a failed one, which a later attempt adds a new row for. Rolled
         * back rows sort first so that any other row of the migration
         * overrides them: they are attempts, not reverts. */
        {"prisma", "Prisma", NULL, "_prisma_migrations", "migration_name", "finished_at",
         "checksum",
         "CASE WHEN rolled_back_at IS NOT NULL THEN 'reverted' WHEN finished_at IS NULL THEN "
         "'unfinished' ELSE 'ok' END",
         NULL, "rolled_back_at IS NULL, started_at, id", COVER_NONE, MATCH_FOLDER, SUM_PRISMA,
         TIME_SQLITE_MILLIS, GW_FORMAT_PRISMA, "name", NULL, 0, NULL},
        /* drizzle-orm's migrator inserts (hash, folderMillis) per migration
         * it runs, in the "drizzle" schema on PostgreSQL. */
        {"drizzle", "drizzle", "drizzle", "__drizzle_migrations", "created_at", "created_at",
         "hash", "'ok'", NULL, "created_at, id", COVER_LATEST, MATCH_WHEN, SUM_SHA256, TIME_MILLIS,
         GW_FORMAT_DRIZZLE, "\"when\" in meta/_journal.json", NULL, 0, NULL},
        /* sqitch's registry keeps one row per deployed change (a revert
         * deletes it) in sqitch.changes. Registries from before sqitch 0.9
         * got script_hash = change_id on upgrade, which is no file's hash. */
        {"sqitch", "sqitch", "sqitch", "changes", "change", "committed_at",
         "CASE WHEN script_hash = change_id THEN NULL ELSE script_hash END", "'ok'", NULL,
         "committed_at, change_id", COVER_NONE, MATCH_NAME, SUM_SHA1, TIME_STAMP, GW_FORMAT_SQITCH,
         "change name", "project", 1, NULL},
        /* The Supabase CLI (supabase db push / migration up): plain SQL
         * files in supabase/migrations, a row per version applied. */
        {"supabase", "Supabase CLI", "supabase_migrations", "schema_migrations", "version", NULL,
         NULL, "'ok'", NULL, "version", COVER_NONE, MATCH_VERSION, SUM_NONE, TIME_STAMP,
         GW_FORMAT_AUTO, "version", NULL, 0, NULL},
};

const size_t gw_adopt__ntools = sizeof(gw_adopt__tools) / sizeof(gw_adopt__tools[0]);

static const char *const tool_names[] = {"dbmate", "golang-migrate", "goose",  "flyway",   "diesel",
                                         "prisma", "drizzle",        "sqitch", "supabase", NULL};

const char *const *gw_adopt_tools(void)
{
	return tool_names;
}

/* Flyway's checksum (ChecksumCalculator): CRC-32 updated with every line
 * of the file without its line break, the first line without its UTF-8
 * byte order mark, as a signed 32-bit integer. Updating line by line is
 * the CRC of the text with every CR and LF left out. */
static int32_t flyway_crc32(const char *text, size_t len)
{
	uint32_t crc = 0;
	size_t i = 0, start;

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		i = 3;
	for (start = i; i < len; i++) {
		if (text[i] == '\r' || text[i] == '\n') {
			crc = gw_crc32_update(crc, text + start, i - start);
			start = i + 1;
		}
	}
	crc = gw_crc32_update(crc, text + start, len - start);
	/* Two's complement without an implementation-defined cast. */
	return crc > (uint32_t)INT32_MAX ? -(int32_t)(~crc) - 1 : (int32_t)crc;
}

static int same_text(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if ((*a | 0x20) != (*b | 0x20))
			return 0;
	return *a == *b;
}

/* Prisma's checksums from before prisma-engines#1887 wrote each byte
 * without its leading zero ("{:x}"); Prisma still accepts them when the
 * stored text is not 64 characters long (schema-connector checksum.rs). */
static int same_unpadded(const char *hex, const char *sum)
{
	char out[GW_CHECKSUM_HEX];
	size_t i, n = 0;

	for (i = 0; hex[i] && hex[i + 1]; i += 2) {
		if (hex[i] != '0')
			out[n++] = hex[i];
		out[n++] = hex[i + 1];
	}
	out[n] = '\0';
	return same_text(out, sum);
}

/* Prisma also accepts the script with every LF written as CRLF (a file
 * applied from a Windows checkout, read now with LF endings). */
static int crlf_sha256(char out[GW_CHECKSUM_HEX], const char *text, size_t len)
{
	gw_str s = GW_STR_INIT;
	size_t i, start = 0;
	int error;

	for (i = 0; i < len; i++)
		if (text[i] == '\n') {
			gw_str_put(&s, text + start, i - start);
			gw_str_puts(&s, "\r\n");
			start = i + 1;
		}
	gw_str_put(&s, text + start, len - start);
	error = gw_str_failed(&s) ? -1 : gw_sha256_hex(out, s.ptr, s.size);
	gw_str_dispose(&s);
	return error;
}

/* Whether the tool's SHA-256 is one of the file's: as it is, with CRLF
 * folded (newer drizzle-orm folds before hashing; Prisma accepts both) or, for
 * Prisma, with LF expanded. */
static int sha256_matches(const tool_def *t, const char *text, size_t len, const char *sum)
{
	char hex[3][GW_CHECKSUM_HEX];
	int n = t->sums == SUM_PRISMA ? 3 : 2, i;

	if (gw_sha256_hex(hex[0], text, len) < 0 || gw_checksum_text(hex[1], text, len) < 0 ||
	    (n == 3 && crlf_sha256(hex[2], text, len) < 0))
		return -1;
	for (i = 0; i < n; i++)
		if (same_text(hex[i], sum) ||
		    (t->sums == SUM_PRISMA && strlen(sum) != 64 && same_unpadded(hex[i], sum)))
			return 1;
	return 0;
}

static int sum_matches(const tool_def *t, const char *text, size_t len, const char *sum)
{
	char computed[GW_CHECKSUM_HEX], sha1[GW_SHA1_HEX];

	if (t->sums == SUM_SHA1)
		return gw_sha1_hex(sha1, text, len) < 0 ? -1 : same_text(sha1, sum);
	if (t->sums != SUM_FLYWAY)
		return sha256_matches(t, text, len, sum);
	snprintf(computed, sizeof(computed), "%ld", (long)flyway_crc32(text, len));
	return same_text(computed, sum);
}

/* sum_matches on the file as it is on disk, byte-order mark first: godwit's
 * reading leaves the mark out, but Prisma and sqitch hash the file's bytes
 * and drizzle-orm its text (Node keeps a leading U+FEFF), mark included. */
static int sum_matches_bom(const tool_def *t, const gw_str *text, const char *sum)
{
	gw_str raw = GW_STR_INIT;
	int same;

	gw_str_puts(&raw, "\xef\xbb\xbf");
	gw_str_put(&raw, text->ptr, text->size);
	same = gw_str_failed(&raw) ? -1 : sum_matches(t, raw.ptr, raw.size, sum);
	gw_str_dispose(&raw);
	return same;
}

int gw_adopt__check_sum(gw_adopt_checksum *out, gw_project *p, const tool_def *t,
                        const gw_migration *m, const char *sum)
{
	gw_source_text text = GW_SOURCE_TEXT_INIT;
	int error, same;

	*out = GW_ADOPT_SUM_NONE;
	if (t->sums == SUM_NONE || !sum)
		return 0;
	/* The whole file: every tool checksums the file, not a section. */
	if ((error = gw_source_read_up(&text, p->source, m, p->ctx)) < 0)
		return error;
	same = sum_matches(t, text.file_text.ptr, text.file_text.size, sum);
	if (same == 0 && text.bom)
		same = sum_matches_bom(t, &text.file_text, sum);
	gw_source_text_dispose(&text);
	if (same < 0)
		return gw_error_oom(p->ctx);
	*out = same ? GW_ADOPT_SUM_VERIFIED : GW_ADOPT_SUM_MISMATCH;
	return 0;
}
