/*
 * test_cov_lib3_locks_oom.c: running out of memory while listing the
 * locks of a statement (src/lib/sql/locks.c) fails the list, never leaves
 * an entry half made: for N = 1, 2, ... the Nth allocation fails (the
 * executable is linked with --wrap, tests/CMakeLists.txt), and each run
 * either returns -1 or the exact list of a run with memory to spare.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <pg_query/pg_query.pb-c.h>

#include "godwit.h"
#include "lib/sql/locks.h"
#include "lib/sql/sql.h"
#include "util/str.h"
#include "oom.h"

/* Five tables (the list grows past its first allocation), one of them
 * named twice. */
static const char sql[] = "UPDATE a SET x = 1 FROM b JOIN c ON true, d, e, b AS b2";

static void show(gw_str *out, const gw_lock_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		gw_str_printf(out, "%s %s %s\n", l->items[i].table ? l->items[i].table : "(all)",
		              gw_lock_mode_name(l->items[i].mode),
		              gw_lock_effect_name(l->items[i].effect));
}

static void test_every_allocation_of_the_list_fails_it(void **state)
{
	PgQuery__ParseResult *tree = NULL;
	gw_str syntax = GW_STR_INIT, want = GW_STR_INIT;
	gw_ctx *ctx = NULL;
	size_t bad = 0;
	long n;
	int failures = 0;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_sql_parse_tree(&tree, sql, strlen(sql), &syntax, &bad, ctx), 0);
	assert_non_null(tree);
	{
		gw_lock_list l = GW_LOCK_LIST_INIT;

		assert_int_equal(gw_locks_classify(&l, tree->stmts[0]->stmt), 0);
		show(&want, &l);
		gw_lock_list_dispose(&l);
	}
	assert_string_equal(want.ptr, "a ROW EXCLUSIVE scan\nb ACCESS SHARE none\n"
	                              "c ACCESS SHARE none\nd ACCESS SHARE none\n"
	                              "e ACCESS SHARE none\n");
	for (n = 1;; n++) {
		gw_lock_list l = GW_LOCK_LIST_INIT;
		gw_str got = GW_STR_INIT;
		int error, reached;

		oom_fail_at(n);
		error = gw_locks_classify(&l, tree->stmts[0]->stmt);
		reached = oom_reached();
		if (error < 0) {
			assert_int_equal(error, -1);
			assert_true(reached);
			failures++;
		} else {
			show(&got, &l);
			assert_string_equal(got.ptr, want.ptr);
		}
		gw_str_dispose(&got);
		gw_lock_list_dispose(&l);
		if (!reached)
			break;
	}
	/* Each table's name and the growing array could fail. */
	assert_true(failures >= 6);
	gw_str_dispose(&want);
	gw_str_dispose(&syntax);
	gw_sql_parse_tree_free(tree);
	gw_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_allocation_of_the_list_fails_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
