/*
 * changed.c: which migration files a branch changed, as git sees them.
 *
 * `lint --since REV` and `test --since REV` look only at the migrations a
 * pull request touches: the files under the migrations folder that differ
 * from REV (deleted ones left out), and the new files git does not track
 * yet, which a developer has written but not committed. git runs without
 * a shell, so a revision needs no quoting; one starting with '-' is
 * refused so it cannot be read as an option.
 */
#include "internal.h"

#include "godwit/lint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/error.h"
#include "../util/proc.h"

/* Appends the .sql files git prints for argv to out (char *), skipping
 * ones already there. */
static int git_lines(gw_vec *out, const char *const *argv, const char *what, gw_ctx *ctx)
{
	gw_str err = GW_STR_INIT;
	FILE *tmp = tmpfile();
	char *line = NULL;
	size_t cap = 0, i;
	ssize_t len;
	int status, error;

	if (!tmp)
		return gw_error_set(ctx, GW_EIO, "cannot make a temporary file for git's output");
	if ((error = gw_proc_run(&status, &err, argv, NULL, fileno(tmp), ctx)) < 0)
		goto cleanup;
	if (status != 0) {
		/* git's first line says what is wrong; a usage text may follow. */
		gw_str_truncate(&err, strcspn(err.ptr, "\r\n"));
		error = gw_error_set(ctx, GW_ERROR,
		                     "git could not list the files changed since %s%s%s", what,
		                     err.size ? ": " : "", err.ptr);
		goto cleanup;
	}
	rewind(tmp);
	while ((len = getline(&line, &cap, tmp)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		for (i = 0; i < out->len && strcmp((const char *)out->items[i], line); i++)
			;
		/* Only SQL files: a drizzle journal or a sqitch plan is not
		 * linted or tested on its own. */
		if (len < 5 || strcmp(line + len - 4, ".sql") || i < out->len)
			continue;
		if (gw_vec_push(out, line) < 0) {
			error = gw_error_oom(ctx);
			goto cleanup;
		}
		line = NULL;
		cap = 0;
	}
cleanup:
	free(line);
	fclose(tmp);
	gw_str_dispose(&err);
	return error;
}

int gw_project_changed_files(char ***out, size_t *count, gw_project *p, const char *rev)
{
	const char *diff[] = {"git",
	                      "diff",
	                      "--name-only",
	                      "--relative",
	                      "--diff-filter=d",
	                      "--end-of-options",
	                      rev,
	                      "--",
	                      gw_project__dir(p),
	                      NULL};
	const char *untracked[] = {"git", "ls-files",         "--others", "--exclude-standard",
	                           "--",  gw_project__dir(p), NULL};
	gw_vec files = GW_VEC_INIT;
	int error;

	*out = NULL;
	*count = 0;
	if (!rev || !*rev || rev[0] == '-')
		return gw_error_set(p->ctx, GW_EINVALID, "'%s' is not a git revision",
		                    rev ? rev : "");
	if ((error = git_lines(&files, diff, rev, p->ctx)) < 0 ||
	    (error = git_lines(&files, untracked, rev, p->ctx)) < 0 ||
	    (error = gw_vec_push(&files, NULL)) < 0) {
		if (error == -1)
			error = gw_error_oom(p->ctx);
		gw_vec_dispose(&files, free);
		return error;
	}
	*count = files.len - 1;
	*out = (char **)files.items;
	return 0;
}

void gw_strings_free(char **strings)
{
	size_t i;

	for (i = 0; strings && strings[i]; i++)
		free(strings[i]);
	free(strings);
}
