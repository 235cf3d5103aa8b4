/*
 * pgprep.h: the statements a PostgreSQL session keeps prepared.
 *
 * Every migration's batch ends with the same history statement (the row
 * and its apply event), only its parameters differ. Sent unnamed, the
 * server parses, analyses and plans it again each time, most of what the
 * statement costs it (about 0.18 of its 0.21 ms, measured with pgbench).
 * Prepared once under a name, each later migration only binds and
 * executes it. The driver does this
 * for the parameterised statements of a batch (godwit's own bookkeeping;
 * a migration's own SQL never carries parameters).
 *
 * A name is "godwit_" and the first 96 bits of the text's SHA-256: a
 * statement of that name anywhere is the same text, so one left on a
 * pooled server connection can never run other SQL. A session that loses
 * them (DEALLOCATE ALL or DISCARD ALL in a migration, a transaction
 * pooler) makes the batch fail with 26000, and one that already has the
 * name with 42P05: everything rolled back, the driver runs the batch
 * again unprepared (a migration's notices are heard twice then, as on a
 * retry) and prepares nothing more on that session (gw_pgprep_off).
 */
#ifndef GW_DRIVERS_PGPREP_H
#define GW_DRIVERS_PGPREP_H

#include <stddef.h>

#include "drivers/pq.h"
#include "godwit/sys/driver.h"

#define GW_PGPREP_MAX   8  /* texts kept per session; more are sent unnamed */
#define GW_PGPREP_NAME  32 /* "godwit_" + 24 hex digits + NUL */
#define GW_PGPREP_BATCH 16 /* statements run by name in one batch; more go unnamed */

typedef struct gw_pgprep_entry {
	char *sql;
	size_t len;
	char name[GW_PGPREP_NAME];
	int ready; /* the server has it (its Parse succeeded) */
} gw_pgprep_entry;

/* Zeroed: empty and on. */
typedef struct gw_pgprep {
	gw_pgprep_entry e[GW_PGPREP_MAX];
	size_t count;
	int off; /* prepare nothing more on this session */
	/* The batch being sent: the queries that prepare a statement (their
	 * number from BEGIN's 0, and their entry) and the statements run by
	 * name (1-based, as gw_pgprep_number numbers them). */
	size_t parse_q[GW_PGPREP_MAX];
	gw_pgprep_entry *parse_e[GW_PGPREP_MAX];
	size_t nparse;
	size_t named[GW_PGPREP_BATCH];
	size_t nnamed;
} gw_pgprep;

/* A batch starts: nothing of it sent yet. */
void gw_pgprep_batch(gw_pgprep *c);
/* Queues statement i (0-based) of the batch, sql its NUL-terminated text,
 * as query *q (counted on), by name when it has parameters: the first
 * time after the Parse that prepares it, a query of its own. Returns 1
 * when the caller must send it unnamed, 0 when queued, -1 when libpq
 * refused to queue. */
int gw_pgprep_send(gw_pgprep *c, PGconn *pg, const char *sql, size_t len, const gw_stmt *stmt,
                   size_t i, size_t *q);
/* The statement a query of the batch belongs to: 0 for BEGIN and the
 * prelude (queries 0 to prelude), i + 1 for statement i and its Parse,
 * n + 1 for COMMIT. */
size_t gw_pgprep_number(const gw_pgprep *c, size_t prelude, size_t query);
/* The query's result succeeded: if it was a Parse, the session has the
 * statement (a prepared statement outlives a rollback). */
void gw_pgprep_done(gw_pgprep *c, size_t query);
/* Whether the batch failed, at statement number failed_at with sqlstate,
 * only because the session lost a statement run by name (26000) or
 * already had its name (42P05): unprepared, it would have gone on. */
int gw_pgprep_lost(const gw_pgprep *c, const char *sqlstate, size_t failed_at);
/* The batch is read: drops the entries whose Parse has not succeeded
 * (what gw_pgprep_lost reads is kept). */
void gw_pgprep_drop_unready(gw_pgprep *c);
/* Forgets every entry and prepares nothing more. */
void gw_pgprep_off(gw_pgprep *c);
void gw_pgprep_dispose(gw_pgprep *c);

#endif
