#!/bin/sh
test_description='the schema is recorded after every command that changes it; after-steps only warn'
. "$(dirname "$0")/lib.sh"

write_set()
{
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int PRIMARY KEY, email text);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF
	-- migrate:up
	CREATE TABLE posts (id int PRIMARY KEY, author int);
	-- migrate:down
	DROP TABLE posts;
	EOF
}

# The number of snapshots recorded in the SQLite database.
snapshots()
{
	sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_schema_snapshots"
}

# db/schema.sql must be what schema dump says now.
schema_file_is_current()
{
	godwit schema dump >dump &&
	test_cmp dump db/schema.sql
}

test_expect_success SQLITE3 'setup' '
	write_set &&
	printf "schema_record = true\nschema_file = db/schema.sql\n" >godwit.conf
'

test_expect_success SQLITE3 'up, up, down: no drift, and db/schema.sql follows the down' '
	godwit up --to 20240101000000 &&
	godwit up &&
	test_grep "^table posts\$" db/schema.sql &&
	godwit down &&
	godwit drift >out &&
	test_grep "^no drift: the live schema matches the snapshot recorded last\$" out &&
	test_grep ! "posts" db/schema.sql &&
	schema_file_is_current
'

test_expect_success SQLITE3 'redo records again' '
	n=$(snapshots) &&
	godwit redo &&
	test "$(snapshots)" = $((n + 1)) &&
	godwit drift >out &&
	test_grep "^no drift" out
'

test_expect_success SQLITE3 'a seed that changes the schema records it' '
	mkdir db/seeds &&
	echo "CREATE TABLE lookup (code text);" >db/seeds/01_lookup.sql &&
	printf "seeds_dir = db/seeds\n" >>godwit.conf &&
	godwit seed &&
	godwit drift >out &&
	test_grep "^no drift" out &&
	test_grep "^table lookup\$" db/schema.sql
'

test_expect_success SQLITE3 'up with seeds records once, after both' '
	echo "CREATE TABLE lookup2 (code text);" >db/seeds/02_lookup2.sql &&
	n=$(snapshots) &&
	godwit up &&
	test "$(snapshots)" = $((n + 1)) &&
	test_grep "^table lookup2\$" db/schema.sql &&
	test_grep "^table posts\$" db/schema.sql &&
	godwit drift >out &&
	test_grep "^no drift" out
'

test_expect_success SQLITE3 'restore: the restored schema is the expected one, and the file says so' '
	godwit backup 2>err &&
	backup=$(ls db/backups/*.sqlite3) &&
	write_migration db/migrations/20240103000000_later.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE later (id int);
	-- migrate:down
	DROP TABLE later;
	EOF
	godwit up &&
	test_grep "^table later\$" db/schema.sql &&
	godwit restore "$backup" 2>err &&
	rm db/migrations/20240103000000_later.sql &&
	godwit drift >out &&
	test_grep "^no drift" out &&
	test_grep ! "later" db/schema.sql &&
	schema_file_is_current
'

test_expect_success SQLITE3 'reset (down of every migration) and reset --drop record' '
	godwit reset --yes 2>err &&
	godwit drift >out &&
	test_grep "^no drift" out &&
	test_grep ! "^table users" db/schema.sql &&
	godwit up &&
	godwit reset --drop --yes 2>err &&
	godwit drift >out &&
	test_grep "^no drift" out &&
	schema_file_is_current
'

test_expect_success PG 'PostgreSQL: up, up, down, drift is no drift' '
	pg_new_db &&
	godwit --url "$PG_URL" up --to 20240101000000 &&
	godwit --url "$PG_URL" up &&
	godwit --url "$PG_URL" down &&
	godwit --url "$PG_URL" drift >out &&
	test_grep "^no drift" out &&
	test "$(pg_sql "SELECT count(*) FROM godwit_schema_snapshots")" = 3
'

test_expect_success SQLITE3 'test and drift --replay leave schema_file and the snapshots alone' '
	mkdir other &&
	(
		cd other &&
		mkdir -p db/migrations &&
		cp ../db/migrations/*.sql db/migrations/ &&
		printf "schema_record = true\nschema_file = db/schema.sql\n" >godwit.conf &&
		TMPDIR=$PWD godwit --url sqlite:target.db test >out &&
		test_grep "^2 passed, 0 failed, 0 untestable\$" out &&
		test ! -e db/schema.sql &&
		godwit --url sqlite:target.db up --to 20240101000000 &&
		cp db/schema.sql before &&
		godwit --url sqlite:target.db drift --replay >out &&
		test_grep "^no drift" out &&
		test_cmp before db/schema.sql &&
		test "$(sqlite_sql target.db "SELECT count(*) FROM godwit_schema_snapshots")" = 1
	)
'

# ---- after-steps never fail a change that was made ---------------------

test_expect_success SQLITE3 'a missing folder of schema_file is created' '
	rm -rf db/development.sqlite3 &&
	printf "schema_file = generated/deep/schema.sql\n" >godwit.conf &&
	godwit up >out 2>err &&
	test_grep "^applied 2 migrations\$" out &&
	without_start_lines err >warnings &&
	test_cmp /dev/null warnings &&
	test_grep "^table posts\$" generated/deep/schema.sql
'

test_expect_success SQLITE3 'a schema file that cannot be written: a warning, exit 0, the up is done' '
	rm -rf db/development.sqlite3 &&
	echo "a file" >blocker &&
	printf "schema_file = blocker/schema.sql\n" >godwit.conf &&
	godwit up >out 2>err &&
	test_grep "^applied 2 migrations\$" out &&
	test_grep "^godwit: warning: writing the schema file after up failed: .*blocker.* (the up itself is done)\$" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 2 &&
	godwit down >out 2>err &&
	test_grep "warning: writing the schema file after down failed" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 1
'

test_expect_success SQLITE3 'schema_strict = true: exit 4, with the error and a hint; the change stays' '
	GODWIT_SCHEMA_STRICT=true test_expect_code 4 godwit up >out 2>err &&
	test_grep "^godwit: error: writing the schema file after up failed: " err &&
	test_grep "hint: the up itself is done; " err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 2 &&
	GODWIT_SCHEMA_STRICT=true test_expect_code 4 godwit --format json down >out.json &&
	test_grep "\"code\": \"after\"" out.json &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 1
'

test_expect_success SQLITE3 'a schema file that is a folder: a warning names it, nothing is left' '
	rm -rf db/development.sqlite3 &&
	mkdir -p schemadir/schema.sql &&
	printf "schema_file = schemadir/schema.sql\n" >godwit.conf &&
	godwit up >out 2>err &&
	test_grep "^applied 2 migrations\$" out &&
	echo "godwit: warning: writing the schema file after up failed: cannot write schemadir/schema.sql: Is a directory (the up itself is done)" >expect &&
	without_start_lines err >actual &&
	test_cmp expect actual &&
	test "$(ls schemadir)" = schema.sql &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 2
'

test_expect_success SQLITE3 'a snapshot that cannot be recorded: a warning, or with schema_strict exit 4' '
	rm -rf db/development.sqlite3 &&
	sqlite_sql db/development.sqlite3 "CREATE VIEW godwit_schema_snapshots AS SELECT 1 AS x" &&
	printf "schema_record = true\n" >godwit.conf &&
	godwit up >out 2>err &&
	echo "godwit: warning: recording the schema snapshot after up failed: cannot modify godwit_schema_snapshots because it is a view (the up itself is done)" >expect &&
	without_start_lines err >actual &&
	test_cmp expect actual &&
	godwit down >out 2>err &&
	test_grep "^godwit: warning: recording the schema snapshot after down failed: " err &&
	GODWIT_SCHEMA_STRICT=true test_expect_code 4 godwit up >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: applying 20240102000000 posts
	godwit: error: recording the schema snapshot after up failed: cannot modify godwit_schema_snapshots because it is a view
	hint: the up itself is done; '\''godwit drift --record'\'' records the snapshot, '\''godwit schema dump -o FILE'\'' writes the file
	EOF
	test_cmp expect err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations WHERE state = '\''applied'\''")" = 2
'

test_expect_success SQLITE3 'schema_strict takes only true or false' '
	GODWIT_SCHEMA_STRICT=yes test_expect_code 1 godwit up 2>err &&
	test_grep "^godwit: error: GODWIT_SCHEMA_STRICT must be true or false, not '\''yes'\''\$" err
'

test_done
