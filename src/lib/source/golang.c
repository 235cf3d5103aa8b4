/*
 * golang.c: golang-migrate's convention (see docs/formats.md).
 *
 * 1_name.up.sql and 1_name.down.sql, each file whole. Their names are
 * classified in source.c, which multi-dialect folders (multi.c) share.
 */
#include "priv.h"

/* golang-migrate, multi-dialect and drizzle downs: "<stem>.down.sql". */
const char *gw_source__dot_down_place(gw_str *file, const char *stem, const char *up_file)
{
	(void)up_file;
	gw_str_printf(file, "%s.down.sql", stem);
	return NULL;
}

/* golang-migrate and multi-dialect: "<version>_<name>.up.sql" and ".down.sql". */
void gw_source__dot_up_down_new(gw_str *up_name, gw_str *up_body, gw_str *down_name,
                                gw_str *down_body, const char *version, const char *name)
{
	(void)up_body;
	(void)down_body;
	gw_str_printf(up_name, "%s_%s.up.sql", version, name);
	gw_str_printf(down_name, "%s_%s.down.sql", version, name);
}

static const char *const golang_aliases[] = {"golang", "migrate", NULL};

const gw_convention gw_convention_golang = {
        .format = GW_FORMAT_GOLANG,
        .name = "golang-migrate",
        .aliases = golang_aliases,
        .example = "1_create_users.up.sql",
        .down_place = gw_source__dot_down_place,
        .new_files = gw_source__dot_up_down_new,
};
