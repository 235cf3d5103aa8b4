#!/bin/bash
#
# gen-schema.sh: writes a real-world-like schema as N migrations, each with
# an up and a down (native format), for bench/schema.sh and the schema
# tests.
#
#   gen-schema.sh N DIR
#
# Migration 1 creates the schemas `app` and `billing`, an enum, a domain
# and a shared trigger function. Each migration k >= 2 adds a unit:
#   - a table app.t_k: identity primary key, a foreign key to t_(k-1), the
#     enum and the domain as column types, defaults, a CHECK, a UNIQUE, a
#     partial expression index, a comment;
#   - a plpgsql trigger function and its trigger; row-level security with
#     two policies;
#   - a view joining t_k to t_(k-1); an SQL function reading t_k;
#   - every 5th: a range-partitioned table billing.e_k with 4 partitions
#     and an index on the parent;
#   - every 10th: a materialized view with an index.
# So N = 100 gives about 310 relations (tables, partitions, views,
# materialized views), 200 functions, 100 triggers and 200 policies.
set -euo pipefail

if [ $# -ne 2 ] || ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ] || [ "$1" -gt 99999 ]; then
	echo "usage: $0 N DIR   (1 <= N <= 99999)" >&2
	exit 2
fi
n=$1
dir=$2
mkdir -p "$dir"

{
	echo "-- migrate:up"
	echo "CREATE SCHEMA app;"
	echo "CREATE SCHEMA billing;"
	echo "COMMENT ON SCHEMA billing IS 'invoices and events';"
	echo "CREATE TYPE app.status AS ENUM ('new', 'active', 'closed');"
	echo "CREATE DOMAIN app.email AS text CHECK (VALUE ~ '^[^@]+@[^@]+\$');"
	echo "CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS \$\$"
	echo "BEGIN NEW.updated_at := now(); RETURN NEW; END \$\$;"
	echo "-- migrate:down"
	echo "DROP FUNCTION app.touch();"
	echo "DROP DOMAIN app.email;"
	echo "DROP TYPE app.status;"
	echo "DROP SCHEMA billing;"
	echo "DROP SCHEMA app;"
} >"$dir/00001_base.sql"

for ((k = 2; k <= n; k++)); do
	p=$((k - 1))
	{
		echo "-- migrate:up"
		echo "CREATE TABLE app.t_$k ("
		echo "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
		echo "  name text NOT NULL,"
		echo "  owner text NOT NULL DEFAULT current_user,"
		echo "  status app.status NOT NULL DEFAULT 'new',"
		echo "  email app.email,"
		if ((k > 2)); then
			echo "  prev_id bigint REFERENCES app.t_$p (id) ON DELETE SET NULL,"
		else
			echo "  prev_id bigint,"
		fi
		echo "  score numeric(10,2) CHECK (score >= 0),"
		echo "  updated_at timestamptz NOT NULL DEFAULT now(),"
		echo "  UNIQUE (name, owner));"
		echo "CREATE INDEX t_${k}_lname ON app.t_$k (lower(name)) WHERE score > 0;"
		echo "COMMENT ON TABLE app.t_$k IS 'unit $k';"
		echo "COMMENT ON COLUMN app.t_$k.score IS 'never negative';"
		echo "CREATE FUNCTION app.t_${k}_check() RETURNS trigger LANGUAGE plpgsql AS \$\$"
		echo "BEGIN"
		echo "  IF NEW.score < 0 THEN RAISE EXCEPTION 'score of % is negative', NEW.id; END IF;"
		echo "  NEW.updated_at := now();"
		echo "  RETURN NEW;"
		echo "END \$\$;"
		echo "CREATE TRIGGER t_${k}_check BEFORE INSERT OR UPDATE ON app.t_$k"
		echo "  FOR EACH ROW EXECUTE FUNCTION app.t_${k}_check();"
		echo "ALTER TABLE app.t_$k ENABLE ROW LEVEL SECURITY;"
		echo "CREATE POLICY t_${k}_owner ON app.t_$k USING (owner = current_user);"
		echo "CREATE POLICY t_${k}_read ON app.t_$k FOR SELECT USING (score IS NOT NULL);"
		if ((k > 2)); then
			echo "CREATE VIEW app.v_$k AS SELECT t.id, t.name, t.score, p.name AS prev_name"
			echo "  FROM app.t_$k t LEFT JOIN app.t_$p p ON p.id = t.prev_id;"
		else
			echo "CREATE VIEW app.v_$k AS SELECT t.id, t.name, t.score FROM app.t_$k t;"
		fi
		echo "CREATE FUNCTION app.f_$k(p_id bigint) RETURNS numeric LANGUAGE sql STABLE"
		echo "  AS \$\$ SELECT score FROM app.t_$k WHERE id = p_id \$\$;"
		if ((k % 5 == 0)); then
			echo "CREATE TABLE billing.e_$k (id bigint NOT NULL, at date NOT NULL,"
			echo "  amount numeric(12,2) NOT NULL DEFAULT 0, t_id bigint,"
			echo "  PRIMARY KEY (id, at)) PARTITION BY RANGE (at);"
			echo "CREATE TABLE billing.e_${k}_2023 PARTITION OF billing.e_$k"
			echo "  FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');"
			echo "CREATE TABLE billing.e_${k}_2024 PARTITION OF billing.e_$k"
			echo "  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
			echo "CREATE TABLE billing.e_${k}_2025 PARTITION OF billing.e_$k"
			echo "  FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');"
			echo "CREATE TABLE billing.e_${k}_rest PARTITION OF billing.e_$k DEFAULT;"
			echo "CREATE INDEX e_${k}_t ON billing.e_$k (t_id);"
		fi
		if ((k % 10 == 0)); then
			echo "CREATE MATERIALIZED VIEW app.m_$k AS"
			echo "  SELECT status, count(*) AS n, sum(score) AS total FROM app.t_$k GROUP BY status;"
			echo "CREATE UNIQUE INDEX m_${k}_status ON app.m_$k (status);"
		fi
		echo "-- migrate:down"
		if ((k % 10 == 0)); then
			echo "DROP MATERIALIZED VIEW app.m_$k;"
		fi
		if ((k % 5 == 0)); then
			echo "DROP TABLE billing.e_$k;"
		fi
		echo "DROP FUNCTION app.f_$k(bigint);"
		echo "DROP VIEW app.v_$k;"
		echo "DROP TABLE app.t_$k;"
		echo "DROP FUNCTION app.t_${k}_check();"
	} >"$dir/$(printf '%05d' "$k")_unit_$k.sql"
done
