/*
 * lint_danger.c: statements that lose data or open access wholesale, which
 * a protected environment refuses unless acknowledged (block, policy.c):
 * DELETE and UPDATE without WHERE, TRUNCATE, DROP SCHEMA ... CASCADE, GRANT ... TO
 * PUBLIC, row-level security turned off, policies dropped, roles made
 * superuser, and tables created (CREATE TABLE, CREATE TABLE ... AS, SELECT
 * ... INTO) in a schema the API exposes (Supabase) without row-level
 * security in the same migration.
 */
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"
#include "../../util/str.h"

#define OT(x) PG_QUERY__OBJECT_TYPE__OBJECT_##x

static void without_where(gw_lint_cx *cx, const char *verb, const char *rule,
                          const PgQuery__RangeVar *rv)
{
	char table[160];

	gw_lint__relname(rv, table, sizeof(table));
	if (rv && gw_lint__is_new(cx, rv))
		return;
	gw_lint__report(cx, rule, -1, table, NULL, NULL, "%s without WHERE changes every row of %s",
	                verb, table);
}

/* TRUNCATE of a table this migration did not create; with CASCADE,
 * truncate-cascade says more. */
static void truncates(gw_lint_cx *cx, const PgQuery__TruncateStmt *t)
{
	char table[160];
	size_t i;

	if (t->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
		return;
	for (i = 0; i < t->n_relations; i++) {
		const PgQuery__RangeVar *rv =
		        t->relations[i]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR
		                ? t->relations[i]->range_var
		                : NULL;

		if (!rv || gw_lint__is_new(cx, rv))
			continue;
		gw_lint__relname(rv, table, sizeof(table));
		gw_lint__report(cx, "truncating-table", -1, table, NULL, NULL,
		                "TRUNCATE empties %s at once", table);
	}
}

static int grants_public(const PgQuery__GrantStmt *g)
{
	size_t i;

	for (i = 0; i < g->n_grantees; i++)
		if (g->grantees[i]->node_case == PG_QUERY__NODE__NODE_ROLE_SPEC &&
		    g->grantees[i]->role_spec->roletype ==
		            PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC)
			return 1;
	return 0;
}

/* SUPERUSER in a role's options: the parser gives a Boolean (PostgreSQL
 * 15) or an Integer (older grammars). */
static int makes_superuser(PgQuery__Node **opts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const PgQuery__DefElem *d = opts[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM
		                                    ? opts[i]->def_elem
		                                    : NULL;

		if (d && !strcmp(d->defname, "superuser"))
			return gw_lint__option_true(d);
	}
	return 0;
}

/* Whether schema is one of the comma-separated exposed schemas. */
static int exposed(const char *list, const char *schema)
{
	size_t n = strlen(schema);
	const char *p = list;

	while (p && *p) {
		size_t len = strcspn(p, ","), b = 0, e = len;

		while (b < e && (p[b] == ' ' || p[b] == '\t'))
			b++;
		while (e > b && (p[e - 1] == ' ' || p[e - 1] == '\t'))
			e--;
		if (e - b == n && !strncmp(p + b, schema, n))
			return 1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* A table created in an exposed schema waits here for the ENABLE ROW
 * LEVEL SECURITY that must follow in the same migration. */
typedef struct rls_table {
	char *name;           /* schema.table */
	gw_lint_stmt_pos pos; /* the statement that creates it */
} rls_table;

static void rls_table_free(void *p)
{
	rls_table *t = p;

	if (t)
		free(t->name);
	free(t);
}

static void created(gw_lint_cx *cx, const PgQuery__RangeVar *rv)
{
	const char *schema = rv->schemaname && *rv->schemaname ? rv->schemaname : "public";
	rls_table *t;
	gw_str name = GW_STR_INIT;

	if (!cx->sec->rls_schemas || !exposed(cx->sec->rls_schemas, schema) ||
	    (rv->relpersistence && rv->relpersistence[0] == 't'))
		return;
	gw_str_printf(&name, "%s.%s", schema, rv->relname);
	if (!(t = calloc(1, sizeof(*t))) || gw_str_failed(&name) ||
	    gw_vec_push(&cx->rls_pending, t) < 0) {
		free(t);
		gw_str_dispose(&name);
		cx->run_failed = 1;
		return;
	}
	t->name = gw_str_detach(&name);
	gw_lint__stmt_pos(cx, &t->pos);
}

static void rls_enabled(gw_lint_cx *cx, const PgQuery__RangeVar *rv)
{
	const char *schema = rv->schemaname && *rv->schemaname ? rv->schemaname : "public";
	size_t i, n = strlen(schema);

	for (i = 0; i < cx->rls_pending.len; i++) {
		rls_table *t = cx->rls_pending.items[i];

		if (!strncmp(t->name, schema, n) && t->name[n] == '.' &&
		    !strcmp(t->name + n + 1, rv->relname)) {
			rls_table_free(t);
			cx->rls_pending.items[i] = cx->rls_pending.items[--cx->rls_pending.len];
			return;
		}
	}
}

static void alter_table(gw_lint_cx *cx, const PgQuery__AlterTableStmt *a)
{
	char table[160];
	size_t i;

	gw_lint__relname(a->relation, table, sizeof(table));
	for (i = 0; i < a->n_cmds; i++) {
		const PgQuery__AlterTableCmd *c = gw_lint__alter_cmd(a, i);

		if (!c)
			continue;
		if (c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRowSecurity)
			gw_lint__report(cx, "disabling-row-level-security", -1, table, NULL, NULL,
			                "row-level security on %s is turned off: every role with "
			                "a grant on it sees and changes every row",
			                table);
		else if (c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRowSecurity &&
		         a->relation)
			rls_enabled(cx, a->relation);
	}
}

void gw_lint__check_danger(gw_lint_cx *cx)
{
	const PgQuery__Node *n = cx->node;

	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_DELETE_STMT:
		if (!n->delete_stmt->where_clause)
			without_where(cx, "DELETE", "delete-without-where",
			              n->delete_stmt->relation);
		break;
	case PG_QUERY__NODE__NODE_UPDATE_STMT:
		if (!n->update_stmt->where_clause)
			without_where(cx, "UPDATE", "update-without-where",
			              n->update_stmt->relation);
		break;
	case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
		truncates(cx, n->truncate_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		if (n->drop_stmt->remove_type == OT(SCHEMA) &&
		    n->drop_stmt->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
			gw_lint__report(cx, "drop-schema-cascade", -1, NULL, NULL, NULL,
			                "DROP SCHEMA ... CASCADE drops every table, view and "
			                "function in it, and whatever depends on them elsewhere");
		else if (n->drop_stmt->remove_type == OT(POLICY))
			gw_lint__report(cx, "dropping-policy", -1, NULL, NULL, NULL,
			                "dropping a row-level security policy changes who sees "
			                "which rows");
		break;
	case PG_QUERY__NODE__NODE_GRANT_STMT:
		if (n->grant_stmt->is_grant && grants_public(n->grant_stmt))
			gw_lint__report(cx, "grant-to-public", -1, NULL, NULL, NULL,
			                "GRANT ... TO PUBLIC gives every role, present and future, "
			                "these privileges");
		break;
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		alter_table(cx, n->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_ROLE_STMT:
		if (makes_superuser(n->alter_role_stmt->options, n->alter_role_stmt->n_options))
			gw_lint__report(cx, "granting-superuser", -1, NULL, NULL, NULL,
			                "role %s is made a superuser, which bypasses every "
			                "permission and row-level security",
			                n->alter_role_stmt->role &&
			                                n->alter_role_stmt->role->rolename
			                        ? n->alter_role_stmt->role->rolename
			                        : "");
		break;
	case PG_QUERY__NODE__NODE_CREATE_ROLE_STMT:
		if (makes_superuser(n->create_role_stmt->options, n->create_role_stmt->n_options))
			gw_lint__report(cx, "granting-superuser", -1, NULL, NULL, NULL,
			                "role %s is created a superuser, which bypasses every "
			                "permission and row-level security",
			                n->create_role_stmt->role);
		break;
	case PG_QUERY__NODE__NODE_CREATE_STMT:
		if (n->create_stmt->relation)
			created(cx, n->create_stmt->relation);
		break;
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
		/* A materialized view cannot have row-level security. */
		if (n->create_table_as_stmt->objtype == OT(TABLE) &&
		    n->create_table_as_stmt->into && n->create_table_as_stmt->into->rel)
			created(cx, n->create_table_as_stmt->into->rel);
		break;
	case PG_QUERY__NODE__NODE_SELECT_STMT: {
		const PgQuery__RangeVar *rv = gw_lint__select_into(n->select_stmt);

		if (rv)
			created(cx, rv);
		break;
	}
	default:
		break;
	}
}

void gw_lint__check_danger_end(gw_lint_cx *cx, int report)
{
	size_t i;

	for (i = 0; report && i < cx->rls_pending.len; i++) {
		const rls_table *t = cx->rls_pending.items[i];

		gw_lint__at_stmt(cx, &t->pos);
		gw_lint__report(cx, "table-without-row-level-security", -1, t->name, NULL, NULL,
		                "%s is created in a schema the API exposes, and this migration "
		                "does not enable row-level security on it",
		                t->name);
	}
	gw_vec_dispose(&cx->rls_pending, rls_table_free);
}
