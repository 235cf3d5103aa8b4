#!/bin/sh
test_description='fleet: the targets file (URL or NAME=URL, comments, ${VAR}, stdin), the report in text, JSON, markdown and github, and the run recorded for --resume (SQLite targets)'
. "$(dirname "$0")/lib.sh"

test_expect_success SQLITE3 'setup: three migrations' '
	write_migration db/migrations/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	write_migration db/migrations/20240101000002_b.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE b (id int);
	-- migrate:down
	DROP TABLE b;
	EOF
	write_migration db/migrations/20240101000003_c.sql <<-\EOF
	-- migrate:up
	CREATE TABLE c (id int);
	-- migrate:down
	DROP TABLE c;
	EOF
'

test_expect_success SQLITE3 'a targets file: comments, blank lines, NAME=URL and ${VAR}' '
	mkdir -p dbs &&
	cat >targets.txt <<-\EOF &&
	# tenants
	sqlite:dbs/one.db

	  two=sqlite:dbs/${TWO_FILE}
	three=sqlite:dbs/three.db   # not a comment: part of no URL
	EOF
	sed -i "s|   # not a comment: part of no URL||" targets.txt &&
	TWO_FILE=two.db godwit up --targets targets.txt --jobs 2 >out 2>err &&
	sed -E "s/[0-9]+ms/N/; s/run [0-9-]+[0-9a-f]{4}/run RUN/" out | tr -s " " >actual &&
	cat >expect <<-\EOF &&
	TARGET BEFORE AFTER APPLIED DURATION RESULT
	dbs/one.db - 20240101000003 3 N done
	two - 20240101000003 3 N done
	three - 20240101000003 3 N done
	fleet run RUN: 3 done, in N
	EOF
	grep -v "^recorded in" actual >actual.table &&
	test_cmp expect actual.table &&
	for db in one two three; do
		test "$(sqlite_sql dbs/$db.db "SELECT count(*) FROM godwit_migrations")" = 3 || return 1
	done &&
	run=$(sed -n "s/^fleet run \([^:]*\):.*/\1/p" out) &&
	grep "^recorded in ./.godwit/fleet/$run.json\$" out &&
	grep "^fleet run $run: up on 3 targets\$" err
'

test_expect_success SQLITE3 'an unset ${VAR} is refused with its file and line, and nothing runs' '
	printf "sqlite:dbs/four.db\nsqlite:dbs/\${NOT_SET_HERE}.db\n" >bad.txt &&
	test_expect_code 1 godwit up --targets bad.txt 2>err &&
	echo "godwit: error: bad.txt:2: the variable NOT_SET_HERE is not set; set it, or write the value in the file" >expect &&
	test_cmp expect err &&
	test ! -e dbs/four.db
'

test_expect_success SQLITE3 'two targets with one name are refused with both lines' '
	printf "x=sqlite:dbs/five.db\n# c\nx=sqlite:dbs/six.db\n" >dup.txt &&
	test_expect_code 1 godwit up --targets dup.txt 2>err &&
	echo "godwit: error: dup.txt:3: the target name ${SQ}x${SQ} is already on line 1; name one of them (NAME=URL)" >expect &&
	test_cmp expect err &&
	test ! -e dbs/five.db && test ! -e dbs/six.db
'

test_expect_success SQLITE3 'an empty targets file is refused' '
	printf "# nothing yet\n\n" >empty.txt &&
	test_expect_code 1 godwit up --targets empty.txt 2>err &&
	grep "^godwit: error: no targets in empty.txt\$" err
'

test_expect_success SQLITE3 'targets from standard input (-), JSON report' '
	printf "one=sqlite:dbs/one.db\nfour=sqlite:dbs/four.db\n" |
		godwit up --targets - --format json >out.json 2>err &&
	python3 - out.json <<-\EOF
	import json, sys
	r = json.load(open(sys.argv[1]))
	assert r["action"] == "up", r
	assert r["counts"] == {"done": 2, "done_before": 0, "failed": 0, "not_started": 0}, r
	t = {x["name"]: x for x in r["targets"]}
	assert t["one"]["version_before"] == "20240101000003" and t["one"]["applied"] == 0, t
	assert t["four"]["version_before"] is None and t["four"]["applied"] == 3, t
	assert t["four"]["version_after"] == "20240101000003", t
	assert t["four"]["state"] == "done" and t["four"]["error"] is None, t
	assert r["state"].endswith("/.godwit/fleet/%s.json" % r["run"]), r
	EOF
'

test_expect_success SQLITE3 'a failed target: exit 3, its error in the report, the others done' '
	printf "good=sqlite:dbs/seven.db\nbad=sqlite:dbs/text.db\n" >mixed.txt &&
	echo "not a database, but long enough to be read as one by the header check of SQLite" >dbs/text.db &&
	test_expect_code 3 godwit up --targets mixed.txt --max-failures 0 --format json >out.json &&
	python3 - out.json <<-\EOF
	import json, sys
	r = json.load(open(sys.argv[1]))
	t = {x["name"]: x for x in r["targets"]}
	assert t["good"]["state"] == "done", t
	assert t["bad"]["state"] == "failed" and t["bad"]["error"], t
	assert r["counts"]["failed"] == 1 and r["counts"]["done"] == 1, r
	EOF
'

test_expect_success SQLITE3 'markdown and github reports' '
	printf "one=sqlite:dbs/one.db\nfour=sqlite:dbs/four.db\n" >two.txt &&
	godwit up --targets two.txt --format markdown >out.md &&
	sed -E "s/[0-9]+ms/Nms/; s/run \`[^\`]*\`/run RUN/" out.md >actual &&
	cat >expect <<-\EOF &&
	### godwit up: 2 done

	Fleet run RUN.

	| target | before | after | applied | duration | result |
	|---|---|---|---:|---:|---|
	| one | 20240101000003 | 20240101000003 | 0 | Nms | done |
	| four | 20240101000003 | 20240101000003 | 0 | Nms | done |
	EOF
	test_cmp expect actual &&
	test_expect_code 3 godwit up --targets mixed.txt --format github >out.gh &&
	grep "^::error title=godwit up%3A bad::failed: " out.gh &&
	grep "^::notice title=godwit up::fleet run [^:]*: 1 done, 1 failed\$" out.gh
'

test_expect_success SQLITE3 'a bad --format, --jobs or --max-failures is a usage error' '
	test_expect_code 2 godwit up --targets two.txt --format xml 2>err &&
	grep "unknown format ${SQ}xml${SQ}; use text, json, markdown or github" err &&
	test_expect_code 2 godwit up --targets two.txt --jobs many 2>err &&
	grep -- "--jobs" err &&
	test_expect_code 2 godwit up --targets two.txt --max-failures -1 2>err &&
	test_expect_code 2 godwit redo --targets two.txt 2>err &&
	grep "${SQ}redo${SQ} does not run over a fleet" err
'

test_expect_success SQLITE3 'down over a fleet needs --to' '
	test_expect_code 2 godwit down --targets two.txt 2>err &&
	grep "down over a fleet needs --to V" err &&
	godwit down --targets two.txt --to 20240101000001 >out &&
	grep "^one  *20240101000003  *20240101000001  *2 " out &&
	test "$(sqlite_sql dbs/one.db "SELECT count(*) FROM godwit_migrations")" = 1 &&
	test "$(sqlite_sql dbs/four.db "SELECT count(*) FROM godwit_migrations")" = 1
'

test_expect_success SQLITE3 '--resume of an unknown run, or a run id that is no name, is refused' '
	test_expect_code 1 godwit up --targets two.txt --resume 20200101-000000-abcd 2>err &&
	grep "there is no fleet run ${SQ}20200101-000000-abcd${SQ} to resume" err &&
	test_expect_code 1 godwit up --targets two.txt --resume ../../etc/passwd 2>err &&
	grep "${SQ}../../etc/passwd${SQ} is not a fleet run id" err &&
	test "$(sqlite_sql dbs/one.db "SELECT count(*) FROM godwit_migrations")" = 1
'

test_expect_success SQLITE3 'health, drift and test --only-new over a fleet' '
	printf "one=sqlite:dbs/one.db\nfour=sqlite:dbs/four.db\n" >two.txt &&
	godwit health --targets two.txt >out &&
	grep "^one  *[0-9]*ms  *done: healthy\$" out &&
	grep "^four  *[0-9]*ms  *done: healthy\$" out &&
	godwit drift --targets two.txt >out &&
	grep "^one  *[0-9]*ms  *done: no snapshot recorded\$" out &&
	write_migration db/migrations/20240101000004_d.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE d (id int);
	-- migrate:down
	DROP TABLE d;
	EOF
	godwit test --only-new --targets two.txt --format json >test.json &&
	python3 - test.json <<-\EOF &&
	import json, sys
	r = json.load(open(sys.argv[1]))
	assert r["action"] == "test", r
	for t in r["targets"]:
	    assert t["state"] == "done" and t["found"] == 0 and t["summary"] == "passed", t
	EOF
	write_migration db/migrations/20240101000004_d.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE d (id int);
	-- migrate:down
	SELECT 1;
	EOF
	test_expect_code 3 godwit test --only-new --targets two.txt >out &&
	grep "^one  *[0-9]*ms  *done: 1 failed migration\$" out &&
	rm db/migrations/20240101000004_d.sql &&
	test "$(sqlite_sql dbs/one.db "SELECT count(*) FROM godwit_migrations")" = 1
'

test_expect_success SQLITE3 'targets_query on a control database; the run recorded in its godwit_fleet table' '
	sqlite_sql control.db "CREATE TABLE tenants (name text, url text, active int)" &&
	sqlite_sql control.db "INSERT INTO tenants VALUES (${SQ}t1${SQ}, ${SQ}sqlite:dbs/t1.db${SQ}, 1), (${SQ}t2${SQ}, ${SQ}sqlite:dbs/t2.db${SQ}, 1), (${SQ}gone${SQ}, ${SQ}sqlite:dbs/gone.db${SQ}, 0)" &&
	echo "not a database, but long enough to be read as one by the header check of SQLite" >dbs/t2.db &&
	test_expect_code 3 godwit up --control-url sqlite:control.db \
		--targets-query "SELECT name, url FROM tenants WHERE active = 1 ORDER BY name" >out &&
	run=$(sed -n "s/^fleet run \([^:]*\):.*/\1/p" out) &&
	grep "^recorded in sqlite:control.db\$" out &&
	test ! -e .godwit/fleet/$run.json &&
	test ! -e dbs/gone.db &&
	sqlite_sql control.db "SELECT target, state, applied, version_after FROM godwit_fleet WHERE run_id = ${SQ}$run${SQ} ORDER BY target" >actual &&
	cat >expect <<-\EOF &&
	t1|done|3|20240101000003
	t2|failed|0|
	EOF
	test_cmp expect actual &&
	rm dbs/t2.db &&
	printf "targets_query = SELECT name, url FROM tenants WHERE active = 1 ORDER BY name\n" >godwit.conf &&
	godwit up --control-url sqlite:control.db --resume "$run" >out &&
	grep "^t1 .* done before\$" out &&
	grep "^t2 .* 3 .* done\$" out &&
	sqlite_sql control.db "SELECT target, state FROM godwit_fleet WHERE run_id = ${SQ}$run${SQ} ORDER BY target" >actual &&
	printf "t1|done\nt2|done\n" >expect &&
	test_cmp expect actual &&
	rm godwit.conf
'

test_expect_success SQLITE3 'a targets_query without the url column is refused' '
	test_expect_code 1 godwit up --control-url sqlite:control.db --targets-query "SELECT name FROM tenants" 2>err &&
	echo "godwit: error: targets_query must return two columns, the name and the url of each target (SELECT name, url FROM ...)" >expect &&
	test_cmp expect err &&
	test_expect_code 2 godwit up --control-url sqlite:control.db 2>err &&
	grep -- "--control-url alone names no targets" err
'

# start_fleet DIR ARGS...: godwit ARGS run in DIR in the background, its
# pid in DIR/pid and, once it exits, its status in DIR/rc.
start_fleet()
{
	_dir=$1
	shift
	(
		cd "$_dir" || exit 1
		"$GODWIT" "$@" >out 2>err &
		echo $! >pid
		wait $!
		echo $? >rc
	) &
}

# wait_file FILE [PATTERN]: until FILE is there and not empty, or has a
# line matching PATTERN (30 s at most).
wait_file()
{
	_i=0
	until test -s "$1" && { test $# = 1 || grep -q "$2" "$1"; }
	do
		_i=$((_i + 1))
		test $_i -lt 300 || return 1
		sleep 0.1
	done
}

test_expect_success SQLITE3 'Ctrl-C cancels the running targets: exit 130, nothing half-applied' '
	mkdir -p slow/db/migrations &&
	write_migration slow/db/migrations/20240101000001_slow.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE slow (n int);
	INSERT INTO slow WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) SELECT count(*) FROM c;
	-- migrate:down
	DROP TABLE slow;
	EOF
	echo "sqlite:slow.db" >slow/targets.txt &&
	start_fleet slow up --targets targets.txt &&
	wait_file slow/pid &&
	wait_file slow/err "^fleet run .*: up on 1 target" &&
	sleep 1 &&
	kill -INT "$(cat slow/pid)" &&
	wait_file slow/rc &&
	test "$(cat slow/rc)" = 130 &&
	test_grep "interrupted; cancelling the running targets" slow/err &&
	test "$(sqlite_sql slow/slow.db "SELECT count(*) FROM sqlite_master WHERE name = ${SQ}slow${SQ}")" = 0 &&
	test "$(sqlite_sql slow/slow.db "SELECT count(*) FROM godwit_migrations")" = 0
'

test_done
