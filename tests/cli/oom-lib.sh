# oom-lib.sh: what the CLI's out-of-memory scripts (t6550, t6551) share.
# Sourced after lib.sh.

# godwit-oom is the CLI linked with the tests' allocation wrapper
# (tests/unit/oom_cli.c): with GW_TEST_OOM_AT=N its Nth allocation fails,
# and the file GW_TEST_OOM_HIT names appears when it does. oom_each runs a
# command once with memory to spare, then with allocation 1, 2, ... failing
# until a run no longer reaches N. Each run must either end exactly as the
# first did (same exit code and output: an allocation it could do without)
# or fail (exit 1, or 3 for a health check that failed) saying "out of
# memory". With OOM_RESET set, that command restores the database first;
# with OOM_CHECK set, it must pass after each run. GW_TEST_OOM_STRIDE=K
# fails only every Kth allocation (the sanitizer build sets it: each of
# its runs is slow to start).
# The same output, but for the times it gives in ms.
same()
{
	cmp -s "$1" "$2" ||
	test "$(sed "s/[0-9.]* ms/N ms/g" "$1")" = "$(sed "s/[0-9.]* ms/N ms/g" "$2")"
}

oom_each()
{
	"$GODWIT" "$@" >ref.out 2>ref.err
	ref_rc=$?
	rm -f hit.* &&
	n=1 &&
	while :; do
		if [ -n "${OOM_RESET:-}" ]; then
			eval "$OOM_RESET" || return 1
		fi &&
		GW_TEST_OOM_AT=$n GW_TEST_OOM_HIT=$PWD/hit.$n "$GW_TEST_GODWIT_OOM" "$@" >oom.out 2>oom.err
		rc=$?
		if [ ! -e hit.$n ]; then
			if [ "$rc" != "$ref_rc" ] || ! same ref.out oom.out; then
				echo "$*: allocation $n was not reached, yet the run differs (exit $rc, not $ref_rc)"
				diff ref.out oom.out
				cat oom.err
				return 1
			fi
			break
		fi
		case $rc in
		1 | 3) grep -q "out of memory" oom.err oom.out ;;
		"$ref_rc") same ref.out oom.out ;;
		*) false ;;
		esac || {
			echo "$*: allocation $n failed: exit $rc (without it: $ref_rc)"
			diff ref.out oom.out
			cat oom.err
			return 1
		}
		if [ -n "${OOM_CHECK:-}" ] && ! eval "$OOM_CHECK"; then
			echo "$*: after allocation $n failed, the check failed: $OOM_CHECK"
			return 1
		fi
		n=$((n + ${GW_TEST_OOM_STRIDE:-1}))
	done
	echo "$*: allocations 1 to $((n - 1)) failed one at a time, every ${GW_TEST_OOM_STRIDE:-1}"
}

# A SQLite project of two migrations, not applied yet.
oom_setup()
{
	test -x "$GW_TEST_GODWIT_OOM" &&
	cat >godwit.conf <<-\EOF &&
	dir = db/migrations
	url = sqlite:app.db
	EOF
	write_migration db/migrations/20240101000001_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
	CREATE INDEX users_name ON users (name);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240101000002_posts.sql <<-\EOF
	-- migrate:up
	CREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id));
	-- migrate:down
	DROP TABLE posts;
	EOF
}

