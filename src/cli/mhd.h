/*
 * mhd.h: libmicrohttpd, loaded when `godwit serve` starts.
 *
 * Linking libmicrohttpd would load it and GnuTLS, p11-kit, nettle, gmp
 * and the rest of its dependency tree in every run of godwit, for the one
 * command that serves HTTP; and Debian ships no static archives of
 * p11-kit and libunistring, so the portable build could not link it
 * statically either. So serve calls it through this table, filled by
 * dlopen (src/util/dl.h) on first use, as the PostgreSQL driver does with
 * libpq; the portable tarball ships it in lib/ (packaging/README.md).
 */
#ifndef GW_CLI_MHD_H
#define GW_CLI_MHD_H

#include <microhttpd.h>

#include "godwit/errors.h"

#ifdef __APPLE__
#define GW_MHD_NAME "libmicrohttpd.12.dylib"
#else
#define GW_MHD_NAME "libmicrohttpd.so.12"
#endif

#define GW_MHD_FUNCTIONS(X)                                                                        \
	X(struct MHD_Daemon *, MHD_start_daemon,                                                   \
	  (unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *, MHD_AccessHandlerCallback,    \
	   void *, ...))                                                                           \
	X(void, MHD_stop_daemon, (struct MHD_Daemon *))                                            \
	X(MHD_socket, MHD_quiesce_daemon, (struct MHD_Daemon *))                                   \
	X(struct MHD_Response *, MHD_create_response_from_buffer,                                  \
	  (size_t, void *, enum MHD_ResponseMemoryMode))                                           \
	X(enum MHD_Result, MHD_add_response_header,                                                \
	  (struct MHD_Response *, const char *, const char *))                                     \
	X(enum MHD_Result, MHD_queue_response,                                                     \
	  (struct MHD_Connection *, unsigned int, struct MHD_Response *))                          \
	X(void, MHD_destroy_response, (struct MHD_Response *))                                     \
	X(const char *, MHD_lookup_connection_value,                                               \
	  (struct MHD_Connection *, enum MHD_ValueKind, const char *))

#define GW_MHD_MEMBER(ret, name, args) ret(*name) args;
typedef struct gw_mhd_api {
	GW_MHD_FUNCTIONS(GW_MHD_MEMBER)
} gw_mhd_api;
#undef GW_MHD_MEMBER

extern gw_mhd_api gw_mhd;

/* Loads libmicrohttpd (serve does, once per process); -1 with what to
 * install in why when it is missing or lacks a function. */
int gw_mhd_load(char *why, size_t why_size);

#endif
