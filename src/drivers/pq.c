/*
 * pq.c: loading libpq on first use (see pq.h for why).
 */
#define GW_PQ_NO_MACROS
#include "pq.h"

#include <dlfcn.h>
#include <string.h>

#include "util/error.h"

/* The soname of libpq's stable ABI (libpq5 on Debian). */
#define LIBPQ_SONAME "libpq.so.5"

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
	if (handle)
		return 0;
	/* RTLD_LAZY: binding every symbol of libpq and its dependencies up
	 * front cost more than the whole status query. */
	if (!(handle = dlopen(LIBPQ_SONAME, RTLD_LAZY | RTLD_LOCAL))) {
		int error =
		        gw_error_set(ctx, GW_ERROR, "cannot load %s: %s", LIBPQ_SONAME, dlerror());

		gw_error_set_hint(ctx, "install PostgreSQL's client library (Debian: apt-get "
		                       "install libpq5)");
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
	                    LIBPQ_SONAME);
}

int gw_pq_loaded(void)
{
	return handle != NULL;
}
