/*
 * rows.h: row callbacks the driver tests share: one that writes the rows
 * it is given as text to compare, one that stops at the first row.
 */
#ifndef GW_TEST_ROWS_H
#define GW_TEST_ROWS_H

#include "util/str.h"

/* Rows as "a|b;c|NULL;", appended to the gw_str in payload. */
static __attribute__((unused)) int collect(void *payload, int ncols, const char *const *values)
{
	gw_str *out = payload;
	int i;

	for (i = 0; i < ncols; i++) {
		if (i)
			gw_str_putc(out, '|');
		gw_str_puts(out, values[i] ? values[i] : "NULL");
	}
	gw_str_putc(out, ';');
	return 0;
}

/* Counts its calls in the int in payload and stops the rows (42). */
static __attribute__((unused)) int stop_at_first(void *payload, int ncols,
                                                 const char *const *values)
{
	(void)ncols;
	(void)values;
	++*(int *)payload;
	return 42;
}

#endif
