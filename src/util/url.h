/*
 * url.h: the little URL handling godwit needs: which driver a URL selects,
 * the path of a sqlite: URL, and masking passwords for display.
 */
#ifndef GW_UTIL_URL_H
#define GW_UTIL_URL_H

#include <stddef.h>

#include "str.h"

/* Copies the scheme ("postgres", "sqlite", ...) lowercased into buf;
 * returns -1 when the URL has no scheme or it does not fit. */
int gw_url_scheme(char *buf, size_t bufsize, const char *url);

/* The path of sqlite:PATH, sqlite3:PATH, sqlite://PATH (relative) and
 * sqlite:///PATH (absolute). Appends to out; -1 when not a sqlite URL. */
int gw_url_sqlite_path(gw_str *out, const char *url);
/* The same path inside url itself (no copy, so nothing can fail), or NULL
 * when url is not a sqlite URL. */
const char *gw_url_sqlite_file(const char *url);

/* Appends url with every password replaced by "****": the userinfo of
 * scheme://user:password@host, a password= query parameter, and a
 * password=value pair of a libpq key/value string. */
int gw_url_mask(gw_str *out, const char *url);

/* Appends a notification URL safe to show: the password of the userinfo
 * masked as gw_url_mask does, and the path and query replaced by "****",
 * since webhooks keep their secret there: a Slack hook is shown as its
 * host, a slash and the mask. Not a URL (mailto:): as given. */
int gw_url_mask_hook(gw_str *out, const char *url);

/* 1 when s is a libpq key/value string ("host=h dbname=d"): a keyword
 * and '=' where a URL has its scheme. */
int gw_url_is_conninfo(const char *s);

/* Appends s[0..len) with its %XX escapes decoded. */
void gw_url_decode(gw_str *out, const char *s, size_t len);

/* 1 when scheme://user:pass@host holds more than one '@' before the
 * host: libpq would read part of the password as the host and echo it in
 * its errors, so such a URL is refused rather than guessed at. */
int gw_url_ambiguous_userinfo(const char *url);

#endif
