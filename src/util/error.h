/*
 * error.h: setting errors and sending notices on a gw_ctx (library side).
 *
 * An error is set once, where it happens. gw_error_set returns the code it
 * was given, so a caller writes `return gw_error_set(ctx, GW_EIO, ...)`. If
 * the context already holds an error the new one is dropped: the first
 * error is the cause, and what follows (a failed ROLLBACK, say) must not
 * hide it. The detail setters only fill fields that are still empty.
 */
#ifndef GW_UTIL_ERROR_H
#define GW_UTIL_ERROR_H

#include "godwit/errors.h"
#include "str.h"

int gw_error_set(gw_ctx *ctx, int code, const char *fmt, ...) GW_FORMAT_PRINTF(3, 4);
int gw_error_oom(gw_ctx *ctx);
void gw_error_set_sqlstate(gw_ctx *ctx, const char *sqlstate);
void gw_error_set_location(gw_ctx *ctx, const char *file, int line, int column);
void gw_error_set_hint(gw_ctx *ctx, const char *fmt, ...) GW_FORMAT_PRINTF(2, 3);
/* A hint whose action a program may word itself (godwit/errors.h's
 * gw_hint_code): the library's wording of code with its details arg0 and
 * arg1 (NULL: none); _after puts the text of context_fmt before it. */
void gw_error_set_hint_code(gw_ctx *ctx, int code, const char *arg0, const char *arg1);
void gw_error_set_hint_code_after(gw_ctx *ctx, int code, const char *arg0, const char *arg1,
                                  const char *context_fmt, ...) GW_FORMAT_PRINTF(5, 6);
/* Gives ctx the hint of e (another context's error), code and all. */
void gw_error_copy_hint(gw_ctx *ctx, const gw_error *e);
/* hint.c: appends the library's wording of a hint code, which names no
 * program's options (the godwit.conf keys and the API's fields only). */
void gw_hint_wording(gw_str *out, int code, const char *arg0, const char *arg1);
/* Its wording of the codes that end the rules' descriptions
 * (gw_lint_rule.hint), which lint_rules.c's descriptions end with. */
#define GW_HINT_RULE_REVERT_TEXT ". Make it an error with lint_error = missing-down in godwit.conf."
#define GW_HINT_RULE_EMPTY_TEXT                                                                    \
	"Applying refuses an empty migration: it is usually one that was created and never "       \
	"written. Where the folder's tool applies a file without SQL (popx, golang-migrate, "      \
	"Flyway, Prisma, drizzle), godwit records it and runs nothing, unless it still holds the " \
	"comment a new migration is written with."
#define GW_HINT_RULE_REPAIR_TEXT " by repairing the migration's checksum."
#define GW_HINT_RULE_REBUILD_TEXT                                                                  \
	"Generating a migration writes it to put a column in the middle of a table; "              \
	"column_order_append (gw_sql_options) adds the column at the end instead."
#define GW_HINT_RULE_TRANSACTION_TEXT "applying refuses the file."
/* Prefixes the message with context ("applying 001_x.sql: ..."). */
void gw_error_prefix(gw_ctx *ctx, const char *fmt, ...) GW_FORMAT_PRINTF(2, 3);
int gw_error_is_set(const gw_ctx *ctx);

/* While quiet, notices are dropped: for a checking pass that will be
 * repeated for real. */
void gw_ctx_set_quiet(gw_ctx *ctx, int quiet);
/* From now on, value never shows in a message, hint or notice of ctx:
 * each occurrence reads ******** (a substituted placeholder's value,
 * placeholder.c). -1 when out of memory. */
int gw_ctx__add_mask(gw_ctx *ctx, const char *value);

/* Gives dst the notice callback and the wording of src (for a helper
 * thread's context). */
void gw_ctx__copy_notice_cb(gw_ctx *dst, const gw_ctx *src);
/* Appends context and the wording of code with its details (NULL: none):
 * the program's (gw_ctx_set_wording) when it set one, else the library's.
 * ctx may be NULL. */
void gw_ctx__word(const gw_ctx *ctx, gw_str *out, int code, const char *context, const char *arg0,
                  const char *arg1);

void gw_notify(gw_ctx *ctx, gw_notice_kind kind, const char *version, const char *name,
               const char *file, long long duration_ms, const char *fmt, ...)
        GW_FORMAT_PRINTF(7, 8);
/* A notice about a line of a file: a statement sent, or what the server
 * said while it ran. */
void gw_notify_at(gw_ctx *ctx, gw_notice_kind kind, const char *version, const char *name,
                  const char *file, long long duration_ms, int line, const char *fmt, ...)
        GW_FORMAT_PRINTF(8, 9);

#endif
