#!/bin/sh
test_description='a migration file symlinked outside the project is refused unless allow_symlinks_outside'
. "$(dirname "$0")/lib.sh"

# The project is proj/ (godwit runs there); outside/ is next to it.

test_expect_success 'setup: a project with one applied migration, a file outside it' '
	mkdir -p proj/db/migrations outside proj/shared &&
	printf -- "-- migrate:up\nCREATE TABLE t1 (id int);\n-- migrate:down\nDROP TABLE t1;\n" \
		>proj/db/migrations/20240101000000_t1.sql &&
	printf -- "-- migrate:up\nDROP TABLE t1;\n" >outside/evil.sql &&
	printf -- "-- migrate:up\nCREATE TABLE shared (id int);\n-- migrate:down\nDROP TABLE shared;\n" \
		>proj/shared/shared.sql &&
	(cd proj && godwit up) &&
	OUTSIDE=$(cd outside && pwd -P) &&
	PROJ=$(cd proj && pwd -P)
'

test_expect_success 'a symlink to a file outside the project is refused; nothing runs' '
	ln -s "$OUTSIDE/evil.sql" proj/db/migrations/20240102000000_evil.sql &&
	test_when_finished "rm -f proj/db/migrations/20240102000000_evil.sql" &&
	(
		cd proj &&
		test_expect_code 1 godwit up >out 2>err &&
		cat >expect <<-EOF &&
		godwit: error: db/migrations/20240102000000_evil.sql: is a symbolic link to $OUTSIDE/evil.sql, outside the project ($PROJ); godwit does not follow it there
		hint: copy the file into the project, or set allow_symlinks_outside = true in godwit.conf
		EOF
		test_cmp expect err &&
		test_expect_code 1 godwit status 2>err &&
		test_cmp expect err &&
		test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM t1")" = 0
	)
'

test_expect_success 'a relative symlink that climbs out of the project is refused too' '
	ln -s ../../../outside/evil.sql proj/db/migrations/20240102000000_evil.sql &&
	test_when_finished "rm -f proj/db/migrations/20240102000000_evil.sql" &&
	(
		cd proj &&
		test_expect_code 1 godwit up 2>err &&
		test_grep "^godwit: error: db/migrations/20240102000000_evil.sql: is a symbolic link to $OUTSIDE/evil.sql, outside the project" err &&
		test "$(sqlite_sql db/development.sqlite3 "SELECT count(*) FROM t1")" = 0
	)
'

test_expect_success 'a symlink to a file inside the project is followed' '
	ln -s ../../shared/shared.sql proj/db/migrations/20240102000001_shared.sql &&
	(
		cd proj &&
		godwit up >out &&
		test_grep "^applied  20240102000001 shared" out &&
		godwit down >out &&
		test_grep "^reverted 20240102000001 shared" out
	)
'

test_expect_success 'allow_symlinks_outside = true (or its variable) follows the link' '
	ln -s "$OUTSIDE/evil.sql" proj/db/migrations/20240102000002_evil.sql &&
	test_when_finished "rm -f proj/db/migrations/20240102000002_evil.sql proj/godwit.conf" &&
	(
		cd proj &&
		GODWIT_ALLOW_SYMLINKS_OUTSIDE=true godwit status >out &&
		test_grep "^pending  *20240102000002  *evil" out &&
		printf "allow_symlinks_outside = true\n" >godwit.conf &&
		godwit up --to 20240102000001 >out &&
		godwit status >out &&
		test_grep "^pending  *20240102000002  *evil" out &&
		printf "allow_symlinks_outside = maybe\n" >godwit.conf &&
		test_expect_code 1 godwit status 2>err &&
		test_grep "allow_symlinks_outside" err
	)
'

test_expect_success 'a migrations folder that is itself a link elsewhere is read as the folder given' '
	mkdir outside/migs &&
	cp proj/db/migrations/20240101000000_t1.sql outside/migs/ &&
	ln -s "$OUTSIDE/migs" proj/linked &&
	(
		cd proj &&
		godwit --dir linked status >out &&
		test_grep "^applied  *20240101000000  *t1" out
	)
'

test_done
