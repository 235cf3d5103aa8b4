/*
 * pgcopy.h: a row of PostgreSQL's COPY ... TO STDOUT text format taken
 * apart in place, for the driver's exec_copy (postgres.c).
 */
#ifndef GW_DRIVERS_PGCOPY_H
#define GW_DRIVERS_PGCOPY_H

#include <stddef.h>

/* Splits row (len bytes, its final newline included) into ncols values
 * in place: tabs end fields, \N alone is SQL NULL (a NULL value), and the
 * format's backslash sequences are undone. Returns 0, or -1 when the row
 * does not have ncols fields. */
int gw_pgcopy_split(char *row, size_t len, const char **values, int ncols);

#endif
