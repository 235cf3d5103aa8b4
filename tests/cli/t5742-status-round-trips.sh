#!/bin/sh
test_description='status asks the server two queries, on a fresh database too: whether the history is there and what it holds, or whose history is'
. "$(dirname "$0")/lib.sh"

# Across the internet a query is a round trip of tens of milliseconds, and
# status runs in every deploy. It asks whether the history table exists
# (never reading a table that is not there, which would log an ERROR on
# the server: t5701), then reads its rows; on a fresh database it asks
# instead, in one query, whether another tool's history (dbmate,
# golang-migrate, Flyway, ...) is there, where it asked table by table,
# ten queries in all. Each query outside a transaction is one transaction
# of pg_stat_database (pg_xacts), and the start of a session is one more:
# the costs are held against a psql session of one query.

# cost FILE COMMAND...: runs COMMAND (its output in status.out and
# status.err) three times; writes the fewest transactions a run cost
# $PG_DB to FILE. The server's autovacuum counts its own transactions on
# the database when it visits it: those only ever add, so the fewest is
# what COMMAND itself cost.
cost()
{
	_gw_out=$1
	shift
	_gw_least=
	for _gw_run in 1 2 3; do
		pg_wait_gone "$PG_DB" &&
		_gw_before=$(pg_xacts "$PG_DB") &&
		"$@" >status.out 2>status.err &&
		pg_wait_gone "$PG_DB" &&
		_gw_after=$(pg_xacts "$PG_DB") || return 1
		_gw_n=$((_gw_after - _gw_before))
		if [ -z "$_gw_least" ] || [ "$_gw_n" -lt "$_gw_least" ]; then
			_gw_least=$_gw_n
		fi
	done
	echo "$_gw_least" >"$_gw_out"
}

test_expect_success PG 'setup' '
	pg_new_db &&
	for i in 1 2 3; do
		write_migration db/migrations/2024010100000${i}_t$i.sql <<-EOF || return 1
		-- migrate:up
		CREATE TABLE t_$i (id int);
		-- migrate:down
		DROP TABLE t_$i;
		EOF
	done &&
	cost one.cost psql -X -q -d "$PG_URL" -c "SELECT 1" &&
	echo $(($(cat one.cost) + 1)) >two.cost
'

test_expect_success PG 'a fresh database: two queries, the history table and the other tools'"'"' tables' '
	cost fresh.cost godwit --url "$PG_URL" status &&
	test_grep "^0 applied, 3 pending" status.out &&
	test_cmp two.cost fresh.cost
'

test_expect_success PG 'another tool'"'"'s history is still found and named' '
	pg_sql "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)" &&
	pg_sql "INSERT INTO schema_migrations VALUES (${SQ}20240101000001${SQ})" &&
	godwit --url "$PG_URL" status >other.out 2>other.err &&
	test_grep "dbmate" other.out other.err &&
	pg_sql "DROP TABLE schema_migrations"
'

test_expect_success PG 'applied migrations: two queries, whether the history is there and its rows' '
	godwit --url "$PG_URL" up >/dev/null &&
	cost applied.cost godwit --url "$PG_URL" status &&
	test_grep "^3 applied, 0 pending" status.out &&
	test_cmp two.cost applied.cost
'

test_expect_success PG 'a history schema that does not exist: no history, in two queries' '
	cost noschema.cost godwit --url "$PG_URL" --history-schema nowhere status &&
	test_grep "^0 applied, 3 pending" status.out &&
	test_cmp two.cost noschema.cost
'

test_done
