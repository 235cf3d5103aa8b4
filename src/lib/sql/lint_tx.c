/*
 * lint_tx.c: how the runner will execute the file, and timeouts.
 *
 * It agrees with gw_prepare (runner.c): a file without
 * `-- godwit:no-transaction` is wrapped, so BEGIN/COMMIT in it is refused;
 * a statement that cannot run in a transaction makes the runner switch the
 * whole file to statement-by-statement mode, which the linter reports so
 * the file says so itself (and lint.c reports the statements that lose
 * their atomicity). It also asks for lock_timeout before a statement that
 * waits for a strong lock on an existing table.
 */
#include <string.h>

#include "lint_int.h"
#include "sql.h"

#define TK(x) PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_##x

static void transaction(gw_lint_cx *cx, const PgQuery__TransactionStmt *t)
{
	if (!cx->sec->no_tx_directive) {
		gw_lint__report(cx, "transaction-control-in-migration", -1, NULL, NULL, NULL,
		                "transaction control inside a migration that godwit runs in a "
		                "transaction");
		return;
	}
	if (t->kind == TK(BEGIN) || t->kind == TK(START)) {
		cx->in_block = 1;
		cx->block_off = cx->stmt_off;
	} else if (t->kind == TK(COMMIT) || t->kind == TK(ROLLBACK))
		cx->in_block = 0;
}

/* A statement that queues for a lock that blocks others on an existing
 * table. */
static int waits_for_lock(const gw_lint_cx *cx, const PgQuery__Node *n)
{
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		return !gw_lint__is_new(cx, n->alter_table_stmt->relation);
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		return !n->index_stmt->concurrent && !gw_lint__is_new(cx, n->index_stmt->relation);
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		return !n->rename_stmt->relation || !gw_lint__is_new(cx, n->rename_stmt->relation);
	case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
	case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
		return 1;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		return n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
		       (n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX &&
		        !n->drop_stmt->concurrent);
	default:
		return 0;
	}
}

void gw_lint__check_tx(gw_lint_cx *cx)
{
	const PgQuery__Node *n = cx->node;
	char kw[32];

	if (n->node_case == PG_QUERY__NODE__NODE_TRANSACTION_STMT) {
		transaction(cx, n->transaction_stmt);
		return;
	}
	if (n->node_case == PG_QUERY__NODE__NODE_VARIABLE_SET_STMT && n->variable_set_stmt->name &&
	    (!strcmp(n->variable_set_stmt->name, "lock_timeout") ||
	     !strcmp(n->variable_set_stmt->name, "statement_timeout"))) {
		cx->timeout_set = 1;
		return;
	}
	if (gw_sql_classify_node(n) == GW_STMT_NO_TX) {
		gw_sql_stmt_keyword(cx->sec->text + cx->stmt_off, cx->stmt_len, kw, sizeof(kw));
		if (!cx->sec->no_tx_directive)
			gw_lint__report(
			        cx, "concurrently-in-transaction", -1, NULL, NULL, NULL,
			        "%s cannot run in a transaction, but this file does not say "
			        "-- godwit:no-transaction",
			        kw);
		else if (cx->in_block)
			gw_lint__report(cx, "concurrently-in-transaction", -1, NULL, NULL, NULL,
			                "%s cannot run between BEGIN and COMMIT", kw);
	}
	if (!cx->timeout_set && !cx->timeout_noted && waits_for_lock(cx, n)) {
		cx->timeout_noted = 1;
		gw_lint__report(
		        cx, "require-timeout-settings", -1, NULL, NULL, NULL,
		        "%s waits for a lock without a lock_timeout; queries queue behind it",
		        gw_sql_stmt_keyword(cx->sec->text + cx->stmt_off, cx->stmt_len, kw,
		                            sizeof(kw)));
	}
}
