#!/bin/bash
#
# schema-diff.sh: `godwit schema diff A B --sql` on two databases of a
# schema of N tables (bench/gen-schema.sh: tables with keys, foreign keys,
# indexes, triggers, policies, views, functions, partitioned tables and
# materialized views), side by side in one run on one server with what a
# migra-like tool must at least do: read both schemas, here `pg_dump
# --schema-only` of A and then of B. migra itself is neither in Debian
# nor on npm (it is a Python package), so it is not run.
#
# A is the N migrations; B is A changed on every 10th table: a column
# added, a column's type changed, an index, a CHECK, a view changed, a policy
# dropped, a comment; and one more table.
# Before timing, the script checks the SQL is right: applied to a copy of
# A it gives B (schema diff: equal, column order included).
#
#   bench/schema-diff.sh [N]      N tables (default 300)
#
# Prints min / median / max of R runs (BENCH_RUNS, default 11) of each,
# taken in turns. Environment as bench/schema.sh (GODWIT,
# GODWIT_BENCH_PG_URL, BENCH_KEEP). Not part of ctest.
set -euo pipefail

n=${1:-300}
if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 11 ]; then
	echo "usage: $0 [N]   (N >= 11)" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${BENCH_RUNS:-11}
. "$here/lib.sh"
bench_need psql pg_dump "postgresql-client"
bench_setup bench-schema-diff

psql_base()
{
	PGOPTIONS='-c client_min_messages=warning' \
		psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$base_url" "$@"
}

fresh_db()
{
	psql_base -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" &&
		psql_base -c "CREATE DATABASE \"$1\" TEMPLATE template0"
}

stats()
{
	sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f %.1f %.1f\n", v[1] / 1000, m / 1000, v[NR] / 1000 }'
}

say "generating $n migrations"
"$here/gen-schema.sh" "$((n + 1))" "$work/db/migrations" # tables t_2 .. t_(n+1)
{
	for ((k = 10; k <= n; k += 10)); do
		echo "ALTER TABLE app.t_$k ADD COLUMN region text DEFAULT 'eu';"
		echo "ALTER TABLE app.t_$k ALTER COLUMN email TYPE varchar(200);"
		echo "CREATE INDEX t_${k}_status ON app.t_$k (status);"
		echo "ALTER TABLE app.t_$k ADD CONSTRAINT t_${k}_name_len CHECK (length(name) < 200);"
		echo "CREATE OR REPLACE VIEW app.v_$k AS SELECT t.id, t.name, t.score, p.name AS prev_name, t.status"
		echo "  FROM app.t_$k t LEFT JOIN app.t_$((k - 1)) p ON p.id = t.prev_id;"
		echo "DROP POLICY t_${k}_read ON app.t_$k;"
		echo "COMMENT ON TABLE app.t_$k IS 'unit $k, changed';"
	done
	echo "CREATE TABLE app.extra (id bigint PRIMARY KEY, note text);"
} >"$work/changes.sql"
cd "$work"

say "database A: $n migrations; database B: A changed"
fresh_db bench_diff_a
fresh_db bench_diff_b
url_a=$(db_url bench_diff_a)
url_b=$(db_url bench_diff_b)
"$godwit" --url "$url_a" up >/dev/null 2>&1
"$godwit" --url "$url_b" up >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d "$url_b" -f "$work/changes.sql" >/dev/null
tables=$(psql -X -A -t -q -d "$url_a" -c "SELECT count(*) FROM pg_class c
	JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname IN ('app', 'billing') AND c.relkind IN ('r', 'p')")
relations=$(psql -X -A -t -q -d "$url_a" -c "SELECT count(*) FROM pg_class c
	JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname IN ('app', 'billing') AND c.relkind IN ('r', 'p', 'v', 'm')")

say "checking the script: applied to a copy of A it must give B"
"$godwit" --url "$url_a" schema diff "$url_a" "$url_b" --sql >up.sql 2>up.err || true
fresh_db bench_diff_c
url_c=$(db_url bench_diff_c)
"$godwit" --url "$url_c" up >/dev/null 2>&1
# As migrations run: the part before the line saying the rest runs in its
# own transaction in one transaction, and so on.
awk '/^-- the statements below run in a transaction of their own$/ { n = 1 }
	/^-- the statements below cannot run inside a transaction$/ { n = 2 }
	{ print > ("part" n ".sql") }' n=0 up.sql
touch part0.sql part1.sql part2.sql
psql -X -q -v ON_ERROR_STOP=1 -1 -d "$url_c" -f part0.sql >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -1 -d "$url_c" -f part1.sql >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$url_c" -f part2.sql >/dev/null
"$godwit" --url "$url_c" schema diff "$url_c" "$url_b" >check.out || {
	say "the script does not give B:"
	head -n 40 check.out >&2
	exit 1
}
statements=$(grep -c ';$' up.sql || true)

snap_a()
{
	"$godwit" --url "$url_a" schema dump >/dev/null
}

pg_dump_both()
{
	pg_dump --schema-only -d "$url_a" >/dev/null && pg_dump --schema-only -d "$url_b" >/dev/null
}

say "timing $runs runs each, in turns"
"$godwit" --url "$url_a" schema diff "$url_a" "$url_b" --sql >/dev/null 2>&1 || true
pg_dump_both
: >t.godwit
: >t.pgdump
: >t.snap
for ((r = 0; r < runs; r++)); do
	time_once snap_a >>t.snap
	t0=$(now_us)
	"$godwit" --url "$url_a" schema diff "$url_a" "$url_b" --sql >/dev/null 2>&1 || true
	t1=$(now_us)
	echo $((t1 - t0)) >>t.godwit
	time_once pg_dump_both >>t.pgdump
done
read -r g_min g_med g_max < <(stats <t.godwit)
read -r p_min p_med p_max < <(stats <t.pgdump)
read -r s_min s_med s_max < <(stats <t.snap)
ratio=$(awk -v g="$g_med" -v p="$p_med" 'BEGIN { printf "%.1f", p / g }')

psql_base -c 'DROP DATABASE IF EXISTS bench_diff_a WITH (FORCE)' \
	-c 'DROP DATABASE IF EXISTS bench_diff_b WITH (FORCE)' \
	-c 'DROP DATABASE IF EXISTS bench_diff_c WITH (FORCE)'

printf '\nschema: %s app tables, %s tables with partitions (%s relations); the script: %s statements; load average %s\n' \
	"$n" "$tables" "$relations" "$statements" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-50s %9s %9s %9s\n' "$runs runs each, in turns (ms)" min median max
printf '%-50s %9s %9s %9s\n' "godwit schema diff A B --sql" "$g_min" "$g_med" "$g_max"
printf '%-50s %9s %9s %9s\n' "pg_dump --schema-only of A, then of B" "$p_min" "$p_med" "$p_max"
printf '%-50s %9s %9s %9s\n' "  of which one snapshot: godwit schema dump A" "$s_min" "$s_med" "$s_max"
printf '%-50s %8sx\n' "pg_dump of both / godwit (medians)" "$ratio"
printf '%s\n' "migra: not run (not in Debian, not on npm)"
