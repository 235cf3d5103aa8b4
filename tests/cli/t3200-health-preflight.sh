#!/bin/sh
test_description='godwit health, and the pre-flight checks before up changes anything'
. "$(dirname "$0")/lib.sh"

hold_transaction()
{
	psql -X -q -d "$PG_URL" -c "BEGIN; SELECT count(*) FROM users; SELECT pg_sleep($1); COMMIT;" \
		>holder.out 2>&1 &
}

release_holder()
{
	pg_sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()" >/dev/null
}

start_godwit()
{
	("$GODWIT" "$@" >bg.out 2>&1; echo $? >bg.rc) &
}

wait_for_holder()
{
	i=0
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep($1)%' AND state = 'active' AND pid <> pg_backend_pid()")" = 1
	do
		i=$((i + 1))
		test $i -lt 200 || return 1
		sleep 0.05
	done
	sleep 1.2
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int PRIMARY KEY, email text);
	INSERT INTO users VALUES (1, '\''a@x'\''), (2, '\''a@x'\'');
	-- migrate:down
	DROP TABLE users;
	EOF
	godwit --url "$PG_URL" up &&
	write_migration db/migrations/20240102000000_more.sql <<-\EOF
	-- migrate:up
	CREATE TABLE more (id int);
	-- migrate:down
	DROP TABLE more;
	EOF
'

test_expect_success PG 'health reports every check and warns about a pending migration' '
	godwit --url "$PG_URL" health >out &&
	test_grep "^ok    connection  *connected to postgresql:///$PG_DB" out &&
	test_grep "^ok    server_version  *postgres 15" out &&
	test_grep "^ok    invalid_indexes" out &&
	test_grep "^warn  migrations  *1 applied, 1 pending, 0 dirty" out &&
	test_expect_code 3 godwit --url "$PG_URL" health --strict >out
'

# other_until SQL: waits (10 s at most) until SQL, on $other_url, says 1.
other_until()
{
	i=0
	until test "$(psql -X -A -t -q -d "$other_url" -c "$1")" = 1
	do
		i=$((i + 1))
		test $i -lt 200 || return 1
		sleep 0.05
	done
}

# A session of another database on the same server blocking another is
# that database's matter: the suite's server runs other scripts' holders,
# and a shared server other tenants'.
test_expect_success PG 'lock_holders looks at this database only' '
	main_db=$PG_DB main_url=$PG_URL &&
	pg_new_db &&
	other_url=$PG_URL &&
	PG_DB=$main_db PG_URL=$main_url &&
	psql -X -q -d "$other_url" -c "CREATE TABLE gate (x int)" &&
	{ psql -X -q -d "$other_url" -c "BEGIN; LOCK TABLE gate; SELECT pg_sleep(30); COMMIT;" >other1.out 2>&1 & } &&
	other_until "SELECT count(*) FROM pg_locks WHERE relation = ${SQ}gate${SQ}::regclass AND granted" &&
	{ psql -X -q -d "$other_url" -c "SELECT count(*) FROM gate" >other2.out 2>&1 & } &&
	other_until "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = ${SQ}Lock${SQ}" &&
	godwit --url "$PG_URL" health >out &&
	test_grep "^ok    lock_holders  *no session is blocking another" out &&
	psql -X -q -d "$other_url" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
'

test_expect_success PG 'health --format json' '
	godwit --url "$PG_URL" health --format json >json &&
	test_grep "\"status\": \"warn\"" json &&
	test_grep "\"name\": \"long_transactions\"" json
'

test_expect_success PG 'an invalid index left by a failed CREATE INDEX CONCURRENTLY fails health' '
	test_must_fail pg_sql "CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email)" 2>/dev/null &&
	test_expect_code 3 godwit --url "$PG_URL" health >out &&
	test_grep "^fail  invalid_indexes  *1 invalid indexes" out &&
	test_grep "public.users_email" out &&
	pg_sql "DROP INDEX users_email"
'

test_expect_success PG 'missing required tables and extensions fail health' '
	printf "required_tables = users, audit_log\nrequired_extensions = plpgsql, no_such_ext\n" >godwit.conf &&
	test_expect_code 3 godwit --url "$PG_URL" health >out &&
	test_grep "^fail  tables  *1 required tables missing" out &&
	test_grep "audit_log" out &&
	test_grep "^fail  extensions  *1 required extension is not available" out &&
	test_grep "no_such_ext" out &&
	rm godwit.conf
'

test_expect_success PG 'with max_transaction_age set, up refuses and names the session' '
	printf "max_transaction_age = 1s\n" >godwit.conf &&
	hold_transaction 30 &&
	wait_for_holder 30 &&
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	release_holder &&
	test_grep "pre-flight check failed, nothing was changed" err &&
	test_grep "long_transactions: 1 session has been in a transaction for longer than 1.0 s" err &&
	test_grep "pid [0-9]* (psql, active for 00:00:0[0-9]): BEGIN; SELECT count(\*) FROM users" err &&
	test "$(pg_sql "SELECT to_regclass('\''more'\'') IS NULL")" = t &&
	test "$(pg_count godwit_migrations)" = 1 &&
	wait
'

test_expect_success PG 'preflight = warn goes on with a warning' '
	printf "max_transaction_age = 1s\npreflight = warn\n" >godwit.conf &&
	hold_transaction 30 &&
	wait_for_holder 30 &&
	godwit --url "$PG_URL" up 2>err &&
	release_holder &&
	test_grep "pre-flight: long_transactions: 1 session has been in a transaction" err &&
	test "$(pg_count godwit_migrations)" = 2 &&
	wait &&
	godwit --url "$PG_URL" down
'

test_expect_success PG 'preflight = wait waits for the session to finish' '
	printf "max_transaction_age = 1s\npreflight = wait\npreflight_wait = 20s\n" >godwit.conf &&
	hold_transaction 30 &&
	wait_for_holder 30 &&
	start_godwit --url "$PG_URL" up &&
	i=0 &&
	until grep "pre-flight: waiting" bg.out >/dev/null
	do
		i=$((i + 1)) && test $i -lt 400 && sleep 0.05 || return 1
	done &&
	release_holder &&
	wait &&
	test "$(cat bg.rc)" = 0 &&
	test "$(pg_count godwit_migrations)" = 2 &&
	wait &&
	godwit --url "$PG_URL" down
'

test_expect_success PG 'a server older than min_server_version is refused' '
	printf "min_server_version = 99\n" >godwit.conf &&
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "server_version: postgres 15.* is older than the required 99" err &&
	test "$(pg_count godwit_migrations)" = 1 &&
	rm godwit.conf
'

test_expect_success 'health of an unreachable database exits 3 and says why' '
	test_expect_code 3 godwit --connect-retries 0 --url "postgresql://u@127.0.0.1:1/db?connect_timeout=1" health >out &&
	test_grep "^fail  connection  *cannot connect: cannot connect to postgresql://u@127.0.0.1:1/db" out
'

test_expect_success 'health on SQLite' '
	sqlite_sql db/development.sqlite3 "CREATE TABLE app (id int)" &&
	godwit health >out &&
	test_grep "^ok    server_version  *sqlite 3" out &&
	test_grep "^warn  migrations  *0 applied, 2 pending" out
'

test_done
