/*
 * pooler.c: refusing the session advisory lock behind a transaction pooler.
 *
 * PgBouncer in transaction mode (Supabase's port 6543, the pooled URLs of
 * Vercel's Neon and Supabase integrations) hands each transaction to
 * whichever server connection is free. A session advisory lock taken
 * through it stays on that server connection: the next transaction may run
 * elsewhere, and another runner's may run there and find the lock its own.
 * Two deploys would then migrate at once. So before taking the lock, the
 * runner looks for a transaction pooler, and refuses the lock if it finds
 * one, pointing to the direct URL or `lock = table` (lease.c).
 *
 * The signs, cheapest first: the connection string names a pooler
 * (pgbouncer=true, Supabase's port 6543, a Neon "-pooler." host); else the
 * server process that answers is not the one the connection was given at
 * startup (poolers make up their own), and then, to tell a transaction
 * pooler from a session one, whether the server process changes between
 * two transactions while a second connection holds one open (a session
 * pooler keeps the process for the client).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

static int pid_row(void *payload, int ncols, const char *const *values)
{
	if (ncols > 0 && values[0])
		*(int *)payload = atoi(values[0]);
	return 0;
}

static int exec_on(gw_conn *conn, const char *sql, int *pid)
{
	gw_stmt stmt = {sql, strlen(sql), NULL, 0};

	return conn->driver->exec(conn, &stmt, pid ? pid_row : NULL, pid);
}

/* With a second connection inside a transaction: whether this
 * connection's statements moved to another server process, or the second
 * connection's transaction ran on this one's. 1 yes, 0 no (a session
 * pooler or proxy), -1 when it could not be checked. */
static int transactions_move(gw_project *p, const gw_session_info *first)
{
	gw_conn_options copts = {p->app_name, p->lock_wait_ms};
	gw_session_info again;
	gw_conn *other = NULL;
	gw_ctx *ctx = NULL;
	int other_pid = 0, moved = -1;

	if (gw_ctx_new(&ctx) < 0 || p->driver->open(&other, p->url, &copts, ctx) < 0)
		goto cleanup;
	if (exec_on(other, "BEGIN", NULL) < 0 ||
	    exec_on(other, "SELECT pg_backend_pid()", &other_pid) < 0)
		goto cleanup;
	if (p->driver->session(p->conn, &again) < 0) {
		gw_ctx_clear_error(p->ctx);
		goto cleanup;
	}
	moved = other_pid == first->server_pid || again.server_pid != first->server_pid;
cleanup:
	if (other) {
		exec_on(other, "ROLLBACK", NULL);
		p->driver->close(other);
	}
	gw_ctx_free(ctx);
	return moved;
}

int gw_project__check_pooler(gw_project *p)
{
	gw_session_info info;
	const char *why = NULL;
	int error, moved;

	if (!p->driver->session)
		return 0;
	if ((error = p->driver->session(p->conn, &info)) < 0)
		return error;
	if (info.pooler) {
		why = info.pooler;
	} else if (!info.own) {
		moved = transactions_move(p, &info);
		if (moved > 0)
			why = "the server process changes from one transaction to the next";
		else if (moved < 0)
			why = "a pooler answers instead of the server, and its mode could not be "
			      "checked";
	}
	if (!why)
		return 0;
	gw_error_set(p->ctx, GW_ELOCK,
	             "the connection goes through a transaction pooler (%s): a session advisory "
	             "lock would not keep other runners out",
	             why);
	gw_error_set_hint(p->ctx, "use the direct URL (POSTGRES_URL_NON_POOLING, "
	                          "DATABASE_URL_UNPOOLED or DIRECT_URL), or set lock = table "
	                          "(--lock table)");
	return GW_ELOCK;
}
