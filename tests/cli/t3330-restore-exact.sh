#!/bin/sh
test_description='restore brings the database back to exactly the backup, and keeps every event'
. "$(dirname "$0")/lib.sh"

# events: action|version|name|error? of every event, oldest first.
events()
{
	db_sql "SELECT action || '|' || coalesce(version, '') || '|' || coalesce(name, '') || '|' || CASE WHEN error IS NULL THEN '' ELSE 'error' END FROM godwit_events ORDER BY id"
}

# pg_state: every schema, table, view, index, sequence and row of the
# database but godwit_events (a restore adds its own event), as text.
pg_state()
{
	pg_dump --no-owner --exclude-table-data=godwit_events -d "$PG_URL" |
		grep -v -e '^\\restrict' -e '^\\unrestrict' -e 'godwit_events_id_seq'\'', [0-9]'
}

test_expect_success 'setup: five migrations, the last two a table, a view, an index and a row' '
	write_migration db/migrations/20240101000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	write_migration db/migrations/20240102000000_b.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE b (id int);
	-- migrate:down
	DROP TABLE b;
	EOF
	write_migration db/migrations/20240103000000_c.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE c (id int);
	INSERT INTO c VALUES (1), (2);
	-- migrate:down
	DROP TABLE c;
	EOF
	write_migration db/migrations/20240104000000_d.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE d (id int);
	CREATE VIEW dv AS SELECT id FROM d;
	INSERT INTO c VALUES (3);
	-- migrate:down
	DROP VIEW dv;
	DROP TABLE d;
	DELETE FROM c WHERE id = 3;
	EOF
	write_migration db/migrations/20240105000000_e.sql <<-\EOF
	-- migrate:up
	CREATE TABLE e (id int);
	CREATE INDEX e_id ON e (id);
	-- migrate:down
	DROP TABLE e;
	EOF
'

for backend in sqlite pg; do
	prereq=SQLITE3
	[ $backend = pg ] && prereq=PG
	test_expect_success $prereq "$backend: after a restore the later tables are gone, pending again, applied again by up, and every event is kept" '
		mkdir $backend && cp -R db $backend/ && cd $backend &&
		if [ $backend = pg ]; then pg_new_db && echo "$PG_URL" >pg_url; fi &&
		gw up --to 20240103000000 >out &&
		gw backup 2>err &&
		f=$(ls db/backups/*) &&
		test "$(stat -c %a "$f")" = 600 &&
		gw up >out &&
		test "$(user_tables | tr "\n" " ")" = "a b c d e " &&
		gw restore "$f" 2>err &&
		echo "godwit: restored $f" >expect &&
		test_cmp expect err &&
		test "$(user_tables | tr "\n" " ")" = "a b c " &&
		catalog=sqlite_master && if [ $backend = pg ]; then catalog="pg_class"; fi &&
		name=name && if [ $backend = pg ]; then name=relname; fi &&
		test "$(db_sql "SELECT count(*) FROM $catalog WHERE $name IN ('\''dv'\'', '\''e_id'\'')")" = 0 &&
		test "$(db_sql "SELECT count(*) || '\'' '\'' || sum(id) FROM c")" = "2 3" &&
		states >actual &&
		cat >expect <<-\EOF &&
		20240101000000 applied tx down
		20240102000000 applied tx down
		20240103000000 applied tx down
		20240104000000 pending tx down
		20240105000000 pending tx down
		EOF
		test_cmp expect actual &&
		test_expect_code 3 gw status --exit-code >out &&
		gw up >out &&
		test "$(user_tables | tr "\n" " ")" = "a b c d e " &&
		gw status --exit-code >out &&
		events >actual &&
		cat >expect <<-EOF &&
		apply|20240101000000|a|
		apply|20240102000000|b|
		apply|20240103000000|c|
		backup||$f|
		apply|20240104000000|d|
		apply|20240105000000|e|
		restore||$f|
		apply|20240104000000|d|
		apply|20240105000000|e|
		EOF
		test_cmp expect actual
	'

	test_expect_success $prereq "$backend: a backup that is no backup is refused, nothing changes, and the failed restore is an event" '
		cd $backend &&
		if [ $backend = pg ]; then PG_URL=$(cat pg_url); fi &&
		events >before &&
		echo "not a backup" >bad &&
		test_expect_code 1 gw restore bad 2>err &&
		test_grep "^godwit: error: restore failed, nothing was changed: " err &&
		test "$(user_tables | tr "\n" " ")" = "a b c d e " &&
		gw status --exit-code >out &&
		events >actual &&
		echo "restore||bad|error" >>before &&
		test_cmp before actual &&
		test "$(db_sql "SELECT error FROM godwit_events WHERE id = (SELECT max(id) FROM godwit_events)")" = "$(sed -n "s/^godwit: error: //p" err)"
	'
done

test_expect_success SQLITE3 'sqlite: a truncated backup is refused before anything is replaced' '
	cd sqlite && backend=sqlite &&
	test_when_finished "backend=pg" &&
	f=$(ls db/backups/*) &&
	head -c 6000 "$f" >truncated.sqlite3 &&
	events >before &&
	test_expect_code 1 godwit restore truncated.sqlite3 2>err &&
	test_grep "^godwit: error: restore failed, nothing was changed: cannot open the SQLite database truncated.sqlite3: database disk image is malformed$" err &&
	test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM c")" = 3 &&
	test "$(user_tables | tr "\n" " ")" = "a b c d e " &&
	events >actual &&
	echo "restore||truncated.sqlite3|error" >>before &&
	test_cmp before actual
'

test_expect_success PG 'pg: the error of a file that is no archive is pg_restore'\''s' '
	cd pg &&
	test_grep "^godwit: error: restore failed, nothing was changed: reading the backup with pg_restore --list failed (exit 1): pg_restore: error: input file does not appear to be a valid archive" err
'

test_expect_success PG 'pg: a schema created since the backup is dropped unless kept; the ones the backup holds come back as they were' '
	cd pg && PG_URL=$(cat pg_url) &&
	pg_sql "CREATE SCHEMA app; CREATE TABLE app.kept (id int); INSERT INTO app.kept VALUES (7); COMMENT ON SCHEMA public IS '\''ours'\''" &&
	godwit --url "$PG_URL" backup 2>err &&
	f=$(ls -t db/backups/* | head -n 1) &&
	pg_sql "CREATE SCHEMA later; CREATE TABLE later.t (id int); CREATE TABLE app.newer (id int); DELETE FROM app.kept; CREATE TYPE mood AS ENUM ('\''ok'\''); COMMENT ON SCHEMA public IS NULL" &&
	pg_sql "CREATE SCHEMA \"other App\"; CREATE TABLE \"other App\".t (id int); INSERT INTO \"other App\".t VALUES (5)" &&
	godwit --url "$PG_URL" restore --keep-schema "other App" "$f" 2>err &&
	pg_sql "SELECT n.nspname || '\''.'\'' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = '\''r'\'' AND n.nspname NOT IN ('\''pg_catalog'\'', '\''information_schema'\'') AND c.relname NOT LIKE '\''godwit%'\'' ORDER BY 1" >actual &&
	cat >expect <<-\EOF &&
	app.kept
	other App.t
	public.a
	public.b
	public.c
	public.d
	public.e
	EOF
	test_cmp expect actual &&
	test "$(pg_sql "SELECT count(*) FROM pg_namespace WHERE nspname = '\''later'\''")" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM pg_type WHERE typname = '\''mood'\''")" = 0 &&
	test "$(pg_sql "SELECT id FROM app.kept")" = 7 &&
	test "$(pg_sql "SELECT id FROM \"other App\".t")" = 5 &&
	test "$(pg_sql "SELECT nspowner::regrole || '\'' '\'' || nspacl::text || '\'' '\'' || obj_description(oid, '\''pg_namespace'\'') FROM pg_namespace WHERE nspname = '\''public'\''")" = "pg_database_owner {pg_database_owner=UC/pg_database_owner,=U/pg_database_owner} ours"
'

test_expect_success PG 'pg: a truncated dump changes nothing and is recorded as a failed restore' '
	cd pg && PG_URL=$(cat pg_url) &&
	pg_sql "CREATE TABLE app.big AS SELECT g AS id, md5(g::text) AS m FROM generate_series(1, 20000) g" &&
	godwit --url "$PG_URL" backup 2>err &&
	f=$(ls -t db/backups/* | head -n 1) &&
	test "$(wc -c <"$f")" -gt 400000 &&
	head -c 300000 "$f" >truncated.dump &&
	pg_restore --list truncated.dump >/dev/null &&
	pg_sql "CREATE TABLE app.after (id int); DELETE FROM app.big WHERE id > 10" &&
	pg_state >before.sql &&
	events >before &&
	test_expect_code 1 godwit --url "$PG_URL" restore truncated.dump 2>err &&
	test_grep "^godwit: error: restore failed, nothing was changed: pg_restore failed (exit 1): " err &&
	test_grep "pg_restore: error: could not read from input file: end of file" err &&
	pg_state >after.sql &&
	test_cmp before.sql after.sql &&
	test "$(pg_sql "SELECT count(*) FROM app.big")" = 10 &&
	events >actual &&
	echo "restore||truncated.dump|error" >>before &&
	test_cmp before actual
'

test_expect_success PG 'pg: a dump the server refuses part-way changes nothing and is recorded as a failed restore' '
	cd pg && PG_URL=$(cat pg_url) &&
	role=gw_t3330_reader_$$ &&
	pg_sql "CREATE ROLE $role; GRANT SELECT ON c TO $role" &&
	godwit --url "$PG_URL" backup 2>err &&
	f=$(ls -t db/backups/* | head -n 1) &&
	pg_sql "REVOKE SELECT ON c FROM $role; DROP ROLE $role; CREATE TABLE app.after2 (id int)" &&
	pg_state >before.sql &&
	events >before &&
	test_expect_code 1 godwit --url "$PG_URL" restore "$f" 2>err &&
	test_grep "^godwit: error: restore failed, nothing was changed: psql failed (exit 3): " err &&
	test_grep "ERROR:  role \"$role\" does not exist" err &&
	pg_state >after.sql &&
	test_cmp before.sql after.sql &&
	events >actual &&
	echo "restore||$f|error" >>before &&
	test_cmp before actual
'

test_expect_success PG 'pg: a backup taken before godwit'\''s history existed gets the history back, all migrations pending' '
	pg_new_db &&
	backend=pg &&
	mkdir -p fresh/db && cp -R db/migrations fresh/db/ && cd fresh &&
	godwit --url "$PG_URL" backup 2>err &&
	f=$(ls db/backups/*) &&
	godwit --url "$PG_URL" up >out &&
	godwit --url "$PG_URL" restore "$f" 2>err &&
	test "$(user_tables)" = "" &&
	test "$(pg_sql "SELECT count(*) FROM godwit_migrations")" = 0 &&
	events >actual &&
	cat >expect <<-EOF &&
	apply|20240101000000|a|
	apply|20240102000000|b|
	apply|20240103000000|c|
	apply|20240104000000|d|
	apply|20240105000000|e|
	restore||$f|
	EOF
	test_cmp expect actual &&
	godwit --url "$PG_URL" up >out &&
	test "$(user_tables | tr "\n" " ")" = "a b c d e "
'

test_expect_success PG 'pg: the password reaches pg_restore and psql in their environment, never in their arguments' '
	secret=Rs-S3cret-pw &&
	mkdir -p fakebin &&
	cat >fakebin/pg_restore <<-\EOF &&
	#!/bin/sh
	echo "pg_restore $*" >>"$ARGS_FILE"
	echo ";"
	EOF
	cat >fakebin/psql <<-\EOF &&
	#!/bin/sh
	echo "psql $*" >>"$ARGS_FILE"
	echo "${PGPASSWORD:-none}" >"$ENV_FILE"
	cat >/dev/null
	EOF
	chmod +x fakebin/pg_restore fakebin/psql &&
	pg_sql "CREATE ROLE gw_t3330_rs_$$ LOGIN PASSWORD '\''$secret'\'' SUPERUSER" &&
	url="postgresql://gw_t3330_rs_$$:$secret@/$PG_DB?host=$(pg_sql "SHOW unix_socket_directories")" &&
	echo dump >fake.dump &&
	ARGS_FILE=$PWD/args ENV_FILE=$PWD/env GODWIT_PG_BINDIR=$PWD/fakebin godwit --url "$url" restore fake.dump 2>err &&
	! grep "$secret" args &&
	test_grep "^psql .*user='\''gw_t3330_rs_$$'\'' dbname='\''$PG_DB'\''" args &&
	test "$(cat env)" = "$secret" &&
	! grep "$secret" err &&
	pg_sql "DROP OWNED BY gw_t3330_rs_$$; DROP ROLE gw_t3330_rs_$$"
'

test_expect_success PG 'pg: SIGTERM to godwit stops a restore half-way: nothing changes, the stop is an event' '
	mkdir -p slowbin &&
	ln -s "$(command -v psql)" slowbin/psql &&
	cat >slowbin/pg_restore <<-\EOF &&
	#!/bin/sh
	if [ "$1" = --list ]; then echo ";"; exit 0; fi
	printf "BEGIN;\nCREATE TABLE public.half (id int);\n"
	: >"$MARK"
	exec sleep 30
	EOF
	chmod +x slowbin/pg_restore &&
	events >before &&
	echo dump >slow.dump &&
	{ (MARK=$PWD/mark GODWIT_PG_BINDIR=$PWD/slowbin exec "$GODWIT" --url "$PG_URL" restore slow.dump 2>err) & } &&
	pid=$! && i=0 &&
	while [ ! -f mark ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done &&
	test -f mark &&
	sleep 0.5 &&
	kill -TERM $pid &&
	{ wait $pid; rc=$?; } &&
	test $rc = 143 &&
	test_grep "^godwit: error: restore failed, nothing was changed: interrupted: the restore of slow.dump was stopped$" err &&
	test "$(pg_sql "SELECT count(*) FROM pg_class WHERE relname = '\''half'\''")" = 0 &&
	test "$(user_tables | tr "\n" " ")" = "a b c d e " &&
	events >actual &&
	echo "restore||slow.dump|error" >>before &&
	test_cmp before actual
'

test_expect_success PG 'pg: a protected environment still needs --force' '
	printf "[env.production]\nurl = %s\n" "$PG_URL" >godwit.conf &&
	test_when_finished "rm godwit.conf" &&
	f=$(ls fresh/db/backups/*) &&
	test_expect_code 1 godwit --env production --yes restore "$f" 2>err &&
	test_grep "needs --force" err &&
	test "$(user_tables | tr "\n" " ")" = "a b c d e "
'

test_done
