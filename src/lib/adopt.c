/*
 * adopt.c: `godwit adopt --from TOOL`: take over a database from the tool
 * that migrated it until now.
 *
 * The tool's history table is read as it is (never changed), each of its
 * rows is matched with a migration of the folder, and the migrations it
 * applied are recorded in godwit_migrations as applied, kind "adopted",
 * with the tool's applied time where it kept one. Everything is decided
 * first; any disagreement (a row with no file, a dirty, failed or
 * unfinished migration, a file changed since the tool ran it) refuses the
 * whole adoption, so the history is taken over entirely or not at all.
 */
#include "adopt_priv.h"
#include "godwit/adopt.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/priv.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/text.h"
#include "../util/url.h"

/* What the tool keeps to check a file against. */
typedef enum {
	SUM_NONE,
	SUM_FLYWAY, /* CRC-32 of the lines, signed */
	SUM_SHA256, /* SHA-256 hex of the file, as it is or with CRLF folded (drizzle) */
	SUM_PRISMA, /* the same, or LF expanded to CRLF, or Prisma's old unpadded hex */
	SUM_SHA1,   /* SHA-1 hex of the file's bytes (sqitch's script_hash) */
} sum_kind;

/* What a row's key is compared with. */
typedef enum {
	MATCH_VERSION, /* the migration's version, numerically */
	MATCH_DIGITS,  /* the digits of the version (diesel drops the dashes) */
	MATCH_FOLDER,  /* the folder of the up file (Prisma's migration_name) */
	MATCH_WHEN,    /* the "when" of the file in meta/_journal.json (drizzle) */
	MATCH_NAME,    /* the name, each row the next migration of that name not matched
	                  yet: sqitch records a reworked change under one name */
} match_kind;

/* Which migrations without a row of their own a row also stands for. */
typedef enum {
	COVER_NONE,    /* none (but a "baseline" row covers what is below it) */
	COVER_EARLIER, /* every earlier one: golang-migrate keeps one row */
	COVER_LATEST,  /* the latest row, every key up to its own: drizzle applies
	                  the journal entries whose "when" is above its last row */
} cover_kind;

/* How the time column holds a time. */
typedef enum {
	TIME_STAMP,         /* a timestamp (text on SQLite) */
	TIME_MILLIS,        /* Unix milliseconds, a number (drizzle's created_at) */
	TIME_SQLITE_MILLIS, /* a timestamp on PostgreSQL; Unix milliseconds on SQLite,
	                       where Prisma's driver (quaint) binds times as integers */
} time_kind;

/* How a tool's table is read: each query yields (key, applied time,
 * checksum, flag) rows in the order the tool wrote them, so a later row
 * about a version overrides an earlier one (goose re-runs). */
typedef struct tool_def {
	const char *name;
	const char *title; /* for messages */
	const char *schema;
	const char *table;
	const char *key;
	const char *time; /* a column, or NULL when the tool keeps no time */
	const char *sum;  /* a column, or NULL */
	const char *flag; /* ok | dirty | failed | unfinished | reverted | baseline */
	const char *where;
	const char *order;
	cover_kind cover;
	match_kind match;
	sum_kind sums;
	time_kind times;
	gw_format format;     /* the folder convention matching needs; AUTO = any */
	const char *key_word; /* what the key is, for "no file has this ..." */
	/* sqitch: the rows of the plan's %project only; on SQLite the table is
	 * in a database file of its own next to the target (see attach). */
	const char *project_col;
	int attach; /* on SQLite, the schema is a database file of its own */
	/* A column only this tool's table has, to tell it from another
	 * tool's table of the same name; NULL: the name is enough. */
	const char *detect_col;
} tool_def;

/* Table definitions: see docs/formats.md ("Adopting ...") and
 * tests/cli/t61xx-*.sh for each tool's DDL and where it comes from. */
static const tool_def tools[] = {
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
};

#define NTOOLS (sizeof(tools) / sizeof(tools[0]))

static const char *const tool_names[] = {"dbmate", "golang-migrate", "goose",  "flyway", "diesel",
                                         "prisma", "drizzle",        "sqitch", NULL};

const char *const *gw_adopt_tools(void)
{
	return tool_names;
}

struct gw_adopt_report {
	const tool_def *tool; /* &own_tool */
	tool_def own_tool;    /* the tool's definition, with any table or schema given */
	char *table;
	int dry_run;
	size_t recorded;
	gw_adopt_entry *entries;
	size_t count;
	gw_vec owned;
	int failed;
};

/* One row of the tool's table. */
typedef struct tool_row {
	char *key;
	char *at;
	char *sum;
	char *flag;
	int matched;
} tool_row;

typedef struct rows {
	gw_vec v;
	int failed;
} rows;

/* ---- small helpers ------------------------------------------------------ */

static const char *keep(gw_adopt_report *r, const char *s)
{
	char *copy;

	if (!s)
		return NULL;
	if (!(copy = gw_strdup(s)) || gw_vec_push(&r->owned, copy) < 0) {
		free(copy);
		r->failed = 1;
		return NULL;
	}
	return copy;
}

static const char *keepf(gw_adopt_report *r, const char *fmt, ...) GW_FORMAT_PRINTF(2, 3);
static const char *keepf(gw_adopt_report *r, const char *fmt, ...)
{
	gw_str s = GW_STR_INIT;
	const char *out;
	va_list ap;

	va_start(ap, fmt);
	gw_str_vprintf(&s, fmt, ap);
	va_end(ap);
	out = gw_str_failed(&s) ? NULL : keep(r, s.ptr);
	if (!out)
		r->failed = 1;
	gw_str_dispose(&s);
	return out;
}

static void free_row(void *ptr)
{
	tool_row *t = ptr;

	if (!t)
		return;
	free(t->key);
	free(t->at);
	free(t->sum);
	free(t->flag);
	free(t);
}

/* The digits of s (up to the first '_' when stop_at_underscore), for
 * tools that spell a version differently from the folder: diesel drops
 * the dashes of 2023-07-05-000058. */
static void digits_of(char *out, size_t size, const char *s, int stop_at_underscore)
{
	size_t n = 0;

	for (; *s && n + 1 < size; s++) {
		if (stop_at_underscore && *s == '_')
			break;
		if (*s >= '0' && *s <= '9')
			out[n++] = *s;
	}
	out[n] = '\0';
}

/* Whether a migration's key (see migration_keys) is the row's key. */
static int same_key(const tool_def *t, const char *mkey, const char *key)
{
	char b[128];

	if (!mkey || !mkey[0])
		return 0;
	switch (t->match) {
	case MATCH_DIGITS:
		digits_of(b, sizeof(b), key, 1);
		return !strcmp(mkey, b);
	case MATCH_FOLDER:
	case MATCH_NAME:
		return !strcmp(mkey, key);
	case MATCH_VERSION:
	case MATCH_WHEN:
		break;
	}
	return !gw_version_cmp(mkey, key);
}

static long find_migration(const gw_source *src, const tool_def *t, char *const *keys,
                           const char *key)
{
	size_t i;

	for (i = 0; i < src->count; i++)
		if (same_key(t, keys[i], key))
			return (long)i;
	return -1;
}

/* ---- what the tool calls each migration --------------------------------- */

/* drizzle-orm records a migration by its journal entry's "when", so the
 * journal is read again for it (the loader keeps only the tags). */
static int journal_whens(char **keys, gw_project *p, const gw_source *src)
{
	gw_str path = GW_STR_INIT, text = GW_STR_INIT;
	gw_vec tags = GW_VEC_INIT, whens = GW_VEC_INIT;
	gw_drizzle_error jerr;
	size_t i, j;
	int error = 0;

	if (gw_project__path(&path, p, DRIZZLE_JOURNAL) < 0)
		error = gw_error_oom(p->ctx);
	else if ((error = gw_file_read(&text, path.ptr, GW_FILE_MAX, p->ctx)) < 0)
		;
	else if (gw_source__drizzle_read(&tags, &whens, text.ptr, text.size, &jerr) < 0)
		error = jerr.what[0] ? gw_source__file_error(p->ctx, GW_ESOURCE, path.ptr,
		                                             jerr.line, jerr.col, "%s", jerr.what)
		                     : gw_error_oom(p->ctx);
	for (i = 0; error == 0 && i < src->count; i++) {
		const char *f = src->items[i]->up_file;
		size_t n = strlen(f) > 4 ? strlen(f) - 4 : 0; /* without ".sql" */

		for (j = 0; j < tags.len && !keys[i]; j++)
			if (strlen(tags.items[j]) == n && !memcmp(tags.items[j], f, n) &&
			    !(keys[i] = gw_strdup(whens.items[j])))
				error = gw_error_oom(p->ctx);
	}
	gw_vec_dispose(&tags, free);
	gw_vec_dispose(&whens, free);
	gw_str_dispose(&text);
	gw_str_dispose(&path);
	return error;
}

/* The key each migration has in the tool's table (NULL for repeatables,
 * which no tool records by version). */
static int migration_keys(char ***out, gw_project *p, const gw_source *src, const tool_def *t)
{
	char **keys = calloc(src->count + 1, sizeof(*keys));
	char digits[128];
	size_t i;
	int error = 0;

	if (!(*out = keys))
		return gw_error_oom(p->ctx);
	if (t->match == MATCH_WHEN)
		return journal_whens(keys, p, src);
	for (i = 0; i < src->count && error == 0; i++) {
		const gw_migration *m = src->items[i];
		const char *slash = strrchr(m->up_file, '/');

		if (m->repeatable)
			continue;
		if (t->match == MATCH_DIGITS) {
			digits_of(digits, sizeof(digits), m->version, 0);
			keys[i] = gw_strdup(digits);
		} else if (t->match == MATCH_FOLDER)
			keys[i] = gw_strndup(m->up_file, slash ? (size_t)(slash - m->up_file) : 0);
		else if (t->match == MATCH_NAME)
			keys[i] = gw_strdup(m->name);
		else
			keys[i] = gw_strdup(m->version);
		if (!keys[i])
			error = gw_error_oom(p->ctx);
	}
	return error;
}

static void free_keys(char **keys, size_t n)
{
	size_t i;

	for (i = 0; keys && i < n; i++)
		free(keys[i]);
	free(keys);
}

/* ---- checksums the other tools keep ------------------------------------- */

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

/* Compares the tool's checksum with the file as it is now. */
static int check_sum(gw_adopt_checksum *out, gw_project *p, const tool_def *t,
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
	gw_source_text_dispose(&text);
	if (same < 0)
		return gw_error_oom(p->ctx);
	*out = same ? GW_ADOPT_SUM_VERIFIED : GW_ADOPT_SUM_MISMATCH;
	return 0;
}

/* ---- reading the tool's table ------------------------------------------- */

/* The tool's schema; on SQLite, sqitch's registry is attached under the
 * name "sqitch", whatever its file is called. */
static const char *schema_of(const gw_project *p, const tool_def *t)
{
	if (t->attach && p->driver->dialect == GW_DIALECT_SQLITE)
		return "sqitch"; /* the name it is attached under */
	return t->schema;
}

static int qualified(gw_str *out, gw_project *p, const tool_def *t)
{
	char *q = NULL;
	int error = 0;

	if (t->schema && (p->driver->dialect == GW_DIALECT_POSTGRES || t->attach)) {
		if ((error = p->driver->quote_ident(p->conn, schema_of(p, t), &q)) < 0)
			return error;
		gw_str_printf(out, "%s.", q);
		free(q);
		q = NULL;
	}
	if ((error = p->driver->quote_ident(p->conn, t->table, &q)) < 0)
		return error;
	gw_str_puts(out, q);
	free(q);
	return gw_str_failed(out) ? gw_error_oom(p->ctx) : 0;
}

/* The table as a user names it (schema.table), without the quotes of
 * the SQL identifier: for reports, JSON included. */
static char *display_name(const gw_project *p, const tool_def *t)
{
	gw_str s = GW_STR_INIT;

	if (t->schema && (p->driver->dialect == GW_DIALECT_POSTGRES || t->attach))
		gw_str_printf(&s, "%s.", schema_of(p, t));
	gw_str_puts(&s, t->table);
	return gw_str_detach(&s);
}

static int bool_row(void *payload, int ncols, const char *const *values)
{
	int *out = payload;

	*out = ncols > 0 && values[0] && (values[0][0] == 't' || values[0][0] == '1');
	return 0;
}

static int table_exists(int *exists, gw_project *p, const tool_def *t, const char *qname)
{
	const char *params[1];

	if (p->driver->dialect == GW_DIALECT_POSTGRES) {
		params[0] = qname;
		return gw_project__exec(p, "SELECT to_regclass($1) IS NOT NULL", params, 1,
		                        bool_row, exists);
	}
	params[0] = t->table;
	return gw_project__exec(
	        p,
	        t->attach ? "SELECT count(*) = 1 FROM sqitch.sqlite_master WHERE type = "
	                    "'table' AND name = $1"
	                  : "SELECT count(*) = 1 FROM sqlite_master WHERE type = 'table' "
	                    "AND name = $1",
	        params, 1, bool_row, exists);
}

/* sqitch keeps its SQLite registry in a file of its own next to the
 * database: db/dev.sqlite3 has db/sqitch.sqlite3 (its rule: the file name
 * with "sqitch" for the part before the first dot). */
static int registry_file(gw_str *out, const gw_project *p)
{
	gw_str db = GW_STR_INIT;
	const char *reg = p->source && p->source->registry ? p->source->registry : "sqitch";
	const char *base, *dot;

	if (gw_url_sqlite_path(&db, p->opts.url) < 0) {
		gw_str_dispose(&db);
		return -1;
	}
	base = strrchr(db.ptr, '/');
	base = base ? base + 1 : db.ptr;
	dot = strchr(base, '.');
	/* A registry name with a dot of its own is the whole file name. */
	if (strchr(reg, '.'))
		dot = NULL;
	gw_str_printf(out, "%.*s%s%s", (int)(base - db.ptr), db.ptr, reg, dot ? dot : "");
	gw_str_dispose(&db);
	return gw_str_failed(out) ? -1 : 0;
}

static int registry_path(gw_str *out, gw_project *p)
{
	int error = 0;

	if (registry_file(out, p) < 0)
		error = gw_error_oom(p->ctx);
	else if (gw_path_is_dir(out->ptr) != 0) {
		error = gw_error_set(p->ctx, GW_ENOTFOUND,
		                     "no sqitch registry for this database: %s does not exist",
		                     out->ptr);
		gw_error_set_hint(p->ctx, "sqitch keeps it next to the database file; check --url");
	}
	return error;
}

/* Attaches the registry as schema "sqitch" (never creating it). */
static int attach_registry(gw_project *p, const tool_def *t, int *attached)
{
	gw_str path = GW_STR_INIT;
	const char *params[1];
	int error;

	if (!t->attach || p->driver->dialect != GW_DIALECT_SQLITE)
		return 0;
	if ((error = registry_path(&path, p)) == 0) {
		params[0] = path.ptr;
		error = gw_project__exec(p, "ATTACH DATABASE $1 AS sqitch", params, 1, NULL, NULL);
		*attached = error == 0;
	}
	gw_str_dispose(&path);
	return error;
}

static int add_row(void *payload, int ncols, const char *const *v)
{
	rows *rs = payload;
	tool_row *t = calloc(1, sizeof(*t));

	if (!t || ncols < 4 || gw_vec_push(&rs->v, t) < 0) {
		free(t);
		rs->failed = 1;
		return 1;
	}
	/* A NULL key (drizzle's created_at may be one) matches no file. */
	t->key = gw_strdup(v[0] ? v[0] : "");
	t->at = gw_strdup(v[1]);
	t->sum = gw_strdup(v[2]);
	t->flag = gw_strdup(v[3] ? v[3] : "ok");
	if (!t->key || !t->flag || (v[1] && !t->at) || (v[2] && !t->sum))
		rs->failed = 1;
	return rs->failed;
}

/* A time column as ISO 8601 UTC text. A timestamp without time zone is
 * read in the session's zone, the one the tool wrote it in. */
static void put_time(gw_str *s, gw_project *p, const tool_def *t)
{
	const char *col = t->time;

	if (!col)
		gw_str_puts(s, "NULL");
	else if (p->driver->dialect == GW_DIALECT_POSTGRES && t->times == TIME_MILLIS)
		gw_str_printf(s,
		              "to_char(to_timestamp(CAST(%s AS double precision) / 1000) AT TIME "
		              "ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
		              col);
	else if (p->driver->dialect == GW_DIALECT_POSTGRES)
		gw_str_printf(s,
		              "to_char(CAST(%s AS timestamptz) AT TIME ZONE 'UTC', "
		              "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
		              col);
	else if (t->times != TIME_STAMP)
		/* A number is milliseconds; text (a DEFAULT current_timestamp,
		 * or a row written by hand) is kept as written. */
		gw_str_printf(s,
		              "CASE WHEN typeof(%s) IN ('integer', 'real') THEN "
		              "strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', %s / 1000.0, 'unixepoch') "
		              "ELSE CAST(%s AS text) END",
		              col, col, col);
	else
		gw_str_printf(s, "CAST(%s AS text)", col);
}

static int read_rows(rows *rs, gw_project *p, const tool_def *t, const char *qname)
{
	gw_str sql = GW_STR_INIT;
	int error;

	gw_str_printf(&sql, "SELECT CAST(%s AS text), ", t->key);
	put_time(&sql, p, t);
	gw_str_printf(&sql, ", %s%s%s, %s FROM %s", t->sum ? "CAST(" : "NULL", t->sum ? t->sum : "",
	              t->sum ? " AS text)" : "", t->flag, qname);
	if (t->where)
		gw_str_printf(&sql, " WHERE %s", t->where);
	if (t->project_col)
		gw_str_printf(&sql, " %s %s = $1", t->where ? "AND" : "WHERE", t->project_col);
	gw_str_printf(&sql, " ORDER BY %s", t->order);
	if (gw_str_failed(&sql))
		error = gw_error_oom(p->ctx);
	else
		error = gw_project__exec(p, sql.ptr, (const char *const *)&p->source->project,
		                         t->project_col ? 1 : 0, add_row, rs);
	if (rs->failed && error >= 0)
		error = gw_error_oom(p->ctx);
	if (error < 0)
		gw_error_prefix(p->ctx, "cannot read the %s history in %s: ", t->title, qname);
	gw_str_dispose(&sql);
	return error;
}

/* ---- deciding ----------------------------------------------------------- */

/* The row that decides a migration; own = 0 when the row is about another
 * migration and stands for this one too (its checksum is not this file's). */
typedef struct slot {
	const tool_row *row;
	int own;
} slot;

/* A Flyway baseline stands for every migration up to and including its
 * version that has no row of its own, and its version need not have a
 * file (`flyway baseline -baselineVersion=1` next to V2, V3). */
static void cover_baseline(slot *last, const gw_source *src, char *const *keys, tool_row *row)
{
	size_t i;

	row->matched = 1;
	for (i = 0; i < src->count; i++)
		if (keys[i] && !last[i].row && gw_version_cmp(keys[i], row->key) <= 0)
			last[i].row = row;
}

/* drizzle-orm runs the journal entries whose "when" is above the
 * created_at of its latest row: every entry up to it counts as applied,
 * whether or not it has a row. */
static void cover_latest(slot *last, const gw_source *src, char *const *keys, const rows *rs)
{
	const tool_row *latest = NULL;
	size_t i;

	for (i = 0; i < rs->v.len; i++) {
		const tool_row *row = rs->v.items[i];

		if (row->key[0] && (!latest || gw_version_cmp(row->key, latest->key) > 0))
			latest = row;
	}
	for (i = 0; latest && i < src->count; i++)
		if (keys[i] && !last[i].row && gw_version_cmp(keys[i], latest->key) <= 0)
			last[i].row = latest;
}

/* The tool's last word on each migration of the folder. */
/* sqitch: the first migration of the name that no row matched yet, so
 * the rows of a reworked change, in deploy order, take its plan entries
 * in order. */
static long next_unmatched(const gw_source *src, const tool_def *t, char *const *keys,
                           const slot *last, const char *key)
{
	size_t i;

	for (i = 0; i < src->count; i++)
		if (!last[i].own && same_key(t, keys[i], key))
			return (long)i;
	return -1;
}

static void match_rows(slot *last, const gw_source *src, const tool_def *t, char *const *keys,
                       const rows *rs)
{
	size_t r, i;

	for (r = 0; r < rs->v.len; r++) {
		tool_row *row = rs->v.items[r];
		long mi = t->match == MATCH_NAME ? next_unmatched(src, t, keys, last, row->key)
		                                 : find_migration(src, t, keys, row->key);

		if (!strcmp(row->flag, "baseline"))
			cover_baseline(last, src, keys, row);
		if (mi < 0)
			continue;
		row->matched = 1;
		last[mi].row = row;
		last[mi].own = 1;
		/* golang-migrate's one row stands for every migration up to it. */
		for (i = 0; t->cover == COVER_EARLIER && i < (size_t)mi; i++)
			if (keys[i])
				last[i] = (slot){row, 0};
	}
	if (t->cover == COVER_LATEST)
		cover_latest(last, src, keys, rs);
}

static const char *found_word(const char *flag)
{
	if (!strcmp(flag, "ok"))
		return "applied";
	if (!strcmp(flag, "reverted"))
		return "rolled back";
	return flag; /* dirty, failed, unfinished, baseline */
}

static const char *flag_problem(gw_adopt_report *rep, const char *flag)
{
	const char *tool = rep->tool->title;

	if (!strcmp(flag, "dirty"))
		return keepf(rep,
		             "%s marks it dirty: it failed half-way; fix the database, then "
		             "clear the flag with '%s force VERSION' or use 'godwit baseline'",
		             tool, "migrate");
	if (!strcmp(flag, "failed"))
		return keepf(rep,
		             "%s recorded it as failed (success = false); repair or remove "
		             "the failed row first",
		             tool);
	if (!strcmp(flag, "unfinished"))
		return keepf(rep,
		             "%s started it and never finished it (finished_at and "
		             "rolled_back_at are empty): it failed or is still running; settle it "
		             "with 'prisma migrate resolve --applied NAME' or '--rolled-back NAME'",
		             tool);
	return NULL;
}

static void decide(gw_adopt_report *rep, gw_adopt_entry *e, const tool_row *row,
                   const gw_hist_row *h, const gw_migration *m)
{
	const char *why = row ? flag_problem(rep, row->flag) : NULL;
	int applied = row && (!strcmp(row->flag, "ok") || !strcmp(row->flag, "baseline"));

	if (why) {
		e->action = GW_ADOPT_PROBLEM;
		e->problem = why;
	} else if (applied && e->checksum == GW_ADOPT_SUM_MISMATCH) {
		e->action = GW_ADOPT_PROBLEM;
		e->problem = keepf(rep,
		                   "the file changed since %s applied it (%s checksum %s); restore "
		                   "it, or adopt and then 'godwit repair' after a review",
		                   rep->tool->title, rep->tool->title, row->sum);
	} else if (applied && h &&
	           (strcmp(h->state, "applied") || strcmp(h->checksum, m->checksum))) {
		e->action = GW_ADOPT_PROBLEM;
		e->problem = keepf(rep, "godwit already records it as %s; settle that first",
		                   strcmp(h->state, "applied") ? "dirty"
		                                               : "applied with another checksum");
	} else if (h) {
		e->action = GW_ADOPT_ALREADY;
	} else {
		e->action = applied ? GW_ADOPT_RECORD : GW_ADOPT_PENDING;
	}
}

/* One migration of the folder: what the tool says and what adopt does. */
static int report_migration(gw_adopt_report *rep, gw_project *p, const gw_migration *m, slot s,
                            const gw_hist *h)
{
	gw_adopt_entry *e = &rep->entries[rep->count++];
	const tool_row *row = s.row;
	int error = 0;

	e->version = m->version;
	e->name = m->name;
	e->file = m->up_file;
	e->found = row ? keep(rep, found_word(row->flag)) : "not applied";
	/* drizzle's latest row says nothing of when an older entry ran. */
	if (row && !s.own && rep->tool->cover == COVER_LATEST)
		e->found = "applied (no row of its own; older than the latest)";
	else if (row)
		e->applied_at = keep(rep, row->at);
	e->tool_checksum = row && s.own ? keep(rep, row->sum) : NULL;
	if (row && s.own && (!strcmp(row->flag, "ok") || !strcmp(row->flag, "baseline")))
		error = check_sum(&e->checksum, p, rep->tool, m, row->sum);
	decide(rep, e, row, gw_hist_find(h, m->version), m);
	return error;
}

/* A row of the tool that matches no file. */
static void report_orphan(gw_adopt_report *rep, gw_project *p, const tool_row *row)
{
	gw_adopt_entry *e = &rep->entries[rep->count++];
	const tool_def *t = rep->tool;

	e->version = keep(rep, row->key);
	e->found = keep(rep, found_word(row->flag));
	e->applied_at = keep(rep, row->at);
	e->tool_checksum = keep(rep, row->sum);
	e->action = GW_ADOPT_PROBLEM;
	if (!strcmp(row->flag, "ok") || !strcmp(row->flag, "baseline"))
		e->problem =
		        keepf(rep, "%s applied it, but no file in %s has this %s; restore the file",
		              t->title, gw_project__dir(p), t->key_word);
	else
		e->problem =
		        keepf(rep,
		              "%s recorded it as %s, but no file in %s has this %s; restore "
		              "the file or settle the row first",
		              t->title, found_word(row->flag), gw_project__dir(p), t->key_word);
}

static int build_report(gw_adopt_report *rep, gw_project *p, const rows *rs, const gw_hist *h,
                        char *const *keys)
{
	const gw_source *src = p->source;
	slot *last = calloc(src->count + 1, sizeof(*last));
	size_t i;
	int error = 0;

	rep->entries = calloc(src->count + rs->v.len + 1, sizeof(*rep->entries));
	if (!last || !rep->entries) {
		free(last);
		return gw_error_oom(p->ctx);
	}
	match_rows(last, src, rep->tool, keys, rs);
	for (i = 0; i < src->count && error == 0; i++)
		if (!src->items[i]->repeatable)
			error = report_migration(rep, p, src->items[i], last[i], h);
	/* Rows of the tool that match no file, in the tool's order. */
	for (i = 0; i < rs->v.len && error == 0; i++) {
		const tool_row *row = rs->v.items[i];

		if (!row->matched && strcmp(row->flag, "reverted"))
			report_orphan(rep, p, row);
	}
	free(last);
	if (error == 0 && rep->failed)
		error = gw_error_oom(p->ctx);
	return error;
}

/* ---- recording ---------------------------------------------------------- */

static int record(gw_adopt_report *rep, gw_project *p)
{
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	size_t i, n = 0;
	int error = 0;

	for (i = 0; i < rep->count && error == 0; i++) {
		const gw_adopt_entry *e = &rep->entries[i];
		const gw_migration *m;
		gw_record event = {NULL, NULL, NULL, "adopt", NULL, 0, 0};

		if (e->action != GW_ADOPT_RECORD)
			continue;
		m = gw_source_find(p->source, e->version);
		event.m = m;
		/* Flyway's baseline stands for migrations it never ran. */
		if (gw_adopt__add_row(&b, p, m,
		                      strcmp(e->found, "baseline") ? "adopted" : "baseline",
		                      e->applied_at) < 0 ||
		    gw_hist_add_event(&b, p, &event) < 0)
			error = gw_error_oom(p->ctx);
		n++;
	}
	if (error == 0 && n)
		error = p->conn->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
	if (error == 0)
		rep->recorded = n;
	gw_batch_dispose(&b);
	return error;
}

static const tool_def *find_tool(const char *name)
{
	size_t i;

	for (i = 0; name && i < NTOOLS; i++)
		if (!strcmp(tools[i].name, name))
			return &tools[i];
	if (name && (!strcmp(name, "migrate") || !strcmp(name, "golang")))
		return &tools[1];
	return NULL;
}

int gw_adopt_tool_known(const char *name)
{
	return find_tool(name) != NULL;
}

static int refuse(gw_project *p, const gw_adopt_report *rep, size_t problems)
{
	gw_error_set(p->ctx, GW_ESTATE,
	             "cannot adopt the %s history: %zu migration%s disagree%s with %s; "
	             "nothing was recorded",
	             rep->tool->title, problems, problems == 1 ? "" : "s", problems == 1 ? "s" : "",
	             gw_project__dir(p));
	gw_error_set_hint(p->ctx,
	                  "fix each problem listed, then run 'godwit adopt --from %s' "
	                  "again",
	                  rep->tool->name);
	return GW_ESTATE;
}

/* Prisma and drizzle record a migration by its folder or journal entry,
 * which only their own folder convention has. */
static int check_format(gw_project *p, const gw_source *src, const tool_def *t)
{
	if (t->format == GW_FORMAT_AUTO || src->format == t->format)
		return 0;
	gw_error_set(p->ctx, GW_EINVALID,
	             "cannot adopt from %s: %s records migrations by their %s, but %s is in the "
	             "%s convention, not %s's",
	             t->title, t->title, t->key_word, gw_project__dir(p),
	             gw_format_name(src->format), gw_format_name(t->format));
	gw_error_set_hint(p->ctx, "point --dir at the folder %s migrated from (%s)", t->title,
	                  t->format == GW_FORMAT_PRISMA   ? "prisma/migrations"
	                  : t->format == GW_FORMAT_SQITCH ? "the one with sqitch.plan"
	                                                  : "drizzle");
	return GW_EINVALID;
}

static int open_tool_table(gw_str *qname, gw_project *p, const tool_def *t, int *attached)
{
	gw_conn *conn;
	int exists = 0, error;

	if ((error = gw_project__connect(&conn, p)) < 0 ||
	    (error = attach_registry(p, t, attached)) < 0 || (error = qualified(qname, p, t)) < 0 ||
	    (error = table_exists(&exists, p, t, qname->ptr)) < 0)
		return error;
	if (exists)
		return 0;
	gw_error_set(p->ctx, GW_ENOTFOUND,
	             "no %s history in this database: table %s does not exist", t->title,
	             qname->ptr);
	gw_error_set_hint(p->ctx,
	                  "check --url; if %s was configured with another table, name it "
	                  "with --from-table (and --from-schema)",
	                  t->title);
	return GW_ENOTFOUND;
}

/* ---- another tool's history, for status and up -------------------------- */

static int has_column(int *out, gw_project *p, const char *qname, const tool_def *t)
{
	const char *params[2];

	params[0] = p->driver->dialect == GW_DIALECT_POSTGRES ? qname : t->table;
	params[1] = t->detect_col;
	return gw_project__exec(
	        p,
	        p->driver->dialect == GW_DIALECT_POSTGRES
	                ? "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = "
	                  "to_regclass($1) AND attname = $2 AND attnum > 0 AND NOT attisdropped)"
	                : "SELECT count(*) > 0 FROM pragma_table_info($1) WHERE name = $2",
	        params, 2, bool_row, out);
}

/* Whether the tool's table is here and holds a row of its history. A table
 * the role may not read counts: adopt will say what it cannot read. */
static int holds_history(int *out, gw_project *p, const tool_def *t)
{
	gw_str qname = GW_STR_INIT, sql = GW_STR_INIT;
	const char *params[1];
	int yes = 0, error = 0;

	*out = 0;
	/* sqitch's SQLite registry is a file of its own: it is never
	 * attached (nor created) just to look. */
	if (t->attach && p->driver->dialect == GW_DIALECT_SQLITE) {
		if (registry_file(&qname, p) < 0 || gw_url_sqlite_path(&sql, p->opts.url) < 0)
			error = gw_error_oom(p->ctx);
		else /* a database named sqitch.db is not its own registry */
			*out = strcmp(qname.ptr, sql.ptr) && gw_path_is_dir(qname.ptr) == 0;
		goto cleanup;
	}
	if ((error = qualified(&qname, p, t)) < 0 ||
	    (error = table_exists(&yes, p, t, qname.ptr)) < 0 || !yes ||
	    (t->detect_col && ((error = has_column(&yes, p, qname.ptr, t)) < 0 || !yes)))
		goto cleanup;
	params[0] = qname.ptr;
	if (p->driver->dialect == GW_DIALECT_POSTGRES &&
	    ((error = gw_project__exec(p, "SELECT has_table_privilege(to_regclass($1), 'SELECT')",
	                               params, 1, bool_row, &yes)) < 0 ||
	     !yes)) {
		*out = error == 0;
		goto cleanup;
	}
	gw_str_printf(&sql, "SELECT EXISTS (SELECT 1 FROM %s%s%s)", qname.ptr,
	              t->where ? " WHERE " : "", t->where ? t->where : "");
	if (gw_str_failed(&sql))
		error = gw_error_oom(p->ctx);
	else
		error = gw_project__exec(p, sql.ptr, NULL, 0, bool_row, out);
cleanup:
	gw_str_dispose(&sql);
	gw_str_dispose(&qname);
	return error;
}

int gw_adopt__other_history(const char **tool, char **table, gw_project *p)
{
	gw_conn *conn;
	size_t i;
	int pass, found = 0, error = 0;

	*tool = NULL;
	*table = NULL;
	/* A SQLite file not created yet holds nothing, and stays uncreated. */
	if (gw_project__database_missing(p))
		return 0;
	if ((error = gw_project__connect(&conn, p)) < 0)
		return error;
	/* Tools told apart by a column first: golang-migrate's
	 * schema_migrations has "dirty", dbmate's (and Rails') has not. */
	for (pass = 0; pass < 2 && !found && error == 0; pass++)
		for (i = 0; i < NTOOLS && !found && error == 0; i++) {
			if ((tools[i].detect_col == NULL) != pass)
				continue;
			if ((error = holds_history(&found, p, &tools[i])) == 0 && found) {
				*tool = tools[i].name;
				if (!(*table = display_name(p, &tools[i])))
					error = gw_error_oom(p->ctx);
			}
		}
	return error;
}

int gw_project_adopt(gw_adopt_report **out, gw_project *p, const char *tool, int dry_run)
{
	gw_adopt_options opts = GW_ADOPT_OPTIONS_INIT;

	opts.tool = tool;
	opts.dry_run = dry_run;
	return gw_project_adopt_with(out, p, &opts);
}

int gw_project_adopt_with(gw_adopt_report **out, gw_project *p, const gw_adopt_options *opts)
{
	const tool_def *known = find_tool(opts ? opts->tool : NULL);
	const char *tool = opts ? opts->tool : NULL;
	int dry_run = opts && opts->dry_run;
	tool_def own, *t = &own;
	gw_adopt_report *rep = NULL;
	rows rs = {GW_VEC_INIT, 0};
	gw_hist h = {NULL, 0};
	gw_str qname = GW_STR_INIT;
	gw_source *src = NULL;
	char **keys = NULL;
	int exists = 0, attached = 0, error;
	size_t problems;

	*out = NULL;
	if (opts && opts->version != GW_ADOPT_OPTIONS_VERSION)
		return gw_error_set(p->ctx, GW_EINVALID,
		                    "gw_adopt_options version %u is not supported", opts->version);
	if (!known) {
		gw_error_set(p->ctx, GW_EINVALID, "cannot adopt from '%s': unknown tool",
		             tool ? tool : "");
		gw_error_set_hint(
		        p->ctx,
		        "one of dbmate, golang-migrate, goose, flyway, diesel, prisma, drizzle, "
		        "sqitch");
		return GW_EINVALID;
	}
	/* A table or schema given replaces the tool's default one. */
	own = *known;
	if (opts->table)
		own.table = opts->table;
	if ((error = gw_project__source(&src, p)) < 0 || (error = check_format(p, src, t)) < 0)
		goto cleanup;
	/* The schema given, else a sqitch registry named in sqitch.conf. */
	if (opts->schema)
		own.schema = opts->schema;
	else if (own.attach && src->registry)
		own.schema = src->registry;
	if ((error = migration_keys(&keys, p, src, t)) < 0 ||
	    (error = open_tool_table(&qname, p, t, &attached)) < 0)
		goto cleanup;
	/* A dry run creates nothing, not even the history tables. */
	if (!dry_run && (error = gw_hist_begin(p)) < 0)
		goto cleanup;
	if ((error = gw_hist_exists(&exists, p)) < 0 ||
	    (exists && (error = gw_hist_load(&h, p)) < 0))
		goto cleanup;
	if ((error = read_rows(&rs, p, t, qname.ptr)) < 0)
		goto cleanup;
	if (!(rep = calloc(1, sizeof(*rep))) || !(rep->table = display_name(p, t))) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	rep->own_tool = own;
	rep->tool = &rep->own_tool;
	rep->dry_run = dry_run;
	if ((error = build_report(rep, p, &rs, &h, keys)) < 0)
		goto cleanup;
	if ((problems = gw_adopt_report_count_action(rep, GW_ADOPT_PROBLEM)))
		error = refuse(p, rep, problems);
	else if (!dry_run)
		error = record(rep, p);
cleanup:
	if (!dry_run)
		gw_project__unlock(p);
	if (attached)
		gw_project__exec(p, "DETACH DATABASE sqitch", NULL, 0, NULL, NULL);
	/* A refusal keeps its report: it names the problems. */
	if (error < 0 && error != GW_ESTATE) {
		gw_adopt_report_free(rep);
		rep = NULL;
	}
	*out = rep;
	free_keys(keys, src ? src->count : 0);
	gw_vec_dispose(&rs.v, free_row);
	gw_hist_dispose(&h);
	gw_str_dispose(&qname);
	return error;
}

/* ---- the report --------------------------------------------------------- */

const char *gw_adopt_report_tool(const gw_adopt_report *r)
{
	return r ? r->tool->name : NULL;
}

const char *gw_adopt_report_table(const gw_adopt_report *r)
{
	return r ? r->table : NULL;
}

int gw_adopt_report_dry_run(const gw_adopt_report *r)
{
	return r ? r->dry_run : 0;
}

size_t gw_adopt_report_recorded(const gw_adopt_report *r)
{
	return r ? r->recorded : 0;
}

size_t gw_adopt_report_count_action(const gw_adopt_report *r, gw_adopt_action action)
{
	size_t i, n = 0;

	for (i = 0; r && i < r->count; i++)
		n += r->entries[i].action == action;
	return n;
}

size_t gw_adopt_report_count(const gw_adopt_report *r)
{
	return r ? r->count : 0;
}

const gw_adopt_entry *gw_adopt_report_get(const gw_adopt_report *r, size_t i)
{
	return r && i < r->count ? &r->entries[i] : NULL;
}

void gw_adopt_report_free(gw_adopt_report *r)
{
	if (!r)
		return;
	free(r->table);
	free(r->entries);
	gw_vec_dispose(&r->owned, free);
	free(r);
}

const char *gw_adopt_action_name(gw_adopt_action action)
{
	switch (action) {
	case GW_ADOPT_RECORD:
		return "record";
	case GW_ADOPT_ALREADY:
		return "already recorded";
	case GW_ADOPT_PENDING:
		return "pending";
	case GW_ADOPT_PROBLEM:
		return "problem";
	}
	return "unknown";
}

const char *gw_adopt_checksum_name(gw_adopt_checksum c)
{
	switch (c) {
	case GW_ADOPT_SUM_NONE:
		return "none";
	case GW_ADOPT_SUM_VERIFIED:
		return "verified";
	case GW_ADOPT_SUM_MISMATCH:
		return "mismatch";
	case GW_ADOPT_SUM_NOT_VERIFIED:
		return "not verified";
	}
	return "unknown";
}
