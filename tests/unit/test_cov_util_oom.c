/*
 * test_cov_util_oom.c: running out of memory in src/util's file, folder,
 * process and error functions: for N = 1, 2, ... the Nth allocation fails
 * (the executable is linked with --wrap for the allocation functions, see
 * tests/CMakeLists.txt), and each call either succeeds with the full
 * result or fails with GW_ENOMEM and leaves nothing half done.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/str.h"
#include "util/url.h"
#include "util/vec.h"
#include "oom.h"

static char dir[512];

static int setup(void **state)
{
	const char *base = getenv("GW_TEST_TMP");

	(void)state;
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0755);
	snprintf(dir, sizeof(dir), "%s/test_cov_util_oom.XXXXXX", base);
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void expect_oom(gw_ctx *ctx, int rc)
{
	assert_int_equal(rc, GW_ENOMEM);
	assert_string_equal(gw_ctx_error(ctx)->message, "out of memory");
	gw_ctx_clear_error(ctx);
}

static void a_context_that_cannot_be_made_is_enomem(void **state)
{
	gw_ctx *ctx = NULL;

	(void)state;
	oom_fail_at(1);
	assert_int_equal(gw_ctx_new(&ctx), GW_ENOMEM);
	assert_true(oom_reached());
	assert_null(ctx);
}

/* An error whose message, file or prefix cannot be stored is still the
 * error, with "out of memory" for a message it could not keep. */
static void an_error_without_memory_keeps_its_code(void **state)
{
	gw_ctx *ctx = NULL;
	long n;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	for (n = 1;; n++) {
		const gw_error *e;

		oom_fail_at(n);
		assert_int_equal(gw_error_set(ctx, GW_ESQL, "relation %s does not exist", "t"),
		                 GW_ESQL);
		gw_error_set_location(ctx, "db/migrations/1_a.sql", 3, 4);
		gw_error_prefix(ctx, "%s: ", "1_a");
		if (!oom_reached())
			break;
		e = gw_ctx_error(ctx);
		assert_int_equal(e->code, GW_ESQL);
		assert_true(!strcmp(e->message, "out of memory") ||
		            !strcmp(e->message, "relation t does not exist") ||
		            !strcmp(e->message, "1_a: relation t does not exist"));
		assert_true(!strcmp(e->file, "") || !strcmp(e->file, "db/migrations/1_a.sql"));
		gw_ctx_clear_error(ctx);
	}
	assert_string_equal(gw_ctx_error(ctx)->message, "1_a: relation t does not exist");
	assert_string_equal(gw_ctx_error(ctx)->file, "db/migrations/1_a.sql");
	assert_true(n > 2);
	gw_ctx_free(ctx);
}

static void folders_and_files_without_memory(void **state)
{
	char sub[600], file[600];
	gw_ctx *ctx = NULL;
	gw_vec names = GW_VEC_INIT;
	gw_str text = GW_STR_INIT;
	long n;
	int rc;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	snprintf(sub, sizeof(sub), "%s/a/b/c", dir);
	snprintf(file, sizeof(file), "%s/a/conf", dir);
	for (n = 1;; n++) {
		oom_fail_at(n);
		rc = gw_make_dirs(sub, 0755, ctx);
		if (!oom_reached())
			break;
		expect_oom(ctx, rc);
		assert_int_equal(gw_path_is_dir(sub), -1);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(gw_path_is_dir(sub), 1);
	assert_int_equal(gw_file_create(file, "old", 3, ctx), 0);
	for (n = 1;; n++) {
		oom_fail_at(n);
		rc = gw_file_replace(file, "new", 3, ctx);
		if (!oom_reached())
			break;
		expect_oom(ctx, rc);
		assert_int_equal(gw_file_read(&text, file, 100, ctx), 0);
		assert_string_equal(text.ptr, "old");
	}
	assert_int_equal(rc, 0);
	assert_int_equal(gw_file_read(&text, file, 100, ctx), 0);
	assert_string_equal(text.ptr, "new");
	snprintf(sub, sizeof(sub), "%s/a", dir);
	for (n = 1;; n++) {
		oom_fail_at(n);
		rc = gw_dir_list(&names, sub, ctx);
		if (!oom_reached())
			break;
		expect_oom(ctx, rc);
		gw_vec_dispose(&names, free);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(names.len, 2);
	assert_string_equal(names.items[0], "b");
	assert_string_equal(names.items[1], "conf");
	assert_true(n > 2);
	gw_vec_dispose(&names, free);
	gw_str_dispose(&text);
	gw_ctx_free(ctx);
}

/* Without memory for the child's environment, nothing is started. */
static void programs_without_memory_do_not_start(void **state)
{
	const char *argv[] = {"sh", "-c", "printf %s \"$GW_COV\"", NULL};
	const char *cat[] = {"cat", NULL};
	const char *env[] = {"GW_COV=given", NULL};
	gw_str out = GW_STR_INIT;
	gw_ctx *ctx = NULL;
	int status, st[2], rc;
	long n;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	for (n = 1;; n++) {
		gw_str_clear(&out);
		oom_fail_at(n);
		rc = gw_proc_run(&status, &out, argv, env, -1, ctx);
		if (!oom_reached())
			break;
		if (rc < 0) {
			expect_oom(ctx, rc);
			assert_int_equal(status, -1);
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(status, 0);
	assert_string_equal(out.ptr, "given");
	for (n = 1;; n++) {
		oom_fail_at(n);
		rc = gw_proc_pipe(st, &out, argv, cat, env, NULL, ctx);
		if (!oom_reached())
			break;
		expect_oom(ctx, rc);
		assert_int_equal(st[0], -1);
		assert_int_equal(st[1], -1);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(st[0], 0);
	assert_int_equal(st[1], 0);
	gw_str_dispose(&out);
	gw_ctx_free(ctx);
}

/* A URL that cannot be masked is not printed at all. */
static void masking_without_memory_fails_whole(void **state)
{
	const char *urls[] = {"postgres://u:secret@h/db?sslpassword=x",
	                      "host=h password=secret dbname=d"};
	gw_str out = GW_STR_INIT;
	size_t i;
	long n;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		for (n = 1;; n++) {
			gw_str_clear(&out);
			oom_fail_at(n);
			rc = gw_url_mask(&out, urls[i]);
			if (!oom_reached())
				break;
			if (rc == 0)
				assert_null(strstr(out.ptr, "secret"));
			else
				assert_true(rc < 0);
		}
		assert_int_equal(rc, 0);
		assert_null(strstr(out.ptr, "secret"));
		assert_non_null(strstr(out.ptr, "****"));
	}
	gw_str_dispose(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(a_context_that_cannot_be_made_is_enomem),
	        cmocka_unit_test(an_error_without_memory_keeps_its_code),
	        cmocka_unit_test_setup_teardown(folders_and_files_without_memory, setup, teardown),
	        cmocka_unit_test(programs_without_memory_do_not_start),
	        cmocka_unit_test(masking_without_memory_fails_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
