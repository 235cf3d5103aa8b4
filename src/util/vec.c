/*
 * vec.c: the growable pointer array (see vec.h).
 */
#include "vec.h"

#include <stdint.h>
#include <stdlib.h>

void *gw_grow(void *items, size_t *cap, size_t count, size_t size)
{
	size_t n = *cap ? *cap * 2 : 16;
	void *more;

	if (count < *cap)
		return items;
	if (n > SIZE_MAX / size || !(more = realloc(items, n * size)))
		return NULL;
	*cap = n;
	return more;
}

int gw_vec_push(gw_vec *v, void *item)
{
	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void **items;

		if (cap > SIZE_MAX / sizeof(*items))
			return -1;
		items = realloc(v->items, cap * sizeof(*items));
		if (!items)
			return -1;
		v->items = items;
		v->cap = cap;
	}
	v->items[v->len++] = item;
	return 0;
}

void gw_vec_dispose(gw_vec *v, void (*free_item)(void *))
{
	size_t i;

	if (free_item)
		for (i = 0; i < v->len; i++)
			free_item(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->len = v->cap = 0;
}
