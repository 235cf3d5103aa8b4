#!/bin/sh
test_description='block_destructive: production refuses TRUNCATE, DROP TABLE and DROP COLUMN by default though lint only warns; block_destructive = false leaves them to the level; --allow-unsafe --yes applies and records them'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup: sessions and users applied in development' '
	pg_new_db &&
	write_migration db/migrations/001_tables.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE sessions (id int);
	INSERT INTO sessions VALUES (1), (2), (3);
	CREATE TABLE users (id int, nickname text);
	-- migrate:down
	DROP TABLE users;
	DROP TABLE sessions;
	EOF
	godwit --url "$PG_URL" up >out &&
	test_grep "^applied 1 migration$" out
'

test_expect_success PG 'TRUNCATE and DROP COLUMN are refused in production by default, each named; nothing changes' '
	write_migration db/migrations/002_wipe.sql <<-\EOF &&
	-- migrate:up
	TRUNCATE sessions;
	ALTER TABLE users DROP COLUMN nickname;
	-- migrate:down
	ALTER TABLE users ADD COLUMN nickname text;
	EOF
	test_expect_code 1 godwit --url "$PG_URL" --env production --yes up >out 2>err &&
	cat >expect <<-\EOF &&
	db/migrations/002_wipe.sql:2:1: warning: TRUNCATE empties sessions at once [truncating-table]
	db/migrations/002_wipe.sql:3:1: warning: dropping users.nickname breaks code that still reads it [dropping-column]
	godwit: error: 2 unsafe statements, and block = error (and destructive statements at any level) in the environment '\''production'\''; nothing was changed
	hint: acknowledge each statement with a '\''-- godwit:ignore RULE'\'' comment above it, or pass --allow-unsafe to apply it anyway
	EOF
	test_cmp expect err &&
	test ! -s out &&
	test "$(pg_count sessions)" = 3 &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = ${SQ}users${SQ} AND column_name = ${SQ}nickname${SQ}")" = 1 &&
	test "$(pg_sql "SELECT string_agg(action, ${SQ} ${SQ} ORDER BY id) FROM godwit_events")" = apply
'

test_expect_success PG 'config --env production says block_destructive is on, and why' '
	godwit --env production config >out &&
	test_grep "^  block_destructive  true  *default (block is on)$" out &&
	godwit config >out &&
	test_grep "^  block_destructive  false  *default (block is off)$" out
'

test_expect_success PG 'block_destructive = false in [env.production]: the warnings pass at block = error' '
	printf "[env.production]\nblock_destructive = false\n" >godwit.conf &&
	godwit --env production config >out &&
	test_grep "^  block_destructive  false  *godwit.conf:2 \[env.production\]$" out &&
	godwit --url "$PG_URL" --env production --yes up >out 2>err &&
	test_grep "^applied 1 migration$" out &&
	test "$(pg_count sessions)" = 0 &&
	rm godwit.conf &&
	godwit --url "$PG_URL" down >out 2>&1 &&
	pg_sql "INSERT INTO sessions VALUES (1), (2), (3)"
'

test_expect_success PG 'a table this migration creates may be truncated' '
	write_migration db/migrations/003_scratch.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE scratch (id int);
	TRUNCATE scratch;
	-- migrate:down
	DROP TABLE scratch;
	EOF
	godwit --url "$PG_URL" lint db/migrations/003_scratch.sql >out 2>&1 &&
	test_grep ! truncating-table out
'

test_expect_success PG '--allow-unsafe --yes applies them in production and records the override' '
	rm db/migrations/003_scratch.sql &&
	godwit --url "$PG_URL" --env production --yes up --allow-unsafe >out 2>err &&
	test_grep "applying db/migrations/002_wipe.sql despite block = error (allow-unsafe): truncating-table at db/migrations/002_wipe.sql:2, dropping-column at db/migrations/002_wipe.sql:3" err &&
	test_grep "^applied 1 migration$" out &&
	test "$(pg_count sessions)" = 0 &&
	pg_sql "SELECT action, version, error, error_file, error_line, environment FROM godwit_events WHERE action = ${SQ}allow-unsafe${SQ}" >actual &&
	echo "allow-unsafe|002|truncating-table at db/migrations/002_wipe.sql:2, dropping-column at db/migrations/002_wipe.sql:3|db/migrations/002_wipe.sql|2|production" >expect &&
	test_cmp expect actual
'

test_expect_success 'SQLite: a DROP TABLE is refused in production by default' '
	mkdir sq &&
	(
		cd sq &&
		write_migration db/migrations/001_t.sql <<-\EOF &&
		-- migrate:up
		CREATE TABLE t (a int);
		INSERT INTO t VALUES (1);
		-- migrate:down
		DROP TABLE t;
		EOF
		godwit --url sqlite:prod.db --env production --yes up &&
		write_migration db/migrations/002_drop.sql <<-\EOF &&
		-- migrate:up
		DROP TABLE t;
		-- migrate:down
		CREATE TABLE t (a int);
		EOF
		test_expect_code 1 godwit --url sqlite:prod.db --env production --yes up 2>err &&
		test_grep "^db/migrations/002_drop.sql:2:1: warning: dropping a table breaks code that still uses it, and its data is gone \[dropping-table\]$" err &&
		test_grep "1 unsafe statement, and block = error (and destructive statements at any level) in the environment '\''production'\''; nothing was changed" err &&
		test "$(sqlite_sql prod.db "SELECT a FROM t")" = 1
	)
'

test_done
