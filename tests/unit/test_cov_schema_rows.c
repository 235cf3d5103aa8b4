/*
 * test_cov_schema_rows.c: the row fingerprints `godwit test --rows`
 * compares across an up/down cycle, and the probe rows it writes into
 * empty tables first (src/lib/schema_rows.c), on a real SQLite file.
 *
 * Each case checks the exact text gw_rows_compare gives for a table
 * that went, one whose row count changed and one whose rows changed,
 * and the exact rows the probe wrote for each column type.
 */
#include "project_fixture.h"

static int setup(void **state)
{
	return fx_setup_named(state, "test_cov_schema_rows");
}

static gw_rows *fingerprint(fixture *f)
{
	gw_rows *r = NULL;

	assert_int_equal(gw_rows_fingerprint(&r, f->p, NULL), 0);
	assert_non_null(r);
	return r;
}

static void test_compare_names_each_table_that_lost_or_changed_rows(void **state)
{
	fixture *f = *state;
	gw_rows *before, *after, *same;
	char *what = NULL;

	fx_sql(f, "CREATE TABLE gone (id int); INSERT INTO gone VALUES (1), (2);"
	          "CREATE TABLE grow (id int); INSERT INTO grow VALUES (1);"
	          "CREATE TABLE kept (id int); INSERT INTO kept VALUES (1), (2);"
	          "CREATE TABLE edit (id int); INSERT INTO edit VALUES (1), (2);"
	          "CREATE TABLE one (id int); INSERT INTO one VALUES (1);");
	before = fingerprint(f);
	same = fingerprint(f);
	assert_int_equal(gw_rows_compare(&what, before, same), 0);
	assert_null(what);

	fx_sql(f,
	       "DROP TABLE gone; INSERT INTO grow VALUES (2); UPDATE edit SET id = id + 10;"
	       "UPDATE one SET id = 5; CREATE TABLE fresh (id int); INSERT INTO fresh VALUES (1);");
	after = fingerprint(f);
	assert_int_equal(gw_rows_compare(&what, before, after), 0);
	assert_string_equal(what, "table edit: the 2 rows changed; "
	                          "table gone: 2 rows before, the table is gone; "
	                          "table grow: 1 row before, 2 after; "
	                          "table one: the 1 row changed");
	free(what);
	/* The other way round: fresh went, and gone (only in the second) is
	 * not compared. */
	assert_int_equal(gw_rows_compare(&what, after, before), 0);
	assert_string_equal(what, "table edit: the 2 rows changed; "
	                          "table fresh: 1 row before, the table is gone; "
	                          "table grow: 2 rows before, 1 after; "
	                          "table one: the 1 row changed");
	free(what);
	gw_rows_free(before);
	gw_rows_free(after);
	gw_rows_free(same);
}

static void test_probe_fills_not_null_columns_by_affinity(void **state)
{
	fixture *f = *state;

	fx_sql(f, "CREATE TABLE typed (i INTEGER NOT NULL, v VARCHAR(3) NOT NULL, c CLOB NOT NULL,"
	          " b BLOB NOT NULL, r REAL NOT NULL, n NOT NULL, d text NOT NULL DEFAULT 'dflt',"
	          " maybe text);"
	          "CREATE TABLE refuses (id int NOT NULL CHECK (id > 5));"
	          "CREATE TABLE \"odd name\" (id int);"
	          "CREATE TABLE full (id int); INSERT INTO full VALUES (42);");
	assert_int_equal(gw_rows_probe(f->p), 0);
	fx_assert_query(f, "SELECT i, v, c, quote(b), r, quote(n), d, quote(maybe) FROM typed",
	                "1|g|g|X'00'|1.0|X'00'|dflt|NULL\n");
	fx_assert_query(f, "SELECT count(*) FROM refuses", "0\n");
	fx_assert_query(f, "SELECT quote(id) FROM \"odd name\"", "NULL\n");
	fx_assert_query(f, "SELECT id FROM full", "42\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_compare_names_each_table_that_lost_or_changed_rows, setup,
	                fx_teardown),
	        cmocka_unit_test_setup_teardown(test_probe_fills_not_null_columns_by_affinity,
	                                        setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
