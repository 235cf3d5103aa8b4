/*
 * pairs.c: rollback pairs (see docs/formats.md).
 *
 * 0001_name.sql and its down 0001_name_rollback.sql, each file whole.
 * Dated folders (dated.c) name their files the same way.
 *
 * "<digits>_<name>.sql" is also the shape of native and goose files (and,
 * with a journal, drizzle-kit's): golang.c's classifier calls such a name
 * a pair's until its text is read, and pairs_settle decides by the
 * markers in it whose file it is.
 */
#include "priv.h"
#include "../../util/error.h"

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

/* A line that looks like a marker is a misspelt one here, as the file may
 * be native or goose's; a file with no text at all (just created by touch,
 * say) reads the same as a native or a pair's up file, so it takes no
 * side: it is an empty migration either way, and up says so. */
static int pairs_settle(gw_loader *ld, const char *file, file_name *fn, markers *mk)
{
	const char *text = ld->text.ptr;
	size_t len = ld->text.size;
	int error;

	if (!mk->up.found && !mk->down.found && !mk->verify.found)
		gw_source__goose_sniff(fn, mk, text, len);
	if (mk->near_line)
		return gw_source__near_error(ld, fn, mk, 1);
	if (fn->conv == GW_FORMAT_GOOSE)
		return gw_source__goose_check(text, len, mk, ld->path.ptr, ld->ctx);
	if (ld->forced == GW_FORMAT_AUTO && !fn->rollback && !mk->up.found && !mk->down.found &&
	    !gw_source__has_sql(text, 0, len)) {
		if (!ld->empty_file)
			ld->empty_file = file;
		return 1;
	}
	if (mk->up.found) {
		fn->conv = GW_FORMAT_NATIVE;
		fn->shared = 0;
		return gw_source__native_check(text, len, mk, ld->path.ptr, ld->ctx);
	}
	if (mk->down.found && ld->forced != GW_FORMAT_PAIRS)
		return gw_source__file_error(
		        ld->ctx, GW_ESOURCE, ld->path.ptr, mk->down.line, 0,
		        "-- migrate:down without a -- migrate:up line; put -- migrate:up "
		        "above the up SQL");
	if ((error = gw_source__check_whole(ld, file, fn, mk)) < 0)
		return error;
	if (fn->rollback)
		fn->is_down = 1;
	if (fn->is_down)
		fn->stem_len -= 9;
	return 0;
}

static const char *const pairs_aliases[] = {"rollback-pairs", NULL};

const gw_convention gw_convention_pairs = {
        .format = GW_FORMAT_PAIRS,
        .name = "pairs",
        .aliases = pairs_aliases,
        .example = "0001_create_users.sql",
        .down_place = gw_source__rollback_down_place,
        .new_files = gw_source__rollback_new,
        .settle = pairs_settle,
        .takes_empty = 1,
        .repeatable_dir = 1,
};
