/*
 * prisma.c: Prisma Migrate's folders (see docs/formats.md).
 *
 * 20240101120000_name/migration.sql, with godwit's down beside it in
 * down.sql (Prisma runs migration.sql only). Its folders' names take the
 * shape of diesel's, so diesel.c finds both kinds and hands Prisma's here.
 */
#include <string.h>

#include "priv.h"
#include "../../util/error.h"
#include "../../util/fs.h"

/* Prisma runs no downs, but its users keep one beside migration.sql
 * (down.sql, made with `prisma migrate diff --script`): godwit reads it
 * as the down, as diesel's. */
int gw_source__prisma_load(gw_loader *ld, const char *sub, const char *version)
{
	gw_str up = GW_STR_INIT;
	gw_source_mig *m;
	int error;

	if ((error = gw_source__check_dir_forced(ld, GW_FORMAT_PRISMA)) < 0)
		return error;
	if (gw_path_join(&up, sub, "migration.sql") < 0) {
		gw_str_dispose(&up);
		return gw_error_oom(ld->ctx);
	}
	error = gw_source__add_whole(ld, &m, GW_FORMAT_PRISMA, up.ptr, version, sub + 15,
	                             strlen(sub) - 15, sub);
	gw_str_dispose(&up);
	if (error < 0 || (error = gw_source__folder_down(ld, m, sub, GW_FORMAT_PRISMA)) < 0)
		return error;
	gw_source__note_conv(ld, GW_FORMAT_PRISMA, sub);
	return 0;
}

/* diesel and Prisma: "<stem>/down.sql". */
const char *gw_source__folder_down_place(gw_str *file, const char *stem, const char *up_file)
{
	(void)up_file;
	gw_str_printf(file, "%s/down.sql", stem);
	return NULL;
}

static void prisma_new(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                       const char *version, const char *name)
{
	(void)up_body;
	(void)down_body;
	gw_str_printf(up_name, "%s_%s/migration.sql", version, name);
	gw_str_printf(down_name, "%s_%s/down.sql", version, name);
}

const gw_convention gw_convention_prisma = {
        .format = GW_FORMAT_PRISMA,
        .name = "prisma",
        .example = "20240101120000_create_users/migration.sql",
        .down_place = gw_source__folder_down_place,
        .new_files = prisma_new,
        .own_file = "migration_lock.toml",
        .runs_empty = 1,
        .notes_ignored = 1,
};
