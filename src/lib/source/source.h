/*
 * source.h: migration files → a migration set (sources stage of the flow).
 *
 * gw_source_load scans a folder, detects its convention, reads each file once
 * to checksum it and to read its directives, and orders the migrations with
 * a stable topological sort by version over their @depends-on edges. The SQL
 * itself is not kept: gw_source_read_up/down read it again when it runs, so
 * memory does not grow with the folder.
 */
#ifndef GW_LIB_SOURCE_H
#define GW_LIB_SOURCE_H

#include <stddef.h>

#include "godwit/project.h"
#include "../../util/hash.h"
#include "../../util/str.h"

struct gw_migration;

/* What few migrations have: @depends-on lines, sqitch's conflicts and
 * verify scripts. Allocated only for a migration that has one of them:
 * the 56 bytes in every record made it a 192-byte chunk of malloc's,
 * 144 without them. */
typedef struct gw_migration_rare {
	char **depends;    /* @depends-on targets as written (file names);
	                      sqitch: the scripts of its [requires] */
	int *depends_line; /* the line of each in up_file */
	size_t ndepends;
	struct gw_migration **requires; /* the migration each of depends names (order.c) */
	char **conflicts;               /* versions that must not be applied when this one is
	                                   (sqitch's [!change]) */
	size_t nconflicts;
	char *verify_file; /* sqitch: verify/<name>.sql, when it holds SQL */
} gw_migration_rare;

typedef struct gw_migration {
	char *version;   /* as written in the file name, e.g. "20240101120000" */
	char *name;      /* the description part, e.g. "create_users" */
	char *up_file;   /* path relative to the folder */
	char *down_file; /* NULL when there is no down; == up_file for native */
	/* Flags of 0 or 1, a byte each: a folder may hold thousands of
	 * migrations, all held at once. */
	unsigned char empty;               /* the up text holds no statement */
	unsigned char has_verify;          /* a -- migrate:verify section (native), a
	                                      verify/ script (sqitch) */
	unsigned char repeatable;          /* Flyway R__ (and the like): re-applied when its
	                                      checksum changes, after every versioned one */
	unsigned char no_transaction;      /* up runs outside a transaction (directive) */
	unsigned char plain_tx;            /* the up text holds no statement that could make the
	                                      runner leave the transaction
	                                      (gw_sql_may_need_no_tx); 0: unknown */
	unsigned char down_no_transaction; /* down runs outside a transaction */
	unsigned char has_down_sum;        /* down_sum holds the down text's checksum */
	/* SHA-256 of the up text and of the down text, as bytes: their hex
	 * text (gw_checksum_hex) is made only where it is shown or stored
	 * (as text they made the struct a 256-byte chunk of malloc's). */
	unsigned char sum[GW_CHECKSUM_BYTES];
	unsigned char down_sum[GW_CHECKSUM_BYTES];
	gw_migration_rare *rare; /* NULL: none of it */
	size_t index;            /* position in apply order */
} gw_migration;

/* How many @depends-on targets m has (rare->depends), and conflicts. */
static inline size_t gw_migration_ndepends(const gw_migration *m)
{
	return m->rare ? m->rare->ndepends : 0;
}

static inline size_t gw_migration_nconflicts(const gw_migration *m)
{
	return m->rare ? m->rare->nconflicts : 0;
}

typedef struct gw_source {
	char *dir;            /* where the files are (a sqitch top_dir below the folder given) */
	gw_format format;     /* the detected or forced convention */
	gw_migration **items; /* in apply order */
	size_t count;
	char *project;  /* sqitch: the plan's %project; NULL otherwise */
	char *registry; /* sqitch: sqitch.conf's registry name; NULL: "sqitch" */
	char **ignored; /* files skipped (not .sql, hidden): for a notice */
	size_t nignored;
} gw_source;

/* The SQL of one direction of a migration, read from its file. */
typedef struct gw_source_text {
	gw_str file_text; /* the whole file */
	size_t offset;    /* where the section starts in file_text */
	size_t len;       /* its length */
	const char *file; /* path relative to the folder (borrowed) */
	/* The file starts with a UTF-8 byte-order mark, which file_text
	 * leaves out (the checksums other tools took may include it). */
	int bom;
} gw_source_text;

#define GW_SOURCE_TEXT_INIT                                                                        \
	{                                                                                          \
		GW_STR_INIT, 0, 0, NULL, 0                                                         \
	}

/* m's checksums as the history stores them, hex text made into out:
 * the down one is NULL when m has no down checksum. */
static inline const char *gw_migration_hex(char out[GW_CHECKSUM_HEX], const gw_migration *m)
{
	gw_checksum_hex(out, m->sum);
	return out;
}

static inline const char *gw_migration_down_hex(char out[GW_CHECKSUM_HEX], const gw_migration *m)
{
	if (!m->has_down_sum)
		return NULL;
	gw_checksum_hex(out, m->down_sum);
	return out;
}

/* Errors (GW_ESOURCE, GW_EORDER, GW_EIO) name the file and, where there is
 * one, the line, and say what to do. A missing folder is GW_EIO. */
int gw_source_load(gw_source **out, const char *dir, gw_format format, gw_ctx *ctx);
/* The same for a target database: in a multi-dialect folder, files for
 * this dialect ("postgres", "sqlite3", "mysql", "cockroach") win over the
 * generic ones and files for other dialects are left out. gw_source_load
 * passes NULL: generic files only. */
int gw_source_load_dialect(gw_source **out, const char *dir, gw_format format, const char *dialect,
                           gw_ctx *ctx);
/* The same, refusing a file that resolves (through a symbolic link)
 * outside root, the project's folder, and outside dir; NULL root: no
 * such check. cache_dir: where the folder's checksum cache is kept
 * (sums.c), so that files unchanged since are not read; NULL: none. */
int gw_source_load_in(gw_source **out, const char *dir, gw_format format, const char *dialect,
                      const char *root, const char *cache_dir, gw_ctx *ctx);
void gw_source_free(gw_source *src);

const gw_migration *gw_source_find(const gw_source *src, const char *version);

/* Reads the up (or down) section again. Fails with GW_ECHECKSUM if the file
 * changed since gw_source_load. */
int gw_source_read_up(gw_source_text *out, const gw_source *src, const gw_migration *m,
                      gw_ctx *ctx);
int gw_source_read_down(gw_source_text *out, const gw_source *src, const gw_migration *m,
                        gw_ctx *ctx);
/* The verify section of a native migration, run after its up in the same
 * transaction; read as the file is now (it is not checksummed). */
int gw_source_read_verify(gw_source_text *out, const gw_source *src, const gw_migration *m,
                          gw_ctx *ctx);
void gw_source_text_dispose(gw_source_text *t);

/* What to do to make m revertible, in the folder's convention, for a hint:
 * "write its down SQL in DIR/FILE", or for conventions that keep the down
 * in the up file, "add a '-- migrate:down' section to DIR/FILE". */
int gw_source_down_hint(gw_str *out, const gw_source *src, const gw_migration *m);

/* The file name a new migration gets in this convention, and its content. */
int gw_source_new_files(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                        gw_format format, const char *version, const char *name);

/* The up and down marker lines of a generated no-transaction migration
 * in the convention's own syntax ("-- migrate:up transaction:false" for
 * dbmate's), so the tool itself runs it without a transaction too: 0, or
 * -1 when the convention has none (then "-- godwit:no-transaction" goes
 * above the template). */
int gw_source_no_tx_markers(gw_format format, const char **up, const char **down);

/* Whether `godwit new NAME` may add this migration to the folder's
 * convention (a sqitch change name must be new to the plan). */
int gw_source_check_new(const gw_source *src, const char *name, gw_ctx *ctx);
/* After gw_source_new_files' files were written: records the migration
 * where the convention lists its migrations (sqitch.plan, with the
 * change's verify script; drizzle-kit's meta/_journal.json). */
int gw_source_register_new(const gw_source *src, const char *version, const char *name,
                           gw_ctx *ctx);

/* ${NAME} placeholders outside strings made identifiers of the same
 * length, so text that holds them splits as it will run (placeholder.c). */
void gw_placeholders__mask(char *text, size_t len);

#endif
