/*
 * godwit/adopt.h: taking over a database whose schema already exists.
 *
 * gw_project_baseline records migrations as applied without running them,
 * for a database built by hand or restored from a dump.
 * gw_project_adopt reads the history table of the tool that managed the
 * database until now (dbmate, golang-migrate, goose, Flyway, diesel,
 * Prisma, drizzle)
 * and records what it applied, so that `up` runs only what is really
 * pending. Neither runs any migration SQL, and neither touches the other
 * tool's table.
 */
#ifndef GODWIT_ADOPT_H
#define GODWIT_ADOPT_H

#include <stddef.h>

#include "common.h"
#include "errors.h"
#include "project.h"

/* Records every versioned migration up to and including `version` as
 * applied, with kind "baseline" and the file's checksum, in one
 * transaction with a "baseline" event per row. Migrations already
 * recorded as applied with the same checksum are skipped; any other
 * record of one of them (another checksum, dirty) refuses the whole
 * baseline with GW_ESTATE, changing nothing. *recorded (may be NULL) gets
 * the number of rows written. */
GW_EXTERN(int) gw_project_baseline(size_t *recorded, gw_project *project, const char *version);

/* What adopt does with one migration. */
typedef enum {
	GW_ADOPT_RECORD = 1, /* applied by the tool: recorded as applied */
	GW_ADOPT_ALREADY,    /* godwit already records it applied, same checksum */
	GW_ADOPT_PENDING,    /* the tool did not apply it: left for `up` */
	GW_ADOPT_PROBLEM,    /* the tool and the folder disagree: see problem */
} gw_adopt_action;

/* What was learned about the tool's checksum. */
typedef enum {
	GW_ADOPT_SUM_NONE = 0,     /* the tool keeps no checksum */
	GW_ADOPT_SUM_VERIFIED,     /* it matches the file */
	GW_ADOPT_SUM_MISMATCH,     /* the file changed since the tool applied it */
	GW_ADOPT_SUM_NOT_VERIFIED, /* kept, but godwit cannot compute it */
} gw_adopt_checksum;

typedef struct {
	const char *version;
	const char *name;          /* NULL for a row of the tool that matches no file */
	const char *file;          /* relative to the folder; NULL when missing on disk */
	const char *found;         /* the tool's word for it: "applied", "dirty", "failed",
	                              "rolled back", "not applied" */
	const char *applied_at;    /* the tool's time (ISO 8601 UTC), NULL if it kept none */
	const char *tool_checksum; /* as the tool stored it, NULL if none */
	gw_adopt_checksum checksum;
	gw_adopt_action action;
	const char *problem; /* GW_ADOPT_PROBLEM: what disagrees, else NULL */
	gw_text_hint hint;   /* the action that ends problem (errors.h) */
} gw_adopt_entry;

typedef struct gw_adopt_report gw_adopt_report;

/* Reads the history table of `tool` ("dbmate", "golang-migrate", "goose",
 * "flyway", "diesel", "prisma", "drizzle", "sqitch"; gw_adopt_tools lists
 * them) and
 * records the migrations it applied as applied, kind "adopted", with the
 * tool's applied time where it kept one and an "adopt" event each, in one
 * transaction under the runner lock. With dry_run nothing is written and the history
 * tables are not created.
 *
 * Refuses with GW_ESTATE, recording nothing, when the tool's history and
 * the folder disagree (a migration applied there but missing on disk, a
 * dirty, failed or unfinished migration, a changed checksum); *out then
 * still holds the report that names the problems. A missing tool table is
 * GW_ENOTFOUND with *out NULL. Free the report with gw_adopt_report_free. */
GW_EXTERN(int)
gw_project_adopt(gw_adopt_report **out, gw_project *project, const char *tool, int dry_run);

typedef struct {
	unsigned int version;
	const char *tool;
	int dry_run;
	/* The tool's table when it was configured away from its default
	 * (Flyway's table, golang-migrate's x-migrations-table, goose -table,
	 * dbmate --migrations-table, drizzle's migrationsTable), and its schema
	 * (drizzle's migrationsSchema; sqitch's registry). NULL: the default. */
	const char *table;
	const char *schema;
} gw_adopt_options;

#define GW_ADOPT_OPTIONS_VERSION 1
#define GW_ADOPT_OPTIONS_INIT                                                                      \
	{                                                                                          \
		.version = GW_ADOPT_OPTIONS_VERSION                                                \
	}

/* gw_project_adopt with options. */
GW_EXTERN(int)
gw_project_adopt_with(gw_adopt_report **out, gw_project *project, const gw_adopt_options *opts);

/* The tool names adopt accepts, NULL-terminated. */
GW_EXTERN(const char *const *) gw_adopt_tools(void);
/* Whether adopt reads this tool: one of gw_adopt_tools or an alias
 * ("migrate" for golang-migrate). */
GW_EXTERN(int) gw_adopt_tool_known(const char *name);

GW_EXTERN(const char *) gw_adopt_report_tool(const gw_adopt_report *report);
/* The tool's table, as read ("schema_migrations"). */
GW_EXTERN(const char *) gw_adopt_report_table(const gw_adopt_report *report);
GW_EXTERN(int) gw_adopt_report_dry_run(const gw_adopt_report *report);
/* Rows written (0 for a dry run or a refusal). */
GW_EXTERN(size_t) gw_adopt_report_recorded(const gw_adopt_report *report);
/* How many entries have this action. */
GW_EXTERN(size_t)
gw_adopt_report_count_action(const gw_adopt_report *report, gw_adopt_action action);
GW_EXTERN(size_t) gw_adopt_report_count(const gw_adopt_report *report);
GW_EXTERN(const gw_adopt_entry *) gw_adopt_report_get(const gw_adopt_report *report, size_t i);
GW_EXTERN(void) gw_adopt_report_free(gw_adopt_report *report);

GW_EXTERN(const char *) gw_adopt_action_name(gw_adopt_action action);
GW_EXTERN(const char *) gw_adopt_checksum_name(gw_adopt_checksum checksum);

#endif
