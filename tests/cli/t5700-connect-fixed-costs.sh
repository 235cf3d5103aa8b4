#!/bin/sh
test_description='connecting skips what no run needs: GnuTLS'"'"'s load-time set-up'
. "$(dirname "$0")/lib.sh"

# libpq's dependencies bring GnuTLS on Debian (through libldap); its
# constructor sets the library up as it loads unless the program defines
# _gnutls_global_init_skip (GnuTLS's GNUTLS_SKIP_GLOBAL_INIT), which godwit
# does and exports (src/cli/main.c). glibc's loader says what it binds
# with LD_DEBUG=bindings; where libpq loads no GnuTLS, or the loader is
# not glibc's, there is nothing to check.

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_t.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE t (id int);
	-- migrate:down
	DROP TABLE t;
	EOF
	godwit --url "$PG_URL" up >out &&
	LD_DEBUG=bindings "$GODWIT" --url "$PG_URL" status >out 2>bindings &&
	if grep -q "binding file [^ ]*libgnutls\.so" bindings
	then
		test_set_prereq GNUTLS
	fi
'

test_expect_success PG,GNUTLS 'GnuTLS asks godwit whether to set itself up, and is told not to' '
	grep "binding file [^ ]*libgnutls\.so[^ ]* \[0\] to [^ ]* \[0\]: normal symbol .\(_gnutls_global_init_skip\)" \
		bindings >skip &&
	test "$(wc -l <skip)" -eq 1 &&
	test_grep "to $GODWIT \[0\]" skip
'

test_expect_success PG 'status over that session is whole' '
	echo "1 applied, 0 pending" >expect &&
	tail -n 1 out >actual &&
	test_cmp expect actual
'

test_done
