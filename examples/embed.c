/*
 * embed.c: a C program that embeds libgodwit to do what `godwit status`,
 * `godwit up` and `godwit history` do: list the migrations of a project with
 * their state, apply the pending ones, and print the history of events.
 *
 *   make            (or: cc -o embed embed.c $(pkg-config --cflags --libs godwit))
 *   ./embed [MIGRATIONS_DIR [DATABASE_URL]]
 *
 * MIGRATIONS_DIR defaults to db/migrations; without DATABASE_URL the library
 * uses its embedded SQLite database in the current folder. Errors come from
 * the gw_ctx the calls were given: a code, a message and, when known, the
 * file, line and column, the SQLSTATE and a hint.
 */
#include <stdio.h>
#include <stdlib.h>

#include <godwit.h>

static void print_error(const gw_ctx *ctx, const char *what)
{
	const gw_error *err = gw_ctx_error(ctx);

	if (!err) {
		fprintf(stderr, "embed: %s failed\n", what);
		return;
	}
	fprintf(stderr, "embed: %s failed: %s [%s]\n", what, err->message,
	        gw_error_code_name(err->code));
	if (err->file[0])
		fprintf(stderr, "  at %s:%d:%d\n", err->file, err->line, err->column);
	if (err->sqlstate[0])
		fprintf(stderr, "  SQLSTATE %s\n", err->sqlstate);
	if (err->hint[0])
		fprintf(stderr, "  hint: %s\n", err->hint);
}

/* Progress reported by the library while it works. */
static void on_notice(const gw_notice *n, void *payload)
{
	(void)payload;
	switch (n->kind) {
	case GW_NOTICE_APPLIED:
		printf("  applied %s %s (%lld ms)\n", n->version, n->name, n->duration_ms);
		break;
	case GW_NOTICE_WARNING:
		fprintf(stderr, "  warning: %s\n", n->message);
		break;
	default:
		break;
	}
}

static int print_status(gw_project *project)
{
	gw_status *status = NULL;
	size_t i;

	if (gw_project_status(&status, project) < 0)
		return -1;
	for (i = 0; i < gw_status_count(status); i++) {
		const gw_status_entry *e = gw_status_get(status, i);

		printf("  %-12s %s %s\n", gw_state_name(e->state), e->version, e->name);
	}
	printf("  (%zu migrations, %zu pending)\n", gw_status_count(status),
	       gw_status_count_state(status, GW_STATE_PENDING));
	gw_status_free(status);
	return 0;
}

static int print_history(gw_project *project)
{
	gw_history *history = NULL;
	size_t i;

	if (gw_project_history(&history, project, NULL, 0) < 0)
		return -1;
	for (i = 0; i < gw_history_count(history); i++) {
		const gw_event *ev = gw_history_get(history, i);

		printf("  %s %-8s %s %s", ev->at, ev->action, ev->version ? ev->version : "-",
		       ev->name ? ev->name : "-");
		if (ev->error)
			printf(" error: %s", ev->error);
		printf("\n");
	}
	gw_history_free(history);
	return 0;
}

int main(int argc, char **argv)
{
	gw_project_options opts = GW_PROJECT_OPTIONS_INIT;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_project *project = NULL;
	gw_ctx *ctx = NULL;
	size_t applied = 0;
	int status = EXIT_FAILURE;

	opts.dir = argc > 1 ? argv[1] : "db/migrations";
	opts.url = argc > 2 ? argv[2] : NULL;
	opts.application_name = "godwit-embed-example";
	/* Settings come in groups (lock, timeouts, preflight, backup); 0
	 * keeps the default and GW_OPTION_OFF turns a limit off. */
	opts.timeouts.lock_ms = 2000;

	if (gw_ctx_new(&ctx) < 0) {
		fprintf(stderr, "embed: out of memory\n");
		return EXIT_FAILURE;
	}
	gw_ctx_set_notice_cb(ctx, on_notice, NULL);

	printf("libgodwit %s (headers %s)\n", gw_library_version(), GODWIT_VERSION);
	if (gw_project_open(&project, &opts, ctx) < 0) {
		print_error(ctx, "opening the project");
		goto cleanup;
	}
	printf("database: %s (%s)\n", gw_project_display_url(project),
	       gw_project_driver_name(project));

	printf("status:\n");
	if (print_status(project) < 0) {
		print_error(ctx, "status");
		goto cleanup;
	}

	printf("up:\n");
	if (gw_project_up(&applied, project, &up) < 0) {
		print_error(ctx, "up");
		goto cleanup;
	}
	printf("  %zu migration(s) applied\n", applied);

	printf("history:\n");
	if (print_history(project) < 0) {
		print_error(ctx, "history");
		goto cleanup;
	}
	status = EXIT_SUCCESS;

cleanup:
	gw_project_free(project);
	gw_ctx_free(ctx);
	return status;
}
