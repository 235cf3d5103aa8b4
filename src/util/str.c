/*
 * str.c: the growable string (see str.h).
 */
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char gw_str__empty[1];

static int fail(gw_str *s)
{
	s->failed = 1;
	return -1;
}

int gw_str_grow(gw_str *s, size_t want)
{
	size_t asize;
	char *p;

	if (s->failed)
		return -1;
	if (want >= GW_STR_MAX)
		return fail(s);
	if (want < s->asize)
		return 0;
	asize = s->asize ? s->asize : 64;
	while (asize <= want)
		asize += asize / 2;
	if (asize > GW_STR_MAX)
		asize = GW_STR_MAX;
	p = s->asize ? realloc(s->ptr, asize) : malloc(asize);
	if (!p)
		return fail(s);
	if (!s->asize)
		p[0] = '\0';
	s->ptr = p;
	s->asize = asize;
	return 0;
}

int gw_str_put(gw_str *s, const char *data, size_t len)
{
	if (s->failed)
		return -1;
	if (len > GW_STR_MAX - s->size - 1)
		return fail(s);
	if (gw_str_grow(s, s->size + len + 1) < 0)
		return -1;
	if (len)
		memmove(s->ptr + s->size, data, len);
	s->size += len;
	s->ptr[s->size] = '\0';
	return 0;
}

int gw_str_puts(gw_str *s, const char *text)
{
	return gw_str_put(s, text, strlen(text));
}

int gw_str_putc(gw_str *s, char c)
{
	return gw_str_put(s, &c, 1);
}

int gw_str_vprintf(gw_str *s, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	if (s->failed)
		return -1;
	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return fail(s);
	if (gw_str_grow(s, s->size + (size_t)n + 1) < 0)
		return -1;
	vsnprintf(s->ptr + s->size, (size_t)n + 1, fmt, ap);
	s->size += (size_t)n;
	return 0;
}

int gw_str_printf(gw_str *s, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = gw_str_vprintf(s, fmt, ap);
	va_end(ap);
	return error;
}

int gw_str_set(gw_str *s, const char *data, size_t len)
{
	gw_str_clear(s);
	return gw_str_put(s, data, len);
}

int gw_str_sets(gw_str *s, const char *text)
{
	return gw_str_set(s, text, strlen(text));
}

void gw_str_truncate(gw_str *s, size_t len)
{
	if (len < s->size) {
		s->size = len;
		s->ptr[len] = '\0';
	}
}

void gw_str_clear(gw_str *s)
{
	s->failed = 0;
	if (s->asize) {
		s->size = 0;
		s->ptr[0] = '\0';
	}
}

int gw_str_failed(const gw_str *s)
{
	return s->failed;
}

char *gw_str_detach(gw_str *s)
{
	char *p;

	if (s->failed) {
		gw_str_dispose(s);
		return NULL;
	}
	p = s->asize ? s->ptr : gw_strdup("");
	s->ptr = gw_str__empty;
	s->size = s->asize = 0;
	return p;
}

void gw_str_dispose(gw_str *s)
{
	if (s->asize)
		free(s->ptr);
	s->ptr = gw_str__empty;
	s->size = s->asize = 0;
	s->failed = 0;
}

char *gw_strdup(const char *s)
{
	return s ? gw_strndup(s, strlen(s)) : NULL;
}

char *gw_strndup(const char *s, size_t n)
{
	char *p;

	if (!s)
		return NULL;
	p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
