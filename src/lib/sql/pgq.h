/*
 * pgq.h: libpg_query, the PostgreSQL parser, loaded when SQL is first
 * parsed.
 *
 * Most runs never parse PostgreSQL SQL: status, plan and history read the
 * folder and the history table, and SQLite projects use SQLite's own
 * splitter. Linked, libpg_query would cost each of them its loading and
 * its 9,000 relocations, whose pages stay in the process: about 0.7 MiB
 * of peak RSS, measured on status. So where it is a shared library
 * (GW_PGQUERY_SONAME, found by CMakeLists.txt) the parser is called
 * through this table, filled by dlopen on first use, as libpq is
 * (src/drivers/pq.h); where it is linked (the portable build's static
 * archive, macOS), the table holds the linked functions.
 */
#ifndef GW_LIB_SQL_PGQ_H
#define GW_LIB_SQL_PGQ_H

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "godwit/errors.h"

#define GW_PGQ_FUNCTIONS(X)                                                                        \
	X(PgQuerySplitResult, pg_query_split_with_parser, (const char *))                          \
	X(void, pg_query_free_split_result, (PgQuerySplitResult))                                  \
	X(PgQueryProtobufParseResult, pg_query_parse_protobuf, (const char *))                     \
	X(void, pg_query_free_protobuf_parse_result, (PgQueryProtobufParseResult))                 \
	X(PgQueryPlpgsqlParseResult, pg_query_parse_plpgsql, (const char *))                       \
	X(void, pg_query_free_plpgsql_parse_result, (PgQueryPlpgsqlParseResult))                   \
	X(PgQuery__ParseResult *, pg_query__parse_result__unpack,                                  \
	  (ProtobufCAllocator *, size_t, const uint8_t *))                                         \
	X(void, pg_query__parse_result__free_unpacked,                                             \
	  (PgQuery__ParseResult *, ProtobufCAllocator *))

/* The message descriptors the linter's generic walk compares against
 * (lint_secrets.c, lint_tx.c). */
#define GW_PGQ_DATA(X)                                                                             \
	X(const ProtobufCMessageDescriptor, pg_query__a__const__descriptor)                        \
	X(const ProtobufCMessageDescriptor, pg_query__func_call__descriptor)

#define GW_PGQ_FN(ret, name, args) ret(*name) args;
#define GW_PGQ_OBJ(type, name)     type *name;
typedef struct gw_pgq_api {
	GW_PGQ_FUNCTIONS(GW_PGQ_FN)
	GW_PGQ_DATA(GW_PGQ_OBJ)
} gw_pgq_api;
#undef GW_PGQ_FN
#undef GW_PGQ_OBJ

extern gw_pgq_api gw_pgq;

/* Loads libpg_query once (any thread); GW_ERROR with what to install when
 * it is missing or lacks a function. */
int gw_pgq_load(gw_ctx *ctx);

#ifndef GW_PGQ_NO_MACROS
#define pg_query_split_with_parser            gw_pgq.pg_query_split_with_parser
#define pg_query_free_split_result            gw_pgq.pg_query_free_split_result
#define pg_query_parse_protobuf               gw_pgq.pg_query_parse_protobuf
#define pg_query_free_protobuf_parse_result   gw_pgq.pg_query_free_protobuf_parse_result
#define pg_query_parse_plpgsql                gw_pgq.pg_query_parse_plpgsql
#define pg_query_free_plpgsql_parse_result    gw_pgq.pg_query_free_plpgsql_parse_result
#define pg_query__parse_result__unpack        gw_pgq.pg_query__parse_result__unpack
#define pg_query__parse_result__free_unpacked gw_pgq.pg_query__parse_result__free_unpacked
#define pg_query__a__const__descriptor        (*gw_pgq.pg_query__a__const__descriptor)
#define pg_query__func_call__descriptor       (*gw_pgq.pg_query__func_call__descriptor)
#endif

#endif
