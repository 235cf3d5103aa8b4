#!/bin/sh
test_description='bad migration files give an exact error and change nothing in the database'
. "$(dirname "$0")/lib.sh"

# Two migrations are applied (users with two rows, roles) and a good one,
# posts, is pending while each bad file is tried next to it: a bad file must
# stop the whole run before anything is applied, posts included.

# snapshot: what godwit could have changed in $PG_URL: the history rows,
# the number of events, every table and the rows of users.
snapshot()
{
	pg_sql "SELECT version, state, checksum FROM godwit_migrations ORDER BY version" &&
	pg_sql "SELECT 'events: ' || count(*) FROM godwit_events" &&
	pg_sql "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1" &&
	pg_sql "SELECT 'users: ' || count(*) FROM users"
}

# try_bad_up EXPECTED_STDERR_FILE: `godwit up` must exit 1 with exactly that
# on stderr, and leave the database as it was.
try_bad_up()
{
	snapshot >before &&
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	test_cmp "$1" err &&
	test_grep ! "^applied" out &&
	snapshot >after &&
	test_cmp before after
}

test_expect_success PG 'setup: two applied migrations and a pending one' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int PRIMARY KEY);
	INSERT INTO users VALUES (1), (2);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240101000001_roles.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE roles (id int);
	EOF
	godwit --url "$PG_URL" up &&
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE posts (id int, user_id int REFERENCES users (id));
	-- migrate:down
	DROP TABLE posts;
	EOF
	test "$(pg_count godwit_migrations)" = 2 &&
	test "$(pg_count users)" = 2 &&
	MAIN_URL=$PG_URL
'

test_expect_success PG 'a comment-only up section: status flags it, up refuses it and applies nothing' '
	test_when_finished "rm -f db/migrations/20240103000000_todo.sql" &&
	write_migration db/migrations/20240103000000_todo.sql <<-\EOF &&
	-- migrate:up
	-- TODO: write this one

	/* nothing yet */
	-- migrate:down
	DROP TABLE todo;
	EOF
	godwit --url "$PG_URL" status >out &&
	grep -A1 "^pending  *20240103000000  *todo$" out >detail &&
	test_grep "^    the file holds no SQL yet; ${SQ}godwit up${SQ} refuses it until it does$" detail &&
	godwit --url "$PG_URL" status --format json >status.json &&
	test_grep "\"empty\": true" status.json &&
	cat >expect <<-\EOF &&
	godwit: error: db/migrations/20240103000000_todo.sql: the migration is empty
	hint: add its SQL, or delete the file
	EOF
	try_bad_up expect
'

test_expect_success PG 'an empty (0 byte) file in a rollback-pairs folder: up refuses it, nothing changes' '
	test_when_finished "PG_URL=\$MAIN_URL" &&
	pg_new_db &&
	mkdir gm &&
	echo "CREATE TABLE users (id int);" >gm/0001_users.sql &&
	godwit --url "$PG_URL" --dir gm up &&
	echo "CREATE TABLE posts (id int);" >gm/0002_posts.sql &&
	: >gm/0003_empty.sql &&
	snapshot >before &&
	test_expect_code 1 godwit --url "$PG_URL" --dir gm up >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: gm/0003_empty.sql: the migration is empty
	hint: add its SQL, or delete the file
	EOF
	test_cmp expect err &&
	snapshot >after &&
	test_cmp before after
'

test_expect_success PG 'an empty (0 byte) file in a native folder is reported as empty, not as a second convention' '
	: >db/migrations/20240103000000_empty.sql &&
	test_when_finished "rm -f db/migrations/20240103000000_empty.sql" &&
	cat >expect <<-\EOF &&
	godwit: error: db/migrations/20240103000000_empty.sql: the migration is empty
	hint: add its SQL, or delete the file
	EOF
	try_bad_up expect
'

test_expect_success PG 'non-UTF-8 bytes are an error with line and column, and nothing changes' '
	test_when_finished "rm -f db/migrations/20240103000000_latin.sql" &&
	printf -- "-- migrate:up\nCREATE TABLE latin (name text DEFAULT \377);\n" >db/migrations/20240103000000_latin.sql &&
	cat >expect <<-\EOF &&
	godwit: error: db/migrations/20240103000000_latin.sql:2:39: invalid UTF-8 byte 0xff; save the file as UTF-8
	EOF
	try_bad_up expect &&
	printf -- "-- migrate:up\n-- caf\351\nCREATE TABLE latin (id int);\n" >db/migrations/20240103000000_latin.sql &&
	cat >expect <<-\EOF &&
	godwit: error: db/migrations/20240103000000_latin.sql:2:7: invalid UTF-8 byte 0xe9; save the file as UTF-8
	EOF
	try_bad_up expect &&
	test_expect_code 1 godwit --url "$PG_URL" status 2>err &&
	test_cmp expect err
'

test_expect_success PG 'a file over the 64 MiB limit is refused by its size, unread' '
	test_when_finished "rm -f db/migrations/20240103000000_huge.sql" &&
	truncate -s 65M db/migrations/20240103000000_huge.sql &&
	cat >expect <<-\EOF &&
	godwit: error: db/migrations/20240103000000_huge.sql is 68157440 bytes, over the limit of 67108864 bytes; split it into smaller migrations
	EOF
	try_bad_up expect
'

test_expect_success PG 'a dangling symlink named like a migration is an error naming it' '
	ln -s /nonexistent/x.sql db/migrations/20240103000000_gone.sql &&
	cat >expect <<-\EOF &&
	godwit: error: cannot read db/migrations/20240103000000_gone.sql: No such file or directory
	hint: make the file readable (a broken link, or its permissions?), or move it out of the folder
	EOF
	try_bad_up expect &&
	test_expect_code 1 godwit --url "$PG_URL" status 2>err &&
	test_cmp expect err
'

test_expect_success PG 'the unreadable-file error says what to do' '
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "^godwit: error: cannot read db/migrations/20240103000000_gone.sql" err &&
	test_grep "^hint: " err
'

test_expect_success PG 'remove the dangling symlink' '
	rm db/migrations/20240103000000_gone.sql
'

test_expect_success PG,SANITY 'a file without read permission is an error naming it' '
	echo "-- migrate:up" >db/migrations/20240103000000_secret.sql &&
	echo "CREATE TABLE secret (id int);" >>db/migrations/20240103000000_secret.sql &&
	chmod 000 db/migrations/20240103000000_secret.sql &&
	test_when_finished "rm -f db/migrations/20240103000000_secret.sql" &&
	cat >expect <<-\EOF &&
	godwit: error: cannot read db/migrations/20240103000000_secret.sql: Permission denied
	EOF
	try_bad_up expect
'

test_expect_success PG 'a missing migrations folder is an error that says how to make it' '
	cat >expect <<-\EOF &&
	godwit: error: migrations folder nowhere/migrations does not exist
	hint: create it (mkdir -p nowhere/migrations) or pass --dir
	EOF
	snapshot >before &&
	test_expect_code 1 godwit --url "$PG_URL" --dir nowhere/migrations up 2>err &&
	test_cmp expect err &&
	test_expect_code 1 godwit --url "$PG_URL" --dir nowhere/migrations status 2>err &&
	test_cmp expect err &&
	snapshot >after &&
	test_cmp before after
'

test_expect_success PG 'the default folder missing, on a fresh database: nothing is created' '
	mkdir elsewhere &&
	cd elsewhere &&
	test_when_finished "PG_URL=\$MAIN_URL" &&
	pg_new_db &&
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: migrations folder db/migrations does not exist
	hint: create it (mkdir -p db/migrations) or pass --dir
	EOF
	test_cmp expect err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}public${SQ}")" = 0
'

test_expect_success PG '--dir naming a file is an error' '
	test_expect_code 1 godwit --url "$PG_URL" --dir db/migrations/20240102000000_posts.sql up 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: db/migrations/20240102000000_posts.sql is not a folder
	hint: pass the migrations folder with --dir
	EOF
	test_cmp expect err
'

test_expect_success PG 'a syntax error in the last pending migration stops all of them before anything runs' '
	write_migration db/migrations/20240103000000_tags.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE tags (id int);
	EOF
	test_when_finished "rm -f db/migrations/20240104000000_broken.sql" &&
	write_migration db/migrations/20240104000000_broken.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE broken_a (id int);
	CREATE TABLE broken_b (id int,, name text);
	-- migrate:down
	DROP TABLE broken_b;
	EOF
	cat >expect <<-\EOF &&
	godwit: error: db/migrations/20240104000000_broken.sql:3:31: syntax error at or near ","
	EOF
	try_bad_up expect &&
	test "$(pg_sql "SELECT to_regclass(${SQ}tags${SQ}) IS NULL AND to_regclass(${SQ}posts${SQ}) IS NULL")" = t
'

test_expect_success PG 'a BEGIN/COMMIT inside a wrapped migration is refused before anything runs' '
	test_when_finished "rm -f db/migrations/20240104000000_tx.sql" &&
	write_migration db/migrations/20240104000000_tx.sql <<-\EOF &&
	-- migrate:up
	BEGIN;
	CREATE TABLE tx (id int);
	COMMIT;
	EOF
	cat >expect <<-EOF &&
	godwit: error: db/migrations/20240104000000_tx.sql:2:1: BEGIN inside a migration that godwit runs in a transaction
	hint: remove the BEGIN/COMMIT (godwit wraps each migration in one), or add ${SQ}-- godwit:no-transaction${SQ} at the top to run it without one
	EOF
	try_bad_up expect &&
	write_migration db/migrations/20240104000000_tx.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE tx (id int);
	COMMIT;
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "^godwit: error: db/migrations/20240104000000_tx.sql:3:1: COMMIT inside a migration that godwit runs in a transaction$" err &&
	snapshot >after &&
	test_cmp before after
'

test_expect_success PG 'COPY ... FROM STDIN is refused before anything runs' '
	test_when_finished "rm -f db/migrations/20240104000000_copy.sql" &&
	write_migration db/migrations/20240104000000_copy.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE copied (id int);
	COPY copied FROM STDIN;
	EOF
	cat >expect <<-\EOF &&
	godwit: error: db/migrations/20240104000000_copy.sql:3:1: COPY ... FROM STDIN cannot run in a migration: there is no client to send its rows
	hint: insert the rows with INSERT ... VALUES, or COPY FROM a file on the server
	EOF
	try_bad_up expect
'

test_expect_success PG 'the good pending migrations still apply once the bad files are gone' '
	godwit --url "$PG_URL" up >out &&
	test_grep "^applied 2 migrations$" out &&
	test "$(pg_count godwit_migrations)" = 4 &&
	test "$(pg_count users)" = 2
'

test_expect_success PG 'an edit of the down section only does not change an applied migration' '
	echo "-- a note below the down SQL" >>db/migrations/20240101000000_users.sql &&
	godwit --url "$PG_URL" status --exit-code >out &&
	test_grep "^applied  *20240101000000  *users " out
'

test_expect_success PG 'an applied migration edited afterwards shows as changed' '
	echo "-- changed" >>db/migrations/20240101000001_roles.sql &&
	write_migration db/migrations/20240105000000_later.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE later (id int);
	-- migrate:down
	DROP TABLE later;
	EOF
	godwit --url "$PG_URL" status >out &&
	test_grep "^changed  *20240101000001  *roles " out &&
	test_grep "^    file changed since it was applied; restore it or run ${SQ}godwit repair 20240101000001${SQ}$" out &&
	test_grep "^3 applied, 1 pending, 1 changed$" out &&
	godwit --url "$PG_URL" status --format json >status.json &&
	test_grep "\"state\": \"changed\"" status.json &&
	test_expect_code 3 godwit --url "$PG_URL" status --exit-code >out
'

test_expect_success PG 'up refuses to run past a changed migration and applies nothing' '
	snapshot >before &&
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	cat >expect <<-EOF &&
	godwit: error: db/migrations/20240101000001_roles.sql was changed after it was applied
	hint: restore the file as it was applied, or review the change and run ${SQ}godwit repair 20240101000001${SQ} to record it
	EOF
	test_cmp expect err &&
	snapshot >after &&
	test_cmp before after &&
	test "$(pg_sql "SELECT to_regclass(${SQ}later${SQ}) IS NULL")" = t
'

test_expect_success PG 'restoring the file makes it applied again' '
	sed -i "\$d" db/migrations/20240101000001_roles.sql &&
	godwit --url "$PG_URL" status >out &&
	test_grep "^applied  *20240101000001  *roles " out &&
	echo "-- changed" >>db/migrations/20240101000001_roles.sql
'

test_expect_success PG 'repair records the new checksum; then up goes on' '
	godwit --url "$PG_URL" status --format json >status.json &&
	new=$(awk -F"\"" "/\"file\": \"20240101000001_roles.sql\"/ { f = 1 } f && /\"checksum\":/ { print \$4; exit }" status.json) &&
	test -n "$new" &&
	test "$(pg_sql "SELECT checksum FROM godwit_migrations WHERE version = ${SQ}20240101000001${SQ}")" != "$new" &&
	godwit --url "$PG_URL" repair 20240101000001 >out &&
	test_grep "^recorded the new checksum of 1 migration$" out &&
	test "$(pg_sql "SELECT checksum FROM godwit_migrations WHERE version = ${SQ}20240101000001${SQ}")" = "$new" &&
	godwit --url "$PG_URL" status >out &&
	test_grep "^applied  *20240101000001  *roles " out &&
	godwit --url "$PG_URL" up >out &&
	test_grep "^applied 1 migration$" out &&
	godwit --url "$PG_URL" status --exit-code
'

test_expect_success PG 'CRLF line endings give the same checksum as LF' '
	sed -i "s/\$/\r/" db/migrations/20240101000000_users.sql db/migrations/20240105000000_later.sql &&
	test_grep "$(printf "\r")\$" db/migrations/20240105000000_later.sql &&
	godwit --url "$PG_URL" status --exit-code >out &&
	test_grep "^applied  *20240101000000  *users " out &&
	test_grep "^applied  *20240105000000  *later " out &&
	godwit --url "$PG_URL" down >out &&
	test_grep "^reverted 1 migration$" out &&
	godwit --url "$PG_URL" up >out &&
	test_grep "^applied 1 migration$" out &&
	godwit --url "$PG_URL" status --exit-code
'

test_done
