/*
 * adopt_table.c: reading another tool's history table as it is (never
 * changing it): where it is (its schema, sqitch's registry file on
 * SQLite), its rows, and for status and up, whether a database holds such
 * a history at all.
 */
#include "adopt_tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "../util/fs.h"
#include "../util/url.h"

static void free_row(void *ptr)
{
	tool_row *t = ptr;

	if (!t)
		return;
	free(t->key);
	free(t->at);
	free(t->sum);
	free(t->flag);
	free(t);
}

void gw_adopt__rows_dispose(rows *rs)
{
	gw_vec_dispose(&rs->v, free_row);
}

/* The tool's schema; on SQLite, sqitch's registry is attached under the
 * name "sqitch", whatever its file is called. */
static const char *schema_of(const gw_project *p, const tool_def *t)
{
	if (t->attach && p->driver->dialect == GW_DIALECT_SQLITE)
		return "sqitch"; /* the name it is attached under */
	return t->schema;
}

static int qualified(gw_str *out, gw_project *p, const tool_def *t)
{
	char *q = NULL;
	int error = 0;

	if (t->schema && (p->driver->dialect == GW_DIALECT_POSTGRES || t->attach)) {
		if ((error = p->driver->quote_ident(p->conn, schema_of(p, t), &q)) < 0)
			return error;
		gw_str_printf(out, "%s.", q);
		free(q);
		q = NULL;
	}
	if ((error = p->driver->quote_ident(p->conn, t->table, &q)) < 0)
		return error;
	gw_str_puts(out, q);
	free(q);
	return gw_str_failed(out) ? gw_error_oom(p->ctx) : 0;
}

/* The table as a user names it (schema.table), without the quotes of
 * the SQL identifier: for reports, JSON included. */
char *gw_adopt__display_name(const gw_project *p, const tool_def *t)
{
	gw_str s = GW_STR_INIT;

	if (t->schema && (p->driver->dialect == GW_DIALECT_POSTGRES || t->attach))
		gw_str_printf(&s, "%s.", schema_of(p, t));
	gw_str_puts(&s, t->table);
	return gw_str_detach(&s);
}

static int table_exists(int *exists, gw_project *p, const tool_def *t, const char *qname)
{
	const char *params[1];

	if (p->driver->dialect == GW_DIALECT_POSTGRES) {
		params[0] = qname;
		return gw_project__exec(p, "SELECT to_regclass($1) IS NOT NULL", params, 1,
		                        gw_project__bool_row, exists);
	}
	params[0] = t->table;
	return gw_project__exec(
	        p,
	        t->attach ? "SELECT count(*) = 1 FROM sqitch.sqlite_master WHERE type = "
	                    "'table' AND name = $1"
	                  : "SELECT count(*) = 1 FROM sqlite_master WHERE type = 'table' "
	                    "AND name = $1",
	        params, 1, gw_project__bool_row, exists);
}

/* sqitch keeps its SQLite registry in a file of its own next to the
 * database: db/dev.sqlite3 has db/sqitch.sqlite3 (its rule: the file name
 * with "sqitch" for the part before the first dot). */
static int registry_file(gw_str *out, const gw_project *p)
{
	gw_str db = GW_STR_INIT;
	const char *reg = p->source && p->source->registry ? p->source->registry : "sqitch";
	const char *base, *dot;

	if (gw_url_sqlite_path(&db, p->opts.url) < 0) {
		gw_str_dispose(&db);
		return -1;
	}
	base = strrchr(db.ptr, '/');
	base = base ? base + 1 : db.ptr;
	dot = strchr(base, '.');
	/* A registry name with a dot of its own is the whole file name. */
	if (strchr(reg, '.'))
		dot = NULL;
	gw_str_printf(out, "%.*s%s%s", (int)(base - db.ptr), db.ptr, reg, dot ? dot : "");
	gw_str_dispose(&db);
	return gw_str_failed(out) ? -1 : 0;
}

static int registry_path(gw_str *out, gw_project *p)
{
	int error = 0;

	if (registry_file(out, p) < 0)
		error = gw_error_oom(p->ctx);
	else if (gw_path_is_dir(out->ptr) != 0) {
		error = gw_error_set(p->ctx, GW_ENOTFOUND,
		                     "no sqitch registry for this database: %s does not exist",
		                     out->ptr);
		gw_error_set_hint_code(p->ctx, GW_HINT_SQITCH_REGISTRY, NULL, NULL);
	}
	return error;
}

/* Attaches the registry as schema "sqitch" (never creating it). */
static int attach_registry(gw_project *p, const tool_def *t, int *attached)
{
	gw_str path = GW_STR_INIT;
	const char *params[1];
	int error;

	if (!t->attach || p->driver->dialect != GW_DIALECT_SQLITE)
		return 0;
	if ((error = registry_path(&path, p)) == 0) {
		params[0] = path.ptr;
		error = gw_project__exec(p, "ATTACH DATABASE $1 AS sqitch", params, 1, NULL, NULL);
		*attached = error == 0;
	}
	gw_str_dispose(&path);
	return error;
}

static int add_row(void *payload, int ncols, const char *const *v)
{
	rows *rs = payload;
	tool_row *t = calloc(1, sizeof(*t));

	if (!t || ncols < 4 || gw_vec_push(&rs->v, t) < 0) {
		free(t);
		rs->failed = 1;
		return 1;
	}
	/* A NULL key (drizzle's created_at may be one) matches no file. */
	t->key = gw_strdup(v[0] ? v[0] : "");
	t->at = gw_strdup(v[1]);
	t->sum = gw_strdup(v[2]);
	t->flag = gw_strdup(v[3] ? v[3] : "ok");
	if (!t->key || !t->flag || (v[1] && !t->at) || (v[2] && !t->sum))
		rs->failed = 1;
	return rs->failed;
}

/* A time column as ISO 8601 UTC text. A timestamp without time zone is
 * read in the session's zone, the one the tool wrote it in. */
static void put_time(gw_str *s, gw_project *p, const tool_def *t)
{
	const char *col = t->time;

	if (!col)
		gw_str_puts(s, "NULL");
	else if (p->driver->dialect == GW_DIALECT_POSTGRES && t->times == TIME_MILLIS)
		gw_str_printf(s,
		              "to_char(to_timestamp(CAST(%s AS double precision) / 1000) AT TIME "
		              "ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
		              col);
	else if (p->driver->dialect == GW_DIALECT_POSTGRES)
		gw_str_printf(s,
		              "to_char(CAST(%s AS timestamptz) AT TIME ZONE 'UTC', "
		              "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
		              col);
	else if (t->times != TIME_STAMP)
		/* A number is milliseconds; text (a DEFAULT current_timestamp,
		 * or a row written by hand) is kept as written. */
		gw_str_printf(s,
		              "CASE WHEN typeof(%s) IN ('integer', 'real') THEN "
		              "strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', %s / 1000.0, 'unixepoch') "
		              "ELSE CAST(%s AS text) END",
		              col, col, col);
	else
		gw_str_printf(s, "CAST(%s AS text)", col);
}

int gw_adopt__read_rows(rows *rs, gw_project *p, const tool_def *t, const char *qname)
{
	gw_str sql = GW_STR_INIT;
	int error;

	gw_str_printf(&sql, "SELECT CAST(%s AS text), ", t->key);
	put_time(&sql, p, t);
	gw_str_printf(&sql, ", %s%s%s, %s FROM %s", t->sum ? "CAST(" : "NULL", t->sum ? t->sum : "",
	              t->sum ? " AS text)" : "", t->flag, qname);
	if (t->where)
		gw_str_printf(&sql, " WHERE %s", t->where);
	if (t->project_col)
		gw_str_printf(&sql, " %s %s = $1", t->where ? "AND" : "WHERE", t->project_col);
	gw_str_printf(&sql, " ORDER BY %s", t->order);
	if (gw_str_failed(&sql))
		error = gw_error_oom(p->ctx);
	else
		error = gw_project__exec(p, sql.ptr, (const char *const *)&p->source->project,
		                         t->project_col ? 1 : 0, add_row, rs);
	if (rs->failed && error >= 0)
		error = gw_error_oom(p->ctx);
	if (error < 0)
		gw_error_prefix(p->ctx, "cannot read the %s history in %s: ", t->title, qname);
	gw_str_dispose(&sql);
	return error;
}

int gw_adopt__open_table(gw_str *qname, gw_project *p, const tool_def *t, int *attached)
{
	gw_conn *conn;
	int exists = 0, error;

	if ((error = gw_project__connect(&conn, p)) < 0 ||
	    (error = attach_registry(p, t, attached)) < 0 || (error = qualified(qname, p, t)) < 0 ||
	    (error = table_exists(&exists, p, t, qname->ptr)) < 0)
		return error;
	if (exists)
		return 0;
	gw_error_set(p->ctx, GW_ENOTFOUND,
	             "no %s history in this database: table %s does not exist", t->title,
	             qname->ptr);
	gw_error_set_hint_code(p->ctx, GW_HINT_ADOPT_TABLE, t->title, NULL);
	return GW_ENOTFOUND;
}

const tool_def *gw_adopt__configured(tool_def *own, const tool_def *t, const gw_project *p)
{
	const char *v = strcmp(t->name, "dbmate") ? NULL : getenv("DBMATE_MIGRATIONS_TABLE");
	size_t i;

	for (i = p->placeholder_env.len; !strcmp(t->name, "dbmate") && (!v || !*v) && i > 0; i--) {
		const gw_placeholder *ph = p->placeholder_env.items[i - 1];

		if (!strcmp(ph->name, "DBMATE_MIGRATIONS_TABLE"))
			v = ph->value;
	}
	if (!v || !*v)
		return t;
	*own = *t;
	own->table = v;
	return own;
}

/* ---- another tool's history, for status and up -------------------------- */

static int has_column(int *out, gw_project *p, const char *qname, const tool_def *t)
{
	const char *params[2];

	params[0] = p->driver->dialect == GW_DIALECT_POSTGRES ? qname : t->table;
	params[1] = t->detect_col;
	return gw_project__exec(
	        p,
	        p->driver->dialect == GW_DIALECT_POSTGRES
	                ? "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = "
	                  "to_regclass($1) AND attname = $2 AND attnum > 0 AND NOT attisdropped)"
	                : "SELECT count(*) > 0 FROM pragma_table_info($1) WHERE name = $2",
	        params, 2, gw_project__bool_row, out);
}

/* Whether the tool's table is here and holds a row of its history. A table
 * the role may not read counts: adopt will say what it cannot read. */
static int holds_history(int *out, gw_project *p, const tool_def *t)
{
	gw_str qname = GW_STR_INIT, sql = GW_STR_INIT;
	const char *params[1];
	int yes = 0, error = 0;

	*out = 0;
	/* sqitch's SQLite registry is a file of its own: it is never
	 * attached (nor created) just to look. */
	if (t->attach && p->driver->dialect == GW_DIALECT_SQLITE) {
		if (registry_file(&qname, p) < 0 || gw_url_sqlite_path(&sql, p->opts.url) < 0)
			error = gw_error_oom(p->ctx);
		else /* a database named sqitch.db is not its own registry */
			*out = strcmp(qname.ptr, sql.ptr) && gw_path_is_dir(qname.ptr) == 0;
		goto cleanup;
	}
	if ((error = qualified(&qname, p, t)) < 0 ||
	    (error = table_exists(&yes, p, t, qname.ptr)) < 0 || !yes ||
	    (t->detect_col && ((error = has_column(&yes, p, qname.ptr, t)) < 0 || !yes)))
		goto cleanup;
	params[0] = qname.ptr;
	if (p->driver->dialect == GW_DIALECT_POSTGRES &&
	    ((error = gw_project__exec(p, "SELECT has_table_privilege(to_regclass($1), 'SELECT')",
	                               params, 1, gw_project__bool_row, &yes)) < 0 ||
	     !yes)) {
		*out = error == 0;
		goto cleanup;
	}
	gw_str_printf(&sql, "SELECT EXISTS (SELECT 1 FROM %s%s%s)", qname.ptr,
	              t->where ? " WHERE " : "", t->where ? t->where : "");
	if (gw_str_failed(&sql))
		error = gw_error_oom(p->ctx);
	else
		error = gw_project__exec(p, sql.ptr, NULL, 0, gw_project__bool_row, out);
cleanup:
	gw_str_dispose(&sql);
	gw_str_dispose(&qname);
	return error;
}

/* Which tools' tables are here, asked in one query on PostgreSQL: a
 * fresh database (every status and up before the first migration) has
 * none, and a query a table cost a round trip each, ten in all, which
 * across the internet is half a second. *known: 1 when present[i] says
 * whether tool i's table exists, 0 where each is asked on its own. */
typedef struct presence {
	unsigned char *present;
	size_t n;
} presence;

static int presence_row(void *payload, int ncols, const char *const *values)
{
	presence *pr = payload;
	size_t i;

	for (i = 0; i < pr->n && i < (size_t)ncols; i++)
		pr->present[i] = values[i] && values[i][0] == 't';
	return 0;
}

static int tables_present(unsigned char *present, int *known, gw_project *p)
{
	gw_str sql = GW_STR_INIT, names[GW_ADOPT_MAX_TOOLS];
	const char *params[GW_ADOPT_MAX_TOOLS];
	presence pr = {present, gw_adopt__ntools};
	size_t i;
	int error = 0;

	*known = 0;
	if (p->driver->dialect != GW_DIALECT_POSTGRES || gw_adopt__ntools > GW_ADOPT_MAX_TOOLS)
		return 0;
	gw_str_puts(&sql, "SELECT ");
	for (i = 0; i < gw_adopt__ntools; i++) {
		tool_def own;
		const tool_def *t = gw_adopt__configured(&own, &gw_adopt__tools[i], p);

		names[i] = (gw_str)GW_STR_INIT;
		if (error == 0)
			error = qualified(&names[i], p, t);
		params[i] = names[i].ptr;
		gw_str_printf(&sql, "%sto_regclass($%zu) IS NOT NULL", i ? ", " : "", i + 1);
	}
	if (error == 0 && gw_str_failed(&sql))
		error = gw_error_oom(p->ctx);
	if (error == 0)
		error = gw_project__exec(p, sql.ptr, params, (int)gw_adopt__ntools, presence_row,
		                         &pr);
	for (i = 0; i < gw_adopt__ntools; i++)
		gw_str_dispose(&names[i]);
	gw_str_dispose(&sql);
	*known = error == 0;
	return error;
}

int gw_adopt__other_history(const char **tool, char **table, gw_project *p)
{
	unsigned char present[GW_ADOPT_MAX_TOOLS];
	gw_conn *conn;
	size_t i;
	int pass, found = 0, error = 0, known;

	*tool = NULL;
	*table = NULL;
	/* A SQLite file not created yet holds nothing, and stays uncreated. */
	if (gw_project__database_missing(p))
		return 0;
	if ((error = gw_project__connect(&conn, p)) < 0)
		return error;
	if ((error = tables_present(present, &known, p)) < 0)
		return error;
	/* Tools told apart by a column first: golang-migrate's
	 * schema_migrations has "dirty", dbmate's (and Rails') has not. */
	for (pass = 0; pass < 2 && !found && error == 0; pass++)
		for (i = 0; i < gw_adopt__ntools && !found && error == 0; i++) {
			tool_def own;
			const tool_def *t = gw_adopt__configured(&own, &gw_adopt__tools[i], p);

			if ((t->detect_col == NULL) != pass || (known && !present[i]))
				continue;
			if ((error = holds_history(&found, p, t)) == 0 && found) {
				*tool = t->name;
				if (!(*table = gw_adopt__display_name(p, t)))
					error = gw_error_oom(p->ctx);
			}
		}
	return error;
}
