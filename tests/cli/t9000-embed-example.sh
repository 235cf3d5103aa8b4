#!/bin/sh
#
# t9000-embed-example.sh: the library can be installed and embedded the way
# examples/embed.c shows: `cmake --install` into a prefix, the example built
# through pkg-config with examples/Makefile, run on a SQLite project made of
# the quick start's migrations.

test_description='examples/embed.c builds against the installed library and migrates'
. "$(dirname "$0")/lib.sh"

builddir=$(dirname "${GODWIT:-.}")
prefix=$TRASH_DIRECTORY/prefix

test_expect_success GODWIT 'cmake --install puts the library, headers and .pc in a prefix' '
	cmake --install "$builddir" --prefix "$prefix" >install.log &&
	test -f "$prefix/include/godwit.h" &&
	test -f "$prefix/include/godwit/project.h" &&
	pc=$(find "$prefix" -name godwit.pc) &&
	test -n "$pc" &&
	PKG_CONFIG_PATH=${pc%/*} &&
	lib=$(find "$prefix" -name "libgodwit.so*" | head -n 1) &&
	test -n "$lib" &&
	LD_LIBRARY_PATH=${lib%/*} &&
	export PKG_CONFIG_PATH LD_LIBRARY_PATH &&
	test_set_prereq INSTALLED
'

test_expect_success INSTALLED,PKGCONFIG,CC 'the example builds with its Makefile and pkg-config' '
	# The installed godwit.pc must point into the prefix it was installed
	# to, however it spells the path.
	pkg-config --cflags godwit >cflags &&
	inc=$(sed -n "s/.*-I\([^ ]*\).*/\1/p" cflags) &&
	test -n "$inc" &&
	test "$(cd "$inc" && pwd -P)" = "$(cd "$prefix/include" && pwd -P)" &&
	pkg-config --libs godwit >libs &&
	test_grep -F -e "-lgodwit" libs &&
	libdir=$(sed -n "s/.*-L\([^ ]*\).*/\1/p" libs) &&
	test "$(cd "$libdir" && pwd -P)" = "$(cd "${lib%/*}" && pwd -P)" &&
	mkdir example &&
	cp "$GW_SOURCE_DIR/examples/embed.c" "$GW_SOURCE_DIR/examples/Makefile" example/ &&
	# A sanitized library needs a sanitized program to load it.
	cflags="-O1 -g -Wall -Wextra -Werror" &&
	if ldd "$lib" | grep -q libasan
	then
		cflags="$cflags -fsanitize=address,undefined"
	fi &&
	make -C example CFLAGS="$cflags" >make.log 2>&1 &&
	test -x example/embed &&
	ldd example/embed >ldd.out &&
	test_grep -F "$prefix" ldd.out &&
	test_set_prereq BUILT
'

test_expect_success BUILT 'the Makefile header'"'"'s command: PKG_CONFIG_PATH on make'"'"'s command line' '
	mkdir example2 &&
	cp "$GW_SOURCE_DIR/examples/embed.c" "$GW_SOURCE_DIR/examples/Makefile" example2/ &&
	(
		pcdir=$PKG_CONFIG_PATH &&
		unset PKG_CONFIG_PATH &&
		make -C example2 PKG_CONFIG_PATH="$pcdir" CFLAGS="$cflags" >make2.log 2>&1
	) &&
	test -x example2/embed
'

test_expect_success BUILT,SQLITE3 'the example applies the pending migrations on SQLite' '
	mkdir -p project/db &&
	cp -R "$GW_SOURCE_DIR/examples/quickstart/db/migrations" project/db/ &&
	(
		cd project &&
		../example/embed db/migrations sqlite:app.db >../out 2>../err
	) &&
	test_grep "^status:" out &&
	test_grep "3 migrations, 3 pending" out &&
	test_grep "pending *20240101000000 create_users$" out &&
	test_grep "applied 20240102000000 create_posts (" out &&
	test_grep "3 migration(s) applied" out &&
	test_grep "^history:" out &&
	test "$(sqlite_sql project/app.db "SELECT count(*) FROM godwit_migrations")" = 3 &&
	sqlite_sql project/app.db "SELECT name FROM sqlite_master WHERE type = ${SQ}table${SQ}
		AND name IN (${SQ}users${SQ}, ${SQ}posts${SQ}) ORDER BY name" >tables &&
	printf "posts\nusers\n" >expect &&
	test_cmp expect tables &&
	sqlite_sql project/app.db "SELECT name FROM pragma_table_info(${SQ}users${SQ})" >columns &&
	test_grep "^bio$" columns &&
	test "$(sqlite_sql project/app.db "SELECT count(*) FROM sqlite_master
		WHERE type = ${SQ}index${SQ} AND name = ${SQ}posts_user_id${SQ}")" = 1
'

test_expect_success BUILT,SQLITE3 'a second run applies nothing and shows everything applied' '
	(
		cd project &&
		../example/embed db/migrations sqlite:app.db >../out 2>../err
	) &&
	test_grep "3 migrations, 0 pending" out &&
	test "$(grep -c "^  applied  *2024" out)" = 3 &&
	test_grep "0 migration(s) applied" out &&
	test "$(sqlite_sql project/app.db "SELECT count(*) FROM godwit_migrations")" = 3
'

test_expect_success BUILT,SQLITE3 'dated migrations are printed with their version and name once' '
	write_migration dated/db/migrations/2026-01-20_early.sql <<-\EOF &&
	CREATE TABLE early (id int);
	EOF
	(
		cd dated &&
		../example/embed db/migrations sqlite:app.db >../out 2>../err
	) &&
	test_grep "^  pending  *2026-01-20_early early$" out &&
	test_grep "^  applied 2026-01-20_early early (" out &&
	test_grep " apply  *2026-01-20_early early$" out &&
	! grep "early_early" out
'

test_expect_success BUILT,SQLITE3 'errors reach the program through gw_ctx_error' '
	write_migration project/db/migrations/20240104000000_broken.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE tags (id integer PRIMARY KEY);
	CREATE TABLE oops (;
	-- migrate:down
	DROP TABLE tags;
	EOF
	(
		cd project &&
		test_expect_code 1 ../example/embed db/migrations sqlite:app.db >../out 2>../err
	) &&
	test_grep "^embed: up failed: " err &&
	test_grep "20240104000000_broken" err &&
	test "$(sqlite_sql project/app.db "SELECT count(*) FROM godwit_migrations")" = 3 &&
	test "$(sqlite_sql project/app.db "SELECT count(*) FROM sqlite_master
		WHERE name = ${SQ}tags${SQ}")" = 0
'

test_expect_success GODWIT 'the README'"'"'s first command: up and status in examples/quickstart, in CI too' '
	cp -R "$GW_SOURCE_DIR/examples/quickstart" qs &&
	rm -f qs/db/*.sqlite3 &&
	(cd qs && CI=true godwit up >../qs.out && godwit status >../qs.status) &&
	test_grep "^applied 3 migrations$" qs.out &&
	test_grep "^3 applied, 0 pending$" qs.status &&
	test -f qs/db/development.sqlite3
'

test_done
