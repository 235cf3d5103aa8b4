# own-cluster.sh: a PostgreSQL cluster of a test script's own, for the
# tests that stop the server in the middle of a run (sourced after lib.sh).
#
# The shared cluster of the suite must keep serving the other scripts, so
# a script that crashes the server starts its own with pg-cluster.sh, on a
# private socket folder, and removes it when it exits, whatever happens.
#
#	own_pg_start		initdb + start; sets OWN_PG_URL (database postgres)
#	own_pg_halt		stop the server at once, as a crash would
#	own_pg_resume		start it again (crash recovery)
#	own_pg_new_db		a fresh database on it; sets PG_URL
#
# Prerequisite OWN_PG: the server programs (initdb, pg_ctl) are installed
# and no outside server was given with GODWIT_TEST_PG_URL.

# Beside the trash directory, which test_done removes before the script
# exits: the state must outlive it to stop the server.
OWN_PG_DIR=$TRASH_ROOT/$this_test.own-pg
OWN_PG_URL=
OWN_PG_SEQ=0

if [ -z "${GODWIT_TEST_PG_URL:-}" ] && test_have_prereq PSQL &&
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	test_set_prereq OWN_PG
fi

own_pg()
{
	env -u GODWIT_TEST_PG_URL sh "$TEST_DIRECTORY/pg-cluster.sh" "$1" "$OWN_PG_DIR" >&4 2>&1
}

# The suite's cluster trades durability for speed; a server that is
# crashed on purpose must keep what it committed, as a real one does. Its
# machine does not crash, so writing the WAL at each commit is enough
# (fsync stays off: a restart would sync every file of the cluster).
own_pg_start()
{
	own_pg start && OWN_PG_URL=$(cat "$OWN_PG_DIR/url") &&
		psql -X -q -v ON_ERROR_STOP=1 -d "$OWN_PG_URL" >&4 2>&1 <<-\EOF
		ALTER SYSTEM SET synchronous_commit = on;
		SELECT pg_reload_conf();
		EOF
}

own_pg_halt()
{
	own_pg halt
}

own_pg_resume()
{
	own_pg resume
}

own_pg_new_db()
{
	OWN_PG_SEQ=$((OWN_PG_SEQ + 1))
	psql -X -q -v ON_ERROR_STOP=1 -d "$OWN_PG_URL" -c "CREATE DATABASE own_$OWN_PG_SEQ" >&4 2>&1 &&
		PG_URL=$(printf '%s' "$OWN_PG_URL" | sed "s|^postgresql:///postgres|postgresql:///own_$OWN_PG_SEQ|")
}

# The cluster goes away with the script, passed or failed.
own_pg_cleanup()
{
	[ -f "$OWN_PG_DIR/root" ] &&
		env -u GODWIT_TEST_PG_URL sh "$TEST_DIRECTORY/pg-cluster.sh" stop "$OWN_PG_DIR" \
			>/dev/null 2>&1
	rm -rf "$OWN_PG_DIR"
}
trap '_own_pg_rc=$?; own_pg_cleanup; (exit $_own_pg_rc); gw_die' EXIT
