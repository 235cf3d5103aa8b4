#!/bin/sh
test_description='ephemeral databases left by killed runs of this host are dropped, others are left alone'
. "$(dirname "$0")/lib.sh"

# The name of an ephemeral database is godwit_test_PID_HOST_RANDOM (HOST:
# 8 hex digits of this host's name). One whose PID no longer runs on this
# host was left by a killed run and goes when the next one is made.
test_expect_success PG 'setup: the host tag of this machine, from a kept database' '
	pg_new_db &&
	echo "$PG_URL" >url &&
	write_migration db/migrations/20240101000001_t.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t (id int);
	-- migrate:down
	DROP TABLE t;
	EOF
	godwit --url "$PG_URL" test --keep >out 2>&1 &&
	kept=$(sed -n "s/.*kept the ephemeral database \(godwit_test_[0-9a-f_]*\).*/\1/p" out) &&
	test -n "$kept" &&
	pg_sql "DROP DATABASE $kept" &&
	host=$(echo "$kept" | cut -d_ -f4) &&
	echo "$host" >host &&
	sh -c "exit 0" & dead=$! && wait $dead &&
	echo "$dead" >dead
'

test_expect_success PG 'a stale database of this host goes; a live one and another host'"'"'s stay' '
	PG_URL=$(cat url) && host=$(cat host) && dead=$(cat dead) &&
	stale=godwit_test_${dead}_${host}_0000abcd &&
	live=godwit_test_$$_${host}_0000abcd &&
	if [ "$host" = 00000000 ]; then elsewhere=11111111; else elsewhere=00000000; fi &&
	other=godwit_test_${dead}_${elsewhere}_0000abcd &&
	test_when_finished "pg_sql \"DROP DATABASE IF EXISTS $live\"; pg_sql \"DROP DATABASE IF EXISTS $other\"" &&
	pg_sql "CREATE DATABASE $stale" &&
	pg_sql "CREATE DATABASE $live" &&
	pg_sql "CREATE DATABASE $other" &&
	echo "CREATE TABLE t (id int);" >a.sql &&
	godwit --url "$PG_URL" schema diff a.sql a.sql >out 2>err &&
	echo "the schemas are equal" >expect &&
	test_cmp expect out &&
	# Another script run at the same time may make an ephemeral database
	# first and drop the stale one itself: then this run says nothing.
	{ test ! -s err || grep -x "godwit: warning: dropped [0-9]* ephemeral databases\{0,1\} left by killed runs" err; } &&
	pg_sql "SELECT datname FROM pg_database WHERE datname IN ('"'"'$stale'"'"', '"'"'$live'"'"', '"'"'$other'"'"') ORDER BY 1" >names &&
	printf "%s\n%s\n" "$live" "$other" | sort >expect &&
	test_cmp expect names
'

test_expect_success PG 'a database kept by test --keep stays when a later run cleans up' '
	PG_URL=$(cat url) &&
	godwit --url "$PG_URL" test --keep >out 2>&1 &&
	kept=$(sed -n "s/.*kept the ephemeral database \(godwit_test_[0-9a-f_]*\).*/\1/p" out) &&
	test -n "$kept" &&
	test_when_finished "pg_sql \"DROP DATABASE IF EXISTS $kept\"" &&
	echo "CREATE TABLE t (id int);" >a.sql &&
	godwit --url "$PG_URL" schema diff a.sql a.sql >out 2>err &&
	test "$(pg_sql "SELECT count(*) FROM pg_database WHERE datname = ${SQ}$kept${SQ}")" = 1 &&
	test "$(pg_sql "SELECT shobj_description(oid, ${SQ}pg_database${SQ}) FROM pg_database WHERE datname = ${SQ}$kept${SQ}")" = "kept by godwit test --keep"
'

test_done
