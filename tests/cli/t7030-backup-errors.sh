#!/bin/sh
test_description='backup and restore: an event that cannot be recorded, a missing backup, a missing pg_dump'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000001_t.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t (id int);
	INSERT INTO t VALUES (1);
	-- migrate:down
	DROP TABLE t;
	EOF
	godwit --url "$PG_URL" up >/dev/null 2>&1
'

test_expect_success PG 'a backup whose event cannot be recorded is kept, with a warning' '
	pg_sql "CREATE FUNCTION deny() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION '\''events are read-only here'\''; END \$\$" &&
	pg_sql "CREATE TRIGGER deny BEFORE INSERT ON godwit_events FOR EACH ROW EXECUTE FUNCTION deny()" &&
	events=$(pg_sql "SELECT count(*) FROM godwit_events") &&
	godwit --url "$PG_URL" backup 2>err &&
	backup=$(ls db/backups/development-*-20240101000001.dump) &&
	cat >expect <<-EOF &&
	godwit: backed up to $backup
	godwit: warning: the backup $backup is complete, but its event could not be recorded: events are read-only here
	EOF
	test_cmp expect err &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events")" = "$events" &&
	pg_sql "DROP TRIGGER deny ON godwit_events; DROP FUNCTION deny()"
'

test_expect_success PG 'restoring a backup that does not exist changes nothing' '
	test_expect_code 1 godwit --url "$PG_URL" restore db/backups/nope.dump 2>err &&
	echo "godwit: error: cannot read the backup db/backups/nope.dump: No such file or directory" >expect &&
	test_cmp expect err &&
	test "$(pg_sql "SELECT id FROM t")" = 1 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''restore'\''")" = 0
'

test_expect_success PG 'a pg_dump that is not there: the error says what to install' '
	major=$(pg_sql "SELECT current_setting('\''server_version_num'\'')::int / 10000") &&
	GODWIT_PG_BINDIR=/nonexistent test_expect_code 1 godwit --url "$PG_URL" backup 2>err &&
	cat >expect <<-EOF &&
	godwit: error: backup failed, nothing was changed: cannot run /nonexistent/pg_dump: No such file or directory
	hint: install PostgreSQL $major'\''s client programs (Debian: apt-get install postgresql-client-$major)
	EOF
	test_cmp expect err &&
	test "$(ls db/backups | grep -c .)" = 1
'

test_done
