/*
 * schema_sql_replication.c: what a table has for replication and the
 * planner beside its columns, for gw_schema_sql (schema_sql.c): its
 * REPLICA IDENTITY, its membership of publications (with a column list
 * and a row filter), the statistics targets of its columns; and the
 * publications themselves.
 *
 * These are members of the table in the snapshot (replica_identity,
 * publication NAME, column_statistics COLUMN N), so a table made again
 * (a new table, or one rebuilt in B's column order) gets them back from
 * B's members, as it gets its constraints, and an altered one gets the
 * statements its changes need.
 */
#include "schema_sql.h"

#include <stdlib.h>
#include <string.h>

/* 1 when the member named key ("index t_pkey" or "constraint t_pkey")
 * is new or changed from a to b. */
static int member_changed(const gw_schema_object *a, const gw_schema_object *b, const char *key,
                          size_t len)
{
	const char *mb = gw_sql__member(b, key, len);

	return mb && !gw_sql__streq(gw_sql__member(a, key, len), mb);
}

/* REPLICA IDENTITY from a's (NULL: a new table) to b's. One that uses an
 * index made concurrently, outside the transaction, follows it there. */
static void replica_identity(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	const char *ra = a ? gw_sql__member(a, "replica_identity", 16) : NULL;
	const char *rb = gw_sql__member(b, "replica_identity", 16);
	gw_str key = GW_STR_INIT;
	int part = GW_SQ_TRIGGER, index_changed = 0;

	if (rb && gw_sql__starts(rb, "replica_identity index ")) {
		const char *idx = rb + 23;
		gw_str_printf(&key, "index %s", idx);
		index_changed = a && member_changed(a, b, key.ptr, key.size);
		gw_str_clear(&key);
		gw_str_printf(&key, "constraint %s", idx);
		index_changed |= a && member_changed(a, b, key.ptr, key.size);
		if (key.failed)
			g->q->failed = 1;
		if (index_changed && !g->o->plain && !gw_sql__head_member(b, "partition by "))
			part = GW_SQ_TAIL;
	}
	/* An index made again loses its mark: it is set again. */
	if (gw_sql__streq(ra, rb) && !index_changed) {
		gw_str_dispose(&key);
		return;
	}
	if (!rb) {
		if (a)
			gw_sql__emit(g->q, part, "ALTER TABLE %s REPLICA IDENTITY DEFAULT",
			             b->name);
	} else if (gw_sql__starts(rb, "replica_identity index ")) {
		gw_sql__emit(g->q, part, "ALTER TABLE %s REPLICA IDENTITY USING INDEX %s", b->name,
		             rb + 23);
	} else {
		gw_sql__emit(g->q, part, "ALTER TABLE %s REPLICA IDENTITY %s", b->name,
		             strcmp(rb + 17, "full") == 0 ? "FULL" : "NOTHING");
	}
	gw_str_dispose(&key);
}

/* "column_statistics c 500": SET STATISTICS for each of b's that a lacks
 * or has otherwise, or whose column is added (again); -1 for a's that b
 * lacks, when the column stays. */
static void statistics(gen *g, const gw_schema_object *a, const gw_schema_object *b,
                       const gw_vec *readded)
{
	gw_str name = GW_STR_INIT, key = GW_STR_INIT;
	size_t i;

	for (i = 0; i < b->nmembers; i++) {
		const char *m = b->members[i];
		if (!gw_sql__starts(m, "column_statistics "))
			continue;
		gw_sql__member_name(&name, m);
		gw_str_clear(&key);
		gw_str_printf(&key, "column %s", name.ptr);
		if (a && gw_sql__streq(gw_sql__member(a, m, gw_schema__member_key(m)), m) &&
		    gw_sql__member(a, key.ptr, key.size) &&
		    !(readded && gw_sql__has_word(readded, name.ptr)))
			continue;
		gw_sql__emit(g->q, GW_SQ_COLUMN, "ALTER TABLE %s ALTER COLUMN %s SET STATISTICS %s",
		             b->name, name.ptr, gw_sql__member_body(m));
	}
	for (i = 0; a && i < a->nmembers; i++) {
		const char *m = a->members[i];
		if (!gw_sql__starts(m, "column_statistics ") ||
		    gw_sql__member(b, m, gw_schema__member_key(m)))
			continue;
		gw_sql__member_name(&name, m);
		gw_str_clear(&key);
		gw_str_printf(&key, "column %s", name.ptr);
		if (gw_sql__member(b, key.ptr, key.size) &&
		    !(readded && gw_sql__has_word(readded, name.ptr)))
			gw_sql__emit(g->q, GW_SQ_COLUMN,
			             "ALTER TABLE %s ALTER COLUMN %s SET STATISTICS -1", b->name,
			             name.ptr);
	}
	if (name.failed || key.failed)
		g->q->failed = 1;
	gw_str_dispose(&name);
	gw_str_dispose(&key);
}

/* "publication p (a, b) where (a > 1)" → ALTER PUBLICATION p ADD TABLE
 * t (a, b) WHERE ((a > 1)). */
static void add_to_publication(gen *g, const gw_schema_object *t, const char *m)
{
	gw_str name = GW_STR_INIT;
	const char *rest = gw_sql__member_body(m), *where = strstr(rest, "where ");
	size_t cols = where ? (size_t)(where - rest) : strlen(rest);

	while (cols && rest[cols - 1] == ' ')
		cols--;
	gw_sql__member_name(&name, m);
	gw_sql__emit(g->q, GW_SQ_TRIGGER, "ALTER PUBLICATION %s ADD TABLE ONLY %s%s%.*s%s%s%s",
	             name.ptr, t->name, cols ? " " : "", (int)cols, rest, where ? " WHERE (" : "",
	             where ? where + 6 : "", where ? ")" : "");
	gw_str_dispose(&name);
}

static void publications_of(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	gw_str name = GW_STR_INIT;
	size_t i;

	for (i = 0; a && i < a->nmembers; i++) {
		const char *m = a->members[i];
		if (!gw_sql__starts(m, "publication ") ||
		    gw_sql__streq(gw_sql__member(b, m, gw_schema__member_key(m)), m))
			continue;
		gw_sql__member_name(&name, m);
		gw_sql__emit(g->q, GW_SQ_DROP_TRIGGER, "ALTER PUBLICATION %s DROP TABLE ONLY %s",
		             name.ptr, a->name);
	}
	for (i = 0; i < b->nmembers; i++) {
		const char *m = b->members[i];
		if (gw_sql__starts(m, "publication ") &&
		    !(a && gw_sql__streq(gw_sql__member(a, m, gw_schema__member_key(m)), m)))
			add_to_publication(g, b, m);
	}
	gw_str_dispose(&name);
}

void gw_sql__table_replication(gen *g, const gw_schema_object *a, const gw_schema_object *b,
                               const gw_vec *readded)
{
	statistics(g, a, b, readded);
	replica_identity(g, a, b);
	publications_of(g, a, b);
}

/* ---- publications --------------------------------------------------------- */

/* "WITH (publish = 'insert, update', publish_via_partition_root = false)" */
static void publication_with(gw_str *s, const gw_schema_object *p)
{
	const char *publish = gw_sql__member(p, "publish", 7);

	gw_str_printf(s, "(publish = '%s', publish_via_partition_root = %s)",
	              publish && publish[7] ? publish + 8 : "",
	              gw_sql__member(p, "via_root", 8) ? "true" : "false");
}

/* The schemas of "schemas a, b" in `from` that `to` lacks, each through
 * ALTER PUBLICATION name verb TABLES IN SCHEMA. */
static void schemas_change(gen *g, const char *name, const char *from, const char *to,
                           const char *verb)
{
	const char *p = from ? from + 8 : NULL;
	gw_str one = GW_STR_INIT, list = GW_STR_INIT;

	gw_str_printf(&list, ", %s, ", to ? to + 8 : "");
	while (p && *p) {
		size_t n = strcspn(p, ",");
		gw_str_clear(&one);
		gw_str_printf(&one, ", %.*s, ", (int)n, p);
		if (!one.failed && !list.failed && !strstr(list.ptr, one.ptr))
			gw_sql__emit(g->q, GW_SQ_TYPE,
			             "ALTER PUBLICATION %s %s TABLES IN SCHEMA %.*s", name, verb,
			             (int)n, p);
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	if (one.failed || list.failed)
		g->q->failed = 1;
	gw_str_dispose(&one);
	gw_str_dispose(&list);
}

/* Publications made or changed, after the schemas they may publish; their
 * tables join them with the tables' statements, those dropped go late. */
void gw_sql__publications(gen *g)
{
	gw_str s = GW_STR_INIT;
	size_t i;

	for (i = 0; i < gw_schema_count(g->b); i++) {
		const gw_schema_object *b = gw_schema_get(g->b, i), *a;
		const char *sa, *sb = gw_sql__member(b, "schemas", 7);
		if (strcmp(b->kind, "publication") != 0)
			continue;
		gw_str_clear(&s);
		publication_with(&s, b);
		if (!(a = gw_sql__find(g->a, b->kind, b->name))) {
			gw_sql__emit(g->q, GW_SQ_TYPE, "CREATE PUBLICATION %s%s%s%s WITH %s",
			             b->name,
			             gw_sql__member(b, "all_tables", 10) ? " FOR ALL TABLES" : "",
			             sb ? " FOR TABLES IN SCHEMA " : "", sb ? sb + 8 : "", s.ptr);
			gw_sql__comments(g, NULL, b);
			continue;
		}
		if (!gw_sql__member(a, "all_tables", 10) != !gw_sql__member(b, "all_tables", 10)) {
			gw_sql__unexpressed(
			        g->q, GW_SQ_TYPE,
			        "publication %s changes whether it publishes all tables "
			        "(drop and create it by hand)",
			        b->name);
			continue;
		}
		if (!gw_sql__streq(gw_sql__member(a, "publish", 7),
		                   gw_sql__member(b, "publish", 7)) ||
		    !gw_sql__member(a, "via_root", 8) != !gw_sql__member(b, "via_root", 8))
			gw_sql__emit(g->q, GW_SQ_TYPE, "ALTER PUBLICATION %s SET %s", b->name,
			             s.ptr);
		sa = gw_sql__member(a, "schemas", 7);
		schemas_change(g, b->name, sa, sb, "DROP");
		schemas_change(g, b->name, sb, sa, "ADD");
		gw_sql__comments(g, a, b);
	}
	if (s.failed)
		g->q->failed = 1;
	gw_str_dispose(&s);
}
