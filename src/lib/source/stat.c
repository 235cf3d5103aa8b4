/*
 * stat.c: the identity of the folder's files, as the checksum cache
 * (sums.c) compares it with the one it recorded: device, inode, size,
 * and mtime and ctime to the nanosecond. In a large folder the later half
 * of the files is stat'ed on a thread of its own while the walk stats
 * the first.
 */
#define _DEFAULT_SOURCE 1 /* fstatat, struct stat's st_mtim */

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "priv.h"

static void id_of(gw_file_id *id, const struct stat *st)
{
	id->dev = (unsigned long long)st->st_dev;
	id->ino = (unsigned long long)st->st_ino;
	id->size = (unsigned long long)st->st_size;
	id->mtime_s = (long long)st->st_mtim.tv_sec;
	id->mtime_ns = (long long)st->st_mtim.tv_nsec;
	id->ctime_s = (long long)st->st_ctim.tv_sec;
	id->ctime_ns = (long long)st->st_ctim.tv_nsec;
}

int gw_source__file_id(gw_file_id *id, int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return -1;
	id_of(id, &st);
	return 0;
}

/* The later half of a large folder's files is stat'ed on a second thread
 * while the walk stats the first half. A stat costs about 2.2 us in the
 * kernel (the path's lookup, the security hook, the copy out): 22 ms of
 * a status of 10,000 files, on the folder's thread, which the command
 * waits on longest at that size while the calling thread mostly waits
 * for the server (connection.c). Below STAT_AHEAD_MIN files the thread
 * is not worth its start: the connect is the longer path there. */
#define STAT_AHEAD_MIN 2000

static void *stat_ahead_run(void *arg)
{
	gw_stat_ahead *a = arg;
	size_t i;

	for (i = a->from; i < a->names->len; i++) {
		const gw_folder_entry *e = &a->names->items[i];

		if (!e->skip && !e->link)
			a->found[i - a->from] =
			        gw_source__file_id(&a->ids[i - a->from], a->dirfd, e->name) == 0;
	}
	return NULL;
}

void gw_source__stat_ahead_start(gw_stat_ahead *a, int dirfd, const gw_folder *names)
{
	size_t n;

	memset(a, 0, sizeof(*a));
	a->from = names->len;
	if (names->len < STAT_AHEAD_MIN)
		return;
	a->from = names->len / 2;
	n = names->len - a->from;
	a->dirfd = dirfd;
	a->names = names;
	if (!(a->ids = malloc(n * sizeof(*a->ids))) || !(a->found = calloc(n, 1)) ||
	    pthread_create(&a->thread, NULL, stat_ahead_run, a) != 0) {
		free(a->ids);
		free(a->found);
		a->ids = NULL;
		a->found = NULL;
		a->from = names->len;
		return;
	}
	a->started = 1;
}

/* gw_source__file_id for entry i, from the thread's results for its part. */
int gw_source__stat_ahead_get(gw_stat_ahead *a, size_t i, gw_file_id *id, int dirfd,
                              const char *name)
{
	if (i < a->from)
		return gw_source__file_id(id, dirfd, name);
	if (a->started == 1) {
		pthread_join(a->thread, NULL);
		a->started = 2;
	}
	if (!a->found[i - a->from])
		return -1;
	*id = a->ids[i - a->from];
	return 0;
}

void gw_source__stat_ahead_end(gw_stat_ahead *a)
{
	if (a->started == 1)
		pthread_join(a->thread, NULL);
	free(a->ids);
	free(a->found);
}
