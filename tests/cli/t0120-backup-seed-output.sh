#!/bin/sh
test_description='backup, backups and seed on SQLite, in text and JSON'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	write_migration db/migrations/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	godwit up >/dev/null
'

test_expect_success 'backups before the first one' '
	godwit backups >out &&
	echo "no backups yet; take one with '\''godwit backup'\''" >expect &&
	test_cmp expect out &&
	godwit --format json backups >out.json &&
	printf "{\n  \"backups\": []\n}\n" >expect &&
	test_cmp expect out.json
'

test_expect_success 'a backup in JSON names its file, which backups then lists' '
	godwit --format json backup >out.json 2>err &&
	path=$(sed -n "s/^  \"backup\": \"\(.*\)\"$/\1/p" out.json) &&
	case "$path" in
	db/backups/development-*Z-20240101000001.sqlite3) ;;
	*) echo "unexpected path: $path"; false ;;
	esac &&
	test "$(sqlite_sql "$path" "SELECT version FROM godwit_migrations")" = 20240101000001 &&
	size=$(wc -c <"$path") &&
	godwit backups >out &&
	echo "$path  $size bytes" >expect &&
	test_cmp expect out &&
	godwit --format json backups >out.json &&
	printf "{\n  \"backups\": [\n    {\n      \"path\": \"%s\",\n      \"size\": %s\n    }\n  ]\n}\n" "$path" "$size" >expect &&
	test_cmp expect out.json
'

test_expect_success 'seed needs a seeds folder' '
	test_expect_code 1 godwit seed 2>err &&
	echo "godwit: error: no seeds_dir is configured for development" >expect &&
	test_cmp expect err
'

test_expect_success 'seed applies new and changed seed files once, in text and JSON' '
	mkdir -p db/seeds &&
	echo "seeds_dir = db/seeds" >godwit.conf &&
	echo "INSERT INTO a VALUES (5);" >db/seeds/a.sql &&
	godwit seed >out 2>err &&
	echo "applied 1 seed file" >expect &&
	test_cmp expect out &&
	echo "godwit: seeded db/seeds/a.sql" >expect &&
	test_cmp expect err &&
	godwit seed >out &&
	echo "every seed is up to date" >expect &&
	test_cmp expect out &&
	godwit --format json seed >out.json &&
	printf "{\n  \"seeded\": 0\n}\n" >expect &&
	test_cmp expect out.json &&
	echo "INSERT INTO a VALUES (6);" >db/seeds/a.sql &&
	echo "INSERT INTO a VALUES (7);" >db/seeds/b.sql &&
	godwit --format json seed >out.json 2>/dev/null &&
	printf "{\n  \"seeded\": 2\n}\n" >expect &&
	test_cmp expect out.json &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT group_concat(id) FROM (SELECT id FROM a ORDER BY id)")" = "5,6,7"
'

test_done
