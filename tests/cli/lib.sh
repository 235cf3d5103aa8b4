# lib.sh: the shell test library of godwit's CLI tests (POSIX sh), modeled
# on git's t/test-lib.sh.
#
# A test script is one ctest test (cli/tNNNN-name). It reads like this:
#
#	#!/bin/sh
#	test_description='up applies pending migrations in order'
#	. "$(dirname "$0")/lib.sh"
#
#	test_expect_success 'setup' '
#		pg_new_db &&
#		write_migration db/migrations/20240101000000_users.sql <<-\EOF
#		-- migrate:up
#		CREATE TABLE users (id int);
#		-- migrate:down
#		DROP TABLE users;
#		EOF
#	'
#
#	test_expect_success 'up creates the table' '
#		godwit --url "$PG_URL" up &&
#		test "$(pg_count users)" = 0
#	'
#
#	test_done
#
# The script runs in its own trash directory (trash.<script name>, under
# $GW_TEST_TRASH_ROOT, else ${TMPDIR:-/tmp}/godwit-tests), created empty at
# the start, removed when every test passed and kept for a look otherwise.
# Every test starts with the trash directory as its working directory; files
# and shell variables carry over from one test to the next, as in git, so a
# 'setup' test can prepare what the following ones use. HOME is the trash
# directory too, and the variables that would steer godwit or libpq from the
# caller's environment (DATABASE_URL, GODWIT_*, PG*, ...) are unset.
#
# A test body is a string of commands chained with &&, evaluated in the
# current shell (inside a function: `return 1` works in loops). A broken
# &&-chain is itself a failure ("chain lint"), because a command after the
# break could fail unnoticed. Stdin of a body is /dev/null. Unless verbose,
# its output is captured and printed with the body when the test fails.
#
# Options of every script: -v/--verbose (or GW_TEST_VERBOSE=1) shows the
# output of every test; -x traces the commands (best with bash); -i/--immediate
# stops at the first failure; -d/--debug (or GW_TEST_KEEP=1) keeps the trash
# directory and the databases.
#
# Environment it reads: GODWIT (the binary under test), GW_TEST_PG (the state
# folder of the cluster that tests/cli/pg-cluster.sh started, holding `url`),
# GODWIT_TEST_PG_URL (a server to use instead; a URL of a database the user
# may create databases from), GW_TEST_TRASH_ROOT.
#
# Functions (see each one's comment): test_expect_success, test_expect_failure,
# test_expect_code, test_must_fail, test_cmp, test_grep, test_when_finished,
# test_set_prereq, test_have_prereq, test_done, godwit, write_migration,
# pg_new_db, pg_db_url, pg_sql, pg_count (alias psql_count), pg_running_queries,
# pg_signal_queries, pg_wait_for_query, pg_ephemeral_left_by, sqlite_sql, wait_for_file,
# without_start_lines, and
# for scripts that run on both databases gw, db_sql, user_tables, states.
#
# Variables for tests: TRASH_DIRECTORY, GW_SOURCE_DIR (the repository),
# TEST_DIRECTORY (tests/cli), PG_BASE_URL (the server), PG_URL and PG_DB (set
# by pg_new_db), SQ (a single quote, for SQL inside single-quoted bodies).
#
# Prerequisites, named before the title (test_expect_success PG 'title' '...';
# several as PG,SQLITE3; !NAME negates): GODWIT (the binary exists), PG (a
# server is configured), PSQL, SQLITE3 (the sqlite3 program), DOT (graphviz's
# dot), SANITY (file permissions are enforced, i.e. not root), ROOT, CC (a C
# compiler), PKGCONFIG. A test whose prerequisites are missing is skipped.
#
# A script that runs `godwit test` or `drift --replay` on the server has a
# line "# ctest: ephemeral databases" before it sources this file: each such
# run drops the ephemeral databases of killed runs server-wide, so ctest
# runs these scripts one at a time (tests/cli/CMakeLists.txt).

# ---- set-up --------------------------------------------------------------

# A script sources this file from the folder it lives in; a script made on
# the fly elsewhere (t0000 does) inherits TEST_DIRECTORY from its caller.
if [ -z "${TEST_DIRECTORY:-}" ] || [ ! -f "$TEST_DIRECTORY/lib.sh" ]; then
	TEST_DIRECTORY=$(cd "$(dirname "$0")" && pwd)
fi
GW_SOURCE_DIR=$(cd "$TEST_DIRECTORY/../.." && pwd)
export TEST_DIRECTORY GW_SOURCE_DIR
this_test=${0##*/}
this_test=${this_test%.sh}
TEST_NUMBER=${this_test%%-*}

verbose=${GW_TEST_VERBOSE:-}
[ "$verbose" = 0 ] && verbose=
immediate=
trace=
debug=${GW_TEST_KEEP:-}
[ "$debug" = 0 ] && debug=
chain_lint=${GW_TEST_CHAIN_LINT:-1}

while [ $# -gt 0 ]; do
	case $1 in
	-v | --verbose) verbose=t ;;
	-i | --immediate) immediate=t ;;
	-x) trace=t ;;
	-d | --debug) debug=t ;;
	--no-chain-lint) chain_lint=0 ;;
	-h | --help)
		echo "$this_test: ${test_description:-}"
		echo "options: -v (verbose) -x (trace) -i (stop at first failure) -d (keep trash)"
		exit 0
		;;
	*)
		echo "$this_test: unknown option '$1'" >&2
		exit 2
		;;
	esac
	shift
done

# Only what a test sets on purpose may steer godwit, psql or sqlite.
for _gw_var in $(env | sed -n 's/^\(GODWIT_[A-Za-z0-9_]*\)=.*/\1/p'); do
	case $_gw_var in
	GODWIT_TEST_PG_URL) ;;
	*) unset "$_gw_var" ;;
	esac
done
unset DATABASE_URL POSTGRES_URL POSTGRES_URL_NON_POOLING DATABASE_URL_UNPOOLED DIRECT_URL GOOSE_MIGRATION_DIR \
	VERCEL_ENV CI PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD \
	PGPASSFILE PGSERVICE PGSERVICEFILE PGOPTIONS PGSSLMODE PGAPPNAME PGCONNECT_TIMEOUT \
	PGTZ PGDATESTYLE PGCLIENTENCODING NO_COLOR CDPATH _gw_var
# A single quote, for SQL literals inside single-quoted test bodies:
#	pg_sql "SELECT count(*) FROM t WHERE name = ${SQ}x${SQ}"
SQ="'"
LC_ALL=C
LANG=C
TZ=UTC
export LC_ALL LANG TZ

if [ -n "${GODWIT:-}" ]; then
	case $GODWIT in
	/*) ;;
	*) GODWIT=$(pwd)/$GODWIT ;;
	esac
	export GODWIT
fi

TRASH_ROOT=${GW_TEST_TRASH_ROOT:-${TMPDIR:-/tmp}/godwit-tests}
TRASH_DIRECTORY=$TRASH_ROOT/trash.$this_test
GW_TEST_DBLIST=$TRASH_ROOT/trash.$this_test.databases
export TRASH_DIRECTORY

# Saved stdout and stderr: what test_done and the report print go there
# whatever a test body does with its own output.
# Fd 4 is where assertions complain (see below); outside a test, stderr.
exec 5>&1 6>&2 4>&2
# Under bash, -x traces to fd 4 too, so a trace never lands in a file that
# a test redirected stderr to (`test_must_fail godwit up 2>err`).
if [ -n "$trace" ] && [ -n "${BASH_VERSION:-}" ]; then
	BASH_XTRACEFD=4
fi

say()
{
	printf '%s\n' "$*" >&5
}

BUG()
{
	printf 'BUG in the test script: %s\n' "$*" >&6
	exit 1
}

error()
{
	printf 'error: %s\n' "$*" >&6
	GW_EXIT_OK=t
	exit 1
}

rm -rf "$TRASH_DIRECTORY" "$GW_TEST_DBLIST" || error "cannot remove $TRASH_DIRECTORY"
mkdir -p "$TRASH_DIRECTORY" || error "cannot create $TRASH_DIRECTORY"
: >"$GW_TEST_DBLIST"
HOME=$TRASH_DIRECTORY
export HOME
cd "$TRASH_DIRECTORY" || error "cannot enter $TRASH_DIRECTORY"

test_count=0
test_success=0
test_failure=0
test_skipped=0
test_fixed=0
test_broken=0
test_cleanup=:
GW_EXIT_OK=
GW_DB_SEQ=0

# A script that dies before test_done (an `exit` in a body, a signal, a
# syntax error) is a failure, and its databases are dropped all the same.
gw_die()
{
	code=$?
	if [ -n "$GW_EXIT_OK" ]; then
		exit $code
	fi
	gw_drop_databases
	printf 'FATAL: unexpected exit with code %s (after test %s)\n' "$code" "$test_count" >&6
	exit 1
}
trap 'gw_die' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# ---- prerequisites ---------------------------------------------------------

gw_prereqs=' '

# test_set_prereq NAME: declares that NAME is satisfied.
test_set_prereq()
{
	gw_prereqs="$gw_prereqs$1 "
}

# test_have_prereq NAME[,NAME...]: true when all are satisfied (!NAME: not).
test_have_prereq()
{
	_gw_save_ifs=$IFS
	IFS=,
	set -- $*
	IFS=$_gw_save_ifs
	for _gw_p in "$@"; do
		case $_gw_p in
		!*)
			case $gw_prereqs in
			*" ${_gw_p#!} "*) return 1 ;;
			esac
			;;
		*)
			case $gw_prereqs in
			*" $_gw_p "*) ;;
			*) return 1 ;;
			esac
			;;
		esac
	done
	return 0
}

[ -n "${GODWIT:-}" ] && [ -x "$GODWIT" ] && test_set_prereq GODWIT
command -v psql >/dev/null 2>&1 && test_set_prereq PSQL
command -v sqlite3 >/dev/null 2>&1 && test_set_prereq SQLITE3
command -v cc >/dev/null 2>&1 && test_set_prereq CC
command -v pkg-config >/dev/null 2>&1 && test_set_prereq PKGCONFIG
command -v dot >/dev/null 2>&1 && test_set_prereq DOT
command -v strace >/dev/null 2>&1 && test_set_prereq STRACE
# sqitch itself, with its PostgreSQL and SQLite drivers (.ci/run installs them).
if command -v sqitch >/dev/null 2>&1; then
	perl -MDBD::Pg -e 1 2>/dev/null && test_set_prereq SQITCH
	perl -MDBD::SQLite -e 1 2>/dev/null && test_set_prereq SQITCH_SQLITE
fi
if [ "$(id -u)" = 0 ]; then
	test_set_prereq ROOT
else
	test_set_prereq SANITY
fi

# The server the databases are created on.
if [ -n "${GODWIT_TEST_PG_URL:-}" ]; then
	PG_BASE_URL=$GODWIT_TEST_PG_URL
elif [ -n "${GW_TEST_PG:-}" ] && [ -s "$GW_TEST_PG/url" ]; then
	PG_BASE_URL=$(cat "$GW_TEST_PG/url")
else
	PG_BASE_URL=
fi
export PG_BASE_URL
[ -n "$PG_BASE_URL" ] && test_have_prereq PSQL && test_set_prereq PG

# ---- running tests -------------------------------------------------------

test_description()
{
	test_description=$1
}

# test_when_finished 'commands': runs them after the current test, whether it
# passed or not; a failing cleanup fails the test.
test_when_finished()
{
	test_cleanup="{ $*
		} && (exit \"\$gw_eval_ret\"); gw_eval_ret=\$?; $test_cleanup"
}

gw_eval_inner()
{
	eval "$1"
}

# Evaluates a body with the output where it belongs; sets gw_eval_ret.
gw_eval()
{
	if [ -n "$verbose" ]; then
		say "expecting success of $this_test.$test_count '$1':"
		say "$2"
		if [ -n "$trace" ]; then
			set -x
		fi
		gw_eval_inner "$2" </dev/null 4>&6
		gw_eval_ret=$?
		{ set +x; } 2>/dev/null
		eval "$test_cleanup" </dev/null 4>&6
	else
		if [ -n "$trace" ]; then
			set -x
		fi
		gw_eval_inner "$2" </dev/null >"$gw_log" 2>&1 4>&1
		gw_eval_ret=$?
		{ set +x; } 2>/dev/null
		eval "$test_cleanup" </dev/null >>"$gw_log" 2>&1 4>&1
	fi
	test_cleanup=:
	cd "$TRASH_DIRECTORY" || error "cannot go back to $TRASH_DIRECTORY"
}

# Every command of a body must be chained with &&: evaluated after
# `(exit 117) &&`, a well-chained body does nothing and returns 117.
gw_chain_lint()
{
	[ "$chain_lint" = 1 ] || return 0
	(
		gw_eval_inner "(exit 117) && $1"
		[ $? = 117 ]
	) </dev/null >/dev/null 2>&1 4>&1
}

gw_print_failure()
{
	say "not ok $test_count - $1${2:+ $2}"
	printf '%s\n' "$3" | sed 's/^/#	/' >&5
	if [ -z "$verbose" ] && [ -s "$gw_log" ]; then
		say "# output:"
		sed 's/^/#	| /' "$gw_log" >&5
	fi
}

# test_expect_success [PREREQ] 'title' 'commands'
test_expect_success()
{
	gw_run_test success "$@"
}

# test_expect_failure [PREREQ] 'title' 'commands': a known breakage.
test_expect_failure()
{
	gw_run_test failure "$@"
}

# gw_installable_missing PREREQS: whether one of the comma-separated
# prerequisites is a tool that is missing (not ROOT, SANITY or a !NAME).
gw_installable_missing()
{
	for _gw_p in $(printf '%s' "$1" | tr ',' ' '); do
		case $_gw_p in
		'!'* | ROOT | SANITY) ;;
		*) test_have_prereq "$_gw_p" || return 0 ;;
		esac
	done
	return 1
}

gw_run_test()
{
	_gw_expect=$1
	shift
	if [ $# = 3 ]; then
		_gw_prereq=$1
		shift
	else
		_gw_prereq=
	fi
	[ $# = 2 ] || BUG "not 2 or 3 parameters to test_expect_$_gw_expect"
	test_count=$((test_count + 1))
	gw_log=$TRASH_ROOT/trash.$this_test.log

	if [ -n "$_gw_prereq" ] && ! test_have_prereq "$_gw_prereq"; then
		# CI installs every tool the tests use; a skip there would hide
		# a missing install step, so it fails instead.
		if [ -n "${GW_TEST_NO_SKIP:-}" ] && gw_installable_missing "$_gw_prereq"; then
			test_failure=$((test_failure + 1))
			say "not ok $test_count - $1 (missing $_gw_prereq, and GW_TEST_NO_SKIP is set)"
			return 0
		fi
		test_skipped=$((test_skipped + 1))
		say "ok $test_count # skip $1 (missing $_gw_prereq)"
		return 0
	fi

	if ! gw_chain_lint "$2"; then
		test_failure=$((test_failure + 1))
		gw_print_failure "$1" "(broken &&-chain or run-away HERE-DOC)" "$2"
		gw_stop_if_immediate
		return 0
	fi

	gw_eval "$1" "$2"
	case $_gw_expect,$gw_eval_ret in
	success,0)
		test_success=$((test_success + 1))
		say "ok $test_count - $1"
		;;
	success,*)
		test_failure=$((test_failure + 1))
		gw_print_failure "$1" "" "$2"
		gw_stop_if_immediate
		;;
	failure,0)
		test_fixed=$((test_fixed + 1))
		say "ok $test_count - $1 # TODO known breakage vanished"
		;;
	failure,*)
		test_broken=$((test_broken + 1))
		say "not ok $test_count - $1 # TODO known breakage"
		;;
	esac
	rm -f "$gw_log"
	return 0
}

gw_stop_if_immediate()
{
	if [ -n "$immediate" ]; then
		say "# stopping at the first failure (-i); trash kept in $TRASH_DIRECTORY"
		GW_EXIT_OK=t
		exit 1
	fi
}

# test_done: drops the databases, removes the trash directory when all
# passed, prints the summary and exits 0 or 1.
test_done()
{
	GW_EXIT_OK=t
	if [ $test_fixed -gt 0 ]; then
		say "# $test_fixed known breakage(s) vanished; please update test(s)"
	fi
	if [ $test_broken -gt 0 ]; then
		say "# still have $test_broken known breakage(s)"
	fi
	if [ $test_skipped -gt 0 ]; then
		say "# skipped $test_skipped test(s)"
	fi
	cd "$TRASH_ROOT" || cd /
	if [ $test_failure -eq 0 ]; then
		if [ -z "$debug" ]; then
			gw_drop_databases
			rm -rf "$TRASH_DIRECTORY" "$GW_TEST_DBLIST"
		fi
		if [ $test_count -eq 0 ]; then
			say "# no tests were run"
		else
			say "# passed all $test_count test(s)"
		fi
		say "1..$test_count"
		exit 0
	fi
	[ -z "$debug" ] && gw_drop_databases
	say "# failed $test_failure among $test_count test(s)"
	say "# trash directory kept: $TRASH_DIRECTORY"
	say "1..$test_count"
	exit 1
}

# ---- assertions ----------------------------------------------------------
#
# Their complaints go to fd 4, which is the test's log (or the terminal when
# verbose) even when the command's own stderr is sent to a file.

gw_complain()
{
	printf '%s\n' "$*" >&4
}

# test_expect_code N cmd args...: cmd must exit with exactly N.
test_expect_code()
{
	_gw_want=$1
	shift
	"$@"
	_gw_code=$?
	if [ "$_gw_code" = "$_gw_want" ]; then
		return 0
	fi
	gw_complain "test_expect_code: command exited with $_gw_code, we wanted $_gw_want: $*"
	return 1
}

# test_must_fail cmd args...: cmd must fail the way godwit fails on purpose
# (exit code 1, 2 or 3), not crash, die by a signal or be missing.
test_must_fail()
{
	"$@"
	_gw_code=$?
	if [ $_gw_code -eq 0 ]; then
		gw_complain "test_must_fail: command succeeded: $*"
		return 1
	elif [ $_gw_code -le 3 ]; then
		return 0
	elif [ $_gw_code -eq 126 ] || [ $_gw_code -eq 127 ]; then
		gw_complain "test_must_fail: command not found or not executable: $*"
	elif [ $_gw_code -gt 128 ]; then
		gw_complain "test_must_fail: died by signal $((_gw_code - 128)): $*"
	else
		gw_complain "test_must_fail: exit code $_gw_code is not one of godwit's (1-3): $*"
	fi
	return 1
}

# test_cmp expected actual: the files must be equal; prints the diff.
test_cmp()
{
	[ $# = 2 ] || BUG "test_cmp needs 2 files"
	if [ ! -e "$1" ] || [ ! -e "$2" ]; then
		gw_complain "test_cmp: missing file: $([ -e "$1" ] || echo "$1") $([ -e "$2" ] || echo "$2")"
		return 1
	fi
	diff -u "$@" >&4 2>&1
}

# test_grep [!] [grep options] PATTERN FILE: the file must (with !, must
# not) have a matching line; prints the file when it is not so.
test_grep()
{
	_gw_negate=
	if [ "$1" = "!" ]; then
		_gw_negate=t
		shift
	fi
	[ $# -ge 2 ] || BUG "test_grep needs a pattern and a file"
	eval "_gw_file=\${$#}"
	if [ ! -f "$_gw_file" ]; then
		gw_complain "test_grep: no file '$_gw_file'"
		return 1
	fi
	if [ -z "$_gw_negate" ]; then
		grep "$@" >/dev/null && return 0
		gw_complain "test_grep: no line matches in '$_gw_file': $*"
	else
		grep "$@" >/dev/null || return 0
		gw_complain "test_grep: a line matches in '$_gw_file', none should: $*"
	fi
	gw_complain "--- $_gw_file ---"
	cat "$_gw_file" >&4
	gw_complain "--- end of $_gw_file ---"
	return 1
}

# ---- godwit and files ------------------------------------------------------

# godwit args...: the binary under test.
godwit()
{
	if [ -z "${GODWIT:-}" ]; then
		gw_complain "godwit: GODWIT is not set (the path of the built binary)"
		return 127
	fi
	"$GODWIT" "$@"
}

# without_start_lines FILE: FILE without the lines saying that a migration
# starts ("godwit: applying V NAME", "godwit: reverting V NAME"), for a
# test that a run said nothing else on stderr.
without_start_lines()
{
	grep -v "^godwit: \(applying\|reverting\) [^ ]* [^ ]*\$" "$1" || :
}

# write_migration FILE <<EOF: writes stdin to FILE, creating its folder.
write_migration()
{
	[ $# = 1 ] || BUG "write_migration needs one file name"
	case $1 in
	*/*) mkdir -p "${1%/*}" || return 1 ;;
	esac
	cat >"$1"
}

# ---- databases -------------------------------------------------------------

# pg_db_url NAME: the URL of database NAME on the test server (the base URL
# with its database path replaced; query parameters are kept).
pg_db_url()
{
	[ -n "$PG_BASE_URL" ] || {
		gw_complain "pg_db_url: no test server (GW_TEST_PG or GODWIT_TEST_PG_URL)"
		return 1
	}
	printf '%s\n' "$PG_BASE_URL" |
		sed -E "s|^([A-Za-z][A-Za-z0-9+.-]*://[^/?]*)(/[^?]*)?(\\?.*)?\$|\\1/$1\\3|"
}

# pg_new_db: creates a new, uniquely named, empty database and exports
# PG_DB (its name) and PG_URL (its URL). Call it directly, not in $(...), so
# the variables reach the test. The database is dropped by test_done.
pg_new_db()
{
	if ! test_have_prereq PG; then
		gw_complain "pg_new_db: no test server (GW_TEST_PG or GODWIT_TEST_PG_URL) or no psql"
		return 1
	fi
	GW_DB_SEQ=$((GW_DB_SEQ + 1))
	PG_DB=$(printf 'gw_%s_%s_%s' "$TEST_NUMBER" "$$" "$GW_DB_SEQ" | tr 'A-Z' 'a-z' |
		tr -c 'a-z0-9_\n' '_')
	# template0 takes no connections, so parallel CREATE DATABASEs never
	# find their template busy.
	psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$PG_BASE_URL" \
		-c "CREATE DATABASE \"$PG_DB\" TEMPLATE template0 ENCODING 'UTF8'" >&4 2>&1 || {
		gw_complain "pg_new_db: cannot create database $PG_DB on $PG_BASE_URL"
		return 1
	}
	echo "$PG_DB" >>"$GW_TEST_DBLIST"
	PG_URL=$(pg_db_url "$PG_DB") || return 1
	export PG_DB PG_URL
}

gw_drop_databases()
{
	[ -n "$PG_BASE_URL" ] && [ -s "$GW_TEST_DBLIST" ] || return 0
	while read -r _gw_db; do
		psql -X -q -d "$PG_BASE_URL" \
			-c "DROP DATABASE IF EXISTS \"$_gw_db\" WITH (FORCE)" >/dev/null 2>&1 ||
			printf 'warning: could not drop database %s\n' "$_gw_db" >&6
	done <"$GW_TEST_DBLIST"
	: >"$GW_TEST_DBLIST"
}

# pg_sql ["SQL"]: runs SQL (or stdin) on $PG_URL; prints unaligned tuples.
pg_sql()
{
	[ -n "${PG_URL:-}" ] || {
		gw_complain "pg_sql: PG_URL is not set (call pg_new_db first)"
		return 1
	}
	if [ $# -gt 0 ]; then
		psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$PG_URL" -c "$1"
	else
		psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$PG_URL" -f -
	fi
}

# pg_count TABLE: the number of rows of TABLE in $PG_URL.
pg_count()
{
	pg_sql "SELECT count(*) FROM $1"
}

psql_count()
{
	pg_count "$@"
}

# pg_xacts DB: the transactions database DB has committed or rolled back
# so far (pg_stat_database, which a session adds to when it ends: call
# pg_wait_gone first). A simple query outside a transaction is one.
pg_xacts()
{
	psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$PG_BASE_URL" \
		-c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$1'"
}

# pg_wait_gone DB: waits (30 s at most) until no session is left on DB.
pg_wait_gone()
{
	_gw_i=0
	until test "$(psql -X -A -t -q -d "$PG_BASE_URL" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$1'")" = 0
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 600 || return 1
		sleep 0.05
	done
}

# The other sessions of $PG_URL's database whose query contains TEXT, as
# the pg_stat_activity filter the helpers below share.
_gw_pg_running()
{
	printf "FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%%%s%%' AND pid <> pg_backend_pid()" "$1"
}

# pg_ephemeral_left_by FILE: the ephemeral databases (of godwit test or
# drift --replay) left on the server by the run whose output is FILE. The
# names hold the run's pid: other scripts' runs share the server, so a
# count of every godwit_test_% database would see theirs.
pg_ephemeral_left_by()
{
	_gw_pid=$(sed -n "s/^testing on the ephemeral database godwit_test_\([0-9]*\)_.*/\1/p" "$1") &&
	test -n "$_gw_pid" &&
	pg_sql "SELECT datname FROM pg_database WHERE datname LIKE 'godwit\\_test\\_${_gw_pid}\\_%'"
}

# pg_running_queries TEXT: how many other sessions of $PG_URL's database
# run a query containing TEXT.
pg_running_queries()
{
	pg_sql "SELECT count(*) $(_gw_pg_running "$1")"
}

# pg_signal_queries cancel|terminate TEXT: cancels the query of (or ends)
# every other session of $PG_URL's database running a query with TEXT.
pg_signal_queries()
{
	pg_sql "SELECT pg_$1_backend(pid) $(_gw_pg_running "$2")" >/dev/null
}

# wait_for_file FILE [SECONDS]: waits (10 s at most, or SECONDS) until
# FILE exists and is not empty: a background run's exit code, a port a
# helper writes. Other background jobs (a lock holder) go on meanwhile,
# which a bare `wait` would wait for too.
wait_for_file()
{
	_gw_wait=$((${2:-10} * 10))
	until test -s "$1"
	do
		_gw_wait=$((_gw_wait - 1))
		test $_gw_wait -gt 0 || return 1
		sleep 0.1
	done
}

# wait_clock_past DIR: waits until the file system's clock is past the
# ctime of DIR and of every file in it. The checksum cache records a file
# only once it is older than the run (src/lib/source/sums.c), and keeps a
# folder's listing only once the folder is (listing.c), whose T0 is the
# kernel's coarse clock: it may lag a stamp by a tick (4 ms at HZ=250)
# where the kernel stamps finer, hence the pause at the end.
wait_clock_past()
{
	_gw_newest=$(stat -c '%.9Z' "$1" "$1"/* | tr -d . | sort -n | tail -n 1) &&
	while :; do
		: >.probe &&
		_gw_now=$(stat -c '%.9Y' .probe | tr -d .) &&
		[ "$_gw_now" -gt "$_gw_newest" ] && break
	done &&
	rm -f .probe &&
	sleep 0.02
}

# start_renames_held DIR USEC REGEX: status in project DIR, in the
# background, under strace, which holds each rename for USEC microseconds
# (a cache's new file before it replaces the old); the pid of godwit in
# $TRASH_DIRECTORY/pid, its output in out and its exit code in rc once it
# ends. Returns once a name in DIR/.godwit/sums matches REGEX (10 s at
# most).
start_renames_held()
{
	rm -f "$TRASH_DIRECTORY/pid" "$TRASH_DIRECTORY/rc"
	(
		cd "$1" &&
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			strace -f -o /dev/null -e trace=/^rename -e inject=/^rename:delay_enter="$2" \
			sh -c 'echo $$ >"$0" && exec "$@"' "$TRASH_DIRECTORY/pid" "$GODWIT" status \
			>"$TRASH_DIRECTORY/out" 2>&1
		echo $? >"$TRASH_DIRECTORY/rc"
	) &
	wait_for_file "$TRASH_DIRECTORY/pid" &&
	_gw_tries=0 &&
	until ls "$1"/.godwit/sums 2>/dev/null | grep -qE "$3"; do
		_gw_tries=$((_gw_tries + 1)) &&
		[ $_gw_tries -lt 200 ] || return 1
		sleep 0.05
	done
}

# pg_wait_for_query TEXT: waits (10 s at most) until another session of
# $PG_URL's database runs a query containing TEXT.
pg_wait_for_query()
{
	_gw_i=0
	until test "$(pg_running_queries "$1")" = 1
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 100 || return 1
		sleep 0.1
	done
}

# pg_wait_for_sleep TEXT: waits (10 s at most) until another session of
# $PG_URL's database whose query contains TEXT sleeps in pg_sleep. A psql
# -c "BEGIN; LOCK ...; SELECT pg_sleep(60)" shows its whole text from its
# BEGIN on, so pg_wait_for_query does not say the statements before the
# sleep have run; a session in pg_sleep has run them.
pg_wait_for_sleep()
{
	_gw_i=0
	until test "$(pg_sql "SELECT count(*) $(_gw_pg_running "$1") AND wait_event = 'PgSleep'")" = 1
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 100 || return 1
		sleep 0.1
	done
}

# pg_hold_lock TABLE: a psql session named gw-blocker locks TABLE of
# $PG_URL's database in ACCESS EXCLUSIVE mode and keeps it until the file
# `release` exists (never for a fixed time, which a loaded machine could
# outlast), or until the trash directory is gone: a script that touches
# `release` as it ends would otherwise remove the directory before the
# session saw the file, and the session, holding the script's output
# open, would keep ctest waiting until its timeout. Returns once the lock
# is held, with the session's pid in blocker.pid; it looks only at this
# database, since other scripts hold locks of their own on the suite's
# server.
pg_hold_lock()
{
	rm -f release blocker.pid &&
	{
		printf '%s\n' "BEGIN;" "LOCK TABLE $1 IN ACCESS EXCLUSIVE MODE;" \
			"\\! while [ ! -e release ] && [ -e blocker.out ]; do sleep 0.1; done" "COMMIT;" |
			PGAPPNAME=gw-blocker psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL" >blocker.out 2>&1
	} &
	_gw_i=0
	until pg_sql "SELECT pid FROM pg_stat_activity WHERE application_name = 'gw-blocker' AND state = 'idle in transaction' AND datname = current_database()" >blocker.pid &&
		test -s blocker.pid
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 300 || { touch release; return 1; }
		sleep 0.1
	done
}

# ---- PgBouncer in front of the suite's cluster ------------------------------
#
# The suite's cluster listens on a Unix socket: PG_SOCKET_DIR, PG_PORT and
# PG_USER say where, for a PgBouncer [databases] line; the prerequisite
# PGBOUNCER says a pgbouncer program and a server are there. A script keeps
# its PgBouncers' files (INI, pid, socket) in a folder $PGB of its own.

if [ -n "${PG_BASE_URL:-}" ]; then
	PG_SOCKET_DIR=$(printf "%s" "$PG_BASE_URL" | sed -n "s/.*[?&]host=\(\/[^&]*\).*/\1/p")
	PG_PORT=$(printf "%s" "$PG_BASE_URL" | sed -n "s/.*[?&]port=\([0-9]*\).*/\1/p")
	PG_USER=$(printf "%s" "$PG_BASE_URL" | sed -n "s/.*[?&]user=\([^&]*\).*/\1/p")
fi
if command -v pgbouncer >/dev/null 2>&1 && test_have_prereq PG && [ -n "${PG_SOCKET_DIR:-}" ]; then
	test_set_prereq PGBOUNCER
fi

# run_pgbouncer INI: starts a PgBouncer in the background. It refuses to
# run as root; as root it runs as the cluster's owner.
run_pgbouncer()
{
	if [ "$(id -u)" = 0 ]; then
		su postgres -s /bin/sh -c "pgbouncer -d $1"
	else
		pgbouncer -d "$1"
	fi
}

# stop_bouncers: stops the PgBouncers started with pid files in $PGB, and
# waits for them to close their server connections, so the database can
# be dropped.
stop_bouncers()
{
	for _gw_pidfile in "$PGB"/*.pid; do
		test -f "$_gw_pidfile" || continue
		_gw_pid=$(cat "$_gw_pidfile")
		kill "$_gw_pid" 2>/dev/null || continue
		_gw_i=0
		while kill -0 "$_gw_pid" 2>/dev/null && [ $_gw_i -lt 20 ]; do
			_gw_i=$((_gw_i + 1))
			sleep 0.1
		done
	done
	return 0
}

# sqlite_sql FILE ["SQL"]: runs SQL (or stdin) on the SQLite database FILE.
sqlite_sql()
{
	[ $# -ge 1 ] || BUG "sqlite_sql needs a database file"
	if [ $# -ge 2 ]; then
		sqlite3 -batch -bail "$1" "$2"
	else
		sqlite3 -batch -bail "$1"
	fi
}

# ---- one test on both databases -------------------------------------------
#
# Scripts that run the same tests on SQLite and PostgreSQL set $backend to
# "sqlite" or "pg" (with PG_URL from pg_new_db) and use these.

# gw args...: godwit on the current backend.
gw()
{
	if [ "$backend" = pg ]; then
		godwit --url "$PG_URL" "$@"
	else
		godwit "$@"
	fi
}

# db_sql SQL: runs SQL on the current backend.
db_sql()
{
	if [ "$backend" = pg ]; then
		pg_sql "$1"
	else
		sqlite_sql db/development.sqlite3 "$1"
	fi
}

# user_tables: the tables that are not godwit's, one a line, sorted.
user_tables()
{
	if [ "$backend" = pg ]; then
		db_sql "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'godwit%' ORDER BY 1"
	else
		db_sql "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'godwit%' AND name NOT LIKE 'sqlite%' ORDER BY 1"
	fi
}

# states [godwit args...]: from `status --format json`, one line per
# migration in the order listed: "version state tx|no-tx down|no-down".
states()
{
	gw "$@" status --format json >status.json || return 1
	awk -F'"' '
		/^    \{/ { v = ""; s = ""; t = "?"; d = "?" }
		/^      "version":/ { v = $4 }
		/^      "state":/ { s = $4 }
		/^      "transactional":/ { t = ($0 ~ /true/) ? "tx" : "no-tx" }
		/^      "has_down":/ { d = ($0 ~ /true/) ? "down" : "no-down" }
		/^    \}/ { print v, s, t, d }
	' status.json
}

# sqitch_env: runs sqitch (the real one) against the test server: a user
# config of its own in the trash folder, a fixed planner, and the server's
# socket folder, port and user from $PG_BASE_URL for db:pg:NAME targets.
sqitch_env()
{
	SQITCH_USER_CONFIG=$PWD/sqitch-user.conf
	SQITCH_FULLNAME=Tester
	SQITCH_EMAIL=tester@example.com
	PGHOST=$(printf "%s" "$PG_BASE_URL" | sed -n "s/.*[?&]host=\([^&]*\).*/\1/p")
	PGPORT=$(printf "%s" "$PG_BASE_URL" | sed -n "s/.*[?&]port=\([^&]*\).*/\1/p")
	PGUSER=$(printf "%s" "$PG_BASE_URL" | sed -n "s/.*[?&]user=\([^&]*\).*/\1/p")
	export SQITCH_USER_CONFIG SQITCH_FULLNAME SQITCH_EMAIL PGHOST PGPORT PGUSER
	: >"$SQITCH_USER_CONFIG"
}
