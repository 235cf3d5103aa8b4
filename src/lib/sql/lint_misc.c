/*
 * lint_misc.c: robustness and conventions: TRUNCATE CASCADE, statements
 * that fail when a half-run no-transaction migration is run again,
 * identifiers PostgreSQL would truncate, and columns assigned twice.
 */
#include <string.h>

#include "lint_int.h"

#define NAMEDATALEN_MAX 63

static int ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* The parser has already cut a long name to 63 bytes (with a NOTICE), so
 * a name of that length is looked up in the text to see whether it goes
 * on there. Returns its length in the text. */
static size_t written_length(const gw_lint_cx *cx, const char *s)
{
	const char *text = cx->sec->text + cx->stmt_off, *end = text + cx->stmt_len, *p = text;
	size_t n = strlen(s), len;

	while ((p = memchr(p, s[0], (size_t)(end - p))) != NULL && (size_t)(end - p) >= n) {
		if (!strncmp(p, s, n) && (p == text || !ident_char(p[-1]))) {
			for (len = n; p + len < end && ident_char(p[len]); len++)
				;
			if (len > n)
				return len;
		}
		p++;
	}
	return n;
}

static void name(gw_lint_cx *cx, const char *what, const char *s, int location)
{
	size_t len;

	if (!s || strlen(s) < NAMEDATALEN_MAX || (len = written_length(cx, s)) <= NAMEDATALEN_MAX)
		return;
	gw_lint__report(cx, "identifier-too-long", location, NULL, NULL, NULL,
	                "%s name %.20s... is %zu bytes; PostgreSQL cuts it to 63", what, s, len);
}

static void names_in_columns(gw_lint_cx *cx, PgQuery__Node **elts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (elts[i]->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			name(cx, "column", elts[i]->column_def->colname,
			     elts[i]->column_def->location);
		else if (elts[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			name(cx, "constraint", elts[i]->constraint->conname,
			     elts[i]->constraint->location);
	}
}

static void identifiers(gw_lint_cx *cx)
{
	const PgQuery__Node *n = cx->node;
	size_t i;

	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_STMT:
		if (n->create_stmt->relation)
			name(cx, "table", n->create_stmt->relation->relname,
			     n->create_stmt->relation->location);
		names_in_columns(cx, n->create_stmt->table_elts, n->create_stmt->n_table_elts);
		break;
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		name(cx, "index", n->index_stmt->idxname, -1);
		break;
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		name(cx, "new", n->rename_stmt->newname, -1);
		break;
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		for (i = 0; i < n->alter_table_stmt->n_cmds; i++) {
			const PgQuery__Node *c = n->alter_table_stmt->cmds[i];

			if (c->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD &&
			    c->alter_table_cmd->def)
				names_in_columns(cx, &c->alter_table_cmd->def, 1);
		}
		break;
	default:
		break;
	}
}

/* Robust means: running it a second time after a partial run succeeds. */
static void if_exists(gw_lint_cx *cx)
{
	const PgQuery__Node *n = cx->node;

	if (cx->transactional)
		return;
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_STMT:
		if (!n->create_stmt->if_not_exists)
			gw_lint__report(cx, "prefer-if-exists", -1, NULL, NULL, NULL,
			                "CREATE TABLE without IF NOT EXISTS fails when this "
			                "no-transaction migration is run again");
		break;
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		if (!n->index_stmt->if_not_exists)
			gw_lint__report(cx, "prefer-if-exists", -1, NULL, NULL, NULL,
			                "CREATE INDEX without IF NOT EXISTS fails when this "
			                "no-transaction migration is run again");
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		if (!n->drop_stmt->missing_ok)
			gw_lint__report(cx, "prefer-if-exists", -1, NULL, NULL, NULL,
			                "DROP without IF EXISTS fails when this no-transaction "
			                "migration is run again");
		break;
	default:
		break;
	}
}

/* Plain column names of a target list; entries with subscripts or fields
 * (a[1], b.x) may legally repeat. */
static void duplicates(gw_lint_cx *cx, PgQuery__Node **list, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const PgQuery__ResTarget *a = list[i]->node_case == PG_QUERY__NODE__NODE_RES_TARGET
		                                      ? list[i]->res_target
		                                      : NULL;

		if (!a || !a->name || a->n_indirection)
			continue;
		for (j = 0; j < i; j++) {
			const PgQuery__ResTarget *b =
			        list[j]->node_case == PG_QUERY__NODE__NODE_RES_TARGET
			                ? list[j]->res_target
			                : NULL;

			if (b && b->name && !b->n_indirection && !strcmp(a->name, b->name)) {
				gw_lint__report(cx, "duplicate-column-assignment", a->location,
				                NULL, NULL, NULL, "column %s is assigned twice",
				                a->name);
				break;
			}
		}
	}
}

void gw_lint__check_misc(gw_lint_cx *cx)
{
	const PgQuery__Node *n = cx->node;

	if (n->node_case == PG_QUERY__NODE__NODE_TRUNCATE_STMT &&
	    n->truncate_stmt->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
		gw_lint__report(cx, "truncate-cascade", -1, NULL, "ACCESS EXCLUSIVE", NULL,
		                "TRUNCATE ... CASCADE also empties every table that references "
		                "these");
	if (n->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT)
		duplicates(cx, n->update_stmt->target_list, n->update_stmt->n_target_list);
	else if (n->node_case == PG_QUERY__NODE__NODE_INSERT_STMT)
		duplicates(cx, n->insert_stmt->cols, n->insert_stmt->n_cols);
	identifiers(cx);
	if_exists(cx);
}
