#!/bin/bash
#
# schema.sh: benchmarks of schema snapshots and `godwit test` (DESIGN.md
# §7, §10), in one run on one PostgreSQL server:
#
#   1. `godwit test` on N generated migrations, each with an up and a down
#      (a table with a foreign key to the previous one, an index, a
#      comment): the total, and the time per migration cycle (snapshot, up,
#      snapshot, down, snapshot, up, snapshot);
#   2. one snapshot of the database those N migrations build (N tables):
#      `godwit schema dump` against `pg_dump --schema-only`, median of R
#      runs each, and their ratio (the target: godwit at least 5x faster).
#
#   bench/schema.sh [N]       N migrations and tables (default 200)
#
# Environment: GODWIT (the binary; default build/godwit), GODWIT_BENCH_PG_URL
# (a server to use instead of a throwaway cluster; must allow CREATE
# DATABASE), BENCH_RUNS (snapshot runs, median taken; default 10),
# BENCH_KEEP=1 (keep the work folder). Not part of ctest.
set -euo pipefail

n=${1:-200}
if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then
	echo "usage: $0 [N]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${BENCH_RUNS:-10}
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

now()
{
	echo "$EPOCHREALTIME"
}

# Milliseconds between two $EPOCHREALTIME readings.
ms()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'
}

median()
{
	sort -g | awk '{ v[NR] = $1 } END { printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ---- the migrations ----------------------------------------------------------

say "generating $n migrations"
mkdir -p "$work/db/migrations"
for ((i = 1; i <= n; i++)); do
	v=$(printf '2024%010d' "$i")
	{
		echo "-- migrate:up"
		echo "CREATE TABLE t$i (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
		echo "  name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),"
		if ((i > 1)); then
			echo "  prev_id bigint REFERENCES t$((i - 1)) (id),"
		fi
		echo "  score numeric(10,2) CHECK (score >= 0));"
		echo "CREATE INDEX t${i}_name ON t$i (name);"
		echo "COMMENT ON TABLE t$i IS 'table $i';"
		echo "-- migrate:down"
		echo "DROP TABLE t$i;"
	} >"$work/db/migrations/${v}_t$i.sql"
done
cd "$work"

# ---- 1. godwit test ------------------------------------------------------------

say "godwit test on $n migrations"
fresh_db bench_schema_target
t0=$(now)
"$godwit" --url "$(db_url bench_schema_target)" test >"$work/test.out"
t1=$(now)
test_ms=$(ms "$t0" "$t1")
tail -1 "$work/test.out" >&2
per_cycle=$(awk -v t="$test_ms" -v n="$n" 'BEGIN { printf "%.1f", t / n }')

# ---- 2. one snapshot at N tables ---------------------------------------------

say "applying $n migrations for the snapshot"
fresh_db bench_schema_snap
snap_url=$(db_url bench_schema_snap)
"$godwit" --url "$snap_url" up >/dev/null

say "timing $runs snapshots each"
godwit_ms=$(for ((r = 0; r < runs; r++)); do
	a=$(now)
	"$godwit" --url "$snap_url" schema dump >/dev/null
	b=$(now)
	ms "$a" "$b"
	echo
done | median)
pgdump_ms=$(for ((r = 0; r < runs; r++)); do
	a=$(now)
	pg_dump --schema-only -d "$snap_url" >/dev/null
	b=$(now)
	ms "$a" "$b"
	echo
done | median)
ratio=$(awk -v g="$godwit_ms" -v p="$pgdump_ms" 'BEGIN { printf "%.1f", p / g }')

psql_base -c 'DROP DATABASE IF EXISTS bench_schema_target WITH (FORCE)' \
	-c 'DROP DATABASE IF EXISTS bench_schema_snap WITH (FORCE)'

printf '\n%-44s %12s\n' "measurement ($n migrations / tables)" "time"
printf '%-44s %10s ms\n' "godwit test, total" "$test_ms"
printf '%-44s %10s ms\n' "godwit test, per migration cycle" "$per_cycle"
printf '%-44s %10s ms\n' "godwit schema dump (median of $runs)" "$godwit_ms"
printf '%-44s %10s ms\n' "pg_dump --schema-only (median of $runs)" "$pgdump_ms"
printf '%-44s %11sx  (target: >= 5x)\n' "pg_dump / godwit" "$ratio"
