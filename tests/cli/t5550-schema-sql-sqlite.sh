#!/bin/sh
test_description='schema diff --sql and --down on SQLite: the table rebuild, round trip over pairs'
. "$(dirname "$0")/lib.sh"

# sq_pair A B: A's file loaded into a.db, B's into b.db; the --sql script
# applied to a copy of a.db must give b.db's schema, the --down after it
# a.db's again, and the rows of person must survive both.
SQ_PAIRS=0
sq_pair()
{
	rm -f a.db b.db c.db &&
	sqlite3 -bail a.db <"$1" &&
	sqlite3 -bail b.db <"$2" &&
	godwit schema diff sqlite://a.db sqlite://b.db --sql >up.sql &&
	godwit schema diff sqlite://a.db sqlite://b.db --down >down.sql &&
	cp a.db c.db &&
	sqlite3 a.db "SELECT id, email FROM person ORDER BY id" >rows.before 2>/dev/null || :
	sqlite3 -bail c.db <up.sql || {
		echo "sq_pair $1 $2: the up fails" >&2
		cat up.sql >&2
		return 1
	}
	godwit schema diff sqlite://c.db sqlite://b.db >out || {
		echo "sq_pair $1 $2: after the up, A differs from B" >&2
		cat up.sql out >&2
		return 1
	}
	sqlite3 -bail c.db <down.sql || {
		echo "sq_pair $1 $2: the down fails" >&2
		cat down.sql >&2
		return 1
	}
	godwit schema diff sqlite://c.db sqlite://a.db >out || {
		echo "sq_pair $1 $2: after the down, the database differs from A" >&2
		cat down.sql out >&2
		return 1
	}
	sqlite3 c.db "SELECT id, email FROM person ORDER BY id" >rows.after 2>/dev/null || :
	test_cmp rows.before rows.after &&
	SQ_PAIRS=$((SQ_PAIRS + 1))
}

test_expect_success SQLITE3 'setup: SQLite schema variants, with rows' '
	mkdir v &&
	cat >v/1.sql <<-\EOF &&
	CREATE TABLE person (id INTEGER PRIMARY KEY, email TEXT NOT NULL, age int DEFAULT 3);
	CREATE INDEX person_email ON person(email);
	INSERT INTO person VALUES (1, '\''a@x'\'', 30), (2, '\''b@x'\'', 12);
	EOF
	cat >v/2.sql <<-\EOF &&
	CREATE TABLE person (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name text, age int DEFAULT 4);
	CREATE INDEX person_name ON person(name);
	CREATE VIEW adults AS SELECT id, name FROM person WHERE age >= 18;
	CREATE TABLE pet (id integer primary key, owner int REFERENCES person(id));
	INSERT INTO person VALUES (1, '\''a@x'\'', '\''A'\'', 30);
	EOF
	cat >v/3.sql <<-\EOF &&
	CREATE TABLE person (id INTEGER PRIMARY KEY, email TEXT, age int);
	CREATE TABLE log (at text);
	CREATE TRIGGER person_log AFTER INSERT ON person BEGIN INSERT INTO log VALUES (datetime()); END;
	CREATE VIEW adults AS SELECT id FROM person WHERE age >= 18;
	INSERT INTO person VALUES (5, '\''e@x'\'', 50);
	EOF
	cat >v/4.sql <<-\EOF
	CREATE TABLE person (id INTEGER PRIMARY KEY, email TEXT NOT NULL CHECK (email LIKE '\''%@%'\''), age int);
	CREATE UNIQUE INDEX person_email ON person(email) WHERE age > 0;
	EOF
'

test_expect_success SQLITE3 'a changed table is rebuilt: moved aside, created, copied, dropped, indexes again' '
	sqlite3 -bail a.db <v/1.sql &&
	sqlite3 -bail b.db <v/2.sql &&
	godwit schema diff sqlite://a.db sqlite://b.db --sql >up.sql &&
	cat >expect <<-\EOF &&
	-- table person is rebuilt: SQLite cannot alter it in place
	PRAGMA legacy_alter_table = ON;
	ALTER TABLE person RENAME TO godwit_old_person;
	PRAGMA legacy_alter_table = OFF;
	CREATE TABLE person(id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name text, age int DEFAULT 4);
	INSERT INTO person (id, email, age) SELECT id, email, age FROM godwit_old_person;
	DROP TABLE godwit_old_person;
	CREATE INDEX person_name ON person(name);
	CREATE TABLE pet(id integer primary key, owner int REFERENCES person(id));
	CREATE VIEW adults AS SELECT id, name FROM person WHERE age >= 18;
	PRAGMA foreign_key_check;
	EOF
	test_cmp expect up.sql
'

test_expect_success SQLITE3 'every pair of variants, each way: up gives B, down gives A, rows kept' '
	for a in v/*.sql; do
		for b in v/*.sql; do
			[ "$a" = "$b" ] && continue
			sq_pair "$a" "$b" || return 1
		done
	done &&
	echo "$SQ_PAIRS SQLite pairs proven (up then down)" &&
	test $SQ_PAIRS = 12
'

test_done
