#!/bin/sh
test_description='log_dir: each run writes logs/godwit-STAMP-ENV.log with what the terminal showed (no colour) and the statements; log_keep runs are kept'
. "$(dirname "$0")/lib.sh"

# the_log: the one log file in logs/ (fails unless there is exactly one).
the_log()
{
	set -- logs/*.log
	[ $# = 1 ] && [ -f "$1" ] && printf '%s\n' "$1"
}

# terminal_part LOG: the log without its header and statements (each a
# "-- V NAME, statement K (FILE)" line and one line of SQL here).
terminal_part()
{
	awk '/^# godwit / && NR == 1 { next } / statement [0-9]+ \(/ { skip = 1; next } skip { skip = 0; next } { print }' "$1"
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	INSERT INTO users VALUES (1);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_idx.sql <<-\EOF
	-- migrate:up
	CREATE INDEX CONCURRENTLY users_id ON users (id);
	-- migrate:down
	DROP INDEX CONCURRENTLY users_id;
	EOF
'

test_expect_success PG 'up writes the log: a header, what the terminal showed, the statements in their place' '
	godwit --url "$PG_URL" --log-dir logs up >out 2>&1 &&
	log=$(the_log) &&
	echo "$log" | grep -Eq "^logs/godwit-[0-9]{8}T[0-9]{6}Z-development\.log\$" &&
	test "$(stat -c %a "$log")" = 600 &&
	terminal_part "$log" >actual &&
	test_cmp out actual &&
	cat >expect <<-EOF &&
	# godwit up, environment development, godwit $("$GODWIT" version | sed -n "s/^godwit \([^ ]*\).*/\1/p")
	godwit: applying 20240101000000 users
	-- 20240101000000 users, statement 1 (db/migrations/20240101000000_users.sql)
	CREATE TABLE users (id int);
	-- 20240101000000 users, statement 2 (db/migrations/20240101000000_users.sql)
	INSERT INTO users VALUES (1);
	applied  20240101000000 users
	godwit: db/migrations/20240102000000_idx.sql:2: CREATE INDEX cannot run inside a transaction; running this migration without one, statement by statement
	godwit: applying 20240102000000 idx
	-- 20240102000000 idx, statement 1 (db/migrations/20240102000000_idx.sql)
	CREATE INDEX CONCURRENTLY users_id ON users (id);
	applied  20240102000000 idx
	applied 2 migrations
	EOF
	sed "s/ ([0-9]* ms)\$//" "$log" >actual &&
	test_cmp expect actual
'

test_expect_success PG 'commands that change nothing write no log' '
	godwit --url "$PG_URL" --log-dir logs status >/dev/null &&
	godwit --url "$PG_URL" --log-dir logs history >/dev/null &&
	test "$(ls logs | wc -l)" = 1
'

test_expect_success PG 'a failed run: the error is in the log, and the exit status is kept' '
	rm -r logs &&
	write_migration db/migrations/20240103000000_bad.sql <<-\EOF &&
	-- migrate:up
	INSERT INTO nosuch VALUES (1);
	EOF
	test_expect_code 1 env GODWIT_LOG_DIR=logs "$GODWIT" --url "$PG_URL" up >out 2>&1 &&
	log=$(the_log) &&
	grep "relation \"nosuch\" does not exist" out &&
	terminal_part "$log" >actual &&
	test_cmp out actual &&
	grep -x "INSERT INTO nosuch VALUES (1);" "$log" &&
	rm db/migrations/20240103000000_bad.sql
'

test_expect_success PG 'no colour in the log, though the terminal had it' '
	rm -r logs &&
	script -qec "\"$GODWIT\" --url \"$PG_URL\" --log-dir logs down" typescript >/dev/null &&
	grep -q "$(printf "\033")\[" typescript &&
	log=$(the_log) &&
	! grep -q "$(printf "\033")" "$log" &&
	grep -x "reverted 20240102000000 idx.*" "$log"
'

test_expect_success PG 'log_keep: the newest runs of the environment are kept, others left alone' '
	rm -r logs &&
	mkdir logs &&
	touch logs/godwit-20200101T000000Z-staging.log logs/notes.txt &&
	for i in 1 2 3 4; do
		godwit --url "$PG_URL" --log-dir logs --env test up >/dev/null 2>&1 &&
		godwit --url "$PG_URL" --log-dir logs --env test down >/dev/null 2>&1 || return 1
	done &&
	printf "log_keep = 3\n" >godwit.conf &&
	godwit --url "$PG_URL" --log-dir logs --env test up >/dev/null 2>&1 &&
	rm godwit.conf &&
	ls logs | grep -- "-test\." >names &&
	test "$(wc -l <names)" = 3 &&
	test -f logs/godwit-20200101T000000Z-staging.log &&
	test -f logs/notes.txt &&
	newest=$(ls -t logs | grep -- "-test\." | head -n 1) &&
	grep -q "^# godwit up, environment test" "logs/$newest"
'

test_expect_success PG 'a log folder that cannot be made: a warning, and the run goes on' '
	godwit --url "$PG_URL" down --all >/dev/null 2>&1 &&
	echo file >blocked &&
	godwit --url "$PG_URL" --log-dir blocked/logs up 2>err &&
	cat >expect <<-\EOF &&
	godwit: warning: cannot write the run'\''s log in blocked/logs: Not a directory; going on without it
	EOF
	grep "log in" err >actual &&
	test_cmp expect actual &&
	test "$(pg_count users)" = 1
'

test_expect_success PG 'a password in the URL does not reach the log' '
	rm -rf logs &&
	url=$(printf "%s\n" "$PG_URL" | sed "s|://|://$(id -un):Sup3rS3cret@|") &&
	test_must_fail godwit --url "$url/nosuchdb" --log-dir logs up >out 2>&1 &&
	log=$(the_log) &&
	! grep Sup3rS3cret "$log" out
'

test_expect_success SQLITE3 'SQLite: the same log' '
	mkdir lite &&
	(
		cd lite &&
		write_migration db/migrations/20240101000000_a.sql <<-\EOF &&
		-- migrate:up
		CREATE TABLE a (id int);
		EOF
		godwit --log-dir logs up >out &&
		log=$(the_log) &&
		grep -x "CREATE TABLE a (id int);" "$log" &&
		grep -x "applied 1 migration" "$log"
	)
'

test_done
