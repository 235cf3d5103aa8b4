/*
 * url.c: driver selection by scheme, sqlite: paths, and password masking.
 *
 * Masking errs on the side of hiding: anything that looks like a password
 * in userinfo, a query parameter or a libpq key/value string is replaced.
 */
#include "url.h"
#include "text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MASK "****"

int gw_url_scheme(char *buf, size_t bufsize, const char *url)
{
	size_t i;

	for (i = 0; url[i] && url[i] != ':'; i++) {
		if (!gw_is_alnum(url[i]) && url[i] != '+' && url[i] != '-' && url[i] != '.')
			return -1;
	}
	if (!url[i] || i == 0 || i + 1 > bufsize)
		return -1;
	for (size_t j = 0; j < i; j++)
		buf[j] = (char)tolower((unsigned char)url[j]);
	buf[i] = '\0';
	return 0;
}

const char *gw_url_sqlite_file(const char *url)
{
	char scheme[16];
	const char *p;

	if (gw_url_scheme(scheme, sizeof(scheme), url) < 0 ||
	    (strcmp(scheme, "sqlite") && strcmp(scheme, "sqlite3")))
		return NULL;
	p = url + strlen(scheme) + 1;
	if (p[0] == '/' && p[1] == '/')
		p += 2;
	return p;
}

int gw_url_sqlite_path(gw_str *out, const char *url)
{
	const char *file = gw_url_sqlite_file(url);

	return file ? gw_str_puts(out, file) : -1;
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

static size_t skip_spaces(const char *s, size_t i)
{
	while (s[i] && gw_is_space(s[i]))
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
static int mask_any(gw_str *out, const char *url);

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
		while (s[key_end] && s[key_end] != '=' && !gw_is_space(s[key_end]))
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
			mask_any(out, value.ptr ? value.ptr : "");
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

	if (!gw_is_alpha(s[0]))
		return 0;
	while (gw_is_alnum(s[n]) || s[n] == '+' || s[n] == '-' || s[n] == '.')
		n++;
	return s[n] == ':' ? n : 0;
}

static int all_digits(const char *s, const char *end)
{
	if (s == end)
		return 0;
	for (; s < end; s++)
		if (!gw_is_digit(*s))
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
/* Hides the value of every secret pair of s[from, len): a pair starts
 * after a '?' or '&', and its value ends at the next '&' or '#', as libpq
 * reads a URI parameter. */
static void hide_pairs(char *hide, const char *s, size_t from, size_t len)
{
	size_t i, klen;

	for (i = from; i < len; i++) {
		if (i == 0 || (s[i - 1] != '?' && s[i - 1] != '&'))
			continue;
		if (!(klen = secret_key(s + i)))
			continue;
		for (i += klen; i < len && s[i] != '&' && s[i] != '#'; i++)
			hide[i] = 1;
		if (i < len && s[i] == '&')
			i--; /* the '&' starts the next pair */
	}
}

/* Masking must hold whatever the URL looks like, malformed ones included
 * (they are the ones echoed in errors). Two readings are hidden at once:
 * the userinfo's password and every password= parameter. The userinfo
 * follows a scheme-like prefix (with any white space or quote before it
 * and any number of slashes after it) and ends at the last '@' before
 * the query, which starts at the first '?' or '#' after the first '/':
 * libpq reads the userinfo up to the first '/', so a '?' or '#' before it
 * may belong to the password. When that finds none but an '@' follows
 * outside every password= value, a password holding '/' is assumed,
 * unless what follows the ':' is a port number. */
static int mask_url(gw_str *out, const char *url)
{
	size_t len = strlen(url), lead = strspn(url, " \t\r\n\f\v\"'`");
	size_t n = scheme_len(url + lead), r, slash, qend, i;
	const char *colon;
	char *hide;
	long at = -1;
	int slashes;

	if (!n) /* not a URL: mask_any masks it as key/value pairs */
		return gw_str_puts(out, url) < 0 ? -1 : 0;
	if (!(hide = calloc(len + 1, 1)))
		return -1;
	r = lead + n + 1;
	/* "//" opens the authority; one '/' is a typo of it. A third one
	 * starts the path of a URL without a host (postgresql:///db?host=). */
	slashes = url[r] == '/';
	r += url[r] == '/' ? (url[r + 1] == '/' ? 2 : 1) : 0;
	hide_pairs(hide, url, r, len);
	slash = r + strcspn(url + r, "/");
	qend = slash + strcspn(url + slash, "?#");
	for (i = r; i < qend; i++)
		if (url[i] == '@')
			at = (long)i;
	colon = memchr(url + r, ':', slash - r);
	if (at < 0 && colon && !all_digits(colon + 1, url + slash))
		for (i = qend; i < len; i++)
			if (url[i] == '@' && !hide[i])
				at = (long)i;
	if (at >= 0) {
		colon = memchr(url + r, ':', (size_t)at - r);
		if (colon)
			memset(hide + (colon + 1 - url), 1, (size_t)at - (size_t)(colon + 1 - url));
		else if (!slashes) /* "u:secret@host": the prefix was the user */
			memset(hide + r, 1, (size_t)at - r);
	}
	for (i = 0; i < len; i++) {
		if (!hide[i])
			gw_str_putc(out, url[i]);
		else if (i == 0 || !hide[i - 1])
			gw_str_puts(out, MASK);
	}
	free(hide);
	return gw_str_failed(out) ? -1 : 0;
}

int gw_url_mask(gw_str *out, const char *url)
{
	return mask_any(out, url);
}

/* A scheme-like start does not make a URL of a key/value string
 * ("a:b=x password=y"), nor does a password= inside a URL's userinfo make
 * it a key/value string: a string is masked both ways, as what it most
 * likely is first (a URL when "://" follows the scheme), so the other pass
 * cannot hide the structure the first needs. */
static int mask_any(gw_str *out, const char *url)
{
	const char *s = url + strspn(url, " \t\r\n\f\v\"'`");
	size_t n = scheme_len(s);
	gw_str tmp = GW_STR_INIT;
	int error;

	if (n && !strncmp(s + n, "://", 3)) {
		if ((error = mask_url(&tmp, url)) == 0)
			error = mask_keywords(out, tmp.ptr ? tmp.ptr : "");
	} else if ((error = mask_keywords(&tmp, url)) == 0) {
		error = mask_url(out, tmp.ptr ? tmp.ptr : "");
	}
	gw_str_dispose(&tmp);
	return error;
}

/* A URL starts with a scheme and "://"; anything else (a libpq key/value
 * string, whose values may contain "://") is masked as key/value pairs. */
static const char *url_authority(const char *url)
{
	size_t n = 0;

	while (gw_is_alnum(url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
		n++;
	return n && !strncmp(url + n, "://", 3) ? url + n + 3 : NULL;
}

int gw_url_is_conninfo(const char *s)
{
	size_t i = skip_spaces(s, 0), n = i;

	while (gw_is_alnum(s[n]) || s[n] == '_')
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

int gw_url_mask_hook(gw_str *out, const char *url)
{
	gw_str masked = GW_STR_INIT;
	const char *p, *auth, *path;
	int error;

	/* An address is no secret, and has no password to hide. */
	if (!strncasecmp(url, "mailto:", 7))
		return gw_str_puts(out, url) < 0 ? -1 : 0;
	/* The password of the userinfo first, as for any URL. */
	if ((error = gw_url_mask(&masked, url)) < 0 || !masked.ptr) {
		gw_str_dispose(&masked);
		return error;
	}
	p = masked.ptr;
	if (!strncasecmp(p, "slack:", 6))
		p += 6;
	if (!(auth = url_authority(p))) {
		error = gw_str_puts(out, masked.ptr) < 0 ? -1 : 0;
		gw_str_dispose(&masked);
		return error;
	}
	/* Webhook services put their secret anywhere in the path (Slack's
	 * /services/T/B/SECRET, Discord's /api/webhooks/ID/TOKEN, a bare
	 * /SECRET) or the query (?token=): only the host is shown. */
	path = auth + strcspn(auth, "/?#");
	gw_str_put(out, masked.ptr, (size_t)(path - masked.ptr));
	if (*path && strcmp(path, "/"))
		gw_str_puts(out, *path == '/' ? "/" MASK : "?" MASK);
	else
		gw_str_puts(out, path);
	gw_str_dispose(&masked);
	return gw_str_failed(out) ? -1 : 0;
}
