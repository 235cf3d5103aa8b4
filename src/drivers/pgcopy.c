/*
 * pgcopy.c: the text format of COPY ... TO STDOUT, read back.
 *
 * The server writes a row as its fields separated by tabs and ended by a
 * newline, NULL as \N, and a backslash, tab, newline, carriage return,
 * backspace, form feed or vertical tab inside a value as a backslash
 * sequence. libpq hands each row over in a buffer of its own that the
 * caller frees, so the row is taken apart where it lies: no copy and no
 * allocation a row (the history of 10,000 migrations is read this way).
 * Decoding follows the server's reader (copyfromparse.c), octal and hex
 * escapes included, though the server writes neither.
 */
#include "drivers/pgcopy.h"

#include <string.h>

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Undoes the backslash sequences of s[0..end) in place, from the first
 * backslash at bs; returns the decoded text's end. */
static char *unescape(char *bs, const char *end)
{
	char *out = bs, *in = bs;

	while (in < end) {
		char c = *in++;

		if (c != '\\' || in == end) {
			*out++ = c;
			continue;
		}
		c = *in++;
		if (c >= '0' && c <= '7') {
			int v = c - '0';

			if (in < end && *in >= '0' && *in <= '7') {
				v = v * 8 + (*in++ - '0');
				if (in < end && *in >= '0' && *in <= '7')
					v = v * 8 + (*in++ - '0');
			}
			c = (char)(v & 0xff);
		} else if (c == 'x' && in < end && hex_value(*in) >= 0) {
			int v = hex_value(*in++);

			if (in < end && hex_value(*in) >= 0)
				v = v * 16 + hex_value(*in++);
			c = (char)v;
		} else {
			switch (c) {
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'v':
				c = '\v';
				break;
			default:
				break; /* the character itself: \\, or any other */
			}
		}
		*out++ = c;
	}
	return out;
}

int gw_pgcopy_split(char *row, size_t len, const char **values, int ncols)
{
	char *p = row, *end = row + len, *next_bs;
	int n = 0;

	if (len == 0 || row[len - 1] != '\n' || ncols < 1)
		return -1;
	end--;
	/* The next backslash of the row, found once: most rows have none,
	 * and a search a field was half the cost of splitting a row. */
	next_bs = memchr(p, '\\', (size_t)(end - p));
	for (;;) {
		char *tab = memchr(p, '\t', (size_t)(end - p));
		char *stop = tab ? tab : end;

		if (n == ncols)
			return -1;
		if (next_bs && next_bs < p) /* behind: look again from here */
			next_bs = memchr(p, '\\', (size_t)(end - p));
		if (stop - p == 2 && p[0] == '\\' && p[1] == 'N') {
			values[n++] = NULL;
		} else {
			*(next_bs && next_bs < stop ? unescape(next_bs, stop) : stop) = '\0';
			values[n++] = p;
		}
		if (!tab)
			break;
		p = tab + 1;
	}
	return n == ncols ? 0 : -1;
}
