/*
 * url.c: driver selection by scheme, sqlite: paths, and password masking.
 *
 * Masking errs on the side of hiding: anything that looks like a password
 * in userinfo, a query parameter or a libpq key/value string is replaced.
 */
#include "url.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define MASK "****"

int gw_url_scheme(char *buf, size_t bufsize, const char *url)
{
	size_t i;

	for (i = 0; url[i] && url[i] != ':'; i++) {
		if (!isalnum((unsigned char)url[i]) && url[i] != '+' && url[i] != '-' &&
		    url[i] != '.')
			return -1;
	}
	if (!url[i] || i == 0 || i + 1 > bufsize)
		return -1;
	for (size_t j = 0; j < i; j++)
		buf[j] = (char)tolower((unsigned char)url[j]);
	buf[i] = '\0';
	return 0;
}

int gw_url_sqlite_path(gw_str *out, const char *url)
{
	char scheme[16];
	const char *p;

	if (gw_url_scheme(scheme, sizeof(scheme), url) < 0 ||
	    (strcmp(scheme, "sqlite") && strcmp(scheme, "sqlite3")))
		return -1;
	p = url + strlen(scheme) + 1;
	if (p[0] == '/' && p[1] == '/')
		p += 2;
	return gw_str_puts(out, p);
}

/* Masks the value of every `password=` parameter in a query string, where
 * pairs are separated by one of the `seps` characters. */
static int mask_pairs(gw_str *out, const char *s, const char *seps)
{
	const char *key = "password=";
	size_t klen = strlen(key);
	size_t i = 0;

	while (s[i]) {
		int at_pair = i == 0 || strchr(seps, s[i - 1]) != NULL;

		if (at_pair && strncasecmp(s + i, key, klen) == 0) {
			gw_str_put(out, s + i, klen);
			gw_str_puts(out, MASK);
			/* libpq reads a URI parameter's value up to the next '&'
			 * (or the fragment): quotes and '?' are part of it. */
			for (i += klen; s[i] && s[i] != '&' && s[i] != '#'; i++)
				;
		} else {
			gw_str_putc(out, s[i++]);
		}
	}
	return gw_str_failed(out) ? -1 : 0;
}

static size_t skip_spaces(const char *s, size_t i)
{
	while (s[i] && isspace((unsigned char)s[i]))
		i++;
	return i;
}

/* The end of a libpq keyword/value value starting at i: a quoted value
 * with backslash escapes, or a run of non-space characters. */
static size_t value_end(const char *s, size_t i)
{
	if (s[i] != '\'')
		return i + strcspn(s + i, " \t\n\r\f\v");
	for (i++; s[i] && s[i] != '\''; i++)
		if (s[i] == '\\' && s[i + 1])
			i++;
	return s[i] ? i + 1 : i;
}

/* libpq key/value strings allow spaces around '=' ("password = x"). */
static int mask_keywords(gw_str *out, const char *s)
{
	size_t i = 0, key, key_end, eq, val;

	while (s[i]) {
		key = skip_spaces(s, i);
		gw_str_put(out, s + i, key - i);
		key_end = key;
		while (s[key_end] && s[key_end] != '=' && !isspace((unsigned char)s[key_end]))
			key_end++;
		eq = skip_spaces(s, key_end);
		if (s[eq] != '=') {
			gw_str_put(out, s + key, eq - key);
			i = eq;
			continue;
		}
		val = skip_spaces(s, eq + 1);
		gw_str_put(out, s + key, val - key);
		i = value_end(s, val);
		if (key_end - key == 8 && !strncasecmp(s + key, "password", 8))
			gw_str_puts(out, MASK);
		else
			gw_str_put(out, s + val, i - val);
	}
	return gw_str_failed(out) ? -1 : 0;
}

/* A URL starts with a scheme and "://"; anything else (a libpq key/value
 * string, whose values may contain "://") is masked as key/value pairs. */
static const char *url_authority(const char *url)
{
	size_t n = 0;

	while (isalnum((unsigned char)url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
		n++;
	return n && !strncmp(url + n, "://", 3) ? url + n + 3 : NULL;
}

int gw_url_mask(gw_str *out, const char *url)
{
	const char *auth = url_authority(url), *end, *host_end, *at, *colon, *p;

	if (!auth)
		return mask_keywords(out, url);
	/* libpq looks for the userinfo's '@' up to the first '/', so a '?' or
	 * '#' before it may be part of a password: mask up to the last '@'
	 * before the path, which hides at least what libpq would use. */
	host_end = auth + strcspn(auth, "/");
	at = NULL;
	for (p = auth; p < host_end; p++)
		if (*p == '@')
			at = p;
	gw_str_put(out, url, (size_t)(auth - url));
	if (at) {
		colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon) {
			gw_str_put(out, auth, (size_t)(colon - auth));
			gw_str_puts(out, ":" MASK);
		} else {
			gw_str_put(out, auth, (size_t)(at - auth));
		}
		auth = at;
	}
	end = auth + strcspn(auth, "?#");
	gw_str_put(out, auth, (size_t)(end - auth));
	return mask_pairs(out, end, "?&");
}

int gw_url_ambiguous_userinfo(const char *url)
{
	const char *p = url_authority(url);
	int ats = 0;

	/* Counted up to the query, so an '@' in a parameter is no concern. */
	for (; p && *p && *p != '/' && *p != '?'; p++)
		ats += *p == '@';
	return ats > 1;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void put_decoded(gw_str *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hex_digit(s[i + 1]) >= 0 &&
		    hex_digit(s[i + 2]) >= 0) {
			gw_str_putc(out, (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
			i += 2;
		} else {
			gw_str_putc(out, s[i]);
		}
	}
}

/* Copies s without its password= pairs (separated by seps), decoding the
 * last one into password. */
static void split_pairs(gw_str *out, gw_str *password, const char *s, const char *seps, int decode)
{
	size_t i = 0, n;

	while (s[i]) {
		n = strcspn(s + i, seps);
		if (n > 9 && !strncasecmp(s + i, "password=", 9)) {
			gw_str_clear(password);
			if (decode)
				put_decoded(password, s + i + 9, n - 9);
			else
				gw_str_put(password, s + i + 9, n - 9);
			i += n + (s[i + n] ? 1 : 0);
			continue;
		}
		gw_str_put(out, s + i, n + (s[i + n] ? 1 : 0));
		i += n + (s[i + n] ? 1 : 0);
	}
	/* A dropped last pair can leave a trailing separator. */
	while (out->size && strchr(seps, out->ptr[out->size - 1]))
		gw_str_truncate(out, out->size - 1);
}

int gw_url_split_password(gw_str *out_url, gw_str *password, const char *url)
{
	const char *hier = strstr(url, "://"), *auth, *end, *at = NULL, *colon, *p;

	gw_str_clear(password);
	if (!hier) {
		split_pairs(out_url, password, url, " ", 0);
		return gw_str_failed(out_url) || gw_str_failed(password) ? -1 : 0;
	}
	auth = hier + 3;
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	gw_str_put(out_url, url, (size_t)(auth - url));
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon) {
		gw_str_put(out_url, auth, (size_t)(colon - auth));
		put_decoded(password, colon + 1, (size_t)(at - colon - 1));
		auth = at;
	}
	gw_str_put(out_url, auth, (size_t)(end - auth));
	p = end + strcspn(end, "?#");
	gw_str_put(out_url, end, (size_t)(p - end));
	end = p;
	if (*end == '?') {
		gw_str_putc(out_url, '?');
		split_pairs(out_url, password, end + 1, "&", 1);
		if (out_url->size && out_url->ptr[out_url->size - 1] == '?')
			gw_str_truncate(out_url, out_url->size - 1);
	} else {
		gw_str_puts(out_url, end);
	}
	return gw_str_failed(out_url) || gw_str_failed(password) ? -1 : 0;
}
