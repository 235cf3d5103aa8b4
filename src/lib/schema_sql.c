/*
 * schema_sql.c: gw_schema_sql, the statements that turn one PostgreSQL
 * snapshot into another (`schema diff --sql`, `generate`, `drift
 * --against`).
 *
 * It works on the snapshot's text (include/godwit/schema.h), so the two
 * sides may be files as well as databases: every member line is what the
 * server's own deparsers said (pg_get_constraintdef, pg_get_indexdef,
 * pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef), so it is
 * executable as it is, once put in its statement.
 *
 * The script is written into parts (schema_sql.h) that run in a fixed
 * order, which is the dependency order: views that go or must be rebuilt
 * are dropped first, then triggers and policies, foreign keys, other
 * constraints and tables; then schemas, types, sequences, functions,
 * tables, columns, constraints, foreign keys and views are created or
 * altered; what nothing uses any more (functions, types, sequences,
 * schemas) is dropped late; what must not hold a lock comes last,
 * outside the transaction: VALIDATE CONSTRAINT (in a transaction of its
 * own: in ADD CONSTRAINT's, it would scan under the lock that took) and
 * CREATE INDEX CONCURRENTLY (in none).
 * Dependencies between views are found in their definitions by name.
 *
 * This file holds the script, the lookups, the generator's helpers and
 * the walk; the statements of each kind of object are in
 * schema_sql_table.c and schema_sql_object.c, the renames in
 * schema_sql_rename.c, SQLite's in schema_sql_sqlite.c.
 */
#include "schema_sql.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/text.h"

/* ---- the script ------------------------------------------------------------ */

static void vput(gw_sql *q, int part, const char *prefix, const char *suffix, const char *fmt,
                 va_list ap)
{
	gw_str *s = &q->part[part];

	gw_str_puts(s, prefix);
	gw_str_vprintf(s, fmt, ap);
	gw_str_puts(s, suffix);
	if (s->failed)
		q->failed = 1;
}

void gw_sql__emit(gw_sql *q, int part, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vput(q, part, "", ";\n", fmt, ap);
	va_end(ap);
	q->count++;
}

void gw_sql__note(gw_sql *q, int part, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vput(q, part, "-- ", "\n", fmt, ap);
	va_end(ap);
}

static void add_warning(gw_sql *q, int part, gw_str w)
{
	if (w.failed || gw_vec_push(&q->warnings, w.ptr) < 0) {
		gw_str_dispose(&w);
		q->failed = 1;
		return;
	}
	gw_str_puts(&q->part[part], "-- warning: ");
	gw_str_puts(&q->part[part], w.ptr);
	gw_str_putc(&q->part[part], '\n');
}

void gw_sql__warn(gw_sql *q, int part, const char *fmt, ...)
{
	gw_str w = GW_STR_INIT;
	va_list ap;

	va_start(ap, fmt);
	gw_str_vprintf(&w, fmt, ap);
	va_end(ap);
	add_warning(q, part, w);
}

void gw_sql__warn_action(gw_sql *q, int part, int code, const char *end, const char *fmt, ...)
{
	gw_str context = GW_STR_INIT, w = GW_STR_INIT;
	va_list ap;

	va_start(ap, fmt);
	gw_str_vprintf(&context, fmt, ap);
	va_end(ap);
	if (context.failed)
		w.failed = 1;
	else
		gw_ctx__word(q->ctx, &w, code, context.ptr, NULL, NULL);
	gw_str_puts(&w, end);
	gw_str_dispose(&context);
	add_warning(q, part, w);
}

void gw_sql__unexpressed(gw_sql *q, int part, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vput(q, part, "-- cannot be expressed: ", "\n", fmt, ap);
	va_end(ap);
	q->unexpressed++;
}

const char *gw_sql_text(const gw_sql *q)
{
	return q->text;
}

const char *gw_sql_head(const gw_sql *q)
{
	return q->head;
}

const char *gw_sql_middle(const gw_sql *q)
{
	return q->middle;
}

const char *gw_sql_tail(const gw_sql *q)
{
	return q->tail;
}

int gw_sql_head_no_transaction(const gw_sql *q)
{
	return q->head_no_transaction;
}

size_t gw_sql_unexpressed(const gw_sql *q)
{
	return q->unexpressed;
}

size_t gw_sql_warning_count(const gw_sql *q)
{
	return q->warnings.len;
}

const char *gw_sql_warning(const gw_sql *q, size_t i)
{
	return i < q->warnings.len ? q->warnings.items[i] : NULL;
}

size_t gw_sql_count(const gw_sql *q)
{
	return q->count;
}

void gw_sql_free(gw_sql *q)
{
	int i;

	if (!q)
		return;
	for (i = 0; i < GW_SQ_COUNT; i++)
		gw_str_dispose(&q->part[i]);
	gw_vec_dispose(&q->warnings, free);
	free(q->text);
	free(q->head);
	free(q->middle);
	free(q->tail);
	free(q);
}

/* ---- lookups ------------------------------------------------------------- */

const char *gw_sql__member(const gw_schema_object *o, const char *key, size_t keylen)
{
	size_t i;

	if (!o)
		return NULL;
	for (i = 0; i < o->nmembers; i++)
		if (gw_schema__member_key(o->members[i]) == keylen &&
		    strncmp(o->members[i], key, keylen) == 0)
			return o->members[i];
	return NULL;
}

const gw_schema_object *gw_sql__find(const gw_schema *s, const char *kind, const char *name)
{
	return gw_schema__lookup(s, kind, name);
}

int gw_sql__streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int gw_sql__starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The member that starts with prefix ("partition of "), or NULL: its key
 * is its first word only. */
const char *gw_sql__head_member(const gw_schema_object *o, const char *prefix)
{
	size_t i;

	for (i = 0; o && i < o->nmembers; i++)
		if (gw_sql__starts(o->members[i], prefix))
			return o->members[i];
	return NULL;
}

int gw_sql__ends(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lf = strlen(suffix);

	return ls >= lf && strcmp(s + ls - lf, suffix) == 0;
}

/* End of an identifier at p: a "quoted ""name""" or a plain word. */
const char *gw_sql__ident_end(const char *p)
{
	if (*p == '"') {
		for (p++; *p; p++)
			if (*p == '"') {
				if (p[1] != '"')
					return p + 1;
				p++;
			}
		return p;
	}
	while (*p && (gw_is_name_char(*p) || *p == '$'))
		p++;
	return p;
}

/* The schema and relation of "nsp.rel" (rel alone when unqualified). */
void gw_sql__split_name(const char *name, gw_str *nsp, gw_str *rel)
{
	const char *dot = gw_sql__ident_end(name);

	gw_str_clear(nsp);
	gw_str_clear(rel);
	if (*dot == '.') {
		gw_str_put(nsp, name, (size_t)(dot - name));
		gw_str_puts(rel, dot + 1);
	} else {
		gw_str_puts(rel, name);
	}
}

/* 1 when word (an identifier, perhaps quoted) appears in text as a whole
 * word: what tells that a view uses a relation or a function. */
int gw_sql__mentions(const char *text, const char *word, size_t len)
{
	const char *hit;

	if (!len)
		return 0;
	for (hit = strstr(text, word); hit; hit = strstr(hit + 1, word))
		if ((hit == text || !(gw_is_name_char(hit[-1]) || hit[-1] == '$')) &&
		    !(gw_is_name_char(hit[len]) || hit[len] == '$'))
			return 1;
	return 0;
}

/* The relation part of an object name, for `mentions`. */
void gw_sql__rel_word(gw_str *out, const char *name)
{
	gw_str nsp = GW_STR_INIT;
	size_t paren;

	gw_sql__split_name(name, &nsp, out);
	paren = strcspn(out->ptr, "(");
	gw_str_truncate(out, paren);
	gw_str_dispose(&nsp);
}

/* A text as an SQL literal: 'it''s'. */
void gw_sql__literal(gw_str *out, const char *s)
{
	gw_str_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			gw_str_putc(out, '\'');
		gw_str_putc(out, *s);
	}
	gw_str_putc(out, '\'');
}

/* A column name as the server stores it: "Id" → Id, id → id. */
void gw_sql__unquoted(gw_str *out, const char *ident)
{
	size_t n = strlen(ident);

	if (n < 2 || ident[0] != '"') {
		gw_str_puts(out, ident);
		return;
	}
	for (ident++, n -= 2; n > 0; ident++, n--) {
		gw_str_putc(out, *ident);
		if (*ident == '"' && n > 1 && ident[1] == '"')
			ident++, n--;
	}
}

/* ---- the generator ------------------------------------------------------- */

int gw_sql__has_word(const gw_vec *v, const char *w)
{
	size_t i;

	for (i = 0; i < v->len; i++)
		if (strcmp(v->items[i], w) == 0)
			return 1;
	return 0;
}

void gw_sql__add_word(gen *g, gw_vec *v, const char *name)
{
	gw_str w = GW_STR_INIT;

	gw_sql__rel_word(&w, name);
	if (w.failed) {
		g->q->failed = 1;
	} else if (gw_sql__has_word(v, w.ptr)) {
		gw_str_dispose(&w);
	} else if (gw_vec_push(v, w.ptr) < 0) {
		gw_str_dispose(&w);
		g->q->failed = 1;
	}
}

const char *gw_sql__sql_kind(const char *kind)
{
	static const struct {
		const char *kind, *sql;
	} map[] = {{"table", "TABLE"},
	           {"view", "VIEW"},
	           {"matview", "MATERIALIZED VIEW"},
	           {"sequence", "SEQUENCE"},
	           {"schema", "SCHEMA"},
	           {"enum", "TYPE"},
	           {"type", "TYPE"},
	           {"range", "TYPE"},
	           {"domain", "DOMAIN"},
	           {"function", "FUNCTION"},
	           {"procedure", "PROCEDURE"},
	           {"aggregate", "AGGREGATE"},
	           {"extension", "EXTENSION"},
	           {"foreign_table", "FOREIGN TABLE"},
	           {"event_trigger", "EVENT TRIGGER"},
	           {"foreign_data_wrapper", "FOREIGN DATA WRAPPER"},
	           {"server", "SERVER"},
	           {"publication", "PUBLICATION"}};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].kind, kind) == 0)
			return map[i].sql;
	return "TABLE";
}

/* The relation (or type) a member's object lives in, for qualifying an
 * index name: "public" of "public.t". */
void gw_sql__object_schema(gw_str *out, const char *name)
{
	gw_str rel = GW_STR_INIT;

	gw_sql__split_name(name, out, &rel);
	gw_str_dispose(&rel);
}

/* The name a member names ("email" of "column email text"). */
void gw_sql__member_name(gw_str *out, const char *m)
{
	const char *p = m + strcspn(m, " ");

	/* Not gw_str_clear, which would forget a failure the caller has
	 * still to see (it checks once, after its loop). */
	gw_str_truncate(out, 0);
	if (*p)
		p++;
	gw_str_put(out, p, (size_t)(gw_sql__ident_end(p) - p));
}

void gw_sql__dispose(gen *g, gw_str *s)
{
	if (s->failed)
		g->q->failed = 1;
	gw_str_dispose(s);
}

/* The text after a named member's name ("PRIMARY KEY (id)" of
 * "constraint t_pkey PRIMARY KEY (id)"). */
const char *gw_sql__member_body(const char *m)
{
	size_t k = gw_schema__member_key(m);

	return m[k] ? m + k + 1 : m + k;
}

/* A view's or function's definition: the text after "definition\n". */
const char *gw_sql__definition(const gw_schema_object *o)
{
	const char *d = gw_sql__member(o, "definition", 10);

	return d ? d + (d[10] ? 11 : 10) : "";
}

/* A constraint trigger's constraint is left out: its trigger member
 * makes both (CREATE CONSTRAINT TRIGGER). */
int gw_sql__is_constraint(const char *m)
{
	const char *body = gw_sql__member_body(m);

	return gw_sql__starts(m, "constraint ") &&
	       !(gw_sql__starts(body, "TRIGGER") && (body[7] == ' ' || body[7] == '\0'));
}

int gw_sql__is_column(const char *m)
{
	return gw_sql__starts(m, "column ") || gw_sql__starts(m, "attribute ");
}

/* ---- the walk ------------------------------------------------------------------ */

static int object_equal(const gw_schema_object *a, const gw_schema_object *b)
{
	size_t i;

	if (a->nmembers != b->nmembers)
		return 0;
	for (i = 0; i < a->nmembers; i++)
		if (strcmp(a->members[i], b->members[i]) != 0)
			return 0;
	return 1;
}

static int kind_is(const gw_schema_object *o, const char *k1, const char *k2)
{
	return strcmp(o->kind, k1) == 0 || (k2 && strcmp(o->kind, k2) == 0);
}

/* Tables of B in an order where a partition comes after its parent. */
static void create_tables(gen *g)
{
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < gw_schema_count(g->b); i++) {
			const gw_schema_object *b = gw_schema_get(g->b, i);
			if (!kind_is(b, "table", NULL) || gw_sql__find(g->a, "table", b->name))
				continue;
			if ((gw_sql__head_member(b, "partition of ") != NULL) == pass)
				gw_sql__create_table(g, b);
		}
}

/* Tables whose columns change so that a view using them must be
 * rebuilt: a column dropped, or its type or collation changed. */
static void find_affected(gen *g)
{
	size_t i, j;

	for (i = 0; i < gw_schema_count(g->a); i++) {
		const gw_schema_object *a = gw_schema_get(g->a, i), *b;
		int hit = 0;
		if (!kind_is(a, "table", "type"))
			continue;
		if (!(b = gw_sql__find(g->b, a->kind, a->name))) {
			gw_sql__add_word(g, &g->affected, a->name);
			continue;
		}
		for (j = 0; j < a->nmembers && !hit; j++) {
			const char *m = a->members[j], *mb;
			col ca, cb;
			if (!gw_sql__is_column(m))
				continue;
			mb = gw_sql__member(b, m, gw_schema__member_key(m));
			if (!mb) {
				hit = 1;
				break;
			}
			if (strcmp(m, mb) == 0)
				continue;
			if (gw_sql__col_parse(&ca, m) < 0 || gw_sql__col_parse(&cb, mb) < 0) {
				g->q->failed = 1;
				gw_sql__col_dispose(&ca);
				return;
			}
			hit = strcmp(ca.type, cb.type) != 0 ||
			      !gw_sql__streq(ca.collate, cb.collate) ||
			      !gw_sql__streq(ca.gen, cb.gen);
			gw_sql__col_dispose(&ca);
			gw_sql__col_dispose(&cb);
		}
		if (hit)
			gw_sql__add_word(g, &g->affected, a->name);
	}
	/* Functions dropped, or dropped and created again. */
	for (i = 0; i < gw_schema_count(g->a); i++) {
		const gw_schema_object *a = gw_schema_get(g->a, i);
		if (kind_is(a, "function", "aggregate") && !gw_sql__find(g->b, a->kind, a->name))
			gw_sql__add_word(g, &g->affected, a->name);
	}
}

/* 1 for a partition whose parent is dropped too: it goes with it. */
static int parent_dropped(gen *g, const gw_schema_object *a)
{
	const char *po = gw_sql__head_member(a, "partition of ");
	gw_str parent = GW_STR_INIT;
	int hit;

	if (!po)
		return 0;
	po += 13;
	gw_str_put(&parent, po, (size_t)(gw_sql__ident_end(gw_sql__ident_end(po) + 1) - po));
	if (parent.failed)
		g->q->failed = 1;
	hit = parent.ptr && !gw_sql__find(g->b, "table", parent.ptr);
	gw_str_dispose(&parent);
	return hit;
}

static void walk(gen *g)
{
	size_t i;
	int created_function = 0;
	/* Servers before their wrappers, wrappers before their functions. */
	static const char *const late[] = {"publication", "server",   "foreign_data_wrapper",
	                                   "aggregate",   "function", "procedure",
	                                   "type",        "domain",   "enum",
	                                   "range",       "sequence", "extension",
	                                   "schema"};
	size_t k;

	gw_sql__find_rekeyed(g);
	find_affected(g);
	gw_sql__find_rebuilt(g);
	/* Functions first: a dropped and recreated one affects views. */
	for (i = 0; i < gw_schema_count(g->b); i++) {
		const gw_schema_object *b = gw_schema_get(g->b, i), *a;
		if ((!kind_is(b, "function", "procedure") && !kind_is(b, "aggregate", NULL)) ||
		    gw_sql__range_function(g->b, b))
			continue;
		a = gw_sql__find(g->a, b->kind, b->name);
		if (!a) {
			created_function = 1;
			gw_sql__create_function(g, b);
		} else {
			if (strcmp(gw_sql__definition(a), gw_sql__definition(b)) != 0)
				created_function = 1;
			gw_sql__alter_function(g, a, b);
		}
	}
	if (created_function)
		gw_sql__emit(g->q, GW_SQ_HEADER, "SET check_function_bodies = false");
	for (i = 0; i < gw_schema_count(g->b); i++) {
		const gw_schema_object *b = gw_schema_get(g->b, i);
		const gw_schema_object *a = gw_sql__find(g->a, b->kind, b->name);
		if (kind_is(b, "schema", NULL)) {
			if (a)
				gw_sql__comments(g, a, b);
			else
				gw_sql__create_schema(g, b);
		} else if (kind_is(b, "extension", NULL)) {
			if (a)
				gw_sql__alter_extension(g, a, b);
			else
				gw_sql__create_extension(g, b);
		}
	}
	gw_sql__default_privileges(g);
	/* Types: enums and ranges, domains, then composite types. */
	{
		static const char *const order[][2] = {
		        {"enum", "range"}, {"domain", NULL}, {"type", NULL}};
		for (k = 0; k < 3; k++)
			for (i = 0; i < gw_schema_count(g->b); i++) {
				const gw_schema_object *b = gw_schema_get(g->b, i), *a;
				if (!kind_is(b, order[k][0], order[k][1]))
					continue;
				a = gw_sql__find(g->a, b->kind, b->name);
				if (!a) {
					gw_sql__create_type(g, b);
					continue;
				}
				if (kind_is(b, "enum", NULL))
					gw_sql__alter_enum(g, a, b);
				else if (kind_is(b, "domain", NULL)) {
					if (gw_sql__alter_domain(g, a, b))
						continue;
				} else if (kind_is(b, "range", NULL) &&
				           !gw_sql__streq(gw_sql__member(a, "subtype", 7),
				                          gw_sql__member(b, "subtype", 7)))
					gw_sql__unexpressed(g->q, GW_SQ_TYPE,
					                    "range %s changes its subtype",
					                    b->name);
				else if (kind_is(b, "type", NULL)) {
					size_t j;
					gw_str name = GW_STR_INIT, s = GW_STR_INIT;
					gw_vec readded = GW_VEC_INIT;
					for (j = 0; j < a->nmembers; j++)
						if (gw_sql__is_column(a->members[j]) &&
						    !gw_sql__member(
						            b, a->members[j],
						            gw_schema__member_key(a->members[j]))) {
							gw_sql__member_name(&name, a->members[j]);
							gw_sql__emit(
							        g->q, GW_SQ_TYPE,
							        "ALTER TYPE %s DROP ATTRIBUTE %s",
							        b->name, name.ptr);
						}
					for (j = 0; j < b->nmembers; j++) {
						const char *m = b->members[j], *ma;
						col ca, cb;
						if (!gw_sql__is_column(m))
							continue;
						ma = gw_sql__member(a, m, gw_schema__member_key(m));
						if (ma && strcmp(ma, m) == 0)
							continue;
						if (gw_sql__col_parse(&cb, m) < 0) {
							g->q->failed = 1;
							continue;
						}
						if (!ma) {
							gw_str_clear(&s);
							gw_sql__col_sql(&s, &cb);
							gw_sql__emit(
							        g->q, GW_SQ_TYPE,
							        "ALTER TYPE %s ADD ATTRIBUTE %s",
							        b->name, s.ptr);
							if (s.failed)
								g->q->failed = 1;
						} else if (gw_sql__col_parse(&ca, ma) < 0) {
							g->q->failed = 1;
						} else {
							gw_sql__alter_column(g, b, &ca, &cb);
							gw_sql__col_dispose(&ca);
						}
						gw_sql__col_dispose(&cb);
					}
					gw_sql__column_order(g, a, b, &readded, 1);
					gw_vec_dispose(&readded, free);
					gw_sql__dispose(g, &name);
					gw_sql__dispose(g, &s);
				}
				gw_sql__comments(g, a, b);
			}
	}
	for (i = 0; i < gw_schema_count(g->b); i++) {
		const gw_schema_object *b = gw_schema_get(g->b, i), *a;
		if (!kind_is(b, "sequence", NULL))
			continue;
		if ((a = gw_sql__find(g->a, b->kind, b->name)))
			gw_sql__alter_sequence(g, a, b);
		else
			gw_sql__create_sequence(g, b);
	}
	gw_sql__publications(g);
	gw_sql__wrappers_and_servers(g);
	create_tables(g);
	for (i = 0; i < gw_schema_count(g->b); i++) {
		const gw_schema_object *b = gw_schema_get(g->b, i), *a;
		if (kind_is(b, "table", NULL) && (a = gw_sql__find(g->a, "table", b->name))) {
			if (gw_sql__has_word(&g->rebuilt, b->name))
				gw_sql__rebuild_table(g, a, b);
			else
				gw_sql__alter_table(g, a, b);
		} else if (kind_is(b, "foreign_table", "event_trigger") &&
		           !((a = gw_sql__find(g->a, b->kind, b->name)) && object_equal(a, b))) {
			if (kind_is(b, "foreign_table", NULL))
				gw_sql__foreign_table(g, a, b);
			else
				gw_sql__event_trigger(g, a, b);
		}
	}
	gw_sql__views(g);
	/* What A has and B does not. */
	for (i = 0; i < gw_schema_count(g->a); i++) {
		const gw_schema_object *a = gw_schema_get(g->a, i);
		if (gw_sql__find(g->b, a->kind, a->name))
			continue;
		if (kind_is(a, "table", NULL) && !parent_dropped(g, a))
			gw_sql__emit(g->q, GW_SQ_DROP_TABLE, "DROP TABLE %s", a->name);
		else if (kind_is(a, "foreign_table", NULL))
			gw_sql__emit(g->q, GW_SQ_DROP_TABLE, "DROP FOREIGN TABLE %s", a->name);
		else if (kind_is(a, "event_trigger", NULL))
			gw_sql__event_trigger(g, a, NULL);
	}
	for (k = 0; k < sizeof(late) / sizeof(late[0]); k++)
		for (i = gw_schema_count(g->a); i > 0; i--) {
			const gw_schema_object *a = gw_schema_get(g->a, i - 1);
			if (strcmp(a->kind, late[k]) != 0 || gw_sql__find(g->b, a->kind, a->name) ||
			    gw_sql__range_function(g->a, a))
				continue;
			if (kind_is(a, "sequence", NULL))
				gw_sql__emit(g->q, GW_SQ_DROP_LATE, "DROP SEQUENCE IF EXISTS %s",
				             a->name);
			else
				gw_sql__emit(g->q, GW_SQ_DROP_LATE, "DROP %s %s",
				             gw_sql__sql_kind(a->kind), a->name);
		}
}

/* 1 when a label added is used by a later statement: it cannot be, in the
 * transaction that added it. */
static int labels_used(gen *g)
{
	size_t i;
	int part;

	for (i = 0; i < g->labels.len; i++)
		for (part = GW_SQ_TYPE + 1; part < GW_SQ_TAIL; part++)
			if (strstr(g->q->part[part].ptr, g->labels.items[i]))
				return 1;
	return 0;
}

static void forget(gen *g)
{
	gw_vec *v[] = {&g->affected, &g->rekeyed, &g->uniq_tail, &g->labels,
	               &g->tail_idx, &g->refunc,  &g->rebuilt,   &g->made};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		gw_vec_dispose(v[i], free);
		*v[i] = (gw_vec)GW_VEC_INIT;
	}
}

/* The walk; again with the columns appended when a table is rebuilt and
 * an enum label added is used: the script then cannot run in one
 * transaction, which a rebuild needs (its rows would be copied while
 * others still write). The renames stay: they were made before. */
static void rewalk_unless_rebuilt(gen *g, gw_sql_options *append)
{
	gw_sql *q = g->q;
	size_t warnings = q->warnings.len, unexpressed = q->unexpressed, count = q->count;
	int i;

	walk(g);
	if (!g->rebuilt.len || !labels_used(g))
		return;
	for (i = 0; i < GW_SQ_COUNT; i++)
		if (i != GW_SQ_RENAME)
			gw_str_clear(&q->part[i]);
	while (q->warnings.len > warnings)
		free(q->warnings.items[--q->warnings.len]);
	q->unexpressed = unexpressed;
	q->count = count;
	forget(g);
	*append = *g->o;
	append->column_order_append = 1;
	g->o = append;
	gw_sql__warn(q, GW_SQ_HEADER,
	             "an enum label added is used by a later statement, so the script cannot "
	             "run in one transaction, which a table rebuilt in another column order "
	             "needs: its new columns go at the end instead");
	walk(g);
}

static int finish(gw_sql *q)
{
	gw_str text = GW_STR_INIT, head = GW_STR_INIT, middle = GW_STR_INIT, tail = GW_STR_INIT;
	int i;

	for (i = 0; i < GW_SQ_COUNT; i++) {
		gw_str *part = i < GW_SQ_VALIDATE ? &head : i == GW_SQ_VALIDATE ? &middle : &tail;
		gw_str_put(part, q->part[i].ptr, q->part[i].size);
	}
	if (q->head_no_transaction && head.size)
		gw_str_puts(&text, "-- the statements below cannot run inside one transaction: a "
		                   "later one uses an enum label added before it\n");
	gw_str_put(&text, head.ptr, head.size);
	if (head.size && middle.size)
		gw_str_puts(&text, "-- the statements below run in a transaction of their own\n");
	gw_str_put(&text, middle.ptr, middle.size);
	if ((head.size || middle.size) && tail.size)
		gw_str_puts(&text, "-- the statements below cannot run inside a transaction\n");
	gw_str_put(&text, tail.ptr, tail.size);
	if (text.failed || head.failed || middle.failed || tail.failed || q->failed) {
		gw_str_dispose(&text);
		gw_str_dispose(&head);
		gw_str_dispose(&middle);
		gw_str_dispose(&tail);
		return GW_ENOMEM;
	}
	q->text = gw_str_detach(&text);
	q->head = gw_str_detach(&head);
	q->middle = gw_str_detach(&middle);
	q->tail = gw_str_detach(&tail);
	return q->text && q->head && q->middle && q->tail ? 0 : GW_ENOMEM;
}

int gw_schema_sql(gw_sql **out, const gw_schema *from, const gw_schema *to,
                  const gw_sql_options *opts, gw_ctx *ctx)
{
	static const gw_sql_options defaults = GW_SQL_OPTIONS_INIT;
	gen g = {.o = opts ? opts : &defaults,
	         .a = from,
	         .b = to,
	         .affected = GW_VEC_INIT,
	         .rekeyed = GW_VEC_INIT,
	         .uniq_tail = GW_VEC_INIT,
	         .labels = GW_VEC_INIT,
	         .tail_idx = GW_VEC_INIT,
	         .refunc = GW_VEC_INIT,
	         .rebuilt = GW_VEC_INIT,
	         .made = GW_VEC_INIT};
	const char *da = gw_schema_dialect(from), *db = gw_schema_dialect(to);
	gw_sql_options append;
	gw_schema *renamed = NULL;
	int error = 0, i;

	*out = NULL;
	if (g.o->version != GW_SQL_OPTIONS_VERSION)
		return gw_error_set(ctx, GW_EINVALID, "gw_sql_options version %u is not supported",
		                    g.o->version);
	if (da && db && strcmp(da, db) != 0)
		return gw_error_set(
		        ctx, GW_EINVALID,
		        "the schemas are of two databases (%s and %s): no script turns one "
		        "into the other",
		        da, db);
	if (!(g.q = calloc(1, sizeof(*g.q))))
		return gw_error_oom(ctx);
	g.q->ctx = ctx;
	for (i = 0; i < GW_SQ_COUNT; i++)
		g.q->part[i] = (gw_str)GW_STR_INIT;
	if (g.o->nrenames) {
		if ((error = gw_sql__apply_renames(&renamed, g.q, from, to, g.o, ctx)) < 0)
			goto cleanup;
		g.a = renamed;
	}
	if ((da && strcmp(da, "sqlite") == 0) || (db && strcmp(db, "sqlite") == 0))
		error = gw_sql__sqlite(g.q, g.a, to, g.o);
	else
		rewalk_unless_rebuilt(&g, &append);
	if (error == 0 && labels_used(&g))
		g.q->head_no_transaction = 1;
	if (error == 0 && (error = finish(g.q)) < 0)
		error = gw_error_oom(ctx);
	else if (error < 0 && !gw_ctx_error(ctx))
		error = gw_error_oom(ctx);
cleanup:
	forget(&g);
	gw_schema_free(renamed);
	if (error < 0) {
		gw_sql_free(g.q);
		return error;
	}
	*out = g.q;
	return 0;
}
