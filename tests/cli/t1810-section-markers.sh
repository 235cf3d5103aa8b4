#!/bin/sh
test_description='a misspelt section marker is refused with the spelling to write; what the tools accept still works'
. "$(dirname "$0")/lib.sh"

# A line that looks like -- migrate:down (or -- +goose Down) but is not one
# is a comment to dbmate and goose: the down SQL below it would run as part
# of the up. Every such line must stop the run before anything is applied.

snapshot()
{
	pg_sql "SELECT version, state, checksum FROM godwit_migrations ORDER BY version" &&
	pg_sql "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
}

# try_marker DIR FILE LINE TEXT WANT: up in DIR refuses FILE, which holds the
# comment TEXT on line LINE, saying to write WANT; nothing changes.
try_marker()
{
	snapshot >before &&
	test_expect_code 1 godwit --url "$PG_URL" --dir "$1" up >out 2>err &&
	printf "godwit: error: %s/%s:%s: \"%s\" is not a section marker; write it exactly as \"%s\" at the start of the line (as it is, the SQL below it would run as part of the section above it)\n" \
		"$1" "$2" "$3" "$4" "$5" >expect &&
	test_cmp expect err &&
	test_grep ! "^applied" out &&
	snapshot >after &&
	test_cmp before after &&
	test_expect_code 3 godwit --url "$PG_URL" --dir "$1" validate >out 2>&1 &&
	test_grep "^$1/$2:$3: error: .* is not a section marker" out
}

test_expect_success PG 'setup: an applied native migration' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
	godwit --url "$PG_URL" up
'

test_expect_success PG 'each misspelt -- migrate:down is refused and the down never runs' '
	test_when_finished "rm -f db/migrations/20240102000000_posts.sql" &&
	for marker in "-- migrate:downn" "-- migrate: down" "-- Migrate:Down" \
		"-- MIGRATE:DOWN" "  -- migrate:down" "	-- migrate:down" \
		"-- migrate:dwon" "-- migrate:dow" "--- migrate:down" "-- migrate down" \
		"-- migrate : down" "-- Migrate:Down transaction:false"
	do
		printf -- "-- migrate:up\nCREATE TABLE posts (id int);\n%s\nDROP TABLE users;\n" \
			"$marker" >db/migrations/20240102000000_posts.sql &&
		try_marker db/migrations 20240102000000_posts.sql 3 "$marker" "-- migrate:down" ||
		return 1
	done
'

test_expect_success PG 'a file whose every marker is misspelt is refused, not run whole' '
	test_when_finished "rm -f db/migrations/20240102000000_posts.sql" &&
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF &&
	-- Migrate:Up
	CREATE TABLE posts (id int);
	-- Migrate:Down
	DROP TABLE users;
	EOF
	try_marker db/migrations 20240102000000_posts.sql 1 "-- Migrate:Up" "-- migrate:up"
'

test_expect_success PG 'a misspelt -- migrate:up or -- migrate:verify is refused too' '
	test_when_finished "rm -f db/migrations/20240102000000_posts.sql" &&
	printf -- "-- migrate:up\nCREATE TABLE posts (id int);\n-- migrate:down\nDROP TABLE posts;\n-- migrate:verfy\nSELECT 1;\n" \
		>db/migrations/20240102000000_posts.sql &&
	try_marker db/migrations 20240102000000_posts.sql 5 "-- migrate:verfy" "-- migrate:verify" &&
	printf -- "-- migrate:up;\nCREATE TABLE posts (id int);\n-- migrate:down\nDROP TABLE posts;\n" \
		>db/migrations/20240102000000_posts.sql &&
	try_marker db/migrations 20240102000000_posts.sql 1 "-- migrate:up;" "-- migrate:up"
'

test_expect_success PG 'the spellings dbmate accepts, and prose about migrating, still work' '
	test_when_finished "rm -f db/migrations/2024010200000*" &&
	printf -- "--migrate:up\nCREATE TABLE a (id int);\n--\tmigrate:down  \nDROP TABLE a;\n" \
		>db/migrations/20240102000001_a.sql &&
	printf -- "-- migrate the b table\n-- migrated: from v1\n-- migrate: users to the new table\n--   migrate:up transaction:false\r\nCREATE TABLE b (id int);\r\n-- migrate:down\r\nDROP TABLE b;\r\n" \
		>db/migrations/20240102000002_b.sql &&
	godwit --url "$PG_URL" up >out &&
	test "$(pg_sql "SELECT string_agg(tablename, $SQ $SQ ORDER BY tablename) FROM pg_tables WHERE schemaname = ${SQ}public${SQ}")" = "a b godwit_events godwit_migrations users" &&
	godwit --url "$PG_URL" down 2 &&
	test "$(pg_sql "SELECT string_agg(tablename, $SQ $SQ ORDER BY tablename) FROM pg_tables WHERE schemaname = ${SQ}public${SQ}")" = "godwit_events godwit_migrations users"
'

test_expect_success PG 'setup: an applied goose migration' '
	pg_new_db &&
	mkdir goose &&
	write_migration goose/00001_users.sql <<-\EOF &&
	-- +goose Up
	CREATE TABLE gusers (id int);
	-- +goose Down
	DROP TABLE gusers;
	EOF
	godwit --url "$PG_URL" --dir goose up
'

test_expect_success PG 'each misspelt -- +goose Down is refused and the down never runs' '
	test_when_finished "rm -f goose/00002_posts.sql" &&
	for marker in "  -- +goose Down" "-- +Goose Down" "-- + goose Down" "-- +goose Downn" \
		"-- goose down" "-- +GOOSE DOWN" "---+goose Down" "-- +goose Dwon"
	do
		printf -- "-- +goose Up\nCREATE TABLE gposts (id int);\n%s\nDROP TABLE gusers;\n" \
			"$marker" >goose/00002_posts.sql &&
		try_marker goose 00002_posts.sql 3 "$marker" "-- +goose Down" ||
		return 1
	done
'

test_expect_success PG 'a goose file whose every annotation is misspelt is refused, not run whole' '
	test_when_finished "rm -f goose/00002_posts.sql" &&
	printf -- "-- +Goose Up\nCREATE TABLE gposts (id int);\n-- +Goose Down\nDROP TABLE gusers;\n" \
		>goose/00002_posts.sql &&
	try_marker goose 00002_posts.sql 1 "-- +Goose Up" "-- +goose Up" &&
	printf -- "-- +goose Up\n  -- +goose StatementBegin\nCREATE TABLE gposts (id int);\n-- +goose StatementEnd\n" \
		>goose/00002_posts.sql &&
	try_marker goose 00002_posts.sql 2 "  -- +goose StatementBegin" "-- +goose StatementBegin"
'

test_expect_success PG 'the spellings goose accepts (any case, blanks, no blank after +goose) still work' '
	printf -- "-- +goose up\nCREATE TABLE g2 (id int);\n-- +goose   DOWN  \nDROP TABLE g2;\n" \
		>goose/00002_g2.sql &&
	printf -- "--+goose Up\nCREATE TABLE g3 (id int);\n-- +gooseDown\nDROP TABLE g3;\n" \
		>goose/00003_g3.sql &&
	godwit --url "$PG_URL" --dir goose up &&
	pg_sql "SELECT count(*) FROM g2, g3" &&
	godwit --url "$PG_URL" --dir goose down 2 &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename IN (${SQ}g2${SQ}, ${SQ}g3${SQ})")" = 0 &&
	test "$(pg_count gusers)" = 0
'

test_expect_success PG 'a misspelt marker in a golang-migrate file is refused as a section marker where none exist' '
	mkdir gm &&
	printf -- "CREATE TABLE m (id int);\n-- Migrate:Down\nDROP TABLE users;\n" >gm/1_m.up.sql &&
	snapshot >before &&
	test_expect_code 1 godwit --url "$PG_URL" --dir gm up 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: gm/1_m.up.sql:2: "-- Migrate:Down" looks like a section marker, but a golang-migrate migration has no sections: the SQL below it would run as part of the up; put the down SQL in its own file
	EOF
	test_cmp expect err &&
	snapshot >after &&
	test_cmp before after
'

test_expect_success 'on SQLite too: a misspelt -- migrate:down stops up before anything runs' '
	mkdir -p sq/db/migrations &&
	(
		cd sq &&
		printf -- "-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n" \
			>db/migrations/20240101000000_t.sql &&
		godwit up &&
		printf -- "-- migrate:up\nCREATE TABLE u (id int);\n-- Migrate:Down\nDROP TABLE t;\n" \
			>db/migrations/20240102000000_u.sql &&
		test_expect_code 1 godwit up 2>err &&
		test_grep "20240102000000_u.sql:3: \"-- Migrate:Down\" is not a section marker" err &&
		test "$(sqlite_sql db/development.sqlite3 "SELECT group_concat(name, $SQ $SQ) FROM (SELECT name FROM sqlite_master WHERE type = ${SQ}table${SQ} AND name IN (${SQ}t${SQ}, ${SQ}u${SQ}) ORDER BY 1)")" = t
	)
'

test_done
