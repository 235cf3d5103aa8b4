/*
 * registry.c: the drivers compiled into libgodwit, found by URL scheme.
 *
 * The library picks a driver once, from the URL the configuration gives,
 * and talks to it only through struct gw_driver afterwards.
 */
#include "registry.h"

#include <stdio.h>
#include <string.h>

#include <pg_config.h>

#include "drivers/pq.h"
#include "drivers/sq.h"

#include "util/url.h"

static const gw_driver *const drivers[] = {&gw_driver_postgres, &gw_driver_sqlite, NULL};

const gw_driver *const *gw_drivers(void)
{
	return drivers;
}

static int has_scheme(const gw_driver *driver, const char *scheme)
{
	const char *const *s;

	for (s = driver->schemes; *s; s++)
		if (strcmp(*s, scheme) == 0)
			return 1;
	return 0;
}

const gw_driver *gw_driver_for_url(const char *url)
{
	char scheme[32];
	size_t i;

	if (!url)
		return NULL;
	/* libpq's key/value strings ("host=h dbname=d") have no scheme. */
	if (gw_url_scheme(scheme, sizeof(scheme), url) < 0)
		return gw_url_is_conninfo(url) ? &gw_driver_postgres : NULL;
	for (i = 0; drivers[i]; i++)
		if (has_scheme(drivers[i], scheme))
			return drivers[i];
	return NULL;
}

/* PQlibVersion() is 150018 for 15.18 (gw_pq_load refuses a libpq older
 * than 14). libpq is only loaded for a connection, so before one the
 * version is that of the headers godwit was built with. */
static void format_libpq_version(char *buf, size_t bufsize)
{
	int v;

	if (!gw_pq_loaded()) {
		snprintf(buf, bufsize, "libpq %s (%s, loaded on first use)", PG_MAJORVERSION,
		         GW_LIBPQ_NAME);
		return;
	}
	v = PQlibVersion();
	snprintf(buf, bufsize, "libpq %d.%d", v / 10000, v % 10000);
}

/* Likewise SQLite: before it is loaded, the headers' version. */
static void format_sqlite_version(char *buf, size_t bufsize)
{
#ifdef GW_SQLITE_SONAME
	if (!gw_sq_loaded()) {
		snprintf(buf, bufsize, "SQLite %s (%s, loaded on first use)", SQLITE_VERSION,
		         GW_SQLITE_SONAME);
		return;
	}
#endif
	snprintf(buf, bufsize, "SQLite %s", sqlite3_libversion());
}

const char *gw_driver_client_version(const gw_driver *driver, char *buf, size_t bufsize)
{
	if (!buf || bufsize == 0)
		return "";
	buf[0] = '\0';
	if (driver == &gw_driver_postgres)
		format_libpq_version(buf, bufsize);
	else if (driver == &gw_driver_sqlite)
		format_sqlite_version(buf, bufsize);
	return buf;
}
