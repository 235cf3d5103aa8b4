#!/bin/sh
test_description='SQLite is loaded when an SQLite database is first opened: a run on PostgreSQL never loads it, a missing one stops only SQLite'
. "$(dirname "$0")/lib.sh"

# Where SQLite is a shared library, godwit loads it with dlopen when it
# first opens an SQLite database or splits SQLite text (src/drivers/sq.h),
# and `godwit version` names its file. glibc's loader says what it loads
# with LD_DEBUG=files (and so the library's file name); a file of that
# name found first in LD_LIBRARY_PATH stands for the one a machine has.
# Where SQLite is linked from a static archive (the portable build) there
# is nothing to check.

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_t.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t (id int);
	-- migrate:down
	DROP TABLE t;
	EOF
	godwit --url "$PG_URL" up >out &&
	LD_DEBUG=files "$GODWIT" --url sqlite:probe.db up >out 2>files &&
	soname=$(sed -n "s/.*file=\(libsqlite3\.so[^ ]*\) \[0\];  generating link map$/\1/p" files) &&
	if test -n "$soname"
	then
		test_set_prereq SQ
	fi
'

test_expect_success PG,SQ 'an SQLite run loads SQLite once, by dlopen, and version names it' '
	test "$(grep -c "file=$soname \[0\];  dynamically loaded by" files)" = 1 &&
	godwit version >out &&
	test_grep "^driver sqlite: SQLite [0-9.]* ($soname, loaded on first use)$" out
'

test_expect_success PG,SQ 'status, history, up and version on PostgreSQL load no SQLite' '
	for cmd in status history up version
	do
		LD_DEBUG=files "$GODWIT" --url "$PG_URL" $cmd >out 2>files &&
		test_grep ! "libsqlite3" files || return 1
	done
'

test_expect_success PG,SQ 'an SQLite library that is not a library: PostgreSQL works, SQLite says what to install' '
	mkdir broken &&
	: >"broken/$soname" &&
	LD_LIBRARY_PATH="$PWD/broken" "$GODWIT" --url "$PG_URL" status >out &&
	test_grep "^1 applied, 0 pending$" out &&
	test_expect_code 1 env LD_LIBRARY_PATH="$PWD/broken" "$GODWIT" --url sqlite:app.db up \
		>out 2>err &&
	pkg=$(echo "$soname" | sed "s/^lib\(.*\)\.so\.\(.*\)$/lib\1-\2/") &&
	cat >expect <<-EOF &&
	godwit: error: cannot load $soname: $PWD/broken/$soname: file too short
	hint: install SQLite${SQ}s library (Debian: apt-get install $pkg)
	EOF
	test_cmp expect err &&
	test ! -s out &&
	test ! -e app.db &&
	test_expect_code 1 env LD_LIBRARY_PATH="$PWD/broken" "$GODWIT" --url sqlite:app.db validate \
		>out 2>err &&
	test_grep "cannot load $soname: $PWD/broken/$soname: file too short" err &&
	test ! -e app.db
'

test_expect_success PG,SQ,CC 'an SQLite without a function godwit calls is named too old' '
	mkdir old &&
	sed -n "s/^.*X([^,]*, \(sqlite3_[a-z0-9_]*\),.*/\1/p" "$GW_SOURCE_DIR/src/drivers/sq.h" |
		grep -v "^sqlite3_error_offset$" | sed "s/.*/void &(void) {}/" >old/stub.c &&
	test "$(wc -l <old/stub.c)" -ge 25 &&
	cc -shared -fPIC -o "old/$soname" old/stub.c &&
	test_expect_code 1 env LD_LIBRARY_PATH="$PWD/old" "$GODWIT" --url sqlite:app.db up \
		>out 2>err &&
	echo "godwit: error: $soname is too old for godwit (it lacks sqlite3_error_offset); install SQLite 3.38 or newer" >expect &&
	test_cmp expect err &&
	test ! -e app.db
'

test_expect_success PG,SQ,SQLITE3 'with SQLite there, the same SQLite run works' '
	"$GODWIT" --url sqlite:app.db up >out &&
	test_grep "^applied 1 migration$" out &&
	test "$(sqlite_sql app.db "SELECT count(*) FROM t")" = 0
'

test_done
