#!/bin/sh
test_description='PostgreSQL driver: COPY TO STDOUT in migrations, an odd schema name with the URL options, a password in the server message'
. "$(dirname "$0")/lib.sh"

public_tables()
{
	pg_sql "SELECT coalesce(string_agg(tablename, ${SQ},${SQ} ORDER BY tablename), ${SQ}-${SQ}) FROM pg_tables WHERE schemaname = ${SQ}public${SQ}"
}

test_expect_success PG 'setup' '
	pg_new_db &&
	if [ -n "${PG_SOCKET_DIR:-}" ]; then test_set_prereq SOCKET; fi
'

# The rows of a COPY TO STDOUT have no reader in a migration: they are
# read and dropped, and the session goes on with the next statement, in
# a transaction (pipelined) and without one.
test_expect_success PG 'COPY ... TO STDOUT runs in a migration, with or without a transaction, printing nothing' '
	write_migration db/migrations/20240101000000_copy.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t (id int);
	INSERT INTO t VALUES (1), (2);
	COPY t TO STDOUT;
	INSERT INTO t VALUES (3);
	-- migrate:down
	DROP TABLE t;
	EOF
	write_migration db/migrations/20240102000000_copy_notx.sql <<-\EOF &&
	-- godwit:no-transaction
	-- migrate:up
	COPY (SELECT id FROM t ORDER BY id) TO STDOUT WITH (FORMAT csv);
	INSERT INTO t VALUES (4);
	-- migrate:down
	DELETE FROM t WHERE id = 4;
	EOF
	godwit --url "$PG_URL" up >out 2>err &&
	test_grep "^applied 2 migrations$" out &&
	test_grep ! "^[1-4]$" out &&
	without_start_lines err >warnings &&
	test ! -s warnings &&
	test "$(pg_sql "SELECT string_agg(id::text, ${SQ},${SQ} ORDER BY id) FROM t")" = "1,2,3,4" &&
	godwit --url "$PG_URL" down --all >/dev/null &&
	test "$(public_tables)" = "godwit_events,godwit_migrations"
'

# The schema goes into libpq's options as -c search_path="...": its quote
# doubled, its space and backslash escaped, after the URL's own options.
test_expect_success PG 'a schema with a quote, a space and a backslash, and the URL options kept' '
	pg_sql "CREATE SCHEMA \"my \"\"odd\"\" s\\x\"" &&
	write_migration odd/20240101000000_where.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE here AS SELECT current_schema() AS s, current_setting('"'"'statement_timeout'"'"') AS v;
	-- migrate:down
	DROP TABLE here;
	EOF
	godwit --url "$PG_URL&schema=my%20%22odd%22%20s%5Cx&options=-c%20statement_timeout%3D4321" \
		--dir odd up >out &&
	test_grep "^applied 1 migration$" out &&
	pg_sql "SELECT s || ${SQ}|${SQ} || v FROM \"my \"\"odd\"\" s\\x\".here" >actual &&
	printf "%s\n" "my \"odd\" s\\x|4321ms" >expect &&
	test_cmp expect actual &&
	pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}my \"odd\" s\\x${SQ} AND tablename = ${SQ}godwit_migrations${SQ}" >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

# The server cannot know which word of its message is a password: every
# occurrence of the URL's password is masked, even in a role name.
test_expect_success PG,SOCKET 'a password that the server message repeats is masked in it' '
	SOCK=$PG_SOCKET_DIR PORT=${PG_PORT:-5432} &&
	test_expect_code 1 godwit --url "postgresql://hunter2:hunter2@/$PG_DB?host=$SOCK&port=$PORT" up \
		>out 2>err &&
	echo "godwit: error: cannot connect to postgresql://hunter2:****@/$PG_DB?host=$SOCK&port=$PORT: connection to server on socket \"$SOCK/.s.PGSQL.$PORT\" failed: FATAL:  role \"****\" does not exist" >expect &&
	test_cmp expect err &&
	test_grep ! hunter2@ err &&
	test ! -s out &&
	test "$(public_tables)" = "godwit_events,godwit_migrations"
'

test_done
