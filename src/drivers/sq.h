/*
 * sq.h: SQLite, loaded when godwit first opens an SQLite database (or
 * splits or checks SQLite text).
 *
 * A run against PostgreSQL never touches SQLite. Linked, libsqlite3 was
 * loaded and relocated at every start, and it stood in the global scope
 * that every symbol of libpq's 21 libraries is looked up through when
 * libpq is loaded, on the connect's critical path. So where it
 * is a shared library (GW_SQLITE_SONAME, found by CMakeLists.txt) SQLite
 * is called through this table, filled by dlopen on first use, as libpq
 * is (pq.h); where it is linked (the portable build's static archive,
 * macOS), the table holds the linked functions.
 */
#ifndef GW_DRIVERS_SQ_H
#define GW_DRIVERS_SQ_H

#include <sqlite3.h>

#include "godwit/errors.h"

#define GW_SQ_FUNCTIONS(X)                                                                         \
	X(int, sqlite3_open, (const char *, sqlite3 **))                                           \
	X(int, sqlite3_open_v2, (const char *, sqlite3 **, int, const char *))                     \
	X(int, sqlite3_close, (sqlite3 *))                                                         \
	X(int, sqlite3_busy_timeout, (sqlite3 *, int))                                             \
	X(int, sqlite3_extended_result_codes, (sqlite3 *, int))                                    \
	X(int, sqlite3_exec,                                                                       \
	  (sqlite3 *, const char *, int (*)(void *, int, char **, char **), void *, char **))      \
	X(int, sqlite3_prepare_v2, (sqlite3 *, const char *, int, sqlite3_stmt **, const char **)) \
	X(int, sqlite3_step, (sqlite3_stmt *))                                                     \
	X(int, sqlite3_finalize, (sqlite3_stmt *))                                                 \
	X(int, sqlite3_bind_null, (sqlite3_stmt *, int))                                           \
	X(int, sqlite3_bind_parameter_index, (sqlite3_stmt *, const char *))                       \
	X(int, sqlite3_bind_text, (sqlite3_stmt *, int, const char *, int, void (*)(void *)))      \
	X(int, sqlite3_column_count, (sqlite3_stmt *))                                             \
	X(const unsigned char *, sqlite3_column_text, (sqlite3_stmt *, int))                       \
	X(int, sqlite3_column_type, (sqlite3_stmt *, int))                                         \
	X(const char *, sqlite3_errmsg, (sqlite3 *))                                               \
	X(const char *, sqlite3_errstr, (int))                                                     \
	X(int, sqlite3_error_offset, (sqlite3 *))                                                  \
	X(int, sqlite3_get_autocommit, (sqlite3 *))                                                \
	X(void, sqlite3_interrupt, (sqlite3 *))                                                    \
	X(int, sqlite3_sleep, (int))                                                               \
	X(int, sqlite3_complete, (const char *))                                                   \
	X(const char *, sqlite3_libversion, (void))                                                \
	X(sqlite3_backup *, sqlite3_backup_init,                                                   \
	  (sqlite3 *, const char *, sqlite3 *, const char *))                                      \
	X(int, sqlite3_backup_step, (sqlite3_backup *, int))                                       \
	X(int, sqlite3_backup_finish, (sqlite3_backup *))

#define GW_SQ_MEMBER(ret, name, args) ret(*name) args;
typedef struct gw_sq_api {
	GW_SQ_FUNCTIONS(GW_SQ_MEMBER)
} gw_sq_api;
#undef GW_SQ_MEMBER

extern gw_sq_api gw_sq;

/* Loads SQLite once (any thread); GW_ERROR with what to install when it
 * is missing or lacks a function. Every path to the functions below
 * calls it first. */
int gw_sq_load(gw_ctx *ctx);
/* Whether SQLite is loaded (or linked), so that its version may be asked. */
int gw_sq_loaded(void);

#ifndef GW_SQ_NO_MACROS
#define sqlite3_open                  gw_sq.sqlite3_open
#define sqlite3_open_v2               gw_sq.sqlite3_open_v2
#define sqlite3_close                 gw_sq.sqlite3_close
#define sqlite3_busy_timeout          gw_sq.sqlite3_busy_timeout
#define sqlite3_extended_result_codes gw_sq.sqlite3_extended_result_codes
#define sqlite3_exec                  gw_sq.sqlite3_exec
#define sqlite3_prepare_v2            gw_sq.sqlite3_prepare_v2
#define sqlite3_step                  gw_sq.sqlite3_step
#define sqlite3_finalize              gw_sq.sqlite3_finalize
#define sqlite3_bind_null             gw_sq.sqlite3_bind_null
#define sqlite3_bind_parameter_index  gw_sq.sqlite3_bind_parameter_index
#define sqlite3_bind_text             gw_sq.sqlite3_bind_text
#define sqlite3_column_count          gw_sq.sqlite3_column_count
#define sqlite3_column_text           gw_sq.sqlite3_column_text
#define sqlite3_column_type           gw_sq.sqlite3_column_type
#define sqlite3_errmsg                gw_sq.sqlite3_errmsg
#define sqlite3_errstr                gw_sq.sqlite3_errstr
#define sqlite3_error_offset          gw_sq.sqlite3_error_offset
#define sqlite3_get_autocommit        gw_sq.sqlite3_get_autocommit
#define sqlite3_interrupt             gw_sq.sqlite3_interrupt
#define sqlite3_sleep                 gw_sq.sqlite3_sleep
#define sqlite3_complete              gw_sq.sqlite3_complete
#define sqlite3_libversion            gw_sq.sqlite3_libversion
#define sqlite3_backup_init           gw_sq.sqlite3_backup_init
#define sqlite3_backup_step           gw_sq.sqlite3_backup_step
#define sqlite3_backup_finish         gw_sq.sqlite3_backup_finish
#endif

#endif
