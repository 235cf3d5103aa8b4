/*
 * godwit/errors.h: stable error codes, the error record and the context that
 * carries it.
 *
 * Every library function returns 0 or a negative GW_E* code. The details of
 * the first error (message, SQLSTATE, file, line, column, hint) are kept on
 * the gw_ctx the call was given; a later error never overwrites them until
 * the caller clears the context. The library never prints: progress and
 * warnings reach the caller through the notice callback.
 */
#ifndef GODWIT_ERRORS_H
#define GODWIT_ERRORS_H

#include "common.h"

/* Stable codes: new ones are only ever appended. */
typedef enum {
	GW_OK = 0,
	GW_ERROR = -1,      /* anything not covered below */
	GW_ENOMEM = -2,     /* out of memory, or a size cap was reached */
	GW_EINVALID = -3,   /* bad argument or option */
	GW_EIO = -4,        /* a file or directory could not be read or written */
	GW_ESOURCE = -5,    /* a malformed migration file or directory */
	GW_EORDER = -6,     /* cycle, missing dependency, duplicate, out of order */
	GW_ECHECKSUM = -7,  /* an applied migration's file was changed */
	GW_EDIRTY = -8,     /* a migration was left half-applied */
	GW_ECONNECT = -9,   /* the database could not be reached */
	GW_EAUTH = -10,     /* the database refused the credentials */
	GW_ESQL = -11,      /* a statement failed on the server */
	GW_ELOCK = -12,     /* another runner held the lock for too long */
	GW_ENOTFOUND = -13, /* a named migration or version does not exist */
	GW_ESYNTAX = -14,   /* SQL that does not parse */
	GW_ECONFIG = -15,   /* a bad configuration file or variable */
	GW_ESTATE = -16,    /* the history tables disagree with the request */
	GW_ENODOWN = -17,   /* a revert needs a down script that does not exist */
	GW_ENODB = -18,     /* the database the URL names does not exist */
	GW_ECANCELED = -19, /* gw_project_cancel stopped the run (Ctrl-C) */
	GW_EAFTER = -20,    /* the change was made, but a step after it failed */
	GW_EUNSAFE = -21,   /* a deploy policy refused what would run (block) */
} gw_error_code;

/* What a hint tells the user to do, as a code, for the hints whose action
 * a program words in its own terms (the godwit CLI names its flags and
 * commands). The details the wording needs are in gw_error.hint_args.
 * Stable: new ones are only ever appended. */
typedef enum {
	GW_HINT_NONE = 0,
	GW_HINT_SQLITE_MISSING,      /* the url's SQLite file does not exist yet */
	GW_HINT_SQLITE_NOT_DATABASE, /* [0] the file, which the url names */
	GW_HINT_SQLITE_BUSY,         /* wait, or a longer lock_wait */
	GW_HINT_SQITCH_REGISTRY,     /* sqitch's registry is beside the url's file */
	GW_HINT_ADOPT_AGAIN,         /* fix the problems, adopt from [0] again */
	GW_HINT_ADOPT_FOLDER,        /* dir must be [0]'s folder, [1] */
	GW_HINT_ADOPT_TABLE,         /* check the url, or name [0]'s table */
	GW_HINT_DIR_AMBIGUOUS,       /* set dir */
	GW_HINT_LEASE_WAIT,          /* wait for the lease, or a longer lock_wait */
	GW_HINT_LOCK_POOLER,         /* a direct url, or lock = table */
	GW_HINT_LOCK_WAIT,           /* wait for the lock, or a longer lock_wait */
	GW_HINT_SERVER_WAIT,         /* wait longer for the server */
	GW_HINT_DIRTY,               /* resume, or resolve [0] by hand */
	GW_HINT_OUT_OF_ORDER,        /* allow_out_of_order for [0] (a count) */
	GW_HINT_OTHER_HISTORY,       /* adopt from [0], or ignore its history */
	GW_HINT_RESUME_FIRST,        /* resume [0], dirty before its first statement */
	GW_HINT_RESUME_INDEX,        /* resume: the INVALID index is built again */
	GW_HINT_RESOLVE_VERIFY,      /* resolve [0], which stays applied but dirty */
	GW_HINT_RESUME,              /* resume from the dirty statement, or resolve */
	GW_HINT_RESOLVE_REVERT,      /* finish the revert by hand, then resolve */
	GW_HINT_DIR_MISSING,         /* create [0], or set dir */
	GW_HINT_ONE_CONVENTION,      /* one convention per folder, or set source_format */
	GW_HINT_SQITCH_TOP_DIR,      /* set dir to the folder that holds sqitch.plan */
	GW_HINT_DIR_NOT_FOLDER,      /* set dir to the migrations folder */
	GW_HINT_CONFIG_FILE,         /* check the project file named */
	GW_HINT_ENV_FILE,            /* check the env file named */
	GW_HINT_URL_REQUIRED,        /* give the url */
	GW_HINT_LINT_RULES,          /* the rule table lists the rules' ids */
	GW_HINT_GRAPH_DOT,           /* install graphviz, or write the dot format */
	GW_HINT_SCHEMA_AFTER,        /* [0] is done; record the snapshot, write the file */
	GW_HINT_REPAIR,              /* restore the file, or repair [0] */
	GW_HINT_STATUS_VERSIONS,     /* the status lists the folder's versions */
	GW_HINT_SETTLE_FIRST,        /* settle it first: status, repair, resolve */
	GW_HINT_SESSION_GONE,        /* [0] was [1] when the session was lost; see status */
	GW_HINT_INDEX_SETTLE,        /* drop or rebuild index [0], then resolve */
	/* The actions of reports' texts (gw_text_hint), not errors': */
	GW_HINT_HEALTH_NO_DATABASE, /* health creates nothing, applying creates it */
	GW_HINT_ADOPT_FROM,         /* take the history over from tool [0] */
	GW_HINT_EMPTY_REFUSED,      /* applying refuses an empty migration */
	GW_HINT_NO_DOWN,            /* without a down script it cannot be reverted */
	GW_HINT_RESTORE_OR_REPAIR,  /* restore the file, or repair [0] */
	GW_HINT_CLEAR_DIRTY,        /* clear [0]'s dirty flag, or baseline */
	GW_HINT_ADOPT_REPAIR,       /* restore the file, or adopt and repair it */
	GW_HINT_REVERT_CONFLICT,    /* revert [0] first, or drop the conflict */
	GW_HINT_FIX_APPLY_AGAIN,    /* fix the migration, then apply again */
	GW_HINT_APPLY_REST,         /* apply again for the rest */
	/* Errors' hints again: */
	GW_HINT_SEED_AGAIN,      /* fix it and seed again */
	GW_HINT_STATUS_APPLIED,  /* the status shows what is applied */
	GW_HINT_CREATE_DATABASE, /* create the database, or check its name in the url */
	/* Rules' descriptions (gw_lint_rule.hint), from the action to the end: */
	GW_HINT_RULE_REVERT,      /* reverting needs a down; lint_error makes it an error */
	GW_HINT_RULE_EMPTY,       /* applying refuses it, unless the folder's tool runs it */
	GW_HINT_RULE_REPAIR,      /* accept the edit by repairing it */
	GW_HINT_RULE_REBUILD,     /* generating rebuilds; column_order_append appends */
	GW_HINT_RULE_TRANSACTION, /* applying refuses the file */
	/* Texts the library composes (gw_ctx_set_wording): */
	GW_HINT_COLUMN_ORDER_APPEND,  /* the column order option appends the columns */
	GW_HINT_COMPARE_COLUMN_ORDER, /* compare ignoring the column order */
	GW_HINT_OPTION_RENAME,        /* subject: the rename [0] */
	GW_HINT_OPTION_SCHEMAS,       /* subject: a fleet of a database's schemas */
	/* The comments of a new project's godwit.conf (gw_project_init): */
	GW_HINT_CONF_ENVIRONMENT, /* how the environment is chosen, where settings show */
	GW_HINT_CONF_NEW,         /* how a migration is made in dir */
	GW_HINT_CONF_PROTECTED,   /* what a protected environment asks for */
	GW_HINT_UP_AGAIN,         /* apply again */
	GW_HINT_DOWN_AGAIN,       /* revert again */
} gw_hint_code;

/* The action at the end of a report's text (a health check's summary, a
 * finding's message, an adopt problem) as a code, as gw_error words its
 * hint: when code is not GW_HINT_NONE, the text is context followed by
 * the library's wording of code, and a program may print context and its
 * own wording instead. */
typedef struct {
	int code; /* a gw_hint_code, GW_HINT_NONE when the text is all there is */
	/* Set only when code is not GW_HINT_NONE: */
	const char *context; /* "" when the action is all of it */
	const char *args[2]; /* the action's details, "" when unused */
} gw_text_hint;

typedef struct gw_error {
	int code;             /* a gw_error_code, 0 when no error is set */
	const char *message;  /* never NULL while an error is set */
	const char *sqlstate; /* "" when the server gave none */
	const char *file;     /* "" when no file is concerned */
	int line;             /* 1-based, 0 when unknown */
	int column;           /* 1-based, in characters, 0 when unknown */
	const char *hint;     /* what to do about it, "" when nothing to add */
	/* When hint_code is not GW_HINT_NONE, hint is hint_context followed
	 * by the library's wording of hint_code, which names no program's
	 * options: a program may print hint_context and its own wording. */
	int hint_code;            /* a gw_hint_code */
	const char *hint_context; /* "" when the action is all of it */
	const char *hint_args[2]; /* the action's details, "" when unused */
} gw_error;

/* What the library tells its caller while it works. */
typedef enum {
	GW_NOTICE_INFO,      /* a plain message */
	GW_NOTICE_WARNING,   /* something the user should look at */
	GW_NOTICE_APPLYING,  /* a migration starts: version, name, file */
	GW_NOTICE_APPLIED,   /* it committed: duration_ms */
	GW_NOTICE_REVERTING, /* a down starts */
	GW_NOTICE_REVERTED,  /* a down committed */
	GW_NOTICE_SKIPPED,   /* a concurrent runner applied it first */
	GW_NOTICE_LOCK_WAIT, /* another runner holds the lock; waiting */
	GW_NOTICE_SERVER,    /* a NOTICE or WARNING sent by the database */
	/* A statement of a migration about to be sent: its SQL as message,
	 * version, name and file, its 1-based number in duration_ms and its
	 * line in the file in line. */
	GW_NOTICE_STATEMENT,
} gw_notice_kind;

typedef struct gw_notice {
	gw_notice_kind kind;
	const char *version; /* NULL when not about one migration */
	const char *name;
	const char *file;
	const char *message; /* never NULL */
	long long duration_ms;
	/* GW_NOTICE_STATEMENT, and GW_NOTICE_SERVER while a migration runs:
	 * the 1-based line of the statement in file; 0 when unknown. */
	int line;
} gw_notice;

typedef void (*gw_notice_cb)(const gw_notice *notice, void *payload);

typedef struct gw_ctx gw_ctx;

GW_EXTERN(int) gw_ctx_new(gw_ctx **out);
GW_EXTERN(void) gw_ctx_free(gw_ctx *ctx);

/* The first error recorded since the last clear, or NULL. */
GW_EXTERN(const gw_error *) gw_ctx_error(const gw_ctx *ctx);
GW_EXTERN(void) gw_ctx_clear_error(gw_ctx *ctx);

/* The callback runs on the thread that made the call, except for a
 * retried connect's warnings, which may come from the connecting thread
 * (see "Threads and callbacks" in project.h). */
GW_EXTERN(void) gw_ctx_set_notice_cb(gw_ctx *ctx, gw_notice_cb cb, void *payload);

/* How a program words the library's hint codes, as gw_text_hint says:
 * returns text (the library's wording) or buf holding the program's. */
typedef const char *(*gw_wording_cb)(const gw_text_hint *hint, const char *text, char *buf,
                                     size_t size);

/* Texts the library composes from an action or an option's name (a
 * generated script's warnings, a message that opens with the rename it is
 * about) take their words from cb; NULL, the default: the library's own,
 * which name no program's options. Called on the thread that made the
 * call. */
GW_EXTERN(void) gw_ctx_set_wording(gw_ctx *ctx, gw_wording_cb cb);

/* A short stable name for a code, e.g. "checksum" for GW_ECHECKSUM. */
GW_EXTERN(const char *) gw_error_code_name(int code);

#endif
