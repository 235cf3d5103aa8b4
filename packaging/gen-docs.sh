#!/bin/sh
# gen-docs.sh GODWIT OUTDIR [RUNNER...]: the manual pages and shell
# completions, made by the built binary from its own command and option
# tables (the text of `godwit help`), so they cannot drift from it. The
# build runs it; cmake --install installs what it writes:
#   OUTDIR/man1/godwit.1, OUTDIR/man1/godwit-COMMAND.1
#   OUTDIR/completions/godwit.bash, _godwit (zsh), godwit.fish
#
# RUNNER, when given, is the command that runs GODWIT: the emulator of a
# cross build (CMAKE_CROSSCOMPILING_EMULATOR), such as qemu-aarch64.
set -eu
godwit=$1
out=$2
shift 2
set -- "$@" "$godwit"
mkdir -p "$out/man1" "$out/completions"
"$@" help --man >"$out/man1/godwit.1.tmp"
# The commands are the ones godwit(1) refers to.
for cmd in $(sed -n 's/^\.BR godwit\\-\([a-z]*\) (1).*/\1/p' "$out/man1/godwit.1.tmp"); do
	"$@" help --man "$cmd" >"$out/man1/godwit-$cmd.1"
done
mv "$out/man1/godwit.1.tmp" "$out/man1/godwit.1"
"$@" completion bash >"$out/completions/godwit.bash"
"$@" completion zsh >"$out/completions/_godwit"
"$@" completion fish >"$out/completions/godwit.fish"
