#!/bin/sh
test_description='init sets up a project without overwriting; --env-file and .env.local'
. "$(dirname "$0")/lib.sh"

test_expect_success 'init creates the folder, godwit.conf and .gitignore' '
	mkdir app &&
	(cd app && godwit init >../out) &&
	cat >expect <<-\EOF &&
	created db/migrations/
	created godwit.conf
	created .gitignore
	next: `godwit new create_users`, edit the file, then `godwit up`
	EOF
	test_cmp expect out &&
	test -d app/db/migrations &&
	cat >expect <<-\EOF &&
	# godwit: SQLite databases and backups
	/db/*.sqlite3
	/db/*.sqlite3-journal
	/db/*.sqlite3-wal
	/db/*.sqlite3-shm
	/db/backups/
	EOF
	test_cmp expect app/.gitignore &&
	test_grep "^\[env.production\]" app/godwit.conf &&
	test_grep "^protected = true" app/godwit.conf
'

test_expect_success 'the environments it writes: development on SQLite, production protected' '
	(cd app && godwit config --format json >../dev.json) &&
	test_grep "\"value\": \"sqlite:db/development.sqlite3\"" dev.json &&
	(cd app && godwit --env production config >../prod) &&
	test_grep "^environment *production (protected)" prod &&
	test_grep "^protected *true *godwit.conf:" prod &&
	(cd app && VERCEL_ENV=preview godwit config >../preview) &&
	test_grep "^environment *preview$" preview &&
	test_grep "^protected *false *godwit.conf:" preview
'

test_expect_success 'development runs on its SQLite file, which git ignores' '
	(cd app && godwit new create_users >/dev/null) &&
	f=$(ls app/db/migrations) &&
	printf "%s\n" "-- migrate:up" "CREATE TABLE users (id int);" "-- migrate:down" \
		"DROP TABLE users;" >app/db/migrations/$f &&
	(cd app && godwit up >/dev/null) &&
	test -f app/db/development.sqlite3 &&
	test "$(sqlite_sql app/db/development.sqlite3 "SELECT count(*) FROM users")" = 0 &&
	if command -v git >/dev/null; then
		(cd app && git init -q . && git check-ignore -q db/development.sqlite3 &&
		 git check-ignore -q db/backups/x.dump && ! git check-ignore -q godwit.conf)
	fi
'

test_expect_success 'production without a URL is an error naming the variables, never SQLite' '
	test_expect_code 1 sh -c "cd app && exec \"$GODWIT\" --env production up --yes" 2>err &&
	test_grep "no database URL for the protected environment production; set GODWIT_URL, POSTGRES_URL_NON_POOLING" err &&
	test ! -e app/db/production.sqlite3
'

test_expect_success PG 'production takes the direct URL over the pooled one' '
	pg_new_db &&
	(cd app && POSTGRES_URL_NON_POOLING="$PG_URL" DATABASE_URL="postgres://nobody@127.0.0.1:1/none" \
		godwit --env production up --yes >/dev/null) &&
	test "$(pg_count users)" = 0
'

test_expect_success 'a second init changes nothing and says so' '
	(cd app && cksum godwit.conf .gitignore >../before && godwit init >../out) &&
	cat >expect <<-\EOF &&
	db/migrations/ exists: left as it is
	godwit.conf exists: left as it is
	.gitignore exists: left as it is
	next: `godwit new create_users`, edit the file, then `godwit up`
	EOF
	test_cmp expect out &&
	(cd app && cksum godwit.conf .gitignore) >after &&
	test_cmp before after &&
	test "$(ls app/db/migrations | wc -l)" = 1
'

test_expect_success 'an existing godwit.conf is kept; an existing .gitignore gains only the missing lines' '
	mkdir next && printf "url = sqlite:mine.db\n" >next/godwit.conf &&
	printf "node_modules\n/db/*.sqlite3\n.env*.local" >next/.gitignore &&
	godwit init next >out &&
	cat >expect <<-\EOF &&
	created db/migrations/
	godwit.conf exists: left as it is
	added the SQLite files and backups to .gitignore
	next: `godwit new create_users`, edit the file, then `godwit up`
	EOF
	test_cmp expect out &&
	printf "url = sqlite:mine.db\n" >expect && test_cmp expect next/godwit.conf &&
	cat >expect <<-\EOF &&
	node_modules
	/db/*.sqlite3
	.env*.local

	# godwit: SQLite databases and backups
	/db/*.sqlite3-journal
	/db/*.sqlite3-wal
	/db/*.sqlite3-shm
	/db/backups/
	EOF
	test_cmp expect next/.gitignore
'

test_expect_success 'a .gitignore with CRLF line ends that ignores it all is left alone' '
	mkdir crlf &&
	printf "/db/*.sqlite3\r\n/db/*.sqlite3-journal\r\n/db/*.sqlite3-wal\r\n/db/*.sqlite3-shm\r\n/db/backups/\r\n" >crlf/.gitignore &&
	cp crlf/.gitignore gitignore.before &&
	godwit init crlf >out &&
	test_grep "^.gitignore exists: left as it is\$" out &&
	test_cmp gitignore.before crlf/.gitignore
'

test_expect_success 'init --format json lists what it did' '
	mkdir j && godwit init j --format json >out &&
	test_grep "\"path\": \"godwit.conf\"" out &&
	test_grep "\"action\": \"created\"" out &&
	godwit init j --format json >out &&
	! grep -q "\"action\": \"created\"" out
'

test_expect_success 'init in a folder that does not exist fails and creates nothing' '
	test_expect_code 1 godwit init nowhere 2>err &&
	test_grep "nowhere is not a folder; create it first" err &&
	test ! -e nowhere
'

test_expect_success '.env.local wins over .env, and config names the file and line' '
	mkdir envs && cd envs &&
	printf "GODWIT_TABLE=from_env\nGODWIT_SCHEMA=s_env\n" >.env &&
	printf "# local\nGODWIT_TABLE=from_local\n" >.env.local &&
	godwit config >out &&
	test_grep "^table *from_local *.env.local:2$" out &&
	test_grep "^schema *s_env *.env:2$" out &&
	GODWIT_TABLE=from_process godwit config >out &&
	test_grep "^table *from_process *env GODWIT_TABLE$" out
'

test_expect_success '--env-file replaces .env and .env.local' '
	cd envs &&
	printf "GODWIT_TABLE=from_file\nGODWIT_ENV=staging\n" >ci.env &&
	godwit --env-file ci.env config >out &&
	test_grep "^table *from_file *ci.env:1$" out &&
	test_grep "^schema *- *$" out &&
	test_grep "^environment *staging$" out
'

test_expect_success 'a missing --env-file is an error' '
	cd envs &&
	test_expect_code 1 godwit config --env-file nope.env 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: env file nope.env does not exist
	hint: check the --env-file option
	EOF
	test_cmp expect err
'

test_expect_success 'a bad line in .env.local names that file' '
	mkdir badlocal && cd badlocal &&
	printf "GODWIT_TABLE=ok\n" >.env && printf "oops\n" >.env.local &&
	test_expect_code 1 godwit config 2>err &&
	test_grep ".env.local:1: expected KEY=VALUE" err
'

test_done
