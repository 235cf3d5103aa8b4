#!/bin/sh
test_description='man pages: generated from the help tables, rendered by man without warnings, installed'
. "$(dirname "$0")/lib.sh"

command -v man >/dev/null 2>&1 && test_set_prereq MAN

# render PAGE: the page as man shows it; its warnings go to PAGE.warn.
render()
{
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$1" 2>"$1.warn"
}

test_expect_success 'setup: the pages and completions, as the build makes them' '
	sh "$GW_SOURCE_DIR/packaging/gen-docs.sh" "$GODWIT" docs &&
	godwit help | sed -n "/^commands:/,/^$/p" | sed -n "s/^  \([a-z]*\).*/\1/p" >commands &&
	test "$(wc -l <commands)" -gt 25 &&
	while read cmd; do
		test -s docs/man1/godwit-$cmd.1 || return 1
	done <commands &&
	test "$(ls docs/man1 | wc -l)" = $(($(wc -l <commands) + 1)) &&
	test -s docs/completions/godwit.bash &&
	test -s docs/completions/_godwit &&
	test -s docs/completions/godwit.fish
'

test_expect_success MAN 'a broken page does make man warn (the check below is live)' '
	printf ".TH X 1\n.SH NAME\nx \\\\- y\n.NOSUCHMACRO z\n" >bad.1 &&
	render bad.1 >/dev/null &&
	test_grep "macro .NOSUCHMACRO. not defined" bad.1.warn
'

test_expect_success MAN 'every page renders without a warning' '
	for page in docs/man1/*.1; do
		render $page >$page.txt &&
		if test -s $page.warn; then cat $page.warn; return 1; fi &&
		test -s $page.txt || return 1
	done
'

test_expect_success MAN 'a command'\''s page says what its help says' '
	render docs/man1/godwit-down.1 >down.txt &&
	test_grep "^ *godwit-down - revert the last N migrations, or down to a version$" down.txt &&
	test_grep "^ *godwit down \[N | --to V | --all | --target V\] \[--dry-run\]$" down.txt &&
	test_grep "^ *godwit rollback \.\.\.$" down.txt &&
	godwit help down | sed -n "s/^  --[^ ]*\( [A-Z]*\)\? *//p" >helps &&
	test "$(wc -l <helps)" = 4 &&
	while read line; do
		test_grep -F "$line" down.txt || return 1
	done <helps
'

test_expect_success MAN 'godwit(1) lists every command and every global option' '
	render docs/man1/godwit.1 >godwit.txt &&
	while read cmd; do
		test_grep "^       $cmd\( \|\$\)" godwit.txt || return 1
	done <commands &&
	test_grep -F -- "--env-file FILE" godwit.txt &&
	test_grep -F -- "--url" godwit.txt &&
	test_grep "godwit-init(1)" godwit.txt
'

test_expect_success MAN 'examples in a description stay as written' '
	render docs/man1/godwit-completion.1 >c.txt &&
	test_grep "^           source <(godwit completion bash)$" c.txt
'

test_expect_success 'cmake --install puts the pages and completions in place' '
	cmake --install "$(dirname "$GODWIT")" --prefix "$PWD/inst" >/dev/null &&
	test_cmp docs/man1/godwit-up.1 inst/share/man/man1/godwit-up.1 &&
	test_cmp docs/completions/godwit.bash inst/share/bash-completion/completions/godwit &&
	test_cmp docs/completions/_godwit inst/share/zsh/vendor-completions/_godwit &&
	test_cmp docs/completions/godwit.fish inst/share/fish/vendor_completions.d/godwit.fish
'

test_done
