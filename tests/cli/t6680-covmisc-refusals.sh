#!/bin/sh
test_description='a targets file over 16 MiB, VACUUM (FULL off), a mailto with no smtp_url: what godwit says, its exit code, the database unchanged'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: one migration, one SQLite target' '
	write_migration db/migrations/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	echo "one=sqlite:one.db" >targets.txt
'

test_expect_success 'a targets file over 16 MiB is refused as one, and no target is touched' '
	cp targets.txt big.txt &&
	truncate -s 17M big.txt &&
	test_expect_code 1 godwit up --targets big.txt >out 2>err &&
	echo "godwit: error: the targets in big.txt are over 16 MiB" >expect &&
	test_cmp expect err &&
	! test -e one.db
'

test_expect_success 'VACUUM (FULL off) is a plain VACUUM to lint; VACUUM (FULL) is not' '
	mkdir -p vac/db/migrations &&
	write_migration vac/db/migrations/20240101000001_v.sql <<-\EOF &&
	-- godwit:no-transaction
	-- migrate:up
	VACUUM (FULL off) a;
	EOF
	write_migration vac/db/migrations/20240101000002_w.sql <<-\EOF &&
	-- godwit:no-transaction
	-- migrate:up
	VACUUM (FULL) a;
	EOF
	(cd vac && test_expect_code 3 godwit lint >../out 2>&1) &&
	grep "vacuum-full-or-cluster" out >hits &&
	echo "db/migrations/20240101000002_w.sql:3:1: error: VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock [vacuum-full-or-cluster]" >expect &&
	test_cmp expect hits
'

test_expect_success 'a mailto with no smtp_url: one warning, no attempt, exit 0' '
	godwit --url sqlite:mail.db --notify mailto:ops@example.com up >out 2>err &&
	grep "notify names mailto:ops@example.com but smtp_url is not set: no mail is sent" err >hits &&
	test "$(wc -l <hits)" -eq 1 &&
	! grep "could not notify" err &&
	echo "20240101000001|applied" >expect &&
	sqlite_sql mail.db "SELECT version, state FROM godwit_migrations" >actual &&
	test_cmp expect actual
'

test_done
