/*
 * hint.c: the library's wording of each hint code (godwit/errors.h), in
 * terms every program shares: the godwit.conf keys and the API's fields,
 * never a program's options. The CLI words the same codes with its flags
 * (src/cli/hint.c).
 */
#include <string.h>

#include "error.h"

void gw_hint_wording(gw_str *out, int code, const char *a0, const char *a1)
{
	int many = strcmp(a0, "1") != 0;

	switch (code) {
	case GW_HINT_SQLITE_MISSING:
		gw_str_puts(out, "check the url; applying the migrations creates it");
		break;
	case GW_HINT_SQLITE_NOT_DATABASE:
		gw_str_printf(out, "%s is not a SQLite database file; check the url", a0);
		break;
	case GW_HINT_SQLITE_BUSY:
		gw_str_puts(out, "wait for the process that holds it to finish, or wait longer "
		                 "(lock_wait)");
		break;
	case GW_HINT_SQITCH_REGISTRY:
		gw_str_puts(out, "sqitch keeps it next to the database file; check the url");
		break;
	case GW_HINT_ADOPT_AGAIN:
		gw_str_printf(out, "fix each problem listed, then adopt the %s history again", a0);
		break;
	case GW_HINT_ADOPT_FOLDER:
		gw_str_printf(out, "point dir at the folder %s migrated from (%s)", a0, a1);
		break;
	case GW_HINT_ADOPT_TABLE:
		gw_str_printf(out,
		              "check the url; if %s was configured with another table, name it "
		              "(gw_adopt_options' table and schema)",
		              a0);
		break;
	case GW_HINT_DIR_AMBIGUOUS:
		gw_str_puts(out, "set dir to the migrations folder");
		break;
	case GW_HINT_LEASE_WAIT:
		gw_str_puts(out,
		            "wait for it to finish or for its lease to expire (a killed runner's "
		            "lease lapses after lock_lease), or raise lock_wait");
		break;
	case GW_HINT_LOCK_POOLER:
		gw_str_puts(out,
		            "use the direct URL (POSTGRES_URL_NON_POOLING, DATABASE_URL_UNPOOLED "
		            "or DIRECT_URL), or set lock = table");
		break;
	case GW_HINT_LOCK_WAIT:
		gw_str_puts(out,
		            "wait for it to finish, raise lock_wait, or end that session if it "
		            "is stuck");
		break;
	case GW_HINT_SERVER_WAIT:
		gw_str_puts(out, "check that the server is starting, or wait longer");
		break;
	case GW_HINT_DIRTY:
		gw_str_printf(out,
		              "fix the cause, then apply again with resume to continue from that "
		              "statement, or resolve %s as applied or rolled back once the "
		              "database is settled by hand",
		              a0);
		break;
	case GW_HINT_OUT_OF_ORDER:
		gw_str_printf(out, "apply %s with allow_out_of_order, or give %s a newer version",
		              many ? "them" : "it", many ? "them" : "it");
		break;
	case GW_HINT_OTHER_HISTORY:
		gw_str_printf(out,
		              "take the history over by adopting it from %s (a dry run shows what "
		              "it records); to apply everything anyway, set ignore_other_history",
		              a0);
		break;
	case GW_HINT_RESUME_FIRST:
		gw_str_printf(out,
		              "the connection was lost as %s started; on a new session the history "
		              "shows it dirty before its first statement; apply again with resume "
		              "to run it",
		              a0);
		break;
	case GW_HINT_RESUME_INDEX:
		gw_str_puts(out,
		            "the migration is now dirty at this statement; fix what made the "
		            "first build fail (duplicate values for a unique index, a lock "
		            "timeout, ...), then apply again with resume: it drops the INVALID "
		            "index and builds it again");
		break;
	case GW_HINT_RESOLVE_VERIFY:
		gw_str_printf(out,
		              "%s ran without a transaction, so it stays applied but dirty; check "
		              "the database, then resolve %s as applied or rolled back",
		              a0, a0);
		break;
	case GW_HINT_RESUME:
		gw_str_puts(out, "apply again with resume to continue from it, or resolve it");
		break;
	case GW_HINT_RESOLVE_REVERT:
		gw_str_puts(out, "finish the revert by hand and resolve it as rolled back, or as "
		                 "applied");
		break;
	case GW_HINT_DIR_MISSING:
		gw_str_printf(out, "create it (mkdir -p %s) or set dir", a0);
		break;
	case GW_HINT_ONE_CONVENTION:
		gw_str_puts(out, "keep one convention per folder, or set source_format");
		break;
	case GW_HINT_SQITCH_TOP_DIR:
		gw_str_puts(out, "set dir to the folder that holds sqitch.plan");
		break;
	case GW_HINT_DIR_NOT_FOLDER:
		gw_str_puts(out, "set dir to the migrations folder");
		break;
	case GW_HINT_CONFIG_FILE:
		gw_str_puts(out, "check the project file's name (gw_config_options' file)");
		break;
	case GW_HINT_ENV_FILE:
		gw_str_puts(out, "check the env file's name (gw_config_options' env_file)");
		break;
	case GW_HINT_URL_REQUIRED:
		gw_str_puts(out, "the url can also be given in gw_project_options");
		break;
	case GW_HINT_LINT_RULES:
		gw_str_puts(out, "gw_lint_rule_get lists them");
		break;
	case GW_HINT_GRAPH_DOT:
		gw_str_puts(out, "install graphviz (apt-get install graphviz, brew install "
		                 "graphviz), or write the dot text (gw_graph_dot) and render it "
		                 "elsewhere");
		break;
	case GW_HINT_REPAIR:
		gw_str_printf(out,
		              "restore the file as it was applied, or review the change and "
		              "repair %s to record it",
		              a0);
		break;
	case GW_HINT_STATUS_VERSIONS:
		gw_str_puts(out, "the project's status lists the versions of the folder");
		break;
	case GW_HINT_SETTLE_FIRST:
		gw_str_puts(out, "settle it first: see the status, then repair or resolve it");
		break;
	case GW_HINT_SESSION_GONE:
		gw_str_printf(out,
		              "the connection was lost while %s was %s, and godwit could not "
		              "reconnect to learn whether it committed; once the server is back, "
		              "the status shows it (a migration in a transaction is never half "
		              "done)",
		              a0, a1);
		break;
	case GW_HINT_INDEX_SETTLE:
		gw_str_printf(out,
		              "the migration is now dirty at this statement; drop the index "
		              "(DROP INDEX CONCURRENTLY %s) or rebuild it (REINDEX INDEX %s) once "
		              "the cause is fixed, then resolve the migration",
		              a0, a0);
		break;
	case GW_HINT_SCHEMA_AFTER:
		gw_str_printf(out,
		              "the %s itself is done; gw_schema_record_expected records the "
		              "snapshot, gw_schema_text gives the file's text",
		              a0);
		break;
	case GW_HINT_HEALTH_NO_DATABASE:
		gw_str_puts(out, "(health creates nothing; applying the migrations creates it)");
		break;
	case GW_HINT_ADOPT_FROM:
		gw_str_printf(out, "take it over by adopting it from %s", a0);
		break;
	case GW_HINT_EMPTY_REFUSED:
		gw_str_puts(out, "applying refuses it");
		break;
	case GW_HINT_NO_DOWN:
		gw_str_puts(out, "it cannot be reverted");
		break;
	case GW_HINT_RESTORE_OR_REPAIR:
		gw_str_printf(out, "restore the file or repair %s", a0);
		break;
	case GW_HINT_CLEAR_DIRTY:
		gw_str_printf(out, "clear the flag with '%s force VERSION' or baseline the project",
		              a0);
		break;
	case GW_HINT_ADOPT_REPAIR:
		gw_str_puts(out, "restore it, or adopt and then repair it after a review");
		break;
	case GW_HINT_REVERT_CONFLICT:
		gw_str_printf(out, "revert %s first, or remove the conflict from the plan", a0);
		break;
	case GW_HINT_FIX_APPLY_AGAIN:
		gw_str_puts(out, "fix it and apply again");
		break;
	case GW_HINT_APPLY_REST:
		gw_str_puts(out, "apply again for the rest");
		break;
	case GW_HINT_SEED_AGAIN:
		gw_str_puts(out, "fix it and seed again");
		break;
	case GW_HINT_STATUS_APPLIED:
		gw_str_puts(out, "the project's status shows what is applied");
		break;
	case GW_HINT_CREATE_DATABASE:
		gw_str_puts(out, "create it (gw_project_create_database), or check the database "
		                 "name in the URL");
		break;
	case GW_HINT_RULE_REVERT:
		gw_str_puts(out, GW_HINT_RULE_REVERT_TEXT);
		break;
	case GW_HINT_RULE_EMPTY:
		gw_str_puts(out, GW_HINT_RULE_EMPTY_TEXT);
		break;
	case GW_HINT_RULE_REPAIR:
		gw_str_puts(out, GW_HINT_RULE_REPAIR_TEXT);
		break;
	case GW_HINT_RULE_REBUILD:
		gw_str_puts(out, GW_HINT_RULE_REBUILD_TEXT);
		break;
	case GW_HINT_RULE_TRANSACTION:
		gw_str_puts(out, GW_HINT_RULE_TRANSACTION_TEXT);
		break;
	case GW_HINT_COLUMN_ORDER_APPEND:
		gw_str_puts(out, "column_order_append adds the columns at the end instead");
		break;
	case GW_HINT_COMPARE_COLUMN_ORDER:
		gw_str_puts(out, "compare with ignore_column_order");
		break;
	case GW_HINT_OPTION_RENAME:
		gw_str_printf(out, "rename %s", a0);
		break;
	case GW_HINT_OPTION_SCHEMAS:
		gw_str_puts(out, "gw_fleet_add_schemas");
		break;
	case GW_HINT_CONF_ENVIRONMENT:
		gw_str_puts(out,
		            "# The environment is the program's choice, else GODWIT_ENV, else\n"
		            "# VERCEL_ENV (Vercel sets it to production or preview), else\n"
		            "# development. README.md lists the keys.\n");
		break;
	case GW_HINT_UP_AGAIN:
		gw_str_puts(out, "apply again");
		break;
	case GW_HINT_DOWN_AGAIN:
		gw_str_puts(out, "revert again");
		break;
	case GW_HINT_CONF_NEW:
		gw_str_puts(out, "# The migrations: one file each, in this folder.\n");
		break;
	case GW_HINT_CONF_PROTECTED:
		gw_str_puts(out,
		            "applying asks for the\n"
		            "# environment's name to be confirmed, reverting must be forced too,\n"
		            "# and a missing url is an error, never a SQLite file.\n");
		break;
	}
}
