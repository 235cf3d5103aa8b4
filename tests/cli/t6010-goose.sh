#!/bin/sh
test_description='goose folders (-- +goose Up/Down) are detected, applied and reverted on SQLite and PostgreSQL'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a goose folder' '
	write_migration template/db/migrations/20240101000000_base.sql <<-\EOF &&
	-- +goose Up
	CREATE TABLE base (id int);
	EOF
	write_migration template/db/migrations/20240102000000_users.sql <<-\EOF &&
	-- +goose Up
	-- +goose StatementBegin
	CREATE TABLE users (id int PRIMARY KEY);
	-- +goose StatementEnd

	-- +goose Down
	-- +goose StatementBegin
	DROP TABLE users;
	-- +goose StatementEnd
	EOF
	write_migration template/db/migrations/20240103000000_posts.sql <<-\EOF &&
	-- +goose NO TRANSACTION
	-- +goose Up
	CREATE TABLE posts (id int, user_id int REFERENCES users (id));
	-- +goose Down
	DROP TABLE posts;
	EOF
	cat >expect.pending <<-\EOF
	20240101000000 pending tx no-down
	20240102000000 pending tx down
	20240103000000 pending no-tx down
	EOF
'

for backend in sqlite pg
do
	if [ $backend = pg ]; then
		prereq=PG
	else
		prereq=SQLITE3
	fi

	test_expect_success $prereq "$backend: detected; status shows transactions and downs" '
		cp -R template $backend &&
		cd $backend &&
		if [ $backend = pg ]; then pg_new_db && echo "$PG_URL" >pg_url; fi &&
		states >actual &&
		test_cmp ../expect.pending actual &&
		states --source-format goose >actual &&
		test_cmp ../expect.pending actual
	'

	test_expect_success $prereq "$backend: up applies, down 2 reverts with the Down sections" '
		cd $backend &&
		if [ $backend = pg ]; then PG_URL=$(cat pg_url); fi &&
		gw up >out &&
		test_grep "^applied 3 migrations$" out &&
		printf "base\nposts\nusers\n" >expect &&
		user_tables >actual &&
		test_cmp expect actual &&
		gw down 2 >out &&
		test_grep "^reverted 2 migrations$" out &&
		echo base >expect &&
		user_tables >actual &&
		test_cmp expect actual &&
		test_expect_code 1 gw down 2>err &&
		test_grep "cannot revert 20240101000000 base: it has no down migration" err
	'
done

test_expect_success PG 'StatementBegin/End around a function body; NO TRANSACTION really runs outside one' '
	mkdir -p fn/db/migrations &&
	cd fn &&
	write_migration db/migrations/1_fn.sql <<-\EOF &&
	-- +goose Up
	CREATE TYPE mood AS ENUM ('"'sad'"');
	CREATE TABLE feelings (m mood);
	-- +goose StatementBegin
	CREATE FUNCTION one() RETURNS int AS $$
	BEGIN
		RETURN 1;
	END;
	$$ LANGUAGE plpgsql;
	-- +goose StatementEnd
	-- +goose Down
	DROP FUNCTION one();
	DROP TABLE feelings;
	DROP TYPE mood;
	EOF
	write_migration db/migrations/2_happy.sql <<-\EOF &&
	-- +goose NO TRANSACTION
	-- +goose Up
	ALTER TYPE mood ADD VALUE '"'happy'"';
	INSERT INTO feelings VALUES ('"'happy'"');
	EOF
	pg_new_db &&
	godwit --url "$PG_URL" up >out &&
	test_grep "^applied 2 migrations$" out &&
	test "$(pg_sql "SELECT one()")" = 1 &&
	test "$(pg_sql "SELECT m FROM feelings")" = happy
'

test_expect_success 'a goose file with SQL above -- +goose Up is refused' '
	mkdir -p bad/db/migrations &&
	cd bad &&
	printf "SELECT 1;\n-- +goose Up\nSELECT 2;\n" >db/migrations/1_a.sql &&
	test_expect_code 1 godwit status 2>err &&
	test_grep "db/migrations/1_a.sql:1: SQL before the -- +goose Up line; move it below that line" err
'

test_expect_success 'godwit new in a goose folder writes a goose file' '
	mkdir -p new/db/migrations &&
	cd new &&
	printf -- "-- +goose Up\nSELECT 1;\n" >db/migrations/1_a.sql &&
	godwit new add_things >out &&
	f=$(ls db/migrations | grep add_things) &&
	test_grep "^-- +goose Up$" "db/migrations/$f" &&
	test_grep "^-- +goose Down$" "db/migrations/$f"
'

test_done
