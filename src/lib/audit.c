/*
 * audit.c: the audit log (audit_log = PATH): one JSON line per event,
 * appended, for the people who must know what ran where without reading a
 * terminal.
 *
 * Several runners may share the file (deploys of several services, say),
 * so it is opened with O_APPEND and each line goes out in one write():
 * the kernel appends each write whole, and lines never interleave. It is
 * created 0600: the lines name databases and users. A log that cannot be
 * written is a warning and the run goes on, unless audit_required is set:
 * then the run does not start, or stops before its next migration.
 *
 * A runner killed between a migration's commit and its line leaves the
 * event in godwit_events only. The next run against the same target
 * back-fills it (audit_backfill): it reads the file backwards from its
 * end, only as far as this target's last BACKFILL_LINES lines with an
 * event id (at most BACKFILL_BYTES), and appends, marked "backfilled",
 * the events of the table past the oldest of those that none of them
 * holds. Every runner holds a shared flock() on the file while it has
 * it open, and a back-fill needs the exclusive one, taken without
 * waiting: so no other runner of this file is live, and none can have
 * committed an event whose line it has yet to write. When another one
 * is, the back-fill waits for the end of the run, else for a later run.
 */
/* flock is BSD, which strict C11 hides. */
#define _DEFAULT_SOURCE 1

#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/error.h"
#include "../util/vec.h"

/* How far back a back-fill looks: this target's last lines with an id,
 * within the file's last bytes (a log shared by busy targets). */
#define BACKFILL_LINES 256
#define BACKFILL_BYTES (8 << 20)
#define BACKFILL_BLOCK 65536

typedef struct audit {
	char *path;
	int fd;
	int open_errno; /* why open failed; 0 when fd is open */
	int readable;   /* opened for reading too: it can be back-filled */
	int required;
	int warned;
} audit;

static int audit_open(void **state, gw_project *p)
{
	audit *a;

	if (!p->opts.audit_log || !*p->opts.audit_log)
		return 0;
	if (!(a = calloc(1, sizeof(*a))) || !(a->path = gw_strdup(p->opts.audit_log))) {
		free(a);
		return 0;
	}
	a->required = p->opts.audit_required;
	a->fd = open(a->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
	a->readable = a->fd >= 0;
	if (a->fd < 0 && errno == EACCES) /* a file we may only append to */
		a->fd = open(a->path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
	if (a->fd < 0)
		a->open_errno = errno;
	else
		flock(a->fd, LOCK_SH); /* this runner is live: see the top */
	*state = a;
	return 1;
}

static int audit_failed(audit *a, gw_project *p, int why)
{
	if (a->required) {
		int error = gw_error_set(p->ctx, GW_EIO, "cannot write the audit log %s: %s",
		                         a->path, strerror(why));

		gw_error_set_hint(p->ctx, "audit_required is set, so nothing runs without its "
		                          "record: free space or fix the file's permissions");
		return error;
	}
	if (!a->warned)
		gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
		          "cannot write the audit log %s: %s; going on without it (set "
		          "audit_required = true to stop instead)",
		          a->path, strerror(why));
	a->warned = 1;
	return 0;
}

static int write_line(audit *a, gw_project *p, const char *json)
{
	gw_str line = GW_STR_INIT;
	ssize_t n;
	size_t size;
	int why;

	gw_str_puts(&line, json);
	gw_str_putc(&line, '\n');
	if (gw_str_failed(&line)) {
		gw_str_dispose(&line);
		return audit_failed(a, p, ENOMEM);
	}
	/* One write() per line: see the top of the file. */
	size = line.size;
	n = write(a->fd, line.ptr, size);
	why = n < 0 ? errno : ENOSPC; /* a short write: the disk filled up */
	gw_str_dispose(&line);
	return n == (ssize_t)size ? 0 : audit_failed(a, p, why);
}

static int audit_event(void *state, gw_project *p, const gw_event *e, const gw_event_context *c,
                       const char *json)
{
	audit *a = state;

	(void)e;
	(void)c;
	if (a->fd < 0)
		return audit_failed(a, p, a->open_errno);
	return write_line(a, p, json);
}

/* ---- back-fill ------------------------------------------------------------- */

/* The ids of this target's last lines, newest first, and the oldest id
 * of a line that is not itself back-filled: the floor. Every line of the
 * target older than the floor's holds a smaller id (lines go out in id
 * order; a back-filled line holds an id older than the lines written
 * after it), so an event past the floor that none of these ids names is
 * missing from the whole file. */
typedef struct scan {
	const char *key;
	long long *ids;
	size_t count, cap;
	long long floor; /* 0: none found yet */
} scan;

static int holds(const char *line, size_t len, const char *key)
{
	size_t klen = strlen(key), i;
	const char *at;

	for (i = 0; len >= klen && i <= len - klen; i = (size_t)(at - line) + 1) {
		if (!(at = memchr(line + i, key[0], len - klen + 1 - i)))
			return 0;
		if (!memcmp(at, key, klen))
			return 1;
	}
	return 0;
}

/* 0, or -ENOMEM: an id missed would be back-filled twice. */
static int scan_line(scan *s, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *o, *id, *bf;
	long long *grown;
	int error = 0;

	if (!len || !holds(line, len, s->key))
		return 0;
	if (!(o = json_loadb(line, len, 0, &jerr)))
		/* A line torn by a full disk is nobody's. */
		return json_error_code(&jerr) == json_error_out_of_memory ? -ENOMEM : 0;
	id = json_object_get(o, "id");
	bf = json_object_get(o, "backfilled");
	if (json_is_integer(id)) {
		if ((grown = gw_grow(s->ids, &s->cap, s->count, sizeof(*s->ids)))) {
			s->ids = grown;
			s->ids[s->count++] = (long long)json_integer_value(id);
			if (!json_is_true(bf))
				s->floor = (long long)json_integer_value(id);
		} else {
			error = -ENOMEM;
		}
	}
	json_decref(o);
	return error;
}

static int scan_done(const scan *s)
{
	return s->count >= BACKFILL_LINES && s->floor > 0;
}

/* Reads the file backwards in blocks, each line whole once the block
 * holding its start is read, until scan_done or BACKFILL_BYTES. */
static int scan_file(scan *s, int fd)
{
	struct stat st;
	char *buf = NULL, *grown;
	size_t have = 0, end, i, n;
	off_t off, read_total = 0;
	ssize_t got;
	int error = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	off = st.st_size;
	while (off > 0 && read_total < BACKFILL_BYTES && !scan_done(s) && error == 0) {
		n = off < BACKFILL_BLOCK ? (size_t)off : BACKFILL_BLOCK;
		off -= (off_t)n;
		read_total += (off_t)n;
		if (!(grown = malloc(n + have))) {
			error = -ENOMEM;
			break;
		}
		if (have)
			memcpy(grown + n, buf, have);
		free(buf);
		buf = grown;
		have += n;
		if ((got = pread(fd, buf, n, off)) != (ssize_t)n) {
			error = got < 0 ? -errno : -EIO;
			break;
		}
		/* The lines that begin in this block, newest first; what
		 * is before its first newline began in an earlier one. */
		for (end = have, i = have; i > 0 && !scan_done(s) && error == 0; i--) {
			if (buf[i - 1] != '\n')
				continue;
			error = scan_line(s, buf + i, end - i);
			end = i - 1;
		}
		have = end; /* the unfinished line at the front */
		if (off == 0 && !scan_done(s) && error == 0)
			error = scan_line(s, buf, have);
	}
	free(buf);
	return error;
}

static int ids_hold(const scan *s, long long id)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		if (s->ids[i] == id)
			return 1;
	return 0;
}

static int backfill_failed(audit *a, gw_project *p, int why)
{
	int error;

	if (a->required) {
		error = gw_error_set(p->ctx, GW_EIO, "cannot back-fill the audit log %s: %s",
		                     a->path, strerror(why));
		gw_error_set_hint(p->ctx, "audit_required is set, so nothing runs without its "
		                          "record: make the file readable and writable");
		return error;
	}
	gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
	          "cannot back-fill the audit log %s: %s; the events are in the history table",
	          a->path, strerror(why));
	return 0;
}

static int audit_backfill(void *state, gw_project *p, long long *last)
{
	audit *a = state;
	scan s = {NULL, NULL, 0, 0, 0};
	gw_history *h = NULL;
	char *key = NULL, *line;
	int error = 0, had_error, why;
	size_t i;

	if (a->fd < 0)
		return 1; /* its warning (or error) comes with the first line */
	if (!a->readable)
		return (error = backfill_failed(a, p, EACCES)) < 0 ? error : 1;
	if (flock(a->fd, LOCK_EX | LOCK_NB) < 0) {
		why = errno;
		flock(a->fd, LOCK_SH); /* a refused upgrade may drop the shared lock */
		if (why == EWOULDBLOCK)
			return 0; /* another runner of this file is live */
		return (error = backfill_failed(a, p, why)) < 0 ? error : 1;
	}
	if (!(s.key = key = gw_events__target_key(p))) {
		error = backfill_failed(a, p, ENOMEM);
		goto cleanup;
	}
	if ((why = -scan_file(&s, a->fd)) != 0) {
		error = backfill_failed(a, p, why);
		goto cleanup;
	}
	/* No line of this target with an id: the log starts with its
	 * first event (a new file, a rotated one), not with its history. */
	if (s.floor <= 0)
		goto cleanup;
	had_error = gw_error_is_set(p->ctx);
	if (gw_hist_events_after(&h, p, s.floor) < 0) {
		if (!had_error) {
			error = backfill_failed(a, p, EIO);
			gw_ctx_clear_error(p->ctx);
		}
		goto cleanup;
	}
	for (i = 0; i < gw_history_count(h) && error == 0; i++) {
		const gw_event *e = gw_history_get(h, i);

		if (ids_hold(&s, e->id))
			continue;
		if (!(line = gw_events__backfill_line(p, e))) {
			error = backfill_failed(a, p, ENOMEM);
			break;
		}
		error = write_line(a, p, line);
		free(line);
		if (error == 0 && e->id > *last)
			*last = e->id;
	}
cleanup:
	flock(a->fd, LOCK_SH);
	gw_history_free(h);
	free(s.ids);
	free(key);
	return error < 0 ? error : 1;
}

static void audit_close(void *state)
{
	audit *a = state;

	if (a->fd >= 0)
		close(a->fd);
	free(a->path);
	free(a);
}

const gw_event_sink gw_audit_sink = {audit_open, audit_event, audit_close, audit_backfill};
