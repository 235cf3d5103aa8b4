/*
 * godwit/events.h: the start and end of a run, and events as JSON.
 *
 * The library records every apply, revert, failure, retry, repair,
 * resolve, adopt, baseline, backup, restore, reset and seed as an event in
 * godwit_events. Projects whose settings ask for it (audit_log, notify)
 * also hand each event on once it is committed: a JSON line in the audit
 * log, a notification. A program brackets each command it runs with
 * gw_project_run_begin and gw_project_run_end, which add the run's "start"
 * and "end" events; neither is stored in godwit_events. The JSON of an
 * event is documented in docs/events.md, with its JSON Schema in
 * docs/event.schema.json.
 */
#ifndef GODWIT_EVENTS_H
#define GODWIT_EVENTS_H

#include "common.h"
#include "project.h"

/* Starts a run of `command` ("up"): the start event. Fails (with the error
 * on the project's ctx) only when the audit log cannot be written and
 * audit_required is set; the command must then not run. */
GW_EXTERN(int) gw_project_run_begin(gw_project *project, const char *command);

/* Ends the run: the end event, with the run's duration, `status` (0 for
 * success, else the program's exit status) and, when the ctx holds one,
 * the error. Negative when audit_required is set and the audit log could
 * not be written. */
GW_EXTERN(int) gw_project_run_end(gw_project *project, int status);

/* The event as one line of JSON (no newline), as `godwit history --format
 * json` lists it; NULL when out of memory. free() it. */
GW_EXTERN(char *) gw_event_json(const gw_event *event);

#endif
