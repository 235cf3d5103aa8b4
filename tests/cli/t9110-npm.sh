#!/bin/sh
test_description='the npm packages: installed from their tarballs into an empty project, npx godwit runs the bundled binary'
# ctest: portable build
. "$(dirname "$0")/lib.sh"

# The tarballs come from packaging/build.sh (the fixture dist/build writes
# them to GW_DIST_DIR/npm). npm installs offline: everything it needs is in
# the two tarballs, and its cache is in the trash directory (HOME).

command -v npm >/dev/null 2>&1 && command -v npx >/dev/null 2>&1 && test_set_prereq NPM
npm_config_update_notifier=false
npm_config_fund=false
npm_config_audit=false
npm_config_offline=true
export npm_config_update_notifier npm_config_fund npm_config_audit npm_config_offline

# Starts the installed launcher (node, not npx: the signal goes to the
# launcher alone) in the background; its pid lands in pid, its exit code
# in rc, its output in out.
start_launcher()
{
	rm -f pid rc &&
	(
		app/node_modules/.bin/godwit "$@" >out 2>&1 &
		echo $! >pid
		wait $!
		echo $? >rc
	) &
	until test -s pid
	do
		sleep 0.05
	done
}

launcher=$(ls "${GW_DIST_DIR:-/nonexistent}"/npm/godwit-[0-9]*.tgz 2>/dev/null | head -n 1)
platform=$(ls "${GW_DIST_DIR:-/nonexistent}"/npm/godwit-linux-x64-[0-9]*.tgz 2>/dev/null | head -n 1)

test_expect_success NPM 'the launcher package holds the launcher only, no install script' '
	test -n "$launcher" &&
	tar -tzf "$launcher" | sort >actual &&
	cat >expect <<-\EOF &&
	package/README.md
	package/bin/godwit.js
	package/package.json
	EOF
	test_cmp expect actual &&
	tar -xzf "$launcher" package/package.json &&
	! grep -e "\"preinstall\"" -e "\"install\"" -e "\"postinstall\"" package/package.json &&
	test_grep "\"@godwit/linux-x64\": \"[0-9.]*\"" package/package.json &&
	test_grep "\"@godwit/linux-arm64\": \"[0-9.]*\"" package/package.json &&
	rm -r package
'

test_expect_success NPM 'the platform package says its os and cpu, and holds the binary and libpq' '
	test -n "$platform" &&
	tar -xzf "$platform" package/package.json &&
	test_grep "\"os\": \\[\"linux\"\\]" package/package.json &&
	test_grep "\"cpu\": \\[\"x64\"\\]" package/package.json &&
	tar -tvzf "$platform" >list &&
	test_grep "^-rwxr-xr-x .* package/bin/godwit\$" list &&
	test_grep " package/lib/libpq.so.5\$" list &&
	test_grep " package/lib/libssl.so.3\$" list &&
	rm -r package
'

test_expect_success NPM 'npm install from the tarballs into an empty project' '
	mkdir app &&
	(cd app && echo "{\"name\": \"app\", \"private\": true}" >package.json &&
		npm install --save-dev "$launcher" "$platform" >../install.out 2>&1) &&
	test -x app/node_modules/.bin/godwit &&
	test -x app/node_modules/@godwit/linux-x64/bin/godwit
'

test_expect_success NPM 'npx godwit version runs the bundled binary' '
	(cd app && npx godwit version >../out) &&
	sed -n 1p out >first &&
	echo "godwit $(sed -n "s/^project(godwit VERSION \([0-9.]*\).*/\1/p" "$GW_SOURCE_DIR/CMakeLists.txt")" >expect &&
	test_cmp expect first &&
	test_grep "^driver sqlite: SQLite 3\." out
'

test_expect_success NPM 'npx godwit up applies the migrations on SQLite, and the exit code comes through' '
	write_migration app/db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id integer PRIMARY KEY);
	-- migrate:down
	DROP TABLE users;
	EOF
	(cd app && test_expect_code 3 npx godwit --url sqlite:app.db status --exit-code >../out) &&
	test_grep "^0 applied, 1 pending\$" out &&
	(cd app && npx godwit --url sqlite:app.db up >../out) &&
	test_grep "^applied 1 migration\$" out &&
	(cd app && npx godwit --url sqlite:app.db status --exit-code >../out) &&
	test_grep "^1 applied, 0 pending\$" out
'

test_expect_success NPM,PG 'npx godwit up on PostgreSQL loads the libpq of the package' '
	pg_new_db &&
	(cd app && npx godwit --url "$PG_URL" up >../out 2>&1) &&
	test_grep "^applied 1 migration\$" out &&
	test "$(pg_count users)" = 0
'

test_expect_success NPM,PG 'SIGTERM to the launcher reaches godwit: the migration is rolled back, exit 143 as without it' '
	pg_new_db &&
	write_migration slow/20240101000000_slow.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE before_sleep (id int);
	SELECT pg_sleep(30);
	EOF
	start_launcher --url "$PG_URL" --dir slow up &&
	i=0 &&
	until test "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE ${SQ}%pg_sleep(30)%${SQ} AND pid <> pg_backend_pid()")" = 1
	do
		i=$((i + 1)) &&
		test $i -lt 200 &&
		sleep 0.1 || return 1
	done &&
	kill -TERM "$(cat pid)" &&
	wait &&
	test "$(cat rc)" = 143 &&
	test_grep "^godwit: error: slow/20240101000000_slow.sql: interrupted: 20240101000000 slow was cancelled and rolled back; nothing of it was applied\$" out &&
	test "$(pg_sql "SELECT to_regclass(${SQ}before_sleep${SQ}) IS NULL")" = t &&
	test "$(pg_count godwit_migrations)" = 0
'

test_expect_success NPM 'without the platform package, the launcher says what to do' '
	mkdir bare &&
	(cd bare && echo "{\"name\": \"bare\", \"private\": true}" >package.json &&
		npm install --omit=optional "$launcher" >../install.out 2>&1) &&
	test ! -e bare/node_modules/@godwit &&
	(cd bare && test_expect_code 1 npx godwit version >../out 2>../err) &&
	test_cmp /dev/null out &&
	cat >expect <<-\EOF &&
	godwit: the package @godwit/linux-x64, which holds the binary, is not installed; npm installs it as an optional dependency of godwit: install again without --omit=optional or --no-optional
	EOF
	test_cmp expect err
'

test_done
