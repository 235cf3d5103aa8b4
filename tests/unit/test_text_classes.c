/*
 * test_text_classes.c: the ASCII character classes of src/util/text.h,
 * which replace private copies across the library, against the C
 * locale's ctype.h for every byte (including those above 127, which must
 * never count as space or digit).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <locale.h>

#include "util/text.h"

static void test_classes_match_the_c_locale(void **state)
{
	int b;

	(void)state;
	setlocale(LC_ALL, "C");
	for (b = 0; b < 256; b++) {
		char c = (char)b;

		assert_int_equal(gw_is_space(c), isspace(b) != 0);
		assert_int_equal(gw_is_digit(c), isdigit(b) != 0);
		assert_int_equal(gw_is_blank(c), isspace(b) && b != '\n');
		assert_int_equal(gw_is_space_or_tab(c), b == ' ' || b == '\t');
		assert_int_equal(gw_is_alpha(c), isalpha(b) != 0);
		assert_int_equal(gw_is_alnum(c), isalnum(b) != 0);
		assert_int_equal(gw_is_name_start(c), isalpha(b) || b == '_');
		assert_int_equal(gw_is_name_char(c), isalnum(b) || b == '_');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_classes_match_the_c_locale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
