#!/bin/sh
test_description='SQLite driver: a full disk in a migration and in a backup, a table that exists in an attached file, a corrupt file'
. "$(dirname "$0")/lib.sh"

U=sqlite:app.db

# limited BLOCKS CMD...: runs CMD with files limited to BLOCKS blocks of
# 512 bytes (ulimit -f), as on a full disk; SIGXFSZ is ignored so that
# the write fails (EFBIG) instead of killing godwit.
limited()
{
	(
		blocks=$1
		shift
		trap "" XFSZ
		ulimit -f "$blocks" && exec "$@"
	)
}

tables()
{
	sqlite_sql app.db "SELECT group_concat(name, ${SQ},${SQ}) FROM (SELECT name FROM sqlite_master WHERE type = ${SQ}table${SQ} ORDER BY name)"
}

test_expect_success SQLITE3 'setup' '
	write_migration db/migrations/20240101000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	godwit --url $U up >/dev/null &&
	test "$(tables)" = "a,godwit_events,godwit_migrations,sqlite_sequence"
'

test_expect_success SQLITE3 'a disk that fills up during a migration: it is rolled back and nothing of it stays' '
	write_migration db/migrations/20240102000000_big.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE big (v text);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
	INSERT INTO big SELECT hex(randomblob(200)) FROM n;
	-- migrate:down
	DROP TABLE big;
	EOF
	size=$(wc -c <app.db) &&
	test_expect_code 1 limited 200 "$GODWIT" --url $U up >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: applying 20240102000000 big
	godwit: error: db/migrations/20240102000000_big.sql: disk I/O error
	hint: the migration was rolled back and nothing of it was applied; fix it and run godwit up again
	EOF
	test_cmp expect err &&
	test "$(tables)" = "a,godwit_events,godwit_migrations,sqlite_sequence" &&
	test "$(wc -c <app.db)" = "$size" &&
	godwit --url $U status >out &&
	test_grep "^pending *20240102000000 *big$" out &&
	test_expect_code 1 limited 200 "$GODWIT" --url $U --format json up >out &&
	test_grep "\"code\": \"io\"" out &&
	test_grep "\"sqlstate\": null" out
'

test_expect_success SQLITE3 'with room, the same migration applies' '
	godwit --url $U up >out &&
	test_grep "^applied 1 migration$" out &&
	test "$(sqlite_sql app.db "SELECT count(*) FROM big")" = 2000
'

test_expect_success SQLITE3 'a disk that fills up during a backup leaves no partial backup' '
	test "$(wc -c <app.db)" -gt 204800 &&
	test_expect_code 1 limited 200 "$GODWIT" --url $U backup >out 2>err &&
	echo "godwit: error: backup failed, nothing was changed: cannot write the backup: disk I/O error" >expect &&
	test_cmp expect err &&
	test -z "$(ls db/backups)" &&
	godwit --url $U backups >out &&
	test_grep "^no backups yet" out
'

# ATTACH is not run by the check before the run, so a statement on the
# attached file fails when it is prepared for real: PostgreSQL's SQLSTATE
# for a table that exists, and the migration is dirty after the ATTACH.
test_expect_success SQLITE3 'a table that exists in an attached file fails with SQLSTATE 42P07' '
	sqlite_sql other.db "CREATE TABLE t (x int)" &&
	write_migration db/migrations/20240103000000_attach.sql <<-\EOF &&
	-- godwit:no-transaction
	-- migrate:up
	ATTACH DATABASE '"'"'other.db'"'"' AS o;
	CREATE TABLE o.t (id int);
	DETACH DATABASE o;
	-- migrate:down
	EOF
	test_expect_code 1 godwit --url $U up >out 2>err &&
	test_grep "^godwit: error: db/migrations/20240103000000_attach.sql:4:16: table t already exists (SQLSTATE 42P07)$" err &&
	godwit --url $U status >out &&
	test_grep "^dirty *20240103000000 *attach" out &&
	test_grep "statement 2 of 3 failed: table t already exists" out &&
	test "$(sqlite_sql other.db "SELECT count(*) FROM t")" = 0
'

test_expect_success SQLITE3 'a corrupt database file is an I/O error' '
	cp app.db corrupt.db &&
	pages=$(( $(wc -c <corrupt.db) / 4096 )) &&
	p=1 &&
	while [ $p -lt $pages ]; do
		printf "\377\377\377\377\377\377\377\377" |
			dd of=corrupt.db bs=1 seek=$((p * 4096)) conv=notrunc 2>/dev/null || return 1
		p=$((p + 1))
	done &&
	test_expect_code 1 godwit --url sqlite:corrupt.db status >out 2>err &&
	echo "godwit: error: database disk image is malformed" >expect &&
	test_cmp expect err &&
	test_expect_code 1 godwit --url sqlite:corrupt.db --format json status >out &&
	test_grep "\"code\": \"io\"" out
'

test_done
