#!/bin/sh
test_description='status and plan make the server report no error, on a fresh database too'
. "$(dirname "$0")/lib.sh"

# Whether the history table exists is asked (to_regclass) before its rows
# are: reading a table that is not there would put an ERROR in the server's
# log of every fresh database a deploy checks. A failed statement ends its
# transaction in a rollback, which the server counts per database
# (pg_stat_database.xact_rollback) when the session ends.

# rollbacks: the database's count of rolled back transactions, once every
# other session of it has ended and reported its own.
rollbacks()
{
	_gw_i=0
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()")" = 0
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 100 || return 1
		sleep 0.1
	done
	pg_sql "SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()"
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_t.sql <<-\EOF
	-- migrate:up
	CREATE TABLE t (id int);
	-- migrate:down
	DROP TABLE t;
	EOF
'

test_expect_success PG 'a failed statement is counted once its session ends' '
	before=$(rollbacks) &&
	test_must_fail pg_sql "SELECT * FROM no_such_table" 2>err &&
	test_grep "no_such_table" err &&
	after=$(rollbacks) &&
	test "$after" -eq $((before + 1))
'

test_expect_success PG 'status on a fresh database: all pending, no statement failed, nothing created' '
	before=$(rollbacks) &&
	godwit --url "$PG_URL" status >out &&
	test_grep "^0 applied, 1 pending" out &&
	after=$(rollbacks) &&
	test "$after" -eq "$before" &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}public${SQ}")" = 0
'

test_expect_success PG 'status and plan over the history: no statement failed' '
	godwit --url "$PG_URL" up >out &&
	before=$(rollbacks) &&
	godwit --url "$PG_URL" status >out &&
	test_grep "^1 applied, 0 pending" out &&
	godwit --url "$PG_URL" plan >out &&
	after=$(rollbacks) &&
	test "$after" -eq "$before"
'

test_done
