/*
 * test_backoff.c: unit tests of src/util/backoff.c, the waits between
 * retries: the backoff's bounds (doubling, the cap, the +-50% jitter) and
 * that gw_sleep_ms sleeps at least as long as asked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "util/backoff.h"

/* Every draw lies within [d / 2, d + d / 2] for the capped delay d. */
static void check_bounds(int attempt, long base, long cap, long d)
{
	int i;

	for (i = 0; i < 2000; i++) {
		long v = gw_backoff_ms(attempt, base, cap);

		assert_true(v >= d / 2);
		assert_true(v <= d + d / 2);
	}
}

static void test_backoff_doubles_per_attempt(void **state)
{
	(void)state;
	check_bounds(0, 500, 8000, 500);
	check_bounds(1, 500, 8000, 1000);
	check_bounds(2, 500, 8000, 2000);
	check_bounds(3, 500, 8000, 4000);
}

static void test_backoff_is_capped(void **state)
{
	(void)state;
	check_bounds(4, 500, 8000, 8000);
	check_bounds(40, 500, 8000, 8000);
	check_bounds(1000000, 200, 10000, 10000);
	/* A base above the cap is cut to the cap. */
	check_bounds(0, 5000, 1000, 1000);
}

static void test_backoff_jitters(void **state)
{
	long lo = 100000, hi = 0;
	int i;

	(void)state;
	/* Runners must not retry in step: the draws spread over the range. */
	for (i = 0; i < 2000; i++) {
		long v = gw_backoff_ms(3, 500, 8000);

		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	assert_true(lo < 2500);
	assert_true(hi > 5500);
}

static void test_sleep_waits_at_least_as_asked(void **state)
{
	struct timespec a, b;
	long long waited;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	gw_sleep_ms(30);
	clock_gettime(CLOCK_MONOTONIC, &b);
	waited = (long long)(b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(waited >= 29);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_backoff_doubles_per_attempt),
	        cmocka_unit_test(test_backoff_is_capped),
	        cmocka_unit_test(test_backoff_jitters),
	        cmocka_unit_test(test_sleep_waits_at_least_as_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
