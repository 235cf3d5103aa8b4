#!/bin/sh
test_description='a folder large enough to be read ahead on a second thread: every file in order, symlinks still checked, a failed read still reported'
. "$(dirname "$0")/lib.sh"

# 80 migrations: over the 64 files from which a second thread reads the
# folder ahead of the loader (src/lib/source/read.c).

test_expect_success SQLITE3 'setup: 80 applied migrations' '
	mkdir -p proj/db/migrations outside &&
	i=1 &&
	while [ $i -le 80 ]; do
		v=$(printf "202401010%05d" $i) &&
		printf -- "-- migrate:up\nCREATE TABLE t%d (id int);\n-- migrate:down\nDROP TABLE t%d;\n" $i $i \
			>proj/db/migrations/${v}_t$i.sql &&
		i=$((i + 1)) || return 1
	done &&
	(cd proj && godwit up >out) &&
	test_grep "applied 80 migrations" proj/out &&
	OUTSIDE=$(cd outside && pwd -P) &&
	PROJ=$(cd proj && pwd -P)
'

# "STATE VERSION NAME" of each migration status lists.
states()
{
	(cd "$1" && godwit status) | awk '$1 == "applied" || $1 == "changed" { print $1, $2, $3 }'
}

test_expect_success SQLITE3 'status sees every file, in order, and the one changed' '
	printf -- "-- migrate:up\nCREATE TABLE t40 (id bigint);\n-- migrate:down\nDROP TABLE t40;\n" \
		>proj/db/migrations/20240101000040_t40.sql &&
	test_when_finished "printf -- \"-- migrate:up\\nCREATE TABLE t40 (id int);\\n-- migrate:down\\nDROP TABLE t40;\\n\" >proj/db/migrations/20240101000040_t40.sql" &&
	i=1 &&
	while [ $i -le 80 ]; do
		state=applied &&
		if [ $i = 40 ]; then state=changed; fi &&
		printf "%s 202401010%05d t%d\n" $state $i $i &&
		i=$((i + 1)) || return 1
	done >expect &&
	states proj >actual &&
	test_cmp expect actual
'

# The same files in a folder too small to be read ahead give the same
# checksums: no file was given another'"'"'s text.
test_expect_success SQLITE3 'each file has its own checksum, as without reading ahead' '
	mkdir -p small/db/migrations &&
	cp proj/db/migrations/2024010100003?_*.sql small/db/migrations/ &&
	(cd proj && godwit status --format json) | grep "\"checksum\"" | sed -n "30,39p" >expect &&
	(cd small && godwit status --format json) | grep "\"checksum\"" >actual &&
	test "$(wc -l <actual)" = 10 &&
	test_cmp expect actual
'

# The ring between the two threads (read.c) holds 128 files and 1 MiB
# of them at most; each side wakes the other once a batch of 32 is ready.
# A folder of 700 files, some of 24 KiB (past what a slot keeps) and
# four of 1 MiB (each past what the ring may hold at once, one in the
# first batch the loader waits for): every file'"'"'s
# checksum is the one a folder too small to be read ahead gives it.
test_expect_success SQLITE3 'through many turns of the ring, large files among them, each file has its own checksum' '
	mkdir -p many/db/migrations &&
	awk "BEGIN {
		pad = \"-\"; while (length(pad) < 24000) pad = pad pad
		big = pad; while (length(big) < 600000) big = big big
		for (i = 1; i <= 700; i++) {
			f = sprintf(\"many/db/migrations/2024%010d_t%d.sql\", i, i)
			printf \"CREATE TABLE t%d (id int);\\n\", i >f
			if (i % 50 == 7) printf \"-- %s\\n\", pad >f
			if (i == 3 || i == 100 || i == 101 || i == 102) printf \"-- %s\\n\", big >f
			close(f) } }" &&
	test "$(wc -c <many/db/migrations/20240000000101_t101.sql)" -gt 1048576 &&
	(cd many && GODWIT_CHECKSUM_CACHE=false timeout -k 5 60 "$GODWIT" status --format json) |
		grep "\"checksum\"" >expect &&
	test "$(wc -l <expect)" = 700 &&
	: >actual &&
	for chunk in 0 1 2 3 4 5 6 7 8 9 10 11; do
		rm -rf part && mkdir -p part/db/migrations &&
		ls many/db/migrations | sed -n "$((chunk * 60 + 1)),$((chunk * 60 + 60))p" >names &&
		(cd many/db/migrations && cp $(cat ../../../names) ../../../part/db/migrations/) &&
		(cd part && godwit status --format json) | grep "\"checksum\"" >>actual || return 1
	done &&
	test_cmp expect actual
'

test_expect_success SQLITE3 'a symlink out of the project among them is refused' '
	printf -- "-- migrate:up\nSELECT 1;\n" >outside/evil.sql &&
	ln -s "$OUTSIDE/evil.sql" proj/db/migrations/20240101000050_evil.sql &&
	test_when_finished "rm -f proj/db/migrations/20240101000050_evil.sql" &&
	(
		cd proj &&
		test_expect_code 1 godwit status >out 2>err &&
		echo "godwit: error: db/migrations/20240101000050_evil.sql: is a symbolic link to $OUTSIDE/evil.sql, outside the project ($PROJ); godwit does not follow it there" >expect &&
		head -n 1 err >actual &&
		test_cmp expect actual
	)
'

test_expect_success SQLITE3 'a file that cannot be read is named, though the other thread read it first' '
	ln -s no-such-file.sql proj/db/migrations/20240101000070_gone.sql &&
	test_when_finished "rm -f proj/db/migrations/20240101000070_gone.sql" &&
	(
		cd proj &&
		test_expect_code 1 godwit status >out 2>err &&
		echo "godwit: error: cannot read db/migrations/20240101000070_gone.sql: No such file or directory" >expect &&
		head -n 1 err >actual &&
		test_cmp expect actual
	)
'

test_done
