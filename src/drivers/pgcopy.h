/*
 * pgcopy.h: a row of PostgreSQL's COPY ... TO STDOUT, in the text or the
 * binary format, taken apart in place, for the driver's exec_copy and
 * exec_binary (postgres.c).
 */
#ifndef GW_DRIVERS_PGCOPY_H
#define GW_DRIVERS_PGCOPY_H

#include <stddef.h>

/* Splits row (len bytes, its final newline included) into ncols values
 * in place: tabs end fields, \N alone is SQL NULL (a NULL value), and the
 * format's backslash sequences are undone. Returns 0, or -1 when the row
 * does not have ncols fields. */
int gw_pgcopy_split(char *row, size_t len, const char **values, int ncols);

/* The binary format, one message of libpq's (PQgetCopyData: len bytes,
 * and a '\0' after them) at a time: *state is 0 before the first, whose
 * head (signature, flags, extension) is checked and stepped over, and 1
 * after. Each value is left in place, values[i] NULL for SQL NULL, else
 * lengths[i] bytes followed by a '\0' (written over the next field's
 * length once that is read). Returns 0 for a row of ncols values, 1 for
 * the format's end, -1 for anything else: another count of fields, a
 * field past the message's end, bytes after the row, a head that is not
 * the format's or that says rows carry OIDs. */
int gw_pgcopy_binary_split(char *msg, size_t len, int *state, const char **values, int *lengths,
                           int ncols);

#endif
