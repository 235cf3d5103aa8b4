/*
 * pgq.c: loading libpg_query on first use (see pgq.h for why).
 */
#define GW_PGQ_NO_MACROS
#include "pgq.h"

#include <stddef.h>

#include "../../util/error.h"

#ifdef GW_PGQUERY_SONAME
#include "../../util/dl.h"

gw_pgq_api gw_pgq;

/* A plain name, searched as the dynamic loader does (dl.h): the installed
 * binary's own lib folder first, then the system's. */
static const char *const names[] = {GW_PGQUERY_SONAME};

#define GW_PGQ_FN_SYMBOL(ret, name, args) {#name, offsetof(gw_pgq_api, name)},
#define GW_PGQ_OBJ_SYMBOL(type, name)     {#name, offsetof(gw_pgq_api, name)},
static const gw_dl_symbol symbols[] = {GW_PGQ_FUNCTIONS(GW_PGQ_FN_SYMBOL)
                                               GW_PGQ_DATA(GW_PGQ_OBJ_SYMBOL)};
#undef GW_PGQ_FN_SYMBOL
#undef GW_PGQ_OBJ_SYMBOL

/* The linter parses from several threads at once (a fleet's workers);
 * one loads. */
static gw_dl_lib lib = {
        names,
        1,
        symbols,
        sizeof(symbols) / sizeof(symbols[0]),
        &gw_pgq,
        GW_PGQUERY_SONAME,
        "install the PostgreSQL parser library (Debian: apt-get install " GW_PGQUERY_PACKAGE ")",
        "install " GW_PGQUERY_PACKAGE,
        NULL,
        PTHREAD_MUTEX_INITIALIZER};

int gw_pgq_load(gw_ctx *ctx)
{
	return gw_dl_lib_load(&lib, ctx);
}
#else
/* Linked: the table holds the linked functions from the start. */
#define GW_PGQ_FN_INIT(ret, name, args) name,
#define GW_PGQ_OBJ_INIT(type, name)     &name,
gw_pgq_api gw_pgq = {GW_PGQ_FUNCTIONS(GW_PGQ_FN_INIT) GW_PGQ_DATA(GW_PGQ_OBJ_INIT)};
#undef GW_PGQ_FN_INIT
#undef GW_PGQ_OBJ_INIT

int gw_pgq_load(gw_ctx *ctx)
{
	(void)ctx;
	return 0;
}
#endif
