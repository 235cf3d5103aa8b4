/*
 * lint_rules.c: the documentation of every validate and lint rule: its id,
 * default level, family, summary, why it matters, an example that fires it
 * and the safe alternative. `godwit lint --explain` and docs/lint-rules.md
 * show this table; the ids are stable, new rules are only appended to a
 * family. A description's action is a hint code (gw_lint_rule.hint).
 */
#include <string.h>

#include "../../util/error.h"
#include "lint_int.h"

#define W GW_LEVEL_WARNING
#define E GW_LEVEL_ERROR

/* A description whose end names how a program applies, reverts or repairs
 * migrations is its context followed by the library's wording of a hint
 * code (util/error.h), which a program words in its own terms. */
#define REVERT_CTX "Without a down script the migration cannot be reverted"
#define REPAIR_CTX                                                                                 \
	"The file differs from the one that was applied; the database no longer matches the "      \
	"history. Restore the file, or accept the edit"
#define REBUILD_CTX                                                                                \
	"A new table is filled with the old one's rows, the old one dropped and its name given "   \
	"to the new one: writes wait for the whole copy, reads from the DROP on, and everything "  \
	"on the table is made again. "
#define TRANSACTION_CTX "godwit runs each migration in a transaction already; "
/* clang-format off */
#define HINT(code, context) {code, context, {"", ""}}
#define NOHINT HINT(GW_HINT_NONE, "")
/* clang-format on */

static const gw_lint_rule rules[] = {
        /* ---- validate ---- */
        {"syntax", E, "validate", "SQL that PostgreSQL cannot parse",
         "The statement does not parse with PostgreSQL's own parser (libpg_query), so the "
         "migration would fail on the server at this position.",
         "CREATE TABLE users (id bigint,);", "CREATE TABLE users (id bigint);", NOHINT},
        {"plpgsql-syntax", E, "validate", "a PL/pgSQL function or DO body that does not compile",
         "The body of a LANGUAGE plpgsql function, procedure or DO block is only compiled when "
         "it first runs; godwit compiles it before deploy so the error surfaces now.",
         "DO $$BEGIN RAISE NOTICE 'x' END$$;", "DO $$BEGIN RAISE NOTICE 'x'; END$$;", NOHINT},
        {"sqlite-prepare", E, "validate", "a statement SQLite cannot prepare or run",
         "SQLite migrations are checked by preparing and running each statement in an "
         "in-memory database that has the earlier migrations applied; this one failed there "
         "(an unknown table or column, a constraint, ...).",
         "INSERT INTO missing_table VALUES (1);", NULL, NOHINT},
        {"source", E, "validate", "a malformed migration folder or file",
         "A file name that does not follow the folder's convention, a duplicate version, a "
         "dependency cycle, a missing dependency, bytes that are not UTF-8, or a native file "
         "without its -- migrate:up marker. godwit refuses to run any migration until it is "
         "fixed.",
         NULL, NULL, NOHINT},
        {"missing-down", W, "validate", "a migration without a down script",
         REVERT_CTX GW_HINT_RULE_REVERT_TEXT, NULL, "-- migrate:down\nDROP TABLE users;",
         HINT(GW_HINT_RULE_REVERT, REVERT_CTX)},
        {"empty-migration", E, "validate", "a migration whose up script holds no SQL",
         GW_HINT_RULE_EMPTY_TEXT, NULL, NULL, HINT(GW_HINT_RULE_EMPTY, "")},
        {"checksum-changed", E, "validate", "an applied migration's file was changed",
         REPAIR_CTX GW_HINT_RULE_REPAIR_TEXT, NULL, NULL, HINT(GW_HINT_RULE_REPAIR, REPAIR_CTX)},
        {"missing-file", E, "validate", "an applied migration has no file",
         "The history records a migration that no file in the folder has; restore it from "
         "version control.",
         NULL, NULL, NOHINT},
        {"unused-ignore", W, "validate", "a godwit:ignore comment that silences nothing",
         "An ignore that no longer matches a finding hides the next real one; remove it. An "
         "unknown rule name in an ignore is reported here too.",
         "-- godwit:ignore renaming-column\nCREATE TABLE t (id bigint);", NULL, NOHINT},

        /* ---- rewrites ---- */
        {"adding-field-with-volatile-default", E, "rewrite",
         "a new column whose default is volatile rewrites the table",
         "Since PostgreSQL 11 a constant default is stored once; a volatile one (random(), "
         "gen_random_uuid(), clock_timestamp(), nextval()) is computed for every row, which "
         "rewrites the table under an ACCESS EXCLUSIVE lock.",
         "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
         "ALTER TABLE users ADD COLUMN token uuid;\nALTER TABLE users ALTER COLUMN token SET "
         "DEFAULT gen_random_uuid();\n-- then backfill in batches: UPDATE users SET token = "
         "gen_random_uuid() WHERE id BETWEEN ... AND ...;",
         NOHINT},
        {"changing-column-type", E, "rewrite", "changing a column's type rewrites the table",
         "Most type changes rewrite the table and rebuild its indexes under an ACCESS "
         "EXCLUSIVE lock, blocking reads and writes for the whole time.",
         "ALTER TABLE users ALTER COLUMN name TYPE text;",
         "ALTER TABLE users ADD COLUMN name_new text;\n-- backfill in batches, switch the "
         "application, then drop the old column",
         NOHINT},
        {"stored-generated-column", E, "rewrite",
         "adding a stored generated column rewrites the table",
         "A STORED generated column is computed for every existing row, rewriting the table "
         "under an ACCESS EXCLUSIVE lock.",
         "ALTER TABLE users ADD COLUMN lower_email text GENERATED ALWAYS AS (lower(email)) "
         "STORED;",
         "ALTER TABLE users ADD COLUMN lower_email text;\n-- backfill in batches and keep it "
         "up to date with a trigger",
         NOHINT},
        {"adding-serial-or-identity", E, "rewrite",
         "adding a serial or identity column to an existing table rewrites it",
         "Each existing row needs a value from the sequence, so the table is rewritten under "
         "an ACCESS EXCLUSIVE lock.",
         "ALTER TABLE events ADD COLUMN id bigserial;",
         "ALTER TABLE events ADD COLUMN id bigint;\nCREATE SEQUENCE events_id_seq OWNED BY "
         "events.id;\nALTER TABLE events ALTER COLUMN id SET DEFAULT "
         "nextval('events_id_seq');\n-- backfill in batches",
         NOHINT},
        {"rebuilding-table", E, "rewrite",
         "a table swapped for a copy of it rewrites every row under lock",
         REBUILD_CTX GW_HINT_RULE_REBUILD_TEXT,
         "CREATE TABLE users_new (id bigint, email text, name text);\nINSERT INTO users_new "
         "SELECT id, email, name FROM users;\nDROP TABLE users;\nALTER TABLE users_new "
         "RENAME TO users;",
         "ALTER TABLE users ADD COLUMN email text; -- at the end",
         HINT(GW_HINT_RULE_REBUILD, REBUILD_CTX)},
        {"vacuum-full-or-cluster", E, "rewrite", "VACUUM FULL and CLUSTER rewrite the table",
         "Both rewrite the whole table under an ACCESS EXCLUSIVE lock. Use pg_repack or "
         "pg_squeeze, which hold the lock only briefly.",
         "VACUUM FULL users;", "VACUUM users;  -- or pg_repack --table users", NOHINT},

        /* ---- locking ---- */
        {"constraint-missing-not-valid", E, "locking",
         "adding a foreign key or check constraint scans the table under lock",
         "Without NOT VALID, PostgreSQL checks every row while holding the lock (SHARE ROW "
         "EXCLUSIVE for a foreign key on both tables, ACCESS EXCLUSIVE for a check). Add it "
         "NOT VALID, then VALIDATE CONSTRAINT, which takes a SHARE UPDATE EXCLUSIVE lock "
         "that lets reads and writes go on.",
         "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES "
         "users (id);",
         "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES "
         "users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;",
         NOHINT},
        {"unique-constraint-without-index", E, "locking",
         "adding a unique or primary key constraint builds its index under lock",
         "ADD CONSTRAINT ... UNIQUE or PRIMARY KEY builds the index while holding an ACCESS "
         "EXCLUSIVE lock. Build the index concurrently first and attach it.",
         "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
         "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\nALTER TABLE "
         "users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;",
         NOHINT},
        {"setting-not-null-on-existing-column", E, "locking",
         "SET NOT NULL scans the table under an ACCESS EXCLUSIVE lock",
         "PostgreSQL checks every row while holding the lock, unless a valid CHECK (col IS "
         "NOT NULL) constraint already proves it (PostgreSQL 12 and later).",
         "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
         "ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT "
         "VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE "
         "users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT "
         "users_email_not_null;",
         NOHINT},
        {"adding-not-nullable-field", E, "locking",
         "a NOT NULL column without a default fails on a table with rows",
         "Existing rows would get NULL, so the statement fails on any table that is not "
         "empty. Give the column a constant default.",
         "ALTER TABLE users ADD COLUMN plan text NOT NULL;",
         "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';", NOHINT},
        {"require-concurrent-index-creation", E, "locking",
         "CREATE INDEX without CONCURRENTLY blocks writes",
         "A plain CREATE INDEX holds a SHARE lock that blocks every INSERT, UPDATE and DELETE "
         "until the index is built. CONCURRENTLY builds it without blocking writes; it cannot "
         "run in a transaction, so put it in a migration marked -- godwit:no-transaction.",
         "CREATE INDEX users_email_idx ON users (email);",
         "-- godwit:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx "
         "ON users (email);",
         NOHINT},
        {"require-concurrent-index-deletion", W, "locking",
         "DROP INDEX without CONCURRENTLY blocks the table",
         "A plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the table.",
         "DROP INDEX users_email_idx;",
         "-- godwit:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS users_email_idx;", NOHINT},
        {"reindex-without-concurrently", E, "locking", "REINDEX without CONCURRENTLY blocks",
         "REINDEX locks out writes to the table (and reads that use the index) until it "
         "finishes. REINDEX CONCURRENTLY (PostgreSQL 12) does not.",
         "REINDEX INDEX users_email_idx;",
         "-- godwit:no-transaction\nREINDEX INDEX CONCURRENTLY users_email_idx;", NOHINT},
        {"detach-partition-without-concurrently", W, "locking",
         "DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock",
         "Detaching a partition locks the parent table; PostgreSQL 14 can detach "
         "concurrently.",
         "ALTER TABLE events DETACH PARTITION events_2020;",
         "-- godwit:no-transaction\nALTER TABLE events DETACH PARTITION events_2020 "
         "CONCURRENTLY;",
         NOHINT},
        {"wide-non-unique-index", W, "locking", "a non-unique index on more than three columns",
         "Wide non-unique indexes are rarely used by the planner beyond their first columns "
         "and slow down every write.",
         "CREATE INDEX CONCURRENTLY t_abcd ON t (a, b, c, d);",
         "CREATE INDEX CONCURRENTLY t_ab ON t (a, b);", NOHINT},
        {"truncate-cascade", E, "locking", "TRUNCATE ... CASCADE empties other tables too",
         "CASCADE truncates every table with a foreign key to this one, and those tables' "
         "dependents, under ACCESS EXCLUSIVE locks.",
         "TRUNCATE users CASCADE;", "TRUNCATE users;  -- name each table to empty", NOHINT},
        {"require-timeout-settings", W, "locking", "a blocking statement without lock_timeout",
         "A statement waiting for a lock blocks every query queued behind it. godwit sets "
         "lock_timeout (5 s by default) before every migration and retries on a timeout, so "
         "the rule fires only where that is off: lock_timeout = 0 in godwit.conf, or a SET "
         "lock_timeout = 0 (or RESET) in the file. Then set a short lock_timeout (and a "
         "statement_timeout) before the statement so it gives up instead.",
         "SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN bio text;",
         "SET lock_timeout = '2s';\nSET statement_timeout = '5min';\nALTER TABLE users ADD "
         "COLUMN bio text;",
         NOHINT},

        /* ---- breaking changes ---- */
        {"dropping-column", W, "breaking", "dropping a column breaks code that reads it",
         "Running application code that selects the column fails as soon as it is gone. Stop "
         "using it in the code first, deploy, then drop it.",
         "ALTER TABLE users DROP COLUMN nickname;",
         "-- after no deployed code uses it:\nALTER TABLE users DROP COLUMN IF EXISTS "
         "nickname;",
         NOHINT},
        {"dropping-table", W, "breaking", "dropping a table breaks code that uses it",
         "Running code that uses the table fails at once; the data is gone.",
         "DROP TABLE sessions;",
         "-- after no deployed code uses it:\nDROP TABLE IF EXISTS sessions;", NOHINT},
        {"ban-drop-database", E, "breaking", "DROP DATABASE in a migration",
         "A migration should never drop a database.", "DROP DATABASE app;", NULL, NOHINT},
        {"dropping-not-null", W, "breaking",
         "DROP NOT NULL lets NULLs into a column code "
         "assumes is set",
         "Code that reads the column may not expect NULL.",
         "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;", NULL, NOHINT},
        {"renaming-column", W, "breaking", "renaming a column breaks code that uses its name",
         "Running code keeps using the old name. Add the new column, write both, backfill, "
         "switch reads, then drop the old one; or use a view.",
         "ALTER TABLE users RENAME COLUMN name TO full_name;",
         "ALTER TABLE users ADD COLUMN full_name text;\n-- write both, backfill, switch "
         "reads, then drop name",
         NOHINT},
        {"renaming-table", W, "breaking", "renaming a table breaks code that uses its name",
         "Running code keeps using the old name. Rename, then create a view with the old "
         "name until the code is switched.",
         "ALTER TABLE users RENAME TO accounts;",
         "ALTER TABLE users RENAME TO accounts;\nCREATE VIEW users AS SELECT * FROM "
         "accounts;",
         NOHINT},
        {"renaming-schema", W, "breaking", "renaming a schema breaks code that uses its name",
         "Every qualified name in running code stops resolving.",
         "ALTER SCHEMA app RENAME TO core;", NULL, NOHINT},
        {"renaming-enum-value", W, "breaking",
         "renaming an enum value breaks code that writes the old one",
         "Running code that writes or compares the old label fails.",
         "ALTER TYPE status RENAME VALUE 'active' TO 'enabled';",
         "ALTER TYPE status ADD VALUE IF NOT EXISTS 'enabled' AFTER 'active';", NOHINT},
        {"enum-add-value-without-position", W, "breaking",
         "ALTER TYPE ... ADD VALUE without BEFORE or AFTER",
         "The new label sorts after every other one, which changes ORDER BY on the column "
         "if a later value was meant to sort elsewhere; say where it goes.",
         "ALTER TYPE status ADD VALUE 'paused';",
         "ALTER TYPE status ADD VALUE IF NOT EXISTS 'paused' AFTER 'active';", NOHINT},

        /* ---- types ---- */
        {"prefer-jsonb", W, "types", "json instead of jsonb",
         "json keeps the text as written and cannot be indexed or compared; jsonb is what "
         "almost every application wants.",
         "CREATE TABLE t (data json);", "CREATE TABLE t (data jsonb);", NOHINT},
        {"prefer-text-over-varchar", W, "types", "varchar(n) instead of text",
         "A length limit is a business rule that changes; growing it takes an ACCESS "
         "EXCLUSIVE lock. Use text with a CHECK constraint that can be replaced NOT VALID.",
         "CREATE TABLE t (name varchar(100));",
         "CREATE TABLE t (name text CHECK (length(name) <= 100));", NOHINT},
        {"ban-char-field", W, "types", "char(n) pads with blanks",
         "char(n) pads values with spaces and is no faster than text.",
         "CREATE TABLE t (code char(3));", "CREATE TABLE t (code text);", NOHINT},
        {"prefer-timestamptz", W, "types", "timestamp without time zone",
         "timestamp stores a wall-clock reading with no zone; the same instant reads "
         "differently per session. timestamptz stores an instant.",
         "CREATE TABLE t (created_at timestamp);", "CREATE TABLE t (created_at timestamptz);",
         NOHINT},
        {"prefer-bigint-keys", W, "types", "an int, smallint or serial key",
         "A 32-bit key runs out at 2.1 billion rows, and changing it later rewrites the table "
         "and every referencing one.",
         "CREATE TABLE t (id serial PRIMARY KEY);",
         "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);", NOHINT},

        /* ---- transactions ---- */
        {"transaction-control-in-migration", E, "transactions",
         "BEGIN, COMMIT or ROLLBACK inside a migration godwit wraps in a transaction",
         TRANSACTION_CTX GW_HINT_RULE_TRANSACTION_TEXT,
         "BEGIN;\nCREATE TABLE t (id bigint);\nCOMMIT;", "CREATE TABLE t (id bigint);",
         HINT(GW_HINT_RULE_TRANSACTION, TRANSACTION_CTX)},
        {"concurrently-in-transaction", E, "transactions",
         "a statement that cannot run in a transaction, between BEGIN and COMMIT",
         "CREATE INDEX CONCURRENTLY, VACUUM, REINDEX CONCURRENTLY and the like fail inside a "
         "transaction block. godwit runs a file holding one without a transaction, statement "
         "by statement, whether or not it says -- godwit:no-transaction; but an explicit "
         "BEGIN before it in a no-transaction file makes it fail.",
         "-- godwit:no-transaction\nBEGIN;\nCREATE INDEX CONCURRENTLY users_email_idx ON "
         "users (email);\nCOMMIT;",
         "-- godwit:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx "
         "ON users (email);",
         NOHINT},
        {"mixed-no-transaction", E, "transactions",
         "a file run without a transaction that also holds statements needing atomicity",
         "When a file runs without a transaction, each statement commits on its own: a "
         "failure half-way leaves the earlier ones applied. Keep no-transaction statements "
         "in a migration of their own.",
         "CREATE TABLE t (id bigint);\nCREATE INDEX CONCURRENTLY t_id ON t (id);",
         "-- first migration:\nCREATE TABLE t (id bigint);\n-- second migration:\n-- "
         "godwit:no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);",
         NOHINT},
        {"uncommitted-transaction", E, "transactions", "a BEGIN without COMMIT",
         "A no-transaction migration opens a transaction and never ends it; the session "
         "would keep it open.",
         "-- godwit:no-transaction\nBEGIN;\nUPDATE t SET a = 1;",
         "-- godwit:no-transaction\nBEGIN;\nUPDATE t SET a = 1;\nCOMMIT;", NOHINT},
        {"releasing-migration-lock", E, "transactions",
         "DISCARD ALL or pg_advisory_unlock releases godwit's migration lock",
         "On PostgreSQL godwit holds a session advisory lock for the whole run so that no "
         "other deploy applies migrations at the same time. DISCARD ALL (in a no-transaction "
         "migration) and pg_advisory_unlock_all() release every session advisory lock of the "
         "session, and pg_advisory_unlock(key) or pg_advisory_unlock_shared(key) the one of "
         "that key: the run would go on unlocked. A function, procedure or DO block whose "
         "body calls pg_advisory_unlock does the same wherever it runs. Reset what DISCARD "
         "ALL was meant to with "
         "DISCARD PLANS, DISCARD SEQUENCES or DISCARD TEMP, and take the migration's own "
         "locks with pg_advisory_xact_lock, which the end of the transaction releases.",
         "SELECT pg_advisory_lock(42);\nUPDATE t SET a = 1;\nSELECT pg_advisory_unlock(42);",
         "SELECT pg_advisory_xact_lock(42);\nUPDATE t SET a = 1;", NOHINT},

        /* ---- robustness and conventions ---- */
        {"prefer-if-exists", W, "robustness",
         "CREATE/DROP without IF [NOT] EXISTS in a file run without a transaction",
         "A no-transaction migration that fails half-way is resumed or run again; statements "
         "that already ran must not fail the second time.",
         "-- godwit:no-transaction\nCREATE INDEX CONCURRENTLY t_a ON t (a);",
         "-- godwit:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a ON t (a);", NOHINT},
        {"identifier-too-long", E, "robustness", "an identifier over 63 bytes",
         "PostgreSQL silently truncates names to 63 bytes, so two long names can collide and "
         "the name in the database is not the one in the code.",
         NULL, NULL, NOHINT},
        {"duplicate-column-assignment", E, "robustness",
         "the same column assigned twice in one INSERT or UPDATE",
         "PostgreSQL rejects it when the statement runs (multiple assignments to same "
         "column).",
         "UPDATE t SET a = 1, a = 2;", "UPDATE t SET a = 2;", NOHINT},

        /* ---- secrets ---- */
        {"hardcoded-password", E, "secrets", "a password written into a migration",
         "CREATE/ALTER ROLE ... PASSWORD 'literal' puts the password in version control and "
         "in the history. Set it outside migrations (\\password in psql, or a secret "
         "manager).",
         "CREATE ROLE app LOGIN PASSWORD 'hunter2';",
         "CREATE ROLE app LOGIN;  -- set the password outside the migration", NOHINT},
        {"secret-literal", E, "secrets", "a string that looks like a key or token",
         "An AWS access key (AKIA...), a private key block, a JWT or a long high-entropy "
         "string in a migration ends up in version control.",
         "INSERT INTO settings VALUES ('aws_key', 'AKIAIOSFODNN7EXAMPLE');", NULL, NOHINT},

        /* ---- data and access: what block refuses in protected environments ---- */
        {"delete-without-where", E, "data", "DELETE without WHERE empties the table",
         "A DELETE without WHERE removes every row; in a migration it is usually a WHERE "
         "that was forgotten. Write the condition, or WHERE true to mean every row. A table "
         "created earlier in the same migration is exempt.",
         "DELETE FROM sessions;", "DELETE FROM sessions WHERE expires_at < now();", NOHINT},
        {"update-without-where", E, "data", "UPDATE without WHERE changes every row",
         "An UPDATE without WHERE overwrites the column in every row, which cannot be undone "
         "without a backup. Write the condition, or WHERE true to mean every row. A table "
         "created earlier in the same migration is exempt.",
         "UPDATE users SET plan = 'free';", "UPDATE users SET plan = 'free' WHERE plan IS NULL;",
         NOHINT},
        {"drop-schema-cascade", E, "data", "DROP SCHEMA ... CASCADE drops all it holds",
         "CASCADE drops every table, view and function in the schema, and the objects in "
         "other schemas that depend on them, without naming them.",
         "DROP SCHEMA reporting CASCADE;",
         "DROP VIEW reporting.daily;\nDROP TABLE reporting.events;\nDROP SCHEMA reporting;",
         NOHINT},
        {"truncating-table", W, "data", "TRUNCATE empties the table",
         "TRUNCATE removes every row at once, and nothing brings them back once it is "
         "committed. It is destructive: a protected environment blocks it like a DROP TABLE "
         "(block_destructive). A table created earlier in the same migration is exempt.",
         "TRUNCATE sessions;", "DELETE FROM sessions WHERE expires_at < now();", NOHINT},
        {"grant-to-public", E, "access", "GRANT ... TO PUBLIC",
         "PUBLIC is every role, including those created later and, on Supabase, the anon "
         "role the API uses for visitors. Grant to the roles that need it.",
         "GRANT SELECT ON invoices TO PUBLIC;", "GRANT SELECT ON invoices TO reporting;", NOHINT},
        {"disabling-row-level-security", E, "access", "row-level security turned off",
         "ALTER TABLE ... DISABLE ROW LEVEL SECURITY lets every role with a grant on the "
         "table see and change every row; its policies stop applying.",
         "ALTER TABLE profiles DISABLE ROW LEVEL SECURITY;",
         "CREATE POLICY own_profile ON profiles USING (user_id = auth.uid());", NOHINT},
        {"dropping-policy", W, "access", "a row-level security policy dropped",
         "Dropping a policy changes who sees which rows: with no policy left, row-level "
         "security hides every row; with a permissive one left, others may now apply. Drop "
         "and create it in the same migration when replacing it.",
         "DROP POLICY own_rows ON documents;", NULL, NOHINT},
        {"table-without-row-level-security", E, "access",
         "a new table in an exposed schema without row-level security",
         "In a Supabase project (the database has an auth schema, or rls_schemas is set) the "
         "tables of the exposed schemas (rls_schemas, public by default) are reachable "
         "through the API with the anon key; a table without row-level security is readable "
         "and writable by everyone. Enable it in the same migration. Tables made by CREATE "
         "TABLE ... AS and SELECT ... INTO count too; temporary tables and materialized "
         "views do not.",
         "CREATE TABLE notes (id bigint PRIMARY KEY, body text);",
         "CREATE TABLE notes (id bigint PRIMARY KEY, body text);\nALTER TABLE notes ENABLE "
         "ROW LEVEL SECURITY;",
         NOHINT},
        {"granting-superuser", E, "access", "a role made superuser",
         "ALTER ROLE ... SUPERUSER (or CREATE ROLE ... SUPERUSER) gives a role every "
         "privilege, bypassing grants and row-level security. Grant what the role needs.",
         "ALTER ROLE app SUPERUSER;", "GRANT SELECT, INSERT ON orders TO app;", NOHINT},
};

#undef W
#undef E

size_t gw_lint_rule_count(void)
{
	return sizeof(rules) / sizeof(rules[0]);
}

const gw_lint_rule *gw_lint_rule_get(size_t i)
{
	return i < gw_lint_rule_count() ? &rules[i] : NULL;
}

const gw_lint_rule *gw_lint_rule_find(const char *id)
{
	size_t i;

	for (i = 0; id && i < gw_lint_rule_count(); i++)
		if (!strcmp(rules[i].id, id))
			return &rules[i];
	return NULL;
}
