/*
 * internal.h: the gw_project structure and the library's internal calls,
 * shared by the files of src/lib that implement include/godwit/project.h.
 *
 * Flow: source.c (files → set) → status.c (set + history → states) →
 * migrate.c (what to run) → runner.c (driver, lock, transactions) →
 * history.c (rows and events).
 */
#ifndef GW_LIB_INTERNAL_H
#define GW_LIB_INTERNAL_H

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "godwit/lint.h"
#include "godwit/project.h"
#include "godwit/schema.h"
#include "godwit/sys/driver.h"
#include "engine.h"
#include "settings.h"
#include "source/source.h"
#include "version.h"
#include "sql/sql.h"
#include "../util/str.h"
#include "../util/vec.h"

/* migrate.c: after a command that changed the schema, the snapshot for drift
 * and the schema file; their failure is a warning, or GW_EAFTER with
 * schema_strict. command ("down") names the command in messages. */
int gw_project__after_change(gw_project *p, const char *command);
/* seeds.c: gw_project_seed without the after-steps (up does them once). */
int gw_project__seed(size_t *applied, gw_project *p);

/* godwit's own tables beside the history tables (in the history schema);
 * snapshots, `test` and `drift` leave them out. */
#define GW_SEEDS_TABLE "godwit_seeds"
#define GW_LOCK_TABLE  "godwit_lock"

/* What few rows of the migrations table have: any of it set makes a
 * row's odd part (history.c). */
typedef struct gw_hist_odd {
	const char *name; /* read by gw_hist_load_names only */
	const char *kind; /* NULL: "versioned" */
	/* The checksum's text; NULL when the row's sum holds it (64
	 * lowercase hex digits, as godwit writes them, are held as their 32
	 * bytes). Compare with gw_hist_row_sum_is; gw_hist_row_sum_text
	 * makes the text. */
	const char *checksum;
	const char *state; /* NULL: "applied" */
	const char *error;
	const char *applied_at; /* the text of a time held as no count */
	/* The numbers of a row whose own do not fit its fields (GW_HIST_WIDE). */
	long long execution_ms;
	int statements_total;
	int statements_done;
} gw_hist_odd;

/* execution_ms of a row whose numbers are its odd part's. */
#define GW_HIST_WIDE INT32_MIN

/* One row of the migrations table: 64 bytes, its version right behind
 * them (no pointer to it) and its other strings; the fields most rows
 * leave at their usual value are in odd (read them with the
 * gw_hist_row_* functions below). */
typedef struct gw_hist_row {
	/* Microseconds since 1970 (gw_hist_row_at prints them), or -1: odd's
	 * text, none (infinity) without it. */
	long long applied_at;
	const char *applied_by;
	gw_hist_odd *odd; /* NULL: no name read, "versioned", sum, "applied", no error */
	/* -1 (unknown) to INT32_MAX ms and up to 65,535 statements, which
	 * any migration run takes; GW_HIST_WIDE: the three are odd's. */
	int32_t execution_ms;
	uint16_t statements_total;
	uint16_t statements_done;
	unsigned char sum[32];
	char version[];
} gw_hist_row;

static inline long long gw_hist_row_ms(const gw_hist_row *r)
{
	return r->execution_ms == GW_HIST_WIDE ? r->odd->execution_ms : r->execution_ms;
}

static inline int gw_hist_row_total(const gw_hist_row *r)
{
	return r->execution_ms == GW_HIST_WIDE ? r->odd->statements_total : r->statements_total;
}

static inline int gw_hist_row_done(const gw_hist_row *r)
{
	return r->execution_ms == GW_HIST_WIDE ? r->odd->statements_done : r->statements_done;
}

static inline const char *gw_hist_row_name(const gw_hist_row *r)
{
	return r->odd ? r->odd->name : NULL;
}

static inline const char *gw_hist_row_kind(const gw_hist_row *r)
{
	return r->odd && r->odd->kind ? r->odd->kind : "versioned";
}

/* The checksum's text, or NULL when the row's sum holds it. */
static inline const char *gw_hist_row_checksum(const gw_hist_row *r)
{
	return r->odd ? r->odd->checksum : NULL;
}

/* Whether r's checksum is sum, a migration's: the row's bytes, or its
 * text when it holds text. */
static inline int gw_hist_row_sum_eq(const gw_hist_row *r,
                                     const unsigned char sum[GW_CHECKSUM_BYTES])
{
	char hex[GW_CHECKSUM_HEX];

	if (!gw_hist_row_checksum(r))
		return !memcmp(r->sum, sum, GW_CHECKSUM_BYTES);
	gw_checksum_hex(hex, sum);
	return !strcmp(gw_hist_row_checksum(r), hex);
}

static inline const char *gw_hist_row_state_text(const gw_hist_row *r)
{
	return r->odd && r->odd->state ? r->odd->state : "applied";
}

static inline const char *gw_hist_row_error(const gw_hist_row *r)
{
	return r->odd ? r->odd->error : NULL;
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" and its NUL. */
#define GW_HIST_AT_SIZE 25

/* count (microseconds since 1970, years 1970 to 9999) as to_char prints
 * applied_at in ISO 8601 UTC, to the millisecond (truncated). */
void gw_hist_at_text(char out[GW_HIST_AT_SIZE], long long count);
/* r's applied_at as text: buf, made from its count, or odd's text, or
 * NULL (infinity). */
const char *gw_hist_row_at(const gw_hist_row *r, char buf[GW_HIST_AT_SIZE]);

typedef struct gw_hist {
	gw_hist_row **rows; /* sorted by version */
	size_t count;
	void *blocks; /* where the rows live (history.c) */
} gw_hist;

#define GW_HIST_INIT                                                                               \
	{                                                                                          \
		NULL, 0, NULL                                                                      \
	}

/* What a read of the history holds. GW_HIST_STATES is what a status of
 * states needs (the text of `status`): no applied_by and no execution_ms
 * (NULL and -1), and a row's statement counts only when it is not
 * applied (0 when it is). Each value the server sends in the binary form
 * is a call and an allocation of its own: at 10,000 rows these four
 * columns were a third of its time. */
typedef enum gw_hist_cols { GW_HIST_ALL, GW_HIST_STATES } gw_hist_cols;

struct gw_project {
	gw_ctx *ctx;
	/* Every setting of settings.def, parsed once and resolved (see
	 * settings.def): the one copy, read where the setting is used. The
	 * url is the one given, trimmed, or the embedded default; schema is
	 * filled in when connecting to PostgreSQL. */
	gw_settings opts;
	int url_given;      /* not the embedded default */
	char *url_required; /* why the embedded default must not be used; NULL: it may */
	char *display_url;  /* masked */
	char *environment;
	char *app_name;
	char *project_dir;  /* gw_project_options.project_dir, "." when not given */
	char *symlink_root; /* migration files resolve inside it; NULL: anywhere */
	int seeds_allowed;
	int protected;         /* gw_config_protected of the project's config */
	gw_level block;        /* the lint level up refuses at (policy.c); 0: off */
	int block_destructive; /* up refuses destructive statements at any level */
	/* placeholder.c's values: godwit.conf's [placeholders] section, and
	 * the environment and .env (gw_placeholder *, name and value). */
	gw_vec placeholders;
	gw_vec placeholder_env;
	struct gw_lease *lease;
	const gw_driver *driver;
	/* What differs between servers of the driver's protocol (engine.h):
	 * the URL scheme's, the dialect setting's or the driver's own. */
	const gw_engine *engine;
	int engine_no_jobs;     /* cockroachdb's settle found no jobs table: said once */
	gw_dialect sql_dialect; /* decided once, by dialect.c */
	gw_dialect_from sql_dialect_from;

	gw_source *source; /* loaded on first use */
	gw_conn *conn;     /* connected on first use */
	char *table_q;     /* qualified, quoted names; set with the connection */
	char *events_q;
	int64_t lock_key;
	int locked;
	/* A migration of this project named what releases an advisory lock
	 * (lock.c): every later one is re-checked. */
	int lock_release_named;
	/* How long taking the runner lock waited for another runner (0: it
	 * was free), until gw_hist_begin records it as a lock-wait event. */
	long long lock_waited_ms;
	/* gw_project_cancel: set from a signal handler or another thread. */
	volatile sig_atomic_t cancelled;
	_Atomic(gw_conn *) cancel_conn;
	struct gw_events *events; /* the event stream, events.c; NULL until used */
	/* gw_project_set_progress; the thread that calls it while a run lasts. */
	gw_progress_cb progress_cb;
	void *progress_payload;
	int progress_interval_ms;
	struct gw_watch *watch;
};

/* progress.c: what the runner tells the progress thread: a migration starts
 * (each: it runs statement by statement, from statement 1), statement i
 * (0-based) starts, the migration ended; stop ends the thread, when the
 * run is over. Nothing happens without a progress callback. */
typedef struct gw_watch gw_watch;
void gw_progress__begin(gw_project *p, const gw_migration *m, gw_direction dir, const char *file,
                        size_t statements, int each);
void gw_progress__statement(gw_project *p, size_t i);
void gw_progress__end(gw_project *p);
void gw_progress__stop(gw_project *p);
/* The lock code: whether a display wants to know who holds the lock (so
 * that it is asked only then); the run waits for the runner lock, held by
 * holder (NULL: keep the last one known), since the monotonic ms `since`;
 * the wait is over. */
int gw_progress__wants_lock_holder(const gw_project *p);
void gw_progress__lock_wait(gw_project *p, const char *holder, long long since);
void gw_progress__lock_end(gw_project *p);

/* project.c */
int gw_project__source(gw_source **out, gw_project *p);
/* GW_EINVALID unless value (a table or schema name) is 1 to 63 bytes. */
int gw_project__check_name(gw_ctx *ctx, const char *what, const char *value);

/* connection.c */
int gw_project__connect(gw_conn **out, gw_project *p);
/* For commands that only read: a SQLite file that does not exist is
 * GW_ENOTFOUND, not created. */
int gw_project__connect_existing(gw_conn **out, gw_project *p);
/* Loads the migration set and connects, the two at once on PostgreSQL. */
int gw_project__source_and_connect(gw_source **out, gw_project *p);
/* The same, and on PostgreSQL the calling thread reads the history too
 * (gw_hist__read_early) once connected: *read set to 1 when *hist and
 * *exists hold it, 0 when the caller must read it (SQLite, or the early
 * read failed: its error is dropped, the caller's read reports it). */
int gw_project__source_connect_history(gw_source **out, gw_project *p, gw_hist *hist,
                                       gw_hist_cols cols, int *exists, int *read);

/* Opens a new session after the old one was lost, so a failure can still
 * be recorded. The error that lost the old one stays on the context; on
 * failure p->conn is NULL. */
int gw_project__reconnect(gw_project *p);
/* GW_ECONNECT when the project has no connection (a reconnect failed). */
int gw_project__need_conn(gw_project *p);
/* Publishes (or withdraws, before closing) the connection that
 * gw_project_cancel sends its request to. */
void gw_project__remember_conn(gw_project *p);
void gw_project__forget_conn(gw_project *p);
/* Replaces the error on ctx with GW_ECANCELED "interrupted: <fmt>". */
int gw_project__cancel_error(gw_project *p, const char *fmt, ...) GW_FORMAT_PRINTF(2, 3);
/* 1 when the database is a SQLite file that does not exist yet: reading
 * commands report an empty history instead of creating it. */
int gw_project__database_missing(const gw_project *p);
/* One statement with its parameters on the project's connection (which
 * must be open), rows to cb. */
int gw_project__exec(gw_project *p, const char *sql, const char *const *params, int n, gw_row_cb cb,
                     void *payload);
/* A row callback for a one-value boolean query: *(int *)payload is 1 when
 * the value is true ('t' from PostgreSQL, 1 from SQLite). */
int gw_project__bool_row(void *payload, int ncols, const char *const *values);

/* lock.c: the runner lock. Connects and takes it (an advisory lock,
 * refused behind a transaction pooler; a lease row with a heartbeat
 * thread for lock = table; nothing on SQLite). */
int gw_project__lock(gw_project *p);
void gw_project__unlock(gw_project *p);
/* *held: another session holds the runner lock (or a live lease) that
 * this project does not hold. */
int gw_project__lock_held_elsewhere(int *held, gw_project *p);
/* The text names what can release a session advisory lock (DISCARD,
 * pg_advisory_unlock*), or an earlier migration's did (it may have defined
 * a function that a later one calls): the runner re-checks its lock after
 * it. */
int gw_project__lock_may_be_lost(gw_project *p, const char *text, size_t len);
/* After a migration that may have released the advisory lock: takes it
 * again if it is free; GW_ELOCK naming migration when another session
 * holds it now (the project is then unlocked). 0 for other locks. */
int gw_project__lock_recheck(gw_project *p, const char *migration);
/* Whether the lease's heartbeat failed to renew it (it may have expired
 * and been taken over); 0 for an advisory lock. */
int gw_project__lock_lost(const gw_project *p);
/* The session is gone, and the lock with it: stops a lease's heartbeat so
 * the lease can lapse, and marks the project unlocked. */
void gw_project__lock_drop(gw_project *p);
/* dialect.c: the SQL dialect of the migrations, for validate and lint:
 * `requested` ("postgres" or "sqlite") when given, else the configured
 * URL's, the dialect setting's, or what the SQL parses as. */
int gw_project__sql_dialect(gw_dialect *out, gw_dialect_from *from, gw_project *p,
                            const char *requested);
/* The migrations folder, the two ways callers need it, so none picks
 * between the folder given and the loaded set's by hand:
 * gw_project__dir is the folder as given (where a convention's own files
 * such as sqitch.plan are, what git and messages name, what `new`
 * creates); gw_project__path is a migration's file, relative to the folder
 * its set was read from (a sqitch top_dir below the one given). */
const char *gw_project__dir(const gw_project *p);
int gw_project__path(gw_str *out, const gw_project *p, const char *file);

/* history.c */
/* Both history tables exist: what writing events and rows needs. */
int gw_hist_exists(int *exists, gw_project *p);
/* The migrations table exists: what reading which migrations are applied
 * needs. A database whose events table was dropped still has its
 * migrations applied. */
int gw_hist_rows_exist(int *exists, gw_project *p);
int gw_hist_ensure(gw_project *p);
/* Connects, takes the runner lock and creates the history tables: what
 * every command that writes history does first. */
int gw_hist_begin(gw_project *p);
int gw_hist_load(gw_hist *out, gw_project *p, gw_hist_cols cols);
/* On a PostgreSQL session just opened, while the folder's thread reads the
 * folder: whether the migrations table exists and
 * its rows, as gw_hist_rows_exist and gw_hist_load find them, without
 * touching p->ctx (errors are the connection context's). */
int gw_hist__read_early(gw_hist *out, gw_hist_cols cols, int *exists, gw_project *p);
void gw_hist_dispose(gw_hist *h);
gw_hist_row *gw_hist_find(const gw_hist *h, const char *version);
/* Index of the row with this version, or -1. */
long gw_hist_find_index(const gw_hist *h, const char *version);
/* The names of the rows whose skip[i] is 0, read again from the table
 * (gw_hist_load reads none: status shows the name of a row only when no
 * file has its version). A row gone since keeps a NULL name. */
int gw_hist_load_names(gw_hist *h, gw_project *p, const char *skip);
/* Whether the row's checksum is hex (the text of a file's checksum). */
int gw_hist_row_sum_is(const gw_hist_row *r, const char *hex);
/* Makes r->checksum the text when sum holds it, in h's blocks: 0, or
 * GW_ENOMEM (not set on any context). */
int gw_hist_row_sum_text(gw_hist *h, gw_hist_row *r);

/* A batch of statements with owned SQL and parameters. */
typedef struct gw_batch {
	gw_stmt *stmts;
	size_t count, cap;
	gw_vec owned; /* strings and parameter arrays freed with the batch */
} gw_batch;

#define GW_BATCH_INIT                                                                              \
	{                                                                                          \
		NULL, 0, 0, GW_VEC_INIT                                                            \
	}

int gw_batch_add(gw_batch *b, const char *sql, size_t len, const char *const *params, int n);
/* Adds SQL built by printf with copies of the given parameters. */
int gw_batch_addf(gw_batch *b, const char *const *params, int n, const char *fmt, ...)
        GW_FORMAT_PRINTF(4, 5);
void gw_batch_dispose(gw_batch *b);

/* Statements that record what happened; each appends to a batch. */
typedef struct gw_record {
	const gw_migration *m; /* may be NULL for events about no migration */
	const char *version;   /* used when m is NULL */
	const char *name;
	const char *action; /* apply, revert, fail, repair, resolve */
	const char *state;  /* for the row: "applied" or "dirty" */
	int statements_total;
	int statements_done;
} gw_record;

int gw_hist_add_row_insert(gw_batch *b, gw_project *p, const gw_record *r);
/* The finished row (r->state "applied") with its duration and its apply
 * event, in one statement, for the end of a transactional migration's
 * batch: PostgreSQL only. */
int gw_hist_add_row_applied(gw_batch *b, gw_project *p, const gw_record *r);
/* Appends the statements that create the history tables where they are
 * missing (CREATE ... IF NOT EXISTS), for a batch that needs them. */
int gw_hist_add_create_tables(gw_batch *b, gw_project *p);
/* *missing: the history's own schema (not public, PostgreSQL) is not
 * there yet and the creation must make it. */
int gw_hist_schema_missing(int *missing, gw_project *p);
/* Marks the row applied with its duration and adds the apply event. */
int gw_hist_add_applied(gw_batch *b, gw_project *p, const gw_migration *m);
int gw_hist_add_row_delete(gw_batch *b, gw_project *p, const char *version);
/* The event's duration is measured on the server, from the event's start
 * to the statement that gw_hist_add_event_done adds, so the batch needs no
 * second round trip. */
int gw_hist_add_event(gw_batch *b, gw_project *p, const gw_record *r);
int gw_hist_add_event_done(gw_batch *b, gw_project *p);
/* Records a failure event in its own transaction, with the error on ctx;
 * gw_hist_add_failure appends that event to a batch instead (nothing when
 * ctx holds no error). */
int gw_hist_add_failure(gw_batch *b, gw_project *p, const char *version, const char *name,
                        const char *action);
void gw_hist_record_failure(gw_project *p, const char *version, const char *name,
                            const char *action);
/* Records an event about no migration (backup, restore, reset,
 * record-schema; name: a file it concerns) in its own transaction,
 * creating the history tables if need be. */
int gw_hist_record_event(gw_project *p, const char *action, const char *name);
/* Records an event about migration m that is no failure (allow-unsafe:
 * what was overridden, in the error column, at file:line) in its own
 * transaction. */
int gw_hist_record_note(gw_project *p, const char *action, const gw_migration *m, const char *what,
                        const char *file, int line);
/* Events survive a restore: saved before it (an array of column texts
 * per event, in id order; nothing when there is no history yet), then
 * the ones the restored database lacks appended to a batch. */
int gw_hist_save_events(gw_vec *out, gw_project *p);
int gw_hist_put_back_events(gw_batch *b, gw_project *p, const gw_vec *saved);
void gw_hist_saved_events_dispose(gw_vec *saved);
/* The events with an id above `id`, oldest first (none before the
 * history tables exist): what the event stream hands on (events.c). */
int gw_hist_events_after(gw_history **out, gw_project *p, long long id);
/* Runs single statements outside any batch. */
int gw_hist_set_progress(gw_project *p, const char *version, int done);
int gw_hist_set_dirty(gw_project *p, const char *version, const char *error);
/* The state of version's row ("applied" or "dirty") in *state (malloc'd),
 * NULL when it has none. */
int gw_hist_row_state(gw_project *p, const char *version, char **state);

/* runner.c */

/* One direction of a migration, read, split and checked, ready to run. */
typedef struct gw_prepared {
	gw_source_text text;
	gw_sql_list stmts;
	/* Per statement of stmts (and of verify_stmts): its text with the
	 * placeholders replaced, for the driver only; NULL: as written. */
	char **sub;
	char **verify_sub;
	int transactional;
	gw_str path;           /* dir/file, for messages */
	gw_source_text verify; /* up only: the -- migrate:verify section */
	gw_sql_list verify_stmts;
} gw_prepared;

#define GW_PREPARED_INIT                                                                           \
	{                                                                                          \
		GW_SOURCE_TEXT_INIT, GW_SQL_LIST_INIT, NULL, NULL, 1, GW_STR_INIT,                 \
		        GW_SOURCE_TEXT_INIT, GW_SQL_LIST_INIT                                      \
	}

/* Reads and splits; refuses BEGIN/COMMIT in a wrapped migration, and runs
 * statements that cannot be in a transaction (CONCURRENTLY, VACUUM, ...)
 * outside one. Errors carry file, line and column. */
int gw_prepare(gw_prepared *out, gw_project *p, const gw_migration *m, gw_direction dir);
void gw_prepared_dispose(gw_prepared *pm);

/* scratch.c: an in-memory SQLite database with the schema (no rows) of the
 * project's SQLite database, where a run's migrations are prepared before
 * the first one runs. gw_scratch_check prepares the statements of pm from
 * the 0-based statement from on, runs those that change the schema, and
 * refuses one SQLite cannot prepare, with its file, line and column. */
typedef struct gw_scratch gw_scratch;
int gw_scratch_open(gw_scratch **out, gw_project *p);
int gw_scratch_check(gw_scratch *s, gw_project *p, const gw_prepared *pm, size_t from);
void gw_scratch_close(gw_scratch *s);

/* Apply or revert one migration. resume_from is NULL for a fresh apply, or
 * the 0-based statement a dirty migration continues from (0 when its first
 * statement failed). *skipped is set when a concurrent runner had already
 * applied it (SQLite, which has no session lock). */
int gw_run_up(gw_project *p, const gw_migration *m, const size_t *resume_from, int *skipped);
int gw_run_down(gw_project *p, const gw_migration *m);

/* lint_project.c: the findings of the up sections of ms, as `godwit lint`
 * would report them with the project's levels and dialect; rls_schemas:
 * the exposed schemas (NULL: none). */
int gw_project__lint_up(gw_findings **out, gw_project *p, const gw_migration *const *ms, size_t n,
                        const char *rls_schemas);

/* policy.c: the deploy policies up applies before it runs anything.
 * gw_policy__up lints the n migrations up is about to apply and, where
 * a finding at or above the project's block level is not acknowledged,
 * refuses with GW_EUNSAFE, unless allow_unsafe: then each overridden
 * migration is recorded as an allow-unsafe event. */
int gw_policy__up(gw_project *p, const gw_migration *const *ms, size_t n, int allow_unsafe);
/* The schemas an API exposes: rls_schemas, else "public" in a Supabase
 * project (the database has an auth schema, asked only when connected
 * is set and the project is on PostgreSQL; or the folder is
 * supabase/migrations), else NULL. */
const char *gw_policy__rls_schemas(gw_project *p, int connected);

/* placeholder.c: ${NAME} (and with placeholders = psql, :'name', :"name",
 * :name) in migration text; see there. */
enum { GW_PLACEHOLDERS_OFF, GW_PLACEHOLDERS_FLYWAY, GW_PLACEHOLDERS_PSQL };
int gw_placeholders__mode(const gw_project *p);
/* text (len bytes, at offset base of file_text, the file path shows as)
 * with its placeholders replaced, in *out (malloc'd), each value added to
 * the context's masks; *out stays NULL when the text holds none. An
 * undefined name is GW_ECONFIG at file:line. */
int gw_placeholders__substitute(char **out, gw_project *p, const char *text, size_t len,
                                const char *file_text, size_t file_len, size_t base,
                                const char *path);
/* For lint: in place and keeping every position, each placeholder outside
 * a string made an identifier, and :'name' a string '$name'. */
void gw_placeholders__normalize(const gw_project *p, char *text, size_t len);

/* events.c: the event stream. Every event the library records in
 * godwit_events is read back once committed (so what the sinks see is
 * what the table holds: one source of truth) and handed, with the start
 * and end of a run (gw_project_run_begin/_end), to the sinks the project
 * asks for: the audit log (audit.c) and notifications. A sink's `open`
 * returns 1 and sets *state when the project's settings ask for it, 0
 * when they do not; `event` gets each event and its JSON line (the event
 * with the run's context: command, target, who, commit), and returns a
 * negative code (with the error on ctx) only when the run must stop.
 * Nothing is read back when no sink is open. */
/* The run an event belongs to, as the audit line gives it. */
typedef struct gw_event_context {
	const char *command; /* NULL outside gw_project_run_begin/_end */
	const char *target;  /* the URL, password masked */
	const char *database_user;
	const char *os_user;
	const char *actor;
	const char *commit;
	int exit_code;  /* the end event's; -1 for the others */
	int backfilled; /* a back-filled audit line: no command, who, commit */
} gw_event_context;

typedef struct gw_event_sink {
	int (*open)(void **state, gw_project *p);
	int (*event)(void *state, gw_project *p, const gw_event *e, const gw_event_context *c,
	             const char *json);
	void (*close)(void *state);
	/* May be NULL. Adds what the sink missed of this target's events
	 * (a run killed between a commit and its line); 1 when it looked,
	 * 0 when it could not look now (another runner is writing), a
	 * negative code only when the run must stop. *last: the newest id
	 * it added, else untouched. */
	int (*backfill)(void *state, gw_project *p, long long *last);
} gw_event_sink;

extern const gw_event_sink gw_audit_sink;
extern const gw_event_sink gw_notify_sink;

/* Remembers the newest event id as the point the stream starts from,
 * once (history.c calls it when the tables exist); `created`: the tables
 * were created just now, so the stream starts from their first event.
 * Then the sinks back-fill what they missed; an error only when the run
 * must stop (audit_required and the back-fill could not be written). */
int gw_events__mark(gw_project *p, int created);
/* Hands on the events committed since the mark (before the lock is
 * given back, after each migration, after an event of its own); the first
 * error of a sink that must stop the run, else 0. */
int gw_events__flush(gw_project *p);
void gw_events__free(gw_project *p);
/* For a sink's backfill: the text `"target":"URL",` that each audit line
 * of this project's target holds, and a back-filled line of event e
 * (with its target and "backfilled":true; the run that made it is
 * unknown, so no command, who or commit). NULL when out of memory. */
char *gw_events__target_key(gw_project *p);
char *gw_events__backfill_line(gw_project *p, const gw_event *e);

/* lock.c: the lease behind lock = table. */
typedef struct gw_lease gw_lease;

/* target.c: down --target. *mark (malloc'd, one flag per migration of
 * p->source in apply order) gets version and every migration that
 * depends on it, transitively (in a linear convention: every migration
 * after it, with a GW_NOTICE_INFO saying so); version must be applied. */
int gw_target__closure(char **mark, gw_project *p, const gw_status *st, const char *version);

/* atomic.c: the whole-run rollback. check refuses, before anything runs,
 * a migration of ms (resume[i]: it would resume) that could not be
 * reverted if a later one failed; rollback reverts ran[n-1] .. ran[0]
 * after the run failed (failed: the migration that did; NULL: a check
 * after the run), keeping the run's error on ctx, and records a
 * `rollback` event; a revert that fails stops it, its error prefixed to
 * the run's. */
enum { GW_ATOMIC_ON_FAILURE = 1, GW_ATOMIC_ON_CHECK = 2 }; /* when: what reverts the run */
int gw_atomic__check(gw_project *p, const gw_migration *const *ms, const int *resume, size_t n,
                     int when);
int gw_atomic__rollback(gw_project *p, const gw_migration *const *ran, size_t n,
                        const gw_migration *failed);

/* health.c: runs the pre-flight checks before anything changes, and
 * waits, warns or refuses as p->preflight says. */
int gw_preflight__gate(gw_project *p);
/* With after_up = health: the health checks after up (warnings and
 * failures said as GW_NOTICE_WARNINGs); a failing one is an error
 * (GW_EAFTER, or GW_ESTATE with on_check_failure = rollback, whose
 * rollback the caller makes) unless on_check_failure = warn. */
int gw_health__after_up(gw_project *p);

/* status.c: the states of all migrations, used by status, up and down. */
/* An entry as status.c works it out: the history row's index (or
 * GW_STATUS_NO_ROW) and the state. Entry i below the folder's count is
 * src->items[i]; the others are rows no file matches. */
#define GW_STATUS_NO_ROW UINT32_MAX
typedef struct gw_status_slot {
	uint32_t row;
	unsigned char state; /* a gw_state */
} gw_status_slot;

struct gw_status {
	/* Every entry, made from the slots; NULL in a status of states only
	 * (gw_project_status_states), whose gw_status_get makes them in made
	 * at its first call. */
	gw_status_entry *entries;
	_Atomic(gw_status_entry *) made;
	unsigned char *slots; /* slot i at i * slot_stride; NULL once entries holds them */
	size_t slot_stride;
	const gw_source *src; /* the project's, which the entries point into */
	size_t nsrc;
	size_t count;
	gw_hist hist;              /* owns the strings of applied entries */
	size_t last_applied_index; /* apply-order index + 1 of the last applied; 0 none */
	const char *other_tool;    /* see gw_status_other_tool */
	char *other_table;
};
int gw_status__compute(gw_status **out, gw_project *p, int history_exists);
/* The same with the history read already (taken over from *hist); with
 * entries unset, st->entries stays NULL (see struct gw_status) and the
 * history, when it is read here, is read for the states alone
 * (GW_HIST_STATES). */
int gw_status__compute_from(gw_status **out, gw_project *p, int history_exists, gw_hist *hist,
                            int entries);
/* Fills other_tool and other_table when godwit's history is empty. */
int gw_status__other_history(gw_status *st, gw_project *p);

/* project.c, for test and drift: a project like p (folder, convention,
 * history names, settings) on another database, on ctx, that records no
 * snapshot and writes no schema file. */
int gw_project__open_like(gw_project **out, const gw_project *p, const char *url, gw_ctx *ctx);

/* author.c: gw_project_new_migration with its SQL (generate): up and
 * down (NULL: the convention's template), the no-transaction directive
 * when no_tx. */
int gw_project__write_migration(char **path, gw_project *p, const char *name, const char *up,
                                const char *down, int no_tx);

/* schema_source.c: runs DDL statement by statement on p's connection,
 * in one transaction when transaction is set (as a migration runs); an
 * error names `what` and the line (on ctx). */
int gw_schema__run_ddl(gw_project *p, const char *what, const char *text, size_t len,
                       int transaction, gw_ctx *ctx);

/* prove.c, for test and drift */
/* The server ephemeral databases are made on: server_url, else p's URL. */
const char *gw_project__server_url(const gw_project *p, const char *server_url);
/* An ephemeral database on url, after dropping those left by killed runs
 * (a GW_NOTICE_WARNING says how many); _done drops it (or keeps it, with
 * a GW_NOTICE_INFO naming it), a failed drop being a warning. */
int gw_project__ephemeral(gw_ephemeral **out, gw_project *p, const char *url);
void gw_project__ephemeral_done(gw_project *p, gw_ephemeral *eph, int keep);

#endif
