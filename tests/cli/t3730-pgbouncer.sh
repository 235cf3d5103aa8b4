#!/bin/sh
test_description='a transaction pooler (a real PgBouncer) is found and the advisory lock refused; lock = table works through it'
. "$(dirname "$0")/lib.sh"

# bouncer NAME PORT: a PgBouncer listening on $PGB/.s.PGSQL.PORT, with a
# database tx (transaction pooling) and a database session (session
# pooling), both the test's database.
bouncer()
{
	cat >"$PGB/$1.ini" <<-EOF &&
	[databases]
	tx = host=$PG_SOCKET_DIR port=${PG_PORT:-5432} dbname=$PG_DB pool_mode=transaction
	session = host=$PG_SOCKET_DIR port=${PG_PORT:-5432} dbname=$PG_DB pool_mode=session
	[pgbouncer]
	listen_addr = ${3:-}
	unix_socket_dir = $PGB
	listen_port = $2
	auth_type = trust
	auth_file = $PGB/users.txt
	pool_mode = transaction
	logfile = $PGB/$1.log
	pidfile = $PGB/$1.pid
	ignore_startup_parameters = extra_float_digits,options
	EOF
	if [ "$(id -u)" = 0 ]; then chown postgres: "$PGB/$1.ini"; fi &&
	run_pgbouncer "$PGB/$1.ini" &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		test -S "$PGB/.s.PGSQL.$2" && break
		sleep 0.1
	done &&
	test -S "$PGB/.s.PGSQL.$2"
}

# A PgBouncer on loopback TCP, for a host name: its port is picked from the
# process id, and the tests that need it are skipped when it is taken.
tcp_bouncer()
{
	TCP_PORT=$((20000 + $$ % 20000)) &&
	bouncer tcp $TCP_PORT 127.0.0.1 &&
	test_set_prereq TCPBOUNCER
}

tables()
{
	pg_sql "SELECT string_agg(tablename, ${SQ} ${SQ} ORDER BY tablename) FROM pg_tables WHERE schemaname = ${SQ}public${SQ}"
}

test_expect_success PGBOUNCER 'setup: PgBouncer in front of the suite cluster' '
	pg_new_db &&
	PGB=$(mktemp -d /tmp/godwit-test-pgb-XXXXXX) &&
	printf "\"%s\" \"\"\n" "${PG_USER:-postgres}" >"$PGB/users.txt" &&
	if [ "$(id -u)" = 0 ]; then chown -R postgres: "$PGB"; fi &&
	bouncer pgb 6432 &&
	bouncer supa 6543 &&
	{ tcp_bouncer || echo "no loopback PgBouncer: port $TCP_PORT is taken"; } &&
	TX_URL="postgresql:///tx?host=$PGB&port=6432&user=${PG_USER:-postgres}" &&
	SESSION_URL="postgresql:///session?host=$PGB&port=6432&user=${PG_USER:-postgres}" &&
	SUPA_URL="postgresql:///tx?host=$PGB&port=6543&user=${PG_USER:-postgres}" &&
	psql -X -A -t -q -d "$TX_URL" -c "SELECT 1" >out &&
	test "$(cat out)" = 1 &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_posts.sql <<-\EOF
	-- migrate:up
	CREATE TABLE posts (id int);
	-- migrate:down
	DROP TABLE posts;
	EOF
'

test_expect_success PGBOUNCER 'the advisory lock is refused through a transaction pooler, changing nothing' '
	test_expect_code 1 godwit --url "$TX_URL" up >out 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: the connection goes through a transaction pooler (the server process changes from one transaction to the next): a session advisory lock would not keep other runners out
	hint: use the direct URL (POSTGRES_URL_NON_POOLING, DATABASE_URL_UNPOOLED or DIRECT_URL), or set lock = table (--lock table)
	EOF
	test_cmp expect err &&
	test ! -s out &&
	test "$(tables)" = "" &&
	test_expect_code 1 godwit --url "$TX_URL" down 2>err &&
	test_cmp expect err
'

test_expect_success PGBOUNCER 'port 6543 (a transaction pooler at Supabase) is refused by its port' '
	test_expect_code 1 godwit --url "$SUPA_URL" up 2>err &&
	test_grep "^godwit: error: the connection goes through a transaction pooler (port 6543 is a transaction pooler${SQ}s (Supabase${SQ}s)): a session advisory lock would not keep other runners out$" err &&
	test "$(tables)" = ""
'

test_expect_success PGBOUNCER 'pgbouncer=true in the URL, as Prisma users write it, is taken at its word' '
	test_expect_code 1 godwit --url "$SESSION_URL&pgbouncer=true" up 2>err &&
	test_grep "^godwit: error: the connection goes through a transaction pooler (the URL says pgbouncer=true): a session advisory lock would not keep other runners out$" err &&
	test "$(tables)" = ""
'

test_expect_success PGBOUNCER,TCPBOUNCER 'a Neon pooler host (-pooler.) is refused by its name' '
	NEON_URL="postgresql://${PG_USER:-postgres}@ep-cool-pooler.us-east-2.aws.neon.example:$TCP_PORT/tx?hostaddr=127.0.0.1&sslmode=disable" &&
	test_expect_code 1 godwit --url "$NEON_URL" up 2>err &&
	test_grep "^godwit: error: the connection goes through a transaction pooler (the host is a Neon pooler (-pooler.)): a session advisory lock would not keep other runners out$" err &&
	test "$(tables)" = "" &&
	godwit --url "$NEON_URL" --lock table status >out &&
	test_grep "^0 applied, 2 pending$" out
'

test_expect_success PGBOUNCER 'lock = table works through the transaction pooler' '
	godwit --url "$TX_URL" --lock table up >out &&
	test_grep "^applied 2 migrations$" out &&
	test "$(tables)" = "godwit_events godwit_lock godwit_migrations posts users" &&
	test "$(pg_sql "SELECT count(*) FROM godwit_lock")" = 0 &&
	godwit --url "$TX_URL" --lock table status >out &&
	test_grep "^2 applied, 0 pending$" out &&
	# applied_at comes in the binary form, whatever the DateStyle and
	# time zone of the session or PgBouncer reports: the same times as a
	# direct session, in the time zone of the client and in another.
	godwit --url "$PG_URL" status --format json | grep -v "\"database\":" >direct.json &&
	godwit --url "$TX_URL" --lock table status --format json | grep -v "\"database\":" >pooled.json &&
	test_cmp direct.json pooled.json &&
	PGTZ=Asia/Kolkata godwit --url "$TX_URL" --lock table status --format json |
		grep -v "\"database\":" >pooled.json &&
	test_cmp direct.json pooled.json &&
	PGDATESTYLE="SQL, DMY" godwit --url "$TX_URL" --lock table status --format json |
		grep -v "\"database\":" >pooled.json &&
	test_cmp direct.json pooled.json &&
	test_grep "\"applied_at\": \"20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:.]*Z\"" direct.json &&
	printf "lock = table\n" >godwit.conf &&
	godwit --url "$TX_URL" down >out &&
	test_grep "^reverted 1 migration$" out &&
	rm godwit.conf &&
	GODWIT_LOCK=table godwit --url "$SUPA_URL&pgbouncer=true" up >out &&
	test_grep "^applied 1 migration$" out &&
	test "$(tables)" = "godwit_events godwit_lock godwit_migrations posts users"
'

test_expect_success PGBOUNCER 'a session pooler keeps the advisory lock' '
	godwit --url "$SESSION_URL" down >out &&
	test_grep "^reverted 1 migration$" out &&
	godwit --url "$SESSION_URL" up >out &&
	test_grep "^applied 1 migration$" out
'

test_expect_success PGBOUNCER 'the direct URL variable is taken over the pooled DATABASE_URL' '
	godwit --url "$PG_URL" down >out &&
	DATABASE_URL=$TX_URL DATABASE_URL_UNPOOLED=$PG_URL godwit config >out &&
	test_grep "^url  .*env DATABASE_URL_UNPOOLED$" out &&
	DATABASE_URL=$TX_URL DATABASE_URL_UNPOOLED=$PG_URL godwit up >out &&
	test_grep "^applied 1 migration$" out &&
	godwit --url "$PG_URL" down >out &&
	POSTGRES_URL=$TX_URL POSTGRES_URL_NON_POOLING=$PG_URL godwit up >out &&
	test_grep "^applied 1 migration$" out &&
	godwit --url "$PG_URL" down >out &&
	DATABASE_URL=$TX_URL DIRECT_URL=$PG_URL godwit up >out &&
	test_grep "^applied 1 migration$" out
'

test_expect_success PGBOUNCER 'url = ${VAR} in the environment section wins over a pooled DATABASE_URL' '
	godwit --url "$PG_URL" down >out &&
	cat >godwit.conf <<-\EOF &&
	[env.production]
	url = ${MY_DIRECT_URL}
	EOF
	DATABASE_URL=$TX_URL MY_DIRECT_URL=$PG_URL VERCEL_ENV=production godwit config >out &&
	test_grep "^url  .*godwit.conf:2 \[env.production\]$" out &&
	DATABASE_URL=$TX_URL MY_DIRECT_URL=$PG_URL VERCEL_ENV=production godwit up --yes >out &&
	test_grep "^applied 1 migration$" out
'

test_expect_success PGBOUNCER 'an undefined ${VAR} in the selected environment is an error, even with DATABASE_URL set' '
	godwit --url "$PG_URL" down >out &&
	cat >expect <<-\EOF &&
	godwit: error: godwit.conf:2: ${MY_DIRECT_URL} is not defined; set MY_DIRECT_URL in the environment or in .env, or write ${MY_DIRECT_URL:-default}
	EOF
	DATABASE_URL=$TX_URL VERCEL_ENV=production test_expect_code 1 godwit up --yes >out 2>err &&
	test_cmp expect err &&
	test "$(tables)" = "godwit_events godwit_lock godwit_migrations users" &&
	DATABASE_URL=$PG_URL godwit up >out &&
	test_grep "^applied 1 migration$" out &&
	rm godwit.conf
'

test_expect_success PGBOUNCER 'stop PgBouncer' '
	stop_bouncers &&
	rm -rf "$PGB"
'

# Also when a test above failed half-way.
if [ -n "${PGB:-}" ] && [ -d "$PGB" ]; then
	stop_bouncers
	rm -rf "$PGB"
fi

test_done
