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
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/error.h"

typedef struct audit {
	char *path;
	int fd;
	int open_errno; /* why open failed; 0 when fd is open */
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
	a->fd = open(a->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
	if (a->fd < 0)
		a->open_errno = errno;
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

static int audit_event(void *state, gw_project *p, const gw_event *e, const gw_event_context *c,
                       const char *json)
{
	audit *a = state;
	gw_str line = GW_STR_INIT;
	ssize_t n;
	size_t size;
	int why;

	(void)e;
	(void)c;
	if (a->fd < 0)
		return audit_failed(a, p, a->open_errno);
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

static void audit_close(void *state)
{
	audit *a = state;

	if (a->fd >= 0)
		close(a->fd);
	free(a->path);
	free(a);
}

const gw_event_sink gw_audit_sink = {audit_open, audit_event, audit_close};
