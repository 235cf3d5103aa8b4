#!/bin/sh
test_description='fleet: 3 PostgreSQL clusters, 40 databases and 10 schemas migrated at once; a cluster stopped mid-run, godwit killed mid-run, --resume; --canary; status --targets'
. "$(dirname "$0")/lib.sh"

# Three clusters of this script's own (one initdb, copied), on ports 5433,
# 5434 and 5435 of one private socket folder; they go away with the
# script, whatever happens. A cluster is stopped on purpose, which the
# suite's shared one must never be.
FLEET_ROOT=
FLEET_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "${GODWIT_TEST_PG_URL:-}" ] && test_have_prereq PSQL && [ -x "$FLEET_BIN/initdb" ]; then
	test_set_prereq FLEET
fi

as_owner()
{
	if [ "$(id -u)" = 0 ]; then
		su postgres -s /bin/sh -c "cd / && $1"
	else
		sh -c "$1"
	fi
}

cluster_ctl()
{
	as_owner "'$FLEET_BIN/pg_ctl' -D '$FLEET_ROOT/c$1' -l '$FLEET_ROOT/c$1.log' -w -t 60 $2" >>"$FLEET_ROOT/ctl.log" 2>&1
}

fleet_cleanup()
{
	[ -n "$FLEET_ROOT" ] || return 0
	for c in 1 2 3; do
		[ -f "$FLEET_ROOT/c$c/postmaster.pid" ] &&
			as_owner "'$FLEET_BIN/pg_ctl' -D '$FLEET_ROOT/c$c' -m immediate -w -t 60 stop" >/dev/null 2>&1
	done
	rm -rf "$FLEET_ROOT"
}
trap '_fleet_rc=$?; fleet_cleanup; (exit $_fleet_rc); gw_die' EXIT

# cluster_url N DB: the URL of database DB on cluster N.
cluster_url()
{
	echo "postgresql:///$2?host=$FLEET_ROOT&port=$((5432 + $1))&user=postgres"
}

csql()
{
	psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$(cluster_url "$1" "$2")" -c "$3"
}

# The databases: d01-d14 on cluster 1, d15-d27 on 2, d28-d40 on 3, and
# the schemas s01-s10 of database tenants on cluster 1.
cluster_of()
{
	n=${1#d}
	n=${n#0}
	if [ "$n" -le 14 ]; then echo 1; elif [ "$n" -le 27 ]; then echo 2; else echo 3; fi
}

# every_count N: every database and schema holds N applied migrations
# (one psql per cluster, which connects to each of its databases).
every_count()
{
	for c in 1 2 3; do
		for i in $(seq -w 1 40); do
			[ "$(cluster_of d$i)" = $c ] || continue
			printf "\\c d%s\nSELECT ${SQ}d%s ${SQ} || count(*) FROM godwit_migrations WHERE state = ${SQ}applied${SQ};\n" $i $i
		done | psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$(cluster_url $c postgres)" || return 1
	done >counts &&
	for i in $(seq -w 1 10); do
		echo "SELECT ${SQ}s$i ${SQ} || count(*) FROM s$i.godwit_migrations WHERE state = ${SQ}applied${SQ};"
	done | psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$(cluster_url 1 tenants)" >>counts &&
	sort counts >counts.sorted &&
	{ for i in $(seq -w 1 40); do echo "d$i $1"; done; for i in $(seq -w 1 10); do echo "s$i $1"; done; } | sort >counts.expect &&
	test_cmp counts.expect counts.sorted
}

# in_background NAME ARGS...: godwit ARGS in the background, its output
# in NAME.json and NAME.err, its exit status in NAME.rc.
in_background()
{
	_bg=$1
	shift
	(FLEET_BASE=postgresql:// "$GODWIT" "$@" >$_bg.json 2>$_bg.err; echo $? >$_bg.rc) &
}

# godwit_pid ARGS...: godwit itself in the background, its pid in $pid.
godwit_pid()
{
	FLEET_BASE=postgresql:// "$GODWIT" "$@" >kill.out 2>kill.err &
	pid=$!
}

# psql_holder ROLE: the one connection ROLE may have, held in the
# background (its exit status in ROLE.rc) until the table holder_release
# of cluster 1 has a row, never on a timer: a slow machine (ASan, a busy
# CI) cannot make it let go before godwit has been refused.
psql_holder()
{
	(psql -X -q -d "$(cluster_url 1 postgres | sed "s/user=postgres/user=$1/")" \
		-c "DO \$\$ BEGIN FOR i IN 1..1200 LOOP EXIT WHEN EXISTS (SELECT FROM holder_release); PERFORM pg_sleep(0.05); END LOOP; END \$\$" \
		>/dev/null 2>&1; echo $? >$1.rc) &
	tries=0
	until [ "$(csql 1 postgres "SELECT count(*) FROM pg_stat_activity WHERE usename = ${SQ}$1${SQ}")" = 1 ]; do
		tries=$((tries + 1))
		[ $tries -lt 200 ] || return 1
		sleep 0.05
	done
}

# wait_refused ROLE: until cluster 1's log shows a connection of ROLE
# refused for its connection limit.
wait_refused()
{
	tries=0
	until grep -q "too many connections for role \"$1\"" "$FLEET_ROOT/c1.log"; do
		tries=$((tries + 1))
		[ $tries -lt 600 ] || return 1
		sleep 0.05
	done
}

# wait_done N: until the run's record shows N targets done.
wait_done()
{
	tries=0
	while :; do
		f=$(ls .godwit/fleet/*.json 2>/dev/null | head -n 1)
		if [ -n "$f" ] && [ "$(grep -c "\"state\": \"done\"" "$f")" -ge "$1" ]; then
			return 0
		fi
		tries=$((tries + 1))
		[ $tries -lt 600 ] || return 1
		sleep 0.05
	done
}

test_expect_success FLEET 'setup: three clusters, 40 databases, 10 schemas' '
	FLEET_ROOT=$(mktemp -d /tmp/godwit-test-pg-fleet-XXXXXX) &&
	if [ "$(id -u)" = 0 ]; then chown postgres: "$FLEET_ROOT"; fi &&
	as_owner "'\''$FLEET_BIN/initdb'\'' -D '\''$FLEET_ROOT/c1'\'' -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions" >initdb.log 2>&1 &&
	as_owner "cat >>'\''$FLEET_ROOT/c1/postgresql.conf'\''" <<-EOF &&
	listen_addresses = ${SQ}${SQ}
	unix_socket_directories = ${SQ}$FLEET_ROOT${SQ}
	max_connections = 40
	shared_buffers = 16MB
	fsync = off
	full_page_writes = off
	log_min_messages = fatal
	EOF
	as_owner "cp -a '\''$FLEET_ROOT/c1'\'' '\''$FLEET_ROOT/c2'\'' && cp -a '\''$FLEET_ROOT/c1'\'' '\''$FLEET_ROOT/c3'\''" &&
	for c in 1 2 3; do
		echo "port = $((5432 + c))" | as_owner "cat >>'\''$FLEET_ROOT/c$c/postgresql.conf'\''" || return 1
	done &&
	{ cluster_ctl 1 start & cluster_ctl 2 start & cluster_ctl 3 start & wait; } &&
	for c in 1 2 3; do csql $c postgres "SELECT 1" >/dev/null || return 1; done &&
	{
		for i in $(seq -w 1 40); do
			echo "CREATE DATABASE d$i;" >>create$(cluster_of d$i).sql || return 1
		done &&
		echo "CREATE DATABASE tenants;" >>create1.sql &&
		{ for c in 1 2 3; do psql -X -q -v ON_ERROR_STOP=1 -d "$(cluster_url $c postgres)" -f create$c.sql & done; wait; }
	} &&
	csql 1 tenants "$(for i in $(seq -w 1 10); do printf "CREATE SCHEMA s%s; " $i; done)" &&
	csql 1 tenants "CREATE SCHEMA other" &&
	{
		echo "# cluster 1, with a password in the URL (trust auth does not ask for it)" &&
		echo "d01=postgresql://postgres:s3cr3t-pw@/d01?host=$FLEET_ROOT&port=5433" &&
		for i in $(seq -w 2 14); do echo "d$i=\${FLEET_BASE}$(cluster_url 1 d$i | sed "s|^postgresql://||")"; done &&
		for i in $(seq -w 28 40); do echo "d$i=$(cluster_url 3 d$i)"; done &&
		echo "# cluster 2 last" &&
		for i in $(seq -w 15 27); do echo "d$i=$(cluster_url 2 d$i)"; done
	} >dbs.txt &&
	write_migration db/migrations/20240101000001_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240101000002_name.sql <<-\EOF &&
	-- migrate:up
	ALTER TABLE users ADD COLUMN name text;
	-- migrate:down
	ALTER TABLE users DROP COLUMN name;
	EOF
	write_migration db/migrations/20240101000003_index.sql <<-\EOF
	-- migrate:up
	CREATE INDEX users_email ON users (email);
	-- migrate:down
	DROP INDEX users_email;
	EOF
'

# Every target: the 40 databases, then the 10 schemas.
SCHEMAS_URL=
test_expect_success FLEET 'a parallel up of all 40 databases and 10 schemas' '
	SCHEMAS_URL=$(cluster_url 1 tenants) &&
	FLEET_BASE=postgresql:// godwit up --targets dbs.txt --jobs 8 >out 2>err &&
	godwit --url "$SCHEMAS_URL" up --schemas "s*" --jobs 8 --format json >schemas.json 2>err2 &&
	every_count 3 &&
	test "$(grep -c " done\$" out)" = 40 &&
	grep "^fleet run [^:]*: 40 done, in " out &&
	python3 - schemas.json <<-\EOF &&
	import json, sys
	r = json.load(open(sys.argv[1]))
	names = [t["name"] for t in r["targets"]]
	assert names == ["s%02d" % i for i in range(1, 11)], names
	assert all(t["state"] == "done" and t["applied"] == 3 for t in r["targets"]), r
	EOF
	test "$(csql 1 tenants "SELECT count(*) FROM pg_tables WHERE tablename = ${SQ}users${SQ} AND schemaname LIKE ${SQ}s%${SQ}")" = 10 &&
	test "$(csql 1 tenants "SELECT count(*) FROM pg_tables WHERE schemaname IN (${SQ}public${SQ}, ${SQ}other${SQ})")" = 0 &&
	! grep -r "s3cr3t" out err schemas.json err2 .godwit
'

test_expect_success FLEET 'databases and schemas in one targets file; a run with nothing to do' '
	cp dbs.txt all.txt &&
	for i in $(seq -w 1 10); do
		echo "s$i=$(cluster_url 1 tenants)&schema=s$i" >>all.txt || return 1
	done &&
	FLEET_BASE=postgresql:// godwit up --targets all.txt --format json >out.json &&
	python3 - out.json <<-\EOF
	import json, sys
	r = json.load(open(sys.argv[1]))
	assert r["counts"]["done"] == 50, r["counts"]
	assert all(t["applied"] == 0 and t["version_before"] == t["version_after"] == "20240101000003" for t in r["targets"]), r
	EOF
'

test_expect_success FLEET 'a cluster stopped mid-run: its targets fail, the rest are done; --resume finishes them' '
	rm -rf .godwit/fleet &&
	write_migration db/migrations/20240101000004_slow.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE slow4 (id int);
	SELECT pg_sleep(0.1);
	-- migrate:down
	DROP TABLE slow4;
	EOF
	in_background bg up --targets all.txt --jobs 2 --max-failures 0 --connect-retries 0 \
		--format json &&
	wait_done 2 &&
	cluster_ctl 2 "-m immediate stop" &&
	wait &&
	test "$(cat bg.rc)" = 3 &&
	python3 - bg.json <<-\EOF &&
	import json, sys
	r = json.load(open(sys.argv[1]))
	cluster2 = ["d%02d" % i for i in range(15, 28)]
	failed = [t["name"] for t in r["targets"] if t["state"] == "failed"]
	done = [t["name"] for t in r["targets"] if t["state"] == "done"]
	assert failed and all(n in cluster2 for n in failed), failed
	assert all(n in done for t in r["targets"] for n in [t["name"]] if n not in cluster2), r
	assert r["counts"]["not_started"] == 0, r["counts"]
	EOF
	run=$(python3 -c "import json; print(json.load(open(\"bg.json\"))[\"run\"])") &&
	cluster_ctl 2 start &&
	FLEET_BASE=postgresql:// godwit up --targets all.txt --resume "$run" --format json >resume.json &&
	python3 - bg.json resume.json <<-\EOF &&
	import json, sys
	before = json.load(open(sys.argv[1]))
	r = json.load(open(sys.argv[2]))
	assert r["run"] == before["run"]
	was = {t["name"]: t["state"] for t in before["targets"]}
	for t in r["targets"]:
	    want = "done_before" if was[t["name"]] == "done" else "done"
	    assert t["state"] == want, (t, was[t["name"]])
	    assert t["version_after"] == "20240101000004", t
	EOF
	every_count 4
'

test_expect_success FLEET 'kill -9 of godwit mid-fleet, then --resume' '
	rm -rf .godwit/fleet &&
	write_migration db/migrations/20240101000005_slow.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE slow5 (id int);
	SELECT pg_sleep(0.1);
	-- migrate:down
	DROP TABLE slow5;
	EOF
	godwit_pid up --targets all.txt --jobs 4 &&
	wait_done 3 &&
	kill -9 $pid &&
	{ wait $pid; test $? = 137; } &&
	f=$(ls .godwit/fleet/*.json) &&
	run=$(basename "$f" .json) &&
	cp "$f" killed.json &&
	python3 - killed.json <<-\EOF &&
	import json, sys
	r = json.load(open(sys.argv[1]))
	states = [t["state"] for t in r["targets"]]
	assert states.count("done") >= 3 and states.count("done") < 50, states
	EOF
	for i in 01 14 28 40 15; do
		test "$(csql $(cluster_of d$i) d$i "SELECT count(*) FROM godwit_migrations WHERE state <> ${SQ}applied${SQ}")" = 0 || return 1
	done &&
	FLEET_BASE=postgresql:// godwit up --targets all.txt --resume "$run" --format json >resume.json &&
	python3 - killed.json resume.json <<-\EOF &&
	import json, sys
	killed = json.load(open(sys.argv[1]))
	r = json.load(open(sys.argv[2]))
	was = {t["name"]: t["state"] for t in killed["targets"]}
	for t in r["targets"]:
	    assert t["state"] == ("done_before" if was[t["name"]] == "done" else "done"), t
	assert r["counts"]["done_before"] == list(was.values()).count("done"), r["counts"]
	EOF
	every_count 5
'

test_expect_success FLEET '--canary stops a bad deploy after the first targets' '
	write_migration db/migrations/20240101000006_bad.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE bad6 (id int);
	SELECT 1 / 0;
	-- migrate:down
	DROP TABLE bad6;
	EOF
	test_when_finished "rm db/migrations/20240101000006_bad.sql" &&
	FLEET_BASE=postgresql:// test_expect_code 3 godwit up --targets all.txt --canary 2 \
		--max-failures 0 --jobs 4 --format json >canary.json &&
	python3 - canary.json <<-\EOF &&
	import json, sys
	r = json.load(open(sys.argv[1]))
	t = r["targets"]
	assert [x["state"] for x in t[:2]] == ["failed", "failed"], t[:2]
	assert "division by zero" in t[0]["error"] and t[0]["sqlstate"] == "22012", t[0]
	assert all(x["state"] == "not_started" and x["not_started_why"] == "a canary failed" for x in t[2:]), t[2:]
	EOF
	test "$(csql 1 d02 "SELECT count(*) FROM godwit_events WHERE action = ${SQ}fail${SQ}")" = 1 &&
	test "$(csql 1 d03 "SELECT count(*) FROM godwit_events WHERE action = ${SQ}fail${SQ}")" = 0 &&
	every_count 5
'

test_expect_success FLEET 'status --targets: how many targets at each version; which are behind, changed or dirty' '
	write_migration db/migrations/20240101000007_more.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE more7 (id int);
	-- migrate:down
	DROP TABLE more7;
	EOF
	for i in 01 02 03; do godwit --url "$(cluster_url 1 d$i)" up >/dev/null 2>&1 || return 1; done &&
	csql 1 d04 "UPDATE godwit_migrations SET checksum = ${SQ}edited${SQ} WHERE version = ${SQ}20240101000001${SQ}" &&
	csql 1 d05 "UPDATE godwit_migrations SET state = ${SQ}dirty${SQ} WHERE version = ${SQ}20240101000005${SQ}" &&
	FLEET_BASE=postgresql:// godwit status --targets all.txt >out &&
	tr -s " " <out >actual &&
	cat >expect <<-\EOF &&
	VERSION TARGETS NAMES
	20240101000007 3 d01, d02, d03
	20240101000005 46 d04, d06, d07, d08, d09, d10, d11, d12 and 38 more
	20240101000004 1 d05
	behind: d04 (1 pending), d05 (1 pending), d06 (1 pending), d07 (1 pending), d08 (1 pending), d09 (1 pending), d10 (1 pending), d11 (1 pending) and 39 more
	changed: d04 (1 changed)
	dirty: d05 (1 dirty)
	50 targets at 3 versions
	EOF
	test_cmp expect actual &&
	cluster_ctl 3 "-m immediate stop" &&
	FLEET_BASE=postgresql:// test_expect_code 3 godwit status --targets all.txt --connect-retries 0 --format json >status.json &&
	python3 - status.json <<-\EOF
	import json, sys
	r = json.load(open(sys.argv[1]))
	v = {g["version"]: g["count"] for g in r["versions"]}
	assert v == {"20240101000007": 3, "20240101000005": 33, "20240101000004": 1}, v
	failed = sorted(t["name"] for t in r["targets"] if t["state"] == "failed")
	assert failed == ["d%02d" % i for i in range(28, 41)], failed
	EOF
'

test_expect_success FLEET '--max-per-host: never more targets at once on one server' '
	grep "^d\(0[6-9]\|1[0-4]\)=" dbs.txt >c1.txt &&
	write_migration db/migrations/20240101000008_probe.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE seen AS SELECT count(*) AS n FROM pg_stat_activity
	 WHERE application_name = ${SQ}godwit${SQ} AND state = ${SQ}active${SQ};
	SELECT pg_sleep(0.05);
	-- migrate:down
	DROP TABLE seen;
	EOF
	sed -i "s/\${SQ}/$SQ/g" db/migrations/20240101000008_probe.sql &&
	FLEET_BASE=postgresql:// godwit up --targets c1.txt --jobs 8 --max-per-host 2 >out &&
	test "$(grep -c " done\$" out)" = 9 &&
	for i in $(seq -w 6 14); do
		printf "\\\\c d%s\\nSELECT n FROM seen;\\n" $i
	done | psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$(cluster_url 1 postgres)" >seen &&
	test "$(wc -l <seen)" = 9 &&
	test "$(sort -n seen | tail -n 1)" -le 2
'

test_expect_success FLEET 'a server with no connection left: the target is tried again with backoff, not failed' '
	csql 1 postgres "CREATE TABLE holder_release (ok int)" &&
	for r in tenant9 tenant10; do
		csql 1 postgres "CREATE ROLE $r LOGIN CONNECTION LIMIT 1" &&
		csql 1 postgres "GRANT postgres TO $r" || return 1
	done &&
	printf "d09=postgresql:///d09?host=%s&port=5433&user=tenant9\nd10=postgresql:///d10?host=%s&port=5433&user=tenant10\n" \
		"$FLEET_ROOT" "$FLEET_ROOT" >limited.txt &&
	psql_holder tenant9 &&
	psql_holder tenant10 &&
	in_background limited down --targets limited.txt --to 20240101000007 --connect-retries 0 --format json &&
	wait_refused tenant9 &&
	wait_refused tenant10 &&
	csql 1 postgres "INSERT INTO holder_release VALUES (1)" &&
	wait &&
	test "$(cat tenant9.rc)" = 0 &&
	test "$(cat tenant10.rc)" = 0 &&
	test "$(cat limited.rc)" = 0 &&
	python3 - limited.json <<-\EOF
	import json, sys
	r = json.load(open(sys.argv[1]))
	assert len(r["targets"]) == 2, r
	for t in r["targets"]:
	    assert t["state"] == "done" and t["reverted"] == 1, t
	    assert t.get("attempts", 1) >= 2, t
	EOF
'

test_expect_success FLEET '--deadline: no target starts after it, the running one is cancelled and rolled back' '
	write_migration db/migrations/20240101000009_long.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE long9 (id int);
	SELECT pg_sleep(30);
	-- migrate:down
	DROP TABLE long9;
	EOF
	FLEET_BASE=postgresql:// test_expect_code 3 godwit up --targets c1.txt --jobs 1 --deadline 1s --format json >deadline.json &&
	python3 - deadline.json <<-\EOF &&
	import json, sys
	r = json.load(open(sys.argv[1]))
	t = r["targets"]
	assert t[0]["state"] == "failed" and "interrupted" in t[0]["error"], t[0]
	assert all(x["state"] == "not_started" and x["not_started_why"] == "deadline" for x in t[1:]), t[1:]
	EOF
	test "$(csql 1 d06 "SELECT count(*) FROM pg_tables WHERE tablename = ${SQ}long9${SQ}")" = 0 &&
	rm db/migrations/20240101000009_long.sql
'

test_expect_success FLEET 'the progress line on a terminal: done, running, failed, pending' '
	FLEET_BASE=postgresql:// NO_COLOR=1 TERM=xterm COLUMNS=200 script -qfec "$GODWIT down --targets c1.txt --to 20240101000007" tty.out >/dev/null </dev/null &&
	grep "fleet: [0-9]*/9 done, [0-9]* running, 0 failed, [0-9]* pending" tty.out &&
	grep "^d14 .* done" tty.out
'

test_done
