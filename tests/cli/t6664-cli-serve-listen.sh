#!/bin/sh
test_description='serve --listen: each malformed address is a usage error naming it, before anything is opened'
. "$(dirname "$0")/lib.sh"

# "ADDR:PORT" (ADDR may be "[v6]"): each part missing, too long for its
# buffer, or a port that is no number up to 65535, is refused with exit 2
# before the database is opened or a socket made.
bad_listen()
{
	test_expect_code 2 godwit --url sqlite:x.db serve --listen "$1" >out 2>err &&
	printf "godwit: error: %s (--listen)\nusage: godwit serve [--listen ADDR:PORT]\nsee ${SQ}godwit help serve${SQ}\n" "$2" >expect &&
	test_cmp expect err &&
	test ! -s out &&
	test ! -e x.db
}

test_expect_success 'an address without its host, its port or its colon' '
	bad_listen 8080 "listen must be ADDR:PORT, such as 127.0.0.1:8080, not ${SQ}8080${SQ}" &&
	bad_listen :8080 "listen must be ADDR:PORT, such as 127.0.0.1:8080, not ${SQ}:8080${SQ}" &&
	bad_listen 127.0.0.1: "listen must be ADDR:PORT, such as 127.0.0.1:8080, not ${SQ}127.0.0.1:${SQ}" &&
	bad_listen "[]:8080" "listen must be ADDR:PORT, such as 127.0.0.1:8080, not ${SQ}[]:8080${SQ}"
'

test_expect_success 'a host or a port longer than any there is' '
	host=$(printf "%0300d" 0) &&
	bad_listen "$host:80" "listen must be ADDR:PORT, such as 127.0.0.1:8080, not ${SQ}$host:80${SQ}" &&
	bad_listen 127.0.0.1:0000000000000008080 "listen must be ADDR:PORT, such as 127.0.0.1:8080, not ${SQ}127.0.0.1:0000000000000008080${SQ}"
'

test_expect_success 'a port that is no number, or more than 65535' '
	bad_listen 127.0.0.1:http "listen: the port must be a number from 0 to 65535, not ${SQ}http${SQ}" &&
	bad_listen 127.0.0.1:65536 "listen: the port must be a number from 0 to 65535, not ${SQ}65536${SQ}" &&
	bad_listen "[::1]:-1" "listen: the port must be a number from 0 to 65535, not ${SQ}-1${SQ}"
'

test_done
