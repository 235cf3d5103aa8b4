#!/bin/sh
test_description='each notice of a run is printed once; status says how each migration really runs'
. "$(dirname "$0")/lib.sh"

# count PATTERN FILE: how many lines of FILE match PATTERN.
count()
{
	grep -c "$1" "$2"
}

test_expect_success PG 'setup' '
	backend=pg &&
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigint PRIMARY KEY, email text);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_index.sql <<-\EOF
	-- migrate:up
	CREATE INDEX CONCURRENTLY users_email ON users (email);
	CREATE INDEX CONCURRENTLY users_nope ON users (nope);
	-- migrate:down
	DROP INDEX CONCURRENTLY users_nope;
	DROP INDEX CONCURRENTLY users_email;
	EOF
'

test_expect_success PG 'status --format json says a CONCURRENTLY migration runs without a transaction' '
	states >actual &&
	printf "%s\n" "20240101000000 pending tx down" "20240102000000 pending no-tx down" >expect &&
	test_cmp expect actual
'

test_expect_success PG 'the no-transaction notice is printed once by up' '
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	test "$(count "CREATE INDEX cannot run inside a transaction" err)" = 1 &&
	test_grep "20240102000000_index.sql:2: CREATE INDEX cannot run inside a transaction; running this migration without one, statement by statement" err
'

test_expect_success PG 'the notice of a resumed, changed file is printed once' '
	sed -i "s/(nope)/(id, email)/" db/migrations/20240102000000_index.sql &&
	godwit --url "$PG_URL" up --resume >out 2>err &&
	test "$(count "changed since its run started" err)" = 1 &&
	test_grep "db/migrations/20240102000000_index.sql changed since its run started; resuming from statement 2 with the file as it is now" err &&
	test "$(count "cannot run inside a transaction" err)" = 1 &&
	test_grep "^applied  20240102000000 index" out
'

test_expect_success PG 'status --format json still says no transaction once applied' '
	states >actual &&
	printf "%s\n" "20240101000000 applied tx down" "20240102000000 applied no-tx down" >expect &&
	test_cmp expect actual
'

test_expect_success PG 'down prints the notices of its run once' '
	sed -i "s/users (email)/users (email DESC)/" db/migrations/20240102000000_index.sql &&
	godwit --url "$PG_URL" down >out 2>err &&
	test "$(count "changed since it was applied" err)" = 1 &&
	test "$(count "DROP INDEX cannot run inside a transaction" err)" = 1 &&
	test_grep "^reverted *20240102000000 index" out &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations WHERE version = '\''20240102000000'\''")" = 0
'

test_expect_success PG 'a protected environment prints the notices of up once' '
	godwit --url "$PG_URL" --env production up --yes >out 2>err &&
	test "$(count "CREATE INDEX cannot run inside a transaction" err)" = 1 &&
	test_grep "^applied  20240102000000 index" out
'

test_expect_success SQLITE3 'the missing-file warning is printed once by up' '
	mkdir sq && cd sq &&
	write_migration db/migrations/20240101000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	EOF
	godwit up >/dev/null &&
	rm db/migrations/20240101000000_a.sql &&
	write_migration db/migrations/20240102000000_b.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE b (id int);
	EOF
	godwit up >out 2>err &&
	test "$(count "recorded as applied but has no file" err)" = 1 &&
	test_grep "godwit: warning: migration 20240101000000 a is recorded as applied but has no file in db/migrations" err &&
	test_grep "^applied  20240102000000 b" out
'

test_expect_success SQLITE3 'with backup = true too' '
	cd sq &&
	printf "backup = true\n" >godwit.conf &&
	write_migration db/migrations/20240103000000_c.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE c (id int);
	EOF
	godwit up >out 2>err &&
	test "$(count "recorded as applied but has no file" err)" = 1 &&
	test_grep "^applied  20240103000000 c" out &&
	test "$(ls db/backups | wc -l)" = 1
'

test_expect_success SQLITE3 'and in a protected environment' '
	cd sq &&
	rm godwit.conf &&
	cp db/development.sqlite3 db/production.sqlite3 &&
	write_migration db/migrations/20240104000000_d.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE d (id int);
	EOF
	godwit --url sqlite:db/production.sqlite3 --env production up --yes >out 2>err &&
	test "$(count "recorded as applied but has no file" err)" = 1 &&
	test_grep "^applied  20240104000000 d" out
'

test_done
