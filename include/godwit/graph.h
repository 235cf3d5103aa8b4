/*
 * godwit/graph.h: the migrations as a graph: one node per migration, with
 * its state, and an edge for each -- @depends-on line (and each sqitch
 * [requires] of the project's own changes) and, in the
 * conventions whose migrations form a line (all but dated), for each step
 * of the apply order.
 *
 * The nodes are the entries of gw_project_status, in the same order (apply
 * order, missing migrations last), so `status`, `graph` and the commands
 * that follow dependencies read one graph.
 */
#ifndef GODWIT_GRAPH_H
#define GODWIT_GRAPH_H

#include "common.h"
#include "project.h"

typedef enum {
	GW_GRAPH_DEPENDS_ON = 1, /* a -- @depends-on line, a sqitch [requires] */
	GW_GRAPH_ORDER = 2,      /* the next migration of a linear convention */
} gw_graph_edge_kind;

typedef struct {
	size_t from; /* node of the migration that runs first (the one depended on) */
	size_t to;   /* node of the migration that runs after it */
	gw_graph_edge_kind kind;
	int line; /* GW_GRAPH_DEPENDS_ON: the line of the directive in to's file
	             (sqitch: of to's change in sqitch.plan) */
} gw_graph_edge;

typedef struct gw_graph gw_graph;

/* Reads the folder and the history as gw_project_status does. Edges come
 * in the order of their `to` node, a node's @depends-on edges in the order
 * of its lines, then its order edge; an order edge is left out where a
 * @depends-on edge already joins the same two migrations. */
GW_EXTERN(int) gw_project_graph(gw_graph **out, gw_project *project);
/* The same graph on a status of this project the caller already has
 * (gw_project_status): the graph borrows it, and is freed before it. */
GW_EXTERN(int) gw_status_graph(gw_graph **out, gw_project *project, const gw_status *status);
/* The nodes: node i is gw_status_get(gw_graph_status(g), i). */
GW_EXTERN(const gw_status *) gw_graph_status(const gw_graph *graph);
GW_EXTERN(size_t) gw_graph_edge_count(const gw_graph *graph);
GW_EXTERN(const gw_graph_edge *) gw_graph_edge_get(const gw_graph *graph, size_t i);
/* 1 when the convention orders its migrations in a line (order edges). */
GW_EXTERN(int) gw_graph_linear(const gw_graph *graph);
/* The graph in graphviz's DOT language, each node labelled with its
 * version, name and state and filled by its state, order edges dashed;
 * *out is malloc'd. */
GW_EXTERN(int) gw_graph_dot(char **out, const gw_graph *graph);
/* Renders the DOT with graphviz's `dot` program (searched in PATH) as
 * `dot -Tformat` ("svg", "png", ...), written to the file descriptor fd.
 * GW_ENOTFOUND, with a hint, when dot is not installed. */
GW_EXTERN(int) gw_graph_render(const gw_graph *graph, const char *format, int fd);
GW_EXTERN(void) gw_graph_free(gw_graph *graph);

#endif
