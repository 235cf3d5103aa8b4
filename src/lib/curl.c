/*
 * curl.c: loading libcurl on first use (see curl.h for why).
 */
#include "curl.h"

#include <stdio.h>

#include "../util/dl.h"
#include "../util/error.h"

/* Where libcurl is looked for; the first name is the one messages give. A
 * plain name is searched as pq.c's libpq is (dl.h): the portable build's
 * lib/ first, then the system's. */
static const char *const libcurl_names[] = {
#ifdef __APPLE__
        "@rpath/" GW_LIBCURL_NAME,
        GW_LIBCURL_NAME,
        "/usr/lib/libcurl.4.dylib",
#else
        GW_LIBCURL_NAME,
#endif
};

#ifdef __APPLE__
#define LIBCURL_HINT "install libcurl (Homebrew: brew install curl)"
#else
#define LIBCURL_HINT "install libcurl (Debian: apt-get install libcurl4)"
#endif

gw_curl_api gw_curl;
static void *handle;
static int initialised;

int gw_curl_load(gw_ctx *ctx)
{
	char why[512];
	const char *missing = NULL;
	int error;

	if (initialised)
		return 0;
	if (!handle)
		handle = gw_dl_open(libcurl_names, sizeof(libcurl_names) / sizeof(libcurl_names[0]),
		                    why, sizeof(why));
	if (!handle) {
		error = gw_error_set(ctx, GW_ERROR, "cannot load %s: %s", GW_LIBCURL_NAME, why);
		gw_error_set_hint(ctx, LIBCURL_HINT);
		return error;
	}
#define GW_CURL_RESOLVE(ret, name, args)                                                           \
	if (!missing && gw_dl_sym(handle, &gw_curl.name, sizeof(gw_curl.name), #name) < 0)         \
		missing = #name;
	GW_CURL_FUNCTIONS(GW_CURL_RESOLVE)
#undef GW_CURL_RESOLVE
	if (missing) {
		gw_dl_close(handle);
		handle = NULL;
		return gw_error_set(ctx, GW_ERROR, "cannot load %s: it has no %s", GW_LIBCURL_NAME,
		                    missing);
	}
	if (gw_curl.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return gw_error_set(ctx, GW_ERROR, "cannot initialise %s", GW_LIBCURL_NAME);
	initialised = 1;
	return 0;
}
