/*
 * source_priv.h: what source.c and source_order.c share and nobody else
 * sees: the private part of each migration and of the set.
 */
#ifndef GW_LIB_SOURCE_PRIV_H
#define GW_LIB_SOURCE_PRIV_H

#include "source.h"

/* Why a migration has no down_file, for the message that says so. */
enum { GW_DOWN_NONE = 0, GW_DOWN_EMPTY = 1 /* a down file or section without SQL */ };

/* The public part comes first so a gw_migration * converts back. */
typedef struct gw_source_mig {
	gw_migration pub;
	char *stem;        /* "<version>_<name>"; for dated files, the version */
	int *depends_line; /* the line of each @depends-on target in up_file */
	size_t depends_cap;
	int down_state;
} gw_source_mig;

typedef struct gw_source_priv {
	gw_source pub;
	gw_source_mig **all; /* every migration, by version once ordered */
} gw_source_priv;

/* An error whose message starts with "path[:line[:col]]: ", with the same
 * location recorded on the context. */
int gw_source__file_error(gw_ctx *ctx, int code, const char *path, int line, int col,
                          const char *fmt, ...) GW_FORMAT_PRINTF(6, 7);

/* Rejects duplicate versions and fills pub.items in apply order. */
int gw_source__order(gw_source_priv *sp, gw_ctx *ctx);

#endif
