#!/bin/sh
test_description='sqitch scripts: the BEGIN ... COMMIT around one is found by the SQL splitter'
. "$(dirname "$0")/lib.sh"

# godwit runs what is between a sqitch script's own BEGIN; and COMMIT; (or
# a verify script's ROLLBACK;) in its transaction. Which statements are the
# wrapper is decided by gw_sql_split, the splitter the runner uses, so
# semicolons, BEGIN, COMMIT and END inside dollar quotes, strings and
# comments (nested ones in PostgreSQL, flat ones in SQLite) stay SQL.

write_pg_project()
{
	write_migration sqitch.plan <<-\PLAN &&
	%syntax-version=1.0.0
	%project=tricky

	funcs 2024-01-01T00:00:00Z A <a@x> # functions with bodies
	notes [funcs] 2024-01-02T00:00:00Z A <a@x> # strings and comments
	PLAN
	write_migration deploy/funcs.sql <<-\SQL &&
	-- Deploy tricky:funcs to pg
	-- Nothing here ends the script early: not this COMMIT;

	BEGIN;

	CREATE SCHEMA tricky;

	CREATE FUNCTION tricky.greet(who text) RETURNS text LANGUAGE plpgsql AS $body$
	BEGIN
	    -- a COMMIT; in a comment inside the body
	    RETURN 'hello; ' || who || '; COMMIT;';
	END;
	$body$;

	CREATE FUNCTION tricky.twice(i int) RETURNS int LANGUAGE sql AS $$ SELECT i * 2; $$;

	DO $do$
	BEGIN
	    PERFORM tricky.twice(1);
	END
	$do$;

	COMMIT;
	SQL
	write_migration revert/funcs.sql <<-\SQL &&
	-- Revert tricky:funcs from pg

	BEGIN;
	DROP FUNCTION tricky.twice(int);
	DROP FUNCTION tricky.greet(text);
	DROP SCHEMA tricky;
	COMMIT;
	SQL
	write_migration verify/funcs.sql <<-\SQL &&
	-- Verify tricky:funcs on pg

	BEGIN;
	SELECT 1 / (tricky.greet('x') = 'hello; x; COMMIT;')::int;
	SELECT $v$ROLLBACK;$v$;
	ROLLBACK;
	SQL
	write_migration deploy/notes.sql <<-\SQL &&
	BEGIN;
	/* a block comment /* with a nested one; COMMIT; */ still the comment; END; */
	CREATE TABLE tricky.notes (body text NOT NULL);
	INSERT INTO tricky.notes VALUES ('it''s; COMMIT;'), (E'back\\slash\'; END;');
	INSERT INTO tricky.notes VALUES ($q$dollar; BEGIN;$q$);
	COMMIT;
	-- the end; COMMIT;
	SQL
	write_migration revert/notes.sql <<-\SQL &&
	BEGIN;
	DROP TABLE tricky.notes; -- COMMIT;
	COMMIT
	SQL
	write_migration verify/notes.sql <<-\SQL
	BEGIN;
	SELECT 1 / (count(*) = 3)::int FROM tricky.notes WHERE body LIKE '%;%';
	ROLLBACK;
	SQL
}

test_expect_success PG 'deploy scripts with dollar quotes, strings and comments run whole, in one transaction' '
	mkdir pg && (cd pg && write_pg_project) &&
	pg_new_db &&
	godwit --dir pg --url "$PG_URL" up >out &&
	test_grep "^applied 2 migrations$" out &&
	test "$(pg_sql "SELECT tricky.greet('\''ann'\'')")" = "hello; ann; COMMIT;" &&
	test "$(pg_sql "SELECT tricky.twice(21)")" = 42 &&
	pg_sql "SELECT body FROM tricky.notes ORDER BY body" >notes &&
	cat >expect <<-\EOF &&
	back\slash'\''; END;
	dollar; BEGIN;
	it'\''s; COMMIT;
	EOF
	test_cmp expect notes &&
	test "$(pg_sql "SELECT string_agg(version || name, '\'','\'' ORDER BY version::int) FROM godwit_migrations")" = "1funcs,2notes"
'

test_expect_success PG 'verify scripts run without their BEGIN and ROLLBACK; a failing one rolls the change back' '
	cp -R pg badverify &&
	cat >badverify/verify/notes.sql <<-\SQL &&
	BEGIN;
	SELECT $$ROLLBACK;$$, 1 / (count(*) = 99)::int FROM tricky.notes;
	ROLLBACK;
	SQL
	pg_new_db &&
	test_expect_code 1 godwit --dir badverify --url "$PG_URL" up >out 2>err &&
	test_grep "badverify/verify/notes.sql:2:.*verify failed: division by zero" err &&
	test "$(pg_sql "SELECT string_agg(version, '\'','\'') FROM godwit_migrations")" = 1 &&
	test "$(pg_sql "SELECT to_regclass('\''tricky.notes'\'') IS NULL")" = t
'

test_expect_success PG 'revert scripts run: down --all leaves nothing behind' '
	pg_new_db &&
	godwit --dir pg --url "$PG_URL" up >/dev/null &&
	godwit --dir pg --url "$PG_URL" down --all >out &&
	test_grep "^reverted 2 migrations$" out &&
	test "$(pg_sql "SELECT count(*) FROM pg_namespace WHERE nspname = '\''tricky'\''")" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 0
'

test_expect_success PG 'a script whose COMMIT is only inside a dollar quote is not unwrapped: up refuses its BEGIN, applies nothing' '
	cp -R pg unclosed &&
	cat >unclosed/deploy/notes.sql <<-\SQL &&
	BEGIN;
	CREATE TABLE tricky.notes (body text);
	SELECT $$
	COMMIT;
	$$;
	SQL
	pg_new_db &&
	test_expect_code 1 godwit --dir unclosed --url "$PG_URL" up >out 2>err &&
	test_grep "unclosed/deploy/notes.sql:1:1: BEGIN inside a migration that godwit runs in a transaction" err &&
	test "$(pg_sql "SELECT count(*) FROM pg_namespace WHERE nspname = '\''tricky'\''")" = 0
'

test_expect_success PG 'a verify script that does not split (an unclosed string): its file and line, nothing applied' '
	cp -R pg verifysplit &&
	cat >verifysplit/verify/notes.sql <<-\SQL &&
	BEGIN;
	SELECT count(*) FROM tricky.notes WHERE body = $$x;
	ROLLBACK;
	SQL
	pg_new_db &&
	test_expect_code 1 godwit --dir verifysplit --url "$PG_URL" up >out 2>err &&
	test_grep "^godwit: error: verifysplit/verify/notes.sql:2:48: unterminated dollar-quoted string at or near" err &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM pg_namespace WHERE nspname = '\''tricky'\''")" = 0
'

test_expect_success PG 'a verify script whose ROLLBACK is not its last statement is refused, BEGIN first: it would end the change'"'"'s transaction' '
	cp -R pg verifytx &&
	cat >verifytx/verify/notes.sql <<-\SQL &&
	BEGIN;
	SELECT count(*) FROM tricky.notes;
	ROLLBACK;
	SELECT 1;
	SQL
	pg_new_db &&
	test_expect_code 1 godwit --dir verifytx --url "$PG_URL" up >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: verifytx/verify/notes.sql:1:1: BEGIN in the verify of a migration that godwit runs in a transaction
	hint: remove it: the verify runs in the migration'"'"'s transaction, which is rolled back when the verify fails
	EOF
	test_cmp expect err &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM pg_namespace WHERE nspname = '"'"'tricky'"'"'")" = 0
'

test_expect_success PG 'a verify script gets its placeholders replaced, as the change does' '
	cp -R pg verifyvalue &&
	cat >verifyvalue/verify/notes.sql <<-\SQL &&
	BEGIN;
	SELECT 1 / (count(*) = ${NOTES_WANTED})::int FROM tricky.notes;
	ROLLBACK;
	SQL
	pg_new_db &&
	(NOTES_WANTED=99 && export NOTES_WANTED &&
		test_expect_code 1 godwit --dir verifyvalue --url "$PG_URL" up >out 2>err) &&
	test_grep "verifyvalue/verify/notes.sql:2:.*verify failed: division by zero" err &&
	test "$(pg_sql "SELECT string_agg(version, '\'','\'') FROM godwit_migrations")" = 1 &&
	(NOTES_WANTED=3 && export NOTES_WANTED &&
		godwit --dir verifyvalue --url "$PG_URL" up >out 2>&1) &&
	test_grep "^applied 1 migration$" out &&
	test "$(pg_sql "SELECT string_agg(version, '\'','\'' ORDER BY version) FROM godwit_migrations")" = 1,2 &&
	test "$(pg_sql "SELECT count(*) FROM tricky.notes")" = 3 &&
	! grep -i "transaction" out
'

# The real sqitch deploys, verifies and reverts the same project: the
# schemas godwit and sqitch leave are the same.
test_expect_success PG,SQITCH 'sqitch deploys, verifies and reverts the same scripts to the same schema' '
	cd pg &&
	sqitch_env &&
	pg_new_db && sq_db=$PG_DB &&
	sqitch deploy "db:pg:$sq_db" >out 2>&1 &&
	test_grep "+ notes \.\.* ok" out &&
	sqitch verify "db:pg:$sq_db" >out 2>&1 &&
	test_grep "Verify successful" out &&
	pg_new_db &&
	godwit --dir . --url "$PG_URL" up >/dev/null &&
	godwit --dir . --url "$PG_URL" schema dump --schema tricky >godwit.schema &&
	godwit --dir . --url "$(pg_db_url "$sq_db")" schema dump --schema tricky >sqitch.schema &&
	test_cmp sqitch.schema godwit.schema &&
	sqitch revert -y "db:pg:$sq_db" >out 2>&1 &&
	test_grep "\- funcs \.\.* ok" out
'

write_sqlite_project()
{
	write_migration sqitch.plan <<-\PLAN &&
	%syntax-version=1.0.0
	%project=lite

	notes 2024-01-01T00:00:00Z A <a@x> # notes and their log
	PLAN
	write_migration deploy/notes.sql <<-\SQL &&
	-- Deploy lite:notes to sqlite

	BEGIN;
	/* SQLite comments do not nest: this /* opens nothing, and the next star-slash ends it */
	CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
	CREATE TABLE log (what TEXT);
	CREATE TRIGGER notes_log AFTER INSERT ON notes BEGIN
	    INSERT INTO log VALUES ('added; ' || NEW.body);
	END;
	INSERT INTO notes (body) VALUES ('it''s; COMMIT;');
	COMMIT;
	SQL
	write_migration revert/notes.sql <<-\SQL &&
	BEGIN;
	DROP TRIGGER notes_log;
	DROP TABLE log;
	DROP TABLE notes; -- END;
	COMMIT;
	SQL
	write_migration verify/notes.sql <<-\SQL
	BEGIN;
	SELECT body, 'ROLLBACK;' FROM notes WHERE 0;
	ROLLBACK;
	SQL
}

tables()
{
	sqlite_sql "$1" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE name NOT LIKE 'godwit%' AND name NOT LIKE 'sqlite%' ORDER BY name)"
}

test_expect_success SQLITE3 'SQLite: flat comments, trigger bodies and strings; deploy, verify and revert' '
	mkdir lite && (cd lite && write_sqlite_project) &&
	godwit --dir lite --url sqlite:lite.db up >out &&
	test_grep "^applied 1 migration$" out &&
	test "$(tables lite.db)" = "log,notes,notes_log" &&
	test "$(sqlite_sql lite.db "SELECT what FROM log")" = "added; it'\''s; COMMIT;" &&
	godwit --dir lite --url sqlite:lite.db down >out &&
	test_grep "reverted 1 notes" out &&
	test "$(tables lite.db)" = ""
'

test_expect_success SQLITE3,SQITCH_SQLITE 'SQLite: sqitch deploys the same script to the same tables' '
	cd lite &&
	sqitch_env &&
	sqitch deploy "db:sqlite:sq.db" >out 2>&1 &&
	test_grep "+ notes \.\.* ok" out &&
	mkdir gw &&
	godwit --dir . --url sqlite:gw/app.db up >/dev/null &&
	test "$(tables sq.db)" = "log,notes,notes_log" &&
	test "$(tables gw/app.db)" = "log,notes,notes_log" &&
	test "$(sqlite_sql sq.db "SELECT what FROM log")" = "$(sqlite_sql gw/app.db "SELECT what FROM log")"
'

test_done
