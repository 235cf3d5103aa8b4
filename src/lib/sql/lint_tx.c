/*
 * lint_tx.c: how the runner will execute the file, and timeouts.
 *
 * It agrees with gw_prepare (runner.c): a file without
 * `-- godwit:no-transaction` is wrapped, so BEGIN/COMMIT in it is refused;
 * a statement that cannot run in a transaction makes the runner switch the
 * whole file to statement-by-statement mode on its own, so such a
 * statement is only an error between an explicit BEGIN and COMMIT (lint.c
 * reports the statements that lose their atomicity). It also asks for a
 * lock_timeout before a statement that waits for a strong lock on an
 * existing table, unless the runner sets one itself (lock_timeout, 5 s by
 * default, before every migration) and the file does not turn it off.
 * And it refuses what releases the session advisory lock the runner holds
 * for the whole run so that no other deploy migrates at the same time.
 */
#include <string.h>

#include "lint_int.h"
#include "pgq.h"
#include "sql.h"
#include "util/text.h"

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
	size_t i;

	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		return !gw_lint__is_new(cx, n->alter_table_stmt->relation);
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		return !n->index_stmt->concurrent && !gw_lint__is_new(cx, n->index_stmt->relation);
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		return !n->rename_stmt->relation || !gw_lint__is_new(cx, n->rename_stmt->relation);
	case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
		for (i = 0; i < n->truncate_stmt->n_relations; i++) {
			const PgQuery__Node *r = n->truncate_stmt->relations[i];

			if (r->node_case != PG_QUERY__NODE__NODE_RANGE_VAR ||
			    !gw_lint__is_new(cx, r->range_var))
				return 1;
		}
		return 0;
	case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
		return !gw_lint__is_new(cx, n->create_trig_stmt->relation);
	case PG_QUERY__NODE__NODE_DROP_STMT:
		return n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
		       (n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX &&
		        !n->drop_stmt->concurrent);
	default:
		return 0;
	}
}

/* SET lock_timeout = 0, SET ... TO DEFAULT and RESET turn a timeout off
 * (the server's default is no timeout). */
static int turns_off(const PgQuery__VariableSetStmt *v)
{
	const PgQuery__AConst *c;

	if (v->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT ||
	    v->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET)
		return 1;
	if (v->n_args != 1 || v->args[0]->node_case != PG_QUERY__NODE__NODE_A_CONST)
		return 0;
	c = v->args[0]->a_const;
	if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL)
		return c->ival->ival == 0;
	if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL) {
		const char *t = c->sval->sval; /* '0', '0s', '0ms' */
		size_t zeros = strspn(t, "0");

		return zeros > 0 && !t[zeros + strspn(t + zeros, "abcdefghijklmnopqrstuvwxyz")];
	}
	return 0;
}

/* pg_advisory_unlock_all() releases every session advisory lock of the
 * session, the runner's too; pg_advisory_unlock(key) releases it when the
 * key is the runner's (which the file cannot know is not), and either is a
 * session lock the migration should not hold past its end. A function of
 * another schema with the same name is the user's. */
static void unlock_call(gw_lint_cx *cx, const ProtobufCMessage *m)
{
	const PgQuery__FuncCall *fc = (const PgQuery__FuncCall *)m;
	const char *name =
	        fc->n_funcname ? gw_lint__string(fc->funcname[fc->n_funcname - 1]) : NULL;
	const char *schema = fc->n_funcname == 2 ? gw_lint__string(fc->funcname[0]) : NULL;

	if (!name || fc->n_funcname > 2 ||
	    (fc->n_funcname == 2 && (!schema || strcmp(schema, "pg_catalog"))))
		return;
	if (strcmp(name, "pg_advisory_unlock_all") && strcmp(name, "pg_advisory_unlock") &&
	    strcmp(name, "pg_advisory_unlock_shared"))
		return;
	gw_lint__report(cx, "releasing-migration-lock", fc->location, NULL, NULL, NULL,
	                "%s() releases session advisory locks, godwit's migration lock too; "
	                "take the migration's own locks with pg_advisory_xact_lock instead",
	                name);
}

/* The text of a function's or DO block's body (its "as" option; a C
 * function's is its file, first, and holds no call), else NULL. */
static const char *body_text(PgQuery__Node **opts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const PgQuery__DefElem *d = opts[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM
		                                    ? opts[i]->def_elem
		                                    : NULL;

		if (!d || strcmp(d->defname, "as") || !d->arg)
			continue;
		if (d->arg->node_case == PG_QUERY__NODE__NODE_LIST)
			return d->arg->list->n_items ? gw_lint__string(d->arg->list->items[0])
			                             : NULL;
		return gw_lint__string(d->arg);
	}
	return NULL;
}

/* A body in quotes is a string to the parser, so unlock_call never sees
 * the calls in it: a function that calls pg_advisory_unlock* releases the
 * migration lock wherever it is called, in this migration or a later one
 * (the runner re-checks the lock after such a text, lock.c). */
static void unlock_in_body(gw_lint_cx *cx, const PgQuery__Node *n)
{
	const char *body = NULL, *what = "the function";

	if (n->node_case == PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT) {
		body = body_text(n->create_function_stmt->options,
		                 n->create_function_stmt->n_options);
		if (n->create_function_stmt->is_procedure)
			what = "the procedure";
	} else if (n->node_case == PG_QUERY__NODE__NODE_DO_STMT) {
		body = body_text(n->do_stmt->args, n->do_stmt->n_args);
		what = "the DO block";
	}
	if (body && gw_text_has_nocase(body, strlen(body), "pg_advisory_unlock"))
		gw_lint__report(cx, "releasing-migration-lock", -1, NULL, NULL, NULL,
		                "%s calls pg_advisory_unlock, which releases session advisory "
		                "locks, godwit's migration lock too, wherever it runs; take its "
		                "locks with pg_advisory_xact_lock instead",
		                what);
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
		cx->timeout_set = !turns_off(n->variable_set_stmt);
		return;
	}
	if (n->node_case == PG_QUERY__NODE__NODE_DISCARD_STMT &&
	    n->discard_stmt->target == PG_QUERY__DISCARD_MODE__DISCARD_ALL)
		gw_lint__report(cx, "releasing-migration-lock", -1, NULL, NULL, NULL,
		                "DISCARD ALL releases every session advisory lock, godwit's "
		                "migration lock too; use DISCARD PLANS, DISCARD SEQUENCES or "
		                "DISCARD TEMP for what it is meant to reset");
	if (gw_lint__on(cx, "releasing-migration-lock")) {
		gw_lint__visit(cx, n, &pg_query__func_call__descriptor, unlock_call);
		unlock_in_body(cx, n);
	}
	/* Outside a BEGIN ... COMMIT the runner runs such a statement on its
	 * own, with or without the directive (lint.c's mixed-no-transaction
	 * reports what that costs the file's other statements). */
	if (gw_sql_classify_node(n) == GW_STMT_NO_TX && cx->in_block)
		gw_lint__report(cx, "concurrently-in-transaction", -1, NULL, NULL, NULL,
		                "%s cannot run between BEGIN and COMMIT",
		                gw_sql_stmt_keyword(cx->sec->text + cx->stmt_off, cx->stmt_len, kw,
		                                    sizeof(kw)));
	if (!cx->timeout_set && !cx->timeout_noted && waits_for_lock(cx, n)) {
		cx->timeout_noted = 1;
		gw_lint__report(
		        cx, "require-timeout-settings", -1, NULL, NULL, NULL,
		        "%s waits for a lock without a lock_timeout; queries queue behind it",
		        gw_sql_stmt_keyword(cx->sec->text + cx->stmt_off, cx->stmt_len, kw,
		                            sizeof(kw)));
	}
}
