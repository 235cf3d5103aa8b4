#!/bin/sh
test_description='the portable build runs on a bare Debian 12 (no compiler, no -dev package, no libpq, no SQLite) on SQLite and on PostgreSQL over TCP, with and without TLS'
# ctest: portable build
. "$(dirname "$0")/lib.sh"

# The tarball comes from packaging/build.sh, run once per ctest run by the
# fixture dist/build into GW_DIST_DIR (tests/cli/CMakeLists.txt). The bare
# system is a debootstrap --variant=minbase root, made once per machine and
# cached (tests/cli/bare-root.sh); this script works in a folder of its own
# inside it and removes it at the end, one run at a time. /proc is mounted
# there, as on every real system: glibc finds $ORIGIN, where the binary
# looks for libpq, through /proc/self/exe. chroot needs root: as another
# user the tests are skipped.
#
# PostgreSQL: over TCP with and without TLS, on a cluster of the
# script's own (tests/cli/tcp-cluster.sh): a run as gw_tls proves the
# handshake went through the bundled OpenSSL.
. "$TEST_DIRECTORY/tcp-cluster.sh"

command -v debootstrap >/dev/null 2>&1 && test_set_prereq DEBOOTSTRAP
command -v curl >/dev/null 2>&1 && test_set_prereq CURL

tarball=$(ls "${GW_DIST_DIR:-/nonexistent}"/godwit-*-linux-x64.tar.gz 2>/dev/null | head -n 1)
ROOT=
CW=
PROC_MOUNTED=

# Runs a command inside the bare root, in the script's folder there, with
# an environment of nothing but PATH and HOME.
in_root()
{
	chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$CW" \
		/bin/sh -c 'cd "$HOME" && exec "$@"' sh "$@"
}

cleanup()
{
	tcp_pg_stop
	[ -n "$ROOT" ] && [ -n "$CW" ] && rm -rf "$ROOT$CW"
	[ -n "$PROC_MOUNTED" ] && umount "$ROOT/proc"
	return 0
}
trap '_t9100_rc=$?; cleanup; (exit $_t9100_rc); gw_die' EXIT

test_expect_success ROOT,DEBOOTSTRAP 'setup: the tarball unpacked in the cached bare root' '
	test -n "$tarball" &&
	ROOT=$(sh "$TEST_DIRECTORY/bare-root.sh") &&
	test -x "$ROOT/bin/sh" &&
	exec 8>"$ROOT.run-lock" &&
	flock 8 &&
	if ! mountpoint -q "$ROOT/proc"; then
		mount -t proc proc "$ROOT/proc" &&
		PROC_MOUNTED=t
	fi &&
	CW=/tmp/godwit-t9100.$$ &&
	rm -rf "$ROOT$CW" &&
	mkdir -p "$ROOT$CW/opt" &&
	tar -C "$ROOT$CW/opt" -xzf "$tarball" &&
	mv "$ROOT$CW"/opt/godwit-*-linux-x64 "$ROOT$CW/opt/godwit" &&
	test -x "$ROOT$CW/opt/godwit/bin/godwit" &&
	test -f "$ROOT$CW/opt/godwit/include/godwit.h" &&
	test -f "$ROOT$CW/opt/godwit/lib/libpq.so.5" &&
	test -f "$ROOT$CW/opt/godwit/lib/libmicrohttpd.so.12"
'

test_expect_success ROOT,DEBOOTSTRAP 'the root is bare: no compiler, no libpq, no SQLite, no -dev package' '
	for f in /usr/bin/cc /usr/bin/gcc /usr/bin/ld /usr/bin/psql /usr/bin/sqlite3; do
		test ! -e "$ROOT$f" || return 1
	done &&
	! ls "$ROOT"/usr/lib/x86_64-linux-gnu/libpq.so* "$ROOT"/usr/lib/x86_64-linux-gnu/libsqlite3.so* \
		"$ROOT"/usr/lib/x86_64-linux-gnu/libssl.so* "$ROOT"/usr/lib/x86_64-linux-gnu/libldap* \
		2>/dev/null &&
	! ls "$ROOT"/var/lib/dpkg/info/ | grep -e "-dev[:.]" &&
	in_root dpkg-query -W -f "\${Package}\n" >packages &&
	! grep -x -e "libpq[0-9]*" -e "libsqlite3-[0-9]*" -e "gcc\(-[0-9]*\)\?" -e "cpp" \
		-e "libssl[0-9]*" -e "libldap.*" -e "libgssapi.*" packages
'

test_expect_success ROOT,DEBOOTSTRAP 'godwit version runs there' '
	in_root opt/godwit/bin/godwit version >out &&
	sed -n 1p out >first &&
	echo "godwit $(sed -n "s/^project(godwit VERSION \([0-9.]*\).*/\1/p" "$GW_SOURCE_DIR/CMakeLists.txt")" >expect &&
	test_cmp expect first &&
	test_grep "^driver sqlite: SQLite 3\." out &&
	test_grep "^parser: libpg_query " out
'

test_expect_success ROOT,DEBOOTSTRAP 'ldd there: nothing outside glibc and the bundle' '
	for f in bin/godwit lib/libpq.so.5 lib/libmicrohttpd.so.12 lib/libcurl.so.4 lib/libgodwit.so.0; do
		in_root ldd "opt/godwit/$f" >>ldd.out || return 1
	done &&
	! grep "not found" ldd.out &&
	grep "=>" ldd.out >resolved &&
	test $(wc -l <resolved) -gt 20 &&
	sed -e "\|=> $CW/opt/godwit/lib/|d" \
		-e "\#^	\(libc\|libm\|libresolv\)\.so\.[0-9]* => /lib/x86_64-linux-gnu/#d" \
		resolved >outside &&
	test_cmp /dev/null outside
'

test_expect_success ROOT,DEBOOTSTRAP 'readelf and objdump: no library but glibc and the bundle, no GLIBC symbol newer than 2.34' '
	sh "$GW_SOURCE_DIR/packaging/check-portable.sh" "$ROOT$CW/opt/godwit" 2>err &&
	test_cmp /dev/null err
'

test_expect_success ROOT,DEBOOTSTRAP,GODWIT 'the check fails on what is not portable' '
	mkdir -p debian/bin &&
	cp "$GODWIT" debian/bin/godwit &&
	test_expect_code 1 sh "$GW_SOURCE_DIR/packaging/check-portable.sh" debian 2>err &&
	test_grep "^check-portable: bin/godwit needs libjansson.so.4, which is neither glibc${SQ}s nor in lib/\$" err &&
	test_expect_code 1 env GW_CHECK_GLIBC_MAX=2.33 \
		sh "$GW_SOURCE_DIR/packaging/check-portable.sh" "$ROOT$CW/opt/godwit" 2>err &&
	test_grep "^check-portable: bin/godwit needs GLIBC_2.34 (newer than 2.33): .*__libc_start_main" err
'

test_expect_success ROOT,DEBOOTSTRAP 'up, status and down on SQLite there' '
	mkdir -p "$ROOT$CW/db/migrations" &&
	write_migration "$ROOT$CW/db/migrations/20240101000000_users.sql" <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);
	-- migrate:down
	DROP TABLE users;
	EOF
	in_root opt/godwit/bin/godwit --url sqlite:app.db up >out &&
	test_grep "^applied 1 migration\$" out &&
	in_root opt/godwit/bin/godwit --url sqlite:app.db status >out &&
	awk "{print \$1, \$2, \$3}" out >actual &&
	cat >expect <<-\EOF &&
	applied 20240101000000 users
	1 applied, 0
	EOF
	test_cmp expect actual &&
	test "$(sqlite3 "$ROOT$CW/app.db" "SELECT count(*) FROM sqlite_master WHERE name = ${SQ}users${SQ}")" = 1 &&
	in_root opt/godwit/bin/godwit --url sqlite:app.db down >out &&
	test_grep "^reverted 1 migration\$" out &&
	test "$(sqlite3 "$ROOT$CW/app.db" "SELECT count(*) FROM sqlite_master WHERE name = ${SQ}users${SQ}")" = 0 &&
	in_root opt/godwit/bin/godwit --url sqlite:app.db status >out &&
	test_grep "^0 applied, 1 pending\$" out
'

test_expect_success ROOT,DEBOOTSTRAP,CURL 'serve runs there, on the bundled libmicrohttpd' '
	# in_root spelt out: $! is then the pid of godwit itself (chroot,
	# env and sh each exec the next), which the kill below must reach.
	{ chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$CW" \
		/bin/sh -c '\''cd "$HOME" && exec "$@"'\'' sh \
		opt/godwit/bin/godwit --url sqlite:app.db serve --listen 127.0.0.1:0 2>serve.err & } &&
	serve_pid=$! &&
	test_when_finished "kill -KILL $serve_pid 2>/dev/null; true" &&
	_i=0 &&
	until grep -q "^godwit: serving" serve.err; do
		_i=$((_i + 1)) &&
		test $_i -lt 100 &&
		sleep 0.1 || return 1
	done &&
	url=$(sed -n "s|.* on \(http://127\.0\.0\.1:[0-9]*\) .*|\1|p" serve.err) &&
	test "$(curl -s -o body -w "%{http_code}" "$url/health/ready")" = 503 &&
	test_grep "1 pending" body &&
	test "$(curl -s -o /dev/null -w "%{http_code}" "$url/health/live")" = 200 &&
	kill -TERM $serve_pid &&
	wait $serve_pid &&
	test_grep "^godwit: SIGTERM received, stopping" serve.err
'

test_expect_success ROOT,DEBOOTSTRAP 'the binary without its lib/ works on SQLite and says libpq is missing, naming the package' '
	mkdir -p "$ROOT$CW/alone" &&
	cp "$ROOT$CW/opt/godwit/bin/godwit" "$ROOT$CW/alone/" &&
	in_root alone/godwit --url sqlite:alone.db status >out &&
	test_grep "^0 applied, 1 pending\$" out &&
	test_expect_code 1 in_root alone/godwit --url "postgresql://u:s3cret@127.0.0.1:1/db" status >out 2>err &&
	test_cmp /dev/null out &&
	cat >expect <<-EOF &&
	godwit: error: cannot load libpq.so.5: libpq.so.5: cannot open shared object file: No such file or directory
	hint: install PostgreSQL${SQ}s client library (Debian: apt-get install libpq5)
	EOF
	test_cmp expect err &&
	test_expect_code 1 in_root alone/godwit --url sqlite:alone.db serve >out 2>err &&
	cat >expect <<-EOF &&
	godwit: error: cannot load libmicrohttpd.so.12: libmicrohttpd.so.12: cannot open shared object file: No such file or directory; install it (Debian: apt-get install libmicrohttpd12)
	EOF
	test_cmp expect err
'

test_expect_success ROOT,DEBOOTSTRAP 'notifications there load the bundled libcurl; without lib/ they are off, with a warning' '
	in_root env GODWIT_NOTIFY_ON=success opt/godwit/bin/godwit --url sqlite:notify.db \
		--notify http://127.0.0.1:1/hook up >out 2>err &&
	test_grep "^applied 1 migration\$" out &&
	cat >expect <<-EOF &&
	godwit: warning: could not notify http://127.0.0.1:1/****: Couldn${SQ}t connect to server (3 attempts)
	EOF
	without_start_lines err >actual &&
	test_cmp expect actual &&
	test_grep "^godwit: applying 20240101000000 users\$" err &&
	in_root env GODWIT_NOTIFY_ON=success alone/godwit --url sqlite:notify.db \
		--notify http://127.0.0.1:1/hook down >out 2>err &&
	test_grep "^reverted 1 migration\$" out &&
	cat >expect <<-EOF &&
	godwit: warning: notifications are off: cannot load libcurl.so.4: libcurl.so.4: cannot open shared object file: No such file or directory
	EOF
	without_start_lines err >actual &&
	test_cmp expect actual &&
	test_grep "^godwit: reverting 20240101000000 users\$" err
'

test_expect_success ROOT,DEBOOTSTRAP,TCPPG 'setup: a PostgreSQL server on 127.0.0.1 with TLS and SCRAM' '
	tcp_pg_start
'

test_expect_success ROOT,DEBOOTSTRAP,TCPPG 'up and status on PostgreSQL over TCP, sslmode=disable' '
	url="postgresql://gw_plain:pl41n-s3cret@127.0.0.1:$TCP_PORT/gw_plain?sslmode=disable" &&
	in_root opt/godwit/bin/godwit --url "$url" up >out 2>&1 &&
	test_grep "^applied 1 migration\$" out &&
	in_root opt/godwit/bin/godwit --url "$url" status >out 2>&1 &&
	awk "{print \$1, \$2, \$3}" out >actual &&
	printf "%s\n" "applied 20240101000000 users" "1 applied, 0" >expect &&
	test_cmp expect actual &&
	test "$(tcp_pg_count gw_plain "SELECT count(*) FROM pg_tables WHERE tablename = ${SQ}users${SQ} AND tableowner = ${SQ}gw_plain${SQ}")" = 1
'

test_expect_success ROOT,DEBOOTSTRAP,TCPPG 'up and status on PostgreSQL over TLS, sslmode=require' '
	url="postgresql://gw_tls:tl5-s3cret@127.0.0.1:$TCP_PORT/gw_tls?sslmode=require" &&
	in_root opt/godwit/bin/godwit --url "$url" up >out 2>&1 &&
	test_grep "^applied 1 migration\$" out &&
	in_root opt/godwit/bin/godwit --url "$url" status >out 2>&1 &&
	awk "{print \$1, \$2, \$3}" out >actual &&
	printf "%s\n" "applied 20240101000000 users" "1 applied, 0" >expect &&
	test_cmp expect actual &&
	test "$(tcp_pg_count gw_tls "SELECT count(*) FROM pg_tables WHERE tablename = ${SQ}users${SQ} AND tableowner = ${SQ}gw_tls${SQ}")" = 1
'

test_expect_success ROOT,DEBOOTSTRAP,TCPPG 'gw_tls without TLS is refused by the server, and the password is not printed' '
	url="postgresql://gw_tls:tl5-s3cret@127.0.0.1:$TCP_PORT/gw_tls?sslmode=disable" &&
	test_must_fail in_root opt/godwit/bin/godwit --url "$url" status >out 2>&1 &&
	test_grep "no pg_hba.conf entry for host \"127.0.0.1\", user \"gw_tls\", database \"gw_tls\", no encryption" out &&
	! grep "tl5-s3cret" out
'

test_done
