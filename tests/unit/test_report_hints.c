/*
 * test_report_hints.c: the texts of reports (health checks, validate's
 * findings, adopt problems) that end in an action carry it as a hint code,
 * and the library's own wording of that action names no program's command
 * or flag: a program words it itself (the godwit CLI's src/cli/hint.c).
 */
#include "project_fixture.h"

/* No godwit command, no flag: the text could be printed by any program. */
static void assert_names_no_command(const char *text)
{
	static const char *const commands[] = {"up",       "down",    "adopt",  "repair",
	                                       "baseline", "resolve", "status", "redo"};
	char word[64];
	size_t i;

	assert_null(strstr(text, "--"));
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		snprintf(word, sizeof(word), "godwit %s", commands[i]);
		if (strstr(text, word))
			fail_msg("\"%s\" names '%s'", text, word);
	}
}

/* The text is the hint's context followed by the library's wording. */
static void assert_hint(const gw_text_hint *h, const char *text, int code, const char *context,
                        const char *arg0, const char *expected)
{
	assert_string_equal(text, expected);
	assert_int_equal(h->code, code);
	assert_string_equal(h->context, context);
	assert_string_equal(h->args[0], arg0);
	assert_string_equal(h->args[1], "");
	assert_names_no_command(text);
}

static int setup(void **state)
{
	return fx_setup_named(state, "report-hints");
}

static const gw_check *find_check(const gw_report *r, const char *name)
{
	size_t i;

	for (i = 0; i < gw_report_count(r); i++)
		if (!strcmp(gw_report_get(r, i)->name, name))
			return gw_report_get(r, i);
	fail_msg("no check %s", name);
	return NULL;
}

static void health_missing_database(void **state)
{
	fixture *f = *state;
	gw_report *r = NULL;
	const gw_check *c;
	char context[PATH_MAX + 64], text[PATH_MAX + 128];

	assert_int_equal(gw_project_health(&r, f->p), 0);
	c = find_check(r, "connection");
	snprintf(context, sizeof(context), "the SQLite database %s does not exist ", f->db);
	snprintf(text, sizeof(text),
	         "%s(health creates nothing; applying the migrations creates it)", context);
	assert_int_equal(c->status, GW_CHECK_FAIL);
	assert_hint(&c->hint, c->summary, GW_HINT_HEALTH_NO_DATABASE, context, "", text);
	gw_report_free(r);
	/* It created nothing. */
	assert_int_equal(access(f->db, F_OK), -1);
}

static void health_other_history(void **state)
{
	fixture *f = *state;
	gw_report *r = NULL;
	const gw_check *c;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	fx_sql(f, "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);"
	          "INSERT INTO schema_migrations VALUES ('20240101000001');");
	assert_int_equal(gw_project_health(&r, f->p), 0);
	c = find_check(r, "other_history");
	assert_int_equal(c->status, GW_CHECK_FAIL);
	assert_hint(&c->hint, c->summary, GW_HINT_ADOPT_FROM,
	            "the dbmate history (schema_migrations) is here and godwit's is empty; ",
	            "dbmate",
	            "the dbmate history (schema_migrations) is here and godwit's is empty; take it "
	            "over by adopting it from dbmate");
	/* A check without an action has no hint. */
	assert_int_equal(find_check(r, "connection")->hint.code, GW_HINT_NONE);
	gw_report_free(r);
}

static const gw_finding *find_rule(const gw_findings *fs, const char *rule)
{
	size_t i;

	for (i = 0; i < gw_findings_count(fs); i++)
		if (!strcmp(gw_findings_get(fs, i)->rule, rule))
			return gw_findings_get(fs, i);
	fail_msg("no finding %s", rule);
	return NULL;
}

static void validate_findings(void **state)
{
	fixture *f = *state;
	gw_validate_options vo = GW_VALIDATE_OPTIONS_INIT;
	gw_findings *fs = NULL;
	const gw_finding *x;

	fx_write(f->migrations, "20240101000001_empty.sql",
	         "-- migrate:up\n-- migrate:down\nSELECT 1;\n");
	fx_migration(f, "20240101000002_nodown.sql", "CREATE TABLE b (id int);", NULL);
	fx_open(f);
	assert_int_equal(gw_project_validate(&fs, f->p, &vo), 0);
	x = find_rule(fs, "empty-migration");
	assert_hint(&x->hint, x->message, GW_HINT_EMPTY_REFUSED, "the migration holds no SQL; ", "",
	            "the migration holds no SQL; applying refuses it");
	x = find_rule(fs, "missing-down");
	assert_hint(&x->hint, x->message, GW_HINT_NO_DOWN,
	            "migration 20240101000002 has no down script; ", "",
	            "migration 20240101000002 has no down script; it cannot be reverted");
	gw_findings_free(fs);
}

static void validate_changed(void **state)
{
	fixture *f = *state;
	gw_validate_options vo = GW_VALIDATE_OPTIONS_INIT;
	gw_findings *fs = NULL;
	gw_up_options uo = GW_UP_OPTIONS_INIT;
	const gw_finding *x;
	size_t n = 0;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	fx_open(f);
	assert_int_equal(gw_project_up(&n, f->p, &uo), 0);
	assert_int_equal(n, 1);
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id bigint);", "DROP TABLE a;");
	fx_open(f);
	vo.check_history = 1;
	assert_int_equal(gw_project_validate(&fs, f->p, &vo), 0);
	x = find_rule(fs, "checksum-changed");
	assert_hint(&x->hint, x->message, GW_HINT_RESTORE_OR_REPAIR,
	            "migration 20240101000001 was changed after it was applied; ", "20240101000001",
	            "migration 20240101000001 was changed after it was applied; restore the file "
	            "or repair 20240101000001");
	gw_findings_free(fs);
}

static const gw_adopt_entry *find_entry(const gw_adopt_report *r, const char *version)
{
	size_t i;

	for (i = 0; i < gw_adopt_report_count(r); i++)
		if (!strcmp(gw_adopt_report_get(r, i)->version, version))
			return gw_adopt_report_get(r, i);
	fail_msg("no entry %s", version);
	return NULL;
}

static void adopt_dirty(void **state)
{
	fixture *f = *state;
	gw_adopt_report *r = NULL;
	const gw_adopt_entry *e;

	fx_write(f->migrations, "000001_a.up.sql", "CREATE TABLE a (id int);\n");
	fx_write(f->migrations, "000001_a.down.sql", "DROP TABLE a;\n");
	fx_sql(f, "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, "
	          "dirty boolean NOT NULL);"
	          "INSERT INTO schema_migrations VALUES (1, 1);");
	fx_open(f);
	assert_int_equal(gw_project_adopt(&r, f->p, "golang-migrate", 1), GW_ESTATE);
	gw_ctx_clear_error(f->ctx);
	e = find_entry(r, "000001");
	assert_int_equal(e->action, GW_ADOPT_PROBLEM);
	assert_hint(&e->hint, e->problem, GW_HINT_CLEAR_DIRTY,
	            "golang-migrate marks it dirty: it failed half-way; fix the database, then ",
	            "migrate",
	            "golang-migrate marks it dirty: it failed half-way; fix the database, then "
	            "clear the flag with 'migrate force VERSION' or baseline the project");
	gw_adopt_report_free(r);
}

static void adopt_checksum(void **state)
{
	fixture *f = *state;
	gw_adopt_report *r = NULL;
	const gw_adopt_entry *e;

	fx_write(f->migrations, "V1__init.sql", "CREATE TABLE f1 (id int);\n");
	fx_sql(f, "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, "
	          "version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT "
	          "NULL, script VARCHAR(1000) NOT NULL, checksum INTEGER, installed_by "
	          "VARCHAR(100) NOT NULL, installed_on TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, "
	          "execution_time INTEGER NOT NULL, success BOOLEAN NOT NULL);"
	          "INSERT INTO flyway_schema_history VALUES (1, '1', 'init', 'SQL', "
	          "'V1__init.sql', 12345, 'me', '2022-02-02 02:02:02', 5, 1);");
	fx_open(f);
	assert_int_equal(gw_project_adopt(&r, f->p, "flyway", 1), GW_ESTATE);
	gw_ctx_clear_error(f->ctx);
	e = find_entry(r, "1");
	assert_int_equal(e->action, GW_ADOPT_PROBLEM);
	assert_hint(&e->hint, e->problem, GW_HINT_ADOPT_REPAIR,
	            "the file changed since Flyway applied it (Flyway checksum 12345); ", "",
	            "the file changed since Flyway applied it (Flyway checksum 12345); restore "
	            "it, or adopt and then repair it after a review");
	gw_adopt_report_free(r);
}

/* An error hint too: a migration that fails as it runs. */
static void up_fails(void **state)
{
	fixture *f = *state;
	gw_up_options uo = GW_UP_OPTIONS_INIT;
	const gw_error *e;
	size_t n = 0;

	fx_migration(f, "20240101000001_u.sql",
	             "CREATE TABLE u (id int PRIMARY KEY);\nINSERT INTO u VALUES (1);\n"
	             "INSERT INTO u VALUES (1);",
	             "DROP TABLE u;");
	fx_open(f);
	assert_true(gw_project_up(&n, f->p, &uo) < 0);
	e = gw_ctx_error(f->ctx);
	assert_int_equal(e->hint_code, GW_HINT_FIX_APPLY_AGAIN);
	assert_string_equal(e->hint_context,
	                    "the migration was rolled back and nothing of it was applied; ");
	assert_string_equal(e->hint, "the migration was rolled back and nothing of it was "
	                             "applied; fix it and apply again");
	assert_names_no_command(e->hint);
	gw_ctx_clear_error(f->ctx);
	fx_assert_query(f, "SELECT count(*) FROM sqlite_master WHERE name = 'u'", "0\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(health_missing_database, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(health_other_history, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(validate_findings, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(validate_changed, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(adopt_dirty, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(adopt_checksum, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(up_fails, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
