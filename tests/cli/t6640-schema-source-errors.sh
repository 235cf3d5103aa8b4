#!/bin/sh
test_description='schema sources and ephemeral databases that cannot be made: each refusal says why, and nothing is left behind'
. "$(dirname "$0")/lib.sh"

# godwit run with a temporary folder that does not exist.
godwit_no_tmpdir()
{
	(
		TMPDIR=/nonexistent/dir &&
		export TMPDIR &&
		godwit "$@"
	)
}

test_expect_success 'setup: a folder of DDL' '
	mkdir ddl &&
	echo "CREATE TABLE a (id int);" >ddl/1.sql
'

test_expect_success 'a command source needs a temporary file: a TMPDIR that does not exist is an error naming it' '
	test_expect_code 1 godwit_no_tmpdir --url sqlite:x.db schema diff "!cat ddl/1.sql" ddl >out 2>err &&
	echo "godwit: error: cannot create a temporary file in /nonexistent/dir" >expect &&
	test_cmp expect err &&
	! test -s out &&
	! test -e x.db
'

test_expect_success 'DDL replayed on SQLite needs a temporary database: the error says why it cannot be made' '
	test_expect_code 1 godwit_no_tmpdir --url sqlite:x.db schema diff ddl/1.sql ddl >out 2>err &&
	echo "godwit: error: cannot create a temporary database: No such file or directory" >expect &&
	test_cmp expect err &&
	! test -s out &&
	! test -e x.db
'

test_expect_success 'a .sql name in a folder that is no file is an error naming it' '
	mkdir -p odd/x.sql &&
	test_expect_code 1 godwit --url sqlite:x.db schema diff odd ddl >out 2>err &&
	echo "godwit: error: cannot read odd/x.sql: it is a directory" >expect &&
	test_cmp expect err &&
	! test -s out
'

test_expect_success 'a snapshot given to drift --against that does not parse names its file and line' '
	printf -- "-- godwit schema snapshot (sqlite)\n\n  column x\n" >c.snap &&
	test_expect_code 1 godwit --url sqlite:x.db drift --against c.snap >out 2>err &&
	echo "godwit: error: c.snap: line 3: a member line outside an object" >expect &&
	test_cmp expect err &&
	! test -s out
'

test_expect_success PG 'setup: a PostgreSQL database and a role that may not create databases' '
	pg_new_db &&
	psql -X -q -d "$PG_URL" -c "DO \$\$ BEGIN CREATE ROLE cov6640_nocreate LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" &&
	NOCREATE_URL=$(printf "%s\n" "$PG_URL" | sed -E "s/([?&])user=[^&]*/\\1user=cov6640_nocreate/") &&
	case $NOCREATE_URL in *user=cov6640_nocreate*) ;; *) NOCREATE_URL="$NOCREATE_URL&user=cov6640_nocreate" ;; esac &&
	psql -X -A -t -q -d "$NOCREATE_URL" -c "SELECT current_user" >who &&
	echo cov6640_nocreate >expect &&
	test_cmp expect who
'

test_expect_success PG 'DDL that PostgreSQL cannot split names its file and line' '
	printf "CREATE TABLE a (id int);\nCREATE TABLE b (t text DEFAULT '"'"'abc);\n" >bad.sql &&
	test_expect_code 1 godwit --url "$PG_URL" schema diff bad.sql ddl >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: bad.sql: line 2: unterminated quoted string at or near "'"'"'abc);
	"
	EOF
	test_cmp expect err &&
	! test -s out
'

test_expect_success PG 'an ephemeral server that cannot be reached: a warning for the stale databases, an error for the new one' '
	test_expect_code 1 godwit --url "$PG_URL" schema diff --dev-url "postgresql:///postgres?host=/nonexistent&user=postgres" ddl ddl >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: warning: could not look for stale ephemeral databases: cannot connect to postgresql:///postgres?host=/nonexistent&user=postgres: connection to server on socket "/nonexistent/.s.PGSQL.5432" failed: No such file or directory
	godwit: error: cannot connect to postgresql:///postgres?host=/nonexistent&user=postgres: connection to server on socket "/nonexistent/.s.PGSQL.5432" failed: No such file or directory
	EOF
	test_cmp expect err &&
	! test -s out
'

test_expect_success PG 'an ephemeral server URL libpq does not take is refused before anything is made' '
	test_expect_code 1 godwit --url "$PG_URL" schema diff --dev-url "postgresql:///postgres?nosuchparam=1" ddl ddl >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: warning: could not look for stale ephemeral databases: unknown parameter '"'"'nosuchparam'"'"' in the database URL postgresql:///postgres?nosuchparam=1
	godwit: error: unknown parameter '"'"'nosuchparam'"'"' in the database URL postgresql:///postgres?nosuchparam=1
	hint: godwit takes libpq'"'"'s parameters (sslmode, connect_timeout, options, ...), Prisma'"'"'s (schema, pgbouncer, connection_limit, pool_timeout, ...) and dbmate'"'"'s (socket, search_path); check its spelling or remove it
	EOF
	test_cmp expect err
'

test_expect_success PG 'an ephemeral server URL of no driver is refused' '
	test_expect_code 1 godwit --url "$PG_URL" schema diff --dev-url "mysql://x/y" ddl ddl >out 2>err &&
	echo "godwit: error: an ephemeral database needs a database URL" >expect &&
	test_cmp expect err
'

test_expect_success PG 'a role that may not create databases gets the server'"'"'s refusal, and no database is made' '
	test_expect_code 1 godwit --url "$PG_URL" schema diff --dev-url "$NOCREATE_URL" ddl ddl >out 2>err &&
	echo "godwit: error: permission denied to create database (SQLSTATE 42501)" >expect &&
	test_cmp expect err &&
	! test -s out
'

test_expect_success PG 'a database URL that cannot be opened as a source is an error naming it' '
	test_expect_code 1 godwit --url "$PG_URL" schema diff "postgresql:///nodb_here?host=/nonexistent" ddl >out 2>err &&
	echo "godwit: error: cannot connect to postgresql:///nodb_here?host=/nonexistent: connection to server on socket \"/nonexistent/.s.PGSQL.5432\" failed: No such file or directory" >expect &&
	test_cmp expect err &&
	! test -s out
'

test_done
