/*
 * conventions.h: what conventions.def makes of its list: a declaration of
 * each convention's table, and GW_CONV(id), the gw_format value of each
 * (its place in the list). A convention the public enum does not name
 * sets its table's .format to its GW_CONV(id); format.c checks that the
 * ones it names keep their values. Only format.c and such a convention
 * include this, so the list may grow without the rest of the library
 * being built again.
 */
#ifndef GW_LIB_SOURCE_CONVENTIONS_H
#define GW_LIB_SOURCE_CONVENTIONS_H

#include "priv.h"

/* The list to read. A build may name another list that includes this one
 * and adds entries (tests/unit/convention/ adds a made-up convention). */
#ifndef GW_CONVENTIONS_DEF
#define GW_CONVENTIONS_DEF "lib/source/conventions.def"
#endif

#define GW_CONVENTION(id) extern const gw_convention gw_convention_##id;
#include GW_CONVENTIONS_DEF
#undef GW_CONVENTION

enum {
	GW_CONV_ID_NONE = 0, /* GW_FORMAT_AUTO */
#define GW_CONVENTION(id) GW_CONV_ID_##id,
#include GW_CONVENTIONS_DEF
#undef GW_CONVENTION
	GW_CONV_END /* one more than the last convention's value */
};

/* The gw_format value of the convention of src/lib/source/<id>.c. */
#define GW_CONV(id) ((gw_format)GW_CONV_ID_##id)

#endif
