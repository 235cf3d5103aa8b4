/*
 * hint.c: the CLI's wording of the library's hint codes (godwit/errors.h),
 * naming godwit's commands and flags, which the library does not know.
 * A hint without a code is printed as the library wrote it. Reports'
 * texts (health checks, findings, adopt problems) end in such actions too.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* printf into buf after what is there already; the text is cut, never
 * overrun, when it does not fit. */
static void put(char *buf, size_t size, const char *fmt, ...) GW_FORMAT_PRINTF(3, 4);
static void put(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

const char *gw_cli_hint_text(const gw_text_hint *h, const char *text, char *buf, size_t size)
{
	const char *a0, *them;

	if (h->code == GW_HINT_NONE || !size)
		return text;
	a0 = h->args[0];
	them = strcmp(a0, "1") ? "them" : "it";
	snprintf(buf, size, "%s", h->context);
	switch (h->code) {
	case GW_HINT_SQLITE_MISSING:
		put(buf, size, "check --url; 'godwit up' creates it");
		break;
	case GW_HINT_SQLITE_NOT_DATABASE:
		put(buf, size, "%s is not a SQLite database file; check --url", a0);
		break;
	case GW_HINT_SQLITE_BUSY:
		put(buf, size,
		    "wait for the process that holds it to finish, or wait longer with "
		    "--lock-wait SECONDS");
		break;
	case GW_HINT_SQITCH_REGISTRY:
		put(buf, size, "sqitch keeps it next to the database file; check --url");
		break;
	case GW_HINT_ADOPT_AGAIN:
		put(buf, size, "fix each problem listed, then run 'godwit adopt --from %s' again",
		    a0);
		break;
	case GW_HINT_ADOPT_FOLDER:
		put(buf, size, "point --dir at the folder %s migrated from (%s)", a0, h->args[1]);
		break;
	case GW_HINT_ADOPT_TABLE:
		put(buf, size,
		    "check --url; if %s was configured with another table, name it with "
		    "--from-table (and --from-schema)",
		    a0);
		break;
	case GW_HINT_DIR_AMBIGUOUS:
		put(buf, size, "pass --dir, or set dir in godwit.conf");
		break;
	case GW_HINT_LEASE_WAIT:
		put(buf, size,
		    "wait for it to finish or for its lease to expire (a killed runner's "
		    "lease lapses after lock_lease), or raise --lock-wait");
		break;
	case GW_HINT_LOCK_POOLER:
		put(buf, size,
		    "use the direct URL (POSTGRES_URL_NON_POOLING, DATABASE_URL_UNPOOLED "
		    "or DIRECT_URL), or set lock = table (--lock table)");
		break;
	case GW_HINT_LOCK_WAIT:
		put(buf, size,
		    "wait for it to finish, raise --lock-wait, or end that session if it "
		    "is stuck");
		break;
	case GW_HINT_SERVER_WAIT:
		put(buf, size, "check that the server is starting, or raise --timeout");
		break;
	case GW_HINT_DIRTY:
		put(buf, size,
		    "fix the cause, then run 'godwit up --resume' to continue from that statement, "
		    "or 'godwit resolve %s --applied|--rolled-back' once the database is settled "
		    "by hand",
		    a0);
		break;
	case GW_HINT_OUT_OF_ORDER:
		put(buf, size, "apply %s with --allow-out-of-order, or give %s a newer version",
		    them, them);
		break;
	case GW_HINT_OTHER_HISTORY:
		put(buf, size,
		    "take the history over with 'godwit adopt --from %s' (see what it records with "
		    "--dry-run first); to apply everything anyway, run 'godwit up "
		    "--ignore-other-history'",
		    a0);
		break;
	case GW_HINT_RESUME_FIRST:
		put(buf, size,
		    "the connection was lost as %s started; on a new session the history shows "
		    "it dirty before its first statement; run 'godwit up --resume' to run it",
		    a0);
		break;
	case GW_HINT_RESUME_INDEX:
		put(buf, size,
		    "the migration is now dirty at this statement; fix what made the "
		    "first build fail (duplicate values for a unique index, a lock "
		    "timeout, ...), then run 'godwit up --resume': it drops the INVALID "
		    "index and builds it again");
		break;
	case GW_HINT_RESOLVE_VERIFY:
		put(buf, size,
		    "%s ran without a transaction, so it stays applied but dirty; check the "
		    "database, then 'godwit resolve %s --applied|--rolled-back'",
		    a0, a0);
		break;
	case GW_HINT_RESUME:
		put(buf, size,
		    "run 'godwit up --resume' to continue from it, or settle it with "
		    "'godwit resolve'");
		break;
	case GW_HINT_RESOLVE_REVERT:
		put(buf, size,
		    "finish the revert by hand and run 'godwit resolve --rolled-back', "
		    "or 'godwit resolve --applied'");
		break;
	case GW_HINT_DIR_MISSING:
		put(buf, size, "create it (mkdir -p %s) or pass --dir", a0);
		break;
	case GW_HINT_ONE_CONVENTION:
		put(buf, size,
		    "keep one convention per folder, or choose one with --source-format");
		break;
	case GW_HINT_SQITCH_TOP_DIR:
		put(buf, size, "pass the folder that holds sqitch.plan with --dir");
		break;
	case GW_HINT_DIR_NOT_FOLDER:
		put(buf, size, "pass the migrations folder with --dir");
		break;
	case GW_HINT_CONFIG_FILE:
		put(buf, size, "check the --config option");
		break;
	case GW_HINT_ENV_FILE:
		put(buf, size, "check the --env-file option");
		break;
	case GW_HINT_URL_REQUIRED:
		put(buf, size, "the URL can also be given with --url");
		break;
	case GW_HINT_LINT_RULES:
		put(buf, size, "'godwit lint --list' shows them");
		break;
	case GW_HINT_GRAPH_DOT:
		put(buf, size,
		    "install graphviz (apt-get install graphviz, brew install graphviz), or "
		    "write --format dot and render it elsewhere");
		break;
	case GW_HINT_REPAIR:
		put(buf, size,
		    "restore the file as it was applied, or review the change and run "
		    "'godwit repair %s' to record it",
		    a0);
		break;
	case GW_HINT_STATUS_VERSIONS:
		put(buf, size, "'godwit status' lists the versions of the folder");
		break;
	case GW_HINT_SETTLE_FIRST:
		put(buf, size,
		    "settle it first with 'godwit status', 'godwit repair' or 'godwit "
		    "resolve'");
		break;
	case GW_HINT_SESSION_GONE:
		put(buf, size,
		    "the connection was lost while %s was %s, and godwit could not reconnect to "
		    "learn whether it committed; once the server is back, 'godwit status' shows "
		    "it (a migration in a transaction is never half done)",
		    a0, h->args[1]);
		break;
	case GW_HINT_INDEX_SETTLE:
		put(buf, size,
		    "the migration is now dirty at this statement; drop the index (DROP INDEX "
		    "CONCURRENTLY %s) or rebuild it (REINDEX INDEX %s) once the cause is fixed, "
		    "then settle the migration with 'godwit resolve'",
		    a0, a0);
		break;
	case GW_HINT_SCHEMA_AFTER:
		put(buf, size,
		    "the %s itself is done; 'godwit drift --record' records the snapshot, "
		    "'godwit schema dump -o FILE' writes the file",
		    a0);
		break;
	case GW_HINT_HEALTH_NO_DATABASE:
		put(buf, size, "(health creates nothing; 'godwit up' creates it)");
		break;
	case GW_HINT_ADOPT_FROM:
		put(buf, size, "take it over with 'godwit adopt --from %s'", a0);
		break;
	case GW_HINT_EMPTY_REFUSED:
		put(buf, size, "godwit up refuses it");
		break;
	case GW_HINT_NO_DOWN:
		put(buf, size, "godwit down cannot revert it");
		break;
	case GW_HINT_RESTORE_OR_REPAIR:
		put(buf, size, "restore the file or run 'godwit repair %s'", a0);
		break;
	case GW_HINT_CLEAR_DIRTY:
		put(buf, size, "clear the flag with '%s force VERSION' or use 'godwit baseline'",
		    a0);
		break;
	case GW_HINT_ADOPT_REPAIR:
		put(buf, size, "restore it, or adopt and then 'godwit repair' after a review");
		break;
	case GW_HINT_REVERT_CONFLICT:
		put(buf, size,
		    "revert %s first with godwit down, or remove the conflict from the plan", a0);
		break;
	case GW_HINT_FIX_APPLY_AGAIN:
		put(buf, size, "fix it and run godwit up again");
		break;
	case GW_HINT_APPLY_REST:
		put(buf, size, "run godwit up again for the rest");
		break;
	case GW_HINT_SEED_AGAIN:
		put(buf, size, "fix it and run godwit seed again");
		break;
	case GW_HINT_STATUS_APPLIED:
		put(buf, size, "'godwit status' shows what is applied");
		break;
	case GW_HINT_CREATE_DATABASE:
		put(buf, size,
		    "create it with `godwit create`, or check the database name in the URL");
		break;
	case GW_HINT_RULE_REVERT:
		put(buf, size,
		    " with godwit down. Make it an error with lint_error = missing-down in "
		    "godwit.conf.");
		break;
	case GW_HINT_RULE_EMPTY:
		put(buf, size,
		    "godwit up refuses to apply an empty migration: it is usually one that was "
		    "created and never written. Where the folder's tool applies a file without SQL "
		    "(popx, golang-migrate, Flyway, Prisma, drizzle), godwit records it and runs "
		    "nothing, unless it still holds the comment godwit new wrote.");
		break;
	case GW_HINT_RULE_REPAIR:
		put(buf, size, " with godwit repair VERSION.");
		break;
	case GW_HINT_RULE_REBUILD:
		put(buf, size,
		    "godwit generate writes it to put a column in the middle of a table; "
		    "--column-order=append adds the column at the end instead.");
		break;
	case GW_HINT_RULE_TRANSACTION:
		put(buf, size, "godwit up refuses the file.");
		break;
	case GW_HINT_COLUMN_ORDER_APPEND:
		put(buf, size, "--column-order=append adds the columns at the end instead");
		break;
	case GW_HINT_COMPARE_COLUMN_ORDER:
		put(buf, size, "compare with --ignore-column-order");
		break;
	case GW_HINT_OPTION_RENAME:
		put(buf, size, "--rename %s", a0);
		break;
	case GW_HINT_OPTION_SCHEMAS:
		put(buf, size, "--schemas");
		break;
	case GW_HINT_CONF_ENVIRONMENT:
		put(buf, size,
		    "# The environment is --env, else GODWIT_ENV, else VERCEL_ENV (Vercel sets\n"
		    "# it to production or preview), else development. `godwit config` shows\n"
		    "# every setting in effect and where it came from; README.md lists the "
		    "keys.\n");
		break;
	case GW_HINT_UP_AGAIN:
		put(buf, size, "run godwit up again");
		break;
	case GW_HINT_DOWN_AGAIN:
		put(buf, size, "run godwit down again");
		break;
	case GW_HINT_CONF_NEW:
		put(buf, size, "# The migrations: `godwit new NAME` creates one here.\n");
		break;
	case GW_HINT_CONF_PROTECTED:
		put(buf, size,
		    "`up` asks you to type\n"
		    "# the environment's name (in CI, give --yes), reverting also needs\n"
		    "# --force, and a missing url is an error, never a SQLite file.\n");
		break;
	default:
		/* A code newer than this CLI: the library's own words. */
		return text;
	}
	return buf;
}

const char *gw_cli_hint(const gw_error *e, char *buf, size_t size)
{
	gw_text_hint h = {e->hint_code, e->hint_context, {e->hint_args[0], e->hint_args[1]}};

	return gw_cli_hint_text(&h, e->hint, buf, size);
}
