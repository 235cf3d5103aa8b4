#!/bin/sh
test_description='block: up refuses unsafe statements in a protected environment before anything runs (a DROP TABLE under the default configuration); godwit:ignore acknowledges one, --allow-unsafe overrides after a confirmation and is recorded'
. "$(dirname "$0")/lib.sh"

# Runs godwit on a pseudo-terminal (util-linux script), typing $1 at it.
on_terminal()
{
	answer=$1
	shift
	printf '%s\n' "$answer" | script -qec "$GODWIT $*" /dev/null
}

applied()
{
	pg_sql "SELECT string_agg(version, ' ' ORDER BY version) FROM godwit_migrations"
}

test_expect_success PG 'setup: users applied in development, where nothing is blocked' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	INSERT INTO users VALUES (1), (2);
	-- migrate:down
	DROP TABLE users;
	EOF
	godwit --url "$PG_URL" up >out &&
	test_grep "applied 1 migration" out &&
	printf "[env.production]\nurl = %s\n" "$PG_URL" >godwit.conf &&
	write_migration db/migrations/20240102000000_drop_users.sql <<-\EOF
	-- migrate:up
	DROP TABLE users;
	-- migrate:down
	CREATE TABLE users (id int);
	EOF
'

test_expect_success PG 'a DROP TABLE is refused in production under the default configuration, naming it, and nothing changes' '
	test_grep ! block godwit.conf &&
	test_expect_code 1 godwit --url "$PG_URL" --env production --yes up >out 2>err &&
	cat >expect <<-\EOF &&
	db/migrations/20240102000000_drop_users.sql:2:1: warning: dropping a table breaks code that still uses it, and its data is gone [dropping-table]
	godwit: error: 1 unsafe statement, and block = error (and destructive statements at any level) in the environment '\''production'\''; nothing was changed
	hint: acknowledge each statement with a '\''-- godwit:ignore RULE'\'' comment above it, or pass --allow-unsafe to apply it anyway
	EOF
	test_cmp expect err &&
	test ! -s out &&
	test "$(applied)" = 20240101000000 &&
	test "$(pg_count users)" = 2 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action <> '\''apply'\''")" = 0
'

test_expect_success PG '--allow-unsafe without a terminal still needs --yes' '
	test_expect_code 1 godwit --url "$PG_URL" --env production up --allow-unsafe >out 2>err &&
	test_grep "'\''production'\'' is a protected environment and there is no terminal to confirm on; nothing was changed" err &&
	test "$(pg_count users)" = 2
'

test_expect_success PG 'a wrong typed confirmation of --allow-unsafe changes nothing' '
	test_expect_code 1 on_terminal staging --env production up --allow-unsafe >out 2>&1 &&
	test_grep "About to apply 1 unsafe statement (--allow-unsafe) on the protected environment '\''production'\''" out &&
	test_grep "the confirmation did not match '\''production'\''; nothing was changed" out &&
	test "$(pg_count users)" = 2
'

test_expect_success PG '--allow-unsafe confirmed on a terminal applies it and records the override' '
	on_terminal production --env production up --allow-unsafe >out 2>&1 &&
	test_grep "applying db/migrations/20240102000000_drop_users.sql despite block = error (allow-unsafe): dropping-table at db/migrations/20240102000000_drop_users.sql:2" out &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename = '\''users'\''")" = 0 &&
	test_grep "applied 1 migration" out &&
	test "$(applied)" = "20240101000000 20240102000000" &&
	pg_sql "SELECT action, version, error, error_file, error_line, environment FROM godwit_events WHERE action = '\''allow-unsafe'\''" >actual &&
	echo "allow-unsafe|20240102000000|dropping-table at db/migrations/20240102000000_drop_users.sql:2|db/migrations/20240102000000_drop_users.sql|2|production" >expect &&
	test_cmp expect actual &&
	godwit --url "$PG_URL" history >out &&
	test_grep "allow-unsafe" out
'

test_expect_success PG 'block = error is the default in production: DELETE without WHERE is refused, a warning that destroys nothing is not' '
	rm godwit.conf &&
	write_migration db/migrations/20240103000000_orders.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE orders (id int, state text);
	INSERT INTO orders VALUES (1, NULL);
	-- migrate:down
	DROP TABLE orders;
	EOF
	godwit --url "$PG_URL" --env production --yes up >out 2>err &&
	test_grep "applied 1 migration" out &&
	write_migration db/migrations/20240104000000_reset.sql <<-\EOF &&
	-- migrate:up
	ALTER TABLE orders RENAME COLUMN state TO status;
	DELETE FROM orders;
	-- migrate:down
	SELECT 1;
	EOF
	test_expect_code 1 godwit --url "$PG_URL" --env production --yes up 2>err &&
	cat >expect <<-\EOF &&
	db/migrations/20240104000000_reset.sql:3:1: error: DELETE without WHERE changes every row of orders [delete-without-where]
	godwit: error: 1 unsafe statement, and block = error in the environment '\''production'\''; nothing was changed
	hint: acknowledge each statement with a '\''-- godwit:ignore RULE'\'' comment above it, or pass --allow-unsafe to apply it anyway
	EOF
	test_cmp expect err &&
	test "$(pg_count orders)" = 1 &&
	test "$(pg_sql "SELECT string_agg(column_name, '\'' '\'' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = '\''orders'\''")" = "id state"
'

test_expect_success PG 'a godwit:ignore comment acknowledges the statement' '
	write_migration db/migrations/20240104000000_reset.sql <<-\EOF &&
	-- migrate:up
	ALTER TABLE orders RENAME COLUMN state TO status;
	-- godwit:ignore delete-without-where
	DELETE FROM orders;
	-- migrate:down
	SELECT 1;
	EOF
	godwit --url "$PG_URL" --env production --yes up >out 2>err &&
	test_grep "applied 1 migration" out &&
	test "$(pg_count orders)" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''allow-unsafe'\''")" = 1
'

test_expect_success PG 'block = off in the environment section lets it through; GODWIT_BLOCK turns it on elsewhere' '
	write_migration db/migrations/20240105000000_grant.sql <<-\EOF &&
	-- migrate:up
	GRANT SELECT ON orders TO PUBLIC;
	-- migrate:down
	REVOKE SELECT ON orders FROM PUBLIC;
	EOF
	GODWIT_BLOCK=error test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "db/migrations/20240105000000_grant.sql:2:1: error: GRANT ... TO PUBLIC gives every role, present and future, these privileges \[grant-to-public\]" err &&
	test_grep "block = error in the environment '\''development'\''" err &&
	printf "[env.production]\nblock = off\n" >godwit.conf &&
	godwit --url "$PG_URL" --env production --yes up >out &&
	test_grep "applied 1 migration" out &&
	rm godwit.conf
'

test_expect_success PG 'a Supabase database (auth schema) refuses a new public table without row-level security' '
	pg_sql "CREATE SCHEMA auth" &&
	write_migration db/migrations/20240106000000_notes.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE notes (id bigint PRIMARY KEY, body text);
	CREATE TABLE private.notes2 (id bigint);
	-- migrate:down
	DROP TABLE notes;
	EOF
	test_expect_code 1 godwit --url "$PG_URL" --env production --yes up 2>err &&
	test_grep "^db/migrations/20240106000000_notes.sql:2:1: error: public.notes is created in a schema the API exposes, and this migration does not enable row-level security on it \[table-without-row-level-security\]" err &&
	test_grep ! notes2 err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename = '\''notes'\''")" = 0 &&
	write_migration db/migrations/20240106000000_notes.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE notes (id bigint PRIMARY KEY, body text);
	ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
	-- migrate:down
	DROP TABLE notes;
	EOF
	godwit --url "$PG_URL" --env production --yes up >out &&
	test_grep "applied 1 migration" out &&
	test "$(pg_sql "SELECT relrowsecurity FROM pg_class WHERE relname = '\''notes'\''")" = t
'

test_expect_success PG 'a Supabase database refuses tables made by CREATE TABLE ... AS and SELECT ... INTO without row-level security' '
	write_migration db/migrations/20240107000000_copies.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE notes_copy AS SELECT * FROM notes;
	SELECT id INTO public.notes_ids FROM notes;
	CREATE MATERIALIZED VIEW notes_view AS SELECT id FROM notes;
	-- migrate:down
	DROP MATERIALIZED VIEW notes_view;
	DROP TABLE notes_ids;
	DROP TABLE notes_copy;
	EOF
	test_expect_code 1 godwit --url "$PG_URL" --env production --yes up 2>err &&
	test_grep "^db/migrations/20240107000000_copies.sql:2:1: error: public.notes_copy is created in a schema the API exposes, and this migration does not enable row-level security on it \[table-without-row-level-security\]" err &&
	test_grep "^db/migrations/20240107000000_copies.sql:3:1: error: public.notes_ids is created in a schema the API exposes, and this migration does not enable row-level security on it \[table-without-row-level-security\]" err &&
	test_grep ! notes_view err &&
	test "$(pg_sql "SELECT count(*) FROM pg_class WHERE relname IN ('\''notes_copy'\'', '\''notes_ids'\'', '\''notes_view'\'')")" = 0 &&
	write_migration db/migrations/20240107000000_copies.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE notes_copy AS SELECT * FROM notes;
	SELECT id INTO public.notes_ids FROM notes;
	CREATE MATERIALIZED VIEW notes_view AS SELECT id FROM notes;
	ALTER TABLE notes_copy ENABLE ROW LEVEL SECURITY;
	ALTER TABLE public.notes_ids ENABLE ROW LEVEL SECURITY;
	-- migrate:down
	DROP MATERIALIZED VIEW notes_view;
	DROP TABLE notes_ids;
	DROP TABLE notes_copy;
	EOF
	godwit --url "$PG_URL" --env production --yes up >out &&
	test_grep "applied 1 migration" out &&
	test "$(pg_sql "SELECT string_agg(relname || '\''='\'' || relrowsecurity, '\'','\'' ORDER BY relname) FROM pg_class WHERE relname IN ('\''notes_copy'\'', '\''notes_ids'\'')")" = "notes_copy=true,notes_ids=true"
'

test_expect_success 'SQLite: an UPDATE without WHERE is refused in production' '
	mkdir sq &&
	(
		cd sq &&
		write_migration db/migrations/20240101000000_t.sql <<-\EOF &&
		-- migrate:up
		CREATE TABLE t (a int);
		INSERT INTO t VALUES (1);
		-- migrate:down
		DROP TABLE t;
		EOF
		godwit --url sqlite:prod.db --env production --yes up &&
		write_migration db/migrations/20240102000000_u.sql <<-\EOF &&
		-- migrate:up
		UPDATE t SET a = 2;
		-- migrate:down
		SELECT 1;
		EOF
		test_expect_code 1 godwit --url sqlite:prod.db --env production --yes up 2>err &&
		test_grep "db/migrations/20240102000000_u.sql:2:1: error: UPDATE without WHERE changes every row of t \[update-without-where\]" err &&
		test "$(sqlite_sql prod.db "SELECT a FROM t")" = 1
	)
'

test_done
