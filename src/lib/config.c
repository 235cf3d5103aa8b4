/*
 * config.c: a project's settings, merged from the environment, .env and
 * godwit.conf (see godwit/config.h for the precedence).
 *
 * This is the first thing a run reads, before the migrations folder or the
 * database, so its errors must say exactly which line of which file is wrong
 * and what to write instead. godwit.conf is parsed by libinih through a
 * reader of our own: it counts lines (the handler gets no line numbers),
 * strips indentation (so indented keys in a section are not taken as
 * continuation lines) and refuses lines longer than libinih's buffer instead
 * of letting it cut them silently. .env is parsed here, dbmate-style.
 *
 * Only the selected environment's values are ${VAR}-expanded (its section,
 * else the top level), even those the environment overrides, so a typo
 * fails on every machine; another section may name variables that a
 * developer's machine does not define.
 */
#include "godwit/config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "../util/error.h"
#include "../util/fs.h"
#include "../util/str.h"
#include "../util/text.h"
#include "../util/url.h"
#include "../util/vec.h"
#include "discover.h"
#include "dotenv.h"
#include "settings.h"

#define keys gw_settings__defs

typedef struct {
	char *value; /* NULL: unset */
	char *source;
} setting;

struct gw_config {
	setting s[K_COUNT];
	char *environment;
	char *environment_source;
	char *project_dir;
	char *url_required;  /* why there must be a url (gw_project_options) */
	char *dir_ambiguous; /* several tools' folders, and no dir given */
	gw_vec placeholders; /* [placeholders], expanded (placeholder.c) */
	gw_vec dotenv;       /* the .env files' variables, for placeholders */
};

/* A value read from godwit.conf, kept raw until we know it is in effect. */
typedef struct {
	char *value;
	int line;
} conf_value;

typedef struct {
	char *section;
	int key;
	int line;
} conf_seen;

typedef struct {
	const char *path;
	const char *env_name;
	FILE *f;
	char *buf; /* getline's buffer */
	size_t bufsize;
	int line;          /* the line the reader last returned */
	int too_long_line; /* the line that did not fit libinih's buffer */
	int read_errno;
	conf_value top[K_COUNT];  /* top-level keys */
	conf_value sect[K_COUNT]; /* the selected [env.NAME] section */
	gw_vec seen;              /* conf_seen *: every (section, key) so far */
	gw_vec ph;                /* [placeholders]: raw value, why = "path:line" */
	gw_str err;               /* the handler's first error, "path:line: ..." */
	int err_line;
	int oom;
} conf_parse;

static void setting_dispose(setting *s)
{
	free(s->value);
	free(s->source);
	s->value = s->source = NULL;
}

/* Takes ownership of value and source, even on failure. */
static int setting_set(setting *s, char *value, char *source, gw_ctx *ctx)
{
	setting_dispose(s);
	if (!value || !source) {
		free(value);
		free(source);
		return gw_error_oom(ctx);
	}
	s->value = value;
	s->source = source;
	return 0;
}

static char *path_in(const char *dir, const char *name)
{
	gw_str s = GW_STR_INIT;

	if (!dir || !*dir || strcmp(dir, ".") == 0)
		return gw_strdup(name);
	gw_str_puts(&s, dir);
	if (s.size && s.ptr[s.size - 1] != '/')
		gw_str_putc(&s, '/');
	gw_str_puts(&s, name);
	return gw_str_detach(&s);
}

static char *format_source(const char *path, int line)
{
	gw_str s = GW_STR_INIT;

	gw_str_printf(&s, "%s:%d", path, line);
	return gw_str_detach(&s);
}

/* A value of the selected [env.NAME] section says so: "godwit.conf:7
 * [env.production]", against "godwit.conf:2" for a top-level one. */
static char *section_source(const char *path, int line, const char *env)
{
	gw_str s = GW_STR_INIT;

	gw_str_printf(&s, "%s:%d [env.%s]", path, line, env);
	return gw_str_detach(&s);
}

static char *env_source(const char *var)
{
	gw_str s = GW_STR_INIT;

	gw_str_printf(&s, "env %s", var);
	return gw_str_detach(&s);
}

/* ---- looking values up ---------------------------------------------------- */

/* The real environment first: .env never overrides it. An empty variable
 * counts as unset, as CI systems often define variables empty. */
static const char *lookup_var(const gw_vec *dotenv, const char *name)
{
	const char *v = getenv(name);
	const gw_dotenv_var *d;

	if (v)
		return v;
	d = gw_dotenv_find(dotenv, name);
	return d ? d->value : NULL;
}

static int value_error(gw_ctx *ctx, const gw_setting_def *def, const char *where, const char *value,
                       const char *path, int line)
{
	if (path)
		gw_error_set(ctx, GW_ECONFIG, "%s:%d: %s must be %s, not '%s'", path, line,
		             def->name, gw_settings__rule(def), value);
	else
		gw_error_set(ctx, GW_ECONFIG, "%s must be %s, not '%s'", where ? where : def->name,
		             gw_settings__rule(def), value);
	if (path)
		gw_error_set_location(ctx, path, line, 0);
	return GW_ECONFIG;
}

/* The variables a url is read from, below GODWIT_URL and a url in the
 * selected [env.NAME] section. Hosting integrations (Vercel's Neon and
 * Supabase ones, Prisma's convention) put a pooled URL in DATABASE_URL or
 * POSTGRES_URL and the direct one in another variable: migrations need a
 * session of their own, so the direct ones come first. */
static const char *const url_vars[] = {"POSTGRES_URL_NON_POOLING",
                                       "DATABASE_URL_UNPOOLED",
                                       "DIRECT_URL",
                                       "DATABASE_URL",
                                       "POSTGRES_URL",
                                       NULL};

/* The first of the variables names[] set in the environment, else in .env;
 * 1 when found, 0 when not, <0 on error. */
static int from_variables(gw_config *cfg, int k, const char *const *names, const gw_vec *dotenv,
                          gw_ctx *ctx)
{
	const gw_setting_def *def = &keys[k];
	const gw_dotenv_var *d;
	const char *v;
	int i;

	for (i = 0; names[i]; i++) {
		if (!(v = getenv(names[i])) || !*v)
			continue;
		if (def->check && def->check(v) < 0)
			return value_error(ctx, def, names[i], v, NULL, 0);
		if (setting_set(&cfg->s[k], gw_strdup(v), env_source(names[i]), ctx) < 0)
			return GW_ENOMEM;
		return 1;
	}
	for (i = 0; names[i]; i++) {
		if (!(d = gw_dotenv_find(dotenv, names[i])) || !*d->value)
			continue;
		if (def->check && def->check(d->value) < 0) {
			gw_error_set(ctx, GW_ECONFIG, "%s:%d: %s must be %s, not '%s'", d->path,
			             d->line, names[i], gw_settings__rule(def), d->value);
			gw_error_set_location(ctx, d->path, d->line, 0);
			return GW_ECONFIG;
		}
		if (setting_set(&cfg->s[k], gw_strdup(d->value), format_source(d->path, d->line),
		                ctx) < 0)
			return GW_ENOMEM;
		return 1;
	}
	return 0;
}

static int pick_environment(gw_config *cfg, const char *given, const gw_vec *dotenv, gw_ctx *ctx)
{
	static const char *const vars[] = {"GODWIT_ENV", "VERCEL_ENV"};
	const gw_dotenv_var *d;
	const char *v;
	size_t i;

	if (given && *given) {
		cfg->environment = gw_strdup(given);
		cfg->environment_source = gw_strdup("option");
		goto done;
	}
	for (i = 0; i < 2; i++) {
		if ((v = getenv(vars[i])) && *v) {
			cfg->environment = gw_strdup(v);
			cfg->environment_source = env_source(vars[i]);
			goto done;
		}
	}
	for (i = 0; i < 2; i++) {
		if ((d = gw_dotenv_find(dotenv, vars[i])) && *d->value) {
			cfg->environment = gw_strdup(d->value);
			cfg->environment_source = format_source(d->path, d->line);
			goto done;
		}
	}
	cfg->environment = gw_strdup("development");
	cfg->environment_source = gw_strdup("default");
done:
	return cfg->environment && cfg->environment_source ? 0 : gw_error_oom(ctx);
}

/* ---- ${VAR} expansion -------------------------------------------------- */

/* ${NAME} and ${NAME:-default} expand from the environment and .env; $${
 * is a literal ${; any other $ is kept, so passwords with $ need no care. */
static int expand(gw_str *out, const char *in, const gw_vec *dotenv, const char *path, int line,
                  const char *key, gw_ctx *ctx)
{
	const char *p = in, *name, *close, *def;
	const char *v;
	size_t namelen;

	while (*p) {
		if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
			gw_str_puts(out, "${");
			p += 3;
			continue;
		}
		if (p[0] != '$' || p[1] != '{') {
			gw_str_putc(out, *p++);
			continue;
		}
		name = p + 2;
		for (close = name; gw_is_name_char(*close); close++)
			;
		namelen = (size_t)(close - name);
		def = NULL;
		if (close[0] == ':' && close[1] == '-') {
			def = close + 2;
			close = strchr(def, '}');
		}
		if (!close || *close != '}' || namelen == 0 || !gw_is_name_start(*name)) {
			gw_error_set(ctx, GW_ECONFIG,
			             "%s:%d: malformed ${...} in the value of %s; write ${NAME} or "
			             "${NAME:-default}, or $${ for a literal ${",
			             path, line, key);
			goto fail;
		}
		{
			char *var = gw_strndup(name, namelen);
			if (!var)
				return gw_error_oom(ctx);
			v = lookup_var(dotenv, var);
			if (!v && !def) {
				gw_error_set(
				        ctx, GW_ECONFIG,
				        "%s:%d: ${%s} is not defined; set %s in the environment "
				        "or in .env, or write ${%s:-default}",
				        path, line, var, var, var);
				free(var);
				goto fail;
			}
			free(var);
		}
		if (def && (!v || !*v))
			gw_str_put(out, def, (size_t)(close - def));
		else
			gw_str_puts(out, v);
		p = close + 1;
	}
	return gw_str_failed(out) ? gw_error_oom(ctx) : 0;
fail:
	gw_error_set_location(ctx, path, line, 0);
	return GW_ECONFIG;
}

/* ---- godwit.conf ----------------------------------------------------------- */

static void conf_seen_free(void *p)
{
	conf_seen *s = p;

	if (s)
		free(s->section);
	free(s);
}

/* Called by libinih once per line. Leading blanks are dropped: they would
 * otherwise make libinih read an indented key as a continuation line. */
static char *conf_reader(char *str, int num, void *stream)
{
	conf_parse *p = stream;
	ssize_t n;
	char *s;
	size_t len;

	if (p->too_long_line)
		return NULL;
	errno = 0;
	if ((n = getline(&p->buf, &p->bufsize, p->f)) < 0) {
		p->read_errno = errno;
		return NULL;
	}
	p->line++;
	len = (size_t)n;
	while (len && (p->buf[len - 1] == '\n' || p->buf[len - 1] == '\r'))
		len--;
	for (s = p->buf; len && gw_is_space_or_tab(*s); s++)
		len--;
	if (num < 2 || len > (size_t)num - 2) {
		p->too_long_line = p->line;
		return NULL;
	}
	memcpy(str, s, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

GW_FORMAT_PRINTF(2, 3)
static int conf_fail(conf_parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err_line)
		return 0;
	p->err_line = p->line;
	gw_str_printf(&p->err, "%s:%d: ", p->path, p->line);
	va_start(ap, fmt);
	gw_str_vprintf(&p->err, fmt, ap);
	va_end(ap);
	return 0;
}

/* A key twice in one section is a mistake: which one did the user mean? */
static int conf_check_duplicate(conf_parse *p, const char *section, int k)
{
	conf_seen *s;
	size_t i;

	for (i = 0; i < p->seen.len; i++) {
		s = p->seen.items[i];
		if (s->key == k && strcmp(s->section, section) == 0)
			return conf_fail(p, "%s is already set on line %d; keep one of the two",
			                 keys[k].name, s->line);
	}
	if (!(s = calloc(1, sizeof(*s))) || !(s->section = gw_strdup(section)) ||
	    gw_vec_push(&p->seen, s) < 0) {
		conf_seen_free(s);
		p->oom = 1;
		return 0;
	}
	s->key = k;
	s->line = p->line;
	return 1;
}

/* Quotes around a whole value are dropped, as most INI readers do. */
static char *unquote(const char *value)
{
	size_t len = strlen(value);

	if (len >= 2 && (value[0] == '"' || value[0] == '\'') && value[len - 1] == value[0])
		return gw_strndup(value + 1, len - 2);
	return gw_strdup(value);
}

/* A value that opens a quote and does not close it, which unquote would
 * leave in the value: `url = "postgres://...` would reach the driver with
 * its quote and be echoed whole in its errors. (A value may end with a
 * quote it did not open: password='a b' in a libpq key/value string.) */
static int unbalanced_quote(const char *value)
{
	size_t len = strlen(value);

	return len && (value[0] == '"' || value[0] == '\'') &&
	       (len == 1 || value[len - 1] != value[0]);
}

/* A line of [placeholders]: NAME = value, kept raw until the environment
 * is known; a value may be ${VAR} from the environment or .env. */
static int conf_placeholder(conf_parse *p, const char *name, const char *value)
{
	gw_str why = GW_STR_INIT;
	const char *c;
	char *v;
	size_t i;

	for (c = name; gw_is_name_char(*c); c++)
		;
	if (!gw_is_name_start(*name) || *c)
		return conf_fail(p,
		                 "'%s' is not a placeholder name; a name is letters, digits and "
		                 "_, written ${NAME} in migrations",
		                 name);
	for (i = 0; i < p->ph.len; i++)
		if (!strcmp(((const gw_placeholder *)p->ph.items[i])->name, name))
			return conf_fail(p, "placeholder %s is already set; keep one of the two",
			                 name);
	if (unbalanced_quote(value))
		return conf_fail(p,
		                 "the value of %s has an unbalanced quote; quote the whole value "
		                 "with a pair of \" or ', or not at all",
		                 name);
	gw_str_printf(&why, "%s:%d", p->path, p->line);
	if (!(v = unquote(value)) || gw_str_failed(&why) ||
	    gw_placeholders__add(&p->ph, name, v, why.ptr) < 0)
		p->oom = 1;
	free(v);
	gw_str_dispose(&why);
	return 1;
}

static int conf_entry(void *user, const char *section, const char *name, const char *value)
{
	conf_parse *p = user;
	conf_value *slot = NULL;
	char *v;
	int k;

	if (p->err_line || p->oom)
		return 1; /* the first error is the one reported */
	if (!strcmp(section, "placeholders"))
		return conf_placeholder(p, name, value);
	if (!*section)
		slot = p->top;
	else if (strncmp(section, "env.", 4) != 0 || !section[4])
		return conf_fail(p,
		                 "unknown section [%s]; settings for one environment go in a "
		                 "[env.NAME] section, values of ${NAME} in migrations in "
		                 "[placeholders]",
		                 section);
	else if (strcmp(section + 4, p->env_name) == 0)
		slot = p->sect;
	if ((k = gw_settings__index(name)) < 0)
		return conf_fail(p, "unknown key '%s'; the keys are %s", name,
		                 gw_settings__key_list());
	/* godwit.conf is committed: a secret's value would be read by all
	 * who can read the repository. A ${VAR} reference is fine. */
	if (gw_settings__is_secret(k) && *value && !strstr(value, "${"))
		return conf_fail(p,
		                 "%s is a secret: set %s in the environment or in .env, or write "
		                 "%s = ${VAR} here, not the value itself",
		                 name, keys[k].env, name);
	if (!conf_check_duplicate(p, section, k))
		return p->oom ? 1 : 0;
	if (unbalanced_quote(value))
		/* Not shown: a URL's password would be. */
		return conf_fail(p,
		                 "the value of %s has an unbalanced quote; quote the whole value "
		                 "with a pair of \" or ', or not at all",
		                 name);
	if (!(v = unquote(value))) {
		p->oom = 1;
		return 1;
	}
	/* Literal values are checked in every section, so a typo in the
	 * production section shows up on a developer's machine. */
	if (keys[k].check && !strstr(v, "${") && *v && keys[k].check(v) < 0) {
		conf_fail(p, "%s must be %s, not '%s'", keys[k].name, gw_settings__rule(&keys[k]),
		          v);
		free(v);
		return 0;
	}
	if (!slot) {
		free(v);
		return 1;
	}
	free(slot[k].value);
	slot[k].value = v;
	slot[k].line = p->line;
	return 1;
}

static int conf_parse_file(conf_parse *p, gw_ctx *ctx)
{
	int rc = ini_parse_stream(conf_reader, p, conf_entry, p);

	if (p->oom || rc == -2 || gw_str_failed(&p->err))
		return gw_error_oom(ctx);
	if (rc > 0 && rc == p->err_line) {
		gw_error_set(ctx, GW_ECONFIG, "%s", p->err.ptr);
	} else if (rc > 0) {
		gw_error_set(ctx, GW_ECONFIG,
		             "%s:%d: cannot read this line; write key = value, [env.NAME] or a "
		             "# comment",
		             p->path, rc);
	} else if (p->too_long_line) {
		rc = p->too_long_line;
		gw_error_set(ctx, GW_ECONFIG,
		             "%s:%d: line too long; put long values in the environment or .env "
		             "and write url = ${DATABASE_URL}",
		             p->path, rc);
	} else if (p->read_errno || ferror(p->f)) {
		return gw_error_set(ctx, GW_EIO, "cannot read %s: %s", p->path,
		                    strerror(p->read_errno ? p->read_errno : EIO));
	} else {
		return 0;
	}
	gw_error_set_location(ctx, p->path, rc, 0);
	return GW_ECONFIG;
}

/* The project file's value of key k for the selected environment, expanded;
 * an empty result leaves the key unset. */
static int from_conf(gw_config *cfg, int k, conf_parse *p, const gw_vec *dotenv, gw_ctx *ctx)
{
	const conf_value *cv = p->sect[k].value ? &p->sect[k] : &p->top[k];
	gw_str v = GW_STR_INIT;
	int error;

	if (!cv->value)
		return 0;
	if ((error = expand(&v, cv->value, dotenv, p->path, cv->line, keys[k].name, ctx)) < 0)
		goto cleanup;
	if (!v.size)
		goto cleanup;
	if (keys[k].check && keys[k].check(v.ptr) < 0) {
		error = value_error(ctx, &keys[k], NULL, v.ptr, p->path, cv->line);
		goto cleanup;
	}
	error = setting_set(&cfg->s[k], gw_str_detach(&v),
	                    cv == &p->sect[k] ? section_source(p->path, cv->line, p->env_name)
	                                      : format_source(p->path, cv->line),
	                    ctx);
cleanup:
	gw_str_dispose(&v);
	return error;
}

static void conf_parse_dispose(conf_parse *p)
{
	int k;

	for (k = 0; k < K_COUNT; k++) {
		free(p->top[k].value);
		free(p->sect[k].value);
	}
	gw_vec_dispose(&p->seen, conf_seen_free);
	gw_placeholders__dispose(&p->ph);
	gw_str_dispose(&p->err);
	free(p->buf);
	if (p->f)
		fclose(p->f);
}

/* Opens the project file; a missing default file is fine (p->f stays NULL). */
static int conf_open(conf_parse *p, int explicit_file, gw_ctx *ctx)
{
	if ((p->f = fopen(p->path, "r")))
		return 0;
	if (errno == ENOENT && !explicit_file)
		return 0;
	if (errno == ENOENT) {
		gw_error_set(ctx, GW_ECONFIG, "config file %s does not exist", p->path);
		gw_error_set_hint_code(ctx, GW_HINT_CONFIG_FILE, NULL, NULL);
		return GW_ECONFIG;
	}
	return gw_error_set(ctx, GW_EIO, "cannot read %s: %s", p->path, strerror(errno));
}

/* ---- public ---------------------------------------------------------------- */

/* Every key's value for the selected environment. godwit.conf's value is
 * expanded even where the environment overrides it, so an undefined ${VAR}
 * in the environment's settings is an error wherever it is run. A url the
 * user wrote in the environment's own [env.NAME] section is taken over a
 * platform's DATABASE_URL: only GODWIT_URL (and --url) beat it. */
static int load_settings(gw_config *cfg, conf_parse *p, const gw_vec *dotenv, gw_ctx *ctx)
{
	const char *names[2] = {NULL, NULL};
	int k, found, error;

	for (k = 0; k < K_COUNT; k++) {
		if (p->f && (error = from_conf(cfg, k, p, dotenv, ctx)) < 0)
			return error;
		names[0] = keys[k].env;
		if ((found = from_variables(cfg, k, names, dotenv, ctx)) < 0)
			return found;
		if (k == K_url && !found && !(cfg->s[k].value && p->sect[k].value) &&
		    (found = from_variables(cfg, k, url_vars, dotenv, ctx)) < 0)
			return found;
		if (!cfg->s[k].value && keys[k].def &&
		    setting_set(&cfg->s[k], gw_strdup(keys[k].def), gw_strdup("default"), ctx) < 0)
			return GW_ENOMEM;
	}
	return 0;
}

/* [placeholders] expanded now that the environment is known. A value
 * whose ${VAR} is not set leaves its placeholder undefined, an error only
 * for a migration that uses it (with this line named): a developer's
 * machine need not hold production's passwords. */
static int load_placeholders(gw_config *cfg, conf_parse *p, const gw_vec *dotenv, gw_ctx *ctx)
{
	gw_str v = GW_STR_INIT;
	size_t i;
	int error = 0;

	for (i = 0; i < p->ph.len && error == 0; i++) {
		const gw_placeholder *ph = p->ph.items[i]; /* value raw, why its line */

		gw_str_clear(&v);
		if (expand(&v, ph->value, dotenv, p->path, 0, ph->name, NULL) < 0)
			error = gw_placeholders__add(&cfg->placeholders, ph->name, NULL, ph->why);
		else
			error = gw_placeholders__add(&cfg->placeholders, ph->name, v.ptr, NULL);
	}
	for (i = 0; i < dotenv->len && error == 0; i++) {
		const gw_dotenv_var *d = dotenv->items[i];

		error = gw_placeholders__add(&cfg->dotenv, d->key, d->value, NULL);
	}
	if (v.size)
		memset(v.ptr, 0, v.size);
	gw_str_dispose(&v);
	return error < 0 ? gw_error_oom(ctx) : 0;
}

const gw_vec *gw_config__placeholders(const gw_config *cfg)
{
	return cfg ? &cfg->placeholders : NULL;
}

const gw_vec *gw_config__dotenv(const gw_config *cfg)
{
	return cfg ? &cfg->dotenv : NULL;
}

/* CI (set by every CI service) means a deploy or a test against a real
 * database, as does a protected environment: there the embedded SQLite
 * default would migrate a file nobody reads and report success. */
static int running_in_ci(void)
{
	const char *v = getenv("CI");

	return v && *v && strcmp(v, "false") && strcmp(v, "0");
}

static int update_url_required(gw_config *cfg)
{
	gw_str s = GW_STR_INIT;
	size_t i;

	free(cfg->url_required);
	cfg->url_required = NULL;
	if (!gw_config_protected(cfg) && !running_in_ci())
		return 0;
	if (gw_config_protected(cfg))
		gw_str_printf(&s, "no database URL for the protected environment %s; set ",
		              cfg->environment);
	else
		gw_str_puts(&s, "no database URL, and CI is set; set ");
	gw_str_puts(&s, keys[K_url].env);
	for (i = 0; url_vars[i]; i++)
		gw_str_printf(&s, "%s%s", url_vars[i + 1] ? ", " : " or ", url_vars[i]);
	gw_str_puts(&s, " (in the environment or .env), or url in godwit.conf");
	return (cfg->url_required = gw_str_detach(&s)) ? 0 : -1;
}

/* Without --dir, GODWIT_DIR or dir =, and without db/migrations, the
 * folder another tool set up (discover.c) is the one to read. */
static int find_dir(gw_config *cfg)
{
	gw_found_dir found;
	gw_str source = GW_STR_INIT, def = GW_STR_INIT;
	int error = 0;

	if (strcmp(cfg->s[K_dir].source, "default"))
		return 0;
	if (gw_path_join(&def, cfg->project_dir, keys[K_dir].def) < 0) {
		gw_str_dispose(&def);
		return -1;
	}
	error = gw_path_is_dir(def.ptr);
	gw_str_dispose(&def);
	if (error >= 0)
		return 0;
	error = 0;
	if (gw_discover_dir(&found, cfg->project_dir, &cfg->dotenv) < 0)
		return -1;
	if (found.dir) {
		gw_str_printf(&source, "found: %s", found.why);
		error = setting_set(&cfg->s[K_dir], found.dir, gw_str_detach(&source), NULL);
		found.dir = NULL;
	} else if (found.ambiguous) {
		cfg->dir_ambiguous = found.ambiguous;
		found.ambiguous = NULL;
	}
	gw_found_dir_dispose(&found);
	return error < 0 ? -1 : 0;
}

/* Appends from's variables to to, leaving from empty. */
static int move_vars(gw_vec *to, gw_vec *from, gw_ctx *ctx)
{
	while (from->len) {
		if (gw_vec_push(to, from->items[0]) < 0)
			return gw_error_oom(ctx);
		memmove(from->items, from->items + 1, --from->len * sizeof(*from->items));
	}
	return 0;
}

/* key set to value, from source; no check of the url's need. */
static int set_one(gw_config *cfg, const char *key, const char *value, const char *source,
                   gw_ctx *ctx)
{
	int k;

	if (!source)
		source = "set";
	if (!cfg || !key || (k = gw_settings__index(key)) < 0)
		return gw_error_set(ctx, GW_EINVALID, "unknown setting '%s'; the settings are %s",
		                    key ? key : "(null)", gw_settings__key_list());
	if (!value || !*value)
		return gw_error_set(ctx, GW_EINVALID, "%s needs a value", source);
	if (keys[k].check && keys[k].check(value) < 0)
		return gw_error_set(ctx, GW_EINVALID, "%s must be %s, not '%s'", source,
		                    gw_settings__rule(&keys[k]), value);
	if (setting_set(&cfg->s[k], gw_strdup(value), gw_strdup(source), ctx) < 0)
		return GW_ENOMEM;
	if (k == K_dir) {
		free(cfg->dir_ambiguous);
		cfg->dir_ambiguous = NULL;
	}
	return 0;
}

/* The program's own settings (its flags), over the others. */
static int set_given(gw_config *cfg, const gw_config_options *opts, gw_ctx *ctx)
{
	size_t i;
	int error;

	for (i = 0; i < opts->nsettings; i++) {
		const gw_config_setting *s = &opts->settings[i];

		if ((error = set_one(cfg, s->key, s->value, s->source, ctx)) < 0)
			return error;
	}
	return 0;
}

int gw_config_load(gw_config **out, const gw_config_options *opts, gw_ctx *ctx)
{
	gw_config_options defaults = GW_CONFIG_OPTIONS_INIT;
	gw_config *cfg = NULL;
	gw_vec dotenv = GW_VEC_INIT, local = GW_VEC_INIT;
	conf_parse p;
	char *conf_path = NULL, *dotenv_path = NULL, *local_path = NULL;
	const char *env_file;
	int error = GW_ENOMEM;

	memset(&p, 0, sizeof(p));
	p.err = (gw_str)GW_STR_INIT;
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version < 1 || opts->version > GW_CONFIG_OPTIONS_VERSION)
		return gw_error_set(ctx, GW_EINVALID, "unsupported gw_config_options version %u",
		                    opts->version);
	if (!(cfg = calloc(1, sizeof(*cfg))) ||
	    !(cfg->project_dir = gw_strdup(opts->project_dir ? opts->project_dir : ".")) ||
	    !(dotenv_path = path_in(opts->project_dir, ".env")) ||
	    !(local_path = path_in(opts->project_dir, ".env.local")) ||
	    !(conf_path = opts->file ? gw_strdup(opts->file)
	                             : path_in(opts->project_dir, "godwit.conf"))) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	/* .env.local wins over .env, as in Next.js, which also expands
	 * .env's ${NAME} with .env.local's values: .env.local is read first,
	 * and goes after .env in the list, where the last definition wins. A
	 * file named with --env-file replaces both. The field came with
	 * version 2 of the options. */
	env_file = opts->version >= 2 ? opts->env_file : NULL;
	if (env_file)
		error = gw_dotenv_load(&dotenv, env_file, 1, ctx);
	else if ((error = gw_dotenv_load(&local, local_path, 0, ctx)) >= 0 &&
	         (error = gw_dotenv_load_under(&dotenv, &local, dotenv_path, 0, ctx)) >= 0)
		error = move_vars(&dotenv, &local, ctx);
	if (error < 0 || (error = pick_environment(cfg, opts->environment, &dotenv, ctx)) < 0)
		goto cleanup;
	p.path = conf_path;
	p.env_name = cfg->environment;
	if ((error = conf_open(&p, opts->file != NULL, ctx)) < 0)
		goto cleanup;
	if (p.f && (error = conf_parse_file(&p, ctx)) < 0)
		goto cleanup;
	if ((error = load_settings(cfg, &p, &dotenv, ctx)) < 0 ||
	    (error = load_placeholders(cfg, &p, &dotenv, ctx)) < 0 ||
	    (opts->version >= 3 && (error = set_given(cfg, opts, ctx)) < 0))
		goto cleanup;
	if (update_url_required(cfg) < 0 || find_dir(cfg) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	*out = cfg;
	cfg = NULL;
	error = 0;
cleanup:
	conf_parse_dispose(&p);
	gw_vec_dispose(&dotenv, gw_dotenv_var_free);
	gw_vec_dispose(&local, gw_dotenv_var_free);
	free(conf_path);
	free(dotenv_path);
	free(local_path);
	gw_config_free(cfg);
	return error;
}

void gw_config_free(gw_config *cfg)
{
	int k;

	if (!cfg)
		return;
	for (k = 0; k < K_COUNT; k++)
		setting_dispose(&cfg->s[k]);
	free(cfg->environment);
	free(cfg->environment_source);
	free(cfg->project_dir);
	free(cfg->url_required);
	free(cfg->dir_ambiguous);
	gw_placeholders__dispose(&cfg->placeholders);
	gw_placeholders__dispose(&cfg->dotenv);
	free(cfg);
}

const char *gw_config_get(const gw_config *cfg, const char *key)
{
	int k;

	if (!cfg || !key)
		return NULL;
	if (strcmp(key, "environment") == 0)
		return cfg->environment;
	return (k = gw_settings__index(key)) < 0 ? NULL : cfg->s[k].value;
}

const char *gw_config_source(const gw_config *cfg, const char *key)
{
	int k;

	if (!cfg || !key)
		return NULL;
	if (strcmp(key, "environment") == 0)
		return cfg->environment_source;
	if ((k = gw_settings__index(key)) < 0)
		return NULL;
	return cfg->s[k].source ? cfg->s[k].source : "default";
}

const char *gw_config_environment(const gw_config *cfg)
{
	return cfg ? cfg->environment : NULL;
}

char *gw_config_display(const gw_config *cfg, const char *key)
{
	const char *value = gw_config_get(cfg, key);
	gw_str masked = GW_STR_INIT;
	int k = gw_settings__index(key);

	if (!value)
		return NULL;
	if (k >= 0 && gw_settings__is_secret(k))
		return gw_strdup("********");
	/* Webhooks keep their secret in the URL's path. */
	if (k == K_notify) {
		const char *p = value;

		while (*p) {
			size_t len = strcspn(p, ",");
			char *item = gw_strndup(p, len);
			int error = item ? gw_url_mask_hook(&masked, item) : -1;

			free(item);
			if (error < 0) {
				gw_str_dispose(&masked);
				return NULL;
			}
			p += len;
			if (*p == ',')
				gw_str_putc(&masked, *p++);
		}
		return gw_str_detach(&masked);
	}
	/* Masking every value, not only url: a password pasted into another
	 * key must not be shown either. */
	if (gw_url_mask(&masked, value) < 0) {
		gw_str_dispose(&masked);
		return NULL;
	}
	return gw_str_detach(&masked);
}

int gw_config_confirm(const gw_config *cfg)
{
	const char *v = cfg->s[K_confirm].value;

	return v ? strcmp(v, "true") == 0 : gw_config_protected(cfg);
}

int gw_config_protected(const gw_config *cfg)
{
	const char *v = cfg->s[K_protected].value;

	return v ? strcmp(v, "true") == 0 : strcmp(cfg->environment, "production") == 0;
}

int gw_config_set(gw_config *cfg, const char *key, const char *value, const char *source,
                  gw_ctx *ctx)
{
	int error;

	if ((error = set_one(cfg, key, value, source, ctx)) < 0)
		return error;
	return update_url_required(cfg) < 0 ? gw_error_oom(ctx) : 0;
}

int gw_config_project_options(gw_project_options *opts, const gw_config *cfg, gw_ctx *ctx)
{
	size_t k;

	for (k = 0; k < K_COUNT; k++)
		if (keys[k].field != GW_NO_FIELD &&
		    keys[k].to((char *)opts + keys[k].field, cfg->s[k].value) < 0)
			return gw_error_set(ctx, GW_ECONFIG, "%s must be %s, not '%s'",
			                    keys[k].name, gw_settings__rule(&keys[k]),
			                    cfg->s[k].value);
	if (cfg->dir_ambiguous) {
		gw_error_set(ctx, GW_ECONFIG,
		             "no migrations folder given, and %s does not exist, but more than one "
		             "tool's folder is here: %s",
		             keys[K_dir].def, cfg->dir_ambiguous);
		gw_error_set_hint_code(ctx, GW_HINT_DIR_AMBIGUOUS, NULL, NULL);
		return GW_ECONFIG;
	}
	opts->url_required = cfg->url_required;
	if (opts->version >= 3)
		opts->config = cfg;
	opts->project_dir = cfg->project_dir;
	opts->environment = cfg->environment;
	/* Seeds never reach a protected environment unless it says so. */
	/* A protected environment hears of failures; another, where someone
	 * set notify, also of successes. */
	if (!opts->notify_on)
		opts->notify_on = gw_config_protected(cfg) ? "failure" : "failure,success";
	opts->seeds_allowed =
	        cfg->s[K_seeds].value
	                ? !strcmp(cfg->s[K_seeds].value, "true")
	                : !gw_config_protected(cfg) ||
	                          (cfg->s[K_seeds_in_protected].value &&
	                           !strcmp(cfg->s[K_seeds_in_protected].value, "true"));
	return 0;
}
