# serve.sh: `godwit serve` in the background of a test script, and HTTP
# requests to it (sourced after lib.sh).
#
#	serve_start [OPTIONS]	starts godwit [OPTIONS] serve on a free port of
#				127.0.0.1; sets SERVE_URL and SERVE_PID, its
#				stderr goes to serve.err
#	serve_stop		SIGTERM, and it must exit 0
#	serve_kill		stops it if it still runs (for test_when_finished)
#	http PATH [CURL-ARGS]	GET $SERVE_URL$PATH: the status code in
#				http.code, the body in http.body, the headers in
#				http.headers
#
# serve.sh must be sourced after own-cluster.sh when both are.
# Prerequisites CURL and PROMTOOL (Debian's curl and prometheus).

command -v curl >/dev/null 2>&1 && test_set_prereq CURL
command -v promtool >/dev/null 2>&1 && test_set_prereq PROMTOOL

SERVE_PID=
SERVE_URL=

# A server left running by a failed test must not outlive the script (nor
# keep ctest waiting on its output); own-cluster.sh, sourced before this
# file, has its cluster removed here too.
trap '_gw_serve_rc=$?; serve_kill; if command -v own_pg_cleanup >/dev/null 2>&1; then own_pg_cleanup; fi; (exit $_gw_serve_rc); gw_die' EXIT

serve_start()
{
	rm -f serve.err &&
		{ "$GODWIT" "$@" serve --listen 127.0.0.1:0 >serve.out 2>serve.err & } &&
		SERVE_PID=$! &&
		_gw_i=0 &&
		until grep -q "^godwit: serving" serve.err 2>/dev/null; do
			if ! kill -0 "$SERVE_PID" 2>/dev/null || [ $_gw_i -ge 100 ]; then
				gw_complain "serve_start: godwit serve did not start"
				cat serve.err >&4
				return 1
			fi
			_gw_i=$((_gw_i + 1))
			sleep 0.1
		done &&
		SERVE_URL=$(sed -n 's|.* on \(http://127\.0\.0\.1:[0-9]*\) .*|\1|p' serve.err) &&
		test -n "$SERVE_URL"
}

serve_stop()
{
	kill -TERM "$SERVE_PID" &&
		wait "$SERVE_PID" &&
		SERVE_PID= &&
		test_grep "^godwit: SIGTERM received, stopping" serve.err
}

serve_kill()
{
	if [ -n "$SERVE_PID" ]; then
		kill -KILL "$SERVE_PID" 2>/dev/null
		wait "$SERVE_PID" 2>/dev/null
		SERVE_PID=
	fi
	return 0
}

http()
{
	_gw_path=$1
	shift
	curl -s -S -m 30 -D http.headers -o http.body -w '%{http_code}' "$@" \
		"$SERVE_URL$_gw_path" >http.code
}
