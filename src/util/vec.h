/*
 * vec.h: a growable array of pointers.
 */
#ifndef GW_UTIL_VEC_H
#define GW_UTIL_VEC_H

#include <stddef.h>

typedef struct gw_vec {
	void **items;
	size_t len;
	size_t cap;
} gw_vec;

#define GW_VEC_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

int gw_vec_push(gw_vec *v, void *item);

/* Room for one more element in a typed growable array: `items` (count
 * used, *cap allocated, elements of `size` bytes) as it is when there is
 * room, else reallocated to twice the capacity (16 at first) with *cap
 * updated. NULL when out of memory, with the array and *cap untouched. */
void *gw_grow(void *items, size_t *cap, size_t count, size_t size);
/* Frees the array; with free_item, each item first. */
void gw_vec_dispose(gw_vec *v, void (*free_item)(void *));

#endif
