/*
 * fault_cli.c: system calls that fail on demand in the godwit-oom test
 * binary (the CLI linked with -Wl,--wrap for them, tests/CMakeLists.txt),
 * for the CLI's tests of failures no real run can be made to hit: a
 * thread or a pipe that cannot be made, libmicrohttpd missing or too old,
 * its server refusing to start.
 *
 * GW_TEST_FAULT=NAME or NAME:N makes the Nth call (1 when N is not given)
 * that godwit's own code makes to NAME fail as that call fails:
 *   pthread_create   returns EAGAIN
 *   pipe             fails with EMFILE
 *   dlopen           fails as for a library that is not installed
 *   dlsym            fails as for a symbol the library lacks
 *   MHD_start_daemon is looked up as a function that fails (returns NULL)
 *   socket           fails with EMFILE
 *   setsockopt, listen, getsockname  fail with ENOBUFS
 *   getnameinfo      returns EAI_FAIL
 *   poll             fails with ENOMEM
 *   poll             fails with ENOMEM
 * Other calls, and the libraries' own, are left alone.
 */
#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                          void *arg);
int __real_pipe(int fds[2]);
void *__real_dlopen(const char *file, int mode);
void *__real_dlsym(void *handle, const char *name);
int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
int __real_socket(int domain, int type, int protocol);
int __real_setsockopt(int fd, int level, int name, const void *value, socklen_t len);
int __real_listen(int fd, int backlog);
int __real_getsockname(int fd, struct sockaddr *addr, socklen_t *len);
int __real_getnameinfo(const struct sockaddr *addr, socklen_t addrlen, char *host,
                       socklen_t hostlen, char *serv, socklen_t servlen, int flags);

/* The Nth call to name fails: 1 when it does. Calls are counted from
 * several threads at once. */
static int failing(const char *name)
{
	static int counts[16];
	static const char *const names[] = {
	        "pthread_create",   "pipe",        "dlopen",     "dlsym",
	        "MHD_start_daemon", "socket",      "setsockopt", "listen",
	        "getsockname",      "getnameinfo", "poll"};
	const char *fault = getenv("GW_TEST_FAULT"), *colon;
	size_t len, i;
	long at = 1;

	if (!fault || !*fault)
		return 0;
	colon = strchr(fault, ':');
	len = colon ? (size_t)(colon - fault) : strlen(fault);
	if (strlen(name) != len || strncmp(fault, name, len) != 0)
		return 0;
	if (colon)
		at = atol(colon + 1);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i], name))
			return __atomic_add_fetch(&counts[i], 1, __ATOMIC_SEQ_CST) == at;
	return 0;
}

int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                          void *arg);
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                          void *arg)
{
	/* pthread_create reports through its result, never errno: a caller
	 * that reads errno reads whatever an earlier call left there. */
	if (failing("pthread_create"))
		return EAGAIN;
	return __real_pthread_create(thread, attr, start, arg);
}

int __wrap_pipe(int fds[2]);
int __wrap_pipe(int fds[2])
{
	if (failing("pipe")) {
		errno = EMFILE;
		return -1;
	}
	return __real_pipe(fds);
}

void *__wrap_dlopen(const char *file, int mode);
void *__wrap_dlopen(const char *file, int mode)
{
	/* A name no system has, so that dlerror says what it says for a
	 * library that is not installed. */
	if (failing("dlopen"))
		return __real_dlopen("libgodwit-test-not-installed.so.0", mode);
	return __real_dlopen(file, mode);
}

/* MHD_start_daemon's type exactly, as the CLI calls it through it. */
static struct MHD_Daemon *start_daemon_fails(unsigned int flags, uint16_t port,
                                             MHD_AcceptPolicyCallback apc, void *apc_cls,
                                             MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	(void)flags, (void)port, (void)apc, (void)apc_cls, (void)dh, (void)dh_cls;
	return NULL;
}

void *__wrap_dlsym(void *handle, const char *name);
void *__wrap_dlsym(void *handle, const char *name)
{
	struct MHD_Daemon *(*fails)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
	                            MHD_AccessHandlerCallback, void *, ...) = start_daemon_fails;
	void *sym;

	if (failing("dlsym"))
		return NULL;
	if (!strcmp(name, "MHD_start_daemon") && failing("MHD_start_daemon")) {
		memcpy(&sym, &fails, sizeof(sym));
		return sym;
	}
	return __real_dlsym(handle, name);
}

int __wrap_socket(int domain, int type, int protocol);
int __wrap_socket(int domain, int type, int protocol)
{
	if (failing("socket")) {
		errno = EMFILE;
		return -1;
	}
	return __real_socket(domain, type, protocol);
}

int __wrap_setsockopt(int fd, int level, int name, const void *value, socklen_t len);
int __wrap_setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
	if (failing("setsockopt")) {
		errno = ENOBUFS;
		return -1;
	}
	return __real_setsockopt(fd, level, name, value, len);
}

int __wrap_listen(int fd, int backlog);
int __wrap_listen(int fd, int backlog)
{
	if (failing("listen")) {
		errno = ENOBUFS;
		return -1;
	}
	return __real_listen(fd, backlog);
}

int __wrap_getsockname(int fd, struct sockaddr *addr, socklen_t *len);
int __wrap_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	if (failing("getsockname")) {
		errno = ENOBUFS;
		return -1;
	}
	return __real_getsockname(fd, addr, len);
}

/* getnameinfo reports through its result, never errno. */
int __wrap_getnameinfo(const struct sockaddr *addr, socklen_t addrlen, char *host,
                       socklen_t hostlen, char *serv, socklen_t servlen, int flags);
int __wrap_getnameinfo(const struct sockaddr *addr, socklen_t addrlen, char *host,
                       socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	if (failing("getnameinfo"))
		return EAI_FAIL;
	return __real_getnameinfo(addr, addrlen, host, hostlen, serv, servlen, flags);
}

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout);
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	if (failing("poll")) {
		errno = ENOMEM;
		return -1;
	}
	return __real_poll(fds, n, timeout);
}
