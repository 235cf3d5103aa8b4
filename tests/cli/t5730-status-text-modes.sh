#!/bin/sh
test_description='status: the text reads no file to work out transaction modes (it shows none) and shows the same states as before; --format json still says which migration leaves its transaction'
. "$(dirname "$0")/lib.sh"

test_expect_success PG 'setup: a CONCURRENTLY index without the directive, a comment naming a database, two more' '
	pg_new_db &&
	write_migration db/migrations/20240101000001_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int, email text);
	EOF
	write_migration db/migrations/20240101000002_index.sql <<-\EOF &&
	-- migrate:up
	CREATE INDEX CONCURRENTLY users_email ON users (email);
	EOF
	write_migration db/migrations/20240101000003_note.sql <<-\EOF &&
	-- migrate:up
	-- keeps the database small
	CREATE TABLE notes (id int);
	EOF
	godwit --url "$PG_URL" up >out 2>&1 &&
	write_migration db/migrations/20240101000004_later.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE later (id int);
	EOF
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 3
'

test_expect_success PG 'the text: states, names, the summary' '
	godwit --url "$PG_URL" status >out &&
	sed -e "s/[0-9-]*T[0-9:.]*Z$/AT/" -e "s/ *$//" out >actual &&
	cat >expect <<-\EOF &&
	applied      20240101000001  users  AT
	applied      20240101000002  index  AT
	applied      20240101000003  note   AT
	pending      20240101000004  later
	3 applied, 1 pending
	EOF
	test_cmp expect actual
'

test_expect_success PG 'an edited file and an out-of-order one are still seen' '
	write_migration db/migrations/20240101000001_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigint, email text);
	EOF
	write_migration db/migrations/20240101000000_early.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE early (id int);
	EOF
	test_expect_code 3 godwit --url "$PG_URL" status --exit-code >out &&
	sed -e "s/[0-9-]*T[0-9:.]*Z$/AT/" -e "s/ *$//" out >actual &&
	cat >expect <<-\EOF &&
	out-of-order 20240101000000  early
	    older than an applied migration; apply it with '"'"'godwit up --allow-out-of-order'"'"'
	changed      20240101000001  users  AT
	    file changed since it was applied; restore it or run '"'"'godwit repair 20240101000001'"'"'
	applied      20240101000002  index  AT
	applied      20240101000003  note   AT
	pending      20240101000004  later
	2 applied, 1 pending, 1 changed, 1 out of order
	EOF
	test_cmp expect actual
'

test_expect_success PG 'json: the CONCURRENTLY migration runs outside a transaction, the comment changes nothing' '
	godwit --url "$PG_URL" status --format json >status.json &&
	python3 -c "import json, sys
for m in json.load(open(sys.argv[1]))[\"migrations\"]:
    print(m[\"version\"], m[\"state\"], m[\"transactional\"])" status.json >actual &&
	cat >expect <<-\EOF &&
	20240101000000 out-of-order True
	20240101000001 changed True
	20240101000002 applied False
	20240101000003 applied True
	20240101000004 pending True
	EOF
	test_cmp expect actual
'

test_expect_success PG 'names in UTF-8 are padded by characters, not bytes' '
	write_migration db/migrations/20240101000005_entrées_crème_brûlée.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE desserts (id int);
	EOF
	write_migration db/migrations/20240101000006_ascii_first_then_é.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE other (id int);
	EOF
	godwit --url "$PG_URL" repair 20240101000001 >out 2>&1 &&
	godwit --url "$PG_URL" up --allow-out-of-order >out 2>&1 &&
	godwit --url "$PG_URL" status >out &&
	sed -e "s/[0-9-]*T[0-9:.]*Z$/AT/" out >actual &&
	cat >expect <<-\EOF &&
	applied      20240101000000  early                 AT
	applied      20240101000001  users                 AT
	applied      20240101000002  index                 AT
	applied      20240101000003  note                  AT
	applied      20240101000004  later                 AT
	applied      20240101000005  entrées_crème_brûlée  AT
	applied      20240101000006  ascii_first_then_é    AT
	7 applied, 0 pending
	EOF
	test_cmp expect actual
'

test_done
