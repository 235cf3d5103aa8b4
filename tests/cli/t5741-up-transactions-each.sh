#!/bin/sh
test_description='up of N more migrations costs the server exactly N more transactions: one batch a migration, no query of its own'
. "$(dirname "$0")/lib.sh"

# What `up` costs beyond its fixed start is what each migration sends:
# one pipelined batch (BEGIN, the timeouts, the body, the history row with
# its event, COMMIT) and one sync, so one transaction a migration. A query
# added per migration outside the batch (a check, a recheck, a second
# write) would be one more transaction each, and the psql floor of
# bench/run.sh is one transaction a migration. The server counts them in
# pg_stat_database (pg_xacts), once godwit's session is gone.

# migrations DIR N [FIRST]: N one-table migrations in DIR, numbered from
# FIRST (1).
migrations()
{
	_gw_k=${3:-1}
	while test "$_gw_k" -lt $((${3:-1} + $2))
	do
		write_migration "$1/2024010100$(printf %04d "$_gw_k")_t$_gw_k.sql" <<-EOF || return 1
		-- migrate:up
		CREATE TABLE t_$_gw_k (id bigint PRIMARY KEY, name text NOT NULL);
		CREATE INDEX t_${_gw_k}_name ON t_$_gw_k (name);
		-- migrate:down
		DROP TABLE t_$_gw_k;
		EOF
		_gw_k=$((_gw_k + 1))
	done
}

# up_cost DIR FILE: applies DIR to a fresh database; writes the number of
# transactions that took to FILE.
up_cost()
{
	pg_new_db &&
	pg_wait_gone "$PG_DB" &&
	_gw_before=$(pg_xacts "$PG_DB") &&
	godwit --url "$PG_URL" --dir "$1" up >up.out 2>up.err &&
	pg_wait_gone "$PG_DB" &&
	_gw_after=$(pg_xacts "$PG_DB") &&
	echo $((_gw_after - _gw_before)) >"$2"
}

test_expect_success PG 'setup' '
	migrations few 3 &&
	migrations many 3 &&
	migrations many 10 4
'

test_expect_success PG 'ten more transactional migrations: exactly ten more transactions' '
	up_cost few few.cost &&
	test_grep "^applied 3 migrations" up.out &&
	up_cost many many.cost &&
	test_grep "^applied 13 migrations" up.out &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations WHERE state = ${SQ}applied${SQ}")" = 13 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = ${SQ}apply${SQ}")" = 13 &&
	echo 10 >expect &&
	echo $(($(cat many.cost) - $(cat few.cost))) >actual &&
	test_cmp expect actual
'

test_done
