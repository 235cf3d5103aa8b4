#!/bin/sh
test_description='schema dump of a rich schema: the same bytes on a fresh connection (sessions side by side) and on one in use (one pipeline); a failed catalog query fails it'
. "$(dirname "$0")/lib.sh"

# t5600-schema-dump-rich.snapshot is what schema dump printed for this
# schema before its catalog queries were pipelined and shared among
# sessions: the reading may change, the bytes may not.

base_sql()
{
	psql -X -q -v ON_ERROR_STOP=1 -d "$PG_BASE_URL" -c "$1"
}

test_expect_success PG 'setup: the benchmark schema of 12 migrations' '
	pg_new_db &&
	"$GW_SOURCE_DIR/bench/gen-schema.sh" 12 db/migrations &&
	printf "schema_file = db/schema.txt\n" >godwit.conf &&
	godwit --url "$PG_URL" up >out 2>&1 &&
	test_grep "applied 12 migrations" out
'

test_expect_success PG 'a fresh connection reads the schema byte for byte as before' '
	godwit --url "$PG_URL" schema dump >dump &&
	test_cmp "$TEST_DIRECTORY/t5600-schema-dump-rich.snapshot" dump
'

test_expect_success PG 'the snapshot up takes on its own session is the same' '
	test_cmp "$TEST_DIRECTORY/t5600-schema-dump-rich.snapshot" db/schema.txt
'

# The database makes every session take a role that may not read
# pg_policy, whose query runs on a side session of a fresh dump.
test_expect_success PG 'a catalog query that fails fails the dump with the server error' '
	role=gw_t5600_$$ &&
	test_when_finished "base_sql \"ALTER DATABASE \\\"$PG_DB\\\" RESET role\" && base_sql \"DROP ROLE $role\"" &&
	pg_sql "CREATE ROLE $role; REVOKE SELECT ON pg_policy FROM PUBLIC" &&
	pg_sql "ALTER DATABASE \"$PG_DB\" SET role = $SQ$role$SQ" &&
	test_expect_code 1 godwit --url "$PG_URL" schema dump >dump 2>err &&
	test ! -s dump &&
	test_grep "permission denied for table pg_policy" err
'

# pg_trigger is read by the first session, in its pipeline after most of
# the other queries.
test_expect_success PG 'so does one in the middle of the first session'"'"'s pipeline' '
	role=gw_t5600_$$ &&
	test_when_finished "base_sql \"ALTER DATABASE \\\"$PG_DB\\\" RESET role\" && base_sql \"DROP ROLE $role\"" &&
	pg_sql "CREATE ROLE $role; GRANT SELECT ON pg_policy TO PUBLIC; REVOKE SELECT ON pg_trigger FROM PUBLIC" &&
	pg_sql "ALTER DATABASE \"$PG_DB\" SET role = $SQ$role$SQ" &&
	test_expect_code 1 godwit --url "$PG_URL" schema dump >dump 2>err &&
	test ! -s dump &&
	test_grep "permission denied for table pg_trigger" err
'

test_done
