/*
 * godwit/common.h: export macros and the version of the library.
 *
 * Every public header includes this one first.
 */
#ifndef GODWIT_COMMON_H
#define GODWIT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) && __GNUC__ >= 4
#define GW_EXTERN(type) __attribute__((visibility("default"))) type
#else
#define GW_EXTERN(type) type
#endif

#if defined(__GNUC__)
#define GW_FORMAT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define GW_FORMAT_PRINTF(a, b)
#endif

#define GODWIT_VERSION       "0.1.0"
#define GODWIT_VERSION_MAJOR 0
#define GODWIT_VERSION_MINOR 1
#define GODWIT_VERSION_PATCH 0

/* The version of the library actually linked, which may differ from the
 * header a program was compiled with. */
GW_EXTERN(const char *) gw_library_version(void);

/* One line per component: "driver postgres: libpq 15.18", "driver sqlite:
 * SQLite 3.40.1", "parser: libpg_query 15-4.0.0". */
GW_EXTERN(const char *) gw_version_details(void);

#endif
