#!/bin/sh
test_description='validate findings without a line (a file) and with one, in every report format'
. "$(dirname "$0")/lib.sh"

# Two file-level warnings (no down script: no line, no column) and a
# syntax error after a tab and a two-byte character, whose caret must
# line up under the text as a terminal shows it.
test_expect_success 'setup' '
	write_migration db/migrations/20240101000000_a.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE a (id int);
	EOF
	printf -- "-- migrate:up\n\tSELECT ${SQ}\303\251${SQ} FROM nope WHERE;\n-- migrate:down\n" \
		>db/migrations/20240102000000_b.sql
'

test_expect_success 'text: file-level findings without a place, the caret under a tab and UTF-8' '
	test_expect_code 3 godwit validate >out &&
	printf "%s\n" \
		"db/migrations/20240101000000_a.sql: warning: migration 20240101000000 has no down script; godwit down cannot revert it [missing-down]" \
		"db/migrations/20240102000000_b.sql: warning: migration 20240102000000 has no down script; godwit down cannot revert it [missing-down]" \
		"db/migrations/20240102000000_b.sql:2:28: error: syntax error at or near \";\" [syntax]" \
		"  	SELECT ${SQ}$(printf "\303\251")${SQ} FROM nope WHERE;" \
		"  	                          ^" \
		"1 error, 2 warnings" \
		"dialect: postgres (no database URL or dialect setting; what the SQL parses as)" >expect &&
	test_cmp expect out
'

test_expect_success 'github: warnings without line and col' '
	test_expect_code 3 godwit validate --format github >out &&
	cat >expect <<-\EOF &&
	::warning file=db/migrations/20240101000000_a.sql,title=missing-down::migration 20240101000000 has no down script; godwit down cannot revert it
	::warning file=db/migrations/20240102000000_b.sql,title=missing-down::migration 20240102000000 has no down script; godwit down cannot revert it
	::error file=db/migrations/20240102000000_b.sql,line=2,col=28,title=syntax::syntax error at or near ";"
	EOF
	test_cmp expect out
'

test_expect_success 'markdown: a location without line and column' '
	test_expect_code 3 godwit validate --format markdown >out &&
	cat >expect <<-\EOF &&
	| Level | Location | Rule | Message |
	|---|---|---|---|
	| warning | `db/migrations/20240101000000_a.sql` | `missing-down` | migration 20240101000000 has no down script; godwit down cannot revert it |
	| warning | `db/migrations/20240102000000_b.sql` | `missing-down` | migration 20240102000000 has no down script; godwit down cannot revert it |
	| error | `db/migrations/20240102000000_b.sql:2:28` | `syntax` | syntax error at or near ";" |

	1 error(s), 2 warning(s)
	EOF
	test_cmp expect out
'

test_expect_success 'sarif and json: a region only where there is a line' '
	test_expect_code 3 godwit validate --format sarif >out &&
	python3 -c "
import json, sys
for r in json.load(open(\"out\"))[\"runs\"][0][\"results\"]:
    loc = r[\"locations\"][0][\"physicalLocation\"]
    reg = loc.get(\"region\")
    print(r[\"level\"], r[\"ruleId\"], loc[\"artifactLocation\"][\"uri\"],
          reg and (reg[\"startLine\"], reg[\"startColumn\"]))
" >actual &&
	cat >expect <<-\EOF &&
	warning missing-down db/migrations/20240101000000_a.sql None
	warning missing-down db/migrations/20240102000000_b.sql None
	error syntax db/migrations/20240102000000_b.sql (2, 28)
	EOF
	test_cmp expect actual &&
	test_expect_code 3 godwit validate --format json >out &&
	python3 -c "
import json
for f in json.load(open(\"out\"))[\"findings\"]:
    print(f[\"level\"], f[\"rule\"], f[\"line\"], f[\"column\"])
" >actual &&
	cat >expect <<-\EOF &&
	warning missing-down None None
	warning missing-down None None
	error syntax 2 28
	EOF
	test_cmp expect actual
'

test_done
