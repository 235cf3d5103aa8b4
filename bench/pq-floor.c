/*
 * pq-floor.c: the least any status built on libpq can cost, for the
 * benchmark's report (bench/run.sh builds it and runs it beside godwit's
 * and dbmate's status).
 *
 * It does what godwit cannot skip and nothing else: load libpq with dlopen
 * (as godwit does, src/drivers/pq.c), connect, read the history's versions,
 * checksums and times in one query, and print a line a row. It reads no
 * folder, checks no table's existence and compares nothing, so its time is
 * a floor under godwit's status: what the process, libpq's libraries and
 * the server's start of a session cost on this machine.
 *
 * usage: pq-floor URL QUERY
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

typedef PGconn *(*connectdb_fn)(const char *);
typedef int (*status_fn)(const PGconn *);
typedef PGresult *(*exec_fn)(PGconn *, const char *);
typedef int (*result_status_fn)(const PGresult *);
typedef int (*count_fn)(const PGresult *);
typedef char *(*value_fn)(const PGresult *, int, int);
typedef void (*finish_fn)(PGconn *);

/* CONNECTION_OK and PGRES_TUPLES_OK in libpq-fe.h, which the floor does
 * not include so that it builds without libpq's headers. */
enum { CONNECTION_OK = 0, PGRES_TUPLES_OK = 2 };

static void *libpq;
static int missing;

/* dlsym's address copied into a function pointer: ISO C has no cast from
 * an object pointer to a function pointer (src/util/dl.c does the same). */
static void load(void *fn, size_t size, const char *name)
{
	void *address = dlsym(libpq, name);

	if (!address) {
		fprintf(stderr, "pq-floor: libpq lacks %s\n", name);
		missing = 1;
	}
	memcpy(fn, &address, size);
}

#define LOAD(fn, name) load(&(fn), sizeof(fn), name)

int main(int argc, char **argv)
{
	connectdb_fn connectdb;
	status_fn status;
	exec_fn exec;
	result_status_fn result_status;
	count_fn ntuples, nfields;
	value_fn getvalue;
	finish_fn finish;
	PGconn *conn;
	PGresult *res;
	int rows, fields, i, j;

	if (argc != 3) {
		fprintf(stderr, "usage: %s URL QUERY\n", argv[0]);
		return 2;
	}
	if (!(libpq = dlopen("libpq.so.5", RTLD_LAZY | RTLD_LOCAL))) {
		fprintf(stderr, "pq-floor: %s\n", dlerror());
		return 1;
	}
	LOAD(connectdb, "PQconnectdb");
	LOAD(status, "PQstatus");
	LOAD(exec, "PQexec");
	LOAD(result_status, "PQresultStatus");
	LOAD(ntuples, "PQntuples");
	LOAD(nfields, "PQnfields");
	LOAD(getvalue, "PQgetvalue");
	LOAD(finish, "PQfinish");
	if (missing)
		return 1;
	conn = connectdb(argv[1]);
	if (status(conn) != CONNECTION_OK) {
		fprintf(stderr, "pq-floor: cannot connect\n");
		return 1;
	}
	res = exec(conn, argv[2]);
	if (result_status(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "pq-floor: the query failed\n");
		return 1;
	}
	rows = ntuples(res);
	fields = nfields(res);
	for (i = 0; i < rows; i++) {
		for (j = 0; j < fields; j++)
			printf(j ? "  %s" : "%s", getvalue(res, i, j));
		putchar('\n');
	}
	finish(conn);
	return 0;
}
