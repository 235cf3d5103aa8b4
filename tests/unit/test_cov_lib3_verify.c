/*
 * test_cov_lib3_verify.c: a verify section runs inside its migration's
 * transaction, so its own BEGIN, COMMIT or ROLLBACK would end that
 * transaction and the history would record a change that was rolled back
 * (src/lib/runner.c refuses them). On a real SQLite file: the refusal, at
 * the statement's line, and nothing of the migration applied or recorded.
 */
#include "project_fixture.h"

static int setup(void **state)
{
	return fx_setup_named(state, "lib3-verify");
}

static int teardown(void **state)
{
	return fx_teardown(state);
}

static void test_a_rollback_in_a_verify_section_is_refused(void **state)
{
	fixture *f = *state;
	size_t n = 0;
	int error;

	fx_write(f->migrations, "20240101000001_a.sql",
	         "-- migrate:up\nCREATE TABLE a (id int);\n"
	         "-- migrate:verify\nSELECT count(*) FROM a;\nROLLBACK;\nSELECT 1;\n");
	fx_open(f);
	error = gw_project_up(&n, f->p, NULL);
	assert_int_equal(n, 0);
	{
		char path[PATH_MAX * 2];

		snprintf(path, sizeof(path), "%s/20240101000001_a.sql", f->migrations);
		assert_string_equal(gw_ctx_error(f->ctx)->file, path);
	}
	assert_int_equal(gw_ctx_error(f->ctx)->line, 5);
	fx_assert_error(f, error, GW_ESOURCE,
	                "ROLLBACK in the verify of a migration that godwit runs in a transaction",
	                "remove it: the verify runs in the migration's transaction, which is "
	                "rolled back when the verify fails");
	fx_assert_query(f,
	                "SELECT count(*) FROM sqlite_master WHERE name = 'a' OR (name = "
	                "'godwit_migrations' AND EXISTS (SELECT 1 FROM godwit_migrations))",
	                "0\n");
}

/* Without a transaction the verify runs statement by statement, where
 * its transaction control ends nothing of the migration's. */
static void test_a_verify_without_a_transaction_may_hold_one(void **state)
{
	fixture *f = *state;
	size_t n = 0;

	fx_write(f->migrations, "20240101000001_a.sql",
	         "-- migrate:up\n-- godwit:no-transaction\nCREATE TABLE a (id int);\n"
	         "-- migrate:verify\nBEGIN;\nSELECT count(*) FROM a;\nROLLBACK;\n");
	fx_open(f);
	assert_int_equal(gw_project_up(&n, f->p, NULL), 0);
	assert_int_equal(n, 1);
	fx_assert_query(f, "SELECT version, state FROM godwit_migrations",
	                "20240101000001|applied\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_a_rollback_in_a_verify_section_is_refused,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_a_verify_without_a_transaction_may_hold_one,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
