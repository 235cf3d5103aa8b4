/*
 * health.c: checks of a database and its migrations (`godwit health`), and
 * the pre-flight subset that up runs before it changes anything.
 *
 * Every check is a catalog query through the driver, values passed as
 * parameters. A check reports a status, a one-line summary and a line per
 * offending object (a session, an index), so a deploy log shows exactly
 * who holds things up.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "godwit/health.h"
#include "../util/backoff.h"
#include "../util/error.h"
#include "../util/url.h"

typedef struct check_item {
	gw_check pub;
	gw_vec details;
} check_item;

struct gw_report {
	gw_vec items; /* check_item * */
	gw_vec strings;
	int failed;
};

static const char *keep(gw_report *r, gw_str *s)
{
	char *text = gw_str_detach(s);

	if (!text || gw_vec_push(&r->strings, text) < 0) {
		free(text);
		r->failed = 1;
		return "";
	}
	return text;
}

static check_item *add_check(gw_report *r, const char *name, gw_check_status status,
                             long long value, const char *fmt, ...) GW_FORMAT_PRINTF(5, 6);

static check_item *add_check(gw_report *r, const char *name, gw_check_status status,
                             long long value, const char *fmt, ...)
{
	check_item *c = calloc(1, sizeof(*c));
	gw_str s = GW_STR_INIT;
	va_list ap;

	if (!c || gw_vec_push(&r->items, c) < 0) {
		free(c);
		r->failed = 1;
		return NULL;
	}
	va_start(ap, fmt);
	gw_str_vprintf(&s, fmt, ap);
	va_end(ap);
	c->pub.name = name;
	c->pub.status = status;
	c->pub.value = value;
	c->pub.summary = keep(r, &s);
	return c;
}

/* A check whose summary ends in an action a program words itself
 * (gw_text_hint): the summary is the context, then the library's wording
 * of code. */
static void add_check_hint(gw_report *r, const char *name, gw_check_status status, int code,
                           const char *arg0, const char *fmt, ...) GW_FORMAT_PRINTF(6, 7);
static void add_check_hint(gw_report *r, const char *name, gw_check_status status, int code,
                           const char *arg0, const char *fmt, ...)
{
	gw_str context = GW_STR_INIT, arg = GW_STR_INIT;
	check_item *c;
	va_list ap;

	va_start(ap, fmt);
	gw_str_vprintf(&context, fmt, ap);
	va_end(ap);
	gw_str_puts(&arg, arg0);
	if ((c = add_check(r, name, status, -1, "%s", context.ptr))) {
		c->pub.hint.code = code;
		c->pub.hint.context = keep(r, &context);
		c->pub.hint.args[0] = keep(r, &arg);
		c->pub.hint.args[1] = "";
		gw_str_puts(&context, c->pub.summary);
		gw_hint_wording(&context, code, c->pub.hint.args[0], "");
		c->pub.summary = keep(r, &context);
	}
	gw_str_dispose(&context);
	gw_str_dispose(&arg);
}

static void add_detail(gw_report *r, check_item *c, const char *text)
{
	gw_str s = GW_STR_INIT;
	const char *kept;

	if (!c)
		return;
	gw_str_puts(&s, text);
	kept = keep(r, &s);
	if (gw_vec_push(&c->details, (void *)(uintptr_t)kept) < 0)
		r->failed = 1;
	c->pub.details = (const char *const *)c->details.items;
	c->pub.ndetails = c->details.len;
}

/* ---- queries ------------------------------------------------------------ */

typedef struct rows {
	gw_vec lines; /* each row joined with the separator, malloc'd */
	const char *sep;
	long long first; /* the first column of the first row as a number */
	int failed;      /* a row could not be kept (out of memory) */
} rows;

static int collect_row(void *payload, int ncols, const char *const *values)
{
	rows *rs = payload;
	gw_str s = GW_STR_INIT;
	char *line;
	int i;

	if (rs->lines.len == 0)
		rs->first = values[0] ? strtoll(values[0], NULL, 10) : -1;
	for (i = 0; i < ncols; i++)
		gw_str_printf(&s, "%s%s", i ? rs->sep : "", values[i] ? values[i] : "");
	/* A row lost to memory must fail the check, not read as a NULL line
	 * or as fewer rows. */
	if (!(line = gw_str_detach(&s)) || gw_vec_push(&rs->lines, line) < 0) {
		free(line);
		rs->failed = 1;
		return GW_ENOMEM;
	}
	return 0;
}

static int query(rows *out, gw_project *p, const char *sql, const char *param)
{
	gw_stmt stmt = {sql, strlen(sql), &param, param ? 1 : 0};

	out->first = -1;
	if (!out->sep)
		out->sep = " ";
	int error = p->conn->driver->exec(p->conn, &stmt, collect_row, out);

	return out->failed ? gw_error_oom(p->ctx) : error;
}

static void rows_dispose(rows *rs)
{
	gw_vec_dispose(&rs->lines, free);
}

/* Why a query failed, for the check it fails. */
static const char *failure(gw_project *p)
{
	const gw_error *e = gw_ctx_error(p->ctx);

	return e ? e->message : "the query failed";
}

static long long clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- the checks --------------------------------------------------------- */

static int check_connection(gw_report *r, gw_project *p)
{
	rows rs = {GW_VEC_INIT, NULL, 0, 0};
	long long start;
	gw_conn *conn;
	int error;

	/* A SQLite file that is not there is a finding: connecting would
	 * create it, and health changes nothing. */
	if (gw_project__database_missing(p)) {
		gw_str path = GW_STR_INIT;

		gw_url_sqlite_path(&path, p->opts.url);
		add_check_hint(r, "connection", GW_CHECK_FAIL, GW_HINT_HEALTH_NO_DATABASE, "",
		               "the SQLite database %s does not exist ", path.ptr);
		gw_str_dispose(&path);
		return 1;
	}
	if ((error = gw_project__connect(&conn, p)) < 0) {
		add_check(r, "connection", GW_CHECK_FAIL, -1, "cannot connect: %s",
		          gw_ctx_error(p->ctx)->message);
		return error;
	}
	/* The first query of a session warms the server's caches; the
	 * second is the round trip a migration pays. */
	if ((error = query(&rs, p, "SELECT 1", NULL)) < 0)
		goto cleanup;
	start = clock_us();
	error = query(&rs, p, "SELECT 1", NULL);
cleanup:
	rows_dispose(&rs);
	if (error < 0) {
		add_check(r, "connection", GW_CHECK_FAIL, -1, "%s", failure(p));
		return error;
	}
	add_check(r, "connection", GW_CHECK_OK, (clock_us() - start) / 1000,
	          "connected to %s; a round trip takes %.2f ms", p->display_url,
	          (double)(clock_us() - start) / 1000.0);
	return 0;
}

static void check_server_version(gw_report *r, gw_project *p)
{
	const char *v = p->driver->server_version(p->conn);
	/* min_server_version is a PostgreSQL version. */
	int old = p->driver->dialect == GW_DIALECT_POSTGRES && p->opts.min_server_version &&
	          gw_version_cmp(v, p->opts.min_server_version) < 0;

	if (old)
		add_check(r, "server_version", GW_CHECK_FAIL, -1,
		          "%s %s is older than the required %s", p->driver->name, v,
		          p->opts.min_server_version);
	else
		add_check(r, "server_version", GW_CHECK_OK, -1, "%s %s", p->driver->name, v);
}

static int check_extensions(gw_report *r, gw_project *p, gw_check_status level)
{
	rows have = {GW_VEC_INIT, NULL, 0, 0}, missing = {GW_VEC_INIT, NULL, 0, 0};
	check_item *c;
	size_t i;
	int error;

	(void)level;
	if ((error = query(&have, p, "SELECT extname, extversion FROM pg_extension ORDER BY 1",
	                   NULL)) < 0)
		goto cleanup;
	if (p->opts.required_extensions &&
	    (error = query(&missing, p,
	                   "SELECT trim(e) FROM unnest(string_to_array($1, ',')) e WHERE trim(e) "
	                   "<> '' AND NOT EXISTS (SELECT 1 FROM pg_available_extensions a WHERE "
	                   "a.name = trim(e)) ORDER BY 1",
	                   p->opts.required_extensions)) < 0)
		goto cleanup;
	if (missing.lines.len)
		c = add_check(r, "extensions", GW_CHECK_FAIL, (long long)missing.lines.len,
		              "%zu required extension%s not available on the server",
		              missing.lines.len, missing.lines.len == 1 ? " is" : "s are");
	else
		c = add_check(r, "extensions", GW_CHECK_OK, (long long)have.lines.len,
		              "%zu installed", have.lines.len);
	for (i = 0; i < missing.lines.len; i++)
		add_detail(r, c, missing.lines.items[i]);
	for (i = 0; i < have.lines.len; i++)
		add_detail(r, c, have.lines.items[i]);
cleanup:
	rows_dispose(&have);
	rows_dispose(&missing);
	return error;
}

static int check_long_transactions(gw_report *r, gw_project *p, gw_check_status level)
{
	rows rs = {GW_VEC_INIT, NULL, 0, 0};
	char age[32];
	check_item *c;
	size_t i;
	int error, limit_ms;

	if (!p->opts.max_transaction_age)
		return 0;
	limit_ms = p->opts.max_transaction_age;
	snprintf(age, sizeof(age), "%d milliseconds", limit_ms);
	/* Both states block DDL: an active transaction and one that sits
	 * idle with its locks held. */
	error = query(&rs, p,
	              "SELECT 'pid ' || pid || ' (' || coalesce(application_name, '') || ', ' || "
	              "state || ' for ' || to_char(now() - xact_start, 'HH24:MI:SS') || "
	              "'): ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 80) "
	              "FROM pg_stat_activity WHERE datname = current_database() "
	              "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
	              "AND xact_start < now() - $1::interval ORDER BY xact_start",
	              age);
	if (error == 0) {
		if (rs.lines.len)
			c = add_check(r, "long_transactions", level, (long long)rs.lines.len,
			              "%zu session%s in a transaction for longer than %.1f s",
			              rs.lines.len, rs.lines.len == 1 ? " has been" : "s have been",
			              (double)limit_ms / 1000.0);
		else
			c = add_check(r, "long_transactions", GW_CHECK_OK, 0,
			              "no transaction older than %.1f s",
			              (double)limit_ms / 1000.0);
		for (i = 0; i < rs.lines.len; i++)
			add_detail(r, c, rs.lines.items[i]);
	}
	rows_dispose(&rs);
	return error;
}

static int check_connections(gw_report *r, gw_project *p, gw_check_status level)
{
	rows rs = {GW_VEC_INIT, NULL, 0, 0};
	int error = query(&rs, p,
	                  "SELECT count(*) FROM pg_stat_activity WHERE datname = "
	                  "current_database() AND backend_type = 'client backend'",
	                  NULL);

	if (error == 0) {
		if (p->opts.max_connections > 0 && rs.first > p->opts.max_connections)
			add_check(r, "connections", level, rs.first,
			          "%lld connections to the database, over the limit of %d",
			          rs.first, p->opts.max_connections);
		else
			add_check(r, "connections", GW_CHECK_OK, rs.first,
			          "%lld connections to the database", rs.first);
	}
	rows_dispose(&rs);
	return error;
}

/* Lists what a query returns as one check that fails (or warns) when it
 * returns anything. */
static int check_listing(gw_report *r, gw_project *p, const char *name, gw_check_status level,
                         const char *sql, const char *param, const char *found, const char *none)
{
	rows rs = {GW_VEC_INIT, NULL, 0, 0};
	check_item *c;
	size_t i;
	int error = query(&rs, p, sql, param);

	if (error == 0) {
		c = rs.lines.len ? add_check(r, name, level, (long long)rs.lines.len, "%zu %s",
		                             rs.lines.len, found)
		                 : add_check(r, name, GW_CHECK_OK, 0, "%s", none);
		for (i = 0; i < rs.lines.len; i++)
			add_detail(r, c, rs.lines.items[i]);
	}
	rows_dispose(&rs);
	return error;
}

static int check_migrations(gw_report *r, gw_project *p)
{
	gw_status *st = NULL;
	size_t pending, bad;
	int error = gw_project_status(&st, p);

	if (error < 0) {
		add_check(r, "migrations", GW_CHECK_FAIL, -1, "%s", failure(p));
		gw_ctx_clear_error(p->ctx);
		return 0;
	}
	pending = gw_status_count_state(st, GW_STATE_PENDING) +
	          gw_status_count_state(st, GW_STATE_OUT_OF_ORDER);
	bad = gw_status_count_state(st, GW_STATE_DIRTY) +
	      gw_status_count_state(st, GW_STATE_CHANGED);
	add_check(r, "migrations",
	          bad       ? GW_CHECK_FAIL
	          : pending ? GW_CHECK_WARN
	                    : GW_CHECK_OK,
	          (long long)(pending + bad),
	          "%zu applied, %zu pending, %zu dirty, %zu changed, %zu missing",
	          gw_status_count_state(st, GW_STATE_APPLIED), pending,
	          gw_status_count_state(st, GW_STATE_DIRTY),
	          gw_status_count_state(st, GW_STATE_CHANGED),
	          gw_status_count_state(st, GW_STATE_MISSING));
	/* up refuses such a database until it is adopted. */
	if (gw_status_other_tool(st))
		add_check_hint(r, "other_history", GW_CHECK_FAIL, GW_HINT_ADOPT_FROM,
		               gw_status_other_tool(st),
		               "the %s history (%s) is here and godwit's is empty; ",
		               gw_status_other_tool(st), gw_status_other_table(st));
	gw_status_free(st);
	return 0;
}

static int check_tables(gw_report *r, gw_project *p, gw_check_status level)
{
	(void)level;
	return check_listing(r, p, "tables", GW_CHECK_FAIL,
	                     "SELECT trim(t) FROM unnest(string_to_array($1, ',')) t WHERE "
	                     "trim(t) <> '' AND to_regclass(trim(t)) IS NULL ORDER BY 1",
	                     p->opts.required_tables, "required tables missing",
	                     "every required table exists");
}

static int check_invalid_indexes(gw_report *r, gw_project *p, gw_check_status level)
{
	(void)level;
	return check_listing(r, p, "invalid_indexes", GW_CHECK_FAIL,
	                     "SELECT n.nspname || '.' || c.relname FROM pg_index i JOIN "
	                     "pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid "
	                     "= c.relnamespace WHERE NOT i.indisvalid ORDER BY 1",
	                     NULL,
	                     "invalid indexes (a failed CREATE INDEX CONCURRENTLY?); drop and "
	                     "create them again",
	                     "no invalid index");
}

static int check_lock_holders(gw_report *r, gw_project *p, gw_check_status level)
{
	(void)level;
	return check_listing(r, p, "lock_holders", GW_CHECK_WARN,
	                     "SELECT DISTINCT 'pid ' || h.pid || ' blocks ' || "
	                     "(SELECT count(*) FROM pg_stat_activity w WHERE h.pid = ANY "
	                     "(pg_blocking_pids(w.pid))) || ' session(s): ' || "
	                     "left(regexp_replace(h.query, '\\s+', ' ', 'g'), 80) FROM "
	                     "pg_stat_activity h WHERE h.datname = current_database() AND "
	                     "EXISTS (SELECT 1 FROM pg_stat_activity w "
	                     "WHERE h.pid = ANY (pg_blocking_pids(w.pid))) ORDER BY 1",
	                     NULL, "sessions hold locks that others wait for",
	                     "no session is blocking another");
}

static int check_not_valid(gw_report *r, gw_project *p, gw_check_status level)
{
	(void)level;
	return check_listing(r, p, "not_valid", GW_CHECK_WARN,
	                     "SELECT format('%I.%I', n.nspname, t.relname) || ' ' || "
	                     "quote_ident(c.conname) || CASE c.contype WHEN 'f' THEN ' (foreign "
	                     "key)' ELSE ' (check)' END FROM pg_constraint c JOIN pg_class t ON "
	                     "t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
	                     "WHERE NOT c.convalidated ORDER BY 1",
	                     NULL,
	                     "constraints still NOT VALID (rows written before them are not "
	                     "checked); ALTER TABLE ... VALIDATE CONSTRAINT them",
	                     "every constraint is validated");
}

/* One query per foreign key, written by the server (format's %I quotes
 * every name): its referencing columns, read from at most `sample` rows
 * of the table, without a referenced row. Rows with a NULL in the key
 * are not checked (MATCH SIMPLE). Columns: label, query. */
static const char ORPHAN_QUERIES_SQL[] =
        "SELECT format('%I.%I', n.nspname, t.relname) || ' ' || quote_ident(c.conname) || "
        "CASE WHEN c.convalidated THEN '' ELSE ' (NOT VALID)' END, "
        "format('SELECT count(*) FROM (SELECT %s FROM %I.%I%s) c WHERE %s AND NOT EXISTS "
        "(SELECT 1 FROM %I.%I p WHERE %s)', "
        "string_agg(format('%I', ca.attname), ', ' ORDER BY k.i), n.nspname, t.relname, "
        "CASE WHEN $1::int > 0 THEN ' LIMIT ' || $1::int ELSE '' END, "
        "string_agg(format('c.%I IS NOT NULL', ca.attname), ' AND ' ORDER BY k.i), "
        "pn.nspname, pt.relname, "
        "string_agg(format('p.%I = c.%I', pa.attname, ca.attname), ' AND ' ORDER BY k.i)) "
        "FROM pg_constraint c "
        "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
        "JOIN pg_class pt ON pt.oid = c.confrelid "
        "JOIN pg_namespace pn ON pn.oid = pt.relnamespace "
        "CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(ck, pk, i) "
        "JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = k.ck "
        "JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.pk "
        "WHERE c.contype = 'f' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "GROUP BY c.oid, c.conname, c.convalidated, n.nspname, t.relname, pn.nspname, "
        "pt.relname ORDER BY 1";

#define FIELD_SEP "\x1f"

static int run_sql(gw_project *p, const char *sql)
{
	gw_stmt stmt = {sql, strlen(sql), NULL, 0};

	return p->conn->driver->exec(p->conn, &stmt, NULL, NULL);
}

/* Counts the orphan rows of one foreign key, in a transaction of its own
 * whose statement_timeout is integrity_timeout: *timed_out when it took
 * longer (not an error: the check says so). */
static int count_orphans(long long *count, int *timed_out, gw_project *p, const char *sql)
{
	rows rs = {GW_VEC_INIT, NULL, 0, 0};
	char timeout[64];
	int error;

	*count = 0;
	*timed_out = 0;
	snprintf(timeout, sizeof(timeout), "SET LOCAL statement_timeout = %d",
	         p->opts.integrity_timeout > 0 ? p->opts.integrity_timeout : 0);
	if ((error = run_sql(p, "BEGIN READ ONLY")) < 0)
		return error;
	if ((error = run_sql(p, timeout)) == 0 && (error = query(&rs, p, sql, NULL)) == 0)
		*count = rs.first;
	if (error < 0 && !strcmp(gw_ctx_error(p->ctx)->sqlstate, "57014")) {
		gw_ctx_clear_error(p->ctx);
		*timed_out = 1;
		error = 0;
	}
	rows_dispose(&rs);
	/* Only reads ran: ending it either way changes nothing. */
	if (error == 0)
		error = run_sql(p, "ROLLBACK");
	else
		run_sql(p, "ROLLBACK");
	return error;
}

static int check_orphans(gw_report *r, gw_project *p, gw_check_status level)
{
	rows fks = {GW_VEC_INIT, FIELD_SEP, 0, 0};
	gw_vec found = GW_VEC_INIT;
	char sample[32];
	check_item *c;
	size_t i, slow = 0;
	int error;

	(void)level;
	snprintf(sample, sizeof(sample), "%d",
	         p->opts.integrity_sample > 0 ? p->opts.integrity_sample : 0);
	if ((error = query(&fks, p, ORPHAN_QUERIES_SQL, sample)) < 0)
		goto cleanup;
	for (i = 0; i < fks.lines.len && error == 0; i++) {
		char *label = fks.lines.items[i], *sql = strstr(label, FIELD_SEP);
		gw_str line = GW_STR_INIT;
		long long n;
		int timed_out;

		if (!sql)
			continue;
		*sql = '\0';
		sql += strlen(FIELD_SEP);
		if ((error = count_orphans(&n, &timed_out, p, sql)) < 0)
			break;
		if (timed_out)
			gw_str_printf(&line, "%s: not checked, it took longer than %.1f s", label,
			              (double)p->opts.integrity_timeout / 1000.0);
		else if (n > 0)
			gw_str_printf(&line, "%s: %lld row%s without the row %s refer%s to", label,
			              n, n == 1 ? "" : "s", n == 1 ? "it" : "they",
			              n == 1 ? "s" : "");
		slow += timed_out;
		if (line.size && gw_vec_push(&found, gw_str_detach(&line)) < 0)
			error = gw_error_oom(p->ctx);
		gw_str_dispose(&line);
	}
	if (error < 0)
		goto cleanup;
	if (found.len > slow)
		c = add_check(r, "orphan_rows", GW_CHECK_FAIL, (long long)(found.len - slow),
		              "%zu foreign key%s with orphan rows (%s rows of each table read)",
		              found.len - slow, found.len - slow == 1 ? "" : "s",
		              p->opts.integrity_sample > 0 ? sample : "all");
	else if (slow)
		c = add_check(r, "orphan_rows", GW_CHECK_WARN, 0,
		              "%zu foreign key%s not checked in time", slow, slow == 1 ? "" : "s");
	else
		c = add_check(r, "orphan_rows", GW_CHECK_OK, 0,
		              "no orphan rows behind %zu foreign key%s", fks.lines.len,
		              fks.lines.len == 1 ? "" : "s");
	for (i = 0; i < found.len; i++)
		add_detail(r, c, found.items[i]);
cleanup:
	gw_vec_dispose(&found, free);
	rows_dispose(&fks);
	return error;
}

/* A sequence's limit is the lower of its own maximum and that of the
 * integer column it feeds (a bigint sequence behind an int column stops
 * at 2^31 - 1): at 75 % used it warns, at 90 % it fails. Ordered by how
 * full, so the first row's first column (per mille) is the worst. */
static int check_sequences(gw_report *r, gw_project *p, gw_check_status level)
{
	rows rs = {GW_VEC_INIT, FIELD_SEP, 0, 0};
	check_item *c;
	size_t i;
	int error;

	(void)level;
	error = query(&rs, p,
	              "SELECT floor(1000 * s.last_value::numeric / l.lim)::bigint, "
	              "format('%I.%I', s.schemaname, s.sequencename) || ': ' || s.last_value || "
	              "' of ' || l.lim || ' (' || round(100 * s.last_value::numeric / l.lim, 1) "
	              "|| '%)' FROM pg_sequences s "
	              "LEFT JOIN pg_depend d ON d.objid = format('%I.%I', s.schemaname, "
	              "s.sequencename)::regclass AND d.classid = 'pg_class'::regclass AND "
	              "d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
	              "LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = "
	              "d.refobjsubid "
	              "CROSS JOIN LATERAL (SELECT least(s.max_value, CASE a.atttypid WHEN "
	              "'int2'::regtype THEN 32767 WHEN 'int4'::regtype THEN 2147483647 ELSE "
	              "s.max_value END) AS lim) l "
	              "WHERE s.last_value IS NOT NULL AND s.increment_by > 0 AND l.lim > 0 AND "
	              "s.last_value::numeric >= 0.75 * l.lim ORDER BY 1 DESC, 2",
	              NULL);
	if (error == 0) {
		c = rs.lines.len
		            ? add_check(r, "sequences",
		                        rs.first >= 900 ? GW_CHECK_FAIL : GW_CHECK_WARN,
		                        (long long)rs.lines.len,
		                        "%zu sequence%s close to %s maximum", rs.lines.len,
		                        rs.lines.len == 1 ? " is" : "s are",
		                        rs.lines.len == 1 ? "its" : "their")
		            : add_check(r, "sequences", GW_CHECK_OK, 0, "no sequence is 75%% used");
		for (i = 0; i < rs.lines.len; i++) {
			const char *text = strstr(rs.lines.items[i], FIELD_SEP);

			add_detail(r, c, text ? text + strlen(FIELD_SEP) : rs.lines.items[i]);
		}
	}
	rows_dispose(&rs);
	return error;
}

/* Tables of the exposed schemas (not partitions: a query through the
 * parent applies the parent's policies; not godwit's own tables) without
 * row-level security, or with it on and no policy at all. */
static int check_rls(gw_report *r, gw_project *p, gw_check_status level)
{
	const char *schemas;

	(void)level;
	/* "none" turns the check off; unset, a Supabase project's public. */
	if (p->opts.rls_schemas && !strcmp(p->opts.rls_schemas, "none"))
		return 0;
	if (!(schemas = gw_policy__rls_schemas(p, 1)))
		return 0;
	return check_listing(
	        r, p, "rls", GW_CHECK_FAIL,
	        "SELECT format('%I.%I', n.nspname, c.relname) || CASE WHEN c.relrowsecurity THEN "
	        "': row-level security is on but it has no policy' ELSE ': row-level security "
	        "is not enabled' END FROM pg_class c JOIN pg_namespace n ON n.oid = "
	        "c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND "
	        "n.nspname = ANY (SELECT trim(s) FROM unnest(string_to_array($1, ',')) s) AND "
	        "c.relname NOT LIKE 'godwit\\_%' AND (NOT c.relrowsecurity OR NOT EXISTS "
	        "(SELECT 1 FROM pg_policy pol WHERE pol.polrelid = c.oid)) ORDER BY 1",
	        schemas, "tables of exposed schemas without row-level security or a policy",
	        "every table of the exposed schemas has row-level security and a policy");
}

/* The PostgreSQL checks in the order they run; the pre-flight runs the
 * first ones. */
static const struct pg_check {
	const char *name;
	int (*run)(gw_report *r, gw_project *p, gw_check_status level);
	int full_only; /* 1: not in the pre-flight; 2: the data checks, health only */
} pg_checks[] = {
        {"extensions", check_extensions, 0},
        {"long_transactions", check_long_transactions, 0},
        {"connections", check_connections, 0},
        {"tables", check_tables, 1},
        {"invalid_indexes", check_invalid_indexes, 1},
        {"not_valid", check_not_valid, 2},
        {"orphan_rows", check_orphans, 2},
        {"sequences", check_sequences, 2},
        {"rls", check_rls, 2},
        {"lock_holders", check_lock_holders, 1},
};

/* full: 0 the pre-flight, 1 the checks without the data checks, 2 all. */
static int pg_check_enabled(const struct pg_check *c, gw_project *p, int full)
{
	if (c->full_only > full)
		return 0;
	if (c->run == check_long_transactions)
		return p->opts.max_transaction_age != 0;
	if (c->run == check_tables)
		return p->opts.required_tables != NULL;
	if (c->run == check_rls)
		return !p->opts.rls_schemas || strcmp(p->opts.rls_schemas, "none");
	return 1;
}

/* A check whose query failed (the session lost half-way, the server
 * stopped) is a failed check, and so is every check after it: none of
 * them may read ok, as the ones before it do. The error stays on the ctx
 * for the caller. */
static void fail_rest(gw_report *r, gw_project *p, const char *name, size_t next, int full)
{
	add_check(r, name, GW_CHECK_FAIL, -1, "%s", failure(p));
	for (; next < sizeof(pg_checks) / sizeof(pg_checks[0]); next++)
		/* rls unset is only looked at where the auth schema is. */
		if (pg_check_enabled(&pg_checks[next], p, full) &&
		    (pg_checks[next].run != check_rls || p->opts.rls_schemas))
			add_check(r, pg_checks[next].name, GW_CHECK_FAIL, -1,
			          "not run: the check of %s failed", name);
	if (full)
		add_check(r, "migrations", GW_CHECK_FAIL, -1, "not run: the check of %s failed",
		          name);
}

static int postgres_checks(gw_report *r, gw_project *p, int full)
{
	gw_check_status level = full ? GW_CHECK_WARN : GW_CHECK_FAIL;
	size_t i;
	int error;

	for (i = 0; i < sizeof(pg_checks) / sizeof(pg_checks[0]); i++) {
		if (!pg_check_enabled(&pg_checks[i], p, full))
			continue;
		if ((error = pg_checks[i].run(r, p, level)) < 0) {
			fail_rest(r, p, pg_checks[i].name, i + 1, full);
			return error;
		}
	}
	return 0;
}

/* required_tables on SQLite: each name of the list, trimmed, must be a
 * table or a view of the database. */
static int check_sqlite_tables(gw_report *r, gw_project *p)
{
	rows missing = {GW_VEC_INIT, NULL, 0, 0}, found = {GW_VEC_INIT, NULL, 0, 0};
	const char *s = p->opts.required_tables, *end;
	gw_str name = GW_STR_INIT;
	check_item *c;
	size_t i;
	int error = 0;

	while (error == 0 && *s) {
		end = strchr(s, ',');
		if (!end)
			end = s + strlen(s);
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		gw_str_clear(&name);
		gw_str_put(&name, s, (size_t)(end - s));
		while (name.size &&
		       (name.ptr[name.size - 1] == ' ' || name.ptr[name.size - 1] == '\t'))
			gw_str_truncate(&name, name.size - 1);
		s = *end ? end + 1 : end;
		/* A name not copied is out of memory, not an empty item. */
		if (gw_str_failed(&name)) {
			error = gw_error_oom(p->ctx);
			break;
		}
		if (!name.size)
			continue;
		rows_dispose(&found); /* empty again for this name */
		if ((error = query(
		             &found, p,
		             "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND "
		             "name = $1",
		             name.ptr)) == 0 &&
		    !found.lines.len) {
			/* A copy that failed is no NULL name in the report. */
			char *copy = gw_strdup(name.ptr);

			if (!copy || gw_vec_push(&missing.lines, copy) < 0) {
				free(copy);
				error = gw_error_oom(p->ctx);
			}
		}
	}
	if (error == 0) {
		c = missing.lines.len
		            ? add_check(r, "tables", GW_CHECK_FAIL, (long long)missing.lines.len,
		                        "%zu required tables missing", missing.lines.len)
		            : add_check(r, "tables", GW_CHECK_OK, 0, "every required table exists");
		for (i = 0; i < missing.lines.len; i++)
			add_detail(r, c, missing.lines.items[i]);
	}
	rows_dispose(&found);
	rows_dispose(&missing);
	gw_str_dispose(&name);
	return error;
}

static int run_checks(gw_report **out, gw_project *p, int full)
{
	gw_report *r = calloc(1, sizeof(*r));
	int error;

	*out = NULL;
	if (!r)
		return gw_error_oom(p->ctx);
	if ((error = check_connection(r, p)) == 0) {
		check_server_version(r, p);
		if (p->driver->dialect == GW_DIALECT_POSTGRES)
			error = postgres_checks(r, p, full);
		else if (full && p->opts.required_tables && (error = check_sqlite_tables(r, p)) < 0)
			fail_rest(r, p, "tables", sizeof(pg_checks) / sizeof(pg_checks[0]), full);
		if (error == 0 && full)
			error = check_migrations(r, p);
	} else if (error > 0) {
		error = 0; /* a missing SQLite file: reported, nothing more to check */
	}
	if (r->failed && error == 0)
		error = gw_error_oom(p->ctx);
	*out = r;
	return error;
}

int gw_project_health(gw_report **out, gw_project *p)
{
	return run_checks(out, p, 2);
}

int gw_project_health_basic(gw_report **out, gw_project *p)
{
	return run_checks(out, p, 1);
}

int gw_project_preflight(gw_report **out, gw_project *p)
{
	return run_checks(out, p, 0);
}

size_t gw_report_count(const gw_report *r)
{
	return r ? r->items.len : 0;
}

const gw_check *gw_report_get(const gw_report *r, size_t i)
{
	return r && i < r->items.len ? &((check_item *)r->items.items[i])->pub : NULL;
}

gw_check_status gw_report_status(const gw_report *r)
{
	gw_check_status worst = GW_CHECK_OK;
	size_t i;

	for (i = 0; r && i < r->items.len; i++)
		if (((check_item *)r->items.items[i])->pub.status > worst)
			worst = ((check_item *)r->items.items[i])->pub.status;
	return worst;
}

static void free_item(void *ptr)
{
	check_item *c = ptr;

	gw_vec_dispose(&c->details, NULL);
	free(c);
}

void gw_report_free(gw_report *r)
{
	if (!r)
		return;
	gw_vec_dispose(&r->items, free_item);
	gw_vec_dispose(&r->strings, free);
	free(r);
}

/* ---- after up ---------------------------------------------------------------- */

static void say_check(gw_project *p, const gw_check *c)
{
	size_t j;

	gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1, "health after up: %s: %s",
	          c->name, c->summary);
	for (j = 0; j < c->ndetails; j++)
		gw_notify(p->ctx, GW_NOTICE_INFO, NULL, NULL, NULL, -1, "  %s", c->details[j]);
}

static int after_up_error(gw_project *p, const gw_report *r)
{
	int rollback = p->opts.on_check_failure == GW_ON_CHECK_FAILURE_ROLLBACK;
	gw_str msg = GW_STR_INIT;
	size_t i, n = 0;
	int error;

	for (i = 0; i < gw_report_count(r); i++) {
		const gw_check *c = gw_report_get(r, i);

		if (c->status == GW_CHECK_FAIL)
			gw_str_printf(&msg, "%s%s", n++ ? ", " : "", c->name);
	}
	if (rollback) {
		error = gw_error_set(p->ctx, GW_ESTATE, "health check after up failed: %s",
		                     msg.ptr);
		gw_error_set_hint(p->ctx, "on_check_failure = rollback reverted what this run "
		                          "applied; fix what the checks found and run up again");
	} else {
		error = gw_error_set(
		        p->ctx, GW_EAFTER,
		        "health check after up failed: %s; the migrations stay applied", msg.ptr);
		gw_error_set_hint(p->ctx, "fix what the checks found; on_check_failure = rollback "
		                          "reverts the run instead, warn only warns");
	}
	gw_str_dispose(&msg);
	return error;
}

int gw_health__after_up(gw_project *p)
{
	gw_report *r = NULL;
	size_t i;
	int error, warn = p->opts.on_check_failure == GW_ON_CHECK_FAILURE_WARN;

	if (p->opts.after_up != GW_AFTER_UP_HEALTH)
		return 0;
	error = gw_project_health(&r, p);
	for (i = 0; i < gw_report_count(r); i++) {
		const gw_check *c = gw_report_get(r, i);

		if (c->status != GW_CHECK_OK)
			say_check(p, c);
	}
	/* A check that could not run failed: its error stays on the ctx. */
	if (error == 0 && gw_report_status(r) == GW_CHECK_FAIL && !warn)
		error = after_up_error(p, r);
	else if (error == 0)
		gw_notify(p->ctx, GW_NOTICE_INFO, NULL, NULL, NULL, -1,
		          "health after up: %zu checks, %s", gw_report_count(r),
		          gw_report_status(r) == GW_CHECK_OK ? "all ok"
		          : gw_report_status(r) == GW_CHECK_WARN
		                  ? "warnings above"
		                  : "failures above (going on: on_check_failure = warn)");
	gw_report_free(r);
	return error;
}

/* ---- the gate before up and down ------------------------------------------ */

static int preflight_error(gw_project *p, const gw_report *r)
{
	gw_str msg = GW_STR_INIT;
	size_t i, j;
	int error;

	gw_str_puts(&msg, "pre-flight check failed, nothing was changed");
	for (i = 0; i < gw_report_count(r); i++) {
		const gw_check *c = gw_report_get(r, i);

		if (c->status != GW_CHECK_FAIL)
			continue;
		gw_str_printf(&msg, "\n  %s: %s", c->name, c->summary);
		for (j = 0; j < c->ndetails; j++)
			gw_str_printf(&msg, "\n    %s", c->details[j]);
	}
	error = gw_error_set(p->ctx, GW_ESTATE, "%s", msg.ptr);
	gw_error_set_hint(p->ctx, "wait for those sessions or end them; or set preflight = wait "
	                          "(or warn), or raise max_transaction_age, in godwit.conf");
	gw_str_dispose(&msg);
	return error;
}

static void warn_failures(gw_project *p, const gw_report *r)
{
	size_t i;

	for (i = 0; i < gw_report_count(r); i++) {
		const gw_check *c = gw_report_get(r, i);

		if (c->status == GW_CHECK_FAIL)
			gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
			          "pre-flight: %s: %s%s%s (going on: preflight = warn)", c->name,
			          c->summary, c->ndetails ? "; " : "",
			          c->ndetails ? c->details[0] : "");
	}
}

int gw_preflight__gate(gw_project *p)
{
	long long deadline;
	gw_report *r = NULL;
	int error, told = 0;

	if (p->opts.preflight == GW_PREFLIGHT_OFF || p->driver->dialect != GW_DIALECT_POSTGRES)
		return 0;
	deadline = clock_us() / 1000 + p->opts.preflight_wait;
	for (;;) {
		if ((error = gw_project_preflight(&r, p)) < 0)
			break;
		if (gw_report_status(r) < GW_CHECK_FAIL)
			break;
		if (p->opts.preflight == GW_PREFLIGHT_WARN) {
			warn_failures(p, r);
			break;
		}
		if (p->opts.preflight != GW_PREFLIGHT_WAIT || clock_us() / 1000 >= deadline) {
			error = preflight_error(p, r);
			break;
		}
		if (!told++)
			gw_notify(p->ctx, GW_NOTICE_LOCK_WAIT, NULL, NULL, NULL, -1,
			          "pre-flight: waiting for long transactions to finish");
		gw_report_free(r);
		r = NULL;
		gw_sleep_ms(1000);
	}
	gw_report_free(r);
	return error;
}
