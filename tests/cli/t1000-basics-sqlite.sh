#!/bin/sh
test_description='new, status, up, down, redo and history on the embedded SQLite default'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF
	-- migrate:up
	CREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id));
	CREATE INDEX posts_user ON posts (user_id);
	-- migrate:down
	DROP TABLE posts;
	EOF
'

test_expect_success 'status lists pending migrations without creating a database' '
	godwit status >out &&
	test_grep "pending *20240101000000 *users" out &&
	test_grep "0 applied, 2 pending" out &&
	test ! -e db/development.sqlite3
'

test_expect_success 'status --exit-code exits 3 while migrations are pending' '
	test_expect_code 3 godwit status --exit-code >out
'

test_expect_success 'up --dry-run prints the plan and SQL and changes nothing' '
	godwit up --dry-run >out &&
	test_grep "20240101000000 users" out &&
	test_grep "CREATE INDEX posts_user" out &&
	test ! -e db/development.sqlite3
'

test_expect_success 'up applies every pending migration into db/development.sqlite3' '
	godwit up >out &&
	test_grep "applied 2 migrations" out &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 2 &&
	sqlite_sql db/development.sqlite3 "SELECT name FROM sqlite_master WHERE name = '\''posts_user'\''" >idx &&
	test_grep posts_user idx
'

test_expect_success 'a second up has nothing to do' '
	godwit up >out &&
	test_grep "nothing to apply" out &&
	godwit status --exit-code
'

test_expect_success 'history rows record checksum, state, statements and who' '
	sqlite_sql db/development.sqlite3 "SELECT version, state, statements_total, statements_done, length(checksum), environment FROM godwit_migrations ORDER BY version" >rows &&
	cat >expect <<-\EOF &&
	20240101000000|applied|1|1|64|development
	20240102000000|applied|2|2|64|development
	EOF
	test_cmp expect rows
'

test_expect_success 'status --format json reports states and a summary' '
	godwit status --format json >json &&
	test_grep "\"state\": \"applied\"" json &&
	test_grep "\"applied\": 2" json &&
	test_grep "\"pending\": 0" json
'

test_expect_success 'down reverts the last migration only' '
	godwit down >out &&
	test_grep "reverted 1 migration" out &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name = '\''posts'\''")" = 0 &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name = '\''users'\''")" = 1
'

test_expect_success 'redo reverts and re-applies the last applied migration' '
	godwit redo >out &&
	test_grep "reverted 20240101000000 users" out &&
	test_grep "applied  20240101000000 users" out &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 1
'

test_expect_success 'down --all reverts everything; history keeps every event' '
	godwit up &&
	godwit down --all >out &&
	test_grep "reverted 2 migrations" out &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 0 &&
	godwit history --format json >h &&
	test "$(grep -c "\"action\": \"apply\"" h)" = 4 &&
	test "$(grep -c "\"action\": \"revert\"" h)" = 4
'

test_expect_success 'history --limit shows the newest events' '
	godwit history --limit 1 --format json >h &&
	test "$(grep -c "\"action\"" h)" = 1 &&
	test_grep "\"action\": \"revert\"" h
'

test_expect_success 'new creates a native migration with up and down sections' '
	godwit new add_tags >out &&
	test_grep "created db/migrations/[0-9]\{14\}_add_tags.sql" out &&
	f=$(ls db/migrations/*_add_tags.sql) &&
	test_grep "^-- migrate:up" "$f" &&
	test_grep "^-- migrate:down" "$f"
'

test_expect_success 'new refuses a name with spaces (usage error)' '
	test_expect_code 2 godwit new "bad name" 2>err &&
	test_grep "letters, digits" err
'

test_expect_success 'sqlite: URLs select another file' '
	rm -f db/migrations/*_add_tags.sql &&
	godwit --url sqlite:other.db up &&
	test "$(sqlite_sql other.db "SELECT count(*) FROM godwit_migrations")" = 2
'

test_expect_success 'the environment picks the embedded database file' '
	godwit --env test up &&
	test -f db/test.sqlite3
'

test_expect_success 'output has no color codes when not on a terminal' '
	godwit status >out &&
	! grep "$(printf "\033")" out
'

test_expect_success 'version names the library, the drivers and the parser' '
	godwit version >out &&
	test_grep "^godwit [0-9]" out &&
	test_grep "driver postgres: libpq" out &&
	test_grep "driver sqlite: SQLite 3" out &&
	test_grep "parser: libpg_query" out
'

test_done
