/*
 * schema_sql_object.c: the statements of the objects other than tables
 * for gw_schema_sql (schema_sql.c): comments and privileges of every
 * object, schemas and extensions, types (enums, ranges, domains,
 * composite types), sequences, functions and aggregates, and views, which
 * are dropped and made again in the order their uses give.
 */
#include "schema_sql.h"

#include <stdlib.h>
#include <string.h>

/* ---- comments and privileges ------------------------------------------------ */

/* One comment member of o (comment, column_comment, ...), as in `to` or
 * removed (text NULL). */
static void comment_member(gen *g, const gw_schema_object *o, const char *m, int removed)
{
	gw_str what = GW_STR_INIT, name = GW_STR_INIT, nsp = GW_STR_INIT;
	const char *text = removed ? NULL : gw_sql__member_body(m);
	int part = GW_SQ_COMMENT;

	if (gw_sql__starts(m, "comment ")) {
		gw_str_printf(&what, "%s %s", gw_sql__sql_kind(o->kind), o->name);
		text = removed ? NULL : m + 8;
	} else {
		gw_sql__member_name(&name, m);
		if (gw_sql__starts(m, "column_comment "))
			gw_str_printf(&what, "COLUMN %s.%s", o->name, name.ptr);
		else if (gw_sql__starts(m, "constraint_comment "))
			gw_str_printf(&what, "CONSTRAINT %s ON %s%s", name.ptr,
			              strcmp(o->kind, "domain") == 0 ? "DOMAIN " : "", o->name);
		else if (gw_sql__starts(m, "trigger_comment "))
			gw_str_printf(&what, "TRIGGER %s ON %s", name.ptr, o->name);
		else if (gw_sql__starts(m, "policy_comment "))
			gw_str_printf(&what, "POLICY %s ON %s", name.ptr, o->name);
		else {
			gw_sql__object_schema(&nsp, o->name);
			gw_str_printf(&what, "INDEX %s%s%s", nsp.ptr, nsp.size ? "." : "",
			              name.ptr);
			if (gw_sql__has_word(&g->tail_idx, name.ptr))
				part = GW_SQ_TAIL_FK;
		}
	}
	if (what.failed || name.failed || nsp.failed)
		g->q->failed = 1;
	else
		gw_sql__emit(g->q, part, "COMMENT ON %s IS %s", what.ptr, text ? text : "NULL");
	gw_str_dispose(&what);
	gw_str_dispose(&name);
	gw_str_dispose(&nsp);
}

static int is_comment(const char *m)
{
	return gw_sql__starts(m, "comment ") || gw_sql__starts(m, "column_comment ") ||
	       gw_sql__starts(m, "constraint_comment ") || gw_sql__starts(m, "index_comment ") ||
	       gw_sql__starts(m, "trigger_comment ") || gw_sql__starts(m, "policy_comment ");
}

/* "TABLE trigger NAME" of a trigger_comment or policy_comment member of
 * o (empty for the other members). */
static void made_key(gw_str *out, const gw_schema_object *o, const char *m)
{
	gw_str name = GW_STR_INIT;

	gw_str_clear(out);
	if (!gw_sql__starts(m, "trigger_comment ") && !gw_sql__starts(m, "policy_comment "))
		return;
	gw_sql__member_name(&name, m);
	gw_str_printf(out, "%s %s %s", o->name, m[0] == 't' ? "trigger" : "policy", name.ptr);
	if (name.failed)
		out->failed = 1;
	gw_str_dispose(&name);
}

/* 1 when m is the comment of a trigger or policy this script makes: it
 * was made with it, or went with the one dropped. */
static int comment_made(gen *g, const gw_schema_object *o, const char *m)
{
	gw_str key = GW_STR_INIT;
	int hit;

	made_key(&key, o, m);
	if (key.failed)
		g->q->failed = 1;
	hit = key.size && gw_sql__has_word(&g->made, key.ptr);
	gw_str_dispose(&key);
	return hit;
}

void gw_sql__member_made(gen *g, const gw_schema_object *t, const char *what, const char *name,
                         int part)
{
	gw_str key = GW_STR_INIT;
	const char *m;
	char *copy;

	gw_str_printf(&key, "%s_comment %s", what, name);
	/* A key that could not be built must fail the script, not drop the
	 * comment from it. */
	g->q->failed |= key.failed;
	m = key.failed ? NULL : gw_sql__member(t, key.ptr, key.size);
	if (m)
		gw_sql__emit(g->q, part, "COMMENT ON %s %s ON %s IS %s",
		             what[0] == 't' ? "TRIGGER" : "POLICY", name, t->name,
		             gw_sql__member_body(m));
	gw_str_clear(&key);
	gw_str_printf(&key, "%s %s %s", t->name, what, name);
	if (key.failed || gw_sql__has_word(&g->made, key.ptr)) {
		g->q->failed |= key.failed;
		gw_str_dispose(&key);
		return;
	}
	if (!(copy = gw_str_detach(&key)) || gw_vec_push(&g->made, copy) < 0) {
		free(copy);
		g->q->failed = 1;
	}
}

/* The privilege words of an aclitem's letters: those that carry the
 * grant option ("r*") when `option`, the others when not. */
static void privileges_of(gw_str *out, const char *letters, size_t n, int option)
{
	static const struct {
		char c;
		const char *word;
	} map[] = {{'r', "SELECT"},   {'a', "INSERT"},     {'w', "UPDATE"},  {'d', "DELETE"},
	           {'D', "TRUNCATE"}, {'x', "REFERENCES"}, {'t', "TRIGGER"}, {'X', "EXECUTE"},
	           {'U', "USAGE"},    {'C', "CREATE"},     {'c', "CONNECT"}, {'T', "TEMPORARY"},
	           {'m', "MAINTAIN"}};
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (letters[i] == '*' || (i + 1 < n && letters[i + 1] == '*') != !!option)
			continue;
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
	if (strcmp(kind, "server") == 0)
		return "FOREIGN SERVER";
	return gw_sql__sql_kind(kind);
}

/* What GRANT and REVOKE name: "ON TABLE public.t" (on), "TABLE public.t"
 * (object; a column's grants name it after each privilege), and a prefix
 * for default privileges ("ALTER DEFAULT PRIVILEGES FOR ROLE r "); the
 * grantees revoked from already, so none is revoked twice. */
typedef struct target {
	gw_str pre, on, object;
	const char *column;
	gw_vec revoked;
	int part;
} target;

static void target_init(target *t, const char *column)
{
	t->pre = (gw_str)GW_STR_INIT;
	t->on = (gw_str)GW_STR_INIT;
	t->object = (gw_str)GW_STR_INIT;
	t->column = column;
	t->revoked = (gw_vec)GW_VEC_INIT;
	t->part = GW_SQ_PRIV;
}

/* The target of an object's grants, or of one of its columns'. */
static void target_object(target *t, const gw_schema_object *o, const char *column)
{
	target_init(t, column);
	gw_str_printf(&t->object, "%s %s", grant_kind(o->kind), o->name);
	gw_str_printf(&t->on, "%s%s%sON %s", column ? "(" : "", column ? column : "",
	              column ? ") " : "", t->object.ptr);
}

static void target_dispose(gen *g, target *t)
{
	if (t->pre.failed || t->on.failed || t->object.failed)
		g->q->failed = 1;
	gw_str_dispose(&t->pre);
	gw_str_dispose(&t->on);
	gw_str_dispose(&t->object);
	gw_vec_dispose(&t->revoked, free);
}

static void revoke_all(gen *g, target *t, const char *grantee)
{
	char *copy;

	if (gw_sql__has_word(&t->revoked, grantee))
		return;
	if (!(copy = gw_strdup(grantee)) || gw_vec_push(&t->revoked, copy) < 0) {
		free(copy);
		g->q->failed = 1;
	}
	gw_sql__emit(g->q, t->part, "%sREVOKE ALL %s FROM %s", t->pre.ptr ? t->pre.ptr : "",
	             t->on.ptr, grantee);
}

/* Grants of "grants a=r/o b=arw/o" → REVOKE ALL from each grantee of
 * `from`, GRANT for each item of `to`; of one column when t->column is
 * set (each privilege then names it: SELECT (c), UPDATE (c)). */
static void grants(gen *g, target *t, const char *from, const char *to)
{
	const char *sides[2] = {from, to};
	const char *pre = t->pre.ptr ? t->pre.ptr : "";
	gw_str grantee = GW_STR_INIT, privs = GW_STR_INIT, cols = GW_STR_INIT;
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
			/* Emptied without forgetting a failure (checked at the end). */
			gw_str_truncate(&grantee, 0);
			gw_str_truncate(&privs, 0);
			if (eq == item)
				gw_str_puts(&grantee, "PUBLIC");
			else
				gw_str_put(&grantee, item, (size_t)(eq - item));
			if (grantee.failed)
				break;
			if (side == 0) {
				revoke_all(g, t, grantee.ptr);
				continue;
			}
			/* "r*w": SELECT with the grant option, UPDATE without. */
			for (opt = 0; opt < 2; opt++) {
				const char *w;
				gw_str_truncate(&privs, 0);
				privileges_of(&privs, eq + 1, (size_t)(slash - eq - 1), opt);
				if (!privs.size)
					continue;
				if (!t->column) {
					gw_sql__emit(g->q, t->part, "%sGRANT %s %s TO %s%s", pre,
					             privs.ptr, t->on.ptr, grantee.ptr,
					             opt ? " WITH GRANT OPTION" : "");
					continue;
				}
				gw_str_truncate(&cols, 0);
				for (w = privs.ptr; *w;) {
					size_t n = strcspn(w, ",");
					gw_str_printf(&cols, "%s%.*s (%s)", cols.size ? ", " : "",
					              (int)n, w, t->column);
					w += n;
					while (*w == ',' || *w == ' ')
						w++;
				}
				gw_sql__emit(g->q, t->part, "%sGRANT %s ON %s TO %s%s", pre,
				             cols.ptr, t->object.ptr, grantee.ptr,
				             opt ? " WITH GRANT OPTION" : "");
			}
		}
	}
	if (grantee.failed || privs.failed || cols.failed)
		g->q->failed = 1;
	gw_str_dispose(&grantee);
	gw_str_dispose(&privs);
	gw_str_dispose(&cols);
}

/* The grants on columns ("column_grants c a=r/o"), with --privileges:
 * those that change are revoked from their grantees and granted again;
 * a column that goes takes its grants along. */
static void column_grants(gen *g, const gw_schema_object *from, const gw_schema_object *to)
{
	gw_str name = GW_STR_INIT, key = GW_STR_INIT;
	target t;
	size_t i;

	for (i = 0; i < to->nmembers; i++) {
		const char *m = to->members[i], *ma;
		if (!gw_sql__starts(m, "column_grants "))
			continue;
		ma = gw_sql__member(from, m, gw_schema__member_key(m));
		if (gw_sql__streq(ma, m))
			continue;
		gw_sql__member_name(&name, m);
		target_object(&t, to, name.ptr);
		grants(g, &t, ma ? gw_sql__member_body(ma) : NULL, gw_sql__member_body(m));
		target_dispose(g, &t);
	}
	for (i = 0; from && i < from->nmembers; i++) {
		const char *m = from->members[i];
		if (!gw_sql__starts(m, "column_grants ") ||
		    gw_sql__member(to, m, gw_schema__member_key(m)))
			continue;
		gw_sql__member_name(&name, m);
		gw_str_truncate(&key, 0);
		gw_str_printf(&key, "column %s", name.ptr);
		if (gw_sql__member(to, key.ptr, key.size)) {
			target_object(&t, to, name.ptr);
			grants(g, &t, gw_sql__member_body(m), NULL);
			target_dispose(g, &t);
		}
	}
	if (name.failed || key.failed)
		g->q->failed = 1;
	gw_str_dispose(&name);
	gw_str_dispose(&key);
}

/* Owner and grants of o: from (NULL for a new object) to to. Grants are
 * made again from nothing: every grantee of either side (the owners
 * too) loses all, then each of to's items is granted. */
static void object_privileges(gen *g, const gw_schema_object *from, const gw_schema_object *to)
{
	const char *oa = gw_sql__member(from, "owner", 5), *ob = gw_sql__member(to, "owner", 5);
	const char *ga = gw_sql__member(from, "grants", 6), *gb = gw_sql__member(to, "grants", 6);
	target t;

	if (!g->o->privileges)
		return;
	if (ob && !gw_sql__streq(oa, ob))
		gw_sql__emit(g->q, GW_SQ_PRIV, "ALTER %s %s OWNER TO %s",
		             gw_sql__sql_kind(to->kind), to->name, ob + 6);
	if (gw_sql__streq(ga, gb) && (!ga || gw_sql__streq(oa, ob)))
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
	/* A new object, or one with the default grants (a function's
	 * include EXECUTE for PUBLIC, a type's USAGE); the owners, whose
	 * implicit privileges are items of the grants once there are any
	 * (and each grantee of A's grants once: the old owner is one). */
	target_object(&t, to, NULL);
	if (!from || !ga)
		revoke_all(g, &t, "PUBLIC");
	if (oa && ga)
		revoke_all(g, &t, oa + 6);
	if (ob && (!oa || strcmp(oa, ob) != 0))
		revoke_all(g, &t, ob + 6);
	grants(g, &t, ga ? ga + 7 : NULL, gb + 7);
	target_dispose(g, &t);
}

/* The object's, then its columns' (a table's REVOKE takes those along). */
static void privileges(gen *g, const gw_schema_object *from, const gw_schema_object *to)
{
	object_privileges(g, from, to);
	if (g->o->privileges)
		column_grants(g, from, to);
}

/* One default privileges object ("for role R[ in schema S] on KIND")
 * from a (NULL: none) to b. Without an entry, a kind has the defaults
 * for the whole database (the role's own privileges, and EXECUTE or
 * USAGE for PUBLIC on functions and types) and nothing more in a schema:
 * every grantee of A's side loses all, then B's are granted; the server
 * removes an entry that comes back to the defaults. */
static void default_privileges(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	const gw_schema_object *o = b ? b : a;
	const char *ga = gw_sql__member(a, "grants", 6), *gb = gw_sql__member(b, "grants", 6);
	const char *role = o->name + 9, *in = strstr(role, " in schema "),
	           *on = strstr(role, " on ");
	const char *kind = on ? on + 4 : "";
	int functions = strcmp(kind, "functions") == 0, types = strcmp(kind, "types") == 0;
	gw_str from = GW_STR_INIT, up = GW_STR_INIT;
	target t;
	size_t i, rlen;

	if (!on || !gw_sql__starts(o->name, "for role "))
		return;
	rlen = (size_t)((in && in < on ? in : on) - role);
	target_init(&t, NULL);
	t.part = GW_SQ_SCHEMA;
	for (i = 0; kind[i]; i++)
		gw_str_putc(&up, (char)(kind[i] >= 'a' && kind[i] <= 'z' ? kind[i] - 32 : kind[i]));
	gw_str_printf(&t.pre, "ALTER DEFAULT PRIVILEGES FOR ROLE %.*s ", (int)rlen, role);
	if (in && in < on)
		gw_str_printf(&t.pre, "IN SCHEMA %.*s ", (int)(on - in - 11), in + 11);
	gw_str_printf(&t.on, "ON %s", up.ptr ? up.ptr : "");
	if (ga)
		gw_str_puts(&from, ga[6] ? ga + 7 : "");
	else if (!in)
		gw_str_printf(&from, "%.*s=/%.*s%s", (int)rlen, role, (int)rlen, role,
		              functions || types ? " =/x" : "");
	grants(g, &t, from.size ? from.ptr : NULL, gb && gb[6] ? gb + 7 : NULL);
	if (!gb && !in) {
		gw_sql__emit(g->q, t.part, "%sGRANT ALL %s TO %.*s", t.pre.ptr, t.on.ptr, (int)rlen,
		             role);
		if (functions || types)
			gw_sql__emit(g->q, t.part, "%sGRANT %s %s TO PUBLIC", t.pre.ptr,
			             functions ? "EXECUTE" : "USAGE", t.on.ptr);
	}
	if (from.failed || up.failed)
		g->q->failed = 1;
	gw_str_dispose(&from);
	gw_str_dispose(&up);
	target_dispose(g, &t);
}

void gw_sql__default_privileges(gen *g)
{
	size_t i;

	if (!g->o->privileges)
		return;
	for (i = 0; i < gw_schema_count(g->b); i++) {
		const gw_schema_object *b = gw_schema_get(g->b, i), *a;
		if (strcmp(b->kind, "default_privileges") != 0)
			continue;
		a = gw_sql__find(g->a, b->kind, b->name);
		if (!a ||
		    !gw_sql__streq(gw_sql__member(a, "grants", 6), gw_sql__member(b, "grants", 6)))
			default_privileges(g, a, b);
	}
	for (i = 0; i < gw_schema_count(g->a); i++) {
		const gw_schema_object *a = gw_schema_get(g->a, i);
		if (strcmp(a->kind, "default_privileges") == 0 &&
		    !gw_sql__find(g->b, a->kind, a->name))
			default_privileges(g, a, NULL);
	}
}

/* Comments (and privileges) of an object: every one of `to` that differs
 * from `from` (NULL for a new object), and those of `from` that went. */
void gw_sql__comments(gen *g, const gw_schema_object *from, const gw_schema_object *to)
{
	size_t i;

	for (i = 0; i < to->nmembers; i++) {
		const char *m = to->members[i];
		size_t k = gw_schema__member_key(m);
		if (is_comment(m) && !gw_sql__streq(gw_sql__member(from, m, k), m) &&
		    !comment_made(g, to, m))
			comment_member(g, to, m, 0);
	}
	for (i = 0; from && i < from->nmembers; i++) {
		const char *m = from->members[i];
		size_t k = gw_schema__member_key(m);
		/* A column or constraint that went took its comment along. */
		if (!is_comment(m) || gw_sql__member(to, m, k))
			continue;
		if (!gw_sql__starts(m, "comment ")) {
			gw_str key = GW_STR_INIT, name = GW_STR_INIT;
			gw_sql__member_name(&name, m);
			/* "column_comment c" → "column c" */
			gw_str_printf(&key, "%.*s %s", (int)strcspn(m, "_"), m, name.ptr);
			if (gw_sql__member(to, key.ptr, key.size) && !comment_made(g, to, m))
				comment_member(g, to, m, 1);
			gw_sql__dispose(g, &key);
			gw_sql__dispose(g, &name);
			continue;
		}
		comment_member(g, to, m, 1);
	}
	privileges(g, from, to);
}

/* ---- schemas and extensions ----------------------------------------------- */

void gw_sql__create_schema(gen *g, const gw_schema_object *o)
{
	if (strcmp(o->name, "public") == 0)
		gw_sql__emit(g->q, GW_SQ_SCHEMA, "CREATE SCHEMA IF NOT EXISTS public");
	else
		gw_sql__emit(g->q, GW_SQ_SCHEMA, "CREATE SCHEMA %s", o->name);
	gw_sql__comments(g, NULL, o);
}

void gw_sql__create_extension(gen *g, const gw_schema_object *o)
{
	const char *s = gw_sql__member(o, "schema", 6), *v = gw_sql__member(o, "version", 7);

	gw_sql__emit(g->q, GW_SQ_TYPE, "CREATE EXTENSION IF NOT EXISTS %s%s%s%s%s%s", o->name,
	             s ? " SCHEMA " : "", s ? s + 7 : "", v ? " VERSION '" : "", v ? v + 8 : "",
	             v ? "'" : "");
}

void gw_sql__alter_extension(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	const char *sa = gw_sql__member(a, "schema", 6), *sb = gw_sql__member(b, "schema", 6);
	const char *va = gw_sql__member(a, "version", 7), *vb = gw_sql__member(b, "version", 7);

	if (sb && !gw_sql__streq(sa, sb))
		gw_sql__emit(g->q, GW_SQ_TYPE, "ALTER EXTENSION %s SET SCHEMA %s", b->name, sb + 7);
	if (vb && !gw_sql__streq(va, vb))
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

void gw_sql__alter_enum(gen *g, const gw_schema_object *a, const gw_schema_object *b)
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

void gw_sql__create_type(gen *g, const gw_schema_object *o)
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
		gw_sql__create_domain(g, o);
		return;
	} else {
		gw_str_printf(&s, "CREATE TYPE %s AS (", o->name);
		for (i = 0; i < o->nmembers; i++) {
			col c;
			if (!gw_sql__is_column(o->members[i]))
				continue;
			if (gw_sql__col_parse(&c, o->members[i]) < 0) {
				g->q->failed = 1;
				break;
			}
			gw_str_puts(&s, n++ ? ", " : "");
			gw_sql__col_sql(&s, &c);
			gw_sql__col_dispose(&c);
		}
		gw_str_putc(&s, ')');
		if (s.failed)
			g->q->failed = 1;
		else
			gw_sql__emit(g->q, GW_SQ_TYPE, "%s", s.ptr);
		gw_str_dispose(&s);
	}
	gw_sql__comments(g, NULL, o);
}

/* ---- sequences ----------------------------------------------------------------- */

void gw_sql__create_sequence(gen *g, const gw_schema_object *o)
{
	const char *opt = gw_sql__member(o, "options", 7);
	const char *own = gw_sql__member(o, "owned_by", 8);

	gw_sql__emit(g->q, GW_SQ_SEQUENCE, "CREATE SEQUENCE %s%s%s", o->name, opt ? " " : "",
	             opt ? opt + 8 : "");
	if (own)
		gw_sql__emit(g->q, GW_SQ_OWNED, "ALTER SEQUENCE %s OWNED BY %s", o->name, own + 9);
	gw_sql__comments(g, NULL, o);
}

void gw_sql__alter_sequence(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	const char *oa = gw_sql__member(a, "options", 7), *ob = gw_sql__member(b, "options", 7);
	const char *wa = gw_sql__member(a, "owned_by", 8), *wb = gw_sql__member(b, "owned_by", 8);

	if (ob && !gw_sql__streq(oa, ob))
		gw_sql__emit(g->q, GW_SQ_SEQUENCE, "ALTER SEQUENCE %s %s%s", b->name, ob + 8,
		             gw_sql__ends(ob, " cycle") ? "" : " no cycle");
	/* Released first: dropping the column that owned it would drop it. */
	if (!gw_sql__streq(wa, wb) && wa)
		gw_sql__emit(g->q, GW_SQ_DROP_FK, "ALTER SEQUENCE %s OWNED BY NONE", b->name);
	if (!gw_sql__streq(wa, wb) && wb)
		gw_sql__emit(g->q, GW_SQ_OWNED, "ALTER SEQUENCE %s OWNED BY %s", b->name, wb + 9);
	gw_sql__comments(g, a, b);
}

/* ---- functions ----------------------------------------------------------------- */

/* The "RETURNS ..." line of a definition (its length in *len). */
const char *gw_sql__returns_line(const char *def, size_t *len)
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
	const char *d = gw_sql__definition(o), *line, *eol;
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
		if (gw_sql__starts(line, "returns ") || gw_sql__starts(line, "kind "))
			continue;
		gw_str_puts(&s, n++ ? ", " : "");
		if (gw_sql__starts(line, "finalfunc_extra")) {
			gw_str_puts(&s, "FINALFUNC_EXTRA");
		} else if (gw_sql__starts(line, "msfunc ")) {
			/* "msfunc F minvfunc G mstype T" */
			const char *mi = strstr(line, " minvfunc "), *mt = strstr(line, " mstype ");
			if (mi && mt && mt < eol)
				gw_str_printf(&s, "MSFUNC = %.*s, MINVFUNC = %.*s, MSTYPE = %.*s",
				              (int)(mi - line - 7), line + 7, (int)(mt - mi - 10),
				              mi + 10, (int)(eol - mt - 8), mt + 8);
		} else if (gw_sql__starts(line, "parallel ")) {
			/* proparallel's letter: CREATE AGGREGATE takes the word. */
			gw_str_printf(&s, "PARALLEL = %s",
			              line[9] == 's'   ? "SAFE"
			              : line[9] == 'r' ? "RESTRICTED"
			                               : "UNSAFE");
		} else if (gw_sql__starts(line, "sortop ")) {
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
	gw_sql__comments(g, NULL, o);
}

void gw_sql__create_function(gen *g, const gw_schema_object *o)
{
	if (strcmp(o->kind, "aggregate") == 0) {
		create_aggregate(g, o, GW_SQ_FUNCTION);
		return;
	}
	gw_sql__emit(g->q, GW_SQ_FUNCTION, "%s", gw_sql__definition(o));
	gw_sql__comments(g, NULL, o);
}

void gw_sql__alter_function(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	const char *da = gw_sql__definition(a), *db = gw_sql__definition(b);
	size_t la, lb;
	const char *ra = gw_sql__returns_line(da, &la), *rb = gw_sql__returns_line(db, &lb);

	if (strcmp(da, db) != 0) {
		if (strcmp(b->kind, "aggregate") == 0 || la != lb || strncmp(ra, rb, la) != 0) {
			/* After the columns whose defaults used it changed, before
			 * the constraints and views that use the new one. */
			gw_sql__add_word(g, &g->affected, b->name);
			gw_sql__add_word(g, &g->refunc, b->name);
			gw_sql__emit(g->q, GW_SQ_REFUNCTION, "DROP %s %s",
			             gw_sql__sql_kind(a->kind), a->name);
			if (strcmp(b->kind, "aggregate") == 0)
				create_aggregate(g, b, GW_SQ_REFUNCTION);
			else
				gw_sql__emit(g->q, GW_SQ_REFUNCTION, "%s", db);
			privileges(g, NULL, b);
			return;
		}
		gw_sql__emit(g->q, GW_SQ_FUNCTION, "%s", db);
	}
	gw_sql__comments(g, a, b);
}

/* ---- views --------------------------------------------------------------------- */

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

static int is_view(const gw_schema_object *o)
{
	return strcmp(o->kind, "view") == 0 || strcmp(o->kind, "matview") == 0;
}

/* 1 when the view uses (by name) a relation or function in words. */
static int uses_any(const gw_schema_object *v, const gw_vec *words)
{
	const char *d = gw_sql__definition(v);
	size_t i;

	for (i = 0; i < words->len; i++)
		if (gw_sql__mentions(d, words->items[i], strlen(words->items[i])))
			return 1;
	return 0;
}

static int uses(const gw_schema_object *v, const gw_schema_object *other)
{
	gw_str w = GW_STR_INIT;
	int hit;

	gw_sql__rel_word(&w, other->name);
	hit = gw_sql__mentions(gw_sql__definition(v), w.ptr, w.size);
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
		if ((gw_sql__is_column(a->members[i]) ||
		     gw_sql__starts(a->members[i], "definition") ||
		     gw_sql__starts(a->members[i], "with ")) &&
		    !gw_sql__streq(
		            gw_sql__member(b, a->members[i], gw_schema__member_key(a->members[i])),
		            a->members[i]))
			return 1;
	for (i = 0; i < b->nmembers; i++)
		if ((gw_sql__is_column(b->members[i]) || gw_sql__starts(b->members[i], "with ")) &&
		    !gw_sql__member(a, b->members[i], gw_schema__member_key(b->members[i])))
			return 1;
	for (i = 0; i < a->nmembers && i < b->nmembers; i++)
		if (gw_sql__is_column(a->members[i]) != gw_sql__is_column(b->members[i]))
			return 1;
	return 0;
}

static void create_view(gen *g, const gw_schema_object *v)
{
	const char *d = gw_sql__definition(v);
	size_t len = strlen(d), i;
	gw_str with = GW_STR_INIT;

	while (len && (d[len - 1] == ';' || d[len - 1] == ' ' || d[len - 1] == '\n'))
		len--;
	gw_sql__with(&with, v);
	if (with.failed)
		g->q->failed = 1;
	gw_sql__emit(g->q, GW_SQ_VIEW, "CREATE %s %s%s AS\n%.*s", gw_sql__sql_kind(v->kind),
	             v->name, with.size ? with.ptr : "", (int)len, d);
	gw_str_dispose(&with);
	for (i = 0; i < v->nmembers; i++) {
		const char *m = v->members[i];
		if (gw_sql__starts(m, "index "))
			gw_sql__add_index(g, v, m, GW_SQ_VIEW, 0);
		else if (gw_sql__starts(m, "trigger "))
			gw_sql__add_trigger(g, v, m, GW_SQ_VIEW);
	}
	gw_sql__comments(g, NULL, v);
}

void gw_sql__views(gen *g)
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
			gw_sql__add_word(g, &g->affected, a->name);
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
				gw_sql__add_word(g, &g->affected, a->name);
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
				if (!gw_sql__starts(m, "index ") && !gw_sql__starts(m, "trigger "))
					continue;
				if (mb && strcmp(mb, m) == 0)
					continue;
				if (gw_sql__starts(m, "index ")) {
					gw_sql__drop_index(g, a, m);
					if (mb)
						gw_sql__add_index(g, b, mb, GW_SQ_VIEW, 1);
				} else {
					gw_sql__member_name(&name, m);
					gw_sql__emit(g->q, GW_SQ_DROP_TRIGGER,
					             "DROP TRIGGER %s ON %s", name.ptr, a->name);
					if (mb)
						gw_sql__add_trigger(g, b, mb, GW_SQ_TRIGGER);
				}
				gw_sql__dispose(g, &name);
			}
			for (k = 0; k < b->nmembers; k++) {
				const char *m = b->members[k];
				if (gw_sql__member(a, m, gw_schema__member_key(m)))
					continue;
				if (gw_sql__starts(m, "index "))
					gw_sql__add_index(g, b, m, GW_SQ_VIEW, 1);
				else if (gw_sql__starts(m, "trigger "))
					gw_sql__add_trigger(g, b, m, GW_SQ_TRIGGER);
			}
			gw_sql__comments(g, a, b);
		}
	}
	if (view_order(&drop) < 0 || view_order(&create) < 0) {
		g->q->failed = 1;
		goto cleanup;
	}
	for (n = drop.len; n > 0; n--) {
		const gw_schema_object *a = drop.items[n - 1];
		gw_sql__emit(g->q, GW_SQ_DROP_VIEW, "DROP %s %s", gw_sql__sql_kind(a->kind),
		             a->name);
	}
	for (i = 0; i < create.len; i++)
		create_view(g, create.items[i]);
cleanup:
	gw_vec_dispose(&drop, NULL);
	gw_vec_dispose(&create, NULL);
}
