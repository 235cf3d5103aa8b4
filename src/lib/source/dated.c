/*
 * dated.c: dated migrations (see docs/formats.md).
 *
 * 2026-01-21_name.sql and 2026-01-21_name_rollback.sql, ordered by their
 * @depends-on lines as well as by date (source.c, order.c).
 */
#include "priv.h"

const gw_convention gw_convention_dated = {
        .format = GW_FORMAT_DATED,
        .name = "dated",
        .example = "2024-01-01_create_users.sql",
        .down_place = gw_source__rollback_down_place,
        .new_files = gw_source__rollback_new,
};
