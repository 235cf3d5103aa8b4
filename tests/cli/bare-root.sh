#!/bin/sh
#
# bare-root.sh: a minimal Debian 12 root file system (debootstrap
# --variant=minbase bookworm: no compiler, no -dev packages, no PostgreSQL,
# no SQLite) for the tests that prove the portable build runs on a bare
# system, made once and kept in a cache shared by every run on the machine.
#
#	bare-root.sh			prints the root's path, making it first if needed
#
# The cache lives outside the repository (GW_BARE_ROOT_CACHE, default
# /var/cache/godwit-test), in a folder keyed by the suite, variant and a
# version below: bump GW_BARE_ROOT_VERSION to make a new one. The first run
# downloads about 40 MB from Debian's mirror (GW_BARE_ROOT_MIRROR) and
# takes a minute or two; later runs take no time. The root is built in a
# temporary folder and renamed into place when complete, under a lock, so a
# killed run or two runs at once never leave a half-made root behind.
# Needs root (debootstrap and chroot do).
set -eu

GW_BARE_ROOT_VERSION=1
suite=bookworm
cache=${GW_BARE_ROOT_CACHE:-/var/cache/godwit-test}
mirror=${GW_BARE_ROOT_MIRROR:-http://deb.debian.org/debian}
root=$cache/$suite-minbase-v$GW_BARE_ROOT_VERSION

if [ -f "$root/.godwit-complete" ]; then
	echo "$root"
	exit 0
fi
command -v debootstrap >/dev/null 2>&1 || {
	echo "bare-root: debootstrap is not installed (apt-get install debootstrap)" >&2
	exit 1
}
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ ! -f "$root/.godwit-complete" ]; then
	tmp=$root.tmp.$$
	rm -rf "$root" "$tmp"
	if ! debootstrap --variant=minbase "$suite" "$tmp" "$mirror" >"$cache/debootstrap.log" 2>&1; then
		tail -n 20 "$cache/debootstrap.log" >&2
		rm -rf "$tmp"
		echo "bare-root: debootstrap failed (log: $cache/debootstrap.log)" >&2
		exit 1
	fi
	# Whatever apt fetched is not needed again.
	rm -rf "$tmp"/var/cache/apt/archives/*.deb
	touch "$tmp/.godwit-complete"
	mv "$tmp" "$root"
fi
echo "$root"
