/*
 * dl.c: loading a shared library at first use (see dl.h for why).
 */
#include "dl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

void *gw_dl_open(const char *const *names, size_t n, char *why, size_t why_size)
{
	void *handle = NULL;
	size_t i;

	if (why_size)
		why[0] = '\0';
	for (i = 0; !handle && i < n; i++) {
		handle = dlopen(names[i], RTLD_LAZY | RTLD_LOCAL);
		if (!handle && i == 0 && why_size) {
			const char *reason = dlerror();

			snprintf(why, why_size, "%s", reason ? reason : "not found");
		}
	}
	return handle;
}

/* ISO C cannot convert a void * to a function pointer; copying the bytes
 * is the portable spelling POSIX relies on for dlsym. */
int gw_dl_sym(void *handle, void *fn_slot, size_t size, const char *name)
{
	void *sym = dlsym(handle, name);

	if (!sym || size != sizeof(sym))
		return -1;
	memcpy(fn_slot, &sym, size);
	return 0;
}

void gw_dl_close(void *handle)
{
	if (handle)
		dlclose(handle);
}

const char *gw_dl_table(void *handle, void *table, const gw_dl_symbol *syms, size_t n)
{
	size_t i;

	/* A function pointer and a data pointer are both one void * on
	 * every platform dlsym serves. */
	for (i = 0; i < n; i++)
		if (gw_dl_sym(handle, (char *)table + syms[i].offset, sizeof(void *),
		              syms[i].name) < 0)
			return syms[i].name;
	return NULL;
}

int gw_dl_lib_load(gw_dl_lib *lib, gw_ctx *ctx)
{
	char why[512];
	const char *missing = NULL;
	int error = 0;

	why[0] = '\0';
	pthread_mutex_lock(&lib->lock);
	if (!lib->handle) {
		lib->handle = gw_dl_open(lib->names, lib->n_names, why, sizeof(why));
		if (!lib->handle) {
			error = gw_error_set(ctx, GW_ERROR, "cannot load %s: %s", lib->name, why);
			gw_error_set_hint(ctx, "%s", lib->install_hint);
		} else if ((missing = gw_dl_table(lib->handle, lib->table, lib->symbols,
		                                  lib->n_symbols))) {
			gw_dl_close(lib->handle);
			lib->handle = NULL;
			error = gw_error_set(ctx, GW_ERROR,
			                     "%s is too old for godwit (it lacks %s); %s",
			                     lib->name, missing, lib->newer);
		}
	}
	pthread_mutex_unlock(&lib->lock);
	return error;
}

int gw_dl_lib_loaded(gw_dl_lib *lib)
{
	int loaded;

	pthread_mutex_lock(&lib->lock);
	loaded = lib->handle != NULL;
	pthread_mutex_unlock(&lib->lock);
	return loaded;
}
