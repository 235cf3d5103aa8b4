/*
 * lint_types.c: column types that cause trouble later: json, varchar(n),
 * char(n), timestamp without time zone, and 32-bit keys. Checked in
 * CREATE TABLE, ADD COLUMN and ALTER COLUMN TYPE.
 */
#include <string.h>

#include "lint_int.h"

static int small_int(const char *t)
{
	return !strcmp(t, "int4") || !strcmp(t, "int2") || !strcmp(t, "serial") ||
	       !strcmp(t, "serial4") || !strcmp(t, "smallserial") || !strcmp(t, "serial2");
}

static int is_pk(const PgQuery__ColumnDef *cd)
{
	size_t i;

	for (i = 0; i < cd->n_constraints; i++)
		if (cd->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
		    cd->constraints[i]->constraint->contype ==
		            PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY)
			return 1;
	return 0;
}

static void type_of(gw_lint_cx *cx, const char *table, const char *col, const PgQuery__TypeName *t,
                    int pk)
{
	const char *name = gw_lint__type_name(t);
	int loc = t ? t->location : -1;

	if (!strcmp(name, "json"))
		gw_lint__report(cx, "prefer-jsonb", loc, table, NULL, NULL,
		                "column %s is json; use jsonb", col);
	else if (!strcmp(name, "varchar") && t->n_typmods)
		gw_lint__report(cx, "prefer-text-over-varchar", loc, table, NULL, NULL,
		                "column %s is varchar(n); use text with a CHECK on its length",
		                col);
	else if (!strcmp(name, "bpchar"))
		gw_lint__report(cx, "ban-char-field", loc, table, NULL, NULL,
		                "column %s is char(n), which pads with blanks; use text", col);
	else if (!strcmp(name, "timestamp"))
		gw_lint__report(cx, "prefer-timestamptz", loc, table, NULL, NULL,
		                "column %s is timestamp without time zone; use timestamptz", col);
	else if (pk && small_int(name))
		gw_lint__report(cx, "prefer-bigint-keys", loc, table, NULL, NULL,
		                "key column %s is %s, which runs out at 2^31; use bigint", col,
		                name);
}

/* The columns named by a table-level PRIMARY KEY (id) constraint. */
static int in_table_pk(const PgQuery__CreateStmt *c, const char *col)
{
	size_t i, k;

	for (i = 0; i < c->n_table_elts; i++) {
		const PgQuery__Node *e = c->table_elts[i];

		if (e->node_case != PG_QUERY__NODE__NODE_CONSTRAINT ||
		    e->constraint->contype != PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY)
			continue;
		for (k = 0; k < e->constraint->n_keys; k++) {
			const char *s = gw_lint__string(e->constraint->keys[k]);

			if (s && !strcmp(s, col))
				return 1;
		}
	}
	return 0;
}

static void create_table(gw_lint_cx *cx, const PgQuery__CreateStmt *c)
{
	char table[160];
	size_t i;

	gw_lint__relname(c->relation, table, sizeof(table));
	for (i = 0; i < c->n_table_elts; i++) {
		const PgQuery__ColumnDef *cd;

		if (c->table_elts[i]->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
			continue;
		cd = c->table_elts[i]->column_def;
		type_of(cx, table, cd->colname, cd->type_name,
		        is_pk(cd) || in_table_pk(c, cd->colname));
	}
}

static void alter_table(gw_lint_cx *cx, const PgQuery__AlterTableStmt *a)
{
	char table[160];
	size_t i;

	gw_lint__relname(a->relation, table, sizeof(table));
	for (i = 0; i < a->n_cmds; i++) {
		const PgQuery__AlterTableCmd *c = gw_lint__alter_cmd(a, i);
		const PgQuery__ColumnDef *cd;

		if (!c || !c->def || c->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
			continue;
		cd = c->def->column_def;
		if (c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn)
			type_of(cx, table, cd->colname, cd->type_name, is_pk(cd));
		else if (c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType)
			type_of(cx, table, c->name, cd->type_name, 0);
	}
}

void gw_lint__check_types(gw_lint_cx *cx)
{
	const PgQuery__Node *n = cx->node;

	if (n->node_case == PG_QUERY__NODE__NODE_CREATE_STMT)
		create_table(cx, n->create_stmt);
	else if (n->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT)
		alter_table(cx, n->alter_table_stmt);
}
