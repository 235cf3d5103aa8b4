/*
 * multi.c: multi-dialect folders, popx's (see docs/formats.md).
 *
 * golang-migrate names with a dialect (".postgres", ".sqlite3", ...) and
 * ".autocommit" before ".up.sql": the loader (source.c) keeps the target
 * database's variant of each migration and leaves the others out. New
 * migrations are generic, as in golang-migrate.
 */
#include "priv.h"

const gw_convention gw_convention_multi = {
        .format = GW_FORMAT_MULTI,
        .name = "multi-dialect",
        .example = "1_create_users.postgres.up.sql",
        .down_place = gw_source__dot_down_place,
        .new_files = gw_source__dot_up_down_new,
};
