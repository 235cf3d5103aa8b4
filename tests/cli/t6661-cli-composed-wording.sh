#!/bin/sh
test_description='texts the library composes (a script'\''s warnings, a rename'\''s errors) carry the CLI'\''s flags'
. "$(dirname "$0")/lib.sh"

# The library words them with its API's names (unit test test_wording);
# the CLI gives it its own words (gw_ctx_set_wording), in the warnings it
# prints and in the comments of the script alike.

test_expect_success 'setup: a column added in the middle of a table' '
	printf -- "-- godwit schema snapshot (postgres)\n\ntable app.t\n  column id integer\n  column b text\n" >a.snap &&
	printf -- "-- godwit schema snapshot (postgres)\n\ntable app.t\n  column id integer\n  column a text\n  column b text\n" >b.snap
'

test_expect_success 'a rebuild names --column-order=append, on stderr and in the script' '
	godwit schema diff a.snap b.snap --sql >up.sql 2>err &&
	W="table app.t is rebuilt to get its columns in the order id, a, b: its rows are copied into a new table that takes its place, under an ACCESS EXCLUSIVE lock on it until the migration commits (--column-order=append adds the columns at the end instead)" &&
	echo "godwit: warning: $W" >expect &&
	test_cmp expect err &&
	head -n 1 up.sql >actual &&
	echo "-- warning: $W" >expect &&
	test_cmp expect actual
'

test_expect_success 'an appended column names --ignore-column-order, on stderr and in the script' '
	godwit schema diff a.snap b.snap --sql --column-order=append >up.sql 2>err &&
	W="table app.t gets its columns in the order id, b, a, not id, a, b: PostgreSQL adds a column at the end (compare with --ignore-column-order)" &&
	echo "godwit: warning: $W" >expect &&
	test_cmp expect err &&
	printf "%s\n" "ALTER TABLE app.t ADD COLUMN a text;" "-- warning: $W" >expect &&
	test_cmp expect up.sql
'

test_expect_success 'a rename that cannot be made opens with --rename, and no script is written' '
	test_expect_code 1 godwit schema diff a.snap b.snap --sql --rename app.t >out 2>err &&
	echo "godwit: error: --rename ${SQ}app.t${SQ}: expected OLD=NEW" >expect &&
	test_cmp expect err &&
	test ! -s out &&
	test_expect_code 1 godwit schema diff a.snap b.snap --sql --rename app.t=app.u >out 2>err &&
	echo "godwit: error: --rename app.t=app.u: the target schema has no table app.u" >expect &&
	test_cmp expect err &&
	test ! -s out
'

test_expect_success 'init writes a godwit.conf whose comments name the CLI'\''s flags and commands' '
	mkdir app &&
	(cd app && godwit init >/dev/null) &&
	cat >expect <<-\EOF &&
	# godwit.conf: which database each environment migrates, and how.
	# The environment is --env, else GODWIT_ENV, else VERCEL_ENV (Vercel sets
	# it to production or preview), else development. `godwit config` shows
	# every setting in effect and where it came from; README.md lists the keys.
	# ${VAR} and ${VAR:-default} are read from the environment, .env.local
	# and .env (in that order).

	# The migrations: `godwit new NAME` creates one here.
	dir = db/migrations

	# Your machine: a SQLite file, nothing to install (.gitignore skips it).
	# For a local PostgreSQL: url = postgres://localhost/myapp_dev
	[env.development]
	url = sqlite:db/development.sqlite3

	# Preview deployments and pull-request checks, on PostgreSQL. No url
	# here: it is the first of these variables that is set, direct
	# connections first, as migrations need a session of their own:
	#   POSTGRES_URL_NON_POOLING  Vercel Postgres, Supabase
	#   DATABASE_URL_UNPOOLED     Neon
	#   DIRECT_URL                Prisma'\''s convention
	#   DATABASE_URL, POSTGRES_URL (pooled, when nothing else is set)
	# Or name it: url = ${MY_PREVIEW_DATABASE_URL}
	[env.preview]
	protected = false

	# Production, from the same variables. Protected: `up` asks you to type
	# the environment'\''s name (in CI, give --yes), reverting also needs
	# --force, and a missing url is an error, never a SQLite file.
	[env.production]
	protected = true
	lock_wait = 300
	EOF
	test_cmp expect app/godwit.conf
'

test_done
