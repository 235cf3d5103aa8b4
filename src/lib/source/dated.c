/*
 * dated.c: dated migrations (see docs/formats.md).
 *
 * 2026-01-21_name.sql and 2026-01-21_name_rollback.sql, ordered by their
 * @depends-on lines as well as by date (file.c, order.c).
 */
#include "priv.h"
#include "../../util/text.h"

/* "2026-01-21_name" or its down "2026-01-21_name_rollback": the version
 * is the whole stem. */
static int dated_classify(file_name *fn, const char *n, size_t base)
{
	static const char shape[] = "dddd-dd-dd_";
	size_t i;

	if (base < sizeof(shape) - 1)
		return -1;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd' ? !gw_is_digit(n[i]) : n[i] != shape[i])
			return -1;
	}
	fn->conv = GW_FORMAT_DATED;
	fn->name_start = 11;
	fn->stem_len = base;
	if (gw_source__ends_with(n, base, "_rollback") && base - 9 > 11) {
		fn->is_down = 1;
		fn->stem_len = base - 9;
	}
	fn->version_len = fn->stem_len;
	return fn->stem_len > 11 ? 0 : -1;
}

const gw_convention gw_convention_dated = {
        .format = GW_FORMAT_DATED,
        .name = "dated",
        .example = "2024-01-01_create_users.sql",
        .classify = dated_classify,
        .down_place = gw_source__rollback_down_place,
        .new_files = gw_source__rollback_new,
        .repeatable_dir = 1,
        .by_dependencies = 1,
};
