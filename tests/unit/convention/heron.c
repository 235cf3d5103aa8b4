/*
 * heron.c: a made-up tool's folder convention, added the way a new one is
 * (docs/architecture.md shows the diff): h0001_name.sql, its down in
 * h0001_name.undo.sql, each file whole. As src/lib/source/heron.c it
 * would include "conventions.h" and "../../util/text.h"; here the same
 * file is built into test_convention_added with heron.def's list.
 */
#include "lib/source/conventions.h"
#include "util/text.h"

static int heron_classify(file_name *fn, const char *n, size_t base)
{
	size_t d = 1;

	if (n[0] != 'h')
		return -1;
	while (d < base && gw_is_digit(n[d]))
		d++;
	if (d == 1 || d >= base || n[d] != '_')
		return -1;
	fn->conv = GW_CONV(heron);
	fn->version_start = 1;
	fn->version_len = d - 1;
	fn->name_start = d + 1;
	fn->stem_len = base;
	if (gw_source__ends_with(n, base, ".undo")) {
		fn->is_down = 1;
		fn->stem_len = base - 5;
	}
	return fn->stem_len > d + 1 ? 0 : -1;
}

static const char *heron_down_place(gw_str *file, const char *stem, const char *up_file)
{
	(void)up_file;
	gw_str_printf(file, "%s.undo.sql", stem);
	return NULL;
}

/* godwit new writes its placeholder texts in both files. */
static void heron_new(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                      const char *version, const char *name)
{
	(void)up_body;
	(void)down_body;
	gw_str_printf(up_name, "h%s_%s.sql", version, name);
	gw_str_printf(down_name, "h%s_%s.undo.sql", version, name);
}

const gw_convention gw_convention_heron = {
        .format = GW_CONV(heron),
        .name = "heron",
        .example = "h0001_create_users.sql",
        .classify = heron_classify,
        .down_place = heron_down_place,
        .new_files = heron_new,
};
