#!/bin/bash
#
# live-traffic.sh: what an ALTER TABLE costs the application's readers
# while a long transaction holds the table (issue: "live traffic first").
#
# A holder keeps a reader's lock on `users` for HOLD seconds. Meanwhile
# `godwit up` runs a migration that needs ACCESS EXCLUSIVE on it, and a
# pgbench reader queries the table continuously. Without lock_timeout the
# ALTER waits in the lock queue and every reader queues behind it for the
# whole hold; with godwit's lock_timeout and retry the ALTER gives way
# after each timeout, so readers wait at most about one timeout.
#
#   bench/live-traffic.sh            (HOLD=4 s, lock_timeout 200ms)
#
# Environment: GODWIT (default build/godwit), GODWIT_BENCH_PG_URL (a server
# to use instead of a throwaway cluster), HOLD (seconds).
# Prints the readers' worst and 99th-percentile latency for both runs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
hold=${HOLD:-4}
. "$root/bench/lib.sh"
bench_need psql pgbench "postgresql-client, postgresql-contrib"
bench_setup bench-live
base=$base_url
chmod 755 "$work"
host=$(psql -X -A -t -q -d "$base" -c "SHOW unix_socket_directories" | cut -d, -f1)

mkdir -p "$work/db/migrations"
cat >"$work/db/migrations/20240101000000_nickname.sql" <<'SQL'
-- migrate:up
ALTER TABLE users ADD COLUMN nickname text;
-- migrate:down
ALTER TABLE users DROP COLUMN nickname;
SQL
echo "SELECT count(*) FROM users;" >"$work/reader.sql"

# One scenario: a fresh database, a holder, godwit, and a reader; prints
# "worst p99" in milliseconds from pgbench's per-transaction log.
scenario()
{
	local label=$1 db=bench_live_$1 lock_timeout=$2 url
	psql -X -q -d "$base" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	url="postgresql:///$db?host=$host&user=postgres"
	psql -X -q -d "$url" -c "CREATE TABLE users (id int PRIMARY KEY)" \
		-c "INSERT INTO users SELECT generate_series(1, 1000)"
	psql -X -q -d "$url" -c "BEGIN; SELECT count(*) FROM users; SELECT pg_sleep($hold); COMMIT;" \
		>/dev/null &
	local holder=$!
	sleep 0.3
	(cd "$work" && "$godwit" --url "$url" --lock-timeout "$lock_timeout" --retries 100 \
		up >"$work/$label.godwit.log" 2>&1) &
	local runner=$!
	(cd "$work" && rm -f pgbench_log.* &&
		pgbench -n -c 2 -T "$((hold + 1))" -f reader.sql -l "$url" >/dev/null 2>&1 &&
		cat pgbench_log.* >"$label.latency")
	wait $holder $runner
	# Column 3 of pgbench's log is the latency in microseconds.
	sort -n -k3 "$work/$label.latency" | awk '{ l[NR] = $3 } END {
		printf "%.1f %.1f %d\n", l[NR] / 1000, l[int(NR * 0.99)] / 1000, NR }'
	psql -X -q -d "$base" -c "DROP DATABASE $db"
}

scenario plain 0 >"$work/plain.result"
scenario godwit 200ms >"$work/godwit.result"
read -r plain_worst plain_p99 plain_n <"$work/plain.result"
read -r godwit_worst godwit_p99 godwit_n <"$work/godwit.result"

printf '\nlive traffic: a %ss transaction holds users; an ALTER TABLE runs meanwhile\n' "$hold"
printf '%-40s %12s %12s %10s\n' "run" "worst (ms)" "p99 (ms)" "queries"
printf '%-40s %12s %12s %10s\n' "no lock_timeout (plain ALTER)" "$plain_worst" "$plain_p99" "$plain_n"
printf '%-40s %12s %12s %10s\n' "godwit, lock_timeout 200ms + retry" "$godwit_worst" "$godwit_p99" "$godwit_n"
awk -v a="$plain_worst" -v b="$godwit_worst" 'BEGIN { if (b > 0) printf "worst reader latency: %.1fx lower with godwit\n", a / b }'
