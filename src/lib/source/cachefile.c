/*
 * cachefile.c: what the folder's two caches share. sums.c keeps what the
 * loading of each migration file made of it, listing.c the folder's
 * entries. Each is a file in the project's .godwit/sums, named by 16 hex
 * digits of the SHA-256 of its first line (which says what it is for and
 * for which folder), ending in a line with the check sum of the rest. It
 * is only ever replaced whole: written to a new file, renamed over the
 * old one. A run killed before its rename leaves its new file behind;
 * those are removed whenever a cache is written later.
 */
#define _DEFAULT_SOURCE 1 /* mkstemp, fstatat, struct stat's st_mtim, dirfd */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "priv.h"
#include "../../util/fs.h"
#include "../../util/hash.h"
#include "../../util/text.h"

/* The cache file's name: hex digits of the SHA-256 of its first line. */
#define KEY_LEN 16

char *gw_source__cache_path(const char *cache_dir, const char *prefix, const char *header,
                            size_t len)
{
	char key[GW_CHECKSUM_HEX];
	gw_str path = GW_STR_INIT;

	gw_sha256_hex(key, header, len);
	key[KEY_LEN] = '\0';
	if (gw_path_join(&path, cache_dir, prefix) < 0 || gw_str_puts(&path, key) < 0) {
		gw_str_dispose(&path);
		return NULL;
	}
	return gw_str_detach(&path);
}

const char *gw_source__cache_body(const char *text, size_t size, const char *header, size_t len)
{
	const char *trail, *digits;
	uint64_t sum = 0;
	int i, d;

	/* "end\t%016llx\n" last, the check sum of what comes before it:
	 * its 16 digits are read within the text, which has no '\0' after
	 * it (sscanf would look for one). */
	if (size < len + GW_CACHE_TRAILER)
		return NULL;
	trail = text + size - GW_CACHE_TRAILER;
	digits = trail + 4;
	if (memcmp(trail, "end\t", 4) || text[size - 1] != '\n')
		return NULL;
	for (i = 0; i < 16; i++) {
		if ((d = gw_source__hex_digit(digits[i])) < 0)
			return NULL;
		sum = sum << 4 | (unsigned)d;
	}
	if (gw_source__sums_text_sum(text, (size_t)(trail - text)) != sum ||
	    memcmp(text, header, len))
		return NULL;
	return text + len;
}

void gw_source__cache_trailer(char out[GW_CACHE_TRAILER + 1], uint64_t sum)
{
	snprintf(out, GW_CACHE_TRAILER + 1, "end\t%016llx\n", (unsigned long long)sum);
}

int gw_source__cache_write(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The cache is no part of the project's history: the folder says so to
 * git itself, once. */
static void ignore_in_git(const char *cache_dir)
{
	gw_str path = GW_STR_INIT;
	int fd;

	if (gw_path_join(&path, cache_dir, ".gitignore") == 0 &&
	    (fd = open(path.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) >= 0) {
		if (gw_source__cache_write(fd, "*\n", 2) < 0)
			unlink(path.ptr);
		close(fd);
	}
	gw_str_dispose(&path);
}

int gw_source__cache_create(const char *cache_dir, const char *path, char **tmp, long long t0[2])
{
	struct stat st;
	gw_str name = GW_STR_INIT;
	gw_ctx *quiet = NULL;
	int fd = -1;

	*tmp = NULL;
	if (gw_ctx_new(&quiet) < 0)
		return -1;
	if (gw_make_dirs(cache_dir, 0777, quiet) == 0 &&
	    gw_str_printf(&name, "%s.XXXXXX", path) == 0)
		fd = mkstemp(name.ptr);
	gw_ctx_free(quiet);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0) {
			close(fd);
			unlink(name.ptr);
		}
		gw_str_dispose(&name);
		return -1;
	}
	ignore_in_git(cache_dir);
	t0[0] = (long long)st.st_mtim.tv_sec;
	t0[1] = (long long)st.st_mtim.tv_nsec;
	*tmp = gw_str_detach(&name);
	return fd;
}

/* A run killed while it wrote a cache (kill -9, a machine that went
 * down) leaves its new file behind, named as mkstemp made it:
 * <key>.XXXXXX, or list-<key>.XXXXXX. Those untouched for longer than any run writes one are
 * removed whenever a cache is written (a run writes its cache in well
 * under a second, as the folder loads, before any statement runs). */
#define LEFTOVER_AGE (10 * 60)

static int leftover_name(const char *name)
{
	size_t i, prefix = strlen(GW_CACHE_LIST_PREFIX);

	if (!strncmp(name, GW_CACHE_LIST_PREFIX, prefix))
		name += prefix;
	if (strlen(name) != KEY_LEN + 7 || name[KEY_LEN] != '.')
		return 0;
	for (i = 0; i < KEY_LEN; i++)
		if (gw_source__hex_digit(name[i]) < 0)
			return 0;
	for (i = KEY_LEN + 1; name[i]; i++)
		if (!gw_is_alnum(name[i]))
			return 0;
	return 1;
}

static void remove_leftovers(const char *cache_dir, long long now_s)
{
	DIR *d = opendir(cache_dir);
	struct dirent *e;
	struct stat st;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL)
		if (leftover_name(e->d_name) &&
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && (long long)st.st_mtim.tv_sec + LEFTOVER_AGE < now_s)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

void gw_source__cache_commit(int fd, char *tmp, const char *path, const char *cache_dir,
                             long long now_s, int ok)
{
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) < 0)
		unlink(tmp);
	else
		remove_leftovers(cache_dir, now_s);
	free(tmp);
}
