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
