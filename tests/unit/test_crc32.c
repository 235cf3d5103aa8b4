/*
 * test_crc32.c: unit tests of gw_crc32_update (src/util/hash.c) against
 * published CRC-32 check values, and of going on from a previous result,
 * which Flyway's line-by-line checksum relies on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/hash.h"

static uint32_t crc_of(const char *text)
{
	return gw_crc32_update(0, text, strlen(text));
}

static void test_crc32_known_vectors(void **state)
{
	(void)state;
	/* The check value of CRC-32/ISO-HDLC (zlib, PNG, Ethernet). */
	assert_int_equal(crc_of("123456789"), 0xcbf43926u);
	assert_int_equal(crc_of(""), 0u);
	assert_int_equal(crc_of("a"), 0xe8b7be43u);
	assert_int_equal(crc_of("abc"), 0x352441c2u);
	assert_int_equal(crc_of("The quick brown fox jumps over the lazy dog"), 0x414fa339u);
}

static void test_crc32_bytes_above_127(void **state)
{
	const unsigned char bytes[] = {0xff, 0x00, 0x80};

	(void)state;
	/* Bytes are unsigned: a signed char would give another value. */
	assert_int_equal(gw_crc32_update(0, bytes, sizeof(bytes)), 0xac616edfu);
	assert_int_equal(gw_crc32_update(0, bytes, 1), 0xff000000u);
}

static void test_crc32_goes_on_from_a_result(void **state)
{
	const char *text = "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n";
	size_t len = strlen(text), cut;

	(void)state;
	for (cut = 0; cut <= len; cut++)
		assert_int_equal(
		        gw_crc32_update(gw_crc32_update(0, text, cut), text + cut, len - cut),
		        crc_of(text));
	/* Nothing added leaves the value as it was. */
	assert_int_equal(gw_crc32_update(0xcbf43926u, "", 0), 0xcbf43926u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_crc32_known_vectors),
	        cmocka_unit_test(test_crc32_bytes_above_127),
	        cmocka_unit_test(test_crc32_goes_on_from_a_result),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
