/*
 * format.c: names of the migration folder conventions, for --format, the
 * config file and messages.
 */
#include "godwit/project.h"

#include <stddef.h>
#include <strings.h>

static const struct {
	const char *name;
	gw_format format;
} format_names[] = {
        /* The canonical name of each convention comes first. */
        {"auto", GW_FORMAT_AUTO},
        {"native", GW_FORMAT_NATIVE},
        {"golang-migrate", GW_FORMAT_GOLANG},
        {"pairs", GW_FORMAT_PAIRS},
        {"dated", GW_FORMAT_DATED},
        {"flyway", GW_FORMAT_FLYWAY},
        {"goose", GW_FORMAT_GOOSE},
        {"diesel", GW_FORMAT_DIESEL},
        {"prisma", GW_FORMAT_PRISMA},
        {"drizzle", GW_FORMAT_DRIZZLE},
        {"multi-dialect", GW_FORMAT_MULTI},
        {"sqitch", GW_FORMAT_SQITCH},
        {"drizzle-kit", GW_FORMAT_DRIZZLE},
        {"dbmate", GW_FORMAT_NATIVE},
        {"golang", GW_FORMAT_GOLANG},
        {"migrate", GW_FORMAT_GOLANG},
        {"rollback-pairs", GW_FORMAT_PAIRS},
};

#define NFORMAT_NAMES (sizeof(format_names) / sizeof(format_names[0]))

const char *gw_format_name(gw_format format)
{
	size_t i;

	for (i = 0; i < NFORMAT_NAMES; i++)
		if (format_names[i].format == format)
			return format_names[i].name;
	return NULL;
}

int gw_format_parse(gw_format *out, const char *name)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < NFORMAT_NAMES; i++) {
		if (!strcasecmp(format_names[i].name, name)) {
			*out = format_names[i].format;
			return 0;
		}
	}
	return -1;
}
