/*
 * multi.c: multi-dialect folders, popx's (see docs/formats.md).
 *
 * golang-migrate names with a dialect (".postgres", ".sqlite3", ...) and
 * ".autocommit" before ".up.sql" (classified in golang.c): the loader keeps
 * the target database's variant of each migration and leaves the others
 * out. New migrations are generic, as in golang-migrate.
 */
#include "priv.h"
#include "../../util/fs.h"

/* popx names a file name.dialect[.autocommit].up.sql, the name without a
 * '.': in its folders anything else after the name is a dialect godwit
 * does not know (a typo, most likely). Such a file would run on every
 * database as a generic one, so it is refused. */
static int multi_check(gw_loader *ld)
{
	if (!ld->odd_dialect)
		return gw_source__check_fizz(ld);
	gw_str_clear(&ld->path);
	gw_path_join(&ld->path, ld->dir, ld->odd_dialect);
	return gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
	                             "names no dialect godwit knows, in a multi-dialect folder; "
	                             "use postgres, sqlite3, mysql or cockroach (or a synonym "
	                             "popx accepts), or no '.' in the name for a generic file");
}

const gw_convention gw_convention_multi = {
        .format = GW_FORMAT_MULTI,
        .name = "multi-dialect",
        .example = "1_create_users.postgres.up.sql",
        .down_place = gw_source__dot_down_place,
        .new_files = gw_source__dot_up_down_new,
        .check_folder = multi_check,
        .adopts = GW_FORMAT_GOLANG,
        .up_suffix = ".up.sql",
        .runs_empty = 1,
        .empty_down = GW_EMPTY_DOWN_NOOP,
        .notes_ignored = 1,
};
