#!/bin/sh
test_description='adopt --from flyway: CRC-32 checksums verified, failed rows refused'
. "$(dirname "$0")/lib.sh"

# Flyway's checksum (ChecksumCalculator): CRC-32 over the lines without
# their line breaks, as a signed 32-bit integer; computed here with zlib.
flyway_sum()
{
	python3 -c "import sys, zlib
d = open(sys.argv[1], 'rb').read().replace(b'\r', b'').replace(b'\n', b'')
c = zlib.crc32(d)
print(c - 2**32 if c >= 2**31 else c)" "$1"
}

test_expect_success PG 'setup: a Flyway folder and history, V1 and V1.1 applied' '
	pg_new_db &&
	mkdir -p db/migrations &&
	printf "CREATE TABLE f1 (id int);\n" >db/migrations/V1__init.sql &&
	printf "CREATE TABLE f2 (id int);\r\n-- two\n" >db/migrations/V1_1__more.sql &&
	printf "CREATE TABLE f3 (id int);\n" >db/migrations/V2__last.sql &&
	s1=$(flyway_sum db/migrations/V1__init.sql) &&
	s2=$(flyway_sum db/migrations/V1_1__more.sql) &&
	# Flyway core, database/postgresql/createMetaDataTable.sql
	pg_sql "CREATE TABLE \"flyway_schema_history\" (
			\"installed_rank\" INT NOT NULL, \"version\" VARCHAR(50),
			\"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) NOT NULL,
			\"script\" VARCHAR(1000) NOT NULL, \"checksum\" INTEGER,
			\"installed_by\" VARCHAR(100) NOT NULL,
			\"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),
			\"execution_time\" INTEGER NOT NULL, \"success\" BOOLEAN NOT NULL);
		ALTER TABLE \"flyway_schema_history\" ADD CONSTRAINT \"flyway_schema_history_pk\" PRIMARY KEY (\"installed_rank\");
		CREATE INDEX \"flyway_schema_history_s_idx\" ON \"flyway_schema_history\" (\"success\");
		CREATE TABLE f1 (id int); CREATE TABLE f2 (id int);
		INSERT INTO flyway_schema_history VALUES
			(1, '\''1'\'', '\''init'\'', '\''SQL'\'', '\''V1__init.sql'\'', $s1, '\''me'\'', '\''2022-02-02 02:02:02'\'', 5, true),
			(2, '\''1.1'\'', '\''more'\'', '\''SQL'\'', '\''V1_1__more.sql'\'', $s2, '\''me'\'', now(), 5, true)"
'

test_expect_success PG 'adopt verifies the checksums and keeps installed_on' '
	godwit --url "$PG_URL" adopt --from flyway >out &&
	test_grep "recorded *1 .*checksum verified" out &&
	test_grep "recorded *1.1 .*checksum verified" out &&
	test_grep "recorded 2 migrations as applied; 1 pending" out &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations WHERE kind = '\''adopted'\'' AND applied_at = timestamp '\''2022-02-02 02:02:02'\''")" = 1 &&
	godwit --url "$PG_URL" up &&
	test "$(pg_sql "SELECT to_regclass('\''f3'\'') IS NOT NULL")" = t
'

test_expect_success PG 'a file changed since Flyway ran it refuses' '
	pg_sql "DROP TABLE godwit_migrations, godwit_events" &&
	echo "-- edited" >>db/migrations/V1__init.sql &&
	test_expect_code 1 godwit --url "$PG_URL" adopt --from flyway >out 2>err &&
	test_grep "the file changed since Flyway applied it" out &&
	test "$(pg_sql "SELECT to_regclass('\''godwit_migrations'\'') IS NOT NULL AND (SELECT count(*) FROM godwit_migrations) > 0")" != t
'

test_expect_success PG 'a failed Flyway row refuses' '
	printf "CREATE TABLE f1 (id int);\n" >db/migrations/V1__init.sql &&
	pg_sql "UPDATE flyway_schema_history SET success = false WHERE installed_rank = 2" &&
	test_expect_code 1 godwit --url "$PG_URL" adopt --from flyway >out 2>err &&
	test_grep "PROBLEM *1.1 .*(failed" out &&
	test_grep "Flyway recorded it as failed (success = false)" out &&
	test_grep "nothing was recorded" err
'

# The history table as Flyway creates it (see the setup above), empty.
flyway_table()
{
	pg_sql "CREATE TABLE \"flyway_schema_history\" (
			\"installed_rank\" INT NOT NULL, \"version\" VARCHAR(50),
			\"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) NOT NULL,
			\"script\" VARCHAR(1000) NOT NULL, \"checksum\" INTEGER,
			\"installed_by\" VARCHAR(100) NOT NULL,
			\"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),
			\"execution_time\" INTEGER NOT NULL, \"success\" BOOLEAN NOT NULL);
		ALTER TABLE \"flyway_schema_history\" ADD CONSTRAINT \"flyway_schema_history_pk\" PRIMARY KEY (\"installed_rank\")"
}

test_expect_success PG 'a baseline at a version with no file, below every file' '
	pg_new_db &&
	mkdir -p baseline1 &&
	printf "CREATE TABLE b2 (id int);\n" >baseline1/V2__two.sql &&
	printf "CREATE TABLE b3 (id int);\n" >baseline1/V3__three.sql &&
	flyway_table &&
	# flyway baseline -baselineVersion=1 (Flyway core, BaselineCommand:
	# type BASELINE, script "<< Flyway Baseline >>", no checksum), then
	# flyway migrate ran V2.
	pg_sql "CREATE TABLE b2 (id int);
		INSERT INTO flyway_schema_history VALUES
			(1, '\''1'\'', '\''<< Flyway Baseline >>'\'', '\''BASELINE'\'', '\''<< Flyway Baseline >>'\'', NULL, '\''me'\'', now(), 0, true),
			(2, '\''2'\'', '\''two'\'', '\''SQL'\'', '\''V2__two.sql'\'', $(flyway_sum baseline1/V2__two.sql), '\''me'\'', now(), 5, true)" &&
	godwit --url "$PG_URL" --dir baseline1 adopt --from flyway >out &&
	test_grep "recorded *2 .*checksum verified" out &&
	test_grep "pending *3 " out &&
	test_grep "recorded 1 migration as applied; 1 pending" out &&
	! grep PROBLEM out &&
	godwit --url "$PG_URL" --dir baseline1 up &&
	test "$(pg_sql "SELECT string_agg(version || '\'':'\'' || kind, '\'','\'' ORDER BY version) FROM godwit_migrations")" = "2:adopted,3:versioned"
'

test_expect_success PG 'a baseline at a version with no file stands for the files below it' '
	pg_new_db &&
	mkdir -p baseline2 &&
	printf "CREATE TABLE c1 (id int);\n" >baseline2/V1__one.sql &&
	printf "CREATE TABLE c1_1 (id int);\n" >baseline2/V1_1__more.sql &&
	printf "CREATE TABLE c3 (id int);\n" >baseline2/V3__three.sql &&
	flyway_table &&
	pg_sql "CREATE TABLE c1 (id int); CREATE TABLE c1_1 (id int);
		INSERT INTO flyway_schema_history VALUES
			(1, '\''2'\'', '\''<< Flyway Baseline >>'\'', '\''BASELINE'\'', '\''<< Flyway Baseline >>'\'', NULL, '\''me'\'', now(), 0, true)" &&
	godwit --url "$PG_URL" --dir baseline2 adopt --from flyway >out &&
	test_grep "recorded *1 .*(baseline" out &&
	test_grep "recorded *1.1 .*(baseline" out &&
	test_grep "pending *3 " out &&
	test "$(pg_sql "SELECT string_agg(version || '\'':'\'' || kind, '\'','\'' ORDER BY version) FROM godwit_migrations")" = "1:baseline,1.1:baseline" &&
	godwit --url "$PG_URL" --dir baseline2 up &&
	test "$(pg_sql "SELECT to_regclass('\''c3'\'') IS NOT NULL")" = t
'

test_expect_success PG 'a history table configured away from the default (flyway.table, schemas)' '
	pg_new_db &&
	mkdir -p custom &&
	printf "CREATE TABLE k1 (id int);\n" >custom/V1__one.sql &&
	printf "CREATE TABLE k2 (id int);\n" >custom/V2__two.sql &&
	flyway_table &&
	pg_sql "CREATE SCHEMA meta; ALTER TABLE flyway_schema_history RENAME TO deploys;
		ALTER TABLE deploys SET SCHEMA meta; CREATE TABLE k1 (id int);
		INSERT INTO meta.deploys VALUES
			(1, '\''1'\'', '\''one'\'', '\''SQL'\'', '\''V1__one.sql'\'', $(flyway_sum custom/V1__one.sql), '\''me'\'', now(), 5, true)" &&
	test_expect_code 1 godwit --url "$PG_URL" --dir custom adopt --from flyway 2>err &&
	test_grep "no Flyway history in this database: table \"flyway_schema_history\" does not exist" err &&
	test_grep "name it with --from-table (and --from-schema)" err &&
	godwit --url "$PG_URL" --dir custom adopt --from flyway --from-table deploys --from-schema meta >out &&
	test_grep "^flyway history in meta.deploys:" out &&
	test_grep "recorded *1 .*checksum verified" out &&
	test_grep "recorded 1 migration as applied; 1 pending" out
'

test_done
