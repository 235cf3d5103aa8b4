# bench/lib.sh: what the benchmark scripts share, sourced by them (bash).
#
# bench_setup NAME sets godwit (absolute path), work (a scratch folder,
# removed at exit unless BENCH_KEEP=1) and base_url (a throwaway cluster
# started with tests/cli/pg-cluster.sh and stopped at exit, or
# GODWIT_BENCH_PG_URL). root must be set to the repository's root.
# Timing: time_once cmd... (microseconds), time_median RUNS cmd...
# (hyperfine when installed), median (of stdin's lines), peak_rss cmd...
# (KiB, /usr/bin/time).

say()
{
	printf 'bench: %s\n' "$*" >&2
}

bench_cleanup()
{
	if [ -n "${started_cluster:-}" ]; then
		env -u GODWIT_TEST_PG_URL sh "$root/tests/cli/pg-cluster.sh" stop "$work/pg" >/dev/null || true
	fi
	if [ -z "${BENCH_KEEP:-}" ]; then
		rm -rf "$work"
	else
		echo "bench: work folder kept: $work"
	fi
}

bench_setup()
{
	godwit=${GODWIT:-$root/build/godwit}
	if [ ! -x "$godwit" ]; then
		echo "bench: no godwit binary at $godwit (build it, or set GODWIT)" >&2
		exit 1
	fi
	godwit=$(cd "$(dirname "$godwit")" && pwd)/$(basename "$godwit")
	work=$(mktemp -d "${TMPDIR:-/tmp}/godwit-$1.XXXXXX")
	started_cluster=
	trap bench_cleanup EXIT
	if [ -n "${GODWIT_BENCH_PG_URL:-}" ]; then
		base_url=$GODWIT_BENCH_PG_URL
	else
		say "starting a throwaway PostgreSQL cluster"
		started_cluster=t
		env -u GODWIT_TEST_PG_URL sh "$root/tests/cli/pg-cluster.sh" start "$work/pg" >/dev/null
		base_url=$(cat "$work/pg/url")
	fi
}

# bench_need TOOL... "packages": exits unless every tool is installed.
bench_need()
{
	local packages=${!#} tool
	for tool in "${@:1:$#-1}"; do
		if ! command -v "$tool" >/dev/null; then
			echo "bench: $tool is needed (packages $packages)" >&2
			exit 1
		fi
	done
}

# db_url NAME: the URL of database NAME on the same server (the path of the
# base URL replaced, its parameters kept).
db_url()
{
	printf '%s\n' "$base_url" |
		sed -E "s|^([A-Za-z][A-Za-z0-9+.-]*://[^/?]*)(/[^?]*)?(\\?.*)?\$|\\1/$1\\3|"
}

# ---- timing (needs work, from bench_setup) ---------------------------------

have_hyperfine=
command -v hyperfine >/dev/null && have_hyperfine=t

now_us()
{
	local t=${EPOCHREALTIME/[.,]/}
	echo "$((10#$t))"
}

# Runs "$@" once with its output to a file ($work/last.out, or $time_sink:
# /dev/null, say); prints microseconds. Fails with the command's output on
# stderr when it fails (none when the sink kept none).
time_once()
{
	local t0 t1 out=${time_sink:-$work/last.out}
	t0=${EPOCHREALTIME/[.,]/}
	if ! "$@" >"$out" 2>&1; then
		say "command failed: $*"
		[ ! -f "$out" ] || tail -n 20 "$out" >&2
		return 1
	fi
	t1=${EPOCHREALTIME/[.,]/}
	echo $((10#$t1 - 10#$t0))
}

median()
{
	sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
		else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# time_median RUNS cmd...: the median wall time of RUNS runs, microseconds.
time_median()
{
	local count=$1 i
	shift
	"$@" >/dev/null 2>&1 || true # warm the page cache
	if [ -n "$have_hyperfine" ]; then
		local cmd="" arg
		for arg in "$@"; do
			cmd+="'${arg//\'/\'\\\'\'}' "
		done
		hyperfine -N --warmup 3 --runs "$count" --export-csv "$work/hf.csv" "$cmd" \
			>/dev/null 2>&1 || return 1
		awk -F, 'NR == 2 { printf "%d\n", $4 * 1000000 }' "$work/hf.csv"
		return 0
	fi
	for ((i = 0; i < count; i++)); do
		time_once "$@" || return 1
	done | median
}

# peak_rss cmd...: the peak resident set size of cmd, KiB.
peak_rss()
{
	/usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1 || return 1
	tail -n 1 "$work/rss"
}
