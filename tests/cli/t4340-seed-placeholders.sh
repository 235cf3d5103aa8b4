#!/bin/sh
test_description='seeds get placeholders: ${NAME} replaced as in migrations, the value in no output, event or audit line, masked in server errors; an undefined one stops seed before any seed runs'
. "$(dirname "$0")/lib.sh"

PW=s3cr3t-Seed-t4340

# Every place a seed run leaves text: its output, the audit log, the
# events and the history.
leaks()
{
	{
		cat out err audit.log 2>/dev/null
		pg_sql "SELECT e::text FROM godwit_events e"
		pg_sql "SELECT s::text FROM godwit_seeds s"
		godwit --url "$PG_URL" history --format json
		godwit --url "$PG_URL" history
	} | grep -c -e "$PW" || :
}

test_expect_success PG 'setup: a table, two seeds, the second with a placeholder' '
	pg_new_db &&
	printf "seeds_dir = seeds\n[placeholders]\nSERVICE_PASSWORD = \${T4340_PASSWORD}\n" >godwit.conf &&
	write_migration db/migrations/001_accounts.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE accounts (name text PRIMARY KEY, secret text);
	-- migrate:down
	DROP TABLE accounts;
	EOF
	mkdir seeds &&
	godwit --url "$PG_URL" up >out &&
	echo "INSERT INTO accounts VALUES ('\''admin'\'', NULL);" >seeds/01_admin.sql &&
	printf "%s\n" "-- the service account" "INSERT INTO accounts VALUES ('\''service'\'', '\''\${SERVICE_PASSWORD}'\'');" "INSERT INTO accounts VALUES ('\''escaped'\'', '\''\$\${SERVICE_PASSWORD}'\'');" >seeds/02_service.sql
'

test_expect_success PG 'an undefined placeholder stops seed before any seed runs, naming file and line' '
	test_expect_code 1 godwit --url "$PG_URL" seed >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: seeds/02_service.sql:2: placeholder ${SERVICE_PASSWORD} is not defined: godwit.conf:3 sets it from a variable that is not set; nothing was run
	EOF
	without_start_lines err >actual &&
	test_cmp expect actual &&
	test "$(pg_count accounts)" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_seeds")" = 0
'

test_expect_success PG 'seed substitutes the value, keeps $${...} literal, and shows the value nowhere' '
	T4340_PASSWORD=$PW godwit --url "$PG_URL" --verbose --audit-log audit.log seed >out 2>err &&
	test_grep "^applied 2 seed files$" out &&
	test "$(pg_sql "SELECT secret FROM accounts WHERE name = ${SQ}service${SQ}")" = "$PW" &&
	test "$(pg_sql "SELECT secret FROM accounts WHERE name = ${SQ}escaped${SQ}")" = "\${SERVICE_PASSWORD}" &&
	test "$(pg_sql "SELECT string_agg(action || ${SQ}:${SQ} || name, ${SQ} ${SQ} ORDER BY id) FROM godwit_events WHERE action = ${SQ}seed${SQ}")" = "seed:01_admin.sql seed:02_service.sql" &&
	test "$(leaks)" = 0
'

test_expect_success PG 'a rotated value does not run the seed again: its checksum is of the text as written' '
	T4340_PASSWORD=rotated-t4340 godwit --url "$PG_URL" seed >out 2>err &&
	echo "every seed is up to date" >expect &&
	test_cmp expect out &&
	test "$(pg_sql "SELECT secret FROM accounts WHERE name = ${SQ}service${SQ}")" = "$PW"
'

test_expect_success PG 'a server error that quotes the value shows ******** instead' '
	echo "INSERT INTO accounts VALUES ('\''bad'\'', CAST('\''\${SERVICE_PASSWORD}'\'' AS int)::text);" >seeds/03_bad.sql &&
	T4340_PASSWORD=$PW test_expect_code 1 godwit --url "$PG_URL" --audit-log audit.log seed >out 2>err &&
	test_grep "seeds/03_bad.sql:1:.*invalid input syntax for type integer: \"\*\*\*\*\*\*\*\*\"" err &&
	test_grep "the seed was rolled back" err &&
	test "$(pg_sql "SELECT count(*) FROM accounts WHERE name = ${SQ}bad${SQ}")" = 0 &&
	test "$(leaks)" = 0
'

test_expect_success 'SQLite: a seed with a placeholder from the environment' '
	mkdir sq &&
	(
		cd sq &&
		write_migration db/migrations/001_kv.sql <<-\EOF &&
		-- migrate:up
		CREATE TABLE kv (k text, v text);
		-- migrate:down
		DROP TABLE kv;
		EOF
		mkdir seeds &&
		echo "INSERT INTO kv VALUES ('\''token'\'', '\''\${T4340_TOKEN}'\'');" >seeds/01.sql &&
		godwit --url sqlite:app.db up >out &&
		T4340_TOKEN=$PW GODWIT_SEEDS_DIR=seeds godwit --url sqlite:app.db seed >out 2>err &&
		test "$(sqlite_sql app.db "SELECT v FROM kv")" = "$PW" &&
		! grep -e "$PW" out err
	)
'

test_done
