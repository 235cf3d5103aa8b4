#!/bin/sh
test_description='options= the server refuses at startup fails at once, with what to do'
. "$(dirname "$0")/lib.sh"

# Neon's URLs may carry options=endpoint%3DID (for clients without SNI),
# which any other server refuses; a typo in options=-c NAME=VALUE is
# refused the same way, every time: no retry makes it better.

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
'

test_expect_success PG 'each is refused at the first attempt, nothing created' '
	for o in "endpoint%3Dep-cool-darkness-123456" "-c%20statement_timeout%3Dabc" \
		"-c%20no_such_param%3D1"
	do
		test_expect_code 1 godwit --connect-retries 3 --url "$PG_URL&options=$o" up >out 2>err &&
		! grep "retrying\|did not answer" err &&
		test_grep "^hint: the server refused the URL${SQ}s options= at startup: fix or remove it (options=endpoint=ID is for Neon${SQ}s servers only)$" err ||
		return 1
	done &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = $SQ""public$SQ")" = 0
'

test_expect_success PG 'the message is the server'"'"'s, the password masked' '
	url=$(printf "%s" "$PG_URL" | sed "s|^postgresql://|postgresql://$PG_USER:s3cr3t@|") &&
	test_expect_code 1 godwit --connect-retries 3 --url "$url&options=endpoint%3Dep-x" status 2>err &&
	test_grep "^godwit: error: cannot connect to .*:\*\*\*\*@.*: .*FATAL:  invalid command-line argument for server process: endpoint=ep-x$" err &&
	! grep s3cr3t err
'

test_done
