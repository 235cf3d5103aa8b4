/*
 * diesel.c: diesel's migration folders (see docs/formats.md).
 *
 * Each diesel migration is a folder "<version>_<name>/" holding up.sql,
 * down.sql and, optionally, metadata.toml. This file only recognises the
 * folder names and reads the one metadata.toml setting godwit honours; the
 * files themselves go through source.c like any other whole-file migration.
 */
#include <string.h>

#include "priv.h"
#include "../../util/text.h"

/* Whether n starts with the shape, 'd' standing for a digit. */
static int shaped(const char *n, const char *shape)
{
	size_t i;

	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !gw_is_digit(n[i]) : n[i] != shape[i])
			return 0;
	return 1;
}

size_t gw_source__diesel_name(const char *n)
{
	/* Longest first, so the -0000 suffix is part of the version. */
	static const char *const shapes[] = {"dddd-dd-dd-dddddd-dddd_", "dddd-dd-dd-dddddd_",
	                                     "dddddddddddddd_"};
	size_t i, len;

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		len = strlen(shapes[i]);
		if (strlen(n) > len && shaped(n, shapes[i]))
			return len - 1;
	}
	return 0;
}

/* One "key = value" line; TOML comments and other keys are skipped. */
static int no_tx_line(const char *p, const char *end)
{
	static const char key[] = "run_in_transaction";

	while (p < end && gw_is_blank(*p))
		p++;
	if ((size_t)(end - p) < sizeof(key) - 1 || memcmp(p, key, sizeof(key) - 1))
		return 0;
	p += sizeof(key) - 1;
	while (p < end && gw_is_blank(*p))
		p++;
	if (p == end || *p++ != '=')
		return 0;
	while (p < end && gw_is_blank(*p))
		p++;
	return (size_t)(end - p) >= 5 && !memcmp(p, "false", 5) &&
	       (end - p == 5 || gw_is_blank(p[5]) || p[5] == '#');
}

int gw_source__diesel_no_tx(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (no_tx_line(p, nl ? nl : end))
			return 1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* Diesel's folder name spells a 14-digit timestamp 2024-01-01-120000. */
static void diesel_new(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                       const char *version, const char *name)
{
	size_t n = strlen(version), i;

	(void)up_body;
	(void)down_body;
	for (i = 0; i < n && gw_is_digit(version[i]); i++)
		;
	if (n == 14 && i == 14)
		gw_str_printf(up_name, "%.4s-%.2s-%.2s-%.6s_%s", version, version + 4, version + 6,
		              version + 8, name);
	else
		gw_str_printf(up_name, "%s_%s", version, name);
	gw_str_puts(down_name, up_name->ptr);
	gw_str_puts(up_name, "/up.sql");
	gw_str_puts(down_name, "/down.sql");
}

const gw_convention gw_convention_diesel = {
        .format = GW_FORMAT_DIESEL,
        .name = "diesel",
        .example = "2023-07-05-000058_create_users/up.sql",
        .down_place = gw_source__folder_down_place,
        .new_files = diesel_new,
};
