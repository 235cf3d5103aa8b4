#!/bin/sh
test_description='completion: the bash script completes commands, options and --to versions'
. "$(dirname "$0")/lib.sh"

command -v bash >/dev/null 2>&1 && test_set_prereq BASH

# complete WORDS...: the words typed so far (the last one is being
# completed, "" for a new word); prints COMPREPLY, one per line, sorted.
# The script is loaded in a fresh bash, as a user's shell would.
complete_words()
{
	GODWIT_BIN_DIR=$(dirname "$GODWIT") bash -c '
		PATH=$GODWIT_BIN_DIR:$PATH
		source ../godwit.bash || exit 1
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_godwit || exit 1
		[ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort
	' bash godwit "$@"
}

test_expect_success BASH 'setup: the script and a project with two migrations' '
	godwit completion bash >godwit.bash &&
	bash -n godwit.bash &&
	mkdir p && cd p &&
	mkdir -p db/migrations &&
	printf "%s\n" "-- migrate:up" "SELECT 1;" "-- migrate:down" "SELECT 1;" \
		>db/migrations/20240101000000_a.sql &&
	cp db/migrations/20240101000000_a.sql db/migrations/20240202000000_b.sql
'

test_expect_success BASH 'commands, with aliases' '
	cd p &&
	complete_words st >out &&
	printf "status\n" >expect && test_cmp expect out &&
	complete_words r >out &&
	printf "%s\n" redo repair reset resolve restore rollback >expect && test_cmp expect out
'

test_expect_success BASH 'a command'\''s own options and the global ones' '
	cd p &&
	complete_words up --dr >out &&
	printf "%s\n" --dry-run >expect && test_cmp expect out &&
	complete_words down --a >out &&
	printf "%s\n" --all --allow-out-of-order --audit-log >expect && test_cmp expect out &&
	complete_words --env production up --d >out &&
	printf "%s\n" --dir --dry-run >expect && test_cmp expect out &&
	complete_words status --env-f >out &&
	printf "%s\n" --env-file >expect && test_cmp expect out
'

test_expect_success BASH 'a global option'\''s value is not taken for the command' '
	cd p &&
	complete_words --env up >out &&
	test ! -s out &&
	complete_words --env production "" >out &&
	test_grep "^status$" out && test_grep "^init$" out
'

test_expect_success BASH 'down --to and up --to complete the migrations'\'' versions' '
	cd p &&
	complete_words down --to "" >out &&
	printf "%s\n" 20240101000000 20240202000000 >expect && test_cmp expect out &&
	complete_words up --to 202402 >out &&
	printf "%s\n" 20240202000000 >expect && test_cmp expect out &&
	test ! -e db/development.sqlite3
'

test_expect_success BASH 'help completes command names' '
	cd p &&
	complete_words help do >out &&
	printf "%s\n" down >expect && test_cmp expect out
'

test_expect_success 'zsh and fish scripts are generated from the same tables; an unknown shell is a usage error' '
	godwit completion zsh >z &&
	test_grep "^autoload -U +X bashcompinit && bashcompinit$" z &&
	test_grep "^complete -F _godwit godwit$" z &&
	godwit completion fish >f &&
	test_grep "^complete -c godwit -n __fish_use_subcommand -a init -d ${SQ}set up a project" f &&
	test_grep "^complete -c godwit -n ${SQ}__fish_seen_subcommand_from down${SQ} -l to -x -a" f &&
	test_grep "^complete -c godwit -l env-file -r -d" f &&
	test_expect_code 2 godwit completion tcsh 2>err &&
	test_grep "unknown shell ${SQ}tcsh${SQ}; give bash, zsh or fish" err
'

test_done
