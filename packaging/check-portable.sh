#!/bin/sh
#
# check-portable.sh: checks that a portable godwit tree (bin/godwit, lib/)
# needs nothing from the system it runs on but glibc, and no glibc newer
# than the oldest one it promises to run on.
#
#	check-portable.sh DIR
#
# For bin/godwit and every ELF file in lib/: each library it names
# (readelf's NEEDED) is one of glibc's (libc, libm, libpthread, libdl,
# libresolv, librt, the dynamic loader) or is in lib/; and no symbol it
# takes from glibc has a version newer than GLIBC_2.34 (objdump -T).
# (GW_CHECK_GLIBC_MAX sets another limit; GW_CHECK_OBJDUMP another objdump,
# such as aarch64-linux-gnu-objdump for an arm64 tree.) Prints each
# problem and exits 1 when there is one. Run by packaging/build.sh on what
# it ships and by the tests.
set -eu

[ $# -eq 1 ] || {
	echo "usage: $0 DIR" >&2
	exit 2
}
dir=$1
max=${GW_CHECK_GLIBC_MAX:-2.34}
objdump=${GW_CHECK_OBJDUMP:-objdump}

is_glibc()
{
	case $1 in
	libc.so.6 | libm.so.6 | libpthread.so.0 | libdl.so.2 | libresolv.so.2 | librt.so.1 | \
		ld-linux-x86-64.so.2 | ld-linux-aarch64.so.1) return 0 ;;
	esac
	return 1
}

# Whether version $1 is newer than $max (both N.N[.N]).
newer()
{
	[ "$(printf '%s\n%s\n' "$1" "$max" | sort -V | tail -n 1)" != "$max" ]
}

bad=0
files="$dir/bin/godwit"
for f in "$dir"/lib/*.so*; do
	[ -f "$f" ] && [ ! -L "$f" ] && files="$files $f"
done
for f in $files; do
	[ -f "$f" ] || {
		echo "check-portable: $f is missing" >&2
		bad=1
		continue
	}
	for needed in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		if ! is_glibc "$needed" && [ ! -f "$dir/lib/$needed" ]; then
			echo "check-portable: ${f#"$dir"/} needs $needed, which is neither glibc's nor in lib/" >&2
			bad=1
		fi
	done
	for v in $("$objdump" -T "$f" | sed -n 's/.*(GLIBC_\([0-9.]*\)).*/\1/p' | sort -u -V); do
		if newer "$v"; then
			syms=$("$objdump" -T "$f" | sed -n "s/.*(GLIBC_$v) *\([^ ]*\)\$/\1/p" | sort -u | tr '\n' ' ')
			echo "check-portable: ${f#"$dir"/} needs GLIBC_$v (newer than $max): $syms" >&2
			bad=1
		fi
	done
done
exit $bad
