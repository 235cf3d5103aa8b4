/*
 * listing.c: the folder's listing, kept in the project's cache beside the
 * checksums (sums.c), so that a folder unchanged since a run listed it is
 * not read again.
 *
 * Reading a folder of 10,000 files took 5.3 to 5.8 ms in the kernel
 * (getdents64 on ext4's hashed folders), the sort of their names more,
 * before a single file could be stat'ed: a sixth of a cached `status`. A
 * folder's entries change only by a create, a link, an unlink or a
 * rename in it, and each of those sets the folder's mtime and ctime
 * (POSIX). So the listing is kept with the folder's identity (device,
 * inode, mtime and ctime to the nanosecond), and taken back, its names
 * already sorted, while the folder's identity is still that one. Its
 * files are stat'ed as ever: a file edited in place changes no folder.
 *
 * Why a change is never hidden: T0 is read from the kernel's coarse clock,
 * the one file systems stamp changes with, before the folder's identity
 * is taken and the folder read. A listing is kept only when the folder's
 * mtime and ctime are older than T0 (gw_source__older, as sums.c's
 * files): a change after T0 carries a stamp not older than T0, so the
 * folder's identity then differs from the one kept; a change before it is
 * in the listing. Hence only on Linux, and only on the local file systems
 * that stamp as POSIX says from this kernel's clock (ext2 to ext4, XFS,
 * Btrfs, tmpfs, overlayfs, F2FS, ZFS): a FUSE or network file system may
 * leave a folder's times alone, or stamp them with a server's clock. Only
 * a change of the system clock could set a stamp back, as for sums.c.
 *
 * A listing is not kept for a folder of fewer than LIST_MIN entries (as
 * fast to read), nor when an entry's type took a stat to tell (a symbolic
 * link, a file system that gives no d_type): where a link leads can
 * change while the folder does not.
 *
 * The file (cachefile.c), list-<key>, holds a first line naming the format, godwit's
 * version and the folder's real path, a line with the folder's identity,
 * then an entry a line, sorted: 'm' and the name of a migration file, or
 * 's' and the name of an entry skipped.
 */
#define _DEFAULT_SOURCE 1 /* struct stat's st_mtim */

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif

#include "priv.h"
#include "../../util/fs.h"

#define LIST_MAGIC "godwit-list 1"
#define LIST_MIN   64

/* Whether the file system of the folder open as fd stamps a folder's
 * changes as POSIX says, from this kernel's coarse clock, and T0 into
 * t0 when it does. */
static int stamps_changes(int fd, struct timespec *t0)
{
#ifdef __linux__
	/* Their f_type: ext2-4, XFS, Btrfs, tmpfs, overlayfs, F2FS, ZFS. */
	static const unsigned long kinds[] = {0xef53,     0x58465342, 0x9123683e, 0x01021994,
	                                      0x794c7630, 0xf2f52010, 0x2fc12fc1};
	struct statfs fs;
	size_t i;

	if (fstatfs(fd, &fs) < 0)
		return 0;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if ((unsigned long)fs.f_type == kinds[i])
			return clock_gettime(CLOCK_REALTIME_COARSE, t0) == 0;
#else
	(void)fd;
	(void)t0;
#endif
	return 0;
}

/* The folder's identity line, after the first. */
static int put_identity(gw_str *s, const struct stat *st)
{
	return gw_str_printf(
	        s, "%llx\t%llx\t%llx\t%llx\t%llx\t%llx\n", (unsigned long long)st->st_dev,
	        (unsigned long long)st->st_ino, (unsigned long long)st->st_mtim.tv_sec,
	        (unsigned long long)st->st_mtim.tv_nsec, (unsigned long long)st->st_ctim.tv_sec,
	        (unsigned long long)st->st_ctim.tv_nsec);
}

static int older(const struct timespec *stamp, const struct timespec *t0)
{
	return gw_source__older((long long)stamp->tv_sec, (long long)stamp->tv_nsec,
	                        (long long)t0->tv_sec, (long long)t0->tv_nsec);
}

/* The entries of the lines of [p, end) into items (n of them): 0, or -1
 * for a line this build would not have written. Each name is made a
 * string in place; the names must be sorted, as the walk and the cache
 * of checksums expect. */
static int take_entries(gw_folder_entry *items, size_t n, char *p, const char *end)
{
	const char *prev = NULL;
	size_t i, len;
	char *nl;

	for (i = 0; i < n; i++, p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = (size_t)(nl - p);
		if (len < 2 || (p[0] != 'm' && p[0] != 's') || p[1] == '.' || memchr(p, '/', len) ||
		    memchr(p, '\0', len) ||
		    (p[0] == 'm' && !gw_source__ends_with(p + 1, len - 1, ".sql")))
			return -1;
		*nl = '\0';
		if (prev && strcmp(prev, p + 1) >= 0)
			return -1;
		items[i].name = p + 1;
		items[i].skip = p[0] == 's';
		items[i].link = 0;
		items[i].sum = NULL;
		prev = p + 1;
	}
	return 0;
}

/* The listing kept at path into out, when its first lines are head (the
 * folder's identity now among them): 0, or -1 to read the folder. Its
 * text becomes out's first block of names. */
static int take_kept(gw_folder *out, const char *path, const gw_str *head)
{
	struct stat st;
	gw_folder_entry *items = NULL;
	char *block = NULL, *text, *first, *p, *end;
	const char *body;
	size_t size = 0, n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), error = -1;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (unsigned long long)st.st_size > GW_FILE_MAX ||
	    !(block = malloc(sizeof(char *) + (size = (size_t)st.st_size))))
		goto cleanup;
	text = block + sizeof(char *);
	/* A short read (a file being replaced, a signal) is a listing not
	 * taken: a slower run. */
	if (read(fd, text, size) != (ssize_t)size ||
	    !(body = gw_source__cache_body(text, size, head->ptr, head->size)))
		goto cleanup;
	first = text + (body - text); /* body, writable */
	end = text + size - GW_CACHE_TRAILER;
	if (first < end && end[-1] != '\n')
		goto cleanup;
	for (p = first; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		n++;
	if (!n || !(items = malloc(n * sizeof(*items))) || take_entries(items, n, first, end) < 0)
		goto cleanup;
	/* A block of names is a link to the one before, then the names;
	 * this one is full, so the names made later go to a new one. */
	memcpy(block, &out->block, sizeof(char *));
	out->block = block;
	out->block_used = out->block_size = sizeof(char *) + size;
	block = NULL;
	free(out->items);
	out->items = items;
	out->len = out->cap = n;
	items = NULL;
	error = 0;
cleanup:
	close(fd);
	free(block);
	free(items);
	return error;
}

/* Keeps l, the listing of a folder whose identity, taken before it was
 * read, ends head, at path; any failure is silent (a slower next run). */
static void keep(const gw_folder *l, const char *cache_dir, const char *path, const gw_str *head)
{
	gw_str text = GW_STR_INIT;
	char trailer[GW_CACHE_TRAILER + 1], *tmp;
	long long t0[2];
	size_t i;
	int fd;

	gw_str_put(&text, head->ptr, head->size);
	for (i = 0; i < l->len; i++) {
		const gw_folder_entry *e = &l->items[i];

		if (e->link || strchr(e->name, '\n')) {
			gw_str_dispose(&text);
			return;
		}
		gw_str_putc(&text, e->skip ? 's' : 'm');
		gw_str_puts(&text, e->name);
		gw_str_putc(&text, '\n');
	}
	gw_source__cache_trailer(trailer, gw_source__sums_text_sum(text.ptr, text.size));
	gw_str_put(&text, trailer, GW_CACHE_TRAILER);
	if (!gw_str_failed(&text) && (fd = gw_source__cache_create(cache_dir, path, &tmp, t0)) >= 0)
		gw_source__cache_commit(fd, tmp, path, cache_dir, t0[0],
		                        gw_source__cache_write(fd, text.ptr, text.size) == 0);
	gw_str_dispose(&text);
}

int gw_source__list_dir_kept(gw_folder *out, const struct gw_loader *ld, const char *cache_dir)
{
	gw_str head = GW_STR_INIT;
	struct timespec t0;
	struct stat st;
	char *path = NULL;
	int fd, error;

	if (!cache_dir || !ld->real || strchr(ld->real, '\n') ||
	    (fd = open(ld->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return gw_source__list_dir(out, ld->dir, ld->ctx);
	/* T0 before the folder's identity, and that before its reading. */
	if (!stamps_changes(fd, &t0) || fstat(fd, &st) < 0 ||
	    gw_str_printf(&head, "%s\t%s\t%s\n", LIST_MAGIC, GODWIT_VERSION, ld->real) < 0 ||
	    !(path = gw_source__cache_path(cache_dir, GW_CACHE_LIST_PREFIX, head.ptr, head.size)) ||
	    put_identity(&head, &st) < 0) {
		error = gw_source__list_dirfd(out, ld->dir, fd, ld->ctx);
		goto cleanup;
	}
	if (take_kept(out, path, &head) == 0) {
		close(fd);
		error = 0;
		goto cleanup;
	}
	error = gw_source__list_dirfd(out, ld->dir, fd, ld->ctx);
	if (error == 0 && out->len >= LIST_MIN && older(&st.st_mtim, &t0) &&
	    older(&st.st_ctim, &t0))
		keep(out, cache_dir, path, &head);
cleanup:
	free(path);
	gw_str_dispose(&head);
	return error;
}
