#!/bin/sh
test_description='libpg_query is loaded when SQL is first parsed: status and history never load it, a missing one stops only what parses'
. "$(dirname "$0")/lib.sh"

# Where libpg_query is a shared library, godwit loads it with dlopen when
# it first parses PostgreSQL SQL (src/lib/sql/pgq.h), and `godwit version`
# names its file. glibc's loader says what it loads with LD_DEBUG=files
# (and so the library's file name); a file of that name found first in
# LD_LIBRARY_PATH stands for the one a machine has. Where the parser is
# linked from a static archive (the portable build) there is nothing to
# check.

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_t.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t (id int);
	-- migrate:down
	DROP TABLE t;
	EOF
	godwit --url "$PG_URL" up >out &&
	write_migration db/migrations/20240102000000_u.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE u (id int);
	-- migrate:down
	DROP TABLE u;
	EOF
	LD_DEBUG=files "$GODWIT" --url "$PG_URL" validate >out 2>files &&
	soname=$(sed -n "s/.*file=\(libpg_query\.so[^ ]*\) \[0\];  generating link map$/\1/p" files) &&
	if test -n "$soname"
	then
		test_set_prereq PGQ
	fi
'

test_expect_success PG,PGQ 'validate loads the parser once, by dlopen, and version names it' '
	test "$(grep -c "file=$soname \[0\];  dynamically loaded by" files)" = 1 &&
	godwit version >out &&
	test_grep "^parser: libpg_query [0-9.]* ($soname, loaded on first use)$" out
'

test_expect_success PG,PGQ 'status, history and version load no parser' '
	for cmd in status "status --format json" history version
	do
		LD_DEBUG=files "$GODWIT" --url "$PG_URL" $cmd >out 2>files &&
		test_grep ! "libpg_query" files || return 1
	done
'

test_expect_success PG,PGQ 'a parser that is not a library: status works, what parses says what to install' '
	mkdir broken &&
	: >"broken/$soname" &&
	cat >expect <<-\EOF &&
	applied      20240101000000  t
	pending      20240102000000  u
	1 applied, 1 pending
	EOF
	LD_LIBRARY_PATH="$PWD/broken" "$GODWIT" --url "$PG_URL" status >out &&
	sed "s/  20[0-9-]*T[0-9:.]*Z$//" out >actual &&
	test_cmp expect actual &&
	test_expect_code 1 env LD_LIBRARY_PATH="$PWD/broken" "$GODWIT" --url "$PG_URL" up \
		>out 2>err &&
	pkg=$(echo "$soname" | sed "s/^lib\(.*\)\.so\.\(.*\)$/lib\1\2/; s/_/-/g") &&
	cat >expect <<-EOF &&
	godwit: error: cannot load $soname: $PWD/broken/$soname: file too short
	hint: install the PostgreSQL parser library (Debian: apt-get install $pkg)
	EOF
	test_cmp expect err &&
	test_grep ! "applied" out &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename = ${SQ}u${SQ}")" = 0 &&
	test_expect_code 1 env LD_LIBRARY_PATH="$PWD/broken" "$GODWIT" --url "$PG_URL" validate \
		>out 2>err &&
	test_grep "cannot load $soname: $PWD/broken/$soname: file too short" err
'

test_expect_success PG,PGQ,CC 'a parser without a function godwit calls is named' '
	mkdir old &&
	sed -n "s/^.*X([^,]*, \(pg_query_[a-z_]*\),.*/\1/p" "$GW_SOURCE_DIR/src/lib/sql/pgq.h" |
		grep -v "^pg_query_parse_plpgsql$" | sed "s/.*/void &(void) {}/" >old/stub.c &&
	test "$(wc -l <old/stub.c)" -ge 7 &&
	echo "char pg_query__a__const__descriptor[64], pg_query__func_call__descriptor[64];" >>old/stub.c &&
	cc -shared -fPIC -o "old/$soname" old/stub.c &&
	test_expect_code 1 env LD_LIBRARY_PATH="$PWD/old" "$GODWIT" --url "$PG_URL" up \
		>out 2>err &&
	echo "godwit: error: $soname is too old for godwit (it lacks pg_query_parse_plpgsql); install $pkg" >expect &&
	test_cmp expect err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename = ${SQ}u${SQ}")" = 0
'

test_expect_success PG,PGQ 'SQLite projects need no parser of PostgreSQL' '
	LD_LIBRARY_PATH="$PWD/broken" "$GODWIT" --url sqlite:app.db up >out &&
	test_grep "^applied 2 migrations$" out
'

test_done
