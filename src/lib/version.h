/*
 * version.h: ordering of migration versions.
 *
 * Versions compare as a natural sort: runs of digits compare as numbers
 * (leading zeros ignored, so "0006" equals "6" and Flyway's "1.10" is after
 * "1.9"), everything else bytewise.
 */
#ifndef GW_LIB_VERSION_H
#define GW_LIB_VERSION_H

int gw_version_cmp(const char *a, const char *b);

#endif
