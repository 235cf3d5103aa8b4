#!/bin/sh
test_description='lint finds unsafe statements, in every output format'
. "$(dirname "$0")/lib.sh"

# The line that ends a report checked as PostgreSQL for want of a URL.
guessed_pg="dialect: postgres (no database URL or dialect setting; what the SQL parses as)"

test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_users.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE users (id bigint PRIMARY KEY, email text);
	CREATE INDEX users_email ON users (email);
	-- migrate:down
	DROP TABLE users;
	EOF
	write_migration db/migrations/20240102000000_index.sql <<-\EOF
	-- migrate:up
	SET lock_timeout = '\''2s'\'';
	CREATE INDEX users_email2 ON users (email);
	-- godwit:ignore renaming-column
	ALTER TABLE users RENAME COLUMN email TO mail;
	-- migrate:down
	DROP INDEX users_email2;
	EOF
'

test_expect_success 'text: gcc-style findings, the safe way, exit 3' '
	test_expect_code 3 godwit lint >out &&
	cat >expect <<-\EOF &&
	db/migrations/20240102000000_index.sql:3:1: error: CREATE INDEX users_email2 without CONCURRENTLY blocks writes to users until it is built [require-concurrent-index-creation]
	  help: for example:
	        -- godwit:no-transaction
	        CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);
	1 error, 0 warnings
	dialect: postgres (no database URL or dialect setting; what the SQL parses as)
	EOF
	test_cmp expect out
'

test_expect_success 'a clean file exits 0' '
	godwit lint db/migrations/20240101000000_users.sql >out &&
	printf "%s\n" "no problems found" "$guessed_pg" >expect &&
	test_cmp expect out
'

test_expect_success 'json' '
	test_expect_code 3 godwit lint --format json >out &&
	test_grep "\"rule\": \"require-concurrent-index-creation\"" out &&
	test_grep "\"line\": 3" out &&
	test_grep "\"lock\": \"SHARE\"" out &&
	test_grep "\"table\": \"users\"" out &&
	test_grep "\"errors\": 1" out
'

test_expect_success 'github annotations' '
	test_expect_code 3 godwit lint --format github >out &&
	test_grep "^::error file=db/migrations/20240102000000_index.sql,line=3,col=1,title=require-concurrent-index-creation::CREATE INDEX users_email2 without CONCURRENTLY blocks writes to users until it is built%0Ahelp: for example:%0A-- godwit" out
'

test_expect_success 'markdown table' '
	test_expect_code 3 godwit lint --format markdown >out &&
	test_grep "^| Level | Location | Rule | Message |$" out &&
	test_grep "^| error | \`db/migrations/20240102000000_index.sql:3:1\` | \`require-concurrent-index-creation\` | CREATE INDEX users_email2 without" out
'

test_expect_success 'sarif 2.1.0 with rule metadata' '
	test_expect_code 3 godwit lint --format sarif >out &&
	test_grep "\"version\": \"2.1.0\"" out &&
	test_grep "\"ruleId\": \"require-concurrent-index-creation\"" out &&
	test_grep "\"startLine\": 3" out &&
	test_grep "\"shortDescription\"" out
'

test_expect_success 'an unknown format is a usage error' '
	test_expect_code 2 godwit lint --format xml 2>err &&
	test_grep "unknown format .xml.; use text, json, github, markdown or sarif" err
'

test_expect_success 'godwit.conf re-levels and disables rules' '
	echo "lint_warning = require-concurrent-index-creation" >godwit.conf &&
	godwit lint >out &&
	test_grep "3:1: warning: CREATE INDEX" out &&
	echo "lint_disable = require-concurrent-index-creation" >godwit.conf &&
	godwit lint >out &&
	printf "%s\n" "no problems found" "$guessed_pg" >expect &&
	test_cmp expect out &&
	echo "lint_error = no-such-rule" >godwit.conf &&
	test_expect_code 1 godwit lint 2>err &&
	cat >expect <<-EOF &&
	godwit: error: lint_error: unknown lint rule ${SQ}no-such-rule${SQ}
	hint: ${SQ}godwit lint --list${SQ} shows them
	EOF
	test_cmp expect err &&
	rm godwit.conf
'

test_expect_success 'an unused ignore is reported' '
	write_migration other.sql <<-\EOF &&
	-- godwit:ignore dropping-table
	CREATE TABLE t (id bigint);
	EOF
	godwit lint other.sql >out &&
	test_grep "^other.sql:1:1: warning: godwit:ignore dropping-table silences nothing here; remove it \[unused-ignore\]" out
'

test_expect_success 'a file outside the folder with CONCURRENTLY and other statements' '
	write_migration mixed.sql <<-\EOF &&
	SET lock_timeout = '\''1s'\'';
	UPDATE users SET email = lower(email);
	CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);
	EOF
	test_expect_code 3 godwit lint mixed.sql >out &&
	test_grep "mixed.sql:2:1: error: UPDATE runs without a transaction because CREATE INDEX (line 3) cannot run in one; a failure leaves this migration half-applied \[mixed-no-transaction\]" out &&
	! grep concurrently-in-transaction out
'

test_expect_success 'CONCURRENTLY without the directive: the runner runs it alone, no finding' '
	write_migration alone.sql <<-\EOF &&
	CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);
	EOF
	godwit lint alone.sql >out &&
	printf "%s\n" "no problems found" "$guessed_pg" >expect &&
	test_cmp expect out
'

test_expect_success 'CONCURRENTLY between BEGIN and COMMIT is an error' '
	write_migration inblock.sql <<-\EOF &&
	-- godwit:no-transaction
	BEGIN;
	CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);
	COMMIT;
	EOF
	test_expect_code 3 godwit lint inblock.sql >out &&
	test_grep "^inblock.sql:3:1: error: CREATE INDEX cannot run between BEGIN and COMMIT \[concurrently-in-transaction\]" out
'

test_expect_success 'the runner sets lock_timeout, so a blocking ALTER needs no SET' '
	write_migration alter.sql <<-\EOF &&
	ALTER TABLE users ADD COLUMN bio text;
	EOF
	godwit lint alter.sql >out &&
	printf "%s\n" "no problems found" "$guessed_pg" >expect &&
	test_cmp expect out
'

test_expect_success 'require-timeout-settings fires where the runner sets no lock_timeout' '
	GODWIT_LOCK_TIMEOUT=0 godwit lint alter.sql >out &&
	test_grep "^alter.sql:1:1: warning: ALTER TABLE waits for a lock without a lock_timeout; queries queue behind it \[require-timeout-settings\]" out &&
	mkdir conf &&
	(cd conf && printf "lock_timeout = 0\n" >godwit.conf && godwit lint ../alter.sql >../out) &&
	test_grep "warning: ALTER TABLE waits for a lock without a lock_timeout" out
'

test_expect_success 'SET lock_timeout = 0 or RESET in the file turns the runner'"'"'s off' '
	for off in "SET lock_timeout = 0;" "SET lock_timeout TO '\''0s'\'';" "RESET lock_timeout;" \
		"SET lock_timeout TO DEFAULT;"
	do
		printf "%s\nALTER TABLE users ADD COLUMN bio text;\n" "$off" >off.sql &&
		godwit lint off.sql >out &&
		test_grep "^off.sql:2:1: warning: ALTER TABLE waits for a lock without a lock_timeout" out ||
		return 1
	done &&
	printf "SET lock_timeout = 0;\nSET lock_timeout = '\''1s'\'';\nALTER TABLE users ADD COLUMN bio text;\n" >on.sql &&
	godwit lint on.sql >out &&
	printf "%s\n" "no problems found" "$guessed_pg" >expect &&
	test_cmp expect out
'

test_expect_success 'docs/lint-rules.md is the output of lint --list --format markdown' '
	godwit lint --list --format markdown >expect &&
	sed -n "/^| Rule | Level/,\$p" "$GW_SOURCE_DIR/docs/lint-rules.md" >actual &&
	test_cmp expect actual
'

test_expect_success 'the README counts the rules there are' '
	n=$(godwit lint --list | wc -l) &&
	test_grep "[^0-9]$n lint rules" "$GW_SOURCE_DIR/README.md"
'

test_expect_success 'a syntax error is a finding with its position' '
	printf "SELECT 1;\nSELEC 2;\n" >bad.sql &&
	test_expect_code 3 godwit lint bad.sql >out &&
	test_grep "^bad.sql:2:1: error: syntax error at or near \"SELEC\" \[syntax\]" out
'

test_expect_success 'SQLite SQL: no PostgreSQL syntax errors, only the rules that apply to SQLite' '
	mkdir lite &&
	write_migration lite/db/migrations/20240101000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL) STRICT;
	CREATE INDEX a_name ON a (name);
	ALTER TABLE a DROP COLUMN name;
	EOF
	(cd lite && godwit --url sqlite:db/dev.sqlite3 lint >../out) &&
	test_grep "20240101000000_a.sql:4:1: warning: dropping a.name breaks code that still reads it \[dropping-column\]" out &&
	! grep "syntax\|require-concurrent-index-creation" out &&
	test_grep "^dialect: sqlite (the database URL)$" out &&
	(cd lite && godwit lint --dialect sqlite >../out2) &&
	test_grep "^dialect: sqlite (--dialect)$" out2 &&
	(cd lite && godwit lint >../out3) &&
	test_grep "^dialect: sqlite (no database URL or dialect setting; what the SQL parses as)$" out3 &&
	grep -v "^dialect:" out >expect && grep -v "^dialect:" out2 >actual2 &&
	grep -v "^dialect:" out3 >actual3 &&
	test_cmp expect actual2 && test_cmp expect actual3 &&
	(cd lite && test_expect_code 3 godwit lint --dialect postgres >../out4) &&
	test_grep "syntax error at or near \"AUTOINCREMENT\" \[syntax\]" out4 &&
	(cd lite && test_expect_code 1 godwit lint --dialect oracle 2>../err) &&
	test_grep "unknown SQL dialect .oracle.; use postgres or sqlite" err
'

test_expect_success '--explain and --list' '
	godwit lint --explain constraint-missing-not-valid >out &&
	test_grep "^constraint-missing-not-valid (error, locking)" out &&
	test_grep "VALIDATE CONSTRAINT orders_user_fk" out &&
	test_expect_code 2 godwit lint --explain nope 2>err &&
	test_grep "unknown rule .nope." err &&
	godwit lint --list >out &&
	test_grep "^prefer-jsonb  *warning  *json instead of jsonb" out
'

test_expect_success PG 'with a database, only pending migrations are linted' '
	pg_new_db &&
	godwit --url "$PG_URL" up --to 20240101000000 &&
	test_expect_code 3 godwit --url "$PG_URL" lint >out &&
	test_grep "20240102000000_index.sql:3:1" out &&
	godwit --url "$PG_URL" up &&
	godwit --url "$PG_URL" lint >out &&
	printf "%s\n" "no problems found" "dialect: postgres (the database URL)" >expect &&
	test_cmp expect out
'

test_expect_success 'git: --since lints the files changed since a revision' '
	git init -q repo &&
	mkdir -p repo/db/migrations &&
	cp db/migrations/20240101000000_users.sql repo/db/migrations/ &&
	(cd repo && git add . && git -c user.name=t -c user.email=t@t commit -qm one) &&
	cp db/migrations/20240102000000_index.sql repo/db/migrations/ &&
	(cd repo && git add . && git -c user.name=t -c user.email=t@t commit -qm two) &&
	(cd repo && test_expect_code 3 godwit lint --since HEAD~1) >out &&
	test_grep "^db/migrations/20240102000000_index.sql:3:1: error" out &&
	(cd repo && godwit lint --since HEAD) >out &&
	echo "no migration changed" >expect &&
	test_cmp expect out
'

test_expect_success 'git: --since also lints new files git does not track yet' '
	write_migration repo/db/migrations/20240103000000_new.sql <<-\EOF &&
	-- migrate:up
	CREATE INDEX users_email3 ON users (email);
	-- migrate:down
	DROP INDEX users_email3;
	EOF
	echo "notes" >repo/db/migrations/README.txt &&
	(cd repo && test_expect_code 3 godwit lint --since HEAD) >out &&
	test_grep "^db/migrations/20240103000000_new.sql:2:1: error: CREATE INDEX users_email3 without CONCURRENTLY" out &&
	! grep 20240102000000_index out &&
	! grep README out
'

test_expect_success 'git: --since with a bad revision fails and names it' '
	(cd repo && test_expect_code 1 godwit lint --since nosuchrev) 2>err &&
	test_grep "^godwit: error: git could not list the files changed since nosuchrev: fatal: bad revision .nosuchrev.$" err &&
	(cd repo && test_expect_code 1 godwit lint --since=-p) 2>err &&
	test_grep "^godwit: error: .-p. is not a git revision$" err
'

test_expect_success 'git: --since outside a repository fails with git'"'"'s words' '
	mkdir norepo &&
	(cd norepo && GIT_CEILING_DIRECTORIES=$TRASH_DIRECTORY test_expect_code 1 godwit lint --since HEAD) 2>err &&
	test_grep "^godwit: error: git could not list the files changed since HEAD: .*Not a git repository.*$" err &&
	test "$(wc -l <err)" = 1
'

test_done
