#!/bin/bash
#
# sqitch.sh: godwit against sqitch on the same sqitch project (DESIGN.md
# §10: "sqitch 16.6 x the floor"). Generates a sqitch project of N changes
# (sqitch's own layout: sqitch.plan, deploy/, revert/, verify/, each script
# in BEGIN ... COMMIT), then, on fresh databases of one server, in one run:
#
#   1. psql applying the same SQL, one transaction and one history INSERT
#      per change (the floor, as bench/run.sh measures it);
#   2. `sqitch deploy` of the project;
#   3. `godwit up` of the same, unchanged project;
#   4. `sqitch deploy --verify` and `godwit up` (which always verifies);
#   5. `godwit adopt --from sqitch` of the database sqitch deployed.
#
# and prints wall times and ratios to the floor.
#
#   bench/sqitch.sh [N]       N changes (default 200)
#
# Environment: GODWIT (default build/godwit), GODWIT_BENCH_PG_URL,
# BENCH_KEEP=1. Needs sqitch, libdbd-pg-perl and psql.
set -euo pipefail

n=${1:-200}
if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then
	echo "usage: $0 [N]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"
bench_need sqitch psql "sqitch, libdbd-pg-perl, postgresql-client"
bench_setup sqitch

# sqitch takes the socket folder, port and user from libpq's variables.
export PGHOST PGPORT PGUSER
PGHOST=$(printf '%s' "$base_url" | sed -n 's/.*[?&]host=\([^&]*\).*/\1/p')
PGPORT=$(printf '%s' "$base_url" | sed -n 's/.*[?&]port=\([^&]*\).*/\1/p')
PGUSER=$(printf '%s' "$base_url" | sed -n 's/.*[?&]user=\([^&]*\).*/\1/p')
export SQITCH_USER_CONFIG=$work/sqitch-user.conf SQITCH_FULLNAME=bench SQITCH_EMAIL=bench@example.com
: >"$SQITCH_USER_CONFIG"

project=$work/project
say "generating a sqitch project of $n changes"
mkdir -p "$project/deploy" "$project/revert" "$project/verify"
{
	printf '%%syntax-version=1.0.0\n%%project=bench\n\n'
	for i in $(seq 1 "$n"); do
		printf 'c%d 2024-01-01T00:00:00Z bench <bench@example.com> # change %d\n' "$i" "$i"
	done
} >"$project/sqitch.plan"
for i in $(seq 1 "$n"); do
	printf -- '-- Deploy bench:c%d to pg\n\nBEGIN;\n\nCREATE TABLE t%d (id bigint PRIMARY KEY, note text);\nCREATE INDEX t%d_note ON t%d (note);\n\nCOMMIT;\n' \
		"$i" "$i" "$i" "$i" >"$project/deploy/c$i.sql"
	printf 'BEGIN;\nDROP TABLE t%d;\nCOMMIT;\n' "$i" >"$project/revert/c$i.sql"
	printf 'BEGIN;\nSELECT id, note FROM t%d WHERE FALSE;\nROLLBACK;\n' "$i" >"$project/verify/c$i.sql"
done

new_db()
{
	psql -X -q -d "$base_url" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
}

elapsed()
{
	local start end
	start=$(date +%s.%N)
	"$@" >"$work/last.out" 2>&1 || {
		cat "$work/last.out" >&2
		exit 1
	}
	end=$(date +%s.%N)
	echo "$end - $start" | bc
}

# The floor: each change's SQL and one history row, one transaction each.
floor_sql=$work/floor.sql
{
	echo 'CREATE TABLE history (version text PRIMARY KEY, applied_at timestamptz DEFAULT now());'
	for i in $(seq 1 "$n"); do
		printf 'BEGIN;\nCREATE TABLE t%d (id bigint PRIMARY KEY, note text);\nCREATE INDEX t%d_note ON t%d (note);\nINSERT INTO history (version) VALUES (%d);\nCOMMIT;\n' \
			"$i" "$i" "$i" "$i"
	done
} >"$floor_sql"

new_db bench_floor
t_floor=$(elapsed psql -X -q -v ON_ERROR_STOP=1 -d "$(db_url bench_floor)" -f "$floor_sql")
new_db bench_sqitch
t_sqitch=$(cd "$project" && elapsed sqitch deploy db:pg:bench_sqitch)
new_db bench_godwit
t_godwit=$(elapsed "$godwit" --dir "$project" --url "$(db_url bench_godwit)" up)
new_db bench_sqitch_v
t_sqitch_v=$(cd "$project" && elapsed sqitch deploy --verify db:pg:bench_sqitch_v)
t_adopt=$(elapsed "$godwit" --dir "$project" --url "$(db_url bench_sqitch)" adopt --from sqitch)
grep -q "recorded $n migrations as applied" "$work/last.out" || {
	echo "bench: adopt did not record all $n changes" >&2
	exit 1
}

ratio()
{
	echo "scale=2; $1 / $t_floor" | bc
}

printf '\n%d sqitch changes, one server, one run\n\n' "$n"
printf '| run | seconds | x floor |\n|---|---|---|\n'
printf '| psql floor (one transaction + history row per change) | %.3f | 1.00 |\n' "$t_floor"
printf '| sqitch deploy | %.3f | %s |\n' "$t_sqitch" "$(ratio "$t_sqitch")"
printf '| sqitch deploy --verify | %.3f | %s |\n' "$t_sqitch_v" "$(ratio "$t_sqitch_v")"
printf '| godwit up (same project; verify scripts run too) | %.3f | %s |\n' "$t_godwit" "$(ratio "$t_godwit")"
printf '| godwit adopt --from sqitch (%d rows, SHA-1 checked) | %.3f | %s |\n' "$n" "$t_adopt" "$(ratio "$t_adopt")"
printf '\nsqitch deploy / godwit up: %s x\n' "$(echo "scale=1; $t_sqitch / $t_godwit" | bc)"
