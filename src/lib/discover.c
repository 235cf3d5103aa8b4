/*
 * discover.c: another tool's migrations folder, found from that tool's own
 * files.
 *
 * Run in the root of a project that another tool set up, with no --dir and
 * no `dir =`, godwit would look for db/migrations and find nothing. Each
 * tool says where its migrations are in files of its own, so godwit reads
 * them the way the tool does: sqitch.conf and sqitch.plan (the project
 * itself, whose top_dir the folder loader follows), Prisma's
 * prisma/migrations/, drizzle-kit's drizzle.config.* (`out`, else its
 * default drizzle/) or drizzle/meta/_journal.json, diesel.toml's
 * [migrations_directory] dir (else migrations/), Flyway's locations in
 * flyway.conf or flyway.toml, and goose's GOOSE_MIGRATION_DIR. Last, a
 * migrations/ folder holding SQL files, as goose and golang-migrate
 * projects usually have. Only folders that exist count. Two tools pointing
 * to two folders is a question for the user, not a guess.
 */
#include "discover.h"
#include "settings.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../util/fs.h"
#include "../util/str.h"
#include "../util/text.h"
#include "../util/vec.h"
#include "source/priv.h"

/* A tool's configuration file is small; a big one is not the tool's. */
#define CONF_MAX ((size_t)1 << 20)

typedef struct {
	const char *project_dir;
	gw_vec dirs;        /* char *: folders, relative to the project */
	gw_vec whys;        /* char *: what pointed to each */
	gw_str path;        /* scratch */
	const gw_vec *vars; /* gw_placeholder: the .env files' variables */
	int oom;
} finder;

static const char *in_project(finder *f, const char *name)
{
	gw_str_clear(&f->path);
	if (!f->project_dir || !*f->project_dir || !strcmp(f->project_dir, "."))
		gw_str_puts(&f->path, name);
	else
		gw_path_join(&f->path, f->project_dir, name);
	if (gw_str_failed(&f->path)) {
		f->oom = 1;
		return "";
	}
	return f->path.ptr;
}

static int is_dir(finder *f, const char *name)
{
	return gw_path_is_dir(in_project(f, name)) == 1;
}

static int is_file(finder *f, const char *name)
{
	return gw_path_is_dir(in_project(f, name)) == 0;
}

/* The file's text, or 0 when it cannot be read (out of memory is
 * remembered: a file that was there and not read is no answer). */
static int read_conf(finder *f, const char *name, gw_str *text)
{
	int error;

	if (!is_file(f, name))
		return 0;
	if ((error = gw_file_read(text, in_project(f, name), CONF_MAX, NULL)) == GW_ENOMEM)
		f->oom = 1;
	return error == 0;
}

/* Keeps dir (len bytes, "./" and trailing slashes dropped) when it is a
 * folder; the same folder found twice keeps its first reason. */
static void found(finder *f, const char *dir, size_t len, const char *why)
{
	char *d, *w;
	size_t i;

	while (len >= 2 && dir[0] == '.' && dir[1] == '/') {
		dir += 2;
		len -= 2;
	}
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (!len || !(d = gw_strndup(dir, len))) {
		f->oom |= len != 0;
		return;
	}
	if (!is_dir(f, d)) {
		free(d);
		return;
	}
	for (i = 0; i < f->dirs.len; i++) {
		if (!strcmp(f->dirs.items[i], d)) {
			free(d);
			return;
		}
	}
	if (!(w = gw_strdup(why)) || gw_vec_push(&f->dirs, d) < 0) {
		free(w);
		free(d);
		f->oom = 1;
		return;
	}
	if (gw_vec_push(&f->whys, w) < 0) {
		free(w);
		f->oom = 1;
	}
}

static void found_s(finder *f, const char *dir, const char *why)
{
	found(f, dir, strlen(dir), why);
}

/* sqitch: the project's root is the folder, and the loader follows
 * core.top_dir to the plan and scripts. */
static void find_sqitch(finder *f)
{
	gw_sqitch_conf conf;
	gw_str text = GW_STR_INIT, plan = GW_STR_INIT;

	memset(&conf, 0, sizeof(conf));
	if (!read_conf(f, "sqitch.conf", &text))
		goto cleanup;
	if (gw_source__sqitch_conf(&conf, text.ptr, text.size) < 0) {
		f->oom = 1;
		goto cleanup;
	}
	gw_path_join(&plan, conf.top_dir && *conf.top_dir ? conf.top_dir : ".", "sqitch.plan");
	if (gw_str_failed(&plan))
		f->oom = 1;
	else if (is_file(f, plan.ptr))
		found_s(f, ".", "sqitch's sqitch.conf and sqitch.plan");
cleanup:
	gw_source__sqitch_conf_dispose(&conf);
	gw_str_dispose(&text);
	gw_str_dispose(&plan);
}

/* A JavaScript identifier's characters (ASCII ones). */
static int is_ident(char c)
{
	return gw_is_name_char(c) || c == '$';
}

/* The string after `key:` (JavaScript, with the key bare or quoted) or
 * `key =` (TOML, INI) in text: 1 with [*start, *end) set, else 0. */
static int string_value(const char *text, const char *key, char sep, const char **start,
                        const char **end)
{
	size_t klen = strlen(key);
	const char *p, *q;
	char quote;

	for (p = strstr(text, key); p; p = strstr(p + 1, key)) {
		q = p + klen;
		if (p > text && (is_ident(p[-1]) || p[-1] == '.'))
			continue;
		if (p > text && (p[-1] == '"' || p[-1] == '\'') && *q == p[-1])
			q++;
		if (is_ident(*q))
			continue;
		while (gw_is_space(*q))
			q++;
		if (*q++ != sep)
			continue;
		while (gw_is_space_or_tab(*q))
			q++;
		if (*q != '"' && *q != '\'' && *q != '`')
			continue;
		quote = *q++;
		*start = q;
		while (*q && *q != quote && *q != '\n')
			q++;
		if (*q != quote)
			continue;
		*end = q;
		return 1;
	}
	return 0;
}

/* drizzle-kit: `out` in drizzle.config.*, "drizzle" when the config does
 * not set it, as drizzle-kit does. */
static void find_drizzle(finder *f)
{
	static const char *const configs[] = {"drizzle.config.ts",   "drizzle.config.js",
	                                      "drizzle.config.mjs",  "drizzle.config.cjs",
	                                      "drizzle.config.mts",  "drizzle.config.cts",
	                                      "drizzle.config.json", NULL};
	gw_str text = GW_STR_INIT, why = GW_STR_INIT;
	const char *start, *end;
	size_t i;

	for (i = 0; configs[i]; i++) {
		if (!read_conf(f, configs[i], &text))
			continue;
		gw_str_printf(&why, "drizzle-kit's %s", configs[i]);
		if (gw_str_failed(&why))
			f->oom = 1;
		else if (string_value(text.ptr, "out", ':', &start, &end))
			found(f, start, (size_t)(end - start), why.ptr);
		else
			found_s(f, "drizzle", why.ptr);
		goto cleanup;
	}
	if (is_file(f, "drizzle/meta/_journal.json"))
		found_s(f, "drizzle", "drizzle-kit's drizzle/meta/_journal.json");
cleanup:
	gw_str_dispose(&text);
	gw_str_dispose(&why);
}

/* diesel: [migrations_directory] dir in diesel.toml, else migrations/. */
static void find_diesel(finder *f)
{
	gw_str text = GW_STR_INIT;
	const char *section, *next, *start, *end;

	if (!read_conf(f, "diesel.toml", &text))
		goto cleanup;
	if ((section = strstr(text.ptr, "[migrations_directory]"))) {
		next = strstr(section + 1, "\n[");
		if (string_value(section, "dir", '=', &start, &end) && (!next || start < next)) {
			found(f, start, (size_t)(end - start), "diesel's diesel.toml");
			goto cleanup;
		}
	}
	found_s(f, "migrations", "diesel's diesel.toml");
cleanup:
	gw_str_dispose(&text);
}

/* One Flyway location: filesystem:PATH is a folder; classpath:PATH (or a
 * bare PATH) is one in a Maven or Gradle project's resources. */
static void flyway_location(finder *f, const char *loc, size_t len, const char *why)
{
	gw_str dir = GW_STR_INIT;

	while (len && gw_is_space_or_tab(*loc)) {
		loc++;
		len--;
	}
	while (len && (loc[len - 1] == ' ' || loc[len - 1] == '\t' || loc[len - 1] == '\r'))
		len--;
	if (len > 11 && !strncmp(loc, "filesystem:", 11)) {
		found(f, loc + 11, len - 11, why);
		return;
	}
	if (len > 10 && !strncmp(loc, "classpath:", 10)) {
		loc += 10;
		len -= 10;
	}
	if (memchr(loc, ':', len))
		return; /* s3:, gcs:, ... */
	gw_str_puts(&dir, "src/main/resources/");
	gw_str_put(&dir, loc, len);
	if (gw_str_failed(&dir))
		f->oom = 1;
	else
		found(f, dir.ptr, dir.size, why);
	gw_str_dispose(&dir);
}

/* Flyway: flyway.locations=a,b in flyway.conf; locations = ["a", "b"] in
 * flyway.toml. */
static void find_flyway(finder *f)
{
	gw_str text = GW_STR_INIT;
	const char *p, *end, *comma, *q;

	if (read_conf(f, "flyway.conf", &text)) {
		for (p = text.ptr; (p = strstr(p, "flyway.locations")); p++) {
			if (p > text.ptr && p[-1] != '\n')
				continue;
			q = p + strlen("flyway.locations");
			while (gw_is_space_or_tab(*q))
				q++;
			if (*q++ != '=')
				continue;
			end = q + strcspn(q, "\n");
			for (; q < end; q = comma + 1) {
				if (!(comma = memchr(q, ',', (size_t)(end - q))))
					comma = end;
				flyway_location(f, q, (size_t)(comma - q), "Flyway's flyway.conf");
			}
			break;
		}
	}
	if (read_conf(f, "flyway.toml", &text)) {
		for (p = text.ptr; (p = strstr(p, "locations")); p++) {
			q = p + strlen("locations");
			if ((p > text.ptr && is_ident(p[-1])) || is_ident(*q))
				continue;
			while (gw_is_space_or_tab(*q))
				q++;
			if (*q++ != '=')
				continue;
			while (gw_is_space_or_tab(*q))
				q++;
			if (*q != '[')
				continue;
			end = strchr(q, ']');
			while (end && (q = strpbrk(q, "\"'")) && q < end) {
				const char *close = strchr(q + 1, *q);
				if (!close || close > end)
					break;
				flyway_location(f, q + 1, (size_t)(close - q - 1),
				                "Flyway's flyway.toml");
				q = close + 1;
			}
			break;
		}
	}
	gw_str_dispose(&text);
}

/* Whether the folder at path holds a name ending in ".sql": the first
 * one settles it, as the folder may hold thousands (listing, copying
 * and sorting every name was 5 % of a status at 10,000). */
static int holds_sql(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t len;
	int found = 0;

	while (d && !found && (e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		found = len > 4 && !strcmp(e->d_name + len - 4, ".sql");
	}
	if (d)
		closedir(d);
	return found;
}

/* A variable of the environment, else of the .env files read (vars, a
 * list of gw_placeholder where the last definition wins); NULL when unset
 * or empty. */
static const char *variable(const finder *f, const char *name)
{
	const char *v = getenv(name);
	size_t i;

	for (i = f->vars ? f->vars->len : 0; (!v || !*v) && i > 0; i--) {
		const gw_placeholder *ph = f->vars->items[i - 1];

		if (!strcmp(ph->name, name))
			v = ph->value;
	}
	return v && *v ? v : NULL;
}

/* dbmate, goose and golang-migrate have no configuration file: dbmate's
 * and goose's variables (in the environment or .env, where dbmate reads
 * its own), then the usual migrations/ folder when it holds SQL files. */
static void find_plain(finder *f)
{
	const char *env;

	if ((env = variable(f, "DBMATE_MIGRATIONS_DIR")))
		found_s(f, env, "dbmate's DBMATE_MIGRATIONS_DIR");
	if ((env = variable(f, "GOOSE_MIGRATION_DIR")))
		found_s(f, env, "goose's GOOSE_MIGRATION_DIR");
	if (is_dir(f, "migrations") && holds_sql(in_project(f, "migrations")))
		found_s(f, "migrations",
		        "SQL files in migrations/, as goose and golang-migrate keep them");
}

int gw_discover_dir(gw_found_dir *out, const char *project_dir, const gw_vec *vars)
{
	finder f;
	gw_str list = GW_STR_INIT;
	size_t i;
	int error = 0;

	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	f.project_dir = project_dir;
	f.vars = vars;
	f.dirs = (gw_vec)GW_VEC_INIT;
	f.whys = (gw_vec)GW_VEC_INIT;
	f.path = (gw_str)GW_STR_INIT;
	find_sqitch(&f);
	if (is_dir(&f, "prisma/migrations"))
		found_s(&f, "prisma/migrations", "Prisma's prisma/migrations/");
	if (is_dir(&f, "supabase/migrations"))
		found_s(&f, "supabase/migrations", "the Supabase CLI's supabase/migrations/");
	find_drizzle(&f);
	find_diesel(&f);
	find_flyway(&f);
	find_plain(&f);
	if (f.oom) {
		error = -1;
		goto cleanup;
	}
	if (f.dirs.len == 1) {
		out->dir = f.dirs.items[0];
		out->why = f.whys.items[0];
		f.dirs.len = f.whys.len = 0;
	} else if (f.dirs.len > 1) {
		for (i = 0; i < f.dirs.len; i++)
			gw_str_printf(&list, "%s%s (%s)", i ? ", " : "", (char *)f.dirs.items[i],
			              (char *)f.whys.items[i]);
		if (!(out->ambiguous = gw_str_detach(&list)))
			error = -1;
	}
cleanup:
	gw_vec_dispose(&f.dirs, free);
	gw_vec_dispose(&f.whys, free);
	gw_str_dispose(&f.path);
	gw_str_dispose(&list);
	return error;
}

void gw_found_dir_dispose(gw_found_dir *f)
{
	free(f->dir);
	free(f->why);
	free(f->ambiguous);
	memset(f, 0, sizeof(*f));
}
