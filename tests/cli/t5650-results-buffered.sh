#!/bin/sh
test_description='results bound for a file or a pipe leave in writes of 64 KiB, whole and in order; progress still comes line by line'
. "$(dirname "$0")/lib.sh"

# The CLI gives stdout a 64 KiB buffer when it is no terminal (main.c):
# stdio's 4 KiB made 171 writes of a 10,000-line status.
test_expect_success SQLITE3 'setup: 1,500 migrations applied' '
	mkdir -p proj/db/migrations &&
	i=1 &&
	while [ $i -le 1500 ]; do
		printf -- "-- migrate:up\nCREATE TABLE t%d (id int);\n" $i \
			>proj/db/migrations/$(printf "202401%08d" $i)_t$i.sql &&
		i=$((i + 1)) || return 1
	done &&
	(cd proj && godwit up >out 2>err) &&
	test_grep "applied 1500 migrations" proj/out
'

test_expect_success SQLITE3 'status to a pipe is the status to a file, whole, summary last' '
	(
		cd proj &&
		godwit status >to-file 2>err &&
		godwit status 2>err | cat >to-pipe &&
		test_cmp to-file to-pipe &&
		test "$(grep -c "^applied " to-file)" = 1500 &&
		test "$(tail -n 1 to-file)" = "1500 applied, 0 pending" &&
		test "$(wc -c <to-file)" -gt 65536
	)
'

# write(1, ...) calls of a run traced into $1.
stdout_writes()
{
	grep -c "^[0-9]* *write(1," "$1"
}

# traced FILE ARGS...: godwit ARGS with its write calls traced into FILE.
# LeakSanitizer cannot run under ptrace (a sanitizer build then fails at
# exit), so the traced runs check no leaks; the untraced ones still do.
traced()
{
	_gw_trace=$1 &&
	shift &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -e trace=write -o "$_gw_trace" "$GODWIT" "$@"
}

test_expect_success SQLITE3,STRACE 'status writes its results 64 KiB at a time' '
	(
		cd proj &&
		traced trace status >to-file 2>err &&
		size=$(wc -c <to-file) &&
		writes=$(stdout_writes trace) &&
		test "$writes" -eq $(((size + 65535) / 65536)) &&
		grep "^[0-9]* *write(1," trace | grep -q "= 65536$"
	)
'

test_expect_success SQLITE3,STRACE 'up to a pipe still writes each applied line as it is done' '
	(
		cd proj &&
		printf -- "-- migrate:up\nCREATE TABLE a1 (id int);\n" >db/migrations/20250101000001_a1.sql &&
		printf -- "-- migrate:up\nCREATE TABLE a2 (id int);\n" >db/migrations/20250101000002_a2.sql &&
		traced trace up >out 2>err &&
		test_grep "20250101000001" out &&
		test_grep "20250101000002" out &&
		grep "^[0-9]* *write(1," trace >lines &&
		test_grep "20250101000001 a1" lines &&
		! grep "20250101000001 a1.*20250101000002 a2" lines
	)
'

test_done
