#!/bin/sh
test_description='new writes only what each convention runs; a -- migrate:down line where the whole file runs is an error for validate, lint and up'
. "$(dirname "$0")/lib.sh"

# files_of DIR: the files under DIR, versions written as V (timestamps,
# dates and numbers vary with the clock), sorted.
files_of()
{
	(cd "$1" && find . -type f ! -path "./meta/*" ! -name sqitch.plan ! -name sqitch.conf) |
	sed -e "s|^\./||" \
	    -e "s/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]-[0-9]\{6\}/V/" \
	    -e "s/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]/V/" \
	    -e "s/[0-9]\{14\}/V/" \
	    -e "s/^\([UV]*\)000[0-9]/\1V/" -e "s/^\([UV]\)[0-9]/\1V/" |
	sort
}

# fill DIR: the files new wrote get the SQL of a migration that creates
# table tags and a down that drops it, as a user would write them.
fill()
{
	for f in $(cd "$1" && find . -type f ! -path "./meta/*" ! -path "./verify/*" ! -name "sqitch.*")
	do
		case $f in
		*.down.sql|*_rollback.sql|*/down.sql|./U*|./revert/*)
			sql="DROP TABLE tags;" ;;
		*)
			sql="CREATE TABLE tags (id int);" ;;
		esac
		case $(head -n 1 "$1/$f") in
		"-- migrate:up")
			printf -- "-- migrate:up\nCREATE TABLE tags (id int);\n-- migrate:down\nDROP TABLE tags;\n" ;;
		"-- +goose Up")
			printf -- "-- +goose Up\nCREATE TABLE tags (id int);\n-- +goose Down\nDROP TABLE tags;\n" ;;
		"-- Deploy"*|"-- Revert"*)
			printf -- "BEGIN;\n%s\nCOMMIT;\n" "$sql" ;;
		*)
			printf -- "%s\n" "$sql" ;;
		esac >"$1/$f.new" &&
		mv "$1/$f.new" "$1/$f" || return 1
	done
}

test_expect_success 'setup: what each convention gets from new add_tags' '
	printf "%s\n" V_add_tags.sql >expect.native &&
	printf "%s\n" V_add_tags.down.sql V_add_tags.up.sql >expect.golang-migrate &&
	printf "%s\n" V_add_tags.sql V_add_tags_rollback.sql >expect.pairs &&
	printf "%s\n" V_add_tags.sql V_add_tags_rollback.sql >expect.dated &&
	printf "%s\n" UV__add_tags.sql VV__add_tags.sql >expect.flyway &&
	printf "%s\n" V_add_tags.sql >expect.goose &&
	printf "%s\n" V_add_tags/down.sql V_add_tags/up.sql >expect.diesel &&
	printf "%s\n" V_add_tags/down.sql V_add_tags/migration.sql >expect.prisma &&
	printf "%s\n" V_add_tags.down.sql V_add_tags.up.sql >expect.multi-dialect &&
	printf "%s\n" V_add_tags.down.sql V_add_tags.sql >expect.drizzle &&
	printf "%s\n" deploy/add_tags.sql revert/add_tags.sql verify/add_tags.sql >expect.sqitch &&
	mkdir -p drizzle/m/meta sqitch/m &&
	printf "{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":[]}" >drizzle/m/meta/_journal.json &&
	printf "%%syntax-version=1.0.0\n%%project=t\n\n" >sqitch/m/sqitch.plan
'

for conv in native golang-migrate pairs dated flyway goose diesel prisma multi-dialect drizzle sqitch
do
	test_expect_success PG "$conv: new writes only what $conv runs; filled in, it applies and reverts" '
		mkdir -p $conv/m &&
		cd $conv &&
		pg_new_db &&
		set -- --url "$PG_URL" --dir m &&
		case $conv in
		drizzle|sqitch) ;;
		*) set -- "$@" --source-format $conv ;;
		esac &&
		godwit "$@" new add_tags >out &&
		files_of m >actual &&
		test_cmp ../expect.$conv actual &&
		# Section markers only where the convention has sections.
		case $conv in
		native) test_grep "^-- migrate:down" m/*.sql ;;
		*) ! grep -r "migrate:" m ;;
		esac &&
		# The template is not a migration yet, even where an empty one is.
		test_expect_code 1 godwit "$@" up 2>err &&
		test_grep "the migration is empty" err &&
		fill m &&
		godwit "$@" up >out &&
		test_grep "^applied 1 migration$" out &&
		test "$(pg_sql "SELECT to_regclass(${SQ}tags${SQ}) IS NOT NULL")" = t &&
		godwit "$@" down >out &&
		test_grep "^reverted 1 migration$" out &&
		test "$(pg_sql "SELECT to_regclass(${SQ}tags${SQ}) IS NULL")" = t &&
		test "$(pg_count godwit_migrations)" = 0
	'
done

test_expect_success 'setup: a drizzle folder whose file has native sections' '
	mkdir -p bad/drizzle/meta &&
	printf "{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":[{\"idx\":0,\"version\":\"7\",\"when\":1700000000000,\"tag\":\"0000_tags\",\"breakpoints\":true}]}" >bad/drizzle/meta/_journal.json &&
	write_migration bad/drizzle/0000_tags.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE tags (id int);
	-- migrate:down
	DROP TABLE tags;
	EOF
	echo "godwit: error: drizzle/0000_tags.sql:3: a -- migrate:down section in a drizzle migration would run with the up SQL (the whole file is the up); put the down SQL in drizzle/0000_tags.down.sql" >expect.err
'

test_expect_success 'validate flags the -- migrate:down line as an error' '
	cd bad &&
	test_expect_code 3 godwit --dir drizzle validate >out 2>err &&
	echo "drizzle/0000_tags.sql:3: error: a -- migrate:down section in a drizzle migration would run with the up SQL (the whole file is the up); put the down SQL in drizzle/0000_tags.down.sql [source]" >expect &&
	head -n 1 out >actual &&
	test_cmp expect actual
'

test_expect_success 'lint refuses it' '
	cd bad &&
	test_expect_code 1 godwit --dir drizzle lint >out 2>err &&
	test_cmp ../expect.err err
'

test_expect_success PG 'up refuses it and changes nothing' '
	cd bad &&
	pg_new_db &&
	test_expect_code 1 godwit --url "$PG_URL" --dir drizzle up >out 2>err &&
	test_cmp ../expect.err err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}public${SQ}")" = 0
'

test_expect_success 'the same line in a Prisma, diesel or Flyway up, or a -- migrate:up line in a down file' '
	mkdir -p p/20240101000000_a d/2024-01-01-000000_a f g &&
	printf -- "CREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n" >p/20240101000000_a/migration.sql &&
	printf -- "CREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n" >d/2024-01-01-000000_a/up.sql &&
	printf -- "CREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n" >f/V1__a.sql &&
	echo "CREATE TABLE a (id int);" >g/1_a.up.sql &&
	printf -- "-- migrate:up\nCREATE TABLE a (id int);\n" >g/1_a.down.sql &&
	for d in p d f g
	do
		test_expect_code 1 godwit --dir $d status 2>>err || return 1
	done &&
	cat >expect <<-\EOF &&
	godwit: error: p/20240101000000_a/migration.sql:2: a -- migrate:down section in a prisma migration would run with the up SQL (the whole file is the up); put the down SQL in p/20240101000000_a/down.sql
	godwit: error: d/2024-01-01-000000_a/up.sql:2: a -- migrate:down section in a diesel migration would run with the up SQL (the whole file is the up); put the down SQL in d/2024-01-01-000000_a/down.sql
	godwit: error: f/V1__a.sql:2: a -- migrate:down section in a flyway migration would run with the up SQL (the whole file is the up); put the down SQL in f/U1__a.sql
	godwit: error: g/1_a.down.sql:1: a -- migrate:up line in a golang-migrate down file, which runs whole; keep only the down SQL here, without the line
	EOF
	test_cmp expect err
'

test_done
