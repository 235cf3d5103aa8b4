/*
 * pq.c: loading libpq on first use (see pq.h for why).
 */
#define GW_PQ_NO_MACROS
#include "pq.h"

#include <stddef.h>

#include "util/dl.h"
#include "util/error.h"

/* Where libpq is looked for, in order; the first name is the one error
 * messages give. A plain name is searched as the dynamic loader does: on
 * Linux the RUNPATH of the caller first ($ORIGIN/../lib in the portable
 * build, packaging/README.md), then LD_LIBRARY_PATH, ld.so.cache and the
 * system folders (libpq5 on Debian). On macOS, @rpath is the LC_RPATH of
 * the binary (@executable_path/../lib in a bundle), the plain name is
 * searched in DYLD_LIBRARY_PATH and /usr/local/lib, and Homebrew keeps its
 * keg-only libpq out of both, under its prefix (/opt/homebrew on Apple
 * silicon, /usr/local on Intel). */
static const char *const libpq_names[] = {
#ifdef __APPLE__
        "@rpath/" GW_LIBPQ_NAME,
        GW_LIBPQ_NAME,
        "/opt/homebrew/opt/libpq/lib/" GW_LIBPQ_NAME,
        "/usr/local/opt/libpq/lib/" GW_LIBPQ_NAME,
#else
        GW_LIBPQ_NAME,
#endif
};

#ifdef __APPLE__
#define LIBPQ_HINT "install PostgreSQL's client library (Homebrew: brew install libpq)"
#else
#define LIBPQ_HINT "install PostgreSQL's client library (Debian: apt-get install libpq5)"
#endif

gw_pq_api gw_pq;

/* Every function of gw_pq by name and place, so that one loop (one path
 * to test) resolves them all. */
#define GW_PQ_SYMBOL(ret, name, args) {#name, offsetof(gw_pq_api, name)},
static const gw_dl_symbol symbols[] = {GW_PQ_FUNCTIONS(GW_PQ_SYMBOL)};
#undef GW_PQ_SYMBOL

/* A fleet run connects from several threads at once; one loads. */
static gw_dl_lib libpq = {libpq_names, sizeof(libpq_names) / sizeof(libpq_names[0]),
                          symbols,     sizeof(symbols) / sizeof(symbols[0]),
                          &gw_pq,      GW_LIBPQ_NAME,
                          LIBPQ_HINT,  "install libpq 14 or newer",
                          NULL,        PTHREAD_MUTEX_INITIALIZER};

int gw_pq_load(gw_ctx *ctx)
{
	return gw_dl_lib_load(&libpq, ctx);
}

int gw_pq_loaded(void)
{
	return gw_dl_lib_loaded(&libpq);
}
