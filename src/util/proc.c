/*
 * proc.c: running a helper program with posix_spawn, its output captured.
 *
 * No shell is involved, so nothing in a path or a URL is ever interpreted;
 * secrets travel in the child's environment, never in its arguments
 * (which any user can read in ps).
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "vec.h"

extern char **environ;

/* The parent's environment plus the given NAME=VALUE strings, which
 * replace variables of the same name. */
static int fill_env(gw_vec *out, const char *const *add)
{
	char **e;
	size_t i;

	for (e = environ; *e; e++) {
		int replaced = 0;

		for (i = 0; add && add[i]; i++) {
			size_t n = strcspn(add[i], "=");

			if (!strncmp(*e, add[i], n) && (*e)[n] == '=')
				replaced = 1;
		}
		if (!replaced && gw_vec_push(out, *e) < 0)
			return -1;
	}
	for (i = 0; add && add[i]; i++)
		if (gw_vec_push(out, (void *)(uintptr_t)add[i]) < 0)
			return -1;
	return gw_vec_push(out, NULL);
}

/* fill_env, leaving out empty when it runs out of memory (the vector
 * may have grown before the push that failed). */
static int child_env(gw_vec *out, const char *const *add)
{
	if (fill_env(out, add) == 0)
		return 0;
	gw_vec_dispose(out, NULL);
	return -1;
}

static void read_all(int fd, gw_str *output)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		/* Only the start of a chatty program's output is kept. */
		if (output->size < 65536)
			gw_str_put(output, buf, (size_t)n);
	}
}

int gw_proc_run(int *status, gw_str *output, const char *const *argv, const char *const *setenv,
                int stdout_fd, gw_ctx *ctx)
{
	posix_spawn_file_actions_t actions;
	gw_vec env = GW_VEC_INIT;
	int pipefd[2] = {-1, -1}, wstatus = 0, error = 0, rc;
	pid_t pid;

	*status = -1;
	if (child_env(&env, setenv) < 0)
		return gw_error_oom(ctx);
	if (pipe(pipefd) < 0) {
		gw_vec_dispose(&env, NULL);
		return gw_error_set(ctx, GW_ERROR, "cannot run %s: %s", argv[0], strerror(errno));
	}
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addclose(&actions, pipefd[0]);
	posix_spawn_file_actions_adddup2(&actions, stdout_fd >= 0 ? stdout_fd : pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&actions, pipefd[1], 2);
	rc = posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *)(uintptr_t)argv,
	                  (char *const *)env.items);
	posix_spawn_file_actions_destroy(&actions);
	gw_vec_dispose(&env, NULL);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		return gw_error_set(ctx, GW_ENOTFOUND, "cannot run %s: %s", argv[0], strerror(rc));
	}
	read_all(pipefd[0], output);
	close(pipefd[0]);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	*status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	return error;
}

static int cloexec_pipe(int fds[2])
{
	if (pipe(fds) < 0)
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

static int wait_for(pid_t pid)
{
	int wstatus = 0;

	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

/* Spawns argv with stdin from in_fd, stdout to out_fd and stderr to
 * err_fd, every other descriptor of ours closed in it (they are
 * O_CLOEXEC). */
static int spawn(pid_t *pid, const char *const *argv, char *const *env, int in_fd, int out_fd,
                 int err_fd)
{
	posix_spawn_file_actions_t actions;
	int rc;

	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
	posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
	posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
	rc = posix_spawnp(pid, argv[0], &actions, NULL, (char *const *)(uintptr_t)argv, env);
	posix_spawn_file_actions_destroy(&actions);
	return rc;
}

/* read_all, but looking at *stop every tenth of a second: a stop
 * request (SIGINT or SIGTERM to godwit alone) terminates the children,
 * which would otherwise go on to the end of their work. */
static void read_until_stopped(int fd, gw_str *output, const pid_t pid[2],
                               const volatile sig_atomic_t *stop)
{
	char buf[4096];
	int stopped = 0;
	ssize_t n;

	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int ready = poll(&pfd, 1, 100);

		if (stop && *stop && !stopped) {
			stopped = 1;
			if (pid[0] > 0)
				kill(pid[0], SIGTERM);
			kill(pid[1], SIGTERM);
		}
		if (ready < 0 && errno != EINTR)
			break;
		if (ready <= 0)
			continue;
		if ((n = read(fd, buf, sizeof(buf))) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (output->size < 65536)
			gw_str_put(output, buf, (size_t)n);
	}
}

int gw_proc_pipe(int status[2], gw_str *output, const char *const *producer,
                 const char *const *consumer, const char *const *setenv,
                 const volatile sig_atomic_t *stop, gw_ctx *ctx)
{
	gw_vec env = GW_VEC_INIT;
	int data[2] = {-1, -1}, err[2] = {-1, -1}, null_fd = -1, rc = 0, error = 0;
	pid_t pid[2] = {-1, -1};

	status[0] = status[1] = -1;
	if (child_env(&env, setenv) < 0)
		return gw_error_oom(ctx);
	/* O_CLOEXEC: each child keeps only the ends dup2 gives it, so the
	 * consumer sees the end of its input when the producer exits. */
	if (cloexec_pipe(data) < 0 || cloexec_pipe(err) < 0 ||
	    (null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		error = gw_error_set(ctx, GW_ERROR, "cannot run %s: %s", producer[0],
		                     strerror(errno));
		goto cleanup;
	}
	if ((rc = spawn(&pid[1], consumer, (char *const *)env.items, data[0], null_fd, err[1])) !=
	    0) {
		error = gw_error_set(ctx, GW_ENOTFOUND, "cannot run %s: %s", consumer[0],
		                     strerror(rc));
		goto cleanup;
	}
	if ((rc = spawn(&pid[0], producer, (char *const *)env.items, null_fd, data[1], err[1])) !=
	    0) {
		error = gw_error_set(ctx, GW_ENOTFOUND, "cannot run %s: %s", producer[0],
		                     strerror(rc));
		/* The consumer has had no input: it must not treat what it has
		 * not got as a complete one. */
		kill(pid[1], SIGKILL);
	}
	close(data[0]);
	close(data[1]);
	close(err[1]);
	data[0] = data[1] = err[1] = -1;
	read_until_stopped(err[0], output, pid, stop);
	if (pid[0] > 0)
		status[0] = wait_for(pid[0]);
	status[1] = wait_for(pid[1]);
cleanup:
	if (data[0] >= 0)
		close(data[0]);
	if (data[1] >= 0)
		close(data[1]);
	if (err[0] >= 0)
		close(err[0]);
	if (err[1] >= 0)
		close(err[1]);
	if (null_fd >= 0)
		close(null_fd);
	gw_vec_dispose(&env, NULL);
	return error;
}

char *gw_os_user(void)
{
	struct passwd pw, *found = NULL;
	char buf[1024];
	const char *user;

	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &found) != 0)
		found = NULL;
	user = found ? found->pw_name : getenv("USER");
	return gw_strdup(user ? user : "unknown");
}
