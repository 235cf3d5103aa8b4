#!/bin/sh
test_description='system calls that fail: serve and the run log say why, and nothing is left half done'
. "$(dirname "$0")/lib.sh"

# godwit-oom is the CLI with test-only wrappers (tests/unit/fault_cli.c):
# GW_TEST_FAULT=NAME[:N] makes its Nth call to NAME fail as the system
# would (a thread or a pipe that cannot be made, libmicrohttpd missing or
# too old, its server refusing to start).
fault()
{
	GW_TEST_FAULT=$1 && shift &&
	export GW_TEST_FAULT &&
	"$GW_TEST_GODWIT_OOM" "$@"
	_gw_rc=$?
	unset GW_TEST_FAULT
	return $_gw_rc
}

test_expect_success 'setup: a SQLite project with one migration' '
	write_migration db/migrations/001_t.sql <<-\EOF
	-- migrate:up
	CREATE TABLE t (id int);
	-- migrate:down
	DROP TABLE t;
	EOF
'

test_expect_success 'serve: a thread that cannot be started is an error with the reason' '
	test_expect_code 1 fault pthread_create --url sqlite:x.db serve --listen 127.0.0.1:0 >out 2>err &&
	echo "godwit: error: cannot start a thread: Resource temporarily unavailable" >expect &&
	test_cmp expect err &&
	test ! -s out &&
	test ! -e x.db
'

test_expect_success 'serve: libmicrohttpd that is not installed names what to install' '
	test_expect_code 1 fault dlopen --url sqlite:x.db serve --listen 127.0.0.1:0 >out 2>err &&
	echo "godwit: error: cannot load libmicrohttpd.so.12: libgodwit-test-not-installed.so.0: cannot open shared object file: No such file or directory; install it (Debian: apt-get install libmicrohttpd12)" >expect &&
	test_cmp expect err &&
	test ! -s out
'

test_expect_success 'serve: a libmicrohttpd without a function it needs is too old' '
	test_expect_code 1 fault dlsym --url sqlite:x.db serve --listen 127.0.0.1:0 >out 2>err &&
	echo "godwit: error: libmicrohttpd.so.12 is too old for godwit serve; install libmicrohttpd 0.9.71 or newer" >expect &&
	test_cmp expect err &&
	test ! -s out
'

test_expect_success 'serve: each of the eight functions it needs missing is too old, and nothing else' '
	echo "godwit: error: libmicrohttpd.so.12 is too old for godwit serve; install libmicrohttpd 0.9.71 or newer" >expect &&
	for n in 2 3 4 5 6 7 8; do
		test_expect_code 1 fault dlsym:$n --url sqlite:x.db serve --listen 127.0.0.1:0 >out 2>err &&
		test_cmp expect err &&
		test ! -s out || return 1
	done
'

test_expect_success 'serve: an HTTP server that does not start stops the refresh thread and exits' '
	test_expect_code 1 fault MHD_start_daemon --url sqlite:x.db serve --listen 127.0.0.1:0 >out 2>err &&
	sed "s/:[0-9]*\$/:PORT/" err >actual &&
	echo "godwit: error: cannot start the HTTP server on http://127.0.0.1:PORT" >expect &&
	test_cmp expect actual &&
	test ! -s out
'

# The listening socket: each call that fails is named by its reason, and
# the database is not opened. getnameinfo gives its reason as its result,
# not in errno.
for f in socket:"Too many open files" setsockopt:"No buffer space available" \
	listen:"No buffer space available" getsockname:"No buffer space available" \
	getnameinfo:"Non-recoverable failure in name resolution"; do
	test_expect_success "serve: ${f%%:*} failing is an error with its reason" "
		test_expect_code 1 fault ${f%%:*} --url sqlite:x.db serve --listen 127.0.0.1:0 >out 2>err &&
		printf '%s\\n' 'godwit: error: cannot listen on 127.0.0.1:0: ${f#*:}' 'hint: choose another port with --listen ADDR:PORT' >expect &&
		test_cmp expect err &&
		test ! -s out &&
		test ! -e x.db
	"
done

# The run log's pipes and thread: the run goes on without the log, says
# why, and leaves no log of a header alone (it would read as a run that
# did nothing).
for f in pipe pipe:2 pthread_create; do
	case $f in
	pthread_create) why="Resource temporarily unavailable" ;;
	*) why="Too many open files" ;;
	esac
	test_expect_success "run log: $f failing, up applies without the log" "
		rm -rf logs x.db &&
		fault $f --url sqlite:x.db --log-dir logs up >out 2>err &&
		test_grep \"^godwit: warning: cannot write the run's log logs/godwit-[0-9TZ]*-development.log: $why; going on without it\\\$\" err &&
		test_grep \"^godwit: applying 001 t\\\$\" err &&
		test_grep \"^applied 1 migration\\\$\" out &&
		test \"\$(sqlite_sql x.db \"SELECT count(*) FROM t\")\" = 0 &&
		test -d logs &&
		test -z \"\$(ls logs)\"
	"
done

# A poll that fails for want of memory used to end the thread that copies
# the run's output: what the run printed next was never shown nor logged,
# and the run waited for it forever.
test_expect_success 'run log: a poll that fails loses nothing, on the terminal or in the log' '
	rm -rf logs x.db &&
	fault poll --url sqlite:x.db --log-dir logs up >out 2>err &&
	test_grep "^applied 1 migration\$" out &&
	test_grep "^godwit: applying 001 t\$" err &&
	test_grep "^CREATE TABLE t (id int);\$" logs/godwit-*-development.log &&
	test_grep "^applied 1 migration\$" logs/godwit-*-development.log &&
	test "$(sqlite_sql x.db "SELECT count(*) FROM t")" = 0
'

test_done
