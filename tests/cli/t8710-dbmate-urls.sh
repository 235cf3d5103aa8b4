#!/bin/sh
test_description='a dbmate project'"'"'s own .env: socket= and search_path= in DATABASE_URL, DBMATE_MIGRATIONS_DIR'
. "$(dirname "$0")/lib.sh"

# dbmate's README writes a Unix socket as ?socket=DIR and the schema its
# migrations run in (and its schema_migrations lives in) as ?search_path=.

test_expect_success PG 'setup: a folder dbmate applied with search_path=myschema' '
	pg_new_db &&
	sock=$(pg_sql "SHOW unix_socket_directories") &&
	write_migration db/migrations/20240101000000_create_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL);

	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_add_email.sql <<-\EOF &&
	-- migrate:up
	ALTER TABLE users ADD COLUMN email text;

	-- migrate:down
	ALTER TABLE users DROP COLUMN email;
	EOF
	pg_sql "CREATE SCHEMA myschema;
		CREATE TABLE myschema.schema_migrations (version varchar(128) PRIMARY KEY);
		INSERT INTO myschema.schema_migrations VALUES ($SQ""20240101000000$SQ);
		CREATE TABLE myschema.users (id bigserial PRIMARY KEY, name text NOT NULL)" &&
	# The host names TCP, where the suite'"'"'s server does not listen:
	# only the socket reaches it.
	dburl="postgres://$PG_USER:s3cr3t-pw@localhost/$PG_DB?socket=$sock&port=$PG_PORT&search_path=myschema" &&
	printf "DATABASE_URL=%s\n" "$dburl" >.env
'

test_expect_success PG 'status through .env'"'"'s socket= finds dbmate'"'"'s history in the search path' '
	godwit status >out 2>err &&
	test_grep "^pending .*20240101000000" out &&
	test_grep "holds the dbmate history (schema_migrations)" out &&
	! grep "s3cr3t-pw" out err
'

test_expect_success PG 'adopt reads myschema.schema_migrations; godwit'"'"'s history goes there too' '
	godwit adopt --from dbmate >out &&
	test_grep "recorded *20240101000000" out &&
	test "$(pg_sql "SELECT string_agg(version, $SQ,$SQ) FROM myschema.godwit_migrations")" = 20240101000000 &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename = $SQ""godwit_migrations$SQ AND schemaname <> $SQ""myschema$SQ")" = 0
'

test_expect_success PG 'up runs the pending migration in myschema' '
	godwit up &&
	test "$(pg_sql "SELECT string_agg(column_name, $SQ,$SQ ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = $SQ""myschema$SQ AND table_name = $SQ""users$SQ")" = "id,name,email" &&
	test "$(pg_sql "SELECT count(*) FROM myschema.godwit_migrations")" = 2 &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = $SQ""public$SQ")" = 0
'

test_expect_success PG 'a schema that does not exist yet is created, as dbmate does' '
	pg_new_db &&
	godwit --url "postgres://$PG_USER@/$PG_DB?socket=$sock&port=$PG_PORT&search_path=fresh" up &&
	test "$(pg_sql "SELECT string_agg(tablename, $SQ,$SQ ORDER BY tablename) FROM pg_tables WHERE schemaname = $SQ""fresh$SQ")" = "godwit_events,godwit_migrations,users"
'

test_expect_success PG 'a search_path list is refused by name, nothing created' '
	pg_new_db &&
	test_expect_code 1 godwit --url "postgres://$PG_USER:s3cr3t-pw@/$PG_DB?socket=$sock&port=$PG_PORT&search_path=a,public" up >out 2>err &&
	cat >expect <<-EOF &&
	godwit: error: search_path= in the database URL postgres://$PG_USER:****@/$PG_DB?socket=$sock&port=$PG_PORT&search_path=a,public names several schemas; godwit takes one
	hint: write search_path=SCHEMA (or schema=SCHEMA): the schema the migrations run in and the history tables live in
	EOF
	test_cmp expect err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ($SQ""pg_catalog$SQ, $SQ""information_schema$SQ)")" = 0
'

test_expect_success PG 'an empty search_path= is refused by name' '
	test_expect_code 1 godwit --url "postgres://$PG_USER@/$PG_DB?socket=$sock&port=$PG_PORT&search_path=" status 2>err &&
	test_grep "^godwit: error: search_path= in the database URL .* needs a schema name" err
'

test_expect_success PG 'DBMATE_MIGRATIONS_TABLE in .env: up refuses to run again what dbmate ran; adopt reads it' '
	pg_new_db &&
	pg_sql "CREATE TABLE dbmate_history (version varchar(128) PRIMARY KEY);
		INSERT INTO dbmate_history VALUES ($SQ""20240101000000$SQ);
		CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL)" &&
	printf "%s\n" "DATABASE_URL=$PG_URL" "DBMATE_MIGRATIONS_TABLE=dbmate_history" >.env &&
	test_expect_code 1 godwit up 2>err &&
	test_grep "^godwit: error: this database holds the dbmate history (dbmate_history) and godwit${SQ}s history is empty" err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename LIKE $SQ""godwit%$SQ")" = 0 &&
	godwit adopt --from dbmate >out &&
	test_grep "recorded 1 migration as applied; 1 pending; dbmate_history left as it was" out
'

test_expect_success 'DBMATE_MIGRATIONS_DIR in .env names the folder, as dbmate reads it' '
	mkdir dirproj &&
	(
		cd dirproj &&
		write_migration sql/schema/20240101000000_a.sql <<-\EOF &&
		-- migrate:up
		CREATE TABLE a (id int);
		-- migrate:down
		DROP TABLE a;
		EOF
		printf "%s\n" "DBMATE_MIGRATIONS_DIR=./sql/schema" "DATABASE_URL=sqlite:app.db" >.env &&
		godwit status >../out &&
		godwit up &&
		godwit config >../config.out
	) &&
	cat >expect <<-EOF &&
	migrations in sql/schema (found: dbmate${SQ}s DBMATE_MIGRATIONS_DIR)
	pending      20240101000000  a
	0 applied, 1 pending
	EOF
	test_cmp expect out &&
	test_grep "^dir  *sql/schema  *found: dbmate${SQ}s DBMATE_MIGRATIONS_DIR\$" config.out
'

test_done
