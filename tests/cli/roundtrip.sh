# roundtrip.sh: the round trip of `schema diff --sql` and `--down`, for
# the corpus tests (t5500-t5520). Sourced after lib.sh.
#
# rt_setup makes two databases, reused by every pair. rt_group loads each
# variant once into the second and keeps its snapshot; rt_pair A B (two
# variants) loads A into the first database and applies `schema diff
# A.snap B.snap --sql` to it, after which it must equal B (column order
# included), then `--down`, after which it must equal A again. When a
# file CHECK is given, its query's output must be the same before the up,
# after it and after the down (rows that must survive). A pair whose --sql
# exits 3 must say what cannot be expressed. RT_PRIVILEGES=--privileges
# takes owners and grants into the snapshots and the scripts. A script
# runs as a migration would: its statements up to the line saying the
# rest runs in a transaction of its own in one transaction (unless the
# script says they cannot: a later one uses an enum label added before
# it), those in one more, those that cannot run inside a transaction
# alone. A table whose columns
# ALTER TABLE cannot put in B's order is rebuilt, so the comparison
# includes the column order; a pair whose script still warns that
# something cannot get B's column order (a composite type, a partition)
# is compared with --ignore-column-order and counted in RT_REORDERED.
# RT_PAIRS counts the pairs proven, RT_REFUSED those refused as
# inexpressible.

RT_PAIRS=0
RT_REFUSED=0
RT_REORDERED=0

rt_setup()
{
	pg_new_db &&
	RT_URL_A=$PG_URL &&
	pg_new_db &&
	RT_URL_B=$PG_URL &&
	cat >rt_reset.sql <<-\EOF
	SET client_min_messages = warning;
	DO $$
	DECLARE r record;
	BEGIN
		FOR r IN SELECT nspname FROM pg_namespace
		         WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' LOOP
			EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);
		END LOOP;
		FOR r IN SELECT evtname FROM pg_event_trigger LOOP
			EXECUTE format('DROP EVENT TRIGGER %I', r.evtname);
		END LOOP;
		FOR r IN SELECT pubname FROM pg_publication LOOP
			EXECUTE format('DROP PUBLICATION %I', r.pubname);
		END LOOP;
		FOR r IN SELECT srvname FROM pg_foreign_server LOOP
			EXECUTE format('DROP SERVER %I CASCADE', r.srvname);
		END LOOP;
		FOR r IN SELECT fdwname FROM pg_foreign_data_wrapper LOOP
			EXECUTE format('DROP FOREIGN DATA WRAPPER %I CASCADE', r.fdwname);
		END LOOP;
	END $$;
	CREATE SCHEMA public;
	EOF
}

rt_psql()
{
	psql -X -q -v ON_ERROR_STOP=1 -o /dev/null "$@"
}

# rt_apply URL SCRIPT [OUT CHECK]: the script's parts, each in its
# transaction; a part that is empty is not run. With OUT and CHECK, the
# CHECK query's output goes to OUT, read by the last psql run (in the
# transaction of the last part when it has one: it sees what the commit
# makes), so a pair costs one psql start a step, not four.
rt_apply()
{
	awk '/^-- the statements below run in a transaction of their own$/ { n = 1 }
		/^-- the statements below cannot run inside a transaction$/ { n = 2 }
		{ print > ("rt_part" n ".sql") }' n=0 "$2" &&
	touch rt_part0.sql rt_part1.sql rt_part2.sql &&
	rt_tx0=-1 &&
	if grep -q "^-- the statements below cannot run inside one transaction" rt_part0.sql ||
		grep -q "^CREATE .*INDEX CONCURRENTLY\|^DROP INDEX CONCURRENTLY" rt_part0.sql; then
		rt_tx0=
	fi &&
	rt_last=0 &&
	for rt_p in 1 2; do
		if test -s rt_part$rt_p.sql; then
			rt_last=$rt_p
		fi
	done &&
	rt_ok=0 &&
	for rt_p in 0 1 2; do
		test -s rt_part$rt_p.sql || test $rt_p = $rt_last || continue
		case $rt_p in
		0) rt_tx=$rt_tx0 ;;
		1) rt_tx=-1 ;;
		*) rt_tx= ;;
		esac
		if test $rt_p = $rt_last && test -n "${3:-}"; then
			rt_psql -d "$1" $rt_tx -f rt_part$rt_p.sql -c "\\o $3" -f "$4" || { rt_ok=1; break; }
		else
			rt_psql -d "$1" $rt_tx -f rt_part$rt_p.sql || { rt_ok=1; break; }
		fi
	done
	rm -f rt_part0.sql rt_part1.sql rt_part2.sql
	return $rt_ok
}

# rt_snap DIR: each variant DIR/vNN.sql loaded once into the second
# database, its snapshot written to DIR/vNN.snap.
rt_snap()
{
	for rt_v in "$1"/*.sql; do
		rt_psql -d "$RT_URL_B" -f rt_reset.sql -f "$rt_v" || {
			echo "rt_snap: $rt_v does not load" >&2
			return 1
		}
		godwit --url "$RT_URL_B" schema dump ${RT_PRIVILEGES:-} -o "${rt_v%.sql}.snap" || return 1
	done
}

# rt_pair A B [CHECK]
rt_pair()
{
	rt_sa=${1%.sql}.snap
	rt_sb=${2%.sql}.snap
	rt_rc=0
	godwit schema diff ${RT_PRIVILEGES:-} "$rt_sa" "$rt_sb" --sql >up.sql 2>up.err || rt_rc=$?
	if [ $rt_rc = 3 ]; then
		grep -q "^-- cannot be expressed: " up.sql &&
		grep -q "cannot be expressed in SQL" up.err || {
			echo "rt_pair $1 $2: exit 3 without saying why" >&2
			cat up.sql up.err >&2
			return 1
		}
		RT_REFUSED=$((RT_REFUSED + 1))
		return 0
	fi
	[ $rt_rc = 0 ] || {
		echo "rt_pair $1 $2: schema diff --sql exited $rt_rc" >&2
		cat up.err >&2
		return 1
	}
	rt_down=0
	godwit schema diff ${RT_PRIVILEGES:-} "$rt_sa" "$rt_sb" --down >down.sql 2>down.err || rt_down=$?
	# PostgreSQL adds columns at the end: a script that says so is
	# checked with the columns compared as a set, and counted.
	rt_order=
	if grep -q "gets its columns in the order" up.err down.err; then
		rt_order=--ignore-column-order
		RT_REORDERED=$((RT_REORDERED + 1))
	fi
	rt_check=${3:-/dev/null}
	rt_psql -d "$RT_URL_A" -f rt_reset.sql -f "$1" -c "\\o rows.before" -f "$rt_check" \
		2>apply.err &&
	rt_apply "$RT_URL_A" up.sql rows.up "$rt_check" 2>>apply.err || {
		echo "rt_pair $1 $2: the up fails" >&2
		cat up.sql apply.err >&2
		return 1
	}
	godwit --url "$RT_URL_A" schema diff ${RT_PRIVILEGES:-} $rt_order "$RT_URL_A" "$rt_sb" >after.diff || {
		echo "rt_pair $1 $2: after the up, A differs from B:" >&2
		cat up.sql after.diff >&2
		return 1
	}
	test_cmp rows.before rows.up || {
		echo "rt_pair $1 $2: rows changed by the up" >&2
		return 1
	}
	if [ $rt_down = 3 ]; then
		grep -q "^-- cannot be expressed: " down.sql || return 1
		RT_PAIRS=$((RT_PAIRS + 1))
		RT_REFUSED=$((RT_REFUSED + 1))
		return 0
	fi
	[ $rt_down = 0 ] || {
		echo "rt_pair $1 $2: schema diff --down exited $rt_down" >&2
		return 1
	}
	rt_apply "$RT_URL_A" down.sql rows.down "$rt_check" 2>apply.err || {
		echo "rt_pair $1 $2: the down fails" >&2
		cat down.sql apply.err >&2
		return 1
	}
	godwit --url "$RT_URL_A" schema diff ${RT_PRIVILEGES:-} $rt_order "$RT_URL_A" "$rt_sa" >after.diff || {
		echo "rt_pair $1 $2: after the down, the database differs from A:" >&2
		cat down.sql after.diff >&2
		return 1
	}
	test_cmp rows.before rows.down || {
		echo "rt_pair $1 $2: rows did not survive up and down" >&2
		return 1
	}
	RT_PAIRS=$((RT_PAIRS + 1))
}

# rt_group DIR [CHECK]: every pair of the variants DIR/*.sql, each way
# round once (the down of A→B is the up of B→A).
rt_group()
{
	rt_snap "$1" || return 1
	for rt_a in "$1"/*.sql; do
		for rt_b in "$1"/*.sql; do
			[ "$rt_a" \< "$rt_b" ] || continue
			rt_pair "$rt_a" "$rt_b" ${2:-} || return 1
		done
	done
}

# variant DIR: stdin becomes the next variant file of DIR.
variant()
{
	mkdir -p "$1" &&
	rt_n=$(ls "$1" | wc -l) &&
	cat >"$1/v$(printf %02d "$rt_n").sql"
}
