/*
 * lint_breaking.c: changes that break the application code running
 * against the database while the migration deploys: dropped tables,
 * columns, databases and NOT NULL, renamed tables, columns, schemas and
 * enum values, enum values added without a position, and a table
 * swapped for a copy of it (rebuilding-table).
 */
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"

#define OT(x) PG_QUERY__OBJECT_TYPE__OBJECT_##x

static void alter_table(gw_lint_cx *cx, const PgQuery__AlterTableStmt *a)
{
	char table[160];
	size_t i;

	if (gw_lint__is_new(cx, a->relation))
		return;
	gw_lint__relname(a->relation, table, sizeof(table));
	for (i = 0; i < a->n_cmds; i++) {
		const PgQuery__AlterTableCmd *c = gw_lint__alter_cmd(a, i);

		if (!c)
			continue;
		if (c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn)
			gw_lint__report(cx, "dropping-column", -1, table, "ACCESS EXCLUSIVE", NULL,
			                "dropping %s.%s breaks code that still reads it", table,
			                c->name);
		else if (c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull)
			gw_lint__report(cx, "dropping-not-null", -1, table, "ACCESS EXCLUSIVE",
			                NULL,
			                "DROP NOT NULL on %s.%s lets NULLs into a column code may "
			                "assume is set",
			                table, c->name);
	}
}

static void drop(gw_lint_cx *cx, const PgQuery__DropStmt *d)
{
	size_t i;

	if (d->remove_type != OT(TABLE))
		return;
	gw_lint__report(cx, "dropping-table", -1, NULL, "ACCESS EXCLUSIVE", NULL,
	                "dropping a table breaks code that still uses it, and its data is "
	                "gone");
	/* Remembered for rebuilding-table: a new table renamed to its name. */
	for (i = 0; i < d->n_objects; i++) {
		const PgQuery__Node *o = d->objects[i];
		const char *rel = o && o->node_case == PG_QUERY__NODE__NODE_LIST && o->list->n_items
		                          ? gw_lint__string(o->list->items[o->list->n_items - 1])
		                          : NULL;
		char *copy;
		if (!rel)
			continue;
		if (!(copy = gw_strdup(rel)) || gw_vec_push(&cx->dropped, copy) < 0) {
			free(copy);
			cx->run_failed = 1;
		}
	}
}

/* A table made in this migration takes the name of one it dropped: the
 * old table's rows were copied into it, all of them rewritten. */
static void swapped_in(gw_lint_cx *cx, const PgQuery__RenameStmt *r, const char *table)
{
	size_t i;

	for (i = 0; i < cx->dropped.len; i++)
		if (r->newname && strcmp(cx->dropped.items[i], r->newname) == 0) {
			gw_lint__report(
			        cx, "rebuilding-table", -1, r->newname, "ACCESS EXCLUSIVE", NULL,
			        "%s takes the place of table %s, which it copies: every row "
			        "is rewritten, under a lock on %s until the migration commits",
			        table, r->newname, r->newname);
			return;
		}
}

static void rename(gw_lint_cx *cx, const PgQuery__RenameStmt *r)
{
	char table[160];

	gw_lint__relname(r->relation, table, sizeof(table));
	if (r->relation && gw_lint__is_new(cx, r->relation)) {
		if (r->rename_type == OT(TABLE))
			swapped_in(cx, r, table);
		return;
	}
	switch (r->rename_type) {
	case OT(COLUMN):
		gw_lint__report(cx, "renaming-column", -1, table, "ACCESS EXCLUSIVE", NULL,
		                "renaming %s.%s to %s breaks code that uses the old name", table,
		                r->subname, r->newname);
		break;
	case OT(TABLE):
		gw_lint__report(cx, "renaming-table", -1, table, "ACCESS EXCLUSIVE", NULL,
		                "renaming %s to %s breaks code that uses the old name", table,
		                r->newname);
		break;
	case OT(SCHEMA):
		gw_lint__report(cx, "renaming-schema", -1, NULL, NULL, NULL,
		                "renaming schema %s to %s breaks code that uses the old name",
		                r->subname, r->newname);
		break;
	default:
		break;
	}
}

static void alter_enum(gw_lint_cx *cx, const PgQuery__AlterEnumStmt *e)
{
	const char *type = e->n_type_name ? gw_lint__string(e->type_name[e->n_type_name - 1]) : "";

	if (e->old_val && *e->old_val)
		gw_lint__report(cx, "renaming-enum-value", -1, NULL, NULL, NULL,
		                "renaming value '%s' of %s breaks code that writes it", e->old_val,
		                type ? type : "");
	else if (!e->new_val_neighbor || !*e->new_val_neighbor)
		gw_lint__report(cx, "enum-add-value-without-position", -1, NULL, NULL, NULL,
		                "ADD VALUE '%s' to %s without BEFORE or AFTER sorts it last",
		                e->new_val, type ? type : "");
}

void gw_lint__check_breaking(gw_lint_cx *cx)
{
	const PgQuery__Node *n = cx->node;

	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		alter_table(cx, n->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		drop(cx, n->drop_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROPDB_STMT:
		gw_lint__report(cx, "ban-drop-database", -1, NULL, NULL, NULL,
		                "DROP DATABASE %s in a migration", n->dropdb_stmt->dbname);
		break;
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		rename(cx, n->rename_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
		alter_enum(cx, n->alter_enum_stmt);
		break;
	default:
		break;
	}
}
