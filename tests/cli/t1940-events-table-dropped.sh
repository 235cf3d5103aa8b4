#!/bin/sh
test_description='a database whose godwit_events table was dropped keeps its applied migrations'
. "$(dirname "$0")/lib.sh"

# Someone pruned the audit trail with DROP TABLE godwit_events. The
# migrations table still says what is applied: status must not call every
# migration pending, and up --dry-run must not plan to run them again.

test_expect_success 'setup: two migrations' '
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

# q SQL: runs SQL on the database of $url.
q()
{
	case $url in
	sqlite:*) sqlite_sql "${url#sqlite:}" "$1" ;;
	*) pg_sql "$1" ;;
	esac
}

check_engine()
{
	url=$1 &&
	godwit --url "$url" up >/dev/null 2>&1 &&
	q "DROP TABLE godwit_events" &&
	godwit --url "$url" status >out &&
	test_grep "^2 applied, 0 pending$" out &&
	test_grep "^applied  *20240101000000  a " out &&
	godwit --url "$url" up --dry-run >out &&
	test_grep "nothing to apply; the database is up to date" out &&
	godwit --url "$url" history >out &&
	test_grep "^no events yet$" out &&
	godwit --url "$url" up >out 2>err &&
	test_grep "^nothing to apply; the database is up to date$" out &&
	test "$(q "SELECT count(*) FROM godwit_migrations")" = 2 &&
	godwit --url "$url" down >out 2>&1 &&
	test "$(q "SELECT action || ' ' || version FROM godwit_events")" = "revert 20240102000000"
}

test_expect_success 'SQLite: status, up --dry-run, up and down after the events table is dropped' '
	check_engine "sqlite:$PWD/t.db"
'

test_expect_success PG 'PostgreSQL: the same' '
	pg_new_db &&
	check_engine "$PG_URL"
'

test_done
