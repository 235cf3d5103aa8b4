/*
 * godwit/schema.h: schema snapshots, their differences, and ephemeral
 * databases, the pieces of `schema dump`, `schema diff`, `test` and `drift`.
 *
 * A snapshot is read from the system catalogs (PostgreSQL) or sqlite_schema
 * (SQLite) in a handful of queries and held as a sorted list of objects,
 * each with a kind ("table"), a name ("public.person") and member lines
 * ("column email text not null"). Its text form is stable: two equal
 * schemas give byte-identical text, and the text parses back into the same
 * snapshot, so a file written by `schema dump` can be compared with a live
 * database.
 *
 *   table public.person
 *     column id bigint not null identity always
 *     constraint person_pkey PRIMARY KEY (id)
 *
 *   view public.adults
 *     definition
 *     | SELECT ...
 *
 * A member is one line; a member that spans lines continues on lines that
 * start with "  |". Objects are separated by a blank line; lines starting
 * with "--" are comments.
 */
#ifndef GODWIT_SCHEMA_H
#define GODWIT_SCHEMA_H

#include "common.h"
#include "errors.h"
#include "project.h"

typedef struct gw_schema gw_schema;

typedef struct {
	unsigned int version;
	const char *const *schemas; /* only these schemas; NULL = all but the system ones */
	size_t nschemas;
	int privileges;          /* owners and grants */
	int ignore_column_order; /* columns sorted by name, and their order not compared */
	int include_history;     /* keep godwit's own tables */
} gw_schema_options;

#define GW_SCHEMA_OPTIONS_VERSION 1
#define GW_SCHEMA_OPTIONS_INIT                                                                     \
	{                                                                                          \
		.version = GW_SCHEMA_OPTIONS_VERSION                                               \
	}

typedef struct {
	const char *kind; /* schema, extension, enum, domain, type, sequence, table, view,
	                     matview, function, procedure, aggregate, event_trigger */
	const char *name; /* quoted where needed, schema-qualified where it has one */
	size_t nmembers;
	const char *const *members; /* sorted; may hold newlines */
} gw_schema_object;

/* Reads the schema of the project's database (connects if needed). */
GW_EXTERN(int)
gw_schema_snapshot(gw_schema **out, gw_project *project, const gw_schema_options *opts);
/* Parses the text form; errors name the line. */
GW_EXTERN(int)
gw_schema_parse(gw_schema **out, const char *text, size_t len, gw_ctx *ctx);
/* The text form, malloc'd (free it with free()). */
GW_EXTERN(int) gw_schema_text(char **out, const gw_schema *schema);
/* SHA-256 of the text form, as 64 hex digits and a NUL. */
GW_EXTERN(int) gw_schema_hash(char out[65], const gw_schema *schema);
/* "postgres" or "sqlite"; NULL when parsed from a file without a header. */
GW_EXTERN(const char *) gw_schema_dialect(const gw_schema *schema);
GW_EXTERN(size_t) gw_schema_count(const gw_schema *schema);
GW_EXTERN(const gw_schema_object *) gw_schema_get(const gw_schema *schema, size_t i);
GW_EXTERN(void) gw_schema_free(gw_schema *schema);

/* ---- differences --------------------------------------------------------- */

typedef enum {
	GW_SCHEMA_MISSING = 1, /* in A only */
	GW_SCHEMA_EXTRA = 2,   /* in B only */
	GW_SCHEMA_CHANGED = 3, /* in both, different */
} gw_schema_change;

typedef struct {
	gw_schema_change change;
	const char *key; /* "column email", "index person_email", "definition" */
	const char *a;   /* the member in A, NULL when missing */
	const char *b;   /* the member in B, NULL when extra */
} gw_schema_member_change;

typedef struct {
	gw_schema_change change;
	const char *kind;
	const char *name;
	size_t nchanges; /* member changes; 0 for a missing or extra object */
	const gw_schema_member_change *changes;
} gw_schema_difference;

typedef struct gw_schema_diff gw_schema_diff;

/* What differs between A and B, objects in snapshot order. Columns are
 * compared by position too: the same columns in another order are a
 * "column order" change (key "column order" or "attribute order", a and
 * b the names in each order, "column order id, a, b"). */
GW_EXTERN(int)
gw_schema_diff_compute(gw_schema_diff **out, const gw_schema *a, const gw_schema *b);
/* The same, with the options the snapshots were taken with: when
 * opts->ignore_column_order, columns are compared as a set (a file
 * written in position order then matches a database read by name). */
GW_EXTERN(int)
gw_schema_diff_compute_with(gw_schema_diff **out, const gw_schema *a, const gw_schema *b,
                            const gw_schema_options *opts);
GW_EXTERN(size_t) gw_schema_diff_count(const gw_schema_diff *diff);
GW_EXTERN(const gw_schema_difference *) gw_schema_diff_get(const gw_schema_diff *diff, size_t i);
/* One line per change, "table public.t: column c: int → bigint", lines of
 * changed definitions below with "-" and "+"; malloc'd, "" when equal. */
GW_EXTERN(int) gw_schema_diff_text(char **out, const gw_schema_diff *diff);
GW_EXTERN(void) gw_schema_diff_free(gw_schema_diff *diff);

/* ---- rows across an up/down cycle (`godwit test --rows`) ----------------- */

typedef struct gw_rows gw_rows;

/* Gives every empty table that will take one a probe row (defaults and
 * made-up values: 1, 'g', true, now(), the first enum label, '{}'); a table
 * whose constraints refuse it stays empty. godwit's own tables are left
 * alone. For an ephemeral database: it writes rows. */
GW_EXTERN(int) gw_rows_probe(gw_project *project);
/* The row count and a hash of the rows of every table (in opts' schemas,
 * without godwit's own tables). */
GW_EXTERN(int)
gw_rows_fingerprint(gw_rows **out, gw_project *project, const gw_schema_options *opts);
/* What happened to the rows of before's tables in after, as text ("table
 * public.t: 1 row before, 0 after; ..."), malloc'd; *out is NULL when every
 * table kept its rows. Tables only in after are not compared. */
GW_EXTERN(int) gw_rows_compare(char **out, const gw_rows *before, const gw_rows *after);
GW_EXTERN(void) gw_rows_free(gw_rows *rows);

/* ---- ephemeral databases ------------------------------------------------- */

/* A uniquely named, empty database on the server of a URL (PostgreSQL:
 * godwit_test_<pid>_<host hash>_<random>, created through a connection to
 * the URL's database) or a temporary file (SQLite). */
typedef struct gw_ephemeral gw_ephemeral;

GW_EXTERN(int) gw_ephemeral_create(gw_ephemeral **out, const char *url, gw_ctx *ctx);
/* The URL of the new database (it holds the password of the given URL). */
GW_EXTERN(const char *) gw_ephemeral_url(const gw_ephemeral *e);
/* The database name, or the file's path. */
GW_EXTERN(const char *) gw_ephemeral_name(const gw_ephemeral *e);
/* Drops the database (ending its sessions) and frees e. */
GW_EXTERN(int) gw_ephemeral_drop(gw_ephemeral *e);
/* Frees e and keeps the database, as it is (gw_ephemeral_keep marks it
 * kept first). */
GW_EXTERN(void) gw_ephemeral_free(gw_ephemeral *e);
/* Keeps the database (--keep) and frees e: PostgreSQL's is marked kept
 * (its comment), so gw_ephemeral_cleanup of a later run leaves it to the
 * user to drop; 0, or the error of marking it (it is kept anyway). */
GW_EXTERN(int) gw_ephemeral_keep(gw_ephemeral *e);
/* Drops the ephemeral databases on the URL's server left by runs of this
 * host that no longer run (killed), except the kept ones; *dropped gets
 * the count. */
GW_EXTERN(int) gw_ephemeral_cleanup(size_t *dropped, const char *url, gw_ctx *ctx);

/* ---- recorded snapshots (drift) ----------------------------------------- */

/* Stores the snapshot and its hash in godwit_schema_snapshots, next to the
 * history tables, after an up. */
GW_EXTERN(int) gw_schema_record(gw_project *project);
/* `drift --record`: gw_schema_record as a command of its own, recorded as
 * a "record-schema" event. */
GW_EXTERN(int) gw_schema_record_expected(gw_project *project);
/* The snapshot stored last; *out is NULL when none was recorded. */
GW_EXTERN(int) gw_schema_recorded(gw_schema **out, gw_project *project);

#endif
