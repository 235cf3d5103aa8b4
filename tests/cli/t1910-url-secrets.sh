#!/bin/sh
test_description='a password in a malformed or oddly written URL is never shown'
. "$(dirname "$0")/lib.sh"

secret=Pw-0f-M4lformed

# Every command that names the database, in text and JSON; the output of
# all of them is collected in all.out.
run_all()
{
	for cmd in status up history config "config --format json" "status --format json" \
		down health create "wait --timeout 1" "backup" "plan"
	do
		# shellcheck disable=SC2086
		"$GODWIT" --connect-retries 0 "$@" $cmd >>all.out 2>&1
	done
	return 0
}

test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_a.sql <<-\EOF
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
'

test_expect_success 'malformed URLs are masked in every error and in config' '
	for url in "postgres://u:$secret@[::1/db" "postgres://u:$secret@[]/db" \
		"postgres://u:$secret@[::1]x/db" " postgres://u:$secret@127.0.0.1:1/db" \
		"postgres:/u:$secret@127.0.0.1:1/db" "postgres:u:$secret@127.0.0.1:1/db" \
		"postgres://u:se/$secret@127.0.0.1:1/db" "\"postgres://u:$secret@127.0.0.1:1/db"
	do
		: >all.out &&
		run_all --url "$url" &&
		test_grep "u:\*\*\*\*@" all.out &&
		! grep -e "$secret" all.out || return 1
	done
'

test_expect_success 'each malformed URL is refused at once, with what is wrong' '
	test_expect_code 1 godwit --url "postgres://u:$secret@[::1/db" status 2>err &&
	test_grep "^godwit: error: invalid database URL postgresql://u:\*\*\*\*@\[::1/db: end of string reached when looking for matching \"\]\" in IPv6 host address" err &&
	test_expect_code 1 godwit --url "postgres:/u:$secret@127.0.0.1:1/db" status 2>err &&
	test_grep "^godwit: error: malformed database URL postgres:/u:\*\*\*\*@127.0.0.1:1/db: ${SQ}postgres:${SQ} must be followed by ${SQ}//${SQ}" err &&
	test_expect_code 1 godwit --url "\"postgres://u:$secret@127.0.0.1:1/db" status 2>err &&
	test_grep "^godwit: error: the database URL \"postgres://u:\*\*\*\*@127.0.0.1:1/db starts with a quote" err &&
	! grep -e "$secret" err &&
	! grep retrying err
'

test_expect_success 'white space around a URL is ignored' '
	test_expect_code 1 godwit --connect-retries 0 --url " postgres://u:$secret@127.0.0.1:1/db " status 2>err &&
	test_grep "^godwit: error: cannot connect to postgres://u:\*\*\*\*@127.0.0.1:1/db: connection to server at \"127.0.0.1\", port 1 failed" err
'

test_expect_success 'a stray quote in godwit.conf is an error at its line, the value unshown' '
	printf "url = \"postgres://u:%s@127.0.0.1:1/db\n" "$secret" >godwit.conf &&
	test_when_finished "rm -f godwit.conf" &&
	: >all.out &&
	run_all &&
	! grep -e "$secret" all.out &&
	test_expect_code 1 godwit status 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: godwit.conf:1: the value of url has an unbalanced quote; quote the whole value with a pair of " or '"'"', or not at all
	EOF
	test_cmp expect err
'

test_expect_success 'a URL quoted whole in godwit.conf still works' '
	printf "url = \"sqlite:db/q.sqlite3\"\n" >godwit.conf &&
	test_when_finished "rm -f godwit.conf" &&
	godwit up &&
	test "$(sqlite_sql db/q.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 1
'

test_expect_success 'a stray quote in DATABASE_URL is refused, masked' '
	: >all.out &&
	DATABASE_URL="\"postgres://u:$secret@127.0.0.1:1/db" run_all &&
	test_grep "starts with a quote" all.out &&
	! grep -e "$secret" all.out
'

test_expect_success PG 'setup: a role with a password' '
	pg_new_db &&
	pg_sql "CREATE ROLE urlapp LOGIN PASSWORD '\''$secret'\''" &&
	pg_sql "GRANT ALL ON DATABASE \"$PG_DB\" TO urlapp" &&
	pg_sql "GRANT ALL ON SCHEMA public TO urlapp" &&
	sock=$(pg_sql "SHOW unix_socket_directories") &&
	log="$(cat "$GW_TEST_PG/root" 2>/dev/null)/server.log" &&
	if test -r "$log"
	then
		test_set_prereq PGLOG
	fi
'

test_expect_success PG 'an uppercase scheme is a URL, not a database name' '
	: >all.out &&
	# PGHOST, PGUSER: were the URL taken for a database name, it would reach
	# this server and be written in its log.
	PGHOST=$sock PGUSER=postgres run_all --url "POSTGRESQL://urlapp:$secret@/$PG_DB" &&
	! grep -e "$secret" all.out &&
	PGHOST=$sock PGUSER=postgres godwit --url "POSTGRES://urlapp:$secret@/$PG_DB" up &&
	test "$(pg_count a)" = 0 &&
	PGHOST=$sock PGUSER=postgres godwit --url "POSTGRES://urlapp:$secret@/$PG_DB" status >out &&
	test_grep "^applied " out
'

test_expect_success PG,PGLOG 'the password never reaches the server log' '
	! grep -e "$secret" "$log"
'

test_done
