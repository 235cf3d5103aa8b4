#!/bin/sh
test_description='the example GitHub workflow'\''s steps and the action'\''s install step, run locally'
. "$(dirname "$0")/lib.sh"

# run_commands JOB: the `run:` commands of JOB in examples/github/migrations.yml,
# in order (one-line and `|` blocks), as a shell script. Steps that only
# `uses:` an action are GitHub's (checkout, this repository's action),
# replaced here by the checkout the test makes and godwit on the PATH.
# The jobs' output goes to the test's log, which a failure prints, unless
# a test looks into it.
run_commands()
{
	awk -v job="$1" '
		/^  [a-z]+:$/ { injob = ($1 == job ":"); next }
		!injob { next }
		block && match($0, /^ */) && RLENGTH > runind { print substr($0, runind + 3); next }
		{ block = 0 }
		/^ +run: \|$/ { block = 1; match($0, /^ */); runind = RLENGTH; next }
		/^ +run: / { sub(/^ +run: /, ""); print }
	' "$GW_SOURCE_DIR/examples/github/migrations.yml"
}

test_expect_success 'the workflow runs on pull requests and on pushes to main' '
	wf="$GW_SOURCE_DIR/examples/github/migrations.yml" &&
	test_grep "^  pull_request:$" "$wf" &&
	test_grep "^    branches: \[main\]$" "$wf" &&
	test_grep "GODWIT_URL: \${{ secrets.PRODUCTION_DATABASE_URL }}" "$wf" &&
	test_grep "image: postgres:15" "$wf" &&
	run_commands check >check.sh &&
	cat >expect <<-\EOF &&
	godwit validate --offline --format github
	godwit lint --since origin/main --format github
	godwit test --dev-url "$GODWIT_TEST_URL" --format github
	godwit test --dev-url "$GODWIT_TEST_URL" --format markdown >>"$GITHUB_STEP_SUMMARY" || true
	EOF
	test_cmp expect check.sh &&
	run_commands deploy >deploy.sh &&
	echo "godwit up --yes" >expect &&
	test_cmp expect deploy.sh
'

test_expect_success 'setup: a repository with main on origin and a pull request adding a migration' '
	mkdir bin && ln -s "$GODWIT" bin/godwit &&
	git init -q --bare origin.git &&
	git init -q -b main app && cd app &&
	git config user.email ci@example.com && git config user.name ci &&
	mkdir -p db/migrations &&
	printf "%s\n" "-- migrate:up" "CREATE TABLE users (id int PRIMARY KEY);" \
		"-- migrate:down" "DROP TABLE users;" >db/migrations/20240101000000_users.sql &&
	git add -A && git commit -qm users && git remote add origin ../origin.git &&
	git push -q origin main && git fetch -q origin &&
	git checkout -q -b pr &&
	printf "%s\n" "-- migrate:up" "ALTER TABLE users ADD COLUMN email text;" \
		"-- migrate:down" "ALTER TABLE users DROP COLUMN email;" \
		>db/migrations/20240202000000_email.sql &&
	git add -A && git commit -qm email
'

test_expect_success PG 'the pull request job passes on good migrations, with annotations and a summary' '
	cd app &&
	PATH=$TRASH_DIRECTORY/bin:$PATH CI=true GODWIT_TEST_URL=$PG_BASE_URL \
		GITHUB_STEP_SUMMARY=$TRASH_DIRECTORY/summary.md sh -e ../check.sh &&
	test -s ../summary.md &&
	test_grep "20240202000000" ../summary.md
'

test_expect_success PG 'the pull request job fails on a migration whose down does not restore the schema' '
	cd app &&
	printf "%s\n" "-- migrate:up" "CREATE TABLE posts (id int);" "-- migrate:down" "SELECT 1;" \
		>db/migrations/20240303000000_posts.sql &&
	git add -A && git commit -qm posts &&
	test_must_fail env PATH=$TRASH_DIRECTORY/bin:$PATH CI=true GODWIT_TEST_URL=$PG_BASE_URL \
		GITHUB_STEP_SUMMARY=$TRASH_DIRECTORY/summary2.md sh -e ../check.sh >../out 2>&1 &&
	test_grep "^::error" ../out &&
	test_grep "20240303000000" ../out
'

test_expect_success PG 'the deploy job migrates the production URL from the secret' '
	cd app && git checkout -q main &&
	pg_new_db &&
	PATH=$TRASH_DIRECTORY/bin:$PATH CI=true GODWIT_ENV=production GODWIT_URL=$PG_URL \
		sh -e ../deploy.sh &&
	pg_count users >count &&
	echo 0 >expect &&
	test_cmp expect count &&
	test_must_fail env PATH=$TRASH_DIRECTORY/bin:$PATH CI=true GODWIT_ENV=production \
		sh -e ../deploy.sh 2>../err &&
	test_grep "no database URL for the protected environment production" ../err
'

test_expect_success 'the action installs the tarball for the platform and puts godwit on the PATH' '
	v=0.1.0 && mkdir -p rel/v$v stage/godwit-$v-linux-x64/bin &&
	cp "$GODWIT" stage/godwit-$v-linux-x64/bin/godwit &&
	tar -C stage -czf rel/v$v/godwit-$v-linux-x64.tar.gz godwit-$v-linux-x64 &&
	mkdir tmp && : >path.txt && : >output.txt &&
	RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TEMP=$PWD/tmp GITHUB_PATH=$PWD/path.txt \
		GITHUB_OUTPUT=$PWD/output.txt GODWIT_VERSION=$v GODWIT_BASE_URL=file://$PWD/rel \
		bash "$GW_SOURCE_DIR/packaging/github/install.sh" >out &&
	echo "$PWD/tmp/godwit-action/godwit-$v-linux-x64/bin" >expect &&
	test_cmp expect path.txt &&
	"$(cat path.txt)/godwit" version >v.out &&
	test_grep "$v" v.out &&
	test_grep "^path=$PWD/tmp/godwit-action/godwit-$v-linux-x64$" output.txt &&
	test_must_fail env RUNNER_OS=macOS RUNNER_ARCH=ARM64 RUNNER_TEMP=$PWD/tmp GITHUB_PATH=$PWD/p2 \
		GODWIT_VERSION=$v GODWIT_BASE_URL=file://$PWD/rel \
		bash "$GW_SOURCE_DIR/packaging/github/install.sh" 2>err &&
	test_grep "godwit has no release for macOS on ARM64; use a Linux runner" err &&
	test ! -e p2 &&
	grep -q "run: bash \"\$GITHUB_ACTION_PATH/packaging/github/install.sh\"" "$GW_SOURCE_DIR/action.yml"
'

test_done
