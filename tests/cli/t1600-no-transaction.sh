#!/bin/sh
test_description='no-transaction migrations: dirty on failure, visible, resumable, and settled by resolve'
. "$(dirname "$0")/lib.sh"

# Starts godwit as a child of the test shell, so `wait` can reap it.
start_in_background()
{
	"$GODWIT" "$@" >bg.out 2>&1 &
	echo $! >bg.pid
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigint PRIMARY KEY, email text);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_indexes.sql <<-\EOF
	-- migrate:up
	CREATE INDEX CONCURRENTLY users_email ON users (email);
	CREATE INDEX CONCURRENTLY users_nope ON users (nope);
	CREATE INDEX CONCURRENTLY users_id_email ON users (id, email);
	-- migrate:down
	DROP INDEX CONCURRENTLY users_email;
	EOF
'

test_expect_success PG 'CONCURRENTLY makes a migration run without a transaction, with a notice' '
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	test_grep "20240102000000_indexes.sql:2: CREATE INDEX cannot run inside a transaction" err &&
	test_grep "20240102000000_indexes.sql:3:.*column \"nope\" does not exist (SQLSTATE 42703)" err
'

test_expect_success PG 'the failed migration is dirty with its progress and error' '
	pg_sql "SELECT state, statements_total, statements_done, error FROM godwit_migrations WHERE version = '\''20240102000000'\''" >row &&
	echo "dirty|3|1|column \"nope\" does not exist" >expect &&
	test_cmp expect row &&
	test "$(pg_sql "SELECT count(*) FROM pg_indexes WHERE indexname = '\''users_email'\''")" = 1
'

test_expect_success PG 'status shows the failing statement and what to do' '
	test_expect_code 3 godwit --url "$PG_URL" status --exit-code >out &&
	test_grep "dirty *20240102000000" out &&
	test_grep "statement 2 of 3 failed: column \"nope\" does not exist" out &&
	test_grep "up --resume" out
'

test_expect_success PG 'up refuses to go on while a migration is dirty' '
	test_expect_code 1 godwit --url "$PG_URL" up 2>err &&
	test_grep "migration 20240102000000 (db/migrations/20240102000000_indexes.sql) is dirty: statement 2 of 3 failed" err &&
	test_grep "resolve 20240102000000" err
'

test_expect_success PG 'up --resume continues from the failed statement after a fix' '
	sed -i "s/(nope)/(email, id)/" db/migrations/20240102000000_indexes.sql &&
	godwit --url "$PG_URL" up --resume >out 2>err &&
	test_grep "resuming from statement 2" err &&
	test "$(pg_sql "SELECT state || statements_done FROM godwit_migrations WHERE version = '\''20240102000000'\''")" = applied3 &&
	test "$(pg_sql "SELECT count(*) FROM pg_indexes WHERE tablename = '\''users'\'' AND indexname IN ('\''users_email'\'', '\''users_nope'\'', '\''users_id_email'\'')")" = 3 &&
	godwit --url "$PG_URL" status --exit-code
'

test_expect_success PG 'the resumed migration records its fixed checksum' '
	godwit --url "$PG_URL" status --format json >json &&
	! grep "\"state\": \"changed\"" json
'

test_expect_success PG 'a runner killed mid-migration leaves it dirty, and --resume finishes it' '
	write_migration db/migrations/20240103000000_slow.sql <<-\EOF &&
	-- migrate:up
	-- godwit:no-transaction
	CREATE TABLE slow1 (id int);
	SELECT pg_sleep(30);
	CREATE TABLE slow2 (id int);
	EOF
	start_in_background --url "$PG_URL" up &&
	pid=$(cat bg.pid) &&
	i=0 &&
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''SELECT pg_sleep(30)%'\''")" = 1
	do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || return 1
	done &&
	kill -9 $pid &&
	{ wait $pid; test $? = 137; } &&
	pg_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '\''SELECT pg_sleep(30)%'\''" >/dev/null &&
	test "$(pg_sql "SELECT state || '\'' '\'' || statements_done FROM godwit_migrations WHERE version = '\''20240103000000'\''")" = "dirty 1" &&
	godwit --url "$PG_URL" status >out &&
	test_grep "statement 2 of 3 was interrupted" out &&
	sed -i "s/pg_sleep(30)/pg_sleep(0)/" db/migrations/20240103000000_slow.sql &&
	godwit --url "$PG_URL" up --resume &&
	test "$(pg_sql "SELECT to_regclass('\''slow2'\'') IS NOT NULL")" = t &&
	test "$(pg_sql "SELECT state FROM godwit_migrations WHERE version = '\''20240103000000'\''")" = applied
'

test_expect_success PG 'a killed runner leaves no lock behind' '
	write_migration db/migrations/20240104000000_after.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE after_kill (id int);
	EOF
	godwit --url "$PG_URL" --lock-wait 2 up &&
	test "$(pg_sql "SELECT to_regclass('\''after_kill'\'') IS NOT NULL")" = t
'

test_expect_success PG 'resolve --rolled-back forgets a dirty migration' '
	write_migration db/migrations/20240105000000_bad.sql <<-\EOF &&
	-- migrate:up
	-- godwit:no-transaction
	CREATE TABLE half (id int);
	CREATE TABLE half (id int);
	EOF
	test_expect_code 1 godwit --url "$PG_URL" up &&
	pg_sql "DROP TABLE half" &&
	godwit --url "$PG_URL" resolve 20240105000000 --rolled-back &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations WHERE version = '\''20240105000000'\''")" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE action = '\''resolve'\''")" = 1
'

test_expect_success PG 'resolve --applied marks it applied' '
	test_expect_code 1 godwit --url "$PG_URL" up &&
	godwit --url "$PG_URL" resolve 20240105000000 --applied &&
	test "$(pg_sql "SELECT state FROM godwit_migrations WHERE version = '\''20240105000000'\''")" = applied &&
	godwit --url "$PG_URL" status --exit-code
'

test_expect_success PG 'resolve of a migration that is not dirty is refused' '
	test_expect_code 1 godwit --url "$PG_URL" resolve 20240101000000 --applied 2>err &&
	test_grep "migration 20240101000000 is applied, not dirty; nothing to resolve" err
'

test_expect_success PG 'resolve needs exactly one of --applied and --rolled-back' '
	test_expect_code 2 godwit --url "$PG_URL" resolve 20240101000000 2>err &&
	test_expect_code 2 godwit --url "$PG_URL" resolve 20240101000000 --applied --rolled-back 2>err
'

test_done
