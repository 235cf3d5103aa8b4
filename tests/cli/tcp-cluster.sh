# tcp-cluster.sh: a PostgreSQL cluster on 127.0.0.1 with TLS and SCRAM, for
# the tests that run godwit inside a chroot (sourced after lib.sh).
#
# The suite's cluster listens on a Unix socket of the host only, which a
# chroot cannot see, so such a script starts a cluster of its own on
# 127.0.0.1 (a free port), with TLS on (a self-signed certificate made with
# openssl) and SCRAM passwords: the role gw_plain (password pl41n-s3cret)
# may only connect without TLS, gw_tls (tl5-s3cret) only with it, so a run
# as gw_tls proves the handshake went through the libpq and OpenSSL under
# test. Each owns a database of its name.
#
#	tcp_pg_start		initdb + start; sets TCP_PG (its folder) and TCP_PORT
#	tcp_pg_count DB SQL	the single value of SQL run as postgres in DB
#	tcp_pg_stop		stops the server and removes its folder (safe to
#				call when it never started: from an EXIT trap)
#
# Prerequisites TCPPG (the server programs, psql and openssl are
# installed) and ROOT (the server runs as the user postgres).

TCP_PG=
TCP_PORT=
tcp_pg_bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -n "$tcp_pg_bindir" ] && [ -x "$tcp_pg_bindir/initdb" ] &&
	command -v openssl >/dev/null 2>&1 && test_have_prereq PSQL; then
	test_set_prereq TCPPG
fi

tcp_pg_as_postgres()
{
	su postgres -s /bin/sh -c "cd / && $1"
}

tcp_pg_start()
{
	TCP_PG=$(mktemp -d "/tmp/godwit-$TEST_NUMBER-pg-XXXXXX") &&
	chown postgres: "$TCP_PG" &&
	tcp_pg_as_postgres "'$tcp_pg_bindir/initdb' -D '$TCP_PG/data' -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions" \
		>"$TCP_PG/initdb.log" 2>&1 &&
	openssl req -new -x509 -days 2 -nodes -subj /CN=127.0.0.1 \
		-keyout "$TCP_PG/data/server.key" -out "$TCP_PG/data/server.crt" 2>"$TCP_PG/openssl.log" &&
	chown postgres: "$TCP_PG/data/server.key" "$TCP_PG/data/server.crt" &&
	chmod 0600 "$TCP_PG/data/server.key" &&
	cat >"$TCP_PG/data/pg_hba.conf" <<-\EOF &&
	local all postgres trust
	hostnossl all gw_plain 127.0.0.1/32 scram-sha-256
	hostssl all gw_tls 127.0.0.1/32 scram-sha-256
	EOF
	TCP_PORT=$((20000 + $$ % 20000)) &&
	_tcp_tries=0 &&
	until
		cat >"$TCP_PG/data/postgresql.auto.conf" <<-EOF &&
		listen_addresses = '127.0.0.1'
		port = $TCP_PORT
		unix_socket_directories = '$TCP_PG'
		ssl = on
		fsync = off
		password_encryption = 'scram-sha-256'
		EOF
		tcp_pg_as_postgres "'$tcp_pg_bindir/pg_ctl' -D '$TCP_PG/data' -l '$TCP_PG/server.log' -w -t 30 start" \
			>"$TCP_PG/pg_ctl.log" 2>&1
	do
		_tcp_tries=$((_tcp_tries + 1)) &&
		test $_tcp_tries -lt 10 &&
		TCP_PORT=$((TCP_PORT + 1)) || return 1
	done &&
	psql -X -q -v ON_ERROR_STOP=1 -d "postgresql:///postgres?host=$TCP_PG&port=$TCP_PORT&user=postgres" \
		>/dev/null <<-\EOF
	CREATE ROLE gw_plain LOGIN PASSWORD $$pl41n-s3cret$$;
	CREATE ROLE gw_tls LOGIN PASSWORD $$tl5-s3cret$$;
	CREATE DATABASE gw_plain OWNER gw_plain;
	CREATE DATABASE gw_tls OWNER gw_tls;
	EOF
}

tcp_pg_count()
{
	psql -X -A -t -d "postgresql:///$1?host=$TCP_PG&port=$TCP_PORT&user=postgres" -c "$2"
}

tcp_pg_stop()
{
	if [ -n "$TCP_PG" ] && [ -f "$TCP_PG/data/postmaster.pid" ]; then
		tcp_pg_as_postgres "'$tcp_pg_bindir/pg_ctl' -D '$TCP_PG/data' -m immediate -w stop" >/dev/null 2>&1
	fi
	[ -n "$TCP_PG" ] && rm -rf "$TCP_PG"
	TCP_PG=
	return 0
}
