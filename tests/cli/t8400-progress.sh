#!/bin/sh
test_description='progress: a line before each migration, the progress line on a terminal (statement, elapsed time, who blocks it), --no-progress, --verbose statements and notices with their line'
. "$(dirname "$0")/lib.sh"

ESC=$(printf '\033')
CR=$(printf '\r')

# on_terminal FILE COMMAND...: runs COMMAND under a pseudo-terminal
# (script, from util-linux), its output (stdout and stderr) in FILE;
# returns its exit code. COLUMNS gives the line room for the blocker's
# query, as a wide terminal would.
on_terminal()
{
	_gw_out=$1
	shift
	NO_COLOR=1 TERM=xterm COLUMNS=250 script -qfec "$*" "$_gw_out" >/dev/null </dev/null
}

# on_terminal_bg FILE COMMAND...: on_terminal in the background; its exit
# code goes to FILE.rc.
on_terminal_bg()
{
	_gw_bg=$1
	(
		on_terminal "$@"
		echo $? >"$_gw_bg.rc"
	) &
}

# no_escapes FILE...: none of the files holds an escape or a carriage return.
no_escapes()
{
	for _gw_f in "$@"; do
		if grep -q "$ESC" "$_gw_f" || grep -q "$CR" "$_gw_f"; then
			echo "escape codes in $_gw_f:" && cat -A "$_gw_f" && return 1
		fi
	done
}

# release_after SECONDS: once godwit's session waits for the lock, lets it
# wait SECONDS more, then ends the blocker's transaction.
release_after()
{
	_gw_i=0
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'godwit' AND wait_event_type = 'Lock' AND datname = current_database()")" = 1
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 300 || { touch release; return 1; }
		sleep 0.1
	done
	sleep "$1"
	touch release
}

now_ms()
{
	echo $(($(date +%s%N) / 1000000))
}

test_expect_success PG 'setup' '
	backend=pg &&
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
	gw up >out 2>err
'

test_expect_success PG 'a line says each migration started, before it ran; no escape codes off a terminal' '
	write_migration db/migrations/20240102000000_slow.sql <<-\EOF &&
	-- migrate:up
	SELECT pg_sleep(0.2);
	-- migrate:down
	SELECT 1;
	EOF
	gw up >out 2>err &&
	echo "godwit: applying 20240102000000 slow" >expect &&
	test_cmp expect err &&
	test_grep "^applied  20240102000000 slow" out &&
	no_escapes out err &&
	gw down >out 2>err &&
	echo "godwit: reverting 20240102000000 slow" >expect &&
	test_cmp expect err &&
	no_escapes out err
'

test_expect_success PG 'on a terminal, a migration waiting for a lock names the blocker: pid, application, query' '
	write_migration db/migrations/20240103000000_add_x.sql <<-\EOF &&
	-- migrate:up
	ALTER TABLE users ADD COLUMN x int;
	-- migrate:down
	ALTER TABLE users DROP COLUMN x;
	EOF
	pg_hold_lock users &&
	start=$(now_ms) &&
	on_terminal_bg tty.out "$GODWIT --url \"$PG_URL\" --lock-timeout 60s up" &&
	release_after 2.5 &&
	wait &&
	end=$(now_ms) &&
	test "$(cat tty.out.rc)" = 0 &&
	pid=$(cat blocker.pid) &&
	tr "\r" "\n" <tty.out | sed "s/${ESC}\\[K//g" >lines &&
	test_grep "^applying 20240102000000 slow: 1 statement in a transaction, [0-9.]*s" lines &&
	grep "^applying 20240103000000 add_x: 1 statement in a transaction, [0-9.]*s; waiting [0-9.]*s for a lock held by pid $pid (gw-blocker): LOCK TABLE users IN ACCESS EXCLUSIVE MODE;$" lines >waits &&
	test_grep "^godwit: applying 20240103000000 add_x$" lines &&
	test_grep "^applied  20240103000000 add_x" lines &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = '\''users'\'' AND column_name = '\''x'\''")" = 1 &&
	redraws=$(grep -c "^applying " lines) &&
	waits=$(wc -l <waits) &&
	elapsed=$((end - start)) &&
	echo "redraws: $redraws ($waits while waiting) in $elapsed ms" &&
	test "$redraws" -le $((elapsed / 100 + 1)) &&
	test "$waits" -ge 5 &&
	test_grep "waiting [2-9]\.[0-9]s for a lock" waits &&
	test "$(tr "\r" "\n" <tty.out | grep -c "^applying 20240103000000 add_x: .*${ESC}\[K$")" -ge "$waits"
'

test_expect_success PG 'a statement-by-statement migration shows its statement k of n' '
	write_migration db/migrations/20240104000000_each.sql <<-\EOF &&
	-- migrate:up transaction:false
	CREATE TABLE each_a (id int);
	ALTER TABLE users ADD COLUMN y int;
	CREATE TABLE each_b (id int);
	-- migrate:down transaction:false
	DROP TABLE each_b;
	ALTER TABLE users DROP COLUMN y;
	DROP TABLE each_a;
	EOF
	pg_hold_lock users &&
	on_terminal_bg tty.out "$GODWIT --url \"$PG_URL\" --lock-timeout 60s up" &&
	release_after 1 &&
	wait &&
	test "$(cat tty.out.rc)" = 0 &&
	pid=$(cat blocker.pid) &&
	tr "\r" "\n" <tty.out | sed "s/${ESC}\\[K//g" >lines &&
	test_grep "^applying 20240104000000 each: statement 2 of 3, [0-9.]*s; waiting [0-9.]*s for a lock held by pid $pid (gw-blocker): LOCK TABLE users" lines &&
	! grep "statement [13] of 3.*waiting" lines &&
	test_grep "^applied  20240104000000 each" lines
'

test_expect_success PG '--no-progress: the start and result lines, no progress line, on a terminal too' '
	gw down >/dev/null 2>&1 &&
	on_terminal tty.out "$GODWIT --url \"$PG_URL\" --no-progress up" &&
	tr -d "\r" <tty.out | sed "s/${ESC}\\[K//g" >lines &&
	test_grep "^godwit: applying 20240104000000 each$" lines &&
	test_grep "^applied  20240104000000 each" lines &&
	! grep -q "$ESC" tty.out
'

test_expect_success PG 'TERM=dumb and --format json draw no progress line either' '
	gw down >/dev/null 2>&1 &&
	TERM=dumb script -qfec "$GODWIT --url \"$PG_URL\" up" tty.out >/dev/null </dev/null &&
	! grep -q "$ESC" tty.out &&
	gw down >/dev/null 2>&1 &&
	on_terminal tty.out "$GODWIT --url \"$PG_URL\" --format json up" &&
	! grep -q "$ESC" tty.out &&
	test_grep "\"version\": \"20240104000000\"" tty.out
'

test_expect_success PG '--verbose: each statement as it is sent, then the notices with their lines (transaction)' '
	write_migration db/migrations/20240105000000_notices.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE noticed (id int);
	DO $$ BEGIN RAISE NOTICE '\''first'\''; END $$;
	SELECT 1;
	DO $$ BEGIN
	  RAISE WARNING '\''second'\'';
	END $$;
	-- migrate:down
	DROP TABLE noticed;
	EOF
	gw --verbose up --to 20240105000000 >out 2>err &&
	F=db/migrations/20240105000000_notices.sql &&
	cat >expect <<-EOF &&
	godwit: applying 20240105000000 notices
	godwit: $F:2: CREATE TABLE noticed (id int)
	godwit: $F:3: DO \$\$ BEGIN RAISE NOTICE '"'"'first'"'"'; END \$\$
	godwit: $F:4: SELECT 1
	godwit: $F:5: DO \$\$ BEGIN
	  RAISE WARNING '"'"'second'"'"';
	END \$\$
	godwit: $F:3: NOTICE: first
	godwit: $F:5: WARNING: second
	EOF
	test_cmp expect err
'

test_expect_success PG 'without --verbose, the notices as before, without statements' '
	gw down >/dev/null 2>&1 &&
	gw up --to 20240105000000 >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: applying 20240105000000 notices
	godwit: NOTICE: first
	godwit: WARNING: second
	EOF
	test_cmp expect err
'

test_expect_success PG '--verbose: statement by statement, each notice follows its statement' '
	write_migration db/migrations/20240106000000_each_notices.sql <<-\EOF &&
	-- migrate:up transaction:false
	DO $$ BEGIN RAISE NOTICE '\''one'\''; END $$;

	DO $$ BEGIN RAISE NOTICE '\''two'\''; END $$;
	EOF
	gw --verbose up >out 2>err &&
	F=db/migrations/20240106000000_each_notices.sql &&
	cat >expect <<-EOF &&
	godwit: applying 20240106000000 each_notices
	godwit: $F:2: DO \$\$ BEGIN RAISE NOTICE '"'"'one'"'"'; END \$\$
	godwit: $F:2: NOTICE: one
	godwit: $F:4: DO \$\$ BEGIN RAISE NOTICE '"'"'two'"'"'; END \$\$
	godwit: $F:4: NOTICE: two
	EOF
	test_cmp expect err
'

test_expect_success SQLITE3 'SQLite: the start line, --verbose statements with their lines, down too' '
	mkdir sq && cd sq &&
	write_migration db/migrations/20240101000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);

	INSERT INTO a
	  VALUES (1);
	-- migrate:down
	DROP TABLE a;
	EOF
	godwit --verbose up >out 2>err &&
	F=db/migrations/20240101000000_a.sql &&
	cat >expect <<-EOF &&
	godwit: applying 20240101000000 a
	godwit: $F:2: CREATE TABLE a (id int)
	godwit: $F:4: INSERT INTO a
	  VALUES (1)
	EOF
	test_cmp expect err &&
	no_escapes out err &&
	godwit down --verbose >out 2>err &&
	cat >expect <<-EOF &&
	godwit: reverting 20240101000000 a
	godwit: $F:7: DROP TABLE a
	EOF
	test_cmp expect err
'

test_expect_success SQLITE3 'SQLite on a terminal: the progress line, erased before the result line' '
	cd sq &&
	write_migration db/migrations/20240102000000_count.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE n AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) SELECT count(*) AS n FROM c;
	EOF
	on_terminal tty.out "$GODWIT up" &&
	tr "\r" "\n" <tty.out >lines &&
	test_grep "^godwit: applying 20240102000000 count$" lines &&
	test_grep "^applying 20240102000000 count: 1 statement in a transaction, [0-9]*\.[0-9]s${ESC}\[K$" lines &&
	test_grep "^${ESC}\[Kapplied  20240102000000 count" lines
'

test_expect_success SQLITE3 'log_dir on a terminal: the progress line on the terminal only, never in the log, lines intact' '
	mkdir -p logged/db/migrations && cd logged &&
	write_migration db/migrations/20240101000000_count.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE n AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000) SELECT count(*) AS n FROM c;
	EOF
	write_migration db/migrations/20240102000000_b.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE b (id int);
	EOF
	on_terminal tty.out "GODWIT_LOG_DIR=logs $GODWIT up" &&
	tr "\r" "\n" <tty.out >lines &&
	test_grep "^applying 20240101000000 count: 1 statement in a transaction, [0-9]*\.[0-9]s${ESC}\[K$" lines &&
	sed "s/${ESC}\\[K//g" lines | grep -v "^applying \|^$\|^Script \(started\|done\) on " >shown &&
	cat >expect <<-\EOF &&
	godwit: applying 20240101000000 count
	applied  20240101000000 count
	godwit: applying 20240102000000 b
	applied  20240102000000 b
	applied 2 migrations
	EOF
	sed "s/ *([0-9.]* *m\{0,1\}s)$//; s/ *$//" shown >shown.cut &&
	test_cmp expect shown.cut &&
	test "$(ls logs | wc -l)" = 1 &&
	log=logs/$(ls logs) &&
	no_escapes "$log" &&
	! grep "statement in a transaction" "$log" &&
	test_grep "^godwit: applying 20240101000000 count$" "$log" &&
	test_grep "^applied  20240101000000 count" "$log" &&
	test_grep "^applied  20240102000000 b" "$log" &&
	test_grep "^CREATE TABLE b (id int);$" "$log"
'

test_expect_success SQLITE3 'many quick migrations: still at most 10 redraws a second' '
	mkdir -p quick/db/migrations && cd quick &&
	for i in $(seq 10 49); do
		printf "%s\n" "-- migrate:up" "CREATE TABLE t$i (id int);" >"db/migrations/202401010000${i}_t$i.sql" ||
		return 1
	done &&
	start=$(now_ms) &&
	on_terminal tty.out "$GODWIT up" &&
	end=$(now_ms) &&
	tr "\r" "\n" <tty.out | sed "s/${ESC}\\[K//g" >lines &&
	test "$(grep -c "^applied  " lines)" = 40 &&
	redraws=$(grep -c "^applying " lines) &&
	elapsed=$((end - start)) &&
	echo "redraws: $redraws in $elapsed ms" &&
	test "$redraws" -le $((elapsed / 100 + 1))
'

test_done
