/*
 * dl.h: loading a shared library at first use and taking its functions,
 * for libraries whose loading would cost every run of godwit (libpq,
 * src/drivers/pq.c; libpg_query, src/lib/sql/pgq.c; SQLite, src/drivers/sq.c; libmicrohttpd,
 * src/cli/mhd.c) and which the portable
 * build ships in its lib/ folder instead of linking.
 */
#ifndef GW_UTIL_DL_H
#define GW_UTIL_DL_H

#include <pthread.h>
#include <stddef.h>

#include "error.h"

/* Opens the first of the n names that loads (RTLD_LAZY, RTLD_LOCAL: binding
 * every symbol of a library and its dependencies up front costs more than
 * most runs need). A plain name is searched as the dynamic loader does:
 * the caller's RUNPATH first ($ORIGIN/../lib in the portable build), then
 * LD_LIBRARY_PATH, ld.so.cache and the system folders. NULL when none
 * loads, with the first name's reason (the one worth reading) in why. */
void *gw_dl_open(const char *const *names, size_t n, char *why, size_t why_size);

/* Copies the address of the function `name` into the function pointer at
 * fn_slot, which is size bytes; -1 when the library has no such symbol. */
int gw_dl_sym(void *handle, void *fn_slot, size_t size, const char *name);

void gw_dl_close(void *handle);

/* One symbol of a table of a library's functions (and data) by name and
 * place in the table, which is a struct of pointers. */
typedef struct gw_dl_symbol {
	const char *name;
	size_t offset;
} gw_dl_symbol;

/* Fills the n pointers of table that syms names from handle; NULL when
 * all were found, else the name of the first one missing (the table is
 * then partly filled and must not be used). */
const char *gw_dl_table(void *handle, void *table, const gw_dl_symbol *syms, size_t n);

/* A library loaded once, from any thread, into a table of its functions. */
typedef struct gw_dl_lib {
	const char *const *names; /* tried in order (gw_dl_open) */
	size_t n_names;
	const gw_dl_symbol *symbols;
	size_t n_symbols;
	void *table;
	/* What the errors say: the library's name, the hint when it does not
	 * load, and what to install when it lacks a function. */
	const char *name;
	const char *install_hint;
	const char *newer;
	void *handle; /* under lock; NULL until loaded */
	pthread_mutex_t lock;
} gw_dl_lib;

/* 0 when lib is loaded (now or before). GW_ERROR on ctx when no name
 * loads ("cannot load NAME: the first name's reason", install_hint), or
 * when the library lacks a function ("NAME is too old for godwit (it
 * lacks F); newer"): the library is then closed, and tried again next
 * time. */
int gw_dl_lib_load(gw_dl_lib *lib, gw_ctx *ctx);
int gw_dl_lib_loaded(gw_dl_lib *lib);

#endif
