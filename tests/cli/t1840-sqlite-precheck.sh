#!/bin/sh
test_description='SQLite: every migration of a run is prepared before the first one runs'
. "$(dirname "$0")/lib.sh"

# PostgreSQL's parser checks all pending migrations up front; on SQLite a
# syntax error in the third pending migration was found after the first two
# were applied. Now a bad statement anywhere refuses the run and nothing
# changes.

# snapshot: the history and every table of the SQLite database.
snapshot()
{
	sqlite_sql db/development.sqlite3 "SELECT version, checksum FROM godwit_migrations ORDER BY version" &&
	sqlite_sql db/development.sqlite3 "SELECT type, name FROM sqlite_master ORDER BY name"
}

mig()
{
	printf -- "-- migrate:up\n%s\n-- migrate:down\n%s\n" "$2" "$3" >"db/migrations/$1"
}

test_expect_success 'setup: one applied migration' '
	mkdir -p db/migrations &&
	mig 20240101000000_users.sql "CREATE TABLE users (id integer PRIMARY KEY, name text);" "DROP TABLE users;" &&
	godwit up
'

test_expect_success 'a syntax error in the last pending migration refuses the run; nothing is applied' '
	test_when_finished "rm -f db/migrations/2024010200000*" &&
	mig 20240102000001_a.sql "CREATE TABLE a (id int);" "DROP TABLE a;" &&
	mig 20240102000002_b.sql "INSERT INTO users (name) VALUES (${SQ}x${SQ});" "DELETE FROM users;" &&
	mig 20240102000003_c.sql "CREATE TABLE c (id int);
CREAT TABLE d (id int);" "DROP TABLE c;" &&
	snapshot >before &&
	test_expect_code 1 godwit up >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: db/migrations/20240102000003_c.sql:3:1: near "CREAT": syntax error
	hint: nothing was run: every migration of the run is checked before the first one starts; fix it and run the command again
	EOF
	test_cmp expect err &&
	test_grep ! "^applied" out &&
	snapshot >after &&
	test_cmp before after &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM users")" = 0 &&
	test_expect_code 1 godwit up --dry-run >out 2>err &&
	test_cmp expect err
'

test_expect_success 'a table that no migration makes is refused before anything runs' '
	test_when_finished "rm -f db/migrations/2024010200000*" &&
	mig 20240102000001_a.sql "CREATE TABLE a (id int);" "DROP TABLE a;" &&
	mig 20240102000002_b.sql "INSERT INTO a SELECT id FROM nope;" "DELETE FROM a;" &&
	snapshot >before &&
	test_expect_code 1 godwit up 2>err &&
	test_grep "^godwit: error: db/migrations/20240102000002_b.sql:2:1: no such table: nope$" err &&
	snapshot >after &&
	test_cmp before after
'

test_expect_success 'what earlier migrations of the run make (tables, columns, views) is seen by later ones' '
	mig 20240102000001_a.sql "CREATE TABLE a (id int);
CREATE VIEW va AS SELECT id FROM a;" "DROP VIEW va; DROP TABLE a;" &&
	mig 20240102000002_b.sql "ALTER TABLE a ADD COLUMN note text;
CREATE INDEX a_note ON a (note);
INSERT INTO a (id, note) SELECT id, name FROM users;" "DROP INDEX a_note; ALTER TABLE a DROP COLUMN note;" &&
	mig 20240102000003_c.sql "INSERT INTO a (id, note) SELECT id, ${SQ}v${SQ} FROM va;
ALTER TABLE a RENAME TO a2;
UPDATE a2 SET note = upper(note);" "ALTER TABLE a2 RENAME TO a;" &&
	godwit up >out &&
	test_grep "^applied 3 migrations" out
'

test_expect_success 'down: a bad statement in a later down refuses the run; nothing is reverted' '
	mig 20240102000002_b.sql "ALTER TABLE a ADD COLUMN note text;
CREATE INDEX a_note ON a (note);
INSERT INTO a (id, note) SELECT id, name FROM users;" "DROP INDEX a_note; ALTER TABLE a DROP COLUMN nope_column;" &&
	snapshot >before &&
	test_expect_code 1 godwit down 2 2>err &&
	test_grep "^godwit: error: db/migrations/20240102000002_b.sql:6:46: no such column: \"nope_column\"$" err &&
	snapshot >after &&
	test_cmp before after
'

test_done
