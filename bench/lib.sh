# bench/lib.sh: what the benchmark scripts share, sourced by them (bash).
#
# bench_setup NAME sets godwit (absolute path), work (a scratch folder,
# removed at exit unless BENCH_KEEP=1) and base_url (a throwaway cluster
# started with tests/cli/pg-cluster.sh and stopped at exit, or
# GODWIT_BENCH_PG_URL). root must be set to the repository's root.

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
