#!/bin/bash
test_description='fault injection: kill -9, server crashes and 16 concurrent runners never half-apply or lose a migration'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/own-cluster.sh"

# Each round starts 16 runners on a fresh database of a cluster of the
# script's own. Each runner is a bounded loop of `godwit up`, as a deploy
# retries: after an exit that says a migration is dirty it runs
# `up --resume`, as an operator would. Meanwhile godwit processes are
# killed with SIGKILL and the server is stopped (-m immediate, a crash) and
# started again, at random moments. Then the script checks:
#
#   - no transactional migration is half-applied: at the height of the
#     chaos, what the migrations did matches exactly the history rows;
#   - no crash: every exit is 0, 1, or the 137 of a kill we sent;
#   - no runner fails for another runner's work: every failed attempt is
#     one a fault explains (a lost or refused connection, a migration left
#     dirty by a killed run), and every runner finishes with exit 0;
#   - every interrupted no-transaction migration is resumed correctly: in
#     the end all are applied once, their indexes valid.
#
# GW_FAULT_ROUNDS (default 2) sets the number of rounds; bench/faults.sh
# runs many. GW_FAULT_RUNNERS (16) and GW_FAULT_KILLS (3 per round) too.
# GW_FAULT_SEED makes a run repeatable.

rounds=${GW_FAULT_ROUNDS:-2}
runners=${GW_FAULT_RUNNERS:-16}
kills=${GW_FAULT_KILLS:-3}
attempts=12
RANDOM=${GW_FAULT_SEED:-$$}

# The tally, summed over the rounds (files, as runners are subshells).
count()
{
	echo 1 >>"$TRASH_DIRECTORY/tally.$1"
}

tally()
{
	if test -f "$TRASH_DIRECTORY/tally.$1"; then
		wc -l <"$TRASH_DIRECTORY/tally.$1" | tr -d ' '
	else
		echo 0
	fi
}

# A failed attempt that a fault explains: the server went away or was not
# back yet, or a run killed earlier left a migration dirty (interrupted, or
# failed on the lost connection) for this one to resume.
explained='^godwit: error: .*(lost the connection to the server|cannot connect to|not connected to the database|is dirty: statement [0-9]+ of [0-9]+ (was interrupted|failed: lost the connection to the server|failed: not connected))'

# runner N: the bounded loop of one deploy.
runner()
{
	n=$1
	resume=
	i=0
	while test $i -lt $attempts
	do
		i=$((i + 1))
		out=r$n.$i.out
		"$GODWIT" --url "$PG_URL" --lock-wait 120 --connect-retries 5 up $resume >$out 2>&1 &
		echo $! >r$n.pid
		wait $!
		rc=$?
		rm -f r$n.pid
		echo $rc >r$n.$i.rc
		case $rc in
		0)
			echo 0 >r$n.rc
			return 0
			;;
		1)
			if ! grep -Eq "$explained" $out; then
				count foreign
				echo "runner $n attempt $i failed for no fault:" >&2
				cat $out >&2
			fi
			;;
		137)
			count killed
			;;
		*)
			count crash
			echo "runner $n attempt $i: exit $rc" >&2
			cat $out >&2
			;;
		esac
		if grep -q "is dirty" $out; then
			resume=--resume
			count resume_attempt
		else
			resume=
		fi
		sleep 0.$((RANDOM % 4))
	done
	echo 1 >r$n.rc
	count unfinished
	return 1
}

start_runner()
{
	runner "$1" &
}

# Kills the godwit process of a random runner, if one is running. The pid
# is checked to still be our godwit before the signal goes.
kill_one()
{
	n=$((RANDOM % runners + 1))
	pid=$(cat r$n.pid 2>/dev/null) || return 0
	test -n "$pid" || return 0
	test "$(readlink /proc/$pid/exe 2>/dev/null)" = "$(readlink -f "$GODWIT")" || return 0
	kill -9 "$pid" 2>/dev/null && count kill
	return 0
}

# The faults of one round, in a random order: some kills and one crash of
# the server while the runners work.
inject()
{
	stop_at=$((RANDOM % (kills + 1)))
	k=0
	while test $k -le $kills
	do
		sleep 0.$((RANDOM % 6 + 1))
		if test $k = $stop_at; then
			own_pg_halt || return 1
			count server_stop
			sleep 0.$((RANDOM % 8 + 1))
			own_pg_resume || return 1
		else
			kill_one &&
			check_not_half_applied || return 1
		fi
		k=$((k + 1))
	done
}

write_migrations()
{
	write_migration db/migrations/001_base.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE c (n int NOT NULL);
	INSERT INTO c VALUES (1);
	CREATE TABLE a (id int PRIMARY KEY);
	INSERT INTO a SELECT generate_series(1, 100);
	SELECT pg_sleep(0.2);
	EOF
	write_migration db/migrations/002_index.sql <<-\EOF &&
	-- migrate:up
	-- godwit:no-transaction
	CREATE TABLE IF NOT EXISTS nt (id int PRIMARY KEY);
	SELECT pg_sleep(0.4);
	CREATE INDEX CONCURRENTLY IF NOT EXISTS a_id_desc ON a (id DESC);
	INSERT INTO nt VALUES (1) ON CONFLICT DO NOTHING;
	EOF
	write_migration db/migrations/003_more.sql <<-\EOF &&
	-- migrate:up
	INSERT INTO a SELECT generate_series(101, 200);
	UPDATE c SET n = n + 1;
	SELECT pg_sleep(0.3);
	EOF
	write_migration db/migrations/004_index.sql <<-\EOF &&
	-- migrate:up
	SELECT pg_sleep(0.3);
	CREATE INDEX CONCURRENTLY IF NOT EXISTS nt_id_desc ON nt (id DESC);
	INSERT INTO nt VALUES (2) ON CONFLICT DO NOTHING;
	EOF
	write_migration db/migrations/005_column.sql <<-\EOF
	-- migrate:up
	ALTER TABLE a ADD COLUMN b int;
	UPDATE a SET b = id;
	UPDATE c SET n = n + 1;
	SELECT pg_sleep(0.2);
	EOF
}

# The transactional migrations each add one to c.n in the transaction
# that records them, and 003 adds rows 101 to 200 to a: read in one
# snapshot while the runners work, the data must match the history rows
# exactly, or a migration was half-applied (or applied twice).
check_not_half_applied()
{
	ok=$(pg_sql <<-\EOF
	CREATE FUNCTION pg_temp.q(sql text) RETURNS bigint LANGUAGE plpgsql AS $$
	DECLARE r bigint;
	BEGIN
		EXECUTE sql INTO r;
		RETURN coalesce(r, 0);
	EXCEPTION WHEN undefined_table THEN
		RETURN 0;
	END $$;
	BEGIN ISOLATION LEVEL REPEATABLE READ;
	SELECT pg_temp.q('SELECT n FROM c') = pg_temp.q('SELECT count(*) FROM godwit_migrations WHERE version IN (''001'', ''003'', ''005'') AND state = ''applied''')
		AND pg_temp.q('SELECT count(*) FROM a WHERE id > 100') = 100 * pg_temp.q('SELECT count(*) FROM godwit_migrations WHERE version = ''003'' AND state = ''applied''');
	COMMIT;
	EOF
	) || return 1
	if test "$ok" != t; then
		count half_applied
		echo "half-applied: the data and the history disagree" >&2
		return 1
	fi
	count consistency_check
}

# Everything is applied once, every index valid, no dirty row left.
check_converged()
{
	test "$(pg_sql "SELECT string_agg(version || ':' || state, ' ' ORDER BY version) FROM godwit_migrations")" = \
		"001:applied 002:applied 003:applied 004:applied 005:applied" &&
	test "$(pg_sql "SELECT n FROM c")" = 3 &&
	test "$(pg_sql "SELECT count(*), count(b) FROM a")" = "200|200" &&
	test "$(pg_sql "SELECT string_agg(id::text, ',' ORDER BY id) FROM nt")" = "1,2" &&
	test "$(pg_sql "SELECT count(*) FROM pg_index WHERE NOT indisvalid")" = 0 &&
	test "$(pg_sql "SELECT string_agg(indexrelid::regclass::text, ',' ORDER BY 1) FROM pg_index WHERE indexrelid::regclass::text LIKE '%_desc'")" = "a_id_desc,nt_id_desc" &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = 'apply'")" = 5
}

test_expect_success OWN_PG 'setup' '
	own_pg_start &&
	write_migrations
'

round=1
while test $round -le $rounds
do
	test_expect_success OWN_PG "round $round: $runners runners, $kills kills and a server crash" '
		own_pg_new_db &&
		rm -f r*.out r*.rc r*.pid &&
		n=1 &&
		while test $n -le $runners
		do
			start_runner $n &&
			n=$((n + 1)) || return 1
		done &&
		inject &&
		check_not_half_applied &&
		wait &&
		if grep -l "is dirty" r*.out >/dev/null 2>&1
		then
			count interrupted_round
		fi &&
		n=1 &&
		while test $n -le $runners
		do
			test "$(cat r$n.rc)" = 0 || return 1
			n=$((n + 1))
		done &&
		check_converged
	'
	round=$((round + 1))
done

test_expect_success OWN_PG 'the tally: no half-applied migration, no crash, no runner failing for another' '
	echo "faults: rounds=$rounds runners=$runners kills=$(tally kill) server_stops=$(tally server_stop)" \
		"killed_attempts=$(tally killed) resumes=$(tally resume_attempt)" \
		"rounds_with_interrupted_migrations=$(tally interrupted_round)" \
		"half_applied=$(tally half_applied) crashes=$(tally crash)" \
		"foreign_failures=$(tally foreign) unfinished=$(tally unfinished)" \
		"consistency_checks=$(tally consistency_check)" >&5 &&
	test "$(tally half_applied)" = 0 &&
	test "$(tally crash)" = 0 &&
	test "$(tally foreign)" = 0 &&
	test "$(tally unfinished)" = 0 &&
	test "$(tally server_stop)" = "$rounds"
'

test_done
