#!/bin/sh
test_description='drizzle-kit folders (NNNN_name.sql + meta/_journal.json) are detected and applied on SQLite and PostgreSQL'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a drizzle-kit folder' '
	m=template/drizzle &&
	write_migration $m/0000_init.sql <<-\EOF &&
	CREATE TABLE "users" (
		"id" integer PRIMARY KEY NOT NULL,
		"email" text NOT NULL
	);
	--> statement-breakpoint
	CREATE UNIQUE INDEX "users_email_idx" ON "users" ("email");
	EOF
	write_migration $m/0001_posts.sql <<-\EOF &&
	CREATE TABLE "posts" ("id" integer PRIMARY KEY NOT NULL, "author" integer REFERENCES "users" ("id"));
	EOF
	write_migration $m/meta/_journal.json <<-\EOF &&
	{
	  "version": "7",
	  "dialect": "postgresql",
	  "entries": [
	    {
	      "idx": 0,
	      "version": "7",
	      "when": 1700000000000,
	      "tag": "0000_init",
	      "breakpoints": true
	    },
	    {
	      "idx": 1,
	      "version": "7",
	      "when": 1700000000001,
	      "tag": "0001_posts",
	      "breakpoints": true
	    }
	  ]
	}
	EOF
	echo "{}" >$m/meta/0000_snapshot.json &&
	# Hand-written downs beside drizzle-kit'"'"'s files, in both spellings.
	write_migration $m/0001_posts.down.sql <<-\EOF &&
	DROP TABLE "posts";
	EOF
	write_migration $m/0000_init_rollback.sql <<-\EOF
	DROP TABLE "users";
	EOF
'

for backend in sqlite pg
do
	if [ $backend = pg ]; then
		prereq=PG
	else
		prereq=SQLITE3
	fi

	test_expect_success $prereq "$backend: detected by its journal and applied; the downs beside it revert" '
		cp -R template $backend &&
		cd $backend &&
		if [ $backend = pg ]; then
			pg_new_db && set -- --url "$PG_URL"
		else
			set -- --url "sqlite:dev.sqlite3"
		fi &&
		godwit "$@" --dir drizzle status --format json >status.json &&
		test_grep "\"version\": \"0000\"" status.json &&
		godwit "$@" --dir drizzle up >out &&
		test_grep "^applied 2 migrations$" out &&
		if [ $backend = pg ]; then
			test "$(pg_count posts)" = 0 &&
			test "$(pg_sql "SELECT count(*) FROM pg_indexes WHERE indexname = '"'users_email_idx'"'")" = 1
		else
			test "$(sqlite_sql dev.sqlite3 "SELECT count(*) FROM posts")" = 0
		fi &&
		godwit "$@" --dir drizzle down --all >out &&
		cat >expect <<-\EOF &&
		reverted 0001 posts
		reverted 0000 init
		reverted 2 migrations
		EOF
		sed "s/ (.*//" out >actual &&
		test_cmp expect actual &&
		if [ $backend = pg ]; then
			test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = '"'public'"' AND tablename NOT LIKE '"'godwit%'"'")" = 0
		else
			test "$(sqlite_sql dev.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name IN ('"'users'"', '"'posts'"')")" = 0
		fi &&
		rm drizzle/0001_posts.down.sql &&
		godwit "$@" --dir drizzle up >/dev/null &&
		test_expect_code 1 godwit "$@" --dir drizzle down 2>err &&
		cat >expect <<-\EOF &&
		godwit: error: cannot revert 0001 posts: it has no down migration
		hint: write its down SQL in drizzle/0001_posts.down.sql first
		EOF
		test_cmp expect err
	'
done

test_expect_success 'a file missing from the journal is an error' '
	cp -R template extra &&
	echo "SELECT 1;" >extra/drizzle/0002_extra.sql &&
	test_expect_code 1 godwit --dir extra/drizzle status 2>err &&
	test_grep "extra/drizzle/0002_extra.sql: is not in meta/_journal.json; drizzle-kit would not run it: add an entry or delete the file" err
'

test_expect_success 'new writes the next file and its journal entry, later than the last' '
	cp -R template fresh &&
	godwit --dir fresh/drizzle new add_tags >out &&
	test_grep "0002_add_tags.sql" out &&
	test_grep "\"tag\": \"0002_add_tags\"" fresh/drizzle/meta/_journal.json &&
	test_grep "\"idx\": 2," fresh/drizzle/meta/_journal.json &&
	echo "CREATE TABLE tags (id int);" >fresh/drizzle/0002_add_tags.sql &&
	godwit --dir fresh/drizzle status >out &&
	test_grep "pending *0002 *add_tags" out &&
	godwit --dir fresh/drizzle new second_one >/dev/null &&
	godwit --dir fresh/drizzle status >out &&
	test_grep "pending *0003 *second_one" out &&
	awk -F"[:,]" "/\"when\"/ { gsub(/ /, \"\", \$2); if (\$2 + 0 <= last + 0) bad = 1; last = \$2 } END { exit bad }" \
		fresh/drizzle/meta/_journal.json
'

test_expect_success 'new in a journal with no entries yet writes 0000 and its entry' '
	mkdir -p empty/meta &&
	printf "{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":[]}" >empty/meta/_journal.json &&
	godwit --dir empty new first >out &&
	test_grep "empty/0000_first.sql" out &&
	test_grep "\"tag\": \"0000_first\"" empty/meta/_journal.json &&
	godwit --dir empty status >out &&
	test_grep "pending *0000 *first" out
'

test_expect_success 'new refuses a journal without an entries array, naming it' '
	cp -R template nojournal &&
	printf "{\"version\": \"7\", \"dialect\": \"postgresql\"}\n" >nojournal/drizzle/meta/_journal.json &&
	rm nojournal/drizzle/0*.sql &&
	test_expect_code 1 godwit --dir nojournal/drizzle new tags 2>err &&
	test_grep "nojournal/drizzle/meta/_journal.json: has no \"entries\" array to add 0000_tags to" err
'

test_done
