/*
 * test_mask.c: unit tests of the context's masks (gw_ctx__add_mask), which
 * keep a substituted placeholder's value out of every message, hint and
 * notice: each occurrence reads ********, except inside a longer word.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static char last_notice[256];

static void on_notice(const gw_notice *n, void *payload)
{
	(void)payload;
	snprintf(last_notice, sizeof(last_notice), "%s", n->message);
}

static void test_message_and_hint_are_masked(void **state)
{
	gw_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_ctx__add_mask(ctx, "hunter2"), 0);
	assert_int_equal(gw_ctx__add_mask(ctx, "app"), 0);
	assert_int_equal(gw_ctx__add_mask(ctx, "hunter2"), 0);
	gw_error_set(ctx, GW_ESQL, "invalid input syntax: \"hunter2\" for app in apple (hunter2x)");
	gw_error_set_hint(ctx, "role app: %s", "hunter2");
	assert_string_equal(gw_ctx_error(ctx)->message,
	                    "invalid input syntax: \"********\" for ******** in apple (hunter2x)");
	assert_string_equal(gw_ctx_error(ctx)->hint, "role ********: ********");
	gw_ctx_free(ctx);
}

static void test_notices_are_masked(void **state)
{
	gw_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	gw_ctx_set_notice_cb(ctx, on_notice, NULL);
	assert_int_equal(gw_ctx__add_mask(ctx, "p@ss word!"), 0);
	gw_notify(ctx, GW_NOTICE_INFO, NULL, NULL, NULL, -1, "the password is %s.", "p@ss word!");
	assert_string_equal(last_notice, "the password is ********.");
	gw_notify(ctx, GW_NOTICE_INFO, NULL, NULL, NULL, -1, "nothing to hide");
	assert_string_equal(last_notice, "nothing to hide");
	gw_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_message_and_hint_are_masked),
	        cmocka_unit_test(test_notices_are_masked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
