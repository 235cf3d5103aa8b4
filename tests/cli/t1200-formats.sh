#!/bin/sh
test_description='each migration folder convention is detected and applied end to end, on SQLite and PostgreSQL'
. "$(dirname "$0")/lib.sh"

# Each convention lives in a project folder of its own (native/, golang/,
# pairs/, dated/) holding db/migrations and, for SQLite, the default
# db/development.sqlite3. Every folder has the same three tables, base, users
# and posts, made by three migrations: the first without a down migration,
# one run without a transaction, and the apply order in the file
# expect.pending next to the folder.

# on BACKEND CONV: enters CONV's project folder and points gw, user_tables
# and events at SQLite (the default database) or at CONV's PostgreSQL one.
on()
{
	backend=$1
	cd "$TRASH_DIRECTORY/$2" || return 1
	if [ "$backend" = pg ]; then
		PG_URL=$(cat pg_url) || return 1
	fi
}

# events: "action|version" of every history event, oldest first.
events()
{
	db_sql "SELECT action, version FROM godwit_events ORDER BY id"
}

test_expect_success 'setup: one project folder per convention' '
	write_migration native/db/migrations/20240101000000_base.sql <<-\EOF &&
	-- godwit:no-transaction
	-- migrate:up
	CREATE TABLE base (id int);
	EOF
	write_migration native/db/migrations/20240102000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int PRIMARY KEY);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration native/db/migrations/20240103000000_posts.sql <<-\EOF &&
	-- migrate:up transaction:false
	CREATE TABLE posts (id int, user_id int REFERENCES users (id));
	-- migrate:down
	DROP TABLE posts;
	EOF
	cat >native/expect.pending <<-\EOF &&
	20240101000000 pending no-tx no-down
	20240102000000 pending tx down
	20240103000000 pending no-tx down
	EOF

	write_migration golang/db/migrations/2_base.up.sql <<-\EOF &&
	CREATE TABLE base (id int);
	EOF
	write_migration golang/db/migrations/2_base.down.sql <<-\EOF &&
	-- nothing can undo this one
	EOF
	write_migration golang/db/migrations/9_users.up.sql <<-\EOF &&
	CREATE TABLE users (id int PRIMARY KEY);
	EOF
	write_migration golang/db/migrations/9_users.down.sql <<-\EOF &&
	DROP TABLE users;
	EOF
	write_migration golang/db/migrations/10_posts.up.sql <<-\EOF &&
	-- godwit:no-transaction
	CREATE TABLE posts (id int, user_id int REFERENCES users (id));
	EOF
	write_migration golang/db/migrations/10_posts.down.sql <<-\EOF &&
	DROP TABLE posts;
	EOF
	cat >golang/expect.pending <<-\EOF &&
	2 pending tx no-down
	9 pending tx down
	10 pending no-tx down
	EOF

	write_migration pairs/db/migrations/0001_base.sql <<-\EOF &&
	CREATE TABLE base (id int);
	EOF
	write_migration pairs/db/migrations/0002_users.sql <<-\EOF &&
	-- godwit:no-transaction
	CREATE TABLE users (id int PRIMARY KEY);
	EOF
	write_migration pairs/db/migrations/0002_users_rollback.sql <<-\EOF &&
	DROP TABLE users;
	EOF
	write_migration pairs/db/migrations/0010_posts.sql <<-\EOF &&
	CREATE TABLE posts (id int, user_id int REFERENCES users (id));
	EOF
	write_migration pairs/db/migrations/0010_posts_rollback.sql <<-\EOF &&
	DROP TABLE posts;
	EOF
	cat >pairs/expect.pending <<-\EOF &&
	0001 pending tx no-down
	0002 pending no-tx down
	0010 pending tx down
	EOF

	write_migration dated/db/migrations/2026-01-20_base.sql <<-\EOF &&
	CREATE TABLE base (id int);
	EOF
	write_migration dated/db/migrations/2026-01-21_posts.sql <<-\EOF &&
	-- @depends-on: 2026-01-22_users.sql
	CREATE TABLE posts (id int, user_id int REFERENCES users (id));
	EOF
	write_migration dated/db/migrations/2026-01-21_posts_rollback.sql <<-\EOF &&
	DROP TABLE posts;
	EOF
	write_migration dated/db/migrations/2026-01-22_users.sql <<-\EOF &&
	-- godwit:no-transaction
	CREATE TABLE users (id int PRIMARY KEY);
	EOF
	write_migration dated/db/migrations/2026-01-22_users_rollback.sql <<-\EOF &&
	DROP TABLE users;
	EOF
	cat >dated/expect.pending <<-\EOF &&
	2026-01-20_base pending tx no-down
	2026-01-22_users pending no-tx down
	2026-01-21_posts pending tx down
	EOF

	# What down says to write to make base revertible: the file (or
	# section) of each convention, named once.
	echo "hint: add a ${SQ}-- migrate:down${SQ} section to db/migrations/20240101000000_base.sql first" >native/expect.hint &&
	echo "hint: write its down SQL in db/migrations/2_base.down.sql first" >golang/expect.hint &&
	echo "hint: write its down SQL in db/migrations/0001_base_rollback.sql first" >pairs/expect.hint &&
	echo "hint: write its down SQL in db/migrations/2026-01-20_base_rollback.sql first" >dated/expect.hint &&

	for conv in native golang pairs dated
	do
		printf "# notes, not a migration\n" >$conv/db/migrations/README.md &&
		awk "{ print \$1 }" $conv/expect.pending >$conv/expect.order &&
		sed "s/ pending / applied /" $conv/expect.pending >$conv/expect.applied &&
		{ sed -n 1p $conv/expect.applied && sed -n "2,3p" $conv/expect.pending; } >$conv/expect.reverted &&
		printf "apply|%s\n" $(cat $conv/expect.order) >$conv/expect.events.up || return 1
	done
'

test_expect_success PG 'setup: one PostgreSQL database per convention' '
	for conv in native golang pairs dated
	do
		pg_new_db &&
		echo "$PG_URL" >$conv/pg_url || return 1
	done
'

for backend in sqlite pg
do
	if [ $backend = pg ]; then
		prereq=PG
	else
		prereq=SQLITE3
	fi
	for conv in native golang pairs dated
	do
		test_expect_success $prereq "$conv on $backend: detected; status lists the order, transactions and downs" '
			on $backend $conv &&
			states >actual &&
			test_cmp expect.pending actual
		'

		test_expect_success $prereq "$conv on $backend: up applies all three in order" '
			on $backend $conv &&
			gw up >out &&
			test_grep "^applied 3 migrations$" out &&
			states >actual &&
			test_cmp expect.applied actual &&
			events >actual &&
			test_cmp expect.events.up actual &&
			printf "base\nposts\nusers\n" >expect &&
			user_tables >actual &&
			test_cmp expect actual
		'

		test_expect_success $prereq "$conv on $backend: down 2 reverts the last two with their down scripts" '
			on $backend $conv &&
			gw down 2 >out &&
			v2=$(sed -n 2p expect.order) &&
			v3=$(sed -n 3p expect.order) &&
			printf "%s\n" "$v3 posts" "$v2 users" >expect &&
			sed -n "s/^reverted  *\([^ ]* [a-z]*\) (.*/\1/p" out >actual &&
			test_cmp expect actual &&
			test_grep "^reverted 2 migrations$" out &&
			states >actual &&
			test_cmp expect.reverted actual &&
			{ cat expect.events.up && printf "revert|%s\n" "$v3" "$v2"; } >expect &&
			events >actual &&
			test_cmp expect actual &&
			echo base >expect &&
			user_tables >actual &&
			test_cmp expect actual
		'

		test_expect_success $prereq "$conv on $backend: the migration without a down is not reverted" '
			on $backend $conv &&
			v1=$(sed -n 1p expect.order) &&
			test_expect_code 1 gw down 2>err &&
			test_grep "^godwit: error: cannot revert $v1 base: it has no down migration$" err &&
			grep "^hint:" err >actual &&
			test_cmp expect.hint actual &&
			echo base >expect &&
			user_tables >actual &&
			test_cmp expect actual &&
			states >actual &&
			test_cmp expect.reverted actual
		'

		test_expect_success $prereq "$conv on $backend: up applies the reverted two again" '
			on $backend $conv &&
			gw up >out &&
			test_grep "^applied 2 migrations$" out &&
			states >actual &&
			test_cmp expect.applied actual &&
			printf "base\nposts\nusers\n" >expect &&
			user_tables >actual &&
			test_cmp expect actual
		'
	done
done

test_expect_success SQLITE3 'versions compare as numbers: 9_a before 10_b' '
	mkdir numeric &&
	cd numeric &&
	write_migration db/migrations/10_b.up.sql <<-\EOF &&
	CREATE TABLE b (id int);
	EOF
	write_migration db/migrations/9_a.up.sql <<-\EOF &&
	CREATE TABLE a (id int);
	EOF
	write_migration db/migrations/100_c.up.sql <<-\EOF &&
	CREATE TABLE c (id int);
	EOF
	godwit status >out &&
	sed -n "s/^pending  *\([0-9]*\)  *\([a-z]\)$/\1 \2/p" out >actual &&
	printf "9 a\n10 b\n100 c\n" >expect &&
	test_cmp expect actual &&
	godwit up --to 10 >out &&
	test_grep "^applied 2 migrations$" out &&
	sqlite_sql db/development.sqlite3 "SELECT version FROM godwit_events ORDER BY id" >actual &&
	printf "9\n10\n" >expect &&
	test_cmp expect actual &&
	godwit up &&
	sqlite_sql db/development.sqlite3 "SELECT version FROM godwit_events ORDER BY id" >actual &&
	printf "9\n10\n100\n" >expect &&
	test_cmp expect actual
'

test_expect_success SQLITE3 '--source-format names the convention in use (canonical names and aliases)' '
	cd golang &&
	godwit --source-format golang-migrate status >out &&
	test_grep "^3 applied, 0 pending" out &&
	godwit --source-format golang status >out &&
	test_grep "^3 applied, 0 pending" out &&
	cd ../native &&
	godwit --source-format dbmate status >out &&
	test_grep "^3 applied, 0 pending" out &&
	cd ../pairs &&
	godwit --source-format rollback-pairs status --format json >out &&
	test_grep "\"has_down\": true" out
'

test_expect_success '--source-format native refuses a file without -- migrate:up that auto takes for a pair' '
	mkdir -p forced/db/migrations &&
	cd forced &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	EOF
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF &&
	CREATE TABLE posts (id int);
	EOF
	test_expect_code 1 godwit up 2>err &&
	test_grep "^godwit: error: db/migrations mixes conventions: 20240101000000_users.sql (native), 20240102000000_posts.sql (pairs)$" err &&
	test_grep "^hint: keep one convention per folder, or choose one with --source-format$" err &&
	test_expect_code 1 godwit --source-format native up 2>err &&
	test_grep "^godwit: error: db/migrations/20240102000000_posts.sql: no -- migrate:up line; a native migration puts its up SQL below -- migrate:up and its down SQL below -- migrate:down$" err &&
	test ! -e db/development.sqlite3
'

test_expect_success '--source-format refuses a folder of another convention, naming a file' '
	cd pairs &&
	test_expect_code 1 godwit --source-format golang-migrate status 2>err &&
	test_grep "^godwit: error: db/migrations/0001_base.sql: does not follow the golang-migrate convention (it looks like pairs); expected e.g. 1_create_users.up.sql$" err &&
	cd ../native &&
	test_expect_code 1 godwit --source-format pairs status 2>err &&
	test_grep "^godwit: error: db/migrations/20240101000000_base.sql: does not follow the pairs convention (it looks like native); expected e.g. 0001_create_users.sql$" err &&
	cd ../golang &&
	test_expect_code 1 godwit --source-format dated status 2>err &&
	test_grep "^godwit: error: db/migrations/10_posts.down.sql: does not follow the dated convention (it looks like golang-migrate); expected e.g. 2024-01-01_create_users.sql$" err
'

test_expect_success 'an unknown --source-format is a usage error' '
	cd native &&
	test_expect_code 2 godwit --source-format flyway2 status 2>err &&
	test_grep "^godwit: error: --source-format must be one of auto, native, golang-migrate, pairs, dated, flyway, goose, diesel, prisma, drizzle, multi-dialect, sqitch, not ${SQ}flyway2${SQ}$" err
'

test_expect_success 'a folder mixing conventions is an error naming a file of each' '
	mkdir -p mixed &&
	cd mixed &&
	write_migration db/migrations/0001_a.sql <<-\EOF &&
	CREATE TABLE a (id int);
	EOF
	write_migration db/migrations/2_b.up.sql <<-\EOF &&
	CREATE TABLE b (id int);
	EOF
	write_migration db/migrations/2026-01-21_c.sql <<-\EOF &&
	CREATE TABLE c (id int);
	EOF
	write_migration db/migrations/20240101000000_d.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE d (id int);
	EOF
	test_expect_code 1 godwit up >out 2>err &&
	test_grep "^godwit: error: db/migrations mixes conventions: 0001_a.sql (pairs), 20240101000000_d.sql (native), 2026-01-21_c.sql (dated), 2_b.up.sql (golang-migrate)$" err &&
	test_expect_code 1 godwit status 2>err &&
	test_grep "mixes conventions: 0001_a.sql (pairs), 20240101000000_d.sql (native)" err &&
	test ! -s out &&
	test ! -e db/development.sqlite3
'

test_expect_success PG 'a folder mixing conventions changes nothing on PostgreSQL' '
	pg_new_db &&
	cd mixed &&
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "mixes conventions" err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}public${SQ}")" = 0
'

test_expect_success 'the mixed-conventions error points to --source-format, the option that chooses one' '
	cd mixed &&
	test_expect_code 1 godwit status 2>err &&
	test_grep "^hint: keep one convention per folder, or choose one with --source-format$" err &&
	test_grep ! "or --format to choose" err
'

test_expect_success 'a .sql file whose name fits no convention is an error naming it' '
	mkdir -p unknown &&
	cd unknown &&
	write_migration db/migrations/0001_a.sql <<-\EOF &&
	CREATE TABLE a (id int);
	EOF
	write_migration db/migrations/seed_users.sql <<-\EOF &&
	INSERT INTO a VALUES (1);
	EOF
	test_expect_code 1 godwit up 2>err &&
	test_grep "^godwit: error: db/migrations/seed_users.sql: cannot tell the migration${SQ}s version from its name; expected e.g. " err &&
	test ! -e db/development.sqlite3 &&
	mv db/migrations/seed_users.sql db/migrations/0002_seed_users.sql &&
	godwit up >out &&
	test_grep "^applied 2 migrations$" out
'

test_expect_success 'a down file without its up file is an error naming both names' '
	mkdir -p orphan/golang orphan/pairs orphan/dated &&
	echo "CREATE TABLE a (id int);" >orphan/golang/1_a.up.sql &&
	echo "DROP TABLE b;" >orphan/golang/2_b.down.sql &&
	echo "CREATE TABLE a (id int);" >orphan/pairs/0001_a.sql &&
	echo "DROP TABLE b;" >orphan/pairs/0002_b_rollback.sql &&
	echo "CREATE TABLE a (id int);" >orphan/dated/2026-01-01_a.sql &&
	echo "DROP TABLE b;" >orphan/dated/2026-01-02_b_rollback.sql &&
	test_expect_code 1 godwit --dir orphan/golang up 2>err &&
	test_grep "^godwit: error: orphan/golang/2_b.down.sql: there is no 2_b.up.sql for this down migration; add it or delete this file$" err &&
	test_expect_code 1 godwit --dir orphan/pairs up 2>err &&
	test_grep "^godwit: error: orphan/pairs/0002_b_rollback.sql: there is no 0002_b.sql for this down migration; add it or delete this file$" err &&
	test_expect_code 1 godwit --dir orphan/dated up 2>err &&
	test_grep "^godwit: error: orphan/dated/2026-01-02_b_rollback.sql: there is no 2026-01-02_b.sql for this down migration; add it or delete this file$" err &&
	test ! -e db/development.sqlite3
'

test_expect_success 'a -- migrate:down line in a golang-migrate up file is an error' '
	mkdir -p downline &&
	printf "%s\n" "CREATE TABLE a (id int);" "-- migrate:down" "DROP TABLE a;" >downline/1_a.up.sql &&
	test_expect_code 1 godwit --dir downline status 2>err &&
	test_grep "^godwit: error: downline/1_a.up.sql:2: a -- migrate:down section in a golang-migrate migration would run with the up SQL (the whole file is the up); put the down SQL in downline/1_a.down.sql$" err
'

test_expect_success 'files that are not .sql, hidden files and folders are ignored' '
	mkdir -p ignored &&
	cd ignored &&
	write_migration db/migrations/1_a.up.sql <<-\EOF &&
	CREATE TABLE a (id int);
	EOF
	echo "# how to write migrations" >db/migrations/README.md &&
	echo "not SQL at all" >db/migrations/notes.txt &&
	echo "CREATE TABLE swap (id int);" >db/migrations/.1_a.up.sql.swp &&
	echo "CREATE TABLE hidden (id int);" >db/migrations/.2_hidden.up.sql &&
	mkdir db/migrations/archive.sql db/migrations/old &&
	echo "CREATE TABLE old (id int);" >db/migrations/old/3_old.up.sql &&
	godwit up >out 2>err &&
	test_grep "^applied 1 migration$" out &&
	godwit status --format json >status.json &&
	test "$(grep -c "^      \"version\":" status.json)" = 1
'

test_expect_success SQLITE3 'a native file with CRLF line endings is read like LF' '
	mkdir -p crlf &&
	cd crlf &&
	mkdir -p db/migrations &&
	printf -- "-- migrate:up transaction:false\r\nCREATE TABLE a (id int);\r\n-- migrate:down\r\nDROP TABLE a;\r\n" >db/migrations/20240101000000_a.sql &&
	godwit status --format json >status.json &&
	test_grep "\"transactional\": false" status.json &&
	test_grep "\"has_down\": true" status.json &&
	godwit up &&
	godwit down &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name = ${SQ}a${SQ}")" = 0
'

# Committing ALTER TYPE ... ADD VALUE before the next statement uses the
# new value only works outside a transaction: inside one PostgreSQL says
# "unsafe use of new value". So applying these proves the migration really
# ran without a transaction, not only that status says so.
write_enum_migration()
{
	{
		[ -z "$2" ] || printf '%s\n' "$2"
		printf '%s\n' "ALTER TYPE mood ADD VALUE 'happy';" "INSERT INTO feelings VALUES ('happy');"
	} | write_migration "$1"
}

test_expect_success PG '-- godwit:no-transaction is honoured when running, in every convention' '
	for conv in native dbmate golang pairs dated
	do
		mkdir -p notx/$conv || return 1
	done &&
	printf "CREATE TYPE mood AS ENUM (%s);\nCREATE TABLE feelings (m mood);\n" "${SQ}sad${SQ}" >enum.sql &&
	{ echo "-- migrate:up" && cat enum.sql; } >notx/native/20240101000000_enum.sql &&
	cp notx/native/20240101000000_enum.sql notx/dbmate/ &&
	cp enum.sql notx/golang/1_enum.up.sql &&
	cp enum.sql notx/pairs/0001_enum.sql &&
	cp enum.sql notx/dated/2026-01-20_enum.sql &&
	write_enum_migration notx/native/20240102000000_happy.sql "-- godwit:no-transaction
-- migrate:up" &&
	write_enum_migration notx/dbmate/20240102000000_happy.sql "-- migrate:up transaction:false" &&
	write_enum_migration notx/golang/2_happy.up.sql "-- godwit:no-transaction" &&
	write_enum_migration notx/pairs/0002_happy.sql "-- godwit:no-transaction" &&
	write_enum_migration notx/dated/2026-01-21_happy.sql "-- godwit:no-transaction" &&
	for conv in native dbmate golang pairs dated
	do
		pg_new_db &&
		godwit --url "$PG_URL" --dir notx/$conv up >out 2>err &&
		test_grep "^applied 2 migrations$" out &&
		test "$(pg_sql "SELECT m FROM feelings")" = happy &&
		godwit --url "$PG_URL" --dir notx/$conv status --format json >status.json &&
		test "$(grep -c "\"transactional\": false" status.json)" = 1 || return 1
	done
'

test_expect_success PG 'the same migration without the directive fails in its transaction and is rolled back' '
	mkdir -p notx/wrapped &&
	cp notx/golang/1_enum.up.sql notx/wrapped/ &&
	write_enum_migration notx/wrapped/2_happy.up.sql "" &&
	pg_new_db &&
	test_expect_code 1 godwit --url "$PG_URL" --dir notx/wrapped up >out 2>err &&
	test_grep "^godwit: error: notx/wrapped/2_happy.up.sql:2:[0-9]*: unsafe use of new value \"happy\" of enum type mood" err &&
	test "$(pg_count feelings)" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM pg_enum")" = 1 &&
	test "$(pg_sql "SELECT string_agg(version, ${SQ},${SQ}) FROM godwit_migrations")" = 1
'

test_done
