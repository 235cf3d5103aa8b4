#!/bin/sh
test_description='misc CLI paths on SQLite: history of a failure and a bad --limit, graph to a path it cannot write, --format naming a convention, help --man of a command without options, plan --resume, test --format text'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a migration that fails as it runs' '
	write_migration db/migrations/20240101000001_t1.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t1 (id int);
	-- migrate:down
	DROP TABLE t1;
	EOF
	write_migration db/migrations/20240101000002_u.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE u (id int PRIMARY KEY);
	INSERT INTO u VALUES (1);
	INSERT INTO u VALUES (1);
	-- migrate:down
	DROP TABLE u;
	EOF
	test_expect_code 1 godwit --url sqlite:a.db up >/dev/null 2>err.all &&
	tail -n 2 err.all >err &&
	cat >expect <<-\EOF &&
	godwit: error: db/migrations/20240101000002_u.sql:4:1: UNIQUE constraint failed: u.id (SQLSTATE 23505)
	hint: the migration was rolled back and nothing of it was applied; fix it and run godwit up again
	EOF
	test_cmp expect err
'

test_expect_success 'history shows the failure with its file, line, column and SQLSTATE' '
	godwit --url sqlite:a.db history >out &&
	test_grep "^[0-9T:.-]*Z  fail  *20240101000002  u  *-  *[a-z]*$" out &&
	test_grep "^    error: db/migrations/20240101000002_u.sql:4:1: UNIQUE constraint failed: u.id (SQLSTATE 23505)$" out &&
	test_expect_code 2 godwit --url sqlite:a.db history --limit abc 2>err &&
	test_grep "^godwit: error: --limit must be a positive whole number, not ${SQ}abc${SQ}$" err
'

test_expect_success 'graph -o a path it cannot open, or a full device: an error naming it' '
	test_expect_code 1 godwit --url sqlite:a.db graph -o nodir/g.txt 2>err &&
	echo "godwit: error: cannot write nodir/g.txt: No such file or directory" >expect &&
	test_cmp expect err &&
	test_expect_code 1 godwit --url sqlite:a.db graph -o /dev/full 2>err &&
	echo "godwit: error: cannot write /dev/full: No space left on device" >expect &&
	test_cmp expect err
'

test_expect_success '--format with a convention name warns that it is --source-format' '
	test_expect_code 1 godwit --url sqlite:a.db status --format goose 2>err &&
	test_grep "^godwit: warning: --format goose names a folder convention; use --source-format goose (--format is the output format only)$" err
'

test_expect_success 'help --man of a command without options' '
	godwit help --man version >out &&
	cat >expect <<-\EOF &&
	.TH GODWIT-VERSION 1 "" "godwit VERSION" "godwit manual"
	.SH NAME
	godwit\-version \- show the program, library, driver and parser versions
	.SH SYNOPSIS
	.B godwit
	version [\-\-format text|json]
	.SH DESCRIPTION
	.PP
	show the program, library, driver and parser versions.
	.SH SEE ALSO
	.BR godwit (1)
	EOF
	sed "s/\"godwit [0-9][^\"]*\"/\"godwit VERSION\"/" out >actual &&
	test_cmp expect actual
'

test_expect_success 'plan --resume and test --format text on the failed folder' '
	rm db/migrations/20240101000002_u.sql &&
	write_migration db/migrations/20240101000003_t3.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t3 (id int);
	-- migrate:down
	DROP TABLE t3;
	EOF
	godwit --url sqlite:a.db plan --resume >out &&
	test_grep "^1 migration, 1 statement: 0 errors, 0 warnings$" out &&
	godwit --url sqlite:a.db test --format text >out &&
	test_grep "^pass        20240101000001 t1$" out &&
	test_grep "^pass        20240101000003 t3$" out &&
	test_grep "^2 passed, 0 failed, 0 untestable$" out &&
	test "$(sqlite_sql a.db "SELECT group_concat(version) FROM godwit_migrations")" = 20240101000001
'

test_done
