/*
 * settings.h: the library's side of settings.def, for the code that gives
 * an option left at 0 its default, and keeps a project's settings.
 */
#ifndef GW_SETTINGS_H
#define GW_SETTINGS_H

#include <stddef.h>

#include "godwit/project.h"

/* The default of the int option at offset `field` of gw_project_options,
 * parsed from settings.def's text ("5s": 5000), so godwit.conf and an
 * embedder get the same one; 0 when the setting has no default. */
int gw_settings__default(size_t field);
#define GW_SETTING_DEFAULT(field) gw_settings__default(offsetof(gw_project_options, field))

/* Copies the fields settings.def names from src into dst (the others are
 * zeroed): strings duplicated, and settings.def's default put in a limit
 * left at 0, so dst->timeouts.lock_ms is 5000 or what was asked, and
 * GW_OPTION_OFF stays for the code that reads it to honour. -1 when out of
 * memory (dispose dst all the same). */
int gw_settings__copy(gw_project_options *dst, const gw_project_options *src);
void gw_settings__dispose(gw_project_options *o);

/* notify.c: the checks of notify (a list of URLs it can send to) and
 * notify_on (failure, success, start, all); 0 or -1. */
int gw_notify__check_urls(const char *value);
int gw_notify__check_on(const char *value);

#endif
