#!/usr/bin/env bash
#
# bench/lint.sh: lint throughput of `godwit lint` side by side with squawk
# (DESIGN.md §10: "lint: faster than squawk on the same files").
#
#   bench/lint.sh [FILES [STATEMENTS_PER_FILE]]     default 1000 files x 10
#
# Generates a folder of native migrations holding statements of many kinds
# (tables, indexes, constraints, type changes, renames, drops, enums, data
# changes, functions, comments), then times both linters over the same
# files, median of 3 runs each, output discarded. squawk is $SQUAWK, else
# the real binary of the npm package squawk-cli (not its node wrapper,
# whose start-up would be counted against squawk), installed with
# `npm install -g squawk-cli` when missing (BENCH_NO_INSTALL=1 to skip).
set -euo pipefail

files=${1:-1000}
per_file=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
godwit=${GODWIT:-$here/../build/godwit}
work=$(mktemp -d "${TMPDIR:-/tmp}/godwit-bench-lint.XXXXXX")
trap 'rm -rf "$work"' EXIT

find_squawk()
{
	if [ -n "${SQUAWK:-}" ]; then
		echo "$SQUAWK"
		return
	fi
	local root bin
	root=$(npm root -g 2>/dev/null || true)
	bin=$root/squawk-cli/node_modules/@squawk-cli/linux-x64/bin/squawk
	if [ ! -x "$bin" ] && [ -z "${BENCH_NO_INSTALL:-}" ] && command -v npm >/dev/null; then
		npm install -g squawk-cli >/dev/null 2>&1 || true
	fi
	[ -x "$bin" ] && echo "$bin"
}

# One statement of kind k for migration i.
statement()
{
	local i=$1 k=$2
	case $((k % 16)) in
	0) echo "CREATE TABLE t_${i}_$k (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name varchar(100), data json, created_at timestamp DEFAULT now());" ;;
	1) echo "CREATE INDEX idx_${i}_$k ON users (email, created_at);" ;;
	2) echo "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_c_${i}_$k ON users (lower(email));" ;;
	3) echo "ALTER TABLE users ADD COLUMN c_${i}_$k text NOT NULL DEFAULT 'x';" ;;
	4) echo "ALTER TABLE orders ADD CONSTRAINT fk_${i}_$k FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;" ;;
	5) echo "ALTER TABLE orders VALIDATE CONSTRAINT fk_${i}_$k;" ;;
	6) echo "ALTER TABLE users ALTER COLUMN c_${i} TYPE bigint USING c_${i}::bigint;" ;;
	7) echo "ALTER TABLE users RENAME COLUMN a_$i TO b_$i;" ;;
	8) echo "UPDATE users SET name = upper(name), flags = flags | 4 WHERE id BETWEEN $i AND $((i + 1000)) AND deleted_at IS NULL;" ;;
	9) echo "INSERT INTO settings (key, value) VALUES ('k_${i}_$k', 'v'), ('l_${i}_$k', 'w') ON CONFLICT (key) DO NOTHING;" ;;
	10) echo "ALTER TYPE status_$i ADD VALUE IF NOT EXISTS 'v$k' AFTER 'active';" ;;
	11) echo "CREATE OR REPLACE VIEW v_${i}_$k AS SELECT u.id, u.email, count(o.id) AS n FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id, u.email;" ;;
	12) printf '%s\n' "CREATE OR REPLACE FUNCTION f_${i}_$k(x bigint) RETURNS bigint LANGUAGE plpgsql AS \$\$" "BEGIN" "  RETURN x * 2;" "END" "\$\$;" ;;
	13) echo "ALTER TABLE users ALTER COLUMN e_$i SET NOT NULL;" ;;
	14) echo "DROP TABLE IF EXISTS old_${i}_$k;" ;;
	15) echo "COMMENT ON COLUMN users.email IS 'the address we write to, number $i';" ;;
	esac
}

generate()
{
	local dir=$work/db/migrations i k
	mkdir -p "$dir"
	for ((i = 1; i <= files; i++)); do
		{
			echo "-- migrate:up"
			echo "SET lock_timeout = '2s';"
			for ((k = 0; k < per_file; k++)); do
				statement "$i" $((i + k))
			done
			echo "-- migrate:down"
			echo "SELECT 1;"
		} >"$dir/$(printf '%014d' "$i")_m$i.sql"
	done
}

# Median wall time in ms of 3 runs of the command.
median_ms()
{
	local t=() s e
	for _ in 1 2 3; do
		s=$EPOCHREALTIME
		"$@" >/dev/null 2>&1 || true
		e=$EPOCHREALTIME
		t+=("$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.1f", (e - s) * 1000 }')")
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n 2p
}

generate
stmts=$(grep -c ';$' "$work"/db/migrations/*.sql | awk -F: '{ n += $2 } END { print n }')
echo "lint: $files files, $stmts statements"

cd "$work"
g=$(median_ms "$godwit" lint --all)
printf '%-10s %10s ms\n' godwit "$g"
squawk=$(find_squawk || true)
if [ -z "$squawk" ]; then
	printf '%-10s %10s\n' squawk -
	exit 0
fi
s=$(median_ms "$squawk" db/migrations/*.sql)
printf '%-10s %10s ms   (%s)\n' squawk "$s" "$("$squawk" --version 2>/dev/null)"
awk -v g="$g" -v s="$s" 'BEGIN { printf "ratio      godwit is %.1f x faster than squawk (squawk/godwit)\n", s / g }'
