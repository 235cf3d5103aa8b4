/*
 * json.h: jansson, read and written so that running out of memory is
 * never taken for something else (see json.c).
 */
#ifndef GW_LIB_JSON_H
#define GW_LIB_JSON_H

#include <jansson.h>

#include "../util/str.h"

/* Appends j's text to out: 0, or -1 when any write failed (out is then
 * failed too). */
int gw_json__dump(gw_str *out, const json_t *j, size_t flags);

/* j's text (free() it), or NULL when out of memory. */
char *gw_json__dumps(const json_t *j, size_t flags);

/* Parses text: 0 with *out set, 1 when it is not JSON (je says where
 * and why), -1 when out of memory. */
int gw_json__load(json_t **out, const char *text, size_t len, json_error_t *je);

#endif
