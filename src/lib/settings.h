/*
 * settings.h: the library's side of settings.def, for the code that gives
 * an option left at 0 its default.
 */
#ifndef GW_SETTINGS_H
#define GW_SETTINGS_H

#include <stddef.h>

/* The default of the int option at offset `field` of gw_project_options,
 * parsed from settings.def's text ("5s": 5000), so godwit.conf and an
 * embedder get the same one; 0 when the setting has no default. */
int gw_settings__default(size_t field);
#define GW_SETTING_DEFAULT(field) gw_settings__default(offsetof(gw_project_options, field))

#endif
