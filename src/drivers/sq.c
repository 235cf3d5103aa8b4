/*
 * sq.c: loading SQLite on first use (see sq.h for why).
 */
#define GW_SQ_NO_MACROS
#include "sq.h"

#include <stddef.h>

#include "util/error.h"

#ifdef GW_SQLITE_SONAME
#include "util/dl.h"

gw_sq_api gw_sq;

/* A plain name, searched as the dynamic loader does (dl.h). */
static const char *const names[] = {GW_SQLITE_SONAME};

#define GW_SQ_SYMBOL(ret, name, args) {#name, offsetof(gw_sq_api, name)},
static const gw_dl_symbol symbols[] = {GW_SQ_FUNCTIONS(GW_SQ_SYMBOL)};
#undef GW_SQ_SYMBOL

/* A fleet's workers open their databases from several threads; one
 * loads. */
static gw_dl_lib lib = {names,
                        1,
                        symbols,
                        sizeof(symbols) / sizeof(symbols[0]),
                        &gw_sq,
                        GW_SQLITE_SONAME,
                        "install SQLite's library (Debian: apt-get install " GW_SQLITE_PACKAGE ")",
                        "install SQLite 3.38 or newer",
                        NULL,
                        PTHREAD_MUTEX_INITIALIZER};

int gw_sq_load(gw_ctx *ctx)
{
	return gw_dl_lib_load(&lib, ctx);
}

int gw_sq_loaded(void)
{
	return gw_dl_lib_loaded(&lib);
}
#else
/* Linked: the table holds the linked functions from the start. */
#define GW_SQ_INIT(ret, name, args) name,
gw_sq_api gw_sq = {GW_SQ_FUNCTIONS(GW_SQ_INIT)};
#undef GW_SQ_INIT

int gw_sq_load(gw_ctx *ctx)
{
	(void)ctx;
	return 0;
}

int gw_sq_loaded(void)
{
	return 1;
}
#endif
