#!/bin/sh
test_description='Ctrl-C and SIGTERM cancel the running statement, roll back, record it and exit 130'
. "$(dirname "$0")/lib.sh"

# Starts godwit in the background; its pid lands in pid, its exit code in
# rc, its output in out.
start_godwit()
{
	rm -f pid rc &&
	(
		"$GODWIT" "$@" >out 2>&1 &
		echo $! >pid
		wait $!
		echo $? >rc
	) &
	until test -s pid
	do
		sleep 0.05
	done
}

# Waits until godwit waits for a lock that another session holds.
wait_for_lock_wait()
{
	i=0
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'godwit' AND wait_event_type = 'Lock'")" = 1
	do
		i=$((i + 1))
		test $i -lt 100 || return 1
		sleep 0.1
	done
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_slow.sql <<-\EOF
	-- migrate:up
	CREATE TABLE before_sleep (id int);
	SELECT pg_sleep(30);
	CREATE TABLE after_sleep (id int);
	EOF
'

test_expect_success PG 'Ctrl-C in a transactional migration cancels it: exit 130, nothing committed' '
	start_godwit --url "$PG_URL" up &&
	pg_wait_for_query "pg_sleep(30)" &&
	kill -INT "$(cat pid)" &&
	wait &&
	test "$(cat rc)" = 130 &&
	cat >expect <<-\EOF &&
	godwit: applying 20240101000000 slow

	godwit: interrupted; cancelling the running statement (press Ctrl-C again to quit at once)
	godwit: error: db/migrations/20240101000000_slow.sql: interrupted: 20240101000000 slow was cancelled and rolled back; nothing of it was applied
	hint: run godwit up again to apply it
	EOF
	grep -v "^applying" out >actual &&
	test_cmp expect actual &&
	test "$(pg_running_queries "pg_sleep(30)")" = 0 &&
	test "$(pg_sql "SELECT to_regclass('\''before_sleep'\'') IS NULL")" = t &&
	test "$(pg_count godwit_migrations)" = 0 &&
	test "$(pg_sql "SELECT action || '\'' '\'' || version || '\'' '\'' || error FROM godwit_events")" = "cancel 20240101000000 interrupted: 20240101000000 slow was cancelled and rolled back; nothing of it was applied"
'

test_expect_success PG 'the next run applies the migration in full' '
	sed -i "s/pg_sleep(30)/pg_sleep(0)/" db/migrations/20240101000000_slow.sql &&
	godwit --url "$PG_URL" up &&
	test "$(pg_sql "SELECT to_regclass('\''after_sleep'\'') IS NOT NULL")" = t
'

test_expect_success PG 'SIGTERM in a no-transaction migration: exit 143, dirty with its progress, resumable' '
	write_migration db/migrations/20240102000000_nt.sql <<-\EOF &&
	-- migrate:up
	-- godwit:no-transaction
	CREATE TABLE nt1 (id int);
	SELECT pg_sleep(31);
	CREATE TABLE nt2 (id int);
	EOF
	start_godwit --url "$PG_URL" up &&
	pg_wait_for_query "pg_sleep(31)" &&
	kill -TERM "$(cat pid)" &&
	wait &&
	test "$(cat rc)" = 143 &&
	test_grep "^godwit: error: db/migrations/20240102000000_nt.sql: interrupted: 20240102000000 nt was cancelled at statement 2 of 3; the ones before it stay done and it is now dirty$" out &&
	test_grep "^hint: run .godwit up --resume. to continue from it" out &&
	test "$(pg_sql "SELECT state, statements_done FROM godwit_migrations WHERE version = '\''20240102000000'\''")" = "dirty|1" &&
	test "$(pg_sql "SELECT action FROM godwit_events WHERE version = '\''20240102000000'\''")" = cancel &&
	test "$(pg_running_queries "pg_sleep(31)")" = 0 &&
	sed -i "s/pg_sleep(31)/pg_sleep(0)/" db/migrations/20240102000000_nt.sql &&
	godwit --url "$PG_URL" up --resume &&
	test "$(pg_sql "SELECT state FROM godwit_migrations WHERE version = '\''20240102000000'\''")" = applied &&
	test "$(pg_sql "SELECT to_regclass('\''nt2'\'') IS NOT NULL")" = t
'

test_expect_success PG 'Ctrl-C while waiting for the lock stops at once, having changed nothing' '
	write_migration db/migrations/20240103000000_three.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE three (id int);
	EOF
	write_migration hold/20240109000000_hold.sql <<-\EOF &&
	-- migrate:up
	SELECT pg_sleep(20);
	EOF
	("$GODWIT" --url "$PG_URL" --dir hold up >hold.out 2>&1 &) &&
	pg_wait_for_query "pg_sleep(20)" &&
	start_godwit --url "$PG_URL" --lock-wait 30 up &&
	sleep 1 &&
	kill -INT "$(cat pid)" &&
	wait &&
	test "$(cat rc)" = 130 &&
	test_grep "^godwit: error: interrupted: stopped while waiting for the migration lock; nothing was changed$" out &&
	pg_signal_queries cancel "pg_sleep(20)" &&
	test "$(pg_sql "SELECT to_regclass('\''three'\'') IS NULL")" = t
'

# The history's read, cancelled while it waits for a lock, is not read
# again: status waited for the lock after all, printed every migration
# and exited 0.
test_expect_success PG 'Ctrl-C while status reads the history stops it: exit 130, nothing shown' '
	test_when_finished "touch release" &&
	pg_hold_lock godwit_migrations &&
	start_godwit --url "$PG_URL" status &&
	wait_for_lock_wait &&
	kill -INT "$(cat pid)" &&
	wait_for_file rc &&
	test "$(cat rc)" = 130 &&
	cat >expect <<-\EOF &&

	godwit: interrupted; cancelling the running statement (press Ctrl-C again to quit at once)
	godwit: error: interrupted: stopped while reading the history
	EOF
	test_cmp expect out &&
	touch release &&
	godwit --url "$PG_URL" status >out &&
	test_grep "^applied .*20240101000000 .*slow" out
'

# start_slow_listing ARGS: start_godwit's run under strace, which holds
# each directory read for half a second; godwit's pid in pid (the shell
# that writes it execs godwit).
start_slow_listing()
{
	rm -f rc pid
	(
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			strace -f -o /dev/null -e trace=getdents64 \
			-e inject=getdents64:delay_enter=500000 \
			sh -c 'echo $$ >pid && exec "$@"' sh "$GODWIT" "$@" >out 2>&1
		echo $? >rc
	) &
	wait_for_file pid
}

# The folder is read while the history is: a Ctrl-C then finds the
# history read and no statement to cancel, and nothing in the folder's
# walk looks for one.
test_expect_success PG,STRACE 'Ctrl-C while status reads the folder stops it: exit 130, nothing shown' '
	start_slow_listing --url "$PG_URL" status &&
	sleep 0.3 &&
	kill -INT "$(cat pid)" &&
	wait_for_file rc 20 &&
	test "$(cat rc)" = 130 &&
	cat >expect <<-\EOF &&

	godwit: interrupted; cancelling the running statement (press Ctrl-C again to quit at once)
	godwit: error: interrupted: stopped before the status was shown
	EOF
	test_cmp expect out
'

test_expect_success PG 'a second Ctrl-C exits at once' '
	# Another session holds the events table, so recording the cancel
	# waits; only a second signal ends godwit then.
	(psql -X -q -d "$PG_URL" -c "BEGIN; LOCK TABLE godwit_events; SELECT pg_sleep(21)" >/dev/null 2>&1 &) &&
	pg_wait_for_query "pg_sleep(21)" &&
	start_godwit --url "$PG_URL" up &&
	wait_for_lock_wait &&
	kill -INT "$(cat pid)" &&
	sleep 1 &&
	kill -0 "$(cat pid)" &&
	kill -INT "$(cat pid)" &&
	wait &&
	test "$(cat rc)" = 130 &&
	test "$(grep -c "^godwit: interrupted" out)" = 1 &&
	pg_signal_queries terminate "pg_sleep(21)" &&
	test "$(pg_sql "SELECT to_regclass('\''three'\'') IS NULL")" = t
'

test_expect_success SQLITE3 'SQLite: Ctrl-C interrupts the running statement too' '
	mkdir sq &&
	write_migration sq/20240101000000_long.sql <<-\EOF &&
	-- migrate:up
	-- godwit:no-transaction
	CREATE TABLE started (id int);
	INSERT INTO started WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 60000000) SELECT count(*) FROM c;
	EOF
	start_godwit --dir sq --url sqlite:sq.db up &&
	i=0 &&
	until sqlite_sql sq.db "SELECT 1 FROM started" >/dev/null 2>&1
	do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || return 1
	done &&
	sleep 0.2 &&
	kill -INT "$(cat pid)" &&
	wait &&
	test "$(cat rc)" = 130 &&
	test_grep "^godwit: error: sq/20240101000000_long.sql: interrupted: 20240101000000 long was cancelled at statement 2 of 2; the ones before it stay done and it is now dirty$" out &&
	test "$(sqlite_sql sq.db "SELECT state, statements_done FROM godwit_migrations")" = "dirty|1" &&
	test "$(sqlite_sql sq.db "SELECT count(*) FROM started")" = 0 &&
	test "$(sqlite_sql sq.db "SELECT action FROM godwit_events")" = cancel
'

test_done
