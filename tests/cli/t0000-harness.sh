#!/bin/sh
#
# t0000-harness.sh: proves the test library itself (lib.sh), so that a
# passing CLI test means something: failures are caught and reported,
# assertions fail when they should, databases are real and cleaned up.
# It does not run godwit.

test_description='the shell test library catches failures and gives working databases'
. "$(dirname "$0")/lib.sh"

# Runs a small test script made on the fly with lib.sh, in its own trash
# root, non-verbose; its stdout lands in out, its stderr in err and its exit
# code in code.
run_sub_test()
{
	_name=$1
	mkdir -p sub &&
	{
		printf '#!/bin/sh\ntest_description=%s\n. "$TEST_DIRECTORY/lib.sh"\n' "'$2'" &&
		cat
	} >"sub/$_name.sh" &&
	{
		GW_TEST_TRASH_ROOT=$PWD/sub/trash GW_TEST_VERBOSE= GW_TEST_KEEP= \
			GW_TEST_NO_SKIP=${SUB_NO_SKIP:-} sh "sub/$_name.sh" >out 2>err
		echo $? >code
	}
}

test_expect_success 'a passing test passes' '
	true
'

test_expect_success 'the trash directory is the working directory and HOME' '
	test "$(pwd)" = "$TRASH_DIRECTORY" &&
	test "$HOME" = "$TRASH_DIRECTORY" &&
	case $TRASH_DIRECTORY in
	*/trash.t0000-harness) ;;
	*) false ;;
	esac
'

test_expect_success 'each test starts in the trash directory' '
	mkdir -p deeper &&
	cd deeper
'

test_expect_success 'files carry over from one test to the next' '
	test "$(pwd)" = "$TRASH_DIRECTORY" &&
	test -d deeper
'

test_expect_success 'test_expect_code accepts the code and rejects another' '
	test_expect_code 3 sh -c "exit 3" &&
	test_expect_code 0 true &&
	! test_expect_code 1 sh -c "exit 2" 4>complaint &&
	grep "exited with 2, we wanted 1" complaint &&
	! test_expect_code 1 true 4>/dev/null
'

test_expect_success 'test_must_fail accepts exit codes 1 to 3 only' '
	test_must_fail sh -c "exit 1" &&
	test_must_fail sh -c "exit 2" &&
	test_must_fail sh -c "exit 3" &&
	! test_must_fail true 4>complaint &&
	grep "command succeeded" complaint &&
	! test_must_fail sh -c "exit 4" 4>complaint &&
	grep "exit code 4 is not one of" complaint &&
	! test_must_fail ./no-such-program 4>complaint 2>/dev/null &&
	grep "not found" complaint &&
	! test_must_fail sh -c "kill -SEGV \$\$" 4>complaint &&
	grep "died by signal 11" complaint
'

test_expect_success 'test_cmp passes equal files and shows a difference' '
	printf "a\nb\n" >one &&
	printf "a\nb\n" >two &&
	printf "a\nc\n" >three &&
	test_cmp one two &&
	! test_cmp one three 4>diff &&
	grep "^-b" diff &&
	grep "^+c" diff &&
	! test_cmp one missing 4>complaint &&
	grep "missing file: *missing" complaint
'

test_expect_success 'test_grep finds a line or prints the file' '
	printf "applied 20240101000000_users.sql\nsecond line\n" >file &&
	test_grep "applied 2024" file &&
	test_grep -F "users.sql" file &&
	test_grep ! "pending" file &&
	! test_grep "pending" file 4>complaint &&
	grep "^second line$" complaint &&
	! test_grep ! "applied" file 4>complaint &&
	grep "none should" complaint &&
	! test_grep "x" no-such-file 4>complaint
'

test_expect_success 'godwit runs the program named by GODWIT' '
	(
		GODWIT=/bin/echo &&
		godwit hello world >out
	) &&
	test "$(cat out)" = "hello world" &&
	(
		unset GODWIT &&
		test_expect_code 127 godwit version 4>/dev/null
	)
'

test_expect_success 'write_migration creates the folder and the file' '
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	EOF
	test -f db/migrations/20240101000000_users.sql &&
	test "$(sed -n 2p db/migrations/20240101000000_users.sql)" = "CREATE TABLE users (id int);"
'

test_expect_success 'a failing test fails the script and is reported with its output' '
	run_sub_test t1111-failing "one passes, one fails" <<-\EOF &&
	test_expect_success "passes" "true"
	test_expect_success "fails" "
		echo the-output-of-the-failing-test &&
		false
	"
	test_expect_success "passes too" "true"
	test_done
	EOF
	test "$(cat code)" = 1 &&
	grep "^ok 1 - passes$" out &&
	grep "^not ok 2 - fails$" out &&
	grep "the-output-of-the-failing-test" out &&
	grep "^ok 3 - passes too$" out &&
	grep "^# failed 1 among 3 test(s)$" out &&
	grep "^1\.\.3$" out &&
	test -d sub/trash/trash.t1111-failing
'

test_expect_success 'a script whose tests pass exits 0 and removes its trash' '
	run_sub_test t1112-passing "all pass" <<-\EOF &&
	test_expect_success "one" "true"
	test_expect_success "two" "test 1 = 1"
	test_done
	EOF
	test "$(cat code)" = 0 &&
	grep "^# passed all 2 test(s)$" out &&
	test ! -d sub/trash/trash.t1112-passing
'

test_expect_success 'a broken &&-chain fails the test' '
	run_sub_test t1113-chain "broken chain" <<-\EOF &&
	test_expect_success "broken" "
		false
		true
	"
	test_done
	EOF
	test "$(cat code)" = 1 &&
	grep "^not ok 1 - broken (broken &&-chain" out
'

test_expect_success 'a known breakage does not fail the script' '
	run_sub_test t1114-breakage "known breakage" <<-\EOF &&
	test_expect_failure "not fixed yet" "false"
	test_done
	EOF
	test "$(cat code)" = 0 &&
	grep "^not ok 1 - not fixed yet # TODO known breakage$" out
'

test_expect_success 'a missing prerequisite skips the test' '
	run_sub_test t1115-prereq "prerequisites" <<-\EOF &&
	test_set_prereq HAVE
	test_expect_success NOPE "skipped" "false"
	test_expect_success HAVE "runs" "true"
	test_expect_success !NOPE,HAVE "runs too" "true"
	test_done
	EOF
	test "$(cat code)" = 0 &&
	grep "^ok 1 # skip skipped (missing NOPE)$" out &&
	grep "^ok 2 - runs$" out &&
	grep "^ok 3 - runs too$" out
'

test_expect_success 'with GW_TEST_NO_SKIP a missing tool fails instead of skipping' '
	SUB_NO_SKIP=1 run_sub_test t1116-no-skip "no skips" <<-\EOF &&
	test_expect_success NOPE "needs a tool" "true"
	test_expect_success !ROOT,!NOPE "not a tool" "true"
	test_done
	EOF
	test "$(cat code)" = 1 &&
	grep "^not ok 1 - needs a tool (missing NOPE, and GW_TEST_NO_SKIP is set)$" out &&
	! grep "^not ok 2" out
'

test_expect_success 'test_when_finished runs even when the test fails' '
	run_sub_test t1116-finished "cleanup" <<-\EOF &&
	test_expect_success "fails" "
		test_when_finished \"echo cleaned >\$TRASH_ROOT/marker\" &&
		false
	"
	test_done
	EOF
	test "$(cat code)" = 1 &&
	test "$(cat sub/trash/marker)" = cleaned
'

test_expect_success 'a script that exits early is a failure' '
	run_sub_test t1117-exit "early exit" <<-\EOF &&
	test_expect_success "exits" "exit 0"
	test_done
	EOF
	test "$(cat code)" = 1 &&
	grep "FATAL: unexpected exit" err
'

test_expect_success 'the caller'"'"'s environment does not reach the tests' '
	(
		DATABASE_URL=postgres://elsewhere/x &&
		GODWIT_ENV=production &&
		PGDATABASE=x &&
		export DATABASE_URL GODWIT_ENV PGDATABASE &&
		run_sub_test t1118-env "environment" <<-\EOF
		test_expect_success "clean" "
			test -z \"\${DATABASE_URL:-}\" &&
			test -z \"\${GODWIT_ENV:-}\" &&
			test -z \"\${PGDATABASE:-}\"
		"
		test_done
		EOF
	) &&
	test "$(cat code)" = 0
'

test_expect_success 'sqlite_sql runs SQL on a database file' '
	sqlite_sql app.db "CREATE TABLE t (id integer, name text)" &&
	sqlite_sql app.db "INSERT INTO t VALUES (1, ${SQ}a${SQ}), (2, ${SQ}b${SQ})" &&
	test "$(sqlite_sql app.db "SELECT count(*) FROM t")" = 2 &&
	echo "SELECT name FROM t ORDER BY id;" | sqlite_sql app.db >names &&
	printf "a\nb\n" >expect &&
	test_cmp expect names &&
	test_must_fail sqlite_sql app.db "SELECT * FROM no_such_table" 2>err &&
	grep "no such table" err
'

test_expect_success PG 'pg_new_db gives a working database of its own' '
	pg_new_db &&
	first=$PG_DB &&
	test -n "$PG_URL" &&
	pg_sql "CREATE TABLE items (id int PRIMARY KEY, name text)" &&
	pg_sql "INSERT INTO items VALUES (1, ${SQ}one${SQ}), (2, ${SQ}two${SQ})" &&
	test "$(pg_count items)" = 2 &&
	test "$(pg_sql "SELECT current_database()")" = "$first" &&
	echo "SELECT name FROM items ORDER BY id;" | pg_sql >names &&
	printf "one\ntwo\n" >expect &&
	test_cmp expect names &&
	pg_new_db &&
	test "$PG_DB" != "$first" &&
	test_must_fail pg_sql "SELECT * FROM items" 2>err &&
	grep "does not exist" err
'

test_expect_success PG 'pg_sql stops at the first error' '
	pg_new_db &&
	test_must_fail pg_sql "CREATE TABLE a (id int); SELECT 1/0; CREATE TABLE b (id int)" 2>err &&
	grep "division by zero" err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename IN (${SQ}a${SQ}, ${SQ}b${SQ})")" = 0
'

test_expect_success PG 'test_done drops the databases a script created' '
	run_sub_test t1119-dropdb "databases" <<-\EOF &&
	test_expect_success "create" "
		pg_new_db &&
		echo \$PG_DB >\$TRASH_ROOT/dbname
	"
	test_done
	EOF
	test "$(cat code)" = 0 &&
	name=$(cat sub/trash/dbname) &&
	test -n "$name" &&
	psql -X -A -t -d "$PG_BASE_URL" \
		-c "SELECT count(*) FROM pg_database WHERE datname = ${SQ}$name${SQ}" >count &&
	test "$(cat count)" = 0
'

test_done
