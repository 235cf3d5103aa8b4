#!/bin/sh
test_description='the checksum cache: the same status from it as from the files, an edit that keeps size and mtime still seen, a damaged, foreign or unwritable cache ignored'
. "$(dirname "$0")/lib.sh"

# 70 migrations: over the 64 files from which a folder gets a checksum
# cache (src/lib/source/sums.c), in .godwit/sums/ of the project.

# The checksums' cache; list-<key> beside it is the folder's listing.
cache_file()
{
	ls "$1"/.godwit/sums/[0-9a-f]* 2>/dev/null
}

test_expect_success SQLITE3 'setup: 70 migrations with directives, sections and dependencies' '
	mkdir -p proj/db/migrations &&
	i=1 &&
	while [ $i -le 66 ]; do
		v=$(printf "202401010%05d" $i) &&
		printf -- "-- migrate:up\nCREATE TABLE t%d (id int);\n-- migrate:down\nDROP TABLE t%d;\n" $i $i \
			>proj/db/migrations/${v}_t$i.sql &&
		i=$((i + 1)) || return 1
	done &&
	write_migration proj/db/migrations/20240101000067_idx.sql <<-\EOF &&
	-- migrate:up transaction:false
	-- @depends-on: 20240101000003_t3.sql
	CREATE INDEX t3_id ON t3 (id);
	-- migrate:down
	DROP INDEX t3_id;
	EOF
	write_migration proj/db/migrations/20240101000068_nodown.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE nodown (id int);
	EOF
	write_migration proj/db/migrations/20240101000069_verify.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE v (id int);
	-- migrate:down
	-- migrate:verify
	SELECT id FROM v;
	EOF
	write_migration proj/db/migrations/20240101000070_late.sql <<-\EOF &&
	-- migrate:up
	-- @depends-on: 20240101000069_verify.sql, 20240101000067_idx.sql
	CREATE TABLE late (id int);
	-- migrate:down
	DROP TABLE late;
	EOF
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit up >out 2>err) &&
	test_grep "applied 70 migrations" proj/out &&
	test "$(ls proj/.godwit/sums | wc -l)" = 2 &&
	test -f proj/.godwit/sums/list-* &&
	test "$(grep -c "^2024" "$(cache_file proj)")" = 70
'

test_expect_success SQLITE3 'status, plan and status --format json say the same from the cache as from the files' '
	(
		cd proj &&
		for args in "status" "status --format json" "plan" "validate"; do
			GODWIT_CHECKSUM_CACHE=false godwit $args >expect 2>&1 &&
			godwit $args >actual 2>&1 &&
			test_cmp expect actual || return 1
		done
	) &&
	(cd proj && godwit status --format json) >json &&
	test_grep "\"version\": \"20240101000067\"" json
'

test_expect_success SQLITE3 'an edit that keeps the size and puts the mtime back is seen' '
	f=proj/db/migrations/20240101000040_t40.sql &&
	cp -p $f saved.sql &&
	test_when_finished "cp saved.sql $f" &&
	mtime=$(stat -c "%.9Y" $f) &&
	size=$(stat -c %s $f) &&
	sed "s/(id int)/(ix int)/" saved.sql >$f &&
	touch -d "@$mtime" $f &&
	test "$(stat -c "%.9Y" $f)" = "$mtime" &&
	test "$(stat -c %s $f)" = "$size" &&
	(cd proj && test_expect_code 3 godwit status --exit-code >../out) &&
	test_grep "^changed *20240101000040 *t40" out &&
	# Still seen once the edit is older than a run, from the cache.
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit status >/dev/null) &&
	grep "^20240101000040_t40.sql" "$(cache_file proj)" >line &&
	(cd proj && test_expect_code 3 godwit status --exit-code >../out) &&
	test_grep "^changed *20240101000040 *t40" out
'

test_expect_success SQLITE3 'a file with an mtime ahead of the clock is never recorded' '
	f=proj/db/migrations/20240101000041_t41.sql &&
	touch -d "+1 hour" $f &&
	test_when_finished "touch $f" &&
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit status >/dev/null && godwit status >out) &&
	test_grep ! "^20240101000041_t41.sql" "$(cache_file proj)" &&
	test "$(grep -c "^2024" "$(cache_file proj)")" = 69 &&
	test_grep "^70 applied" proj/out
'

test_expect_success SQLITE3 'a damaged cache is ignored and written again' '
	c=$(cache_file proj) &&
	sed "5s/[0-9a-f]\{64\}/0000000000000000000000000000000000000000000000000000000000000000/" "$c" >damaged &&
	! cmp -s damaged "$c" &&
	cp damaged "$c" &&
	(cd proj && godwit status >out 2>err) &&
	test_cmp /dev/null proj/err &&
	test_grep "^70 applied" proj/out &&
	! cmp -s damaged "$c" &&
	head -c 200 "$c" >cut &&
	cp cut "$c" &&
	(cd proj && godwit status >out 2>err) &&
	test_cmp /dev/null proj/err &&
	test_grep "^70 applied" proj/out &&
	test "$(grep -c "^2024" "$c")" -ge 69
'

test_expect_success SQLITE3 'the cache of another folder is ignored' '
	cp -a proj copy &&
	rm -rf copy/.godwit &&
	(cd copy && godwit status >/dev/null) &&
	cp "$(cache_file proj)" "$(cache_file copy)" &&
	(cd copy && godwit status >out 2>err) &&
	test_cmp /dev/null copy/err &&
	test_grep "^70 applied" copy/out &&
	head -n 1 "$(cache_file copy)" >first &&
	test_grep "$(cd copy/db/migrations && pwd -P)\$" first
'

test_expect_success SQLITE3 'a cache that cannot be written is no error' '
	cp -a proj ro &&
	rm -rf ro/.godwit &&
	: >ro/.godwit &&
	(cd ro && godwit status >out 2>err && godwit status >out 2>err) &&
	test_cmp /dev/null ro/err &&
	test_grep "^70 applied" ro/out &&
	test -f ro/.godwit
'

# From 2,000 files on, a thread stats the later half of the folder
# (gw_stat_ahead, stat.c): an edit in either half is seen all the same.
test_expect_success SQLITE3 'a folder of 2,100 files: an edit in either half is seen' '
	mkdir -p big/db/migrations &&
	awk "BEGIN { for (i = 1; i <= 2100; i++) {
		f = sprintf(\"big/db/migrations/2024%010d_t%d.sql\", i, i)
		printf \"-- migrate:up\\nCREATE TABLE t%d (id int);\\n\", i >f
		close(f) } }" &&
	wait_clock_past big/db/migrations &&
	(cd big && godwit status --format json >../first) &&
	test "$(grep -c "^2024" "$(cache_file big)")" = 2100 &&
	for n in 10 2000; do
		f=$(printf "big/db/migrations/2024%010d_t%d.sql" $n $n) &&
		mtime=$(stat -c "%.9Y" $f) &&
		sed "s/(id int)/(ix int)/" $f >edited &&
		cat edited >$f &&
		touch -d "@$mtime" $f || return 1
	done &&
	rm big/db/migrations/2024000000016[0-9]_t16[0-9].sql &&
	(cd big && GODWIT_CHECKSUM_CACHE=false godwit status --format json >../expect) &&
	(cd big && godwit status --format json >../actual) &&
	test_cmp expect actual &&
	! cmp -s first actual &&
	test "$(grep -c "\"state\": \"pending\"" actual)" = 2090
'

# The cache is mapped while the folder loads and replaced by a rename
# (sums.c). A file touched is read again and, too recent to record, makes
# every run write the cache anew: four runs at a time, eight each, read
# the cache while the others replace it, and all say the same.
test_expect_success SQLITE3 'runs at the same time, the cache replaced under them, all say the same' '
	(cd big && GODWIT_CHECKSUM_CACHE=false godwit status --format json >../expect) &&
	pids= &&
	for r in 1 2 3 4; do
		(
			cd big &&
			i=0 &&
			while [ $i -lt 8 ]; do
				n=$((1000 + 100 * r + i)) &&
				touch "$(printf "db/migrations/2024%010d_t%d.sql" $n $n)" &&
				godwit status --format json >../run.$r.$i 2>../err.$r.$i || exit 1
				i=$((i + 1))
			done
		) &
		pids="$pids $!"
	done &&
	for pid in $pids; do
		wait $pid || return 1
	done &&
	for f in run.*; do
		test_cmp expect $f || return 1
	done &&
	test "$(ls run.* | wc -l)" = 32 &&
	test "$(cat err.* | wc -c)" = 0 &&
	test "$(grep -c "^2024" "$(cache_file big)")" -gt 2000
'

# The new cache file a run writes before it renames it over the old:
# <key>.XXXXXX, as mkstemp names it (list-<key>.XXXXXX for the listing).
leftovers()
{
	ls "$1"/.godwit/sums | grep -E "^(list-)?[0-9a-f]{16}\.[A-Za-z0-9]{6}\$"
}

test_expect_success SQLITE3,STRACE 'a run killed while it writes the cache leaves its file, removed once old by a run that writes' '
	cp -a proj killed &&
	rm -rf killed/.godwit &&
	wait_clock_past killed/db/migrations &&
	# Each rename held for 20 s: the first is the folder'"'"'s listing'"'"'s,
	# kept before the checksums are read.
	start_renames_held killed 20000000 "^(list-)?[0-9a-f]{16}\\.[A-Za-z0-9]{6}\$" &&
	kill -9 "$(cat pid)" &&
	left=$(leftovers killed) &&
	case $left in list-*) ;; *) false ;; esac &&
	test "$(ls killed/.godwit/sums | wc -l)" = 1 &&
	# The next run writes the cache and leaves a file that may be
	# another run'"'"'s, being written.
	(cd killed && godwit status >out) &&
	test_grep "^70 applied" killed/out &&
	test "$(leftovers killed)" = "$left" &&
	test "$(ls killed/.godwit/sums | wc -l)" = 3 &&
	# An hour old, it is no run'"'"'s: the next run that writes removes it.
	touch -d "1 hour ago" "killed/.godwit/sums/$left" &&
	(cd killed && godwit status >out) &&
	test "$(leftovers killed)" = "$left" &&
	# Its name may end in a hex digit too: the cache alone, by its name.
	rm "killed/.godwit/sums/$(ls killed/.godwit/sums | grep -xE "[0-9a-f]{16}")" &&
	test "$(leftovers killed)" = "$left" &&
	(cd killed && godwit status >out) &&
	test_grep "^70 applied" killed/out &&
	! leftovers killed &&
	test "$(ls killed/.godwit/sums | wc -l)" = 2
'

# The stats of the migration files by name in their folder, by a status
# run in project $1 (strace -y shows the folder an fd is open on).
folder_stats()
{
	(
		cd "$1" &&
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			strace -f -y -o ../trace -e trace=newfstatat,statx "$GODWIT" status >../out 2>&1
	) &&
	grep -c "<[^>]*/db/migrations>, \"2024" trace || :
}

test_expect_success SQLITE3,STRACE 'a first run stats each file once, after T0; a run from the cache once' '
	cp -a proj once &&
	rm -rf once/.godwit &&
	wait_clock_past once/db/migrations &&
	test "$(folder_stats once)" = 70 &&
	test "$(grep -c "^2024" "$(cache_file once)")" = 70 &&
	test "$(folder_stats once)" = 70 &&
	test_grep "^70 applied" out
'

test_expect_success SQLITE3 'checksum_cache = false, or a small folder: no cache' '
	cp -a proj off &&
	rm -rf off/.godwit &&
	echo "checksum_cache = false" >off/godwit.conf &&
	(cd off && godwit status >out) &&
	test_grep "^70 applied" off/out &&
	test ! -e off/.godwit &&
	mkdir -p small/db/migrations &&
	cp proj/db/migrations/2024010100000?_*.sql small/db/migrations/ &&
	(cd small && godwit status >out) &&
	test ! -e small/.godwit
'

test_done
