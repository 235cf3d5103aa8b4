/*
 * fuzz_version.c: fuzz target for gw_version_cmp (src/lib/version.c).
 *
 * The input is cut into up to three versions at its first two newlines
 * (without a newline, into two halves), so seeds stay readable: "1.10\n1.9".
 * gw_version_cmp sorts the folder (qsort), finds migrations (bsearch) and
 * compares with the history table, so it must be a consistent ordering:
 * reflexive, antisymmetric in sign, and transitive, equality included
 * ("0006" equals "6", so equality is not byte equality).
 */
#include <string.h>

#include "fuzz.h"
#include "lib/version.h"

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char *part[3] = {NULL, NULL, NULL};
	char *half[2] = {NULL, NULL};
	size_t n = 0;
	int ab, ba, bc, ac;

	/* Versions are C strings: the input ends at a NUL byte. */
	size = strlen(text);
	if (strchr(text, '\n')) {
		char *p = text, *nl;

		part[n++] = text;
		while (n < 3 && (nl = strchr(p, '\n')) != NULL) {
			*nl = '\0';
			p = nl + 1;
			part[n++] = p;
		}
	} else {
		/* Two halves, each in a buffer of its own size. */
		half[0] = fuzz_cstr((const uint8_t *)text, size / 2);
		half[1] = fuzz_cstr((const uint8_t *)text + size / 2, size - size / 2);
		part[n++] = half[0];
		part[n++] = half[1];
	}
	if (n == 2)
		part[2] = part[1];

	for (size_t i = 0; i < 3; i++)
		FUZZ_CHECK(gw_version_cmp(part[i], part[i]) == 0);
	ab = sign(gw_version_cmp(part[0], part[1]));
	ba = sign(gw_version_cmp(part[1], part[0]));
	FUZZ_CHECK(ab == -ba);
	if (!strcmp(part[0], part[1]))
		FUZZ_CHECK(ab == 0);

	if (n == 3) {
		bc = sign(gw_version_cmp(part[1], part[2]));
		ac = sign(gw_version_cmp(part[0], part[2]));
		FUZZ_CHECK(sign(gw_version_cmp(part[2], part[0])) == -ac);
		FUZZ_CHECK(sign(gw_version_cmp(part[2], part[1])) == -bc);
		/* Transitivity of <=, and so of == and <. */
		if (ab <= 0 && bc <= 0)
			FUZZ_CHECK(ac <= 0);
		if (ab >= 0 && bc >= 0)
			FUZZ_CHECK(ac >= 0);
		if (ab == 0 && bc == 0)
			FUZZ_CHECK(ac == 0);
		if ((ab < 0 && bc <= 0) || (ab <= 0 && bc < 0))
			FUZZ_CHECK(ac < 0);
	}
	free(half[0]);
	free(half[1]);
	free(text);
	return 0;
}
