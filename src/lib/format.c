/*
 * format.c: the registry of migration folder conventions.
 *
 * Each convention is one file of src/lib/source/ exporting a gw_convention
 * table, listed in source/conventions.def; the registry made from that
 * list is the one place that knows them all, for --source-format, the
 * config file, messages, and the loader's look-ups by gw_format. Adding a
 * convention is its file plus one line of conventions.def.
 */
#include "godwit/project.h"

#include <stddef.h>
#include <strings.h>

#include "source/conventions.h"

/* The list's order is the gw_format order: the first name a format has is
 * its canonical one. */
static const gw_convention *const conventions[] = {
#define GW_CONVENTION(id) &gw_convention_##id,
#include GW_CONVENTIONS_DEF
#undef GW_CONVENTION
        NULL,
};

/* The values of the public enum stay what they were for embedders. */
_Static_assert(GW_CONV(native) == GW_FORMAT_NATIVE && GW_CONV(golang) == GW_FORMAT_GOLANG &&
                       GW_CONV(pairs) == GW_FORMAT_PAIRS && GW_CONV(dated) == GW_FORMAT_DATED &&
                       GW_CONV(flyway) == GW_FORMAT_FLYWAY && GW_CONV(goose) == GW_FORMAT_GOOSE &&
                       GW_CONV(diesel) == GW_FORMAT_DIESEL && GW_CONV(prisma) == GW_FORMAT_PRISMA &&
                       GW_CONV(drizzle) == GW_FORMAT_DRIZZLE && GW_CONV(multi) == GW_FORMAT_MULTI &&
                       GW_CONV(sqitch) == GW_FORMAT_SQITCH,
               "conventions.def keeps the public gw_format values");
/* A convention the enum does not name is a gw_format value past its last. */
_Static_assert(sizeof(gw_format) == sizeof(int), "gw_format holds any convention's value");

#define NCONVENTIONS (sizeof(conventions) / sizeof(conventions[0]) - 1)

const gw_convention *const *gw_conventions(void)
{
	return conventions;
}

/* The loader keeps arrays indexed by gw_format, whose values run from 1
 * in the registry's order. */
_Static_assert(GW_CONV_END <= GW_SOURCE_NFORMATS, "raise GW_SOURCE_NFORMATS");

const gw_convention *gw_convention_of(gw_format format)
{
	size_t i;

	for (i = 0; i < NCONVENTIONS; i++)
		if (conventions[i]->format == format)
			return conventions[i];
	return &gw_convention_native;
}

const char *gw_format_name(gw_format format)
{
	size_t i;

	if (format == GW_FORMAT_AUTO)
		return "auto";
	for (i = 0; i < NCONVENTIONS; i++)
		if (conventions[i]->format == format)
			return conventions[i]->name;
	return NULL;
}

int gw_format_parse(gw_format *out, const char *name)
{
	const char *const *alias;
	size_t i;

	if (!name)
		return -1;
	if (!strcasecmp(name, "auto")) {
		*out = GW_FORMAT_AUTO;
		return 0;
	}
	for (i = 0; i < NCONVENTIONS; i++) {
		if (!strcasecmp(conventions[i]->name, name)) {
			*out = conventions[i]->format;
			return 0;
		}
		for (alias = conventions[i]->aliases; alias && *alias; alias++) {
			if (!strcasecmp(*alias, name)) {
				*out = conventions[i]->format;
				return 0;
			}
		}
	}
	return -1;
}
