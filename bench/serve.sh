#!/bin/bash
#
# serve.sh: godwit serve under load.
#
#   bench/serve.sh [SECONDS]
#
# Starts `godwit serve` (default serve_cache of 5 s) on a database with 50
# applied migrations and a few hundred events, then measures with wrk
# (Debian package wrk) the requests per second of /metrics and
# /health/ready for SECONDS each (default 10; 2 threads, 16 keep-alive
# connections), and with ab (apache2-utils) the resident set size of the
# server after 1,000 requests, 50,000 and 100,000 (over /metrics,
# /health/ready, /status and /history, a new connection each time, so
# connection threads come and go). The RSS must not grow: the script
# fails when the second figure exceeds the first by more than 10 % (or
# 1 MiB). Then it adds 100,000 events and times the request that
# refreshes with them, and the RSS after it. It also prints the database
# refreshes serve made, which
# serve_cache bounds, and the start-up time of `godwit version` for the
# record (serve's library is loaded only by serve).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
seconds=${1:-10}

bench_need wrk "wrk"
bench_need ab "apache2-utils"
bench_need curl "curl"
bench_need psql "postgresql-client"
bench_setup serve

db=bench_serve
psql -X -q -d "$base_url" -c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
url=$(db_url "$db")
mkdir -p "$work/db/migrations"
cd "$work"
for i in $(seq -w 1 50); do
	printf -- '-- migrate:up\nCREATE TABLE t%s (id int);\n-- migrate:down\nDROP TABLE t%s;\n' \
		"$i" "$i" >"db/migrations/202401010000${i}_t$i.sql"
done
"$godwit" --url "$url" up >/dev/null
# A history of some length: down and up again, 3 times.
for round in 1 2 3; do
	"$godwit" --url "$url" down --all --yes >/dev/null
	"$godwit" --url "$url" up >/dev/null
done

"$godwit" --url "$url" serve --listen 127.0.0.1:0 2>"$work/serve.err" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; bench_cleanup' EXIT
for _ in $(seq 100); do
	grep -q '^godwit: serving' "$work/serve.err" && break
	sleep 0.1
done
base=$(sed -n 's|.* on \(http://127\.0\.0\.1:[0-9]*\) .*|\1|p' "$work/serve.err")
[ -n "$base" ] || {
	cat "$work/serve.err" >&2
	exit 1
}
curl -sf -o /dev/null "$base/metrics"
say "serving on $base"

rps()
{
	wrk -t2 -c16 -d"${seconds}s" "$base$1" | awk '/^Requests\/sec:/ { printf "%d\n", $2 }'
}
rss()
{
	awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"
}
# ab -n N: N requests, spread over the four documents.
load()
{
	local each=$(($1 / 4)) path
	for path in /metrics /health/ready /status "/history?limit=20"; do
		ab -q -n "$each" -c 8 "$base$path" >"$work/ab.out" 2>&1 || {
			cat "$work/ab.out" >&2
			return 1
		}
		grep -q '^Failed requests: *0$' "$work/ab.out" || {
			cat "$work/ab.out" >&2
			return 1
		}
	done
}

metrics_rps=$(rps /metrics)
ready_rps=$(rps /health/ready)
load 1000
rss_1k=$(rss)
load 49000
rss_50k=$(rss)
load 50000
rss_100k=$(rss)
refreshes=$(curl -s "$base/metrics" | awk '/^godwit_serve_refreshes_total/ { print $2 }')
# A long history: 100,000 more events. A refresh reads the newest 1,000
# and one row per action, so it costs about the same.
psql -X -q -d "$url" -c "INSERT INTO godwit_events (at, action, version, name, duration_ms,
	applied_by, environment, godwit_version) SELECT now(), CASE WHEN g % 10 = 0 THEN 'fail'
	ELSE 'apply' END, '20240101000001', 't01', 5, 'bench', 'development', '0.1.0'
	FROM generate_series(1, 100000) g"
sleep 5.5 # serve_cache
refresh_long=$(curl -s -o /dev/null -w '%{time_total}' "$base/metrics" | awk '{ printf "%d\n", $1 * 1000 }')
rss_long=$(rss)
startup=$(time_median 200 "$godwit" version)

printf '%-44s %12s\n' "measure" "value"
printf '%-44s %12s\n' "/metrics, requests per second (wrk)" "$metrics_rps"
printf '%-44s %12s\n' "/health/ready, requests per second (wrk)" "$ready_rps"
printf '%-44s %12s\n' "RSS after 1,000 requests (KiB)" "$rss_1k"
printf '%-44s %12s\n' "RSS after 50,000 requests (KiB)" "$rss_50k"
printf '%-44s %12s\n' "RSS after 100,000 requests (KiB)" "$rss_100k"
printf '%-44s %12s\n' "database refreshes in the whole run" "$refreshes"
printf '%-44s %12s\n' "a request that refreshes, 100,350 events (ms)" "$refresh_long"
printf '%-44s %12s\n' "RSS after it (KiB)" "$rss_long"
printf '%-44s %12s\n' "godwit version start-up (median, us)" "$startup"

limit=$((rss_1k + (rss_1k / 10 > 1024 ? rss_1k / 10 : 1024)))
if [ "$rss_100k" -gt "$limit" ]; then
	echo "bench: RSS grew from $rss_1k KiB to $rss_100k KiB over 99,000 requests" >&2
	exit 1
fi
