#!/bin/sh
test_description='graph: the migrations, their @depends-on and order edges and their states, as text, dot, json, svg and png'
. "$(dirname "$0")/lib.sh"

# edges_json FILE: "from to kind" of each edge of a `graph --format json`.
edges_json()
{
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for e in d["edges"]:
    print(e["from"], e["to"], e["kind"])
for n in d["nodes"]:
    print("node", n["version"], n["state"])' "$1"
}

test_expect_success PG 'setup: a diamond of dependencies, half applied, one edited' '
	backend=pg &&
	pg_new_db &&
	write_migration db/migrations/2026-01-01_base.sql <<-\EOF &&
	CREATE TABLE base (id int);
	EOF
	write_migration db/migrations/2026-01-02_left.sql <<-\EOF &&
	-- @depends-on: 2026-01-01_base.sql
	CREATE TABLE l (id int);
	EOF
	write_migration db/migrations/2026-01-03_right.sql <<-\EOF &&
	-- @depends-on: 2026-01-01_base.sql
	CREATE TABLE r (id int);
	EOF
	write_migration db/migrations/2026-01-04_join.sql <<-\EOF &&
	-- @depends-on: 2026-01-02_left.sql, 2026-01-03_right.sql
	CREATE TABLE j (id int);
	EOF
	gw up --to 2026-01-02_left >/dev/null &&
	echo "-- reviewed" >>db/migrations/2026-01-02_left.sql
'

test_expect_success PG 'text: a tree from base, join under both of its dependencies' '
	gw graph >out &&
	cat >expect <<-\EOF &&
	2026-01-01_base base [applied]
	├── 2026-01-02_left left [changed]
	│   └── 2026-01-04_join join [pending]
	└── 2026-01-03_right right [pending]
	    └── 2026-01-04_join join [pending] (see above)
	EOF
	test_cmp expect out
'

test_expect_success PG 'dot: the four @depends-on edges, no order edge, each node with its state' '
	gw graph --format dot >out.dot &&
	grep -- "->" out.dot | sed "s/^	//" >actual &&
	cat >expect <<-\EOF &&
	"2026-01-01_base" -> "2026-01-02_left";
	"2026-01-01_base" -> "2026-01-03_right";
	"2026-01-02_left" -> "2026-01-04_join";
	"2026-01-03_right" -> "2026-01-04_join";
	EOF
	test_cmp expect actual &&
	test_grep "^	\"2026-01-02_left\" \[label=\"2026-01-02_left\\\\nleft\\\\nchanged\", fillcolor=\"#ffe0b2\"\];$" out.dot &&
	test_grep "^digraph migrations {$" out.dot &&
	test "$(tail -n 1 out.dot)" = "}"
'

test_expect_success PG 'json: the same edges and the states of status' '
	gw graph --format json >out.json &&
	edges_json out.json >actual &&
	cat >expect <<-\EOF &&
	2026-01-01_base 2026-01-02_left depends-on
	2026-01-01_base 2026-01-03_right depends-on
	2026-01-02_left 2026-01-04_join depends-on
	2026-01-03_right 2026-01-04_join depends-on
	node 2026-01-01_base applied
	node 2026-01-02_left changed
	node 2026-01-03_right pending
	node 2026-01-04_join pending
	EOF
	test_cmp expect actual &&
	test_grep "\"linear\": false" out.json
'

test_expect_success PG 'status --format json lists what each migration depends on, from the same graph' '
	gw status --format json >status.json &&
	python3 -c "import json, sys
for m in json.load(open(sys.argv[1]))[\"migrations\"]:
    print(m[\"version\"], *m[\"depends_on\"])" status.json >actual &&
	cat >expect <<-\EOF &&
	2026-01-01_base
	2026-01-02_left 2026-01-01_base
	2026-01-03_right 2026-01-01_base
	2026-01-04_join 2026-01-02_left 2026-01-03_right
	EOF
	test_cmp expect actual
'

test_expect_success PG,DOT 'svg: valid XML drawn by dot, a node for each migration' '
	gw graph --format svg >out.svg &&
	python3 -c "import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == \"{http://www.w3.org/2000/svg}svg\", root.tag
ns = {\"s\": \"http://www.w3.org/2000/svg\"}
for g in root.iter(\"{http://www.w3.org/2000/svg}g\"):
    t = g.find(\"s:title\", ns)
    if g.get(\"class\") in (\"node\", \"edge\"):
        print(g.get(\"class\"), t.text)" out.svg | sort >actual &&
	cat >expect <<-\EOF &&
	edge 2026-01-01_base->2026-01-02_left
	edge 2026-01-01_base->2026-01-03_right
	edge 2026-01-02_left->2026-01-04_join
	edge 2026-01-03_right->2026-01-04_join
	node 2026-01-01_base
	node 2026-01-02_left
	node 2026-01-03_right
	node 2026-01-04_join
	EOF
	test_cmp expect actual
'

test_expect_success PG,DOT 'png: --output writes a PNG file' '
	gw graph --format png --output out.png >stdout &&
	test ! -s stdout &&
	test "$(od -An -tx1 -N8 out.png | tr -d " \n")" = 89504e470d0a1a0a &&
	test "$(wc -c <out.png)" -gt 1000 &&
	gw graph --format png >piped.png &&
	cmp out.png piped.png
'

test_expect_success PG 'without dot, svg says what to install, writes nothing and exits 1' '
	mkdir nodot &&
	ln -s "$GODWIT" nodot/godwit &&
	test_expect_code 1 env PATH="$PWD/nodot" godwit --url "$PG_URL" graph --format svg >out 2>err &&
	test ! -s out &&
	cat >expect <<-\EOF &&
	godwit: error: drawing svg needs graphviz'"'"'s dot program: cannot run dot: No such file or directory
	hint: install graphviz (apt-get install graphviz, brew install graphviz), or write --format dot and render it elsewhere
	EOF
	test_cmp expect err
'

test_expect_success PG 'an unknown format is a usage error' '
	test_expect_code 2 gw graph --format gif >out 2>err &&
	test_grep "unknown graph format '"'"'gif'"'"'; use text, dot, svg, png or json" err &&
	test ! -s out
'

test_expect_success SQLITE3 'a linear convention: dashed order edges, none where @depends-on joins the same two' '
	mkdir lin && cd lin &&
	write_migration db/migrations/20240101000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	EOF
	write_migration db/migrations/20240102000000_b.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE b (id int);
	EOF
	write_migration db/migrations/20240103000000_c.sql <<-\EOF &&
	-- @depends-on: 20240101000000_a.sql
	-- migrate:up
	CREATE TABLE c (id int);
	EOF
	write_migration db/migrations/20240104000000_d.sql <<-\EOF &&
	-- @depends-on: 20240103000000_c.sql
	-- migrate:up
	CREATE TABLE d (id int);
	EOF
	godwit up --to 20240101000000 >/dev/null &&
	godwit graph --format dot >out.dot &&
	grep -- "->" out.dot | sed "s/^	//" >actual &&
	cat >expect <<-\EOF &&
	"20240101000000" -> "20240102000000" [style=dashed, color="#9e9e9e", arrowhead=open];
	"20240101000000" -> "20240103000000";
	"20240102000000" -> "20240103000000" [style=dashed, color="#9e9e9e", arrowhead=open];
	"20240103000000" -> "20240104000000";
	EOF
	test_cmp expect actual &&
	godwit graph --format json >out.json &&
	edges_json out.json >actual &&
	cat >expect <<-\EOF &&
	20240101000000 20240102000000 order
	20240101000000 20240103000000 depends-on
	20240102000000 20240103000000 order
	20240103000000 20240104000000 depends-on
	node 20240101000000 applied
	node 20240102000000 pending
	node 20240103000000 pending
	node 20240104000000 pending
	EOF
	test_cmp expect actual &&
	godwit graph >actual &&
	cat >expect <<-\EOF &&
	20240101000000 a [applied]
	└── 20240103000000 c [pending]
	    └── 20240104000000 d [pending]
	20240102000000 b [pending]
	EOF
	test_cmp expect actual
'

test_expect_success SQLITE3 'a migration applied but gone from the folder is a missing node without edges' '
	cd lin &&
	godwit up >/dev/null &&
	rm db/migrations/20240104000000_d.sql &&
	godwit graph --format json >out.json &&
	edges_json out.json >actual &&
	cat >expect <<-\EOF &&
	20240101000000 20240102000000 order
	20240101000000 20240103000000 depends-on
	20240102000000 20240103000000 order
	node 20240101000000 applied
	node 20240102000000 applied
	node 20240103000000 applied
	node 20240104000000 missing
	EOF
	test_cmp expect actual &&
	godwit graph --format dot >out.dot &&
	test_grep "^	\"20240104000000\" \[label=\"20240104000000\\\\nd\\\\nmissing\", fillcolor=\"#eeeeee\", style=\"rounded,dashed,filled\"\];$" out.dot
'

test_expect_success SQLITE3 'a dependency cycle is refused with the error of status' '
	mkdir cyc && cd cyc &&
	write_migration db/migrations/2026-01-01_a.sql <<-\EOF &&
	-- @depends-on: 2026-01-02_b.sql
	CREATE TABLE a (id int);
	EOF
	write_migration db/migrations/2026-01-02_b.sql <<-\EOF &&
	-- @depends-on: 2026-01-01_a.sql
	CREATE TABLE b (id int);
	EOF
	test_expect_code 1 godwit graph --format dot >out 2>err &&
	test ! -s out &&
	test_grep "dependency cycle: 2026-01-01_a.sql -> 2026-01-02_b.sql -> 2026-01-01_a.sql" err
'

test_done
