#!/bin/sh
test_description='every command output in JSON and text, colors on a terminal only, and schema errors'
. "$(dirname "$0")/lib.sh"

U=sqlite:app.db

# on_tty CMD...: runs godwit on a pseudo-terminal (util-linux script).
on_tty()
{
	script -qec "$GODWIT $*" /dev/null </dev/null
}

test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	write_migration db/migrations/20240102000000_b.sql <<-\EOF
	-- migrate:up
	CREATE TABLE b (id int);
	-- migrate:down
	DROP TABLE b;
	EOF
'

test_expect_success 'up --dry-run --format json lists each step, and changes nothing' '
	godwit --url $U --format json up --dry-run >out &&
	cat >expect <<-\EOF &&
	{
	  "plan": [
	    {
	      "version": "20240101000000",
	      "name": "a",
	      "file": "20240101000000_a.sql",
	      "direction": "up",
	      "transactional": true,
	      "statements": 1,
	      "resume_from": 0,
	      "resuming": false,
	      "sql": "CREATE TABLE a (id int);\n"
	    },
	    {
	      "version": "20240102000000",
	      "name": "b",
	      "file": "20240102000000_b.sql",
	      "direction": "up",
	      "transactional": true,
	      "statements": 1,
	      "resume_from": 0,
	      "resuming": false,
	      "sql": "CREATE TABLE b (id int);\n"
	    }
	  ]
	}
	EOF
	test_cmp expect out &&
	test "$(sqlite_sql app.db "SELECT count(*) FROM sqlite_master WHERE name IN (${SQ}a${SQ}, ${SQ}b${SQ})")" = 0
'

test_expect_success 'with nothing to apply, --dry-run says so in text and gives an empty plan in JSON' '
	godwit --url $U up >/dev/null &&
	godwit --url $U up --dry-run >out &&
	echo "-- nothing to apply; the database is up to date" >expect &&
	test_cmp expect out &&
	godwit --url $U --format json up --dry-run >out &&
	printf "{\n  \"plan\": []\n}\n" >expect &&
	test_cmp expect out
'

test_expect_success 'down --dry-run shows the down script and reverts nothing' '
	godwit --url $U down --dry-run >out &&
	cat >expect <<-\EOF &&
	-- 20240102000000 b (20240102000000_b.sql) [transaction], 1 statement
	DROP TABLE b;
	EOF
	test_cmp expect out &&
	test "$(sqlite_sql app.db "SELECT count(*) FROM sqlite_master WHERE name = ${SQ}b${SQ}")" = 1
'

test_expect_success 'down --format json counts and lists what it reverted' '
	godwit --url $U --format json down >out &&
	sed "s/\"duration_ms\": [0-9][0-9]*$/\"duration_ms\": N/" out >actual &&
	cat >expect <<-\EOF &&
	{
	  "reverted": 1,
	  "migrations": [
	    {
	      "version": "20240102000000",
	      "name": "b",
	      "duration_ms": N
	    }
	  ]
	}
	EOF
	test_cmp expect actual &&
	test "$(sqlite_sql app.db "SELECT count(*) FROM sqlite_master WHERE name = ${SQ}b${SQ}")" = 0
'

test_expect_success 'new --format json gives the created file' '
	godwit --url $U --format json new add_c >out &&
	created=$(ls db/migrations/*_add_c.sql) &&
	printf "{\n  \"created\": \"%s\"\n}\n" "$created" >expect &&
	test_cmp expect out &&
	rm "$created"
'

test_expect_success 'resolve --format json says what was recorded' '
	write_migration db/migrations/20240103000000_c.sql <<-\EOF &&
	-- godwit:no-transaction
	-- migrate:up
	CREATE TABLE c (id int PRIMARY KEY);
	INSERT INTO c VALUES (1);
	INSERT INTO c VALUES (1);
	-- migrate:down
	DROP TABLE c;
	EOF
	test_expect_code 1 godwit --url $U up 2>err &&
	test_grep "UNIQUE constraint failed: c.id" err &&
	godwit --url $U --format json resolve 20240103000000 --rolled-back >out &&
	cat >expect <<-\EOF &&
	{
	  "version": "20240103000000",
	  "resolution": "rolled_back"
	}
	EOF
	test_cmp expect out &&
	godwit --url $U status >out &&
	test_grep "^pending *20240103000000 *c$" out
'

test_expect_success 'a usage error in JSON mode is a JSON error' '
	test_expect_code 2 godwit --url $U --format json up --bogus >out 2>err &&
	test ! -s err &&
	cat >expect <<-EOF &&
	{
	  "error": {
	    "code": "invalid",
	    "message": "unknown option ${SQ}--bogus${SQ}",
	    "sqlstate": null,
	    "file": null,
	    "line": null,
	    "column": null,
	    "hint": null
	  }
	}
	EOF
	test_cmp expect out
'

test_expect_success 'colors on a terminal, none with NO_COLOR or TERM=dumb, none into a pipe' '
	TERM=xterm on_tty --url $U status >out &&
	test_grep "$(printf "\033")\[32mapplied" out &&
	NO_COLOR=1 TERM=xterm on_tty --url $U status >out &&
	test_grep "^applied" out &&
	test_grep ! "$(printf "\033")" out &&
	TERM=dumb on_tty --url $U status >out &&
	test_grep "^applied" out &&
	test_grep ! "$(printf "\033")" out &&
	TERM=xterm godwit --url $U status >out &&
	test_grep ! "$(printf "\033")" out
'

test_expect_success 'schema diff refuses a folder instead of taking it for an empty snapshot' '
	mkdir snapdir &&
	test_expect_code 1 godwit --url $U schema diff snapdir $U >out 2>err &&
	echo "godwit: error: snapdir: no .sql file in this folder" >expect &&
	test_cmp expect err &&
	test ! -s out
'

test_expect_success 'schema: a bad subcommand, extra or missing arguments, an unwritable output' '
	test_expect_code 2 godwit --url $U schema bogus 2>err &&
	test_grep "^godwit: error: unknown schema command ${SQ}bogus${SQ}; use dump or diff$" err &&
	test_expect_code 2 godwit --url $U schema dump extra 2>err &&
	test_grep "^godwit: error: schema dump takes no argument$" err &&
	test_expect_code 2 godwit --url $U schema diff $U 2>err &&
	test_grep "^godwit: error: schema diff needs two snapshots: a file or a database URL each$" err &&
	test_expect_code 1 godwit --url $U schema dump --output nowhere/x.txt 2>err &&
	echo "godwit: error: cannot write nowhere/x.txt: No such file or directory" >expect &&
	test_cmp expect err &&
	test ! -e nowhere
'

test_expect_success 'history on a terminal colors each action, and shows a failure with its place' '
	TERM=xterm on_tty --url $U history | tr -d "\r" >out &&
	E=$(printf "\033") &&
	test_grep "  ${E}\[32mapply${E}\[0m  *20240101000000  *a  " out &&
	test_grep "  ${E}\[33mrevert${E}\[0m  *20240102000000  *b  " out &&
	test_grep "  ${E}\[31mfail${E}\[0m  *20240103000000  *c  " out &&
	test_grep "^    error: db/migrations/20240103000000_c.sql:5:1: UNIQUE constraint failed: c.id (SQLSTATE 23505)$" out &&
	test_grep "  resolve  *20240103000000  *c  " out
'

test_expect_success 'history: an event without a version (a backup) shows "-" in text and null in JSON' '
	godwit --url $U backup >/dev/null 2>&1 &&
	godwit --url $U history >out &&
	test_grep "  backup  *-  *db/backups/development-[0-9TZ]*-20240102000000.sqlite3  *-  " out &&
	godwit --url $U --format json history >out &&
	sed -n "/\"action\": \"backup\"/,/}/p" out >actual &&
	test_grep "^ *\"version\": null,\{0,1\}$" actual &&
	sed -n "/\"action\": \"fail\"/,/}/p" out >actual &&
	test_grep "^ *\"sqlstate\": \"23505\",\{0,1\}$" actual &&
	test_grep "^ *\"file\": \"db/migrations/20240103000000_c.sql\",\{0,1\}$" actual &&
	test_grep "^ *\"line\": 5,\{0,1\}$" actual &&
	test_grep "^ *\"column\": 1,\{0,1\}$" actual
'

# Workflow commands escape %, CR and LF, and : and , in properties;
# Markdown cells escape |.
test_expect_success 'lint --format github and markdown escape what their syntax reserves' '
	D="m%1,2:3|4" &&
	write_migration "$D/20240101000000_a.sql" <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	write_migration "$D/20240102000000_b.sql" <<-\EOF &&
	-- migrate:up
	CREATE INDEX a_id ON a (id);
	-- migrate:down
	DROP INDEX a_id;
	EOF
	test_expect_code 3 godwit --dir "$D" lint --format github >out &&
	test_grep "^::error file=m%251%2C2%3A3|4/20240102000000_b.sql,line=2,col=1,title=require-concurrent-index-creation::CREATE INDEX a_id without CONCURRENTLY blocks writes to a until it is built%0Ahelp: " out &&
	test_expect_code 3 godwit --dir "$D" lint --format markdown >out &&
	test_grep "^| error | \`m%1,2:3\\\\|4/20240102000000_b.sql:2:1\` | \`require-concurrent-index-creation\` | CREATE INDEX a_id without CONCURRENTLY blocks writes to a until it is built |$" out &&
	test_grep "^1 error(s), 0 warning(s)$" out
'

test_expect_success 'markdown with nothing found says so; validate refuses an unknown format' '
	mkdir clean &&
	cp "m%1,2:3|4/20240101000000_a.sql" clean/ &&
	godwit --dir clean lint --format markdown >out &&
	echo "no problems found" >expect &&
	test_cmp expect out &&
	test_expect_code 2 godwit --dir clean validate --format bogus 2>err &&
	test_grep "^godwit: error: unknown format ${SQ}bogus${SQ}; use text, json, github, markdown or sarif$" err
'

test_expect_success 'test --format github escapes the folder in file= as lint does' '
	D="t,1:2%" &&
	write_migration "$D/20240101000000_a.sql" <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	SELECT 1;
	EOF
	test_expect_code 3 godwit --url sqlite:proof.db --dir "$D" test --format github >out &&
	cat >expect <<-\EOF &&
	::error file=t%2C1%3A2%25/20240101000000_a.sql,title=godwit test 20240101000000::down did not restore the schema from before up%0Atable a extra%0A
	godwit test: 0 passed, 1 failed, 0 untestable
	EOF
	test_cmp expect out
'

test_expect_success 'schema dump to a full device fails when the file is closed' '
	test_expect_code 1 godwit --url $U schema dump --output /dev/full >out 2>err &&
	echo "godwit: error: cannot write /dev/full" >expect &&
	test_cmp expect err &&
	test ! -s out
'

test_expect_success 'a refused confirmation in JSON mode is a JSON error, and nothing is made' '
	mkdir prot &&
	(
		cd prot &&
		write_migration db/migrations/20240101000000_a.sql <<-\EOF &&
		-- migrate:up
		CREATE TABLE a (id int);
		-- migrate:down
		DROP TABLE a;
		EOF
		printf "[env.production]\nurl = sqlite:db/production.sqlite3\n" >godwit.conf &&
		printf "nope\n" | script -qec "$GODWIT --format json --env production up" /dev/null |
			tr -d "\r" >../out &&
		test ! -e db/production.sqlite3
	) &&
	sed -n "/to go on: {/,\$p" out | sed "s/^.*to go on: //" >actual &&
	cat >expect <<-\EOF &&
	{
	  "error": {
	    "code": "refused",
	    "message": "the confirmation did not match '"'"'production'"'"'; nothing was changed",
	    "sqlstate": null,
	    "file": null,
	    "line": null,
	    "column": null,
	    "hint": null
	  }
	}
	EOF
	test_cmp expect actual
'

test_done
