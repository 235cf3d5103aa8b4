/*
 * godwit/fleet.h: one command over many databases at once.
 *
 * A fleet is a list of targets, each a database (or a schema of one) that
 * holds the same project's migrations: a database per tenant, per branch
 * or per shard. gw_fleet_run runs one action (up, status, ...) on every
 * target, at most `jobs` at a time, each target as a normal run of its own
 * gw_project: its own connection, runner lock, history and events. The
 * result is one record per target.
 *
 * A run has an id. With a state file (or a control database), each
 * target's result is recorded as it ends, so that a run that was killed,
 * or whose targets failed, can be resumed: gw_fleet_options.resume runs
 * again only the targets that did not finish.
 *
 * Threads: gw_fleet_run starts up to `jobs` threads of its own, each with
 * its own gw_ctx and gw_project per target; the progress callback is
 * called from the calling thread only. gw_fleet_cancel may be called from
 * a signal handler or another thread.
 */
#ifndef GODWIT_FLEET_H
#define GODWIT_FLEET_H

#include "common.h"
#include "errors.h"
#include "project.h"

typedef struct gw_fleet gw_fleet;

typedef struct {
	const char *name;        /* the name given (name=URL), else the database's */
	const char *url;         /* as given, with its password: never show it */
	const char *display_url; /* the password masked */
	const char *host;        /* "host:port" the connections go to */
	const char *file;        /* where the target was listed, for messages */
	int line;                /* 0 when not from a file */
} gw_fleet_target;

GW_EXTERN(int) gw_fleet_new(gw_fleet **out, gw_ctx *ctx);
GW_EXTERN(void) gw_fleet_free(gw_fleet *fleet);
/* Adds one target; name NULL takes the database's name (and schema). A
 * name given twice is GW_EINVALID. */
GW_EXTERN(int) gw_fleet_add(gw_fleet *fleet, const char *name, const char *url);
/* Adds the targets of a targets file's text: one URL or name=URL a line,
 * blank lines and lines starting with # ignored, ${VAR} replaced by the
 * environment variable VAR (unset: an error). `file` names the text in
 * errors, which give its line. */
GW_EXTERN(int)
gw_fleet_parse(gw_fleet *fleet, const char *text, size_t len, const char *file);
/* Reads a targets file ("-": standard input) and parses it. */
GW_EXTERN(int) gw_fleet_read(gw_fleet *fleet, const char *path);
/* One target for each schema of the database at url whose name matches
 * pattern (SQL LIKE, or * and ? as in a shell), each with its own history
 * tables in that schema and the schema as its search_path (the URL's
 * ?schema=). */
GW_EXTERN(int) gw_fleet_add_schemas(gw_fleet *fleet, const char *url, const char *pattern);
/* The targets a query returns on the control database (name, url). */
GW_EXTERN(int) gw_fleet_add_query(gw_fleet *fleet, const char *control_url, const char *query);
GW_EXTERN(size_t) gw_fleet_count(const gw_fleet *fleet);
GW_EXTERN(const gw_fleet_target *) gw_fleet_get(const gw_fleet *fleet, size_t i);

typedef enum {
	GW_FLEET_UP = 1,
	GW_FLEET_STATUS,
	GW_FLEET_DOWN,
	GW_FLEET_TEST,
	GW_FLEET_DRIFT,
	GW_FLEET_HEALTH,
} gw_fleet_action;

/* "up", "status", ... */
GW_EXTERN(const char *) gw_fleet_action_name(gw_fleet_action action);

typedef enum {
	GW_TARGET_NOT_STARTED = 0, /* never started: see not_started_why */
	GW_TARGET_RUNNING,         /* started and not ended (a killed run's) */
	GW_TARGET_DONE,
	GW_TARGET_FAILED,
	GW_TARGET_DONE_BEFORE, /* done by an earlier attempt of the run (resume) */
} gw_target_state;

GW_EXTERN(const char *) gw_target_state_name(gw_target_state state);

typedef struct {
	const gw_fleet_target *target;
	gw_target_state state;
	/* Why a target was not started: "canary failed", "too many failures",
	 * "deadline", "cancelled"; NULL otherwise. */
	const char *not_started_why;
	/* The newest applied version before and after the run; NULL: none. */
	const char *version_before;
	const char *version_after;
	size_t applied; /* migrations applied (up) or reverted (down) */
	/* Status: the migrations pending, changed (checksum), dirty (or
	 * running), missing (applied, no file); for test, drift and health,
	 * found is what the check found (0: clean). */
	size_t pending, changed, dirty, missing;
	size_t found;
	long long duration_ms; /* -1 when not run */
	int attempts;          /* connections refused as too many, then retried */
	/* Failed: the error, as the target's run set it. */
	int error_code;
	const char *error;
	const char *sqlstate;
	const char *summary; /* one line of what the action found, or NULL */
} gw_fleet_result;

typedef struct gw_fleet_report gw_fleet_report;

GW_EXTERN(const char *) gw_fleet_report_run_id(const gw_fleet_report *report);
GW_EXTERN(gw_fleet_action) gw_fleet_report_action(const gw_fleet_report *report);
/* Where the results were recorded: the state file, or the control
 * database's masked URL; NULL when not recorded. */
GW_EXTERN(const char *) gw_fleet_report_state(const gw_fleet_report *report);
GW_EXTERN(size_t) gw_fleet_report_count(const gw_fleet_report *report);
GW_EXTERN(const gw_fleet_result *) gw_fleet_report_get(const gw_fleet_report *report, size_t i);
/* How many results are in the given state. */
GW_EXTERN(size_t)
gw_fleet_report_count_state(const gw_fleet_report *report, gw_target_state state);
GW_EXTERN(long long) gw_fleet_report_duration_ms(const gw_fleet_report *report);
GW_EXTERN(void) gw_fleet_report_free(gw_fleet_report *report);

/* What the run is doing, for a display that redraws itself. */
typedef struct {
	const char *run_id;
	const char *action; /* "up", ... */
	size_t total, done, running, failed, pending;
	/* The slowest running targets (up to 3), longest first. */
	const char *slowest[3];
	long long slowest_ms[3];
	size_t nslowest;
	long long elapsed_ms;
} gw_fleet_progress;

/* Called about ten times a second from the calling thread while the run
 * lasts, and once with NULL when it ends (clear the display). */
typedef void (*gw_fleet_progress_cb)(const gw_fleet_progress *progress, void *payload);

typedef struct {
	unsigned int version;
	gw_fleet_action action;
	/* Every target's project options; url (and the history schema with
	 * a target's ?schema=) is the target's. */
	const gw_project_options *project;
	gw_up_options up;
	gw_down_options down;
	/* The limits below left at 0 take the settings of the same name
	 * from project->config (godwit.conf, GODWIT_JOBS, ...; see
	 * settings.def), else their defaults. */
	/* Targets run at once; default 4. */
	int jobs;
	/* Up and down: run this many targets first; when one of them
	 * fails, start no other. Default: no canary. */
	int canary;
	/* Up and down: start no new target after this many failures
	 * (running ones finish); default 1, GW_OPTION_OFF: no limit. The
	 * other actions change nothing and read every target. */
	int max_failures;
	/* At most this many targets at once on one server (host:port);
	 * default: only jobs limits them. */
	int max_per_host;
	/* After this long, start no new target and cancel the running ones;
	 * default: no limit. */
	int deadline_ms;
	/* Continue the run with this id: targets it recorded as done are not
	 * run again. NULL: a new run. */
	const char *resume;
	/* Where the results are recorded: the control database's
	 * godwit_fleet table when control_url is set, else a JSON file in
	 * state_dir (NULL: ".godwit/fleet" in the project_dir), one per run,
	 * replaced atomically after each target. record = 0 records nothing
	 * (status, which changes nothing, does not need to). */
	const char *control_url;
	const char *state_dir;
	int record;
	gw_fleet_progress_cb progress;
	void *progress_payload;
	/* Called on each target's ctx before it runs, to pass its notices
	 * on (from the target's thread); NULL: they are dropped. */
	gw_notice_cb notice;
	void *notice_payload;
} gw_fleet_options;

#define GW_FLEET_OPTIONS_VERSION 1
#define GW_FLEET_OPTIONS_INIT                                                                      \
	{                                                                                          \
		.version = GW_FLEET_OPTIONS_VERSION                                                \
	}

/* Runs the action on every target. The report's results point at the
 * fleet's targets: free the report before the fleet. Returns 0 when the run could be made
 * (whatever its targets' results: see the report), or an error (on ctx)
 * when it could not: bad options, an unknown run to resume, a state file
 * that cannot be written. */
GW_EXTERN(int)
gw_fleet_run(gw_fleet_report **out, gw_fleet *fleet, const gw_fleet_options *opts, gw_ctx *ctx);

/* Asks a run in progress to stop: no target starts, and the running ones
 * are cancelled (gw_project_cancel). Async-signal-safe. */
GW_EXTERN(void) gw_fleet_cancel(gw_fleet *fleet);

#endif
