#!/bin/sh
test_description='lint: a table named with and without its schema is one table'
. "$(dirname "$0")/lib.sh"

guessed_pg="dialect: postgres (no database URL or dialect setting; what the SQL parses as)"

test_expect_success 'a table created as e and altered as public.e is new' '
	cat >a.sql <<-\EOF &&
	CREATE TABLE e (id int);
	ALTER TABLE public.e ADD COLUMN x int NOT NULL;
	CREATE INDEX e_x ON public.e (x);
	EOF
	GODWIT_LOCK_TIMEOUT=0 godwit lint a.sql >out &&
	printf "%s\n" "no problems found" "$guessed_pg" >expect &&
	test_cmp expect out
'

test_expect_success 'a table created as public.f and altered, truncated, triggered as f is new' '
	cat >b.sql <<-\EOF &&
	CREATE TABLE public.f (id int);
	ALTER TABLE f ADD COLUMN x int NOT NULL;
	CREATE INDEX f_x ON f (x);
	TRUNCATE f;
	CREATE TRIGGER f_t BEFORE INSERT ON public.f FOR EACH ROW EXECUTE FUNCTION t();
	EOF
	GODWIT_LOCK_TIMEOUT=0 godwit lint b.sql >out &&
	printf "%s\n" "no problems found" "$guessed_pg" >expect &&
	test_cmp expect out
'

test_expect_success 'another schema'"'"'s table of the same name is not new' '
	cat >c.sql <<-\EOF &&
	CREATE TABLE g (id int);
	ALTER TABLE app.g ADD COLUMN x int;
	EOF
	GODWIT_LOCK_TIMEOUT=0 godwit lint c.sql >out &&
	test_grep "^c.sql:2:1: warning: ALTER TABLE waits for a lock without a lock_timeout; queries queue behind it \[require-timeout-settings\]" out
'

test_expect_success 'a temporary table is found unqualified, not as public.t' '
	cat >d.sql <<-\EOF &&
	CREATE TEMP TABLE t (id int);
	CREATE INDEX t_id ON t (id);
	CREATE INDEX t_id2 ON public.t (id);
	EOF
	test_expect_code 3 godwit lint d.sql >out &&
	test_grep "^d.sql:3:1: error: CREATE INDEX t_id2 without CONCURRENTLY blocks writes to public.t until it is built \[require-concurrent-index-creation\]" out &&
	test_grep "^1 error, 0 warnings" out
'

test_expect_success 'a NOT NULL check validated as public.h proves the column of h' '
	cat >h.sql <<-\EOF &&
	SET lock_timeout = '\''2s'\'';
	ALTER TABLE public.h ADD CONSTRAINT h_x_nn CHECK (x IS NOT NULL) NOT VALID;
	ALTER TABLE h VALIDATE CONSTRAINT h_x_nn;
	ALTER TABLE public.h ALTER COLUMN x SET NOT NULL;
	EOF
	godwit lint h.sql >out &&
	printf "%s\n" "no problems found" "$guessed_pg" >expect &&
	test_cmp expect out
'

test_done
