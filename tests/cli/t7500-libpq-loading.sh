#!/bin/sh
test_description='a missing, broken or too old libpq is refused with what to install, and leaves SQLite alone'
. "$(dirname "$0")/lib.sh"

# godwit opens libpq with dlopen at its first PostgreSQL connection
# (src/drivers/pq.c); a libpq.so.5 found first in LD_LIBRARY_PATH stands
# for the one a machine has.

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_t.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t (id int);
	-- migrate:down
	DROP TABLE t;
	EOF
	mkdir broken old
'

test_expect_success PG 'a libpq that is not a library: its loader error and the hint' '
	: >broken/libpq.so.5 &&
	test_expect_code 1 env LD_LIBRARY_PATH="$PWD/broken" "$GODWIT" --url "$PG_URL" up \
		>out 2>err &&
	cat >expect <<-EOF &&
	godwit: error: cannot load libpq.so.5: $PWD/broken/libpq.so.5: file too short
	hint: install PostgreSQL${SQ}s client library (Debian: apt-get install libpq5)
	EOF
	test_cmp expect err &&
	test ! -s out &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}public${SQ}")" = 0
'

test_expect_success PG,CC 'a libpq without pipeline mode (before 14) is named too old' '
	sed -n "s/^.*X([^,]*, \(PQ[A-Za-z]*\),.*/\1/p" "$GW_SOURCE_DIR/src/drivers/pq.h" |
		grep -v Pipeline | sed "s/.*/void &(void) {}/" >old/stub.c &&
	test "$(wc -l <old/stub.c)" -gt 20 &&
	cc -shared -fPIC -o old/libpq.so.5 old/stub.c &&
	test_expect_code 1 env LD_LIBRARY_PATH="$PWD/old" "$GODWIT" --url "$PG_URL" up \
		>out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: libpq.so.5 is too old for godwit (it lacks PQenterPipelineMode); install libpq 14 or newer
	EOF
	test_cmp expect err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}public${SQ}")" = 0
'

test_expect_success PG 'SQLite needs no libpq, and version names it as not loaded' '
	LD_LIBRARY_PATH="$PWD/broken" "$GODWIT" --url sqlite:app.db up >out &&
	test_grep "^applied 1 migration$" out &&
	LD_LIBRARY_PATH="$PWD/broken" "$GODWIT" version >out &&
	test_grep "libpq [0-9]* (libpq.so.5, loaded on first use)" out
'

test_done
