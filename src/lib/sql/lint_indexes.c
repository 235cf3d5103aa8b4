/*
 * lint_indexes.c: index builds and drops that block writes (no
 * CONCURRENTLY), REINDEX without CONCURRENTLY, and wide non-unique
 * indexes.
 */
#include <string.h>

#include "lint_int.h"

static int has_concurrently(PgQuery__Node **params, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (params[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM &&
		    !strcmp(params[i]->def_elem->defname, "concurrently"))
			return 1;
	return 0;
}

static void create_index(gw_lint_cx *cx, const PgQuery__IndexStmt *ix)
{
	char table[160];

	gw_lint__relname(ix->relation, table, sizeof(table));
	if (ix->n_index_params > 3 && !ix->unique)
		gw_lint__report(cx, "wide-non-unique-index", -1, table, NULL, NULL,
		                "index %s on %s covers %zu columns; more than three rarely pays "
		                "for the writes it slows",
		                *ix->idxname ? ix->idxname : "(unnamed)", table,
		                ix->n_index_params);
	if (ix->concurrent || gw_lint__is_new(cx, ix->relation))
		return;
	gw_lint__report(cx, "require-concurrent-index-creation", -1, table, "SHARE", NULL,
	                "CREATE INDEX %s without CONCURRENTLY blocks writes to %s until it is "
	                "built",
	                *ix->idxname ? ix->idxname : "(unnamed)", table);
}

void gw_lint__check_indexes(gw_lint_cx *cx)
{
	const PgQuery__Node *n = cx->node;
	char table[160];

	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		create_index(cx, n->index_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		if (n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX &&
		    !n->drop_stmt->concurrent)
			gw_lint__report(cx, "require-concurrent-index-deletion", -1, NULL,
			                "ACCESS EXCLUSIVE", NULL,
			                "DROP INDEX without CONCURRENTLY locks the index's table");
		break;
	case PG_QUERY__NODE__NODE_REINDEX_STMT:
		if (!has_concurrently(n->reindex_stmt->params, n->reindex_stmt->n_params))
			gw_lint__report(
			        cx, "reindex-without-concurrently", -1,
			        gw_lint__relname(n->reindex_stmt->relation, table, sizeof(table)),
			        "ACCESS EXCLUSIVE", NULL,
			        "REINDEX without CONCURRENTLY blocks writes until it finishes");
		break;
	default:
		break;
	}
}
