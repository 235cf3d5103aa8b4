/*
 * author.c: `godwit new`: creating a migration file in the folder's own
 * convention.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/error.h"
#include "../util/fs.h"

/* Timestamps for native and golang-migrate folders (as dbmate and
 * `migrate create -format` do), dates for dated folders, and the next
 * number, zero-padded like the last one, for numbered rollback pairs. */
/* The newest versioned migration: repeatables sort last but have no
 * number to continue from. */
static const char *last_version(const gw_source *src)
{
	size_t i = src->count;

	while (i-- > 0)
		if (!src->items[i]->repeatable)
			return src->items[i]->version;
	return NULL;
}

static void next_version(gw_str *out, const gw_source *src)
{
	const char *last = last_version(src);
	time_t now = time(NULL);
	struct tm tm;
	char buf[32];

	gmtime_r(&now, &tm);
	if (src->format == GW_FORMAT_DATED) {
		strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
	} else if (src->format == GW_FORMAT_PAIRS || src->format == GW_FORMAT_FLYWAY ||
	           src->format == GW_FORMAT_DRIZZLE ||
	           (src->format == GW_FORMAT_GOLANG && last && strlen(last) < 14)) {
		/* Numbered conventions continue the count, zero-padded like the
		 * last one (Flyway's V1, V2, ...; drizzle's 0000, 0001, ...). */
		if (!last && src->format == GW_FORMAT_DRIZZLE)
			snprintf(buf, sizeof(buf), "0000"); /* drizzle-kit counts from 0 */
		else if (!last)
			snprintf(buf, sizeof(buf), src->format == GW_FORMAT_FLYWAY ? "1" : "0001");
		else
			snprintf(buf, sizeof(buf), "%0*lld", (int)strlen(last),
			         strtoll(last, NULL, 10) + 1);
	} else {
		strftime(buf, sizeof(buf), "%Y%m%d%H%M%S", &tm);
		/* Two migrations made in the same second (generate writes a
		 * second one for CONCURRENTLY) must not share a version. */
		if (last && strlen(last) == 14 && strcmp(buf, last) <= 0)
			snprintf(buf, sizeof(buf), "%lld", strtoll(last, NULL, 10) + 1);
	}
	gw_str_puts(out, buf);
}

/* The folder a new file goes in (perhaps below the migrations folder). */
static int make_parent(gw_ctx *ctx, const char *path)
{
	gw_str parent = GW_STR_INIT;
	int error;

	gw_str_put(&parent, path, (size_t)(strrchr(path, '/') - path));
	error = gw_str_failed(&parent) ? gw_error_oom(ctx) : gw_make_dirs(parent.ptr, 0755, ctx);
	gw_str_dispose(&parent);
	return error;
}

static int valid_name(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++)
		if (!(name[i] == '_' || name[i] == '-' || (name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9')))
			return 0;
	return i > 0 && i <= 200;
}

/* The marker lines of a no-transaction migration in the convention's
 * own syntax (both NULL: godwit's directive), or of a transactional one. */
typedef struct {
	int no_tx;
	const char *up, *down;
} tx_markers;

/* The SQL of a generated migration in the convention's files: after the
 * up marker and after the down marker of a file that holds both (native,
 * goose: the template's first line and the next line that is not blank),
 * else the whole file. A no-transaction migration says so with the
 * convention's own markers where it has them, else with godwit's
 * directive first. */
static int fill(gw_str *body, const char *sql, const char *other, const tx_markers *tx)
{
	gw_str out = GW_STR_INIT;
	const char *t = body->ptr, *eol = strchr(t, '\n'), *mark2 = NULL;
	int own;

	if (other && eol && strncmp(t, "--", 2) == 0) {
		for (mark2 = eol + 1; *mark2 == '\n'; mark2++)
			;
		if (!*mark2)
			mark2 = NULL;
	}
	own = tx->no_tx && tx->up && mark2;
	if (tx->no_tx && !own)
		gw_str_puts(&out, "-- godwit:no-transaction\n");
	if (mark2) {
		if (own)
			gw_str_printf(&out, "%s\n", tx->up);
		else
			gw_str_put(&out, t, (size_t)(eol - t) + 1);
		gw_str_puts(&out, sql);
		gw_str_putc(&out, '\n');
		if (own)
			gw_str_puts(&out, tx->down);
		else
			gw_str_put(&out, mark2, strcspn(mark2, "\n"));
		gw_str_putc(&out, '\n');
		gw_str_puts(&out, other);
	} else {
		gw_str_puts(&out, sql);
	}
	if (out.failed) {
		gw_str_dispose(&out);
		return GW_ENOMEM;
	}
	gw_str_dispose(body);
	*body = out;
	return 0;
}

int gw_project_new_migration(char **path_out, gw_project *p, const char *name)
{
	return gw_project__write_migration(path_out, p, name, NULL, NULL, 0);
}

int gw_project__write_migration(char **path_out, gw_project *p, const char *name, const char *up,
                                const char *down, int no_tx)
{
	gw_str version = GW_STR_INIT, up_name = GW_STR_INIT, up_body = GW_STR_INIT;
	gw_str down_name = GW_STR_INIT, down_body = GW_STR_INIT, path = GW_STR_INIT;
	gw_str down_path = GW_STR_INIT;
	gw_source *src;
	tx_markers tx = {no_tx, NULL, NULL};
	int error, down_made = 0;

	*path_out = NULL;
	if (!valid_name(name))
		return gw_error_set(p->ctx, GW_EINVALID,
		                    "migration name '%s' may only use letters, digits, '_' and '-'",
		                    name);
	if ((error = gw_make_dirs(gw_project__dir(p), 0755, p->ctx)) < 0 ||
	    (error = gw_project__source(&src, p)) < 0)
		goto cleanup;
	if ((error = gw_source_check_new(src, name, p->ctx)) < 0)
		goto cleanup;
	next_version(&version, src);
	if (no_tx && gw_source_no_tx_markers(src->format, &tx.up, &tx.down) < 0)
		tx.up = tx.down = NULL;
	if (gw_source_new_files(&up_name, &up_body, &down_name, &down_body, src->format,
	                        version.ptr, name) < 0 ||
	    gw_project__path(&path, p, up_name.ptr) < 0 ||
	    (up && fill(&up_body, up,
	                down_name.size ? NULL
	                : down         ? down
	                               : "",
	                &tx) < 0) ||
	    (up && down_name.size && fill(&down_body, down ? down : "", NULL, &tx) < 0)) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	/* diesel and Prisma keep each migration in a folder of its own,
	 * sqitch each kind of script. */
	if ((error = make_parent(p->ctx, path.ptr)) < 0)
		goto cleanup;
	if ((error = gw_file_create(path.ptr, up_body.ptr, up_body.size, p->ctx)) < 0)
		goto cleanup;
	if (down_name.size) {
		if (gw_project__path(&down_path, p, down_name.ptr) < 0)
			error = gw_error_oom(p->ctx);
		else if ((error = make_parent(p->ctx, down_path.ptr)) == 0 &&
		         (error = gw_file_create(down_path.ptr, down_body.ptr, down_body.size,
		                                 p->ctx)) == 0)
			down_made = 1;
	}
	if (error == 0)
		error = gw_source_register_new(src, version.ptr, name, p->ctx);
	if (error < 0) {
		/* A file the convention's list (drizzle's journal, sqitch's
		 * plan) does not name would stop every later load: a new
		 * migration is all of it or nothing. */
		unlink(path.ptr);
		if (down_made)
			unlink(down_path.ptr);
		goto cleanup;
	}
	/* The set read before is stale now. */
	gw_source_free(p->source);
	p->source = NULL;
	*path_out = gw_str_detach(&path);
cleanup:
	gw_str_dispose(&version);
	gw_str_dispose(&up_name);
	gw_str_dispose(&up_body);
	gw_str_dispose(&down_name);
	gw_str_dispose(&down_body);
	gw_str_dispose(&down_path);
	gw_str_dispose(&path);
	return error;
}
