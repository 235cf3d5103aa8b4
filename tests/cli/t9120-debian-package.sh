#!/bin/sh
test_description='the Debian package: lintian finds nothing wrong, apt-get install ./godwit_*.deb on a bare Debian 12 brings its dependencies from Debian, and godwit, its manual and its completion work there, on SQLite and on PostgreSQL over TCP'
# ctest: debian package
. "$(dirname "$0")/lib.sh"

# The .deb comes from packaging/build.sh deb, run once per ctest run by the
# fixture dist/deb into GW_DIST_DIR (tests/cli/CMakeLists.txt). The bare
# system is the cached debootstrap minbase root of t9100
# (tests/cli/bare-root.sh), never written to: the script works in an
# overlay of it (a throwaway upper layer in /tmp), with /proc mounted, the
# host's resolv.conf, and apt's package lists and downloaded packages
# bind-mounted from a cache beside the root (GW_BARE_ROOT_CACHE/apt), so
# that after the first run apt downloads only what changed in Debian. One
# run at a time uses that cache (a lock). Installing needs Debian's mirror
# (GW_BARE_ROOT_MIRROR) and root.
#
# PostgreSQL: over TCP with and without TLS, on a cluster of the script's
# own (tests/cli/tcp-cluster.sh), through Debian's libpq5, which apt
# installs because the package depends on it (the driver loads it with
# dlopen, so dpkg-shlibdeps alone would not have named it; the same goes
# for libmicrohttpd12 and libcurl4, which godwit serve and notifications
# load, Recommends).
. "$TEST_DIRECTORY/tcp-cluster.sh"

command -v debootstrap >/dev/null 2>&1 && test_set_prereq DEBOOTSTRAP
command -v lintian >/dev/null 2>&1 && test_set_prereq LINTIAN

deb=$(ls "${GW_DIST_DIR:-/nonexistent}"/godwit_*_amd64.deb 2>/dev/null | head -n 1)
cache=${GW_BARE_ROOT_CACHE:-/var/cache/godwit-test}
mirror=${GW_BARE_ROOT_MIRROR:-http://deb.debian.org/debian}
OVL=
ROOT=
MOUNTS=

# Runs a command inside the root as root, in /tmp/w, with an environment
# of nothing but PATH, HOME and what apt needs to ask nothing.
in_root()
{
	chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp/w \
		DEBIAN_FRONTEND=noninteractive /bin/sh -c 'cd "$HOME" && exec "$@"' sh "$@"
}

# The mounts, last made first undone.
cleanup()
{
	tcp_pg_stop
	for m in $MOUNTS; do
		umount "$m" || umount -l "$m"
	done
	[ -n "$OVL" ] && rm -rf "$OVL"
	return 0
}
trap '_t9120_rc=$?; cleanup; (exit $_t9120_rc); gw_die' EXIT

test_expect_success LINTIAN 'lintian: no error, no warning' '
	test -n "$deb" &&
	lintian "$deb" >out 2>err &&
	test_cmp /dev/null out
'

# (Only the one check: all of them take half a minute.)
test_expect_success LINTIAN 'lintian does find an error in a package without its copyright file' '
	dpkg-deb -R "$deb" broken &&
	rm broken/usr/share/doc/godwit/copyright &&
	dpkg-deb --root-owner-group -b broken broken.deb >/dev/null &&
	test_expect_code 2 lintian --tags no-copyright-file broken.deb >out 2>err &&
	test_grep "^E: godwit: no-copyright-file\$" out
'

test_expect_success GODWIT 'Depends: what dpkg-shlibdeps found, and what godwit loads with dlopen (libpq5, libsqlite3-0, libpg-query1504.0); Recommends: libmicrohttpd12, libcurl4' '
	test -n "$deb" &&
	dpkg-deb -f "$deb" Package Version Architecture Depends Recommends >actual &&
	cat >expect <<-EOF &&
	Package: godwit
	Version: $(sed -n "s/^project(godwit VERSION \([0-9.]*\).*/\1/p" "$GW_SOURCE_DIR/CMakeLists.txt")
	Architecture: amd64
	Depends: libc6 (>= 2.34), libinih1 (>= 40), libjansson4 (>= 2.14), libpq5 (>= 14~~), libsqlite3-0 (>= 3.38.0), libpg-query1504.0
	Recommends: libmicrohttpd12 (>= 0.9.50), libcurl4 (>= 7.16.2)
	EOF
	test_cmp expect actual
'

test_expect_success GODWIT 'the files: the command, a manual page per page of the build, the completions, the copyright and changelog' '
	dpkg-deb -c "$deb" | awk "\$1 !~ /^d/ { print \$6 }" | sort >actual &&
	{
		echo ./usr/bin/godwit &&
		echo ./usr/share/bash-completion/completions/godwit &&
		echo ./usr/share/doc/godwit/changelog.gz &&
		echo ./usr/share/doc/godwit/copyright &&
		echo ./usr/share/fish/vendor_completions.d/godwit.fish &&
		(cd "$(dirname "$GODWIT")/docs/man1" && ls) | sed "s|^|./usr/share/man/man1/|; s|\$|.gz|" &&
		echo ./usr/share/zsh/vendor-completions/_godwit
	} | sort >expect &&
	test $(grep -c "man1/godwit-.*\.1\.gz" expect) -gt 20 &&
	test_cmp expect actual
'

test_expect_success ROOT,DEBOOTSTRAP 'setup: an overlay of the cached bare root, with apt pointed at Debian' '
	test -n "$deb" &&
	base=$(sh "$TEST_DIRECTORY/bare-root.sh") &&
	mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial" &&
	exec 8>"$cache/apt.lock" &&
	flock 8 &&
	OVL=$(mktemp -d /tmp/godwit-t9120-XXXXXX) &&
	mkdir "$OVL/upper" "$OVL/work" "$OVL/root" &&
	mount -t overlay overlay -o "lowerdir=$base,upperdir=$OVL/upper,workdir=$OVL/work" "$OVL/root" &&
	ROOT=$OVL/root &&
	MOUNTS=$ROOT &&
	mount -t proc proc "$ROOT/proc" &&
	MOUNTS="$ROOT/proc $MOUNTS" &&
	mount --bind "$cache/apt/lists" "$ROOT/var/lib/apt/lists" &&
	MOUNTS="$ROOT/var/lib/apt/lists $MOUNTS" &&
	mount --bind "$cache/apt/archives" "$ROOT/var/cache/apt/archives" &&
	MOUNTS="$ROOT/var/cache/apt/archives $MOUNTS" &&
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf" &&
	echo "deb $mirror bookworm main" >"$ROOT/etc/apt/sources.list" &&
	mkdir -p "$ROOT/tmp/w" &&
	cp "$deb" "$ROOT/tmp/w/" &&
	! in_root dpkg-query -W -f "\${Package} \${Status}\n" libpq5 godwit 2>/dev/null | grep installed
'

test_expect_success ROOT,DEBOOTSTRAP 'apt-get install ./godwit_*.deb installs it, and libpq5, libmicrohttpd12, libcurl4 and the other dependencies from Debian' '
	in_root apt-get -q update >update.log 2>&1 &&
	in_root sh -c "apt-get -q -y install ./godwit_*.deb" >install.log 2>&1 &&
	in_root dpkg-query -W -f "\${Package} \${Status}\n" godwit libpq5 libsqlite3-0 libjansson4 libinih1 \
		libpg-query1504.0 libmicrohttpd12 libcurl4 >actual &&
	cat >expect <<-\EOF &&
	godwit install ok installed
	libcurl4 install ok installed
	libinih1 install ok installed
	libjansson4 install ok installed
	libmicrohttpd12 install ok installed
	libpg-query1504.0 install ok installed
	libpq5 install ok installed
	libsqlite3-0 install ok installed
	EOF
	sort actual >sorted &&
	test_cmp expect sorted
'

test_expect_success ROOT,DEBOOTSTRAP 'godwit version, from the PATH' '
	in_root sh -c "command -v godwit" >actual &&
	echo /usr/bin/godwit >expect &&
	test_cmp expect actual &&
	in_root godwit version >out &&
	sed -n 1p out >first &&
	echo "godwit $(sed -n "s/^project(godwit VERSION \([0-9.]*\).*/\1/p" "$GW_SOURCE_DIR/CMakeLists.txt")" >expect &&
	test_cmp expect first &&
	test_grep "^driver sqlite: SQLite 3\.40\." out &&
	test_grep "^parser: libpg_query 15\." out
'

test_expect_success ROOT,DEBOOTSTRAP 'man godwit and man godwit-up render there' '
	in_root apt-get -q -y install --no-install-recommends man-db >man-db.log 2>&1 &&
	in_root env MANPAGER=cat MANWIDTH=80 man godwit >out 2>err &&
	test_cmp /dev/null err &&
	test_grep "^NAME\$" out &&
	test_grep "^ *godwit - " out &&
	test_grep "godwit-up(1)" out &&
	in_root env MANPAGER=cat MANWIDTH=80 man godwit-up >out 2>err &&
	test_cmp /dev/null err &&
	test_grep "^ *godwit-up - " out
'

test_expect_success ROOT,DEBOOTSTRAP 'the bash completion, as installed, completes a command' '
	in_root bash -c "
		. /usr/share/bash-completion/completions/godwit &&
		COMP_WORDS=(godwit stat) && COMP_CWORD=1 && _godwit &&
		printf \"%s\n\" \"\${COMPREPLY[@]}\"" >actual &&
	echo status >expect &&
	test_cmp expect actual
'

test_expect_success ROOT,DEBOOTSTRAP 'up and status on SQLite there' '
	mkdir -p "$ROOT/tmp/w/db/migrations" &&
	write_migration "$ROOT/tmp/w/db/migrations/20240101000000_users.sql" <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);
	-- migrate:down
	DROP TABLE users;
	EOF
	in_root godwit --url sqlite:app.db up >out &&
	test_grep "^applied 1 migration\$" out &&
	in_root godwit --url sqlite:app.db status >out &&
	awk "{print \$1, \$2, \$3}" out >actual &&
	printf "%s\n" "applied 20240101000000 users" "1 applied, 0" >expect &&
	test_cmp expect actual &&
	test "$(sqlite3 "$ROOT/tmp/w/app.db" "SELECT count(*) FROM sqlite_master WHERE name = ${SQ}users${SQ}")" = 1
'

test_expect_success ROOT,DEBOOTSTRAP,TCPPG 'setup: a PostgreSQL server on 127.0.0.1 with TLS and SCRAM' '
	tcp_pg_start
'

test_expect_success ROOT,DEBOOTSTRAP,TCPPG 'up and status on PostgreSQL over TCP through Debian'"'"'s libpq5, sslmode=disable' '
	url="postgresql://gw_plain:pl41n-s3cret@127.0.0.1:$TCP_PORT/gw_plain?sslmode=disable" &&
	in_root godwit --url "$url" up >out 2>&1 &&
	test_grep "^applied 1 migration\$" out &&
	in_root godwit --url "$url" status >out 2>&1 &&
	awk "{print \$1, \$2, \$3}" out >actual &&
	printf "%s\n" "applied 20240101000000 users" "1 applied, 0" >expect &&
	test_cmp expect actual &&
	test "$(tcp_pg_count gw_plain "SELECT count(*) FROM pg_tables WHERE tablename = ${SQ}users${SQ} AND tableowner = ${SQ}gw_plain${SQ}")" = 1
'

test_expect_success ROOT,DEBOOTSTRAP,TCPPG 'up and status on PostgreSQL over TLS, sslmode=require, and the password is not printed' '
	url="postgresql://gw_tls:tl5-s3cret@127.0.0.1:$TCP_PORT/gw_tls?sslmode=require" &&
	in_root godwit --url "$url" up >out 2>&1 &&
	test_grep "^applied 1 migration\$" out &&
	in_root godwit --url "$url" status >out 2>&1 &&
	awk "{print \$1, \$2, \$3}" out >actual &&
	printf "%s\n" "applied 20240101000000 users" "1 applied, 0" >expect &&
	test_cmp expect actual &&
	test "$(tcp_pg_count gw_tls "SELECT count(*) FROM pg_tables WHERE tablename = ${SQ}users${SQ} AND tableowner = ${SQ}gw_tls${SQ}")" = 1 &&
	test_must_fail in_root godwit --url "${url%%\?*}?sslmode=disable" status >out 2>&1 &&
	test_grep "no pg_hba.conf entry for host \"127.0.0.1\", user \"gw_tls\", database \"gw_tls\", no encryption" out &&
	! grep "tl5-s3cret" out
'

test_done
