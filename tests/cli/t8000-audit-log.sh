#!/bin/sh
test_description='audit_log: one JSON line per event, valid against docs/event.schema.json, shared with history --format json; a full or unwritable log warns unless audit_required'
. "$(dirname "$0")/lib.sh"

# The Python that has jsonschema (Debian's python3-jsonschema): the one on
# PATH may be another installation without it.
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import jsonschema' 2>/dev/null; then
		PY=$py
		test_set_prereq JSONSCHEMA
		break
	fi
done

check_lines()
{
	"$PY" "$TEST_DIRECTORY/event-check.py" lines "$1"
}

# field FILE EXPR: EXPR (Python, over `e`, each line's event) for each line.
field()
{
	"$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    v = eval(sys.argv[2])
    print(" ".join(map(str, v)) if isinstance(v, tuple) else v)
' "$1" "$2"
}

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_broken.sql <<-\EOF
	-- migrate:up
	CREATE TABLE orders (id int);
	INSERT INTO nosuch VALUES (1);
	-- migrate:down
	DROP TABLE orders;
	EOF
'

test_expect_success PG,JSONSCHEMA 'up writes start, apply, fail and end, each valid against the schema' '
	test_must_fail env GITHUB_ACTOR=octocat GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 \
		"$GODWIT" --url "$PG_URL" --audit-log audit.log up 2>err &&
	check_lines audit.log &&
	field audit.log "e[\"action\"], e[\"command\"], e[\"version\"]" >actual &&
	cat >expect <<-\EOF &&
	start up None
	apply up 20240101000000
	fail up 20240102000000
	end up None
	EOF
	test_cmp expect actual
'

test_expect_success PG,JSONSCHEMA 'the failure carries the error with its SQLSTATE and file:line:col' '
	field audit.log "e[\"error\"], e[\"sqlstate\"], e[\"file\"], e[\"line\"], e[\"column\"]" >actual &&
	cat >expect <<-EOF &&
	None None None None None
	None None None None None
	relation "nosuch" does not exist 42P01 db/migrations/20240102000000_broken.sql 3 13
	relation "nosuch" does not exist 42P01 db/migrations/20240102000000_broken.sql 3 13
	EOF
	test_cmp expect actual &&
	field audit.log "e.get(\"exit_code\")" >actual &&
	printf "None\nNone\nNone\n1\n" >expect &&
	test_cmp expect actual
'

test_expect_success PG,JSONSCHEMA 'who, commit, version, environment and target' '
	field audit.log "e[\"who\"][\"os_user\"], e[\"who\"][\"actor\"], e[\"commit\"], e[\"godwit_version\"], e[\"environment\"]" | sort -u >actual &&
	echo "$(id -un) octocat 0123456789abcdef0123456789abcdef01234567 $("$GODWIT" version | sed -n "s/^godwit \([^ ]*\).*/\1/p") development" >expect &&
	test_cmp expect actual &&
	field audit.log "e[\"who\"][\"database_user\"]" | sed -n 2p >actual &&
	pg_sql "SELECT current_user" >expect &&
	test_cmp expect actual &&
	field audit.log "e[\"target\"]" | sort -u >actual &&
	echo "$PG_URL" >expect &&
	test_cmp expect actual
'

test_expect_success PG,JSONSCHEMA 'history --format json and the audit line are the same event' '
	godwit --url "$PG_URL" history --format json >history.json &&
	"$PY" "$TEST_DIRECTORY/event-check.py" history history.json &&
	"$PY" -c "
import json, sys
keys = json.load(open(\"history.json\"))[\"events\"][0].keys()
hist = [[e[k] for k in keys] for e in json.load(open(\"history.json\"))[\"events\"]]
audit = [[e[k] for k in keys] for e in map(json.loads, open(\"audit.log\")) if e[\"id\"]]
sys.exit(hist != audit)
"
'

test_expect_success PG 'the log is created 0600 and only appended to' '
	test "$(stat -c %a audit.log)" = 600 &&
	cp audit.log before &&
	rm db/migrations/20240102000000_broken.sql &&
	GODWIT_AUDIT_LOG=audit.log godwit --url "$PG_URL" status >/dev/null &&
	test_cmp before audit.log &&
	GODWIT_AUDIT_LOG=audit.log godwit --url "$PG_URL" down 2>err &&
	head -n 4 audit.log >first &&
	test_cmp before first &&
	field audit.log "e[\"action\"]" | tail -n 3 >actual &&
	printf "start\nrevert\nend\n" >expect &&
	test_cmp expect actual
'

test_expect_success PG,JSONSCHEMA 'audit_log in godwit.conf; the commit from git when CI names none' '
	git init -q . &&
	git -c user.email=a@b -c user.name=a commit -q --allow-empty -m one &&
	printf "audit_log = logs.jsonl\n" >godwit.conf &&
	godwit --url "$PG_URL" up 2>err &&
	check_lines logs.jsonl &&
	field logs.jsonl "e[\"commit\"]" | sort -u >actual &&
	git rev-parse HEAD >expect &&
	test_cmp expect actual &&
	rm godwit.conf
'

test_expect_success PG 'a password in the URL never reaches the log' '
	url=$(printf "%s\n" "$PG_URL" | sed "s|://|://$(id -un):Sup3rS3cret@|") &&
	godwit --url "$url" --audit-log secret.log down 2>err &&
	! grep Sup3rS3cret secret.log &&
	grep -q "\"target\":\"postgres[a-z]*://$(id -un):\*\*\*\*@" secret.log
'

test_expect_success PG 'a full disk: a warning, and the migration still runs' '
	godwit --url "$PG_URL" --audit-log /dev/full up 2>err &&
	cat >expect <<-\EOF &&
	godwit: warning: cannot write the audit log /dev/full: No space left on device; going on without it (set audit_required = true to stop instead)
	EOF
	grep "audit log" err >actual &&
	test_cmp expect actual &&
	test "$(pg_sql "SELECT state FROM godwit_migrations WHERE version = '\''20240101000000'\''")" = applied
'

test_expect_success PG 'an unwritable log: a warning, and the migration still runs' '
	godwit --url "$PG_URL" down &&
	mkdir adir &&
	godwit --url "$PG_URL" --audit-log adir up 2>err &&
	cat >expect <<-\EOF &&
	godwit: warning: cannot write the audit log adir: Is a directory; going on without it (set audit_required = true to stop instead)
	EOF
	grep "audit log" err >actual &&
	test_cmp expect actual &&
	test "$(pg_count users)" = 0
'

test_expect_success PG 'audit_required: a full disk stops the run before anything changes' '
	godwit --url "$PG_URL" down &&
	pg_sql "SELECT count(*) FROM godwit_events" >events.before &&
	test_expect_code 1 env GODWIT_AUDIT_REQUIRED=true \
		"$GODWIT" --url "$PG_URL" --audit-log /dev/full up 2>err &&
	cat >expect <<-\EOF &&
	godwit: error: cannot write the audit log /dev/full: No space left on device
	hint: audit_required is set, so nothing runs without its record: free space or fix the file'\''s permissions
	EOF
	test_cmp expect err &&
	pg_sql "SELECT count(*) FROM godwit_events" >events.after &&
	test_cmp events.before events.after &&
	test -z "$(pg_sql "SELECT version FROM godwit_migrations")"
'

test_expect_success SQLITE3,JSONSCHEMA 'SQLite: the same lines' '
	mkdir lite &&
	(
		cd lite &&
		write_migration db/migrations/20240101000000_a.sql <<-\EOF &&
		-- migrate:up
		CREATE TABLE a (id int);
		-- migrate:down
		DROP TABLE a;
		EOF
		godwit --audit-log a.log up &&
		godwit --audit-log a.log down &&
		check_lines a.log &&
		field a.log "e[\"action\"], e[\"target\"]" >actual &&
		cat >expect <<-\EOF &&
		start sqlite:db/development.sqlite3
		apply sqlite:db/development.sqlite3
		end sqlite:db/development.sqlite3
		start sqlite:db/development.sqlite3
		revert sqlite:db/development.sqlite3
		end sqlite:db/development.sqlite3
		EOF
		test_cmp expect actual
	)
'

test_expect_success SQLITE3,JSONSCHEMA 'every command that changes something: its start, each event the table records, its end' '
	mkdir every &&
	(
		cd every &&
		export GODWIT_AUDIT_LOG=a.log GODWIT_SEEDS_DIR=db/seeds &&
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
		write_migration db/seeds/a.sql <<-\EOF &&
		INSERT INTO a VALUES (1);
		EOF
		godwit up >/dev/null 2>&1 &&
		godwit redo >/dev/null &&
		sed -i "s/(id int);/(id int); -- reviewed/" db/migrations/20240102000000_b.sql &&
		godwit repair >/dev/null &&
		godwit backup >/dev/null 2>&1 &&
		echo "INSERT INTO a VALUES (2);" >db/seeds/a.sql &&
		godwit seed >/dev/null 2>&1 &&
		godwit reset --yes >/dev/null 2>&1 &&
		godwit reset --drop --yes >/dev/null 2>&1 &&
		godwit baseline 20240102000000 >/dev/null &&
		check_lines a.log &&
		field a.log "e[\"command\"], e[\"action\"], e[\"version\"] or \"-\"" >actual &&
		cat >expect <<-\EOF &&
		up start -
		up apply 20240101000000
		up apply 20240102000000
		up seed -
		up end -
		redo start -
		redo revert 20240102000000
		redo apply 20240102000000
		redo end -
		repair start -
		repair repair 20240102000000
		repair end -
		backup start -
		backup backup -
		backup end -
		seed start -
		seed seed -
		seed end -
		reset start -
		reset backup -
		reset revert 20240102000000
		reset revert 20240101000000
		reset end -
		reset start -
		reset backup -
		reset reset -
		reset end -
		baseline start -
		baseline baseline 20240101000000
		baseline baseline 20240102000000
		baseline end -
		EOF
		test_cmp expect actual &&
		field a.log "e[\"id\"]" | grep -v None >ids &&
		sqlite3 db/development.sqlite3 "SELECT id FROM godwit_events ORDER BY id" >table &&
		tail -n 3 ids >last &&
		test_cmp table last
	)
'

# Four runners on four databases append to one log at once, 40 long lines
# each; every line must come out whole.
test_expect_success PG 'setup: forty migrations with long names' '
	mkdir many &&
	long=$(printf "%0150d" 0 | tr 0 x) &&
	for i in $(seq 10 49); do
		write_migration many/db/migrations/202401010000${i}_${long}_$i.sql <<-EOF || return 1
		-- migrate:up
		CREATE TABLE t$i (id int);
		EOF
	done &&
	for n in 1 2 3 4; do
		pg_new_db && eval "url$n=\$PG_URL" || return 1
	done
'

run_four()
{
	for n in 1 2 3 4; do
		eval "u=\$url$n"
		"$GODWIT" --url "$u" --dir many/db/migrations --audit-log shared.log up >run.$n 2>&1 &
		eval "pid$n=\$!"
	done
	for n in 1 2 3 4; do
		eval "wait \$pid$n" || return 1
	done
}

test_expect_success PG,JSONSCHEMA 'concurrent runners never interleave lines' '
	run_four &&
	test "$(wc -l <shared.log)" = $((4 * 42)) &&
	check_lines shared.log &&
	field shared.log "e[\"target\"], e[\"action\"]" | sort | uniq -c | awk "{ print \$1, \$3 }" | sort -u >actual &&
	printf "1 end\n1 start\n40 apply\n" >expect &&
	test_cmp expect actual
'

test_done
