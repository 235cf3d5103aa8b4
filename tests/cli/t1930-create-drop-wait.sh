#!/bin/sh
test_description='a missing database fails at once; create, drop and wait; SSL refusals are not retried'
. "$(dirname "$0")/lib.sh"

# bouncer NAME LISTEN_ADDR PORT: a PgBouncer (without TLS) in front of the
# suite's cluster, its database "db" being $PG_DB.
bouncer()
{
	cat >"$PGB/$1.ini" <<-EOF &&
	[databases]
	db = host=$PG_SOCKET_DIR port=${PG_PORT:-5432} dbname=$PG_DB
	[pgbouncer]
	listen_addr = $2
	unix_socket_dir = $PGB
	listen_port = $3
	auth_type = trust
	auth_file = $PGB/users.txt
	pool_mode = session
	logfile = $PGB/$1.log
	pidfile = $PGB/$1.pid
	ignore_startup_parameters = extra_float_digits,options
	EOF
	if [ "$(id -u)" = 0 ]; then chown postgres: "$PGB/$1.ini"; fi &&
	run_pgbouncer "$PGB/$1.ini"
}

# A PgBouncer on $PGB/.s.PGSQL.7432 in 2 s, while the test goes on.
start_late_bouncer()
{
	(sleep 2 && bouncer late "" 7432) >/dev/null 2>&1 &
	return 0
}

db_exists()
{
	psql -X -A -t -d "$PG_BASE_URL" -c "SELECT count(*) FROM pg_database WHERE datname = '$1'"
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	NEWDB=gw_t1930_new_$$ &&
	echo "$NEWDB" >>"$GW_TEST_DBLIST" &&
	NEW_URL=$(pg_db_url "$NEWDB")
'

test_expect_success PG 'a database that does not exist fails at once, pointing to create' '
	test_expect_code 1 godwit --connect-retries 3 --url "$NEW_URL" status >out 2>err &&
	cat >expect <<-EOF &&
	godwit: error: database "$NEWDB" does not exist ($NEW_URL)
	hint: create it with \`godwit create\`, or check the database name in the URL
	EOF
	test_cmp expect err &&
	test_expect_code 1 godwit --url "$NEW_URL" up 2>err &&
	test_grep "^godwit: error: database \"$NEWDB\" does not exist" err &&
	! grep retrying err
'

test_expect_success PG 'create makes the database the URL names; up then works' '
	godwit --url "$NEW_URL" create 2>err &&
	test_grep "created database \"$NEWDB\"" err &&
	test "$(db_exists "$NEWDB")" = 1 &&
	godwit --url "$NEW_URL" up &&
	test "$(psql -X -A -t -d "$NEW_URL" -c "SELECT count(*) FROM a")" = 0
'

test_expect_success PG 'create refuses a database that exists, and changes nothing' '
	test_expect_code 1 godwit --url "$NEW_URL" create 2>err &&
	test_grep "^godwit: error: database \"$NEWDB\" already exists" err &&
	test "$(psql -X -A -t -d "$NEW_URL" -c "SELECT count(*) FROM godwit_migrations")" = 1
'

test_expect_success PG 'drop in a protected environment needs --force, then a confirmation' '
	test_expect_code 1 godwit --env production --url "$NEW_URL" drop 2>err &&
	test_grep "protected environment: to drop the database there needs --force" err &&
	test_expect_code 1 godwit --env production --force --url "$NEW_URL" drop 2>err &&
	test_grep "no terminal to confirm on" err &&
	test "$(db_exists "$NEWDB")" = 1 &&
	godwit --env production --force --yes --url "$NEW_URL" drop 2>err &&
	test_grep "dropped database \"$NEWDB\"" err &&
	test "$(db_exists "$NEWDB")" = 0
'

test_expect_success PG 'drop of a database that does not exist is an error' '
	test_expect_code 1 godwit --url "$NEW_URL" drop 2>err &&
	test_grep "^godwit: error: database \"$NEWDB\" does not exist" err
'

test_expect_success PG 'create in a protected environment needs a confirmation' '
	test_expect_code 1 godwit --env production --url "$NEW_URL" create 2>err &&
	test_grep "no terminal to confirm on" err &&
	test "$(db_exists "$NEWDB")" = 0 &&
	godwit --env production --yes --url "$NEW_URL" create &&
	test "$(db_exists "$NEWDB")" = 1 &&
	godwit --url "$NEW_URL" drop &&
	test "$(db_exists "$NEWDB")" = 0
'

test_expect_success PG 'create and drop take a key/value string and a Prisma URL' '
	kv="host=$PG_SOCKET_DIR port=${PG_PORT:-5432} user=postgres dbname=$NEWDB" &&
	godwit --url "$kv" create &&
	test "$(db_exists "$NEWDB")" = 1 &&
	godwit --url "$NEW_URL&schema=public&connection_limit=1&pgbouncer=false" drop &&
	test "$(db_exists "$NEWDB")" = 0
'

test_expect_success SQLITE3 'SQLite: create makes the file and its folder, drop deletes it' '
	godwit --url sqlite:data/dev/app.db create 2>err &&
	test_grep "created database data/dev/app.db" err &&
	test -f data/dev/app.db &&
	test "$(sqlite_sql data/dev/app.db "PRAGMA user_version")" = 0 &&
	test_expect_code 1 godwit --url sqlite:data/dev/app.db create 2>err &&
	test_grep "^godwit: error: database file data/dev/app.db already exists" err &&
	godwit --url sqlite:data/dev/app.db up &&
	godwit --url sqlite:data/dev/app.db drop &&
	! test -e data/dev/app.db &&
	test_expect_code 1 godwit --url sqlite:data/dev/app.db drop 2>err &&
	test_grep "^godwit: error: database file data/dev/app.db does not exist" err
'

test_expect_success PG 'wait returns at once when the server is up, or the database is missing' '
	godwit --url "$PG_URL" wait 2>err &&
	! test -s err &&
	godwit --url "$NEW_URL" wait 2>err &&
	! test -s err
'

test_expect_success 'wait gives up after --timeout with the last error' '
	test_expect_code 1 godwit --url "postgresql:///x?host=$PWD/nosrv" wait --timeout 2 2>err &&
	test_grep "^godwit: error: the server did not accept connections within 2.0 s: cannot connect to postgresql:///x?host=$PWD/nosrv: connection to server on socket" err &&
	test_expect_code 2 godwit --url "$PG_URL" wait --timeout soon 2>err &&
	test_grep "timeout must be a whole number of seconds" err
'

test_expect_success 'wait does not wait on a URL error or for SQLite' '
	test_expect_code 1 godwit --url "postgres://u@h/db?nosuch=1" wait --timeout 30 2>err &&
	test_grep "unknown parameter ${SQ}nosuch${SQ}" err &&
	godwit --url sqlite:w.db wait
'

test_expect_success PGBOUNCER 'wait waits for a server that starts later' '
	PGB=$(mktemp -d /tmp/godwit-test-pgb-XXXXXX) &&
	test_when_finished "stop_bouncers; rm -rf \"$PGB\"" &&
	printf "\"postgres\" \"\"\n" >"$PGB/users.txt" &&
	if [ "$(id -u)" = 0 ]; then chown -R postgres: "$PGB"; fi &&
	start_late_bouncer &&
	godwit --url "postgresql:///db?host=$PGB&port=7432&user=postgres" wait --timeout 30 2>err &&
	test_grep "^godwit: the server accepts connections (after [2-9]\.[0-9] s)" err &&
	godwit --url "postgresql:///db?host=$PGB&port=7432&user=postgres" status >out &&
	test_grep "^pending " out
'

test_expect_success PGBOUNCER 'a server without SSL for sslmode=require fails at once' '
	PGB=$(mktemp -d /tmp/godwit-test-pgb-XXXXXX) &&
	test_when_finished "stop_bouncers; rm -rf \"$PGB\"" &&
	printf "\"postgres\" \"\"\n" >"$PGB/users.txt" &&
	if [ "$(id -u)" = 0 ]; then chown -R postgres: "$PGB"; fi &&
	port=$((20000 + $$ % 20000)) &&
	bouncer nossl 127.0.0.1 $port &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		psql -X -q -d "postgresql://postgres@127.0.0.1:$port/db" -c "SELECT 1" >/dev/null 2>&1 && break
		sleep 0.1
	done &&
	godwit --url "postgresql://postgres@127.0.0.1:$port/db?sslmode=disable" status >out &&
	test_expect_code 1 godwit --connect-retries 3 --url "postgresql://postgres@127.0.0.1:$port/db?sslmode=require" status >out 2>err &&
	cat >expect <<-EOF &&
	godwit: error: cannot connect to postgresql://postgres@127.0.0.1:$port/db?sslmode=require: connection to server at "127.0.0.1", port $port failed: server does not support SSL, but SSL was required
	hint: the URL${SQ}s sslmode asks for what the server (or its certificate) does not offer: enable SSL on the server, give the right sslrootcert, or change sslmode
	EOF
	test_cmp expect err
'

test_done
