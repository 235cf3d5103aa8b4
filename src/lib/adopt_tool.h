/*
 * adopt_tool.h: what the files of `godwit adopt` share: how each tool's
 * history table is described (adopt_tools.c, with the checksums the tools
 * keep), reading such a table (adopt_table.c), and matching its rows with
 * the folder and recording them (adopt.c).
 */
#ifndef GW_LIB_ADOPT_TOOL_H
#define GW_LIB_ADOPT_TOOL_H

#include "godwit/adopt.h"

#include "adopt_priv.h"

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

/* adopt_tools.c: every tool adopt reads, in the order `--from` lists them. */
extern const tool_def gw_adopt__tools[];
extern const size_t gw_adopt__ntools;
/* At least gw_adopt__ntools: the tables of all are asked about in one
 * query (adopt_table.c). */
#define GW_ADOPT_MAX_TOOLS 16

/* Compares the tool's checksum (sum; NULL: none kept) with m's file as it
 * is now. */
int gw_adopt__check_sum(gw_adopt_checksum *out, gw_project *p, const tool_def *t,
                        const gw_migration *m, const char *sum);

/* adopt_table.c: connects, attaches sqitch's SQLite registry (*attached:
 * detach it when done) and finds the tool's table, qualified in *qname;
 * GW_ENOTFOUND when the database has none. */
int gw_adopt__open_table(gw_str *qname, gw_project *p, const tool_def *t, int *attached);
/* The tool's rows, in the order the tool wrote them. */
int gw_adopt__read_rows(rows *rs, gw_project *p, const tool_def *t, const char *qname);
void gw_adopt__rows_dispose(rows *rs);
/* The table as a user names it ("drizzle.__drizzle_migrations"). */
char *gw_adopt__display_name(const gw_project *p, const tool_def *t);
/* The tool's table as the project configures it for the tool: dbmate's
 * DBMATE_MIGRATIONS_TABLE (the environment, else .env) replaces its
 * default; t itself otherwise. Copies into own when it changes. */
const tool_def *gw_adopt__configured(tool_def *own, const tool_def *t, const gw_project *p);

#endif
