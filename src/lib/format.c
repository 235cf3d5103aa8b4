/*
 * format.c: the registry of migration folder conventions.
 *
 * Each convention is one file of src/lib/source/ exporting a gw_convention
 * table; this list is the one place that names them all, for --format, the
 * config file, messages, and the loader's look-ups by gw_format. Adding a
 * convention is its file plus one entry here (and its gw_format value).
 */
#include "godwit/project.h"

#include <stddef.h>
#include <strings.h>

#include "source/priv.h"

/* Each defined in its file of src/lib/source/. */
extern const gw_convention gw_convention_native;
extern const gw_convention gw_convention_golang;
extern const gw_convention gw_convention_pairs;
extern const gw_convention gw_convention_dated;
extern const gw_convention gw_convention_flyway;
extern const gw_convention gw_convention_goose;
extern const gw_convention gw_convention_diesel;
extern const gw_convention gw_convention_prisma;
extern const gw_convention gw_convention_drizzle;
extern const gw_convention gw_convention_multi;
extern const gw_convention gw_convention_sqitch;

/* In gw_format order: the first name a format has is its canonical one. */
static const gw_convention *const conventions[] = {
        &gw_convention_native,  /* source/native.c */
        &gw_convention_golang,  /* source/golang.c */
        &gw_convention_pairs,   /* source/pairs.c */
        &gw_convention_dated,   /* source/dated.c */
        &gw_convention_flyway,  /* source/flyway.c */
        &gw_convention_goose,   /* source/goose.c */
        &gw_convention_diesel,  /* source/diesel.c */
        &gw_convention_prisma,  /* source/prisma.c */
        &gw_convention_drizzle, /* source/drizzle.c */
        &gw_convention_multi,   /* source/multi.c */
        &gw_convention_sqitch,  /* source/sqitch.c */
        NULL,
};

#define NCONVENTIONS (sizeof(conventions) / sizeof(conventions[0]) - 1)

const gw_convention *const *gw_conventions(void)
{
	return conventions;
}

/* The loader keeps arrays indexed by gw_format, whose values run from 1
 * in the registry's order. */
_Static_assert(NCONVENTIONS < GW_SOURCE_NFORMATS, "raise GW_SOURCE_NFORMATS");

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
