/*
 * schema_sql_domain.c: the statements of domains for gw_schema_sql
 * (schema_sql.c): a domain created, its default, NOT NULL and named
 * constraints altered, and a domain whose collation changes, which
 * PostgreSQL cannot alter, dropped and created again with the columns of
 * it moved to its base type and back around it.
 */
#include "schema_sql.h"

#include <stdlib.h>
#include <string.h>

/* "base TYPE[ collate C][ not null][ default D]" of a domain. */
static int domain_parse(col *c, const gw_schema_object *o)
{
	const char *m = gw_sql__member(o, "base", 4);
	char *p;

	memset(c, 0, sizeof(*c));
	if (!(c->buf = gw_strdup(m && m[4] ? m + 5 : "")))
		return GW_ENOMEM;
	p = c->buf;
	c->def = gw_sql__cut(p, " default ");
	if (gw_sql__cut_end(p, " not null"))
		c->notnull = 1;
	c->collate = gw_sql__cut(p, " collate ");
	c->type = p;
	return 0;
}

void gw_sql__create_domain(gen *g, const gw_schema_object *o)
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
		if (gw_sql__is_constraint(o->members[i])) {
			gw_sql__member_name(&name, o->members[i]);
			gw_str_printf(&s, " CONSTRAINT %s %s", name.ptr,
			              gw_sql__member_body(o->members[i]));
		}
	if (s.failed || name.failed)
		g->q->failed = 1;
	else
		gw_sql__emit(g->q, GW_SQ_TYPE, "%s", s.ptr);
	gw_str_dispose(&s);
	gw_str_dispose(&name);
	gw_sql__col_dispose(&c);
	gw_sql__comments(g, NULL, o);
}

/* 1 when a column's or attribute's type is the domain (name, or word
 * when format_type left out its schema, on the search path) or an array
 * of it (*array then set). */
static int of_domain(const char *type, const char *name, const char *word, int *array)
{
	const char *names[2] = {name, word};
	size_t i, n;

	for (i = 0; i < 2; i++) {
		n = strlen(names[i]);
		if (n && strncmp(type, names[i], n) == 0 &&
		    (!type[n] || strcmp(type + n, "[]") == 0)) {
			*array = type[n] != '\0';
			return 1;
		}
	}
	return 0;
}

/* The columns of A's tables that B keeps whose type is domain d, as
 * "TABLE\tCOLUMN-MEMBER" into out; what else uses d, which keeps it from
 * being dropped (a composite type, a domain over it, a function's
 * signature, a trigger, policy or generated column that uses such a
 * column), into *user (NULL when nothing). */
static void domain_uses(gen *g, const gw_schema_object *d, const char *word, gw_vec *out,
                        const char **user)
{
	size_t i, j, k;
	int array;

	*user = NULL;
	for (i = 0; i < gw_schema_count(g->a) && !*user; i++) {
		const gw_schema_object *o = gw_schema_get(g->a, i);
		int table = strcmp(o->kind, "table") == 0;
		size_t first = out->len;
		if (strcmp(o->kind, "function") == 0 || strcmp(o->kind, "procedure") == 0 ||
		    strcmp(o->kind, "aggregate") == 0) {
			size_t n;
			const char *r = gw_sql__returns_line(gw_sql__definition(o), &n);
			gw_str line = GW_STR_INIT;
			gw_str_put(&line, r, n);
			if (gw_sql__mentions(o->name, word, strlen(word)) ||
			    (line.ptr && gw_sql__mentions(line.ptr, word, strlen(word))))
				*user = o->name;
			gw_str_dispose(&line);
			continue;
		}
		if (strcmp(o->kind, "domain") == 0 && o != d) {
			col c;
			if (domain_parse(&c, o) == 0 && of_domain(c.type, d->name, word, &array))
				*user = o->name;
			gw_sql__col_dispose(&c);
			continue;
		}
		for (j = 0; j < o->nmembers && !*user; j++) {
			col c;
			if (!gw_sql__is_column(o->members[j]) ||
			    gw_sql__col_parse(&c, o->members[j]) < 0)
				continue;
			if (of_domain(c.type, d->name, word, &array)) {
				gw_str item = GW_STR_INIT;
				/* A view over it is made again (it uses the
				 * domain or a table changed); a partition's
				 * column follows its parent's. */
				if (strcmp(o->kind, "type") == 0 ||
				    strcmp(o->kind, "foreign_table") == 0)
					*user = o->name;
				else if (!table || gw_sql__head_member(o, "partition of "))
					;
				else if (gw_sql__find(g->b, "table", o->name)) {
					gw_str_printf(&item, "%s\t%s", o->name, o->members[j]);
					if (item.failed || gw_vec_push(out, item.ptr) < 0) {
						gw_str_dispose(&item);
						g->q->failed = 1;
					}
				}
			}
			gw_sql__col_dispose(&c);
		}
		/* ALTER COLUMN TYPE refuses a column that a trigger, a policy
		 * or a generated column uses. */
		for (k = first; k < out->len && !*user; k++) {
			const char *m = strchr(out->items[k], '\t') + 1;
			gw_str cn = GW_STR_INIT;
			gw_sql__member_name(&cn, m);
			for (j = 0; j < o->nmembers && !*user; j++) {
				const char *om = o->members[j];
				if ((gw_sql__starts(om, "trigger ") ||
				     gw_sql__starts(om, "policy ") ||
				     (gw_sql__is_column(om) &&
				      strstr(om, " generated always as ("))) &&
				    strcmp(om, m) != 0 &&
				    gw_sql__mentions(gw_sql__member_body(om), cn.ptr, cn.size))
					*user = o->name;
			}
			gw_str_dispose(&cn);
		}
	}
}

/* A domain whose collation changes: PostgreSQL has no ALTER DOMAIN for
 * it, so the domain is dropped and created again, the columns of it
 * changed to its base type before and back after (their defaults, which
 * may name the domain, dropped and set again), the views over them made
 * again. Returns 1 when done so (its comments and grants are made with
 * it), 0 when something else uses it and it cannot be dropped. */
static int recreate_domain(gen *g, const gw_schema_object *a, const gw_schema_object *b,
                           const col *ca, const col *cb)
{
	gw_vec cols = GW_VEC_INIT;
	gw_str word = GW_STR_INIT, names = GW_STR_INIT, table = GW_STR_INIT;
	const char *user = NULL;
	size_t i, k;
	int array, done = 0;

	gw_sql__rel_word(&word, a->name);
	domain_uses(g, a, word.ptr ? word.ptr : "", &cols, &user);
	if (user) {
		gw_sql__unexpressed(
		        g->q, GW_SQ_TYPE,
		        "domain %s changes its collation from %s to %s, which PostgreSQL "
		        "cannot alter, and %s uses it, so it cannot be dropped and "
		        "created again (do it by hand)",
		        b->name, ca->collate ? ca->collate : "the default",
		        cb->collate ? cb->collate : "the default", user);
		goto cleanup;
	}
	for (i = 0; i < cols.len; i++) {
		const char *item = cols.items[i], *m = strchr(item, '\t') + 1;
		gw_str cn = GW_STR_INIT;
		gw_sql__member_name(&cn, m);
		gw_str_printf(&names, "%s%.*s.%s", names.size ? ", " : "", (int)(m - item - 1),
		              item, cn.ptr);
		gw_str_dispose(&cn);
	}
	gw_sql__warn(g->q, GW_SQ_TYPE,
	             "domain %s changes its collation from %s to %s, which PostgreSQL cannot "
	             "alter: it is dropped and created again%s%s%s",
	             b->name, ca->collate ? ca->collate : "the default",
	             cb->collate ? cb->collate : "the default",
	             names.size ? ", and the columns of it (" : "", names.size ? names.ptr : "",
	             names.size ? ") are changed to its base type and back, which rebuilds their "
	                          "indexes (and rewrites their tables when the domain has "
	                          "constraints to check)"
	                        : "");
	gw_sql__add_word(g, &g->affected, a->name);
	for (k = 0; k < 2; k++) {
		if (k == 1) {
			gw_sql__emit(g->q, GW_SQ_TYPE, "DROP DOMAIN %s", a->name);
			gw_sql__create_domain(g, b);
		}
		for (i = 0; i < cols.len; i++) {
			const char *item = cols.items[i], *m = strchr(item, '\t') + 1, *mb;
			const gw_schema_object *tb;
			col c, c2;
			gw_str_clear(&table);
			gw_str_put(&table, item, (size_t)(m - item - 1));
			if (table.failed || gw_sql__col_parse(&c, m) < 0) {
				g->q->failed = 1;
				continue;
			}
			of_domain(c.type, a->name, word.ptr, &array);
			tb = gw_sql__find(g->b, "table", table.ptr);
			mb = gw_sql__member(tb, m, gw_schema__member_key(m));
			if (k == 0) {
				gw_sql__add_word(g, &g->affected, table.ptr);
				if (c.def)
					gw_sql__emit(g->q, GW_SQ_TYPE,
					             "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT",
					             table.ptr, c.name);
				gw_sql__emit(
				        g->q, GW_SQ_TYPE,
				        "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s USING %s::%s%s",
				        table.ptr, c.name, ca->type, array ? "[]" : "", c.name,
				        ca->type, array ? "[]" : "");
			} else if (mb && gw_sql__col_parse(&c2, mb) == 0) {
				/* Back to the domain where B has it (a column of
				 * another type in B is changed to it after). */
				if (of_domain(c2.type, b->name, word.ptr, &array))
					gw_sql__emit(
					        g->q, GW_SQ_TYPE,
					        "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s USING "
					        "%s::%s%s",
					        table.ptr, c.name, b->name, array ? "[]" : "",
					        c.name, b->name, array ? "[]" : "");
				if (c.def && c2.def && strcmp(c.def, c2.def) == 0)
					gw_sql__emit(
					        g->q, GW_SQ_TYPE,
					        "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s",
					        table.ptr, c.name, c2.def);
				gw_sql__col_dispose(&c2);
			}
			gw_sql__col_dispose(&c);
		}
	}
	done = 1;
cleanup:
	if (word.failed || names.failed || table.failed)
		g->q->failed = 1;
	gw_vec_dispose(&cols, free);
	gw_str_dispose(&word);
	gw_str_dispose(&names);
	gw_str_dispose(&table);
	return done;
}

int gw_sql__alter_domain(gen *g, const gw_schema_object *a, const gw_schema_object *b)
{
	gw_str name = GW_STR_INIT;
	col ca, cb;
	size_t i;
	int remade = 0;

	if (domain_parse(&ca, a) < 0) {
		g->q->failed = 1;
		return 0;
	}
	if (domain_parse(&cb, b) < 0) {
		gw_sql__col_dispose(&ca);
		g->q->failed = 1;
		return 0;
	}
	if (strcmp(ca.type, cb.type) != 0) {
		gw_sql__unexpressed(g->q, GW_SQ_TYPE,
		                    "domain %s changes its base type from %s to %s (create a new "
		                    "domain and move the columns by hand)",
		                    b->name, ca.type, cb.type);
		goto cleanup;
	}
	if (!gw_sql__streq(ca.collate, cb.collate)) {
		remade = recreate_domain(g, a, b, &ca, &cb);
		goto cleanup;
	}
	if (!gw_sql__streq(ca.def, cb.def)) {
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
		if (gw_sql__is_constraint(m) &&
		    !gw_sql__streq(gw_sql__member(b, m, gw_schema__member_key(m)), m)) {
			gw_sql__member_name(&name, m);
			gw_sql__emit(g->q, GW_SQ_DROP_CONSTRAINT,
			             "ALTER DOMAIN %s DROP CONSTRAINT %s", a->name, name.ptr);
		}
	}
	for (i = 0; i < b->nmembers; i++) {
		const char *m = b->members[i];
		if (gw_sql__is_constraint(m) &&
		    !gw_sql__streq(gw_sql__member(a, m, gw_schema__member_key(m)), m)) {
			gw_sql__member_name(&name, m);
			if (g->o->plain || gw_sql__ends(m, " NOT VALID")) {
				gw_sql__emit(g->q, GW_SQ_CONSTRAINT,
				             "ALTER DOMAIN %s ADD CONSTRAINT %s %s", b->name,
				             name.ptr, gw_sql__member_body(m));
			} else {
				gw_sql__emit(g->q, GW_SQ_CONSTRAINT,
				             "ALTER DOMAIN %s ADD CONSTRAINT %s %s NOT VALID",
				             b->name, name.ptr, gw_sql__member_body(m));
				gw_sql__emit(g->q, GW_SQ_VALIDATE,
				             "ALTER DOMAIN %s VALIDATE CONSTRAINT %s", b->name,
				             name.ptr);
			}
		}
	}
cleanup:
	gw_sql__dispose(g, &name);
	gw_sql__col_dispose(&ca);
	gw_sql__col_dispose(&cb);
	return remade;
}
