#!/bin/sh
test_description='.env values expand ${VAR} as dbmate'"'"'s and Next.js'"'"'s readers do'
. "$(dirname "$0")/lib.sh"

# Supabase's and many a Next.js project's .env build the URL from other
# variables: DATABASE_URL=postgresql://postgres:${POSTGRES_PASSWORD}@...

test_expect_success PG 'setup' '
	pg_new_db &&
	sock=$(pg_sql "SHOW unix_socket_directories") &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
'

test_expect_success PG 'DATABASE_URL built from earlier lines and the environment' '
	cat >.env <<-EOF &&
	# the socket folder and the port
	DB_SOCKET=$sock
	export DB_PORT=$PG_PORT
	DB_PASSWORD="pa\$\$w{rd}"
	DATABASE_URL=postgres://$PG_USER:\${DB_PASSWORD}@/\${DB_NAME}?host=\${DB_SOCKET}&port=\${DB_PORT} # ok
	EOF
	DB_NAME=$PG_DB godwit up >out 2>err &&
	test "$(pg_count users)" = 0 &&
	DB_NAME=$PG_DB godwit config >out &&
	test_grep "^url  *postgres://$PG_USER:\*\*\*\*@/$PG_DB?host=$sock&port=$PG_PORT  *\.env:5\$" out &&
	! grep "pa\\$" out err
'

test_expect_success PG '${VAR:-default}; .env reads .env.local'"'"'s values, the environment wins over both' '
	cat >.env <<-EOF &&
	DB_NAME=nosuch_db
	DATABASE_URL="postgres://$PG_USER@/\${DB_NAME}?host=\${DB_SOCKET:-$sock}&port=\${DB_PORT:-$PG_PORT}"
	EOF
	test_expect_code 1 godwit status 2>err &&
	test_grep "database \"nosuch_db\" does not exist" err &&
	printf "DB_NAME=%s\n" "$PG_DB" >.env.local &&
	godwit status >out &&
	test_grep "^applied .*20240101000000" out &&
	DB_NAME=nosuch_db2 test_expect_code 1 godwit status 2>err &&
	test_grep "database \"nosuch_db2\" does not exist" err &&
	printf "DB_NAME=%s\nDATABASE_URL=\"\${DATABASE_URL}x\"\n" "$PG_DB" >.env.local &&
	godwit config >out &&
	test_grep "^url  *x  *\.env\.local:2\$" out
'

test_expect_success 'single quotes, \$ and a lone $ keep the text as written' '
	rm -f .env.local &&
	cat >.env <<-\EOF &&
	A=one
	B='\''${A}'\''
	C="\${A}$A"
	D=p$ss${A
	E=${A}${NOPE}x
	GODWIT_URL=sqlite:${B}-${C}-${D}-${E}.db
	EOF
	godwit config >out &&
	test_grep "^url  *sqlite:\${A}-\${A}\$A-p\$ss\${A-onex.db  *\.env:6\$" out
'

test_expect_success 'KEY: VALUE lines, as dbmate'"'"'s and Node'"'"'s dotenv read them' '
	cat >.env <<-\EOF &&
	A: one
	GODWIT_TABLE:hist
	GODWIT_URL: "sqlite:${A}.db"
	EOF
	test_expect_code 1 godwit config 2>err &&
	test_grep "^godwit: error: .env:2: expected KEY=VALUE$" err &&
	printf "%s\n" "A: one" "GODWIT_TABLE: hist" "GODWIT_URL: \"sqlite:\${A}.db\"" >.env &&
	godwit config >out &&
	test_grep "^url  *sqlite:one.db  *\.env:3\$" out &&
	test_grep "^table  *hist  *\.env:2\$" out
'

test_done
