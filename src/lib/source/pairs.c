/*
 * pairs.c: rollback pairs (see docs/formats.md).
 *
 * 0001_name.sql and its down 0001_name_rollback.sql, each file whole.
 * Dated folders (dated.c) name their files the same way.
 */
#include "priv.h"

/* pairs and dated: "<stem>_rollback.sql" (a dated stem is its whole name). */
const char *gw_source__rollback_down_place(gw_str *file, const char *stem, const char *up_file)
{
	(void)up_file;
	gw_str_printf(file, "%s_rollback.sql", stem);
	return NULL;
}

void gw_source__rollback_new(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                             const char *version, const char *name)
{
	(void)up_body;
	(void)down_body;
	gw_str_printf(up_name, "%s_%s.sql", version, name);
	gw_str_printf(down_name, "%s_%s_rollback.sql", version, name);
}

static const char *const pairs_aliases[] = {"rollback-pairs", NULL};

const gw_convention gw_convention_pairs = {
        .format = GW_FORMAT_PAIRS,
        .name = "pairs",
        .aliases = pairs_aliases,
        .example = "0001_create_users.sql",
        .down_place = gw_source__rollback_down_place,
        .new_files = gw_source__rollback_new,
};
