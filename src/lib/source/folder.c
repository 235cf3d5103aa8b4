/*
 * folder.c: a migrations folder → its migrations (the loading pipeline).
 *
 * gw_source__load_folder lists the folder once, asks the conventions
 * whether a file of theirs lists the migrations (detect, then load), else
 * loads entry by entry (file.c); then it settles the folder's convention
 * (refusing a mix), runs that convention's checks, gives each down file
 * to its up, reads the repeatable/ folder, and hands the set to order.c.
 * Where conventions differ, it asks their table (priv.h), never names one.
 */
/* readdir's d_type (below) is a BSD extension glibc hides under strict
 * POSIX. */
#define _DEFAULT_SOURCE 1

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"
#include "../../util/error.h"
#include "../../util/fs.h"
#include "../../util/text.h"

/* An entry's place in the sort: 8 bytes of its name from the prefix
 * every name of the folder shares, big-endian (0 past its end, as its
 * NUL sorts first for strcmp), and its index in the listing. */
typedef struct sort_key {
	uint64_t key;
	size_t at;
} sort_key;

static uint64_t key_of(const char *name)
{
	uint64_t key = 0;
	int i;

	for (i = 0; i < 8; i++) {
		key = key << 8 | (unsigned char)*name;
		name += *name != '\0';
	}
	return key;
}

/* Sorts keys (n of them) by key, tmp as large: by the bytes of the
 * keys from the last, each pass stable (a radix sort); a pass where every
 * key has the same byte is skipped. Returns where the sorted keys are. */
static sort_key *radix_sort(sort_key *keys, sort_key *tmp, size_t n)
{
	size_t count[256], i, sum;
	int shift;

	for (shift = 0; shift < 64; shift += 8) {
		sort_key *swap;

		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[keys[i].key >> shift & 255]++;
		if (count[keys[0].key >> shift & 255] == n)
			continue;
		for (i = sum = 0; i < 256; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[keys[i].key >> shift & 255]++] = keys[i];
		swap = keys;
		keys = tmp;
		tmp = swap;
	}
	return keys;
}

/* Sorts l's entries by name, bytewise as strcmp. A folder of migrations
 * holds names that share their first bytes (the century, the year), and
 * qsort with strcmp through pointers to the entries was a tenth of
 * loading 10,000 files: the names are sorted by a radix sort of 8 bytes
 * past their common prefix, and only names those 8 bytes leave equal by
 * strcmp. */
static int sort_entries(gw_folder *l)
{
	sort_key *keys = NULL, *tmp = NULL, *sorted;
	gw_folder_entry *items = NULL;
	const char *first;
	size_t i, j, k, n = l->len, lcp;

	if (n < 2)
		return 0;
	if (!(keys = malloc(n * sizeof(*keys))) || !(tmp = malloc(n * sizeof(*tmp))) ||
	    !(items = malloc(n * sizeof(*items)))) {
		free(keys);
		free(tmp);
		return -1;
	}
	first = l->items[0].name;
	lcp = strlen(first);
	for (i = 1; i < n && lcp; i++) {
		const char *name = l->items[i].name;

		for (j = 0; j < lcp && name[j] == first[j]; j++)
			;
		lcp = j;
	}
	for (i = 0; i < n; i++) {
		keys[i].key = key_of(l->items[i].name + lcp);
		keys[i].at = i;
	}
	sorted = radix_sort(keys, tmp, n);
	/* Names whose 8 bytes are the same: in order by strcmp, by
	 * insertion (such runs are short). */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && sorted[j].key == sorted[i].key; j++)
			;
		for (k = i + 1; k < j; k++) {
			sort_key key = sorted[k];
			size_t m = k;

			for (; m > i &&
			       strcmp(l->items[sorted[m - 1].at].name, l->items[key.at].name) > 0;
			     m--)
				sorted[m] = sorted[m - 1];
			sorted[m] = key;
		}
	}
	for (i = 0; i < n; i++)
		items[i] = l->items[sorted[i].at];
	free(keys);
	free(tmp);
	free(l->items);
	/* As many as there are: the array doubled as the folder was read,
	 * and a third of it could be room never used. */
	l->items = items;
	l->cap = n;
	return 0;
}

/* Whether a listed name is left out of the set: hidden names silently,
 * anything but a .sql file into the ignored list. readdir's d_type saves a
 * stat per file; only file systems that do not fill it pay for one. */
static int entry_skip(const char *dir, const struct dirent *d, gw_str *path)
{
	const char *name = d->d_name;

	if (name[0] == '.')
		return 2;
	if (!gw_source__ends_with(name, strlen(name), ".sql"))
		return 1;
#ifdef DT_DIR
	if (d->d_type == DT_DIR)
		return 1;
	if (d->d_type != DT_UNKNOWN && d->d_type != DT_LNK)
		return 0;
#endif
	gw_str_clear(path);
	gw_path_join(path, dir, name);
	return gw_path_is_dir(path->ptr) == 1;
}

#define NAME_BLOCK 16384

char *gw_source__folder_alloc(gw_folder *l, size_t len)
{
	size_t size;
	char *block, *p;

	if (!l->block || l->block_size - l->block_used < len) {
		size = sizeof(char *) + (len > NAME_BLOCK ? len : NAME_BLOCK);
		if (!(block = malloc(size)))
			return NULL;
		memcpy(block, &l->block, sizeof(char *));
		l->block = block;
		l->block_used = sizeof(char *);
		l->block_size = size;
	}
	p = l->block + l->block_used;
	l->block_used += len;
	return p;
}

void *gw_source__folder_alloc_struct(gw_folder *l, size_t len)
{
	size_t pad = l->block ? (size_t)(0 - (uintptr_t)(l->block + l->block_used)) &
	                                (sizeof(char *) - 1)
	                      : 0;

	/* Where the padded struct does not fit, the block is full: a new
	 * block's room starts a pointer in, malloc's alignment past the link
	 * to the block before. Left as it was, what fits unpadded would come
	 * out misaligned, in a block made for a long string (of any size). */
	if (l->block)
		l->block_used = l->block_size - l->block_used >= pad + len ? l->block_used + pad
		                                                           : l->block_size;
	return gw_source__folder_alloc(l, len);
}

/* A copy of name in l's blocks. */
static char *keep_name(gw_folder *l, const char *name)
{
	size_t len = strlen(name) + 1;
	char *copy = gw_source__folder_alloc(l, len);

	if (copy)
		memcpy(copy, name, len);
	return copy;
}

static int add_entry(gw_folder *l, const char *name, int skip, int link)
{
	gw_folder_entry *items = gw_grow(l->items, &l->cap, l->len, sizeof(*items));

	if (!items)
		return -1;
	l->items = items;
	if (!(l->items[l->len].name = keep_name(l, name)))
		return -1;
	l->items[l->len].link = link;
	l->items[l->len].sum = NULL;
	l->items[l->len++].skip = skip;
	return 0;
}

static int list_error(const char *dir, gw_ctx *ctx)
{
	return gw_error_set(ctx, GW_EIO, "cannot read folder %s: %s", dir, strerror(errno));
}

/* Like gw_dir_list, sorted bytewise, but it also tells which entries are
 * not migration files. */
int gw_source__list_dir(gw_folder *out, const char *dir, gw_ctx *ctx)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? list_error(dir, ctx) : gw_source__list_dirfd(out, dir, fd, ctx);
}

int gw_source__list_dirfd(gw_folder *out, const char *dir, int dirfd, gw_ctx *ctx)
{
	DIR *d;
	struct dirent *e;
	gw_str path = GW_STR_INIT;
	int skip, link = 1, error = 0;

	if (!(d = fdopendir(dirfd))) {
		error = list_error(dir, ctx);
		close(dirfd);
		return error;
	}
	while ((e = readdir(d)) != NULL) {
		if ((skip = entry_skip(dir, e, &path)) == 2)
			continue;
#ifdef DT_LNK
		link = e->d_type == DT_LNK || e->d_type == DT_UNKNOWN;
#endif
		if (add_entry(out, e->d_name, skip, link) < 0) {
			error = gw_error_oom(ctx);
			break;
		}
	}
	closedir(d);
	gw_str_dispose(&path);
	if (!error && sort_entries(out) < 0)
		error = gw_error_oom(ctx);
	return error;
}

void gw_source__blocks_free(char *block)
{
	char *prev;

	while (block) {
		memcpy(&prev, block, sizeof(char *));
		free(block);
		block = prev;
	}
}

void gw_source__folder_dispose(gw_folder *l)
{
	gw_source__blocks_free(l->block);
	l->block = NULL;
	free(l->items);
}

/* The files of a convention another adopts are that one's in its folders
 * (golang-migrate names are the generic files of a multi-dialect folder). */
static void merge_adopted(gw_loader *ld)
{
	const gw_convention *const *conv;
	gw_format adopted;
	size_t i, k;

	for (conv = gw_conventions(); *conv; conv++) {
		adopted = (*conv)->adopts;
		if (!adopted || !ld->first[(*conv)->format] || !ld->first[adopted])
			continue;
		for (i = k = 0; i < ld->nseen; i++)
			if (ld->seen[i] != adopted)
				ld->seen[k++] = ld->seen[i];
		ld->nseen = k;
		ld->first[adopted] = NULL;
	}
}

static int check_mixed(gw_loader *ld)
{
	gw_str msg = GW_STR_INIT;
	size_t i;
	int error;

	merge_adopted(ld);
	if (ld->nseen < 2)
		return 0;
	gw_str_printf(&msg, "%s mixes conventions: ", ld->dir);
	for (i = 0; i < ld->nseen; i++)
		gw_str_printf(&msg, "%s%s (%s)", i ? ", " : "", ld->first[ld->seen[i]],
		              gw_format_name(ld->seen[i]));
	if (gw_str_failed(&msg)) {
		error = gw_error_oom(ld->ctx);
	} else {
		error = gw_error_set(ld->ctx, GW_ESOURCE, "%s", msg.ptr);
		gw_error_set_hint_code(ld->ctx, GW_HINT_ONE_CONVENTION, NULL, NULL);
	}
	gw_str_dispose(&msg);
	return error;
}

static int cmp_stem(const void *a, const void *b)
{
	return strcmp((*(gw_source_mig *const *)a)->stem, (*(gw_source_mig *const *)b)->stem);
}

typedef struct stem_key {
	const char *s;
	size_t len;
} stem_key;

static int cmp_stem_key(const void *key, const void *elem)
{
	const stem_key *k = key;
	const char *s = (*(gw_source_mig *const *)elem)->stem;
	int c = strncmp(k->s, s, k->len);

	return c ? c : (s[k->len] ? -1 : 0);
}

static int down_error(gw_loader *ld, const gw_down_rec *d, gw_format format)
{
	const gw_convention *conv = gw_convention_of(format);

	gw_str_clear(&ld->path);
	gw_path_join(&ld->path, ld->dir, d->file);
	return gw_source__file_error(
	        ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
	        "there is no %s%.*s%s for this down migration; add it or delete this "
	        "file",
	        conv->stem_prefix ? conv->stem_prefix : "", (int)(d->stem_len - d->stem_start),
	        d->file + d->stem_start, conv->up_suffix ? conv->up_suffix : ".sql");
}

/* Of a generic up and the target dialect's, the latter stays. ups is
 * sorted by stem. */
static void prefer_dialect(gw_loader *ld)
{
	gw_source_mig **ups = (gw_source_mig **)ld->ups.items;
	size_t i, k = 0;

	for (i = 0; i < ld->ups.len; i++) {
		if (k && !strcmp(ups[k - 1]->stem, ups[i]->stem) &&
		    ups[k - 1]->specific != ups[i]->specific) {
			if (ups[i]->specific) {
				gw_source__mig_free(ups[k - 1]);
				ups[k - 1] = ups[i];
			} else {
				gw_source__mig_free(ups[i]);
			}
			continue;
		}
		ups[k++] = ups[i];
	}
	ld->ups.len = k;
}

/* Gives each down file to the up file with the same stem. */
static int match_downs(gw_loader *ld, gw_format format)
{
	int empty_down = gw_convention_of(format)->empty_down;
	gw_source_mig **ups = (gw_source_mig **)ld->ups.items, **hit;
	size_t i;

	/* The ups come in the folder's order, which is nearly always their
	 * stems' too: one pass tells, and spares the sort. */
	for (i = 1; i < ld->ups.len && cmp_stem(&ups[i - 1], &ups[i]) <= 0; i++)
		;
	if (i < ld->ups.len)
		qsort(ups, ld->ups.len, sizeof(*ups), cmp_stem);
	prefer_dialect(ld);
	if (!ld->downs.len)
		return 0;
	for (i = 0; i < ld->downs.len; i++) {
		gw_down_rec *d = ld->downs.items[i];
		stem_key key = {d->file + d->stem_start, d->stem_len - d->stem_start};
		gw_source_mig *m;

		hit = ld->ups.len ? bsearch(&key, ups, ld->ups.len, sizeof(*ups), cmp_stem_key)
		                  : NULL;
		if (!hit)
			return down_error(ld, d, format);
		m = *hit;
		/* The target dialect's down wins over the generic one. */
		if ((m->specific & 2) && !d->specific)
			continue;
		if (d->specific)
			m->specific |= 2;
		if (m->pub.down_file != m->pub.up_file && !m->down_listed)
			free(m->pub.down_file);
		m->pub.down_file = NULL;
		m->down_listed = 0;
		m->down_in_up = 0;
		m->pub.has_down_sum = 0;
		/* Where a down without SQL does not mean "nothing to undo",
		 * the migration has no down. */
		if (d->empty && !(empty_down == GW_EMPTY_DOWN_NOOP && !d->untouched) &&
		    !(empty_down == GW_EMPTY_DOWN_BLANK && d->blank)) {
			m->down_state = GW_DOWN_EMPTY;
			continue;
		}
		/* The name as listed, which the set keeps (d->file is the
		 * listing's): a copy of its own took a malloc chunk more. */
		m->pub.down_file = (char *)(uintptr_t)d->file;
		m->down_listed = 1;
		ld->names_kept = 1;
		memcpy(m->pub.down_sum, d->sum, sizeof(d->sum));
		m->pub.has_down_sum = 1;
		m->pub.down_no_transaction = d->no_tx;
	}
	return 0;
}

/* The tools of these conventions apply a migration whose file holds no SQL
 * (empty, or only comments and blanks): popx, golang-migrate, Flyway,
 * Prisma and drizzle-orm record it and run nothing, so godwit does too.
 * godwit's own conventions (and goose, diesel, sqitch, whose generators
 * write a comment-only template) refuse it, as one not written yet, and so
 * does every convention while the file is still godwit new's template. */
static void accept_empty(gw_loader *ld, gw_format format)
{
	size_t i;

	if (!gw_convention_of(format)->runs_empty)
		return;
	for (i = 0; i < ld->ups.len; i++) {
		gw_source_mig *m = ld->ups.items[i];

		if (!m->untouched)
			m->pub.empty = 0;
	}
}

#define REPEATABLE_DIR "repeatable"

/* One repeatable/<name>.sql: the whole file is its SQL, run after every
 * versioned migration; its version is "R__<name>" like Flyway's, so one
 * name means the same thing in every convention. */
static int add_repeatable(gw_loader *ld, const char *name)
{
	size_t base = strlen(name) - 4;
	gw_str file = GW_STR_INIT, version = GW_STR_INIT;
	gw_source_mig *m;
	int error;

	gw_str_printf(&file, REPEATABLE_DIR "/%s", name);
	gw_str_printf(&version, "R__%.*s", (int)base, name);
	gw_str_clear(&ld->path);
	if (gw_str_failed(&file) || gw_str_failed(&version) ||
	    gw_path_join(&ld->path, ld->dir, file.ptr) < 0) {
		error = gw_error_oom(ld->ctx);
		goto cleanup;
	}
	if ((error = gw_source__read_migration(&ld->text, ld->path.ptr, &ld->guard, ld->ctx)) < 0)
		goto cleanup;
	/* GW_FORMAT_AUTO: a repeatable, which has no down. */
	if ((error = gw_source__add_whole(ld, &m, GW_FORMAT_AUTO, file.ptr, version.ptr, name, base,
	                                  version.ptr)) == 0)
		m->pub.repeatable = 1;
cleanup:
	gw_str_dispose(&file);
	gw_str_dispose(&version);
	return error;
}

/* Drops "repeatable" from the ignored entries once it has been read. */
static void unignore(gw_loader *ld, const char *name)
{
	size_t i;

	for (i = 0; i < ld->ignored.len; i++) {
		if (!strcmp(ld->ignored.items[i], name)) {
			memmove(&ld->ignored.items[i], &ld->ignored.items[i + 1],
			        (ld->ignored.len - i - 1) * sizeof(*ld->ignored.items));
			ld->ignored.len--;
			return;
		}
	}
}

/* Flyway names its repeatables R__*.sql; the other flat conventions keep
 * theirs in a repeatable/ subfolder. */
static int load_repeatables(gw_loader *ld, gw_format format)
{
	gw_folder names = GW_FOLDER_INIT;
	gw_str sub = GW_STR_INIT;
	size_t i;
	int error = 0;

	if (!gw_convention_of(format)->repeatable_dir)
		return 0;
	if (gw_path_join(&sub, ld->dir, REPEATABLE_DIR) < 0) {
		error = gw_error_oom(ld->ctx);
		goto cleanup;
	}
	if (gw_path_is_dir(sub.ptr) != 1)
		goto cleanup;
	unignore(ld, REPEATABLE_DIR);
	if ((error = gw_source__list_dir(&names, sub.ptr, ld->ctx)) < 0)
		goto cleanup;
	for (i = 0; i < names.len && !error; i++)
		if (!names.items[i].skip)
			error = add_repeatable(ld, names.items[i].name);
cleanup:
	gw_source__folder_dispose(&names);
	gw_str_dispose(&sub);
	return error;
}

/* The library never prints: the caller shows these as it likes. Only the
 * conventions of other tools say so, as their folders often hold a README
 * or config the user may expect godwit to read. */
static void notify_ignored(gw_loader *ld, gw_format format)
{
	size_t i;

	if (!gw_convention_of(format)->notes_ignored)
		return;
	for (i = 0; i < ld->ignored.len; i++)
		gw_notify(ld->ctx, GW_NOTICE_INFO, NULL, NULL, NULL, 0,
		          "%s/%s is not a migration (not a .sql file); ignored", ld->dir,
		          (const char *)ld->ignored.items[i]);
}

/* An empty "<digits>_<name>.sql" takes no side between the native and
 * pairs conventions (and goose's), but it is no Flyway, diesel or other
 * tool's migration: in such a folder it is a stray file. */
static int check_empty_file(gw_loader *ld, gw_format format)
{
	if (!ld->empty_file || gw_convention_of(format)->takes_empty)
		return 0;
	gw_str_clear(&ld->path);
	gw_path_join(&ld->path, ld->dir, ld->empty_file);
	return gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
	                             "is empty and named like a native migration, in a %s folder; "
	                             "delete it or name it like %s",
	                             gw_format_name(format), gw_convention_of(format)->example);
}

static int missing_dir(const char *dir, gw_ctx *ctx)
{
	int error = gw_error_set(ctx, GW_EIO, "migrations folder %s does not exist", dir);

	gw_error_set_hint_code(ctx, GW_HINT_DIR_MISSING, dir, NULL);
	return error;
}

static int take_ignored(gw_source *src, gw_loader *ld)
{
	size_t i;

	if (!ld->ignored.len)
		return 0;
	if (!(src->ignored = calloc(ld->ignored.len, sizeof(char *))))
		return -1;
	for (i = 0; i < ld->ignored.len; i++) {
		if (!(src->ignored[i] = gw_strdup(ld->ignored.items[i])))
			return -1;
		src->nignored++;
	}
	return 0;
}

static void mig_free_cb(void *p)
{
	gw_source__mig_free(p);
}

/* Asks the conventions that may be the folder's whether a file of theirs
 * lists its migrations; the last to say so loads it. */
static int detect(gw_loader *ld)
{
	const gw_convention *const *conv;
	int error;

	for (conv = gw_conventions(); *conv; conv++) {
		if (!(*conv)->detect ||
		    (ld->forced != GW_FORMAT_AUTO && ld->forced != (*conv)->format))
			continue;
		if ((error = (*conv)->detect(ld)) < 0)
			return error;
		if (error)
			ld->detected = *conv;
	}
	return 0;
}

int gw_source__load_folder(gw_source **out, const char *dir, gw_format format, const char *dialect,
                           const char *root, const char *cache_dir, gw_ctx *ctx)
{
	const gw_convention *conv;
	gw_source_priv *sp = NULL;
	gw_folder names = GW_FOLDER_INIT;
	gw_loader ld;
	char *real = NULL;
	void **moved;
	size_t i;
	int error = -1, isdir;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.dir = dir;
	ld.forced = format;
	ld.dialect = dialect;
	/* SQLite's text splits as SQLite does; every other as PostgreSQL's. */
	ld.sql_dialect =
	        dialect && !strcmp(dialect, "sqlite3") ? GW_DIALECT_SQLITE : GW_DIALECT_POSTGRES;
	ld.ctx = ctx;
	ld.path = (gw_str)GW_STR_INIT;
	ld.names = &names;
	/* realpath fails only for what does not exist: the project then has
	 * no file to resolve into it, and the folder's absence is said below. */
	if (root &&
	    (!(ld.guard.root = realpath(root, NULL)) || !(ld.guard.dir = realpath(dir, NULL))) &&
	    errno == ENOMEM) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	ld.text = (gw_str)GW_STR_INIT;
	/* The caches are named for the folder's real path. */
	ld.real = ld.guard.dir;
	if (!ld.real && cache_dir)
		ld.real = real = realpath(dir, NULL);

	if ((isdir = gw_path_is_dir(dir)) < 0) {
		error = missing_dir(dir, ctx);
		goto cleanup;
	}
	if (!isdir) {
		error = gw_error_set(ctx, GW_EIO, "%s is not a folder", dir);
		gw_error_set_hint_code(ctx, GW_HINT_DIR_NOT_FOLDER, NULL, NULL);
		goto cleanup;
	}
	if ((error = gw_source__list_dir_kept(&names, &ld, cache_dir)) < 0 ||
	    (error = detect(&ld)) < 0)
		goto cleanup;
	if (ld.detected && ld.detected->load) {
		if ((error = ld.detected->load(&ld, &names)) < 0)
			goto cleanup;
	} else {
		/* The files unchanged since the cache recorded them are not
		 * read; the others are read ahead. */
		ld.sums = gw_source__sums_open(cache_dir, &ld, &names);
		gw_source__prefetch_start(&ld, &names);
		for (i = 0; i < names.len; i++)
			if ((error = gw_source__load_entry(&ld, &names.items[i])) < 0)
				break;
		gw_source__prefetch_stop(&ld);
		if (error < 0)
			goto cleanup;
	}
	if ((error = check_mixed(&ld)) < 0)
		goto cleanup;
	if (format == GW_FORMAT_AUTO)
		/* A journal with no migrations yet is still drizzle-kit's. */
		format = ld.nseen      ? ld.seen[0]
		         : ld.detected ? ld.detected->format
		                       : GW_FORMAT_NATIVE;
	conv = gw_convention_of(format);
	if ((error = check_empty_file(&ld, format)) < 0 ||
	    (conv->check_folder && (error = conv->check_folder(&ld)) < 0))
		goto cleanup;
	if ((error = match_downs(&ld, format)) < 0 || (error = load_repeatables(&ld, format)) < 0 ||
	    (conv->check_set && (error = conv->check_set(&ld)) < 0))
		goto cleanup;
	accept_empty(&ld, format);
	/* Prisma writes migration_lock.toml in every migrations folder: it
	 * is Prisma's own, not a stray file worth a notice. */
	if (conv->own_file)
		unignore(&ld, conv->own_file);
	notify_ignored(&ld, format);

	if (!(sp = calloc(1, sizeof(*sp))) || !(sp->pub.dir = gw_strdup(dir)) ||
	    take_ignored(&sp->pub, &ld) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	sp->pub.format = format;
	sp->pub.project = ld.project;
	ld.project = NULL;
	sp->guard = ld.guard;
	sp->sql_dialect = ld.sql_dialect;
	ld.guard.root = ld.guard.dir = NULL;
	/* The migrations' strings are in the listing's blocks: the set
	 * keeps them. */
	if (ld.names_kept) {
		sp->names = names.block;
		names.block = NULL;
	}
	/* From here the set owns the migrations, in an array as long as
	 * they are (it doubled as they came). */
	if (ld.ups.len && ld.ups.len < ld.ups.cap &&
	    (moved = realloc(ld.ups.items, ld.ups.len * sizeof(void *))))
		ld.ups.items = moved;
	sp->all = (gw_source_mig **)ld.ups.items;
	sp->pub.count = ld.ups.len;
	ld.ups = (gw_vec)GW_VEC_INIT;
	if ((error = gw_source__order(sp, ctx)) < 0)
		goto cleanup;

	*out = &sp->pub;
	sp = NULL;
	error = 0;
cleanup:
	/* Written only for a folder that loaded: a file in error is read
	 * again next time. */
	gw_source__sums_close(ld.sums, error == 0);
	if (sp)
		gw_source_free(&sp->pub);
	gw_vec_dispose(&ld.ups, mig_free_cb);
	gw_vec_dispose(&ld.downs, free);
	gw_vec_dispose(&ld.ignored, NULL);
	gw_vec_dispose(&ld.listed, free);
	free(ld.project);
	free(ld.guard.root);
	free(ld.guard.dir);
	free(real);
	gw_source__folder_dispose(&names);
	gw_str_dispose(&ld.path);
	gw_str_dispose(&ld.text);
	return error;
}
