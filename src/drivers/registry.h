/*
 * registry.h: the drivers compiled in, found by URL scheme.
 */
#ifndef GW_DRIVERS_REGISTRY_H
#define GW_DRIVERS_REGISTRY_H

#include "godwit/sys/driver.h"

extern const gw_driver gw_driver_postgres;
extern const gw_driver gw_driver_sqlite;

/* The driver whose schemes include the URL's; NULL when none does. */
const gw_driver *gw_driver_for_url(const char *url);

/* The drivers, NULL-terminated, for `godwit version`. */
const gw_driver *const *gw_drivers(void);

/* "libpq 15.18", "SQLite 3.40.1": the client library versions. */
const char *gw_driver_client_version(const gw_driver *driver, char *buf, size_t bufsize);

#endif
