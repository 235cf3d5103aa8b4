/*
 * text.h: positions in text: UTF-8 checks, byte offset to line and column,
 * and PostgreSQL's character positions to byte offsets.
 */
#ifndef GW_UTIL_TEXT_H
#define GW_UTIL_TEXT_H

#include <stddef.h>

#include "str.h"

/* ASCII character classes, the same in every locale (ctype.h's are not,
 * and take an int that must not be a negative char). */
static inline int gw_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* An ASCII letter, either case. */
static inline int gw_is_alpha(char c)
{
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'z';
}

static inline int gw_is_alnum(char c)
{
	return gw_is_alpha(c) || gw_is_digit(c);
}

/* An environment variable's name, as POSIX shells take it:
 * [A-Za-z_][A-Za-z0-9_]*. */
static inline int gw_is_name_start(char c)
{
	return gw_is_alpha(c) || c == '_';
}

static inline int gw_is_name_char(char c)
{
	return gw_is_alnum(c) || c == '_';
}

/* White space as C's isspace in the C locale and PostgreSQL's scanner
 * know it: space, tab, LF, CR, form feed, vertical tab. */
static inline int gw_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Blanks within a line: space, tab, CR, form feed, vertical tab. */
static inline int gw_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Space or tab only, where a format allows no other blank (sqitch.plan). */
static inline int gw_is_space_or_tab(char c)
{
	return c == ' ' || c == '\t';
}

/* Drops a leading UTF-8 byte-order mark from text (Windows editors write
 * one; it is no part of the SQL): 1 when there was one, else 0. */
int gw_text_drop_bom(gw_str *text);

/* 0 when text is valid UTF-8; otherwise -1 and *bad the offset of the
 * first byte that is not. */
int gw_utf8_check(const char *text, size_t len, size_t *bad);

/* Whether text holds word, ASCII letters compared without case. */
int gw_text_has_nocase(const char *text, size_t len, const char *word);

/* 1-based line and column (in characters) of byte offset `at` in text. */
void gw_text_position(const char *text, size_t len, size_t at, int *line, int *column);

/* The byte offset of the 1-based character position pos (as PostgreSQL
 * reports error positions) in text; clamped to len. */
size_t gw_text_char_to_byte(const char *text, size_t len, int pos);

/* The byte offset of the first character that is neither whitespace nor
 * part of a -- or block comment, starting at `from`, by PostgreSQL's rules
 * (block comments nest; a -- comment ends at LF or CR). */
size_t gw_text_skip_space_comments(const char *text, size_t len, size_t from);
/* The same by SQLite's rules: block comments do not nest, and a -- comment
 * ends at LF only. */
size_t gw_text_skip_space_comments_sqlite(const char *text, size_t len, size_t from);

#endif
