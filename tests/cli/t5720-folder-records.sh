#!/bin/sh
test_description='a large folder loads the same from its files and from the checksum cache: long names, a 255-byte name, downs in the up file and in files of their own'
. "$(dirname "$0")/lib.sh"

# The loader keeps the folder's names in blocks of 16 KiB and each
# migration's version, name, file and stem in one allocation; a native
# file's down is its up file itself (src/lib/source/folder.c, file.c).
# 300 names of about 200 bytes fill several blocks; the 255-byte name is
# the longest a file system allows.

# A name part of $1 bytes.
long_name()
{
	printf "%0$1d" 0 | tr 0 n
}

test_expect_success SQLITE3 'setup: 300 native migrations with long names and one of 255 bytes' '
	mkdir -p proj/db/migrations &&
	pad=$(long_name 180) &&
	i=1 &&
	while [ $i -le 300 ]; do
		printf -- "-- migrate:up\nCREATE TABLE t%d (id int);\n-- migrate:down\nDROP TABLE t%d;\n" $i $i \
			>proj/db/migrations/$(printf "202401010%05d" $i)_${pad}_$i.sql &&
		i=$((i + 1)) || return 1
	done &&
	# 14 digits, "_", 236 letters and ".sql": 255 bytes.
	last=20240101000301_$(long_name 236).sql &&
	test ${#last} = 255 &&
	printf -- "-- migrate:up\nCREATE TABLE t301 (id int);\n-- migrate:down\nDROP TABLE t301;\n" \
		>"proj/db/migrations/$last" &&
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit up >out 2>err) &&
	test_grep "applied 301 migrations" proj/out &&
	(cd proj && godwit status >/dev/null) &&
	test "$(grep -c "^2024" proj/.godwit/sums/[0-9a-f]*)" = 301
'

test_expect_success SQLITE3 'status, its json and plan say the same from the cache as from the files' '
	(
		cd proj &&
		for args in "status" "status --format json" "plan"; do
			GODWIT_CHECKSUM_CACHE=false godwit $args >expect 2>&1 &&
			godwit $args >actual 2>&1 &&
			test_cmp expect actual || return 1
		done
	) &&
	(cd proj && godwit status --format json) >json &&
	test_grep "\"name\": \"$(long_name 236)\"" json &&
	test_grep "\"name\": \"$(long_name 180)_7\"" json
'

test_expect_success SQLITE3 'down from the cache runs the down section of the 255-byte file, then of the one before' '
	(cd proj && godwit down >out 2>err) &&
	test_grep "reverted 1 migration" proj/out &&
	test "$(sqlite_sql proj/db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name = '\''t301'\''")" = 0 &&
	test "$(sqlite_sql proj/db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name = '\''t300'\''")" = 1 &&
	(cd proj && godwit down >out 2>err) &&
	test "$(sqlite_sql proj/db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name = '\''t300'\''")" = 0 &&
	(cd proj && godwit status >out) &&
	test_grep "^299 applied, 2 pending" proj/out &&
	(cd proj && godwit up >out 2>err) &&
	test_grep "applied 2 migrations" proj/out
'

test_expect_success SQLITE3 'a cache that every file hits is read, not written; one file changed: written again whole' '
	c=$(ls proj/.godwit/sums/[0-9a-f]*) &&
	# Over 64 KiB of records: the text of those replayed is given back
	# as the load goes (src/lib/source/sums.c, release_before).
	test "$(wc -c <"$c")" -gt 70000 &&
	before=$(stat -c "%i %.9Y" "$c") &&
	(cd proj && godwit status >out) &&
	test_grep "^301 applied" proj/out &&
	test "$(stat -c "%i %.9Y" "$c")" = "$before" &&
	cp "$c" old-cache &&
	touch proj/db/migrations/20240101000150_*.sql &&
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit status >out) &&
	test_grep "^301 applied" proj/out &&
	test "$(stat -c "%i %.9Y" "$c")" != "$before" &&
	test "$(grep -c "^2024" "$c")" = 301 &&
	grep -v "^20240101000150_\|^end" old-cache >old-lines &&
	grep -v "^20240101000150_\|^end" "$c" >new-lines &&
	test_cmp old-lines new-lines
'

test_expect_success SQLITE3 'a cache written as the folder loads is whole: the next run hits every file and writes nothing' '
	# The cache is written 64 KiB at a time as the files are loaded,
	# its check sum taken as it goes (sums.c, put_out): from nothing,
	# and again after a file changed.
	rm -rf proj/.godwit &&
	(cd proj && godwit status >out) &&
	test_grep "^301 applied" proj/out &&
	c=$(ls proj/.godwit/sums/[0-9a-f]*) &&
	test "$(grep -c "^2024" "$c")" = 301 &&
	test "$(tail -n 1 "$c" | cut -f 1)" = end &&
	before=$(stat -c "%i %.9Y" "$c") &&
	(cd proj && godwit status >out) &&
	test "$(stat -c "%i %.9Y" "$c")" = "$before" &&
	touch proj/db/migrations/20240101000299_*.sql &&
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit status >out) &&
	after=$(stat -c "%i %.9Y" "$c") &&
	test "$after" != "$before" &&
	(cd proj && godwit status >out && GODWIT_CHECKSUM_CACHE=false godwit status >expect) &&
	test "$(stat -c "%i %.9Y" "$c")" = "$after" &&
	test_cmp proj/expect proj/out
'

test_expect_success SQLITE3 'a file stamped before 1970 is recorded with its identity in hex and found unchanged' '
	# A record holds the identity as hex text, a negative stamp with a
	# "-", matched as text against the file stat gives (sums.c, id_text).
	f=$(ls proj/db/migrations/20240101000010_*.sql) &&
	touch -m -d "1960-01-01 00:00:00.5 UTC" "$f" &&
	wait_clock_past proj/db/migrations &&
	(cd proj && godwit status >out) &&
	test_grep "^301 applied" proj/out &&
	c=$(ls proj/.godwit/sums/[0-9a-f]*) &&
	line=$(grep "^20240101000010_" "$c") &&
	ino=$(stat -c %i "$f") &&
	test "$(echo "$line" | cut -f 3)" = "$(printf %x "$ino")" &&
	test "$(echo "$line" | cut -f 5)" = "-$(printf %x $((-$(date -d "1960-01-01 00:00:00 UTC" +%s))))" &&
	test "$(echo "$line" | cut -f 6)" = "$(printf %x 500000000)" &&
	before=$(stat -c "%i %.9Y" "$c") &&
	(cd proj && godwit status >out) &&
	test "$(stat -c "%i %.9Y" "$c")" = "$before"
'

test_expect_success SQLITE3 'rollback pairs: 70 downs in files of their own, from the files and from the cache' '
	mkdir -p gm/db/migrations &&
	i=1 &&
	while [ $i -le 70 ]; do
		echo "CREATE TABLE g$i (id int);" >gm/db/migrations/$(printf %04d $i)_g$i.sql &&
		echo "DROP TABLE g$i;" >gm/db/migrations/$(printf %04d $i)_g${i}_rollback.sql &&
		i=$((i + 1)) || return 1
	done &&
	wait_clock_past gm/db/migrations &&
	(cd gm && godwit up >out 2>err && godwit status >/dev/null) &&
	test_grep "applied 70 migrations" gm/out &&
	test "$(grep -c "^[0-9]*_g" gm/.godwit/sums/[0-9a-f]*)" = 140 &&
	(cd gm && GODWIT_CHECKSUM_CACHE=false godwit status --format json >expect &&
		godwit status --format json >actual) &&
	test_cmp gm/expect gm/actual &&
	(cd gm && godwit down >out 2>err) &&
	test_grep "reverted 1 migration" gm/out &&
	test "$(sqlite_sql gm/db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name = '\''g70'\''")" = 0 &&
	test "$(sqlite_sql gm/db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name = '\''g69'\''")" = 1
'

test_done
