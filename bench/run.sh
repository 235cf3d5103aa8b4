#!/bin/bash
#
# run.sh: godwit's benchmark harness (DESIGN.md §10). Measures, in one run
# on one PostgreSQL server, with fresh databases:
#
#   1. the floor: psql applying the same SQL, one transaction and one history
#      INSERT per migration;
#   2. `godwit up` of N migrations;
#   3. `dbmate up` of the same files, when dbmate is available;
#   4. `godwit status` with everything applied (median of 20), vs dbmate;
#   5. `godwit version` start-up (median of 50), vs `dbmate --version`;
#   6. peak RSS of `godwit up` and `godwit status` (and whether the RSS of
#      `status` grows with the size of the folder).
#
# and prints a table with absolute times and ratios.
#
#   bench/run.sh [N]          N migrations (default 1000)
#
# Environment: GODWIT (the binary; default build/godwit), GODWIT_BENCH_PG_URL
# (a server to use instead of a throwaway cluster; must allow CREATE
# DATABASE), DBMATE (the dbmate binary), BENCH_RUNS (rounds of the `up`
# measurements, median taken; default 1), BENCH_NO_INSTALL=1 (do not try
# `npm install -g dbmate`), BENCH_KEEP=1 (keep the work folder).
# It is not part of ctest: timings belong here, never in tests.
set -euo pipefail

n=${1:-1000}
if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then
	echo "usage: $0 [N]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${BENCH_RUNS:-1}
status_runs=20
version_runs=50
. "$here/lib.sh"
bench_need psql /usr/bin/time "postgresql-client, time"
bench_setup bench

# dbmate (Go's lib/pq) takes a socket folder as ?socket=, not libpq's ?host=.
dbmate_url()
{
	local url
	url=$(db_url "$1")
	if [[ $url =~ [?\&]host=(/[^&]*) ]]; then
		local sock=${BASH_REMATCH[1]} port=5432 user=postgres
		[[ $url =~ [?\&]port=([0-9]+) ]] && port=${BASH_REMATCH[1]}
		[[ $url =~ [?\&]user=([^&]+) ]] && user=${BASH_REMATCH[1]}
		[ "$port" = 5432 ] || say "dbmate: a socket on port $port may not be found"
		printf 'postgres://%s@/%s?socket=%s&sslmode=disable\n' "$user" "$1" "$sock"
	else
		case $url in
		*\?*) printf '%s&sslmode=disable\n' "${url/#postgresql:/postgres:}" ;;
		*) printf '%s?sslmode=disable\n' "${url/#postgresql:/postgres:}" ;;
		esac
	fi
}

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

count_in()
{
	psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$(db_url "$1")" -c "$2"
}

server_version=$(psql_base -c "SHOW server_version")

# ---- dbmate ----------------------------------------------------------------

# The npm package's `dbmate` is a node wrapper; run the real binary beside it
# so node's start-up is not counted against dbmate.
find_dbmate()
{
	local found npm_root
	if [ -n "${DBMATE:-}" ] && [ -x "$DBMATE" ]; then
		echo "$DBMATE"
		return 0
	fi
	if command -v npm >/dev/null; then
		npm_root=$(npm root -g 2>/dev/null || true)
		if [ -n "$npm_root" ] && [ -d "$npm_root" ]; then
			found=$(find "$npm_root" -path '*@dbmate/*/bin/dbmate' -type f 2>/dev/null |
				head -n 1)
			if [ -n "$found" ] && "$found" --version >/dev/null 2>&1; then
				echo "$found"
				return 0
			fi
		fi
	fi
	if command -v dbmate >/dev/null && dbmate --version >/dev/null 2>&1; then
		command -v dbmate
		return 0
	fi
	return 1
}

dbmate=$(find_dbmate || true)
if [ -z "$dbmate" ] && [ -z "${BENCH_NO_INSTALL:-}" ] && command -v npm >/dev/null; then
	say "dbmate not found; trying npm install -g dbmate"
	if timeout 180 npm install -g dbmate >"$work/npm.log" 2>&1; then
		dbmate=$(find_dbmate || true)
	fi
fi
if [ -z "$dbmate" ]; then
	say "dbmate is not available; its columns are skipped"
fi

# ---- the workload --------------------------------------------------------

say "generating $n migrations"
"$here/gen-migrations.sh" "$n" "$work/migrations" "$work/floor.sql"
"$here/gen-migrations.sh" $((n * 4)) "$work/migrations-4x"

# A little work first, so the first measurement does not pay for a cold server.
fresh_db bench_warmup
head -n 200 "$work/floor.sql" | psql -X -q -v ON_ERROR_STOP=1 -d "$(db_url bench_warmup)" -f - \
	>/dev/null
psql_base -c "DROP DATABASE bench_warmup"

floor_us=()
godwit_us=()
dbmate_us=()
godwit_up_rss=
dbmate_up_rss=
floor_rss=
godwit_failed=
dbmate_failed=

for ((r = 1; r <= runs; r++)); do
	say "round $r of $runs: psql floor"
	fresh_db bench_floor
	t=$(time_once /usr/bin/time -f %M -o "$work/rss.floor" \
		psql -X -q -v ON_ERROR_STOP=1 -d "$(db_url bench_floor)" -f "$work/floor.sql")
	floor_us+=("$t")
	floor_rss=$(tail -n 1 "$work/rss.floor")
	[ "$(count_in bench_floor "SELECT count(*) FROM floor_history")" = "$n" ] ||
		{ say "the floor did not apply $n migrations"; exit 1; }

	say "round $r of $runs: godwit up"
	fresh_db bench_godwit
	if t=$(time_once /usr/bin/time -f %M -o "$work/rss.godwit" \
		"$godwit" --url "$(db_url bench_godwit)" --dir "$work/migrations" up); then
		godwit_us+=("$t")
		godwit_up_rss=$(tail -n 1 "$work/rss.godwit")
		got=$(count_in bench_godwit "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\\_%'")
		if [ "$got" != "$n" ]; then
			say "godwit up created $got tables, not $n"
			godwit_failed=t
		fi
	else
		godwit_failed=t
	fi

	if [ -n "$dbmate" ]; then
		say "round $r of $runs: dbmate up"
		fresh_db bench_dbmate
		if t=$(time_once /usr/bin/time -f %M -o "$work/rss.dbmate" \
			"$dbmate" --url "$(dbmate_url bench_dbmate)" --migrations-dir "$work/migrations" \
			--no-dump-schema up); then
			dbmate_us+=("$t")
			dbmate_up_rss=$(tail -n 1 "$work/rss.dbmate")
		else
			dbmate_failed=t
		fi
	fi
done

median_of()
{
	[ $# -gt 0 ] || return 0
	printf '%s\n' "$@" | median
}
floor_t=$(median_of "${floor_us[@]}")
godwit_t=$(median_of "${godwit_us[@]+"${godwit_us[@]}"}")
dbmate_t=$(median_of "${dbmate_us[@]+"${dbmate_us[@]}"}")

godwit_status_t=
godwit_status_rss=
godwit_version_t=
dbmate_status_t=
dbmate_version_t=
pending_rss_1x=
pending_rss_4x=

if [ -n "$godwit_t" ] && [ -z "$godwit_failed" ]; then
	say "godwit status ($status_runs runs)"
	gurl=$(db_url bench_godwit)
	godwit_status_t=$(time_median $status_runs "$godwit" --url "$gurl" \
		--dir "$work/migrations" status) || godwit_status_t=
	godwit_status_rss=$(peak_rss "$godwit" --url "$gurl" --dir "$work/migrations" status) ||
		godwit_status_rss=
fi
say "process start-up floor: /bin/true ($version_runs runs)"
true_t=$(time_median $version_runs /bin/true) || true_t=
say "godwit version ($version_runs runs)"
godwit_version_t=$(time_median $version_runs "$godwit" version) || godwit_version_t=

# Does memory grow with the folder? status against an empty database, with
# N and with 4N pending files.
fresh_db bench_pending
purl=$(db_url bench_pending)
pending_rss_1x=$(peak_rss "$godwit" --url "$purl" --dir "$work/migrations" status) ||
	pending_rss_1x=
pending_rss_4x=$(peak_rss "$godwit" --url "$purl" --dir "$work/migrations-4x" status) ||
	pending_rss_4x=

if [ -n "$dbmate" ]; then
	if [ -n "$dbmate_t" ] && [ -z "$dbmate_failed" ]; then
		say "dbmate status ($status_runs runs)"
		dbmate_status_t=$(time_median $status_runs "$dbmate" --url "$(dbmate_url bench_dbmate)" \
			--migrations-dir "$work/migrations" status) || dbmate_status_t=
	fi
	say "dbmate --version ($version_runs runs)"
	dbmate_version_t=$(time_median $version_runs "$dbmate" --version) || dbmate_version_t=
fi

# ---- the report --------------------------------------------------------------

# fmt_time MICROSECONDS
fmt_time()
{
	[ -n "$1" ] || { echo "-"; return; }
	awk -v us="$1" 'BEGIN {
		if (us >= 1000000) printf "%.2f s", us / 1e6;
		else printf "%.2f ms", us / 1e3 }'
}

# ratio A B: A/B as "1.23x"
ratio()
{
	[ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ] || { echo "-"; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'
}

fmt_rss()
{
	[ -n "$1" ] || { echo "-"; return; }
	awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'
}

# verdict VALUE LIMIT: "ok" when VALUE <= LIMIT.
verdict()
{
	[ -n "$1" ] && [ "$1" != "-" ] || { echo "n/a"; return; }
	awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l) ? "ok" : "MISSED" }'
}

row()
{
	printf '%-34s %12s %14s %14s %11s  %s\n' "$@"
}

hr()
{
	printf '%s\n' "------------------------------------------------------------------------------------------------------"
}

echo
echo "godwit benchmark: $n migrations, PostgreSQL $server_version, $(nproc) cores," \
	"$(date -u +%Y-%m-%dT%H:%MZ)"
echo "godwit: $godwit ($("$godwit" version 2>/dev/null | head -n 1 || echo '?'))"
echo "dbmate: ${dbmate:-not available}${dbmate:+ ($("$dbmate" --version 2>/dev/null))}"
echo "timer: $([ -n "$have_hyperfine" ] && echo hyperfine || echo 'bash EPOCHREALTIME loop');" \
	"up rounds: $runs (median)"
echo
row "measurement" "time" "vs floor" "vs dbmate" "peak RSS" "target (DESIGN.md §10)"
hr
row "psql floor: up" "$(fmt_time "$floor_t")" "1.00x" "$(ratio "$floor_t" "$dbmate_t")" \
	"$(fmt_rss "$floor_rss")" ""
row "godwit up" "$(fmt_time "$godwit_t")${godwit_failed:+ FAILED}" \
	"$(ratio "$godwit_t" "$floor_t")" "$(ratio "$godwit_t" "$dbmate_t")" \
	"$(fmt_rss "$godwit_up_rss")" \
	"<= 1.00x floor: $(verdict "$(ratio "$godwit_t" "$floor_t" | tr -d x)" 1.00)"
row "dbmate up" "$(fmt_time "$dbmate_t")${dbmate_failed:+ FAILED}" \
	"$(ratio "$dbmate_t" "$floor_t")" "1.00x" "$(fmt_rss "$dbmate_up_rss")" ""
row "godwit status (median of $status_runs)" "$(fmt_time "$godwit_status_t")" "" \
	"$(ratio "$godwit_status_t" "$dbmate_status_t")" "$(fmt_rss "$godwit_status_rss")" \
	"<= 5 ms: $(verdict "$godwit_status_t" 5000)"
row "dbmate status (median of $status_runs)" "$(fmt_time "$dbmate_status_t")" "" "1.00x" "" ""
row "godwit version (median of $version_runs)" "$(fmt_time "$godwit_version_t")" "" \
	"$(ratio "$godwit_version_t" "$dbmate_version_t")" "" \
	"<= 2 ms: $(verdict "$godwit_version_t" 2000)"
row "/bin/true (median of $version_runs)" "$(fmt_time "$true_t")" "" "" "" \
	"what starting any process costs here"
row "dbmate --version (median of $version_runs)" "$(fmt_time "$dbmate_version_t")" "" "1.00x" "" ""
hr
echo "peak RSS: godwit up $(fmt_rss "$godwit_up_rss") (< 8 MiB: $(verdict "$godwit_up_rss" 8192))," \
	"godwit status $(fmt_rss "$godwit_status_rss") (< 8 MiB: $(verdict "$godwit_status_rss" 8192))"
echo "RSS of status with N vs 4N pending files: $(fmt_rss "$pending_rss_1x") vs" \
	"$(fmt_rss "$pending_rss_4x") (must not grow: ratio $(ratio "$pending_rss_4x" "$pending_rss_1x"))"
if [ "$runs" -gt 1 ]; then
	rounds()
	{
		local t out=""
		for t in "$@"; do
			out+=" $(fmt_time "$t"),"
		done
		echo "${out%,}"
	}
	echo "up rounds: floor$(rounds "${floor_us[@]}");" \
		"godwit$(rounds "${godwit_us[@]+"${godwit_us[@]}"}");" \
		"dbmate$(rounds "${dbmate_us[@]+"${dbmate_us[@]}"}")"
fi
[ -z "$godwit_failed" ] || exit 1
