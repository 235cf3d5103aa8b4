/*
 * godwit/project.h: one project's migrations against one database.
 *
 * A gw_project ties a migrations folder to a database URL. Opening it reads
 * nothing; the folder is scanned and the database connected when a call
 * needs them. Everything the CLI does goes through these calls.
 *
 * Threads and callbacks. A gw_project and its gw_ctx are used from one
 * thread at a time (gw_project_cancel excepted). These start threads of
 * their own, each with its own connection or context:
 * - the folder's thread: on PostgreSQL, the first call of a project that
 *   needs both the folder and the database (gw_project_status, the plans,
 *   gw_project_up, _down, _redo, and the calls built on them such as the
 *   health check, backups, test and drift) reads the folder on a thread
 *   while the calling thread opens the connection (gw_project_status
 *   reads the history tables on it too), and joins it before going on;
 * - the lease heartbeat: with lock_table set, every call that takes the
 *   runner lock (up, down, redo, repair, resolve, baseline, adopt, seed,
 *   reset, restore) renews its lease from a thread, stopped and joined when
 *   the call gives the lock back (at the latest in gw_project_free).
 * - the progress thread: with a progress callback set (gw_project_set_progress),
 *   up, down and redo report what runs from a thread, with a connection of
 *   its own on PostgreSQL, stopped and joined when the run ends; a call
 *   that waits for the runner lock reports the wait from it too;
 * - the schema snapshot: on PostgreSQL, a gw_schema_snapshot that opens
 *   the project's connection itself (nothing connected the project
 *   before it) reads constraints and indexes on a second session from a
 *   thread, joined before it returns;
 * - the notification sender: with notify set, the first event of the
 *   project (or gw_project_run_begin) starts a thread that sends them,
 *   stopped and joined in gw_project_free.
 * The ctx's notice callback is called on the calling thread, except for the
 * notices of files in the folder that are no migration (GW_NOTICE_INFO,
 * "... is not a migration"), which may come from the folder's thread
 * while the calling thread connects: a callback that keeps state must
 * lock it. The
 * progress callback is called from the progress thread (see
 * gw_project_set_progress). The heartbeat, the snapshot's thread and the
 * sender call no callback: a lease the heartbeat could not renew stops
 * the run with GW_ELOCK before the next migration, and what the sender
 * could not send is a warning on the calling thread at the run's end.
 */
#ifndef GODWIT_PROJECT_H
#define GODWIT_PROJECT_H

#include "common.h"
#include "errors.h"

typedef struct gw_project gw_project;
typedef struct gw_config gw_config;

/* Migration folder conventions (docs/formats.md). */
typedef enum {
	GW_FORMAT_AUTO = 0,
	GW_FORMAT_NATIVE,  /* 20240101120000_name.sql with -- migrate:up/down */
	GW_FORMAT_GOLANG,  /* 1_name.up.sql + 1_name.down.sql */
	GW_FORMAT_PAIRS,   /* 0006_name.sql + 0006_name_rollback.sql */
	GW_FORMAT_DATED,   /* 2026-01-21_name.sql (+ _rollback.sql), @depends-on */
	GW_FORMAT_FLYWAY,  /* V1.2__name.sql + U1.2__name.sql, R__name.sql */
	GW_FORMAT_GOOSE,   /* 20240101120000_name.sql with -- +goose Up/Down */
	GW_FORMAT_DIESEL,  /* 2023-07-05-000058_name/up.sql + down.sql */
	GW_FORMAT_PRISMA,  /* 20240101120000_name/migration.sql */
	GW_FORMAT_DRIZZLE, /* 0000_name.sql ordered by meta/_journal.json */
	GW_FORMAT_MULTI,   /* 1_name[.postgres|.sqlite3][.autocommit].up.sql + .down.sql */
	GW_FORMAT_SQITCH,  /* sqitch.plan with deploy/, revert/ and verify/ scripts */
} gw_format;

/* "native", "golang-migrate", ...; NULL for an unknown value. A convention
 * added after these has no enumerator: it is a value past the last one,
 * found by its name with gw_format_parse and named by gw_format_name. */
GW_EXTERN(const char *) gw_format_name(gw_format format);
/* Accepts every convention's name and a few aliases; -1 when unknown. */
GW_EXTERN(int) gw_format_parse(gw_format *out, const char *name);

/* What up does when a pre-flight check fails. */
typedef enum {
	GW_PREFLIGHT_ABORT = 0, /* refuse, changing nothing (the default) */
	GW_PREFLIGHT_WAIT,      /* poll until it passes, then abort */
	GW_PREFLIGHT_WARN,      /* say so and go on */
	GW_PREFLIGHT_OFF,       /* do not check */
} gw_preflight_mode;

/* In the option groups below, 0 always asks for the library's default
 * (the same as godwit.conf's), and GW_OPTION_OFF turns a limit, a wait or
 * a check off. */
#define GW_OPTION_OFF (-1)

/* The runner lock: one runner at a time per database. */
typedef struct {
	/* How long to wait for another runner; 0 = 60 s, GW_OPTION_OFF = do
	 * not wait. Also how long SQLite waits for its write lock. */
	int wait_ms;
	/* A lease row renewed by a heartbeat instead of a session advisory
	 * lock, for PgBouncer in transaction mode; a killed runner's lease
	 * lapses after lease_ms (0 = 60 s). */
	int table;
	int lease_ms;
} gw_lock_options;

/* Live traffic first (PostgreSQL): each migration runs with these
 * timeouts, and one that fails on a lock timeout (55P03) or a deadlock
 * (40P01) is rolled back and retried with backoff. */
typedef struct {
	int lock_ms;      /* 0 = 5 s */
	int statement_ms; /* 0 = no limit */
	int retries;      /* 0 = 5 */
	/* Connecting retries with backoff while the server is unreachable
	 * (cold serverless databases, a server still starting); refused
	 * credentials are never retried. 0 = 3. */
	int connect_retries;
} gw_timeout_options;

/* Pre-flight checks before up changes anything (see godwit/health.h). */
typedef struct {
	gw_preflight_mode mode;
	int wait_ms; /* with GW_PREFLIGHT_WAIT; 0 = 60 s */
	/* Sessions in a transaction for longer than this; 0 = 60 s. */
	int max_transaction_age_ms;
	/* More connections to the database than this; 0 = not checked. */
	int max_connections;
	const char *min_server_version;  /* "13"; NULL = not checked */
	const char *required_extensions; /* "a,b"; NULL = none */
	const char *required_tables;     /* "a,b", checked by health only */
} gw_preflight_options;

/* Backups (see godwit/backup.h). With before_changes, up and down take a
 * backup before they change anything (and before they take the runner
 * lock), and a failed backup stops them. */
typedef struct {
	const char *dir; /* NULL = "db/backups" in the project */
	int keep;        /* backups kept per environment; 0 = 10 */
	int before_changes;
} gw_backup_options;

typedef struct {
	unsigned int version;
	const char *dir;              /* migrations folder; NULL = "db/migrations" */
	const char *url;              /* NULL = the embedded SQLite default */
	const char *project_dir;      /* where the embedded database lives; NULL = "." */
	gw_format format;             /* GW_FORMAT_AUTO detects it */
	const char *schema;           /* history schema; NULL = "public" (PostgreSQL) */
	const char *table;            /* NULL = "godwit_migrations" */
	const char *events_table;     /* NULL = "godwit_events" */
	const char *environment;      /* recorded with every event; NULL = "development" */
	const char *application_name; /* sent to the server; NULL = "godwit" */
	int allow_out_of_order;       /* apply pending migrations older than applied ones */
	gw_lock_options lock;
	gw_timeout_options timeouts;
	gw_preflight_options preflight;
	gw_backup_options backup;
	/* Seed files (*.sql in seeds_dir, NULL = none) are applied after up and
	 * by gw_project_seed, each again when its checksum changes; only when
	 * seeds_allowed (the CLI sets it from the environment's protection). */
	const char *seeds_dir;
	int seeds_allowed;
	/* After every command that changed the schema (up, down, redo, reset,
	 * restore, seed): record the schema's snapshot with the history (for
	 * `godwit drift`), and write its text to schema_file (e.g.
	 * "db/schema.sql", as dbmate users expect; missing folders are
	 * created). The change is done by then: a failure of these steps is a
	 * GW_NOTICE_WARNING and the command succeeds, unless schema_strict,
	 * when the command returns GW_EAFTER. */
	int record_schema;
	const char *schema_file;
	int schema_strict;
	/* When set and url is NULL, the embedded SQLite default is not used:
	 * anything that would connect fails with GW_ECONFIG and this text as
	 * the message, and nothing is created. The CLI sets it in protected
	 * environments and in CI, where a missing URL is a mistake, not a
	 * wish for a local file. */
	const char *url_required;
	/* The SQL the migrations are written in, "postgres" or "sqlite", for
	 * validate and lint when no database URL is configured; NULL: what
	 * the SQL parses as. Or the engine behind a postgres:// URL:
	 * "citus", "cockroachdb" or "yugabyte" (their SQL is PostgreSQL's),
	 * which chooses the runner lock and the transaction handling
	 * (docs/scale.md). */
	const char *sql_dialect;
	/* A migration file that resolves (through a symbolic link) outside
	 * the project_dir and the migrations folder is refused unless set. */
	int allow_symlinks_outside;
	/* Every event is also appended to audit_log (NULL: none) as a JSON
	 * line (docs/events.md); a log that cannot be written is a
	 * GW_NOTICE_WARNING, or GW_EIO with audit_required. */
	const char *audit_log;
	int audit_required;
	/* Notifications of runs (gw_project_run_begin/_end): notify lists
	 * URLs, comma-separated: https://hooks.slack.com/... (or any URL
	 * prefixed "slack:") get a Slack message, other http(s) URLs the
	 * end (or start) event's JSON as a POST, and with failure the fail
	 * event of each migration that failed, mailto:ADDRESS a mail
	 * through smtp_url (from smtp_from, NULL: godwit@HOSTNAME; STARTTLS
	 * when offered, required when the URL holds a password).
	 * notify_on: "failure" (NULL), "success", "start", "all", or a
	 * comma-separated list. Each attempt waits notify_timeout_ms (0 =
	 * 5 s); two retries; what could not be sent is a
	 * GW_NOTICE_WARNING, never an error. */
	const char *notify;
	const char *notify_on;
	int notify_timeout_ms;
	const char *smtp_url;
	const char *smtp_from;
	/* Since version 3: where the settings that have no field above come
	 * from (see godwit/config.h; gw_config_project_options sets it). It
	 * must outlive gw_project_open only. NULL: those take their default. */
	const gw_config *config;
} gw_project_options;

/* 2: the lock, timeout, pre-flight and backup settings moved into
 * groups, with 0 = default and GW_OPTION_OFF = off throughout.
 * 3: config. gw_project_open takes versions 2 and 3. */
#define GW_PROJECT_OPTIONS_VERSION 3
#define GW_PROJECT_OPTIONS_INIT                                                                    \
	{                                                                                          \
		.version = GW_PROJECT_OPTIONS_VERSION                                              \
	}

GW_EXTERN(int)
gw_project_open(gw_project **out, const gw_project_options *opts, gw_ctx *ctx);
GW_EXTERN(void) gw_project_free(gw_project *project);

/* The database URL with any password masked, safe to print. */
GW_EXTERN(const char *) gw_project_display_url(const gw_project *project);
/* The name of the driver the URL selects: "postgres" or "sqlite". */
GW_EXTERN(const char *) gw_project_driver_name(const gw_project *project);
/* The detected (or forced) folder convention; scans the folder if needed. */
GW_EXTERN(int) gw_project_format(gw_format *out, gw_project *project);
/* The server's version string; connects if needed. */
GW_EXTERN(int) gw_project_server_version(const char **out, gw_project *project);

/* Asks the run in progress to stop, for a Ctrl-C: the statement running on
 * the server is cancelled (a migration in a transaction rolls back), no
 * further migration starts, and the run returns GW_ECANCELED with what
 * was left done and what not. Async-signal-safe and thread-safe: call it
 * from a signal handler or another thread; the library installs no signal
 * handlers itself. The project stays cancelled. */
GW_EXTERN(void) gw_project_cancel(gw_project *project);
/* 1 once gw_project_cancel was called. */
GW_EXTERN(int) gw_project_cancelled(const gw_project *project);

/* ---- the database itself ---------------------------------------------- */

/* Creates the database the URL names: PostgreSQL from the server's postgres
 * (else template1) database, SQLite as a new file (and its folder).
 * GW_ESTATE when it already exists. */
GW_EXTERN(int) gw_project_create_database(gw_project *project);
/* Drops it (PostgreSQL) or deletes the file; GW_ENODB when there is none. */
GW_EXTERN(int) gw_project_drop_database(gw_project *project);
/* Waits up to timeout_ms for the server to accept connections; a server
 * that answers that the database does not exist is up. At once for SQLite. */
GW_EXTERN(int) gw_project_wait(gw_project *project, int timeout_ms);
/* Connects and creates the history tables (and their schema) if missing. */
GW_EXTERN(int) gw_project_init_history(gw_project *project);

/* ---- status ---------------------------------------------------------- */

typedef enum {
	GW_STATE_PENDING = 0,
	GW_STATE_APPLIED,
	GW_STATE_CHANGED,      /* applied, but the file's checksum differs */
	GW_STATE_MISSING,      /* recorded as applied, but no file has it */
	GW_STATE_OUT_OF_ORDER, /* pending, older than an applied migration */
	GW_STATE_DIRTY,        /* started and not finished */
	GW_STATE_RUNNING,      /* dirty while another runner holds the lock: in progress */
} gw_state;

GW_EXTERN(const char *) gw_state_name(gw_state state);

typedef struct {
	const char *version;
	const char *name;
	const char *file; /* relative to the folder; NULL when missing */
	gw_state state;
	const char *kind;             /* "versioned", "baseline" */
	const char *checksum;         /* of the file now; NULL when missing */
	const char *applied_checksum; /* recorded at apply time; NULL if pending */
	const char *applied_at;       /* NULL when pending */
	const char *applied_by;
	long long execution_ms; /* -1 when unknown */
	int statements_total;   /* dirty migrations: how far it got */
	int statements_done;
	const char *error; /* dirty: the error that stopped it, or NULL */
	int transactional; /* 0 for a no-transaction migration */
	int has_down;
	int empty; /* the file holds no SQL yet; up refuses it */
	/* What checksum (and applied_checksum, when it is the same) and
	 * applied_at point to: the set holds each checksum as its 32 bytes
	 * and the history each time as a number, and their text is made as
	 * the entry is. A copy of the entry points into the one it was
	 * copied from; gw_status_read makes one that points into itself. */
	char checksum_text[65];
	char applied_at_text[32];
} gw_status_entry;

typedef struct gw_status gw_status;

/* Compares the folder with the history, in apply order; missing migrations
 * come last. Does not take the lock and creates nothing. */
GW_EXTERN(int) gw_project_status(gw_status **out, gw_project *project);
/* The same entries without working out each one's transaction mode: no
 * file is read beyond those the checksum cache does not hold. An entry's
 * transactional then says only what its directive says; gw_project_status
 * also turns it off when a statement (CREATE INDEX CONCURRENTLY, VACUUM...)
 * would make the runner leave the transaction, which takes reading and
 * splitting every file that names such a word. Nor are who applied each
 * migration, how long it took and how many statements a migration applied
 * whole ran read from the history: applied_by is NULL, execution_ms -1 and
 * the counts 0 (a third of the server's time sending 10,000 rows). The
 * statement counts and the error of a dirty migration are read. */
GW_EXTERN(int) gw_project_status_states(gw_status **out, gw_project *project);
GW_EXTERN(size_t) gw_status_count(const gw_status *status);
/* Entry i, valid as long as the status; NULL past the end. A status from
 * gw_project_status_states holds no entries (208 bytes each) but what
 * makes them: its first gw_status_get makes them all (NULL when out of
 * memory), which gw_status_read avoids. */
GW_EXTERN(const gw_status_entry *) gw_status_get(const gw_status *status, size_t i);
/* Entry i into *out, its strings valid as long as the status, and its
 * checksums and time, whose text it holds, as long as *out; -1 past the
 * end. Allocates nothing: what reads every entry once (the text of
 * `status`) needs no array of them, and the status holds no text of the
 * checksums or the times. */
GW_EXTERN(int) gw_status_read(const gw_status *status, size_t i, gw_status_entry *out);
/* Entry i's version and name alone, valid as long as the status, without
 * the text of its checksums and time that gw_status_read makes: what a
 * table of the entries measures its columns by before it reads them. -1
 * past the end. */
GW_EXTERN(int)
gw_status_names(const gw_status *status, size_t i, const char **version, const char **name);
/* How many entries are in the given state. */
GW_EXTERN(size_t) gw_status_count_state(const gw_status *status, gw_state state);
/* When godwit's history is empty and the database holds the history of
 * another tool (dbmate, golang-migrate, goose, Flyway, diesel, Prisma,
 * drizzle or sqitch, in that tool's default table), the tool's name as
 * `godwit adopt --from` takes it, and its table ("schema_migrations",
 * "drizzle.__drizzle_migrations"); else NULL. up refuses such a database
 * unless gw_up_options.ignore_other_history is set. */
GW_EXTERN(const char *) gw_status_other_tool(const gw_status *status);
GW_EXTERN(const char *) gw_status_other_table(const gw_status *status);
GW_EXTERN(void) gw_status_free(gw_status *status);

/* ---- plans, up, down --------------------------------------------------- */

typedef enum { GW_UP = 1, GW_DOWN = 2 } gw_direction;

typedef struct {
	const char *version;
	const char *name;
	const char *file; /* the file that holds the SQL */
	gw_direction direction;
	int transactional;
	size_t statements;  /* statements in the SQL */
	size_t resume_from; /* statements skipped by --resume */
	const char *sql;    /* the SQL that will run */
	int resuming;       /* --resume continues it at resume_from (0: the first) */
} gw_plan_step;

typedef struct gw_plan gw_plan;

GW_EXTERN(size_t) gw_plan_count(const gw_plan *plan);
GW_EXTERN(const gw_plan_step *) gw_plan_get(const gw_plan *plan, size_t i);
GW_EXTERN(void) gw_plan_free(gw_plan *plan);

typedef struct {
	unsigned int version;
	const char *to; /* apply up to and including this version; NULL = all */
	int resume;     /* continue a dirty no-transaction migration */
	/* Version 2: apply although another tool's history is in the
	 * database and godwit's is empty (see gw_status_other_tool). */
	int ignore_other_history;
	/* Version 3: apply although the environment's block policy refuses
	 * statements of the migrations (gw_project_unsafe); each overridden
	 * migration is recorded as an allow-unsafe event. */
	int allow_unsafe;
	/* Version 4: all or nothing (also the atomic setting): refuses
	 * before anything runs when a pending migration has no down or runs
	 * outside a transaction (GW_ENODOWN, GW_ESTATE), and when migration
	 * k fails, reverts the ones this run applied before it, newest
	 * first, with their downs (a `revert` event each, then a `rollback`
	 * event with the error). */
	int atomic;
} gw_up_options;

#define GW_UP_OPTIONS_VERSION 4
#define GW_UP_OPTIONS_INIT                                                                         \
	{                                                                                          \
		.version = GW_UP_OPTIONS_VERSION                                                   \
	}

/* What up would do, without changing anything. */
GW_EXTERN(int)
gw_project_plan_up(gw_plan **out, gw_project *project, const gw_up_options *opts);
/* Applies the pending migrations; *applied (may be NULL) gets the count. */
GW_EXTERN(int)
gw_project_up(size_t *applied, gw_project *project, const gw_up_options *opts);

typedef struct {
	unsigned int version;
	int steps;      /* how many to revert; 0 = 1 */
	const char *to; /* revert everything applied after this version */
	int all;        /* revert everything */
	/* Version 2: revert this version and every applied migration that
	 * depends on it (through -- @depends-on, transitively), newest
	 * first, and nothing else. In the conventions whose migrations form
	 * a line that is the version and everything applied after it (a
	 * GW_NOTICE_INFO says so). Exclusive with steps, to and all. */
	const char *target;
} gw_down_options;

#define GW_DOWN_OPTIONS_VERSION 2
#define GW_DOWN_OPTIONS_INIT                                                                       \
	{                                                                                          \
		.version = GW_DOWN_OPTIONS_VERSION                                                 \
	}

GW_EXTERN(int)
gw_project_plan_down(gw_plan **out, gw_project *project, const gw_down_options *opts);
GW_EXTERN(int)
gw_project_down(size_t *reverted, gw_project *project, const gw_down_options *opts);

/* Reverts the last applied migration and applies it again. */
GW_EXTERN(int) gw_project_redo(gw_project *project);
/* Reverts target and what depends on it, as gw_down_options.target does,
 * newest first, then applies them again, oldest first; target NULL is
 * gw_project_redo. */
GW_EXTERN(int) gw_project_redo_target(gw_project *project, const char *target);

/* ---- progress ------------------------------------------------------------ */

/* What a run is doing now, for a display that redraws itself. */
typedef struct {
	const char *version; /* the migration running; NULL: none (clear the display) */
	const char *name;
	const char *file; /* the file whose SQL runs */
	gw_direction direction;
	/* Statement-by-statement migrations: the statement running (1-based)
	 * of `statements`; 0 for one that runs in a transaction. */
	size_t statement;
	size_t statements;
	long long elapsed_ms; /* since the migration started */
	/* PostgreSQL: while its statement waits for a lock, the first of the
	 * sessions that hold it up (pg_blocking_pids), how many there are,
	 * and how long it has waited; blocker_pid 0 when it does not wait.
	 * application and query are "" when the server hides them. */
	int blocker_pid;
	const char *blocker_application;
	const char *blocker_query;
	int blockers;
	long long waiting_ms;
	/* Before it runs anything, while the run waits for another runner's
	 * migration lock: version is NULL, lock_wait 1, lock_holder says who
	 * holds the lock (PostgreSQL's pid, application, user, client host
	 * and connection time; the lease's owner host:pid and since when),
	 * NULL when it cannot be known, and lock_waiting_ms for how long the
	 * run has waited. A display that only knows version NULL clears. */
	int lock_wait;
	const char *lock_holder;
	long long lock_waiting_ms;
} gw_progress;

typedef void (*gw_progress_cb)(const gw_progress *progress, void *payload);

/* While up, down or redo run a migration, and while any call that takes
 * the runner lock waits for it, cb is called every interval_ms (0: 100)
 * from a thread of the library's own, and once with version NULL and
 * lock_wait 0 when the migration or the wait ends (from the calling
 * thread); the calls never overlap. On PostgreSQL that thread opens a second connection, on which
 * it asks the server every 250 ms which sessions block the migration's.
 * cb NULL (the default) turns it off, and no thread or connection is made.
 * Set it before the run, not during one. */
GW_EXTERN(void)
gw_project_set_progress(gw_project *project, gw_progress_cb cb, void *payload, int interval_ms);

/* ---- repairs ------------------------------------------------------------ */

/* Records the file's current checksum for an applied migration whose file
 * was reviewed after an edit; version NULL repairs every changed one. */
GW_EXTERN(int)
gw_project_repair(size_t *repaired, gw_project *project, const char *version);

typedef enum { GW_RESOLVE_APPLIED = 1, GW_RESOLVE_ROLLED_BACK = 2 } gw_resolution;

/* Settles a dirty migration by hand after the database was fixed. */
GW_EXTERN(int)
gw_project_resolve(gw_project *project, const char *version, gw_resolution resolution);

/* ---- history ----------------------------------------------------------- */

typedef struct {
	long long id;
	const char *at;
	const char *action; /* apply, revert, fail, repair, resolve, ... */
	const char *version;
	const char *name;
	long long duration_ms; /* -1 when not measured */
	const char *applied_by;
	const char *environment;
	const char *error; /* NULL unless it failed */
	const char *sqlstate;
	const char *file;
	int line;
	int column;
	const char *godwit_version;
	const char *checksum; /* of the migration's file, when the event is about one */
} gw_event;

typedef struct gw_history gw_history;

/* Every event, oldest first; limit 0 = all, otherwise the newest `limit`. */
GW_EXTERN(int)
gw_project_history(gw_history **out, gw_project *project, const char *version, size_t limit);
GW_EXTERN(size_t) gw_history_count(const gw_history *history);
GW_EXTERN(const gw_event *) gw_history_get(const gw_history *history, size_t i);
GW_EXTERN(void) gw_history_free(gw_history *history);
/* The newest event of each action (the last apply, the last failure,
 * ...), oldest first: what a monitor needs of a history of any length,
 * in one query. */
GW_EXTERN(int) gw_project_history_latest(gw_history **out, gw_project *project);
/* How many events of the history have this action ("fail"); 0 when
 * there is no history yet. */
GW_EXTERN(int)
gw_project_event_count(long long *out, gw_project *project, const char *action);

/* ---- seeds ------------------------------------------------------------- */

/* Applies the seed files that are new or changed since they were last
 * applied, each in its own transaction with its record; *applied (may be
 * NULL) gets the count. */
GW_EXTERN(int) gw_project_seed(size_t *applied, gw_project *project);

/* ---- authoring --------------------------------------------------------- */

/* Creates a migration named `name` in the folder's convention (native for
 * an empty folder). *path gets the file created; free it with free(). */
GW_EXTERN(int) gw_project_new_migration(char **path, gw_project *project, const char *name);

#endif
