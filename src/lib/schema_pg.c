/*
 * schema_pg.c: reads a PostgreSQL schema from the system catalogs into a
 * snapshot, one query per object family (never one per object), all sent
 * in one pipeline through the driver (exec_pipeline; one by one with exec
 * where a driver has none), so it works over any connection.
 *
 * Names come back quoted by quote_ident and definitions from the server's
 * own deparsers (format_type, pg_get_expr, pg_get_constraintdef,
 * pg_get_indexdef, pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef),
 * so two databases with the same schema give the same text whatever order
 * they were built in. OIDs only join rows to their objects inside one
 * snapshot; they never reach the output or its order. Objects that belong
 * to an extension are left to the extension's line.
 */
#include "schema.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* Schemas that are never part of a snapshot. */
#define NS_FILTER                                                                                  \
	" n.nspname NOT IN ('pg_catalog', 'information_schema')"                                   \
	" AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' "
#define NOT_EXT(cls, oid)                                                                          \
	" NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '" cls "'::regclass"             \
	" AND x.objid = " oid " AND x.deptype = 'e') "
#define ACL(col)        "(SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(" col ") a)"
#define QNAME(nsp, rel) "quote_ident(" nsp ") || '.' || quote_ident(" rel ")"
/* Options of a foreign-data wrapper, server, foreign table or column as
 * OPTIONS takes them (name 'value', ...), sorted by name. Options whose
 * name says they hold a secret are left out: a snapshot is printed. */
#define FDW_OPTIONS(col)                                                                           \
	"(SELECT string_agg(quote_ident(o.option_name) || ' ' || quote_literal(o.option_value),"   \
	" ', ' ORDER BY o.option_name) FROM pg_options_to_table(" col ") o"                        \
	" WHERE o.option_name !~* '(password|passwd|secret|token)')"
/* A comment, quoted. A subquery rather than obj_description(), which the
 * planner cannot inline and costs a function call per row. */
#define DESCR(cls, oid, sub)                                                                       \
	"(SELECT quote_literal(d.description) FROM pg_description d WHERE d.objoid = " oid         \
	" AND d.classoid = '" cls "'::regclass AND d.objsubid = " sub ")"

/* OID → object, for joining member rows to their relation or type. */
typedef struct oidmap {
	unsigned long *keys;
	gw_sobj **vals;
	size_t cap, len;
} oidmap;

typedef struct reader {
	gw_schema_ctx *c;
	oidmap rels;  /* pg_class OIDs, composite types by typrelid too */
	oidmap types; /* pg_type OIDs of domains */
	int error;
} reader;

static int map_put(oidmap *m, unsigned long key, gw_sobj *val)
{
	size_t i;

	if ((m->len + 1) * 2 > m->cap) {
		oidmap n = {NULL, NULL, m->cap ? m->cap * 2 : 256, 0};
		if (!(n.keys = calloc(n.cap, sizeof(*n.keys))) ||
		    !(n.vals = calloc(n.cap, sizeof(*n.vals)))) {
			free(n.keys);
			return GW_ENOMEM;
		}
		for (i = 0; i < m->cap; i++)
			if (m->vals[i])
				map_put(&n, m->keys[i], m->vals[i]);
		free(m->keys);
		free(m->vals);
		*m = n;
	}
	for (i = key % m->cap; m->vals[i] && m->keys[i] != key; i = (i + 1) % m->cap)
		;
	if (!m->vals[i])
		m->len++;
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

static gw_sobj *map_get(const oidmap *m, const char *key_text)
{
	unsigned long key;
	size_t i;

	if (!m->cap || !key_text)
		return NULL;
	key = strtoul(key_text, NULL, 10);
	for (i = key % m->cap; m->vals[i]; i = (i + 1) % m->cap)
		if (m->keys[i] == key)
			return m->vals[i];
	return NULL;
}

static void map_dispose(oidmap *m)
{
	free(m->keys);
	free(m->vals);
}

static int is_true(const char *v)
{
	return v && v[0] == 't';
}

/* Owner and grants, behind --privileges. */
static int add_privileges(reader *r, gw_sobj *o, const char *owner, const char *acl)
{
	int error = 0;

	if (!r->c->opts->privileges)
		return 0;
	if (owner && (error = gw_sobj_addf(o, GW_SM_OWNER, 0, "owner %s", owner)) < 0)
		return error;
	if (acl && (error = gw_sobj_addf(o, GW_SM_OWNER, 1, "grants %s", acl)) < 0)
		return error;
	return 0;
}

static int add_comment(gw_sobj *o, const char *comment)
{
	return comment ? gw_sobj_addf(o, GW_SM_COMMENT, 0, "comment %s", comment) : 0;
}

/* ---- schemas and extensions ----------------------------------------------- */

/* clang-format off */
static const char schemas_sql[] =
	"SELECT n.nspname, quote_ident(n.nspname), pg_get_userbyid(n.nspowner),"
	" " ACL("n.nspacl") ", " DESCR("pg_namespace", "n.oid", "0")
	" FROM pg_namespace n"
	" WHERE" NS_FILTER "AND" NOT_EXT("pg_namespace", "n.oid");
/* clang-format on */

static int schema_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_sobj *o;

	(void)ncols;
	/* A history schema of its own is godwit's: up creates it before the
	 * first migration, so `test` would find it left behind by every down. */
	if (!gw_schema__wanted(r->c, v[0]) ||
	    (!r->c->opts->include_history && r->c->p->opts.schema &&
	     strcmp(v[0], r->c->p->opts.schema) == 0 && strcmp(v[0], "public") != 0))
		return 0;
	if (!(o = gw_schema__add(r->c->s, v[0], GW_SK_SCHEMA, "schema", v[1])) ||
	    add_comment(o, v[4]) < 0 || add_privileges(r, o, v[2], v[3]) < 0)
		r->error = GW_ENOMEM;
	return r->error;
}

/* plpgsql is in every database; listing it would be noise. */
/* clang-format off */
static const char extensions_sql[] =
	"SELECT quote_ident(e.extname), quote_ident(n.nspname), e.extversion, n.nspname"
	" FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
	" WHERE e.extname <> 'plpgsql'";
/* clang-format on */

static int extension_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_sobj *o;

	(void)ncols;
	if (r->c->opts->nschemas && !gw_schema__wanted(r->c, v[3]))
		return 0;
	if (!(o = gw_schema__add(r->c->s, "", GW_SK_EXTENSION, "extension", v[0])) ||
	    gw_sobj_addf(o, GW_SM_HEAD, 0, "schema %s", v[1]) < 0 ||
	    gw_sobj_addf(o, GW_SM_HEAD, 1, "version %s", v[2]) < 0)
		r->error = GW_ENOMEM;
	return r->error;
}

/* ---- relations ------------------------------------------------------------ */

/* Sequences that identity columns own are part of the column's line. */
/* clang-format off */
static const char relations_sql[] =
	"SELECT c.oid, n.nspname, c.relname, c.relkind, " QNAME("n.nspname", "c.relname") ","
	" c.relrowsecurity, c.relforcerowsecurity,"
	/* A bound holds constants only: without a relation, pg_get_expr
	 * need not open (and, on a new session, build) each partition's. */
	" CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, 0) END,"
	" (SELECT " QNAME("pn.nspname", "pc.relname") " FROM pg_inherits i"
	"   JOIN pg_class pc ON pc.oid = i.inhparent"
	"   JOIN pg_namespace pn ON pn.oid = pc.relnamespace"
	"   WHERE i.inhrelid = c.oid AND c.relispartition),"
	" CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,"
	" " DESCR("pg_class", "c.oid", "0") ","
	" pg_get_userbyid(c.relowner), " ACL("c.relacl") ","
	" own.relname, c.relpersistence, own.col,"
	" format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax,"
	" s.seqcache, s.seqcycle, array_to_string(c.reloptions, ', '),"
	/* REPLICA IDENTITY of a table, and the index it uses. */
	" CASE WHEN c.relkind IN ('r', 'p') THEN c.relreplident END,"
	" (SELECT quote_ident(ri.relname) FROM pg_index x JOIN pg_class ri ON ri.oid = x.indexrelid"
	"   WHERE x.indrelid = c.oid AND x.indisreplident),"
	/* A foreign table's server and options. */
	" (SELECT quote_ident(fs.srvname) FROM pg_foreign_server fs WHERE fs.oid = ft.ftserver),"
	" " FDW_OPTIONS("ft.ftoptions")
	" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
	" LEFT JOIN pg_sequence s ON s.seqrelid = c.oid"
	" LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid"
	/* The column a serial sequence belongs to. */
	" LEFT JOIN LATERAL (SELECT pc.relname,"
	"   " QNAME("pn.nspname", "pc.relname") " || '.' || quote_ident(a.attname) AS col"
	"   FROM pg_depend d JOIN pg_class pc ON pc.oid = d.refobjid"
	"   JOIN pg_namespace pn ON pn.oid = pc.relnamespace"
	"   JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
	"   WHERE c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid"
	"   AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' LIMIT 1) own ON true"
	" WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND" NS_FILTER
	"AND" NOT_EXT("pg_class", "c.oid")
	"AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d"
	"   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i'))";
/* clang-format on */

static void relation_kind(char relkind, const char **kind, int *rank)
{
	switch (relkind) {
	case 'v':
		*kind = "view", *rank = GW_SK_VIEW;
		break;
	case 'm':
		*kind = "matview", *rank = GW_SK_MATVIEW;
		break;
	case 'S':
		*kind = "sequence", *rank = GW_SK_SEQUENCE;
		break;
	case 'f':
		*kind = "foreign_table", *rank = GW_SK_FOREIGN_TABLE;
		break;
	default:
		*kind = "table", *rank = GW_SK_TABLE;
		break;
	}
}

static int relation_members(reader *r, gw_sobj *o, const char *const *v)
{
	int error = 0;

	if (v[7] && v[8])
		error = gw_sobj_addf(o, GW_SM_HEAD, 0, "partition of %s %s", v[8], v[7]);
	if (!error && v[9])
		error = gw_sobj_addf(o, GW_SM_HEAD, 1, "partition by %s", v[9]);
	if (!error && v[14] && v[14][0] == 'u')
		error = gw_sobj_add(o, GW_SM_HEAD, 3, "unlogged");
	if (!error && is_true(v[5]))
		error = gw_sobj_add(o, GW_SM_RLS, 0,
		                    is_true(v[6]) ? "row_security enabled forced"
		                                  : "row_security enabled");
	if (!error && v[16])
		error = gw_sobj_addf(o, GW_SM_HEAD, 0,
		                     "options as %s start %s increment %s minvalue %s maxvalue %s "
		                     "cache %s%s",
		                     v[16], v[17], v[18], v[19], v[20], v[21],
		                     is_true(v[22]) ? " cycle" : "");
	if (!error && v[15])
		error = gw_sobj_addf(o, GW_SM_HEAD, 1, "owned_by %s", v[15]);
	/* Storage parameters of tables; a view's security_barrier,
	 * security_invoker and check_option. */
	if (!error && v[23] && v[23][0])
		error = gw_sobj_addf(o, GW_SM_HEAD, 4, "with %s", v[23]);
	if (!error && v[24] && v[24][0] == 'i')
		error = gw_sobj_addf(o, GW_SM_HEAD, 5, "replica_identity index %s",
		                     v[25] ? v[25] : "");
	else if (!error && v[24] && (v[24][0] == 'f' || v[24][0] == 'n'))
		error = gw_sobj_addf(o, GW_SM_HEAD, 5, "replica_identity %s",
		                     v[24][0] == 'f' ? "full" : "nothing");
	if (!error && v[26])
		error = gw_sobj_addf(o, GW_SM_HEAD, 6, "server %s", v[26]);
	if (!error && v[27])
		error = gw_sobj_addf(o, GW_SM_HEAD, 7, "fdw_options %s", v[27]);
	if (!error)
		error = add_comment(o, v[10]);
	if (!error)
		error = add_privileges(r, o, v[11], v[12]);
	return error;
}

static int relation_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	const char *kind;
	int rank;
	gw_sobj *o;

	(void)ncols;
	if (!gw_schema__wanted(r->c, v[1]) || gw_schema__is_history(r->c, v[1], v[2]) ||
	    (v[3][0] == 'S' && v[13] && gw_schema__is_history(r->c, v[1], v[13])))
		return 0;
	relation_kind(v[3][0], &kind, &rank);
	if (!(o = gw_schema__add(r->c->s, v[1], rank, kind, v[4])) ||
	    map_put(&r->rels, strtoul(v[0], NULL, 10), o) < 0 || relation_members(r, o, v) < 0)
		r->error = GW_ENOMEM;
	return r->error;
}

/* View definitions, apart from the relations: pg_get_viewdef opens every
 * table a view reads, which a new session must first build in its cache;
 * that costs more than everything else about the relations, so a session
 * of its own can take it (see side_run). */
/* clang-format off */
static const char views_sql[] =
	"SELECT c.oid, pg_get_viewdef(c.oid)"
	" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
	" WHERE c.relkind IN ('v', 'm') AND" NS_FILTER;
/* clang-format on */

static int view_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_sobj *o = map_get(&r->rels, v[0]);

	(void)ncols;
	if (!o || !v[1])
		return 0;
	if (gw_sobj_addf(o, GW_SM_HEAD, 2, "definition\n%s", v[1]) < 0)
		r->error = GW_ENOMEM;
	return r->error;
}

/* ---- columns, constraints, indexes, triggers, policies --------------------- */

/* The options of an identity column's sequence, when one of them is not
 * what GENERATED ... AS IDENTITY gives without options (start at the
 * minimum, increment 1, minimum 1, the type's maximum, cache 1, no
 * cycle), so the common column keeps its short line. */
#define IDENTITY_OPTIONS                                                                           \
	"(SELECT 'start ' || s.seqstart || ' increment ' || s.seqincrement || ' minvalue ' ||"     \
	" s.seqmin || ' maxvalue ' || s.seqmax || ' cache ' || s.seqcache ||"                      \
	" CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END"                                          \
	" FROM pg_depend d JOIN pg_sequence s ON s.seqrelid = d.objid"                             \
	" WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass"          \
	" AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype = 'i'"            \
	" AND (s.seqincrement <> 1 OR s.seqcache <> 1 OR s.seqcycle OR s.seqmin <> 1"              \
	" OR s.seqstart <> s.seqmin OR s.seqmax <> CASE s.seqtypid WHEN 'int2'::regtype"           \
	" THEN 32767 WHEN 'int4'::regtype THEN 2147483647 ELSE 9223372036854775807 END))"

/* clang-format off */
static const char columns_sql[] =
	"SELECT a.attrelid, a.attnum, quote_ident(a.attname),"
	" format_type(a.atttypid, a.atttypmod),"
	" CASE WHEN a.attcollation <> t.typcollation THEN"
	"   (SELECT " QNAME("cn.nspname", "co.collname") " FROM pg_collation co"
	"   JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) END,"
	" a.attnotnull,"
	/* A default holds no column references, so it needs no relation. */
	" CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0) END,"
	" a.attidentity,"
	" CASE WHEN a.attgenerated = 's' THEN pg_get_expr(ad.adbin, ad.adrelid) END,"
	" " DESCR("pg_class", "a.attrelid", "a.attnum") ", " ACL("a.attacl") ","
	/* A statistics target set by ALTER COLUMN SET STATISTICS. */
	" CASE WHEN c.relkind IN ('r', 'p') AND a.attstattarget >= 0 THEN a.attstattarget END,"
	" " FDW_OPTIONS("a.attfdwoptions") ","
	" CASE WHEN a.attidentity <> '' THEN " IDENTITY_OPTIONS " END"
	" FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
	" JOIN pg_namespace n ON n.oid = c.relnamespace"
	" JOIN pg_type t ON t.oid = a.atttypid"
	" LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
	" WHERE a.attnum > 0 AND NOT a.attisdropped"
	" AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND" NS_FILTER;
/* clang-format on */

static int column_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_sobj *o = map_get(&r->rels, v[0]);
	const char *member = strcmp(o ? o->kind : "", "type") == 0 ? "attribute" : "column";
	gw_str s = GW_STR_INIT;
	long seq = r->c->opts->ignore_column_order ? 0 : strtol(v[1], NULL, 10);

	(void)ncols;
	if (!o)
		return 0;
	gw_str_printf(&s, "%s %s %s", member, v[2], v[3]);
	if (v[4])
		gw_str_printf(&s, " collate %s", v[4]);
	if (is_true(v[5]))
		gw_str_puts(&s, " not null");
	if (v[6])
		gw_str_printf(&s, " default %s", v[6]);
	if (v[7] && v[7][0])
		gw_str_puts(&s, v[7][0] == 'a' ? " identity always" : " identity by default");
	if (v[7] && v[7][0] && v[13])
		gw_str_printf(&s, " (%s)", v[13]);
	if (v[8])
		gw_str_printf(&s, " generated always as (%s) stored", v[8]);
	if (s.failed || gw_sobj_add(o, GW_SM_COLUMN, seq, s.ptr) < 0 ||
	    (v[9] && gw_sobj_addf(o, GW_SM_COMMENT, 1, "column_comment %s %s", v[2], v[9]) < 0) ||
	    (v[10] && r->c->opts->privileges &&
	     gw_sobj_addf(o, GW_SM_OWNER, 2, "column_grants %s %s", v[2], v[10]) < 0) ||
	    (v[11] &&
	     gw_sobj_addf(o, GW_SM_INDEX, 1, "column_statistics %s %s", v[2], v[11]) < 0) ||
	    (v[12] && gw_sobj_addf(o, GW_SM_INDEX, 2, "column_options %s %s", v[2], v[12]) < 0))
		r->error = GW_ENOMEM;
	gw_str_dispose(&s);
	return r->error;
}

/* Constraints of tables and of domains (conrelid 0, contypid set). */
/* clang-format off */
static const char constraints_sql[] =
	"SELECT co.conrelid, co.contypid, quote_ident(co.conname),"
	" pg_get_constraintdef(co.oid), " DESCR("pg_constraint", "co.oid", "0")
	" FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace"
	" WHERE" NS_FILTER;
/* clang-format on */

static int constraint_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_sobj *o = strcmp(v[0], "0") ? map_get(&r->rels, v[0]) : map_get(&r->types, v[1]);

	(void)ncols;
	if (!o)
		return 0;
	if (gw_sobj_addf(o, GW_SM_CONSTRAINT, 0, "constraint %s %s", v[2], v[3]) < 0 ||
	    (v[4] && gw_sobj_addf(o, GW_SM_COMMENT, 2, "constraint_comment %s %s", v[2], v[4]) < 0))
		r->error = GW_ENOMEM;
	return r->error;
}

/* An index that backs a primary key, unique or exclusion constraint is
 * that constraint's line already. */
/* clang-format off */
static const char indexes_sql[] =
	"SELECT i.indrelid, quote_ident(ic.relname), pg_get_indexdef(i.indexrelid),"
	" i.indisvalid, " DESCR("pg_class", "ic.oid", "0")
	" FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
	" JOIN pg_namespace n ON n.oid = ic.relnamespace"
	" WHERE" NS_FILTER "AND NOT EXISTS (SELECT 1 FROM pg_constraint co"
	"   WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid"
	"   AND co.contype IN ('p', 'u', 'x'))";
/* clang-format on */

static int index_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_sobj *o = map_get(&r->rels, v[0]);

	(void)ncols;
	if (!o)
		return 0;
	if (gw_sobj_addf(o, GW_SM_INDEX, 0, "index %s %s%s", v[1], v[2],
	                 is_true(v[3]) ? "" : " invalid") < 0 ||
	    (v[4] && gw_sobj_addf(o, GW_SM_COMMENT, 3, "index_comment %s %s", v[1], v[4]) < 0))
		r->error = GW_ENOMEM;
	return r->error;
}

/* The state ALTER EVENT TRIGGER and ALTER TABLE ... TRIGGER set. */
static const char *enabled_state(char c)
{
	switch (c) {
	case 'D':
		return " disabled";
	case 'R':
		return " enabled replica";
	case 'A':
		return " enabled always";
	default:
		return "";
	}
}

/* clang-format off */
static const char triggers_sql[] =
	"SELECT t.tgrelid, quote_ident(t.tgname), pg_get_triggerdef(t.oid), t.tgenabled,"
	" " DESCR("pg_trigger", "t.oid", "0")
	" FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
	" JOIN pg_namespace n ON n.oid = c.relnamespace"
	" WHERE NOT t.tgisinternal AND" NS_FILTER;
/* clang-format on */

static int trigger_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_sobj *o = map_get(&r->rels, v[0]);

	(void)ncols;
	if (!o)
		return 0;
	if (gw_sobj_addf(o, GW_SM_TRIGGER, 0, "trigger %s %s%s", v[1], v[2],
	                 enabled_state(v[3][0])) < 0 ||
	    (v[4] && gw_sobj_addf(o, GW_SM_COMMENT, 4, "trigger_comment %s %s", v[1], v[4]) < 0))
		r->error = GW_ENOMEM;
	return r->error;
}

/* clang-format off */
static const char policies_sql[] =
	"SELECT p.polrelid, quote_ident(p.polname), p.polpermissive, p.polcmd,"
	" (SELECT string_agg(CASE WHEN x = 0 THEN 'public'"
	"   ELSE quote_ident(pg_get_userbyid(x)) END, ', ' ORDER BY 1)"
	"   FROM unnest(p.polroles) x),"
	" pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),"
	" " DESCR("pg_policy", "p.oid", "0")
	" FROM pg_policy p";
/* clang-format on */

static const char *policy_command(char c)
{
	switch (c) {
	case 'r':
		return "select";
	case 'a':
		return "insert";
	case 'w':
		return "update";
	case 'd':
		return "delete";
	default:
		return "all";
	}
}

static int policy_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_sobj *o = map_get(&r->rels, v[0]);
	gw_str s = GW_STR_INIT;

	(void)ncols;
	if (!o)
		return 0;
	gw_str_printf(&s, "policy %s as %s for %s to %s", v[1],
	              is_true(v[2]) ? "permissive" : "restrictive", policy_command(v[3][0]),
	              v[4] ? v[4] : "public");
	if (v[5])
		gw_str_printf(&s, " using (%s)", v[5]);
	if (v[6])
		gw_str_printf(&s, " with check (%s)", v[6]);
	if (s.failed || gw_sobj_add(o, GW_SM_POLICY, 0, s.ptr) < 0 ||
	    (v[7] && gw_sobj_addf(o, GW_SM_COMMENT, 5, "policy_comment %s %s", v[1], v[7]) < 0))
		r->error = GW_ENOMEM;
	gw_str_dispose(&s);
	return r->error;
}

/* ---- types, functions, event triggers -------------------------------------- */

/* clang-format off */
static const char types_sql[] =
	"SELECT t.oid, t.typrelid, n.nspname, t.typtype, " QNAME("n.nspname", "t.typname") ","
	" CASE t.typtype"
	"   WHEN 'e' THEN (SELECT string_agg(quote_literal(e.enumlabel), ', '"
	"     ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)"
	"   WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod)"
	"   WHEN 'r' THEN (SELECT format_type(rg.rngsubtype, NULL) FROM pg_range rg"
	"     WHERE rg.rngtypid = t.oid) END,"
	" t.typnotnull, t.typdefault,"
	" CASE WHEN t.typtype = 'd' AND t.typcollation <> (SELECT bt.typcollation"
	"   FROM pg_type bt WHERE bt.oid = t.typbasetype) THEN"
	"   (SELECT " QNAME("cn.nspname", "co.collname") " FROM pg_collation co"
	"   JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = t.typcollation) END,"
	" " DESCR("pg_type", "t.oid", "0") ","
	" pg_get_userbyid(t.typowner), " ACL("t.typacl")
	" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
	" WHERE" NS_FILTER "AND" NOT_EXT("pg_type", "t.oid")
	"AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND"
	"   (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))";
/* clang-format on */

static int type_members(gw_sobj *o, char typtype, const char *const *v)
{
	gw_str s = GW_STR_INIT;
	int error = 0;

	if (typtype == 'e') {
		error = gw_sobj_addf(o, GW_SM_HEAD, 0, "values %s", v[5] ? v[5] : "");
	} else if (typtype == 'r') {
		error = gw_sobj_addf(o, GW_SM_HEAD, 0, "subtype %s", v[5]);
	} else if (typtype == 'd') {
		gw_str_printf(&s, "base %s", v[5]);
		if (v[8])
			gw_str_printf(&s, " collate %s", v[8]);
		if (is_true(v[6]))
			gw_str_puts(&s, " not null");
		if (v[7])
			gw_str_printf(&s, " default %s", v[7]);
		error = s.failed ? GW_ENOMEM : gw_sobj_add(o, GW_SM_HEAD, 0, s.ptr);
	}
	gw_str_dispose(&s);
	return error;
}

static int type_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	char typtype = v[3][0];
	const char *kind = typtype == 'e'   ? "enum"
	                   : typtype == 'd' ? "domain"
	                   : typtype == 'r' ? "range"
	                                    : "type";
	int rank = typtype == 'e'   ? GW_SK_ENUM
	           : typtype == 'd' ? GW_SK_DOMAIN
	           : typtype == 'r' ? GW_SK_RANGE
	                            : GW_SK_TYPE;
	gw_sobj *o;

	(void)ncols;
	if (!gw_schema__wanted(r->c, v[2]))
		return 0;
	if (!(o = gw_schema__add(r->c->s, v[2], rank, kind, v[4])) ||
	    map_put(&r->types, strtoul(v[0], NULL, 10), o) < 0 ||
	    (typtype == 'c' && map_put(&r->rels, strtoul(v[1], NULL, 10), o) < 0) ||
	    type_members(o, typtype, v) < 0 || add_comment(o, v[9]) < 0 ||
	    add_privileges(r, o, v[10], v[11]) < 0)
		r->error = GW_ENOMEM;
	return r->error;
}

/* Aggregates have no pg_get_functiondef: theirs is written from
 * pg_aggregate, one clause a line as CREATE AGGREGATE names them. */
#define AGGREGATE_DEF                                                                              \
	"(SELECT concat_ws(chr(10), 'sfunc ' || a.aggtransfn::regproc,"                            \
	" 'stype ' || format_type(a.aggtranstype, NULL),"                                          \
	" CASE WHEN a.aggfinalfn <> 0 THEN 'finalfunc ' || a.aggfinalfn::regproc END,"             \
	" CASE WHEN a.aggfinalextra THEN 'finalfunc_extra' END,"                                   \
	" CASE WHEN a.aggcombinefn <> 0 THEN 'combinefunc ' || a.aggcombinefn::regproc END,"       \
	" CASE WHEN a.aggserialfn <> 0 THEN 'serialfunc ' || a.aggserialfn::regproc END,"          \
	" CASE WHEN a.aggdeserialfn <> 0 THEN 'deserialfunc ' || a.aggdeserialfn::regproc END,"    \
	" CASE WHEN a.agginitval IS NOT NULL THEN 'initcond ' || quote_literal(a.agginitval) END," \
	" CASE WHEN a.aggmtransfn <> 0 THEN 'msfunc ' || a.aggmtransfn::regproc || ' minvfunc ' "  \
	"||"                                                                                       \
	"   a.aggminvtransfn::regproc || ' mstype ' || format_type(a.aggmtranstype, NULL) END,"    \
	" CASE WHEN a.aggsortop <> 0 THEN 'sortop ' || a.aggsortop::regoperator END,"              \
	" CASE a.aggkind WHEN 'o' THEN 'kind ordered-set' WHEN 'h' THEN 'kind hypothetical' END,"  \
	" CASE WHEN p.proparallel <> 'u' THEN 'parallel ' || CAST(p.proparallel AS text) END,"     \
	" 'returns ' || format_type(p.prorettype, NULL))"                                          \
	" FROM pg_aggregate a WHERE a.aggfnoid = p.oid)"

/* clang-format off */
static const char functions_sql[] =
	"SELECT n.nspname, p.prokind, " QNAME("n.nspname", "p.proname")
	" || '(' || pg_get_function_identity_arguments(p.oid) || ')',"
	" CASE WHEN p.prokind = 'a' THEN " AGGREGATE_DEF " ELSE pg_get_functiondef(p.oid) END, "
	DESCR("pg_proc", "p.oid", "0") ","
	" pg_get_userbyid(p.proowner), " ACL("p.proacl")
	" FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
	" WHERE p.prokind IN ('f', 'p', 'w', 'a') AND" NS_FILTER "AND" NOT_EXT("pg_proc", "p.oid");
/* clang-format on */

static int function_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	int proc = v[1][0] == 'p', agg = v[1][0] == 'a';
	gw_sobj *o;

	(void)ncols;
	if (!gw_schema__wanted(r->c, v[0]))
		return 0;
	if (!(o = gw_schema__add(r->c->s, v[0],
	                         agg    ? GW_SK_AGGREGATE
	                         : proc ? GW_SK_PROCEDURE
	                                : GW_SK_FUNCTION,
	                         agg    ? "aggregate"
	                         : proc ? "procedure"
	                                : "function",
	                         v[2])) ||
	    gw_sobj_addf(o, GW_SM_HEAD, 0, "definition\n%s", v[3]) < 0 ||
	    add_comment(o, v[4]) < 0 || add_privileges(r, o, v[5], v[6]) < 0)
		r->error = GW_ENOMEM;
	return r->error;
}

/* clang-format off */
static const char event_triggers_sql[] =
	"SELECT quote_ident(e.evtname), e.evtevent, " QNAME("pn.nspname", "pp.proname") ","
	" e.evtenabled, (SELECT string_agg(t, ', ' ORDER BY t) FROM unnest(e.evttags) t),"
	" " DESCR("pg_event_trigger", "e.oid", "0") ","
	" pg_get_userbyid(e.evtowner)"
	" FROM pg_event_trigger e JOIN pg_proc pp ON pp.oid = e.evtfoid"
	" JOIN pg_namespace pn ON pn.oid = pp.pronamespace"
	" WHERE" NOT_EXT("pg_event_trigger", "e.oid");
/* clang-format on */

static int event_trigger_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_sobj *o;

	(void)ncols;
	if (r->c->opts->nschemas)
		return 0; /* event triggers belong to no schema */
	if (!(o = gw_schema__add(r->c->s, "", GW_SK_EVENT_TRIGGER, "event_trigger", v[0])) ||
	    gw_sobj_addf(o, GW_SM_HEAD, 0, "on %s execute %s()%s%s%s", v[1], v[2],
	                 v[4] && *v[4] ? " tags " : "", v[4] ? v[4] : "",
	                 enabled_state(v[3][0])) < 0 ||
	    add_comment(o, v[5]) < 0 || add_privileges(r, o, v[6], NULL) < 0)
		r->error = GW_ENOMEM;
	return r->error;
}

/* ---- foreign-data wrappers, servers, publications ----------------------------- */

/* A wrapper an extension made (postgres_fdw) is the extension's. User
 * mappings are not read: their options hold passwords. */
/* clang-format off */
static const char wrappers_sql[] =
	"SELECT quote_ident(w.fdwname),"
	" CASE WHEN w.fdwhandler <> 0 THEN w.fdwhandler::regproc::text END,"
	" CASE WHEN w.fdwvalidator <> 0 THEN w.fdwvalidator::regproc::text END,"
	" " FDW_OPTIONS("w.fdwoptions") ", " DESCR("pg_foreign_data_wrapper", "w.oid", "0") ","
	" pg_get_userbyid(w.fdwowner), " ACL("w.fdwacl")
	" FROM pg_foreign_data_wrapper w WHERE" NOT_EXT("pg_foreign_data_wrapper", "w.oid");
static const char servers_sql[] =
	"SELECT quote_ident(s.srvname), quote_ident(w.fdwname), quote_literal(s.srvtype),"
	" quote_literal(s.srvversion), " FDW_OPTIONS("s.srvoptions") ","
	" " DESCR("pg_foreign_server", "s.oid", "0") ","
	" pg_get_userbyid(s.srvowner), " ACL("s.srvacl")
	" FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw"
	" WHERE" NOT_EXT("pg_foreign_server", "s.oid");
/* clang-format on */

static int wrapper_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_sobj *o;

	(void)ncols;
	if (r->c->opts->nschemas)
		return 0; /* wrappers and servers belong to no schema */
	if (!(o = gw_schema__add(r->c->s, "", GW_SK_WRAPPER, "foreign_data_wrapper", v[0])) ||
	    (v[1] && gw_sobj_addf(o, GW_SM_HEAD, 0, "handler %s", v[1]) < 0) ||
	    (v[2] && gw_sobj_addf(o, GW_SM_HEAD, 1, "validator %s", v[2]) < 0) ||
	    (v[3] && gw_sobj_addf(o, GW_SM_HEAD, 2, "fdw_options %s", v[3]) < 0) ||
	    add_comment(o, v[4]) < 0 || add_privileges(r, o, v[5], v[6]) < 0)
		r->error = GW_ENOMEM;
	return r->error;
}

static int server_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_sobj *o;

	(void)ncols;
	if (r->c->opts->nschemas)
		return 0;
	if (!(o = gw_schema__add(r->c->s, "", GW_SK_SERVER, "server", v[0])) ||
	    gw_sobj_addf(o, GW_SM_HEAD, 0, "wrapper %s", v[1]) < 0 ||
	    (v[2] && gw_sobj_addf(o, GW_SM_HEAD, 1, "type %s", v[2]) < 0) ||
	    (v[3] && gw_sobj_addf(o, GW_SM_HEAD, 2, "version %s", v[3]) < 0) ||
	    (v[4] && gw_sobj_addf(o, GW_SM_HEAD, 3, "fdw_options %s", v[4]) < 0) ||
	    add_comment(o, v[5]) < 0 || add_privileges(r, o, v[6], v[7]) < 0)
		r->error = GW_ENOMEM;
	return r->error;
}

/* Publications, and the tables and schemas they publish (PostgreSQL 15
 * added column lists, row filters and schemas: read only from there on,
 * see gw_schema__read_pg). A table's membership is a member of the
 * table, so a table made again gets it back. */
/* clang-format off */
static const char publications_sql[] =
	"SELECT quote_ident(p.pubname), concat_ws(', ',"
	"   CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,"
	"   CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END),"
	" p.pubviaroot, p.puballtables, " DESCR("pg_publication", "p.oid", "0") ","
	" pg_get_userbyid(p.pubowner),"
	" (SELECT string_agg(quote_ident(n.nspname), ', ' ORDER BY n.nspname)"
	"   FROM pg_publication_namespace pn JOIN pg_namespace n ON n.oid = pn.pnnspid"
	"   WHERE pn.pnpubid = p.oid)"
	" FROM pg_publication p";
static const char publications14_sql[] =
	"SELECT quote_ident(p.pubname), concat_ws(', ',"
	"   CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,"
	"   CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END),"
	" p.pubviaroot, p.puballtables, " DESCR("pg_publication", "p.oid", "0") ","
	" pg_get_userbyid(p.pubowner), NULL"
	" FROM pg_publication p";
static const char publication_tables_sql[] =
	"SELECT pr.prrelid, quote_ident(p.pubname),"
	" (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a"
	"   WHERE a.attrelid = pr.prrelid AND a.attnum = ANY (pr.prattrs::int2[])),"
	" pg_get_expr(pr.prqual, pr.prrelid)"
	" FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid";
static const char publication_tables14_sql[] =
	"SELECT pr.prrelid, quote_ident(p.pubname), NULL, NULL"
	" FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid";
/* clang-format on */

static int publication_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_sobj *o;

	(void)ncols;
	if (r->c->opts->nschemas)
		return 0;
	if (!(o = gw_schema__add(r->c->s, "", GW_SK_PUBLICATION, "publication", v[0])) ||
	    gw_sobj_addf(o, GW_SM_HEAD, 0, "publish %s", v[1]) < 0 ||
	    (is_true(v[2]) && gw_sobj_add(o, GW_SM_HEAD, 1, "via_root") < 0) ||
	    (is_true(v[3]) && gw_sobj_add(o, GW_SM_HEAD, 2, "all_tables") < 0) ||
	    (v[6] && gw_sobj_addf(o, GW_SM_HEAD, 3, "schemas %s", v[6]) < 0) ||
	    add_comment(o, v[4]) < 0 || add_privileges(r, o, v[5], NULL) < 0)
		r->error = GW_ENOMEM;
	return r->error;
}

static int publication_table_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	gw_sobj *o = map_get(&r->rels, v[0]);

	(void)ncols;
	if (!o)
		return 0;
	if (gw_sobj_addf(o, GW_SM_POLICY, 1, "publication %s%s%s%s%s%s", v[1], v[2] ? " (" : "",
	                 v[2] ? v[2] : "", v[2] ? ")" : "", v[3] ? " where " : "",
	                 v[3] ? v[3] : "") < 0)
		r->error = GW_ENOMEM;
	return r->error;
}

/* Default privileges (ALTER DEFAULT PRIVILEGES), with --privileges: one
 * object per role, schema (none for those of the whole database) and kind
 * of object, whose grants are what a new object of that kind gets. */
/* clang-format off */
static const char default_acl_sql[] =
	"SELECT quote_ident(pg_get_userbyid(d.defaclrole)), n.nspname, quote_ident(n.nspname),"
	" d.defaclobjtype, " ACL("d.defaclacl")
	" FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace";
/* clang-format on */

static int default_acl_row(void *payload, int ncols, const char *const *v)
{
	reader *r = payload;
	const char *kind;
	gw_str name = GW_STR_INIT;
	gw_sobj *o;

	(void)ncols;
	if (!r->c->opts->privileges ||
	    (v[1] ? !gw_schema__wanted(r->c, v[1]) : r->c->opts->nschemas > 0))
		return 0;
	switch (v[3][0]) {
	case 'r':
		kind = "tables";
		break;
	case 'S':
		kind = "sequences";
		break;
	case 'f':
		kind = "functions";
		break;
	case 'T':
		kind = "types";
		break;
	case 'n':
		kind = "schemas";
		break;
	default:
		return 0;
	}
	gw_str_printf(&name, "for role %s%s%s on %s", v[0], v[1] ? " in schema " : "",
	              v[1] ? v[2] : "", kind);
	if (name.failed ||
	    !(o = gw_schema__add(r->c->s, v[1] ? v[1] : "", GW_SK_DEFAULT_PRIVILEGES,
	                         "default_privileges", name.ptr)) ||
	    gw_sobj_addf(o, GW_SM_OWNER, 1, "grants %s", v[4] ? v[4] : "") < 0)
		r->error = GW_ENOMEM;
	gw_str_dispose(&name);
	return r->error;
}

/* ---- running the queries ------------------------------------------------- */

/* The queries, in the order their rows are handled: relations and types
 * first, as the member queries join to them. `side` says which session
 * runs a step on a fresh connection (0: the caller's; see side_run).
 * Policies go with the views: pg_get_expr with a relation opens the
 * table too, which that session has built in its cache already. */
static const struct step {
	const char *sql;
	const char *sql14; /* on servers before PostgreSQL 15, when it differs */
	gw_row_cb cb;
	int side;
} steps[] = {
        {schemas_sql, NULL, schema_row, 0},
        {extensions_sql, NULL, extension_row, 0},
        {relations_sql, NULL, relation_row, 0},
        {types_sql, NULL, type_row, 0},
        {columns_sql, NULL, column_row, 0},
        {views_sql, NULL, view_row, 1},
        {policies_sql, NULL, policy_row, 1},
        {constraints_sql, NULL, constraint_row, 2},
        {indexes_sql, NULL, index_row, 2},
        {functions_sql, NULL, function_row, 2},
        {triggers_sql, NULL, trigger_row, 0},
        {event_triggers_sql, NULL, event_trigger_row, 0},
        {wrappers_sql, NULL, wrapper_row, 0},
        {servers_sql, NULL, server_row, 0},
        {publications_sql, publications14_sql, publication_row, 0},
        {publication_tables_sql, publication_tables14_sql, publication_table_row, 0},
        {default_acl_sql, NULL, default_acl_row, 0},
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

/* Sends the queries in one pipeline: the server runs them back to back
 * while the client handles the rows of the first ones, and no query waits
 * for a round trip. A driver without pipelines runs them one by one. */
static int run_queries(gw_conn *conn, const gw_query *qs, size_t n)
{
	size_t i;
	int error = 0;

	if (conn->driver->exec_pipeline)
		return conn->driver->exec_pipeline(conn, qs, n);
	for (i = 0; i < n && error == 0; i++)
		error = conn->driver->exec(conn, &qs[i].stmt, qs[i].cb, qs[i].payload);
	return error;
}

static gw_query make_query(const char *sql, gw_row_cb cb, void *payload)
{
	gw_query q = {{sql, strlen(sql), NULL, 0}, cb, payload};

	return q;
}

/* A step's query for the server conn is on. */
static const char *step_sql(const struct step *st, gw_conn *conn)
{
	const char *v = conn->driver->server_version ? conn->driver->server_version(conn) : NULL;

	return st->sql14 && v && strtol(v, NULL, 10) < 15 ? st->sql14 : st->sql;
}

/* ---- a second session ------------------------------------------------------ */

/* Rows kept as they came, to be handed to a row callback later. */
typedef struct rows {
	gw_vec items; /* char **: ncols values, NULL for SQL NULL */
	int ncols;
	int failed;
} rows;

static int keep_row(void *payload, int ncols, const char *const *v)
{
	rows *rs = payload;
	char **row = calloc((size_t)ncols, sizeof(*row));
	int i;

	if (!row || gw_vec_push(&rs->items, row) < 0) {
		free(row);
		rs->failed = 1;
		return GW_ENOMEM;
	}
	rs->ncols = ncols;
	for (i = 0; i < ncols; i++)
		if (v[i] && !(row[i] = gw_strdup(v[i])))
			rs->failed = 1;
	return rs->failed ? GW_ENOMEM : 0;
}

static void rows_dispose(rows *rs)
{
	size_t i;
	int j;

	for (i = 0; i < rs->items.len; i++) {
		char **row = rs->items.items[i];
		for (j = 0; j < rs->ncols; j++)
			free(row[j]);
	}
	gw_vec_dispose(&rs->items, free);
}

/* The deparsers (pg_get_viewdef, pg_get_constraintdef, pg_get_indexdef)
 * cost the most on a new session, with a cold catalog cache. On a fresh
 * connection, NSIDES more sessions run their share of the steps while the
 * first reads the rest, so a snapshot takes about the time of its slowest
 * share; the rows are kept and handed to their callbacks afterwards, in
 * the steps' order. */
#define NSIDES 2

typedef struct side {
	gw_project *p;
	gw_ctx *ctx;
	int which;   /* the steps' `side` this session runs */
	rows *found; /* by step, shared: each session fills its own steps */
	int error, started;
	pthread_t thread;
} side;

static void *side_run(void *arg)
{
	side *sd = arg;
	gw_conn_options copts = {sd->p->app_name, sd->p->opts.lock_wait};
	gw_query qs[NSTEPS];
	gw_conn *conn = NULL;
	size_t i, n = 0;

	if ((sd->error = sd->p->driver->open(&conn, sd->p->opts.url, &copts, sd->ctx)) < 0)
		return NULL;
	for (i = 0; i < NSTEPS; i++)
		if (steps[i].side == sd->which)
			qs[n++] = make_query(step_sql(&steps[i], conn), keep_row, &sd->found[i]);
	sd->error = run_queries(conn, qs, n);
	conn->driver->close(conn);
	return NULL;
}

/* A side session's error, moved to the caller's context. */
static int side_error(reader *r, const side *sd)
{
	const gw_error *e = gw_ctx_error(sd->ctx);
	int error;

	if (!e)
		return gw_error_oom(r->c->p->ctx);
	error = gw_error_set(r->c->p->ctx, e->code, "%s", e->message);
	gw_error_set_sqlstate(r->c->p->ctx, e->sqlstate);
	return error;
}

/* Hands the side sessions' rows to their callbacks, in the steps' order. */
static int replay(reader *r, const side *sides, const rows *found)
{
	size_t i, j;
	int k, error = 0;

	for (k = 0; k < NSIDES; k++)
		if (sides[k].started && sides[k].error < 0)
			return side_error(r, &sides[k]);
	for (i = 0; i < NSTEPS; i++)
		if (found[i].failed)
			return gw_error_oom(r->c->p->ctx);
	for (i = 0; i < NSTEPS && error == 0; i++) {
		const rows *rs = &found[i];
		for (j = 0; j < rs->items.len && error == 0; j++)
			error = steps[i].cb(r, rs->ncols, (const char *const *)rs->items.items[j]);
	}
	return error < 0 ? gw_error_oom(r->c->p->ctx) : 0;
}

/* 1 when step i runs on a side session that started. */
static int on_side(const side *sides, size_t i)
{
	return steps[i].side > 0 && sides[steps[i].side - 1].started;
}

int gw_schema__read_pg(gw_schema_ctx *c)
{
	reader r = {c, {NULL, NULL, 0, 0}, {NULL, NULL, 0, 0}, 0};
	rows found[NSTEPS];
	side sides[NSIDES];
	gw_query qs[NSTEPS];
	int k, error = 0;
	size_t i, n = 0;

	memset(found, 0, sizeof(found));
	memset(sides, 0, sizeof(sides));
	/* A warm session (godwit test takes snapshots on one connection) is
	 * faster alone than with cold ones beside it. */
	for (k = 0; c->fresh && k < NSIDES; k++) {
		sides[k].p = c->p;
		sides[k].which = k + 1;
		sides[k].found = found;
		if (gw_ctx_new(&sides[k].ctx) == 0)
			sides[k].started =
			        pthread_create(&sides[k].thread, NULL, side_run, &sides[k]) == 0;
	}
	for (i = 0; i < NSTEPS; i++)
		if (!on_side(sides, i))
			qs[n++] = make_query(step_sql(&steps[i], c->conn), steps[i].cb, &r);
	error = run_queries(c->conn, qs, n);
	if (r.error < 0)
		error = gw_error_oom(c->p->ctx);
	for (k = 0; k < NSIDES; k++)
		if (sides[k].started)
			pthread_join(sides[k].thread, NULL);
	if (error == 0)
		error = replay(&r, sides, found);
	for (i = 0; i < NSTEPS; i++)
		rows_dispose(&found[i]);
	for (k = 0; k < NSIDES; k++)
		gw_ctx_free(sides[k].ctx);
	map_dispose(&r.rels);
	map_dispose(&r.types);
	return error;
}
