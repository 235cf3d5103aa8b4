/*
 * pq.c: loading libpq on first use (see pq.h for why).
 */
#define GW_PQ_NO_MACROS
#include "pq.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

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
static void *handle;

/* ISO C cannot convert a void * to a function pointer; copying the bytes
 * is the portable spelling POSIX relies on for dlsym. */
static int resolve(void *fn_slot, size_t size, const char *name)
{
	void *sym = dlsym(handle, name);

	if (!sym)
		return -1;
	memcpy(fn_slot, &sym, size);
	return 0;
}

int gw_pq_load(gw_ctx *ctx)
{
	char first_error[512] = "";

	if (handle)
		return 0;
	/* RTLD_LAZY: binding every symbol of libpq and its dependencies up
	 * front cost more than the whole status query. */
	for (size_t i = 0; !handle && i < sizeof(libpq_names) / sizeof(libpq_names[0]); i++) {
		handle = dlopen(libpq_names[i], RTLD_LAZY | RTLD_LOCAL);
		/* The first name's reason is the one worth reading. */
		if (!handle && i == 0) {
			const char *why = dlerror();

			snprintf(first_error, sizeof(first_error), "%s", why ? why : "not found");
		}
	}
	if (!handle) {
		int error = gw_error_set(ctx, GW_ERROR, "cannot load %s: %s", GW_LIBPQ_NAME,
		                         first_error);

		gw_error_set_hint(ctx, LIBPQ_HINT);
		return error;
	}
#define GW_PQ_RESOLVE(ret, name, args)                                                             \
	if (resolve(&gw_pq.name, sizeof(gw_pq.name), #name) < 0)                                   \
		goto missing;
	GW_PQ_FUNCTIONS(GW_PQ_RESOLVE)
#undef GW_PQ_RESOLVE
	return 0;
missing:
	dlclose(handle);
	handle = NULL;
	return gw_error_set(ctx, GW_ERROR,
	                    "%s is too old for godwit (it lacks pipeline mode); install libpq "
	                    "14 or newer",
	                    GW_LIBPQ_NAME);
}

int gw_pq_loaded(void)
{
	return handle != NULL;
}
