/*
 * init.c: a new project's files (godwit/init.h).
 *
 * The godwit.conf written here is the one place a new user reads about
 * environments, so it explains itself in comments. Its preview and
 * production sections name no url: the variables the hosting platforms set
 * are already read in the right order (direct connections before pooled
 * ones, config.c), which ${VAR:-default} could not express, as it does not
 * nest.
 */
#include "godwit/init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/error.h"
#include "../util/fs.h"
#include "../util/str.h"

/* The text between the comments a program words itself (hint codes, the
 * context's wording): how the environment is chosen, how a migration is
 * made, what a protected environment asks for. */
static const char conf_head[] =
        "# godwit.conf: which database each environment migrates, and how.\n";
static const char conf_vars[] =
        "# ${VAR} and ${VAR:-default} are read from the environment, .env.local\n"
        "# and .env (in that order).\n"
        "\n";
static const char conf_envs[] =
        "dir = db/migrations\n"
        "\n"
        "# Your machine: a SQLite file, nothing to install (.gitignore skips it).\n"
        "# For a local PostgreSQL: url = postgres://localhost/myapp_dev\n"
        "[env.development]\n"
        "url = sqlite:db/development.sqlite3\n"
        "\n"
        "# Preview deployments and pull-request checks, on PostgreSQL. No url\n"
        "# here: it is the first of these variables that is set, direct\n"
        "# connections first, as migrations need a session of their own:\n"
        "#   POSTGRES_URL_NON_POOLING  Vercel Postgres, Supabase\n"
        "#   DATABASE_URL_UNPOOLED     Neon\n"
        "#   DIRECT_URL                Prisma's convention\n"
        "#   DATABASE_URL, POSTGRES_URL (pooled, when nothing else is set)\n"
        "# Or name it: url = ${MY_PREVIEW_DATABASE_URL}\n"
        "[env.preview]\n"
        "protected = false\n"
        "\n"
        "# Production, from the same variables. Protected: ";
static const char conf_tail[] = "[env.production]\n"
                                "protected = true\n"
                                "lock_wait = 300\n";

/* The godwit.conf of a new project, in ctx's words. */
static int conf_text(gw_str *out, const gw_ctx *ctx)
{
	gw_str_puts(out, conf_head);
	gw_ctx__word(ctx, out, GW_HINT_CONF_ENVIRONMENT, NULL, NULL, NULL);
	gw_str_puts(out, conf_vars);
	gw_ctx__word(ctx, out, GW_HINT_CONF_NEW, NULL, NULL, NULL);
	gw_str_puts(out, conf_envs);
	gw_ctx__word(ctx, out, GW_HINT_CONF_PROTECTED, NULL, NULL, NULL);
	gw_str_puts(out, conf_tail);
	return gw_str_failed(out) ? -1 : 0;
}

/* Lines .gitignore needs: the SQLite databases (with SQLite's side files)
 * and the backups godwit writes (backup_dir's default). */
static const char *const ignore_lines[] = {
        "/db/*.sqlite3",     "/db/*.sqlite3-journal", "/db/*.sqlite3-wal",
        "/db/*.sqlite3-shm", "/db/backups/",          NULL,
};

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int has_line(const gw_str *text, const char *line)
{
	size_t len = strlen(line);
	const char *p = text->ptr, *end = text->ptr + text->size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (n && p[n - 1] == '\r')
			n--;
		if (n == len && memcmp(p, line, len) == 0)
			return 1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* Appends at the end whatever the file's content; never rewrites it. */
static int append_file(const char *path, const char *data, size_t len, gw_ctx *ctx)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	size_t done = 0;
	ssize_t n;
	int error = 0;

	if (fd < 0)
		return gw_error_set(ctx, GW_EIO, "cannot write %s: %s", path, strerror(errno));
	while (done < len) {
		if ((n = write(fd, data + done, len - done)) < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = gw_error_set(ctx, GW_EIO, "cannot write %s: %s", path,
			                     strerror(errno));
			break;
		}
		done += (size_t)n;
	}
	if (close(fd) < 0 && !error)
		error = gw_error_set(ctx, GW_EIO, "cannot write %s: %s", path, strerror(errno));
	return error;
}

static int init_gitignore(gw_init_action *action, const char *path, gw_ctx *ctx)
{
	gw_str old = GW_STR_INIT, add = GW_STR_INIT;
	int had = exists(path), error = 0;
	size_t i;

	if (had && (error = gw_file_read(&old, path, GW_FILE_MAX, ctx)) < 0)
		goto cleanup;
	for (i = 0; ignore_lines[i]; i++) {
		if (has_line(&old, ignore_lines[i]))
			continue;
		if (add.size == 0) {
			if (old.size && old.ptr[old.size - 1] != '\n')
				gw_str_putc(&add, '\n');
			gw_str_puts(&add, old.size ? "\n# godwit: SQLite databases and backups\n"
			                           : "# godwit: SQLite databases and backups\n");
		}
		gw_str_printf(&add, "%s\n", ignore_lines[i]);
	}
	if (gw_str_failed(&add)) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	*action = !had ? GW_INIT_CREATED : add.size ? GW_INIT_APPENDED : GW_INIT_EXISTS;
	if (!had)
		error = gw_file_create(path, add.ptr, add.size, ctx);
	else if (add.size)
		error = append_file(path, add.ptr, add.size, ctx);
cleanup:
	gw_str_dispose(&old);
	gw_str_dispose(&add);
	return error;
}

int gw_project_init(gw_init_item items[GW_INIT_ITEMS], size_t *nitems, const char *dir, gw_ctx *ctx)
{
	gw_str path = GW_STR_INIT, conf = GW_STR_INIT;
	int error = 0;

	*nitems = 0;
	if (!dir || !*dir)
		dir = ".";
	if (gw_path_is_dir(dir) != 1)
		return gw_error_set(ctx, GW_EIO, "%s is not a folder; create it first", dir);

	if (gw_path_join(&path, dir, "db/migrations") < 0)
		goto oom;
	items[0].path = "db/migrations/";
	items[0].action = exists(path.ptr) ? GW_INIT_EXISTS : GW_INIT_CREATED;
	if (items[0].action == GW_INIT_CREATED && (error = gw_make_dirs(path.ptr, 0777, ctx)) < 0)
		goto cleanup;
	*nitems = 1;

	gw_str_clear(&path);
	if (gw_path_join(&path, dir, "godwit.conf") < 0)
		goto oom;
	items[1].path = "godwit.conf";
	items[1].action = exists(path.ptr) ? GW_INIT_EXISTS : GW_INIT_CREATED;
	if (items[1].action == GW_INIT_CREATED && conf_text(&conf, ctx) < 0)
		goto oom;
	if (items[1].action == GW_INIT_CREATED &&
	    (error = gw_file_create(path.ptr, conf.ptr, conf.size, ctx)) < 0)
		goto cleanup;
	*nitems = 2;

	gw_str_clear(&path);
	if (gw_path_join(&path, dir, ".gitignore") < 0)
		goto oom;
	items[2].path = ".gitignore";
	if ((error = init_gitignore(&items[2].action, path.ptr, ctx)) < 0)
		goto cleanup;
	*nitems = 3;
cleanup:
	gw_str_dispose(&path);
	gw_str_dispose(&conf);
	return error;
oom:
	error = gw_error_oom(ctx);
	goto cleanup;
}
