/*
 * pgcopy.c: the text and binary formats of COPY ... TO STDOUT, read back.
 *
 * The server writes a row as its fields separated by tabs and ended by a
 * newline, NULL as \N, and a backslash, tab, newline, carriage return,
 * backspace, form feed or vertical tab inside a value as a backslash
 * sequence. libpq hands each row over in a buffer of its own that the
 * caller frees, so the row is taken apart where it lies: no copy and no
 * allocation a row (the history of 10,000 migrations is read this way).
 * Decoding follows the server's reader (copyfromparse.c), octal and hex
 * escapes included, though the server writes neither.
 *
 * The binary format (copyto.c, and the COPY page of PostgreSQL's manual):
 * an 11-byte signature, a 32-bit flags word and an extension of a length
 * it gives, then each row as a 16-bit count of fields and each field as a
 * 32-bit length (-1: NULL) and its bytes, all integers big-endian; a count
 * of -1 ends it. The server sends the head with the first row, each row
 * as a message of its own, and the end as one.
 */
#include "drivers/pgcopy.h"

#include <stdint.h>
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

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Steps over the format's head: 0, or -1 when it is not one. */
static int binary_head(const unsigned char **p, const unsigned char *end)
{
	static const unsigned char signature[11] = "PGCOPY\n\377\r\n";
	uint32_t flags, ext;

	if (end - *p < 19 || memcmp(*p, signature, sizeof(signature)) != 0)
		return -1;
	flags = be32(*p + 11);
	ext = be32(*p + 15);
	/* Bit 16: each row begins with its OID, which no query here asks. */
	if (flags & (1u << 16) || ext > (size_t)(end - *p) - 19)
		return -1;
	*p += 19 + ext;
	return 0;
}

int gw_pgcopy_binary_split(char *msg, size_t len, int *state, const char **values, int *lengths,
                           int ncols)
{
	const unsigned char *p = (const unsigned char *)msg, *end = p + len;
	char *pending = NULL; /* where the value before still needs its '\0' */
	int n, i;

	if (*state == 0) {
		if (binary_head(&p, end) < 0)
			return -1;
		*state = 1;
	}
	if (end - p < 2)
		return -1;
	n = (int16_t)(uint16_t)(p[0] << 8 | p[1]);
	p += 2;
	if (n == -1)
		return p == end ? 1 : -1;
	if (n != ncols)
		return -1;
	for (i = 0; i < n; i++) {
		int32_t flen;

		if (end - p < 4)
			return -1;
		flen = (int32_t)be32(p);
		/* The previous value ends where this length began: read, it
		 * can take that value's '\0'. */
		if (pending)
			*pending = '\0';
		p += 4;
		if (flen == -1) {
			values[i] = NULL;
			lengths[i] = 0;
			pending = NULL;
			continue;
		}
		if (flen < 0 || flen > end - p)
			return -1;
		values[i] = (const char *)p;
		lengths[i] = flen;
		p += flen;
		pending = msg + (p - (const unsigned char *)msg);
	}
	/* The last value is followed by libpq's own '\0'. */
	return p == end ? 0 : -1;
}
