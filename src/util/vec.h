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
/* Frees the array; with free_item, each item first. */
void gw_vec_dispose(gw_vec *v, void (*free_item)(void *));

#endif
