/*
 * source.c: migration files → a migration set (the sources stage): the
 * entry points of src/lib/source/.
 *
 * gw_source_load asks the conventions whether their settings put the
 * migrations elsewhere (locate), loads the folder (folder.c: list,
 * classify and read each file once (file.c), check, match downs), and
 * orders the set (order.c). gw_source_read_up/down (read.c) read a file
 * again when its SQL runs. `godwit new` writes a migration with the
 * convention's new_files, check_new and register_new.
 *
 * Each convention (docs/formats.md) is one file of this folder exporting
 * a gw_convention table (priv.h), listed in conventions.def; this folder's
 * other files are the generic core, which asks the tables and names no
 * convention.
 */
#include "source.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"
#include "../../util/error.h"
#include "../../util/fs.h"
#include "../version.h"

int gw_source__file_error(gw_ctx *ctx, int code, const char *path, int line, int col,
                          const char *fmt, ...)
{
	gw_str msg = GW_STR_INIT;
	va_list ap;

	gw_str_puts(&msg, path);
	if (line > 0)
		gw_str_printf(&msg, ":%d", line);
	if (line > 0 && col > 0)
		gw_str_printf(&msg, ":%d", col);
	gw_str_puts(&msg, ": ");
	va_start(ap, fmt);
	gw_str_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (gw_str_failed(&msg))
		code = gw_error_oom(ctx);
	else
		code = gw_error_set(ctx, code, "%s", msg.ptr);
	gw_error_set_location(ctx, path, line, col);
	gw_str_dispose(&msg);
	return code;
}

int gw_source_load(gw_source **out, const char *dir, gw_format format, gw_ctx *ctx)
{
	return gw_source_load_dialect(out, dir, format, NULL, ctx);
}

int gw_source_load_dialect(gw_source **out, const char *dir, gw_format format, const char *dialect,
                           gw_ctx *ctx)
{
	return gw_source_load_in(out, dir, format, dialect, NULL, NULL, ctx);
}

int gw_source_load_in(gw_source **out, const char *dir, gw_format format, const char *dialect,
                      const char *root, const char *cache_dir, gw_ctx *ctx)
{
	const gw_convention *const *c, *conv = NULL;
	gw_str top = GW_STR_INIT;
	char *registry = NULL;
	int error;

	/* A convention's settings may put its migrations elsewhere. */
	for (c = gw_conventions(); *c && !conv; c++)
		if ((*c)->locate && (format == GW_FORMAT_AUTO || format == (*c)->format))
			conv = *c;
	if (conv && (error = conv->locate(&top, &registry, dir, ctx)) < 0)
		goto cleanup;
	if (top.size)
		error = gw_source__load_folder(out, top.ptr, conv->format, dialect, root, cache_dir,
		                               ctx);
	else
		error = gw_source__load_folder(out, dir, format, dialect, root, cache_dir, ctx);
	if (error == 0 && conv && (*out)->format == conv->format) {
		(*out)->registry = registry;
		registry = NULL;
	}
cleanup:
	free(registry);
	gw_str_dispose(&top);
	return error;
}

void gw_source_free(gw_source *src)
{
	gw_source_priv *sp = (gw_source_priv *)src;
	size_t i;

	if (!src)
		return;
	for (i = 0; i < src->count; i++)
		gw_source__mig_free(sp->all ? sp->all[i] : (gw_source_mig *)src->items[i]);
	free(sp->all);
	free(src->items);
	for (i = 0; i < src->nignored; i++)
		free(src->ignored[i]);
	free(src->ignored);
	free(src->dir);
	free(src->project);
	free(sp->guard.root);
	free(sp->guard.dir);
	free(src->registry);
	gw_source__blocks_free(sp->names);
	free(sp);
}

static int cmp_find(const void *key, const void *elem)
{
	return gw_version_cmp(key, (*(gw_source_mig *const *)elem)->pub.version);
}

static int cmp_find_item(const void *key, const void *elem)
{
	return gw_version_cmp(key, (*(gw_migration *const *)elem)->version);
}

const gw_migration *gw_source_find(const gw_source *src, const char *version)
{
	const gw_source_priv *sp = (const gw_source_priv *)src;
	gw_source_mig **hit;
	gw_migration **item;

	if (!src->count || !version)
		return NULL;
	/* By number, so "6" finds 0006_x.sql as the history table may spell
	 * it either way; in apply order when that is the versions' own. */
	if (!sp->all) {
		item = bsearch(version, src->items, src->count, sizeof(*src->items), cmp_find_item);
		return item ? *item : NULL;
	}
	hit = bsearch(version, sp->all, src->count, sizeof(*sp->all), cmp_find);
	return hit ? &(*hit)->pub : NULL;
}

int gw_source_no_tx_markers(gw_format format, const char **up, const char **down)
{
	const gw_convention *c = gw_convention_of(format);

	*up = c->no_tx_up;
	*down = c->no_tx_down;
	return c->no_tx_up && c->no_tx_down ? 0 : -1;
}

int gw_source_new_files(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                        gw_format format, const char *version, const char *name)
{
	gw_str_clear(up_name);
	gw_str_clear(up_body);
	gw_str_clear(down_name);
	gw_str_clear(down_body);
	if (!version || !*version || !name || !*name || strchr(name, '/') || strchr(version, '/'))
		return GW_EINVALID;
	gw_convention_of(format)->new_files(up_name, up_body, down_name, down_body, version, name);
	if (down_name->size && !up_body->size) {
		gw_str_puts(up_body, NEW_UP_TEMPLATE);
		gw_str_printf(down_body, NEW_DOWN_TEMPLATE "%s here.\n", up_name->ptr);
	}
	if (gw_str_failed(up_name) || gw_str_failed(up_body) || gw_str_failed(down_name) ||
	    gw_str_failed(down_body))
		return GW_ENOMEM;
	return 0;
}

int gw_source_register_new(const gw_source *src, const char *version, const char *name, gw_ctx *ctx)
{
	const gw_convention *conv = gw_convention_of(src->format);

	return conv->register_new ? conv->register_new(src, version, name, ctx) : 0;
}

int gw_source_check_new(const gw_source *src, const char *name, gw_ctx *ctx)
{
	const gw_convention *conv = gw_convention_of(src->format);

	return conv->check_new ? conv->check_new(src, name, ctx) : 0;
}
