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

void gw_sql__warn(gw_sql *q, int part, const char *fmt, ...)
{
	gw_str w = GW_STR_INIT;
	va_list ap;

	va_start(ap, fmt);
	gw_str_vprintf(&w, fmt, ap);
	va_end(ap);
	if (w.failed || gw_vec_push(&q->warnings, w.ptr) < 0) {
		gw_str_dispose(&w);
		q->failed = 1;
		return;
	}
	gw_str_puts(&q->part[part], "-- warning: ");
	gw_str_puts(&q->part[part], w.ptr);
	gw_str_putc(&q->part[part], '\n');
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
	size_t i;

	for (i = 0; i < gw_schema_count(s); i++) {
		const gw_schema_object *o = gw_schema_get(s, i);
		if (strcmp(o->kind, kind) == 0 && strcmp(o->name, name) == 0)
			return o;
	}
	return NULL;
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The member that starts with prefix ("partition of "), or NULL: its key
 * is its first word only. */
static const char *head_member(const gw_schema_object *o, const char *prefix)
{
	size_t i;

	for (i = 0; o && i < o->nmembers; i++)
		if (starts(o->members[i], prefix))
			return o->members[i];
	return NULL;
}

static int ends(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lf = strlen(suffix);

	return ls >= lf && strcmp(s + ls - lf, suffix) == 0;
}

/* End of an identifier at p: a "quoted ""name""" or a plain word. */
static const char *ident_end(const char *p)
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
static void split_name(const char *name, gw_str *nsp, gw_str *rel)
{
	const char *dot = ident_end(name);

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
static int mentions(const char *text, const char *word, size_t len)
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
static void rel_word(gw_str *out, const char *name)
{
	gw_str nsp = GW_STR_INIT;
	size_t paren;

	split_name(name, &nsp, out);
	paren = strcspn(out->ptr, "(");
	gw_str_truncate(out, paren);
	gw_str_dispose(&nsp);
}

/* ---- columns ----------------------------------------------------------------- */

/* A column or attribute member, cut into its parts (pointers into buf). */
typedef struct col {
	char *buf;
	const char *name, *type, *collate, *def, *gen;
	int notnull;
	char identity; /* 0, 'a' always, 'd' by default */
} col;

static char *cut(char *s, const char *sep)
{
	char *hit = strstr(s, sep);

	if (!hit)
		return NULL;
	*hit = '\0';
	return hit + strlen(sep);
}

static char *cut_end(char *s, const char *suffix)
{
	size_t ls = strlen(s), lf = strlen(suffix);

	if (ls < lf || strcmp(s + ls - lf, suffix) != 0)
		return NULL;
	s[ls - lf] = '\0';
	return s + ls - lf;
}

/* "column NAME TYPE[ collate C][ not null][ default D][ identity ...][
 * generated always as (E) stored]", the order schema_pg.c writes. */
static int col_parse(col *c, const char *member)
{
	char *p, *name_end, *g;

	memset(c, 0, sizeof(*c));
	if (!(c->buf = gw_strdup(member + strcspn(member, " ") + (strchr(member, ' ') ? 1 : 0))))
		return GW_ENOMEM;
	p = c->buf;
	name_end = p + (ident_end(p) - p);
	c->name = p;
	if (!*name_end) {
		c->type = "";
		return 0;
	}
	*name_end = '\0';
	p = name_end + 1;
	if (ends(p, ") stored") && (g = strstr(p, " generated always as ("))) {
		*g = '\0';
		g += strlen(" generated always as (");
		g[strlen(g) - strlen(") stored")] = '\0';
		c->gen = g;
	}
	if (cut_end(p, " identity always"))
		c->identity = 'a';
	else if (cut_end(p, " identity by default"))
		c->identity = 'd';
	c->def = cut(p, " default ");
	if (cut_end(p, " not null"))
		c->notnull = 1;
	c->collate = cut(p, " collate ");
	c->type = p;
	return 0;
}

static void col_dispose(col *c)
{
	free(c->buf);
}

static int streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The column's definition for CREATE TABLE and ADD COLUMN. */
static void col_sql(gw_str *out, const col *c)
{
	gw_str_printf(out, "%s %s", c->name, c->type);
	if (c->collate)
		gw_str_printf(out, " COLLATE %s", c->collate);
	if (c->notnull)
		gw_str_puts(out, " NOT NULL");
	if (c->def)
		gw_str_printf(out, " DEFAULT %s", c->def);
	if (c->identity)
		gw_str_puts(out, c->identity == 'a' ? " GENERATED ALWAYS AS IDENTITY"
		                                    : " GENERATED BY DEFAULT AS IDENTITY");
	if (c->gen)
		gw_str_printf(out, " GENERATED ALWAYS AS (%s) STORED", c->gen);
}

/* The type without its modifier: "character varying(20)" →
 * "character varying". */
static size_t type_base_len(const char *t)
{
	return strcspn(t, "(");
}

static long type_mod(const char *t, int which)
{
	const char *p = strchr(t, '(');

	if (!p)
		return -1;
	if (which == 1 && !(p = strchr(p, ',')))
		return -1;
	return strtol(p + 1, NULL, 10);
}

/* 1 when changing a column's type from a to b keeps every stored value as
 * it is (the server then skips the rewrite): more length, more precision
 * at the same scale, varchar to text. */
static int type_change_is_free(const char *a, const char *b)
{
	size_t la = type_base_len(a), lb = type_base_len(b);

	if (strcmp(a, b) == 0)
		return 1;
	if (starts(a, "character varying") && strcmp(b, "text") == 0)
		return 1;
	if (la != lb || strncmp(a, b, la) != 0)
		return 0;
	if (starts(a, "character varying") || starts(a, "bit varying")) {
		if (!strchr(b, '('))
			return 1;
		return strchr(a, '(') && type_mod(b, 0) >= type_mod(a, 0);
	}
	if (starts(a, "numeric")) {
		if (!strchr(b, '('))
			return 1;
		return strchr(a, '(') && type_mod(b, 1) == type_mod(a, 1) &&
		       type_mod(b, 0) >= type_mod(a, 0);
	}
	return 0;
}

/* ---- the generator ------------------------------------------------------- */

typedef struct gen {
	gw_sql *q;
	const gw_sql_options *o;
	const gw_schema *a, *b;
	gw_vec affected;  /* char *: relation and function words whose views must be rebuilt */
	gw_vec rekeyed;   /* char *: tables whose primary or unique keys change */
	gw_vec uniq_tail; /* char *: tables that get a key in the tail */
	gw_vec labels;    /* char *: enum labels added */
	gw_vec tail_idx;  /* char *: indexes built in the tail (their comments follow) */
	gw_vec refunc;    /* char *: functions dropped and created again */
} gen;

/* gw_vec holds void *; the snapshot's objects are const. */
static int push_const(gw_vec *v, const void *p)
{
	union {
		const void *c;
		void *m;
	} u;

	u.c = p;
	return gw_vec_push(v, u.m);
}

static int has_word(const gw_vec *v, const char *w)
{
	size_t i;

	for (i = 0; i < v->len; i++)
		if (strcmp(v->items[i], w) == 0)
			return 1;
	return 0;
}

static void add_word(gen *g, gw_vec *v, const char *name)
{
	gw_str w = GW_STR_INIT;

	rel_word(&w, name);
	if (w.failed) {
		g->q->failed = 1;
	} else if (has_word(v, w.ptr)) {
		gw_str_dispose(&w);
	} else if (gw_vec_push(v, w.ptr) < 0) {
		gw_str_dispose(&w);
		g->q->failed = 1;
	}
}

static const char *sql_kind(const char *kind)
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
	           {"event_trigger", "EVENT TRIGGER"}};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].kind, kind) == 0)
			return map[i].sql;
	return "TABLE";
}

/* The relation (or type) a member's object lives in, for qualifying an
 * index name: "public" of "public.t". */
static void object_schema(gw_str *out, const char *name)
{
	gw_str rel = GW_STR_INIT;

	split_name(name, out, &rel);
	gw_str_dispose(&rel);
}

/* The name a member names ("email" of "column email text"). */
static void member_name(gw_str *out, const char *m)
{
	const char *p = m + strcspn(m, " ");

	gw_str_clear(out);
	if (*p)
		p++;
	gw_str_put(out, p, (size_t)(ident_end(p) - p));
}

/* The text after a named member's name ("PRIMARY KEY (id)" of
 * "constraint t_pkey PRIMARY KEY (id)"). */
static const char *member_body(const char *m)
{
	size_t k = gw_schema__member_key(m);

	return m[k] ? m + k + 1 : m + k;
}

/* A view's or function's definition: the text after "definition\n". */
static const char *definition(const gw_schema_object *o)
{
	const char *d = gw_sql__member(o, "definition", 10);

	return d ? d + (d[10] ? 11 : 10) : "";
}

/* ---- comments and privileges ------------------------------------------------ */

/* One comment member of o (comment, column_comment, ...), as in `to` or
 * removed (text NULL). */
static void comment_member(gen *g, const gw_schema_object *o, const char *m, int removed)
{
	gw_str what = GW_STR_INIT, name = GW_STR_INIT, nsp = GW_STR_INIT;
	const char *text = removed ? NULL : member_body(m);
	int part = GW_SQ_COMMENT;

	if (starts(m, "comment ")) {
		gw_str_printf(&what, "%s %s", sql_kind(o->kind), o->name);
		text = removed ? NULL : m + 8;
	} else {
		member_name(&name, m);
		if (starts(m, "column_comment "))
			gw_str_printf(&what, "COLUMN %s.%s", o->name, name.ptr);
		else if (starts(m, "constraint_comment "))
			gw_str_printf(&what, "CONSTRAINT %s ON %s%s", name.ptr,
			              strcmp(o->kind, "domain") == 0 ? "DOMAIN " : "", o->name);
		else {
			object_schema(&nsp, o->name);
			gw_str_printf(&what, "INDEX %s%s%s", nsp.ptr, nsp.size ? "." : "",
			              name.ptr);
			if (has_word(&g->tail_idx, name.ptr))
				part = GW_SQ_TAIL_FK;
		}
	}
	if (what.failed)
		g->q->failed = 1;
	else
		gw_sql__emit(g->q, part, "COMMENT ON %s IS %s", what.ptr, text ? text : "NULL");
	gw_str_dispose(&what);
	gw_str_dispose(&name);
	gw_str_dispose(&nsp);
}

static int is_comment(const char *m)
{
	return starts(m, "comment ") || starts(m, "column_comment ") ||
	       starts(m, "constraint_comment ") || starts(m, "index_comment ");
}

/* The privilege words of an aclitem's letters. */
static void privileges_of(gw_str *out, const char *letters, size_t n, int *grant_option)
{
	static const struct {
		char c;
		const char *word;
	} map[] = {{'r', "SELECT"},   {'a', "INSERT"},     {'w', "UPDATE"},  {'d', "DELETE"},
	           {'D', "TRUNCATE"}, {'x', "REFERENCES"}, {'t', "TRIGGER"}, {'X', "EXECUTE"},
	           {'U', "USAGE"},    {'C', "CREATE"},     {'c', "CONNECT"}, {'T', "TEMPORARY"},
	           {'m', "MAINTAIN"}};
	size_t i, j;

	*grant_option = 0;
	for (i = 0; i < n; i++) {
		if (letters[i] == '*') {
			*grant_option = 1;
			continue;
		}
		for (j = 0; j < sizeof(map) / sizeof(map[0]); j++)
			if (map[j].c == letters[i])
				gw_str_printf(out, "%s%s", out->size ? ", " : "", map[j].word);
	}
}

/* The kind word GRANT takes for an object. */
static const char *grant_kind(const char *kind)
{
	if (strcmp(kind, "view") == 0 || strcmp(kind, "matview") == 0 ||
	    strcmp(kind, "foreign_table") == 0)
		return "TABLE";
	if (strcmp(kind, "enum") == 0 || strcmp(kind, "range") == 0)
		return "TYPE";
	return sql_kind(kind);
}

/* Grants of "grants a=r/o b=arw/o" → REVOKE ALL from each grantee of
 * `from`, GRANT for each item of `to`. */
static void grants(gen *g, const gw_schema_object *o, const char *from, const char *to)
{
	const char *sides[2] = {from, to};
	gw_str grantee = GW_STR_INIT, privs = GW_STR_INIT;
	int side, opt;

	for (side = 0; side < 2; side++) {
		const char *p = sides[side];
		while (p && *p) {
			const char *item = p, *eq, *slash, *end = item + strcspn(item, " ");
			eq = memchr(item, '=', (size_t)(end - item));
			slash = eq ? memchr(eq, '/', (size_t)(end - eq)) : NULL;
			p = *end ? end + 1 : end;
			if (!eq || !slash)
				continue;
			gw_str_clear(&grantee);
			gw_str_clear(&privs);
			if (eq == item)
				gw_str_puts(&grantee, "PUBLIC");
			else
				gw_str_put(&grantee, item, (size_t)(eq - item));
			if (side == 0) {
				gw_sql__emit(g->q, GW_SQ_PRIV, "REVOKE ALL ON %s %s FROM %s",
				             grant_kind(o->kind), o->name, grantee.ptr);
				continue;
			}
			privileges_of(&privs, eq + 1, (size_t)(slash - eq - 1), &opt);
			if (privs.size)
				gw_sql__emit(g->q, GW_SQ_PRIV, "GRANT %s ON %s %s TO %s%s",
				             privs.ptr, grant_kind(o->kind), o->name, grantee.ptr,
				             opt ? " WITH GRANT OPTION" : "");
		}
	}
	if (grantee.failed || privs.failed)
		g->q->failed = 1;
	gw_str_dispose(&grantee);
	gw_str_dispose(&privs);
}

/* Owner and grants of o: from (NULL for a new object) to to. Grants are
 * made again from nothing: every grantee of either side (the owners
 * too) loses all, then each of to's items is granted. */
static void privileges(gen *g, const gw_schema_object *from, const gw_schema_object *to)
{
	const char *oa = gw_sql__member(from, "owner", 5), *ob = gw_sql__member(to, "owner", 5);
	const char *ga = gw_sql__member(from, "grants", 6), *gb = gw_sql__member(to, "grants", 6);

	if (!g->o->privileges)
		return;
	if (ob && !streq(oa, ob))
		gw_sql__emit(g->q, GW_SQ_PRIV, "ALTER %s %s OWNER TO %s", sql_kind(to->kind),
		             to->name, ob + 6);
	if (streq(ga, gb) && (!ga || streq(oa, ob)))
		return;
	if (!gb) {
		if (ga)
			gw_sql__unexpressed(
			        g->q, GW_SQ_PRIV,
			        "the grants of %s %s return to the defaults (no SQL resets "
			        "them: grant the owner's privileges explicitly)",
			        to->kind, to->name);
		return;
	}
	if (!from)
		gw_sql__emit(g->q, GW_SQ_PRIV, "REVOKE ALL ON %s %s FROM PUBLIC",
		             grant_kind(to->kind), to->name);
	if (oa && ga)
		gw_sql__emit(g->q, GW_SQ_PRIV, "REVOKE ALL ON %s %s FROM %s", grant_kind(to->kind),
		             to->name, oa + 6);
	if (ob && (!oa || strcmp(oa, ob) != 0))
		gw_sql__emit(g->q, GW_SQ_PRIV, "REVOKE ALL ON %s %s FROM %s", grant_kind(to->kind),
		             to->name, ob + 6);
	grants(g, to, ga ? ga + 7 : NULL, gb + 7);
}

/* Comments (and privileges) of an object: every one of `to` that differs
 * from `from` (NULL for a new object), and those of `from` that went. */
static void comments(gen *g, const gw_schema_object *from, const gw_schema_object *to)
{
	size_t i;

	for (i = 0; i < to->nmembers; i++) {
		const char *m = to->members[i];
		size_t k = gw_schema__member_key(m);
		if (is_comment(m) && !streq(gw_sql__member(from, m, k), m))
			comment_member(g, to, m, 0);
	}
	for (i = 0; from && i < from->nmembers; i++) {
		const char *m = from->members[i];
		size_t k = gw_schema__member_key(m);
		/* A column or constraint that went took its comment along. */
		if (!is_comment(m) || gw_sql__member(to, m, k))
			continue;
		if (starts(m, "column_comment ") || starts(m, "constraint_comment ") ||
		    starts(m, "index_comment ")) {
			gw_str key = GW_STR_INIT, name = GW_STR_INIT;
			member_name(&name, m);
			gw_str_printf(&key, "%s %s",
			              starts(m, "column_comment ")       ? "column"
			              : starts(m, "constraint_comment ") ? "constraint"
			                                                 : "index",
			              name.ptr);
			if (gw_sql__member(to, key.ptr, key.size))
				comment_member(g, to, m, 1);
			gw_str_dispose(&key);
			gw_str_dispose(&name);
			continue;
		}
		comment_member(g, to, m, 1);
	}
	privileges(g, from, to);
}

/* ---- schemas and extensions ----------------------------------------------- */

static void create_schema(gen *g, const gw_schema_object *o)
{
	if (strcmp(o->name, "public") == 0)
		gw_sql__emit(g->q, GW_SQ_SCHEMA, "CREATE SCHEMA IF NOT EXISTS public");
	else
		gw_sql__emit(g->q, GW_SQ_SCHEMA, "CREATE SCHEMA %s", o->name);
	comments(g, NULL, o);
}

static void create_extension(gen *g, const gw_schema_object *o)
{
	const char *s = gw_sql__member(o, "schema", 6), *v = gw_sql__member(o, "version", 7);

	gw_sql__emit(g->q, GW_SQ_TYPE, "CREATE EXTENSION IF NOT EXISTS %s%s%s%s%s%s", o->name,
	             s ? " SCHEMA " : "", s ? s + 7 : "", v ? " VERSION '" : "", v ? v + 8 : "",
	             v ? "'" : "");
}

static void alter_extension(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	const char *sa = gw_sql__member(a, "schema", 6), *sb = gw_sql__member(b, "schema", 6);
	const char *va = gw_sql__member(a, "version", 7), *vb = gw_sql__member(b, "version", 7);

	if (sb && !streq(sa, sb))
		gw_sql__emit(g->q, GW_SQ_TYPE, "ALTER EXTENSION %s SET SCHEMA %s", b->name, sb + 7);
	if (vb && !streq(va, vb))
		gw_sql__emit(g->q, GW_SQ_TYPE, "ALTER EXTENSION %s UPDATE TO '%s'", b->name,
		             vb + 8);
}

/* ---- types ------------------------------------------------------------------ */

/* The labels of "values 'a', 'b'" as pointers into a copy. */
static int enum_labels(gw_vec *out, char **buf, const gw_schema_object *o)
{
	const char *v = gw_sql__member(o, "values", 6);
	char *p;

	*buf = gw_strdup(v && v[6] ? v + 7 : "");
	if (!*buf)
		return GW_ENOMEM;
	for (p = *buf; *p;) {
		char *start = p;
		/* quote_literal: 'it''s', or E'a\\b' with a backslash. */
		if (*p == 'E')
			p++;
		if (*p == '\'')
			for (p++; *p; p++)
				if (*p == '\'') {
					if (p[1] != '\'')
						break;
					p++;
				}
		if (*p)
			p++;
		if (gw_vec_push(out, start) < 0)
			return GW_ENOMEM;
		if (*p == ',') {
			*p++ = '\0';
			while (*p == ' ')
				p++;
		}
	}
	return 0;
}

static long label_index(const gw_vec *v, const char *label)
{
	size_t i;

	for (i = 0; i < v->len; i++)
		if (strcmp(v->items[i], label) == 0)
			return (long)i;
	return -1;
}

static void alter_enum(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	gw_vec la = GW_VEC_INIT, lb = GW_VEC_INIT;
	char *ba = NULL, *bb = NULL;
	long last = -1, at;
	size_t i;

	if (enum_labels(&la, &ba, a) < 0 || enum_labels(&lb, &bb, b) < 0) {
		g->q->failed = 1;
		goto cleanup;
	}
	/* A's labels must come in B in the same order: the server can add a
	 * label anywhere but never remove or move one. */
	for (i = 0; i < la.len; i++) {
		at = label_index(&lb, la.items[i]);
		if (at < 0 || at < last) {
			gw_sql__unexpressed(g->q, GW_SQ_TYPE,
			                    "enum %s loses or reorders label %s; PostgreSQL cannot "
			                    "remove an enum label (recreate the type by hand)",
			                    b->name, (char *)la.items[i]);
			goto cleanup;
		}
		last = at;
	}
	for (i = 0; i < lb.len; i++) {
		if (label_index(&la, lb.items[i]) >= 0)
			continue;
		if (i == 0 && lb.len > 1)
			gw_sql__emit(g->q, GW_SQ_TYPE, "ALTER TYPE %s ADD VALUE %s BEFORE %s",
			             b->name, (char *)lb.items[i], (char *)lb.items[1]);
		else if (i == 0)
			gw_sql__emit(g->q, GW_SQ_TYPE, "ALTER TYPE %s ADD VALUE %s", b->name,
			             (char *)lb.items[i]);
		else
			gw_sql__emit(g->q, GW_SQ_TYPE, "ALTER TYPE %s ADD VALUE %s AFTER %s",
			             b->name, (char *)lb.items[i], (char *)lb.items[i - 1]);
		{
			char *copy = gw_strdup(lb.items[i]);
			if (!copy || gw_vec_push(&g->labels, copy) < 0) {
				free(copy);
				g->q->failed = 1;
			}
		}
	}
cleanup:
	gw_vec_dispose(&la, NULL);
	gw_vec_dispose(&lb, NULL);
	free(ba);
	free(bb);
}

/* "base TYPE[ collate C][ not null][ default D]" of a domain. */
static int domain_parse(col *c, const gw_schema_object *o)
{
	const char *m = gw_sql__member(o, "base", 4);
	char *p;

	memset(c, 0, sizeof(*c));
	if (!(c->buf = gw_strdup(m && m[4] ? m + 5 : "")))
		return GW_ENOMEM;
	p = c->buf;
	c->def = cut(p, " default ");
	if (cut_end(p, " not null"))
		c->notnull = 1;
	c->collate = cut(p, " collate ");
	c->type = p;
	return 0;
}

static int is_constraint(const char *m)
{
	return starts(m, "constraint ");
}

static int is_fk(const char *m)
{
	return starts(member_body(m), "FOREIGN KEY");
}

static void create_domain(gen *g, const gw_schema_object *o)
{
	gw_str s = GW_STR_INIT;
	gw_str name = GW_STR_INIT;
	col c;
	size_t i;

	if (domain_parse(&c, o) < 0) {
		g->q->failed = 1;
		return;
	}
	gw_str_printf(&s, "CREATE DOMAIN %s AS %s", o->name, c.type);
	if (c.collate)
		gw_str_printf(&s, " COLLATE %s", c.collate);
	if (c.def)
		gw_str_printf(&s, " DEFAULT %s", c.def);
	if (c.notnull)
		gw_str_puts(&s, " NOT NULL");
	for (i = 0; i < o->nmembers; i++)
		if (is_constraint(o->members[i])) {
			member_name(&name, o->members[i]);
			gw_str_printf(&s, " CONSTRAINT %s %s", name.ptr,
			              member_body(o->members[i]));
		}
	if (s.failed || name.failed)
		g->q->failed = 1;
	else
		gw_sql__emit(g->q, GW_SQ_TYPE, "%s", s.ptr);
	gw_str_dispose(&s);
	gw_str_dispose(&name);
	col_dispose(&c);
	comments(g, NULL, o);
}

static void alter_domain(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	gw_str name = GW_STR_INIT;
	col ca, cb;
	size_t i;

	if (domain_parse(&ca, a) < 0 || domain_parse(&cb, b) < 0) {
		g->q->failed = 1;
		return;
	}
	if (strcmp(ca.type, cb.type) != 0 || !streq(ca.collate, cb.collate)) {
		gw_sql__unexpressed(g->q, GW_SQ_TYPE,
		                    "domain %s changes its base type from %s to %s (create a new "
		                    "domain and move the columns by hand)",
		                    b->name, ca.type, cb.type);
		goto cleanup;
	}
	if (!streq(ca.def, cb.def)) {
		if (cb.def)
			gw_sql__emit(g->q, GW_SQ_TYPE, "ALTER DOMAIN %s SET DEFAULT %s", b->name,
			             cb.def);
		else
			gw_sql__emit(g->q, GW_SQ_TYPE, "ALTER DOMAIN %s DROP DEFAULT", b->name);
	}
	if (ca.notnull != cb.notnull)
		gw_sql__emit(g->q, GW_SQ_TYPE, "ALTER DOMAIN %s %s NOT NULL", b->name,
		             cb.notnull ? "SET" : "DROP");
	for (i = 0; i < a->nmembers; i++) {
		const char *m = a->members[i];
		if (is_constraint(m) && !streq(gw_sql__member(b, m, gw_schema__member_key(m)), m)) {
			member_name(&name, m);
			gw_sql__emit(g->q, GW_SQ_DROP_CONSTRAINT,
			             "ALTER DOMAIN %s DROP CONSTRAINT %s", a->name, name.ptr);
		}
	}
	for (i = 0; i < b->nmembers; i++) {
		const char *m = b->members[i];
		if (is_constraint(m) && !streq(gw_sql__member(a, m, gw_schema__member_key(m)), m)) {
			member_name(&name, m);
			if (g->o->plain || ends(m, " NOT VALID")) {
				gw_sql__emit(g->q, GW_SQ_CONSTRAINT,
				             "ALTER DOMAIN %s ADD CONSTRAINT %s %s", b->name,
				             name.ptr, member_body(m));
			} else {
				gw_sql__emit(g->q, GW_SQ_CONSTRAINT,
				             "ALTER DOMAIN %s ADD CONSTRAINT %s %s NOT VALID",
				             b->name, name.ptr, member_body(m));
				gw_sql__emit(g->q, GW_SQ_VALIDATE,
				             "ALTER DOMAIN %s VALIDATE CONSTRAINT %s", b->name,
				             name.ptr);
			}
		}
	}
cleanup:
	gw_str_dispose(&name);
	col_dispose(&ca);
	col_dispose(&cb);
}

static int is_column(const char *m)
{
	return starts(m, "column ") || starts(m, "attribute ");
}

static void create_type(gen *g, const gw_schema_object *o)
{
	gw_str s = GW_STR_INIT;
	size_t i;
	int n = 0;

	if (strcmp(o->kind, "enum") == 0) {
		const char *v = gw_sql__member(o, "values", 6);
		gw_sql__emit(g->q, GW_SQ_TYPE, "CREATE TYPE %s AS ENUM (%s)", o->name,
		             v && v[6] ? v + 7 : "");
	} else if (strcmp(o->kind, "range") == 0) {
		const char *v = gw_sql__member(o, "subtype", 7);
		gw_sql__emit(g->q, GW_SQ_TYPE, "CREATE TYPE %s AS RANGE (SUBTYPE = %s)", o->name,
		             v ? v + 8 : "");
	} else if (strcmp(o->kind, "domain") == 0) {
		create_domain(g, o);
		return;
	} else {
		gw_str_printf(&s, "CREATE TYPE %s AS (", o->name);
		for (i = 0; i < o->nmembers; i++) {
			col c;
			if (!is_column(o->members[i]))
				continue;
			if (col_parse(&c, o->members[i]) < 0) {
				g->q->failed = 1;
				break;
			}
			gw_str_puts(&s, n++ ? ", " : "");
			col_sql(&s, &c);
			col_dispose(&c);
		}
		gw_str_putc(&s, ')');
		if (s.failed)
			g->q->failed = 1;
		else
			gw_sql__emit(g->q, GW_SQ_TYPE, "%s", s.ptr);
		gw_str_dispose(&s);
	}
	comments(g, NULL, o);
}

/* ---- tables ------------------------------------------------------------------ */

static void column_order(gen *g, const gw_schema_object *a, const gw_schema_object *b,
                         const gw_vec *readded)
{
	gw_str got = GW_STR_INIT, want = GW_STR_INIT, name = GW_STR_INIT;
	size_t i;

	for (i = 0; i < a->nmembers; i++)
		if (is_column(a->members[i]) &&
		    gw_sql__member(b, a->members[i], gw_schema__member_key(a->members[i]))) {
			member_name(&name, a->members[i]);
			if (!has_word(readded, name.ptr))
				gw_str_printf(&got, "%s%s", got.size ? ", " : "", name.ptr);
		}
	for (i = 0; i < b->nmembers; i++)
		if (is_column(b->members[i])) {
			member_name(&name, b->members[i]);
			if (!gw_sql__member(a, b->members[i],
			                    gw_schema__member_key(b->members[i])) ||
			    has_word(readded, name.ptr))
				gw_str_printf(&got, "%s%s", got.size ? ", " : "", name.ptr);
			gw_str_printf(&want, "%s%s", want.size ? ", " : "", name.ptr);
		}
	if (got.failed || want.failed)
		g->q->failed = 1;
	else if (strcmp(got.ptr, want.ptr) != 0)
		gw_sql__warn(g->q, GW_SQ_COLUMN,
		             "%s %s gets its columns in the order %s, not %s: PostgreSQL adds a "
		             "column at the end (compare with --ignore-column-order)",
		             b->kind, b->name, got.ptr, want.ptr);
	gw_str_dispose(&got);
	gw_str_dispose(&want);
	gw_str_dispose(&name);
}

/* SET NOT NULL without a long lock: a CHECK added NOT VALID and validated
 * (which takes a lighter lock) lets SET NOT NULL skip its scan. The
 * validation runs outside the transaction that added the CHECK, which
 * would otherwise still hold ADD CONSTRAINT's lock while it scans. */
static void set_not_null(gen *g, const char *table, const char *column)
{
	if (g->o->plain) {
		gw_sql__emit(g->q, GW_SQ_COLUMN, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL",
		             table, column);
		return;
	}
	gw_sql__emit(
	        g->q, GW_SQ_COLUMN,
	        "ALTER TABLE %s ADD CONSTRAINT godwit_not_null CHECK (%s IS NOT NULL) NOT VALID",
	        table, column);
	gw_sql__emit(g->q, GW_SQ_VALIDATE, "ALTER TABLE %s VALIDATE CONSTRAINT godwit_not_null",
	             table);
	/* The CHECK validated above spares it the scan the rule is about. */
	gw_str_puts(&g->q->part[GW_SQ_VALIDATE],
	            "-- godwit:ignore setting-not-null-on-existing-column\n");
	gw_sql__emit(g->q, GW_SQ_VALIDATE, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", table,
	             column);
	gw_sql__emit(g->q, GW_SQ_VALIDATE, "ALTER TABLE %s DROP CONSTRAINT godwit_not_null", table);
}

/* 1 when a column of a table of s has the type `name`. */
static int type_in_use(const gw_schema *s, const char *name)
{
	gw_str w = GW_STR_INIT;
	size_t i, j;
	int hit = 0;

	rel_word(&w, name);
	for (i = 0; i < gw_schema_count(s) && !hit; i++) {
		const gw_schema_object *o = gw_schema_get(s, i);
		if (strcmp(o->kind, "table") != 0)
			continue;
		for (j = 0; j < o->nmembers && !hit; j++) {
			col c;
			if (!starts(o->members[j], "column ") || col_parse(&c, o->members[j]) < 0)
				continue;
			hit = strcmp(c.type, name) == 0 || strcmp(c.type, w.ptr) == 0;
			col_dispose(&c);
		}
	}
	gw_str_dispose(&w);
	return hit;
}

/* 1 for the constructor functions the server makes with a range type
 * (span(date, date), span_multirange(...)): they come and go with it. */
static int range_function(const gw_schema *s, const gw_schema_object *f)
{
	const char *paren = strchr(f->name, '(');
	size_t i, len = paren ? (size_t)(paren - f->name) : strlen(f->name);

	if (strcmp(f->kind, "function") != 0)
		return 0;
	for (i = 0; i < gw_schema_count(s); i++) {
		const gw_schema_object *r = gw_schema_get(s, i);
		size_t n = strlen(r->name);
		if (strcmp(r->kind, "range") != 0 || strncmp(f->name, r->name, n) != 0)
			continue;
		if (len == n || (len == n + 11 && strncmp(f->name + n, "_multirange", 11) == 0))
			return 1;
	}
	return 0;
}

static void alter_column(gen *g, const gw_schema_object *t, const col *ca, const col *cb)
{
	const char *tn = t->name, *cn = cb->name;
	int retype = strcmp(ca->type, cb->type) != 0 || !streq(ca->collate, cb->collate);
	int redefault = !streq(ca->def, cb->def);

	if (strcmp(t->kind, "type") == 0) {
		if (retype && type_in_use(g->a, t->name)) {
			gw_sql__unexpressed(
			        g->q, GW_SQ_TYPE,
			        "attribute %s of type %s changes its type, and a column uses "
			        "the type (PostgreSQL cannot alter it then)",
			        cn, tn);
			return;
		}
		if (retype)
			gw_sql__emit(g->q, GW_SQ_TYPE,
			             "ALTER TYPE %s ALTER ATTRIBUTE %s TYPE %s%s%s", tn, cn,
			             cb->type, cb->collate ? " COLLATE " : "",
			             cb->collate ? cb->collate : "");
		return;
	}
	if (ca->identity && (!cb->identity))
		gw_sql__emit(g->q, GW_SQ_COLUMN, "ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY", tn,
		             cn);
	if (ca->def && (redefault || retype))
		gw_sql__emit(g->q, GW_SQ_COLUMN, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", tn,
		             cn);
	if (retype) {
		if (!type_change_is_free(ca->type, cb->type))
			gw_sql__warn(g->q, GW_SQ_COLUMN,
			             "changing %s.%s from %s to %s rewrites table %s, holding an "
			             "ACCESS EXCLUSIVE lock while it runs",
			             tn, cn, ca->type, cb->type, tn);
		gw_sql__emit(g->q, GW_SQ_COLUMN,
		             "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s%s USING %s::%s", tn, cn,
		             cb->type, cb->collate ? " COLLATE " : "",
		             cb->collate ? cb->collate : "", cn, cb->type);
	}
	/* A default that calls a function made again waits for it. */
	if (cb->def && (redefault || retype)) {
		size_t k;
		int later = 0;
		for (k = 0; k < g->refunc.len; k++)
			later |= mentions(cb->def, g->refunc.items[k], strlen(g->refunc.items[k]));
		gw_sql__emit(g->q, later ? GW_SQ_CONSTRAINT : GW_SQ_COLUMN,
		             "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", tn, cn, cb->def);
	}
	if (!ca->notnull && cb->notnull)
		set_not_null(g, tn, cn);
	if (ca->notnull && !cb->notnull)
		gw_sql__emit(g->q, GW_SQ_COLUMN, "ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", tn,
		             cn);
	if (!ca->identity && cb->identity)
		gw_sql__emit(g->q, GW_SQ_COLUMN,
		             "ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY", tn, cn,
		             cb->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
	else if (ca->identity && cb->identity && ca->identity != cb->identity)
		gw_sql__emit(g->q, GW_SQ_COLUMN, "ALTER TABLE %s ALTER COLUMN %s SET GENERATED %s",
		             tn, cn, cb->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
}

/* 1 when a foreign key's definition references table (an object name). */
static int references(const char *def, const char *table)
{
	const char *r = strstr(def, " REFERENCES ");
	gw_str nsp = GW_STR_INIT, rel = GW_STR_INIT;
	size_t len;
	int hit = 0;

	if (!r)
		return 0;
	r += 12;
	len = strcspn(r, "(");
	split_name(table, &nsp, &rel);
	hit = (len == strlen(table) && strncmp(r, table, len) == 0) ||
	      (len == rel.size && strncmp(r, rel.ptr, len) == 0);
	gw_str_dispose(&nsp);
	gw_str_dispose(&rel);
	return hit;
}

/* "PRIMARY KEY (a, b)" or "UNIQUE (a)" alone: what a unique index built
 * concurrently can become (ADD CONSTRAINT ... USING INDEX). */
static int key_by_index(const char *def, const char **cols)
{
	const char *p;

	if (starts(def, "PRIMARY KEY ("))
		p = def + 12;
	else if (starts(def, "UNIQUE ("))
		p = def + 7;
	else
		return 0;
	*cols = p;
	return p[strcspn(p, ")") + 1] == '\0';
}

static void add_constraint(gen *g, const gw_schema_object *t, const char *m, int existing)
{
	gw_str name = GW_STR_INIT, nsp = GW_STR_INIT;
	const char *def = member_body(m), *cols;
	int fk = is_fk(m);
	int part = fk ? GW_SQ_FK : GW_SQ_CONSTRAINT;
	size_t i;

	member_name(&name, m);
	if (fk && existing && !g->o->plain)
		for (i = 0; i < g->uniq_tail.len; i++)
			if (references(def, g->uniq_tail.items[i]))
				part = GW_SQ_TAIL_FK;
	if (!existing || g->o->plain || ends(def, " NOT VALID")) {
		gw_sql__emit(g->q, part, "ALTER TABLE %s ADD CONSTRAINT %s %s", t->name, name.ptr,
		             def);
	} else if (fk || starts(def, "CHECK ")) {
		gw_sql__emit(g->q, part, "ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID", t->name,
		             name.ptr, def);
		gw_sql__emit(g->q, part == GW_SQ_TAIL_FK ? part : GW_SQ_VALIDATE,
		             "ALTER TABLE %s VALIDATE CONSTRAINT %s", t->name, name.ptr);
	} else if (key_by_index(def, &cols) && strcmp(t->kind, "table") == 0 &&
	           !head_member(t, "partition by ")) {
		object_schema(&nsp, t->name);
		gw_sql__emit(g->q, GW_SQ_TAIL,
		             "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS %s ON %s %s", name.ptr,
		             t->name, cols);
		gw_sql__emit(g->q, GW_SQ_TAIL, "ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s",
		             t->name, name.ptr, starts(def, "PRIMARY") ? "PRIMARY KEY" : "UNIQUE",
		             name.ptr);
	} else {
		gw_sql__emit(g->q, part, "ALTER TABLE %s ADD CONSTRAINT %s %s", t->name, name.ptr,
		             def);
	}
	if (name.failed)
		g->q->failed = 1;
	gw_str_dispose(&name);
	gw_str_dispose(&nsp);
}

static void drop_constraint(gen *g, const gw_schema_object *t, const char *m)
{
	gw_str name = GW_STR_INIT;

	member_name(&name, m);
	gw_sql__emit(g->q, is_fk(m) ? GW_SQ_DROP_FK : GW_SQ_DROP_CONSTRAINT,
	             "ALTER TABLE %s DROP CONSTRAINT %s", t->name, name.ptr);
	gw_str_dispose(&name);
}

/* An index definition without the " invalid" mark. */
static void index_def(gw_str *out, const char *m, int concurrently)
{
	const char *def = member_body(m);
	size_t len = strlen(def);
	const char *idx;

	if (ends(def, " invalid"))
		len -= 8;
	gw_str_clear(out);
	/* A partitioned table's index is "ON ONLY t"; created so, it would
	 * stay invalid: without ONLY it is made on every partition too. */
	if ((idx = strstr(def, " ON ONLY ")) && idx < def + len) {
		gw_str_put(out, def, (size_t)(idx - def) + 4);
		gw_str_put(out, idx + 9, len - (size_t)(idx - def) - 9);
		return;
	}
	if (concurrently && (idx = strstr(def, "INDEX ")) && idx < def + len) {
		gw_str_put(out, def, (size_t)(idx - def) + 6);
		gw_str_puts(out, "CONCURRENTLY IF NOT EXISTS ");
		gw_str_put(out, idx + 6, len - (size_t)(idx - def) - 6);
	} else {
		gw_str_put(out, def, len);
	}
}

static void add_index(gen *g, const gw_schema_object *t, const char *m, int part, int existing)
{
	gw_str s = GW_STR_INIT;
	int concurrently = existing && !g->o->plain && !head_member(t, "partition by ");

	index_def(&s, m, concurrently);
	gw_sql__emit(g->q, concurrently ? GW_SQ_TAIL : part, "%s", s.ptr);
	if (concurrently) {
		gw_str name = GW_STR_INIT;
		member_name(&name, m);
		if (name.failed || gw_vec_push(&g->tail_idx, name.ptr) < 0) {
			gw_str_dispose(&name);
			g->q->failed = 1;
		}
	}
	if (s.failed)
		g->q->failed = 1;
	gw_str_dispose(&s);
}

static void drop_index(gen *g, const gw_schema_object *t, const char *m)
{
	gw_str name = GW_STR_INIT, nsp = GW_STR_INIT;
	int concurrently = !g->o->plain && !head_member(t, "partition by ");

	member_name(&name, m);
	object_schema(&nsp, t->name);
	gw_sql__emit(g->q, concurrently ? GW_SQ_TAIL : GW_SQ_DROP_CONSTRAINT,
	             "DROP INDEX %sIF EXISTS %s%s%s", concurrently ? "CONCURRENTLY " : "", nsp.ptr,
	             nsp.size ? "." : "", name.ptr);
	gw_str_dispose(&name);
	gw_str_dispose(&nsp);
}

/* A trigger's definition and its state (" disabled", " enabled replica",
 * " enabled always") after it. */
static void add_trigger(gen *g, const gw_schema_object *t, const char *m, int part)
{
	gw_str def = GW_STR_INIT, name = GW_STR_INIT;
	static const struct {
		const char *suffix, *sql;
	} states[] = {{" disabled", "DISABLE"},
	              {" enabled replica", "ENABLE REPLICA"},
	              {" enabled always", "ENABLE ALWAYS"}};
	const char *body = member_body(m), *state = NULL;
	size_t i, len = strlen(body);

	for (i = 0; i < 3; i++)
		if (ends(body, states[i].suffix)) {
			len -= strlen(states[i].suffix);
			state = states[i].sql;
		}
	gw_str_put(&def, body, len);
	member_name(&name, m);
	gw_sql__emit(g->q, part, "%s", def.ptr);
	if (state)
		gw_sql__emit(g->q, part, "ALTER %s %s %s TRIGGER %s", sql_kind(t->kind), t->name,
		             state, name.ptr);
	gw_str_dispose(&def);
	gw_str_dispose(&name);
}

/* "policy NAME as permissive for all to public using (X)": the words
 * after the name are CREATE POLICY's own. */
static void add_policy(gen *g, const gw_schema_object *t, const char *m, int part)
{
	gw_str name = GW_STR_INIT;

	member_name(&name, m);
	gw_sql__emit(g->q, part, "CREATE POLICY %s ON %s %s", name.ptr, t->name, member_body(m));
	gw_str_dispose(&name);
}

static void row_security(gen *g, const gw_schema_object *t, const char *from, const char *to)
{
	int ea = from != NULL, eb = to != NULL;
	int fa = from && ends(from, "forced"), fb = to && ends(to, "forced");

	if (ea != eb)
		gw_sql__emit(g->q, GW_SQ_TRIGGER, "ALTER TABLE %s %s ROW LEVEL SECURITY", t->name,
		             eb ? "ENABLE" : "DISABLE");
	if (fa != fb)
		gw_sql__emit(g->q, GW_SQ_TRIGGER, "ALTER TABLE %s %s ROW LEVEL SECURITY", t->name,
		             fb ? "FORCE" : "NO FORCE");
}

/* A member of a partition that its parent gives it: columns, and the
 * constraints and indexes the parent's make on each partition. */
static int inherited(const gw_schema *side, const gw_schema_object *t, const char *m)
{
	const char *po = head_member(t, "partition of ");
	const gw_schema_object *parent;
	gw_str pname = GW_STR_INIT;
	size_t i;
	int hit = 0;

	if (!po)
		return 0;
	if (is_column(m))
		return 1;
	po += 13;
	gw_str_put(&pname, po, (size_t)(ident_end(ident_end(po) + 1) - po));
	parent = gw_sql__find(side, "table", pname.ptr);
	gw_str_dispose(&pname);
	if (!parent)
		return 0;
	if (is_constraint(m)) {
		/* CHECK and FOREIGN KEY keep their name; keys are named after
		 * the partition, so the definition tells. */
		for (i = 0; i < parent->nmembers && !hit; i++)
			if (is_constraint(parent->members[i]))
				hit = strcmp(parent->members[i], m) == 0 ||
				      ((starts(member_body(m), "PRIMARY KEY") ||
				        starts(member_body(m), "UNIQUE")) &&
				       strcmp(member_body(parent->members[i]), member_body(m)) ==
				               0);
		return hit;
	}
	if (starts(m, "index ")) {
		/* The partition's copy says USING and the columns as the
		 * parent's does. */
		const char *using = strstr(m, " USING ");
		for (i = 0; using && i < parent->nmembers && !hit; i++) {
			const char *pu = strstr(parent->members[i], " USING ");
			hit = starts(parent->members[i], "index ") && pu &&
			      strcmp(pu, using) == 0 &&
			      (strstr(parent->members[i], "UNIQUE INDEX") != NULL) ==
			              (strstr(m, "UNIQUE INDEX") != NULL);
		}
		return hit;
	}
	return 0;
}

static void create_table(gen *g, const gw_schema_object *t)
{
	gw_str s = GW_STR_INIT;
	const char *po = head_member(t, "partition of ");
	const char *pb = head_member(t, "partition by ");
	size_t i;
	int n = 0;

	gw_str_printf(&s, "CREATE %sTABLE %s", gw_sql__member(t, "unlogged", 8) ? "UNLOGGED " : "",
	              t->name);
	if (po) {
		gw_str_printf(&s, " PARTITION OF %s", po + 13);
	} else {
		gw_str_puts(&s, " (");
		for (i = 0; i < t->nmembers; i++) {
			col c;
			if (!is_column(t->members[i]))
				continue;
			if (col_parse(&c, t->members[i]) < 0) {
				g->q->failed = 1;
				break;
			}
			gw_str_puts(&s, n++ ? ",\n    " : "\n    ");
			col_sql(&s, &c);
			col_dispose(&c);
		}
		gw_str_puts(&s, n ? "\n)" : ")");
	}
	if (pb)
		gw_str_printf(&s, " PARTITION BY %s", pb + 13);
	if (s.failed)
		g->q->failed = 1;
	else
		gw_sql__emit(g->q, GW_SQ_TABLE, "%s", s.ptr);
	gw_str_dispose(&s);
	/* A partition's own columns (NOT NULL, defaults) beyond its parent's. */
	for (i = 0; i < t->nmembers; i++) {
		const char *m = t->members[i];
		if (inherited(g->b, t, m) && !is_column(m))
			continue;
		if (is_constraint(m))
			add_constraint(g, t, m, 0);
		else if (starts(m, "index "))
			add_index(g, t, m, GW_SQ_CONSTRAINT, 0);
		else if (starts(m, "trigger "))
			add_trigger(g, t, m, GW_SQ_TRIGGER);
		else if (starts(m, "policy "))
			add_policy(g, t, m, GW_SQ_TRIGGER);
	}
	row_security(g, t, NULL, gw_sql__member(t, "row_security", 12));
	comments(g, NULL, t);
}

/* The generated columns of b to drop and add again (names into out). */
static int regenerated(gen *g, const gw_schema_object *a, const gw_schema_object *b, gw_vec *out)
{
	gw_vec retyped = GW_VEC_INIT;
	size_t i;
	int error = 0;

	(void)g;
	for (i = 0; i < b->nmembers && error == 0; i++) {
		const char *m = b->members[i], *ma = gw_sql__member(a, m, gw_schema__member_key(m));
		col ca, cb;
		if (!starts(m, "column ") || !ma || strcmp(ma, m) == 0)
			continue;
		if ((error = col_parse(&ca, ma)) < 0 || (error = col_parse(&cb, m)) < 0) {
			col_dispose(&ca);
			break;
		}
		if (strcmp(ca.type, cb.type) != 0 || !streq(ca.collate, cb.collate)) {
			char *copy = gw_strdup(cb.name);
			if (!copy || gw_vec_push(&retyped, copy) < 0) {
				free(copy);
				error = GW_ENOMEM;
			}
		}
		if (!streq(ca.gen, cb.gen) && cb.gen && ca.gen) {
			char *copy = gw_strdup(cb.name);
			if (!copy || gw_vec_push(out, copy) < 0) {
				free(copy);
				error = GW_ENOMEM;
			}
		}
		col_dispose(&ca);
		col_dispose(&cb);
	}
	for (i = 0; i < b->nmembers && error == 0; i++) {
		const char *m = b->members[i], *ma = gw_sql__member(a, m, gw_schema__member_key(m));
		col ca;
		size_t k;
		if (!starts(m, "column ") || !ma || !strstr(ma, " generated always as ("))
			continue;
		if ((error = col_parse(&ca, ma)) < 0)
			break;
		for (k = 0; k < retyped.len; k++)
			if (!has_word(out, ca.name) &&
			    mentions(ca.gen, retyped.items[k], strlen(retyped.items[k]))) {
				char *copy = gw_strdup(ca.name);
				if (!copy || gw_vec_push(out, copy) < 0) {
					free(copy);
					error = GW_ENOMEM;
				}
			}
		col_dispose(&ca);
	}
	gw_vec_dispose(&retyped, free);
	return error;
}

static void alter_table(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	gw_vec readded = GW_VEC_INIT;
	gw_str s = GW_STR_INIT, name = GW_STR_INIT;
	const char *ha, *hb;
	size_t i, j;

	ha = head_member(a, "partition of ");
	hb = head_member(b, "partition of ");
	if (!streq(ha, hb) ||
	    !streq(head_member(a, "partition by "), head_member(b, "partition by ")))
		gw_sql__unexpressed(
		        g->q, GW_SQ_COLUMN,
		        "table %s changes how it is partitioned (move its rows to a new "
		        "table by hand)",
		        b->name);
	if (!gw_sql__member(a, "unlogged", 8) != !gw_sql__member(b, "unlogged", 8))
		gw_sql__emit(g->q, GW_SQ_COLUMN, "ALTER TABLE %s SET %s", b->name,
		             gw_sql__member(b, "unlogged", 8) ? "UNLOGGED" : "LOGGED");
	/* Generated columns whose expression changes, or that use a column
	 * whose type changes, are dropped and added again: an expression
	 * cannot be altered, and it is computed, so only its place is lost. */
	if (!ha && regenerated(g, a, b, &readded) < 0)
		g->q->failed = 1;
	/* Columns: dropped (generated ones first: they use the others),
	 * changed, added. A partition's columns are its parent's. */
	for (j = 0; j < 2 && !ha; j++)
		for (i = 0; i < a->nmembers; i++) {
			const char *m = a->members[i];
			int gone = starts(m, "column ") &&
			           !gw_sql__member(b, m, gw_schema__member_key(m));
			member_name(&name, m);
			if (j == 0 && starts(m, "column ") && has_word(&readded, name.ptr))
				gone = 1;
			if (gone && (strstr(m, " generated always as (") != NULL) == (j == 0))
				gw_sql__emit(g->q, GW_SQ_COLUMN, "ALTER TABLE %s DROP COLUMN %s",
				             b->name, name.ptr);
		}
	for (j = 0; j < 2; j++)
		for (i = 0; i < b->nmembers; i++) {
			const char *m = b->members[i], *ma;
			col ca, cb;
			if (!starts(m, "column "))
				continue;
			member_name(&name, m);
			ma = gw_sql__member(a, m, gw_schema__member_key(m));
			if (has_word(&readded, name.ptr))
				ma = NULL;
			if (ma && strcmp(ma, m) == 0)
				continue;
			/* Changes first, then the columns added, in B's order. */
			if ((j == 0) != (ma != NULL))
				continue;
			if (col_parse(&cb, m) < 0) {
				g->q->failed = 1;
				break;
			}
			if (!ma) {
				if (!ha) {
					gw_str_clear(&s);
					col_sql(&s, &cb);
					gw_sql__emit(g->q, GW_SQ_COLUMN,
					             "ALTER TABLE %s ADD COLUMN %s", b->name,
					             s.ptr);
				}
			} else if (col_parse(&ca, ma) == 0) {
				/* A partition follows its parent's type changes. */
				if (ha)
					ca.type = cb.type, ca.collate = cb.collate;
				alter_column(g, b, &ca, &cb);
				col_dispose(&ca);
			} else {
				g->q->failed = 1;
			}
			col_dispose(&cb);
		}
	if (!ha)
		column_order(g, a, b, &readded);
	/* Constraints, indexes, triggers, policies. */
	for (i = 0; i < a->nmembers; i++) {
		const char *m = a->members[i];
		const char *mb = gw_sql__member(b, m, gw_schema__member_key(m));
		int changed = !mb || strcmp(mb, m) != 0;
		if (is_constraint(m)) {
			if (ha && inherited(g->a, a, m))
				continue;
			if (!changed && is_fk(m))
				for (j = 0; j < g->rekeyed.len && !changed; j++)
					changed = references(member_body(m), g->rekeyed.items[j]);
			/* Only VALIDATE is missing. */
			if (changed && mb && ends(m, " NOT VALID") &&
			    strlen(mb) + 10 == strlen(m) && strncmp(m, mb, strlen(mb)) == 0) {
				member_name(&name, m);
				gw_sql__emit(g->q, is_fk(m) ? GW_SQ_FK : GW_SQ_CONSTRAINT,
				             "ALTER TABLE %s VALIDATE CONSTRAINT %s", b->name,
				             name.ptr);
				continue;
			}
			if (changed) {
				drop_constraint(g, a, m);
				if (mb)
					add_constraint(g, b, mb, 1);
			}
		} else if (starts(m, "index ")) {
			if (ha && inherited(g->a, a, m))
				continue;
			if (changed)
				drop_index(g, a, m);
			if (changed && mb)
				add_index(g, b, mb, GW_SQ_CONSTRAINT, 1);
		} else if (starts(m, "trigger ")) {
			if (changed) {
				member_name(&name, m);
				gw_sql__emit(g->q, GW_SQ_DROP_TRIGGER, "DROP TRIGGER %s ON %s",
				             name.ptr, a->name);
				if (mb)
					add_trigger(g, b, mb, GW_SQ_TRIGGER);
			}
		} else if (starts(m, "policy ")) {
			if (changed) {
				member_name(&name, m);
				gw_sql__emit(g->q, GW_SQ_DROP_TRIGGER, "DROP POLICY %s ON %s",
				             name.ptr, a->name);
				if (mb)
					add_policy(g, b, mb, GW_SQ_TRIGGER);
			}
		}
	}
	for (i = 0; i < b->nmembers; i++) {
		const char *m = b->members[i];
		if (gw_sql__member(a, m, gw_schema__member_key(m)))
			continue;
		if (ha && inherited(g->b, b, m))
			continue;
		if (is_constraint(m))
			add_constraint(g, b, m, 1);
		else if (starts(m, "index "))
			add_index(g, b, m, GW_SQ_CONSTRAINT, 1);
		else if (starts(m, "trigger "))
			add_trigger(g, b, m, GW_SQ_TRIGGER);
		else if (starts(m, "policy "))
			add_policy(g, b, m, GW_SQ_TRIGGER);
	}
	row_security(g, b, gw_sql__member(a, "row_security", 12),
	             gw_sql__member(b, "row_security", 12));
	comments(g, a, b);
	gw_vec_dispose(&readded, free);
	gw_str_dispose(&s);
	gw_str_dispose(&name);
}

/* Tables whose primary or unique keys change: foreign keys that point at
 * them are dropped first and added again. */
static void find_rekeyed(gen *g)
{
	size_t i, j;

	for (i = 0; i < gw_schema_count(g->a); i++) {
		const gw_schema_object *a = gw_schema_get(g->a, i), *b;
		int hit = 0;
		if (strcmp(a->kind, "table") != 0 || !(b = gw_sql__find(g->b, "table", a->name)))
			continue;
		for (j = 0; j < a->nmembers && !hit; j++) {
			const char *m = a->members[j], *body = member_body(m);
			if (is_constraint(m) &&
			    (starts(body, "PRIMARY KEY") || starts(body, "UNIQUE")))
				hit = !streq(gw_sql__member(b, m, gw_schema__member_key(m)), m);
		}
		for (j = 0; j < b->nmembers && !g->o->plain; j++) {
			const char *m = b->members[j], *body = member_body(m), *cols;
			if (is_constraint(m) && key_by_index(body, &cols) &&
			    !streq(gw_sql__member(a, m, gw_schema__member_key(m)), m)) {
				char *copy = gw_strdup(b->name);
				if (!copy || gw_vec_push(&g->uniq_tail, copy) < 0) {
					free(copy);
					g->q->failed = 1;
				}
				break;
			}
		}
		if (hit) {
			char *copy = gw_strdup(a->name);
			if (!copy || gw_vec_push(&g->rekeyed, copy) < 0) {
				free(copy);
				g->q->failed = 1;
			}
		}
	}
}

/* ---- sequences ----------------------------------------------------------------- */

static void create_sequence(gen *g, const gw_schema_object *o)
{
	const char *opt = gw_sql__member(o, "options", 7);
	const char *own = gw_sql__member(o, "owned_by", 8);

	gw_sql__emit(g->q, GW_SQ_SEQUENCE, "CREATE SEQUENCE %s%s%s", o->name, opt ? " " : "",
	             opt ? opt + 8 : "");
	if (own)
		gw_sql__emit(g->q, GW_SQ_OWNED, "ALTER SEQUENCE %s OWNED BY %s", o->name, own + 9);
	comments(g, NULL, o);
}

static void alter_sequence(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	const char *oa = gw_sql__member(a, "options", 7), *ob = gw_sql__member(b, "options", 7);
	const char *wa = gw_sql__member(a, "owned_by", 8), *wb = gw_sql__member(b, "owned_by", 8);

	if (ob && !streq(oa, ob))
		gw_sql__emit(g->q, GW_SQ_SEQUENCE, "ALTER SEQUENCE %s %s%s", b->name, ob + 8,
		             ends(ob, " cycle") ? "" : " no cycle");
	/* Released first: dropping the column that owned it would drop it. */
	if (!streq(wa, wb) && wa)
		gw_sql__emit(g->q, GW_SQ_DROP_FK, "ALTER SEQUENCE %s OWNED BY NONE", b->name);
	if (!streq(wa, wb) && wb)
		gw_sql__emit(g->q, GW_SQ_OWNED, "ALTER SEQUENCE %s OWNED BY %s", b->name, wb + 9);
	comments(g, a, b);
}

/* ---- functions ----------------------------------------------------------------- */

/* The "RETURNS ..." line of a definition (its length in *len). */
static const char *returns_line(const char *def, size_t *len)
{
	const char *r = strstr(def, "\n RETURNS ");

	if (!r) {
		*len = 0;
		return "";
	}
	*len = strcspn(r + 1, "\n");
	return r + 1;
}

/* An aggregate's CREATE AGGREGATE from its definition lines. */
static void create_aggregate(gen *g, const gw_schema_object *o, int part)
{
	gw_str s = GW_STR_INIT, args = GW_STR_INIT;
	const char *d = definition(o), *line, *eol;
	const char *paren = strchr(o->name, '(');
	int n = 0;

	gw_str_put(&args, o->name, paren ? (size_t)(paren - o->name) : strlen(o->name));
	gw_str_printf(&s, "CREATE AGGREGATE %s (", o->name);
	for (line = d; *line; line = *eol ? eol + 1 : eol) {
		size_t len;
		const char *sp;
		eol = line + strcspn(line, "\n");
		len = (size_t)(eol - line);
		sp = memchr(line, ' ', len);
		if (starts(line, "returns ") || starts(line, "kind "))
			continue;
		gw_str_puts(&s, n++ ? ", " : "");
		if (starts(line, "finalfunc_extra")) {
			gw_str_puts(&s, "FINALFUNC_EXTRA");
		} else if (starts(line, "msfunc ")) {
			/* "msfunc F minvfunc G mstype T" */
			const char *mi = strstr(line, " minvfunc "), *mt = strstr(line, " mstype ");
			if (mi && mt && mt < eol)
				gw_str_printf(&s, "MSFUNC = %.*s, MINVFUNC = %.*s, MSTYPE = %.*s",
				              (int)(mi - line - 7), line + 7, (int)(mt - mi - 10),
				              mi + 10, (int)(eol - mt - 8), mt + 8);
		} else if (starts(line, "sortop ")) {
			/* regoperator: "<(integer,integer)" */
			size_t op = strcspn(line + 7, "(");
			gw_str_printf(&s, "SORTOP = OPERATOR(pg_catalog.%.*s)", (int)op, line + 7);
		} else if (sp) {
			size_t k;
			for (k = 0; k < (size_t)(sp - line); k++)
				gw_str_putc(&s,
				            (char)(line[k] >= 'a' && line[k] <= 'z' ? line[k] - 32
				                                                    : line[k]));
			gw_str_printf(&s, " = %.*s", (int)(eol - sp - 1), sp + 1);
		}
	}
	gw_str_putc(&s, ')');
	if (strstr(d, "\nkind "))
		gw_sql__unexpressed(g->q, GW_SQ_FUNCTION,
		                    "aggregate %s is an ordered-set or hypothetical aggregate",
		                    o->name);
	else if (s.failed)
		g->q->failed = 1;
	else
		gw_sql__emit(g->q, part, "%s", s.ptr);
	gw_str_dispose(&s);
	gw_str_dispose(&args);
	comments(g, NULL, o);
}

static void create_function(gen *g, const gw_schema_object *o)
{
	if (strcmp(o->kind, "aggregate") == 0) {
		create_aggregate(g, o, GW_SQ_FUNCTION);
		return;
	}
	gw_sql__emit(g->q, GW_SQ_FUNCTION, "%s", definition(o));
	comments(g, NULL, o);
}

static void alter_function(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	const char *da = definition(a), *db = definition(b);
	size_t la, lb;
	const char *ra = returns_line(da, &la), *rb = returns_line(db, &lb);

	if (strcmp(da, db) != 0) {
		if (strcmp(b->kind, "aggregate") == 0 || la != lb || strncmp(ra, rb, la) != 0) {
			/* After the columns whose defaults used it changed, before
			 * the constraints and views that use the new one. */
			add_word(g, &g->affected, b->name);
			add_word(g, &g->refunc, b->name);
			gw_sql__emit(g->q, GW_SQ_REFUNCTION, "DROP %s %s", sql_kind(a->kind),
			             a->name);
			if (strcmp(b->kind, "aggregate") == 0)
				create_aggregate(g, b, GW_SQ_REFUNCTION);
			else
				gw_sql__emit(g->q, GW_SQ_REFUNCTION, "%s", db);
			privileges(g, NULL, b);
			return;
		}
		gw_sql__emit(g->q, GW_SQ_FUNCTION, "%s", db);
	}
	comments(g, a, b);
}

/* ---- views --------------------------------------------------------------------- */

static int is_view(const gw_schema_object *o)
{
	return strcmp(o->kind, "view") == 0 || strcmp(o->kind, "matview") == 0;
}

/* 1 when the view uses (by name) a relation or function in words. */
static int uses_any(const gw_schema_object *v, const gw_vec *words)
{
	const char *d = definition(v);
	size_t i;

	for (i = 0; i < words->len; i++)
		if (mentions(d, words->items[i], strlen(words->items[i])))
			return 1;
	return 0;
}

static int uses(const gw_schema_object *v, const gw_schema_object *other)
{
	gw_str w = GW_STR_INIT;
	int hit;

	rel_word(&w, other->name);
	hit = mentions(definition(v), w.ptr, w.size);
	gw_str_dispose(&w);
	return hit;
}

/* The views of list in an order where each comes after those it uses. */
static int view_order(gw_vec *list)
{
	gw_vec out = GW_VEC_INIT;
	size_t i, j;
	char *done = calloc(list->len + 1, 1);

	if (!done)
		return GW_ENOMEM;
	while (out.len < list->len) {
		size_t before = out.len;
		for (i = 0; i < list->len; i++) {
			int ready = !done[i];
			for (j = 0; j < list->len && ready; j++)
				if (j != i && !done[j] && uses(list->items[i], list->items[j]))
					ready = 0;
			if (ready) {
				done[i] = 1;
				if (gw_vec_push(&out, list->items[i]) < 0)
					goto oom;
			}
		}
		/* A cycle of names (a word that is not a use): keep the rest. */
		if (out.len == before)
			for (i = 0; i < list->len; i++)
				if (!done[i]) {
					done[i] = 1;
					if (gw_vec_push(&out, list->items[i]) < 0)
						goto oom;
				}
	}
	free(list->items);
	*list = out;
	free(done);
	return 0;
oom:
	free(done);
	gw_vec_dispose(&out, NULL);
	return GW_ENOMEM;
}

/* Everything about a view but its comments, indexes, triggers and
 * privileges: when it differs, the view is dropped and created again. */
static int view_shape_differs(const gw_schema_object *a, const gw_schema_object *b)
{
	size_t i;

	for (i = 0; i < a->nmembers; i++)
		if ((is_column(a->members[i]) || starts(a->members[i], "definition")) &&
		    !streq(gw_sql__member(b, a->members[i], gw_schema__member_key(a->members[i])),
		           a->members[i]))
			return 1;
	for (i = 0; i < b->nmembers; i++)
		if (is_column(b->members[i]) &&
		    !gw_sql__member(a, b->members[i], gw_schema__member_key(b->members[i])))
			return 1;
	for (i = 0; i < a->nmembers && i < b->nmembers; i++)
		if (is_column(a->members[i]) != is_column(b->members[i]))
			return 1;
	return 0;
}

static void create_view(gen *g, const gw_schema_object *v)
{
	const char *d = definition(v);
	size_t len = strlen(d), i;

	while (len && (d[len - 1] == ';' || d[len - 1] == ' ' || d[len - 1] == '\n'))
		len--;
	gw_sql__emit(g->q, GW_SQ_VIEW, "CREATE %s %s AS\n%.*s", sql_kind(v->kind), v->name,
	             (int)len, d);
	for (i = 0; i < v->nmembers; i++) {
		const char *m = v->members[i];
		if (starts(m, "index "))
			add_index(g, v, m, GW_SQ_VIEW, 0);
		else if (starts(m, "trigger "))
			add_trigger(g, v, m, GW_SQ_VIEW);
	}
	comments(g, NULL, v);
}

static void views(gen *g)
{
	gw_vec drop = GW_VEC_INIT, create = GW_VEC_INIT;
	size_t i, n;
	int grew = 1;

	/* Views that go, change shape, or use something that changes. */
	for (i = 0; i < gw_schema_count(g->a); i++) {
		const gw_schema_object *a = gw_schema_get(g->a, i), *b;
		if (!is_view(a))
			continue;
		b = gw_sql__find(g->b, a->kind, a->name);
		if (!b || view_shape_differs(a, b) || uses_any(a, &g->affected)) {
			add_word(g, &g->affected, a->name);
			if (push_const(&drop, a) < 0)
				g->q->failed = 1;
		}
	}
	/* Views that use a view dropped above go too, until none is added. */
	while (grew) {
		grew = 0;
		for (i = 0; i < gw_schema_count(g->a); i++) {
			const gw_schema_object *a = gw_schema_get(g->a, i);
			size_t k;
			int listed = 0;
			if (!is_view(a))
				continue;
			for (k = 0; k < drop.len; k++)
				listed |= drop.items[k] == a;
			if (!listed && uses_any(a, &g->affected)) {
				add_word(g, &g->affected, a->name);
				if (push_const(&drop, a) < 0)
					g->q->failed = 1;
				grew = 1;
			}
		}
	}
	for (i = 0; i < gw_schema_count(g->b); i++) {
		const gw_schema_object *b = gw_schema_get(g->b, i), *a;
		size_t k;
		int dropped = 0;
		if (!is_view(b))
			continue;
		a = gw_sql__find(g->a, b->kind, b->name);
		for (k = 0; a && k < drop.len; k++)
			dropped |= drop.items[k] == a;
		if (!a || dropped) {
			if (push_const(&create, b) < 0)
				g->q->failed = 1;
		} else {
			/* Kept: its indexes, triggers and comments. */
			for (k = 0; k < a->nmembers; k++) {
				const char *m = a->members[k];
				const char *mb = gw_sql__member(b, m, gw_schema__member_key(m));
				gw_str name = GW_STR_INIT;
				if (!starts(m, "index ") && !starts(m, "trigger "))
					continue;
				if (mb && strcmp(mb, m) == 0)
					continue;
				if (starts(m, "index ")) {
					drop_index(g, a, m);
					if (mb)
						add_index(g, b, mb, GW_SQ_VIEW, 1);
				} else {
					member_name(&name, m);
					gw_sql__emit(g->q, GW_SQ_DROP_TRIGGER,
					             "DROP TRIGGER %s ON %s", name.ptr, a->name);
					if (mb)
						add_trigger(g, b, mb, GW_SQ_TRIGGER);
				}
				gw_str_dispose(&name);
			}
			for (k = 0; k < b->nmembers; k++) {
				const char *m = b->members[k];
				if (gw_sql__member(a, m, gw_schema__member_key(m)))
					continue;
				if (starts(m, "index "))
					add_index(g, b, m, GW_SQ_VIEW, 1);
				else if (starts(m, "trigger "))
					add_trigger(g, b, m, GW_SQ_TRIGGER);
			}
			comments(g, a, b);
		}
	}
	if (view_order(&drop) < 0 || view_order(&create) < 0) {
		g->q->failed = 1;
		goto cleanup;
	}
	for (n = drop.len; n > 0; n--) {
		const gw_schema_object *a = drop.items[n - 1];
		gw_sql__emit(g->q, GW_SQ_DROP_VIEW, "DROP %s %s", sql_kind(a->kind), a->name);
	}
	for (i = 0; i < create.len; i++)
		create_view(g, create.items[i]);
cleanup:
	gw_vec_dispose(&drop, NULL);
	gw_vec_dispose(&create, NULL);
}

/* ---- renames ------------------------------------------------------------------ */

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

/* text with every whole-word `from` replaced by `to`. */
static void replace_word(gw_str *out, const char *text, size_t len, const char *from,
                         const char *to)
{
	size_t n = strlen(from), i = 0;

	while (i < len) {
		if (i + n <= len && strncmp(text + i, from, n) == 0 &&
		    (i == 0 || !(gw_is_name_char(text[i - 1]) || text[i - 1] == '$')) &&
		    (i + n == len || !(gw_is_name_char(text[i + n]) || text[i + n] == '$'))) {
			gw_str_puts(out, to);
			i += n;
		} else {
			gw_str_putc(out, text[i++]);
		}
	}
}

static const char *const renamable[] = {"table", "view",   "matview", "sequence",
                                        "enum",  "domain", "type",    "range"};

/* The object `name` names in s, of a kind that can be renamed. */
static const gw_schema_object *find_renamable(const gw_schema *s, const char *name)
{
	const gw_schema_object *o = NULL;
	size_t i;

	for (i = 0; i < sizeof(renamable) / sizeof(renamable[0]) && !o; i++)
		o = gw_sql__find(s, renamable[i], name);
	return o;
}

/* Members of table o named "<orel>_rest" that t names "<nrel>_rest":
 * renamed by statements and in the text. */
static void rename_members(gw_str *text, gw_sql *q, const gw_schema_object *o,
                           const gw_schema_object *t, const char *orel, const char *nrel,
                           const char *nsp)
{
	gw_str name = GW_STR_INIT, want = GW_STR_INIT, out = GW_STR_INIT;
	size_t i, lo = strlen(orel);

	if (orel[0] == '"' || nrel[0] == '"')
		return;
	for (i = 0; i < o->nmembers; i++) {
		const char *m = o->members[i];
		int index = starts(m, "index ");
		if (!is_constraint(m) && !index)
			continue;
		member_name(&name, m);
		if (strncmp(name.ptr, orel, lo) != 0 || name.ptr[lo] != '_')
			continue;
		gw_str_clear(&want);
		gw_str_printf(&want, "%s %s%s", index ? "index" : "constraint", nrel,
		              name.ptr + lo);
		if (want.failed || !gw_sql__member(t, want.ptr, want.size))
			continue;
		if (index)
			gw_sql__emit(q, GW_SQ_RENAME, "ALTER INDEX %s.%s RENAME TO %s", nsp,
			             name.ptr, want.ptr + 6);
		else
			gw_sql__emit(q, GW_SQ_RENAME,
			             "ALTER TABLE %s.%s RENAME CONSTRAINT %s TO %s", nsp, nrel,
			             name.ptr, want.ptr + 11);
		gw_str_clear(&out);
		replace_word(&out, text->ptr, text->size, name.ptr, want.ptr + (index ? 6 : 11));
		gw_str_clear(text);
		gw_str_put(text, out.ptr, out.size);
	}
	if (name.failed || want.failed || out.failed)
		q->failed = 1;
	gw_str_dispose(&name);
	gw_str_dispose(&want);
	gw_str_dispose(&out);
}

/* One rename in the snapshot text: the object's header, its qualified
 * name and the foreign keys that point at it; or a column's name inside
 * its table's block. */
static int rename_one(gw_str *text, gw_sql *q, const gw_schema *from, const gw_schema *to,
                      const char *spec, gw_ctx *ctx)
{
	const char *eq = strchr(spec, '=');
	gw_str old = GW_STR_INIT, neu = GW_STR_INIT, on = GW_STR_INIT, orel = GW_STR_INIT;
	gw_str nn = GW_STR_INIT, nrel = GW_STR_INIT, out = GW_STR_INIT, pat = GW_STR_INIT;
	gw_str rep = GW_STR_INIT;
	const gw_schema_object *o, *t;
	int error = 0;

	if (!eq || eq == spec || !eq[1]) {
		error = gw_error_set(ctx, GW_EINVALID, "--rename '%s': expected OLD=NEW", spec);
		goto cleanup;
	}
	gw_str_put(&old, spec, (size_t)(eq - spec));
	gw_str_puts(&neu, eq + 1);
	if ((o = find_renamable(from, old.ptr))) {
		if (!(t = gw_sql__find(to, o->kind, neu.ptr))) {
			error = gw_error_set(ctx, GW_EINVALID,
			                     "--rename %s: the target schema has no %s %s", spec,
			                     o->kind, neu.ptr);
			goto cleanup;
		}
		split_name(old.ptr, &on, &orel);
		split_name(neu.ptr, &nn, &nrel);
		if (strcmp(on.ptr, nn.ptr) != 0) {
			error = gw_error_set(ctx, GW_EINVALID,
			                     "--rename %s: a rename keeps the schema (%s)", spec,
			                     on.ptr);
			goto cleanup;
		}
		gw_sql__emit(q, GW_SQ_RENAME, "ALTER %s %s RENAME TO %s", sql_kind(o->kind),
		             old.ptr, nrel.ptr);
		replace_word(&out, text->ptr, text->size, old.ptr, neu.ptr);
		/* Constraints and indexes named after the table (person_pkey)
		 * follow it when the target names them after the new name. */
		rename_members(&out, q, o, t, orel.ptr, nrel.ptr, on.ptr);
		gw_str_printf(&pat, " REFERENCES %s(", orel.ptr);
		gw_str_printf(&rep, " REFERENCES %s(", nrel.ptr);
		gw_str_clear(text);
		{
			const char *p = out.ptr, *hit;
			while ((hit = strstr(p, pat.ptr))) {
				gw_str_put(text, p, (size_t)(hit - p));
				gw_str_puts(text, rep.ptr);
				p = hit + pat.size;
			}
			gw_str_puts(text, p);
		}
		goto cleanup;
	}
	/* A column: "nsp.table.column". */
	{
		const char *p = old.ptr, *last = NULL, *e;
		int dots = 0;
		for (e = ident_end(p); *e == '.'; e = ident_end(e + 1))
			last = e, dots++;
		if (dots < 2) {
			error = gw_error_set(
			        ctx, GW_EINVALID,
			        "--rename %s: %s is no table, view, sequence or type, nor a "
			        "column (schema.table.column)",
			        spec, old.ptr);
			goto cleanup;
		}
		gw_str_put(&on, old.ptr, (size_t)(last - old.ptr));
		gw_str_puts(&orel, last + 1);
		p = neu.ptr;
		last = NULL;
		for (e = ident_end(p); *e == '.'; e = ident_end(e + 1))
			last = e;
		if (last) {
			gw_str_put(&nn, neu.ptr, (size_t)(last - neu.ptr));
			gw_str_puts(&nrel, last + 1);
		}
	}
	gw_str_printf(&pat, "column %s", orel.ptr);
	if (!(t = gw_sql__find(from, "table", on.ptr)) || !gw_sql__member(t, pat.ptr, pat.size)) {
		error = gw_error_set(ctx, GW_EINVALID, "--rename %s: the source schema has no %s",
		                     spec, old.ptr);
		goto cleanup;
	}
	if (strcmp(on.ptr, nn.ptr) != 0 || !nrel.size) {
		error = gw_error_set(ctx, GW_EINVALID,
		                     "--rename %s: a column keeps its table (%s.NEW)", spec,
		                     on.ptr);
		goto cleanup;
	}
	gw_sql__emit(q, GW_SQ_RENAME, "ALTER TABLE %s RENAME COLUMN %s TO %s", on.ptr, orel.ptr,
	             nrel.ptr);
	{
		/* Only inside the table's block: from its header to the blank
		 * line after it. */
		const char *start, *end;
		gw_str head = GW_STR_INIT;
		gw_str_printf(&head, "\ntable %s\n", on.ptr);
		start = strstr(text->ptr, head.ptr);
		gw_str_dispose(&head);
		if (!start)
			goto cleanup;
		end = strstr(start + 1, "\n\n");
		if (!end)
			end = text->ptr + text->size;
		gw_str_put(&out, text->ptr, (size_t)(start - text->ptr));
		replace_word(&out, start, (size_t)(end - start), orel.ptr, nrel.ptr);
		gw_str_puts(&out, end);
		gw_str_clear(text);
		gw_str_put(text, out.ptr, out.size);
	}
cleanup:
	if (error == 0 && (text->failed || out.failed || pat.failed || rep.failed))
		error = gw_error_oom(ctx);
	gw_str_dispose(&old);
	gw_str_dispose(&neu);
	gw_str_dispose(&on);
	gw_str_dispose(&orel);
	gw_str_dispose(&nn);
	gw_str_dispose(&nrel);
	gw_str_dispose(&out);
	gw_str_dispose(&pat);
	gw_str_dispose(&rep);
	return error;
}

/* `from` with the renames made: what the script's RENAME statements turn
 * it into, compared with `to` for the rest. */
static int apply_renames(gw_schema **out, gw_sql *q, const gw_schema *from, const gw_schema *to,
                         const gw_sql_options *o, gw_ctx *ctx)
{
	gw_str text = GW_STR_INIT;
	char *t = NULL;
	size_t i;
	int error;

	if (gw_schema_text(&t, from) < 0)
		return gw_error_oom(ctx);
	gw_str_puts(&text, t);
	free(t);
	/* Each rename sees the names the ones before it made. */
	for (i = 0; i < o->nrenames; i++) {
		gw_schema *cur = NULL;
		if (text.failed) {
			error = gw_error_oom(ctx);
			goto cleanup;
		}
		if ((error = gw_schema_parse(&cur, text.ptr, text.size, ctx)) < 0)
			goto cleanup;
		error = rename_one(&text, q, cur, to, o->renames[i], ctx);
		gw_schema_free(cur);
		if (error < 0)
			goto cleanup;
	}
	error = text.failed ? gw_error_oom(ctx) : gw_schema_parse(out, text.ptr, text.size, ctx);
cleanup:
	gw_str_dispose(&text);
	return error;
}

/* ---- the walk ------------------------------------------------------------------ */

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
			if ((head_member(b, "partition of ") != NULL) == pass)
				create_table(g, b);
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
			add_word(g, &g->affected, a->name);
			continue;
		}
		for (j = 0; j < a->nmembers && !hit; j++) {
			const char *m = a->members[j], *mb;
			col ca, cb;
			if (!is_column(m))
				continue;
			mb = gw_sql__member(b, m, gw_schema__member_key(m));
			if (!mb) {
				hit = 1;
				break;
			}
			if (strcmp(m, mb) == 0)
				continue;
			if (col_parse(&ca, m) < 0 || col_parse(&cb, mb) < 0) {
				g->q->failed = 1;
				col_dispose(&ca);
				return;
			}
			hit = strcmp(ca.type, cb.type) != 0 || !streq(ca.collate, cb.collate) ||
			      !streq(ca.gen, cb.gen);
			col_dispose(&ca);
			col_dispose(&cb);
		}
		if (hit)
			add_word(g, &g->affected, a->name);
	}
	/* Functions dropped, or dropped and created again. */
	for (i = 0; i < gw_schema_count(g->a); i++) {
		const gw_schema_object *a = gw_schema_get(g->a, i);
		if (kind_is(a, "function", "aggregate") && !gw_sql__find(g->b, a->kind, a->name))
			add_word(g, &g->affected, a->name);
	}
}

static void walk(gen *g)
{
	size_t i;
	int created_function = 0;
	static const char *const late[] = {"aggregate", "function", "procedure", "type",
	                                   "domain",    "enum",     "range",     "sequence",
	                                   "extension", "schema"};
	size_t k;

	find_rekeyed(g);
	find_affected(g);
	/* Functions first: a dropped and recreated one affects views. */
	for (i = 0; i < gw_schema_count(g->b); i++) {
		const gw_schema_object *b = gw_schema_get(g->b, i), *a;
		if ((!kind_is(b, "function", "procedure") && !kind_is(b, "aggregate", NULL)) ||
		    range_function(g->b, b))
			continue;
		a = gw_sql__find(g->a, b->kind, b->name);
		if (!a) {
			created_function = 1;
			create_function(g, b);
		} else {
			if (strcmp(definition(a), definition(b)) != 0)
				created_function = 1;
			alter_function(g, a, b);
		}
	}
	if (created_function)
		gw_sql__emit(g->q, GW_SQ_HEADER, "SET check_function_bodies = false");
	for (i = 0; i < gw_schema_count(g->b); i++) {
		const gw_schema_object *b = gw_schema_get(g->b, i);
		const gw_schema_object *a = gw_sql__find(g->a, b->kind, b->name);
		if (kind_is(b, "schema", NULL)) {
			if (a)
				comments(g, a, b);
			else
				create_schema(g, b);
		} else if (kind_is(b, "extension", NULL)) {
			if (a)
				alter_extension(g, a, b);
			else
				create_extension(g, b);
		}
	}
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
					create_type(g, b);
					continue;
				}
				if (kind_is(b, "enum", NULL))
					alter_enum(g, a, b);
				else if (kind_is(b, "domain", NULL))
					alter_domain(g, a, b);
				else if (kind_is(b, "range", NULL) &&
				         !streq(gw_sql__member(a, "subtype", 7),
				                gw_sql__member(b, "subtype", 7)))
					gw_sql__unexpressed(g->q, GW_SQ_TYPE,
					                    "range %s changes its subtype",
					                    b->name);
				else if (kind_is(b, "type", NULL)) {
					size_t j;
					gw_str name = GW_STR_INIT, s = GW_STR_INIT;
					gw_vec readded = GW_VEC_INIT;
					for (j = 0; j < a->nmembers; j++)
						if (is_column(a->members[j]) &&
						    !gw_sql__member(
						            b, a->members[j],
						            gw_schema__member_key(a->members[j]))) {
							member_name(&name, a->members[j]);
							gw_sql__emit(
							        g->q, GW_SQ_TYPE,
							        "ALTER TYPE %s DROP ATTRIBUTE %s",
							        b->name, name.ptr);
						}
					for (j = 0; j < b->nmembers; j++) {
						const char *m = b->members[j], *ma;
						col ca, cb;
						if (!is_column(m))
							continue;
						ma = gw_sql__member(a, m, gw_schema__member_key(m));
						if (ma && strcmp(ma, m) == 0)
							continue;
						if (col_parse(&cb, m) < 0) {
							g->q->failed = 1;
							continue;
						}
						if (!ma) {
							gw_str_clear(&s);
							col_sql(&s, &cb);
							gw_sql__emit(
							        g->q, GW_SQ_TYPE,
							        "ALTER TYPE %s ADD ATTRIBUTE %s",
							        b->name, s.ptr);
						} else if (col_parse(&ca, ma) == 0) {
							alter_column(g, b, &ca, &cb);
							col_dispose(&ca);
						}
						col_dispose(&cb);
					}
					column_order(g, a, b, &readded);
					gw_vec_dispose(&readded, free);
					gw_str_dispose(&name);
					gw_str_dispose(&s);
				}
				comments(g, a, b);
			}
	}
	for (i = 0; i < gw_schema_count(g->b); i++) {
		const gw_schema_object *b = gw_schema_get(g->b, i), *a;
		if (!kind_is(b, "sequence", NULL))
			continue;
		if ((a = gw_sql__find(g->a, b->kind, b->name)))
			alter_sequence(g, a, b);
		else
			create_sequence(g, b);
	}
	create_tables(g);
	for (i = 0; i < gw_schema_count(g->b); i++) {
		const gw_schema_object *b = gw_schema_get(g->b, i), *a;
		if (kind_is(b, "table", NULL) && (a = gw_sql__find(g->a, "table", b->name)))
			alter_table(g, a, b);
		else if (kind_is(b, "foreign_table", "event_trigger") &&
		         !((a = gw_sql__find(g->a, b->kind, b->name)) && object_equal(a, b)))
			gw_sql__unexpressed(g->q, GW_SQ_TABLE, "%s %s is not generated", b->kind,
			                    b->name);
	}
	views(g);
	/* What A has and B does not. */
	for (i = 0; i < gw_schema_count(g->a); i++) {
		const gw_schema_object *a = gw_schema_get(g->a, i);
		if (gw_sql__find(g->b, a->kind, a->name))
			continue;
		if (kind_is(a, "table", NULL))
			gw_sql__emit(g->q, GW_SQ_DROP_TABLE, "DROP TABLE %s", a->name);
		else if (kind_is(a, "foreign_table", "event_trigger"))
			gw_sql__unexpressed(g->q, GW_SQ_DROP_TABLE,
			                    "dropping %s %s is not generated", a->kind, a->name);
	}
	for (k = 0; k < sizeof(late) / sizeof(late[0]); k++)
		for (i = gw_schema_count(g->a); i > 0; i--) {
			const gw_schema_object *a = gw_schema_get(g->a, i - 1);
			if (strcmp(a->kind, late[k]) != 0 || gw_sql__find(g->b, a->kind, a->name) ||
			    range_function(g->a, a))
				continue;
			if (kind_is(a, "sequence", NULL))
				gw_sql__emit(g->q, GW_SQ_DROP_LATE, "DROP SEQUENCE IF EXISTS %s",
				             a->name);
			else
				gw_sql__emit(g->q, GW_SQ_DROP_LATE, "DROP %s %s", sql_kind(a->kind),
				             a->name);
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

static int finish(gw_sql *q)
{
	gw_str text = GW_STR_INIT, head = GW_STR_INIT, middle = GW_STR_INIT, tail = GW_STR_INIT;
	int i;

	for (i = 0; i < GW_SQ_COUNT; i++) {
		gw_str *part = i < GW_SQ_VALIDATE ? &head : i == GW_SQ_VALIDATE ? &middle : &tail;
		gw_str_put(part, q->part[i].ptr, q->part[i].size);
	}
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
	gen g = {NULL,        opts ? opts : &defaults,
	         from,        to,
	         GW_VEC_INIT, GW_VEC_INIT,
	         GW_VEC_INIT, GW_VEC_INIT,
	         GW_VEC_INIT, GW_VEC_INIT};
	const char *da = gw_schema_dialect(from), *db = gw_schema_dialect(to);
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
	for (i = 0; i < GW_SQ_COUNT; i++)
		g.q->part[i] = (gw_str)GW_STR_INIT;
	if (g.o->nrenames) {
		if ((error = apply_renames(&renamed, g.q, from, to, g.o, ctx)) < 0)
			goto cleanup;
		g.a = renamed;
	}
	if ((da && strcmp(da, "sqlite") == 0) || (db && strcmp(db, "sqlite") == 0))
		error = gw_sql__sqlite(g.q, g.a, to, g.o);
	else
		walk(&g);
	if (error == 0 && labels_used(&g))
		g.q->head_no_transaction = 1;
	if (error == 0 && (error = finish(g.q)) < 0)
		error = gw_error_oom(ctx);
	else if (error < 0 && !gw_ctx_error(ctx))
		error = gw_error_oom(ctx);
cleanup:
	gw_vec_dispose(&g.affected, free);
	gw_vec_dispose(&g.rekeyed, free);
	gw_vec_dispose(&g.uniq_tail, free);
	gw_vec_dispose(&g.labels, free);
	gw_vec_dispose(&g.tail_idx, free);
	gw_vec_dispose(&g.refunc, free);
	gw_schema_free(renamed);
	if (error < 0) {
		gw_sql_free(g.q);
		return error;
	}
	*out = g.q;
	return 0;
}
