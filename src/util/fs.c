/*
 * fs.c: reading files and listing folders for the sources stage.
 */
#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

/* Files opened for reading, by any thread (see gw_file_reads). */
static atomic_ulong reads;

unsigned long gw_file_reads(void)
{
	return atomic_load(&reads);
}

int gw_file_read(gw_str *out, const char *path, size_t max, gw_ctx *ctx)
{
	struct stat st;
	int fd = -1, error = -1;
	size_t want;
	ssize_t n;

	gw_str_clear(out);
	atomic_fetch_add(&reads, 1);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
		error = gw_error_set(ctx, GW_EIO, "cannot read %s: %s", path, strerror(errno));
		gw_error_set_hint(ctx, "make the file readable (a broken link, or its "
		                       "permissions?), or move it out of the folder");
		goto cleanup;
	}
	if (S_ISDIR(st.st_mode)) {
		error = gw_error_set(ctx, GW_EIO, "cannot read %s: it is a directory", path);
		goto cleanup;
	}
	if ((size_t)st.st_size > max) {
		error = gw_error_set(ctx, GW_ESOURCE,
		                     "%s is %lld bytes, over the limit of %zu bytes; split it into "
		                     "smaller migrations",
		                     path, (long long)st.st_size, max);
		goto cleanup;
	}
	/* Read until EOF rather than trusting st_size, but never past max.
	 * Asking for one byte more than st_size lets a regular file's short
	 * read say EOF, which saves a second read() per file. */
	for (;;) {
		want = out->size == 0 && (size_t)st.st_size < max ? (size_t)st.st_size + 1 : 65536;
		if (out->size + want > max + 1)
			want = max + 1 - out->size;
		if (gw_str_grow(out, out->size + want + 1) < 0) {
			error = gw_error_oom(ctx);
			goto cleanup;
		}
		n = read(fd, out->ptr + out->size, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = gw_error_set(ctx, GW_EIO, "cannot read %s: %s", path,
			                     strerror(errno));
			goto cleanup;
		}
		if (n == 0)
			break;
		out->size += (size_t)n;
		out->ptr[out->size] = '\0';
		if (S_ISREG(st.st_mode) && (size_t)n < want && out->size == (size_t)st.st_size)
			break;
		if (out->size > max) {
			error = gw_error_set(ctx, GW_ESOURCE,
			                     "%s is over the limit of %zu bytes; split it into "
			                     "smaller migrations",
			                     path, max);
			goto cleanup;
		}
	}
	error = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	return error;
}

int gw_file_create(const char *path, const char *data, size_t len, gw_ctx *ctx)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	size_t done = 0;
	ssize_t n;

	if (fd < 0)
		return gw_error_set(ctx, GW_EIO, "cannot create %s: %s", path, strerror(errno));
	while (done < len) {
		n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			close(fd);
			unlink(path);
			return gw_error_set(ctx, GW_EIO, "cannot write %s: %s", path,
			                    strerror(err));
		}
		done += (size_t)n;
	}
	if (close(fd) < 0)
		return gw_error_set(ctx, GW_EIO, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

int gw_make_dirs(const char *path, unsigned int mode, gw_ctx *ctx)
{
	gw_str dir = GW_STR_INIT;
	size_t i;
	int error = 0;

	if (gw_str_puts(&dir, path) < 0)
		return gw_error_oom(ctx);
	for (i = 1; i <= dir.size && error == 0; i++) {
		if (dir.ptr[i] != '/' && dir.ptr[i] != '\0')
			continue;
		dir.ptr[i] = '\0';
		if (mkdir(dir.ptr, (mode_t)mode) < 0 && errno != EEXIST)
			error = gw_error_set(ctx, GW_EIO, "cannot create folder %s: %s", dir.ptr,
			                     strerror(errno));
		dir.ptr[i] = i < dir.size ? '/' : '\0';
	}
	gw_str_dispose(&dir);
	return error;
}

int gw_file_replace(const char *path, const char *data, size_t len, gw_ctx *ctx)
{
	gw_str tmp = GW_STR_INIT;
	int error;

	if (gw_str_printf(&tmp, "%s.godwit-%ld", path, (long)getpid()) < 0)
		return gw_error_oom(ctx);
	unlink(tmp.ptr);
	if ((error = gw_file_create(tmp.ptr, data, len, ctx)) == 0 && rename(tmp.ptr, path) < 0) {
		error = gw_error_set(ctx, GW_EIO, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp.ptr);
	}
	gw_str_dispose(&tmp);
	return error;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int gw_dir_list(gw_vec *out, const char *path, gw_ctx *ctx)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t first = out->len;
	char *name;

	if (!d)
		return gw_error_set(ctx, GW_EIO, "cannot read folder %s: %s", path,
		                    strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!(name = strdup(e->d_name)) || gw_vec_push(out, name) < 0) {
			free(name);
			closedir(d);
			/* out as it was: a caller's error path need not tell the
			 * names it had from those half a listing added. */
			while (out->len > first)
				free(out->items[--out->len]);
			if (first == 0)
				gw_vec_dispose(out, NULL);
			return gw_error_oom(ctx);
		}
	}
	closedir(d);
	if (out->len > first)
		qsort(out->items + first, out->len - first, sizeof(void *), cmp_names);
	return 0;
}

int gw_path_is_dir(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	return S_ISDIR(st.st_mode) ? 1 : 0;
}

int gw_path_join(gw_str *out, const char *a, const char *b)
{
	size_t alen = strlen(a);

	gw_str_put(out, a, alen);
	if (alen && a[alen - 1] != '/')
		gw_str_putc(out, '/');
	return gw_str_puts(out, b);
}
