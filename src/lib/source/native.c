/*
 * native.c: godwit's own convention, dbmate's (see docs/formats.md).
 *
 * 20240101120000_name.sql holds both directions, below "-- migrate:up"
 * and "-- migrate:down" lines (and godwit's "-- migrate:verify"). The
 * sections are found and checked by the generic loader in source.c, which
 * goose shares.
 */
#include "priv.h"

static const char *native_down_place(gw_str *file, const char *stem, const char *up_file)
{
	(void)stem;
	gw_str_puts(file, up_file);
	return "-- migrate:down";
}

static void native_new(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                       const char *version, const char *name)
{
	(void)down_name;
	(void)down_body;
	gw_str_printf(up_name, "%s_%s.sql", version, name);
	gw_str_puts(up_body, "-- migrate:up\n\n\n-- migrate:down\n\n");
}

static const char *const native_aliases[] = {"dbmate", NULL};

const gw_convention gw_convention_native = {
        .format = GW_FORMAT_NATIVE,
        .name = "native",
        .aliases = native_aliases,
        .example = "20240101120000_create_users.sql",
        .down_place = native_down_place,
        .new_files = native_new,
};
