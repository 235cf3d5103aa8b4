/*
 * str.h: the one growable string type.
 *
 * A gw_str is never NULL and always NUL-terminated, so `s.ptr` can be passed
 * to any C API at any time. Growth is checked against GW_STR_MAX; a failed
 * append marks the string as failed and every later append is a no-op, so a
 * chain of appends can be checked once at the end with gw_str_failed().
 */
#ifndef GW_UTIL_STR_H
#define GW_UTIL_STR_H

#include <stdarg.h>
#include <stddef.h>

#include "godwit/common.h"

typedef struct gw_str {
	char *ptr;
	size_t size;  /* bytes used, not counting the NUL */
	size_t asize; /* bytes allocated; 0 while ptr is the shared empty string */
	int failed;   /* an append ran out of memory or hit the cap */
} gw_str;

extern char gw_str__empty[];

#define GW_STR_INIT                                                                                \
	{                                                                                          \
		gw_str__empty, 0, 0, 0                                                             \
	}
/* No string grows past this: a migration file over it is refused. */
#define GW_STR_MAX ((size_t)1 << 30)

int gw_str_grow(gw_str *s, size_t want);
int gw_str_put(gw_str *s, const char *data, size_t len);
int gw_str_puts(gw_str *s, const char *text);
int gw_str_putc(gw_str *s, char c);
int gw_str_printf(gw_str *s, const char *fmt, ...) GW_FORMAT_PRINTF(2, 3);
int gw_str_vprintf(gw_str *s, const char *fmt, va_list ap) GW_FORMAT_PRINTF(2, 0);
/* Replaces the content. */
int gw_str_set(gw_str *s, const char *data, size_t len);
int gw_str_sets(gw_str *s, const char *text);
void gw_str_truncate(gw_str *s, size_t len);
void gw_str_clear(gw_str *s);
int gw_str_failed(const gw_str *s);
/* Hands the buffer to the caller (malloc'd, free() it); the string is
 * reset. Returns NULL if the string had failed. */
char *gw_str_detach(gw_str *s);
void gw_str_dispose(gw_str *s);

/* strdup that accepts NULL. */
char *gw_strdup(const char *s);
char *gw_strndup(const char *s, size_t n);

#endif
