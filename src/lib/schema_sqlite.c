/*
 * schema_sqlite.c: reads a SQLite schema from sqlite_master into a
 * snapshot: tables with their columns (pragma_table_info), indexes and
 * triggers as members of their table, views with their definition.
 *
 * SQLite keeps each object's SQL as it was written, so whitespace is
 * normalized (put_sql) so that spacing alone never makes a difference.
 */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/text.h"

typedef struct reader {
	gw_schema_ctx *c;
	int error;
} reader;

/* Quoted like PostgreSQL's quote_ident, so names read the same. */
static void put_ident(gw_str *s, const char *name)
{
	const char *p;
	int plain = (*name >= 'a' && *name <= 'z') || *name == '_';

	for (p = name; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
	if (plain) {
		gw_str_puts(s, name);
		return;
	}
	gw_str_putc(s, '"');
	for (p = name; *p; p++) {
		if (*p == '"')
			gw_str_putc(s, '"');
		gw_str_putc(s, *p);
	}
	gw_str_putc(s, '"');
}

/* Outside quotes: whitespace runs become one space, none is kept next to
 * a parenthesis or before a comma, and one always follows a comma. */
static void put_sql(gw_str *s, const char *sql)
{
	char quote = 0, last = 0;
	int space = 0;

	for (; *sql; sql++) {
		char ch = *sql;
		if (quote) {
			gw_str_putc(s, ch);
			if (ch == quote)
				quote = 0;
			continue;
		}
		if (gw_is_space(ch)) {
			space = 1;
			continue;
		}
		if ((space || last == ',') && last && last != '(' && !strchr("(),", ch))
			gw_str_putc(s, ' ');
		space = 0;
		if (ch == '\'' || ch == '"' || ch == '`' || ch == '[')
			quote = ch == '[' ? ']' : ch;
		gw_str_putc(s, ch);
		last = ch;
	}
}

static gw_sobj *find(gw_schema *s, const char *kind, const char *name)
{
	size_t i;
	gw_sobj *o;

	for (i = 0; i < s->objs.len; i++) {
		o = s->objs.items[i];
		if (strcmp(o->kind, kind) == 0 && strcmp(o->name, name) == 0)
			return o;
	}
	return NULL;
}

static int object_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	int view = strcmp(v[0], "view") == 0;
	gw_str name = GW_STR_INIT, def = GW_STR_INIT;
	gw_sobj *o;

	(void)ncols;
	if (gw_schema__is_history(r->c, NULL, v[1]))
		return 0;
	put_ident(&name, v[1]);
	gw_str_puts(&def, "definition ");
	put_sql(&def, v[2] ? v[2] : "");
	if (name.failed || def.failed ||
	    !(o = gw_schema__add(r->c->s, "", view ? GW_SK_VIEW : GW_SK_TABLE,
	                         view ? "view" : "table", name.ptr)) ||
	    gw_sobj_add(o, GW_SM_HEAD, 0, def.ptr) < 0)
		r->error = GW_ENOMEM;
	gw_str_dispose(&name);
	gw_str_dispose(&def);
	return r->error;
}

static int column_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_str s = GW_STR_INIT, table = GW_STR_INIT;
	gw_sobj *o;
	long seq = r->c->opts->ignore_column_order ? 0 : strtol(v[1], NULL, 10) + 1;

	(void)ncols;
	put_ident(&table, v[0]);
	/* A name that could not be built must not read as an unknown table:
	 * the column would be left out of the snapshot. */
	if (table.failed) {
		r->error = GW_ENOMEM;
		goto cleanup;
	}
	if (!(o = find(r->c->s, "table", table.ptr)) && !(o = find(r->c->s, "view", table.ptr)))
		goto cleanup;
	gw_str_puts(&s, "column ");
	put_ident(&s, v[2]);
	gw_str_printf(&s, " %s", v[3] && *v[3] ? v[3] : "any");
	if (v[4] && strcmp(v[4], "0") != 0)
		gw_str_puts(&s, " not null");
	if (v[5])
		gw_str_printf(&s, " default %s", v[5]);
	if (v[6] && strcmp(v[6], "0") != 0)
		gw_str_printf(&s, " primary key %s", v[6]);
	if (s.failed || gw_sobj_add(o, GW_SM_COLUMN, seq, s.ptr) < 0)
		r->error = GW_ENOMEM;
cleanup:
	gw_str_dispose(&s);
	gw_str_dispose(&table);
	return r->error;
}

static int member_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	int trigger = strcmp(v[0], "trigger") == 0;
	gw_str s = GW_STR_INIT, table = GW_STR_INIT;
	gw_sobj *o;

	(void)ncols;
	put_ident(&table, v[2]);
	if (table.failed) {
		r->error = GW_ENOMEM;
		goto cleanup;
	}
	if (!(o = find(r->c->s, "table", table.ptr)) && !(o = find(r->c->s, "view", table.ptr)))
		goto cleanup;
	gw_str_puts(&s, trigger ? "trigger " : "index ");
	put_ident(&s, v[1]);
	gw_str_putc(&s, ' ');
	put_sql(&s, v[3]);
	if (s.failed || gw_sobj_add(o, trigger ? GW_SM_TRIGGER : GW_SM_INDEX, 0, s.ptr) < 0)
		r->error = GW_ENOMEM;
cleanup:
	gw_str_dispose(&s);
	gw_str_dispose(&table);
	return r->error;
}

static int query(reader *r, const char *sql, gw_row_cb cb)
{
	gw_stmt st = {sql, strlen(sql), NULL, 0};
	int error = r->c->conn->driver->exec(r->c->conn, &st, cb, r);

	if (r->error < 0)
		return gw_error_oom(r->c->p->ctx);
	return error;
}

int gw_schema__read_sqlite(gw_schema_ctx *c)
{
	reader r = {c, 0};
	int error;

	if ((error = query(
	             &r,
	             "SELECT type, name, sql FROM sqlite_master"
	             " WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
	             object_row)) < 0 ||
	    (error = query(&r,
	                   "SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk"
	                   " FROM sqlite_master m JOIN pragma_table_info(m.name) p"
	                   " WHERE m.type IN ('table', 'view')",
	                   column_row)) < 0)
		return error;
	/* Automatic indexes have no SQL: they are part of their constraint. */
	return query(&r,
	             "SELECT type, name, tbl_name, sql FROM sqlite_master"
	             " WHERE type IN ('index', 'trigger') AND sql IS NOT NULL",
	             member_row);
}
