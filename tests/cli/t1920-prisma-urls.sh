#!/bin/sh
test_description='Prisma, pooler and key/value connection strings work, and URL errors fail at once'
# ctest: ephemeral databases
. "$(dirname "$0")/lib.sh"

drop_database()
{
	psql -X -q -d "$PG_BASE_URL" -c "DROP DATABASE \"$1\""
}

test_expect_success PG 'setup' '
	pg_new_db &&
	sock=$(pg_sql "SHOW unix_socket_directories") &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF
	-- migrate:up
	CREATE TABLE posts (id int);
	-- migrate:down
	DROP TABLE posts;
	EOF
'

test_expect_success PG 'Prisma'\''s template URL (?schema=public) applies in public' '
	godwit --url "$PG_URL&schema=public" up >out 2>err &&
	! grep -i "invalid\|retrying" err &&
	test "$(pg_sql "SELECT count(*) FROM public.godwit_migrations")" = 2 &&
	test "$(pg_count public.users)" = 0
'

test_expect_success PG '?schema=NAME is the search path and the history schema' '
	pg_sql "CREATE SCHEMA app" &&
	godwit --url "$PG_URL&schema=app" up &&
	test "$(pg_sql "SELECT count(*) FROM app.godwit_migrations")" = 2 &&
	test "$(pg_sql "SELECT string_agg(table_name, $SQ,$SQ ORDER BY table_name) FROM information_schema.tables WHERE table_schema = $SQ""app$SQ")" = "godwit_events,godwit_migrations,posts,users" &&
	godwit --url "$PG_URL&schema=app" status >out &&
	test_grep "^applied .*20240102000000" out
'

test_expect_success PG 'a configured schema wins for the history, the URL'\''s stays the search path' '
	pg_sql "CREATE SCHEMA app2" &&
	pg_sql "CREATE SCHEMA hist" &&
	godwit --url "$PG_URL&schema=app2" --schema hist up &&
	test "$(pg_sql "SELECT count(*) FROM hist.godwit_migrations")" = 2 &&
	test "$(pg_count app2.users)" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.tables WHERE table_schema = $SQ""app2$SQ AND table_name LIKE $SQ""godwit%$SQ")" = 0
'

test_expect_success PG 'Prisma'\''s and the poolers'\'' parameters are accepted' '
	for q in "pgbouncer=true" "pgbouncer=false" "connection_limit=1" "pool_timeout=0" \
		"statement_cache_size=0" "socket_timeout=5" "connect_timeout=5" \
		"max_connection_lifetime=60" "max_idle_connection_lifetime=10" \
		"supa=base-pooler.x" "sslaccept=accept_invalid_certs" "sslmode=prefer" \
		"schema=public&pgbouncer=true&connection_limit=1&pool_timeout=20&connect_timeout=15"
	do
		godwit --url "$PG_URL&$q" status >out 2>err &&
		test_grep "^applied .*20240102000000" out &&
		! test -s err || return 1
	done
'

test_expect_success PG 'pgbouncer=true with ?schema= sets the search path once connected' '
	pg_new_db &&
	pg_sql "CREATE SCHEMA pooled" &&
	# A transaction pooler keeps no advisory lock: the table lock.
	godwit --lock table --url "$PG_URL&schema=pooled&pgbouncer=true" up &&
	test "$(pg_count pooled.users)" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM pooled.godwit_migrations")" = 2
'

test_expect_success PG 'an unknown parameter is refused at once, by name' '
	test_expect_code 1 godwit --url "$PG_URL&schemaa=public" status >out 2>err &&
	cat >expect <<-EOF &&
	godwit: error: unknown parameter ${SQ}schemaa${SQ} in the database URL $PG_URL&schemaa=public
	hint: godwit takes libpq${SQ}s parameters (sslmode, connect_timeout, options, ...), Prisma${SQ}s (schema, pgbouncer, connection_limit, pool_timeout, ...) and dbmate${SQ}s (socket, search_path); check its spelling or remove it
	EOF
	test_cmp expect err
'

test_expect_success PG 'URL errors are never retried' '
	for url in "$PG_URL&schemaa=public" "$PG_URL&pgbouncer=yes" "$PG_URL&sslmode=sometimes" \
		"$PG_URL&port=notaport" "postgres://u@[::1/db" "$PG_URL&sslidentity=id.p12"
	do
		test_expect_code 1 godwit --connect-retries 3 --url "$url" status 2>err &&
		! grep "retrying\|did not answer" err || return 1
	done &&
	test_expect_code 1 godwit --url "$PG_URL&pgbouncer=yes" status 2>err &&
	test_grep "pgbouncer= in the database URL .* must be true or false, not ${SQ}yes${SQ}" err &&
	test_expect_code 1 godwit --url "$PG_URL&sslmode=sometimes" status 2>err &&
	test_grep "invalid sslmode value: \"sometimes\"" err &&
	test_expect_code 1 godwit --url "$PG_URL&sslidentity=id.p12" status 2>err &&
	test_grep "sslidentity= (a PKCS#12 bundle) .* cannot be read by libpq" err
'

test_expect_success PG 'a key/value connection string works like a URL' '
	pg_new_db &&
	kv="host=$sock dbname=$PG_DB user=postgres" &&
	godwit --url "$kv" up &&
	test "$(pg_count users)" = 0 &&
	godwit --url "$kv" status >out &&
	test_grep "^applied .*20240102000000" out &&
	godwit --url "$kv" down &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 1 &&
	DATABASE_URL="$kv" godwit status >out &&
	test_grep "^pending .*20240102000000" out
'

test_expect_success PG 'godwit test makes its ephemeral database from a key/value string' '
	godwit --url "host=$sock dbname=$PG_DB user=postgres" test >out &&
	test_grep "^testing on the ephemeral database godwit_test_" out &&
	pg_ephemeral_left_by out >left &&
	test_cmp /dev/null left
'

test_expect_success PG 'godwit test keeps a Prisma URL'\''s schema on the ephemeral database' '
	godwit --url "$PG_URL&schema=tested&connection_limit=1" test --keep >out 2>err &&
	eph=$(sed -n "s/^testing on the ephemeral database //p" out) &&
	test_when_finished "drop_database $eph" &&
	test_grep "^2 passed, 0 failed, 0 untestable" out &&
	test "$(psql -X -A -t -d "$(pg_db_url "$eph")" -c "SELECT string_agg(table_name, $SQ,$SQ ORDER BY table_name) FROM information_schema.tables WHERE table_schema = $SQ""tested$SQ")" = "godwit_events,godwit_migrations,posts,users"
'

test_expect_success PG 'backup takes a Prisma URL' '
	godwit --url "$PG_URL&schema=public&pgbouncer=false" backup >out 2>err &&
	test "$(ls db/backups/*.dump | wc -l)" = 1
'

test_done
