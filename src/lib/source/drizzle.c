/*
 * drizzle.c: drizzle-kit's journal (see docs/formats.md).
 *
 * drizzle-kit keeps meta/_journal.json next to its "0000_name.sql" files;
 * its entries[] list each migration's "tag" (the file name without .sql)
 * in apply order. The library does not link a JSON parser, and only the
 * tags matter, so this reads every "tag": "..." pair in the order of
 * appearance, which is the journal's order. A tag with escapes is refused
 * rather than guessed at: drizzle-kit never writes one.
 *
 * `godwit adopt --from drizzle` also needs each entry's "when" (the
 * folderMillis drizzle-orm's migrator stores as created_at): it is read
 * from the same entry object as the tag, the text between the '{' before
 * the tag and the '}' after it. drizzle-kit's entries hold no nested
 * objects and no braces in their strings.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "priv.h"
#include "../../util/error.h"
#include "../../util/fs.h"
#include "../../util/str.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The next key (quotes included, e.g. "\"tag\"") at or after p, or len. */
static size_t find_key_of(const char *text, size_t len, size_t p, const char *key)
{
	size_t klen = strlen(key);
	const char *q;

	while (p + klen <= len) {
		if (!(q = memchr(text + p, '"', len - p)))
			break;
		p = (size_t)(q - text);
		if (p + klen <= len && !memcmp(text + p, key, klen))
			return p;
		p++;
	}
	return len;
}

static size_t find_key(const char *text, size_t len, size_t p)
{
	return find_key_of(text, len, p, "\"tag\"");
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

/* The digits of the "when" between from and to (one entry object): start
 * and length, or -1. */
static int when_value(const char *text, size_t from, size_t to, size_t *start, size_t *n)
{
	size_t p = find_key_of(text, to, from, "\"when\"");

	if (p >= to)
		return -1;
	for (p += 6; p < to && is_space(text[p]); p++)
		;
	if (p >= to || text[p] != ':')
		return -1;
	for (p++; p < to && is_space(text[p]); p++)
		;
	*start = p;
	while (p < to && text[p] >= '0' && text[p] <= '9')
		p++;
	*n = p - *start;
	return *n ? 0 : -1;
}

/* Pushes a copy of text[start, start + n) onto out. */
static int push_copy(gw_vec *out, const char *text, size_t start, size_t n)
{
	char *s = gw_strndup(text + start, n);

	if (!s || gw_vec_push(out, s) < 0) {
		free(s);
		return -1;
	}
	return 0;
}

int gw_source__drizzle_whens(gw_vec *out, const char *text, size_t len, size_t *bad)
{
	size_t p = 0, key, start = 0, end = 0, open, close, w = 0, n = 0;
	int r;

	*bad = len + 1;
	while ((key = p = find_key(text, len, p)) < len) {
		if ((r = tag_value(text, len, p + 5, &start, &end, bad)) < 0)
			return -1;
		p = r ? end + 1 : p + 5;
		if (!r)
			continue;
		for (open = key; open > 0 && text[open] != '{'; open--)
			;
		for (close = end; close < len && text[close] != '}'; close++)
			;
		if (when_value(text, open, close, &w, &n) < 0) {
			*bad = key;
			return -1;
		}
		if (push_copy(out, text, start, end - start) < 0 ||
		    push_copy(out, text, w, n) < 0) {
			*bad = len + 1;
			return -1;
		}
	}
	return 0;
}

/* The offset of the ']' closing the "entries" array, or len. Strings are
 * skipped so a bracket in a tag does not count. */
static size_t entries_end(const char *text, size_t len)
{
	static const char key[] = "\"entries\"";
	const char *at = NULL;
	size_t p, depth = 0;

	for (p = 0; p + sizeof(key) - 1 <= len && !at; p++)
		if (!memcmp(text + p, key, sizeof(key) - 1))
			at = text + p;
	if (!at || !(at = memchr(at, '[', len - (size_t)(at - text))))
		return len;
	for (p = (size_t)(at - text); p < len; p++) {
		if (text[p] == '"') {
			for (p++; p < len && text[p] != '"'; p++)
				p += text[p] == '\\';
		} else if (text[p] == '[') {
			depth++;
		} else if (text[p] == ']' && --depth == 0) {
			return p;
		}
	}
	return len;
}

/* The "version" of the last entry (drizzle-kit's snapshot version), so a
 * new entry says the same; "7" when there is none. */
static void last_version(char out[16], const char *text, size_t close)
{
	static const char key[] = "\"version\"";
	size_t p = close, start, n;

	strcpy(out, "7");
	while (p-- > 0) {
		if (p + sizeof(key) - 1 > close || memcmp(text + p, key, sizeof(key) - 1))
			continue;
		start = p + sizeof(key) - 1;
		while (start < close && (is_space(text[start]) || text[start] == ':'))
			start++;
		if (start >= close || text[start++] != '"')
			return;
		for (n = 0; start + n < close && n < 15 && text[start + n] >= '0' &&
		            text[start + n] <= '9';
		     n++)
			;
		if (n && text[start + n] == '"') {
			memcpy(out, text + start, n);
			out[n] = '\0';
		}
		return;
	}
}

int gw_source__drizzle_append(gw_str *out, const char *text, size_t len, const char *tag,
                              long long when)
{
	size_t close = entries_end(text, len), last = close, idx = 0, bad, i;
	gw_vec pairs = GW_VEC_INIT;
	long long prev;
	char version[16];

	if (close == len || gw_source__drizzle_whens(&pairs, text, len, &bad) < 0) {
		gw_vec_dispose(&pairs, free);
		return -1;
	}
	/* Each entry is later than the one before, as drizzle-kit writes
	 * them; "idx" counts from 0. */
	for (i = 1; i < pairs.len; i += 2, idx++)
		if ((prev = strtoll(pairs.items[i], NULL, 10)) >= when)
			when = prev + 1;
	gw_vec_dispose(&pairs, free);
	last_version(version, text, close);
	while (last > 0 && is_space(text[last - 1]))
		last--;
	gw_str_put(out, text, last);
	gw_str_printf(
	        out,
	        "%s\n    {\n      \"idx\": %zu,\n      \"version\": \"%s\",\n      "
	        "\"when\": %lld,\n      \"tag\": \"%s\",\n      \"breakpoints\": true\n    }\n  ",
	        text[last - 1] == '[' ? "" : ",", idx, version, when, tag);
	gw_str_put(out, text + close, len - close);
	return gw_str_failed(out) ? -1 : 0;
}

/* drizzle runs the whole file: no sections; the down is a file of its own
 * that drizzle-kit leaves alone. */
static void drizzle_new(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                        const char *version, const char *name)
{
	(void)up_body;
	(void)down_body;
	gw_str_printf(up_name, "%s_%s.sql", version, name);
	gw_str_printf(down_name, "%s_%s.down.sql", version, name);
}

/* drizzle-kit runs only what its journal lists: the new file gets an
 * entry, as `drizzle-kit generate` would write it. */
static int drizzle_register(const gw_source *src, const char *version, const char *name,
                            gw_ctx *ctx)
{
	gw_str path = GW_STR_INIT, text = GW_STR_INIT, out = GW_STR_INIT, tag = GW_STR_INIT;
	struct timespec ts;
	int error;

	clock_gettime(CLOCK_REALTIME, &ts);
	gw_str_printf(&tag, "%s_%s", version, name);
	if (gw_path_join(&path, src->dir, DRIZZLE_JOURNAL) < 0 || gw_str_failed(&tag)) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if ((error = gw_file_read(&text, path.ptr, GW_FILE_MAX, ctx)) < 0)
		goto cleanup;
	if (gw_source__drizzle_append(&out, text.ptr, text.size, tag.ptr,
	                              (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000) < 0) {
		error = gw_str_failed(&out) ? gw_error_oom(ctx)
		                            : gw_source__file_error(ctx, GW_ESOURCE, path.ptr, 0, 0,
		                                                    "has no \"entries\" array to "
		                                                    "add %s to",
		                                                    tag.ptr);
		goto cleanup;
	}
	error = gw_file_replace(path.ptr, out.ptr, out.size, ctx);
cleanup:
	gw_str_dispose(&path);
	gw_str_dispose(&text);
	gw_str_dispose(&out);
	gw_str_dispose(&tag);
	return error;
}

static const char *const drizzle_aliases[] = {"drizzle-kit", NULL};

const gw_convention gw_convention_drizzle = {
        .format = GW_FORMAT_DRIZZLE,
        .name = "drizzle",
        .aliases = drizzle_aliases,
        .example = "0000_create_users.sql",
        .down_place = gw_source__dot_down_place,
        .new_files = drizzle_new,
        .register_new = drizzle_register,
};
