#!/bin/sh
test_description='graph: the [requires] of a real sqitch project (sqitch add --requires, tags, a rework) as dependency edges, in graph and status'
. "$(dirname "$0")/lib.sh"

# edges_json FILE: "from to kind" of each edge of a `graph --format json`.
edges_json()
{
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for e in d["edges"]:
    print(e["from"], e["to"], e["kind"])' "$1"
}

# deploy NAME SQL: the deploy script sqitch wrote for NAME, with SQL in
# place of its placeholder.
deploy()
{
	sed "s/^-- XXX Add DDLs here\.\$/$2/" "deploy/$1.sql" >tmp.sql &&
	mv tmp.sql "deploy/$1.sql" &&
	grep -q "^$2\$" "deploy/$1.sql"
}

test_expect_success PG,SQITCH 'setup: sqitch init, add with --requires, a tag, a rework, a change that requires the tag' '
	sqitch_env &&
	mkdir flipr && cd flipr &&
	sqitch init flipr --engine pg >/dev/null &&
	sqitch add users -n "users" >/dev/null &&
	sqitch add posts --requires users -n "posts" >/dev/null &&
	sqitch tag v1 -n "v1" >/dev/null &&
	sqitch add comments --requires posts --requires users@v1 -n "comments" >/dev/null &&
	sqitch rework users -n "users get an email" >/dev/null &&
	sqitch add audit --requires @v1 --requires users -n "audit" >/dev/null &&
	deploy users@v1 "CREATE TABLE users (id int PRIMARY KEY);" &&
	deploy posts "CREATE TABLE posts (id int, user_id int REFERENCES users);" &&
	deploy comments "CREATE TABLE comments (post_id int, user_id int REFERENCES users);" &&
	deploy users "ALTER TABLE users ADD COLUMN email text;" &&
	deploy audit "CREATE TABLE audit (user_id int REFERENCES users);" &&
	grep "^comments \[posts users@v1\] " sqitch.plan &&
	grep "^users \[users@v1\] " sqitch.plan &&
	grep "^audit \[@v1 users\] " sqitch.plan &&
	grep -q "XXX Add verifications here" verify/posts.sql &&
	cd .. &&
	pg_new_db
'

test_expect_success PG,SQITCH 'every change of the plan is read, though sqitch'\''s verify scripts hold no SQL yet' '
	godwit --dir flipr --url "$PG_URL" status >out &&
	cat >expect <<-\EOF &&
	pending      1  users
	pending      2  posts
	pending      3  comments
	pending      4  users
	pending      5  audit
	0 applied, 5 pending
	EOF
	test_cmp expect out
'

test_expect_success PG,SQITCH 'json: each requirement is a depends-on edge to the change it names; order edges only where none' '
	godwit --dir flipr --url "$PG_URL" graph --format json >out.json &&
	edges_json out.json >actual &&
	cat >expect <<-\EOF &&
	1 2 depends-on
	2 3 depends-on
	1 3 depends-on
	1 4 depends-on
	3 4 order
	2 5 depends-on
	4 5 depends-on
	EOF
	test_cmp expect actual &&
	test_grep "\"linear\": true" out.json
'

test_expect_success PG,SQITCH 'dot and text draw the same edges' '
	godwit --dir flipr --url "$PG_URL" graph --format dot >out.dot &&
	grep -- "->" out.dot | tr -d "\t" >actual &&
	cat >expect <<-\EOF &&
	"1" -> "2";
	"2" -> "3";
	"1" -> "3";
	"1" -> "4";
	"3" -> "4" [style=dashed, color="#9e9e9e", arrowhead=open];
	"2" -> "5";
	"4" -> "5";
	EOF
	test_cmp expect actual &&
	godwit --dir flipr --url "$PG_URL" graph >actual &&
	cat >expect <<-\EOF &&
	1 users [pending]
	├── 2 posts [pending]
	│   ├── 3 comments [pending]
	│   └── 5 audit [pending]
	├── 3 comments [pending] (see above)
	└── 4 users [pending]
	    └── 5 audit [pending] (see above)
	EOF
	test_cmp expect actual
'

test_expect_success PG,SQITCH 'status --format json lists the requirements; up still deploys in plan order' '
	godwit --dir flipr --url "$PG_URL" up >out 2>err &&
	test_grep "^applied 5 migrations$" out &&
	cat >expect <<-\EOF &&
	godwit: applying 1 users
	godwit: applying 2 posts
	godwit: applying 3 comments
	godwit: applying 4 users
	godwit: applying 5 audit
	EOF
	test_cmp expect err &&
	test "$(pg_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = '\''users'\'' AND column_name = '\''email'\''")" = 1 &&
	godwit --dir flipr --url "$PG_URL" status --format json >status.json &&
	python3 -c "import json, sys
for m in json.load(open(sys.argv[1]))[\"migrations\"]:
    print(m[\"version\"], m[\"state\"], *m[\"depends_on\"])" status.json >actual &&
	cat >expect <<-\EOF &&
	1 applied
	2 applied 1
	3 applied 2 1
	4 applied 1
	5 applied 2 4
	EOF
	test_cmp expect actual
'

test_expect_success PG,SQITCH 'sqitch itself accepts the plan and deploys it' '
	pg_new_db &&
	(cd flipr && sqitch deploy "db:pg:$PG_DB" >../out 2>&1) &&
	test_grep "+ audit \.\.* ok" out
'

test_done
