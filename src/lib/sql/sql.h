/*
 * sql.h: splitting a migration's SQL into statements and telling how each
 * must run.
 *
 * PostgreSQL text is split by the real PostgreSQL parser (libpg_query,
 * through pgquery.c, the only file that includes pg_query.h); SQLite text by
 * sqlite3_complete. Each statement gets a kind: ordinary, a transaction
 * control statement (BEGIN, COMMIT, ... which a wrapped migration must not
 * contain), or one that cannot run inside a transaction block.
 */
#ifndef GW_LIB_SQL_H
#define GW_LIB_SQL_H

#include <stddef.h>

#include "godwit/errors.h"
#include "godwit/sys/driver.h"

typedef enum {
	GW_STMT_PLAIN = 0,
	GW_STMT_TRANSACTION, /* BEGIN, START TRANSACTION, COMMIT, ROLLBACK, END, ... */
	GW_STMT_NO_TX,       /* CREATE INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM, ... */
	GW_STMT_COPY_STDIN,  /* COPY ... FROM STDIN: needs data a migration cannot send */
} gw_stmt_kind;

typedef struct gw_sql_stmt {
	size_t offset; /* byte offset of the statement's first token in the text */
	size_t len;    /* bytes up to, not including, its terminating ';' */
	gw_stmt_kind kind;
} gw_sql_stmt;

typedef struct gw_sql_list {
	gw_sql_stmt *items;
	size_t count;
} gw_sql_list;

#define GW_SQL_LIST_INIT                                                                           \
	{                                                                                          \
		NULL, 0                                                                            \
	}

/* Splits text (len bytes, need not be NUL-terminated). Statements holding
 * only comments or whitespace are dropped. On a syntax error returns
 * GW_ESYNTAX with the parser's message on ctx and *error_offset set to the
 * byte offset in text where it broke. */
int gw_sql_split(gw_sql_list *out, gw_dialect dialect, const char *text, size_t len,
                 size_t *error_offset, gw_ctx *ctx);
void gw_sql_list_dispose(gw_sql_list *list);

/* A short description of a statement kind for messages, e.g. "BEGIN". */
const char *gw_sql_stmt_keyword(const char *text, size_t len, char *buf, size_t bufsize);
/* 0 when no statement of text can be one that cannot run in a transaction
 * (GW_STMT_NO_TX, either dialect): none of the words such a statement
 * needs (CONCURRENTLY, VACUUM, REINDEX, DATABASE, ...) occurs in it. A
 * cheap test that spares parsing most migrations; 1 says nothing. */
int gw_sql_may_need_no_tx(const char *text, size_t len);

/* libpg_query's version string, for `godwit version`. */
const char *gw_sql_parser_version(void);

/* Internal: the PostgreSQL half of gw_sql_split, in pgquery.c. */
int gw_sql__split_postgres(gw_sql_list *out, const char *text, size_t len, size_t *error_offset,
                           gw_ctx *ctx);

/* ---- for the linter (lint*.c) ------------------------------------------- */

struct PgQuery__ParseResult;
struct gw_str;

/* The full typed parse tree of text (len bytes), unpacked from libpg_query's
 * protobuf. SQL that does not parse is not an error here: *out is NULL,
 * *syntax gets the parser's message and *error_offset the byte offset where
 * it broke. Negative only when out of memory. */
int gw_sql_parse_tree(struct PgQuery__ParseResult **out, const char *text, size_t len,
                      struct gw_str *syntax, size_t *error_offset, gw_ctx *ctx);
void gw_sql_parse_tree_free(struct PgQuery__ParseResult *tree);

/* Compiles the PL/pgSQL body of one CREATE FUNCTION/PROCEDURE or DO
 * statement (len bytes). 0 when it compiles; 1 when it does not, with the
 * message in *message and the body line the compiler was near in
 * *near_line (1-based, a leading newline of the body not counted, 0 when
 * unknown). Negative only when out of memory. */
int gw_sql_check_plpgsql(const char *stmt, size_t len, struct gw_str *message, int *near_line,
                         gw_ctx *ctx);

/* What a CREATE INDEX CONCURRENTLY or REINDEX ... CONCURRENTLY statement
 * builds, so the runner can check the index is valid afterwards and drop
 * the invalid one a failed build left before running it again. */
typedef enum {
	GW_INDEX_BUILD_NONE = 0,
	GW_INDEX_BUILD_CREATE,        /* CREATE INDEX CONCURRENTLY name ON table */
	GW_INDEX_BUILD_REINDEX_INDEX, /* REINDEX (CONCURRENTLY) INDEX index */
	GW_INDEX_BUILD_REINDEX_TABLE, /* REINDEX (CONCURRENTLY) TABLE table */
} gw_index_build_kind;

typedef struct gw_index_build {
	gw_index_build_kind kind;
	int if_not_exists;
	char *schema; /* as written (unquoted), or NULL for the search path */
	char *table;  /* CREATE and REINDEX TABLE: the table */
	char *index;  /* CREATE: the index's name; REINDEX INDEX: the index */
} gw_index_build;

#define GW_INDEX_BUILD_INIT                                                                        \
	{                                                                                          \
		GW_INDEX_BUILD_NONE, 0, NULL, NULL, NULL                                           \
	}

/* Fills *out from one PostgreSQL statement (len bytes); kind NONE when it
 * is not such a statement, does not parse, or (CREATE INDEX without a name)
 * names no index to look up. Negative only when out of memory. */
int gw_sql_index_build(gw_index_build *out, const char *text, size_t len, gw_ctx *ctx);
void gw_index_build_dispose(gw_index_build *b);

/* How the runner must run a parsed statement (as gw_sql_split decides). */
struct PgQuery__Node;
gw_stmt_kind gw_sql_classify_node(const struct PgQuery__Node *stmt);

#endif
