/*
 * schema_sql_foreign.c: foreign-data wrappers, foreign servers, foreign
 * tables and event triggers for gw_schema_sql (schema_sql.c).
 *
 * A foreign table holds no rows of its own, so one whose columns or
 * server change is made again rather than altered column by column: made
 * under a temporary name, given the old one's owner and grants, the old
 * one dropped and the new one renamed, then its constraints, triggers and
 * comments made as for a new table (the views that use it are made again
 * around it). Options (OPTIONS (ADD | SET | DROP ...)) of wrappers,
 * servers, foreign tables and their columns are altered in place. User
 * mappings are not in the snapshot (their options hold passwords): they
 * are made by hand, and a server that has some cannot be dropped by the
 * script.
 */
#include "schema_sql.h"

#include <stdlib.h>
#include <string.h>

/* ---- options ------------------------------------------------------------------ */

/* One "name 'value'" of an options line (quote_ident, quote_literal). */
typedef struct opt {
	const char *key, *val;
	size_t klen, vlen;
} opt;

#define MAX_OPTIONS 256

/* End of the literal at p: 'it''s' or E'a\\b'. */
static const char *literal_end(const char *p)
{
	int e = 0;

	if (*p == 'E')
		e = 1, p++;
	if (*p != '\'')
		return p + strcspn(p, ",");
	for (p++; *p; p++) {
		if (e && *p == '\\' && p[1])
			p++;
		else if (*p == '\'' && p[1] == '\'')
			p++;
		else if (*p == '\'')
			return p + 1;
	}
	return p;
}

/* The options of "k1 'v1', k2 'v2'" (list may be NULL); -1 when there
 * are more than MAX_OPTIONS. */
static int parse_options(const char *list, opt *out)
{
	int n = 0;

	while (list && *list) {
		const char *k = list, *ke = gw_sql__ident_end(k), *v = ke, *ve;
		while (*v == ' ')
			v++;
		ve = literal_end(v);
		if (n == MAX_OPTIONS)
			return -1;
		out[n].key = k, out[n].klen = (size_t)(ke - k);
		out[n].val = v, out[n].vlen = (size_t)(ve - v);
		n++;
		list = ve;
		while (*list == ',' || *list == ' ')
			list++;
		if (ve == k)
			break;
	}
	return n;
}

static const opt *find_option(const opt *o, int n, const opt *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (o[i].klen == key->klen && strncmp(o[i].key, key->key, key->klen) == 0)
			return &o[i];
	return NULL;
}

/* "ADD k 'v', SET k 'w', DROP k": from the options `from` to `to` (the
 * text after the member's first word, or NULL). Empty when equal; 0, or
 * -1 when there are too many to read. */
static int options_change(gw_str *out, const char *from, const char *to)
{
	opt *a = calloc(2 * MAX_OPTIONS, sizeof(*a)), *b = a ? a + MAX_OPTIONS : NULL;
	int na, nb, i;

	gw_str_clear(out);
	if (!a) {
		out->failed = 1;
		return 0;
	}
	na = parse_options(from, a);
	nb = parse_options(to, b);
	if (na < 0 || nb < 0) {
		free(a);
		return -1;
	}
	for (i = 0; i < nb; i++) {
		const opt *was = find_option(a, na, &b[i]);
		if (was && was->vlen == b[i].vlen && strncmp(was->val, b[i].val, b[i].vlen) == 0)
			continue;
		gw_str_printf(out, "%s%s %.*s %.*s", out->size ? ", " : "", was ? "SET" : "ADD",
		              (int)b[i].klen, b[i].key, (int)b[i].vlen, b[i].val);
	}
	for (i = 0; i < na; i++)
		if (!find_option(b, nb, &a[i]))
			gw_str_printf(out, "%sDROP %.*s", out->size ? ", " : "", (int)a[i].klen,
			              a[i].key);
	free(a);
	return 0;
}

/* The options of a member "fdw_options k 'v'" (NULL when none). */
static const char *options_of(const gw_schema_object *o)
{
	const char *m = gw_sql__member(o, "fdw_options", 11);

	return m ? m + 12 : NULL;
}

/* ALTER <what> OPTIONS (...) when the options change. */
static void alter_options(gen *g, int part, const char *what, const char *from, const char *to)
{
	gw_str change = GW_STR_INIT;

	if (gw_sql__streq(from, to))
		return;
	if (options_change(&change, from, to) < 0)
		gw_sql__unexpressed(g->q, part, "%s has more than %d options", what, MAX_OPTIONS);
	else if (change.size)
		gw_sql__emit(g->q, part, "ALTER %s OPTIONS (%s)", what, change.ptr);
	if (change.failed)
		g->q->failed = 1;
	gw_str_dispose(&change);
}

/* ---- wrappers and servers -------------------------------------------------------- */

static const char *head_word(const gw_schema_object *o, const char *key)
{
	const char *m = gw_sql__member(o, key, strlen(key));

	return m ? m + strlen(key) + 1 : NULL;
}

static void wrapper(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	const char *hb = head_word(b, "handler"), *vb = head_word(b, "validator");
	gw_str what = GW_STR_INIT;

	if (!a) {
		const char *ob = options_of(b);
		gw_sql__emit(g->q, GW_SQ_TABLE, "CREATE FOREIGN DATA WRAPPER %s%s%s%s%s%s%s%s",
		             b->name, hb ? " HANDLER " : "", hb ? hb : "", vb ? " VALIDATOR " : "",
		             vb ? vb : "", ob ? " OPTIONS (" : "", ob ? ob : "", ob ? ")" : "");
		gw_sql__comments(g, NULL, b);
		return;
	}
	if (!gw_sql__streq(head_word(a, "handler"), hb))
		gw_sql__emit(g->q, GW_SQ_TABLE, "ALTER FOREIGN DATA WRAPPER %s %s%s", b->name,
		             hb ? "HANDLER " : "NO HANDLER", hb ? hb : "");
	if (!gw_sql__streq(head_word(a, "validator"), vb))
		gw_sql__emit(g->q, GW_SQ_TABLE, "ALTER FOREIGN DATA WRAPPER %s %s%s", b->name,
		             vb ? "VALIDATOR " : "NO VALIDATOR", vb ? vb : "");
	gw_str_printf(&what, "FOREIGN DATA WRAPPER %s", b->name);
	alter_options(g, GW_SQ_TABLE, what.ptr, options_of(a), options_of(b));
	gw_sql__comments(g, a, b);
	gw_str_dispose(&what);
}

static void server(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	const char *wb = head_word(b, "wrapper"), *tb = head_word(b, "type");
	const char *vb = head_word(b, "version");
	gw_str what = GW_STR_INIT;

	if (!a) {
		const char *ob = options_of(b);
		gw_sql__emit(g->q, GW_SQ_TABLE,
		             "CREATE SERVER %s%s%s%s%s FOREIGN DATA WRAPPER %s%s%s%s", b->name,
		             tb ? " TYPE " : "", tb ? tb : "", vb ? " VERSION " : "", vb ? vb : "",
		             wb ? wb : "", ob ? " OPTIONS (" : "", ob ? ob : "", ob ? ")" : "");
		gw_sql__comments(g, NULL, b);
		return;
	}
	if (!gw_sql__streq(head_word(a, "wrapper"), wb) ||
	    !gw_sql__streq(head_word(a, "type"), tb)) {
		gw_sql__unexpressed(
		        g->q, GW_SQ_TABLE,
		        "server %s changes its foreign-data wrapper or type (drop it, "
		        "its user mappings and foreign tables, and create them by hand)",
		        b->name);
		return;
	}
	if (!gw_sql__streq(head_word(a, "version"), vb))
		gw_sql__emit(g->q, GW_SQ_TABLE, "ALTER SERVER %s VERSION %s", b->name,
		             vb ? vb : "NULL");
	gw_str_printf(&what, "SERVER %s", b->name);
	alter_options(g, GW_SQ_TABLE, what.ptr, options_of(a), options_of(b));
	gw_sql__comments(g, a, b);
	gw_str_dispose(&what);
}

void gw_sql__wrappers_and_servers(gen *g)
{
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < gw_schema_count(g->b); i++) {
			const gw_schema_object *b = gw_schema_get(g->b, i), *a;
			if (strcmp(b->kind, pass ? "server" : "foreign_data_wrapper") != 0)
				continue;
			a = gw_sql__find(g->a, b->kind, b->name);
			if (pass)
				server(g, a, b);
			else
				wrapper(g, a, b);
		}
}

/* ---- foreign tables ----------------------------------------------------------- */

/* The column members of o, in order, one a line. */
static void column_lines(gw_str *out, const gw_schema_object *o)
{
	size_t i;

	for (i = 0; i < o->nmembers; i++)
		if (gw_sql__starts(o->members[i], "column "))
			gw_str_printf(out, "%s\n", o->members[i]);
}

/* The options of column `name` of o ("column_options c k 'v'"), or NULL. */
static const char *column_options(gen *g, const gw_schema_object *o, const char *name)
{
	gw_str key = GW_STR_INIT;
	const char *m;

	gw_str_printf(&key, "column_options %s", name);
	if (key.failed)
		g->q->failed = 1;
	m = key.failed ? NULL : gw_sql__member(o, key.ptr, key.size);
	gw_str_dispose(&key);
	return m ? gw_sql__member_body(m) : NULL;
}

/* ALTER FOREIGN TABLE name ALTER COLUMN c OPTIONS (...) for each column of
 * b whose options differ from a's (a NULL: a new table). */
static void columns_options(gen *g, const gw_schema_object *a, const gw_schema_object *b,
                            const char *name, int part)
{
	gw_str cname = GW_STR_INIT, what = GW_STR_INIT;
	size_t i;

	for (i = 0; i < b->nmembers; i++) {
		if (!gw_sql__starts(b->members[i], "column "))
			continue;
		gw_sql__member_name(&cname, b->members[i]);
		gw_str_clear(&what);
		gw_str_printf(&what, "FOREIGN TABLE %s ALTER COLUMN %s", name, cname.ptr);
		if (what.failed)
			g->q->failed = 1;
		else
			alter_options(g, part, what.ptr, a ? column_options(g, a, cname.ptr) : NULL,
			              column_options(g, b, cname.ptr));
	}
	gw_str_dispose(&cname);
	gw_str_dispose(&what);
}

/* CREATE FOREIGN TABLE name (b's columns) SERVER ... OPTIONS (...), and its
 * columns' options. */
static void create_foreign(gen *g, const gw_schema_object *b, const char *name, int part)
{
	gw_str s = GW_STR_INIT;
	const char *srv = head_word(b, "server"), *ob = options_of(b);

	gw_str_printf(&s, "CREATE FOREIGN TABLE %s", name);
	gw_sql__column_list(g, &s, b);
	gw_str_printf(&s, " SERVER %s%s%s%s", srv ? srv : "", ob ? " OPTIONS (" : "", ob ? ob : "",
	              ob ? ")" : "");
	if (s.failed)
		g->q->failed = 1;
	else
		gw_sql__emit(g->q, part, "%s", s.ptr);
	gw_str_dispose(&s);
	columns_options(g, NULL, b, name, part);
}

void gw_sql__foreign_table(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	gw_str ca = GW_STR_INIT, cb = GW_STR_INIT, tmp = GW_STR_INIT, rel = GW_STR_INIT;
	gw_sql_options plain;
	const gw_sql_options *saved = g->o;

	if (gw_sql__head_member(b, "partition of ") ||
	    (a && gw_sql__head_member(a, "partition of "))) {
		gw_sql__unexpressed(g->q, GW_SQ_TABLE,
		                    "foreign table %s is a partition (attach it by hand)", b->name);
		return;
	}
	if (!a) {
		create_foreign(g, b, b->name, GW_SQ_TABLE);
		gw_sql__new_table_members(g, b);
		return;
	}
	column_lines(&ca, a);
	column_lines(&cb, b);
	if (ca.failed || cb.failed) {
		g->q->failed = 1;
		goto cleanup;
	}
	if (strcmp(ca.ptr, cb.ptr) != 0 ||
	    !gw_sql__streq(head_word(a, "server"), head_word(b, "server"))) {
		/* Made again: the views that use it too. */
		gw_sql__add_word(g, &g->affected, b->name);
		gw_sql__temp_name(&tmp, &rel, b->name);
		if (tmp.failed || rel.failed) {
			g->q->failed = 1;
			goto cleanup;
		}
		/* In the part where gw_sql__copy_grants writes. */
		gw_sql__note(g->q, GW_SQ_COLUMN,
		             "foreign table %s is made again: its columns or server change",
		             b->name);
		create_foreign(g, b, tmp.ptr, GW_SQ_COLUMN);
		if (!g->o->privileges)
			gw_sql__copy_grants(g, a, tmp.ptr);
		gw_sql__emit(g->q, GW_SQ_COLUMN, "DROP FOREIGN TABLE %s", a->name);
		gw_sql__emit(g->q, GW_SQ_COLUMN, "ALTER FOREIGN TABLE %s RENAME TO %s", tmp.ptr,
		             rel.ptr);
		gw_sql__new_table_members(g, b);
		goto cleanup;
	}
	/* Its constraints are not checked on its rows (it has none here):
	 * the live-safe forms would only scan the remote table. */
	plain = *g->o;
	plain.plain = 1;
	g->o = &plain;
	gw_sql__alter_table(g, a, b);
	g->o = saved;
	gw_str_printf(&tmp, "FOREIGN TABLE %s", b->name);
	alter_options(g, GW_SQ_COLUMN, tmp.ptr, options_of(a), options_of(b));
	columns_options(g, a, b, b->name, GW_SQ_COLUMN);
cleanup:
	gw_str_dispose(&ca);
	gw_str_dispose(&cb);
	gw_str_dispose(&tmp);
	gw_str_dispose(&rel);
}

/* ---- event triggers ------------------------------------------------------------ */

/* "on EVENT execute FUNC()[ tags A, B][ STATE]": its parts. */
typedef struct event_def {
	char *buf, *event, *func, *tags; /* tags: NULL when none */
	const char *state;               /* NULL when enabled */
} event_def;

static int event_parse(event_def *e, const gw_schema_object *o)
{
	const char *m = gw_sql__member(o, "on", 2);
	static const char *const states[] = {" disabled", " enabled replica", " enabled always"};
	char *p;
	size_t i;

	memset(e, 0, sizeof(*e));
	if (!m || !(e->buf = gw_strdup(m + 3)))
		return GW_ENOMEM;
	for (i = 0; i < 3; i++)
		if (gw_sql__cut_end(e->buf, states[i]))
			e->state = states[i] + 1;
	e->event = e->buf;
	if (!(p = gw_sql__cut(e->buf, " execute ")))
		return GW_EINVALID;
	e->func = p;
	if ((p = gw_sql__cut(p, "() tags ")))
		e->tags = p;
	else
		gw_sql__cut_end(e->func, "()");
	return 0;
}

static const char *state_sql(const char *state)
{
	if (!state)
		return "ENABLE";
	if (strcmp(state, "disabled") == 0)
		return "DISABLE";
	return strcmp(state, "enabled replica") == 0 ? "ENABLE REPLICA" : "ENABLE ALWAYS";
}

static void create_event_trigger(gen *g, const gw_schema_object *b, const event_def *e)
{
	gw_str tags = GW_STR_INIT;
	const char *p;

	for (p = e->tags; p && *p;) {
		size_t n = strcspn(p, ",");
		gw_str_printf(&tags, "%s'%.*s'", tags.size ? ", " : "", (int)n, p);
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	gw_sql__emit(g->q, GW_SQ_TRIGGER,
	             "CREATE EVENT TRIGGER %s ON %s%s%s%s EXECUTE FUNCTION %s()", b->name, e->event,
	             tags.size ? " WHEN TAG IN (" : "", tags.size ? tags.ptr : "",
	             tags.size ? ")" : "", e->func);
	if (e->state)
		gw_sql__emit(g->q, GW_SQ_TRIGGER, "ALTER EVENT TRIGGER %s %s", b->name,
		             state_sql(e->state));
	if (tags.failed)
		g->q->failed = 1;
	gw_str_dispose(&tags);
}

void gw_sql__event_trigger(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	event_def ea, eb;

	memset(&ea, 0, sizeof(ea));
	memset(&eb, 0, sizeof(eb));
	if ((a && event_parse(&ea, a) < 0) || (b && event_parse(&eb, b) < 0)) {
		gw_sql__unexpressed(g->q, GW_SQ_TRIGGER, "event trigger %s cannot be read",
		                    b ? b->name : a->name);
		goto cleanup;
	}
	if (!b) {
		gw_sql__emit(g->q, GW_SQ_DROP_TRIGGER, "DROP EVENT TRIGGER %s", a->name);
	} else if (!a) {
		create_event_trigger(g, b, &eb);
		gw_sql__comments(g, NULL, b);
	} else if (strcmp(ea.event, eb.event) != 0 || strcmp(ea.func, eb.func) != 0 ||
	           !gw_sql__streq(ea.tags, eb.tags)) {
		gw_sql__emit(g->q, GW_SQ_DROP_TRIGGER, "DROP EVENT TRIGGER %s", a->name);
		create_event_trigger(g, b, &eb);
		gw_sql__comments(g, NULL, b);
	} else {
		if (!gw_sql__streq(ea.state, eb.state))
			gw_sql__emit(g->q, GW_SQ_TRIGGER, "ALTER EVENT TRIGGER %s %s", b->name,
			             state_sql(eb.state));
		gw_sql__comments(g, a, b);
	}
cleanup:
	free(ea.buf);
	free(eb.buf);
}
