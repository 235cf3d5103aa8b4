#!/bin/sh
test_description='--history-schema (and its older name --schema), and --format for the output only'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	mkdir -p db/migrations &&
	write_migration db/migrations/20240101000000_t.sql <<-\EOF
	-- migrate:up
	CREATE SCHEMA app;
	CREATE TABLE app.t (id int);
	-- migrate:down
	DROP SCHEMA app CASCADE;
	EOF
'

test_expect_success PG '--history-schema puts the history in that schema' '
	pg_new_db &&
	godwit --url "$PG_URL" --history-schema hist up >out &&
	test "$(pg_sql "SELECT count(*) FROM hist.godwit_migrations")" = 1 &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename = '\''godwit_migrations'\''")" = 1 &&
	godwit --url "$PG_URL" status --history-schema hist >out &&
	test_grep "^1 applied, 0 pending\$" out
'

test_expect_success PG '--schema is still the history schema, before or after the command' '
	godwit --url "$PG_URL" --schema hist status >out &&
	test_grep "^1 applied, 0 pending\$" out &&
	godwit --url "$PG_URL" status --schema hist >out2 &&
	test_cmp out out2 &&
	godwit --url "$PG_URL" --schema other status >out &&
	test_grep "^0 applied, 1 pending\$" out &&
	test "$(pg_sql "SELECT count(*) FROM pg_namespace WHERE nspname = '\''other'\''")" = 0
'

test_expect_success PG 'schema dump --schema is the command'\''s filter, beside the global one' '
	godwit --url "$PG_URL" --history-schema hist schema dump --schema app >dump &&
	sed -n "/^table /p" dump >tables &&
	echo "table app.t" >expect &&
	test_cmp expect tables &&
	godwit --url "$PG_URL" --schema hist schema dump --schema hist --include-history >dump &&
	sed -n "/^table /p" dump >tables &&
	printf "table hist.godwit_events\ntable hist.godwit_migrations\n" >expect &&
	test_cmp expect tables
'

test_expect_success 'godwit config names the flag a value came from' '
	godwit --schema hist config >out &&
	test_grep "^schema  *hist  *--history-schema\$" out
'

test_expect_success '--format with a convention name still works, with a warning' '
	godwit --dir db/migrations --source-format native status >expect 2>err &&
	test ! -s err &&
	godwit --dir db/migrations --format native status >actual 2>err &&
	test_cmp expect actual &&
	echo "godwit: warning: --format native names a folder convention; use --source-format native (--format is the output format only)" >expect.err &&
	test_cmp expect.err err
'

test_expect_success '--format json is the output format, without a warning' '
	godwit --dir db/migrations --format json status >out 2>err &&
	test ! -s err &&
	test_grep "\"migrations\"" out
'

test_expect_success 'an unknown --format names both uses' '
	test_expect_code 2 godwit --format yaml status 2>err &&
	test_grep "^godwit: error: unknown format .yaml.; use text or json for the output, or a folder convention (see --source-format)\$" err
'

test_done
