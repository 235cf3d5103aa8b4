/*
 * diesel.c: diesel's migration folders (see docs/formats.md).
 *
 * Each diesel migration is a folder "<version>_<name>/" holding up.sql,
 * down.sql and, optionally, metadata.toml. This file finds them among the
 * folder's entries (and Prisma's, whose folder names take the same shape:
 * prisma.c), reads the one metadata.toml setting godwit honours, and loads
 * up.sql and down.sql as whole-file migrations with the generic loader's
 * helpers.
 */
#include <string.h>

#include "priv.h"
#include "../../util/error.h"
#include "../../util/fs.h"
#include "../../util/text.h"

/* Whether n starts with the shape, 'd' standing for a digit. */
static int shaped(const char *n, const char *shape)
{
	size_t i;

	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !gw_is_digit(n[i]) : n[i] != shape[i])
			return 0;
	return 1;
}

size_t gw_source__diesel_name(const char *n)
{
	/* Longest first, so the -0000 suffix is part of the version. */
	static const char *const shapes[] = {"dddd-dd-dd-dddddd-dddd_", "dddd-dd-dd-dddddd_",
	                                     "dddddddddddddd_"};
	size_t i, len;

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		len = strlen(shapes[i]);
		if (strlen(n) > len && shaped(n, shapes[i]))
			return len - 1;
	}
	return 0;
}

/* One "key = value" line; TOML comments and other keys are skipped. */
static int no_tx_line(const char *p, const char *end)
{
	static const char key[] = "run_in_transaction";

	while (p < end && gw_is_blank(*p))
		p++;
	if ((size_t)(end - p) < sizeof(key) - 1 || memcmp(p, key, sizeof(key) - 1))
		return 0;
	p += sizeof(key) - 1;
	while (p < end && gw_is_blank(*p))
		p++;
	if (p == end || *p++ != '=')
		return 0;
	while (p < end && gw_is_blank(*p))
		p++;
	return (size_t)(end - p) >= 5 && !memcmp(p, "false", 5) &&
	       (end - p == 5 || gw_is_blank(p[5]) || p[5] == '#');
}

int gw_source__diesel_no_tx(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (no_tx_line(p, nl ? nl : end))
			return 1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int gw_source__folder_down(gw_loader *ld, gw_source_mig *m, const char *sub, gw_format conv)
{
	int error;

	if ((error = gw_source__read_sub(ld, sub, "down.sql")) <= 0)
		return error;
	if ((error = gw_source__whole_down_markers(ld, conv, sub)) < 0)
		return error;
	if (!gw_source__has_sql(ld->text.ptr, 0, ld->text.size)) {
		m->down_state = GW_DOWN_EMPTY;
		return 0;
	}
	if ((error = gw_source__down_text(m->pub.down_sum, &m->pub.down_no_transaction,
	                                  ld->text.ptr, ld->text.size, ld->ctx)) < 0)
		return error;
	m->pub.has_down_sum = 1;
	gw_str_clear(&ld->path);
	if (gw_path_join(&ld->path, sub, "down.sql") < 0 ||
	    !(m->pub.down_file = gw_strdup(ld->path.ptr)))
		return gw_error_oom(ld->ctx);
	return 0;
}

/* A "<version>_<name>/" folder holding up.sql, down.sql and perhaps a
 * metadata.toml. Diesel stores the version without its dashes, so godwit
 * does too: 2023-07-05-000058_x is version 20230705000058. A folder of
 * this shape with a migration.sql instead is Prisma's. */
static int diesel_load_dir(gw_loader *ld, char *sub)
{
	size_t vlen = gw_source__diesel_name(sub), i;
	gw_str up = GW_STR_INIT, version = GW_STR_INIT;
	gw_source_mig *m;
	int error;

	if (!vlen || (ld->forced != GW_FORMAT_AUTO && ld->forced != GW_FORMAT_DIESEL &&
	              ld->forced != GW_FORMAT_PRISMA))
		return 0;
	gw_str_clear(&ld->path);
	if (gw_path_join(&ld->path, ld->dir, sub) < 0)
		return gw_error_oom(ld->ctx);
	if (gw_path_is_dir(ld->path.ptr) != 1)
		return gw_vec_push(&ld->ignored, sub) < 0 ? gw_error_oom(ld->ctx) : 1;
	for (i = 0; i < vlen; i++)
		if (sub[i] != '-')
			gw_str_putc(&version, sub[i]);
	if (gw_path_join(&up, sub, "up.sql") < 0 || gw_str_failed(&version)) {
		error = gw_error_oom(ld->ctx);
		goto cleanup;
	}
	if ((error = gw_source__read_sub(ld, sub, "up.sql")) < 0)
		goto cleanup;
	if (!error && vlen == 14 && (error = gw_source__read_sub(ld, sub, "migration.sql")) != 0) {
		error = error < 0 ? error : gw_source__prisma_load(ld, sub, version.ptr);
		goto cleanup;
	}
	if (!error) {
		gw_str_clear(&ld->path);
		gw_path_join(&ld->path, ld->dir, sub);
		gw_str_puts(&ld->path, "/up.sql");
		error = gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
		                              "missing; a diesel migration folder holds up.sql "
		                              "(and down.sql)%s",
		                              vlen == 14 ? ", a Prisma one migration.sql" : "");
		goto cleanup;
	}
	if ((error = gw_source__check_dir_forced(ld, GW_FORMAT_DIESEL)) < 0)
		goto cleanup;
	if ((error = gw_source__add_whole(ld, &m, GW_FORMAT_DIESEL, up.ptr, version.ptr,
	                                  sub + vlen + 1, strlen(sub) - vlen - 1, sub)) < 0 ||
	    (error = gw_source__folder_down(ld, m, sub, GW_FORMAT_DIESEL)) < 0 ||
	    (error = gw_source__read_sub(ld, sub, "metadata.toml")) < 0)
		goto cleanup;
	if (error && gw_source__diesel_no_tx(ld->text.ptr, ld->text.size))
		m->pub.no_transaction = m->pub.down_no_transaction = 1;
	gw_source__note_conv(ld, GW_FORMAT_DIESEL, sub);
	error = 0;
cleanup:
	gw_str_dispose(&up);
	gw_str_dispose(&version);
	return error < 0 ? error : 1;
}

/* Diesel's folder name spells a 14-digit timestamp 2024-01-01-120000. */
static void diesel_new(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                       const char *version, const char *name)
{
	size_t n = strlen(version), i;

	(void)up_body;
	(void)down_body;
	for (i = 0; i < n && gw_is_digit(version[i]); i++)
		;
	if (n == 14 && i == 14)
		gw_str_printf(up_name, "%.4s-%.2s-%.2s-%.6s_%s", version, version + 4, version + 6,
		              version + 8, name);
	else
		gw_str_printf(up_name, "%s_%s", version, name);
	gw_str_puts(down_name, up_name->ptr);
	gw_str_puts(up_name, "/up.sql");
	gw_str_puts(down_name, "/down.sql");
}

const gw_convention gw_convention_diesel = {
        .format = GW_FORMAT_DIESEL,
        .name = "diesel",
        .example = "2023-07-05-000058_create_users/up.sql",
        .down_place = gw_source__folder_down_place,
        .new_files = diesel_new,
        .load_dir = diesel_load_dir,
        .notes_ignored = 1,
};
