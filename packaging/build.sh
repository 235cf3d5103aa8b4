#!/bin/sh
#
# packaging/build.sh: the portable Linux build of godwit, on the Debian 12
# machine the project builds on (packaging/README.md says how and why).
#
#	packaging/build.sh
#
# writes
#
#	dist/godwit-VERSION-linux-x64.tar.gz	bin/godwit, lib/ (libgodwit and
#						the bundled libraries), include/
#	dist/npm/godwit-VERSION.tgz		the npm launcher package `godwit`
#	dist/npm/godwit-linux-x64-VERSION.tgz	its platform package
#						`@godwit/linux-x64`
#
# bin/godwit is linked with the static archives of SQLite, libpg_query,
# protobuf-c, jansson and inih; libpq (loaded with dlopen) and everything
# it loads (OpenSSL, GSSAPI, LDAP and theirs) are Debian's own shared
# libraries, copied into lib/ and made to find each other there ($ORIGIN).
# Only glibc is taken from the system it runs on, and the build fails
# when anything needs a library outside glibc and the bundle, or a glibc
# symbol newer than 2.34 (packaging/check-portable.sh).
#
# Environment: GW_DIST_DIR (default: dist in the repository),
# GW_DIST_BUILD (the build folder, default: build-dist in the repository).
# Needs: the build dependencies of the README's first command, patchelf,
# and npm for the npm tarballs.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${GW_DIST_DIR:-$repo/dist}
build=${GW_DIST_BUILD:-$repo/build-dist}

case $(uname -m) in
x86_64) arch=x64 ;;
*)
	echo "build.sh: only x86-64 builds are made here (this is $(uname -m))" >&2
	exit 1
	;;
esac
for tool in cmake patchelf readelf objdump ldd npm; do
	command -v $tool >/dev/null 2>&1 || {
		echo "build.sh: $tool is not installed (see the README's first command)" >&2
		exit 1
	}
done

version=$(sed -n 's/^project(godwit VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
[ -n "$version" ] || {
	echo "build.sh: no version in CMakeLists.txt" >&2
	exit 1
}
name=godwit-$version-linux-$arch
stage=$build/stage/$name

echo "build.sh: building $name in $build"
mkdir -p "$build"
cmake -S "$repo" -B "$build" -DGODWIT_PORTABLE=ON -DGODWIT_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/configure.log" 2>&1 || {
	cat "$build/configure.log" >&2
	exit 1
}
cmake --build "$build" -j2 >"$build/build.log" 2>&1 || {
	cat "$build/build.log" >&2
	exit 1
}
rm -rf "$build/stage"
cmake --install "$build" --prefix "$stage" --strip >/dev/null

# glibc's own libraries come from the system: a copy of one of them would
# not match the system's libc (they share GLIBC_PRIVATE symbols).
is_glibc()
{
	case $1 in
	linux-vdso.so.* | libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | \
		librt.so.* | libresolv.so.* | ld-linux*.so.*) return 0 ;;
	esac
	return 1
}

# Copies a shared library and every library it needs (ldd's whole closure)
# into the stage's lib/, each under its soname, and lists their paths in
# $build/stage/bundled.NAME.
libdir=$stage/lib
bundle()
{
	ldd "$2" | while read -r soname arrow path rest; do
		[ "$arrow" = "=>" ] || continue
		is_glibc "$soname" && continue
		[ -f "$libdir/$soname" ] && continue
		case $path in
		/*) ;;
		*)
			echo "build.sh: $2 needs $soname, which is not installed" >&2
			exit 1
			;;
		esac
		cp -L "$path" "$libdir/$soname"
		echo "$path" >>"$build/stage/bundled.$1"
	done
}
libpq=$(pkg-config --variable=libdir libpq)/libpq.so.5
[ -f "$libpq" ] || {
	echo "build.sh: $libpq is missing (apt-get install libpq5)" >&2
	exit 1
}
cp -L "$libpq" "$libdir/libpq.so.5"
echo "$libpq" >"$build/stage/bundled.libpq"
bundle libpq "$libpq"
: >"$build/stage/bundled.libgodwit"
bundle libgodwit "$libdir/libgodwit.so.$version"
for lib in "$libdir"/*.so.*; do
	[ -L "$lib" ] && continue
	case ${lib##*/} in
	libgodwit.*) ;;
	*)
		chmod 0644 "$lib"
		patchelf --set-rpath '$ORIGIN' "$lib"
		;;
	esac
done

# The licences of what is shipped: the bundled libraries and the archives
# linked into bin/godwit, from their Debian packages.
docdir=$stage/share/doc/godwit/third-party
mkdir -p "$docdir"
archives=
for a in sqlite3 pg_query protobuf-c jansson inih; do
	archives="$archives $(pkg-config --variable=libdir libpq)/lib$a.a"
done
# The Debian package of each file, asked of dpkg once (it is slow): dpkg
# knows a file under /lib or /usr/lib, so both spellings are asked.
shipped=$(cat "$build/stage/bundled.libpq" "$build/stage/bundled.libgodwit")
for file in $shipped $archives; do
	echo "$file"
	readlink -f "$file"
done | sort -u >"$build/stage/files"
dpkg -S $(cat "$build/stage/files") 2>/dev/null | sed 's/:[a-z0-9]*: / /' >"$build/stage/owners" || true
package_of()
{
	pkg=$(awk -v a="$1" -v b="$(readlink -f "$1")" '$2 == a || $2 == b { print $1; exit }' \
		"$build/stage/owners")
	[ -n "$pkg" ] || {
		echo "build.sh: no Debian package owns $1" >&2
		exit 1
	}
	echo "$pkg"
}
for file in $shipped $archives; do
	pkg=$(package_of "$file")
	cp "/usr/share/doc/$pkg/copyright" "$docdir/$pkg.copyright"
done

sh "$repo/packaging/check-portable.sh" "$stage"

mkdir -p "$out"
rm -f "$out/$name.tar.gz"
tar -C "$build/stage" --owner=0 --group=0 -czf "$out/$name.tar.gz" "$name"
echo "build.sh: wrote $out/$name.tar.gz ($(du -k "$out/$name.tar.gz" | cut -f1) KiB)"

# npm: the launcher package and the platform package, each copied from
# packaging/npm with the version filled in; the platform package holds
# the binary and the libraries it loads (npm keeps no symbolic links,
# so the library and headers, and what only they need, stay in the
# tarball).
npmstage=$build/stage/npm
for pkg in godwit linux-$arch; do
	mkdir -p "$npmstage/$pkg"
	cp -R "$repo/packaging/npm/$pkg/." "$npmstage/$pkg/"
	sed "s/@VERSION@/$version/g" "$repo/packaging/npm/$pkg/package.json" \
		>"$npmstage/$pkg/package.json"
done
mkdir -p "$npmstage/linux-$arch/bin" "$npmstage/linux-$arch/lib"
cp "$stage/bin/godwit" "$npmstage/linux-$arch/bin/"
mkdir -p "$npmstage/linux-$arch/third-party"
for file in $(cat "$build/stage/bundled.libpq"); do
	cp "$libdir/$(basename "$file")" "$npmstage/linux-$arch/lib/"
	cp "$docdir/$(package_of "$file").copyright" "$npmstage/linux-$arch/third-party/"
done
for a in libsqlite3-dev libpg-query-dev libprotobuf-c-dev libjansson-dev libinih-dev; do
	cp "$docdir/$a.copyright" "$npmstage/linux-$arch/third-party/"
done
mkdir -p "$out/npm"
for pkg in godwit linux-$arch; do
	(cd "$npmstage/$pkg" && npm pack --silent --pack-destination "$out/npm" >/dev/null)
done
echo "build.sh: wrote $(cd "$out/npm" && ls *-"$version".tgz | tr '\n' ' ')in $out/npm"
