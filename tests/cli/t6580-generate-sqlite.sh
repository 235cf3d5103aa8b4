#!/bin/sh
test_description='generate on SQLite: a table rebuild is written (not refused by a PostgreSQL lint), --rename, --plain, a bad name or source'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: table a, and a schema.sql where it is b with one more column' '
	write_migration db/migrations/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	cat >schema.sql <<-\EOF &&
	CREATE TABLE b (id int, n text);
	CREATE INDEX b_n ON b (n);
	EOF
	godwit --url sqlite:x.db up >/dev/null 2>&1
'

test_expect_success '--rename --plain --dry-run prints the rebuild and writes nothing' '
	godwit --url sqlite:x.db generate ren --to schema.sql --rename a=b --plain --dry-run >out &&
	cat >expect <<-\EOF &&
	-- migration 1 of 1: ren
	-- up
	ALTER TABLE a RENAME TO b;
	-- table b is rebuilt: SQLite cannot alter it in place
	PRAGMA legacy_alter_table = ON;
	ALTER TABLE b RENAME TO godwit_old_b;
	PRAGMA legacy_alter_table = OFF;
	CREATE TABLE b(id int, n text);
	INSERT INTO b (id) SELECT id FROM godwit_old_b;
	DROP TABLE godwit_old_b;
	CREATE INDEX b_n ON b(n);
	PRAGMA foreign_key_check;
	-- down
	ALTER TABLE b RENAME TO a;
	-- table a is rebuilt: SQLite cannot alter it in place
	PRAGMA legacy_alter_table = ON;
	ALTER TABLE a RENAME TO godwit_old_a;
	PRAGMA legacy_alter_table = OFF;
	CREATE TABLE a(id int);
	INSERT INTO a (id) SELECT id FROM godwit_old_a;
	DROP TABLE godwit_old_a;
	PRAGMA foreign_key_check;
	EOF
	test_cmp expect out &&
	test $(ls db/migrations | wc -l) = 1
'

test_expect_success 'the rebuild is written, and up and down apply it' '
	sqlite_sql x.db "INSERT INTO a VALUES (7)" &&
	godwit --url sqlite:x.db generate ren --to schema.sql --rename a=b >out 2>err &&
	test_grep "^created db/migrations/[0-9]*_ren.sql$" out &&
	test ! -s err &&
	godwit --url sqlite:x.db up >/dev/null 2>&1 &&
	test "$(sqlite_sql x.db "SELECT id || coalesce(n, ${SQ}-${SQ}) FROM b")" = 7- &&
	godwit --url sqlite:x.db generate again --to schema.sql >out &&
	echo "nothing to generate: the migrations give the schema of schema.sql" >expect &&
	test_cmp expect out &&
	godwit --url sqlite:x.db down >/dev/null 2>&1 &&
	test "$(sqlite_sql x.db "SELECT id FROM a")" = 7
'

test_expect_success 'a name that is no file name is a usage error, before anything is read' '
	test_expect_code 2 godwit --url sqlite:x.db generate "bad name" --to nothere.sql 2>err &&
	test_grep "^godwit: error: invalid migration name ${SQ}bad name${SQ}; a name is made of letters, digits, ${SQ}_${SQ} and ${SQ}-${SQ} (e.g. add_users)$" err
'

test_expect_success 'a source that is nothing: an error naming it, nothing written' '
	test_expect_code 1 godwit --url sqlite:x.db generate ok --to nothere.sql 2>err &&
	echo "godwit: error: ${SQ}nothere.sql${SQ} is no file, folder, database URL, ${SQ}!command${SQ} or ${SQ}migrations${SQ}" >expect &&
	test_cmp expect err &&
	test $(ls db/migrations | wc -l) = 2
'

test_done
