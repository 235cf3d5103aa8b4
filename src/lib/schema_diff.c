/*
 * schema_diff.c: what differs between two snapshots, object by object and
 * member by member, and its readable text.
 *
 * Objects pair up by kind and name, members by their key ("column email",
 * "definition"), so a change reads as "table public.t: column c: int →
 * bigint" rather than as two unrelated lines of a line diff. Columns are
 * also compared by position, unless the snapshots were taken with
 * ignore_column_order: "table public.t: column order changed: a, b → b, a".
 */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/vec.h"

struct gw_schema_diff {
	gw_schema_difference *items;
	size_t count, cap;
	gw_vec owned; /* every string and array the items point to */
	int failed;
};

void gw_schema_diff_free(gw_schema_diff *d)
{
	if (!d)
		return;
	gw_vec_dispose(&d->owned, free);
	free(d->items);
	free(d);
}

/* Keeps p for gw_schema_diff_free; NULL (and failed) when p is NULL. */
static void *own(gw_schema_diff *d, void *p)
{
	if (!p || gw_vec_push(&d->owned, p) < 0) {
		free(p);
		d->failed = 1;
		return NULL;
	}
	return p;
}

size_t gw_schema_diff_count(const gw_schema_diff *d)
{
	return d->count;
}

const gw_schema_difference *gw_schema_diff_get(const gw_schema_diff *d, size_t i)
{
	return i < d->count ? &d->items[i] : NULL;
}

/* ---- pairing ------------------------------------------------------------- */

static int cmp_object(const void *x, const void *y)
{
	const gw_schema_object *a = *(const gw_schema_object *const *)x;
	const gw_schema_object *b = *(const gw_schema_object *const *)y;
	int c = strcmp(a->kind, b->kind);

	return c ? c : strcmp(a->name, b->name);
}

static int cmp_key(const char *a, const char *b)
{
	size_t la = gw_schema__member_key(a), lb = gw_schema__member_key(b);
	int c = strncmp(a, b, la < lb ? la : lb);

	if (c)
		return c;
	return la < lb ? -1 : la > lb;
}

static int cmp_member(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;
	int c = cmp_key(a, b);

	return c ? c : strcmp(a, b);
}

/* A sorted copy of an array of pointers. */
static const void **sorted(const void *const *items, size_t n,
                           int (*cmp)(const void *, const void *))
{
	const void **out = calloc(n ? n : 1, sizeof(*out));

	if (!out)
		return NULL;
	if (n)
		memcpy(out, items, n * sizeof(*out));
	if (n > 1)
		qsort(out, n, sizeof(*out), cmp);
	return out;
}

typedef struct changes {
	gw_schema_diff *d;
	gw_schema_member_change *items;
	size_t count, cap;
	int failed;
} changes;

static void add_change(changes *c, gw_schema_change kind, const char *a, const char *b)
{
	const char *any = a ? a : b;
	gw_schema_member_change *ch;

	if (!(ch = gw_grow(c->items, &c->cap, c->count, sizeof(*ch)))) {
		c->failed = 1;
		return;
	}
	c->items = ch;
	ch = &c->items[c->count++];
	ch->change = kind;
	ch->key = own(c->d, gw_strndup(any, gw_schema__member_key(any)));
	ch->a = a ? own(c->d, gw_strdup(a)) : NULL;
	ch->b = b ? own(c->d, gw_strdup(b)) : NULL;
}

static int compare_members(changes *c, const gw_schema_object *a, const gw_schema_object *b)
{
	const char **ma =
	        (const char **)sorted((const void *const *)a->members, a->nmembers, cmp_member);
	const char **mb =
	        (const char **)sorted((const void *const *)b->members, b->nmembers, cmp_member);
	size_t i = 0, j = 0;
	int k;

	if (!ma || !mb) {
		c->failed = 1;
		goto cleanup;
	}
	while (i < a->nmembers || j < b->nmembers) {
		if (i == a->nmembers)
			k = 1;
		else if (j == b->nmembers)
			k = -1;
		else
			k = cmp_key(ma[i], mb[j]);
		if (k < 0) {
			add_change(c, GW_SCHEMA_MISSING, ma[i++], NULL);
		} else if (k > 0) {
			add_change(c, GW_SCHEMA_EXTRA, NULL, mb[j++]);
		} else {
			if (strcmp(ma[i], mb[j]) != 0)
				add_change(c, GW_SCHEMA_CHANGED, ma[i], mb[j]);
			i++;
			j++;
		}
	}
cleanup:
	free(ma);
	free(mb);
	return c->failed || c->d->failed ? GW_ENOMEM : 0;
}

static int push(gw_schema_diff *d, gw_schema_change change, const gw_schema_object *o, changes *c)
{
	gw_schema_difference *e;

	if (!(e = gw_grow(d->items, &d->cap, d->count, sizeof(*e))))
		return GW_ENOMEM;
	d->items = e;
	e = &d->items[d->count++];
	memset(e, 0, sizeof(*e));
	e->change = change;
	e->kind = own(d, gw_strdup(o->kind));
	e->name = own(d, gw_strdup(o->name));
	if (c) {
		e->changes = own(d, c->items);
		e->nchanges = c->count;
		c->items = NULL;
		c->count = c->cap = 0;
	}
	return d->failed ? GW_ENOMEM : 0;
}

/* 1 when the member is a column ("column" or "attribute": word). */
static int is_column(const char *member, const char *word)
{
	size_t len = strlen(word);

	return strncmp(member, word, len) == 0 && member[len] == ' ' &&
	       gw_schema__member_key(member) > len + 1;
}

/* 1 when o has a column keyed like member (same word and name). */
static int has_column(const gw_schema_object *o, const char *member)
{
	size_t i, len = gw_schema__member_key(member);

	for (i = 0; i < o->nmembers; i++)
		if (gw_schema__member_key(o->members[i]) == len &&
		    strncmp(o->members[i], member, len) == 0)
			return 1;
	return 0;
}

/* The next column of o, from *at on, that other has too; NULL at the end. */
static const char *next_shared(const gw_schema_object *o, const gw_schema_object *other,
                               const char *word, size_t *at)
{
	for (; *at < o->nmembers; (*at)++)
		if (is_column(o->members[*at], word) && has_column(other, o->members[*at]))
			return o->members[(*at)++];
	return NULL;
}

/* "column order id, email, name": every column of o in its order. */
static char *order_text(const gw_schema_object *o, const char *word)
{
	gw_str t = GW_STR_INIT;
	size_t i, len = strlen(word), n = 0;

	gw_str_printf(&t, "%s order ", word);
	for (i = 0; i < o->nmembers; i++) {
		if (!is_column(o->members[i], word))
			continue;
		gw_str_printf(&t, "%s%.*s", n++ ? ", " : "",
		              (int)(gw_schema__member_key(o->members[i]) - len - 1),
		              o->members[i] + len + 1);
	}
	return gw_str_detach(&t);
}

/* Members are in position order (a snapshot sorts columns by their
 * number, a file keeps its order): the columns both objects have must
 * come in the same order, or a down that drops and re-adds a column at
 * the end would pass for a perfect undo. */
static void compare_order(changes *c, const gw_schema_object *a, const gw_schema_object *b,
                          const char *word)
{
	size_t i = 0, j = 0;
	const char *x, *y;
	char *ta, *tb;

	for (;;) {
		x = next_shared(a, b, word, &i);
		y = next_shared(b, a, word, &j);
		if (!x || !y)
			return;
		if (gw_schema__member_key(x) != gw_schema__member_key(y) ||
		    strncmp(x, y, gw_schema__member_key(x)) != 0)
			break;
	}
	ta = order_text(a, word);
	tb = order_text(b, word);
	if (ta && tb)
		add_change(c, GW_SCHEMA_CHANGED, ta, tb);
	else
		c->failed = 1;
	free(ta);
	free(tb);
}

static int compare_objects(gw_schema_diff *d, const gw_schema_object *a, const gw_schema_object *b,
                           int order)
{
	changes c = {d, NULL, 0, 0, 0};
	int error = compare_members(&c, a, b);

	if (error == 0 && order) {
		compare_order(&c, a, b, "column");
		compare_order(&c, a, b, "attribute");
		if (c.failed)
			error = GW_ENOMEM;
	}

	if (error == 0 && c.count > 0)
		error = push(d, GW_SCHEMA_CHANGED, a, &c);
	free(c.items);
	return error;
}

static const gw_schema_object **objects(const gw_schema *s)
{
	const gw_schema_object **list = calloc(s->count ? s->count : 1, sizeof(*list));
	size_t i;

	if (!list)
		return NULL;
	for (i = 0; i < s->count; i++)
		list[i] = &s->pub[i];
	if (s->count > 1)
		qsort(list, s->count, sizeof(*list), cmp_object);
	return list;
}

int gw_schema_diff_compute(gw_schema_diff **out, const gw_schema *a, const gw_schema *b)
{
	return gw_schema_diff_compute_with(out, a, b, NULL);
}

int gw_schema_diff_compute_with(gw_schema_diff **out, const gw_schema *a, const gw_schema *b,
                                const gw_schema_options *opts)
{
	int order = !opts || !opts->ignore_column_order;
	gw_schema_diff *d = calloc(1, sizeof(*d));
	const gw_schema_object **oa = objects(a), **ob = objects(b);
	size_t i = 0, j = 0;
	int k, error = GW_ENOMEM;

	*out = NULL;
	if (!d || !oa || !ob)
		goto cleanup;
	error = 0;
	while (error == 0 && (i < a->count || j < b->count)) {
		if (i == a->count)
			k = 1;
		else if (j == b->count)
			k = -1;
		else
			k = cmp_object(&oa[i], &ob[j]);
		if (k < 0)
			error = push(d, GW_SCHEMA_MISSING, oa[i++], NULL);
		else if (k > 0)
			error = push(d, GW_SCHEMA_EXTRA, ob[j++], NULL);
		else
			error = compare_objects(d, oa[i++], ob[j++], order);
	}
	if (error == 0) {
		*out = d;
		d = NULL;
	}
cleanup:
	gw_schema_diff_free(d);
	free(oa);
	free(ob);
	return error;
}

/* ---- text -------------------------------------------------------------- */

/* What follows the key: "text not null" of "column email text not null". */
static const char *rest(const char *member, const char *key)
{
	const char *r = member + strlen(key);

	return *r == ' ' ? r + 1 : r;
}

static size_t count_lines(const char *s, const char ***lines)
{
	size_t n = 1, i = 0;
	const char *p;

	for (p = s; *p; p++)
		n += *p == '\n';
	if (!(*lines = calloc(n, sizeof(**lines))))
		return 0;
	(*lines)[i++] = s;
	for (p = s; *p; p++)
		if (*p == '\n')
			(*lines)[i++] = p + 1;
	return n;
}

static size_t line_len(const char *l)
{
	return strcspn(l, "\n");
}

static int same_line(const char *x, const char *y)
{
	size_t lx = line_len(x), ly = line_len(y);

	return lx == ly && memcmp(x, y, lx) == 0;
}

/* A definition that spans lines: the lines between the common head and
 * tail, "-" for A's and "+" for B's. */
static void put_lines(gw_str *t, const char *a, const char *b)
{
	const char **la = NULL, **lb = NULL;
	size_t na = count_lines(a, &la), nb = count_lines(b, &lb), head = 0, tail = 0, i;

	if (!na || !nb) {
		t->failed = 1;
		goto cleanup;
	}
	while (head < na && head < nb && same_line(la[head], lb[head]))
		head++;
	while (tail < na - head && tail < nb - head &&
	       same_line(la[na - 1 - tail], lb[nb - 1 - tail]))
		tail++;
	for (i = head; i < na - tail; i++)
		gw_str_printf(t, "  - %.*s\n", (int)line_len(la[i]), la[i]);
	for (i = head; i < nb - tail; i++)
		gw_str_printf(t, "  + %.*s\n", (int)line_len(lb[i]), lb[i]);
cleanup:
	free(la);
	free(lb);
}

static int is_order(const char *key)
{
	return strcmp(key, "column order") == 0 || strcmp(key, "attribute order") == 0;
}

static void put_change(gw_str *t, const gw_schema_difference *d, const gw_schema_member_change *c)
{
	gw_str_printf(t, "%s %s: %s", d->kind, d->name, c->key);
	if (c->change == GW_SCHEMA_MISSING) {
		gw_str_puts(t, " missing\n");
	} else if (c->change == GW_SCHEMA_EXTRA) {
		gw_str_puts(t, " extra\n");
	} else if (is_order(c->key)) {
		gw_str_printf(t, " changed: %s \xe2\x86\x92 %s\n", rest(c->a, c->key),
		              rest(c->b, c->key));
	} else if (!strchr(c->a, '\n') && !strchr(c->b, '\n')) {
		gw_str_printf(t, ": %s \xe2\x86\x92 %s\n",
		              *rest(c->a, c->key) ? rest(c->a, c->key) : "(none)",
		              *rest(c->b, c->key) ? rest(c->b, c->key) : "(none)");
	} else {
		gw_str_puts(t, " changed\n");
		put_lines(t, c->a, c->b);
	}
}

int gw_schema_diff_text(char **out, const gw_schema_diff *d)
{
	gw_str t = GW_STR_INIT;
	size_t i, j;

	*out = NULL;
	for (i = 0; i < d->count; i++) {
		const gw_schema_difference *e = &d->items[i];
		if (e->change == GW_SCHEMA_MISSING)
			gw_str_printf(&t, "%s %s missing\n", e->kind, e->name);
		else if (e->change == GW_SCHEMA_EXTRA)
			gw_str_printf(&t, "%s %s extra\n", e->kind, e->name);
		for (j = 0; j < e->nchanges; j++)
			put_change(&t, e, &e->changes[j]);
	}
	if (!(*out = gw_str_detach(&t)))
		return GW_ENOMEM;
	return 0;
}
