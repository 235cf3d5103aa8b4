#!/bin/sh
test_description='a backup that fails or is killed half-way leaves nothing that backups lists'
. "$(dirname "$0")/lib.sh"

# The database is about 530 KB, so that a file size limit (ulimit -f, in
# blocks of 512 bytes or more) stops the backup's copy half-way.
test_expect_success 'setup: a SQLite database of about 530 KB' '
	write_migration db/migrations/20240101000000_t1.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t1 (id int, x text);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
	INSERT INTO t1 SELECT i, hex(randomblob(500)) FROM n;
	-- migrate:down
	DROP TABLE t1;
	EOF
	godwit up >out &&
	test "$(wc -c <db/development.sqlite3)" -gt 500000
'

test_expect_success 'a backup whose writes fail removes its partial file and journal' '
	! (ulimit -f 16 && trap "" XFSZ && exec "$GODWIT" backup) 2>err &&
	test_grep "^godwit: error: backup failed, nothing was changed: cannot write the backup: " err &&
	test "$(ls db/backups)" = "" &&
	godwit backups >out &&
	test_grep "^no backups yet" out
'

test_expect_success 'a backup killed half-way is never listed, nor counted by backup_keep; the next backup removes it' '
	! (ulimit -f 16 && exec "$GODWIT" backup) 2>err &&
	ls db/backups >files &&
	test_grep "^development-[0-9T]*Z-20240101000000.sqlite3.[0-9]*.partial$" files &&
	test_grep "^development-[0-9T]*Z-20240101000000.sqlite3.[0-9]*.partial-journal$" files &&
	: >db/backups/production-20240101T000000Z-1.sqlite3.999999999.partial &&
	godwit backups >out &&
	test_grep "^no backups yet" out &&
	printf "backup_keep = 1\n" >godwit.conf &&
	godwit backup 2>err &&
	godwit backups >out &&
	test "$(wc -l <out)" = 1 &&
	test_grep "^db/backups/development-[0-9T]*Z-20240101000000\(-2\)\{0,1\}.sqlite3 " out &&
	f=$(cut -d" " -f1 out) &&
	test "$(sqlite_sql "$f" "SELECT count(*) FROM t1")" = 500 &&
	ls db/backups >files &&
	cat >expect <<-\EOF &&
	production-20240101T000000Z-1.sqlite3.999999999.partial
	EOF
	grep partial files >actual &&
	test_cmp expect actual &&
	rm godwit.conf
'

test_expect_success 'backups lists complete backups only, whatever else is in the folder' '
	f=$(ls db/backups/*.sqlite3) &&
	: >"$f-journal" &&
	: >db/backups/development-20990101T000000Z-1.sqlite3.$$.partial &&
	: >db/backups/development-notes.txt &&
	godwit backups >out &&
	test "$(wc -l <out)" = 1 &&
	test_grep "^$f " out
'

test_done
