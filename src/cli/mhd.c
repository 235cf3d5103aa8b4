/*
 * mhd.c: loading libmicrohttpd on first use (see mhd.h for why).
 */
#include "mhd.h"

#include <stdio.h>

#include "util/dl.h"

/* As for libpq (src/drivers/pq.c): the bundle's lib/ through the RUNPATH,
 * the system's folders, then Homebrew's prefixes. */
static const char *const mhd_names[] = {
#ifdef __APPLE__
        "@rpath/" GW_MHD_NAME,
        GW_MHD_NAME,
        "/opt/homebrew/opt/libmicrohttpd/lib/" GW_MHD_NAME,
        "/usr/local/opt/libmicrohttpd/lib/" GW_MHD_NAME,
#else
        GW_MHD_NAME,
#endif
};

#ifdef __APPLE__
#define MHD_HINT "install it (Homebrew: brew install libmicrohttpd)"
#else
#define MHD_HINT "install it (Debian: apt-get install libmicrohttpd12)"
#endif

gw_mhd_api gw_mhd;
static void *handle;

int gw_mhd_load(char *why, size_t why_size)
{
	char reason[512];

	handle = gw_dl_open(mhd_names, sizeof(mhd_names) / sizeof(mhd_names[0]), reason,
	                    sizeof(reason));
	if (!handle) {
		snprintf(why, why_size, "cannot load %s: %s; %s", GW_MHD_NAME, reason, MHD_HINT);
		return -1;
	}
#define GW_MHD_RESOLVE(ret, name, args)                                                            \
	if (gw_dl_sym(handle, &gw_mhd.name, sizeof(gw_mhd.name), #name) < 0)                       \
		goto missing;
	GW_MHD_FUNCTIONS(GW_MHD_RESOLVE)
#undef GW_MHD_RESOLVE
	return 0;
missing:
	gw_dl_close(handle);
	handle = NULL;
	snprintf(why, why_size,
	         "%s is too old for godwit serve; install libmicrohttpd 0.9.71 or newer",
	         GW_MHD_NAME);
	return -1;
}
