/*
 * order.c: the apply order of a migration set.
 *
 * After folder.c has read the folder, this file rejects duplicate versions,
 * resolves every @depends-on to a migration and runs a stable topological
 * sort: of the migrations whose dependencies are all placed, the one with
 * the smallest version always goes next. Without dependencies that is plain
 * version order, and a dependency only pulls what it needs forward.
 * Repeatable migrations come last, by name: their versions ("R__<name>")
 * sort after every version that starts with a digit, and nothing may depend
 * on them, so the sort never has one ready while a versioned one waits. Kahn's
 * algorithm with a binary heap keeps it O((n + e) log n) for large folders.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/error.h"
#include "../../util/fs.h"
#include "priv.h"
#include "../version.h"

/* A name a migration can be referred to by in @depends-on. */
typedef struct dep_key {
	const char *s;
	size_t len;
	size_t idx;
} dep_key;

/* The working arrays of one sort; indices are positions in version order. */
typedef struct graph {
	size_t n;
	size_t *dep_off; /* dependencies of i are targets[dep_off[i] .. dep_off[i + 1]) */
	size_t *targets;
	size_t *succ_off; /* migrations that depend on i: succ[succ_off[i] ..
	                     succ_off[i + 1]) */
	size_t *succ;
	size_t *indeg;
	size_t *heap;
	size_t nheap;
	unsigned char *placed;
} graph;

static int cmp_version(const void *a, const void *b)
{
	const gw_source_mig *x = *(gw_source_mig *const *)a;
	const gw_source_mig *y = *(gw_source_mig *const *)b;
	int c = gw_version_cmp(x->pub.version, y->pub.version);

	return c ? c : strcmp(x->pub.up_file, y->pub.up_file);
}

static int check_duplicates(gw_source_priv *sp, gw_ctx *ctx)
{
	gw_source_mig **all = sp->all;
	gw_str path = GW_STR_INIT;
	const char *va, *vb;
	size_t i;
	int error;

	for (i = 1; i < sp->pub.count; i++) {
		if (gw_version_cmp(all[i - 1]->pub.version, all[i]->pub.version))
			continue;
		va = all[i - 1]->pub.version;
		vb = all[i]->pub.version;
		/* "0006" and "6" are the same version; the short spelling
		 * is the one a reader recognises as the number. */
		error = gw_error_set(ctx, GW_EORDER,
		                     "duplicate version %s: %s and %s; give each migration its own "
		                     "version",
		                     strlen(va) <= strlen(vb) ? va : vb, all[i - 1]->pub.up_file,
		                     all[i]->pub.up_file);
		gw_path_join(&path, sp->pub.dir, all[i]->pub.up_file);
		gw_error_set_location(ctx, path.ptr, 0, 0);
		gw_str_dispose(&path);
		return error;
	}
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	const dep_key *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Each migration answers to its file name, that name without ".sql", and
 * its stem (golang-migrate: "1_x" for "1_x.up.sql"). */
static dep_key *build_keys(gw_source_priv *sp, size_t *nkeys)
{
	size_t i, n = sp->pub.count, k = 0;
	dep_key *keys = calloc(n ? n * 3 : 1, sizeof(*keys));

	if (!keys)
		return NULL;
	for (i = 0; i < n; i++) {
		const gw_source_mig *m = sp->all[i];
		/* By its name without the folder, as resolve() strips it from
		 * the target (repeatable/views.sql answers to views.sql). */
		const char *slash = strrchr(m->pub.up_file, '/');
		const char *file = slash ? slash + 1 : m->pub.up_file;
		size_t len = strlen(file);

		keys[k++] = (dep_key){file, len, i};
		keys[k++] = (dep_key){file, len - 4, i};
		keys[k++] = (dep_key){m->stem, strlen(m->stem), i};
	}
	if (k)
		qsort(keys, k, sizeof(*keys), cmp_key);
	*nkeys = k;
	return keys;
}

static int missing_error(gw_source_priv *sp, const gw_source_mig *m, size_t d, gw_ctx *ctx)
{
	gw_str path = GW_STR_INIT;
	int error;

	gw_path_join(&path, sp->pub.dir, m->pub.up_file);
	error = gw_source__file_error(ctx, GW_EORDER, path.ptr, m->pub.rare->depends_line[d], 0,
	                              "depends on %s, which does not exist",
	                              m->pub.rare->depends[d]);
	gw_error_set_hint(ctx, "fix the name in the -- @depends-on line, or add %s",
	                  m->pub.rare->depends[d]);
	gw_str_dispose(&path);
	return error;
}

/* Repeatables run after every versioned migration, in name order, so a
 * dependency on one could not be honoured. */
static int repeatable_error(gw_source_priv *sp, const gw_source_mig *m, size_t d, gw_ctx *ctx)
{
	gw_str path = GW_STR_INIT;
	int error;

	gw_path_join(&path, sp->pub.dir, m->pub.up_file);
	error = gw_source__file_error(ctx, GW_EORDER, path.ptr, m->pub.rare->depends_line[d], 0,
	                              "depends on %s, a repeatable migration; repeatables run "
	                              "after every versioned migration, in name order",
	                              m->pub.rare->depends[d]);
	gw_error_set_hint(ctx, "remove this -- @depends-on line");
	gw_str_dispose(&path);
	return error;
}

/* Fills g->targets with the migration each @depends-on names. */
static int resolve(graph *g, gw_source_priv *sp, gw_ctx *ctx)
{
	size_t i, d, nkeys = 0, e = 0;
	dep_key *keys = NULL, key, *hit;
	const char *name, *slash;
	int error = 0;

	for (i = 0; i < g->n && !error; i++) {
		gw_source_mig *m = sp->all[i];
		gw_migration_rare *r = m->pub.rare;

		g->dep_off[i] = e;
		if (!r)
			continue;
		/* Kept for the dependency graph (graph.c) once the sort is done. */
		free(r->requires);
		r->requires = NULL;
		if (r->ndepends && !(r->requires = calloc(r->ndepends, sizeof(*r->requires)))) {
			error = gw_error_oom(ctx);
			break;
		}
		/* The names are sorted for the first @depends-on line only:
		 * most folders have none. */
		if (r->ndepends && !keys && !(keys = build_keys(sp, &nkeys))) {
			error = gw_error_oom(ctx);
			break;
		}
		for (d = 0; d < r->ndepends; d++) {
			/* A path to the file works as well as its name. */
			name = r->depends[d];
			if ((slash = strrchr(name, '/')) != NULL)
				name = slash + 1;
			key = (dep_key){name, strlen(name), 0};
			if (!(hit = bsearch(&key, keys, nkeys, sizeof(*keys), cmp_key))) {
				error = missing_error(sp, m, d, ctx);
				break;
			}
			if (sp->all[hit->idx]->pub.repeatable) {
				error = repeatable_error(sp, m, d, ctx);
				break;
			}
			r->requires[d] = &sp->all[hit->idx]->pub;
			g->targets[e++] = hit->idx;
		}
	}
	g->dep_off[g->n] = e;
	free(keys);
	return error;
}

/* Inverts the dependency lists into successor lists, in CSR form. */
static void build_succ(graph *g)
{
	size_t i, e, t;

	for (i = 0; i < g->n; i++) {
		g->indeg[i] = g->dep_off[i + 1] - g->dep_off[i];
		for (e = g->dep_off[i]; e < g->dep_off[i + 1]; e++)
			g->succ_off[g->targets[e] + 1]++;
	}
	for (i = 0; i < g->n; i++)
		g->succ_off[i + 1] += g->succ_off[i];
	/* heap doubles as the fill cursor here; it is empty until the sort. */
	memcpy(g->heap, g->succ_off, g->n * sizeof(*g->heap));
	for (i = 0; i < g->n; i++) {
		for (e = g->dep_off[i]; e < g->dep_off[i + 1]; e++) {
			t = g->targets[e];
			g->succ[g->heap[t]++] = i;
		}
	}
}

static void heap_push(graph *g, size_t v)
{
	size_t i = g->nheap++, parent;

	while (i > 0 && g->heap[(parent = (i - 1) / 2)] > v) {
		g->heap[i] = g->heap[parent];
		i = parent;
	}
	g->heap[i] = v;
}

static size_t heap_pop(graph *g)
{
	size_t top = g->heap[0], last = g->heap[--g->nheap], i = 0, child;

	while ((child = 2 * i + 1) < g->nheap) {
		if (child + 1 < g->nheap && g->heap[child + 1] < g->heap[child])
			child++;
		if (g->heap[child] >= last)
			break;
		g->heap[i] = g->heap[child];
		i = child;
	}
	if (g->nheap)
		g->heap[i] = last;
	return top;
}

/* Follows unplaced dependencies from the first unplaced migration until one
 * repeats: every unplaced migration has one, so this ends on a cycle. */
static int cycle_error(graph *g, gw_source_priv *sp, gw_ctx *ctx)
{
	size_t *seen = malloc((g->n ? g->n : 1) * sizeof(*seen));
	size_t *path = malloc((g->n + 1) * sizeof(*path));
	size_t *via = malloc((g->n + 1) * sizeof(*via));
	size_t i, x = 0, len = 0, first, e, min;
	gw_str msg = GW_STR_INIT, file = GW_STR_INIT;
	int error;

	if (!seen || !path || !via) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	for (i = 0; i < g->n; i++)
		seen[i] = SIZE_MAX;
	while (x < g->n && g->placed[x])
		x++;
	while (seen[x] == SIZE_MAX) {
		seen[x] = len;
		path[len] = x;
		for (e = g->dep_off[x]; g->placed[g->targets[e]]; e++)
			;
		via[len++] = e - g->dep_off[x];
		x = g->targets[e];
	}
	/* Start the cycle at its smallest version so the message is stable. */
	first = seen[x];
	for (min = first, i = first; i < len; i++)
		if (path[i] < path[min])
			min = i;
	gw_str_puts(&msg, "dependency cycle: ");
	for (i = 0; i <= len - first; i++) {
		size_t at = first + (min - first + i) % (len - first);

		gw_str_printf(&msg, "%s%s", i ? " -> " : "", sp->all[path[at]]->pub.up_file);
	}
	if (gw_str_failed(&msg)) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	error = gw_error_set(ctx, GW_EORDER, "%s", msg.ptr);
	gw_path_join(&file, sp->pub.dir, sp->all[path[min]]->pub.up_file);
	gw_error_set_location(ctx, file.ptr, sp->all[path[min]]->pub.rare->depends_line[via[min]],
	                      0);
	gw_error_set_hint(ctx, "remove one of these -- @depends-on lines");
cleanup:
	gw_str_dispose(&msg);
	gw_str_dispose(&file);
	free(seen);
	free(path);
	free(via);
	return error;
}

static int sort(graph *g, gw_source_priv *sp, gw_ctx *ctx)
{
	size_t i, k = 0, v, e;

	for (i = 0; i < g->n; i++)
		if (!g->indeg[i])
			heap_push(g, i);
	while (g->nheap) {
		v = heap_pop(g);
		g->placed[v] = 1;
		sp->all[v]->pub.index = k;
		sp->pub.items[k++] = &sp->all[v]->pub;
		for (e = g->succ_off[v]; e < g->succ_off[v + 1]; e++)
			if (--g->indeg[g->succ[e]] == 0)
				heap_push(g, g->succ[e]);
	}
	return k < g->n ? cycle_error(g, sp, ctx) : 0;
}

static void graph_dispose(graph *g)
{
	free(g->dep_off);
	free(g->targets);
	free(g->succ_off);
	free(g->succ);
	free(g->indeg);
	free(g->heap);
	free(g->placed);
}

/* Without @depends-on lines the sort places the migrations in version
 * order, which they are in: its five arrays of a word a migration were
 * the top of a folder's load. The apply order is then the versions':
 * one array holds both (all is NULL), a word a migration less. */
static void place_in_order(gw_source_priv *sp)
{
	gw_migration **items = (gw_migration **)(void *)sp->all;
	size_t i;

	for (i = 0; i < sp->pub.count; i++) {
		gw_source_mig *m = sp->all[i];

		/* Left by an earlier sort, if any. */
		if (m->pub.rare) {
			free(m->pub.rare->requires);
			m->pub.rare->requires = NULL;
		}
		m->pub.index = i;
		items[i] = &m->pub;
	}
	sp->pub.items = items;
	sp->all = NULL;
}

int gw_source__order(gw_source_priv *sp, gw_ctx *ctx)
{
	size_t i, n = sp->pub.count, edges = 0;
	graph g;
	int error;

	memset(&g, 0, sizeof(g));
	g.n = n;
	/* The folder's bytewise order is nearly always the versions' own,
	 * each greater than the one before: one pass tells, and spares the
	 * sort and the look for duplicates. */
	for (i = 1;
	     i < n && gw_version_cmp(sp->all[i - 1]->pub.version, sp->all[i]->pub.version) < 0; i++)
		;
	if (i < n) {
		for (i = 1; i < n && cmp_version(&sp->all[i - 1], &sp->all[i]) < 0; i++)
			;
		if (i < n)
			qsort(sp->all, n, sizeof(*sp->all), cmp_version);
		if ((error = check_duplicates(sp, ctx)) < 0)
			return error;
	}
	for (i = 0; i < n; i++)
		edges += gw_migration_ndepends(&sp->all[i]->pub);
	if (!edges && n) {
		place_in_order(sp);
		return 0;
	}
	sp->pub.items = calloc(n ? n : 1, sizeof(*sp->pub.items));
	g.dep_off = calloc(n + 1, sizeof(size_t));
	g.targets = calloc(edges ? edges : 1, sizeof(size_t));
	g.succ_off = calloc(n + 1, sizeof(size_t));
	g.succ = calloc(edges ? edges : 1, sizeof(size_t));
	g.indeg = calloc(n ? n : 1, sizeof(size_t));
	g.heap = calloc(n ? n : 1, sizeof(size_t));
	g.placed = calloc(n ? n : 1, 1);
	if (!sp->pub.items || !g.dep_off || !g.targets || !g.succ_off || !g.succ || !g.indeg ||
	    !g.heap || !g.placed) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if ((error = resolve(&g, sp, ctx)) < 0)
		goto cleanup;
	build_succ(&g);
	error = sort(&g, sp, ctx);
cleanup:
	graph_dispose(&g);
	return error;
}
