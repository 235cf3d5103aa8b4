/*
 * godwit/plan.h: what `up` would do, statement by statement, and what each
 * statement does to the tables it touches (`godwit plan`).
 *
 * gw_project_plan_locks takes the migrations up would run (the same
 * selection and refusals as gw_project_plan_up) and, for each statement,
 * the table-level locks PostgreSQL takes, whether the statement scans or
 * rewrites a table, and the lint findings that fall inside it. Nothing is
 * run: the locks come from PostgreSQL's parse tree and its documented lock
 * levels, so a lock that depends on the catalog (a domain with constraints,
 * a binary-compatible type change) is reported as its worst case, with a
 * note. SQLite has no table locks: its statements come with none.
 */
#ifndef GODWIT_PLAN_H
#define GODWIT_PLAN_H

#include "common.h"
#include "errors.h"
#include "lint.h"
#include "project.h"

/* PostgreSQL's table lock modes, with its numbers: a higher mode conflicts
 * with at least what a lower one does, and several subcommands of one
 * ALTER TABLE take the highest. */
typedef enum {
	GW_LOCK_NONE = 0,
	GW_LOCK_ACCESS_SHARE = 1,
	GW_LOCK_ROW_SHARE = 2,
	GW_LOCK_ROW_EXCLUSIVE = 3,
	GW_LOCK_SHARE_UPDATE_EXCLUSIVE = 4,
	GW_LOCK_SHARE = 5,
	GW_LOCK_SHARE_ROW_EXCLUSIVE = 6,
	GW_LOCK_EXCLUSIVE = 7,
	GW_LOCK_ACCESS_EXCLUSIVE = 8,
} gw_lock_mode;

/* What the statement does to the table's rows while it holds the lock. */
typedef enum {
	GW_EFFECT_NONE = 0,
	GW_EFFECT_SCAN = 1,    /* reads every row (validation, index build) */
	GW_EFFECT_REWRITE = 2, /* writes a new copy of the table */
	GW_EFFECT_CREATES = 3, /* the statement creates the table */
} gw_lock_effect;

/* "ACCESS EXCLUSIVE", ...; "" for GW_LOCK_NONE. */
GW_EXTERN(const char *) gw_lock_mode_name(gw_lock_mode mode);
/* What other sessions wait for while the lock is held, as a short phrase:
 * "blocks reads and writes", "blocks writes", ...; NULL for GW_LOCK_NONE. */
GW_EXTERN(const char *) gw_lock_mode_blocks(gw_lock_mode mode);
/* "none", "scan", "rewrite", "creates". */
GW_EXTERN(const char *) gw_lock_effect_name(gw_lock_effect effect);

typedef struct {
	const char *table; /* as written ("users", "app.users"); NULL: every table */
	gw_lock_mode mode; /* GW_LOCK_NONE for a table the statement creates */
	gw_lock_effect effect;
	const char *blocks; /* gw_lock_mode_blocks(mode) */
	const char *note;   /* a caveat ("unless the change is binary-compatible"), or NULL */
} gw_lock;

typedef struct {
	size_t index;    /* 0-based, as the runner counts statements */
	int line;        /* of its first token in the file, 1-based */
	int column;      /* in characters, 1-based */
	const char *sql; /* one line: whitespace collapsed, comments dropped, cut with "..." */
	const gw_lock *locks;
	size_t nlocks;
	const gw_finding *const *findings; /* the lint findings inside it */
	size_t nfindings;
	int done; /* already run by an interrupted run; --resume starts after it */
} gw_plan_statement;

typedef struct {
	const char *version;
	const char *name;
	const char *file; /* relative to the migrations folder */
	const char *path; /* folder/file, as findings name it */
	int transactional;
	int locks_known; /* 0 for SQLite, which locks the whole database for writes */
	const gw_plan_statement *statements;
	size_t nstatements;
	/* Findings about the file rather than one statement. */
	const gw_finding *const *findings;
	size_t nfindings;
} gw_lockplan_step;

typedef struct gw_lockplan gw_lockplan;

typedef struct {
	unsigned int version;
	gw_up_options up;     /* --to, --resume: the same selection as up */
	gw_lint_options lint; /* rule levels (godwit.conf lint_*) */
} gw_lockplan_options;

#define GW_LOCKPLAN_OPTIONS_VERSION 1
#define GW_LOCKPLAN_OPTIONS_INIT                                                                   \
	{                                                                                          \
		.version = GW_LOCKPLAN_OPTIONS_VERSION, .up = GW_UP_OPTIONS_INIT,                  \
		.lint = GW_LINT_OPTIONS_INIT                                                       \
	}

/* What up would run, with each statement's locks and lint findings. Reads
 * the history (so it connects) and changes nothing. A plan up would refuse
 * (a dirty or changed migration, ...) is refused with the same error. */
GW_EXTERN(int)
gw_project_plan_locks(gw_lockplan **out, gw_project *project, const gw_lockplan_options *opts);
GW_EXTERN(size_t) gw_lockplan_count(const gw_lockplan *plan);
GW_EXTERN(const gw_lockplan_step *) gw_lockplan_get(const gw_lockplan *plan, size_t i);
/* The highest level among all findings; GW_LEVEL_OFF when there are none. */
GW_EXTERN(gw_level) gw_lockplan_max_level(const gw_lockplan *plan);
GW_EXTERN(void) gw_lockplan_free(gw_lockplan *plan);

#endif
