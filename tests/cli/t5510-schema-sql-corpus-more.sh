#!/bin/sh
test_description='schema diff --sql and --down: the round trip for functions, triggers, policies, types, partitions, privileges'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/roundtrip.sh"

build_corpus()
{
	variant functions <<-\EOF &&
	CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
	CREATE TABLE t (id int, n int DEFAULT add(1, 2));
	EOF
	variant functions <<-\EOF &&
	CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a + b + 0 $$;
	CREATE FUNCTION twice(x int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN x * 2; END $$;
	CREATE TABLE t (id int, n int DEFAULT add(1, 2));
	CREATE VIEW tv AS SELECT id, twice(n) AS n2 FROM t;
	COMMENT ON FUNCTION twice(int) IS 'doubles';
	EOF
	variant functions <<-\EOF &&
	CREATE FUNCTION add(a int, b int) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT (a + b)::bigint $$;
	CREATE TABLE t (id int, n bigint);
	CREATE PROCEDURE cleanup(days int) LANGUAGE sql AS $$ DELETE FROM t WHERE id < days $$;
	EOF
	variant functions <<-\EOF &&
	CREATE FUNCTION twice(x int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN x * 3; END $$;
	CREATE TABLE t (id int, n int);
	CREATE VIEW tv AS SELECT id, twice(n) AS n2 FROM t;
	CREATE AGGREGATE total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');
	EOF
	variant triggers <<-\EOF &&
	CREATE TABLE t (id int PRIMARY KEY, touched timestamptz);
	CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := now(); RETURN NEW; END $$;
	CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
	EOF
	variant triggers <<-\EOF &&
	CREATE TABLE t (id int PRIMARY KEY, touched timestamptz);
	CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := now(); RETURN NEW; END $$;
	CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW WHEN (NEW.id > 0) EXECUTE FUNCTION touch();
	ALTER TABLE t DISABLE TRIGGER t_touch;
	EOF
	variant triggers <<-\EOF &&
	CREATE TABLE t (id int PRIMARY KEY, touched timestamptz);
	CREATE TABLE log (id int);
	CREATE FUNCTION logit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO log VALUES (NEW.id); RETURN NULL; END $$;
	CREATE TRIGGER t_log AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION logit();
	CREATE VIEW tv AS SELECT id FROM t;
	CREATE FUNCTION tv_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO t (id) VALUES (NEW.id); RETURN NEW; END $$;
	CREATE TRIGGER tv_ins INSTEAD OF INSERT ON tv FOR EACH ROW EXECUTE FUNCTION tv_insert();
	EOF
	variant policies <<-\EOF &&
	CREATE TABLE doc (id int PRIMARY KEY, owner text);
	EOF
	variant policies <<-\EOF &&
	CREATE TABLE doc (id int PRIMARY KEY, owner text);
	ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
	CREATE POLICY mine ON doc USING (owner = current_user);
	EOF
	variant policies <<-\EOF &&
	CREATE TABLE doc (id int PRIMARY KEY, owner text);
	ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
	ALTER TABLE doc FORCE ROW LEVEL SECURITY;
	CREATE POLICY mine ON doc AS RESTRICTIVE FOR UPDATE TO public USING (owner = current_user) WITH CHECK (id > 0);
	CREATE POLICY ro ON doc FOR SELECT USING (true);
	EOF
	variant types <<-\EOF &&
	CREATE DOMAIN posint AS int CHECK (VALUE > 0);
	CREATE TYPE pair AS (a int, b text);
	CREATE TABLE t (id posint, p pair);
	EOF
	variant types <<-\EOF &&
	CREATE DOMAIN posint AS int DEFAULT 1 NOT NULL CONSTRAINT posint_check CHECK (VALUE > 0) CONSTRAINT small CHECK (VALUE < 1000);
	CREATE TYPE pair AS (a int, b text, c date);
	CREATE TABLE t (id posint, p pair);
	COMMENT ON DOMAIN posint IS 'positive';
	EOF
	variant types <<-\EOF &&
	CREATE DOMAIN posint AS int;
	CREATE TYPE pair AS (a bigint, b text);
	CREATE TYPE span AS RANGE (SUBTYPE = date);
	CREATE TABLE t (id posint, p pair, s span);
	EOF
	variant constraints2 <<-\EOF &&
	CREATE EXTENSION btree_gist;
	CREATE TABLE booking (room int, during tstzrange);
	EOF
	variant constraints2 <<-\EOF &&
	CREATE EXTENSION btree_gist;
	CREATE TABLE booking (room int, during tstzrange,
		CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&));
	EOF
	variant constraints2 <<-\EOF &&
	CREATE EXTENSION btree_gist;
	CREATE TABLE booking (room int UNIQUE DEFERRABLE INITIALLY DEFERRED, during tstzrange,
		CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&) DEFERRABLE);
	EOF
	variant matviews <<-\EOF &&
	CREATE TABLE t (id int PRIMARY KEY, n int);
	CREATE MATERIALIZED VIEW mv AS SELECT id, n FROM t;
	CREATE UNIQUE INDEX mv_id ON mv (id);
	EOF
	variant matviews <<-\EOF &&
	CREATE TABLE t (id int PRIMARY KEY, n bigint);
	CREATE MATERIALIZED VIEW mv AS SELECT id, n FROM t;
	CREATE UNIQUE INDEX mv_id ON mv (id);
	CREATE VIEW over_mv AS SELECT id FROM mv;
	EOF
	variant matviews <<-\EOF &&
	CREATE TABLE t (id int PRIMARY KEY, n int);
	CREATE MATERIALIZED VIEW mv AS SELECT id, n * 2 AS n2 FROM t;
	CREATE INDEX mv_n2 ON mv (n2);
	COMMENT ON MATERIALIZED VIEW mv IS 'doubled';
	EOF
	variant partitions <<-\EOF &&
	CREATE TABLE m (id int, at date NOT NULL) PARTITION BY RANGE (at);
	CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
	EOF
	variant partitions <<-\EOF &&
	CREATE TABLE m (id int, at date NOT NULL) PARTITION BY RANGE (at);
	CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
	CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
	CREATE INDEX m_at ON m (at);
	EOF
	variant partitions <<-\EOF &&
	CREATE TABLE m (id int, at date NOT NULL, note text) PARTITION BY RANGE (at);
	CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
	CREATE TABLE m_rest PARTITION OF m DEFAULT;
	ALTER TABLE m ADD CONSTRAINT m_id_check CHECK (id > 0);
	EOF
	variant privileges <<-\EOF &&
	CREATE TABLE t (id int);
	CREATE VIEW v AS SELECT id FROM t;
	GRANT SELECT ON t, v TO rt_reader;
	EOF
	variant privileges <<-\EOF &&
	CREATE TABLE t (id int);
	CREATE VIEW v AS SELECT id FROM t;
	GRANT SELECT ON t TO rt_reader;
	GRANT SELECT, INSERT ON v TO rt_writer WITH GRANT OPTION;
	EOF
	variant privileges <<-\EOF &&
	CREATE TABLE t (id int);
	CREATE VIEW v AS SELECT id FROM t;
	ALTER TABLE t OWNER TO rt_writer;
	GRANT UPDATE, DELETE ON t TO rt_reader;
	GRANT SELECT ON v TO PUBLIC;
	EOF
	ls */*.sql | wc -l >variants
}

test_expect_success PG 'setup: two databases, two roles and the corpus' '
	rt_setup &&
	psql -X -q -d "$RT_URL_A" -c "DO \$\$ BEGIN CREATE ROLE rt_reader; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" \
		-c "DO \$\$ BEGIN CREATE ROLE rt_writer; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" &&
	build_corpus
'

test_expect_success PG 'functions, procedures, aggregates and the views that use them' '
	rt_group functions
'

test_expect_success PG 'triggers: on tables and views, WHEN, disabled' '
	rt_group triggers
'

test_expect_success PG 'policies and row-level security' '
	rt_group policies
'

test_expect_success PG 'domains, composite types, ranges' '
	rt_group types
'

test_expect_success PG 'EXCLUDE and deferrable constraints' '
	rt_group constraints2
'

test_expect_success PG 'materialized views, their indexes, views over them' '
	rt_group matviews
'

test_expect_success PG 'partitioned tables and partitions' '
	rt_group partitions
'

test_expect_success PG 'owners and grants with --privileges' '
	RT_PRIVILEGES=--privileges &&
	rt_group privileges &&
	RT_PRIVILEGES=
'

test_expect_success PG 'the count of pairs' '
	say "# $RT_PAIRS pairs proven (up then down), $RT_REFUSED inexpressible changes refused, $RT_REORDERED compared without column order" &&
	test $RT_PAIRS = 25 &&
	test $RT_REFUSED = 2 &&
	test $RT_REORDERED = 0
'

test_done
