#!/bin/sh
test_description='run logs: out of file descriptors, a long line, many old logs, an old log that cannot be removed, a folder that cannot be made'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	write_migration m/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	printf -- "-- migrate:up\nSELECT ${SQ}%s${SQ};\n-- migrate:down\nSELECT 1;\n" \
		"$(printf "%05000d" 0)" >m/20240101000002_long.sql
'

# With few descriptors the log file opens but its pipes or the copies of
# stdout and stderr do not (which one depends on what else is open): the
# run warns and goes on, printing as without a log. Fewer still, and the
# run itself fails (it cannot read its folder); more, and there is no
# warning: some limit in between must give the warning and the output.
test_expect_success 'out of file descriptors: a warning, and the run goes on without the log' '
	godwit --dir m --url sqlite:a.db up --dry-run >expect 2>/dev/null &&
	warned=0 &&
	for n in 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		(ulimit -n $n && GODWIT_LOG_DIR=fd exec "$GODWIT" --dir m --url sqlite:a.db up --dry-run) \
			>out 2>err 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- || continue
		test_cmp expect out || return 1
		if test -s err; then
			test_grep "^godwit: warning: cannot write the run${SQ}s log fd/godwit-[0-9T]*Z-development\(\.[0-9]*\)\?\.log: Too many open files; going on without it$" err &&
			warned=$((warned + 1)) || return 1
		fi
	done &&
	test $warned -gt 0 &&
	test ! -e a.db
'

test_expect_success 'a line longer than the copy buffer reaches the terminal and the log whole' '
	GODWIT_LOG_DIR=logs godwit --dir m --url sqlite:a.db up --dry-run >out &&
	test $(wc -c <out) -gt 5000 &&
	test_grep "^SELECT ${SQ}0\{5000\}${SQ};$" out &&
	tail -n +2 logs/godwit-*-development.log >logged &&
	test_cmp out logged
'

test_expect_success 'forty old logs are pruned to log_keep; one that is a folder is warned about' '
	mkdir old &&
	for i in $(seq 10 49); do
		echo old >old/godwit-19900101T0000${i}Z-development.log || return 1
	done &&
	mkdir old/godwit-19800101T000000Z-development.log &&
	GODWIT_LOG_DIR=old GODWIT_LOG_KEEP=3 godwit --dir m --url sqlite:a.db up --dry-run >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: warning: cannot remove the old log old/godwit-19800101T000000Z-development.log: Is a directory
	EOF
	test_cmp expect err &&
	ls old | sed "s/^godwit-20[2-9][0-9]*T[0-9]*Z-development\.log\$/NEW/" >actual &&
	cat >expect <<-\EOF &&
	godwit-19800101T000000Z-development.log
	godwit-19900101T000048Z-development.log
	godwit-19900101T000049Z-development.log
	NEW
	EOF
	test_cmp expect actual
'

test_expect_success 'a log_dir below a file: a warning naming it, and the run goes on' '
	echo x >afile &&
	GODWIT_LOG_DIR=afile/b/c godwit --dir m --url sqlite:a.db up --dry-run >out 2>err &&
	test_grep "^godwit: warning: cannot write the run${SQ}s log in afile/b/c: Not a directory; going on without it\$" err &&
	test_grep "^SELECT ${SQ}0\{5000\}${SQ};$" out &&
	test ! -e a.db
'

test_done
