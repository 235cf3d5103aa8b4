#!/bin/sh
test_description='fleet reports of every action on SQLite targets: text, markdown, github, json; failed and not started targets'
. "$(dirname "$0")/lib.sh"

# Durations and run ids change from run to run; the rest is exact.
normalize()
{
	sed -e 's/[0-9][0-9]*ms/Nms/g' -e 's/[0-9]\{8\}-[0-9]\{6\}-[0-9a-f]\{4\}/RUN/g' \
		-e 's/   */  /g' "$@"
}

test_expect_success 'setup: one target at each version, one missing, one not a database' '
	write_migration db/migrations/20240101000001_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	-- migrate:down
	DROP TABLE a;
	EOF
	write_migration db/migrations/20240101000002_b.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE b (id int);
	-- migrate:down
	DROP TABLE b;
	EOF
	godwit --url sqlite:one.db up --to 20240101000001 >/dev/null 2>&1 &&
	godwit --url sqlite:two.db up >/dev/null 2>&1 &&
	echo garbage >bad.db &&
	cat >targets.txt <<-\EOF
	one=sqlite:one.db
	two=sqlite:two.db
	zero=sqlite:zero.db
	bad=sqlite:bad.db
	EOF
'

test_expect_success 'status: versions grouped newest first, who is behind, who failed' '
	test_expect_code 3 godwit status --targets targets.txt >out &&
	cat >expect <<-\EOF &&
	VERSION         TARGETS  NAMES
	20240101000002  1        two
	20240101000001  1        one
	(none)          1        zero
	behind: one (1 pending), zero (2 pending)
	failed: bad: cannot open the SQLite database bad.db: file is not a database
	4 targets at 3 versions, 1 failed
	EOF
	test_cmp expect out
'

test_expect_success 'status --format markdown and github' '
	test_expect_code 3 godwit status --targets targets.txt --format markdown >out &&
	normalize out >actual &&
	cat >expect <<-\EOF &&
	### godwit status: 3 done, 1 failed

	Fleet run `RUN`.

	| target | version | duration | result |
	|---|---|---:|---|
	| one | 20240101000001 | Nms | done |
	| two | 20240101000002 | Nms | done |
	| zero | - | Nms | done |
	| bad | - | Nms | failed: cannot open the SQLite database bad.db: file is not a database |
	EOF
	test_cmp expect actual &&
	test_expect_code 3 godwit status --targets targets.txt --format github >out &&
	normalize out >actual &&
	cat >expect <<-\EOF &&
	::warning title=godwit status%3A one::1 pending, 0 changed, 0 dirty
	::warning title=godwit status%3A zero::2 pending, 0 changed, 0 dirty
	::error title=godwit status%3A bad::failed: cannot open the SQLite database bad.db: file is not a database
	::notice title=godwit status::fleet run RUN: 3 done, 1 failed
	EOF
	test_cmp expect actual
'

test_expect_success 'health: a finding is a warning annotation, the summary a cell; nothing created' '
	test_expect_code 3 godwit health --targets targets.txt >out &&
	normalize out >actual &&
	cat >expect <<-\EOF &&
	TARGET  DURATION  RESULT
	one  Nms  done: healthy
	two  Nms  done: healthy
	zero  Nms  done: 1 failed check
	bad  Nms  failed: cannot open the SQLite database bad.db: file is not a database
	fleet run RUN: 3 done, 1 failed, in Nms
	EOF
	test_cmp expect actual &&
	test_expect_code 3 godwit health --targets targets.txt --format github >out &&
	normalize out >actual &&
	cat >expect <<-\EOF &&
	::warning title=godwit health%3A zero::1 failed check
	::error title=godwit health%3A bad::failed: cannot open the SQLite database bad.db: file is not a database
	::notice title=godwit health::fleet run RUN: 3 done, 1 failed
	EOF
	test_cmp expect actual &&
	test_expect_code 3 godwit health --targets targets.txt --format markdown >out &&
	test_grep "^| zero | - | [0-9]*ms | done: 1 failed check |$" out &&
	test_expect_code 3 godwit health --targets targets.txt --format json >out &&
	test_grep "^      \"found\": 1,$" out &&
	test_grep "^      \"summary\": \"1 failed check\",$" out &&
	test ! -e zero.db
'

test_expect_success 'drift: a missing database fails, one without a snapshot says so' '
	test_expect_code 3 godwit drift --targets targets.txt --format markdown >out &&
	normalize out >actual &&
	cat >expect <<-\EOF &&
	### godwit drift: 2 done, 2 failed

	Fleet run `RUN`.

	| target | version | duration | result |
	|---|---|---:|---|
	| one | - | Nms | done: no snapshot recorded |
	| two | - | Nms | done: no snapshot recorded |
	| zero | - | Nms | failed: the SQLite database zero.db does not exist |
	| bad | - | Nms | failed: cannot open the SQLite database bad.db: file is not a database |
	EOF
	test_cmp expect actual
'

test_expect_success 'up after a failure leaves the rest not started, in every format' '
	cat >t2.txt <<-\EOF &&
	bad=sqlite:bad.db
	one=sqlite:one.db
	EOF
	test_expect_code 3 godwit up --targets t2.txt --jobs 1 --format markdown >out 2>err &&
	normalize out >actual &&
	cat >expect <<-\EOF &&
	### godwit up: 1 failed, 1 not started

	Fleet run `RUN`.

	| target | before | after | applied | duration | result |
	|---|---|---|---:|---:|---|
	| bad | - | - | 0 | Nms | failed: cannot open the SQLite database bad.db: file is not a database |
	| one | - | - | - | - | not started (too many failures) |
	EOF
	test_cmp expect actual &&
	test_expect_code 3 godwit up --targets t2.txt --jobs 1 --format github >out 2>err &&
	normalize out >actual &&
	cat >expect <<-\EOF &&
	::error title=godwit up%3A bad::failed: cannot open the SQLite database bad.db: file is not a database
	::warning title=godwit up%3A one::not started (too many failures)
	::notice title=godwit up::fleet run RUN: 1 failed, 1 not started
	EOF
	test_cmp expect actual &&
	test_expect_code 3 godwit up --targets t2.txt --jobs 1 --format text >out 2>err &&
	normalize out >actual &&
	cat >expect <<-\EOF &&
	TARGET  BEFORE  AFTER  APPLIED  DURATION  RESULT
	bad  -  -  0  Nms  failed: cannot open the SQLite database bad.db: file is not a database
	one  -  -  -  -  not started (too many failures)
	fleet run RUN: 1 failed, 1 not started, in Nms
	recorded in ./.godwit/fleet/RUN.json
	EOF
	test_cmp expect actual &&
	test "$(sqlite_sql one.db "SELECT count(*) FROM godwit_migrations")" = 1
'

test_expect_success 'down --to over the fleet: markdown shows what each reverted' '
	test_expect_code 3 godwit down --targets targets.txt --to 20240101000001 --yes --force --format markdown >out 2>err &&
	normalize out >actual &&
	cat >expect <<-\EOF &&
	### godwit down: 3 done, 1 failed

	Fleet run `RUN`.

	| target | before | after | reverted | duration | result |
	|---|---|---|---:|---:|---|
	| one | 20240101000001 | 20240101000001 | 0 | Nms | done |
	| two | 20240101000002 | 20240101000001 | 1 | Nms | done |
	| zero | - | - | 0 | Nms | done |
	| bad | - | - | 0 | Nms | failed: cannot open the SQLite database bad.db: file is not a database |
	EOF
	test_cmp expect actual &&
	test "$(sqlite_sql two.db "SELECT count(*) FROM godwit_migrations WHERE state = ${SQ}applied${SQ}")" = 1
'

test_done
