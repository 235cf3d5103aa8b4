#!/bin/sh
test_description='small CLI paths on SQLite: one of a kind in counts, --atomic, drift --record and a missing snapshot in JSON, options side by side'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: three migrations and a seed' '
	mkdir -p db/migrations db/seeds &&
	for i in 1 2 3; do
		printf -- "-- migrate:up\nCREATE TABLE t$i (id int);\n-- migrate:down\nDROP TABLE t$i;\n" \
			>db/migrations/2024010100000${i}_t$i.sql || return 1
	done &&
	echo "INSERT INTO t1 VALUES (1);" >db/seeds/one.sql
'

test_expect_success 'up --atomic --to says how the run is rolled back' '
	godwit --url sqlite:a.db up --atomic --to 20240101000001 >out 2>err &&
	test_grep "^applied 1 migration$" out &&
	test_grep "^godwit: atomic: each migration runs in its own transaction; if one fails, what this run applied is reverted with the downs$" err &&
	test "$(sqlite_sql a.db "SELECT group_concat(version) FROM godwit_migrations")" = 20240101000001
'

test_expect_success 'baseline, seed and repair of one say so in the singular' '
	godwit --url sqlite:a.db baseline 20240101000002 >out &&
	echo "recorded 1 migration up to 20240101000002 as applied (baseline)" >expect &&
	test_cmp expect out &&
	GODWIT_SEEDS_DIR=db/seeds godwit --url sqlite:a.db seed >out 2>/dev/null &&
	echo "applied 1 seed file" >expect &&
	test_cmp expect out &&
	test "$(sqlite_sql a.db "SELECT count(*) FROM t1")" = 1 &&
	printf -- "-- migrate:up\nCREATE TABLE t1 (id bigint);\n-- migrate:down\nDROP TABLE t1;\n" >db/migrations/20240101000001_t1.sql &&
	godwit --url sqlite:a.db repair 20240101000001 >out &&
	echo "recorded the new checksum of 1 migration" >expect &&
	test_cmp expect out
'

test_expect_success 'drift --format json: a missing snapshot is a JSON error, --record a JSON answer' '
	test_expect_code 1 godwit --url sqlite:a.db drift --format json >out 2>err &&
	cat >expect <<-\EOF &&
	{
	  "error": {
	    "code": "refused",
	    "message": "no schema snapshot was recorded in this database",
	    "sqlstate": null,
	    "file": null,
	    "line": null,
	    "column": null,
	    "hint": "run '"'"'godwit drift --record'"'"' after up, or use '"'"'godwit drift --replay'"'"'"
	  }
	}
	EOF
	test_cmp expect out &&
	test ! -s err &&
	godwit --url sqlite:a.db drift --record --format json >out &&
	printf "{\n  \"recorded\": true\n}\n" >expect &&
	test_cmp expect out &&
	test "$(sqlite_sql a.db "SELECT count(*) FROM godwit_schema_snapshots")" = 1 &&
	godwit --url sqlite:a.db drift --format json >out &&
	test_grep "^  \"drift\": false,$" out
'

test_expect_success 'resolve --rolled-back of a migration that is not dirty: a JSON error, nothing changed' '
	test_expect_code 1 godwit --url sqlite:a.db resolve 20240101000001 --rolled-back --format json >out &&
	test_grep "^    \"message\": \"migration 20240101000001 is applied, not dirty; nothing to resolve\",$" out &&
	test "$(sqlite_sql a.db "SELECT state FROM godwit_migrations WHERE version = ${SQ}20240101000001${SQ}")" = applied
'

test_expect_success 'down --to the newest --format json reverts nothing, and says so' '
	godwit --url sqlite:a.db up >/dev/null 2>&1 &&
	godwit --url sqlite:a.db down --to 20240101000003 --format json >out &&
	printf "{\n  \"reverted\": 0,\n  \"migrations\": []\n}\n" >expect &&
	test_cmp expect out &&
	test "$(sqlite_sql a.db "SELECT count(*) FROM godwit_migrations")" = 3
'

test_expect_success 'status --exit-code --format json: exit 3 while something is pending' '
	printf -- "-- migrate:up\nCREATE TABLE t4 (id int);\n-- migrate:down\nDROP TABLE t4;\n" >db/migrations/20240101000004_t4.sql &&
	test_expect_code 3 godwit --url sqlite:a.db status --format json --exit-code >out &&
	test_grep "^    \"pending\": 1,$" out
'

test_expect_success 'new refuses a name with a slash' '
	test_expect_code 2 godwit --url sqlite:a.db new "bad/name" 2>err &&
	test_grep "^godwit: error: invalid migration name ${SQ}bad/name${SQ}; a name is made of letters, digits, ${SQ}_${SQ} and ${SQ}-${SQ} (e.g. create_users)$" err &&
	test $(ls db/migrations | wc -l) = 4
'

test_done
