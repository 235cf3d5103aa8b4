#!/bin/sh
test_description='the linux-arm64 build: portable, and it runs under qemu on SQLite and, through its bundled arm64 libpq and OpenSSL, on PostgreSQL over TCP with and without TLS'
# ctest: arm64 build
. "$(dirname "$0")/lib.sh"

# The tarball comes from packaging/build.sh linux-arm64, run once per ctest
# run by the fixture dist/arm64 when Debian's cross compiler is installed
# (tests/cli/CMakeLists.txt; packaging/README.md lists the packages). The
# binary runs through qemu's user-mode emulator (qemu-aarch64, package
# qemu-user) with Debian's arm64 glibc (libc6:arm64): the machine has no
# binfmt_misc, so it is started through qemu-aarch64 by name. glibc's
# LD_DEBUG=libs, passed to the emulated program with -E, shows which file
# each library was loaded from, which proves the bundled libpq (not the
# machine's libpq5:arm64) connected.
#
# PostgreSQL: a cluster of the script's own (tests/cli/tcp-cluster.sh).
. "$TEST_DIRECTORY/tcp-cluster.sh"

tarball=$(ls "${GW_DIST_DIR:-/nonexistent}"/godwit-*-linux-arm64.tar.gz 2>/dev/null | head -n 1)
platform=$(ls "${GW_DIST_DIR:-/nonexistent}"/npm/godwit-linux-arm64-[0-9]*.tgz 2>/dev/null | head -n 1)
[ -n "$tarball" ] && [ -n "$platform" ] && command -v qemu-aarch64 >/dev/null 2>&1 &&
	[ -e /lib/ld-linux-aarch64.so.1 ] && test_set_prereq ARM64

trap '_t9130_rc=$?; tcp_pg_stop; (exit $_t9130_rc); gw_die' EXIT

# Runs the arm64 godwit with the arguments given.
gw64()
{
	qemu-aarch64 "$TRASH_DIRECTORY/opt/godwit/bin/godwit" "$@"
}

test_expect_success ARM64 'setup: the tarball unpacked' '
	mkdir opt &&
	tar -C opt -xzf "$tarball" &&
	mv opt/godwit-*-linux-arm64 opt/godwit &&
	test -f opt/godwit/include/godwit.h &&
	readelf -h opt/godwit/bin/godwit opt/godwit/lib/libpq.so.5 >header &&
	test $(grep -c "^ *Machine: *AArch64\$" header) = 2
'

test_expect_success ARM64 'readelf and objdump: no library but glibc and the bundle, no GLIBC symbol newer than 2.34' '
	GW_CHECK_OBJDUMP=aarch64-linux-gnu-objdump \
		sh "$GW_SOURCE_DIR/packaging/check-portable.sh" opt/godwit 2>err &&
	test_cmp /dev/null err &&
	readelf -d opt/godwit/bin/godwit >dynamic &&
	test_grep "(RUNPATH).*\[\$ORIGIN/../lib\]" dynamic
'

test_expect_success ARM64 'the npm platform package holds the same binary, with os linux and cpu arm64' '
	tar -xzf "$platform" &&
	cmp package/bin/godwit opt/godwit/bin/godwit &&
	cmp package/lib/libpq.so.5 opt/godwit/lib/libpq.so.5 &&
	test_grep "\"name\": \"@godwit/linux-arm64\"" package/package.json &&
	test_grep "\"cpu\": \[\"arm64\"\]" package/package.json &&
	test_grep "\"os\": \[\"linux\"\]" package/package.json
'

test_expect_success ARM64 'godwit version runs' '
	gw64 version >out &&
	sed -n 1p out >first &&
	echo "godwit $(sed -n "s/^project(godwit VERSION \([0-9.]*\).*/\1/p" "$GW_SOURCE_DIR/CMakeLists.txt")" >expect &&
	test_cmp expect first &&
	test_grep "^driver sqlite: SQLite 3\." out &&
	test_grep "^parser: libpg_query " out
'

test_expect_success ARM64 'up, status and down on SQLite' '
	mkdir -p db/migrations &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);
	-- migrate:down
	DROP TABLE users;
	EOF
	gw64 --url sqlite:app.db up >out &&
	test_grep "^applied 1 migration\$" out &&
	gw64 --url sqlite:app.db status >out &&
	awk "{print \$1, \$2, \$3}" out >actual &&
	printf "%s\n" "applied 20240101000000 users" "1 applied, 0" >expect &&
	test_cmp expect actual &&
	test "$(sqlite3 app.db "SELECT count(*) FROM sqlite_master WHERE name = ${SQ}users${SQ}")" = 1 &&
	gw64 --url sqlite:app.db down >out &&
	test_grep "^reverted 1 migration\$" out &&
	test "$(sqlite3 app.db "SELECT count(*) FROM sqlite_master WHERE name = ${SQ}users${SQ}")" = 0
'

test_expect_success ARM64,TCPPG 'setup: a PostgreSQL server on 127.0.0.1 with TLS and SCRAM' '
	tcp_pg_start
'

test_expect_success ARM64,TCPPG 'up and status on PostgreSQL over TCP, sslmode=disable, through the bundled libpq' '
	url="postgresql://gw_plain:pl41n-s3cret@127.0.0.1:$TCP_PORT/gw_plain?sslmode=disable" &&
	qemu-aarch64 -E LD_DEBUG=libs opt/godwit/bin/godwit --url "$url" up >out 2>debug &&
	test_grep "^applied 1 migration\$" out &&
	test_grep "calling init: $TRASH_DIRECTORY/opt/godwit/bin/../lib/libpq.so.5\$" debug &&
	! grep "calling init: .*/usr/lib/aarch64-linux-gnu/libpq" debug &&
	gw64 --url "$url" status >out 2>&1 &&
	awk "{print \$1, \$2, \$3}" out >actual &&
	printf "%s\n" "applied 20240101000000 users" "1 applied, 0" >expect &&
	test_cmp expect actual &&
	test "$(tcp_pg_count gw_plain "SELECT count(*) FROM pg_tables WHERE tablename = ${SQ}users${SQ} AND tableowner = ${SQ}gw_plain${SQ}")" = 1
'

test_expect_success ARM64,TCPPG 'up and status on PostgreSQL over TLS, sslmode=require, through the bundled OpenSSL' '
	url="postgresql://gw_tls:tl5-s3cret@127.0.0.1:$TCP_PORT/gw_tls?sslmode=require" &&
	qemu-aarch64 -E LD_DEBUG=libs opt/godwit/bin/godwit --url "$url" up >out 2>debug &&
	test_grep "^applied 1 migration\$" out &&
	test_grep "calling init: $TRASH_DIRECTORY/opt/godwit/bin/../lib/libssl.so.3\$" debug &&
	! grep "calling init: .*/usr/lib/aarch64-linux-gnu/lib\(pq\|ssl\|crypto\)" debug &&
	gw64 --url "$url" status >out 2>&1 &&
	awk "{print \$1, \$2, \$3}" out >actual &&
	printf "%s\n" "applied 20240101000000 users" "1 applied, 0" >expect &&
	test_cmp expect actual &&
	test "$(tcp_pg_count gw_tls "SELECT count(*) FROM pg_tables WHERE tablename = ${SQ}users${SQ} AND tableowner = ${SQ}gw_tls${SQ}")" = 1 &&
	test_must_fail gw64 --url "${url%%\?*}?sslmode=disable" status >out 2>&1 &&
	test_grep "no pg_hba.conf entry for host \"127.0.0.1\", user \"gw_tls\", database \"gw_tls\", no encryption" out &&
	! grep "tl5-s3cret" out
'

test_done
