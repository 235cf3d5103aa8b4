/*
 * prisma.c: Prisma Migrate's folders (see docs/formats.md).
 *
 * 20240101120000_name/migration.sql, with godwit's down beside it in
 * down.sql (Prisma runs migration.sql only). The folders are read by the
 * loader in source.c, as diesel's are.
 */
#include "priv.h"

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
};
