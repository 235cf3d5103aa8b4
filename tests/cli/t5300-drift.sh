#!/bin/sh
test_description='godwit drift: the live schema against the recorded snapshot or a replay'
# ctest: ephemeral databases
. "$(dirname "$0")/lib.sh"

# Ephemeral databases of runs that ended must be gone (those of runs
# still going, in other scripts, may remain).
no_dead_ephemeral_dbs()
{
	for _db in $(pg_sql "SELECT datname FROM pg_database WHERE datname LIKE 'godwit\\_test\\_%'"); do
		_pid=$(echo "$_db" | sed "s/^godwit_test_\\([0-9]*\\)_.*/\\1/")
		if ! kill -0 "$_pid" 2>/dev/null; then
			gw_complain "ephemeral database $_db outlived its run"
			return 1
		fi
	done
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
	CREATE INDEX posts_user ON posts (user_id);
	-- migrate:down
	DROP TABLE posts;
	EOF
	write_migration db/migrations/20240103000000_later.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE later (id int);
	-- migrate:down
	DROP TABLE later;
	EOF
	godwit --url "$PG_URL" up --to 20240102000000
'

test_expect_success PG 'without a recorded snapshot drift says how to get one' '
	test_expect_code 1 godwit --url "$PG_URL" drift 2>err &&
	test_grep "no schema snapshot was recorded in this database" err &&
	test_grep "godwit drift --record" err
'

test_expect_success PG 'a recorded snapshot matches until the schema is changed by hand' '
	godwit --url "$PG_URL" drift --record >out &&
	test_grep "recorded the live schema as the expected one" out &&
	test "$(pg_sql "SELECT count(*), min(length(hash)) FROM godwit_schema_snapshots")" = "1|64" &&
	godwit --url "$PG_URL" drift >out &&
	test_grep "^no drift: the live schema matches the snapshot recorded last\$" out
'

test_expect_success PG 'a manual ALTER TABLE is drift, exit 3, with the exact change' '
	pg_sql "ALTER TABLE users ADD COLUMN nickname text; ALTER TABLE users ALTER COLUMN email DROP NOT NULL; DROP INDEX posts_user" &&
	test_expect_code 3 godwit --url "$PG_URL" drift >out &&
	cat >expect <<-\EOF &&
	drift: the live schema differs from the snapshot recorded last
	(missing: expected but not in the database; extra: in the database only)
	  table public.posts: index posts_user missing
	  table public.users: column email: text not null → text
	  table public.users: column nickname extra
	EOF
	test_cmp expect out
'

test_expect_success PG '--replay compares with the applied migrations applied again' '
	test_expect_code 3 godwit --url "$PG_URL" drift --replay >out &&
	test_grep "^drift: the live schema differs from the applied migrations replayed\$" out &&
	test_grep "^  table public.users: column nickname extra\$" out &&
	test_grep "^  table public.posts: index posts_user missing\$" out &&
	test_grep ! "later" out &&
	no_dead_ephemeral_dbs
'

test_expect_success PG '--replay finds no drift on an untouched database' '
	pg_new_db &&
	godwit --url "$PG_URL" up &&
	godwit --url "$PG_URL" drift --replay >out &&
	test_grep "^no drift: the live schema matches the applied migrations replayed\$" out &&
	godwit --url "$PG_URL" drift --replay --format json >out.json &&
	test_grep "\"drift\": false" out.json
'

test_expect_success SQLITE3 'SQLite: drift after a manual change' '
	godwit --url sqlite:app.db up &&
	godwit --url sqlite:app.db drift --record &&
	sqlite_sql app.db "CREATE INDEX users_email ON users (email)" &&
	test_expect_code 3 godwit --url sqlite:app.db drift >out &&
	test_grep "^  table users: index users_email extra\$" out &&
	test_expect_code 3 godwit --url sqlite:app.db drift --replay >out &&
	test_grep "^  table users: index users_email extra\$" out
'

test_done
