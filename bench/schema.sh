#!/bin/bash
#
# schema.sh: benchmarks of schema snapshots and `godwit test` (DESIGN.md
# §7, §10), side by side in one run on one PostgreSQL server, on a
# real-world-like schema written by gen-schema.sh: N migrations build
# about 3.1 relations each (tables, range partitions, views, materialized
# views) with functions, triggers, policies, an enum and a domain.
#
#   1. one snapshot of the whole schema: `godwit schema dump` against
#      `pg_dump --schema-only`, R runs each taken in turns, min / median /
#      max of each, and the ratio of the medians (target: godwit at least
#      5x faster);
#   2. `godwit test` on the N migrations: the total and the time per
#      migration cycle (snapshot, up, snapshot, down, snapshot, up,
#      snapshot), against its budget: the migration's own SQL (up, down,
#      up again, run by psql) plus two snapshots.
#
#   bench/schema.sh [N]       N migrations (default 100: about 310 relations)
#
# Environment: GODWIT (the binary; default build/godwit), GODWIT_BENCH_PG_URL
# (a server to use instead of a throwaway cluster; must allow CREATE
# DATABASE), BENCH_RUNS (snapshot runs; default 15), BENCH_KEEP=1 (keep the
# work folder). Not part of ctest.
set -euo pipefail

n=${1:-100}
if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 2 ]; then
	echo "usage: $0 [N]   (N >= 2)" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${BENCH_RUNS:-15}
. "$here/lib.sh"
bench_need psql pg_dump "postgresql-client"
bench_setup bench-schema

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

# Milliseconds, one decimal, from microseconds.
ms()
{
	awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'
}

# min median max of stdin's numbers (microseconds), in milliseconds.
stats()
{
	sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f %.1f %.1f\n", v[1] / 1000, m / 1000, v[NR] / 1000 }'
}

# ---- the migrations ------------------------------------------------------------

say "generating $n migrations"
"$here/gen-schema.sh" "$n" "$work/db/migrations"
# The migrations' own SQL as psql runs it, one transaction a step as godwit
# does: up, down, up again, for each migration in turn.
for f in "$work"/db/migrations/*.sql; do
	up=$(sed -n '/^-- migrate:up/,/^-- migrate:down/p' "$f" | sed '1d;$d')
	down=$(sed -n '/^-- migrate:down/,$p' "$f" | sed '1d')
	printf 'BEGIN;\n%s\nCOMMIT;\nBEGIN;\n%s\nCOMMIT;\nBEGIN;\n%s\nCOMMIT;\n' "$up" "$down" "$up"
done >"$work/cycles.sql"
cd "$work"

# ---- 1. one snapshot of the whole schema ------------------------------------------

say "applying $n migrations for the snapshot"
fresh_db bench_schema_snap
snap_url=$(db_url bench_schema_snap)
"$godwit" --url "$snap_url" up >/dev/null 2>&1
relations=$(psql -X -A -t -q -d "$snap_url" -c "SELECT count(*) FROM pg_class c
	JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname IN ('app', 'billing') AND c.relkind IN ('r', 'p', 'v', 'm')")

say "timing $runs snapshots each, in turns"
"$godwit" --url "$snap_url" schema dump >"$work/godwit.txt"
pg_dump --schema-only -d "$snap_url" >/dev/null
: >"$work/t.godwit"
: >"$work/t.pgdump"
for ((r = 0; r < runs; r++)); do
	time_once "$godwit" --url "$snap_url" schema dump >>"$work/t.godwit"
	time_once pg_dump --schema-only -d "$snap_url" >>"$work/t.pgdump"
done
read -r g_min g_med g_max < <(stats <"$work/t.godwit")
read -r p_min p_med p_max < <(stats <"$work/t.pgdump")
ratio=$(awk -v g="$g_med" -v p="$p_med" 'BEGIN { printf "%.1f", p / g }')

# ---- 2. godwit test ------------------------------------------------------------

say "the migrations' own SQL (up, down, up) with psql"
fresh_db bench_schema_floor
sql_us=$(time_once psql -X -q -v ON_ERROR_STOP=1 -d "$(db_url bench_schema_floor)" -f "$work/cycles.sql")

say "godwit test on $n migrations"
fresh_db bench_schema_target
t0=$(now_us)
"$godwit" --url "$(db_url bench_schema_target)" test >"$work/test.out" 2>&1 || {
	tail -n 20 "$work/test.out" >&2
	exit 1
}
t1=$(now_us)
test_us=$((t1 - t0))
tail -n 1 "$work/test.out" >&2

psql_base -c 'DROP DATABASE IF EXISTS bench_schema_target WITH (FORCE)' \
	-c 'DROP DATABASE IF EXISTS bench_schema_floor WITH (FORCE)' \
	-c 'DROP DATABASE IF EXISTS bench_schema_snap WITH (FORCE)'

per_cycle=$(awk -v t="$test_us" -v n="$n" 'BEGIN { printf "%.1f", t / n / 1000 }')
sql_cycle=$(awk -v t="$sql_us" -v n="$n" 'BEGIN { printf "%.1f", t / n / 1000 }')
budget=$(awk -v s="$sql_cycle" -v g="$g_med" 'BEGIN { printf "%.1f", s + 2 * g }')

printf '\nschema: %s migrations, %s relations, %s lines of snapshot; load average %s\n' \
	"$n" "$relations" "$(wc -l <"$work/godwit.txt")" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-46s %9s %9s %9s\n' "one snapshot, $runs runs each in turns (ms)" min median max
printf '%-46s %9s %9s %9s\n' "godwit schema dump" "$g_min" "$g_med" "$g_max"
printf '%-46s %9s %9s %9s\n' "pg_dump --schema-only" "$p_min" "$p_med" "$p_max"
printf '%-46s %8sx  (target: >= 5x)\n' "pg_dump / godwit (medians)" "$ratio"
printf '\n%-46s %9s ms\n' "godwit test, total" "$(ms "$test_us")"
printf '%-46s %9s ms\n' "godwit test, per migration cycle" "$per_cycle"
printf '%-46s %9s ms\n' "  the migration's SQL (up, down, up; psql)" "$sql_cycle"
printf '%-46s %9s ms\n' "  budget: that SQL + 2 snapshots (medians)" "$budget"
