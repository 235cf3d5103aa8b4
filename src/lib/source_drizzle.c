/*
 * source_drizzle.c: drizzle-kit's journal (see docs/formats.md).
 *
 * drizzle-kit keeps meta/_journal.json next to its "0000_name.sql" files;
 * its entries[] list each migration's "tag" (the file name without .sql)
 * in apply order. The library does not link a JSON parser, and only the
 * tags matter, so this reads every "tag": "..." pair in the order of
 * appearance, which is the journal's order. A tag with escapes is refused
 * rather than guessed at: drizzle-kit never writes one.
 */
#include <stdlib.h>
#include <string.h>

#include "source_priv.h"
#include "../util/str.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The next "\"tag\"" at or after p, or len. */
static size_t find_key(const char *text, size_t len, size_t p)
{
	static const char key[] = "\"tag\"";
	const char *q;

	while (p + sizeof(key) - 1 <= len) {
		if (!(q = memchr(text + p, '"', len - p)))
			break;
		p = (size_t)(q - text);
		if (p + sizeof(key) - 1 <= len && !memcmp(text + p, key, sizeof(key) - 1))
			return p;
		p++;
	}
	return len;
}

/* After the key "tag" at p: the start and end of its string value, or -1
 * with *bad set. 0 when the "tag" was not a key after all. */
static int tag_value(const char *text, size_t len, size_t p, size_t *start, size_t *end,
                     size_t *bad)
{
	while (p < len && is_space(text[p]))
		p++;
	if (p >= len || text[p] != ':')
		return 0;
	p++;
	while (p < len && is_space(text[p]))
		p++;
	*bad = p;
	if (p >= len || text[p] != '"')
		return -1;
	*start = ++p;
	while (p < len && text[p] != '"') {
		if (text[p] == '\\' || (unsigned char)text[p] < 0x20)
			return -1;
		p++;
	}
	if (p >= len || p == *start)
		return -1;
	*end = p;
	return 1;
}

int gw_source__drizzle_tags(gw_vec *out, const char *text, size_t len, size_t *bad)
{
	size_t p = 0, start = 0, end = 0;
	char *tag;
	int r;

	*bad = len + 1;
	while ((p = find_key(text, len, p)) < len) {
		p += 5;
		if ((r = tag_value(text, len, p, &start, &end, bad)) < 0)
			return -1;
		if (!r)
			continue;
		if (!(tag = gw_strndup(text + start, end - start)) || gw_vec_push(out, tag) < 0) {
			free(tag);
			*bad = len + 1;
			return -1;
		}
		p = end + 1;
	}
	return 0;
}
