#!/bin/sh
test_description='sqitch projects: sqitch.plan with deploy/, revert/ and verify/ scripts'
. "$(dirname "$0")/lib.sh"

# The sqitch tutorial's project (flipr), as `sqitch add` and `sqitch rework`
# lay it out: each script wraps itself in BEGIN ... COMMIT (a verify
# script in BEGIN ... ROLLBACK), and a reworked change keeps its old
# scripts as name@TAG.sql.
write_flipr()
{
	write_migration sqitch.plan <<-\PLAN &&
	%syntax-version=1.0.0
	%project=flipr
	%uri=https://github.com/sqitchers/sqitch-intro/

	appschema 2013-12-30T23:19:31Z Marge N. <marge@example.com> # Add schema for all flipr objects.
	users [appschema] 2013-12-30T23:49:00Z Marge N. <marge@example.com> # Creates table to track our users.
	insert_user [users appschema] 2013-12-30T23:57:36Z Marge N. <marge@example.com> # Creates a function to insert a user.
	@v1.0.0-dev1 2013-12-31T00:01:19Z Marge N. <marge@example.com> # Tag v1.0.0-dev1.

	insert_user [insert_user@v1.0.0-dev1] 2014-01-02T17:51:08Z Marge N. <marge@example.com> # Change insert_user to use a salt.
	PLAN
	write_migration deploy/appschema.sql <<-\SQL &&
	-- Deploy flipr:appschema to pg

	BEGIN;

	CREATE SCHEMA flipr;

	COMMIT;
	SQL
	write_migration revert/appschema.sql <<-\SQL &&
	-- Revert flipr:appschema from pg

	BEGIN;
	DROP SCHEMA flipr;
	COMMIT;
	SQL
	write_migration verify/appschema.sql <<-\SQL &&
	-- Verify flipr:appschema on pg

	BEGIN;
	SELECT pg_catalog.has_schema_privilege('flipr', 'usage');
	ROLLBACK;
	SQL
	write_migration deploy/users.sql <<-\SQL &&
	-- Deploy flipr:users to pg
	-- requires: appschema

	BEGIN;
	SET client_min_messages = 'warning';
	CREATE TABLE flipr.users (
	    nickname  TEXT        PRIMARY KEY,
	    password  TEXT        NOT NULL,
	    timestamp TIMESTAMPTZ NOT NULL DEFAULT NOW()
	);
	COMMIT;
	SQL
	write_migration revert/users.sql <<-\SQL &&
	BEGIN;
	DROP TABLE flipr.users;
	COMMIT;
	SQL
	write_migration verify/users.sql <<-\SQL &&
	BEGIN;
	SELECT nickname, password, timestamp FROM flipr.users WHERE FALSE;
	ROLLBACK;
	SQL
	write_migration deploy/insert_user@v1.0.0-dev1.sql <<-\SQL &&
	BEGIN;
	CREATE OR REPLACE FUNCTION flipr.insert_user(nickname TEXT, password TEXT)
	RETURNS VOID LANGUAGE SQL SECURITY DEFINER AS $$
	    INSERT INTO flipr.users VALUES($1, md5($2));
	$$;
	COMMIT;
	SQL
	write_migration revert/insert_user@v1.0.0-dev1.sql <<-\SQL &&
	BEGIN;
	DROP FUNCTION flipr.insert_user(TEXT, TEXT);
	COMMIT;
	SQL
	write_migration deploy/insert_user.sql <<-\SQL &&
	-- Deploy flipr:insert_user to pg
	-- requires: users
	-- requires: appschema

	BEGIN;
	CREATE OR REPLACE FUNCTION flipr.insert_user(nickname TEXT, password TEXT)
	RETURNS VOID LANGUAGE SQL SECURITY DEFINER AS $$
	    INSERT INTO flipr.users VALUES($1, md5($2 || 'salt; COMMIT;'));
	$$;
	COMMIT;
	SQL
	write_migration revert/insert_user.sql <<-\SQL &&
	BEGIN;
	CREATE OR REPLACE FUNCTION flipr.insert_user(nickname TEXT, password TEXT)
	RETURNS VOID LANGUAGE SQL SECURITY DEFINER AS $$
	    INSERT INTO flipr.users VALUES($1, md5($2));
	$$;
	COMMIT;
	SQL
	write_migration verify/insert_user.sql <<-\SQL
	BEGIN;
	SELECT has_function_privilege('flipr.insert_user(text, text)', 'execute');
	ROLLBACK;
	SQL
}

test_expect_success PG 'detected by sqitch.plan; versions are plan positions' '
	mkdir flipr && (cd flipr && write_flipr) &&
	pg_new_db &&
	godwit --dir flipr --url "$PG_URL" status --format json >status.json &&
	test_grep "\"file\": \"deploy/insert_user@v1.0.0-dev1.sql\"" status.json &&
	godwit --dir flipr --url "$PG_URL" status >out &&
	test_grep "pending *1 *appschema" out &&
	test_grep "pending *3 *insert_user" out &&
	test_grep "pending *4 *insert_user" out
'

test_expect_success PG 'up deploys in plan order; the reworked change runs name@tag first' '
	pg_new_db &&
	godwit --dir flipr --url "$PG_URL" up >out &&
	test_grep "^applied 4 migrations$" out &&
	test "$(pg_sql "SELECT string_agg(version || name, '\'','\'' ORDER BY version::int) FROM godwit_migrations")" = \
		"1appschema,2users,3insert_user,4insert_user" &&
	pg_sql "SELECT flipr.insert_user('\''a'\'', '\''b'\'')" &&
	test "$(pg_sql "SELECT password = md5('\''b'\'' || '\''salt; COMMIT;'\'') FROM flipr.users")" = t
'

test_expect_success PG 'the BEGIN/COMMIT of a script is not run: one failure rolls back the whole change and its record' '
	cp -R flipr broken &&
	cat >broken/deploy/users.sql <<-\SQL &&
	BEGIN;
	CREATE TABLE flipr.users (nickname TEXT PRIMARY KEY);
	CREATE TABLE flipr.oops (id int REFERENCES flipr.nothing (id));
	COMMIT;
	SQL
	pg_new_db &&
	test_expect_code 1 godwit --dir broken --url "$PG_URL" up >out 2>err &&
	test_grep "broken/deploy/users.sql:3:" err &&
	test "$(pg_sql "SELECT string_agg(version, '\'','\'') FROM godwit_migrations")" = 1 &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = '\''flipr'\''")" = 0
'

test_expect_success PG 'a failing verify script rolls the change back and names verify/' '
	cp -R flipr badverify &&
	cat >badverify/verify/users.sql <<-\SQL &&
	-- Verify flipr:users on pg

	BEGIN;
	SELECT nickname, no_such_column FROM flipr.users WHERE FALSE;
	ROLLBACK;
	SQL
	pg_new_db &&
	test_expect_code 1 godwit --dir badverify --url "$PG_URL" up >out 2>err &&
	test_grep "badverify/verify/users.sql:4:.*verify failed: column \"no_such_column\" does not exist" err &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 1 &&
	test "$(pg_sql "SELECT to_regclass('\''flipr.users'\'') IS NULL")" = t
'

test_expect_success PG 'down runs the revert scripts, newest first' '
	pg_new_db &&
	godwit --dir flipr --url "$PG_URL" up >/dev/null &&
	godwit --dir flipr --url "$PG_URL" down >out &&
	test_grep "reverted 4 insert_user" out &&
	pg_sql "SELECT flipr.insert_user('\''c'\'', '\''d'\'')" &&
	test "$(pg_sql "SELECT password = md5('\''d'\'') FROM flipr.users")" = t &&
	godwit --dir flipr --url "$PG_URL" down --all >out &&
	test_grep "^reverted 3 migrations$" out &&
	test "$(pg_sql "SELECT count(*) FROM pg_namespace WHERE nspname = '\''flipr'\''")" = 0
'

test_expect_success PG 'a conflict ([!change]) refuses while that change is applied' '
	mkdir conflict && cd conflict &&
	write_migration sqitch.plan <<-\PLAN &&
	%project=c

	old_users 2024-01-01T00:00:00Z A <a@x> # old
	new_users [!old_users] 2024-01-02T00:00:00Z A <a@x> # replaces old_users
	PLAN
	echo "CREATE TABLE old_users (id int);" >deploy_old &&
	write_migration deploy/old_users.sql <deploy_old &&
	write_migration revert/old_users.sql <<-\SQL &&
	DROP TABLE old_users;
	SQL
	write_migration deploy/new_users.sql <<-\SQL &&
	CREATE TABLE new_users (id int);
	SQL
	pg_new_db &&
	godwit --dir . --url "$PG_URL" up --to 1 >out &&
	test_expect_code 1 godwit --dir . --url "$PG_URL" up >out 2>err &&
	test_grep "cannot apply 2 new_users: it conflicts with 1 old_users, which is applied" err &&
	test "$(pg_sql "SELECT to_regclass('\''new_users'\'') IS NULL")" = t &&
	godwit --dir . --url "$PG_URL" down >out &&
	test_expect_code 1 godwit --dir . --url "$PG_URL" up --to 2 2>err &&
	test_grep "it conflicts with 1 old_users, which this run applies first" err
'

test_expect_success 'plan errors name sqitch.plan, the line and the column, and change nothing' '
	mkdir plans && cd plans &&
	mkdir -p deploy &&
	echo "CREATE TABLE a (id int);" >deploy/a.sql &&
	echo "CREATE TABLE b (id int);" >deploy/b.sql &&
	printf "%%project=p\n\na 2024-01-01T00:00:00Z A <a@x>\nb [nope] 2024-01-01T00:00:00Z A <a@x>\n" >sqitch.plan &&
	test_expect_code 1 godwit --dir . up 2>err &&
	test_grep "sqitch.plan:4:4: requires nope, which is not planned before it" err &&
	printf "%%project=p\n\nb [a] 2024-01-01T00:00:00Z A <a@x>\na 2024-01-01T00:00:00Z A <a@x>\n" >sqitch.plan &&
	test_expect_code 1 godwit --dir . up 2>err &&
	test_grep "sqitch.plan:3:4: requires a, which is not planned before it" err &&
	printf "%%project=p\n\na 2024-01-01T00:00:00Z A <a@x>\na 2024-01-01T00:00:00Z A <a@x>\n" >sqitch.plan &&
	test_expect_code 1 godwit --dir . up 2>err &&
	test_grep "sqitch.plan:4:1: the change is already planned since the last tag" err &&
	printf "%%project=p\n\na 2024-01-01T00:00:00Z\n" >sqitch.plan &&
	test_expect_code 1 godwit --dir . up 2>err &&
	test_grep "sqitch.plan:3:.*missing planner name and email" err &&
	printf "a 2024-01-01T00:00:00Z A <a@x>\n" >sqitch.plan &&
	test_expect_code 1 godwit --dir . up 2>err &&
	test_grep "sqitch.plan:1:1: expected a %pragma" err &&
	printf "%%project=p\n\na 2024-01-01T00:00:00Z A <a@x>\nc 2024-01-01T00:00:00Z A <a@x>\n" >sqitch.plan &&
	test_expect_code 1 godwit --dir . up 2>err &&
	test_grep "sqitch.plan:4: plans change c, but ./deploy/c.sql does not exist" err &&
	! test -e db/development.sqlite3
'

test_expect_success 'a sqitch.plan next to migration files is ambiguous; --format decides' '
	mkdir mixed && cd mixed &&
	printf "%%project=p\n\na 2024-01-01T00:00:00Z A <a@x>\n" >sqitch.plan &&
	write_migration deploy/a.sql <<-\SQL &&
	CREATE TABLE a (id int);
	SQL
	write_migration 20240101000000_x.sql <<-\SQL &&
	-- migrate:up
	CREATE TABLE x (id int);
	SQL
	test_expect_code 1 godwit --dir . status 2>err &&
	test_grep "20240101000000_x.sql: is a migration file next to a sqitch.plan$" err &&
	test_grep "^hint: keep one convention per folder, or choose one with --source-format$" err &&
	godwit --dir . --source-format sqitch status >out &&
	test_grep "pending *1 *a" out &&
	godwit --dir . --format sqitch status >out &&
	test_grep "pending *1 *a" out &&
	test_expect_code 2 godwit --dir . --format nope status 2>err &&
	test_grep "unknown format .nope.; use text or json for the output, or a folder convention" err &&
	rm sqitch.plan &&
	test_expect_code 1 godwit --dir . --source-format sqitch status 2>err &&
	test_grep "sqitch.plan: missing; a sqitch project has its plan there$" err &&
	test_grep "^hint: pass the folder that holds sqitch.plan with --dir$" err
'

test_expect_success SQLITE3 'SQLite: deploy, verify and revert' '
	mkdir lite && cd lite &&
	write_migration sqitch.plan <<-\PLAN &&
	%syntax-version=1.0.0
	%project=lite

	users 2024-01-01T00:00:00Z A <a@x> # users
	posts [users] 2024-01-02T00:00:00Z A <a@x> # posts
	PLAN
	write_migration deploy/users.sql <<-\SQL &&
	-- Deploy lite:users to sqlite

	BEGIN;
	CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
	COMMIT;
	SQL
	write_migration revert/users.sql <<-\SQL &&
	BEGIN;
	DROP TABLE users;
	COMMIT;
	SQL
	write_migration verify/users.sql <<-\SQL &&
	BEGIN;
	SELECT id, name FROM users WHERE 0;
	ROLLBACK;
	SQL
	write_migration deploy/posts.sql <<-\SQL &&
	BEGIN;
	CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));
	COMMIT;
	SQL
	write_migration revert/posts.sql <<-\SQL &&
	BEGIN;
	DROP TABLE posts;
	COMMIT;
	SQL
	write_migration verify/posts.sql <<-\SQL &&
	BEGIN;
	SELECT title FROM posts WHERE 0;
	ROLLBACK;
	SQL
	test_expect_code 1 godwit --dir . up >out 2>err &&
	test_grep "verify/posts.sql:2:.*verify failed" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT group_concat(name) FROM sqlite_master WHERE type = '"'table'"' AND name NOT LIKE '"'godwit%'"' AND name NOT LIKE '"'sqlite%'"'")" = users &&
	echo "SELECT id, user_id FROM posts WHERE 0;" >verify/posts.sql &&
	godwit --dir . up >out &&
	test_grep "^applied 1 migration$" out &&
	godwit --dir . down --all >out &&
	test_grep "^reverted 2 migrations$" out
'

test_expect_success 'new appends the change to sqitch.plan and writes its three scripts' '
	mkdir fresh && cd fresh &&
	printf "%%syntax-version=1.0.0\n%%project=fresh\n\n" >sqitch.plan &&
	SQITCH_FULLNAME="Ann Example" SQITCH_EMAIL=ann@example.com godwit --dir . new widgets >out &&
	test_grep "deploy/widgets.sql" out &&
	test_grep "^widgets 20[0-9-]*T[0-9:]*Z Ann Example <ann@example.com>$" sqitch.plan &&
	test_grep "^BEGIN;$" deploy/widgets.sql &&
	test_grep "^COMMIT;$" revert/widgets.sql &&
	test_grep "^ROLLBACK;$" verify/widgets.sql &&
	godwit --dir . status >out &&
	test_grep "pending *1 *widgets" out &&
	test_grep "holds no SQL" out &&
	test_expect_code 1 godwit --dir . new widgets 2>err &&
	test_grep "change widgets is already in sqitch.plan" err &&
	test_expect_code 1 godwit --dir . new gadgets- 2>err &&
	test_grep "sqitch change names may not begin or end with .-." err &&
	! test -e deploy/gadgets-.sql
'

test_expect_success PG 'sqitch.conf top_dir: the plan and scripts below it' '
	mkdir topdir && cp -R flipr topdir/sql &&
	printf "[core]\n\tengine = pg\n\ttop_dir = sql\n" >topdir/sqitch.conf &&
	pg_new_db &&
	godwit --dir topdir --url "$PG_URL" status >out &&
	test_grep "pending *4 *insert_user" out &&
	cat >topdir/sql/deploy/users.sql <<-\SQL &&
	BEGIN;
	CREATE TABLE flipr.users (nickname TEXT PRIMARY KEY, no_such_type nope);
	COMMIT;
	SQL
	test_expect_code 1 godwit --dir topdir --url "$PG_URL" up 2>err &&
	test_grep "topdir/sql/deploy/users.sql:2:" err
'

# sqitch itself reads what godwit writes, and deploys the same project.
test_expect_success PG,SQITCH 'sqitch deploys the plan godwit extended, to the same schema' '
	cp -R flipr both && cd both &&
	sqitch_env &&
	godwit --dir . new widgets >/dev/null &&
	cat >deploy/widgets.sql <<-\SQL &&
	BEGIN;
	CREATE TABLE flipr.widgets (id int);
	COMMIT;
	SQL
	pg_new_db && sq_db=$PG_DB &&
	sqitch deploy "db:pg:$sq_db" >out 2>&1 &&
	test_grep "+ widgets \.\.* ok" out &&
	pg_new_db &&
	godwit --dir . --url "$PG_URL" up >out &&
	test_grep "^applied 5 migrations$" out &&
	godwit --dir . --url "$PG_URL" schema dump --schema flipr >godwit.schema &&
	godwit --dir . --url "$(pg_db_url "$sq_db")" schema dump --schema flipr >sqitch.schema &&
	test_cmp sqitch.schema godwit.schema
'

test_done
