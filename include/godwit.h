/*
 * godwit.h: the public API of libgodwit.
 *
 * Open a gw_ctx for errors and notices, open a gw_project with options, and
 * call gw_project_status/up/down/history. See examples/embed.c.
 */
#ifndef GODWIT_H
#define GODWIT_H

#include "godwit/common.h"
#include "godwit/errors.h"
#include "godwit/project.h"
#include "godwit/health.h"
#include "godwit/backup.h"
#include "godwit/config.h"
#include "godwit/schema.h"
#include "godwit/lint.h"
#include "godwit/plan.h"
#include "godwit/adopt.h"
#include "godwit/prove.h"
#include "godwit/init.h"
#include "godwit/events.h"
#include "godwit/graph.h"
#include "godwit/fleet.h"

#endif
