#!/bin/sh
test_description='backup, restore and drift --record are events; events survive a restore'
. "$(dirname "$0")/lib.sh"

# events: action|version|name of every event, oldest first.
events()
{
	db_sql "SELECT action || '|' || coalesce(version, '') || '|' || coalesce(name, '') FROM godwit_events ORDER BY id"
}

# The second migration changes a table of the backup, so that a restore
# (pg_restore --clean recreates what the dump holds) undoes it.
test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_t1.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t1 (id int);
	-- migrate:down
	DROP TABLE t1;
	EOF
	write_migration db/migrations/20240102000000_t2.sql <<-\EOF
	-- migrate:up
	ALTER TABLE t1 ADD COLUMN name text;
	-- migrate:down
	ALTER TABLE t1 DROP COLUMN name;
	EOF
'

for backend in sqlite pg; do
	prereq=SQLITE3
	[ $backend = pg ] && prereq=PG
	test_expect_success $prereq "$backend: backup is recorded as an event naming its file" '
		mkdir $backend && cp -R db $backend/ && cd $backend &&
		if [ $backend = pg ]; then pg_new_db && echo "$PG_URL" >pg_url; fi &&
		gw up --to 20240101000000 >out &&
		gw backup 2>err &&
		f=$(ls db/backups/*) &&
		events >actual &&
		cat >expect <<-EOF &&
		apply|20240101000000|t1
		backup||$f
		EOF
		test_cmp expect actual
	'

	test_expect_success $prereq "$backend: restore keeps the events recorded after the backup, and records itself" '
		cd $backend &&
		if [ $backend = pg ]; then PG_URL=$(cat pg_url); fi &&
		f=$(ls db/backups/*) &&
		gw up >out &&
		gw drift --record >out &&
		events >before &&
		gw restore --force "$f" 2>err &&
		test_grep "restored $f" err &&
		events >actual &&
		cat >expect <<-EOF &&
		apply|20240101000000|t1
		backup||$f
		apply|20240102000000|t2
		record-schema||
		restore||$f
		EOF
		test_cmp expect actual &&
		test "$(db_sql "SELECT count(*) FROM godwit_migrations")" = 1 &&
		gw up >out &&
		events >actual &&
		echo "apply|20240102000000|t2" >>expect &&
		test_cmp expect actual
	'

	test_expect_success $prereq "$backend: a restore of the same backup again adds only its own event" '
		cd $backend &&
		if [ $backend = pg ]; then PG_URL=$(cat pg_url); fi &&
		f=$(ls db/backups/*) &&
		events >before &&
		gw restore --force "$f" 2>err &&
		events >actual &&
		echo "restore||$f" >>before &&
		test_cmp before actual
	'
done

test_expect_success SQLITE3 'a backup of a database godwit never migrated creates nothing in it' '
	sqlite_sql other.db "CREATE TABLE app (id int)" &&
	godwit --url sqlite:other.db backup 2>err &&
	test_grep "backed up to" err &&
	test "$(sqlite_sql other.db "SELECT group_concat(name) FROM sqlite_master")" = app
'

test_done
