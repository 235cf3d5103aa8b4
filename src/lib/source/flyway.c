/*
 * flyway.c: Flyway's file names (see docs/formats.md).
 *
 * V<version>__<description>.sql is a versioned migration, U<version>__... its
 * undo and R__<description>.sql a repeatable one. The version is digit runs
 * joined by '.' or '_' (Flyway reads V1_1 as 1.1); the loader stores it with
 * dots so both spellings are one version. Everything else about a Flyway
 * file (whole file is the SQL, directives, checksums) is the loader's usual
 * path in file.c.
 */
#include <string.h>

#include "priv.h"
#include "../../util/text.h"

/* "R__<description>": the description is the version too, so repeatables
 * have unique versions that sort after every numeric one. */
static int repeatable_name(file_name *fn, const char *n, size_t base)
{
	if (base < 4 || n[1] != '_' || n[2] != '_')
		return -1;
	fn->conv = GW_FORMAT_FLYWAY;
	fn->repeatable = 1;
	fn->version_len = base;
	fn->name_start = 3;
	fn->stem_len = base;
	return 0;
}

int gw_source__flyway_name(file_name *fn, const char *n, size_t base)
{
	size_t i = 1;

	if (base < 2)
		return -1;
	if (n[0] == 'R')
		return repeatable_name(fn, n, base);
	if ((n[0] != 'V' && n[0] != 'U') || !gw_is_digit(n[1]))
		return -1;
	/* Digit runs separated by single '.' or '_', up to the "__". */
	for (;;) {
		while (i < base && gw_is_digit(n[i]))
			i++;
		if (i + 1 < base && n[i] == '_' && n[i + 1] == '_')
			break;
		if (i + 1 < base && (n[i] == '.' || n[i] == '_') && gw_is_digit(n[i + 1])) {
			i++;
			continue;
		}
		return -1;
	}
	if (i + 2 >= base)
		return -1;
	fn->conv = GW_FORMAT_FLYWAY;
	fn->is_down = n[0] == 'U';
	fn->dotted = 1;
	fn->version_start = 1;
	fn->version_len = i - 1;
	fn->name_start = i + 2;
	/* V1__x and U1__x pair on what follows the letter. */
	fn->stem_start = 1;
	fn->stem_len = base;
	return 0;
}

static const char *flyway_down_place(gw_str *file, const char *stem, const char *up_file)
{
	(void)up_file;
	gw_str_printf(file, "U%s.sql", stem);
	return NULL;
}

static void flyway_new(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                       const char *version, const char *name)
{
	(void)up_body;
	(void)down_body;
	gw_str_printf(up_name, "V%s__%s.sql", version, name);
	gw_str_printf(down_name, "U%s__%s.sql", version, name);
}

const gw_convention gw_convention_flyway = {
        .format = GW_FORMAT_FLYWAY,
        .name = "flyway",
        .example = "V1__create_users.sql",
        .classify = gw_source__flyway_name,
        .down_place = flyway_down_place,
        .stem_prefix = "V",
        .new_files = flyway_new,
        .runs_empty = 1,
        .notes_ignored = 1,
};
