/*
 * test_cov_util_sys.c: the error paths of src/util that meet the operating
 * system (files, folders, child processes) and the first-error-wins rules
 * of the context, each driven by a real condition: a folder where a file
 * is read, a file size limit (RLIMIT_FSIZE) that stops a write, a
 * descriptor limit (RLIMIT_NOFILE) that stops a pipe, a program that does
 * not exist or is killed by a signal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/str.h"

typedef struct fixture {
	gw_ctx *ctx;
	char dir[512];
} fixture;

static int setup(void **state)
{
	const char *base = getenv("GW_TEST_TMP");
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0755); /* GW_TEST_TMP may not exist yet */
	snprintf(f->dir, sizeof(f->dir), "%s/test_cov_util_sys.XXXXXX", base);
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(gw_ctx_new(&f->ctx), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	gw_ctx_free(f->ctx);
	free(f);
	return 0;
}

static const char *path_in(fixture *f, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", f->dir, name);
	return buf;
}

/* The error on the context, then cleared for the next step. */
static void expect_error(fixture *f, int code, const char *message)
{
	const gw_error *e = gw_ctx_error(f->ctx);

	assert_non_null(e);
	assert_int_equal(e->code, code);
	assert_string_equal(e->message, message);
	gw_ctx_clear_error(f->ctx);
}

/* ---- files and folders ------------------------------------------------ */

static void reading_a_folder_names_it(void **state)
{
	fixture *f = *state;
	gw_str out = GW_STR_INIT, want = GW_STR_INIT;

	assert_int_equal(gw_file_read(&out, f->dir, GW_FILE_MAX, f->ctx), GW_EIO);
	gw_str_printf(&want, "cannot read %s: it is a directory", f->dir);
	expect_error(f, GW_EIO, want.ptr);
	gw_str_dispose(&out);
	gw_str_dispose(&want);
}

/* /proc files say they are 0 bytes long: the limit is kept while reading. */
static void a_file_that_grows_past_the_limit_while_read_is_refused(void **state)
{
	fixture *f = *state;
	gw_str out = GW_STR_INIT;

	if (access("/proc/self/status", R_OK) != 0)
		skip();
	assert_int_equal(gw_file_read(&out, "/proc/self/status", 16, f->ctx), GW_ESOURCE);
	expect_error(f, GW_ESOURCE,
	             "/proc/self/status is over the limit of 16 bytes; split it into smaller "
	             "migrations");
	assert_int_equal(gw_file_read(&out, "/proc/self/status", GW_FILE_MAX, f->ctx), 0);
	assert_true(out.size > 16);
	assert_non_null(strstr(out.ptr, "Pid:"));
	gw_str_dispose(&out);
}

/* Reading /proc/self/mem at offset 0 (an unmapped address) fails with
 * EIO: a read error after a successful open. */
static void a_read_error_names_the_file(void **state)
{
	fixture *f = *state;
	gw_str out = GW_STR_INIT;

	if (access("/proc/self/mem", R_OK) != 0)
		skip();
	assert_int_equal(gw_file_read(&out, "/proc/self/mem", GW_FILE_MAX, f->ctx), GW_EIO);
	expect_error(f, GW_EIO, "cannot read /proc/self/mem: Input/output error");
	gw_str_dispose(&out);
}

/* A write cut short by the file size limit leaves no partial file. */
static void a_failed_write_removes_the_new_file(void **state)
{
	fixture *f = *state;
	struct rlimit old, small;
	char path[600], want[700], data[4096];
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);

	memset(data, 'x', sizeof(data));
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 100;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	path_in(f, "big.sql", path, sizeof(path));
	assert_int_equal(gw_file_create(path, data, sizeof(data), f->ctx), GW_EIO);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, prev);
	snprintf(want, sizeof(want), "cannot write %s: File too large", path);
	expect_error(f, GW_EIO, want);
	assert_int_equal(access(path, F_OK), -1);
}

static void a_folder_under_a_file_cannot_be_made(void **state)
{
	fixture *f = *state;
	char file[600], sub[700], want[800];

	path_in(f, "plain", file, sizeof(file));
	assert_int_equal(gw_file_create(file, "x", 1, f->ctx), 0);
	snprintf(sub, sizeof(sub), "%s/a/b", file);
	assert_int_equal(gw_make_dirs(sub, 0755, f->ctx), GW_EIO);
	snprintf(want, sizeof(want), "cannot create folder %s/a: Not a directory", file);
	expect_error(f, GW_EIO, want);
}

/* rename() cannot put a file over a folder: the folder and its content
 * stay, and the temporary file is gone. */
static void replacing_a_folder_fails_and_leaves_no_temporary_file(void **state)
{
	fixture *f = *state;
	char target[600], inner[700], want[800];
	gw_vec names = GW_VEC_INIT;

	path_in(f, "conf", target, sizeof(target));
	assert_int_equal(mkdir(target, 0755), 0);
	snprintf(inner, sizeof(inner), "%s/keep", target);
	assert_int_equal(gw_file_create(inner, "k", 1, f->ctx), 0);
	assert_int_equal(gw_file_replace(target, "new", 3, f->ctx), GW_EIO);
	snprintf(want, sizeof(want), "cannot replace %s: Is a directory", target);
	expect_error(f, GW_EIO, want);
	assert_int_equal(gw_path_is_dir(target), 1);
	assert_int_equal(gw_dir_list(&names, f->dir, f->ctx), 0);
	assert_int_equal(names.len, 1);
	assert_string_equal(names.items[0], "conf");
	gw_vec_dispose(&names, free);
}

static void listing_a_missing_folder_names_it(void **state)
{
	fixture *f = *state;
	char missing[600], want[700];
	gw_vec names = GW_VEC_INIT;

	path_in(f, "nope", missing, sizeof(missing));
	assert_int_equal(gw_dir_list(&names, missing, f->ctx), GW_EIO);
	snprintf(want, sizeof(want), "cannot read folder %s: No such file or directory", missing);
	expect_error(f, GW_EIO, want);
	assert_int_equal(names.len, 0);
	gw_vec_dispose(&names, free);
}

/* ---- child processes --------------------------------------------------- */

static void a_missing_program_is_enotfound(void **state)
{
	fixture *f = *state;
	const char *argv[] = {"godwit-no-such-program", NULL};
	const char *cat[] = {"cat", NULL};
	gw_str out = GW_STR_INIT;
	int status, st[2];

	assert_int_equal(gw_proc_run(&status, &out, argv, NULL, -1, f->ctx), GW_ENOTFOUND);
	assert_int_equal(status, -1);
	expect_error(f, GW_ENOTFOUND,
	             "cannot run godwit-no-such-program: No such file or directory");
	/* A missing consumer: nothing is started. */
	assert_int_equal(gw_proc_pipe(st, &out, cat, argv, NULL, NULL, f->ctx), GW_ENOTFOUND);
	assert_int_equal(st[0], -1);
	assert_int_equal(st[1], -1);
	expect_error(f, GW_ENOTFOUND,
	             "cannot run godwit-no-such-program: No such file or directory");
	/* A missing producer: the consumer, which got no input, is killed
	 * rather than left to take an empty input for a complete one. */
	assert_int_equal(gw_proc_pipe(st, &out, argv, cat, NULL, NULL, f->ctx), GW_ENOTFOUND);
	assert_int_equal(st[0], -1);
	assert_int_equal(st[1], 128 + SIGKILL);
	expect_error(f, GW_ENOTFOUND,
	             "cannot run godwit-no-such-program: No such file or directory");
	gw_str_dispose(&out);
}

static void a_program_killed_by_a_signal_is_128_plus_it(void **state)
{
	fixture *f = *state;
	const char *argv[] = {"sh", "-c", "kill -TERM $$", NULL};
	gw_str out = GW_STR_INIT;
	int status;

	assert_int_equal(gw_proc_run(&status, &out, argv, NULL, -1, f->ctx), 0);
	assert_int_equal(status, 128 + SIGTERM);
	gw_str_dispose(&out);
}

/* The given variables replace the inherited ones of the same name. */
static void given_variables_replace_inherited_ones(void **state)
{
	fixture *f = *state;
	const char *argv[] = {"sh", "-c", "printf '%s|%s' \"$GW_COV_A\" \"$GW_COV_B\"", NULL};
	const char *env[] = {"GW_COV_A=given", "GW_COV_B=new", NULL};
	gw_str out = GW_STR_INIT;
	int status;

	assert_int_equal(setenv("GW_COV_A", "inherited", 1), 0);
	assert_int_equal(gw_proc_run(&status, &out, argv, env, -1, f->ctx), 0);
	unsetenv("GW_COV_A");
	assert_int_equal(status, 0);
	assert_string_equal(out.ptr, "given|new");
	gw_str_dispose(&out);
}

/* Only the start of a chatty program's output is kept (64 KiB, give or
 * take the last read), by both ways of running one. */
static void only_the_start_of_long_output_is_kept(void **state)
{
	fixture *f = *state;
	const char *argv[] = {"sh", "-c", "head -c 200000 /dev/zero | tr '\\0' x", NULL};
	const char *noisy[] = {"sh", "-c", "head -c 200000 /dev/zero | tr '\\0' y >&2", NULL};
	const char *cat[] = {"cat", NULL};
	gw_str out = GW_STR_INIT;
	int status, st[2];

	assert_int_equal(gw_proc_run(&status, &out, argv, NULL, -1, f->ctx), 0);
	assert_int_equal(status, 0);
	assert_true(out.size >= 65536 && out.size < 65536 + 4096);
	assert_int_equal(strspn(out.ptr, "x"), out.size);
	gw_str_clear(&out);
	assert_int_equal(gw_proc_pipe(st, &out, noisy, cat, NULL, NULL, f->ctx), 0);
	assert_int_equal(st[0], 0);
	assert_int_equal(st[1], 0);
	assert_true(out.size >= 65536 && out.size < 65536 + 4096);
	assert_int_equal(strspn(out.ptr, "y"), out.size);
	gw_str_dispose(&out);
}

/* With no descriptor left, the pipe to the child cannot be made. */
static void no_descriptor_left_for_a_pipe(void **state)
{
	fixture *f = *state;
	const char *argv[] = {"true", NULL};
	struct rlimit old, low;
	gw_str out = GW_STR_INIT;
	int status, st[2], lowest = dup(0);

	assert_true(lowest >= 0);
	close(lowest);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)lowest;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(gw_proc_run(&status, &out, argv, NULL, -1, f->ctx), GW_ERROR);
	assert_int_equal(gw_proc_pipe(st, &out, argv, argv, NULL, NULL, f->ctx), GW_ERROR);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	/* The first error is the one kept. */
	expect_error(f, GW_ERROR, "cannot run true: Too many open files");
	assert_int_equal(st[0], -1);
	assert_int_equal(st[1], -1);
	gw_str_dispose(&out);
}

/* ---- the context -------------------------------------------------------- */

/* Every code has its own stable name (JSON output and logs carry them). */
static void every_code_has_its_name(void **state)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
	        {GW_OK, "ok"},
	        {GW_ERROR, "error"},
	        {GW_ENOMEM, "nomem"},
	        {GW_EINVALID, "invalid"},
	        {GW_EIO, "io"},
	        {GW_ESOURCE, "source"},
	        {GW_EORDER, "order"},
	        {GW_ECHECKSUM, "checksum"},
	        {GW_EDIRTY, "dirty"},
	        {GW_ECONNECT, "connect"},
	        {GW_EAUTH, "auth"},
	        {GW_ESQL, "sql"},
	        {GW_ELOCK, "lock"},
	        {GW_ENOTFOUND, "notfound"},
	        {GW_ESYNTAX, "syntax"},
	        {GW_ECONFIG, "config"},
	        {GW_ESTATE, "state"},
	        {GW_ENODOWN, "nodown"},
	        {GW_ENODB, "nodatabase"},
	        {GW_ECANCELED, "canceled"},
	        {GW_EAFTER, "after"},
	        {-9999, "error"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_string_equal(gw_error_code_name(names[i].code), names[i].name);
}

/* A code that is not negative is no error code: it becomes GW_ERROR. */
static void a_non_negative_code_becomes_gw_error(void **state)
{
	fixture *f = *state;

	assert_int_equal(gw_error_set(f->ctx, 0, "odd %d", 1), GW_ERROR);
	expect_error(f, GW_ERROR, "odd 1");
	assert_int_equal(gw_error_set(f->ctx, 5, "odd"), GW_ERROR);
	expect_error(f, GW_ERROR, "odd");
}

/* Details attach to an error only: with none set they are dropped, and
 * the first of each wins. */
static void details_need_an_error_and_the_first_wins(void **state)
{
	fixture *f = *state;
	const gw_error *e;

	gw_error_set_sqlstate(f->ctx, "42P01");
	gw_error_set_location(f->ctx, "a.sql", 1, 2);
	gw_error_set_hint(f->ctx, "ignored");
	assert_null(gw_ctx_error(f->ctx));
	assert_int_equal(gw_error_set(f->ctx, GW_ESQL, "first"), GW_ESQL);
	assert_int_equal(gw_error_set(f->ctx, GW_EIO, "second"), GW_EIO);
	gw_error_set_sqlstate(f->ctx, "42P01");
	gw_error_set_sqlstate(f->ctx, "23505");
	gw_error_set_location(f->ctx, "a.sql", 3, 4);
	gw_error_set_location(f->ctx, "b.sql", 5, 6);
	gw_error_set_hint(f->ctx, "the hint");
	gw_error_set_hint(f->ctx, "another");
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_int_equal(e->code, GW_ESQL);
	assert_string_equal(e->message, "first");
	assert_string_equal(e->sqlstate, "42P01");
	assert_string_equal(e->file, "a.sql");
	assert_int_equal(e->line, 3);
	assert_int_equal(e->column, 4);
	assert_string_equal(e->hint, "the hint");
	gw_ctx_clear_error(f->ctx);
	/* A NULL context takes every call and keeps nothing. */
	assert_int_equal(gw_error_set(NULL, GW_EIO, "x"), GW_EIO);
	gw_error_set_sqlstate(NULL, "42P01");
	gw_error_set_location(NULL, "a.sql", 1, 1);
	gw_error_set_hint(NULL, "h");
	assert_null(gw_ctx_error(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(reading_a_folder_names_it, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                a_file_that_grows_past_the_limit_while_read_is_refused, setup, teardown),
	        cmocka_unit_test_setup_teardown(a_read_error_names_the_file, setup, teardown),
	        cmocka_unit_test_setup_teardown(a_failed_write_removes_the_new_file, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(a_folder_under_a_file_cannot_be_made, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(
	                replacing_a_folder_fails_and_leaves_no_temporary_file, setup, teardown),
	        cmocka_unit_test_setup_teardown(listing_a_missing_folder_names_it, setup, teardown),
	        cmocka_unit_test_setup_teardown(a_missing_program_is_enotfound, setup, teardown),
	        cmocka_unit_test_setup_teardown(a_program_killed_by_a_signal_is_128_plus_it, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(given_variables_replace_inherited_ones, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(only_the_start_of_long_output_is_kept, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(no_descriptor_left_for_a_pipe, setup, teardown),
	        cmocka_unit_test(every_code_has_its_name),
	        cmocka_unit_test_setup_teardown(a_non_negative_code_becomes_gw_error, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(details_need_an_error_and_the_first_wins, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
