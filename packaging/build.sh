#!/bin/sh
#
# packaging/build.sh: the release builds of godwit, on the Debian 12
# machine the project builds on (packaging/README.md says how and why).
#
#	packaging/build.sh [TARGET...]
#
# TARGET is one of (without one: linux-x64 and deb)
#
#	linux-x64	dist/godwit-VERSION-linux-x64.tar.gz: bin/godwit, lib/
#			(libgodwit and the bundled libraries), include/;
#			dist/npm/godwit-VERSION.tgz, the npm launcher package
#			`godwit`, and dist/npm/godwit-linux-x64-VERSION.tgz,
#			its platform package `@godwit/linux-x64`
#	linux-arm64	the same for 64-bit Arm (aarch64), cross-compiled:
#			dist/godwit-VERSION-linux-arm64.tar.gz and
#			dist/npm/godwit-linux-arm64-VERSION.tgz
#	deb		dist/godwit_VERSION_amd64.deb: the command, its manual
#			pages and completions, linked with Debian's libraries
#
# The portable builds link bin/godwit with the static archives of SQLite,
# libpg_query, protobuf-c, jansson and inih; libpq, libmicrohttpd and
# libcurl (loaded with dlopen) and everything they load (OpenSSL, GSSAPI, LDAP,
# GnuTLS and theirs) are Debian's own shared libraries, copied into lib/
# and made to find each other there ($ORIGIN). Only glibc is taken from
# the system it runs on, and the build fails when anything needs a
# library outside glibc and the bundle, or a glibc symbol newer than 2.34
# (packaging/check-portable.sh).
#
# The .deb is an ordinary Debian build instead: the shared libraries of
# Debian 12, its Depends computed by dpkg-shlibdeps, plus libpq5, which
# the PostgreSQL driver loads with dlopen (so no tool can see it), and
# libmicrohttpd12 and libcurl4, which godwit serve and notifications load
# so, as Recommends.
#
# Environment: GW_DIST_DIR (default: dist in the repository),
# GW_DIST_BUILD (the build folder, default: build-dist in the repository;
# each target builds in a folder of its own there), GW_DIST_IF_INSTALLED
# (set: linux-arm64 without the cross compiler is left out, with a
# message, instead of failing).
# Needs: the build dependencies of the README's first command (patchelf,
# npm and dpkg-dev among them); linux-arm64 needs Debian's cross compiler,
# the :arm64 libraries and qemu-user (packaging/README.md lists them).
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${GW_DIST_DIR:-$repo/dist}
build=${GW_DIST_BUILD:-$repo/build-dist}

die()
{
	echo "build.sh: $*" >&2
	exit 1
}

[ "$(uname -m)" = x86_64 ] || die "builds are made on x86-64 only (this is $(uname -m))"
targets=${*:-linux-x64 deb}
for target in $targets; do
	case $target in
	linux-x64 | linux-arm64 | deb) ;;
	*) die "unknown target $target (linux-x64, linux-arm64 or deb)" ;;
	esac
done

version=$(sed -n 's/^project(godwit VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
[ -n "$version" ] || die "no version in CMakeLists.txt"

need()
{
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 ||
			die "$tool is not installed (see the README's first command and packaging/README.md)"
	done
}

# Configures and builds the tree $1 with the cmake options that follow,
# keeping the logs there and printing them when a step fails.
cmake_build()
{
	dir=$1
	shift
	mkdir -p "$dir"
	cmake -S "$repo" -B "$dir" -DGODWIT_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" \
		>"$dir/configure.log" 2>&1 || {
		cat "$dir/configure.log" >&2
		exit 1
	}
	cmake --build "$dir" -j2 >"$dir/build.log" 2>&1 || {
		cat "$dir/build.log" >&2
		exit 1
	}
}

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

# The Debian package that owns each of the files listed in $1, written
# to $1.owners, asked of dpkg once (it is slow). dpkg knows a file by the
# path its package installs it at, which may be under /lib or /usr/lib
# (the same folder since the /usr merge), and through a symbolic link or
# not: every spelling is asked.
spellings()
{
	for f in "$1" "$(readlink -f "$1")"; do
		echo "$f"
		case $f in
		/usr/lib/*) echo "${f#/usr}" ;;
		/lib/*) echo "/usr$f" ;;
		esac
	done
}
find_owners()
{
	while read -r file; do
		spellings "$file"
	done <"$1" | sort -u >"$1.all"
	dpkg -S $(cat "$1.all") 2>/dev/null | sed 's/:[a-z0-9]*: / /' >"$1.owners" || true
}
package_of()
{
	pkg=$(spellings "$2" | awk 'NR == FNR { want[$1] = 1; next } ($2 in want) { print $1; exit }' \
		- "$1.owners")
	[ -n "$pkg" ] || die "no Debian package owns $2"
	echo "$pkg"
}

# The portable build for $1 (x64 or arm64): the tarball and the npm
# packages.
portable()
{
	arch=$1
	case $arch in
	x64)
		triplet=x86_64-linux-gnu
		toolchain=
		;;
	arm64)
		triplet=aarch64-linux-gnu
		toolchain=-DCMAKE_TOOLCHAIN_FILE=$repo/packaging/cross/aarch64-linux-gnu.cmake
		if [ -n "${GW_DIST_IF_INSTALLED:-}" ] && ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then
			echo "build.sh: linux-arm64 not built: the cross compiler is not installed (packaging/README.md)"
			rm -f "$out/godwit-$version-linux-arm64.tar.gz" "$out/npm/godwit-linux-arm64-$version.tgz"
			return 0
		fi
		need aarch64-linux-gnu-gcc aarch64-linux-gnu-objdump qemu-aarch64
		for f in libpq.so.5 libmicrohttpd.so.12 libcurl.so.4 libsqlite3.a libpg_query.a \
			libprotobuf-c.a libjansson.a libinih.a; do
			[ -f "/usr/lib/$triplet/$f" ] ||
				die "/usr/lib/$triplet/$f is missing: the arm64 build needs Debian's :arm64 packages (packaging/README.md)"
		done
		;;
	esac
	need cmake patchelf readelf npm
	name=godwit-$version-linux-$arch
	dir=$build/linux-$arch
	stage=$dir/stage/$name

	echo "build.sh: building $name in $dir"
	cmake_build "$dir" -DGODWIT_PORTABLE=ON $toolchain
	rm -rf "$dir/stage"
	cmake --install "$dir" --prefix "$stage" --strip >/dev/null

	# Copies libpq and every library it needs, through readelf's NEEDED
	# entries, from Debian's multiarch folders into the stage's lib/, each
	# under its soname, listing their paths in $dir/stage/bundled.libpq;
	# then what libgodwit.so needs (SQLite, libpg_query, inih), in
	# $dir/stage/bundled.libgodwit.
	libdir=$stage/lib
	bundle()
	{
		for soname in $(readelf -d "$2" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			is_glibc "$soname" && continue
			[ -f "$libdir/$soname" ] && continue
			path=
			for d in /usr/lib/$triplet /lib/$triplet; do
				[ -f "$d/$soname" ] && path=$d/$soname && break
			done
			[ -n "$path" ] || die "$2 needs $soname, which is not installed"
			cp -L "$path" "$libdir/$soname"
			echo "$path" >>"$dir/stage/bundled.$1"
			bundle "$1" "$path"
		done
	}
	libpq=/usr/lib/$triplet/libpq.so.5
	[ -f "$libpq" ] || die "$libpq is missing (apt-get install libpq5)"
	cp -L "$libpq" "$libdir/libpq.so.5"
	echo "$libpq" >"$dir/stage/bundled.libpq"
	bundle libpq "$libpq"
	# libmicrohttpd, which godwit serve loads with dlopen when it starts
	# (src/cli/mhd.h), and what it needs that libpq did not.
	mhd=/usr/lib/$triplet/libmicrohttpd.so.12
	[ -f "$mhd" ] || die "$mhd is missing (apt-get install libmicrohttpd12)"
	cp -L "$mhd" "$libdir/libmicrohttpd.so.12"
	echo "$mhd" >"$dir/stage/bundled.libmicrohttpd"
	bundle libmicrohttpd "$mhd"
	# libcurl likewise, loaded with dlopen by notifications (src/lib/curl.c).
	libcurl=/usr/lib/$triplet/libcurl.so.4
	[ -f "$libcurl" ] || die "$libcurl is missing (apt-get install libcurl4)"
	cp -L "$libcurl" "$libdir/libcurl.so.4"
	echo "$libcurl" >"$dir/stage/bundled.libcurl"
	bundle libcurl "$libcurl"
	: >"$dir/stage/bundled.libgodwit"
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

	# The licences of what is shipped: the bundled libraries and the
	# archives linked into bin/godwit, from their Debian packages.
	docdir=$stage/share/doc/godwit/third-party
	mkdir -p "$docdir"
	cat "$dir/stage/bundled.libpq" "$dir/stage/bundled.libmicrohttpd" \
		"$dir/stage/bundled.libcurl" "$dir/stage/bundled.libgodwit" >"$dir/stage/files"
	for a in sqlite3 pg_query protobuf-c jansson inih; do
		echo "/usr/lib/$triplet/lib$a.a"
	done >>"$dir/stage/files"
	find_owners "$dir/stage/files"
	while read -r file; do
		pkg=$(package_of "$dir/stage/files" "$file")
		cp "/usr/share/doc/$pkg/copyright" "$docdir/$pkg.copyright"
	done <"$dir/stage/files"

	GW_CHECK_OBJDUMP=${triplet}-objdump sh "$repo/packaging/check-portable.sh" "$stage"

	mkdir -p "$out"
	rm -f "$out/$name.tar.gz"
	tar -C "$dir/stage" --owner=0 --group=0 -czf "$out/$name.tar.gz" "$name"
	echo "build.sh: wrote $out/$name.tar.gz ($(du -k "$out/$name.tar.gz" | cut -f1) KiB)"

	# npm: the launcher package and the platform package, each copied from
	# packaging/npm with the version filled in; the platform package holds
	# the binary and the libraries it loads (npm keeps no symbolic links,
	# so the library and headers, and what only they need, stay in the
	# tarball).
	npmstage=$dir/stage/npm
	for pkg in godwit linux-$arch; do
		mkdir -p "$npmstage/$pkg"
		cp -R "$repo/packaging/npm/$pkg/." "$npmstage/$pkg/"
		sed "s/@VERSION@/$version/g" "$repo/packaging/npm/$pkg/package.json" \
			>"$npmstage/$pkg/package.json"
	done
	mkdir -p "$npmstage/linux-$arch/bin" "$npmstage/linux-$arch/lib"
	cp "$stage/bin/godwit" "$npmstage/linux-$arch/bin/"
	mkdir -p "$npmstage/linux-$arch/third-party"
	for file in $(cat "$dir/stage/bundled.libpq" "$dir/stage/bundled.libmicrohttpd" \
		"$dir/stage/bundled.libcurl"); do
		cp "$libdir/$(basename "$file")" "$npmstage/linux-$arch/lib/"
		cp "$docdir/$(package_of "$dir/stage/files" "$file").copyright" \
			"$npmstage/linux-$arch/third-party/"
	done
	for a in libsqlite3-dev libpg-query-dev libprotobuf-c-dev libjansson-dev libinih-dev; do
		cp "$docdir/$a.copyright" "$npmstage/linux-$arch/third-party/"
	done
	mkdir -p "$out/npm"
	for pkg in godwit linux-$arch; do
		(cd "$npmstage/$pkg" && npm pack --silent --pack-destination "$out/npm" >/dev/null)
	done
	echo "build.sh: wrote godwit-$version.tgz godwit-linux-$arch-$version.tgz in $out/npm"
}

# "$1 (>= VERSION)": the Debian package $1, of a library godwit loads
# with dlopen, in the oldest version that has every function the header
# $2 lists in its X(type, name, args) table, by the package's symbols
# file; "$1" alone when the symbols file gives every one version 0 (any:
# libpg_query's package, whose name already carries its ABI).
dlopened()
{
	symbols=$(ls "/var/lib/dpkg/info/$1:$arch.symbols" "/var/lib/dpkg/info/$1.symbols" \
		2>/dev/null | head -n 1)
	[ -n "$symbols" ] || die "the symbols file of $1 is missing (apt-get install $1)"
	min=0
	found=0
	for fn in $(sed -n 's/^[ \t]*X([^,]*, \([A-Za-z_][A-Za-z0-9_]*\),.*/\1/p' "$repo/$2"); do
		# NAME@Base, or NAME@VERSION for libraries with versioned
		# symbols (libcurl4's CURL_OPENSSL_4).
		v=$(awk -v s="$fn@" 'index($1, s) == 1 { print $2; exit }' "$symbols")
		[ -n "$v" ] || die "$fn, which $2 loads, is not in $symbols"
		dpkg --compare-versions "$v" gt "$min" && min=$v
		found=1
	done
	[ "$found" = 1 ] || die "no function found in $2"
	if [ "$min" = 0 ]; then
		echo "$1"
	else
		echo "$1 (>= $min)"
	fi
}

# The Debian package: built with Debian's hardening flags, installed into
# a staging root under /usr, with the files Debian's policy asks for
# (compressed manual pages, the copyright file, the changelog) from
# packaging/debian, and the control file filled in. It holds the command
# only: libgodwit and its headers would be packages of their own
# (libgodwit0, libgodwit-dev), and ship in the tarball meanwhile.
deb()
{
	need cmake dpkg-deb dpkg-shlibdeps dpkg-buildflags gzip
	arch=$(dpkg --print-architecture)
	dir=$build/deb
	root=$dir/root
	file=godwit_${version}_$arch.deb
	changelog_version=$(sed -n '1s/^godwit (\([^)]*\)).*/\1/p' "$repo/packaging/debian/changelog")
	[ "$changelog_version" = "$version" ] ||
		die "packaging/debian/changelog starts at $changelog_version, CMakeLists.txt says $version: add an entry"

	echo "build.sh: building $file in $dir"
	export DEB_BUILD_MAINT_OPTIONS=hardening=+all
	cmake_build "$dir" -DCMAKE_INSTALL_PREFIX=/usr \
		"-DCMAKE_C_FLAGS=$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
		"-DCMAKE_EXE_LINKER_FLAGS=$(dpkg-buildflags --get LDFLAGS)" \
		"-DCMAKE_SHARED_LINKER_FLAGS=$(dpkg-buildflags --get LDFLAGS)"
	rm -rf "$root"
	DESTDIR=$root cmake --install "$dir" --strip >/dev/null
	rm -rf "$root/usr/include" "$root/usr/lib"
	# What dh_strip also removes: the compiler's version notes.
	strip --remove-section=.comment --remove-section=.note "$root/usr/bin/godwit"
	gzip -9n "$root"/usr/share/man/man1/*.1
	doc=$root/usr/share/doc/godwit
	mkdir -p "$doc"
	cp "$repo/packaging/debian/copyright" "$doc/copyright"
	gzip -9nc "$repo/packaging/debian/changelog" >"$doc/changelog.gz"
	find "$root" -type d -exec chmod 0755 {} +
	find "$root" -type f -exec chmod 0644 {} +
	chmod 0755 "$root/usr/bin/godwit"

	# dpkg-shlibdeps reads debian/control of the source it is run in: a
	# minimal one is enough.
	mkdir -p "$dir/src/debian"
	printf 'Source: godwit\n\nPackage: godwit\nArchitecture: any\n' >"$dir/src/debian/control"
	shlibs=$(cd "$dir/src" && dpkg-shlibdeps -O "$root/usr/bin/godwit" 2>"$dir/shlibdeps.log") || {
		cat "$dir/shlibdeps.log" >&2
		exit 1
	}
	shlibs=${shlibs#shlibs:Depends=}
	# What godwit loads with dlopen, which dpkg-shlibdeps cannot see:
	# libpq5 (the PostgreSQL driver) is a dependency, libmicrohttpd12
	# (godwit serve alone) and libcurl4 (notifications) recommendations.
	depends="$shlibs, $(dlopened libpq5 src/drivers/pq.h)"
	# SQLite and libpg_query, loaded on first use (src/drivers/sq.h,
	# src/lib/sql/pgq.h) by the sonames CMakeLists.txt found; Debian names
	# a library's package after its soname (a "-" before a version that
	# follows a digit).
	for lib in SQLITE:src/drivers/sq.h PGQUERY:src/lib/sql/pgq.h; do
		soname=$(sed -n "s/^GW_${lib%%:*}_SONAME:INTERNAL=//p" "$dir/CMakeCache.txt")
		[ -n "$soname" ] || continue
		pkg=$(echo "$soname" | sed 's/^lib\(.*[0-9]\)\.so\.\(.*\)$/lib\1-\2/; s/^lib\(.*\)\.so\.\(.*\)$/lib\1\2/; s/_/-/g')
		depends="$depends, $(dlopened "$pkg" "${lib#*:}")"
	done
	recommends="$(dlopened libmicrohttpd12 src/cli/mhd.h), $(dlopened libcurl4 src/lib/curl.h)"
	mkdir -p "$root/DEBIAN"
	maintainer=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$repo/packaging/debian/changelog" | head -n 1)
	size=$(du -k -s --exclude=DEBIAN "$root" | cut -f1)
	sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$size/" \
		-e "s|@MAINTAINER@|$maintainer|" -e "s/@DEPENDS@/$depends/" \
		-e "s/@RECOMMENDS@/$recommends/" \
		"$repo/packaging/debian/control.in" >"$root/DEBIAN/control"
	(cd "$root" && find usr -type f -exec md5sum {} + | sort -k 2) >"$root/DEBIAN/md5sums"
	chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

	mkdir -p "$out"
	rm -f "$out/$file"
	dpkg-deb --root-owner-group -Zxz --build "$root" "$out/$file" >/dev/null
	echo "build.sh: wrote $out/$file ($(du -k "$out/$file" | cut -f1) KiB)"
	echo "build.sh: Depends: $depends; Recommends: $recommends"
}

for target in $targets; do
	case $target in
	linux-x64) portable x64 ;;
	linux-arm64) portable arm64 ;;
	deb) deb ;;
	esac
done
