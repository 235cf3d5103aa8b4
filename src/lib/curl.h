/*
 * curl.h: libcurl, loaded when the first notification is sent.
 *
 * Like libpq (src/drivers/pq.h), libcurl brings a TLS stack and more; a
 * run that notifies nobody must not pay for loading it, and the portable
 * build ships it in its lib/ folder rather than linking it. The notifier
 * calls libcurl through this table, filled by dlopen (src/util/dl.c).
 */
#ifndef GW_LIB_CURL_H
#define GW_LIB_CURL_H

/* The table below holds plain function pointers: curl.h's checking macros
 * for curl_easy_setopt would not apply to them. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include "godwit/errors.h"

/* libcurl's stable ABI (libcurl4 on Debian, libcurl's own on macOS). */
#ifdef __APPLE__
#define GW_LIBCURL_NAME "libcurl.4.dylib"
#else
#define GW_LIBCURL_NAME "libcurl.so.4"
#endif

#define GW_CURL_FUNCTIONS(X)                                                                       \
	X(CURLcode, curl_global_init, (long))                                                      \
	X(CURL *, curl_easy_init, (void))                                                          \
	X(CURLcode, curl_easy_setopt, (CURL *, CURLoption, ...))                                   \
	X(CURLcode, curl_easy_perform, (CURL *))                                                   \
	X(CURLcode, curl_easy_getinfo, (CURL *, CURLINFO, ...))                                    \
	X(void, curl_easy_cleanup, (CURL *))                                                       \
	X(const char *, curl_easy_strerror, (CURLcode))                                            \
	X(struct curl_slist *, curl_slist_append, (struct curl_slist *, const char *))             \
	X(void, curl_slist_free_all, (struct curl_slist *))

#define GW_CURL_SLOT(ret, name, args) ret(*name) args;
typedef struct gw_curl_api {
	GW_CURL_FUNCTIONS(GW_CURL_SLOT)
} gw_curl_api;
#undef GW_CURL_SLOT

extern gw_curl_api gw_curl;

/* Loads libcurl and initialises it, once; later calls return at once.
 * Not thread-safe: call it before starting threads that use gw_curl.
 * Fails with the loader's reason on ctx. */
int gw_curl_load(gw_ctx *ctx);

#endif
