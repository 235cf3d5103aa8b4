/*
 * settings.c: settings.def made into a table, with the check and the parser
 * of each type of value, and a project's typed settings (struct
 * gw_settings) resolved from its options once.
 *
 * config.c merges the settings' text from their sources with this table;
 * project.c keeps the result of gw_settings__from_options as p->opts.
 */
#include "settings.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "../util/error.h"
#include "../util/str.h"

#define kind_string    GW_SETTING_STRING
#define kind_secret    GW_SETTING_STRING
#define kind_urls      GW_SETTING_STRING
#define kind_events    GW_SETTING_STRING
#define kind_dialect   GW_SETTING_STRING
#define kind_level     GW_SETTING_STRING
#define kind_phmode    GW_SETTING_STRING
#define kind_seconds   GW_SETTING_LIMIT
#define kind_duration  GW_SETTING_LIMIT
#define kind_count     GW_SETTING_LIMIT
#define kind_number    GW_SETTING_LIMIT
#define kind_format    GW_SETTING_VALUE
#define kind_bool      GW_SETTING_VALUE
#define kind_lock      GW_SETTING_VALUE
#define kind_preflight GW_SETTING_VALUE
#define kind_afterup   GW_SETTING_VALUE
#define kind_checkfail GW_SETTING_VALUE
_Static_assert(sizeof(gw_format) == sizeof(int) && sizeof(gw_preflight_mode) == sizeof(int),
               "enum fields are copied as ints");

static int check_format(const char *value);
static int check_seconds(const char *value);
static int check_duration(const char *value);
static int check_count(const char *value);
static int check_bool(const char *value);
static int check_lock(const char *value);
static int check_preflight(const char *value);
static int check_afterup(const char *value);
static int check_checkfail(const char *value);
static int check_number(const char *value);
static int check_dialect(const char *value);
static int check_level(const char *value);
static int check_phmode(const char *value);
/* Values of these types are taken as they are. */
#define check_string NULL
#define check_secret NULL
#define check_urls   gw_notify__check_urls
#define check_events gw_notify__check_on
static int to_string(void *field, const char *value);
static int to_secret(void *field, const char *value);
static int to_format(void *field, const char *value);
static int to_seconds(void *field, const char *value);
static int to_duration(void *field, const char *value);
static int to_count(void *field, const char *value);
static int to_bool(void *field, const char *value);
static int to_lock(void *field, const char *value);
static int to_preflight(void *field, const char *value);
static int to_afterup(void *field, const char *value);
static int to_checkfail(void *field, const char *value);
#define to_number  to_count
#define to_dialect to_string
#define to_level   to_string
#define to_phmode  to_string
#define to_urls    to_string
#define to_events  to_string

/* The gw_project_options field an embedder sets a setting with. */
#define OPT(field) offsetof(gw_project_options, field)
#define NOOPT      GW_NO_FIELD

const gw_setting_def gw_settings__defs[K_COUNT] = {
#define SETTING(name, env, def, type, field, rule, flag, arg, help)                                \
	{#name,     env,        def,  check_##type, rule,                                          \
	 flag,      arg,        help, field,        offsetof(gw_settings, name),                   \
	 to_##type, kind_##type},
#include "settings.def"
#undef SETTING
};
#define keys gw_settings__defs

/* The conventions are listed from their one table (format.c), so a new
 * one is never left out. */
const char *gw_settings__rule(const gw_setting_def *def)
{
	static char formats[512];
	size_t n;
	int f;

	if (def->rule)
		return def->rule;
	if (!formats[0]) {
		n = (size_t)snprintf(formats, sizeof(formats), "one of");
		for (f = GW_FORMAT_AUTO; gw_format_name((gw_format)f) && n < sizeof(formats); f++)
			n += (size_t)snprintf(formats + n, sizeof(formats) - n, "%s %s",
			                      f == GW_FORMAT_AUTO ? "" : ",",
			                      gw_format_name((gw_format)f));
	}
	return formats;
}

const char *gw_settings__key_list(void)
{
	static char list[1024];
	size_t k, n = 0;

	if (list[0])
		return list;
	for (k = 0; k < K_COUNT && n < sizeof(list); k++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", k ? ", " : "",
		                      keys[k].name);
	return list;
}

static int check_format(const char *value)
{
	gw_format format;

	return gw_format_parse(&format, value) < 0 ? -1 : 0;
}

/* Seconds are turned into milliseconds in an int, hence the bound. */
static int check_seconds(const char *value)
{
	long n = 0;
	const char *p;

	if (!*value)
		return -1;
	for (p = value; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (*p - '0');
		if (n > INT_MAX / 1000)
			return -1;
	}
	return 0;
}

/* "500ms", "5s", "2min", or a bare number of seconds, into milliseconds
 * that fit an int. */
static int parse_duration_ms(const char *value, long *ms)
{
	static const struct {
		const char *unit;
		long factor;
	} units[] = {{"ms", 1}, {"s", 1000}, {"", 1000}, {"min", 60000}};
	char *end;
	long n;
	size_t i;

	if (*value < '0' || *value > '9')
		return -1;
	n = strtol(value, &end, 10);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (n > INT_MAX / units[i].factor)
			return -1;
		*ms = n * units[i].factor;
		return 0;
	}
	return -1;
}

static int check_duration(const char *value)
{
	long ms;

	return parse_duration_ms(value, &ms);
}

static int check_lock(const char *value)
{
	return strcmp(value, "advisory") && strcmp(value, "table") ? -1 : 0;
}

static int check_dialect(const char *value)
{
	/* The SQL's dialect, or an engine that speaks PostgreSQL's. */
	return strcmp(value, "sqlite") && !gw_engine_named(value) ? -1 : 0;
}

static int check_level(const char *value)
{
	return strcmp(value, "error") && strcmp(value, "warning") && strcmp(value, "off") ? -1 : 0;
}

static int check_phmode(const char *value)
{
	return strcmp(value, "flyway") && strcmp(value, "psql") && strcmp(value, "off") ? -1 : 0;
}

static int check_bool(const char *value)
{
	return strcmp(value, "true") && strcmp(value, "false") ? -1 : 0;
}

static const char *const preflight_modes[] = {"abort", "wait", "warn", "off", NULL};

static int check_preflight(const char *value)
{
	size_t i;

	for (i = 0; preflight_modes[i]; i++)
		if (!strcmp(value, preflight_modes[i]))
			return 0;
	return -1;
}

/* A value of a list, as its index; -1 when it is none of them. */
static int choice(const char *const *list, const char *value)
{
	int i;

	for (i = 0; value && list[i]; i++)
		if (!strcmp(value, list[i]))
			return i;
	return -1;
}

/* In the order of GW_AFTER_UP_* and GW_ON_CHECK_FAILURE_* (settings.h). */
static const char *const afterup_values[] = {"none", "health", NULL};
static const char *const checkfail_values[] = {"fail", "rollback", "warn", NULL};

static int check_afterup(const char *value)
{
	return choice(afterup_values, value) < 0 ? -1 : 0;
}

static int check_checkfail(const char *value)
{
	return choice(checkfail_values, value) < 0 ? -1 : 0;
}

static int to_afterup(void *field, const char *value)
{
	*(int *)field = value ? choice(afterup_values, value) : 0;
	return *(int *)field < 0 ? -1 : 0;
}

static int to_checkfail(void *field, const char *value)
{
	*(int *)field = value ? choice(checkfail_values, value) : 0;
	return *(int *)field < 0 ? -1 : 0;
}

static int check_number(const char *value)
{
	char *end;
	long n;

	if (*value < '0' || *value > '9')
		return -1;
	n = strtol(value, &end, 10);
	return *end || n > 1000000 ? -1 : 0;
}

static int check_count(const char *value)
{
	char *end;
	long n;

	if (*value < '0' || *value > '9')
		return -1;
	n = strtol(value, &end, 10);
	return *end || n > 100 ? -1 : 0;
}

/* ---- typed values ---------------------------------------------------------- */

/* Each setting's text, checked already, into its gw_project_options field.
 * Unset is 0 (the library's default), and a limit of 0 is GW_OPTION_OFF. */
static int to_string(void *field, const char *value)
{
	*(const char **)field = value;
	return 0;
}

/* A string that is never shown (gw_config_display) and never written in
 * godwit.conf: its own function, so a key's type can be told from it. */
static int to_secret(void *field, const char *value)
{
	return to_string(field, value);
}

int gw_settings__is_secret(int k)
{
	return keys[k].to == to_secret;
}

static int to_format(void *field, const char *value)
{
	gw_format format = GW_FORMAT_AUTO;

	if (value && gw_format_parse(&format, value) < 0)
		return -1;
	*(gw_format *)field = format;
	return 0;
}

static int to_seconds(void *field, const char *value)
{
	long n = value ? strtol(value, NULL, 10) : 0;

	*(int *)field = !value ? 0 : n ? (int)(n * 1000) : GW_OPTION_OFF;
	return 0;
}

static int to_duration(void *field, const char *value)
{
	long ms = 0;

	if (value && parse_duration_ms(value, &ms) < 0)
		return -1;
	*(int *)field = !value ? 0 : ms ? (int)ms : GW_OPTION_OFF;
	return 0;
}

static int to_count(void *field, const char *value)
{
	long n = value ? strtol(value, NULL, 10) : 0;

	*(int *)field = !value ? 0 : n ? (int)n : GW_OPTION_OFF;
	return 0;
}

static int to_bool(void *field, const char *value)
{
	*(int *)field = value && strcmp(value, "true") == 0;
	return 0;
}

static int to_lock(void *field, const char *value)
{
	*(int *)field = value && strcmp(value, "table") == 0;
	return 0;
}

/* The modes are listed in gw_preflight_mode's order. */
static int to_preflight(void *field, const char *value)
{
	int m;

	for (m = 0; value && preflight_modes[m] && strcmp(value, preflight_modes[m]); m++)
		;
	if (value && !preflight_modes[m])
		return -1;
	*(gw_preflight_mode *)field = (gw_preflight_mode)m;
	return 0;
}

/* ---- a project's settings --------------------------------------------------- */

/* Puts the value src holds in the public field's encoding (a string, or an
 * int where 0 asks for the default and a negative value is off) into the
 * setting's field of dst, resolved as settings.def says. */
static int resolve(gw_settings *dst, int k, const void *src)
{
	const gw_setting_def *d = &keys[k];
	char *to = (char *)dst + d->member;
	const char *str;
	int value;

	if (d->kind == GW_SETTING_STRING) {
		memcpy(&str, src, sizeof(str));
		if (!str)
			str = d->def;
		return str && !(*(char **)to = gw_strdup(str)) ? -1 : 0;
	}
	memcpy(&value, src, sizeof(value));
	if (d->kind == GW_SETTING_LIMIT) {
		if (value == 0 && d->def)
			d->to(&value, d->def);
		if (value < 0)
			value = 0;
	}
	memcpy(to, &value, sizeof(value));
	return 0;
}

int gw_settings__from_options(gw_settings *dst, const gw_project_options *o,
                              const gw_config *config, gw_ctx *ctx)
{
	union {
		const char *str;
		int value;
	} parsed;
	const char *text;
	int k;

	memset(dst, 0, sizeof(*dst));
	for (k = 0; k < K_COUNT; k++) {
		const void *src = &parsed;

		memset(&parsed, 0, sizeof(parsed));
		if (keys[k].field != GW_NO_FIELD) {
			src = (const char *)o + keys[k].field;
		} else if (config && (text = gw_config_get(config, keys[k].name)) &&
		           keys[k].to(&parsed, text) < 0) {
			return gw_error_set(ctx, GW_ECONFIG, "%s must be %s, not '%s'",
			                    keys[k].name, gw_settings__rule(&keys[k]), text);
		}
		if (resolve(dst, k, src) < 0)
			return gw_error_oom(ctx);
	}
	return 0;
}

int gw_settings__copy(gw_settings *dst, const gw_settings *src)
{
	int k;

	*dst = *src;
	for (k = 0; k < K_COUNT; k++) {
		char **to = (char **)((char *)dst + keys[k].member);

		if (keys[k].kind == GW_SETTING_STRING)
			*to = NULL;
	}
	for (k = 0; k < K_COUNT; k++) {
		char **to = (char **)((char *)dst + keys[k].member);
		char *const *from = (char *const *)((const char *)src + keys[k].member);

		if (keys[k].kind == GW_SETTING_STRING && *from && !(*to = gw_strdup(*from)))
			return -1;
	}
	return 0;
}

void gw_settings__dispose(gw_settings *s)
{
	int k;

	for (k = 0; k < K_COUNT; k++)
		if (keys[k].kind == GW_SETTING_STRING)
			free(*(char **)((char *)s + keys[k].member));
	memset(s, 0, sizeof(*s));
}

int gw_settings__default(int k)
{
	int value = 0;

	if (keys[k].def)
		keys[k].to(&value, keys[k].def);
	return value;
}

int gw_settings__index(const char *name)
{
	int k;

	for (k = 0; k < K_COUNT; k++)
		if (strcmp(keys[k].name, name) == 0)
			return k;
	return -1;
}

const char *const *gw_config_keys(void)
{
	static const char *names[K_COUNT + 1];
	size_t k;

	for (k = 0; !names[K_COUNT - 1] && k < K_COUNT; k++)
		names[k] = keys[k].name;
	return names;
}

const gw_config_flag *gw_config_flags(void)
{
	static gw_config_flag flags[K_COUNT + 1];
	size_t k, n = 0;

	if (flags[0].key)
		return flags;
	for (k = 0; k < K_COUNT; k++)
		if (keys[k].flag)
			flags[n++] = (gw_config_flag){keys[k].name, keys[k].flag, keys[k].arg,
			                              keys[k].help};
	return flags;
}
