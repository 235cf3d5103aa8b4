#!/bin/sh
test_description='the CLI words the actions that end report texts with its commands'
. "$(dirname "$0")/lib.sh"

# The library words these actions without naming a command (unit test
# test_report_hints); the CLI prints its own words for the same codes, in
# every output format.

test_expect_success 'health --format json words the missing SQLite file as the text does' '
	test_expect_code 3 godwit --url sqlite:a/b.db health --format json >out &&
	test_grep "^      \"summary\": \"the SQLite database a/b.db does not exist (health creates nothing; ${SQ}godwit up${SQ} creates it)\",$" out &&
	test ! -e a
'

test_expect_success SQLITE3 'health names the adopt command for another tool'\''s history' '
	mkdir -p db/migrations &&
	sqlite_sql o.db "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);
		INSERT INTO schema_migrations VALUES ('\''20240101000001'\'')" &&
	test_expect_code 3 godwit --url sqlite:o.db health >out &&
	test_grep "^fail  other_history      the dbmate history (schema_migrations) is here and godwit${SQ}s is empty; take it over with ${SQ}godwit adopt --from dbmate${SQ}$" out &&
	test "$(sqlite_sql o.db "SELECT count(*) FROM sqlite_master WHERE name LIKE '\''godwit%'\''")" = 0
'

test_expect_success 'validate words empty and down-less migrations in every format' '
	mkdir -p v/db/migrations &&
	printf -- "-- migrate:up\n-- migrate:down\nSELECT 1;\n" >v/db/migrations/20240101000001_empty.sql &&
	printf -- "-- migrate:up\nCREATE TABLE b (id int);\n" >v/db/migrations/20240101000002_nodown.sql &&
	(cd v && test_expect_code 3 godwit validate >../out) &&
	cat >expect <<-\EOF &&
	db/migrations/20240101000001_empty.sql: error: the migration holds no SQL; godwit up refuses it [empty-migration]
	db/migrations/20240101000002_nodown.sql: warning: migration 20240101000002 has no down script; godwit down cannot revert it [missing-down]
	1 error, 1 warning
	dialect: postgres (no database URL or dialect setting; what the SQL parses as)
	EOF
	test_cmp expect out &&
	(cd v && test_expect_code 3 godwit validate --format json >../out) &&
	test_grep "^      \"message\": \"the migration holds no SQL; godwit up refuses it\",$" out &&
	test_grep "^      \"message\": \"migration 20240101000002 has no down script; godwit down cannot revert it\",$" out &&
	(cd v && test_expect_code 3 godwit validate --format sarif >../out) &&
	test_grep "^            \"text\": \"the migration holds no SQL; godwit up refuses it\"$" out &&
	test_grep "^            \"text\": \"migration 20240101000002 has no down script; godwit down cannot revert it\"$" out
'

test_expect_success 'validate names repair for a migration changed after it was applied' '
	mkdir -p c/db/migrations &&
	printf -- "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n" >c/db/migrations/20240101000001_a.sql &&
	(cd c && godwit --url sqlite:x.db up >/dev/null) &&
	printf -- "-- migrate:up\nCREATE TABLE a (id bigint);\n-- migrate:down\nDROP TABLE a;\n" >c/db/migrations/20240101000001_a.sql &&
	(cd c && test_expect_code 3 godwit --url sqlite:x.db validate >../out) &&
	cat >expect <<-\EOF &&
	db/migrations/20240101000001_a.sql: error: migration 20240101000001 was changed after it was applied; restore the file or run '"'"'godwit repair 20240101000001'"'"' [checksum-changed]
	1 error, 0 warnings
	dialect: sqlite (the database URL)
	EOF
	test_cmp expect out
'

test_expect_success SQLITE3 'adopt words a dirty golang-migrate version with baseline' '
	mkdir gm &&
	printf "CREATE TABLE a (id int);\n" >gm/000001_a.up.sql &&
	printf "DROP TABLE a;\n" >gm/000001_a.down.sql &&
	sqlite_sql g.db "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
		INSERT INTO schema_migrations VALUES (1, 1)" &&
	test_expect_code 1 godwit --url sqlite:g.db --dir gm adopt --from golang-migrate >out 2>err &&
	cat >expect <<-\EOF &&
	golang-migrate history in schema_migrations:
	  PROBLEM          000001           000001_a.up.sql  (dirty)
	      golang-migrate marks it dirty: it failed half-way; fix the database, then clear the flag with '"'"'migrate force VERSION'"'"' or use '"'"'godwit baseline'"'"'
	EOF
	test_cmp expect out &&
	test_expect_code 1 godwit --url sqlite:g.db --dir gm adopt --from golang-migrate --format json >out &&
	test_grep "^      \"problem\": \"golang-migrate marks it dirty: it failed half-way; fix the database, then clear the flag with ${SQ}migrate force VERSION${SQ} or use ${SQ}godwit baseline${SQ}\"$" out &&
	test "$(sqlite_sql g.db "SELECT count(*) FROM godwit_migrations")" = 0
'

test_expect_success SQLITE3 'adopt words a changed Flyway checksum with repair' '
	mkdir fw &&
	printf "CREATE TABLE f1 (id int);\n" >fw/V1__init.sql &&
	sqlite_sql f.db "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY,
		version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL,
		script VARCHAR(1000) NOT NULL, checksum INTEGER, installed_by VARCHAR(100) NOT NULL,
		installed_on TEXT NOT NULL, execution_time INTEGER NOT NULL, success BOOLEAN NOT NULL);
		INSERT INTO flyway_schema_history VALUES (1, '\''1'\'', '\''init'\'', '\''SQL'\'',
		'\''V1__init.sql'\'', 12345, '\''me'\'', '\''2022-02-02 02:02:02'\'', 5, 1)" &&
	test_expect_code 1 godwit --url sqlite:f.db --dir fw adopt --from flyway >out 2>err &&
	cat >expect <<-\EOF &&
	flyway history in flyway_schema_history:
	  PROBLEM          1                V1__init.sql  (applied at 2022-02-02 02:02:02, checksum mismatch)
	      the file changed since Flyway applied it (Flyway checksum 12345); restore it, or adopt and then '"'"'godwit repair'"'"' after a review
	EOF
	test_cmp expect out &&
	test "$(sqlite_sql f.db "SELECT count(*) FROM godwit_migrations")" = 0
'

test_expect_success 'a sqitch conflict names down in the error hint' '
	mkdir sq && cd sq &&
	write_migration sqitch.plan <<-\PLAN &&
	%project=c

	old_users 2024-01-01T00:00:00Z A <a@x> # old
	new_users [!old_users] 2024-01-02T00:00:00Z A <a@x> # replaces old_users
	PLAN
	mkdir deploy revert &&
	echo "CREATE TABLE old_users (id int);" >deploy/old_users.sql &&
	echo "DROP TABLE old_users;" >revert/old_users.sql &&
	echo "CREATE TABLE new_users (id int);" >deploy/new_users.sql &&
	godwit --dir . --url sqlite:s.db up --to 1 >/dev/null 2>&1 &&
	test_expect_code 1 godwit --dir . --url sqlite:s.db up >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: cannot apply 2 new_users: it conflicts with 1 old_users, which is applied
	hint: revert old_users first with godwit down, or remove the conflict from the plan
	EOF
	test_cmp expect err &&
	test_expect_code 1 godwit --dir . --url sqlite:s.db up --format json >out &&
	test_grep "^    \"hint\": \"revert old_users first with godwit down, or remove the conflict from the plan\"$" out &&
	test "$(godwit --dir . --url sqlite:s.db status --format json | grep -c "\"state\": \"applied\"")" = 1
'

test_done
