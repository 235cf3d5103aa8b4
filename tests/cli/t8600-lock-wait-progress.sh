#!/bin/sh
test_description='progress: a run waiting for another runner'\''s migration lock shows the wait and who holds the lock (advisory lock and lease)'
. "$(dirname "$0")/lib.sh"

ESC=$(printf '\033')

# on_terminal_bg FILE COMMAND...: runs COMMAND in the background under a
# pseudo-terminal (script, from util-linux), its output in FILE and its
# exit code in FILE.rc.
on_terminal_bg()
{
	_gw_out=$1
	shift
	(
		NO_COLOR=1 TERM=xterm COLUMNS=250 script -qfec "$*" "$_gw_out" >/dev/null </dev/null
		echo $? >"$_gw_out.rc"
	) &
}

# run_bg NAME ARGS...: godwit ARGS in the background, its stdout, stderr
# and exit code in NAME.out, NAME.err and NAME.rc, its pid in NAME.pid.
run_bg()
{
	_gw_name=$1
	shift
	rm -f "$_gw_name.pid" "$_gw_name.rc"
	(
		sh -c 'echo $$ >"$0.pid" && exec "$GODWIT" "$@"' "$_gw_name" "$@" \
			>"$_gw_name.out" 2>"$_gw_name.err"
		echo $? >"$_gw_name.rc"
	) &
	until test -s "$_gw_name.pid"; do sleep 0.01; done
}

# wait_for_sql SQL VALUE: polls until SQL answers VALUE (at most 30 s).
wait_for_sql()
{
	_gw_i=0
	until test "$(pg_sql "$1")" = "$2"
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 300 || { touch release; return 1; }
		sleep 0.1
	done
}

# wait_for_line FILE REGEX: polls until FILE, its redraws as lines, has a
# line matching REGEX (at most 30 s).
wait_for_line()
{
	_gw_i=0
	until tr "\r" "\n" <"$1" | sed "s/${ESC}\\[K//g" | grep -q "$2"
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 300 || { touch release; return 1; }
		sleep 0.1
	done
}

# The first runner's server process: the godwit session that waits for the
# blocker's table lock.
first_runner_pid()
{
	pg_sql "SELECT pid FROM pg_stat_activity WHERE application_name = 'godwit' AND wait_event_type = 'Lock' AND datname = current_database()"
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
	godwit --url "$PG_URL" up >out 2>err &&
	write_migration db/migrations/20240102000000_add_x.sql <<-\EOF
	-- migrate:up
	ALTER TABLE users ADD COLUMN x int;
	-- migrate:down
	ALTER TABLE users DROP COLUMN x;
	EOF
'

test_expect_success PG 'advisory lock: the second runner'\''s progress line names the holder (pid, application, user, host, since, state)' '
	pg_hold_lock users &&
	run_bg first --url "$PG_URL" --lock-timeout 60s up &&
	wait_for_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\''godwit'\'' AND wait_event_type = '\''Lock'\'' AND datname = current_database()" 1 &&
	holder=$(first_runner_pid) &&
	on_terminal_bg second.tty "$GODWIT --url \"$PG_URL\" --lock-wait 60 up" &&
	wait_for_line second.tty "^waiting [0-9.]*s for the migration lock" &&
	sleep 1 &&
	touch release &&
	wait &&
	test "$(cat first.rc)" = 0 &&
	test "$(cat second.tty.rc)" = 0 &&
	tr "\r" "\n" <second.tty | sed "s/${ESC}\\[K//g" >lines &&
	test_grep "^godwit: another godwit run holds the migration lock; waiting up to 60 s" lines &&
	grep "^waiting [0-9]*\.[0-9]s for the migration lock, held by pid $holder (application \"godwit\", user \"[a-z_]*\", host \"local socket\", connected since [0-9-]* [0-9:]*[-+0-9]*, state \"active\")$" lines >waits &&
	test "$(wc -l <waits)" -ge 3 &&
	test_grep "waiting [1-9]\.[0-9]s for the migration lock" waits &&
	test "$(tr "\r" "\n" <second.tty | grep -c "^waiting .*${ESC}\[K$")" -ge 3 &&
	test_grep "^applied  20240102000000 add_x" first.out &&
	test_grep "^nothing to apply; the database is up to date" lines
'

test_expect_success PG 'the line is erased once the lock is taken; nothing is drawn off a terminal or with --no-progress' '
	test "$(tr "\r" "\n" <second.tty | grep -A1 "for the migration lock" | tail -n 1)" = "${ESC}[Knothing to apply; the database is up to date" &&
	godwit --url "$PG_URL" down >/dev/null 2>&1 &&
	pg_hold_lock users &&
	run_bg first --url "$PG_URL" --lock-timeout 60s up &&
	wait_for_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\''godwit'\'' AND wait_event_type = '\''Lock'\'' AND datname = current_database()" 1 &&
	run_bg second --url "$PG_URL" --lock-wait 60 up &&
	on_terminal_bg third.tty "$GODWIT --url \"$PG_URL\" --no-progress --lock-wait 60 up" &&
	wait_for_line third.tty "another godwit run holds the migration lock" &&
	wait_for_sql "SELECT count(*) FROM pg_locks WHERE locktype = '\''advisory'\'' AND granted" 1 &&
	sleep 0.5 &&
	touch release &&
	wait &&
	test "$(cat first.rc)$(cat second.rc)$(cat third.tty.rc)" = 000 &&
	test_grep "^godwit: another godwit run holds the migration lock; waiting up to 60 s$" second.err &&
	! grep "for the migration lock, held by" second.err &&
	! grep -q "$ESC" second.err &&
	! grep "for the migration lock, held by" third.tty &&
	! grep -q "$ESC" third.tty
'

test_expect_success PG 'lease (lock = table): the progress line names the lease owner host:pid and since when' '
	godwit --url "$PG_URL" down >/dev/null 2>&1 &&
	pg_hold_lock users &&
	run_bg first --url "$PG_URL" --lock table --lock-timeout 60s up &&
	first=$(cat first.pid) &&
	wait_for_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\''godwit'\'' AND wait_event_type = '\''Lock'\'' AND datname = current_database()" 1 &&
	on_terminal_bg second.tty "$GODWIT --url \"$PG_URL\" --lock table --lock-wait 60 up" &&
	wait_for_line second.tty "^waiting [0-9.]*s for the migration lock" &&
	sleep 0.5 &&
	touch release &&
	wait &&
	test "$(cat first.rc)$(cat second.tty.rc)" = 00 &&
	tr "\r" "\n" <second.tty | sed "s/${ESC}\\[K//g" >lines &&
	test_grep "^godwit: another godwit run holds the migration lease; waiting up to 60 s" lines &&
	test_grep "^waiting [0-9]*\.[0-9]s for the migration lock, held by owner $(hostname | cut -c1-63):$first:[0-9]*, since [0-9-]* [0-9:.]*[-+0-9]*, last heartbeat .*, expires .*$" lines
'

test_done
