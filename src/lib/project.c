/*
 * project.c: opening a project (its options and URL checked once), and the
 * migration set every command shares, loaded on first use. The connection
 * is made in connection.c, the runner lock taken in lock.c.
 */
#include "internal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../drivers/registry.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/url.h"
#include "settings.h"
#include "../util/text.h"
#include "sql/sql.h"

#define DEFAULT_ENVIRONMENT "development"

const char *gw_library_version(void)
{
	return GODWIT_VERSION;
}

const char *gw_version_details(void)
{
	/* Written into the buffer itself: there is no allocation to fail. */
	static char text[512];
	const gw_driver *const *d;
	char buf[128];
	size_t at = 0;

	if (text[0])
		return text;
	for (d = gw_drivers(); *d && at < sizeof(text); d++)
		at += (size_t)snprintf(text + at, sizeof(text) - at, "driver %s: %s\n", (*d)->name,
		                       gw_driver_client_version(*d, buf, sizeof(buf)));
	if (at < sizeof(text))
		snprintf(text + at, sizeof(text) - at, "parser: %s", gw_sql_parser_version());
	return text;
}

/* The embedded default: a SQLite file per environment in the project's db/
 * folder, so development and test data never mix. */
static char *default_url(const char *project_dir, const char *env)
{
	gw_str s = GW_STR_INIT;

	gw_str_puts(&s, "sqlite:");
	if (project_dir && strcmp(project_dir, "."))
		gw_path_join(&s, project_dir, "");
	gw_str_printf(&s, "db/%s.sqlite3", env);
	return gw_str_detach(&s);
}

static char *join_dir(const char *a, const char *b)
{
	gw_str s = GW_STR_INIT;

	gw_path_join(&s, a, b);
	return gw_str_detach(&s);
}

/* A copy of a URL without the white space around it, which a .env or a
 * CI secret easily adds and no URL holds. */
static char *trimmed(const char *url)
{
	const char *end;

	while (gw_is_space(*url))
		url++;
	end = url + strlen(url);
	while (end > url && gw_is_space(end[-1]))
		end--;
	return gw_strndup(url, (size_t)(end - url));
}

/* The settings in p->opts, where the options left them, resolved once:
 * the url trimmed or the embedded default, and the values whose 0 cannot
 * mean off given their default. */
static int copy_options(gw_project *p, const gw_project_options *o, const gw_config *config)
{
	const char *env = o->environment ? o->environment : DEFAULT_ENVIRONMENT;
	gw_settings *s = &p->opts;
	const char *bd;
	char *url;
	int error;

	if ((error = gw_settings__from_options(s, o, config, p->ctx)) < 0)
		return error;
	url = o->url && *o->url ? trimmed(o->url) : default_url(o->project_dir, env);
	free(s->url);
	s->url = url;
	p->url_given = o->url && *o->url;
	/* A lease cannot be off: a killed runner's must lapse; and backup_keep
	 * = 0 has always kept the default number. */
	if (s->lock_lease <= 0)
		s->lock_lease = GW_SETTING_DEFAULT(lock_lease);
	if (s->backup_keep <= 0)
		s->backup_keep = GW_SETTING_DEFAULT(backup_keep);
	/* Not waiting is a wait of 1 ms: 0 would give SQLite's busy timeout
	 * its own default. */
	if (!s->lock_wait)
		s->lock_wait = 1;
	if (!s->backup_dir)
		s->backup_dir = o->project_dir && strcmp(o->project_dir, ".")
		                        ? join_dir(o->project_dir, "db/backups")
		                        : gw_strdup("db/backups");
	p->environment = gw_strdup(env);
	p->app_name = gw_strdup(o->application_name ? o->application_name : "godwit");
	if (!p->url_given && o->url_required && !(p->url_required = gw_strdup(o->url_required)))
		return -1;
	if (!s->allow_symlinks_outside &&
	    !(p->symlink_root = gw_strdup(o->project_dir ? o->project_dir : ".")))
		return -1;
	p->seeds_allowed = o->seeds_allowed;
	if (gw_placeholders__copy(&p->placeholders, gw_config__placeholders(config)) < 0 ||
	    gw_placeholders__copy(&p->placeholder_env, gw_config__dotenv(config)) < 0)
		return -1;
	/* A protected environment refuses unsafe statements unless its
	 * block setting says otherwise. */
	p->protected = config && gw_config_protected(config);
	p->block = !s->block                      ? (p->protected ? GW_LEVEL_ERROR : GW_LEVEL_OFF)
	           : !strcmp(s->block, "error")   ? GW_LEVEL_ERROR
	           : !strcmp(s->block, "warning") ? GW_LEVEL_WARNING
	                                          : GW_LEVEL_OFF;
	/* Destructive statements (a DROP TABLE is only a warning: it is
	 * what a migration that retires a table should do) are refused
	 * wherever block is on, unless block_destructive says otherwise. */
	bd = config ? gw_config_get(config, "block_destructive") : NULL;
	p->block_destructive = bd ? !strcmp(bd, "true") : p->block != GW_LEVEL_OFF;
	p->project_dir = gw_strdup(o->project_dir ? o->project_dir : ".");
	if (!s->url || !s->backup_dir || !p->environment || !p->app_name || !p->project_dir)
		return -1;
	return 0;
}

int gw_project__check_name(gw_ctx *ctx, const char *what, const char *value)
{
	if (!*value || strlen(value) > 63)
		return gw_error_set(ctx, GW_EINVALID, "%s name '%s' must be 1 to 63 bytes long",
		                    what, value);
	return 0;
}

/* What every project opened checks once its settings are in place, and
 * the driver its URL selects. */
static int finish_open(gw_project *p)
{
	gw_ctx *ctx = p->ctx;
	gw_str masked = GW_STR_INIT;
	int error;

	if ((error = gw_project__check_name(ctx, "history table", p->opts.table)) < 0 ||
	    (error = gw_project__check_name(ctx, "events table", p->opts.events_table)) < 0 ||
	    (p->opts.schema && (error = gw_project__check_name(ctx, "schema", p->opts.schema)) < 0))
		goto cleanup;
	if (gw_url_mask(&masked, p->opts.url) < 0 || !(p->display_url = gw_str_detach(&masked))) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if (*p->opts.url && strchr("\"'`", p->opts.url[0])) {
		error = gw_error_set(ctx, GW_EINVALID, "the database URL %s starts with a quote",
		                     p->display_url);
		gw_error_set_hint(ctx, "a quote is part of the value only when unbalanced: "
		                       "write url = \"postgres://...\" with both quotes, or none");
		goto cleanup;
	}
	if (gw_url_ambiguous_userinfo(p->opts.url)) {
		error = gw_error_set(ctx, GW_EINVALID,
		                     "the database URL %s has more than one '@' before its host",
		                     p->display_url);
		gw_error_set_hint(ctx, "percent-encode an '@' in the user name or password as "
		                       "%%40");
		goto cleanup;
	}
	if (!(p->driver = gw_driver_for_url(p->opts.url))) {
		error = gw_error_set(ctx, GW_EINVALID,
		                     "unsupported database URL %s; use postgres://, "
		                     "postgresql:// or sqlite:PATH",
		                     p->display_url);
		goto cleanup;
	}
	error = gw_engine_resolve(&p->engine, p->driver, p->opts.url, p->url_given, p->opts.dialect,
	                          ctx);
cleanup:
	gw_str_dispose(&masked);
	return error;
}

int gw_project_open(gw_project **out, const gw_project_options *opts, gw_ctx *ctx)
{
	gw_project_options defaults = GW_PROJECT_OPTIONS_INIT;
	gw_project_options o = GW_PROJECT_OPTIONS_INIT;
	gw_project *p = NULL;
	int error;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != 2 && opts->version != GW_PROJECT_OPTIONS_VERSION)
		return gw_error_set(ctx, GW_EINVALID, "unsupported gw_project_options version %u",
		                    opts->version);
	/* Version 2's options end before config. */
	memcpy(&o, opts, opts->version == 2 ? offsetof(gw_project_options, config) : sizeof(o));
	if (!(p = calloc(1, sizeof(*p)))) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	p->ctx = ctx;
	if ((error = copy_options(p, &o, o.config)) < 0) {
		if (error != GW_ECONFIG)
			error = gw_error_oom(ctx);
		goto cleanup;
	}
	if ((error = finish_open(p)) < 0)
		goto cleanup;
	*out = p;
	p = NULL;
	error = 0;
cleanup:
	gw_project_free(p);
	return error;
}

int gw_project__open_like(gw_project **out, const gw_project *p, const char *url, gw_ctx *ctx)
{
	gw_project *q = NULL;
	int error;

	*out = NULL;
	if (!(q = calloc(1, sizeof(*q)))) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	q->ctx = ctx;
	q->url_given = 1;
	q->seeds_allowed = p->seeds_allowed;
	if (gw_settings__copy(&q->opts, &p->opts) < 0 ||
	    gw_placeholders__copy(&q->placeholders, &p->placeholders) < 0 ||
	    gw_placeholders__copy(&q->placeholder_env, &p->placeholder_env) < 0 ||
	    !(q->environment = gw_strdup(p->environment)) ||
	    !(q->app_name = gw_strdup(p->app_name)) ||
	    !(q->project_dir = gw_strdup(p->project_dir)) ||
	    (p->symlink_root && !(q->symlink_root = gw_strdup(p->symlink_root)))) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	free(q->opts.url);
	if (!(q->opts.url = trimmed(url))) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	/* The snapshot and the schema file are the project's database's: an
	 * ephemeral database must not replace them, and its runs are no
	 * deploy's to audit or to tell anyone of. */
	q->opts.schema_record = 0;
	free(q->opts.schema_file);
	q->opts.schema_file = NULL;
	free(q->opts.audit_log);
	q->opts.audit_log = NULL;
	q->opts.audit_required = 0;
	free(q->opts.notify);
	q->opts.notify = NULL;
	if ((error = finish_open(q)) < 0)
		goto cleanup;
	*out = q;
	q = NULL;
cleanup:
	gw_project_free(q);
	return error;
}

void gw_project_free(gw_project *p)
{
	if (!p)
		return;
	gw_progress__stop(p);
	gw_project__unlock(p);
	gw_events__free(p);
	gw_project__forget_conn(p);
	if (p->conn)
		p->driver->close(p->conn);
	gw_source_free(p->source);
	free(p->url_required);
	free(p->display_url);
	free(p->environment);
	free(p->app_name);
	free(p->table_q);
	free(p->events_q);
	free(p->project_dir);
	free(p->symlink_root);
	gw_placeholders__dispose(&p->placeholders);
	gw_placeholders__dispose(&p->placeholder_env);
	gw_settings__dispose(&p->opts);
	free(p);
}

const char *gw_project_display_url(const gw_project *p)
{
	return p->display_url;
}

const char *gw_project_driver_name(const gw_project *p)
{
	return p->driver->name;
}

const char *gw_project__dir(const gw_project *p)
{
	return p->opts.dir;
}

int gw_project__path(gw_str *out, const gw_project *p, const char *file)
{
	gw_str_clear(out);
	/* A migration's file is relative to the folder its set was read from,
	 * which a sqitch top_dir puts below the one given. */
	return gw_path_join(out, p->source ? p->source->dir : p->opts.dir, file);
}

int gw_project__source(gw_source **out, gw_project *p)
{
	char *cache = NULL;
	int error = 0;

	if (p->source) {
		*out = p->source;
		return 0;
	}
	if (p->opts.checksum_cache && !(cache = join_dir(p->project_dir, ".godwit/sums")))
		return gw_error_oom(p->ctx);
	error = gw_source_load_in(&p->source, p->opts.dir, p->opts.source_format,
	                          p->driver->dialect == GW_DIALECT_SQLITE ? "sqlite3" : "postgres",
	                          p->symlink_root, cache, p->ctx);
	free(cache);
	if (error < 0)
		return error;
	*out = p->source;
	return 0;
}

int gw_project_format(gw_format *out, gw_project *p)
{
	gw_source *src;
	int error;

	if ((error = gw_project__source(&src, p)) < 0)
		return error;
	*out = src->format;
	return 0;
}
