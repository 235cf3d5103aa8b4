#!/bin/sh
test_description='placeholders: ${NAME} from [placeholders] or the environment reaches only the server; its value is in no output, event, audit line, log or captured query; an undefined one stops the run before anything runs'
. "$(dirname "$0")/lib.sh"

PW=s3cr3t-Pa55w0rd-t4310
ROLE=gw_t4310_app_$$

# Every place a run leaves text: its output, the audit log, the run logs,
# the events and what the migration captured from pg_stat_activity.
leaks()
{
	{
		cat out err audit.log logs/* 2>/dev/null
		pg_sql "SELECT e::text FROM godwit_events e"
		pg_sql "SELECT query FROM seen" 2>/dev/null
		godwit --url "$PG_URL" history --format json
	} | grep -c -e "$PW" -e "$(printf %s "$PW" | md5sum | cut -c1-32)" || :
}

test_expect_success PG 'setup' '
	pg_new_db &&
	printf "[placeholders]\nAPP_ROLE = %s\nAPP_PASSWORD = \${T4310_PASSWORD}\n" "$ROLE" >godwit.conf &&
	write_migration db/migrations/20240101000000_role.sql <<-\EOF
	-- migrate:up
	CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '\''${APP_PASSWORD}'\'';
	CREATE TABLE proof AS SELECT md5('\''${APP_PASSWORD}'\'') AS h, '\''$${APP_PASSWORD}'\''::text AS escaped;
	DO $$BEGIN RAISE NOTICE '\''the password is %'\'', '\''${APP_PASSWORD}'\''; END$$;
	CREATE TABLE seen AS SELECT query FROM pg_stat_activity WHERE pid = pg_backend_pid();
	-- migrate:down
	DROP TABLE seen;
	DROP TABLE proof;
	DROP ROLE ${APP_ROLE};
	EOF
'

test_expect_success PG 'an undefined placeholder stops up before anything runs, naming file and line' '
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	cat >expect <<-EOF &&
	godwit: error: db/migrations/20240101000000_role.sql:2: placeholder \${APP_PASSWORD} is not defined: godwit.conf:3 sets it from a variable that is not set; nothing was run
	EOF
	without_start_lines err >actual &&
	test_cmp expect actual &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename = '\''proof'\''")" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM pg_roles WHERE rolname = '\''$ROLE'\''")" = 0 &&
	printf "%s\n" "-- migrate:up" "CREATE TABLE x (a int DEFAULT \${NOPE});" >db/migrations/20240102000000_nope.sql &&
	T4310_PASSWORD=$PW test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "db/migrations/20240102000000_nope.sql:2: placeholder \${NOPE} is not defined; set NOPE in the \[placeholders\] section of godwit.conf or in the environment, or write \$\${...} for a literal \${...}; nothing was run" err &&
	test "$(pg_sql "SELECT count(*) FROM pg_roles WHERE rolname = '\''$ROLE'\''")" = 0 &&
	rm db/migrations/20240102000000_nope.sql
'

test_expect_success PG 'the dry run shows the placeholders as written' '
	T4310_PASSWORD=$PW godwit --url "$PG_URL" up --dry-run >out 2>err &&
	test_grep "CREATE ROLE \${APP_ROLE} LOGIN PASSWORD '\''\${APP_PASSWORD}'\'';" out &&
	test "$(leaks)" = 0
'

test_expect_success PG 'up substitutes the value and shows it nowhere' '
	T4310_PASSWORD=$PW godwit --url "$PG_URL" --verbose --log-dir logs --audit-log audit.log up >out 2>err &&
	test_grep "applied 1 migration" out &&
	test_grep "NOTICE: the password is \*\*\*\*\*\*\*\*" err &&
	test_grep "CREATE ROLE \${APP_ROLE} LOGIN PASSWORD" err &&
	test "$(pg_sql "SELECT h FROM proof")" = "$(printf %s "$PW" | md5sum | cut -c1-32)" &&
	test "$(pg_sql "SELECT escaped FROM proof")" = "\${APP_PASSWORD}" &&
	test "$(pg_sql "SELECT count(*) FROM pg_roles WHERE rolname = '\''$ROLE'\''")" = 1 &&
	pg_sql "SELECT query FROM seen" >seen.txt &&
	test_grep "FROM pg_stat_activity WHERE pid = pg_backend_pid()" seen.txt &&
	test "$(leaks)" = 0
'

test_expect_success PG 'a server error that quotes the value shows ******** in output, events and audit' '
	write_migration db/migrations/20240102000000_check.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE checked (n int);
	INSERT INTO checked VALUES (CAST('\''${APP_PASSWORD}'\'' AS integer));
	-- migrate:down
	DROP TABLE checked;
	EOF
	T4310_PASSWORD=$PW test_expect_code 1 godwit --url "$PG_URL" --audit-log audit.log up >out 2>err &&
	test_grep "db/migrations/20240102000000_check.sql:3:.*invalid input syntax for type integer: \"\*\*\*\*\*\*\*\*\"" err &&
	test "$(pg_sql "SELECT error FROM godwit_events WHERE action = '\''fail'\''")" = "invalid input syntax for type integer: \"********\"" &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename = '\''checked'\''")" = 0 &&
	test "$(leaks)" = 0
'

test_expect_success PG 'a rotated password does not change the checksum' '
	rm db/migrations/20240102000000_check.sql &&
	T4310_PASSWORD=another-one godwit --url "$PG_URL" status --exit-code >out &&
	test_grep "1 applied, 0 pending" out
'

test_expect_success PG 'lint does not take a placeholder for a hard-coded password' '
	godwit lint db/migrations/20240101000000_role.sql >out &&
	test_grep "no problems found" out &&
	printf "CREATE ROLE x LOGIN PASSWORD '\''hunter2'\'';\n" >literal.sql &&
	test_expect_code 3 godwit lint literal.sql >out &&
	test_grep "hardcoded-password" out
'

test_expect_success PG 'placeholders = psql: :'\''name'\'', :"name" and :name outside strings, casts untouched' '
	pg_new_db &&
	printf "placeholders = psql\n[placeholders]\ntbl = psql things\nn = 41\n" >godwit.conf &&
	rm db/migrations/* &&
	write_migration db/migrations/20240101000000_psql.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE :"tbl" (a text, n int);
	INSERT INTO :"tbl" VALUES (:'\''pw'\'', :n + '\''1'\''::int), ('\'':n stays'\'', 0);
	-- migrate:down
	DROP TABLE :"tbl";
	EOF
	pw="it'\''s $PW" godwit --url "$PG_URL" up >out 2>err &&
	test "$(pg_sql "SELECT n FROM \"psql things\" WHERE a LIKE '\''it%'\''")" = 42 &&
	test "$(pg_sql "SELECT a FROM \"psql things\" WHERE n = 0")" = ":n stays" &&
	test "$(pg_sql "SELECT a = '\''it'\'''\''s $PW'\'' FROM \"psql things\" WHERE n = 42")" = t &&
	godwit lint db/migrations/20240101000000_psql.sql >out &&
	test_grep "no problems found" out
'

test_expect_success PG 'cleanup' '
	pg_sql "DROP ROLE IF EXISTS $ROLE"
'

test_done
