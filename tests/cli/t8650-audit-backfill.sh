#!/bin/sh
test_description='audit log back-fill: a godwit killed between a commit and its audit line; the next run adds the line, once, marked backfilled'
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 && test_set_prereq PYTHON
python3 -c 'import jsonschema' 2>/dev/null && test_set_prereq JSONSCHEMA

trap '_gw_rc=$?; touch open-gate release 2>/dev/null; (exit $_gw_rc); gw_die' EXIT

# The stop is made by the database, not by timing: migration N's body
# takes godwit_events' ROW EXCLUSIVE lock and then waits on an advisory
# lock a gate session holds. A stall session then asks for godwit_events
# in ACCESS EXCLUSIVE mode and queues behind the migration. Opening the
# gate lets the migration commit; the stall session gets the table before
# godwit can read its event back for the audit line, so godwit waits in
# that read, after its commit and before its line, where it is killed.

# gated_migration FILE TABLE: a migration that waits at the gate.
gated_migration()
{
	write_migration "$1" <<-EOF
	-- migrate:up
	LOCK TABLE godwit_events IN ROW EXCLUSIVE MODE;
	SELECT pg_advisory_xact_lock_shared(8650);
	CREATE TABLE $2 (id int);
	-- migrate:down
	DROP TABLE $2;
	EOF
}

# session NAME SQL-BEFORE FILE SQL-AFTER: a psql session named NAME runs
# SQL-BEFORE, waits until FILE exists, then runs SQL-AFTER.
session()
{
	rm -f "$3" &&
	{
		printf '%s\n' "$2" "\\! while [ ! -e $3 ]; do sleep 0.02; done" "$4" |
			PGAPPNAME=$1 psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL" >"$1.out" 2>&1
	} &
}

# wait_sql SQL: waits (30 s at most) until SQL answers t.
wait_sql()
{
	_gw_i=0
	until test "$(pg_sql "$1")" = t
	do
		_gw_i=$((_gw_i + 1))
		test $_gw_i -lt 600 || return 1
		sleep 0.05
	done
}

# kill_after_commit LOG VERSION ARGS...: runs godwit ARGS up, stops it
# after VERSION's commit and before its audit line, and kill -9 it.
kill_after_commit()
{
	_gw_log=$1 _gw_version=$2 &&
	shift 2 &&
	session gw-gate "SELECT pg_advisory_lock(8650);" open-gate "SELECT pg_advisory_unlock(8650);" &&
	wait_sql "SELECT count(*) = 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.datname = current_database() AND a.application_name = ${SQ}gw-gate${SQ} AND l.locktype = ${SQ}advisory${SQ} AND l.objid = 8650 AND l.granted" &&
	rm -f godwit.pid &&
	{ sh -c "echo \$\$ >godwit.pid; exec \"\$GODWIT\" \"\$@\" up" godwit "$@" >killed.out 2>&1 & } &&
	until test -s godwit.pid; do sleep 0.01; done &&
	pg_wait_for_query pg_advisory_xact_lock_shared &&
	session gw-stall "BEGIN; LOCK TABLE godwit_events IN ACCESS EXCLUSIVE MODE;" release "ROLLBACK;" &&
	wait_sql "SELECT count(*) = 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.datname = current_database() AND a.application_name = ${SQ}gw-stall${SQ} AND NOT l.granted AND l.mode = ${SQ}AccessExclusiveLock${SQ}" &&
	touch open-gate &&
	# godwit committed and now waits to read godwit_events back.
	wait_sql "SELECT count(*) = 1 FROM godwit_migrations WHERE version = ${SQ}$_gw_version${SQ}" &&
	wait_sql "SELECT count(*) = 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = ${SQ}Lock${SQ} AND application_name <> ${SQ}gw-stall${SQ} AND pid <> pg_backend_pid()" &&
	! grep -q "\"version\":\"$_gw_version\"" "$_gw_log" &&
	kill -9 "$(cat godwit.pid)" &&
	while kill -0 "$(cat godwit.pid)" 2>/dev/null; do sleep 0.01; done &&
	# Its server session would hold the runner lock until it notices.
	pg_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = ${SQ}Lock${SQ} AND application_name <> ${SQ}gw-stall${SQ} AND pid <> pg_backend_pid()" >/dev/null &&
	touch release &&
	wait_sql "SELECT count(*) = 0 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
}

# once LOG: each event id of the table's is in LOG exactly once (with the
# table's action), as "id action" lines in id order; out in `logged`.
once()
{
	python3 -c '
import json, sys
seen = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["id"] is not None and d["target"] == sys.argv[2]:
        seen.setdefault(d["id"], []).append(d["action"])
for i in sorted(seen):
    print(i, " ".join(seen[i]))
' "$1" "$PG_URL" >logged &&
	pg_sql "SELECT id || ${SQ} ${SQ} || action FROM godwit_events ORDER BY id" >table &&
	test_cmp table logged
}

# backfilled LOG: "id action" of the back-filled lines of LOG.
backfilled()
{
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("backfilled"):
        print(d["id"], d["action"], "command" in d, "who" in d, d["target"] == sys.argv[2])
' "$1" "$PG_URL"
}

test_expect_success PG,PYTHON 'setup: a migration, then one that waits at the gate' '
	pg_new_db &&
	write_migration db/migrations/001_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
	gated_migration db/migrations/002_posts.sql posts
'

test_expect_success PG,PYTHON 'kill -9 after 002 committed, before its audit line: the table has the event, the log not' '
	kill_after_commit audit.log 002 --url "$PG_URL" --audit-log audit.log &&
	test "$(pg_sql "SELECT string_agg(id || action || version, ${SQ} ${SQ} ORDER BY id) FROM godwit_events")" = "1apply001 2apply002" &&
	python3 -c "import json, sys; print(*[json.loads(l)[\"action\"] + \" \" + str(json.loads(l)[\"id\"]) for l in open(sys.argv[1])])" audit.log >actual &&
	echo "start None apply 1" >expect &&
	test_cmp expect actual
'

test_expect_success PG,PYTHON 'another target writes the same log meanwhile, and back-fills nothing of ours' '
	mkdir other &&
	write_migration other/001_t.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t (id int);
	-- migrate:down
	DROP TABLE t;
	EOF
	godwit --dir other --url sqlite:other.db --audit-log audit.log up >out 2>err &&
	test "$(grep -c "sqlite:other.db" audit.log)" = 3 &&
	test -z "$(backfilled audit.log)"
'

test_expect_success PG,PYTHON 'the next run back-fills 002 once, marked, with no command or who; a third adds nothing' '
	godwit --url "$PG_URL" --audit-log audit.log up >out 2>err &&
	test_grep "^nothing to apply" out &&
	test ! -s err &&
	backfilled audit.log >actual &&
	echo "2 apply False False True" >expect &&
	test_cmp expect actual &&
	once audit.log &&
	godwit --url "$PG_URL" --audit-log audit.log up >out 2>err &&
	backfilled audit.log >actual &&
	test_cmp expect actual &&
	once audit.log &&
	tail -n 1 audit.log | grep -q "\"action\":\"end\"" &&
	tail -n 1 audit.log | grep -q "\"exit_code\":0"
'

test_expect_success PG,JSONSCHEMA 'every line, the back-filled one too, is valid against the event schema' '
	python3 "$TEST_DIRECTORY/event-check.py" lines audit.log
'

test_expect_success PG,PYTHON 'killed again; two runners back-fill at once: no line twice; the next run completes the log' '
	gated_migration db/migrations/003_tags.sql tags &&
	kill_after_commit audit.log 003 --url "$PG_URL" --audit-log audit.log &&
	test "$(pg_sql "SELECT count(*) FROM godwit_events WHERE version = ${SQ}003${SQ}")" = 1 &&
	{ "$GODWIT" --url "$PG_URL" --audit-log audit.log up >out.a 2>&1 & } &&
	a=$! &&
	{ "$GODWIT" --url "$PG_URL" --audit-log audit.log up >out.b 2>&1 & } &&
	b=$! &&
	wait $a &&
	wait $b &&
	python3 -c "
import json, sys, collections
ids = collections.Counter(d[\"id\"] for d in map(json.loads, open(sys.argv[1])) if d[\"target\"] == sys.argv[2])
ids.pop(None, None)
twice = [i for i, n in ids.items() if n > 1]
print(twice)
sys.exit(1 if twice else 0)
" audit.log "$PG_URL" &&
	godwit --url "$PG_URL" --audit-log audit.log up >out 2>err &&
	once audit.log &&
	backfilled audit.log >actual &&
	printf "2 apply False False True\n%s apply False False True\n" \
		"$(pg_sql "SELECT id FROM godwit_events WHERE version = ${SQ}003${SQ}")" >expect &&
	test_cmp expect actual &&
	python3 "$TEST_DIRECTORY/event-check.py" lines audit.log
'

test_expect_success PG,PYTHON 'a log new to a target starts with its next event: no history back-filled' '
	godwit --url "$PG_URL" --audit-log fresh.log up >out 2>err &&
	test -z "$(backfilled fresh.log)" &&
	test "$(wc -l <fresh.log)" = 2
'

test_done
