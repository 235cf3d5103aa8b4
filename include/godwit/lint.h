/*
 * godwit/lint.h: checking migrations before they run: validate (is every
 * file well formed and does its SQL parse?) and lint (is it safe to run on
 * a live database?).
 *
 * Both return findings: data, never printed by the library. Each finding
 * names a rule (a stable kebab-case id such as "syntax" or
 * "require-concurrent-index-creation"), a level, a position in a file, a
 * one-line message and, where there is one, the safe alternative written
 * out as SQL, the table concerned and the lock the statement takes there.
 * Every rule is documented in the table gw_lint_rule_get walks, which is
 * also what `godwit lint --explain RULE` prints.
 */
#ifndef GODWIT_LINT_H
#define GODWIT_LINT_H

#include "common.h"
#include "errors.h"
#include "project.h"

typedef enum {
	GW_LEVEL_OFF = 0, /* the rule is disabled */
	GW_LEVEL_WARNING = 1,
	GW_LEVEL_ERROR = 2,
} gw_level;

/* "off", "warning", "error". */
GW_EXTERN(const char *) gw_level_name(gw_level level);

typedef struct {
	const char *rule;        /* stable id, e.g. "constraint-missing-not-valid" */
	gw_level level;          /* after the configuration was applied */
	const char *file;        /* the path as the user wrote or sees it */
	int line;                /* 1-based; 0 when the finding is about the whole file */
	int column;              /* 1-based, in characters; 0 when unknown */
	const char *message;     /* one line, never NULL */
	const char *help;        /* the safe alternative (often SQL), or NULL */
	const char *table;       /* the table concerned, or NULL */
	const char *lock;        /* the lock taken on it ("ACCESS EXCLUSIVE"), or NULL */
	const char *source_line; /* the text of `line` without its newline, or NULL */
	gw_text_hint hint;       /* the action that ends message (errors.h) */
} gw_finding;

typedef struct gw_findings gw_findings;

GW_EXTERN(size_t) gw_findings_count(const gw_findings *findings);
GW_EXTERN(const gw_finding *) gw_findings_get(const gw_findings *findings, size_t i);
/* The highest level among the findings; GW_LEVEL_OFF when there are none. */
GW_EXTERN(gw_level) gw_findings_max_level(const gw_findings *findings);
GW_EXTERN(void) gw_findings_free(gw_findings *findings);

/* Where the SQL dialect that validate and lint checked came from. */
typedef enum {
	GW_DIALECT_FROM_OPTION = 1, /* the caller's dialect option */
	GW_DIALECT_FROM_URL,        /* the configured database URL */
	GW_DIALECT_FROM_CONFIG,     /* the project's dialect setting */
	GW_DIALECT_FROM_SQL,        /* what the migrations' SQL parses as */
} gw_dialect_from;

/* The dialect gw_project_lint's or gw_project_validate's findings were
 * checked as, "postgres" or "sqlite", and where it came from (from may be
 * NULL). NULL, with *from set to 0, for gw_lint_sql's findings (its caller
 * chose PostgreSQL) and for findings of another kind (a plan's). */
GW_EXTERN(const char *) gw_findings_dialect(const gw_findings *findings, gw_dialect_from *from);

/* ---- the rules ------------------------------------------------------------ */

typedef struct {
	const char *id;
	gw_level level;          /* the default level */
	const char *family;      /* "validate", "rewrite", "locking", "breaking", ... */
	const char *summary;     /* one line */
	const char *description; /* a paragraph: why it matters */
	const char *bad;         /* SQL that fires the rule, or NULL */
	const char *good;        /* the safe alternative, or NULL */
	/* What ends description as a code (errors.h): a program may print
	 * hint.context and its own wording instead (gw_wording_cb). */
	gw_text_hint hint;
} gw_lint_rule;

/* Every rule, in documentation order. */
GW_EXTERN(size_t) gw_lint_rule_count(void);
GW_EXTERN(const gw_lint_rule *) gw_lint_rule_get(size_t i);
GW_EXTERN(const gw_lint_rule *) gw_lint_rule_find(const char *id);

/* ---- linting ------------------------------------------------------------ */

typedef struct {
	unsigned int version;
	/* Comma-separated rule ids (godwit.conf lint_disable, lint_error,
	 * lint_warning). An unknown id is GW_ECONFIG. */
	const char *disable;
	const char *error;
	const char *warning;
	/* Lint text as if the runner ran it without a transaction
	 * (`-- godwit:no-transaction`). */
	int no_transaction;
} gw_lint_options;

#define GW_LINT_OPTIONS_VERSION 1
#define GW_LINT_OPTIONS_INIT                                                                       \
	{                                                                                          \
		.version = GW_LINT_OPTIONS_VERSION                                                 \
	}

/* Lints PostgreSQL text (a whole migration as it runs); positions are
 * reported against it under the name `file`. SQL that does not parse is a
 * "syntax" finding, not an error. */
GW_EXTERN(int)
gw_lint_sql(gw_findings **out, const char *file, const char *sql, size_t len,
            const gw_lint_options *opts, gw_ctx *ctx);

typedef struct {
	unsigned int version;
	gw_lint_options lint;
	/* Paths to lint (as given on a command line). Files of the project's
	 * folder are linted with their migration's transaction mode and only
	 * their SQL sections; others as whole files. NULL/0: the pending
	 * migrations, or every migration when pending_only is 0. */
	const char *const *files;
	size_t nfiles;
	int pending_only; /* needs the database */
	/* "postgres" or "sqlite": the SQL's dialect. NULL: the database URL's
	 * when one is configured, else the project's dialect setting, else
	 * what the migrations parse as (the embedded SQLite default is not
	 * taken to mean the SQL is SQLite's); validate decides the same way.
	 * With "sqlite", statements the PostgreSQL parser cannot read are
	 * skipped (validate checks them with SQLite) and only the rules that
	 * apply to SQLite report. */
	const char *dialect;
} gw_project_lint_options;

#define GW_PROJECT_LINT_OPTIONS_VERSION 1
#define GW_PROJECT_LINT_OPTIONS_INIT                                                               \
	{                                                                                          \
		.version = GW_PROJECT_LINT_OPTIONS_VERSION, .lint = GW_LINT_OPTIONS_INIT           \
	}

GW_EXTERN(int)
gw_project_lint(gw_findings **out, gw_project *project, const gw_project_lint_options *opts);

/* The .sql files under the project's migrations folder that git says
 * changed since revision rev (deleted ones left out), and the new ones
 * there that git does not track yet: what `lint --since` and `test --since`
 * look at. Paths are as git prints them, relative to the current
 * directory. *out is NULL-terminated, *count long; free it with
 * gw_strings_free. Runs git (without a shell). */
GW_EXTERN(int)
gw_project_changed_files(char ***out, size_t *count, gw_project *project, const char *rev);
GW_EXTERN(void) gw_strings_free(char **strings);

/* ---- the block policy ------------------------------------------------------- */

/* The lint level at or above which up refuses what it is about to run in
 * the project's environment: the block setting (error, warning, off),
 * else GW_LEVEL_ERROR in a protected environment and GW_LEVEL_OFF
 * elsewhere. */
GW_EXTERN(gw_level) gw_project_block_level(const gw_project *project);
/* The findings of the migrations up would apply (opts as for
 * gw_project_up) that the block policy refuses: at or above the block
 * level, or destructive (DROP TABLE, DROP COLUMN, TRUNCATE, DELETE or
 * UPDATE without WHERE, DROP SCHEMA ... CASCADE, DROP DATABASE) at any
 * level when block_destructive is on (by default wherever block is), and
 * not acknowledged with `-- godwit:ignore RULE`. None when the policy is
 * off. gw_project_up refuses them itself (GW_EUNSAFE, before
 * anything runs) unless gw_up_options.allow_unsafe. */
GW_EXTERN(int)
gw_project_unsafe(gw_findings **out, gw_project *project, const gw_up_options *opts);

/* ---- validating ------------------------------------------------------------ */

typedef struct {
	unsigned int version;
	gw_lint_options lint; /* levels of the validate rules (missing-down, ...) */
	/* Compare checksums with the history (changed, missing migrations). */
	int check_history;
	/* "postgres" or "sqlite": the SQL to check against; NULL: decided as
	 * for gw_project_lint_options.dialect. */
	const char *dialect;
} gw_validate_options;

#define GW_VALIDATE_OPTIONS_VERSION 1
#define GW_VALIDATE_OPTIONS_INIT                                                                   \
	{                                                                                          \
		.version = GW_VALIDATE_OPTIONS_VERSION, .lint = GW_LINT_OPTIONS_INIT               \
	}

/* Checks the folder and every file's SQL without a database (unless
 * check_history). A problem in the files is a finding; only a failure to
 * check (an unreadable folder, a lost connection) is an error. */
GW_EXTERN(int)
gw_project_validate(gw_findings **out, gw_project *project, const gw_validate_options *opts);

#endif
