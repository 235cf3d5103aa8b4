/*
 * schema_sql_sqlite.c: the statements that turn one SQLite snapshot into
 * another.
 *
 * A SQLite snapshot holds each table's CREATE TABLE text (`definition`),
 * so a table whose definition changes is rebuilt, as SQLite's own
 * documentation says where ALTER TABLE cannot do it: the old table moved
 * aside, the new one created with the target definition, the rows of the
 * columns both have copied into it, the old one dropped, its indexes and
 * triggers made again, and `PRAGMA foreign_key_check` last. Views that use a
 * rebuilt table are dropped first and made again after (SQLite refuses
 * the rename while a view names a table that is gone).
 */
#include "schema_sql.h"

#include <string.h>

#include "util/text.h"

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *definition(const gw_schema_object *o)
{
	const char *d = gw_sql__member(o, "definition", 10);

	return d && d[10] ? d + 11 : "";
}

/* End of the name at p: "quoted", [bracketed], `ticked` or a word. */
static const char *name_end(const char *p)
{
	char close = *p == '"' ? '"' : *p == '[' ? ']' : *p == '`' ? '`' : 0;

	if (close) {
		for (p++; *p && *p != close; p++)
			;
		return *p ? p + 1 : p;
	}
	while (*p && (gw_is_name_char(*p) || *p == '$'))
		p++;
	return p;
}

/* 1 when word appears in text as a whole word. */
static int mentions(const char *text, const char *word)
{
	size_t len = strlen(word);
	const char *hit;

	for (hit = strstr(text, word); hit; hit = strstr(hit + 1, word))
		if ((hit == text || !gw_is_name_char(hit[-1])) && !gw_is_name_char(hit[len]))
			return 1;
	return 0;
}

/* The text after "index NAME " or "trigger NAME ". */
static const char *member_body(const char *m)
{
	size_t k = gw_schema__member_key(m);

	return m[k] ? m + k + 1 : m + k;
}

static void member_name(gw_str *out, const char *m)
{
	const char *p = m + strcspn(m, " ");

	/* Not gw_str_clear: its caller checks for a failure after its loop. */
	gw_str_truncate(out, 0);
	if (*p)
		p++;
	gw_str_put(out, p, (size_t)(name_end(p) - p));
}

static int is_view(const gw_schema_object *o)
{
	return strcmp(o->kind, "view") == 0;
}

/* Indexes and triggers of t, made (part) or dropped. */
static void members(gw_sql *q, const gw_schema_object *t, const gw_schema_object *other, int drop,
                    int all, int part)
{
	gw_str name = GW_STR_INIT;
	size_t i;

	for (i = 0; i < t->nmembers; i++) {
		const char *m = t->members[i], *mo;
		int trigger = starts(m, "trigger ");
		if (!trigger && !starts(m, "index "))
			continue;
		mo = gw_sql__member(other, m, gw_schema__member_key(m));
		if (!all && mo && strcmp(mo, m) == 0)
			continue;
		if (drop) {
			member_name(&name, m);
			gw_sql__emit(q, part, "DROP %s IF EXISTS %s", trigger ? "TRIGGER" : "INDEX",
			             name.ptr);
		} else {
			gw_sql__emit(q, part, "%s", member_body(m));
		}
	}
	if (name.failed)
		q->failed = 1;
	gw_str_dispose(&name);
}

/* The column names both tables have, comma-separated; GW_ENOMEM. */
static int common_columns(gw_str *out, const gw_schema_object *a, const gw_schema_object *b)
{
	int error;

	gw_str name = GW_STR_INIT;
	size_t i;

	for (i = 0; i < b->nmembers; i++) {
		const char *m = b->members[i];
		if (!starts(m, "column ") || !gw_sql__member(a, m, gw_schema__member_key(m)))
			continue;
		member_name(&name, m);
		gw_str_printf(out, "%s%s", out->size ? ", " : "", name.ptr);
	}
	error = name.failed ? GW_ENOMEM : 0;
	gw_str_dispose(&name);
	return error;
}

/* The rebuild of a table whose definition changes. The old table is
 * renamed out of the way (with legacy_alter_table on, so no foreign key,
 * view or trigger elsewhere is rewritten to follow it) and the new one is
 * created under the right name with the target's own text: created under
 * another name and renamed, its stored text would quote the name. */
static void rebuild(gw_sql *q, const gw_schema_object *a, const gw_schema_object *b)
{
	gw_str tmp = GW_STR_INIT, cols = GW_STR_INIT;

	if (!starts(definition(b), "CREATE TABLE ")) {
		gw_sql__unexpressed(q, GW_SQ_TABLE, "table %s: its definition is not CREATE TABLE",
		                    b->name);
		return;
	}
	gw_sql__note(q, GW_SQ_TABLE, "table %s is rebuilt: SQLite cannot alter it in place",
	             b->name);
	gw_str_printf(&tmp, "godwit_old_%s", b->name[0] == '"' ? "table" : b->name);
	gw_sql__emit(q, GW_SQ_TABLE, "PRAGMA legacy_alter_table = ON");
	gw_sql__emit(q, GW_SQ_TABLE, "ALTER TABLE %s RENAME TO %s", a->name, tmp.ptr);
	gw_sql__emit(q, GW_SQ_TABLE, "PRAGMA legacy_alter_table = OFF");
	gw_sql__emit(q, GW_SQ_TABLE, "%s", definition(b));
	if (common_columns(&cols, a, b) < 0)
		q->failed = 1;
	if (cols.size)
		gw_sql__emit(q, GW_SQ_TABLE, "INSERT INTO %s (%s) SELECT %s FROM %s", b->name,
		             cols.ptr, cols.ptr, tmp.ptr);
	gw_sql__emit(q, GW_SQ_TABLE, "DROP TABLE %s", tmp.ptr);
	members(q, b, NULL, 0, 1, GW_SQ_TABLE);
	if (tmp.failed || cols.failed)
		q->failed = 1;
	gw_str_dispose(&tmp);
	gw_str_dispose(&cols);
}

int gw_sql__sqlite(gw_sql *q, const gw_schema *from, const gw_schema *to, const gw_sql_options *o)
{
	size_t i, k;
	int any = 0;

	(void)o;
	/* Views: those that go, change or use a rebuilt or dropped table. */
	for (i = 0; i < gw_schema_count(from); i++) {
		const gw_schema_object *a = gw_schema_get(from, i), *b;
		int drop;
		if (!is_view(a))
			continue;
		b = gw_sql__find(to, "view", a->name);
		drop = !b || strcmp(definition(a), definition(b)) != 0;
		for (k = 0; k < gw_schema_count(from) && !drop; k++) {
			const gw_schema_object *t = gw_schema_get(from, k);
			if (strcmp(t->kind, "table") == 0 && mentions(definition(a), t->name) &&
			    (!gw_sql__find(to, "table", t->name) ||
			     strcmp(definition(t),
			            definition(gw_sql__find(to, "table", t->name))) != 0))
				drop = 1;
		}
		if (drop) {
			gw_sql__emit(q, GW_SQ_DROP_VIEW, "DROP VIEW %s", a->name);
			if (b)
				gw_sql__emit(q, GW_SQ_VIEW, "%s", definition(b));
		}
	}
	for (i = 0; i < gw_schema_count(to); i++) {
		const gw_schema_object *b = gw_schema_get(to, i);
		if (is_view(b) && !gw_sql__find(from, "view", b->name))
			gw_sql__emit(q, GW_SQ_VIEW, "%s", definition(b));
	}
	/* Tables. */
	for (i = 0; i < gw_schema_count(from); i++) {
		const gw_schema_object *a = gw_schema_get(from, i);
		if (strcmp(a->kind, "table") == 0 && !gw_sql__find(to, "table", a->name))
			gw_sql__emit(q, GW_SQ_DROP_TABLE, "DROP TABLE %s", a->name);
	}
	for (i = 0; i < gw_schema_count(to); i++) {
		const gw_schema_object *b = gw_schema_get(to, i), *a;
		if (strcmp(b->kind, "table") != 0)
			continue;
		a = gw_sql__find(from, "table", b->name);
		if (!a) {
			gw_sql__emit(q, GW_SQ_TABLE, "%s", definition(b));
			members(q, b, NULL, 0, 1, GW_SQ_CONSTRAINT);
		} else if (strcmp(definition(a), definition(b)) != 0) {
			rebuild(q, a, b);
			any = 1;
		} else {
			members(q, a, b, 1, 0, GW_SQ_DROP_CONSTRAINT);
			members(q, b, a, 0, 0, GW_SQ_CONSTRAINT);
		}
	}
	if (any)
		gw_sql__emit(q, GW_SQ_CHECK, "PRAGMA foreign_key_check");
	return 0;
}
