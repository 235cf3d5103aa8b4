#!/bin/sh
test_description='test and drift --replay: the ephemeral projects take the settings, but not the audit log, notifications or the schema file'
. "$(dirname "$0")/lib.sh"

# The actions and commands of an audit log, one "action command" a line.
actions()
{
	sed 's/.*"action":"\([a-z]*\)","command":\(null\|"[a-z]*"\).*/\1 \2/' "$1"
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_t.sql <<-\EOF
	-- migrate:up
	CREATE TABLE t (id int);
	-- migrate:down
	DROP TABLE t;
	EOF
'

test_expect_success PG 'test writes none of its ephemeral runs to the audit log' '
	godwit --url "$PG_URL" --audit-log audit.jsonl --notify http://127.0.0.1:9/hook \
		test >out 2>err &&
	test_grep "^1 passed, 0 failed, 0 untestable$" out &&
	test_cmp /dev/null err &&
	! test -e audit.jsonl
'

test_expect_success PG 'drift --replay: the log has the run, not the replay on the ephemeral database' '
	godwit --url "$PG_URL" --audit-log audit.jsonl up >/dev/null &&
	(
		GODWIT_SCHEMA_FILE=schema.sql &&
		export GODWIT_SCHEMA_FILE &&
		godwit --url "$PG_URL" --audit-log audit.jsonl drift --replay >out
	) &&
	test_grep "^no drift" out &&
	actions audit.jsonl >actual &&
	cat >expect <<-\EOF &&
	start "up"
	apply "up"
	end "up"
	start "drift"
	end "drift"
	EOF
	test_cmp expect actual &&
	! test -e schema.sql
'

test_done
