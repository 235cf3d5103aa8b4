/*
 * runlog.c: the log of a run (log_dir): what the terminal showed, without
 * colour, and each statement as it was sent, in
 * LOG_DIR/godwit-YYYYmmddTHHMMSSZ-ENV.log; the newest log_keep logs of
 * the environment are kept.
 *
 * Everything godwit prints goes through stdout and stderr, so for the
 * length of the run both are pipes that a thread drains into the real
 * streams and, stripped of colour, into the log: no printing code needs
 * to know about the log. The library's statement notices, which the
 * terminal does not show, are written to the log by the main thread once
 * the thread has copied everything printed before them, so each statement
 * stands after the lines that preceded it.
 *
 * The progress line (output.c) is drawn in place on the real stderr, not
 * through the pipe: it is for the terminal only, never the log. The thread
 * erases it before it copies anything else to the terminal, and it is drawn
 * only when the terminal's lines are whole and everything printed has been
 * copied, so no line is written over it or glued to it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

enum { S_OUT, S_ERR, NSTREAMS };

struct gw_runlog {
	int log;               /* the log file */
	int pipe[NSTREAMS];    /* read ends */
	int real[2];           /* the real stdout and stderr */
	int esc[NSTREAMS];     /* where each stream is in an escape sequence */
	int midline[NSTREAMS]; /* the last byte copied to the stream was not '\n' */
	int progress;          /* the progress line is drawn on real[S_ERR] */
	pthread_t thread;
	/* Held by the thread from a read to the end of its copies, and by
	 * the main thread while it writes a statement. */
	pthread_mutex_t mutex;
	int started;
};

/* ---- the thread ------------------------------------------------------------ */

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Copies buf to the log without the terminal's escape sequences (ESC [
 * ... final byte): colours, and clearing a line. *esc carries the state
 * from one read to the next: 0 text, 1 after ESC, 2 inside the sequence. */
static void to_log(int log, int *esc, const char *buf, size_t n)
{
	char out[4096];
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (*esc == 1) {
			*esc = c == '[' ? 2 : 0;
			continue;
		}
		if (*esc == 2) {
			if (c >= 0x40 && c <= 0x7E)
				*esc = 0;
			continue;
		}
		if (c == 0x1B) {
			*esc = 1;
			continue;
		}
		out[o++] = (char)c;
		if (o == sizeof(out)) {
			write_all(log, out, o);
			o = 0;
		}
	}
	write_all(log, out, o);
}

static void *drain(void *arg)
{
	struct gw_runlog *l = arg;
	struct pollfd fds[NSTREAMS];
	char buf[4096];
	int open = NSTREAMS, s;

	for (s = 0; s < NSTREAMS; s++) {
		fds[s].fd = l->pipe[s];
		fds[s].events = POLLIN;
	}
	while (open > 0) {
		if (poll(fds, NSTREAMS, -1) < 0) {
			/* Leaving would leave the pipes unread: what the run
			 * prints next would be lost, or block it once a pipe is
			 * full. A poll that fails for want of memory is tried
			 * again a little later. */
			if (errno != EINTR)
				nanosleep(&(struct timespec){0, 10000000L}, NULL);
			continue;
		}
		for (s = 0; s < NSTREAMS; s++) {
			ssize_t n;

			if (fds[s].fd < 0 || !(fds[s].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			pthread_mutex_lock(&l->mutex);
			n = read(fds[s].fd, buf, sizeof(buf));
			if (n > 0) {
				if (l->progress) {
					write_all(l->real[S_ERR], "\r\033[K", 4);
					l->progress = 0;
				}
				write_all(l->real[s], buf, (size_t)n);
				l->midline[s] = buf[n - 1] != '\n';
				to_log(l->log, &l->esc[s], buf, (size_t)n);
			}
			pthread_mutex_unlock(&l->mutex);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				fds[s].fd = -1;
				open--;
			}
		}
	}
	return NULL;
}

/* ---- the file -------------------------------------------------------------- */

/* mkdir -p, private: the statements may hold data. */
static int make_dirs(const char *path)
{
	char *copy = strdup(path), *p;
	int rc = 0;

	if (!copy)
		return -1;
	for (p = copy + 1; rc == 0 && *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	if (rc == 0 && mkdir(copy, 0700) < 0 && errno != EEXIST)
		rc = -1;
	free(copy);
	return rc;
}

/* The environment's name as it goes in a file name. */
static void safe_name(char *out, size_t size, const char *env)
{
	size_t i;

	for (i = 0; env[i] && i + 1 < size; i++)
		out[i] = (strchr("-_.", env[i]) || (env[i] >= '0' && env[i] <= '9') ||
		          (env[i] >= 'a' && env[i] <= 'z') || (env[i] >= 'A' && env[i] <= 'Z'))
		                 ? env[i]
		                 : '_';
	out[i] = '\0';
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether name is one of this environment's logs: godwit-STAMP-ENV.log or
 * godwit-STAMP-ENV.N.log, STAMP being 16 characters. */
static int is_env_log(const char *name, const char *env)
{
	size_t n = strlen(name), e = strlen(env), d;
	const char *rest;

	if (n < 24 + e || strncmp(name, "godwit-", 7) || name[22] != 'Z' || name[23] != '-' ||
	    strncmp(name + 24, env, e))
		return 0;
	rest = name + 24 + e;
	if (rest[0] == '.' && (d = strspn(rest + 1, "0123456789")) > 0)
		rest += 1 + d;
	return strcmp(rest, ".log") == 0;
}

/* Removes the oldest of the environment's logs beyond keep (0: keeps all). */
static void prune(gw_cli *cli, const char *dir, const char *env, int keep)
{
	DIR *d = keep > 0 ? opendir(dir) : NULL;
	struct dirent *de;
	char **names = NULL, **grown;
	size_t n = 0, cap = 0, i;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!is_env_log(de->d_name, env))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if (!(grown = realloc(names, cap * sizeof(*names))))
				break;
			names = grown;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i + (size_t)keep < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			gw_cli_warn(cli, "cannot remove the old log %s: %s", path, strerror(errno));
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A new file (never another run's), created 0600. */
static int create_log(char *path, size_t size, const char *dir, const char *env)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int fd = -1, i;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (i = 1; fd < 0 && i < 100; i++) {
		if (i == 1)
			snprintf(path, size, "%s/godwit-%s-%s.log", dir, stamp, env);
		else
			snprintf(path, size, "%s/godwit-%s-%s.%d.log", dir, stamp, env, i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	return fd;
}

/* ---- start and finish ------------------------------------------------------ */

static int keep_setting(gw_cli *cli)
{
	const char *v = gw_config_get(cli->config, "log_keep");
	int n = 0;

	return v && gw_parse_count(v, &n) == 0 ? n : v && strcmp(v, "0") == 0 ? 0 : 20;
}

static void dispose(struct gw_runlog *l)
{
	int s;

	for (s = 0; s < NSTREAMS; s++)
		if (l->pipe[s] >= 0)
			close(l->pipe[s]);
	if (l->log >= 0)
		close(l->log);
	free(l);
}

void gw_cli_log_start(gw_cli *cli)
{
	const char *dir = gw_config_get(cli->config, "log_dir");
	const char *env = gw_config_environment(cli->config);
	struct gw_runlog *l;
	char path[4096], name[128], header[512];
	int fds[NSTREAMS][2], s, made = 0, rc;

	if (!dir || !*dir)
		return;
	safe_name(name, sizeof(name), env ? env : "development");
	if (!(l = calloc(1, sizeof(*l))))
		return;
	l->log = l->real[0] = l->real[1] = -1;
	for (s = 0; s < NSTREAMS; s++)
		l->pipe[s] = -1;
	if (make_dirs(dir) < 0 || (l->log = create_log(path, sizeof(path), dir, name)) < 0) {
		gw_cli_warn(cli, "cannot write the run's log in %s: %s; going on without it", dir,
		            strerror(errno));
		dispose(l);
		return;
	}
	snprintf(header, sizeof(header), "# godwit %s, environment %s, godwit %s\n", cli->cmd->name,
	         env ? env : "development", gw_library_version());
	write_all(l->log, header, strlen(header));
	fflush(stdout);
	fflush(stderr);
	for (s = 0; s < NSTREAMS; s++, made++)
		if (pipe(fds[s]) < 0)
			break;
	if (made < NSTREAMS || (l->real[0] = dup(STDOUT_FILENO)) < 0 ||
	    (l->real[1] = dup(STDERR_FILENO)) < 0) {
		gw_cli_warn(cli, "cannot write the run's log %s: %s; going on without it", path,
		            strerror(errno));
		/* A log of the header alone would read as a run that did
		 * nothing. */
		unlink(path);
		for (s = 0; s < made; s++) {
			close(fds[s][0]);
			close(fds[s][1]);
		}
		if (l->real[0] >= 0)
			close(l->real[0]);
		dispose(l);
		return;
	}
	for (s = 0; s < NSTREAMS; s++) {
		l->pipe[s] = fds[s][0];
		fcntl(fds[s][0], F_SETFD, FD_CLOEXEC);
		fcntl(fds[s][1], F_SETFD, FD_CLOEXEC);
	}
	fcntl(l->real[0], F_SETFD, FD_CLOEXEC);
	fcntl(l->real[1], F_SETFD, FD_CLOEXEC);
	dup2(fds[S_OUT][1], STDOUT_FILENO);
	dup2(fds[S_ERR][1], STDERR_FILENO);
	close(fds[S_OUT][1]);
	close(fds[S_ERR][1]);
	pthread_mutex_init(&l->mutex, NULL);
	/* Line by line, as on a terminal, so the log keeps stdout's lines
	 * in their place among stderr's. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((rc = pthread_create(&l->thread, NULL, drain, l)) != 0) {
		/* Nobody would drain the pipes: put the streams back. */
		dup2(l->real[0], STDOUT_FILENO);
		dup2(l->real[1], STDERR_FILENO);
		close(l->real[0]);
		close(l->real[1]);
		pthread_mutex_destroy(&l->mutex);
		unlink(path);
		dispose(l);
		gw_cli_warn(cli, "cannot write the run's log %s: %s; going on without it", path,
		            strerror(rc));
		return;
	}
	l->started = 1;
	cli->runlog = l;
	prune(cli, dir, name, keep_setting(cli));
}

/* Bytes printed and not yet copied by the thread. */
static int pending(const struct gw_runlog *l)
{
	int s, n;

	for (s = 0; s < NSTREAMS; s++)
		if (ioctl(l->pipe[s], FIONREAD, &n) == 0 && n > 0)
			return 1;
	return 0;
}

void gw_cli_log_statement(gw_cli *cli, const gw_notice *n)
{
	struct gw_runlog *l = cli->runlog;
	char head[512];
	size_t len;

	if (!l || !n->message)
		return;
	/* What was printed before the statement goes in the log before it:
	 * wait until the thread has copied it all. */
	fflush(stdout);
	for (;;) {
		pthread_mutex_lock(&l->mutex);
		if (!pending(l))
			break;
		pthread_mutex_unlock(&l->mutex);
		sched_yield();
	}
	snprintf(head, sizeof(head), "-- %s %s, statement %lld (%s)\n",
	         n->version ? n->version : "", n->name ? n->name : "", n->duration_ms,
	         n->file ? n->file : "");
	write_all(l->log, head, strlen(head));
	len = strlen(n->message);
	while (len > 0 && strchr(" \t\r\n", n->message[len - 1]))
		len--;
	write_all(l->log, n->message, len);
	/* Ended as psql would need it, so the log's SQL can be run again. */
	if (len == 0 || n->message[len - 1] != ';')
		write_all(l->log, ";", 1);
	write_all(l->log, "\n", 1);
	pthread_mutex_unlock(&l->mutex);
}

int gw_cli_log_stderr(const gw_cli *cli)
{
	return cli->runlog ? cli->runlog->real[S_ERR] : STDERR_FILENO;
}

/* Called with cli->out_lock held. */
void gw_cli_log_progress(gw_cli *cli, const char *line)
{
	struct gw_runlog *l = cli->runlog;

	pthread_mutex_lock(&l->mutex);
	if (!line) {
		if (l->progress)
			write_all(l->real[S_ERR], "\r\033[K", 4);
		l->progress = 0;
	} else if (!pending(l) && !l->midline[S_OUT] && !l->midline[S_ERR]) {
		/* Otherwise the next redraw will do: the terminal has a
		 * partial line or lines still to come before this one. */
		char text[1100];

		snprintf(text, sizeof(text), "\r%s\033[K", line);
		write_all(l->real[S_ERR], text, strlen(text));
		l->progress = 1;
	}
	pthread_mutex_unlock(&l->mutex);
}

void gw_cli_log_finish(gw_cli *cli)
{
	struct gw_runlog *l = cli->runlog;

	if (!l)
		return;
	/* Under out_lock: a progress line being drawn holds it and uses l. */
	pthread_mutex_lock(&cli->out_lock);
	cli->runlog = NULL;
	pthread_mutex_unlock(&cli->out_lock);
	fflush(stdout);
	fflush(stderr);
	/* Putting the real streams back closes the pipes' last write ends:
	 * the thread reads to their end and stops. */
	dup2(l->real[0], STDOUT_FILENO);
	dup2(l->real[1], STDERR_FILENO);
	pthread_join(l->thread, NULL);
	if (l->progress)
		write_all(l->real[S_ERR], "\r\033[K", 4);
	pthread_mutex_destroy(&l->mutex);
	close(l->real[0]);
	close(l->real[1]);
	dispose(l);
}
