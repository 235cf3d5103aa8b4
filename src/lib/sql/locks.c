/*
 * locks.c: which table locks a PostgreSQL statement takes, and whether it
 * scans, rewrites or creates the table (the model `godwit plan` shows).
 *
 * One statement's parse tree in, a list of (table, mode, effect, note)
 * out. ALTER TABLE follows PostgreSQL's AlterTableGetLockLevel: each
 * subcommand has its level and the statement takes the strongest, with
 * foreign keys and partitions adding locks on a second table. The other
 * statements follow the "Table-Level Locks" chapter of the manual. There
 * is no catalog here, so a statement whose cost depends on it (a type
 * change that may be binary-compatible) is given its worst case and a
 * note that says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"
#include "locks.h"
#include "../../util/vec.h"

#define AT(x) PG_QUERY__ALTER_TABLE_TYPE__AT_##x
#define CT(x) PG_QUERY__CONSTR_TYPE__CONSTR_##x
#define OT(x) PG_QUERY__OBJECT_TYPE__OBJECT_##x
#define NC(x) PG_QUERY__NODE__NODE_##x

/* ---- names and phrases ------------------------------------------------------- */

const char *gw_lock_mode_name(gw_lock_mode mode)
{
	static const char *const names[] = {"",
	                                    "ACCESS SHARE",
	                                    "ROW SHARE",
	                                    "ROW EXCLUSIVE",
	                                    "SHARE UPDATE EXCLUSIVE",
	                                    "SHARE",
	                                    "SHARE ROW EXCLUSIVE",
	                                    "EXCLUSIVE",
	                                    "ACCESS EXCLUSIVE"};

	return (unsigned)mode < sizeof(names) / sizeof(names[0]) ? names[mode] : "";
}

/* From the lock conflict table of the manual, said in terms of what the
 * sessions of an application do. */
const char *gw_lock_mode_blocks(gw_lock_mode mode)
{
	static const char *const blocks[] = {NULL,
	                                     "blocks only ACCESS EXCLUSIVE locks",
	                                     "blocks EXCLUSIVE and ACCESS EXCLUSIVE locks",
	                                     "blocks index builds and schema changes",
	                                     "blocks other schema changes; reads and writes go on",
	                                     "blocks writes",
	                                     "blocks writes",
	                                     "blocks writes and row locks; plain reads go on",
	                                     "blocks reads and writes"};

	return (unsigned)mode < sizeof(blocks) / sizeof(blocks[0]) ? blocks[mode] : NULL;
}

const char *gw_lock_effect_name(gw_lock_effect effect)
{
	switch (effect) {
	case GW_EFFECT_SCAN:
		return "scan";
	case GW_EFFECT_REWRITE:
		return "rewrite";
	case GW_EFFECT_CREATES:
		return "creates";
	case GW_EFFECT_NONE:
	default:
		return "none";
	}
}

/* ---- the list ------------------------------------------------------------------ */

static int same_table(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* A table named twice (two subcommands, a self-reference) keeps the
 * strongest lock and effect, as PostgreSQL holds the strongest. */
static void add(gw_lock_list *l, const char *table, gw_lock_mode mode, gw_lock_effect effect,
                const char *note)
{
	gw_lock_item *it, *items;
	size_t i;

	for (i = 0; i < l->count; i++) {
		it = &l->items[i];
		if (!same_table(it->table, table))
			continue;
		if (mode > it->mode)
			it->mode = mode;
		if (effect > it->effect)
			it->effect = effect;
		if (!it->note)
			it->note = note;
		return;
	}
	if (!(items = gw_grow(l->items, &l->cap, l->count, sizeof(*items)))) {
		l->failed = 1;
		return;
	}
	l->items = items;
	it = &l->items[l->count];
	it->table = NULL;
	if (table && !(it->table = gw_strdup(table))) {
		l->failed = 1;
		return;
	}
	it->mode = mode;
	it->effect = effect;
	it->note = note;
	l->count++;
}

static void add_rv(gw_lock_list *l, const PgQuery__RangeVar *rv, gw_lock_mode mode,
                   gw_lock_effect effect, const char *note)
{
	char name[300];

	if (rv && rv->relname && *rv->relname)
		add(l, gw_lint__relname(rv, name, sizeof(name)), mode, effect, note);
}

/* A qualified name given as a List of String nodes ("app", "users"), the
 * first n parts of it (all when n is 0), joined with dots; NULL when it
 * does not fit buf. */
static const char *list_name(const PgQuery__Node *n, size_t parts, char *buf, size_t size)
{
	size_t i, len = 0, count;
	const char *s;
	int w;

	count = parts && parts < n->list->n_items ? parts : n->list->n_items;
	for (i = 0; i < count; i++) {
		if (!(s = gw_lint__string(n->list->items[i])))
			return NULL;
		w = snprintf(buf + len, size - len, "%s%s", i ? "." : "", s);
		if (w < 0 || (size_t)w >= size - len)
			return NULL;
		len += (size_t)w;
	}
	return len ? buf : NULL;
}

static int list_len(const PgQuery__Node *n)
{
	return (int)n->list->n_items;
}

/* An option such as VACUUM's FULL or REINDEX's CONCURRENTLY: on when
 * given without a value, or with one that is not false, off or 0. */
static int option_on(PgQuery__Node **opts, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const PgQuery__DefElem *d =
		        opts[i]->node_case == NC(DEF_ELEM) ? opts[i]->def_elem : NULL;
		const PgQuery__Node *a;
		const char *s;

		if (!d || !d->defname || strcmp(d->defname, name))
			continue;
		if (!(a = d->arg))
			return 1;
		if ((s = gw_lint__string(a)))
			return strcmp(s, "false") && strcmp(s, "off") && strcmp(s, "0");
		if (a->node_case == NC(INTEGER))
			return a->integer->ival != 0;
		return 1;
	}
	return 0;
}

/* ---- reading queries: the tables a SELECT reads ------------------------------------ */

static void reads(gw_lock_list *l, const PgQuery__Node *n, gw_lock_mode mode);

static void reads_select(gw_lock_list *l, const PgQuery__SelectStmt *s, gw_lock_mode mode)
{
	size_t i;

	if (!s)
		return;
	/* SELECT ... FOR UPDATE/SHARE locks rows: ROW SHARE on the table. */
	if (s->n_locking_clause && mode == GW_LOCK_ACCESS_SHARE)
		mode = GW_LOCK_ROW_SHARE;
	for (i = 0; i < s->n_from_clause; i++)
		reads(l, s->from_clause[i], mode);
	reads_select(l, s->larg, mode);
	reads_select(l, s->rarg, mode);
}

static void reads(gw_lock_list *l, const PgQuery__Node *n, gw_lock_mode mode)
{
	if (!n)
		return;
	switch (n->node_case) {
	case NC(RANGE_VAR):
		add_rv(l, n->range_var, mode, GW_EFFECT_NONE, NULL);
		break;
	case NC(JOIN_EXPR):
		reads(l, n->join_expr->larg, mode);
		reads(l, n->join_expr->rarg, mode);
		break;
	case NC(RANGE_SUBSELECT):
		reads(l, n->range_subselect->subquery, mode);
		break;
	case NC(SELECT_STMT):
		reads_select(l, n->select_stmt, mode);
		break;
	default:
		break;
	}
}

/* ---- CREATE TABLE ------------------------------------------------------------------ */

/* A foreign key adds triggers to the referenced table: SHARE ROW
 * EXCLUSIVE there, as CREATE TRIGGER takes. */
static void references(gw_lock_list *l, const PgQuery__Constraint *c)
{
	if (c && c->contype == CT(FOREIGN))
		add_rv(l, c->pktable, GW_LOCK_SHARE_ROW_EXCLUSIVE, GW_EFFECT_NONE, NULL);
}

static const PgQuery__Constraint *constraint_of(const PgQuery__Node *n)
{
	return n && n->node_case == NC(CONSTRAINT) ? n->constraint : NULL;
}

static void create_table(gw_lock_list *l, const PgQuery__CreateStmt *cs)
{
	size_t i, k;

	add_rv(l, cs->relation, GW_LOCK_NONE, GW_EFFECT_CREATES, NULL);
	for (i = 0; i < cs->n_table_elts; i++) {
		const PgQuery__Node *e = cs->table_elts[i];

		if (e->node_case == NC(COLUMN_DEF))
			for (k = 0; k < e->column_def->n_constraints; k++)
				references(l, constraint_of(e->column_def->constraints[k]));
		else
			references(l, constraint_of(e));
	}
	/* PARTITION OF changes the parent's partition set: ACCESS EXCLUSIVE.
	 * INHERITS only reads the parent's definition. */
	for (i = 0; i < cs->n_inh_relations; i++)
		add_rv(l, cs->inh_relations[i]->range_var,
		       cs->partbound ? GW_LOCK_ACCESS_EXCLUSIVE : GW_LOCK_SHARE_UPDATE_EXCLUSIVE,
		       GW_EFFECT_NONE, NULL);
}

/* ---- ALTER TABLE ------------------------------------------------------------------- */

/* AlterTableGetLockLevel: the level of one subcommand. */
static gw_lock_mode subcommand_mode(const PgQuery__AlterTableCmd *c)
{
	const PgQuery__Constraint *con;

	switch (c->subtype) {
	case AT(SetStatistics):
	case AT(SetOptions):
	case AT(ResetOptions):
	case AT(ClusterOn):
	case AT(DropCluster):
	case AT(SetRelOptions):
	case AT(ResetRelOptions):
	case AT(ReplaceRelOptions):
	case AT(ValidateConstraint):
	case AT(ValidateConstraintRecurse):
	case AT(AttachPartition):
	case AT(DetachPartitionFinalize):
		return GW_LOCK_SHARE_UPDATE_EXCLUSIVE;
	case AT(DetachPartition):
		return c->def->partition_cmd->concurrent ? GW_LOCK_SHARE_UPDATE_EXCLUSIVE
		                                         : GW_LOCK_ACCESS_EXCLUSIVE;
	case AT(EnableTrig):
	case AT(EnableAlwaysTrig):
	case AT(EnableReplicaTrig):
	case AT(DisableTrig):
	case AT(EnableTrigAll):
	case AT(DisableTrigAll):
	case AT(EnableTrigUser):
	case AT(DisableTrigUser):
		return GW_LOCK_SHARE_ROW_EXCLUSIVE;
	case AT(AddConstraint):
	case AT(AddConstraintRecurse):
		con = c->def->constraint;
		return con->contype == CT(FOREIGN) ? GW_LOCK_SHARE_ROW_EXCLUSIVE
		                                   : GW_LOCK_ACCESS_EXCLUSIVE;
	default:
		return GW_LOCK_ACCESS_EXCLUSIVE;
	}
}

static int is_serial(const char *type)
{
	return !strcmp(type, "serial") || !strcmp(type, "bigserial") ||
	       !strcmp(type, "smallserial") || !strcmp(type, "serial2") ||
	       !strcmp(type, "serial4") || !strcmp(type, "serial8");
}

/* ADD COLUMN: since PostgreSQL 11 a constant default is stored once, so
 * only values that differ per row (volatile defaults, stored generated,
 * serial and identity columns) rewrite the table. New constraints are
 * checked with a scan. */
static gw_lock_effect add_column(gw_lock_list *l, const PgQuery__ColumnDef *cd, const char **note)
{
	const PgQuery__Node *def = cd->raw_default;
	gw_lock_effect effect = GW_EFFECT_NONE;
	int not_null = cd->is_not_null;
	size_t i;

	for (i = 0; i < cd->n_constraints; i++) {
		const PgQuery__Constraint *c = cd->constraints[i]->constraint;

		if (c->contype == CT(DEFAULT))
			def = c->raw_expr;
		else if (c->contype == CT(GENERATED) && !*note)
			*note = "for a stored generated column";
		else if (c->contype == CT(IDENTITY) && !*note)
			*note = "for an identity column";
		else if (c->contype == CT(NOTNULL))
			not_null = 1;
		else if (c->contype == CT(CHECK) || c->contype == CT(UNIQUE) ||
		         c->contype == CT(PRIMARY) || c->contype == CT(FOREIGN))
			effect = GW_EFFECT_SCAN;
		references(l, c);
	}
	if (!*note && is_serial(gw_lint__type_name(cd->type_name)))
		*note = "for a serial column";
	if (!*note && def && gw_lint__volatile(def))
		*note = "for a volatile default";
	if (*note)
		return GW_EFFECT_REWRITE;
	/* NOT NULL without a default: PostgreSQL scans for nulls (and
	 * fails on a table with rows). */
	if (not_null && !def)
		effect = GW_EFFECT_SCAN;
	return effect;
}

static gw_lock_effect add_constraint(gw_lock_list *l, const PgQuery__Constraint *c,
                                     const char **note)
{
	references(l, c);
	switch (c->contype) {
	case CT(FOREIGN):
	case CT(CHECK):
		return c->skip_validation ? GW_EFFECT_NONE : GW_EFFECT_SCAN;
	case CT(PRIMARY):
	case CT(UNIQUE):
	case CT(EXCLUSION):
		/* USING INDEX takes an index that exists; otherwise one is
		 * built, reading the whole table. */
		if (c->indexname && *c->indexname)
			return GW_EFFECT_NONE;
		*note = "to build the index";
		return GW_EFFECT_SCAN;
	default:
		return GW_EFFECT_NONE;
	}
}

/* The partition that ATTACH or DETACH PARTITION names. ATTACH locks it
 * ACCESS EXCLUSIVE and scans it to check its bound; DETACH locks it as it
 * locks the parent. */
static void partition(gw_lock_list *l, const PgQuery__AlterTableCmd *c, gw_lock_mode parent)
{
	const PgQuery__PartitionCmd *pc = c->def->partition_cmd;

	if (c->subtype == AT(AttachPartition))
		add_rv(l, pc->name, GW_LOCK_ACCESS_EXCLUSIVE, GW_EFFECT_SCAN,
		       "no scan if a CHECK constraint proves the bound");
	else
		add_rv(l, pc->name, parent, GW_EFFECT_NONE, NULL);
}

static gw_lock_effect subcommand_effect(gw_lock_list *l, const PgQuery__AlterTableCmd *c,
                                        const char **note)
{
	switch (c->subtype) {
	case AT(AddColumn):
	case AT(AddColumnRecurse):
		return add_column(l, c->def->column_def, note);
	case AT(AddConstraint):
	case AT(AddConstraintRecurse):
		return add_constraint(l, c->def->constraint, note);
	case AT(ValidateConstraint):
	case AT(ValidateConstraintRecurse):
	case AT(SetNotNull):
		return GW_EFFECT_SCAN;
	case AT(AlterColumnType):
		/* Without the catalog the old type is unknown. */
		*note = "unless the type change is binary-compatible (varchar(n) to text)";
		return GW_EFFECT_REWRITE;
	case AT(SetTableSpace):
	case AT(SetAccessMethod):
	case AT(SetLogged):
	case AT(SetUnLogged):
		return GW_EFFECT_REWRITE;
	default:
		return GW_EFFECT_NONE;
	}
}

static void alter_table(gw_lock_list *l, const PgQuery__AlterTableStmt *as)
{
	char name[300];
	size_t i;

	gw_lint__relname(as->relation, name, sizeof(name));
	for (i = 0; i < as->n_cmds; i++) {
		const PgQuery__AlterTableCmd *c = as->cmds[i]->alter_table_cmd;
		const char *note = NULL;
		gw_lock_mode mode = subcommand_mode(c);
		gw_lock_effect effect;

		/* The altered table first, then the ones a subcommand adds. */
		add(l, name, mode, GW_EFFECT_NONE, NULL);
		effect = subcommand_effect(l, c, &note);
		add(l, name, mode, effect, note);
		if (c->subtype == AT(AttachPartition) || c->subtype == AT(DetachPartition))
			partition(l, c, mode);
	}
}

/* ---- other statements ------------------------------------------------------------- */

static int relation_type(PgQuery__ObjectType t)
{
	return t == OT(TABLE) || t == OT(VIEW) || t == OT(MATVIEW) || t == OT(SEQUENCE) ||
	       t == OT(FOREIGN_TABLE) || t == OT(INDEX);
}

static void drop(gw_lock_list *l, const PgQuery__DropStmt *d)
{
	char name[300];
	size_t i;
	int index = d->remove_type == OT(INDEX);

	if (!relation_type(d->remove_type))
		return;
	for (i = 0; i < d->n_objects; i++)
		if (list_name(d->objects[i], 0, name, sizeof(name)))
			add(l, name,
			    index && d->concurrent ? GW_LOCK_SHARE_UPDATE_EXCLUSIVE
			                           : GW_LOCK_ACCESS_EXCLUSIVE,
			    GW_EFFECT_NONE, index ? "and the same on its table" : NULL);
}

static void rename_stmt(gw_lock_list *l, const PgQuery__RenameStmt *r)
{
	/* Renames of schemas, types and enum values name no relation. */
	add_rv(l, r->relation, GW_LOCK_ACCESS_EXCLUSIVE, GW_EFFECT_NONE, NULL);
}

static void truncate_stmt(gw_lock_list *l, const PgQuery__TruncateStmt *t)
{
	size_t i;

	for (i = 0; i < t->n_relations; i++)
		add_rv(l, t->relations[i]->range_var, GW_LOCK_ACCESS_EXCLUSIVE, GW_EFFECT_NONE,
		       t->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE
		               ? "and on the tables that reference it"
		               : NULL);
}

static void vacuum(gw_lock_list *l, const PgQuery__VacuumStmt *v)
{
	int full = v->is_vacuumcmd && option_on(v->options, v->n_options, "full");
	gw_lock_mode mode = full ? GW_LOCK_ACCESS_EXCLUSIVE : GW_LOCK_SHARE_UPDATE_EXCLUSIVE;
	gw_lock_effect effect = full              ? GW_EFFECT_REWRITE
	                        : v->is_vacuumcmd ? GW_EFFECT_SCAN
	                                          : GW_EFFECT_NONE; /* ANALYZE samples */
	size_t i;

	if (!v->n_rels)
		add(l, NULL, mode, effect, NULL);
	for (i = 0; i < v->n_rels; i++)
		add_rv(l, v->rels[i]->vacuum_relation->relation, mode, effect, NULL);
}

static void reindex(gw_lock_list *l, const PgQuery__ReindexStmt *r)
{
	int conc = option_on(r->params, r->n_params, "concurrently");
	gw_lock_mode mode;

	switch (r->kind) {
	case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE:
		add_rv(l, r->relation, conc ? GW_LOCK_SHARE_UPDATE_EXCLUSIVE : GW_LOCK_SHARE,
		       GW_EFFECT_SCAN, conc ? NULL : "and ACCESS EXCLUSIVE on its indexes");
		break;
	case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX:
		mode = conc ? GW_LOCK_SHARE_UPDATE_EXCLUSIVE : GW_LOCK_ACCESS_EXCLUSIVE;
		add_rv(l, r->relation, mode, GW_EFFECT_SCAN,
		       conc ? "and the same on its table" : "and SHARE on its table");
		break;
	default: /* SCHEMA, DATABASE, SYSTEM: table after table */
		add(l, NULL, conc ? GW_LOCK_SHARE_UPDATE_EXCLUSIVE : GW_LOCK_SHARE, GW_EFFECT_SCAN,
		    "one table at a time");
		break;
	}
}

/* COMMENT ON a relation, or on a column, constraint, trigger or policy
 * of one (whose name is the last part of the object's name). */
static void comment(gw_lock_list *l, const PgQuery__CommentStmt *c)
{
	char name[300];
	size_t parts;

	switch (c->objtype) {
	case OT(COLUMN):
	case OT(TABCONSTRAINT):
	case OT(TRIGGER):
	case OT(POLICY):
	case OT(RULE):
		parts = (size_t)list_len(c->object);
		if (parts < 2)
			return;
		parts--;
		break;
	default:
		if (!relation_type(c->objtype))
			return;
		parts = 0;
		break;
	}
	if (list_name(c->object, parts, name, sizeof(name)))
		add(l, name, GW_LOCK_SHARE_UPDATE_EXCLUSIVE, GW_EFFECT_NONE, NULL);
}

static void lock_table(gw_lock_list *l, const PgQuery__LockStmt *s)
{
	size_t i;

	/* The parser's mode is PostgreSQL's lock mode number, 1 to 8 as
	 * gw_lock_mode numbers them. */
	for (i = 0; i < s->n_relations; i++)
		add_rv(l, s->relations[i]->range_var, (gw_lock_mode)s->mode, GW_EFFECT_NONE, NULL);
}

static void write_dml(gw_lock_list *l, const PgQuery__RangeVar *target, int whole_table,
                      PgQuery__Node **from, size_t nfrom)
{
	size_t i;

	add_rv(l, target, GW_LOCK_ROW_EXCLUSIVE, whole_table ? GW_EFFECT_SCAN : GW_EFFECT_NONE,
	       whole_table ? "changes every row" : NULL);
	for (i = 0; i < nfrom; i++)
		reads(l, from[i], GW_LOCK_ACCESS_SHARE);
}

/* CREATE TABLE AS, SELECT INTO, CREATE MATERIALIZED VIEW, CREATE VIEW:
 * a new relation, and the tables its query reads. */
static void create_from_query(gw_lock_list *l, const PgQuery__RangeVar *rel,
                              const PgQuery__Node *query)
{
	add_rv(l, rel, GW_LOCK_NONE, GW_EFFECT_CREATES, NULL);
	reads(l, query, GW_LOCK_ACCESS_SHARE);
}

static void select_stmt(gw_lock_list *l, const PgQuery__SelectStmt *s)
{
	if (s->into_clause)
		add_rv(l, s->into_clause->rel, GW_LOCK_NONE, GW_EFFECT_CREATES, NULL);
	reads_select(l, s, GW_LOCK_ACCESS_SHARE);
}

int gw_locks_classify(gw_lock_list *l, const PgQuery__Node *n)
{
	switch (n->node_case) {
	case NC(CREATE_STMT):
		create_table(l, n->create_stmt);
		break;
	case NC(CREATE_TABLE_AS_STMT):
		create_from_query(l, n->create_table_as_stmt->into->rel,
		                  n->create_table_as_stmt->query);
		break;
	case NC(VIEW_STMT):
		create_from_query(l, n->view_stmt->view, n->view_stmt->query);
		break;
	case NC(ALTER_TABLE_STMT):
		alter_table(l, n->alter_table_stmt);
		break;
	case NC(INDEX_STMT):
		add_rv(l, n->index_stmt->relation,
		       n->index_stmt->concurrent ? GW_LOCK_SHARE_UPDATE_EXCLUSIVE : GW_LOCK_SHARE,
		       GW_EFFECT_SCAN, NULL);
		break;
	case NC(DROP_STMT):
		drop(l, n->drop_stmt);
		break;
	case NC(RENAME_STMT):
		rename_stmt(l, n->rename_stmt);
		break;
	case NC(ALTER_OBJECT_SCHEMA_STMT):
		add_rv(l, n->alter_object_schema_stmt->relation, GW_LOCK_ACCESS_EXCLUSIVE,
		       GW_EFFECT_NONE, NULL);
		break;
	case NC(TRUNCATE_STMT):
		truncate_stmt(l, n->truncate_stmt);
		break;
	case NC(INSERT_STMT):
		write_dml(l, n->insert_stmt->relation, 0, NULL, 0);
		reads(l, n->insert_stmt->select_stmt, GW_LOCK_ACCESS_SHARE);
		break;
	case NC(UPDATE_STMT):
		write_dml(l, n->update_stmt->relation, !n->update_stmt->where_clause,
		          n->update_stmt->from_clause, n->update_stmt->n_from_clause);
		break;
	case NC(DELETE_STMT):
		write_dml(l, n->delete_stmt->relation, !n->delete_stmt->where_clause,
		          n->delete_stmt->using_clause, n->delete_stmt->n_using_clause);
		break;
	case NC(MERGE_STMT):
		write_dml(l, n->merge_stmt->relation, 0, NULL, 0);
		reads(l, n->merge_stmt->source_relation, GW_LOCK_ACCESS_SHARE);
		break;
	case NC(SELECT_STMT):
		select_stmt(l, n->select_stmt);
		break;
	case NC(VACUUM_STMT):
		vacuum(l, n->vacuum_stmt);
		break;
	case NC(CLUSTER_STMT):
		if (n->cluster_stmt->relation)
			add_rv(l, n->cluster_stmt->relation, GW_LOCK_ACCESS_EXCLUSIVE,
			       GW_EFFECT_REWRITE, NULL);
		else
			add(l, NULL, GW_LOCK_ACCESS_EXCLUSIVE, GW_EFFECT_REWRITE,
			    "every clustered table, one at a time");
		break;
	case NC(REINDEX_STMT):
		reindex(l, n->reindex_stmt);
		break;
	case NC(CREATE_TRIG_STMT):
		add_rv(l, n->create_trig_stmt->relation, GW_LOCK_SHARE_ROW_EXCLUSIVE,
		       GW_EFFECT_NONE, NULL);
		break;
	case NC(CREATE_POLICY_STMT):
		add_rv(l, n->create_policy_stmt->table, GW_LOCK_ACCESS_EXCLUSIVE, GW_EFFECT_NONE,
		       NULL);
		break;
	case NC(COMMENT_STMT):
		comment(l, n->comment_stmt);
		break;
	case NC(REFRESH_MAT_VIEW_STMT):
		/* CONCURRENTLY computes the new contents beside the old and
		 * applies the difference; without it the contents are replaced. */
		if (n->refresh_mat_view_stmt->concurrent)
			add_rv(l, n->refresh_mat_view_stmt->relation, GW_LOCK_EXCLUSIVE,
			       GW_EFFECT_SCAN, NULL);
		else
			add_rv(l, n->refresh_mat_view_stmt->relation, GW_LOCK_ACCESS_EXCLUSIVE,
			       GW_EFFECT_REWRITE, NULL);
		break;
	case NC(LOCK_STMT):
		lock_table(l, n->lock_stmt);
		break;
	default:
		break;
	}
	return l->failed ? -1 : 0;
}

void gw_lock_list_dispose(gw_lock_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		free(l->items[i].table);
	free(l->items);
	l->items = NULL;
	l->count = l->cap = 0;
	l->failed = 0;
}
