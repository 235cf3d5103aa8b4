#!/bin/sh
test_description='no file under src/ is over 1,200 lines'
. "$(dirname "$0")/lib.sh"

# The tree has one file per concept (docs/architecture.md); a file past
# this many lines holds more than one, and is split where its concepts
# part.
limit=1200

# oversized DIR: "FILE: N lines" for each file below DIR/src over the limit,
# sorted, FILE relative to DIR.
oversized()
{
	(cd "$1" && find src -type f -exec wc -l {} +) |
		awk -v limit="$limit" '$2 != "total" && $1 > limit { print $2 ": " $1 " lines" }' |
		sort
}

test_expect_success 'the check finds a file over the limit, and only that one' '
	mkdir -p fake/src/lib &&
	awk "BEGIN { for (i = 0; i < $limit; i++) print \"x\" }" >fake/src/lib/at_limit.c &&
	{ cat fake/src/lib/at_limit.c && echo y; } >fake/src/lib/over.c &&
	oversized fake >actual &&
	echo "src/lib/over.c: $((limit + 1)) lines" >expect &&
	test_cmp expect actual
'

test_expect_success 'no file under src/ is over 1,200 lines' '
	oversized "$GW_SOURCE_DIR" >actual &&
	test_cmp /dev/null actual
'

test_done
