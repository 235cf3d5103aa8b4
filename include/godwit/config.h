/*
 * godwit/config.h: where a project's settings come from.
 *
 * gw_config_load merges, highest precedence first: the process environment
 * (GODWIT_*), the .env and .env.local files in the project directory
 * (.env.local's values win, as in Next.js; env_file replaces both; like
 * dbmate's, they never override the real environment), the project file
 * godwit.conf (INI: top-level keys for every environment, [env.NAME]
 * sections for one), and built-in defaults. Command-line flags sit above
 * all of these: a program gives them to the load (gw_config_options'
 * settings), or applies them with gw_config_set after it.
 * The url is the exception: GODWIT_URL, then a url in the selected
 * [env.NAME] section, then POSTGRES_URL_NON_POOLING, DATABASE_URL_UNPOOLED,
 * DIRECT_URL, DATABASE_URL and POSTGRES_URL (direct connections before
 * pooled ones), then a top-level url.
 *
 * In a protected environment, or when CI is set, a missing url is an
 * error when the project connects (gw_project_options.url_required).
 *
 * Every value remembers where it came from ("godwit.conf:12", "env
 * DATABASE_URL", ".env:3", "--url", "default"), so a program can explain its
 * settings without printing them: the url may hold a password, and nothing
 * here copies it anywhere but the url value itself.
 */
#ifndef GODWIT_CONFIG_H
#define GODWIT_CONFIG_H

#include "common.h"
#include "errors.h"
#include "project.h"

typedef struct gw_config gw_config;

/* A setting a program gives, as gw_config_set takes it. */
typedef struct {
	const char *key;    /* "dir" */
	const char *value;  /* "migrations" */
	const char *source; /* "--dir"; NULL = "set" */
} gw_config_setting;

typedef struct {
	unsigned int version;
	/* The project file. NULL = "godwit.conf" in project_dir, which may be
	 * absent; a file named here must exist. */
	const char *file;
	/* NULL = GODWIT_ENV, VERCEL_ENV, else "development". */
	const char *environment;
	/* Where godwit.conf, .env and .env.local are looked for; NULL = ".". */
	const char *project_dir;
	/* Since version 2: a dotenv file read instead of .env and .env.local;
	 * it must exist. NULL = those two. */
	const char *env_file;
	/* Since version 3: settings over every other source, applied as
	 * gw_config_set would apply them after the load, but before another
	 * tool's migrations folder is looked for: with a dir among them, none
	 * is (reading those tools' files and listing a migrations/ folder
	 * cost a status of 1,000 migrations 3 % of its time). A bad value
	 * fails the load with GW_EINVALID and gw_config_set's message. */
	const gw_config_setting *settings;
	size_t nsettings;
} gw_config_options;

#define GW_CONFIG_OPTIONS_VERSION 3
/* Designated, so that -Wextra's -Wmissing-field-initializers stays quiet. */
#define GW_CONFIG_OPTIONS_INIT                                                                     \
	{                                                                                          \
		.version = GW_CONFIG_OPTIONS_VERSION                                               \
	}

/* Reads the environment, .env and the project file. Errors are GW_ECONFIG
 * (an unknown key or section, a bad value, an undefined ${VAR}: the message
 * starts with "FILE:LINE: " and the error's location is set) or GW_EIO. */
GW_EXTERN(int)
gw_config_load(gw_config **out, const gw_config_options *opts, gw_ctx *ctx);
GW_EXTERN(void) gw_config_free(gw_config *cfg);

/* The keys godwit.conf accepts, NULL-terminated, in the order `godwit
 * config` shows them: url, dir, source_format, schema, table, ... */
GW_EXTERN(const char *const *) gw_config_keys(void);

/* A setting a command line may set, from the library's one list of
 * settings, so a program's flags, names and help follow it. */
typedef struct {
	const char *key;  /* "lock_timeout" */
	const char *flag; /* "lock-timeout", without the "--" */
	const char *arg;  /* the value's placeholder ("DURATION"); NULL: a
	                   * flag without value that sets the key to "true" */
	const char *help; /* one line */
} gw_config_flag;

/* The settings that have a command-line flag, in the order of
 * gw_config_keys, ended by an entry with a NULL key. */
GW_EXTERN(const gw_config_flag *) gw_config_flags(void);

/* The effective value of a key, or NULL when it is unset and the library's
 * own default applies. "environment" is accepted as a read-only key. */
GW_EXTERN(const char *) gw_config_get(const gw_config *cfg, const char *key);
/* Where the effective value came from: "godwit.conf:12", "env DATABASE_URL",
 * ".env:3", the source given to gw_config_set, or "default"; for a dir
 * found from another tool's files (no dir given, no db/migrations),
 * "found: Prisma's prisma/migrations/" and the like. NULL for an unknown
 * key. */
GW_EXTERN(const char *) gw_config_source(const gw_config *cfg, const char *key);
/* The effective value safe to print (any password in a URL masked), or
 * NULL when unset (or, for a key gw_config_get finds set, when out of
 * memory); free() it. */
GW_EXTERN(char *) gw_config_display(const gw_config *cfg, const char *key);
GW_EXTERN(const char *) gw_config_environment(const gw_config *cfg);
/* Whether the environment is protected: the `protected` key, else true for
 * "production" only. */
GW_EXTERN(int) gw_config_protected(const gw_config *cfg);
/* Whether commands that change the database ask for the typed
 * confirmation (or --yes): the `confirm` key, else gw_config_protected. */
GW_EXTERN(int) gw_config_confirm(const gw_config *cfg);

/* Overrides a key (a command-line flag, say) after checking the value the
 * way the project file's is checked; source is recorded as given ("--url").
 * GW_EINVALID for an unknown key or a bad value. */
GW_EXTERN(int)
gw_config_set(gw_config *cfg, const char *key, const char *value, const char *source, gw_ctx *ctx);

/* Fills every field a setting has (each value parsed once, from the one
 * list of settings: 0 where the setting is unset, GW_OPTION_OFF where a
 * limit is 0), and project_dir, environment, url_required,
 * seeds_allowed, and (version 3) config for the settings without a
 * field; application_name is left alone. The strings point into cfg: keep
 * cfg alive while opts is in use (gw_project_open copies what it keeps). */
GW_EXTERN(int)
gw_config_project_options(gw_project_options *opts, const gw_config *cfg, gw_ctx *ctx);

#endif
