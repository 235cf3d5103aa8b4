#!/bin/sh
#
# pg-cluster.sh: start and stop the throwaway PostgreSQL cluster that the CLI
# tests (the ctest fixture `pg`) and the benchmark harness run against.
#
#   pg-cluster.sh start DIR    initdb + pg_ctl start; writes DIR/url
#   pg-cluster.sh stop DIR     stops the cluster and removes its data
#   pg-cluster.sh halt DIR     stops the server at once (-m immediate, as a
#                              crash would), keeping its data
#   pg-cluster.sh resume DIR   starts a halted server again (crash recovery)
#
# The cluster lives in its own folder under /tmp (or a short $TMPDIR), with
# its Unix socket there and no TCP listener, so several clusters (a test run
# and a benchmark, say) can run side by side on one port number. DIR, which
# may be deep in a build tree, only holds small files: `url` (a libpq URL of
# the `postgres` database as the superuser `postgres`), `root` (the folder of
# the cluster) and `bindir` (the server's programs).
#
# As root, initdb, pg_ctl and postgres run as the unprivileged `postgres`
# user, as PostgreSQL refuses to run as root. When GODWIT_TEST_PG_URL is set,
# the tests use that server and this script does nothing.
# GODWIT_TEST_PG_BINDIR overrides the server programs' folder (default: the
# newest /usr/lib/postgresql/*/bin).
set -eu

usage()
{
	echo "usage: $0 start|stop|halt|resume DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
action=$1
dir=$2
case $dir in
/*) ;;
*) dir=$(pwd)/$dir ;;
esac

if [ -n "${GODWIT_TEST_PG_URL:-}" ]; then
	echo "pg-cluster: GODWIT_TEST_PG_URL is set; using that server"
	exit 0
fi

# Quotes a string for the shell: 'it'\''s'.
sq()
{
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

is_root()
{
	[ "$(id -u)" = 0 ]
}

# Runs a shell command line as the user that owns the cluster.
as_owner()
{
	if is_root; then
		su postgres -s /bin/sh -c "cd / && $1"
	else
		sh -c "$1"
	fi
}

find_bindir()
{
	if [ -n "${GODWIT_TEST_PG_BINDIR:-}" ]; then
		echo "$GODWIT_TEST_PG_BINDIR"
		return
	fi
	found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$found" ] || [ ! -x "$found/initdb" ]; then
		echo "pg-cluster: no PostgreSQL server found in /usr/lib/postgresql/*/bin" >&2
		echo "pg-cluster: install the postgresql package or set GODWIT_TEST_PG_URL" >&2
		exit 1
	fi
	echo "$found"
}

stop_cluster()
{
	[ -f "$dir/root" ] || return 0
	root=$(cat "$dir/root")
	bindir=$(cat "$dir/bindir" 2>/dev/null || find_bindir)
	case $root in
	*/godwit-test-pg-*) ;;
	*)
		echo "pg-cluster: $dir/root names '$root', which is not a test cluster" >&2
		exit 1
		;;
	esac
	if [ -f "$root/data/postmaster.pid" ]; then
		# The data is thrown away, so there is nothing to shut down cleanly.
		as_owner "$(sq "$bindir/pg_ctl") -D $(sq "$root/data") -m immediate -w -t 60 stop" \
			>/dev/null 2>&1 || true
	fi
	rm -rf "$root"
	rm -f "$dir/url" "$dir/root" "$dir/bindir"
	echo "pg-cluster: stopped and removed $root"
}

start_cluster()
{
	bindir=$(find_bindir)
	stop_cluster
	mkdir -p "$dir"

	# A socket path is limited to 107 bytes, so the cluster stays near /.
	base=${TMPDIR:-/tmp}
	if [ ${#base} -gt 40 ] || [ ! -d "$base" ]; then
		base=/tmp
	fi
	root=$(mktemp -d "$base/godwit-test-pg-XXXXXX")
	echo "$root" >"$dir/root"
	echo "$bindir" >"$dir/bindir"
	if is_root; then
		chown postgres: "$root"
	fi
	chmod 0700 "$root"

	if ! as_owner "$(sq "$bindir/initdb") -D $(sq "$root/data") -U postgres -A trust \
		-E UTF8 --locale=C --no-sync --no-instructions" >"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log" >&2
		echo "pg-cluster: initdb failed" >&2
		exit 1
	fi

	# Durability is worth nothing for a cluster that lives one test run.
	as_owner "cat >>$(sq "$root/data/postgresql.conf")" <<EOF

# godwit test cluster
listen_addresses = ''
unix_socket_directories = '$root'
port = 5432
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_min_error_statement = panic
EOF

	if ! as_owner "$(sq "$bindir/pg_ctl") -D $(sq "$root/data") -l $(sq "$root/server.log") \
		-w -t 60 start" >"$dir/pg_ctl.log" 2>&1; then
		cat "$dir/pg_ctl.log" >&2
		cat "$root/server.log" >&2 || true
		echo "pg-cluster: the server did not start" >&2
		exit 1
	fi

	url="postgresql:///postgres?host=$root&port=5432&user=postgres"
	if ! psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$url" -c 'SELECT 1' >/dev/null; then
		echo "pg-cluster: the server started but does not answer on $url" >&2
		exit 1
	fi
	echo "$url" >"$dir/url"
	echo "pg-cluster: $("$bindir/postgres" --version) running at $url"
}

# The tests that stop the server in the middle of a migration (the fault
# tests) do it to a cluster of their own, never to the shared one.
halt_cluster()
{
	root=$(cat "$dir/root")
	bindir=$(cat "$dir/bindir")
	as_owner "$(sq "$bindir/pg_ctl") -D $(sq "$root/data") -m immediate -w -t 60 stop" \
		>>"$dir/pg_ctl.log" 2>&1
}

resume_cluster()
{
	root=$(cat "$dir/root")
	bindir=$(cat "$dir/bindir")
	if ! as_owner "$(sq "$bindir/pg_ctl") -D $(sq "$root/data") -l $(sq "$root/server.log") \
		-w -t 60 start" >>"$dir/pg_ctl.log" 2>&1; then
		tail -n 20 "$root/server.log" >&2 || true
		echo "pg-cluster: the server did not start again" >&2
		exit 1
	fi
}

case $action in
start) start_cluster ;;
stop) stop_cluster ;;
halt) halt_cluster ;;
resume) resume_cluster ;;
*) usage ;;
esac
