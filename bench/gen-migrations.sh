#!/bin/bash
#
# gen-migrations.sh: writes the benchmark's workload.
#
#   gen-migrations.sh N DIR [FLOOR_SQL]
#
# DIR gets N native-format (dbmate-compatible) migrations, one table and one
# index each, with a `-- migrate:down` that drops the table. FLOOR_SQL, when
# given, gets the same SQL as one psql script, one transaction per migration
# with one history INSERT: the floor that `godwit up` is measured against
# (DESIGN.md §10).
set -euo pipefail

if [ $# -lt 2 ] || ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ] || [ "$1" -gt 86400 ]; then
	echo "usage: $0 N DIR [FLOOR_SQL]   (1 <= N <= 86400)" >&2
	exit 2
fi
n=$1
dir=$2
floor=${3:-}

mkdir -p "$dir"
if [ -n "$floor" ]; then
	exec 3>"$floor"
	echo "CREATE TABLE floor_history (version text PRIMARY KEY, name text NOT NULL," \
		"applied_at timestamptz NOT NULL DEFAULT now());" >&3
fi

for ((i = 1; i <= n; i++)); do
	# One second apart from 2024-01-01 00:00:00: valid timestamps, in order.
	printf -v version '20240101%02d%02d%02d' $((i / 3600)) $((i / 60 % 60)) $((i % 60))
	body="CREATE TABLE t_$i (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX t_${i}_name ON t_$i (name);"
	printf -- '-- migrate:up\n%s\n\n-- migrate:down\nDROP TABLE t_%d;\n' "$body" "$i" \
		>"$dir/${version}_create_t_$i.sql"
	if [ -n "$floor" ]; then
		printf "BEGIN;\n%s\nINSERT INTO floor_history (version, name) VALUES ('%s', 'create_t_%d');\nCOMMIT;\n" \
			"$body" "$version" "$i" >&3
	fi
done
