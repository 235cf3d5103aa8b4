#!/bin/sh
test_description='run logs: the environment in the file name, old logs pruned by name, a log that cannot be made'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	write_migration m/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	mkdir logs &&
	for f in godwit-20240101T000000Z-prod.log godwit-20240101T000000Z-dev.3.log \
		godwit-20240101T000001Z-dev.log godwit-20240101T000000Z-dev.x.log \
		godwit-short.log notes.txt godwit-20240101T000000Y-dev.log; do
		echo old >logs/$f || return 1
	done
'

# Only the logs of this environment count toward log_keep: those of
# another environment, and files that only look like logs, stay.
test_expect_success 'log_keep = 1 keeps the new log and removes the older ones of this environment' '
	GODWIT_LOG_DIR=logs GODWIT_LOG_KEEP=1 godwit --dir m --url sqlite:a.db --env dev up &&
	ls logs | sed "s/^godwit-20[2-9][0-9]*T[0-9]*Z-dev\.log\$/NEW/" >actual &&
	cat >expect <<-\EOF &&
	NEW
	godwit-20240101T000000Y-dev.log
	godwit-20240101T000000Z-dev.x.log
	godwit-20240101T000000Z-prod.log
	godwit-short.log
	notes.txt
	EOF
	sort expect >expect.sorted &&
	sort actual >actual.sorted &&
	test_cmp expect.sorted actual.sorted
'

test_expect_success 'an environment name is made safe for a file name' '
	GODWIT_LOG_DIR=logs godwit --dir m --url sqlite:a.db --env "pr/12 x" down &&
	ls logs | grep "^godwit-20[2-9][0-9]*T[0-9]*Z-pr_12_x\.log\$" &&
	test "$(sqlite3 a.db "SELECT count(*) FROM sqlite_master WHERE name = '\''a'\''")" = 0
'

test_expect_success 'log_keep = 0 keeps every log' '
	ls logs >before &&
	GODWIT_LOG_DIR=logs GODWIT_LOG_KEEP=0 godwit --dir m --url sqlite:a.db --env dev up &&
	test $(ls logs | wc -l) = $(($(wc -l <before) + 1))
'

test_expect_success 'a log_dir that cannot be made: a warning, and the run goes on' '
	echo x >afile &&
	GODWIT_LOG_DIR=afile/sub godwit --dir m --url sqlite:a.db down 2>err &&
	test_grep "^godwit: warning: cannot write the run${SQ}s log in afile/sub: Not a directory; going on without it\$" err &&
	test "$(sqlite3 a.db "SELECT count(*) FROM sqlite_master WHERE name = '\''a'\''")" = 0
'

test_done
