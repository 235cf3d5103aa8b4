#!/bin/sh
test_description='create and drop refuse a URL that names no database or no file'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'create with a PostgreSQL URL without a database name' '
	url=$(printf "%s" "$PG_BASE_URL" | sed "s|^\(postgres[a-z]*://[^/?]*\)/[^?]*|\1/|") &&
	test_expect_code 1 godwit --url "$url" create 2>err &&
	cat >expect <<-EOF &&
	godwit: error: the database URL $url names no database
	hint: add it to the URL: postgres://USER@HOST/DATABASE
	EOF
	test_cmp expect err
'

test_expect_success 'create and drop with a SQLite URL without a path' '
	test_expect_code 1 godwit --url sqlite: create 2>err &&
	echo "godwit: error: the database URL sqlite: names no file" >expect &&
	test_cmp expect err &&
	test_expect_code 1 godwit --url sqlite: drop 2>err &&
	test_cmp expect err &&
	test "$(ls)" = "$(printf "err\nexpect")"
'

test_expect_success 'create and drop of an in-memory or file: SQLite URL' '
	for url in "sqlite::memory:" "sqlite:file:x.db?mode=rwc"
	do
		test_expect_code 1 godwit --url "$url" create 2>err &&
		echo "godwit: error: the database URL $url names no file to create or delete" >expect &&
		test_cmp expect err &&
		test_expect_code 1 godwit --url "$url" drop 2>err &&
		test_cmp expect err || return 1
	done &&
	test "$(ls)" = "$(printf "err\nexpect")"
'

test_expect_success SQLITE3 'create makes the folders and an empty database file' '
	godwit --url sqlite:sub/dir/new.db create 2>err &&
	echo "godwit: created database sub/dir/new.db" >expect &&
	test_cmp expect err &&
	test "$(sqlite3 sub/dir/new.db "PRAGMA integrity_check; SELECT count(*) FROM sqlite_master")" = "$(printf "ok\n0")" &&
	godwit --url sqlite:sub/dir/new.db drop 2>err &&
	test ! -e sub/dir/new.db
'

test_done
