#!/bin/bash
#
# fleet.sh: migrating many databases at once.
#
#   bench/fleet.sh [DATABASES] [MIGRATIONS]     (default 200 and 20)
#
# On one throwaway cluster (bench/lib.sh), DATABASES databases each get
# the same MIGRATIONS migrations (gen-migrations.sh), five ways, each from
# empty databases: `godwit up --targets` with --jobs 1, 4 and 8; a shell
# loop of `godwit up`, one database after the other; and a shell loop of
# `dbmate up` (the npm package, installed in the work folder unless
# DBMATE names the binary; BENCH_NO_INSTALL=1 skips it). It prints the
# wall time of each, its ratio to the shell loop of godwit, and the peak
# memory of the --jobs 8 fleet run, and checks that every database got
# every migration. BENCH_TURNS=N (default 1) measures the five ways N
# times in turns (each turn runs every way once, in the same order), so a
# change of the machine's load falls on every way alike; it then prints
# each way's median time and the median and range of its per-turn
# speed-ups.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"

ndb=${1:-200}
nmig=${2:-20}
if ! [[ $ndb =~ ^[0-9]+$ && $nmig =~ ^[0-9]+$ ]] || [ "$ndb" -lt 1 ] || [ "$nmig" -lt 1 ]; then
	echo "usage: $0 [DATABASES] [MIGRATIONS]" >&2
	exit 2
fi

bench_need psql /usr/bin/time "postgresql-client, time"
bench_setup fleet

psql_base()
{
	PGOPTIONS='-c client_min_messages=warning' psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$base_url" "$@"
}

# A cluster of our own serves a fleet's connections; an outside server
# keeps its own max_connections.
if [ -n "${started_cluster:-}" ]; then
	psql_base -c "ALTER SYSTEM SET max_connections = 300" >/dev/null
	env -u GODWIT_TEST_PG_URL sh "$root/tests/cli/pg-cluster.sh" halt "$work/pg" >/dev/null
	env -u GODWIT_TEST_PG_URL sh "$root/tests/cli/pg-cluster.sh" resume "$work/pg" >/dev/null
fi

# dbmate (Go's lib/pq) takes a socket folder as ?socket=, not libpq's ?host=.
dbmate_url()
{
	local url sock port=5432 user=postgres
	url=$(db_url "$1")
	if [[ $url =~ [?\&]host=(/[^&]*) ]]; then
		sock=${BASH_REMATCH[1]}
		[[ $url =~ [?\&]port=([0-9]+) ]] && port=${BASH_REMATCH[1]}
		[[ $url =~ [?\&]user=([^&]+) ]] && user=${BASH_REMATCH[1]}
		printf 'postgres://%s@:%s/%s?socket=%s&sslmode=disable\n' "$user" "$port" "$1" "$sock"
	else
		printf '%s%ssslmode=disable\n' "${url/#postgresql:/postgres:}" "$([[ $url == *\?* ]] && echo '&' || echo '?')"
	fi
}

dbmate=${DBMATE:-}
if [ -z "$dbmate" ] && [ -z "${BENCH_NO_INSTALL:-}" ] && command -v npm >/dev/null; then
	say "installing dbmate (npm) in the work folder"
	if (cd "$work" && timeout 300 npm install dbmate >npm.log 2>&1); then
		# The package's real binary, not its node wrapper.
		dbmate=$(find "$work/node_modules" -path '*@dbmate/*/bin/dbmate' -type f | head -n 1)
	fi
fi
[ -n "$dbmate" ] || say "dbmate is not available; its row is skipped"

say "generating $nmig migrations and $ndb databases"
"$here/gen-migrations.sh" "$nmig" "$work/migrations"
for ((i = 1; i <= ndb; i++)); do
	printf 'CREATE DATABASE fleet_%03d;\n' "$i"
done | psql_base >/dev/null
: >"$work/targets.txt"
for ((i = 1; i <= ndb; i++)); do
	printf 't%03d=%s\n' "$i" "$(db_url "$(printf 'fleet_%03d' "$i")")" >>"$work/targets.txt"
done

# Every database back to empty: one psql that visits each.
reset_all()
{
	for ((i = 1; i <= ndb; i++)); do
		printf '\\c fleet_%03d\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n' "$i"
	done | psql_base >/dev/null 2>&1
}

# Every database holds every migration, in whichever history table.
check_all()
{
	local got
	got=$(for ((i = 1; i <= ndb; i++)); do
		printf '\\c fleet_%03d\nSELECT count(*) FROM pg_tables WHERE schemaname = %s;\n' \
			"$i" "'public'"
	done | psql_base | sort | uniq -c | awk '{ print $1 "x" $2 }')
	# nmig tables and an index each, plus the history table(s).
	if [ "$(echo "$got" | wc -l)" != 1 ]; then
		say "the databases differ after $1: $got"
		return 1
	fi
}

godwit_loop()
{
	for ((i = 1; i <= ndb; i++)); do
		"$godwit" --url "$(db_url "$(printf 'fleet_%03d' "$i")")" --dir "$work/migrations" up \
			>/dev/null || return 1
	done
}

dbmate_loop()
{
	for ((i = 1; i <= ndb; i++)); do
		"$dbmate" --url "$(dbmate_url "$(printf 'fleet_%03d' "$i")")" \
			--migrations-dir "$work/migrations" --no-dump-schema up >/dev/null || return 1
	done
}

turns=${BENCH_TURNS:-1}
if ! [[ $turns =~ ^[0-9]+$ ]] || [ "$turns" -lt 1 ]; then
	echo "BENCH_TURNS must be a whole number, 1 or more" >&2
	exit 2
fi

# took[NAME] is the list of NAME's wall times, one per turn (microseconds).
declare -A took
measure()
{
	local name=$1 t
	shift
	reset_all
	t=$(time_once "$@")
	took[$name]="${took[$name]:-} $t"
	check_all "$name"
	say "turn $turn, $name: $((t / 1000)) ms"
}

cd "$work"
for ((turn = 1; turn <= turns; turn++)); do
	for jobs in 1 4 8; do
		measure "fleet-j$jobs" "$godwit" --dir "$work/migrations" up --targets "$work/targets.txt" \
			--jobs "$jobs"
	done
	measure loop-godwit godwit_loop
	[ -n "$dbmate" ] && measure loop-dbmate dbmate_loop
done
reset_all
rss=$(peak_rss "$godwit" --dir "$work/migrations" up --targets "$work/targets.txt" --jobs 8)

printf '\nfleet: %d databases x %d migrations, %d turn(s), PostgreSQL %s, %d CPUs, load %s\n' \
	"$ndb" "$nmig" "$turns" "$(psql_base -c 'SHOW server_version')" "$(nproc)" \
	"$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %10s %10s %16s\n' "how" "wall ms" "speed-up" "per-turn range"
# A way's median time, and its per-turn speed-ups over the shell loop of
# godwit of the same turn: their median and range.
row()
{
	[ -n "${took[$2]:-}" ] || return 0
	local ms ratios
	ms=$(printf '%s\n' ${took[$2]} | median)
	ratios=$(paste -d' ' <(printf '%s\n' ${took[loop-godwit]}) <(printf '%s\n' ${took[$2]}) |
		awk '{ printf "%.4f\n", $1 / $2 }' | sort -n)
	printf '%-28s %10d %9.2fx %7.2fx-%.2fx\n' "$1" $((ms / 1000)) \
		"$(echo "$ratios" | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')" \
		"$(echo "$ratios" | head -n 1)" "$(echo "$ratios" | tail -n 1)"
}
row "godwit up --targets -j1" fleet-j1
row "godwit up --targets -j4" fleet-j4
row "godwit up --targets -j8" fleet-j8
row "loop: godwit up" loop-godwit
row "loop: dbmate up" loop-dbmate
printf 'peak memory, godwit up --targets --jobs 8: %d KiB\n' "$rss"
