#!/bin/sh
test_description='up and redo --dry-run --format json print the plan; a failed up in JSON lists what it applied; a name in UTF-8 keeps the table aligned'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a migration, then one named in UTF-8 that fails as it runs' '
	write_migration db/migrations/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	write_migration db/migrations/20240101000002_café.sql <<-\EOF
	-- migrate:up
	CREATE TABLE "café" (id int PRIMARY KEY);
	INSERT INTO "café" VALUES (1);
	INSERT INTO "café" VALUES (1);
	-- migrate:down
	DROP TABLE "café";
	EOF
'

test_expect_success 'up --dry-run --format json: each migration with its SQL, nothing changed' '
	godwit --url sqlite:a.db up --dry-run --format json >out &&
	cat >expect <<-\EOF &&
	{
	  "plan": [
	    {
	      "version": "20240101000001",
	      "name": "a",
	      "file": "20240101000001_a.sql",
	      "direction": "up",
	      "transactional": true,
	      "statements": 1,
	      "resume_from": 0,
	      "resuming": false,
	      "sql": "CREATE TABLE a (id int);\n"
	    },
	    {
	      "version": "20240101000002",
	      "name": "café",
	      "file": "20240101000002_café.sql",
	      "direction": "up",
	      "transactional": true,
	      "statements": 3,
	      "resume_from": 0,
	      "resuming": false,
	      "sql": "CREATE TABLE \"café\" (id int PRIMARY KEY);\nINSERT INTO \"café\" VALUES (1);\nINSERT INTO \"café\" VALUES (1);\n"
	    }
	  ]
	}
	EOF
	test_cmp expect out &&
	test ! -e a.db
'

test_expect_success 'a failed up --format json: the error and what was applied before it' '
	test_expect_code 1 godwit --url sqlite:a.db up --format json >out 2>/dev/null &&
	sed "s/\"duration_ms\": [0-9]*/\"duration_ms\": N/" out >actual &&
	cat >expect <<-\EOF &&
	{
	  "error": {
	    "code": "sql",
	    "message": "UNIQUE constraint failed: café.id",
	    "sqlstate": "23505",
	    "file": "db/migrations/20240101000002_café.sql",
	    "line": 4,
	    "column": 1,
	    "hint": "the migration was rolled back and nothing of it was applied; fix it and run godwit up again"
	  },
	  "applied": [
	    {
	      "version": "20240101000001",
	      "name": "a",
	      "duration_ms": N
	    }
	  ]
	}
	EOF
	test_cmp expect actual &&
	test "$(sqlite_sql a.db "SELECT group_concat(version) FROM godwit_migrations")" = 20240101000001
'

test_expect_success 'history counts café as four columns wide' '
	godwit --url sqlite:a.db history >out &&
	sed -n "1p;3p" out | sed "s/^[0-9T:.-]*Z/TIME/; s/ [^ ]*$/ WHO/" >actual &&
	cat >expect <<-\EOF &&
	TIME                      ACTION  VERSION         NAME  DURATION  WHO
	TIME  fail    20240101000002  café  -         WHO
	EOF
	test_cmp expect actual
'

test_expect_success 'redo --dry-run --format json: what it reverts, then applies again' '
	godwit --url sqlite:a.db redo --dry-run --format json >out &&
	test_grep "^  \"revert\": \[$" out &&
	test_grep "^      \"direction\": \"down\",$" out &&
	test_grep "^      \"sql\": \"DROP TABLE a;\\\\n\"$" out &&
	test_grep "^  \"apply\": \[$" out &&
	test "$(sqlite_sql a.db "SELECT count(*) FROM godwit_events WHERE action = ${SQ}revert${SQ}")" = 0
'

test_done
