/*
 * fuzz_text.c: fuzz target for the text helpers of src/util/text.c, which
 * turn parser and validator offsets into the file:line:column of messages.
 *
 * The input is the text (not NUL-terminated, any bytes). Checked:
 * gw_utf8_check against a reference validator written from the Unicode
 * table of well-formed byte sequences; gw_text_position counts lines
 * and never goes backwards; gw_text_char_to_byte stays in bounds,
 * moves forward with the position, lands on character boundaries and, on
 * valid UTF-8, round-trips with a count of characters;
 * gw_text_skip_space_comments stays in [from, len] and stops where there is
 * nothing left to skip.
 */
#include <string.h>

#include "fuzz.h"
#include "util/text.h"

/* The length of the well-formed UTF-8 sequence at s, 0 if there is none
 * (Unicode 15, table 3-7). */
static size_t ref_seq(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] <= 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (len < 2 || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (i >= len || s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* The offset of the first ill-formed sequence, len if there is none. */
static size_t ref_first_bad(const unsigned char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if (!(n = ref_seq(s + i, len - i)))
			return i;
		i += n;
	}
	return len;
}

static int is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

static void check_utf8(const char *text, size_t len)
{
	size_t bad = (size_t)-1, want = ref_first_bad((const unsigned char *)text, len);
	int r = gw_utf8_check(text, len, &bad);

	if (want == len) {
		FUZZ_CHECK(r == 0);
	} else {
		FUZZ_CHECK(r == -1);
		FUZZ_CHECK(bad == want);
		FUZZ_CHECK(gw_utf8_check(text, bad, NULL) == 0);
	}
	/* Every prefix that ends on a sequence boundary is valid up to there. */
	FUZZ_CHECK(gw_utf8_check(text, want, NULL) == 0);
}

/* Offsets to probe: all of them for short texts, a sample otherwise, so
 * the quadratic checks stay fast. */
static size_t step_for(size_t len)
{
	return len <= 512 ? 1 : len / 256;
}

static void check_position(const char *text, size_t len)
{
	size_t at, i, step = step_for(len);
	int line, col, pline = 0, pcol = 0, lines = 1, crs = 0;
	size_t last_nl = 0; /* the offset after the last '\n' before at */

	for (at = 0, i = 0; at <= len; at += step) {
		for (; i < at; i++) {
			if (text[i] == '\n') {
				lines++;
				last_nl = i + 1;
			}
			crs += text[i] == '\r';
		}
		line = col = 0;
		gw_text_position(text, len, at, &line, &col);
		/* Every '\n' starts a line; whether a lone '\r' does is left
		 * open. */
		FUZZ_CHECK(line >= lines && line <= lines + crs);
		FUZZ_CHECK(col >= 1);
		if (line == lines)
			FUZZ_CHECK((size_t)col <= at - last_nl + 1);
		FUZZ_CHECK(line > pline || (line == pline && col >= pcol));
		pline = line;
		pcol = col;
	}
	/* Past the end is the end. */
	gw_text_position(text, len, len, &pline, &pcol);
	gw_text_position(text, len, len + 7, &line, &col);
	FUZZ_CHECK(line == pline && col == pcol);
}

static void check_char_to_byte(const char *text, size_t len, int valid)
{
	size_t prev = 0, b, chars = 0, i;
	int pos, maxpos = len <= 512 ? (int)len + 3 : 300;

	FUZZ_CHECK(gw_text_char_to_byte(text, len, 0) == 0);
	FUZZ_CHECK(gw_text_char_to_byte(text, len, -5) == 0);
	FUZZ_CHECK(gw_text_char_to_byte(text, len, 1) == 0);
	for (i = 0; i < len; i++)
		chars += !is_cont((unsigned char)text[i]);
	for (pos = 1; pos <= maxpos; pos++) {
		b = gw_text_char_to_byte(text, len, pos);
		FUZZ_CHECK(b <= len);
		FUZZ_CHECK(b >= prev);
		FUZZ_CHECK(b == 0 || b == len || !is_cont((unsigned char)text[b]));
		if (valid) {
			/* pos - 1 characters lie before it, up to the end. */
			size_t before = 0;

			for (i = 0; i < b; i++)
				before += !is_cont((unsigned char)text[i]);
			FUZZ_CHECK(before == ((size_t)pos - 1 < chars ? (size_t)pos - 1 : chars));
		}
		prev = b;
	}
	FUZZ_CHECK(gw_text_char_to_byte(text, len, 0x7fffffff) == len || len == 0);
}

static void check_skip(const char *text, size_t len)
{
	size_t from, r, step = step_for(len);

	for (from = 0; from <= len; from += step) {
		r = gw_text_skip_space_comments(text, len, from);
		FUZZ_CHECK(r >= from && r <= len);
		FUZZ_CHECK(gw_text_skip_space_comments(text, len, r) == r);
		if (r < len) {
			FUZZ_CHECK(strchr(" \t\n\r\f\v", text[r]) == NULL || text[r] == '\0');
			FUZZ_CHECK(!(text[r] == '-' && r + 1 < len && text[r + 1] == '-'));
			FUZZ_CHECK(!(text[r] == '/' && r + 1 < len && text[r + 1] == '*'));
		}
		/* What was skipped is blanks and whole comments, so the text
		 * cut at r skips to its end. */
		FUZZ_CHECK(gw_text_skip_space_comments(text, r, from) == r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy that is not NUL-terminated: the helpers take a
	 * length and must not read past it. */
	char *text = malloc(size ? size : 1);
	size_t bad;

	if (!text)
		return 0;
	if (size)
		memcpy(text, data, size);
	else
		text[0] = '\0'; /* never read, but keeps gcc's flow analysis quiet */
	check_utf8(text, size);
	check_position(text, size);
	check_char_to_byte(text, size, gw_utf8_check(text, size, &bad) == 0);
	check_skip(text, size);
	free(text);
	return 0;
}
