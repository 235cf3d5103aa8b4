/*
 * fleet_priv.h: what the files of a fleet run share (godwit/fleet.h).
 *
 * fleet.c holds the targets (parsing a targets file, --schemas, a
 * control database's query), fleet_run.c the worker pool and the failure
 * policy, fleet_target.c one target's run (a normal gw_project), and
 * fleet_state.c the record of a run's results (a state file or the
 * control database), which --resume reads back.
 */
#ifndef GW_LIB_FLEET_PRIV_H
#define GW_LIB_FLEET_PRIV_H

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "godwit/fleet.h"

/* A target and the strings it owns. */
typedef struct gw_fleet_item {
	gw_fleet_target pub;
	char *name, *url, *display_url, *host, *file;
} gw_fleet_item;

struct gw_fleet {
	gw_ctx *ctx;
	gw_fleet_item *items;
	size_t count, cap;
	/* gw_fleet_cancel: read by the run's coordinating thread. */
	volatile sig_atomic_t cancelled;
};

/* One target's result, with the strings it owns. */
typedef struct gw_fleet_slot {
	gw_fleet_result pub;
	char *before, *after, *error, *sqlstate, *summary;
	size_t host;           /* index into the run's hosts */
	int picked;            /* a worker took it (or it needs no run) */
	int canary;            /* one of the targets run first */
	int unsaved;           /* changed since the record was last written */
	long long retry_at_ms; /* refused as too many connections: not before */
	long long started_ms;
	gw_project *project; /* while it runs, for cancelling; under the run's lock */
} gw_fleet_slot;

struct gw_fleet_report {
	char *run_id;
	gw_fleet_action action;
	char *state; /* the state file's path or the control URL, masked */
	gw_fleet_slot *slots;
	size_t count;
	long long duration_ms;
};

/* fleet_target.c: runs opts->action on one target; fills the slot's
 * result. publish(payload, project) is called with the target's project
 * once it is open and with NULL before it is freed. Never fails: a
 * failure is the slot's. */
void gw_fleet__run_target(gw_fleet_slot *slot, const gw_fleet_options *opts,
                          void (*publish)(void *payload, gw_fleet_slot *slot, gw_project *p),
                          void *payload);
/* 1 when the slot failed because the server had no connection left
 * (53300, "too many clients"): worth trying again later. */
int gw_fleet__too_many_connections(const gw_fleet_slot *slot);
/* Points the public result's strings at the slot's. */
void gw_fleet__slot_sync(gw_fleet_slot *slot);
/* Frees the strings of a slot's result and resets it to not started. */
void gw_fleet__slot_reset(gw_fleet_slot *slot);

/* fleet_state.c: the record of a run. */
typedef struct gw_fleet_state gw_fleet_state;
/* Opens the record of a new run (resume NULL: a new id) or of the run
 * `resume`, whose results are then read back into the report's slots:
 * those done are GW_TARGET_DONE_BEFORE. */
int gw_fleet__state_open(gw_fleet_state **out, gw_fleet_report *r, const gw_fleet_options *opts,
                         const char *control_url, gw_ctx *ctx);
/* Writes the slots' results (in a control database, those changed
 * since the last call: unsaved); called under the run's lock. */
int gw_fleet__state_save(gw_fleet_state *st, gw_fleet_report *r, gw_ctx *ctx);
void gw_fleet__state_close(gw_fleet_state *st);

long long gw_fleet__now_ms(void);

#endif
