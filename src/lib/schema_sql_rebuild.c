/*
 * schema_sql_rebuild.c: a table made again so that its columns come in
 * B's order, for gw_schema_sql (schema_sql.c). PostgreSQL adds a column
 * only at the end, so a column B has in the middle (or that a down adds
 * back where it was) needs a new table: made under a temporary name in
 * B's column order, the rows copied, identity values carried on, the
 * owner and grants copied, the old table dropped and the new one given
 * its name, then its constraints, indexes, triggers, policies, row
 * security and comments made as for a new table. The views that use it
 * are dropped and made again, the foreign keys that point at it too,
 * and the sequences it owns are released before the drop and owned
 * again after. It all runs in the script's transaction, under an ACCESS
 * EXCLUSIVE lock on the table: the warning says so, and
 * column_order_append keeps the live-safe ADD COLUMN at the end instead.
 */
#include "schema_sql.h"

#include <stdlib.h>
#include <string.h>

/* 1 when ALTER TABLE cannot give a's columns b's order. */
static int needs_rebuild(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	gw_vec readded = GW_VEC_INIT;
	int differs = 0;

	if (gw_sql__head_member(a, "partition of ") || gw_sql__head_member(b, "partition of ") ||
	    gw_sql__head_member(a, "partition by ") || gw_sql__head_member(b, "partition by "))
		return 0;
	if (gw_sql__regenerated(g, a, b, &readded) < 0)
		g->q->failed = 1;
	else
		differs = gw_sql__column_order(g, a, b, &readded, 0);
	gw_vec_dispose(&readded, free);
	return differs;
}

static void push_name(gen *g, gw_vec *v, const char *name)
{
	char *copy;

	if (gw_sql__has_word(v, name))
		return;
	if (!(copy = gw_strdup(name)) || gw_vec_push(v, copy) < 0) {
		free(copy);
		g->q->failed = 1;
	}
}

void gw_sql__find_rebuilt(gen *g)
{
	size_t i;

	if (g->o->column_order_append)
		return;
	for (i = 0; i < gw_schema_count(g->b); i++) {
		const gw_schema_object *b = gw_schema_get(g->b, i), *a;
		if (strcmp(b->kind, "table") != 0 || !(a = gw_sql__find(g->a, "table", b->name)) ||
		    !needs_rebuild(g, a, b))
			continue;
		push_name(g, &g->rebuilt, b->name);
		/* Views that use it are made again; foreign keys that point
		 * at it are dropped first and added again. */
		gw_sql__add_word(g, &g->affected, b->name);
		push_name(g, &g->rekeyed, b->name);
	}
}

/* The temporary name of the new table: nsp.godwit_new_rel, quoted as the
 * relation is. */
void gw_sql__temp_name(gw_str *out, gw_str *rel, const char *name)
{
	gw_str nsp = GW_STR_INIT;

	gw_sql__split_name(name, &nsp, rel);
	if (nsp.size)
		gw_str_printf(out, "%s.", nsp.ptr);
	if (rel->size >= 2 && rel->ptr[0] == '"')
		gw_str_printf(out, "\"godwit_new_%.*s\"", (int)(rel->size - 2), rel->ptr + 1);
	else
		gw_str_printf(out, "godwit_new_%s", rel->ptr);
	gw_str_dispose(&nsp);
}

/* "owned_by public.t.n" of a sequence, when it names a column of table. */
static const char *owned_by_table(const gw_schema_object *seq, const char *table)
{
	const char *own = gw_sql__member(seq, "owned_by", 8);
	size_t n = strlen(table);

	if (!own || strncmp(own + 9, table, n) != 0 || own[9 + n] != '.')
		return NULL;
	return own;
}

/* CREATE TABLE under the temporary name, the rows copied, identity
 * sequences set to where the old ones were. */
static void copy_rows(gen *g, const gw_schema_object *a, const gw_schema_object *b, const char *tmp)
{
	gw_str s = GW_STR_INIT, cols = GW_STR_INIT, exprs = GW_STR_INIT, lit = GW_STR_INIT;
	gw_str told = GW_STR_INIT, tnew = GW_STR_INIT;
	size_t i;

	gw_str_printf(&s, "CREATE %sTABLE %s", gw_sql__member(b, "unlogged", 8) ? "UNLOGGED " : "",
	              tmp);
	gw_sql__column_list(g, &s, b);
	gw_sql__with(&s, b);
	/* s is used again below, which clears its failure: say it now. */
	if (s.failed)
		g->q->failed = 1;
	else
		gw_sql__emit(g->q, GW_SQ_COLUMN, "%s", s.ptr);
	gw_sql__literal(&told, a->name);
	gw_sql__literal(&tnew, tmp);
	for (i = 0; i < b->nmembers; i++) {
		const char *m = b->members[i], *ma;
		col ca, cb;
		if (!gw_sql__starts(m, "column ") ||
		    !(ma = gw_sql__member(a, m, gw_schema__member_key(m))))
			continue;
		if (gw_sql__col_parse(&cb, m) < 0 || gw_sql__col_parse(&ca, ma) < 0) {
			gw_sql__col_dispose(&cb);
			g->q->failed = 1;
			break;
		}
		if (!cb.gen) {
			gw_str_printf(&cols, "%s%s", cols.size ? ", " : "", cb.name);
			if (strcmp(ca.type, cb.type) != 0)
				gw_str_printf(&exprs, "%s%s::%s", exprs.size ? ", " : "", cb.name,
				              cb.type);
			else
				gw_str_printf(&exprs, "%s%s", exprs.size ? ", " : "", cb.name);
		}
		/* The new identity goes on from the old one's value (or the
		 * serial sequence's), not from its start. */
		if (cb.identity) {
			gw_str_clear(&lit);
			gw_sql__unquoted(&lit, cb.name);
			gw_str_clear(&s);
			gw_sql__literal(&s, lit.ptr);
			gw_sql__emit(
			        g->q, GW_SQ_COLUMN,
			        "SELECT setval(pg_get_serial_sequence(%s, %s), v) FROM "
			        "pg_sequence_last_value(pg_get_serial_sequence(%s, %s)::regclass) "
			        "AS v WHERE v IS NOT NULL",
			        tnew.ptr, s.ptr, told.ptr, s.ptr);
			if (lit.failed || s.failed)
				g->q->failed = 1;
		}
		gw_sql__col_dispose(&ca);
		gw_sql__col_dispose(&cb);
	}
	if (cols.size)
		gw_sql__emit(g->q, GW_SQ_COLUMN,
		             "INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %s", tmp,
		             cols.ptr, exprs.ptr, a->name);
	if (s.failed || cols.failed || exprs.failed || lit.failed || told.failed || tnew.failed)
		g->q->failed = 1;
	gw_str_dispose(&s);
	gw_str_dispose(&cols);
	gw_str_dispose(&exprs);
	gw_str_dispose(&lit);
	gw_str_dispose(&told);
	gw_str_dispose(&tnew);
}

/* Without --privileges the snapshots hold no owner or grants: the old
 * table's (its columns' too) are copied as they are on the database. */
void gw_sql__copy_grants(gen *g, const gw_schema_object *a, const char *tmp)
{
	gw_str told = GW_STR_INIT, tnew = GW_STR_INIT;

	gw_sql__literal(&told, a->name);
	gw_sql__literal(&tnew, tmp);
	if (told.failed || tnew.failed) {
		g->q->failed = 1;
	} else {
		gw_sql__emit(
		        g->q, GW_SQ_COLUMN,
		        "DO $godwit$\n"
		        "DECLARE\n"
		        "    r record;\n"
		        "BEGIN\n"
		        "    IF (SELECT relowner <> (SELECT oid FROM pg_roles WHERE rolname = "
		        "current_user) FROM pg_class WHERE oid = %s::regclass) THEN\n"
		        "        EXECUTE format('ALTER TABLE %%s OWNER TO %%I', %s, "
		        "(SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = "
		        "%s::regclass));\n"
		        "    END IF;\n"
		        "    FOR r IN SELECT a.privilege_type AS p, a.is_grantable AS o,\n"
		        "            CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE "
		        "quote_ident(pg_get_userbyid(a.grantee)) END AS who\n"
		        "        FROM pg_class c, aclexplode(c.relacl) a\n"
		        "        WHERE c.oid = %s::regclass AND a.grantee <> c.relowner LOOP\n"
		        "        EXECUTE format('GRANT %%s ON %%s TO %%s%%s', r.p, %s, r.who,\n"
		        "            CASE WHEN r.o THEN ' WITH GRANT OPTION' ELSE '' END);\n"
		        "    END LOOP;\n"
		        "    FOR r IN SELECT a.attname AS col, x.privilege_type AS p, "
		        "x.is_grantable AS o,\n"
		        "            CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE "
		        "quote_ident(pg_get_userbyid(x.grantee)) END AS who\n"
		        "        FROM pg_attribute a, aclexplode(a.attacl) x\n"
		        "        WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT "
		        "a.attisdropped\n"
		        "        AND EXISTS (SELECT 1 FROM pg_attribute n WHERE n.attrelid = "
		        "%s::regclass\n"
		        "            AND n.attname = a.attname AND NOT n.attisdropped) LOOP\n"
		        "        EXECUTE format('GRANT %%s (%%I) ON %%s TO %%s%%s', r.p, r.col, "
		        "%s, r.who,\n"
		        "            CASE WHEN r.o THEN ' WITH GRANT OPTION' ELSE '' END);\n"
		        "    END LOOP;\n"
		        "END\n"
		        "$godwit$",
		        told.ptr, tnew.ptr, told.ptr, told.ptr, tnew.ptr, told.ptr, tnew.ptr,
		        tnew.ptr);
	}
	gw_str_dispose(&told);
	gw_str_dispose(&tnew);
}

void gw_sql__rebuild_table(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	gw_str tmp = GW_STR_INIT, rel = GW_STR_INIT, order = GW_STR_INIT, name = GW_STR_INIT;
	const char *rs = gw_sql__member(a, "row_security", 12);
	size_t i;

	gw_sql__temp_name(&tmp, &rel, b->name);
	for (i = 0; i < b->nmembers; i++)
		if (gw_sql__is_column(b->members[i])) {
			gw_sql__member_name(&name, b->members[i]);
			gw_str_printf(&order, "%s%s", order.size ? ", " : "", name.ptr);
		}
	if (tmp.failed || rel.failed || order.failed || name.failed) {
		g->q->failed = 1;
		goto cleanup;
	}
	gw_sql__warn_action(g->q, GW_SQ_COLUMN, GW_HINT_COLUMN_ORDER_APPEND, ")",
	                    "table %s is rebuilt to get its columns in the order %s: its rows are "
	                    "copied into a new table that takes its place, under an ACCESS "
	                    "EXCLUSIVE lock on it until the migration commits (",
	                    b->name, order.ptr);
	/* Sequences it owns would go with it. */
	for (i = 0; i < gw_schema_count(g->a); i++) {
		const gw_schema_object *s = gw_schema_get(g->a, i);
		if (strcmp(s->kind, "sequence") == 0 && owned_by_table(s, a->name))
			gw_sql__emit(g->q, GW_SQ_DROP_FK, "ALTER SEQUENCE %s OWNED BY NONE",
			             s->name);
	}
	/* Forced row security would hide rows from its owner's copy. */
	if (rs && gw_sql__ends(rs, "forced"))
		gw_sql__emit(g->q, GW_SQ_COLUMN, "ALTER TABLE %s NO FORCE ROW LEVEL SECURITY",
		             a->name);
	/* Writes wait from here: a row written after the copy would be lost
	 * with the old table. Reads go on until the DROP. */
	gw_sql__emit(g->q, GW_SQ_COLUMN, "LOCK TABLE %s IN EXCLUSIVE MODE", a->name);
	copy_rows(g, a, b, tmp.ptr);
	if (!g->o->privileges)
		gw_sql__copy_grants(g, a, tmp.ptr);
	gw_sql__emit(g->q, GW_SQ_COLUMN, "DROP TABLE %s", a->name);
	gw_sql__emit(g->q, GW_SQ_COLUMN, "ALTER TABLE %s RENAME TO %s", tmp.ptr, rel.ptr);
	gw_sql__new_table_members(g, b);
	/* Owned again: those whose owner changes are the sequence's own
	 * statements. */
	for (i = 0; i < gw_schema_count(g->b); i++) {
		const gw_schema_object *s = gw_schema_get(g->b, i), *sa;
		const char *own;
		if (strcmp(s->kind, "sequence") != 0 || !(own = owned_by_table(s, b->name)) ||
		    !(sa = gw_sql__find(g->a, "sequence", s->name)) ||
		    !gw_sql__streq(gw_sql__member(sa, "owned_by", 8), own))
			continue;
		gw_sql__emit(g->q, GW_SQ_OWNED, "ALTER SEQUENCE %s OWNED BY %s", s->name, own + 9);
	}
cleanup:
	gw_str_dispose(&tmp);
	gw_str_dispose(&rel);
	gw_str_dispose(&order);
	gw_str_dispose(&name);
}
