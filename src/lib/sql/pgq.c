/*
 * pgq.c: loading libpg_query on first use (see pgq.h for why).
 */
#define GW_PGQ_NO_MACROS
#include "pgq.h"

#include <pthread.h>
#include <stddef.h>

#include "../../util/error.h"

gw_pgq_api gw_pgq;

#ifdef GW_PGQUERY_SONAME
#include "../../util/dl.h"

/* A plain name, searched as the dynamic loader does (dl.h): the installed
 * binary's own lib folder first, then the system's. */
static const char *const names[] = {GW_PGQUERY_SONAME};

#define GW_PGQ_FN_SYMBOL(ret, name, args) {#name, offsetof(gw_pgq_api, name)},
#define GW_PGQ_OBJ_SYMBOL(type, name)     {#name, offsetof(gw_pgq_api, name)},
static const gw_dl_symbol symbols[] = {GW_PGQ_FUNCTIONS(GW_PGQ_FN_SYMBOL)
                                               GW_PGQ_DATA(GW_PGQ_OBJ_SYMBOL)};
#undef GW_PGQ_FN_SYMBOL
#undef GW_PGQ_OBJ_SYMBOL

static void *handle;

static int load(gw_ctx *ctx)
{
	char why[512];
	const char *missing;

	if (handle)
		return 0;
	if (!(handle = gw_dl_open(names, 1, why, sizeof(why)))) {
		int error =
		        gw_error_set(ctx, GW_ERROR, "cannot load %s: %s", GW_PGQUERY_SONAME, why);

		gw_error_set_hint(ctx,
		                  "install the PostgreSQL parser library (Debian: apt-get "
		                  "install %s)",
		                  GW_PGQUERY_PACKAGE);
		return error;
	}
	if ((missing =
	             gw_dl_table(handle, &gw_pgq, symbols, sizeof(symbols) / sizeof(symbols[0])))) {
		gw_dl_close(handle);
		handle = NULL;
		return gw_error_set(ctx, GW_ERROR, "%s lacks %s, which godwit needs; install %s",
		                    GW_PGQUERY_SONAME, missing, GW_PGQUERY_PACKAGE);
	}
	return 0;
}
#else
static void *handle;

/* Linked: the table holds the linked functions. */
static int load(gw_ctx *ctx)
{
	(void)ctx;
#define GW_PGQ_FN_SET(ret, name, args) gw_pgq.name = name;
#define GW_PGQ_OBJ_SET(type, name)     gw_pgq.name = &name;
	GW_PGQ_FUNCTIONS(GW_PGQ_FN_SET)
	GW_PGQ_DATA(GW_PGQ_OBJ_SET)
#undef GW_PGQ_FN_SET
#undef GW_PGQ_OBJ_SET
	handle = &gw_pgq;
	return 0;
}
#endif

/* The linter parses from several threads at once (a fleet's workers);
 * one loads. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

int gw_pgq_load(gw_ctx *ctx)
{
	int error;

	pthread_mutex_lock(&load_lock);
	error = load(ctx);
	pthread_mutex_unlock(&load_lock);
	return error;
}
