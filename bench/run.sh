#!/bin/bash
#
# run.sh: godwit's benchmark harness (DESIGN.md §10). For each size N, in
# one run on one PostgreSQL server, with fresh databases:
#
#   1. up of N migrations: the floor (psql applying the same SQL, one
#      transaction and one history INSERT per migration), `godwit up` and
#      `dbmate up` (when dbmate is available), U runs each taken in turns
#      on fresh databases, with the peak RSS of each;
#   2. with all N applied: `godwit status`, `godwit status` without its
#      checksum cache (GODWIT_CHECKSUM_CACHE=false: every file read and
#      hashed, as on a first run), `godwit validate`, `godwit plan` and
#      `dbmate status`, R runs each taken in turns: min, median and max,
#      and peak RSS; beside them the libpq floor of status (pq-floor.c:
#      libpq loaded, a connection, the history read in one query and
#      printed; built with cc when there is one), the least a status on
#      libpq can cost on this machine; and psql reading the columns of
#      the history that status reads, the same work in psql, whose peak
#      RSS status's is measured against (DESIGN.md §10: no higher than
#      psql's on the same work); every command's output goes to a file,
#      as a CI log's would, and godwit's and dbmate's status are taken
#      with it sent to /dev/null too: dbmate writes each line with a
#      write call of its own, which a file or a pipe makes cost;
#
# then the cost per migration between consecutive sizes (time and RSS),
# and `godwit version` start-up against `dbmate --version`.
#
#   bench/run.sh [N...]       sizes (default 1000), e.g. 1000 4000 10000
#
# Environment: GODWIT (the binary; default build/godwit), GODWIT_BENCH_PG_URL
# (a server to use instead of a throwaway cluster; must allow CREATE
# DATABASE), DBMATE (the dbmate binary), BENCH_RUNS (runs of each read-only
# command, in turns; default 10), BENCH_UP_RUNS (runs of each up, in turns,
# each on a fresh database; default 3), BENCH_NO_INSTALL=1 (do not try
# `npm install -g dbmate`), BENCH_KEEP=1 (keep the work folder).
# It is not part of ctest: timings belong here, never in tests.
set -euo pipefail

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000)
# The machine's load when the run starts (and, in the report, when it
# ends): the figures are only as good as it was quiet.
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for n in "${sizes[@]}"; do
	if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt 86400 ]; then
		echo "usage: $0 [N...]   (1 <= N <= 86400)" >&2
		exit 2
	fi
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${BENCH_RUNS:-10}
up_runs=${BENCH_UP_RUNS:-3}
version_runs=50
. "$here/lib.sh"
bench_need psql /usr/bin/time "postgresql-client, time"
bench_setup bench
# godwit keeps its checksum cache in the project folder, .godwit/sums/:
# the work folder's.
cd "$work"

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

# ---- measuring ----------------------------------------------------------------

# stats < microseconds, one a line: "min median max" in microseconds.
stats()
{
	sort -n | awk '{ v[NR] = $1 } END {
		if (!NR) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)
		print v[1], m, v[NR] }'
}

# timed NAME cmd...: one run, its microseconds appended to $work/t.NAME
# and its peak RSS (KiB) to $work/rss.NAME; fails as the command does.
timed()
{
	local name=$1 t
	shift
	t=$(time_once /usr/bin/time -f %M -o "$work/rss.last" "$@") || return 1
	echo "$t" >>"$work/t.$name"
	tail -n 1 "$work/rss.last" >>"$work/rss.$name"
}

# result NAME: "min median max rss" of what timed recorded (rss: the largest).
result()
{
	local rss
	rss=$(sort -n "$work/rss.$1" 2>/dev/null | tail -n 1)
	echo "$(stats <"$work/t.$1" 2>/dev/null || echo '- - -') ${rss:--}"
}

# The libpq floor of status, built once (no compiler: its row shows -).
pq_floor=
if command -v cc >/dev/null &&
	cc -std=c11 -O2 -o "$work/pq-floor" "$here/pq-floor.c" -ldl 2>"$work/pq-floor.log"; then
	pq_floor=$work/pq-floor
else
	say "no libpq floor of status: cannot build bench/pq-floor.c"
fi

failed=
declare -A R # R[size,name] = "min median max rss"

for n in "${sizes[@]}"; do
	say "size $n: generating the migrations"
	rm -rf "$work/migrations" "$work/floor.sql" "$work"/t.* "$work"/rss.*
	"$here/gen-migrations.sh" "$n" "$work/migrations" "$work/floor.sql"

	# A little work first, so the first measurement does not pay for a
	# cold server.
	fresh_db bench_warmup
	head -n 200 "$work/floor.sql" | psql -X -q -v ON_ERROR_STOP=1 -d "$(db_url bench_warmup)" \
		-f - >/dev/null
	psql_base -c "DROP DATABASE bench_warmup"

	say "size $n: up (psql floor, godwit, dbmate; $up_runs runs each, in turns)"
	gurl=$(db_url bench_godwit)
	[ -z "$dbmate" ] || durl=$(dbmate_url bench_dbmate)
	for ((r = 0; r < up_runs; r++)); do
		fresh_db bench_floor
		timed floor psql -X -q -v ON_ERROR_STOP=1 -d "$(db_url bench_floor)" -f "$work/floor.sql"
		[ "$(count_in bench_floor "SELECT count(*) FROM floor_history")" = "$n" ] ||
			{ say "the floor did not apply $n migrations"; exit 1; }
		fresh_db bench_godwit
		if timed up "$godwit" --url "$gurl" --dir "$work/migrations" up; then
			got=$(count_in bench_godwit "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\\_%'")
			[ "$got" = "$n" ] || { say "godwit up created $got tables, not $n"; failed=t; }
		else
			failed=t
		fi
		if [ -n "$dbmate" ]; then
			fresh_db bench_dbmate
			timed dbmate_up "$dbmate" --url "$durl" --migrations-dir "$work/migrations" \
				--no-dump-schema up || say "dbmate up failed"
		fi
		[ -z "$failed" ] || break
	done

	# What status reads of the history, as psql reads it.
	history_sql="SELECT version, NULLIF(kind, 'versioned'), checksum, applied_at, NULL, NULL,
		CASE WHEN state <> 'applied' THEN statements_total END,
		CASE WHEN state <> 'applied' THEN statements_done END, NULLIF(state, 'applied'), error
		FROM godwit_migrations ORDER BY version"
	if [ -z "$failed" ]; then
		say "size $n: status, validate, plan, dbmate status ($runs runs each, in turns)"
		for cmd in status validate plan; do # warm the page cache
			"$godwit" --url "$gurl" --dir "$work/migrations" $cmd >/dev/null 2>&1 || true
		done
		for ((r = 0; r < runs; r++)); do
			timed status "$godwit" --url "$gurl" --dir "$work/migrations" status || failed=t
			time_sink=/dev/null timed status_null "$godwit" --url "$gurl" \
				--dir "$work/migrations" status || failed=t
			GODWIT_CHECKSUM_CACHE=false timed status_nocache "$godwit" --url "$gurl" \
				--dir "$work/migrations" status || failed=t
			timed validate "$godwit" --url "$gurl" --dir "$work/migrations" validate || failed=t
			timed plan "$godwit" --url "$gurl" --dir "$work/migrations" plan || failed=t
			[ -z "$pq_floor" ] || timed pq_floor "$pq_floor" "$gurl" \
				"SELECT version, checksum, applied_at FROM godwit_migrations" >/dev/null || failed=t
			timed psql_history psql -X -q -d "$gurl" -c "$history_sql" >/dev/null || failed=t
			if [ -n "$dbmate" ] && [ -s "$work/t.dbmate_up" ]; then
				timed dbmate_status "$dbmate" --url "$durl" --migrations-dir "$work/migrations" \
					status || true
				time_sink=/dev/null timed dbmate_status_null "$dbmate" --url "$durl" \
					--migrations-dir "$work/migrations" status || true
			fi
		done
	fi
	for name in floor up dbmate_up status status_nocache validate plan pq_floor psql_history dbmate_status status_null dbmate_status_null; do
		R[$n,$name]=$(result $name)
	done
	psql_base -c "DROP DATABASE IF EXISTS bench_floor WITH (FORCE)" \
		-c "DROP DATABASE IF EXISTS bench_godwit WITH (FORCE)" \
		-c "DROP DATABASE IF EXISTS bench_dbmate WITH (FORCE)"
	[ -z "$failed" ] || break
done

say "process start-up: /bin/true, godwit version, dbmate --version ($version_runs runs)"
true_t=$(time_median $version_runs /bin/true) || true_t=
godwit_version_t=$(time_median $version_runs "$godwit" version) || godwit_version_t=
dbmate_version_t=
[ -z "$dbmate" ] || dbmate_version_t=$(time_median $version_runs "$dbmate" --version) ||
	dbmate_version_t=

# ---- the report --------------------------------------------------------------

# ms MICROSECONDS
ms()
{
	case $1 in '' | -) echo "-" ;; *) awk -v us="$1" 'BEGIN { printf "%.1f", us / 1e3 }' ;; esac
}

# ratio A B: A/B as "1.23x"
ratio()
{
	case "$1$2" in *-*) echo "-"; return ;; esac
	[ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ] || { echo "-"; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'
}

mib()
{
	case $1 in '' | -) echo "-" ;; *) awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' ;; esac
}

# field SIZE NAME min|median|max|rss
field()
{
	local v=${R[$1,$2]:-"- - - -"} which=$3
	set -- $v
	case $which in min) echo "$1" ;; median) echo "$2" ;; max) echo "$3" ;; rss) echo "$4" ;; esac
}

row()
{
	printf '%-24s %10s %10s %10s %10s %12s  %s\n' "$@"
}

echo
echo "godwit benchmark: sizes ${sizes[*]}, PostgreSQL $server_version, $(nproc) cores," \
	"load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end," \
	"$(date -u +%Y-%m-%dT%H:%MZ)"
echo "godwit: $godwit ($("$godwit" version 2>/dev/null | head -n 1 || echo '?'))"
echo "dbmate: ${dbmate:-not available}${dbmate:+ ($("$dbmate" --version 2>/dev/null))}"
echo "each read-only command: $runs runs in turns with the others; up: $up_runs runs each, in turns"
for n in "${sizes[@]}"; do
	[ -n "${R[$n,floor]:-}" ] || continue
	echo
	echo "== $n migrations (ms; RSS in MiB)"
	row "" min median max "peak RSS" "ratio (medians)" target
	for name in floor up dbmate_up status status_nocache validate plan pq_floor psql_history dbmate_status status_null dbmate_status_null; do
		case $name in
		floor) label="psql floor: up" ref= ;;
		up) label="godwit up" ref=floor ;;
		dbmate_up) label="dbmate up" ref=floor ;;
		status | validate | plan) label="godwit $name" ref=dbmate_status ;;
		status_nocache) label="godwit status, no cache" ref=dbmate_status ;;
		pq_floor) label="libpq floor: status" ref=dbmate_status ;;
		psql_history) label="psql: status's history" ref=dbmate_status ;;
		dbmate_status) label="dbmate status" ref= ;;
		status_null) label="godwit status >/dev/null" ref=dbmate_status_null ;;
		dbmate_status_null) label="dbmate status >/dev/null" ref= ;;
		esac
		r=
		[ -z "$ref" ] || r="$(ratio "$(field "$n" $name median)" "$(field "$n" $ref median)") of ${ref//_/ }"
		target=
		case $name in
		up) target="<= 1.00x floor" ;;
		status) target="<= 0.50x dbmate status" ;;
		esac
		row "$label" "$(ms "$(field "$n" $name min)")" "$(ms "$(field "$n" $name median)")" \
			"$(ms "$(field "$n" $name max)")" "$(mib "$(field "$n" $name rss)")" "$r" "$target"
	done
	echo "peak RSS of godwit status against psql's on the same work (status's history):" \
		"$(ratio "$(field "$n" status rss)" "$(field "$n" psql_history rss)") (target <= 1.00x)"
done

# The cost of one more migration, between consecutive sizes: medians for
# time, peak RSS for memory.
if [ ${#sizes[@]} -gt 1 ]; then
	echo
	echo "== per migration, between consecutive sizes (time: medians; memory: peak RSS)"
	printf '%-22s' ""
	for ((i = 1; i < ${#sizes[@]}; i++)); do
		printf ' %26s' "${sizes[i - 1]} -> ${sizes[i]}"
	done
	echo
	for name in floor up dbmate_up status status_nocache validate plan pq_floor psql_history dbmate_status status_null dbmate_status_null; do
		printf '%-22s' "$name"
		for ((i = 1; i < ${#sizes[@]}; i++)); do
			a=${sizes[i - 1]} b=${sizes[i]}
			ta=$(field "$a" $name median) tb=$(field "$b" $name median)
			ma=$(field "$a" $name rss) mb=$(field "$b" $name rss)
			printf ' %26s' "$(awk -v ta="$ta" -v tb="$tb" -v ma="$ma" -v mb="$mb" -v d=$((b - a)) '
				BEGIN { if (ta == "-" || tb == "-") { print "-"; exit }
					printf "%.1f us, %.0f B", (tb - ta) / d, (mb - ma) * 1024 / d }')"
		done
		echo
	done
fi
echo
printf 'start-up: godwit version %s ms, dbmate --version %s ms, /bin/true %s ms (medians of %s)\n' \
	"$(ms "$godwit_version_t")" "$(ms "$dbmate_version_t")" "$(ms "$true_t")" "$version_runs"
[ -z "$failed" ] || exit 1
