#!/bin/bash
#
# faults.sh: the fault-injection test at scale.
#
#   bench/faults.sh [ROUNDS] [-v]
#
# Runs tests/cli/t2040-faults.sh, which the test suite runs with 2 rounds,
# with ROUNDS rounds (default 50): in each, 16 concurrent runners apply the
# same migrations while godwit processes are killed with SIGKILL and the
# server is crashed (pg_ctl stop -m immediate) and restarted at random
# moments. It prints the tally (faults injected, resumes, half-applied
# migrations, crashes, runners failing for another runner's work) and exits
# non-zero if any of the last three is not 0. GW_FAULT_SEED repeats a run;
# GW_FAULT_RUNNERS and GW_FAULT_KILLS change the load.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-50}
shift || true
if ! [[ $rounds =~ ^[0-9]+$ ]] || [ "$rounds" -lt 1 ]; then
	echo "usage: $0 [ROUNDS] [-v]" >&2
	exit 2
fi
godwit=${GODWIT:-$root/build/godwit}
if [ ! -x "$godwit" ]; then
	echo "bench: $godwit is not built (cmake --build build)" >&2
	exit 1
fi
trash=$(mktemp -d "${TMPDIR:-/tmp}/godwit-faults.XXXXXX")
trap 'rm -rf "$trash"' EXIT
GODWIT=$(cd "$(dirname "$godwit")" && pwd)/$(basename "$godwit") \
	GW_FAULT_ROUNDS=$rounds GW_TEST_TRASH_ROOT=$trash \
	bash "$root/tests/cli/t2040-faults.sh" "$@"
