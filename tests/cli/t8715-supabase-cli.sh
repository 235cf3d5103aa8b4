#!/bin/sh
test_description='a Supabase CLI project: its folder is found, its history refuses a second run, adopt takes it over'
. "$(dirname "$0")/lib.sh"

# The Supabase CLI (supabase db push) keeps plain SQL files in
# supabase/migrations and a row per version applied in
# supabase_migrations.schema_migrations.

test_expect_success PG 'setup: a database the Supabase CLI migrated' '
	pg_new_db &&
	mkdir -p supabase/migrations &&
	printf "create table profiles (id uuid primary key);\n" >supabase/migrations/20240101000000_init.sql &&
	printf "alter table profiles add column bio text;\n" >supabase/migrations/20240102000000_bio.sql &&
	pg_sql "CREATE SCHEMA supabase_migrations;
		CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY, statements text[], name text);
		INSERT INTO supabase_migrations.schema_migrations VALUES ($SQ""20240101000000$SQ, $SQ{}$SQ, $SQ""init$SQ);
		CREATE TABLE profiles (id uuid PRIMARY KEY)"
'

test_expect_success PG 'status finds supabase/migrations and names the CLI'"'"'s history' '
	godwit --url "$PG_URL" status >out &&
	cat >expect <<-EOF &&
	migrations in supabase/migrations (found: the Supabase CLI${SQ}s supabase/migrations/)
	pending      20240101000000  init
	pending      20240102000000  bio
	0 applied, 2 pending
	this database holds the supabase history (supabase_migrations.schema_migrations) and godwit${SQ}s history is empty;
	take it over with ${SQ}godwit adopt --from supabase${SQ}; until then ${SQ}godwit up${SQ} refuses (it would apply every migration again)
	EOF
	test_cmp expect out
'

test_expect_success PG 'up refuses, nothing created' '
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "^godwit: error: this database holds the supabase history (supabase_migrations.schema_migrations)" err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename LIKE $SQ""godwit%$SQ")" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = $SQ""profiles$SQ")" = 1
'

test_expect_success PG 'adopt records what the CLI applied; up applies the rest' '
	godwit --url "$PG_URL" adopt --from supabase >out &&
	test_grep "^  recorded  *20240101000000  *20240101000000_init.sql  (applied)$" out &&
	test_grep "^recorded 1 migration as applied; 1 pending; supabase_migrations.schema_migrations left as it was$" out &&
	godwit --url "$PG_URL" up &&
	test "$(pg_sql "SELECT string_agg(column_name, $SQ,$SQ ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = $SQ""profiles$SQ")" = "id,bio" &&
	test "$(pg_sql "SELECT count(*) FROM supabase_migrations.schema_migrations")" = 1
'

test_done
