#!/bin/bash
#
# portable.sh: the portable build (packaging/build.sh) against the Debian
# build, in one run on one machine: size, start-up time and peak memory.
#
#   bench/portable.sh [TARBALL]
#
# Three ways of shipping the same code:
#
#   debian    build/godwit as built, with Debian's shared libraries
#             installed on the system;
#   static    the tarball's bin/godwit: SQLite, libpg_query, protobuf-c,
#             jansson and inih linked in, libpq and what it loads in lib/
#             (what packaging/build.sh ships);
#   shared    build/godwit with every library it and libpq need copied
#             beside it and found through $ORIGIN (patchelf), the
#             alternative packaging/README.md weighs.
#
# For each: the size of the binary and of what ships with it, the median
# wall time of `godwit version` (50 runs), of `status` on a SQLite file and
# on PostgreSQL (20 runs each; the latter loads libpq and connects over
# the throwaway cluster's socket), and the peak RSS of `status` on
# PostgreSQL. TARBALL defaults to dist/godwit-*-linux-x64.tar.gz; GODWIT is
# the Debian build (default build/godwit). Not part of ctest.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
tarball=${1:-$(ls "$root"/dist/godwit-*-linux-x64.tar.gz 2>/dev/null | head -n 1)}
if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
	echo "bench: no tarball (run packaging/build.sh, or give its path)" >&2
	exit 1
fi
. "$here/lib.sh"
bench_need psql patchelf ldd /usr/bin/time "postgresql-client, patchelf, time"
bench_setup portable

mkdir -p "$work/static" "$work/shared/bin" "$work/shared/lib"
tar -C "$work/static" --strip-components=1 -xzf "$tarball"
cp "$godwit" "$work/shared/bin/godwit"
strip "$work/shared/bin/godwit"
patchelf --set-rpath '$ORIGIN/../lib' "$work/shared/bin/godwit"
for f in "$work/shared/bin/godwit" "$work/static/lib/libpq.so.5"; do
	ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }'
done | while read -r soname path; do
	case $soname in
	libc.so.* | libm.so.* | libresolv.so.* | libpthread.so.* | libdl.so.* | ld-linux*) continue ;;
	esac
	[ -f "$work/shared/lib/$soname" ] || cp -L "$path" "$work/shared/lib/$soname"
done
cp -L "$work/static/lib/libpq.so.5" "$work/shared/lib/"
for lib in "$work/shared/lib"/*; do
	patchelf --set-rpath '$ORIGIN' "$lib"
done

mkdir -p "$work/proj/db/migrations"
printf -- '-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n' \
	>"$work/proj/db/migrations/20240101000000_t.sql"

kib()
{
	du -k -c "$@" | tail -n 1 | cut -f1
}

printf '%-8s %10s %12s %12s %14s %14s %12s\n' variant "bin KiB" "shipped KiB" \
	"version ms" "sqlite st. ms" "pg status ms" "pg RSS KiB"
for variant in debian static shared; do
	case $variant in
	debian)
		bin=$godwit
		shipped=$(kib "$godwit")
		;;
	static)
		# What the CLI needs: the library's own dependencies ship too,
		# for libgodwit.so, but the binary never loads them.
		bin=$work/static/bin/godwit
		shipped=$(kib "$bin" $(ls "$work"/static/lib/lib*.so.* |
			grep -v -e /libgodwit -e /libsqlite3 -e /libpg_query -e /libinih))
		;;
	shared)
		bin=$work/shared/bin/godwit
		shipped=$(kib "$work/shared/bin" "$work/shared/lib")
		;;
	esac
	psql -X -q -d "$base_url" -c "CREATE DATABASE bench_$variant" >/dev/null
	url=$(db_url "bench_$variant")
	cd "$work/proj"
	"$bin" --url "sqlite:$variant.db" up >/dev/null
	"$bin" --url "$url" up >/dev/null
	v=$(time_median 50 "$bin" version)
	s=$(time_median 20 "$bin" --url "sqlite:$variant.db" status)
	p=$(time_median 20 "$bin" --url "$url" status)
	rss=$(peak_rss "$bin" --url "$url" status)
	awk -v n="$variant" -v b="$(kib "$bin")" -v sh="$shipped" -v v="$v" -v s="$s" -v p="$p" \
		-v r="$rss" 'BEGIN { printf "%-8s %10s %12s %12.2f %14.2f %14.2f %12s\n", n, b, sh,
			v / 1000, s / 1000, p / 1000, r }'
done
echo "tarball: $(kib "$tarball") KiB ($(basename "$tarball")); timer: $([ -n "$have_hyperfine" ] && echo hyperfine || echo 'bash EPOCHREALTIME loop'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
