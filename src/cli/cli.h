/*
 * cli.h: what the godwit commands share.
 *
 * main.c parses the command line against the command table, loads the
 * configuration and opens the project as the command's `.needs` ask, then
 * calls its `.run` with the parsed options and arguments. A command only
 * calls the library and prints; output.c holds the printing that several
 * commands share (colors, JSON, errors, progress notices). The CLI sees the
 * library through its public headers only, like any other program would,
 * but for mhd.c, which loads libmicrohttpd with src/util/dl.c's loader as
 * the driver loads libpq.
 */
#ifndef GW_CLI_H
#define GW_CLI_H

#include <pthread.h>
#include <stdio.h>

#include <jansson.h>

#include "godwit.h"
#include "godwit/config.h"

/* The only exit codes godwit uses (documented in `godwit help`). */
enum {
	GW_EXIT_OK = 0,     /* success */
	GW_EXIT_FAILED = 1, /* the operation failed */
	GW_EXIT_USAGE = 2,  /* unknown command or option, bad or missing argument */
	GW_EXIT_FOUND = 3,  /* a check found something (status --exit-code) */
	GW_EXIT_AFTER = 4,  /* done, but a step after it failed (schema_strict) */
};

/* What main.c prepares before a command runs. */
enum {
	GW_NEEDS_CONFIG = 1 << 0,  /* godwit.conf, .env, environment, flags */
	GW_NEEDS_PROJECT = 1 << 1, /* an open gw_project (implies config) */
	GW_NEEDS_DB = 1 << 2,      /* the command talks to the database */
	/* A run: its start and end are events, for the audit log and
	 * notifications (gw_project_run_begin). */
	GW_NEEDS_RUN = 1 << 3,
};

typedef enum { GW_OUTPUT_TEXT = 0, GW_OUTPUT_JSON } gw_output;

/* One option of a command (or a global one); a table ends with id 0. */
typedef struct gw_opt {
	int id;
	const char *name; /* the long name, without "--" */
	char short_name;  /* 0 when none */
	const char *arg;  /* the value's placeholder ("V"); NULL for a flag */
	const char *help;
} gw_opt;

typedef struct {
	int id;
	const char *value; /* NULL for a flag */
} gw_optval;

/* A command's options in the order given, and its positional arguments. */
typedef struct gw_args {
	gw_optval *opts;
	size_t nopts;
	char **pos;
	size_t npos;
} gw_args;

typedef struct gw_cli gw_cli;

/* More settings flags than this are not offered on the command line. */
#define GW_CLI_MAX_FLAGS 64

typedef struct gw_cmd {
	const char *name;
	const char *const *aliases; /* NULL-terminated, or NULL */
	const char *summary;        /* one line for the command list */
	const char *usage;          /* what follows "godwit " */
	const char *description;    /* a paragraph for `help COMMAND`, or NULL */
	const gw_opt *options;      /* NULL when none */
	unsigned int min_args;
	unsigned int max_args;
	unsigned int needs;
	int (*run)(gw_cli *cli, const gw_args *args); /* returns an exit code */
} gw_cmd;

struct gw_cli {
	gw_ctx *ctx;
	gw_config *config;
	gw_project *project;
	const gw_cmd *cmd;
	gw_output output;
	int color_out; /* stdout may be colored */
	int color_err; /* stderr may be colored */

	/* Global options, NULL when not given; flags[i] is the value of
	 * gw_config_flags()[i]. */
	const char *env;
	const char *config_file;
	const char *env_file;
	const char *flags[GW_CLI_MAX_FLAGS];
	int yes;         /* --yes: confirmed without a terminal */
	int force;       /* --force: destructive commands in a protected environment */
	int verbose;     /* --verbose: each statement as it is sent, notices with positions */
	int no_progress; /* --no-progress: no progress line even on a terminal */
	int help;
	int version;

	struct gw_runlog *runlog; /* the run's log (log_dir), runlog.c */

	/* What the notice callback saw. The arrays are only kept for JSON. */
	size_t n_applied;
	size_t n_reverted;
	json_t *applied;
	json_t *reverted;
	json_t *skipped;

	/* The progress line on stderr (a terminal): drawn from the library's
	 * progress thread, erased by whatever prints next; out_lock keeps
	 * the two from mixing. */
	pthread_mutex_t out_lock;
	int progress_shown;
	long long progress_drawn_ms;
};

/* The command table (main.c), NULL-terminated, and the global options:
 * the settings' flags (from the library's list of settings) and the
 * others. */
extern const gw_cmd *const gw_commands[];
extern const gw_opt gw_global_options[];
const gw_opt *gw_cli_setting_options(void);
const gw_cmd *gw_cli_find_command(const char *name);

/* Every command's table entry, one per cmd_<name>.c. */
extern const gw_cmd gw_cmd_init;
extern const gw_cmd gw_cmd_completion;
extern const gw_cmd gw_cmd_new;
extern const gw_cmd gw_cmd_generate;
extern const gw_cmd gw_cmd_status;
extern const gw_cmd gw_cmd_up;
extern const gw_cmd gw_cmd_down;
extern const gw_cmd gw_cmd_redo;
extern const gw_cmd gw_cmd_history;
extern const gw_cmd gw_cmd_repair;
extern const gw_cmd gw_cmd_resolve;
extern const gw_cmd gw_cmd_schema;
extern const gw_cmd gw_cmd_test;
extern const gw_cmd gw_cmd_drift;
extern const gw_cmd gw_cmd_health;
extern const gw_cmd gw_cmd_backup;
extern const gw_cmd gw_cmd_backups;
extern const gw_cmd gw_cmd_restore;
extern const gw_cmd gw_cmd_reset;
extern const gw_cmd gw_cmd_seed;
extern const gw_cmd gw_cmd_config;
extern const gw_cmd gw_cmd_validate;
extern const gw_cmd gw_cmd_lint;
extern const gw_cmd gw_cmd_plan;
extern const gw_cmd gw_cmd_baseline;
extern const gw_cmd gw_cmd_adopt;
extern const gw_cmd gw_cmd_version;
extern const gw_cmd gw_cmd_help;
extern const gw_cmd gw_cmd_create;
extern const gw_cmd gw_cmd_drop;
extern const gw_cmd gw_cmd_wait;
extern const gw_cmd gw_cmd_serve;
extern const gw_cmd gw_cmd_graph;

/* cmd_schema.c: snapshot options
 * from the command line (`names` holds the --schema values; free it), a
 * snapshot from any schema source of gw_schema_load (a file, a URL, DDL
 * and migrations replayed on an ephemeral database on dev_url's server,
 * NULL: the project's), a difference printed as text (each line after
 * `indent`) or as JSON. */
int gw_cli_schema_options(gw_schema_options *opts, const char ***names, const gw_args *args);
int gw_cli_load_source(gw_cli *cli, gw_schema **out, const char *spec,
                       const gw_schema_options *opts, const char *dev_url);
int gw_cli_print_diff(gw_cli *cli, const gw_schema_diff *d, const char *indent);
json_t *gw_cli_diff_json(const gw_schema_diff *d);

/* The JSON documents of `status`, `health` and `history` (from the
 * events at index first on), also served by `godwit serve`; and the
 * names of gw_check_status's values ("ok", "warn", "fail"). With a graph
 * (gw_project_graph, whose status st is), each migration also lists the
 * versions it depends on. */
json_t *gw_cli_status_json(const gw_project *project, const gw_config *config, const gw_status *st,
                           const gw_graph *graph);
json_t *gw_cli_health_json(const gw_report *r);
json_t *gw_cli_history_json(const gw_history *h, size_t first);
extern const char *const gw_cli_check_names[];
/* An error as the "error" object of a JSON failure: code, message,
 * sqlstate, file, line, column, hint. */
json_t *gw_cli_error_json(const gw_error *e);

/* cmd_help.c, also used by main.c for `godwit`, --help and COMMAND --help. */
int gw_help_overview(FILE *out);
int gw_help_command(FILE *out, const gw_cmd *cmd);
/* cmd_version.c, also used by main.c for --version. */
int gw_version_print(gw_cli *cli);

/* ---- output.c ------------------------------------------------------------ */

/* SGR sequences, or "" when that stream is not to be colored. */
#define GW_SGR_RESET  "0"
#define GW_SGR_BOLD   "1"
#define GW_SGR_DIM    "2"
#define GW_SGR_RED    "31"
#define GW_SGR_GREEN  "32"
#define GW_SGR_YELLOW "33"
#define GW_SGR_CYAN   "36"

/* Decides coloring from isatty, NO_COLOR and TERM. */
void gw_cli_detect_colors(gw_cli *cli);
/* Writes s to out in the given SGR color (when out may be colored),
 * padded with spaces to `width` display columns (0: no padding). */
void gw_out_cell(const gw_cli *cli, FILE *out, const char *sgr, const char *s, int width);
/* The same cell written at `at`, which has room for strlen(s), width and
 * GW_OUT_SGR_MAX bytes; returns where it ends. For a line made in one
 * buffer and written in one call. */
#define GW_OUT_SGR_MAX 32
char *gw_out_cell_at(const gw_cli *cli, FILE *out, char *at, const char *sgr, const char *s,
                     int width);
/* Display columns of a UTF-8 string (one per character). */
int gw_out_width(const char *s);
/* The same of s whose length, len, is known. */
int gw_out_width_n(const char *s, size_t len);

/* Prints the context's error for library return code rc (text on stderr,
 * or JSON on stdout) and returns GW_EXIT_FAILED (GW_EXIT_AFTER for
 * GW_EAFTER: the change itself was made). */
int gw_cli_fail(gw_cli *cli, int rc);
/* Prints a refusal that is not a library error (with an optional hint) and
 * returns GW_EXIT_FAILED. */
int gw_cli_refuse(gw_cli *cli, const char *hint, const char *fmt, ...) GW_FORMAT_PRINTF(3, 4);
/* hint.c: an error's hint as the CLI words it (its flags and commands
 * for a hint code), in buf or e->hint. */
const char *gw_cli_hint(const gw_error *e, char *buf, size_t size);
/* The same for a report's text (a check's summary, a finding's message,
 * an adopt problem) whose action h codes: in buf, or text itself. */
const char *gw_cli_hint_text(const gw_text_hint *h, const char *text, char *buf, size_t size);
/* The CLI's wording of a check's summary and a finding's message. */
#define GW_CLI_TEXT_MAX 4096

/* guard.c: in a protected environment, asks for the typed environment name
 * on a terminal, or wants --yes (and --force with GW_GUARD_FORCE) before it
 * lets the command `what` ("apply 3 migrations") go on; returns GW_EXIT_OK
 * to go on, or the exit code of the refusal it printed. */
enum {
	GW_GUARD_FORCE = 1 << 0,  /* a protected environment also needs --force */
	GW_GUARD_ALWAYS = 1 << 1, /* confirm in every environment, not only protected ones */
};
int gw_cli_guard(gw_cli *cli, const char *what, unsigned int flags);

/* Prints a usage error and returns GW_EXIT_USAGE. */
int gw_cli_usage(gw_cli *cli, const char *fmt, ...) GW_FORMAT_PRINTF(2, 3);
/* `godwit: warning: ...` on stderr. */
void gw_cli_warn(gw_cli *cli, const char *fmt, ...) GW_FORMAT_PRINTF(2, 3);

/* The library's progress reports, printed (text) or collected (JSON). */
void gw_cli_notice(const gw_notice *notice, void *payload);
/* Shows what runs on a progress line when stderr is a terminal (and not
 * --no-progress, TERM=dumb or JSON output). */
void gw_cli_progress_setup(gw_cli *cli);
/* Whether a progress line is drawn (stderr a terminal, ... as above). */
int gw_cli_progress_wanted(const gw_cli *cli);
/* Draws text as the progress line (at most ten times a second), or erases
 * it (NULL). */
void gw_cli_progress_line(gw_cli *cli, const char *text);
/* Stops (mute = 1) or restarts reporting the library's notices: a plan made
 * only to count what a run will do would say each notice the run says again. */
void gw_cli_mute_notices(gw_cli *cli, int mute);

/* JSON values that never fail on odd input: NULL becomes null, and bytes
 * that are not UTF-8 become U+FFFD (jansson refuses them). */
json_t *gw_json_str(const char *s);
json_t *gw_json_bool(int b);
/* -1 (unknown) becomes null. */
json_t *gw_json_ms(long long ms);
/* Sets key to value (stealing it); a NULL value (out of memory) marks the
 * object so that gw_json_print reports the failure. */
void gw_json_set(json_t *obj, const char *key, json_t *value);
void gw_json_append(json_t *array, json_t *value);
/* Prints root on stdout, frees it, and returns an exit code. */
int gw_json_print(gw_cli *cli, json_t *root);
/* Whether a value could not be built since the last call (or the last
 * gw_json_print), for a caller that prints the document itself; clears it. */
int gw_json_take_failed(void);

/* Prints what up or down would do (--dry-run): each step's header and
 * SQL as text that psql could run, or {"plan": [...]}. `nothing` is the
 * line for an empty plan. */
int gw_cli_print_plan(gw_cli *cli, const gw_plan *plan, const char *nothing);
/* The plan's steps as a JSON array, as gw_cli_print_plan gives them. */
json_t *gw_cli_plan_json(const gw_plan *plan);

/* runlog.c: with log_dir set, the run's log: from _start on, what
 * stdout and stderr show (without colour) and each statement sent
 * (gw_cli_log_statement, from the notices) go to
 * LOG_DIR/godwit-YYYYmmddTHHMMSSZ-ENV.log, until _finish. Meanwhile
 * stdout and stderr are pipes: whether they are terminals (colours,
 * anything drawn in place) is decided before, as gw_cli_detect_colors
 * does in main. */
void gw_cli_log_start(gw_cli *cli);
void gw_cli_log_statement(gw_cli *cli, const gw_notice *notice);
void gw_cli_log_finish(gw_cli *cli);
/* The real stderr: the runlog's copy of it while the log is written,
 * else STDERR_FILENO; where the progress line is decided and drawn. */
int gw_cli_log_stderr(const gw_cli *cli);
/* Draws line as the progress line on the real stderr, never into the
 * log (NULL erases it); only while the log is written. */
void gw_cli_log_progress(gw_cli *cli, const char *line);

/* Parses a whole positive number into *out; -1 when it is not one. */
/* interrupt.c: SIGINT and SIGTERM print MESSAGE (a string that lives as
 * long as the handler) and call CANCEL(TARGET); a second signal exits at
 * once. gw_cli_release_interrupts forgets TARGET before it is freed;
 * gw_cli_interrupted is the signal caught, or 0. */
typedef void (*gw_cli_cancel_fn)(void *target);
void gw_cli_catch_interrupts(gw_cli_cancel_fn cancel, void *target, const char *message);
void gw_cli_release_interrupts(void);
int gw_cli_interrupted(void);

int gw_parse_count(const char *s, int *out);

#endif
