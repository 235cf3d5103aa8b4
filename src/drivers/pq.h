/*
 * pq.h: libpq, loaded when the first PostgreSQL connection is opened.
 *
 * libpq drags in Kerberos, LDAP and a TLS stack; linking it would cost
 * every run of godwit, SQLite-only ones and `godwit version` included,
 * about 6 ms of dynamic loading (measured on Debian 12). So the driver
 * calls libpq through this table, filled by dlopen on first use, and the
 * macros below keep the driver's code written against the plain names.
 */
#ifndef GW_DRIVERS_PQ_H
#define GW_DRIVERS_PQ_H

#include <libpq-fe.h>

#include "godwit/errors.h"

/* The file name of libpq's stable ABI (libpq5 on Debian, Homebrew's libpq
 * on macOS). */
#ifdef __APPLE__
#define GW_LIBPQ_NAME "libpq.5.dylib"
#else
#define GW_LIBPQ_NAME "libpq.so.5"
#endif

#define GW_PQ_FUNCTIONS(X)                                                                         \
	X(PGconn *, PQconnectdbParams, (const char *const *, const char *const *, int))            \
	X(void, PQfinish, (PGconn *))                                                              \
	X(ConnStatusType, PQstatus, (const PGconn *))                                              \
	X(PGTransactionStatusType, PQtransactionStatus, (const PGconn *))                          \
	X(char *, PQerrorMessage, (const PGconn *))                                                \
	X(char *, PQpass, (const PGconn *))                                                        \
	X(const char *, PQparameterStatus, (const PGconn *, const char *))                         \
	X(PQnoticeReceiver, PQsetNoticeReceiver, (PGconn *, PQnoticeReceiver, void *))             \
	X(PGresult *, PQexec, (PGconn *, const char *))                                            \
	X(PGresult *, PQexecParams,                                                                \
	  (PGconn *, const char *, int, const Oid *, const char *const *, const int *,             \
	   const int *, int))                                                                      \
	X(int, PQsendQueryParams,                                                                  \
	  (PGconn *, const char *, int, const Oid *, const char *const *, const int *,             \
	   const int *, int))                                                                      \
	X(PGresult *, PQgetResult, (PGconn *))                                                     \
	X(int, PQsendQuery, (PGconn *, const char *))                                              \
	X(int, PQsendPrepare, (PGconn *, const char *, const char *, int, const Oid *))            \
	X(int, PQsendQueryPrepared,                                                                \
	  (PGconn *, const char *, int, const char *const *, const int *, const int *, int))       \
	X(int, PQsetSingleRowMode, (PGconn *))                                                     \
	X(int, PQenterPipelineMode, (PGconn *))                                                    \
	X(int, PQexitPipelineMode, (PGconn *))                                                     \
	X(int, PQpipelineSync, (PGconn *))                                                         \
	X(int, PQputCopyEnd, (PGconn *, const char *))                                             \
	X(int, PQgetCopyData, (PGconn *, char **, int))                                            \
	X(ExecStatusType, PQresultStatus, (const PGresult *))                                      \
	X(char *, PQresultErrorMessage, (const PGresult *))                                        \
	X(char *, PQresultErrorField, (const PGresult *, int))                                     \
	X(int, PQntuples, (const PGresult *))                                                      \
	X(int, PQnfields, (const PGresult *))                                                      \
	X(char *, PQgetvalue, (const PGresult *, int, int))                                        \
	X(int, PQgetisnull, (const PGresult *, int, int))                                          \
	X(int, PQgetlength, (const PGresult *, int, int))                                          \
	X(void, PQclear, (PGresult *))                                                             \
	X(char *, PQescapeIdentifier, (PGconn *, const char *, size_t))                            \
	X(void, PQfreemem, (void *))                                                               \
	X(int, PQbackendPID, (const PGconn *))                                                     \
	X(char *, PQport, (const PGconn *))                                                        \
	X(char *, PQhost, (const PGconn *))                                                        \
	X(int, PQlibVersion, (void))                                                               \
	X(PQconninfoOption *, PQconninfoParse, (const char *, char **))                            \
	X(void, PQconninfoFree, (PQconninfoOption *))                                              \
	X(PGcancel *, PQgetCancel, (PGconn *))                                                     \
	X(int, PQcancel, (PGcancel *, char *, int))                                                \
	X(void, PQfreeCancel, (PGcancel *))

#define GW_PQ_MEMBER(ret, name, args) ret(*name) args;
typedef struct gw_pq_api {
	GW_PQ_FUNCTIONS(GW_PQ_MEMBER)
} gw_pq_api;
#undef GW_PQ_MEMBER

extern gw_pq_api gw_pq;

/* Loads libpq once; GW_ERROR with what to install when it is missing or
 * older than 14. */
int gw_pq_load(gw_ctx *ctx);
/* Whether libpq has been loaded (and PQlibVersion may be called). */
int gw_pq_loaded(void);

#ifndef GW_PQ_NO_MACROS
#define PQconnectdbParams    gw_pq.PQconnectdbParams
#define PQfinish             gw_pq.PQfinish
#define PQstatus             gw_pq.PQstatus
#define PQtransactionStatus  gw_pq.PQtransactionStatus
#define PQerrorMessage       gw_pq.PQerrorMessage
#define PQpass               gw_pq.PQpass
#define PQparameterStatus    gw_pq.PQparameterStatus
#define PQsetNoticeReceiver  gw_pq.PQsetNoticeReceiver
#define PQexec               gw_pq.PQexec
#define PQexecParams         gw_pq.PQexecParams
#define PQsendQueryParams    gw_pq.PQsendQueryParams
#define PQgetResult          gw_pq.PQgetResult
#define PQsendQuery          gw_pq.PQsendQuery
#define PQsendPrepare        gw_pq.PQsendPrepare
#define PQsendQueryPrepared  gw_pq.PQsendQueryPrepared
#define PQsetSingleRowMode   gw_pq.PQsetSingleRowMode
#define PQenterPipelineMode  gw_pq.PQenterPipelineMode
#define PQexitPipelineMode   gw_pq.PQexitPipelineMode
#define PQpipelineSync       gw_pq.PQpipelineSync
#define PQputCopyEnd         gw_pq.PQputCopyEnd
#define PQgetCopyData        gw_pq.PQgetCopyData
#define PQresultStatus       gw_pq.PQresultStatus
#define PQresultErrorMessage gw_pq.PQresultErrorMessage
#define PQresultErrorField   gw_pq.PQresultErrorField
#define PQntuples            gw_pq.PQntuples
#define PQnfields            gw_pq.PQnfields
#define PQgetvalue           gw_pq.PQgetvalue
#define PQgetisnull          gw_pq.PQgetisnull
#define PQgetlength          gw_pq.PQgetlength
#define PQclear              gw_pq.PQclear
#define PQescapeIdentifier   gw_pq.PQescapeIdentifier
#define PQfreemem            gw_pq.PQfreemem
#define PQbackendPID         gw_pq.PQbackendPID
#define PQport               gw_pq.PQport
#define PQhost               gw_pq.PQhost
#define PQgetCancel          gw_pq.PQgetCancel
#define PQcancel             gw_pq.PQcancel
#define PQfreeCancel         gw_pq.PQfreeCancel
#define PQlibVersion         gw_pq.PQlibVersion
#define PQconninfoParse      gw_pq.PQconninfoParse
#define PQconninfoFree       gw_pq.PQconninfoFree
#endif

#endif
