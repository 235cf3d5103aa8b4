#!/bin/sh
test_description='a connection lost after the server committed: the history read on a new session decides what godwit says'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/own-cluster.sh"

# The server commits, then the session dies before godwit hears the
# commit's answer. The stop is made by the server, not by timing: the
# cluster has a synchronous standby that never comes, and every commit is
# local except the one a trigger on the history table marks (synchronous
# commit on for that transaction only). That commit is written locally and
# waits for the standby; pg_terminate_backend then ends the session with
# "the transaction has already committed locally". It runs on a cluster of
# its own: the standby setting is server-wide.
#
# Every session of the test's database commits locally from its start
# (a database setting, read when the session begins). A server-wide
# synchronous_commit = local would be racy: a reload reaches the
# checkpointer, which starts every commit waiting for the standby, and
# each backend on its own time, so a session reloading in between would
# wait for ever.

# hold_on TABLE EVENT CONDITION: the commit of a transaction that makes
# EVENT on TABLE (a row matching CONDITION) waits for the standby.
hold_on()
{
	pg_sql "DROP TRIGGER IF EXISTS hold ON $1; CREATE TRIGGER hold AFTER $2 ON $1 FOR EACH ROW WHEN ($3) EXECUTE FUNCTION hold_commit()" >/dev/null
}

# run_and_cut ARGS...: runs godwit ARGS in the background, waits until its
# commit waits for the standby, ends that session, and waits for godwit
# (exit code in rc, output in out).
run_and_cut()
{
	rm -f rc &&
	{ ("$GODWIT" --url "$PG_URL" "$@" >out 2>&1; echo $? >rc) & } &&
	_gw_i=0 &&
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = ${SQ}SyncRep${SQ}")" = 1
	do
		_gw_i=$((_gw_i + 1)) &&
		test $_gw_i -lt 600 &&
		sleep 0.05 || return 1
	done &&
	test "$(pg_sql "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = ${SQ}SyncRep${SQ}")" = t &&
	wait &&
	test -s rc
}

rows()
{
	pg_sql "SELECT version, state, statements_done, statements_total FROM godwit_migrations ORDER BY version"
}

test_expect_success OWN_PG 'setup: a cluster whose marked commits wait for a standby' '
	own_pg_start &&
	own_pg_new_db &&
	pg_sql <<-EOF &&
	DO \$\$ BEGIN
		EXECUTE format(${SQ}ALTER DATABASE %I SET synchronous_commit = local${SQ}, current_database());
	END \$\$;
	EOF
	pg_sql "ALTER SYSTEM SET synchronous_standby_names = ${SQ}gw_nobody${SQ}" &&
	pg_sql "SELECT pg_reload_conf()" >/dev/null &&
	pg_sql <<-EOF &&
	CREATE FUNCTION hold_commit() RETURNS trigger LANGUAGE plpgsql AS \$\$
	BEGIN
		PERFORM set_config(${SQ}synchronous_commit${SQ}, ${SQ}on${SQ}, true);
		RETURN NULL;
	END \$\$;
	EOF
	write_migration db/migrations/001_base.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE base (id int);
	-- migrate:down
	DROP TABLE base;
	EOF
	godwit --url "$PG_URL" up &&
	test "$(rows)" = "001|applied|1|1"
'

events()
{
	pg_sql "SELECT action, version, error FROM godwit_events ORDER BY id"
}

LOST='lost the connection to the server: server closed the connection unexpectedly'

test_expect_success OWN_PG 'a no-transaction migration marked applied as the session was lost: applied, the rest to apply' '
	hold_on godwit_migrations UPDATE "OLD.state = ${SQ}dirty${SQ} AND NEW.state = ${SQ}applied${SQ}" &&
	write_migration db/migrations/002_nt.sql <<-\EOF &&
	-- migrate:up
	-- godwit:no-transaction
	CREATE TABLE nt1 (id int);
	CREATE TABLE nt2 (id int);
	EOF
	run_and_cut up &&
	test "$(cat rc)" = 1 &&
	cat >expect <<-EOF &&
	godwit: applying 002 nt
	godwit: WARNING: canceling the wait for synchronous replication and terminating connection due to administrator command
	godwit: error: $LOST
	hint: the connection was lost after 002 was marked applied; on a new session the history shows it applied; run godwit up again for the rest
	EOF
	test_cmp expect out &&
	cat >expect <<-EOF &&
	001|applied|1|1
	002|applied|2|2
	EOF
	rows >actual &&
	test_cmp expect actual &&
	test "$(pg_sql "SELECT to_regclass(${SQ}nt2${SQ}) IS NOT NULL")" = t &&
	cat >expect <<-EOF &&
	apply|001|
	apply|002|
	fail|002|$LOST
	EOF
	events >actual &&
	test_cmp expect actual
'

test_expect_success OWN_PG 'the first dirty row of a no-transaction migration committed as the session was lost: resumed from its first statement' '
	hold_on godwit_migrations INSERT "NEW.state = ${SQ}dirty${SQ}" &&
	write_migration db/migrations/003_nt.sql <<-\EOF &&
	-- migrate:up
	-- godwit:no-transaction
	CREATE TABLE nt3 (id int);
	CREATE TABLE nt4 (id int);
	EOF
	run_and_cut up &&
	test "$(cat rc)" = 1 &&
	cat >expect <<-EOF &&
	godwit: applying 003 nt
	godwit: WARNING: canceling the wait for synchronous replication and terminating connection due to administrator command
	godwit: error: db/migrations/003_nt.sql: $LOST
	hint: the connection was lost as 003 started; on a new session the history shows it dirty before its first statement; run ${SQ}godwit up --resume${SQ} to run it
	EOF
	test_cmp expect out &&
	test "$(rows | tail -n 1)" = "003|dirty|0|2" &&
	test "$(pg_sql "SELECT to_regclass(${SQ}nt3${SQ}) IS NULL")" = t &&
	test "$(events | tail -n 1)" = "fail|003|$LOST" &&
	pg_sql "DROP TRIGGER hold ON godwit_migrations" &&
	godwit --url "$PG_URL" up --resume &&
	test "$(rows | tail -n 1)" = "003|applied|2|2" &&
	test "$(pg_sql "SELECT to_regclass(${SQ}nt4${SQ}) IS NOT NULL")" = t
'

test_expect_success OWN_PG 'a migration in a transaction that committed as the session was lost: applied, said so' '
	hold_on godwit_migrations INSERT "NEW.state = ${SQ}applied${SQ}" &&
	write_migration db/migrations/004_tx.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE tx4 (id int);
	-- migrate:down
	DROP TABLE tx4;
	EOF
	run_and_cut up &&
	test "$(cat rc)" = 1 &&
	cat >expect <<-EOF &&
	godwit: applying 004 tx
	godwit: WARNING: canceling the wait for synchronous replication and terminating connection due to administrator command
	godwit: error: db/migrations/004_tx.sql: $LOST
	hint: the connection was lost while 004 was being applied; on a new session the history shows that it committed and is applied: its transaction finished before the connection broke; run godwit up again
	EOF
	test_cmp expect out &&
	test "$(rows | tail -n 1)" = "004|applied|1|1" &&
	test "$(pg_sql "SELECT to_regclass(${SQ}tx4${SQ}) IS NOT NULL")" = t &&
	test "$(events | tail -n 2)" = "apply|004|
fail|004|$LOST"
'

test_expect_success OWN_PG 'a down in a transaction that committed as the session was lost: reverted, and no second down asked for' '
	hold_on godwit_migrations DELETE "true" &&
	run_and_cut down &&
	test "$(cat rc)" = 1 &&
	cat >expect <<-EOF &&
	godwit: reverting 004 tx
	godwit: WARNING: canceling the wait for synchronous replication and terminating connection due to administrator command
	godwit: error: db/migrations/004_tx.sql: $LOST
	hint: the connection was lost while 004 was being reverted; on a new session the history shows that it committed and is reverted: its transaction finished before the connection broke; nothing of it is left to revert
	EOF
	test_cmp expect out &&
	test "$(rows | tail -n 1)" = "003|applied|2|2" &&
	test "$(pg_sql "SELECT to_regclass(${SQ}tx4${SQ}) IS NULL")" = t &&
	test "$(events | tail -n 2)" = "revert|004|
fail|004|$LOST"
'

test_done
