/*
 * engine.h: what differs between the database engines godwit migrates,
 * as one table of settings per engine, so that the runner and the lock
 * ask the engine instead of testing its name.
 *
 * A driver speaks a wire protocol and an SQL dialect (PostgreSQL's or
 * SQLite's); an engine is a server behind one of them, with its own
 * answer to "which runner lock", "may DDL share a transaction", "which
 * statements must run alone", "which failures are worth a retry" and
 * "what to wait for after a schema change". PostgreSQL and SQLite are the
 * engines of their drivers; Citus, CockroachDB and YugabyteDB speak
 * PostgreSQL's protocol and are chosen with the `dialect` setting or the
 * URL's scheme (cockroachdb://, yugabytedb://). docs/scale.md says which
 * of their settings were run against the real server and which were not.
 */
#ifndef GW_LIB_ENGINE_H
#define GW_LIB_ENGINE_H

#include <stddef.h>

#include "godwit/sys/driver.h"

struct gw_project;
struct gw_migration;

/* The runner lock. */
typedef enum {
	/* None of its own: each migration's transaction takes the database's
	 * write lock and re-checks the history row first (SQLite). */
	GW_ENGINE_LOCK_NONE = 0,
	GW_ENGINE_LOCK_ADVISORY, /* a session advisory lock, polled */
	GW_ENGINE_LOCK_LEASE,    /* a lease row in godwit_lock, with a heartbeat */
} gw_engine_lock;

typedef struct gw_engine {
	const char *name; /* what the dialect setting and messages call it */
	gw_dialect sql;   /* the driver dialect it runs behind */
	/* The runner lock when `lock = table` does not ask for the lease;
	 * an engine without advisory locks has the lease here. */
	gw_engine_lock lock;
	int lease; /* lock = table works (the lease's SQL is PostgreSQL's) */
	/* 0: a migration with a schema change runs statement by statement,
	 * each statement in a transaction of its own, its progress recorded
	 * (as a no-transaction migration does). */
	int transactional_ddl;
	/* lock_timeout and statement_timeout are set with SET [LOCAL]. */
	int timeouts;
	/* A failed CREATE INDEX CONCURRENTLY leaves an INVALID index in
	 * pg_index, which is dropped before the statement runs again. */
	int index_builds;
	/* SQLSTATEs that mean "try again": the transaction was rolled back
	 * because of other sessions, not because the migration is wrong.
	 * NULL-terminated; NULL: none. */
	const char *const *retry_sqlstates;
	/* Functions whose call (SELECT f(...)) must not run inside a
	 * transaction block on this engine, beyond the statements the SQL
	 * parser knows (CREATE INDEX CONCURRENTLY, ...). NULL-terminated. */
	const char *const *no_tx_calls;
	/* After a schema change committed: waits for the work the engine
	 * finishes in the background (CockroachDB's schema change jobs).
	 * NULL: the statement's end is the change's end. */
	int (*settle)(struct gw_project *p, const struct gw_migration *m);
} gw_engine;

/* The engine a name stands for: postgres (postgresql), sqlite (sqlite3),
 * citus, cockroachdb, yugabyte (yugabytedb); NULL when none. */
const gw_engine *gw_engine_named(const char *name);

/* The engine of a driver dialect when nothing names another one. */
const gw_engine *gw_engine_default(gw_dialect sql);

/* The engine a URL's scheme names (cockroachdb://, yugabytedb://); NULL
 * when the scheme names none (postgres://, sqlite:). */
const gw_engine *gw_engine_for_scheme(const char *url);

/* The engine of a project: the URL scheme's, else the dialect setting's
 * when it names one the driver speaks, else the driver's. A dialect that
 * the driver does not speak is an error when url_given (dialect =
 * cockroachdb with a sqlite: URL); without a URL it is the embedded
 * SQLite's default, and the dialect setting speaks only of the SQL. */
int gw_engine_resolve(const gw_engine **out, const gw_driver *driver, const char *url,
                      int url_given, const char *dialect, gw_ctx *ctx);

/* The runner lock a run takes: the lease when lock_table, else the
 * engine's. */
gw_engine_lock gw_engine_lock_for(const gw_engine *e, int lock_table);

/* 1 when a failure with this SQLSTATE is one to retry on this engine. */
int gw_engine_retries(const gw_engine *e, const char *sqlstate);

/* 1 when the statement changes the schema, from its first word: CREATE,
 * ALTER, DROP, TRUNCATE, COMMENT, GRANT, REVOKE, REINDEX, and DO and
 * CALL, whose bodies may. */
int gw_engine_is_ddl(const char *sql, size_t len);

/* *why: what makes the engine run this statement outside a transaction
 * block with others ("CREATE TABLE" on an engine without transactional
 * DDL, "create_distributed_table_concurrently()"), in buf; NULL when
 * nothing does. Beyond GW_STMT_NO_TX, which every engine of the dialect
 * shares. Negative only when out of memory. */
int gw_engine_needs_alone(const char **why, const gw_engine *e, const char *sql, size_t len,
                          char *buf, size_t bufsize, gw_ctx *ctx);

#endif
