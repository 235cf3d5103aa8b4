#!/bin/sh
test_description='command-line parsing: a missing value, --, the last --format, counts that are versions, bad timeouts, lint --all, an unwritable output'
. "$(dirname "$0")/lib.sh"

U=sqlite:app.db

test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	write_migration db/migrations/20240102000000_b.sql <<-\EOF
	-- migrate:up
	CREATE INDEX a_id ON a (id);
	-- migrate:down
	DROP INDEX a_id;
	EOF
'

test_expect_success 'an option without its value at the end of the line' '
	test_expect_code 2 godwit --url >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: option --url needs a value (--url URL)
	see '"'"'godwit help'"'"'
	EOF
	test_cmp expect err &&
	test ! -s out &&
	test ! -e app.db
'

test_expect_success '-- ends the global options, and makes what follows arguments' '
	godwit --url $U -- up >out &&
	test_grep "^applied 2 migrations$" out &&
	godwit --url $U history -- 20240101000000 >out &&
	test_grep "  apply  *20240101000000  *a  " out &&
	test_grep ! 20240102000000 out
'

test_expect_success 'the last --format wins' '
	godwit --url $U --format json --format text status >out &&
	test_grep "^2 applied, 0 pending$" out
'

test_expect_success 'down N: a version where a count goes, and counts that are not counts' '
	for v in 1.1 2023-07-05-000058 12345678; do
		test_expect_code 2 godwit --url $U down "$v" 2>err &&
		test_grep "^godwit: error: ${SQ}$v${SQ} looks like a version, not a number of migrations; to revert every migration applied after it, use --to $v (it stays applied)$" err ||
		return 1
	done &&
	for n in 12abc 0 "" 1x; do
		test_expect_code 2 godwit --url $U down "$n" 2>err &&
		test_grep "^godwit: error: N must be a positive whole number, not ${SQ}$n${SQ}$" err ||
		return 1
	done &&
	godwit --url $U status >out &&
	test_grep "^2 applied, 0 pending$" out
'

test_expect_success 'wait --timeout takes 0 to 86400 whole seconds only' '
	for t in -1 86401 5x ""; do
		test_expect_code 2 godwit --url $U wait --timeout "$t" 2>err &&
		test_grep "^godwit: error: --timeout must be a whole number of seconds from 0 to 86400, not ${SQ}$t${SQ}$" err ||
		return 1
	done
'

test_expect_success 'lint with a database looks at pending migrations only, --all at every one' '
	godwit --url $U lint --dialect postgres >out &&
	test_grep "^no problems found$" out &&
	test_expect_code 3 godwit --url $U lint --dialect postgres --all >out &&
	test_grep "^db/migrations/20240102000000_b.sql:2:1: error: CREATE INDEX a_id without CONCURRENTLY blocks writes to a until it is built \[require-concurrent-index-creation\]$" out
'

test_expect_success 'lint refuses --since together with files' '
	test_expect_code 2 godwit --url $U lint --since HEAD db/migrations/20240101000000_a.sql 2>err &&
	test_grep "^godwit: error: give either --since or files, not both$" err
'

test_expect_success 'output that cannot be written is a failure' '
	test_expect_code 1 godwit --url $U status >/dev/full 2>err &&
	echo "godwit: error: could not write the output" >expect &&
	test_cmp expect err
'

test_expect_success 'new takes letters, digits, _ and - in a name, and nothing else' '
	test_expect_code 2 godwit new "bad name!" 2>err &&
	test_grep "^godwit: error: invalid migration name ${SQ}bad name!${SQ}; a name is made of letters, digits, ${SQ}_${SQ} and ${SQ}-${SQ} (e.g. create_users)$" err &&
	test_expect_code 2 godwit new "" 2>err &&
	test_grep "^godwit: error: invalid migration name ${SQ}${SQ}" err &&
	ls db/migrations >before &&
	godwit new ok-Name_9 >out &&
	test_grep "^created db/migrations/[0-9]*_ok-Name_9.sql$" out &&
	rm db/migrations/*_ok-Name_9.sql &&
	ls db/migrations >after &&
	test_cmp before after
'

test_expect_success 'init --format json says it appended to an existing .gitignore' '
	mkdir proj &&
	echo node_modules >proj/.gitignore &&
	godwit init proj --format json >out &&
	cat >expect <<-\EOF &&
	{
	  "items": [
	    {
	      "path": "db/migrations/",
	      "action": "created"
	    },
	    {
	      "path": "godwit.conf",
	      "action": "created"
	    },
	    {
	      "path": ".gitignore",
	      "action": "appended"
	    }
	  ]
	}
	EOF
	test_cmp expect out &&
	test "$(head -n 1 proj/.gitignore)" = node_modules &&
	test_grep "^/db/backups/$" proj/.gitignore
'

test_expect_success 'repair of an unknown version, validate of a missing folder, restore of a missing file' '
	test_expect_code 1 godwit --url $U repair 99999999999999 2>err &&
	echo "godwit: error: migration 99999999999999 is neither in db/migrations nor applied" >expect &&
	test_cmp expect err &&
	test_expect_code 1 godwit --dir nosuch validate 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: migrations folder nosuch does not exist
	hint: create it (mkdir -p nosuch) or pass --dir
	EOF
	test_cmp expect err &&
	test_expect_code 1 godwit --url $U restore --keep-schema x nosuch.sqlite3 2>err &&
	echo "godwit: error: cannot read the backup nosuch.sqlite3: No such file or directory" >expect &&
	test_cmp expect err &&
	godwit --url $U status >out &&
	test_grep "^2 applied, 0 pending$" out
'

test_done
