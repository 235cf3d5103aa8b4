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

/* The keys whose values are secrets, in a URL query or a libpq key/value
 * string: libpq's password and the passphrase of the client key. */
static size_t secret_key(const char *s)
{
	if (!strncasecmp(s, "password=", 9))
		return 9;
	if (!strncasecmp(s, "sslpassword=", 12))
		return 12;
	return 0;
}

/* Masks the value of every secret parameter in a query string, where
 * pairs are separated by one of the `seps` characters. */
static int mask_pairs(gw_str *out, const char *s, const char *seps)
{
	size_t i = 0, klen;

	while (s[i]) {
		int at_pair = i == 0 || strchr(seps, s[i - 1]) != NULL;

		if (at_pair && (klen = secret_key(s + i)) > 0) {
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

static int mask_url(gw_str *out, const char *url);

/* libpq key/value strings allow spaces around '=' ("password = x"). A
 * value may itself be a URL (dbname=postgres://...): it is masked as one. */
static int mask_keywords(gw_str *out, const char *s)
{
	size_t i = 0, key, key_end, eq, val;
	gw_str value = GW_STR_INIT;

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
		if ((key_end - key == 8 && !strncasecmp(s + key, "password", 8)) ||
		    (key_end - key == 11 && !strncasecmp(s + key, "sslpassword", 11))) {
			gw_str_puts(out, MASK);
		} else {
			gw_str_set(&value, s + val, i - val);
			mask_url(out, value.ptr ? value.ptr : "");
		}
	}
	gw_str_dispose(&value);
	return gw_str_failed(out) ? -1 : 0;
}

/* The length of a scheme-like prefix ("postgres", "POSTGRES", "u") at s:
 * a letter, then letters, digits, '+', '-' or '.', followed by ':'. */
static size_t scheme_len(const char *s)
{
	size_t n = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' || s[n] == '.')
		n++;
	return s[n] == ':' ? n : 0;
}

static int all_digits(const char *s, const char *end)
{
	if (s == end)
		return 0;
	for (; s < end; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Masking must hold whatever the URL looks like, malformed ones included
 * (they are the ones echoed in errors): after a scheme-like prefix, with
 * any white space or quote before it and any number of slashes after it,
 * everything between the first ':' and the userinfo's '@' is hidden. The
 * '@' is the last one before the query, which starts at the first '?' or
 * '#' after the first '/': libpq reads the userinfo up to the first '/',
 * so a '?' or '#' before it may belong to the password. When that finds
 * none but an '@' follows, a password holding '/' is assumed unless what
 * follows the ':' is a port number. */
static int mask_url(gw_str *out, const char *url)
{
	size_t lead = strspn(url, " \t\r\n\f\v\"'`"), n = scheme_len(url + lead);
	const char *rest, *slash, *qend, *at = NULL, *colon, *p;
	int slashes;

	if (!n)
		return mask_keywords(out, url);
	rest = url + lead + n + 1;
	if ((n == 6 && !strncasecmp(url + lead, "sqlite", 6)) ||
	    (n == 7 && !strncasecmp(url + lead, "sqlite3", 7))) {
		/* A file path: no userinfo, but parameters may follow. */
		return mask_pairs(out, url, "?&");
	}
	/* "//" opens the authority; one '/' is a typo of it. A third one
	 * starts the path of a URL without a host (postgresql:///db?host=). */
	slashes = *rest == '/';
	rest += rest[0] == '/' ? (rest[1] == '/' ? 2 : 1) : 0;
	slash = rest + strcspn(rest, "/");
	qend = slash + strcspn(slash, "?#");
	for (p = rest; p < qend; p++)
		if (*p == '@')
			at = p;
	colon = memchr(rest, ':', (size_t)(slash - rest));
	if (!at && strchr(qend, '@') && colon && !all_digits(colon + 1, slash))
		at = strrchr(qend, '@');
	gw_str_put(out, url, (size_t)(rest - url));
	if (at) {
		colon = memchr(rest, ':', (size_t)(at - rest));
		if (colon) {
			gw_str_put(out, rest, (size_t)(colon - rest));
			gw_str_puts(out, ":" MASK);
		} else if (!slashes) {
			/* "u:secret@host": the scheme-like prefix was the user. */
			gw_str_puts(out, MASK);
		} else {
			gw_str_put(out, rest, (size_t)(at - rest));
		}
		rest = at;
	}
	/* Parameters may follow the host or the path: password= is masked
	 * wherever a '?' or '&' starts a pair. */
	return mask_pairs(out, rest, "?&");
}

int gw_url_mask(gw_str *out, const char *url)
{
	return mask_url(out, url);
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

int gw_url_is_conninfo(const char *s)
{
	size_t i = skip_spaces(s, 0), n = i;

	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n > i && s[skip_spaces(s, n)] == '=';
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

void gw_url_decode(gw_str *out, const char *s, size_t len)
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
