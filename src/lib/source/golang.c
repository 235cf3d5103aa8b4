/*
 * golang.c: golang-migrate's convention (see docs/formats.md).
 *
 * 1_name.up.sql and 1_name.down.sql, each file whole. The classifier here
 * also finds the "<digits>_<name>.sql" shape that native, pairs and goose
 * files share (pairs.c settles it), and the dialect suffixes of
 * multi-dialect names (multi.c), whose folders hold golang-migrate's
 * generic files too.
 */
#include <string.h>

#include "priv.h"
#include "../../util/error.h"
#include "../../util/fs.h"
#include "../../util/text.h"

/* ".postgres" and ".autocommit" before ".up.sql" (either order) make a
 * golang-migrate name a multi-dialect one; the stem drops them, so the
 * variants of one migration share it. */
static void dialect_suffixes(file_name *fn, const char *n)
{
	/* Each suffix and the dialect it names: popx (pop's CanonicalDialect)
	 * accepts these synonyms too. */
	static const char *const dialects[][2] = {
	        {".postgres", "postgres"},   {".postgresql", "postgres"},   {".pg", "postgres"},
	        {".pgx", "postgres"},        {".sqlite3", "sqlite3"},       {".sqlite", "sqlite3"},
	        {".mysql", "mysql"},         {".mariadb", "mysql"},         {".maria", "mysql"},
	        {".cockroach", "cockroach"}, {".cockroachdb", "cockroach"}, {".crdb", "cockroach"},
	};
	size_t i, round, len;

	for (round = 0; round < 2; round++) {
		if (!fn->autocommit && gw_source__ends_with(n, fn->stem_len, ".autocommit") &&
		    fn->stem_len - 11 > fn->name_start) {
			fn->autocommit = 1;
			fn->stem_len -= 11;
			continue;
		}
		for (i = 0; i < sizeof(dialects) / sizeof(dialects[0]) && !fn->dialect; i++) {
			len = strlen(dialects[i][0]);
			if (gw_source__ends_with(n, fn->stem_len, dialects[i][0]) &&
			    fn->stem_len - len > fn->name_start) {
				fn->dialect = dialects[i][1];
				fn->stem_len -= len;
			}
		}
	}
	if (fn->dialect || fn->autocommit)
		fn->conv = GW_FORMAT_MULTI;
}

/* "<digits>_<name>.sql", the shape golang-migrate shares with native,
 * pairs, goose and drizzle files: ".up"/".down" make it golang-migrate's
 * (or multi-dialect's, with a dialect suffix); any other is PAIRS until
 * the loader reads the text (a -- migrate:up line makes it native, a
 * -- +goose Up line goose's; a journal drizzle's). */
static int golang_classify(file_name *fn, const char *n, size_t base)
{
	size_t d = 0;

	while (d < base && gw_is_digit(n[d]))
		d++;
	if (!d || d >= base || n[d] != '_')
		return -1;
	fn->version_len = d;
	fn->name_start = d + 1;
	fn->stem_len = base;
	if (gw_source__ends_with(n, base, ".up") || gw_source__ends_with(n, base, ".down")) {
		fn->conv = GW_FORMAT_GOLANG;
		fn->is_down = n[base - 1] == 'n';
		fn->stem_len = base - (fn->is_down ? 5 : 3);
		dialect_suffixes(fn, n);
	} else {
		fn->conv = GW_FORMAT_PAIRS;
		fn->shared = 1;
		fn->rollback = gw_source__ends_with(n, base, "_rollback") && base - 9 > d + 1;
	}
	return fn->stem_len > d + 1 ? 0 : -1;
}

/* A file that runs whole. A '.' in its name part is a dialect godwit
 * does not know when the folder turns out to be multi-dialect (multi.c);
 * with multi-dialect forced, the file is read as one of those. */
static int golang_settle(gw_loader *ld, const char *file, file_name *fn, markers *mk)
{
	int error;

	if ((error = gw_source__check_whole(ld, file, fn, mk)) < 0)
		return error;
	if (ld->forced != GW_FORMAT_MULTI && !ld->odd_dialect &&
	    memchr(file + fn->name_start, '.', fn->stem_len - fn->name_start))
		ld->odd_dialect = file;
	return 0;
}

/* pop and popx also run fizz migrations (their own DSL, translated per
 * database); godwit runs SQL only, and leaving one out would skip a
 * migration the folder's tool applies, so one is an error. */
int gw_source__check_fizz(gw_loader *ld)
{
	size_t i, n;

	for (i = 0; i < ld->ignored.len; i++) {
		const char *name = ld->ignored.items[i];

		n = strlen(name);
		if (!gw_is_digit(name[0]) || (!gw_source__ends_with(name, n, ".up.fizz") &&
		                              !gw_source__ends_with(name, n, ".down.fizz")))
			continue;
		gw_str_clear(&ld->path);
		gw_path_join(&ld->path, ld->dir, name);
		return gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
		                             "is a fizz migration, which godwit cannot run; "
		                             "write the SQL it stands for in a .sql file of the "
		                             "same name instead");
	}
	return 0;
}

/* golang-migrate, multi-dialect and drizzle downs: "<stem>.down.sql". */
const char *gw_source__dot_down_place(gw_str *file, const char *stem, const char *up_file)
{
	(void)up_file;
	gw_str_printf(file, "%s.down.sql", stem);
	return NULL;
}

/* golang-migrate and multi-dialect: "<version>_<name>.up.sql" and ".down.sql". */
void gw_source__dot_up_down_new(gw_str *up_name, gw_str *up_body, gw_str *down_name,
                                gw_str *down_body, const char *version, const char *name)
{
	(void)up_body;
	(void)down_body;
	gw_str_printf(up_name, "%s_%s.up.sql", version, name);
	gw_str_printf(down_name, "%s_%s.down.sql", version, name);
}

static const char *const golang_aliases[] = {"golang", "migrate", NULL};

const gw_convention gw_convention_golang = {
        .format = GW_FORMAT_GOLANG,
        .name = "golang-migrate",
        .aliases = golang_aliases,
        .example = "1_create_users.up.sql",
        .classify = golang_classify,
        .down_place = gw_source__dot_down_place,
        .new_files = gw_source__dot_up_down_new,
        .settle = golang_settle,
        /* golang-migrate runs a file as it is, so its users wrap one in
         * BEGIN; ... COMMIT; themselves: what is between them runs in
         * godwit's transaction, as for a sqitch script (up and down files
         * alike). */
        .unwrap = gw_source__sqitch_unwrap,
        .check_folder = gw_source__check_fizz,
        .up_suffix = ".up.sql",
        .runs_empty = 1,
        /* A blank down, as `migrate create` writes it, undoes nothing (a
         * comment says why there is none). */
        .empty_down = GW_EMPTY_DOWN_BLANK,
        .repeatable_dir = 1,
};
