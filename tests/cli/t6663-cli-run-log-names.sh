#!/bin/sh
test_description='run logs: what counts as a log of the environment, two runs in one second, statements without their semicolon'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	write_migration m/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	CREATE TABLE b (id int)   
	-- migrate:down
	DROP TABLE b;
	DROP TABLE a;
	EOF
	mkdir logs &&
	for f in godwit-20240101T000000Z-dev.12.log godwit-20240101T000000Z_dev.log \
		godwit-20240101T000000Z-dex.log godwit-20240101T000000Z-dev..log \
		godwit-20240101T000000Z-dev.2 godwit-20240101T000000Z-devx.log \
		xodwit-20240101T000000Z-dev.log; do
		echo old >logs/$f || return 1
	done
'

# A numbered log of the environment is one of its logs; names that differ
# in one place are not, and stay.
test_expect_success 'log_keep = 1 removes the numbered log, and no near miss' '
	GODWIT_LOG_DIR=logs GODWIT_LOG_KEEP=1 godwit --dir m --url sqlite:a.db --env dev up 2>err &&
	ls logs | sed "s/^godwit-20[2-9][0-9]*T[0-9]*Z-dev\.log\$/NEW/" | sort >actual &&
	sort >expect <<-\EOF &&
	NEW
	godwit-20240101T000000Z-dev..log
	godwit-20240101T000000Z-dev.2
	godwit-20240101T000000Z-devx.log
	godwit-20240101T000000Z-dex.log
	godwit-20240101T000000Z_dev.log
	xodwit-20240101T000000Z-dev.log
	EOF
	test_cmp expect actual
'

# The log shows each statement as it ran, with its semicolon: the last
# one of the file had none, and blanks after it.
test_expect_success 'a statement without its semicolon is logged with one' '
	sed -n "/^-- 20240101000001 a, statement 2/,\$p" logs/godwit-20[2-9]*-dev.log >actual &&
	cat >expect <<-\EOF &&
	-- 20240101000001 a, statement 2 (m/20240101000001_a.sql)
	CREATE TABLE b (id int);
	applied  20240101000001 a (N ms)
	applied 1 migration
	EOF
	sed "s/([0-9]* ms)/(N ms)/" actual >actual.n &&
	test_cmp expect actual.n
'

# Logs are named by the second they start in; a second run in the same
# second gets .2, and so on. The next seconds are taken already, so the
# run below starts in one of them whatever the machine'\''s speed.
test_expect_success 'a run whose log name is taken gets the next number' '
	rm -rf logs2 && mkdir logs2 &&
	now=$(date -u +%s) &&
	for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do
		stamp=$(date -u -d "@$((now + i))" +%Y%m%dT%H%M%SZ) &&
		echo taken >logs2/godwit-$stamp-dev.log || return 1
	done &&
	GODWIT_LOG_DIR=logs2 GODWIT_LOG_KEEP=0 godwit --dir m --url sqlite:a.db --env dev down >out 2>err &&
	ls logs2 | grep "\.2\.log\$" >numbered &&
	test $(wc -l <numbered) = 1 &&
	head -n 1 logs2/$(cat numbered) >actual &&
	echo "# godwit down, environment dev, godwit $(godwit version | sed -n "s/^godwit //p")" >expect &&
	test_cmp expect actual &&
	test $(grep -l "^taken\$" logs2/* | wc -l) = 20
'

test_expect_success 'letters, digits, - _ and . stay in the file name; the rest become _' '
	rm -rf logs3 &&
	GODWIT_LOG_DIR=logs3 godwit --dir m --url sqlite:a.db --env "Eu-9_west.2:b@z Z" up >out 2>err &&
	ls logs3 | sed "s/^godwit-20[2-9][0-9]*T[0-9]*Z-/godwit-STAMP-/" >actual &&
	echo godwit-STAMP-Eu-9_west.2_b_z_Z.log >expect &&
	test_cmp expect actual
'

test_done
