/*
 * text.c: UTF-8 checks and positions in text, so errors can point at the
 * exact line and column of a migration file.
 */
#include "text.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Length of the UTF-8 sequence starting at s (at most len bytes), or 0 if
 * it is not a valid, shortest-form sequence. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int gw_utf8_check(const char *text, size_t len, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n;
	uint64_t w;

	while (i < len) {
		/* Eight ASCII bytes at a time, as most SQL is: every migration
		 * file loaded is checked. */
		if (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if (!(w & 0x8080808080808080ull)) {
				i += 8;
				continue;
			}
		}
		n = utf8_seq(s + i, len - i);
		if (!n) {
			if (bad)
				*bad = i;
			return -1;
		}
		i += n;
	}
	return 0;
}

static int is_continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

void gw_text_position(const char *text, size_t len, size_t at, int *line, int *column)
{
	size_t i;
	int l = 1, c = 1;

	if (at > len)
		at = len;
	for (i = 0; i < at; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n') {
			continue;
		} else if (!is_continuation(text[i])) {
			c++;
		}
	}
	*line = l;
	*column = c;
}

size_t gw_text_char_to_byte(const char *text, size_t len, int pos)
{
	size_t i = 0;
	int chars = 1;

	while (i < len && chars < pos) {
		i++;
		while (i < len && is_continuation(text[i]))
			i++;
		chars++;
	}
	return i;
}

static size_t skip_block_comment(const char *text, size_t len, size_t i)
{
	int depth = 0;

	/* PostgreSQL block comments nest. */
	while (i + 1 < len) {
		if (text[i] == '/' && text[i + 1] == '*') {
			depth++;
			i += 2;
		} else if (text[i] == '*' && text[i + 1] == '/') {
			i += 2;
			if (--depth == 0)
				return i;
		} else {
			i++;
		}
	}
	return len;
}

/* SQLite's block comments do not nest, and end at the first star-slash. */
static size_t skip_flat_comment(const char *text, size_t len, size_t i)
{
	for (i += 2; i + 1 < len; i++)
		if (text[i] == '*' && text[i + 1] == '/')
			return i + 2;
	return len;
}

static size_t skip_space_comments(const char *text, size_t len, size_t from, int sqlite)
{
	size_t i = from;

	while (i < len) {
		char c = text[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			i++;
		} else if (c == '-' && i + 1 < len && text[i + 1] == '-') {
			/* PostgreSQL's scanner ends a -- comment at CR as well
			 * as at LF; SQLite's only at LF. */
			while (i < len && text[i] != '\n' && (sqlite || text[i] != '\r'))
				i++;
		} else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			i = sqlite ? skip_flat_comment(text, len, i)
			           : skip_block_comment(text, len, i);
		} else {
			break;
		}
	}
	return i;
}

int gw_text_has_nocase(const char *text, size_t len, const char *word)
{
	size_t n = strlen(word), i;
	char lower, upper;

	if (n == 0)
		return 1;
	if (n > len)
		return 0;
	/* The runner asks this of every migration's text: the first letter
	 * is compared alone before the whole word is. */
	lower = (char)tolower((unsigned char)word[0]);
	upper = (char)toupper((unsigned char)word[0]);
	for (i = 0; i <= len - n; i++)
		if ((text[i] == lower || text[i] == upper) && !strncasecmp(text + i, word, n))
			return 1;
	return 0;
}

size_t gw_text_skip_space_comments(const char *text, size_t len, size_t from)
{
	return skip_space_comments(text, len, from, 0);
}

size_t gw_text_skip_space_comments_sqlite(const char *text, size_t len, size_t from)
{
	return skip_space_comments(text, len, from, 1);
}

int gw_text_drop_bom(gw_str *text)
{
	if (text->size < 3 || memcmp(text->ptr, "\xef\xbb\xbf", 3))
		return 0;
	memmove(text->ptr, text->ptr + 3, text->size - 3);
	gw_str_truncate(text, text->size - 3);
	return 1;
}
