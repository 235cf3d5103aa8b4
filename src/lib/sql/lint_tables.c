/*
 * lint_tables.c: ALTER TABLE and friends: statements that rewrite a table
 * or scan it while holding a lock (volatile defaults, type changes, stored
 * generated and serial columns, constraints without NOT VALID, SET NOT
 * NULL, NOT NULL columns without a default, DETACH PARTITION, VACUUM FULL,
 * CLUSTER). A table created earlier in the same migration is exempt: no
 * one else can be using it yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"
#include "../../util/str.h"

/* ---- SET NOT NULL after a valid CHECK (col IS NOT NULL) ------------------ */

/* The column a CHECK (column IS NOT NULL) is about, or NULL. */
static const char *not_null_column(const PgQuery__Constraint *c)
{
	const PgQuery__Node *e = c->raw_expr;
	const PgQuery__NullTest *t;

	if (!e || e->node_case != PG_QUERY__NODE__NODE_NULL_TEST)
		return NULL;
	t = e->null_test;
	if (t->nulltesttype != PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL || !t->arg ||
	    t->arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
	    t->arg->column_ref->n_fields != 1)
		return NULL;
	return gw_lint__string(t->arg->column_ref->fields[0]);
}

static int has(const gw_vec *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->len; i++)
		if (!strcmp(v->items[i], s))
			return 1;
	return 0;
}

static void keep(gw_lint_cx *cx, gw_vec *v, gw_str *s)
{
	char *copy = gw_str_detach(s); /* NULL when s failed */

	if (!copy || gw_vec_push(v, copy) < 0) {
		free(copy);
		cx->run_failed = 1;
	}
}

/* A CHECK (column IS NOT NULL) added: remembered, and the column proven
 * when the constraint is valid already. */
static void note_check(gw_lint_cx *cx, const char *table, const PgQuery__Constraint *c)
{
	const char *col = not_null_column(c);
	gw_str s = GW_STR_INIT;

	if (!col)
		return;
	if (c->conname && *c->conname) {
		gw_str_printf(&s, "%s|%s|%s", table, c->conname, col);
		keep(cx, &cx->not_null_checks, &s);
	}
	if (!c->skip_validation) {
		gw_str_printf(&s, "%s|%s", table, col);
		keep(cx, &cx->not_null_proven, &s);
	}
}

/* VALIDATE CONSTRAINT name: the column of a CHECK (column IS NOT NULL)
 * by that name is proven. */
static void note_validate(gw_lint_cx *cx, const char *table, const char *name)
{
	size_t i, n = strlen(table), m = name ? strlen(name) : 0;
	gw_str s = GW_STR_INIT;

	for (i = 0; name && i < cx->not_null_checks.len; i++) {
		const char *e = cx->not_null_checks.items[i];

		if (strncmp(e, table, n) || e[n] != '|' || strncmp(e + n + 1, name, m) ||
		    e[n + 1 + m] != '|')
			continue;
		gw_str_printf(&s, "%s|%s", table, e + n + m + 2);
		keep(cx, &cx->not_null_proven, &s);
		return;
	}
}

static int proven_not_null(const gw_lint_cx *cx, const char *table, const char *col)
{
	char key[400];

	snprintf(key, sizeof(key), "%s|%s", table, col ? col : "");
	return has(&cx->not_null_proven, key);
}

#define AT(x) PG_QUERY__ALTER_TABLE_TYPE__AT_##x
#define CT(x) PG_QUERY__CONSTR_TYPE__CONSTR_##x

static int is_serial(const char *type)
{
	return !strcmp(type, "serial") || !strcmp(type, "bigserial") ||
	       !strcmp(type, "smallserial") || !strcmp(type, "serial2") ||
	       !strcmp(type, "serial4") || !strcmp(type, "serial8");
}

static const PgQuery__Constraint *constraint_of(const PgQuery__Node *n)
{
	return n && n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT ? n->constraint : NULL;
}

static void add_column(gw_lint_cx *cx, const char *table, const PgQuery__ColumnDef *cd)
{
	const PgQuery__Node *def = cd->raw_default;
	int not_null = cd->is_not_null, has_default = 0;
	size_t i;

	for (i = 0; i < cd->n_constraints; i++) {
		const PgQuery__Constraint *c = constraint_of(cd->constraints[i]);

		if (!c)
			continue;
		switch (c->contype) {
		case CT(DEFAULT):
			def = c->raw_expr;
			break;
		case CT(NOTNULL):
		case CT(PRIMARY):
			not_null = 1;
			if (c->contype == CT(PRIMARY))
				gw_lint__report(
				        cx, "unique-constraint-without-index", c->location, table,
				        "ACCESS EXCLUSIVE", NULL,
				        "adding column %s as a primary key builds its index "
				        "while %s is locked",
				        cd->colname, table);
			break;
		case CT(UNIQUE):
			gw_lint__report(cx, "unique-constraint-without-index", c->location, table,
			                "ACCESS EXCLUSIVE", NULL,
			                "adding column %s with UNIQUE builds its index while %s is "
			                "locked",
			                cd->colname, table);
			break;
		case CT(GENERATED):
			gw_lint__report(cx, "stored-generated-column", c->location, table,
			                "ACCESS EXCLUSIVE", NULL,
			                "adding the stored generated column %s rewrites %s",
			                cd->colname, table);
			has_default = 1;
			break;
		case CT(IDENTITY):
			gw_lint__report(cx, "adding-serial-or-identity", c->location, table,
			                "ACCESS EXCLUSIVE", NULL,
			                "adding the identity column %s rewrites %s", cd->colname,
			                table);
			has_default = 1;
			break;
		default:
			break;
		}
	}
	if (is_serial(gw_lint__type_name(cd->type_name))) {
		gw_lint__report(cx, "adding-serial-or-identity", cd->location, table,
		                "ACCESS EXCLUSIVE", NULL, "adding the %s column %s rewrites %s",
		                gw_lint__type_name(cd->type_name), cd->colname, table);
		has_default = 1;
	}
	if (def) {
		has_default = 1;
		if (gw_lint__volatile(def))
			gw_lint__report(cx, "adding-field-with-volatile-default", cd->location,
			                table, "ACCESS EXCLUSIVE", NULL,
			                "adding column %s with a volatile default rewrites %s",
			                cd->colname, table);
	}
	if (not_null && !has_default)
		gw_lint__report(cx, "adding-not-nullable-field", cd->location, table,
		                "ACCESS EXCLUSIVE", NULL,
		                "adding the NOT NULL column %s without a default fails if %s has "
		                "rows",
		                cd->colname, table);
}

static void add_constraint(gw_lint_cx *cx, const char *table, const PgQuery__Constraint *c)
{
	const char *name = c->conname && *c->conname ? c->conname : "(unnamed)";

	switch (c->contype) {
	case CT(FOREIGN):
		if (!c->skip_validation)
			gw_lint__report(
			        cx, "constraint-missing-not-valid", c->location, table,
			        "SHARE ROW EXCLUSIVE", NULL,
			        "adding foreign key %s without NOT VALID checks every row of "
			        "%s while it and the referenced table are locked",
			        name, table);
		break;
	case CT(CHECK):
		if (!c->skip_validation)
			gw_lint__report(cx, "constraint-missing-not-valid", c->location, table,
			                "ACCESS EXCLUSIVE", NULL,
			                "adding check constraint %s without NOT VALID checks every "
			                "row of %s while it is locked",
			                name, table);
		break;
	case CT(UNIQUE):
	case CT(PRIMARY):
	case CT(EXCLUSION):
		if (!c->indexname || !*c->indexname)
			gw_lint__report(cx, "unique-constraint-without-index", c->location, table,
			                "ACCESS EXCLUSIVE", NULL,
			                "adding constraint %s builds its index while %s is locked; "
			                "build the index CONCURRENTLY first and add it USING INDEX",
			                name, table);
		break;
	default:
		break;
	}
}

static void alter_cmd(gw_lint_cx *cx, const char *table, const char *key,
                      const PgQuery__AlterTableCmd *c)
{
	switch (c->subtype) {
	case AT(AddColumn):
		if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			add_column(cx, table, c->def->column_def);
		break;
	case AT(AlterColumnType):
		gw_lint__report(cx, "changing-column-type", -1, table, "ACCESS EXCLUSIVE", NULL,
		                "changing the type of %s.%s rewrites the table and its indexes",
		                table, c->name);
		break;
	case AT(SetNotNull):
		/* PostgreSQL 12 and later skip the scan that a valid CHECK
		 * (col IS NOT NULL) makes needless: the pattern the rule
		 * advises. */
		if (proven_not_null(cx, key, c->name))
			break;
		gw_lint__report(cx, "setting-not-null-on-existing-column", -1, table,
		                "ACCESS EXCLUSIVE", NULL,
		                "SET NOT NULL on %s.%s checks every row while the table is locked",
		                table, c->name);
		break;
	case AT(AddConstraint):
		if (constraint_of(c->def) && constraint_of(c->def)->contype == CT(CHECK))
			note_check(cx, key, constraint_of(c->def));
		if (constraint_of(c->def))
			add_constraint(cx, table, constraint_of(c->def));
		break;
	case AT(ValidateConstraint):
		note_validate(cx, key, c->name);
		break;
	case AT(DetachPartition):
		if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD &&
		    !c->def->partition_cmd->concurrent)
			gw_lint__report(cx, "detach-partition-without-concurrently", -1, table,
			                "ACCESS EXCLUSIVE", NULL,
			                "DETACH PARTITION without CONCURRENTLY locks %s", table);
		break;
	default:
		break;
	}
}

static void alter_table(gw_lint_cx *cx, const PgQuery__AlterTableStmt *a)
{
	char table[160], key[160];
	size_t i;

	if (gw_lint__is_new(cx, a->relation))
		return;
	gw_lint__relname(a->relation, table, sizeof(table));
	gw_lint__table_key(a->relation, key, sizeof(key));
	for (i = 0; i < a->n_cmds; i++)
		if (a->cmds[i]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			alter_cmd(cx, table, key, a->cmds[i]->alter_table_cmd);
}

static int vacuum_full(const PgQuery__VacuumStmt *v)
{
	size_t i;

	for (i = 0; v->is_vacuumcmd && i < v->n_options; i++)
		if (v->options[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM &&
		    !strcmp(v->options[i]->def_elem->defname, "full"))
			return gw_lint__option_true(v->options[i]->def_elem);
	return 0;
}

static const char *first_rel(PgQuery__Node **rels, size_t n, char *buf, size_t size)
{
	buf[0] = '\0';
	if (n && rels[0]->node_case == PG_QUERY__NODE__NODE_VACUUM_RELATION)
		gw_lint__relname(rels[0]->vacuum_relation->relation, buf, size);
	return buf;
}

void gw_lint__check_tables(gw_lint_cx *cx)
{
	const PgQuery__Node *n = cx->node;
	char table[160];

	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		alter_table(cx, n->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_VACUUM_STMT:
		if (vacuum_full(n->vacuum_stmt))
			gw_lint__report(
			        cx, "vacuum-full-or-cluster", -1,
			        first_rel(n->vacuum_stmt->rels, n->vacuum_stmt->n_rels, table,
			                  sizeof(table)),
			        "ACCESS EXCLUSIVE", NULL,
			        "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock");
		break;
	case PG_QUERY__NODE__NODE_CLUSTER_STMT:
		gw_lint__report(cx, "vacuum-full-or-cluster", -1,
		                gw_lint__relname(n->cluster_stmt->relation, table, sizeof(table)),
		                "ACCESS EXCLUSIVE", NULL,
		                "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock");
		break;
	default:
		break;
	}
}
