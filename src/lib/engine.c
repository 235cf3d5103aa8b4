/*
 * engine.c: the table of engines (engine.h) and the questions the runner
 * and the lock ask it.
 *
 * Each row says what its server documents; docs/scale.md says which rows
 * the test suite runs against the real server (PostgreSQL, SQLite) and
 * which only through PostgreSQL standing in for it (the lock and
 * transaction choices of citus, cockroachdb and yugabyte are exercised on
 * PostgreSQL; their servers' own behaviour is not).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pg_query/pg_query.pb-c.h>

#include "../util/backoff.h"
#include "../util/error.h"
#include "../util/text.h"
#include "../util/url.h"

/* A lock timeout and a deadlock: the migration gave way to live traffic. */
static const char *const pg_retry[] = {"55P03", "40P01", NULL};
/* And a serialization failure, which distributed engines return when
 * transactions conflict (CockroachDB's "restart transaction"). */
static const char *const dist_retry[] = {"55P03", "40P01", "40001", NULL};

/* Citus's functions that refuse to run inside a transaction block
 * (PreventInTransactionBlock in Citus's source). */
static const char *const citus_alone[] = {
        "create_distributed_table_concurrently", "citus_cleanup_orphaned_shards",
        "citus_cleanup_orphaned_resources", "start_metadata_sync_to_node", NULL};

static int crdb_settle(gw_project *p, const gw_migration *m);

static const gw_engine engines[] = {
        {"postgres", GW_DIALECT_POSTGRES, GW_ENGINE_LOCK_ADVISORY, 1, 1, 1, 1, pg_retry, NULL,
         NULL},
        {"sqlite", GW_DIALECT_SQLITE, GW_ENGINE_LOCK_NONE, 0, 1, 0, 0, NULL, NULL, NULL},
        /* DDL on distributed tables is propagated to the workers inside
         * the coordinator's transaction; the runner lock and the history
         * live on the coordinator. */
        {"citus", GW_DIALECT_POSTGRES, GW_ENGINE_LOCK_ADVISORY, 1, 1, 1, 1, pg_retry, citus_alone,
         NULL},
        /* No advisory locks; schema changes are jobs, not atomic with
         * the writes of their transaction. */
        {"cockroachdb", GW_DIALECT_POSTGRES, GW_ENGINE_LOCK_LEASE, 1, 0, 1, 0, dist_retry, NULL,
         crdb_settle},
        /* Advisory locks only in recent versions behind a flag; DDL not
         * transactional on versions without ysql_yb_ddl_transaction_block
         * _enabled. */
        {"yugabyte", GW_DIALECT_POSTGRES, GW_ENGINE_LOCK_LEASE, 1, 0, 1, 1, dist_retry, NULL, NULL},
};

static const struct {
	const char *name;
	const char *engine;
} aliases[] = {
        {"postgresql", "postgres"},
        {"sqlite3", "sqlite"},
        {"yugabytedb", "yugabyte"},
};

/* The URL schemes that name an engine; the postgres driver takes them. */
static const struct {
	const char *scheme;
	const char *engine;
} schemes[] = {
        {"cockroachdb", "cockroachdb"},
        {"yugabytedb", "yugabyte"},
};

const gw_engine *gw_engine_named(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(name, aliases[i].name))
			name = aliases[i].engine;
	for (i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (!strcmp(name, engines[i].name))
			return &engines[i];
	return NULL;
}

const gw_engine *gw_engine_default(gw_dialect sql)
{
	return sql == GW_DIALECT_SQLITE ? &engines[1] : &engines[0];
}

const gw_engine *gw_engine_for_scheme(const char *url)
{
	char scheme[32];
	size_t i;

	if (!url || gw_url_scheme(scheme, sizeof(scheme), url) < 0)
		return NULL;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (!strcmp(scheme, schemes[i].scheme))
			return gw_engine_named(schemes[i].engine);
	return NULL;
}

int gw_engine_resolve(const gw_engine **out, const gw_driver *driver, const char *url,
                      int url_given, const char *dialect, gw_ctx *ctx)
{
	const gw_engine *by_scheme = gw_engine_for_scheme(url);
	const gw_engine *named = gw_engine_named(dialect);

	*out = gw_engine_default(driver->dialect);
	if (by_scheme) {
		/* The URL is the more specific of the two. */
		if (named && named != by_scheme && named->sql == by_scheme->sql &&
		    named != gw_engine_default(named->sql))
			return gw_error_set(ctx, GW_EINVALID,
			                    "the database URL is a %s URL but the dialect setting "
			                    "says %s",
			                    by_scheme->name, named->name);
		*out = by_scheme;
		return 0;
	}
	if (!named)
		return 0;
	if (named->sql != driver->dialect) {
		/* The embedded SQLite default says nothing about the engine:
		 * the dialect setting then speaks of the SQL only (validate,
		 * lint). */
		if (url_given && named != gw_engine_default(named->sql))
			return gw_error_set(ctx, GW_EINVALID,
			                    "dialect = %s needs a postgres:// URL, not a %s one",
			                    named->name, driver->name);
		return 0;
	}
	*out = named;
	return 0;
}

gw_engine_lock gw_engine_lock_for(const gw_engine *e, int lock_table)
{
	return lock_table ? GW_ENGINE_LOCK_LEASE : e->lock;
}

int gw_engine_retries(const gw_engine *e, const char *sqlstate)
{
	const char *const *s;

	for (s = e->retry_sqlstates; s && *s; s++)
		if (!strcmp(*s, sqlstate))
			return 1;
	return 0;
}

int gw_engine_is_ddl(const char *sql, size_t len)
{
	static const char *const ddl[] = {"CREATE",   "ALTER",  "DROP",    "TRUNCATE", "COMMENT",
	                                  "GRANT",    "REVOKE", "REINDEX", "DO",       "CALL",
	                                  "SECURITY", "IMPORT", NULL};
	const char *const *k;
	char buf[64];
	const char *kw = gw_sql_stmt_keyword(sql, len, buf, sizeof(buf)), *sp = strchr(kw, ' ');
	size_t n = sp ? (size_t)(sp - kw) : strlen(kw);

	for (k = ddl; *k; k++)
		if (strlen(*k) == n && !strncasecmp(kw, *k, n))
			return 1;
	return 0;
}

/* Whether word (lowercase) occurs in text, in any case. */
static int has_word_ci(const char *text, size_t len, const char *word)
{
	size_t n = strlen(word), i;

	for (i = 0; i + n <= len; i++)
		if (!strncasecmp(text + i, word, n))
			return 1;
	return 0;
}

/* The name of the function a top-level `SELECT f(...)` calls, if it is one
 * of names. */
static int calls_one_of(const char **found, const char *sql, size_t len, const char *const *names,
                        gw_ctx *ctx)
{
	PgQuery__ParseResult *tree = NULL;
	const PgQuery__SelectStmt *sel;
	const char *const *k;
	gw_str syntax = GW_STR_INIT;
	size_t i;
	int any = 0, error = 0;

	*found = NULL;
	for (k = names; *k && !any; k++)
		any = has_word_ci(sql, len, *k);
	/* Parsing is for the few statements that name one: a false positive
	 * in a comment or a string costs only the parse. */
	if (!any || (error = gw_sql_parse_tree(&tree, sql, len, &syntax, NULL, ctx)) < 0 || !tree ||
	    tree->n_stmts != 1 || !tree->stmts[0]->stmt ||
	    tree->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
		goto cleanup;
	sel = tree->stmts[0]->stmt->select_stmt;
	for (i = 0; i < sel->n_target_list && !*found; i++) {
		const PgQuery__Node *t = sel->target_list[i], *v;
		const PgQuery__FuncCall *fc;
		const PgQuery__Node *last;

		if (t->node_case != PG_QUERY__NODE__NODE_RES_TARGET || !(v = t->res_target->val) ||
		    v->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
			continue;
		fc = v->func_call;
		if (!fc->n_funcname)
			continue;
		last = fc->funcname[fc->n_funcname - 1];
		if (last->node_case != PG_QUERY__NODE__NODE_STRING)
			continue;
		for (k = names; *k; k++)
			if (!strcmp(last->string->sval, *k))
				*found = *k;
	}
cleanup:
	gw_sql_parse_tree_free(tree);
	gw_str_dispose(&syntax);
	return error;
}

int gw_engine_needs_alone(const char **why, const gw_engine *e, const char *sql, size_t len,
                          char *buf, size_t bufsize, gw_ctx *ctx)
{
	const char *fn = NULL;
	int error;

	*why = NULL;
	if (!e->transactional_ddl && gw_engine_is_ddl(sql, len)) {
		*why = gw_sql_stmt_keyword(sql, len, buf, bufsize);
		return 0;
	}
	if (!e->no_tx_calls || (error = calls_one_of(&fn, sql, len, e->no_tx_calls, ctx)) < 0)
		return e->no_tx_calls ? error : 0;
	if (fn) {
		snprintf(buf, bufsize, "%s()", fn);
		*why = buf;
	}
	return 0;
}

/* ---- CockroachDB's schema change jobs -------------------------------------- */

static int count_row(void *payload, int ncols, const char *const *values)
{
	if (ncols > 0 && values[0])
		*(long *)payload = atol(values[0]);
	return 0;
}

/* CockroachDB runs a schema change as a job that may still be running
 * (backfilling an index, validating a constraint) when the statement that
 * started it has returned; the next statement could see the old schema.
 * So the runner, which holds the migration lock, waits until no schema
 * change job is pending, running or reverting. A paused job is not waited
 * for: it does not finish until someone resumes it. A server without
 * crdb_internal.jobs (not CockroachDB) has no jobs to wait for: said once. */
static int crdb_settle(gw_project *p, const gw_migration *m)
{
	static const char sql[] =
	        "SELECT count(*) FROM crdb_internal.jobs WHERE job_type IN ('SCHEMA CHANGE', "
	        "'NEW SCHEMA CHANGE') AND status IN ('pending', 'running', 'reverting')";
	long jobs = 0;
	int attempt = 0, told = 0, error;

	if (p->engine_no_jobs)
		return 0;
	for (;;) {
		if ((error = gw_project__exec(p, sql, NULL, 0, count_row, &jobs)) < 0) {
			const gw_error *e = gw_ctx_error(p->ctx);

			if (!e || strcmp(e->sqlstate, "42P01"))
				return error;
			gw_ctx_clear_error(p->ctx);
			p->engine_no_jobs = 1;
			gw_notify(
			        p->ctx, GW_NOTICE_WARNING, m->version, m->name, NULL, -1,
			        "dialect = cockroachdb, but the server has no crdb_internal.jobs: "
			        "not waiting for schema change jobs");
			return 0;
		}
		if (jobs <= 0)
			return 0;
		if (p->cancelled)
			return gw_project__cancel_error(p,
			                                "stopped while waiting for %ld schema "
			                                "change job(s) of CockroachDB",
			                                jobs);
		if (!told++)
			gw_notify(
			        p->ctx, GW_NOTICE_INFO, m->version, m->name, NULL, -1,
			        "%s %s: waiting for %ld CockroachDB schema change job(s) to finish",
			        m->version, m->name, jobs);
		gw_sleep_ms(gw_backoff_ms(attempt < 5 ? ++attempt : 5, 50, 1000));
	}
}
