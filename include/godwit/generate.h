/*
 * godwit/generate.h: the SQL that turns one schema into another, the
 * engine of `schema diff --sql`, `generate` and `drift --against`.
 *
 * gw_schema_sql compares two snapshots (include/godwit/schema.h) and
 * writes the statements that turn the first into the second, ordered by
 * dependencies, in the forms that are safe on a live database by default.
 * Its reverse (the down) is gw_schema_sql with the two swapped. What it
 * cannot express (removing an enum value) is a comment in the script and
 * counted, so a caller can refuse to write something wrong.
 *
 * gw_schema_load reads a schema from any of the sources those commands
 * take: a database URL, a snapshot file, a file or folder of DDL or a
 * command that prints DDL (replayed on an ephemeral database), or the
 * project's migrations (replayed likewise).
 */
#ifndef GODWIT_GENERATE_H
#define GODWIT_GENERATE_H

#include "common.h"
#include "errors.h"
#include "project.h"
#include "schema.h"

typedef struct {
	unsigned int version;
	/* Renames, "old=new": "public.a=public.b" for a relation or type,
	 * "public.t.a=public.t.b" for a column. Never guessed. */
	const char *const *renames;
	size_t nrenames;
	int privileges; /* owners and grants too (snapshots taken with them) */
	int plain;      /* no live-safe forms: plain CREATE INDEX, ADD CONSTRAINT */
	/* A column B has in the middle of a table goes at the end (ALTER
	 * TABLE ADD COLUMN, with a warning) instead of the table being
	 * rebuilt in B's column order. */
	int column_order_append;
} gw_sql_options;

#define GW_SQL_OPTIONS_VERSION 2
#define GW_SQL_OPTIONS_INIT                                                                        \
	{                                                                                          \
		.version = GW_SQL_OPTIONS_VERSION                                                  \
	}

typedef struct gw_sql gw_sql;

/* The statements that turn `from` into `to`. Errors: GW_EINVALID for a
 * rename that names nothing, GW_ENOMEM. */
GW_EXTERN(int)
gw_schema_sql(gw_sql **out, const gw_schema *from, const gw_schema *to, const gw_sql_options *opts,
              gw_ctx *ctx);
/* The script: statements ending in ";", warnings and what cannot be
 * expressed as "--" comment lines; "" when the schemas are equal. */
GW_EXTERN(const char *) gw_sql_text(const gw_sql *sql);
/* The script in three parts, for up to three migrations: head runs in a
 * transaction; middle in one of its own (VALIDATE CONSTRAINT, which must
 * not run in the transaction that added the constraint, and SET NOT NULL
 * after it); tail (CREATE INDEX CONCURRENTLY and what needs it) outside
 * any. Each "" when empty. */
GW_EXTERN(const char *) gw_sql_head(const gw_sql *sql);
GW_EXTERN(const char *) gw_sql_middle(const gw_sql *sql);
GW_EXTERN(const char *) gw_sql_tail(const gw_sql *sql);
/* 1 when head must run outside a transaction too: a new enum value is
 * used by a later statement. */
GW_EXTERN(int) gw_sql_head_no_transaction(const gw_sql *sql);
/* Changes the script cannot express (each a "-- cannot be expressed"
 * comment in it). */
GW_EXTERN(size_t) gw_sql_unexpressed(const gw_sql *sql);
/* Warnings (a table rewrite, a column order that cannot be matched). */
GW_EXTERN(size_t) gw_sql_warning_count(const gw_sql *sql);
GW_EXTERN(const char *) gw_sql_warning(const gw_sql *sql, size_t i);
/* The number of statements. */
GW_EXTERN(size_t) gw_sql_count(const gw_sql *sql);
GW_EXTERN(void) gw_sql_free(gw_sql *sql);

/* ---- schema sources ---------------------------------------------------- */

typedef struct {
	unsigned int version;
	/* The server of the ephemeral database DDL and migrations are replayed
	 * on; NULL: the project's. */
	const char *server_url;
	const gw_schema_options *schema; /* NULL: defaults */
} gw_load_options;

#define GW_LOAD_OPTIONS_VERSION 1
#define GW_LOAD_OPTIONS_INIT                                                                       \
	{                                                                                          \
		.version = GW_LOAD_OPTIONS_VERSION                                                 \
	}

/* A schema from `spec`: "migrations" (every migration of the folder,
 * replayed; always so, even when the current folder has a file or folder
 * of that name, which "./migrations" names), "!COMMAND" (its standard output is DDL; run by
 * /bin/sh), a folder (its *.sql files in name order are DDL), a file (a snapshot when it starts
 * with "-- godwit schema snapshot", else DDL), or a database URL. DDL runs on an ephemeral database
 * made and dropped for it. */
GW_EXTERN(int)
gw_schema_load(gw_schema **out, gw_project *project, const char *spec, const gw_load_options *opts);

/* ---- generating a migration -------------------------------------------- */

typedef struct {
	unsigned int version;
	const char *source;              /* the desired schema, as for gw_schema_load */
	const char *server_url;          /* ephemeral databases; NULL: the project's */
	const gw_sql_options *sql;       /* NULL: defaults */
	const gw_schema_options *schema; /* NULL: defaults */
} gw_generate_options;

#define GW_GENERATE_OPTIONS_VERSION 1
#define GW_GENERATE_OPTIONS_INIT                                                                   \
	{                                                                                          \
		.version = GW_GENERATE_OPTIONS_VERSION                                             \
	}

typedef struct gw_generated gw_generated;

/* What turns the schema of the folder's migrations (all of them, replayed
 * on an ephemeral database) into `source`'s: one migration per non-empty
 * part of the script (gw_sql_head, _middle, _tail), each with its down,
 * made from the real schema between them in plain forms (a down runs in
 * one transaction). Every script is proven on that database before it is
 * returned: the ups must give source's schema, each down the schema
 * before its up; a script that does not is GW_ERROR with the difference.
 * Nothing is proven, and no migration given, when something cannot be
 * expressed (gw_generated_unexpressed). */
GW_EXTERN(int)
gw_project_generate(gw_generated **out, gw_project *project, const gw_generate_options *opts);
/* 0 when the migrations' schema already equals source's. */
GW_EXTERN(size_t) gw_generated_count(const gw_generated *g);
GW_EXTERN(const char *) gw_generated_up(const gw_generated *g, size_t i);
GW_EXTERN(const char *) gw_generated_down(const gw_generated *g, size_t i);
GW_EXTERN(int) gw_generated_no_transaction(const gw_generated *g, size_t i);
/* What gw_project_write_generated adds to the name: "", "_validate" or
 * "_concurrently". */
GW_EXTERN(const char *) gw_generated_suffix(const gw_generated *g, size_t i);
/* The whole up and down scripts, for showing what cannot be expressed. */
GW_EXTERN(const gw_sql *) gw_generated_sql(const gw_generated *g, int down);
/* Changes of the up or down that cannot be expressed; nothing to write
 * when not 0. */
GW_EXTERN(size_t) gw_generated_unexpressed(const gw_generated *g);
GW_EXTERN(void) gw_generated_free(gw_generated *g);
/* Writes migration i of g as `name` in the folder's convention (with
 * "_validate" or "_concurrently" added for the later parts); *path gets
 * the up file. */
GW_EXTERN(int)
gw_project_write_generated(char **path, gw_project *project, const gw_generated *g, size_t i,
                           const char *name);

#endif
