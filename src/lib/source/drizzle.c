/*
 * drizzle.c: drizzle-kit's folders (see docs/formats.md).
 *
 * drizzle-kit keeps meta/_journal.json next to its "0000_name.sql" files;
 * its entries[] list each migration's "tag" (the file name without .sql)
 * in apply order, with the "when" (the folderMillis drizzle-orm's
 * migrator stores as created_at) that `godwit adopt --from drizzle`
 * matches. The journal is read and written with jansson: `godwit new`
 * adds an entry to the parsed journal and writes it back in drizzle-kit's
 * layout (JSON.stringify with two-space indentation), keys in their order.
 *
 * A folder with a journal is drizzle-kit's: the loader asks drizzle_detect,
 * then drizzle_claim settles each file's name by the journal's tags, and
 * drizzle_check proves that the journal and the files agree.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "priv.h"
#include "../json.h"
#include "../../util/error.h"
#include "../../util/fs.h"
#include "../../util/str.h"
#include "../version.h"

extern const gw_convention gw_convention_drizzle;

static void journal_error(gw_drizzle_error *err, int line, int col, const char *fmt, ...)
        GW_FORMAT_PRINTF(4, 5);

static void journal_error(gw_drizzle_error *err, int line, int col, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->what, sizeof(err->what), fmt, ap);
	va_end(ap);
}

/* The parsed journal and its "entries" array (NULL when it has none). */
static json_t *parse(const char *text, size_t len, json_t **entries, gw_drizzle_error *err)
{
	json_error_t je;
	json_t *root = NULL;
	int rc;

	*entries = NULL;
	err->what[0] = '\0';
	/* jansson would say "'[' or '{' expected near" an invisible character. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		journal_error(err, 1, 1,
		              "starts with a UTF-8 byte-order mark, which drizzle-kit and "
		              "drizzle-orm cannot read either (JSON.parse refuses it); save the "
		              "file without it");
		return NULL;
	}
	rc = gw_json__load(&root, text, len, &je);
	if (rc < 0)
		return NULL; /* what[] empty: out of memory, not a bad journal */
	if (rc > 0) {
		journal_error(err, je.line > 0 ? je.line : 0, je.column > 0 ? je.column : 0,
		              "not valid JSON: %s", je.text);
		return NULL;
	}
	if (json_is_object(root) && json_is_array(json_object_get(root, "entries")))
		*entries = json_object_get(root, "entries");
	return root;
}

/* Pushes a copy of s onto out; -1 when out of memory. */
static int push_copy(gw_vec *out, const char *s)
{
	char *copy = gw_strdup(s);

	if (!copy || gw_vec_push(out, copy) < 0) {
		free(copy);
		return -1;
	}
	return 0;
}

int gw_source__drizzle_read(gw_vec *tags, gw_vec *whens, const char *text, size_t len,
                            gw_drizzle_error *err)
{
	json_t *root, *entries, *entry, *tag, *when;
	char buf[32];
	size_t i;
	int error = 0;

	memset(err, 0, sizeof(*err));
	if (!(root = parse(text, len, &entries, err)))
		return -1;
	json_array_foreach(entries, i, entry)
	{
		/* An entry without a tag names no file; drizzle-kit writes none. */
		if (!(tag = json_object_get(entry, "tag")))
			continue;
		if (!json_is_string(tag) || !json_string_length(tag) ||
		    strlen(json_string_value(tag)) != json_string_length(tag) ||
		    strchr(json_string_value(tag), '/')) {
			journal_error(err, 0, 0,
			              "entry %zu of \"entries\" has a \"tag\" that is not a file "
			              "name; godwit reads each entry's tag as the file name",
			              i + 1);
			error = -1;
			break;
		}
		when = json_object_get(entry, "when");
		if (whens && !json_is_integer(when)) {
			journal_error(err, 0, 0,
			              "entry %zu of \"entries\" (%s) has no numeric \"when\"; "
			              "drizzle records each migration by it",
			              i + 1, json_string_value(tag));
			error = -1;
			break;
		}
		if (push_copy(tags, json_string_value(tag)) < 0) {
			error = -1;
			break;
		}
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		         whens ? json_integer_value(when) : 0);
		if (whens && push_copy(whens, buf) < 0) {
			error = -1;
			break;
		}
	}
	json_decref(root);
	return error;
}

/* jansson's dump callback: appends to a gw_str. */
int gw_source__drizzle_append(gw_str *out, const char *text, size_t len, const char *tag,
                              long long when, gw_drizzle_error *err)
{
	json_t *root, *entries, *entry, *last, *entry_new = NULL;
	const char *version = "7";
	size_t i;
	int error = -1;

	memset(err, 0, sizeof(*err));
	if (!(root = parse(text, len, &entries, err)))
		return -1;
	if (!entries) {
		journal_error(err, 0, 0, "has no \"entries\" array to add %s to", tag);
		goto cleanup;
	}
	/* Each entry is later than the one before, as drizzle-kit writes
	 * them; "idx" counts from 0; the snapshot "version" is the last
	 * entry's. */
	json_array_foreach(entries, i, entry)
	{
		json_t *w = json_object_get(entry, "when");

		if (json_is_integer(w) && json_integer_value(w) >= when)
			when = json_integer_value(w) + 1;
	}
	last = json_array_get(entries, json_array_size(entries) - 1);
	if (json_is_string(json_object_get(last, "version")))
		version = json_string_value(json_object_get(last, "version"));
	if (!(entry_new = json_pack("{s:I,s:s,s:I,s:s,s:b}", "idx",
	                            (json_int_t)json_array_size(entries), "version", version,
	                            "when", (json_int_t)when, "tag", tag, "breakpoints", 1)) ||
	    json_array_append_new(entries, entry_new) < 0) {
		entry_new = NULL;
		goto cleanup;
	}
	if (gw_json__dump(out, root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
		goto cleanup;
	if (len && text[len - 1] == '\n')
		gw_str_putc(out, '\n');
	error = gw_str_failed(out) ? -1 : 0;
cleanup:
	json_decref(root);
	return error;
}

/* drizzle runs the whole file: no sections; the down is a file of its own
 * that drizzle-kit leaves alone. */
static void drizzle_new(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                        const char *version, const char *name)
{
	(void)up_body;
	(void)down_body;
	gw_str_printf(up_name, "%s_%s.sql", version, name);
	gw_str_printf(down_name, "%s_%s.down.sql", version, name);
}

/* drizzle-kit runs only what its journal lists: the new file gets an
 * entry, as `drizzle-kit generate` would write it. */
static int drizzle_register(const gw_source *src, const char *version, const char *name,
                            gw_ctx *ctx)
{
	gw_str path = GW_STR_INIT, text = GW_STR_INIT, out = GW_STR_INIT, tag = GW_STR_INIT;
	gw_drizzle_error jerr;
	struct timespec ts;
	int error;

	clock_gettime(CLOCK_REALTIME, &ts);
	gw_str_printf(&tag, "%s_%s", version, name);
	if (gw_path_join(&path, src->dir, DRIZZLE_JOURNAL) < 0 || gw_str_failed(&tag)) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if ((error = gw_file_read(&text, path.ptr, GW_FILE_MAX, ctx)) < 0)
		goto cleanup;
	if (gw_source__drizzle_append(&out, text.ptr, text.size, tag.ptr,
	                              (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
	                              &jerr) < 0) {
		error = !jerr.what[0] ? gw_error_oom(ctx)
		                      : gw_source__file_error(ctx, GW_ESOURCE, path.ptr, jerr.line,
		                                              jerr.col, "%s", jerr.what);
		goto cleanup;
	}
	error = gw_file_replace(path.ptr, out.ptr, out.size, ctx);
cleanup:
	gw_str_dispose(&path);
	gw_str_dispose(&text);
	gw_str_dispose(&out);
	gw_str_dispose(&tag);
	return error;
}

/* ---- loading ------------------------------------------------------------ */

/* A meta/_journal.json makes the folder drizzle-kit's; its tags, kept in
 * ld->listed, say which files belong and in what order. */
static int drizzle_detect(gw_loader *ld)
{
	gw_drizzle_error jerr;
	int error;

	gw_str_clear(&ld->path);
	if (gw_path_join(&ld->path, ld->dir, DRIZZLE_JOURNAL) < 0)
		return gw_error_oom(ld->ctx);
	if (gw_path_is_dir(ld->path.ptr) != 0)
		return 0;
	/* gw_file_read said why (and out of memory is not an I/O error). */
	if ((error = gw_file_read(&ld->text, ld->path.ptr, GW_FILE_MAX, ld->ctx)) < 0)
		return error;
	if (gw_source__drizzle_read(&ld->listed, NULL, ld->text.ptr, ld->text.size, &jerr) < 0)
		return jerr.what[0] ? gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr,
		                                            jerr.line, jerr.col, "%s", jerr.what)
		                    : gw_error_oom(ld->ctx);
	return 1;
}

static int is_tag(const gw_loader *ld, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ld->listed.len; i++) {
		const char *tag = ld->listed.items[i];

		if (strlen(tag) == len && !memcmp(tag, s, len))
			return 1;
	}
	return 0;
}

/* In a drizzle-kit folder, "0000_name.sql" would read as a pair's up file;
 * the journal says it is a drizzle migration. drizzle-kit has no downs, but
 * its users keep hand-written ones beside the journal's files:
 * "<tag>_rollback.sql" or "<tag>.down.sql", read as the downs. A file whose
 * name is a tag is an up, even one ending in _rollback. */
static void drizzle_claim(const gw_loader *ld, file_name *fn, const char *file)
{
	if (fn->conv == GW_FORMAT_GOLANG && fn->is_down && !fn->dialect && !fn->autocommit) {
		fn->conv = GW_FORMAT_DRIZZLE;
		return;
	}
	if (fn->conv != GW_FORMAT_PAIRS)
		return;
	fn->conv = GW_FORMAT_DRIZZLE;
	if (fn->rollback && !is_tag(ld, file, fn->stem_len)) {
		fn->is_down = 1;
		fn->stem_len -= 9;
	}
	fn->rollback = 0;
}

/* meta/ holds the journal and drizzle-kit's snapshots, read by
 * drizzle_detect: no stray folder. */
static int drizzle_load_dir(gw_loader *ld, char *name)
{
	return ld->detected == &gw_convention_drizzle && !strcmp(name, "meta");
}

/* The index in ld->ups of the migration with this stem; ld->ups.len if none. */
static size_t find_stem(gw_loader *ld, const char *stem)
{
	size_t i;

	for (i = 0; i < ld->ups.len; i++)
		if (!strcmp(((gw_source_mig *)ld->ups.items[i])->stem, stem))
			break;
	return i;
}

/* Every journal entry has its file, every file its entry, and the journal's
 * order is the order of the versions, so sorting by version keeps it. */
static int drizzle_check(gw_loader *ld)
{
	gw_source_mig *m, *prev = NULL;
	char *listed = calloc(ld->ups.len + 1, 1);
	size_t i, k;
	int error = 0;

	if (!listed)
		return gw_error_oom(ld->ctx);
	gw_str_clear(&ld->path);
	gw_path_join(&ld->path, ld->dir, DRIZZLE_JOURNAL);
	for (i = 0; i < ld->listed.len; i++) {
		const char *tag = ld->listed.items[i];

		if ((k = find_stem(ld, tag)) == ld->ups.len) {
			error = gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
			                              "lists %s, but there is no %s.sql; restore "
			                              "it or remove its entry",
			                              tag, tag);
			goto cleanup;
		}
		m = ld->ups.items[k];
		if (prev && gw_version_cmp(prev->pub.version, m->pub.version) >= 0) {
			error = gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
			                              "lists %s after %s; number the files in "
			                              "journal order",
			                              tag, prev->stem);
			goto cleanup;
		}
		listed[k] = 1;
		prev = m;
	}
	for (i = 0; i < ld->ups.len; i++) {
		m = ld->ups.items[i];
		if (listed[i] || m->pub.repeatable)
			continue;
		gw_str_clear(&ld->path);
		gw_path_join(&ld->path, ld->dir, m->pub.up_file);
		error = gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
		                              "is not in %s; drizzle-kit would not run it: add "
		                              "an entry or delete the file",
		                              DRIZZLE_JOURNAL);
		goto cleanup;
	}
cleanup:
	free(listed);
	return error;
}

static const char *const drizzle_aliases[] = {"drizzle-kit", NULL};

const gw_convention gw_convention_drizzle = {
        .format = GW_FORMAT_DRIZZLE,
        .name = "drizzle",
        .aliases = drizzle_aliases,
        .example = "0000_create_users.sql",
        .down_place = gw_source__dot_down_place,
        .new_files = drizzle_new,
        .register_new = drizzle_register,
        .detect = drizzle_detect,
        .claim = drizzle_claim,
        .load_dir = drizzle_load_dir,
        .check_set = drizzle_check,
        .runs_empty = 1,
        .notes_ignored = 1,
};
