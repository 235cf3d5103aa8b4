#!/bin/sh
test_description='up of N more migrations costs the server exactly N more transactions: one batch a migration, no query of its own'
. "$(dirname "$0")/lib.sh"

# What `up` costs beyond its fixed start is what each migration sends:
# one pipelined batch (BEGIN, the timeouts, the body, the history row with
# its event, COMMIT) and one sync, so one transaction a migration. A query
# added per migration outside the batch (a check, a recheck, a second
# write) would be one more transaction each, and the psql floor of
# bench/run.sh is one transaction a migration. The server counts them in
# pg_stat_database, which a session adds to when it ends: read from the
# base database, once godwit's session is gone.

# commits DB: the transactions DB has committed or rolled back so far.
commits()
{
	psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$PG_BASE_URL" \
		-c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$1'"
}

# gone DB: waits (30 s at most) until no session is left on DB.
gone()
{
	_gw_i=0
	until test "$(psql -X -A -t -q -d "$PG_BASE_URL" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$1'")" = 0
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 600 || return 1
		sleep 0.05
	done
}

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
	gone "$PG_DB" &&
	_gw_before=$(commits "$PG_DB") &&
	godwit --url "$PG_URL" --dir "$1" up >up.out 2>up.err &&
	gone "$PG_DB" &&
	_gw_after=$(commits "$PG_DB") &&
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
