#!/bin/sh
test_description='health finds orphan rows, NOT VALID constraints, full sequences and tables without RLS; after_up = health acts on them'
. "$(dirname "$0")/lib.sh"

native()
{
	printf -- "-- migrate:up\n$2\n-- migrate:down\n$3\n" >db/migrations/2024010100000$1.sql
}

# health's lines of the checks named, with their details.
report_of()
{
	awk -v names=" $1 " '
		/^[a-z]+ +[a-z_]+ / { keep = index(names, " " $2 " ") > 0 }
		keep { print }
	' "$2"
}

history_rows()
{
	pg_sql "SELECT string_agg(version || $SQ $SQ || state, $SQ,$SQ ORDER BY version) FROM godwit_migrations"
}

test_expect_success PG 'setup: orders behind a NOT VALID foreign key, two of them orphans' '
	pg_new_db &&
	pg_sql "CREATE TABLE users (id int PRIMARY KEY); INSERT INTO users VALUES (1);
		CREATE TABLE orders (id int, user_id int); INSERT INTO orders VALUES (1, 1), (2, 7), (3, 8), (4, NULL);
		ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users NOT VALID" &&
	mkdir -p db/migrations
'

test_expect_success PG 'health finds the orphan rows behind the NOT VALID foreign key, and changes nothing' '
	godwit --url "$PG_URL" schema dump >schema.before &&
	test_expect_code 3 godwit --url "$PG_URL" health >out 2>err &&
	report_of "not_valid orphan_rows sequences rls" out >actual &&
	cat >expect <<-\EOF &&
	warn  not_valid          1 constraints still NOT VALID (rows written before them are not checked); ALTER TABLE ... VALIDATE CONSTRAINT them
	                         public.orders orders_user (foreign key)
	fail  orphan_rows        1 foreign key with orphan rows (10000 rows of each table read)
	                         public.orders orders_user (NOT VALID): 2 rows without the row they refer to
	ok    sequences          no sequence is 75% used
	EOF
	test_cmp expect actual &&
	godwit --url "$PG_URL" schema dump >schema.after &&
	test_cmp schema.before schema.after &&
	test "$(pg_sql "SELECT count(*) FROM orders")" = 4
'

test_expect_success PG 'integrity_sample bounds the rows read: the orphans past it are not seen' '
	printf "integrity_sample = 1\n" >godwit.conf &&
	godwit --url "$PG_URL" health >out 2>err &&
	report_of orphan_rows out >actual &&
	echo "ok    orphan_rows        no orphan rows behind 1 foreign key" >expect &&
	test_cmp expect actual &&
	rm godwit.conf
'

test_expect_success PG 'a sequence close to its maximum (or its int column'"'"'s) warns, then fails' '
	pg_sql "CREATE SEQUENCE small MAXVALUE 100; SELECT setval($SQ""small$SQ, 80);
		CREATE TABLE big (n int); CREATE SEQUENCE big_n_seq AS bigint OWNED BY big.n;
		DELETE FROM orders WHERE user_id > 1" &&
	godwit --url "$PG_URL" health >out &&
	report_of sequences out >actual &&
	cat >expect <<-\EOF &&
	warn  sequences          1 sequence is close to its maximum
	                         public.small: 80 of 100 (80.0%)
	EOF
	test_cmp expect actual &&
	pg_sql "SELECT setval($SQ""small$SQ, 95); SELECT setval($SQ""big_n_seq$SQ, 2000000000)" &&
	test_expect_code 3 godwit --url "$PG_URL" health >out &&
	report_of sequences out >actual &&
	cat >expect <<-\EOF &&
	fail  sequences          2 sequences are close to their maximum
	                         public.small: 95 of 100 (95.0%)
	                         public.big_n_seq: 2000000000 of 2147483647 (93.1%)
	EOF
	test_cmp expect actual &&
	pg_sql "DROP SEQUENCE small; DROP TABLE big"
'

test_expect_success PG 'with an auth schema (Supabase), public tables need row-level security and a policy' '
	pg_sql "ALTER TABLE orders VALIDATE CONSTRAINT orders_user; CREATE SCHEMA auth" &&
	test_expect_code 3 godwit --url "$PG_URL" health >out &&
	report_of "not_valid orphan_rows rls" out >actual &&
	cat >expect <<-\EOF &&
	ok    not_valid          every constraint is validated
	ok    orphan_rows        no orphan rows behind 1 foreign key
	fail  rls                2 tables of exposed schemas without row-level security or a policy
	                         public.orders: row-level security is not enabled
	                         public.users: row-level security is not enabled
	EOF
	test_cmp expect actual &&
	pg_sql "ALTER TABLE orders ENABLE ROW LEVEL SECURITY; ALTER TABLE users ENABLE ROW LEVEL SECURITY;
		CREATE POLICY own ON users USING (true)" &&
	test_expect_code 3 godwit --url "$PG_URL" health >out &&
	report_of rls out >actual &&
	cat >expect <<-\EOF &&
	fail  rls                1 tables of exposed schemas without row-level security or a policy
	                         public.orders: row-level security is on but it has no policy
	EOF
	test_cmp expect actual &&
	printf "rls_schemas = none\n" >godwit.conf &&
	godwit --url "$PG_URL" health >out &&
	report_of rls out >actual &&
	test ! -s actual &&
	pg_sql "CREATE POLICY own ON orders USING (true)" &&
	rm godwit.conf &&
	godwit --url "$PG_URL" health >out &&
	report_of rls out >actual &&
	echo "ok    rls                every table of the exposed schemas has row-level security and a policy" >expect &&
	test_cmp expect actual
'

test_expect_success PG 'setup: a run of two migrations, the second leaves orphan rows behind a NOT VALID key' '
	pg_new_db &&
	native 1_users "CREATE TABLE users (id int PRIMARY KEY);\nINSERT INTO users VALUES (1);" "DROP TABLE users;" &&
	godwit --url "$PG_URL" up >out 2>err &&
	native 2_orders "CREATE TABLE orders (id int, user_id int);" "DROP TABLE orders;" &&
	native 3_import "INSERT INTO orders VALUES (1, 1), (2, 9);\nALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users NOT VALID;" "ALTER TABLE orders DROP CONSTRAINT orders_user;\nDELETE FROM orders;" &&
	godwit --url "$PG_URL" schema dump >schema.before &&
	history_rows >history.before &&
	pg_sql "SELECT max(id) FROM godwit_events" >events.before
'

test_expect_success PG 'after_up = health with on_check_failure = rollback reverts the run and restores the database' '
	printf "after_up = health\non_check_failure = rollback\n" >godwit.conf &&
	test_expect_code 1 godwit --url "$PG_URL" up >out 2>err &&
	sed "s/ ([0-9]* ms)\$//" out >actual &&
	cat >expect <<-\EOF &&
	applied  20240101000002 orders
	applied  20240101000003 import
	reverted 20240101000003 import
	reverted 20240101000002 orders
	EOF
	test_cmp expect actual &&
	without_start_lines err >actual &&
	cat >expect <<-\EOF &&
	godwit: atomic: each migration runs in its own transaction; if a check after it fails, what this run applied is reverted with the downs
	godwit: warning: health after up: not_valid: 1 constraints still NOT VALID (rows written before them are not checked); ALTER TABLE ... VALIDATE CONSTRAINT them
	godwit:   public.orders orders_user (foreign key)
	godwit: warning: health after up: orphan_rows: 1 foreign key with orphan rows (10000 rows of each table read)
	godwit:   public.orders orders_user (NOT VALID): 1 row without the row it refers to
	godwit: warning: atomic: a check after the run failed; reverting the 2 migrations this run applied, newest first
	godwit: warning: atomic: reverted 2 migrations; the database is as it was before the run
	godwit: error: health check after up failed: orphan_rows
	hint: on_check_failure = rollback reverted what this run applied; fix what the checks found and run up again
	EOF
	test_cmp expect actual &&
	godwit --url "$PG_URL" schema dump >schema.after &&
	test_cmp schema.before schema.after &&
	history_rows >history.after &&
	test_cmp history.before history.after &&
	test "$(pg_sql "SELECT string_agg(action || $SQ:$SQ || coalesce(version, $SQ-$SQ), $SQ $SQ ORDER BY id) FROM godwit_events WHERE id > $(cat events.before)")" = "apply:20240101000002 apply:20240101000003 revert:20240101000003 revert:20240101000002 rollback:-" &&
	test "$(pg_sql "SELECT error FROM godwit_events WHERE action = ${SQ}rollback${SQ}")" = "health check after up failed: orphan_rows"
'

test_expect_success PG 'on_check_failure = fail keeps the migrations and exits 4; warn only warns' '
	printf "after_up = health\non_check_failure = fail\n" >godwit.conf &&
	test_expect_code 4 godwit --url "$PG_URL" up >out 2>err &&
	test_grep "^godwit: error: health check after up failed: orphan_rows; the migrations stay applied$" err &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 3 &&
	godwit --url "$PG_URL" down 2 >out 2>err &&
	printf "after_up = health\non_check_failure = warn\n" >godwit.conf &&
	godwit --url "$PG_URL" up >out 2>err &&
	test_grep "^godwit: warning: health after up: orphan_rows: 1 foreign key with orphan rows" err &&
	test_grep "^godwit: health after up: .* checks, failures above (going on: on_check_failure = warn)$" err &&
	test_grep "^applied 2 migrations$" out &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 3
'

test_expect_success PG 'a bad value of on_check_failure or after_up is an error naming the line' '
	printf "after_up = health\non_check_failure = revert\n" >godwit.conf &&
	test_expect_code 1 godwit --url "$PG_URL" status >out 2>err &&
	test_grep "godwit.conf:2" err &&
	test_grep "one of fail, rollback, warn" err &&
	rm godwit.conf
'

test_expect_success 'SQLite: a required table missing after up is a failing check; rollback restores the file' '
	rm -rf db godwit.conf &&
	mkdir -p db/migrations &&
	native 1_t1 "CREATE TABLE t1 (id int);" "DROP TABLE t1;" &&
	native 2_t2 "CREATE TABLE t2 (id int);" "DROP TABLE t2;" &&
	printf "after_up = health\non_check_failure = rollback\nrequired_tables = t1, accounts\n" >godwit.conf &&
	test_expect_code 1 godwit up >out 2>err &&
	test_grep "^godwit: warning: health after up: tables: 1 required tables missing" err &&
	test_grep "^godwit:   accounts$" err &&
	test_grep "^godwit: error: health check after up failed: tables$" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 0 &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name GLOB ${SQ}t[0-9]${SQ}")" = 0 &&
	native 3_accounts "CREATE TABLE accounts (id int);" "DROP TABLE accounts;" &&
	godwit up >out 2>err &&
	test_grep "^godwit: health after up: .* checks, all ok$" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM godwit_migrations")" = 3
'

test_done
