/*
 * version.c: the order of migration versions (see version.h).
 *
 * Used wherever versions meet: sorting the folder, duplicate checks, the
 * plan's comparison with the history table and --to arguments. A natural
 * sort keeps "10" after "9" without asking users to zero-pad, and keeps
 * "0006" and "6" equal so a renamed file is still the same migration.
 */
#include "version.h"

#include <string.h>

#include "../util/text.h"

/* Compares the digit runs at *a and *b as numbers and moves both past them.
 * Comparing lengths after dropping leading zeros avoids overflow on the
 * 14-digit timestamps most tools use. */
static int cmp_number(const char **a, const char **b)
{
	const char *pa = *a, *pb = *b;
	size_t la, lb;
	int c;

	while (*pa == '0')
		pa++;
	while (*pb == '0')
		pb++;
	for (la = 0; gw_is_digit(pa[la]); la++)
		;
	for (lb = 0; gw_is_digit(pb[lb]); lb++)
		;
	*a = pa + la;
	*b = pb + lb;
	if (la != lb)
		return la < lb ? -1 : 1;
	c = memcmp(pa, pb, la);
	return c < 0 ? -1 : c > 0;
}

int gw_version_cmp(const char *a, const char *b)
{
	size_t i;
	int c;

	if (!a)
		a = "";
	if (!b)
		b = "";
	/* Two numbers of one length without leading zeros (the timestamps
	 * most folders use) are in the order of their bytes: a third of the
	 * walk below, for the sorts and the history's matching. */
	if (*a >= '1' && *a <= '9' && *b >= '1' && *b <= '9') {
		for (i = 0; gw_is_digit(a[i]) && gw_is_digit(b[i]); i++)
			;
		if (!a[i] && !b[i]) {
			c = memcmp(a, b, i);
			return c < 0 ? -1 : c > 0;
		}
	}
	while (*a && *b) {
		if (gw_is_digit(*a) && gw_is_digit(*b)) {
			if ((c = cmp_number(&a, &b)) != 0)
				return c;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	if (*a == *b)
		return 0;
	return *a ? 1 : -1;
}
