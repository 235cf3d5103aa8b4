/*
 * test_cov_lib4_notify_oom.c: notifications (src/lib/notify.c) to an HTTP
 * listener this test runs on 127.0.0.1, each with the exact messages
 * received or warnings told:
 *  - a list with blanks around its commas, an empty item and a mailto
 *    without '@' (an embedder's list, unchecked): the good URLs only;
 *  - a mailto with no smtp_url: a warning, and no mail;
 *  - a run that applied nothing: "Migrations: none"; one that applied
 *    21: twenty named, "and 1 more";
 *  - a run that failed before any migration: the title names none;
 *  - notify_on that is no list of events (unchecked): failure only;
 *  - out of memory at each allocation of a notified run (on the run's
 *    thread or the sender's): the run succeeds or fails out of memory,
 *    never because of a notification, and never crashes.
 *
 * Linked like test_oom with --wrap for the allocation functions
 * (tests/CMakeLists.txt); the other cases allocate freely.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>

#include "project_fixture.h"

#include <jansson.h>

#include "godwit/events.h"
#include "oom.h"

/* ---- the listener: one request per connection, answered 200 --------------- */

static int listen_fd = -1;
static int port;
static pthread_t listener;
static pthread_mutex_t got_lock = PTHREAD_MUTEX_INITIALIZER;
static char got[65536]; /* "POST PATH\nBODY\n" for each request */

static void *listen_main(void *arg)
{
	(void)arg;
	for (;;) {
		char buf[32768], path[256] = "";
		size_t len = 0;
		long body_len = -1;
		char *end = NULL, *cl;
		ssize_t n;
		int one = 1, fd = accept(listen_fd, NULL, NULL);

		if (fd < 0)
			return NULL;
		/* The reply in one segment, at once. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		while (len < sizeof(buf) - 1 &&
		       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
			len += (size_t)n;
			buf[len] = '\0';
			if (!end && (end = strstr(buf, "\r\n\r\n")) &&
			    (cl = strstr(buf, "Content-Length:")))
				body_len = strtol(cl + 15, NULL, 10);
			if (end && (long)(len - (size_t)(end + 4 - buf)) >= body_len)
				break;
		}
		if (end) {
			sscanf(buf, "POST %255s", path);
			pthread_mutex_lock(&got_lock);
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "POST %s\n%s\n",
			         path, end + 4);
			pthread_mutex_unlock(&got_lock);
		}
		dprintf(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
		close(fd);
	}
}

static int group_setup(void **state)
{
	struct sockaddr_in a = {0};
	socklen_t alen = sizeof(a);

	(void)state;
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((listen_fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(listen_fd, 16), 0);
	assert_int_equal(getsockname(listen_fd, (struct sockaddr *)&a, &alen), 0);
	port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&listener, NULL, listen_main, NULL), 0);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	shutdown(listen_fd, SHUT_RDWR);
	close(listen_fd);
	pthread_join(listener, NULL);
	return 0;
}

static int setup(void **state)
{
	got[0] = '\0';
	return fx_setup_named(state, "lib4-notify");
}

static int teardown(void **state)
{
	fixture *f = *state;

	oom_rm_rf(f->dir);
	return fx_teardown(state);
}

/* One run of up bracketed as a program does: the code of up. */
static int run_up(fixture *f)
{
	gw_up_options uo = GW_UP_OPTIONS_INIT;
	size_t n = 0;
	int error;

	fx_open(f);
	assert_int_equal(gw_project_run_begin(f->p, "up"), 0);
	error = gw_project_up(&n, f->p, &uo);
	gw_project_run_end(f->p, error < 0 ? 1 : 0);
	gw_ctx_clear_error(f->ctx);
	return error;
}

/* How many requests the listener got. */
static int requests(void)
{
	const char *p = got;
	int n = 0;

	while ((p = strstr(p, "POST /"))) {
		n++;
		p++;
	}
	return n;
}

static void assert_got(const char *part)
{
	if (!strstr(got, part))
		fail_msg("no %s in:\n%s", part, got);
}

/* Blanks around commas, an empty item and a mailto with no '@' in an
 * embedder's list (the settings' check refuses them): the good URLs are
 * sent to; a mailto with no smtp_url is a warning. A run that applied
 * nothing says so. */
static void test_list_and_nothing_applied(void **state)
{
	fixture *f = *state;
	char notify[512];

	snprintf(notify, sizeof(notify),
	         "slack:http://127.0.0.1:%d/s , http://127.0.0.1:%d/j,,mailto:nobody,"
	         "mailto:ops@example.com",
	         port, port);
	f->opts.notify = notify;
	f->opts.notify_on = "all";
	f->opts.notify_timeout_ms = -1; /* the default, 5 s */
	assert_int_equal(run_up(f), 0);
	assert_string_equal(f->notices,
	                    "warning -: notify names mailto:ops@example.com but smtp_url "
	                    "is not set: no mail is sent\n");
	assert_int_equal(requests(), 4);
	assert_got("POST /s\n{\"text\":\"godwit up started in development\"");
	assert_got("POST /j\n{\"id\":null,");
	assert_got("POST /s\n{\"text\":\"godwit up succeeded in development\"");
	assert_got("{\"type\":\"mrkdwn\",\"text\":\"*Migrations*\\nnone\"}");
}

/* Twenty migrations are named, the rest counted. */
static void test_more_than_twenty(void **state)
{
	fixture *f = *state;
	char notify[256], file[64];
	int i;

	for (i = 1; i <= 21; i++) {
		snprintf(file, sizeof(file), "202401010000%02d_m.sql", i);
		fx_migration(f, file, "SELECT 1;", NULL);
	}
	snprintf(notify, sizeof(notify), "slack:http://127.0.0.1:%d/s", port);
	f->opts.notify = notify;
	f->opts.notify_on = "success";
	assert_int_equal(run_up(f), 0);
	assert_int_equal(requests(), 1);
	assert_got("20240101000001 m applied\\n");
	assert_got("20240101000020 m applied\\nand 1 more\"");
	assert_null(strstr(got, "20240101000021"));
}

/* A run that fails before any migration runs: the title names none, the
 * error comes with its file, line and column. */
static void test_failed_before_any_migration(void **state)
{
	fixture *f = *state;
	char notify[256];

	fx_migration(f, "20240101000001_a.sql", "SELECT ${GW_LIB4_NOPE};", NULL);
	snprintf(notify, sizeof(notify), "slack:http://127.0.0.1:%d/s", port);
	f->opts.notify = notify;
	assert_true(run_up(f) < 0);
	assert_int_equal(requests(), 1);
	assert_got("{\"text\":\"godwit up failed in development\",");
	assert_got("*Migrations*\\nnone\"");
	assert_got("```" /* the file as shown */);
	assert_got("20240101000001_a.sql:2:8: ");
	fx_assert_query(f, "SELECT count(*) FROM godwit_migrations", "0\n");
}

/* notify_on that names no event (an embedder's, unchecked): failures
 * only, so a good run sends nothing. */
static void test_unknown_notify_on(void **state)
{
	fixture *f = *state;
	char notify[256];

	fx_migration(f, "20240101000001_a.sql", "SELECT 1;", NULL);
	snprintf(notify, sizeof(notify), "http://127.0.0.1:%d/j", port);
	f->opts.notify = notify;
	f->opts.notify_on = "sometimes";
	assert_int_equal(run_up(f), 0);
	assert_int_equal(requests(), 0);
	f->opts.notify = "";
	assert_int_equal(run_up(f), 0);
	assert_int_equal(requests(), 0);
}

/* Allocation N fails in a run that notifies its end: up either
 * applied the migration or failed out of memory, saying so. */
static void test_out_of_memory_at_every_allocation(void **state)
{
	fixture *f = *state;
	gw_up_options uo = GW_UP_OPTIONS_INIT;
	char notify[256];
	long n;
	size_t applied;
	int begun, error, reached;

	json_set_alloc_funcs(malloc, free);
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	snprintf(notify, sizeof(notify), "slack:http://127.0.0.1:%d/s,http://127.0.0.1:%d/j", port,
	         port);
	f->opts.notify = notify;
	/* The end only: two messages a round keep the test short. */
	f->opts.notify_on = "success";
	for (n = 1; n < 100000; n++) {
		gw_project_free(f->p);
		f->p = NULL;
		unlink(f->db);
		fx_open(f);
		applied = 0;
		oom_fail_at(n);
		begun = gw_project_run_begin(f->p, "up");
		error = begun < 0 ? begun : gw_project_up(&applied, f->p, &uo);
		gw_project_run_end(f->p, error < 0 ? 1 : 0);
		/* The sender settles before run_end returns. */
		reached = oom_reached();
		if (error < 0 && (error != GW_ENOMEM || gw_ctx_error(f->ctx)->code != GW_ENOMEM))
			fail_msg("up returned %d at allocation %ld: %s", error, n,
			         gw_ctx_error(f->ctx)->message);
		if (error == 0 && applied != 1)
			fail_msg("up applied %zu at allocation %ld", applied, n);
		gw_ctx_clear_error(f->ctx);
		if (!reached)
			break;
	}
	print_message("%ld allocations failed one at a time\n", n - 1);
	assert_true(n > 100 && n < 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_list_and_nothing_applied, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_more_than_twenty, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_failed_before_any_migration, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_unknown_notify_on, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_out_of_memory_at_every_allocation, setup,
	                                        teardown),
	};

	/* Hundreds of databases: on a tmpfs, a commit costs no disk flush. */
	oom_use_tmpfs();
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
