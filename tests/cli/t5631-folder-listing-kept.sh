#!/bin/sh
test_description='the folder listing kept beside the checksums: no folder read while it is unchanged; every file added, removed or renamed seen, a folder replaced, a listing damaged or of another folder, a link, a folder stamped ahead, a file added while the listing is kept'
. "$(dirname "$0")/lib.sh"

# src/lib/source/listing.c keeps the listing of a folder of 64 entries or
# more in .godwit/sums/list-<key>, with the folder's identity (device,
# inode, mtime, ctime), and reads it instead of the folder while that
# identity stays. Each case compares status (its text and exit code) with
# a run with no cache at all, and counts the reads of the migrations
# folder (getdents64) with strace.

listing_file()
{
	ls "$1"/.godwit/sums/list-* 2>/dev/null
}

# status in $1, from its caches and without them: the same text and code.
same_status()
{
	(
		cd "$1" &&
		{
			GODWIT_CHECKSUM_CACHE=false "$GODWIT" status --format json
			echo "exit $?"
		} >../expect 2>&1
		{
			"$GODWIT" status --format json
			echo "exit $?"
		} >../actual 2>&1
	) &&
	test_cmp expect actual
}

# The reads of $1's migrations folder by a status run there.
folder_reads()
{
	(
		cd "$1" &&
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			strace -f -y -o ../trace -e trace=getdents64 "$GODWIT" status >../out 2>&1
	) &&
	grep -c "getdents64([0-9]*<[^>]*/db/migrations>" trace || :
}

test_expect_success SQLITE3,STRACE 'setup: 70 migrations, a note and a folder beside them; a second run reads no folder' '
	mkdir -p proj/db/migrations/notes &&
	i=1 &&
	while [ $i -le 70 ]; do
		printf -- "-- migrate:up\nCREATE TABLE t%d (id int);\n" $i \
			>"proj/db/migrations/$(printf "202401010%05d" $i)_t$i.sql" &&
		i=$((i + 1)) || return 1
	done &&
	echo "how we migrate" >proj/db/migrations/README.md &&
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit up >out 2>&1) &&
	test_grep "applied 70 migrations" proj/out &&
	test -f "$(listing_file proj)" &&
	head -n 1 "$(listing_file proj)" >first &&
	test_grep "^godwit-list 1	" first &&
	test_grep "^sREADME.md\$" "$(listing_file proj)" &&
	test_grep "^snotes\$" "$(listing_file proj)" &&
	test_grep "^m20240101000070_t70.sql\$" "$(listing_file proj)" &&
	test "$(folder_reads proj)" = 0 &&
	test_grep "^70 applied" out &&
	same_status proj
'

test_expect_success SQLITE3,STRACE 'a file added is seen, and the listing kept again' '
	write_migration proj/db/migrations/20240101000071_t71.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t71 (id int);
	EOF
	test "$(folder_reads proj)" -gt 0 &&
	test_grep "^70 applied, 1 pending" out &&
	same_status proj &&
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit status >/dev/null) &&
	test "$(folder_reads proj)" = 0 &&
	test_grep "^70 applied, 1 pending" out
'

test_expect_success SQLITE3,STRACE 'a file removed, a file renamed, a file of another kind added: each seen' '
	rm proj/db/migrations/20240101000040_t40.sql &&
	test "$(folder_reads proj)" -gt 0 &&
	same_status proj &&
	test_grep "20240101000040" expect &&
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit status >/dev/null) &&
	test "$(folder_reads proj)" = 0 &&
	mv proj/db/migrations/20240101000071_t71.sql proj/db/migrations/20240101000072_t72.sql &&
	same_status proj &&
	test_grep "20240101000072" expect &&
	test_grep ! "20240101000071" expect &&
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit status >/dev/null) &&
	echo "-- not a migration" >proj/db/migrations/20240101000073_t73.txt &&
	same_status proj &&
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit status >/dev/null) &&
	test_grep "^s20240101000073_t73.txt\$" "$(listing_file proj)" &&
	printf -- "-- migrate:up\nCREATE TABLE t40 (id int);\n" \
		>proj/db/migrations/20240101000040_t40.sql &&
	rm proj/db/migrations/20240101000072_t72.sql proj/db/migrations/20240101000073_t73.txt &&
	same_status proj &&
	test_grep "\"pending\": 0," expect &&
	test_grep "\"missing\": 0," expect
'

test_expect_success SQLITE3 'a folder replaced by a copy with the same mtime, one file more: seen' '
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit status >/dev/null) &&
	kept=$(cat "$(listing_file proj)") &&
	mv proj/db/migrations proj/db/old &&
	cp -a proj/db/old proj/db/migrations &&
	printf -- "-- migrate:up\nCREATE TABLE t74 (id int);\n" \
		>proj/db/migrations/20240101000074_t74.sql &&
	touch -r proj/db/old proj/db/migrations &&
	test "$(stat -c %.9Y proj/db/old)" = "$(stat -c %.9Y proj/db/migrations)" &&
	rm -rf proj/db/old &&
	test "$(cat "$(listing_file proj)")" = "$kept" &&
	same_status proj &&
	test_grep "20240101000074" expect
'

test_expect_success SQLITE3,STRACE 'a damaged listing is read around and kept again' '
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit status >/dev/null) &&
	l=$(listing_file proj) &&
	sed "s/^m20240101000005_t5.sql\$/m20240101000005_tx.sql/" "$l" >damaged &&
	! cmp -s damaged "$l" &&
	cp damaged "$l" &&
	test "$(folder_reads proj)" -gt 0 &&
	same_status proj &&
	test_grep ! "_tx" expect &&
	! cmp -s damaged "$l" &&
	head -c 100 "$l" >cut &&
	cp cut "$l" &&
	same_status proj &&
	test "$(folder_reads proj)" = 0
'

test_expect_success SQLITE3,STRACE 'the listing of another folder is not taken' '
	cp -a proj copy &&
	rm -rf copy/.godwit &&
	echo "-- migrate:up" >copy/db/migrations/20240101000075_t75.sql &&
	wait_clock_past copy/db/migrations &&
	(cd copy && godwit status >/dev/null) &&
	cp "$(listing_file proj)" "$(listing_file copy)" &&
	test "$(folder_reads copy)" -gt 0 &&
	same_status copy &&
	test_grep "20240101000075" expect &&
	head -n 1 "$(listing_file copy)" >first &&
	test_grep "$(cd copy/db/migrations && pwd -P)\$" first
'

test_expect_success SQLITE3,STRACE 'a folder with a symbolic link in it: no listing kept' '
	cp -a proj linked &&
	rm -rf linked/.godwit &&
	ln -s 20240101000001_t1.sql linked/db/migrations/20240101000076_t76.sql &&
	wait_clock_past linked/db/migrations &&
	same_status linked &&
	test_grep "20240101000076" expect &&
	test -z "$(listing_file linked)" &&
	test "$(folder_reads linked)" -gt 0
'

test_expect_success SQLITE3,STRACE 'a folder stamped ahead of the clock: no listing kept' '
	cp -a proj ahead &&
	rm -rf ahead/.godwit &&
	touch -d "+1 hour" ahead/db/migrations &&
	(cd ahead && godwit status >/dev/null) &&
	test -z "$(listing_file ahead)" &&
	test "$(folder_reads ahead)" -gt 0 &&
	same_status ahead
'

# The folder's identity is taken before it is read: a file added while
# a run keeps the listing (its rename held) is missing from that listing,
# and the next run, seeing the folder changed, reads it.
test_expect_success SQLITE3,STRACE 'a file added while the listing is being kept is seen next' '
	cp -a proj racing &&
	rm -rf racing/.godwit &&
	wait_clock_past racing/db/migrations &&
	start_renames_held racing 1000000 "^list-.*\\." &&
	echo "-- migrate:up" >racing/db/migrations/20240101000077_t77.sql &&
	wait_for_file rc &&
	test "$(cat rc)" = 0 &&
	test_grep ! "20240101000077" "$(listing_file racing)" &&
	same_status racing &&
	test_grep "20240101000077" expect
'

test_done
