/*
 * test_version.c: the order of migration versions (src/lib/version.c).
 *
 * Numbers compare as numbers wherever they appear, so nobody has to
 * zero-pad and "0006" stays the same version as "6"; everything else
 * compares bytewise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/version.h"

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* a < b, checked both ways round so the comparison is antisymmetric. */
static void assert_less(const char *a, const char *b)
{
	assert_int_equal(sign(gw_version_cmp(a, b)), -1);
	assert_int_equal(sign(gw_version_cmp(b, a)), 1);
}

static void assert_same(const char *a, const char *b)
{
	assert_int_equal(gw_version_cmp(a, b), 0);
	assert_int_equal(gw_version_cmp(b, a), 0);
}

static void test_numbers_compare_as_numbers(void **state)
{
	(void)state;
	assert_less("1", "2");
	assert_less("2", "10");
	assert_less("1", "10");
	assert_less("9", "10");
	assert_less("99", "100");
	assert_same("1", "1");
}

static void test_leading_zeros_do_not_count(void **state)
{
	(void)state;
	assert_same("0006", "6");
	assert_same("000", "0");
	assert_less("0009", "10");
	assert_less("0010", "11");
}

static void test_dotted_versions(void **state)
{
	(void)state;
	assert_less("1.9", "1.10");
	assert_less("1.10", "1.10.1");
	assert_less("1.2.3", "1.10");
	assert_same("1.02", "1.2");
}

static void test_dates(void **state)
{
	(void)state;
	assert_less("2024-01-02_a", "2024-01-10_a");
	assert_less("2024-01-10_a", "2024-01-10_b");
	assert_less("2024-12-31_z", "2025-01-01_a");
}

static void test_timestamps(void **state)
{
	(void)state;
	assert_less("20240101000000", "20240101000001");
	assert_less("20231231235959", "20240101000000");
	/* Longer than any integer type: compared by digits, not converted. */
	assert_less("123456789012345678901234567890", "123456789012345678901234567891");
	assert_less("99999999999999999999", "100000000000000000000");
}

static void test_letters_bytewise(void **state)
{
	(void)state;
	assert_less("a", "b");
	assert_less("B", "a");
	assert_less("abc", "abd");
	assert_less("ab", "abc");
	assert_less("1a", "1b");
	assert_less("v1", "v2");
	assert_less("v2", "v10");
	/* A digit sorts before a letter, as in ASCII. */
	assert_less("1", "a");
	assert_same("", "");
	assert_less("", "1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_numbers_compare_as_numbers),
	        cmocka_unit_test(test_leading_zeros_do_not_count),
	        cmocka_unit_test(test_dotted_versions),
	        cmocka_unit_test(test_dates),
	        cmocka_unit_test(test_timestamps),
	        cmocka_unit_test(test_letters_bytewise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
