/*
 * locks.h: the table locks a PostgreSQL statement takes and what it does
 * to those tables (scan, rewrite, create), read from its parse tree.
 *
 * This is the model behind `godwit plan` (plan.c): one statement's
 * node in, a list of (table, lock mode, effect, note) out. It follows
 * PostgreSQL's own rules (AlterTableGetLockLevel for ALTER TABLE, the
 * "Table-Level Locks" chapter for the rest) without a catalog, so where
 * the answer depends on the catalog it gives the worst case and a note.
 */
#ifndef GW_LIB_SQL_LOCKS_H
#define GW_LIB_SQL_LOCKS_H

#include <stddef.h>

#include "godwit/plan.h"

struct PgQuery__Node;

typedef struct gw_lock_item {
	char *table; /* owned; NULL: every table of the database */
	gw_lock_mode mode;
	gw_lock_effect effect;
	const char *note; /* static text, or NULL */
} gw_lock_item;

typedef struct gw_lock_list {
	gw_lock_item *items;
	size_t count, cap;
	int failed; /* out of memory while adding */
} gw_lock_list;

#define GW_LOCK_LIST_INIT                                                                          \
	{                                                                                          \
		NULL, 0, 0, 0                                                                      \
	}

/* Appends the locks of one statement to out (a table named twice gets the
 * strongest mode and effect). -1 only when out of memory. */
int gw_locks_classify(gw_lock_list *out, const struct PgQuery__Node *stmt);
void gw_lock_list_dispose(gw_lock_list *list);

#endif
