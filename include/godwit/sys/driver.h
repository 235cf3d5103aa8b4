/*
 * godwit/sys/driver.h: the interface a database driver implements.
 *
 * A driver is a table of functions with capability flags. Each connection
 * is a driver-specific struct whose first member is a gw_conn, so the
 * library can hold any connection as a gw_conn *. Drivers report errors on
 * the connection's gw_ctx (message and SQLSTATE) and return GW_E* codes;
 * they never print.
 */
#ifndef GODWIT_SYS_DRIVER_H
#define GODWIT_SYS_DRIVER_H

#include "../common.h"
#include "../errors.h"

#define GW_DRIVER_VERSION 1

/* Capabilities. */
#define GW_CAP_TRANSACTIONAL_DDL (1u << 0) /* DDL rolls back with the transaction */
#define GW_CAP_ADVISORY_LOCK     (1u << 1) /* try_lock/unlock hold a session lock */
#define GW_CAP_PIPELINE          (1u << 2) /* exec_tx sends a batch in one round trip */
#define GW_CAP_ERROR_POSITION    (1u << 3) /* failures report a position */

/* SQL dialects the library knows how to split and to write history for. */
typedef enum { GW_DIALECT_POSTGRES = 1, GW_DIALECT_SQLITE = 2 } gw_dialect;

typedef struct gw_driver gw_driver;

/* The base of every connection. */
typedef struct gw_conn {
	const gw_driver *driver;
	gw_ctx *ctx; /* where errors and server notices go */
	/* Set by the library while a migration runs: a notice the server
	 * sends goes here instead of to ctx, with the index in the batch of
	 * the statement that raised it (exec_tx: 0 for the first statement;
	 * exec: 0), so it can be given its file and line. text is
	 * "SEVERITY: message". */
	void (*on_notice)(void *payload, size_t index, const char *text);
	void *notice_payload;
} gw_conn;

/* One statement with optional text parameters ($1, $2, ... in the SQL;
 * a NULL entry is SQL NULL). `len` is the length of `sql` in bytes. */
typedef struct gw_stmt {
	const char *sql;
	size_t len;
	const char *const *params;
	int nparams;
} gw_stmt;

/* Called once per result row; values[i] is NULL for SQL NULL. A non-zero
 * return stops the query and is returned by exec. */
typedef int (*gw_row_cb)(void *payload, int ncols, const char *const *values);
/* The same for exec_binary's rows: values[i] holds lengths[i] bytes in
 * the database's binary form, followed by a '\0'. */
typedef int (*gw_binrow_cb)(void *payload, int ncols, const char *const *values,
                            const int *lengths);

/* One query of a pipeline (exec_pipeline) and where its rows go. */
typedef struct gw_query {
	gw_stmt stmt;
	gw_row_cb cb; /* may be NULL */
	void *payload;
} gw_query;

/* Where a failed statement broke, for mapping back into the file. */
typedef struct gw_exec_failure {
	size_t index; /* which statement of the batch failed */
	int position; /* 1-based character position inside it; 0 if unknown */
} gw_exec_failure;

/* Who runs a connection's statements on the server, for telling a direct
 * session from one behind a pooler. */
typedef struct gw_session_info {
	int server_pid; /* the server process that ran the query */
	/* 0 when that is not the process the connection was given at startup:
	 * a pooler or proxy sits in between, and session state (an advisory
	 * lock) may stay with a server connection others get next. */
	int own;
	/* What in the connection names a transaction pooler, for messages
	 * ("the URL says pgbouncer=true"); NULL when nothing does. */
	const char *pooler;
} gw_session_info;

typedef struct gw_conn_options {
	const char *application_name; /* NULL = "godwit" */
	int busy_timeout_ms;          /* SQLite: how long to wait for the write lock */
} gw_conn_options;

struct gw_driver {
	int version; /* GW_DRIVER_VERSION */
	const char *name;
	const char *const *schemes; /* URL schemes, NULL-terminated */
	unsigned int caps;
	gw_dialect dialect;

	/* Connects. Errors name the masked URL, never the password, and say
	 * whether the server was unreachable (GW_ECONNECT) or refused the
	 * credentials (GW_EAUTH). */
	int (*open)(gw_conn **out, const char *url, const gw_conn_options *opts, gw_ctx *ctx);
	void (*close)(gw_conn *conn);

	/* Runs one statement outside any batch; rows go to cb (may be NULL). */
	int (*exec)(gw_conn *conn, const gw_stmt *stmt, gw_row_cb cb, void *payload);

	/* Runs all statements in one transaction: BEGIN, each statement in
	 * order, COMMIT, in one round trip where the driver can. SQLite begins
	 * with BEGIN IMMEDIATE so the batch holds the write lock from its
	 * start. On failure everything is rolled back, *failure says which
	 * statement broke and where, and the error is on the context. */
	int (*exec_tx)(gw_conn *conn, const gw_stmt *stmts, size_t n, gw_exec_failure *failure);

	/* Session-level advisory lock (GW_CAP_ADVISORY_LOCK); *acquired is 1
	 * when the lock was taken, 0 when another session holds it. */
	int (*try_lock)(gw_conn *conn, int64_t key, int *acquired);
	int (*unlock)(gw_conn *conn, int64_t key);
	/* Describes who holds the lock ("pid 123, application godwit, since
	 * ..."); *out is malloc'd, NULL when nobody holds it. */
	int (*lock_holder)(gw_conn *conn, int64_t key, char **out);

	/* Appends the quoted identifier to a malloc'd string in *out. */
	int (*quote_ident)(gw_conn *conn, const char *ident, char **out);

	/* The 1-based character position, inside its statement, of the error
	 * of the last failed exec; 0 when the database gave none. */
	int (*last_error_position)(gw_conn *conn);

	/* Copies the whole database into the file at path, or replaces the
	 * database with that file's content, online and consistently (SQLite's
	 * backup API). NULL for PostgreSQL, which the library backs up with
	 * pg_dump. */
	int (*backup)(gw_conn *conn, const char *path);
	int (*restore)(gw_conn *conn, const char *path);

	/* The server's version, e.g. "15.18"; valid while the connection is. */
	const char *(*server_version)(gw_conn *conn);

	/* Asks the server which process runs this connection's statements
	 * (one round trip). NULL for drivers without server sessions. */
	int (*session)(gw_conn *conn, gw_session_info *out);

	/* Asks the database to stop the statement running on conn, if any;
	 * its error then reaches the caller of exec or exec_tx. Must be
	 * async-signal-safe (a Ctrl-C handler calls it). NULL: no way to. */
	int (*cancel)(gw_conn *conn);

	/* Runs the queries (meant for reads: catalog queries) in order, sending
	 * them all before reading any result, so they cost one round trip
	 * where the driver can; each query's rows go to its own cb. The first error
	 * (the server's, or a callback's non-zero return) is returned and no
	 * rows are delivered after it. NULL: the library runs them one by one
	 * with exec. */
	int (*exec_pipeline)(gw_conn *conn, const gw_query *queries, size_t n);

	/* exec for a query the library wrote (a SELECT without parameters)
	 * whose rows are many: the same rows and values to cb, sent the
	 * cheapest way the database has (PostgreSQL: as a COPY of the query's
	 * result, taken apart in place). NULL: the library runs it with exec. */
	int (*exec_copy)(gw_conn *conn, const gw_stmt *stmt, gw_row_cb cb, void *payload);

	/* exec_copy with each value in the database's binary form, for a query
	 * the library wrote whose columns' types it knows: PostgreSQL's send
	 * formats (integers big-endian, timestamptz as microseconds since
	 * 2000-01-01 UTC, text as its bytes), as COPY's binary format holds
	 * them. No value is printed by the server and parsed back, and none
	 * depends on the session's DateStyle or TimeZone. NULL: the library
	 * reads the rows as text. */
	int (*exec_binary)(gw_conn *conn, const gw_stmt *stmt, gw_binrow_cb cb, void *payload);

	/* Loads the client library open needs (PostgreSQL: libpq and the
	 * libraries it links), which open otherwise loads at its first call.
	 * The library calls it before it starts a thread beside open: the
	 * loader's copy-on-write faults each flush the TLB of every core
	 * running a thread of the process, so loading alone is the cheaper
	 * way. NULL: nothing to load. */
	int (*load)(gw_ctx *ctx);
};

#endif
