/*
 * settings.h: the library's side of settings.def: the K_ index of each
 * setting, its table entry (settings.c), and struct gw_settings, the one
 * typed copy of a project's settings (p->opts), parsed once.
 */
#ifndef GW_SETTINGS_H
#define GW_SETTINGS_H

#include <stddef.h>

#include "godwit/config.h"
#include "godwit/project.h"
#include "../util/vec.h"

/* One constant per line of settings.def, in its order: K_lock_timeout. */
enum {
#define SETTING(name, env, def, type, field, rule, flag, arg, help) K_##name,
#include "settings.def"
#undef SETTING
	K_COUNT
};

/* The C type of each settings.def type. */
typedef char *gw_setting_string;
typedef char *gw_setting_secret;
typedef char *gw_setting_urls;
typedef char *gw_setting_events;
typedef char *gw_setting_dialect;
typedef char *gw_setting_level;
typedef char *gw_setting_phmode;
typedef gw_format gw_setting_format;
typedef int gw_setting_seconds;
typedef int gw_setting_duration;
typedef int gw_setting_count;
typedef int gw_setting_number;
typedef int gw_setting_bool;
typedef int gw_setting_lock;
typedef gw_preflight_mode gw_setting_preflight;
/* after_up and on_check_failure (settings.c's lists are in this order). */
typedef int gw_setting_afterup;
typedef int gw_setting_checkfail;
enum { GW_AFTER_UP_NONE = 0, GW_AFTER_UP_HEALTH };
enum { GW_ON_CHECK_FAILURE_FAIL = 0, GW_ON_CHECK_FAILURE_ROLLBACK, GW_ON_CHECK_FAILURE_WARN };

/* A project's settings, one field per line of settings.def, named by its
 * key and resolved as settings.def says (strings owned). */
typedef struct gw_settings {
#define SETTING(name, env, def, type, field, rule, flag, arg, help) gw_setting_##type name;
#include "settings.def"
#undef SETTING
} gw_settings;

/* One line of settings.def. */
typedef struct {
	const char *name;
	const char *env;
	const char *def; /* NULL: no default */
	int (*check)(const char *value);
	const char *rule; /* what check wants, for the error message; NULL: the type's */
	const char *flag; /* the command-line option, or NULL */
	const char *arg;
	const char *help;
	size_t field;  /* offset in gw_project_options, or GW_NO_FIELD */
	size_t member; /* offset in gw_settings */
	/* Parses a checked value (NULL: unset) into the public field's
	 * encoding: 0 unset, GW_OPTION_OFF for a limit of 0. */
	int (*to)(void *field, const char *value);
	int kind; /* GW_SETTING_STRING, _LIMIT or _VALUE */
} gw_setting_def;

#define GW_NO_FIELD ((size_t)-1)

/* A field is a string (copied), a limit (an int whose 0 asks for the
 * default), or an int or enum taken as it is. */
enum { GW_SETTING_STRING, GW_SETTING_LIMIT, GW_SETTING_VALUE };

extern const gw_setting_def gw_settings__defs[K_COUNT];

/* What the setting's value must be, for messages ("one of auto, ..."). */
const char *gw_settings__rule(const gw_setting_def *def);
/* "url, dir, ...": the keys, for "unknown key" messages. */
const char *gw_settings__key_list(void);
/* The index of the setting named key, or -1. */
int gw_settings__index(const char *key);
/* Whether setting k is a secret: never shown, never in godwit.conf. */
int gw_settings__is_secret(int k);

/* The settings of a project opened with o: each from its gw_project_options
 * field, or, for those without one, from o->config's text (NULL: unset),
 * resolved as settings.def says. -1 when out of memory, or GW_ECONFIG (set
 * on ctx) for a bad value in the config; dispose dst all the same. */
int gw_settings__from_options(gw_settings *dst, const gw_project_options *o,
                              const gw_config *config, gw_ctx *ctx);
/* A deep copy (strings duplicated); -1 when out of memory. */
int gw_settings__copy(gw_settings *dst, const gw_settings *src);
void gw_settings__dispose(gw_settings *s);

/* The resolved default of an int setting (K_lock_lease: 60000). */
int gw_settings__default(int k);
#define GW_SETTING_DEFAULT(name) gw_settings__default(K_##name)

/* notify.c: the checks of notify (a list of URLs it can send to) and
 * notify_on (failure, success, start, all); 0 or -1. */
int gw_notify__check_urls(const char *value);
int gw_notify__check_on(const char *value);

/* placeholder.c's lists of values (gw_placeholder *), for config.c and
 * project.c. */
typedef struct gw_placeholder {
	char *name;
	char *value; /* NULL: its definition names a variable that is not set */
	char *why;   /* then where: "godwit.conf:12" */
} gw_placeholder;

int gw_placeholders__add(gw_vec *list, const char *name, const char *value, const char *why);
int gw_placeholders__copy(gw_vec *dst, const gw_vec *src);
void gw_placeholders__dispose(gw_vec *list);
/* config.c: godwit.conf's [placeholders] (expanded), and the variables of
 * the .env files read, as such lists. */
const gw_vec *gw_config__placeholders(const gw_config *cfg);
const gw_vec *gw_config__dotenv(const gw_config *cfg);

#endif
