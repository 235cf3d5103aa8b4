/*
 * schema_sql_sqlite.c: the statements that turn one SQLite snapshot into
 * another.
 */
#include "schema_sql.h"

int gw_sql__sqlite(gw_sql *q, const gw_schema *from, const gw_schema *to, const gw_sql_options *o)
{
	(void)from;
	(void)to;
	(void)o;
	gw_sql__unexpressed(q, GW_SQ_TABLE, "SQLite schemas are not generated yet");
	return 0;
}
