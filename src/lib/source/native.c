/*
 * native.c: godwit's own convention, dbmate's (see docs/formats.md).
 *
 * 20240101120000_name.sql holds both directions, below "-- migrate:up"
 * and "-- migrate:down" lines (and godwit's "-- migrate:verify"). Its files
 * take the shape "<digits>_<name>.sql" of pairs' and goose's: pairs.c
 * settles whose a file is by its markers, and hands a native one here to
 * be checked. The marker lines are found by markers.c, which every file
 * goes through (a file that runs whole must not have them).
 */
#include "priv.h"
#include "../../util/error.h"
#include "../../util/text.h"

int gw_source__native_check(const char *text, size_t len, const markers *mk, const char *path,
                            gw_ctx *ctx)
{
	int error;

	if ((error = gw_source__check_markers(mk, "-- migrate:up", "-- migrate:down", path, ctx)) <
	    0)
		return error;
	if (mk->verify.again)
		return gw_source__file_error(
		        ctx, GW_ESOURCE, path, mk->verify.again, 0,
		        "a second -- migrate:verify line; a file holds one migration");
	if (mk->verify.found && (mk->verify.start < mk->up.start ||
	                         (mk->down.found && mk->verify.start < mk->down.start)))
		return gw_source__file_error(ctx, GW_ESOURCE, path, mk->verify.line, 0,
		                             "-- migrate:verify comes before the up or down "
		                             "section; put it last");
	return gw_source__check_head(text, len, mk, "-- migrate:up", path, ctx);
}

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
        .no_tx_up = "-- migrate:up transaction:false",
        .no_tx_down = "-- migrate:down transaction:false",
        .scan = gw_source__native_scan,
        .unmarked = "no -- migrate:up line; a native migration puts its up SQL below -- "
                    "migrate:up and its down SQL below -- migrate:down",
        .takes_empty = 1,
        .repeatable_dir = 1,
};
