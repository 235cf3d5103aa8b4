/*
 * test_cov_lib4_placeholder.c: placeholders at the edges of the text
 * (src/lib/placeholder.c), each with the exact text the driver gets or
 * the exact error:
 *  - ${NAME}, $${NAME} and psql's :'name', :"name", :name cut off by the
 *    end of the text, or with no name, are text as written;
 *  - nested block comments, dollar quotes with and without a tag, an
 *    unterminated one, a positional $1: nothing inside is replaced;
 *  - an empty value replaces (and is not a mask), a name over 255 bytes
 *    is undefined, a psql name undefined says so without Flyway's escape;
 *  - `placeholders = off` replaces nothing;
 *  - lint's test for a string that is only a placeholder.
 */
#include "project_fixture.h"

#include "lib/internal.h"
#include "lib/sql/lint_int.h"

static int setup(void **state)
{
	setenv("GW_PH_A", "it's", 1);
	setenv("GW_PH_EMPTY", "", 1);
	return fx_setup_named(state, "lib4-placeholder");
}

/* What the driver gets for text; NULL expected: the text as written. */
static void assert_subst(fixture *f, const char *mode, const char *text, const char *expected)
{
	char *out = (char *)f;

	/* The setting as godwit.conf or GODWIT_PLACEHOLDERS gives it. */
	free(f->p->opts.placeholders);
	f->p->opts.placeholders = mode ? strdup(mode) : NULL;
	assert_int_equal(gw_placeholders__substitute(&out, f->p, text, strlen(text), text,
	                                             strlen(text), 0, "m.sql"),
	                 0);
	if (!expected) {
		if (out)
			fail_msg("%s\n--- became:\n%s", text, out);
	} else {
		if (!out || strcmp(out, expected))
			fail_msg("%s\n--- became:\n%s\n--- expected:\n%s", text,
			         out ? out : "(as written)", expected);
	}
	free(out);
}

/* psql's forms outside strings, identifiers, comments and dollar quotes
 * (nested block comments, tags or none), never in a cast or with no
 * name; a line comment ends at its newline. */
static void test_psql_forms_and_where_they_count(void **state)
{
	fixture *f = *state;

	assert_subst(f, "psql", "SELECT :'GW_PH_A', :\"GW_PH_A\", :GW_PH_A, x::int, :1, :'1'",
	             "SELECT 'it''s', \"it's\", it's, x::int, :1, :'1'");
	assert_subst(f, "psql", "/* :GW_PH_A /* :GW_PH_A */ :GW_PH_A */ :GW_PH_A",
	             "/* :GW_PH_A /* :GW_PH_A */ :GW_PH_A */ it's");
	assert_subst(f, "psql", "$t$ :GW_PH_A $t$ $$ :GW_PH_A $$ :GW_PH_A $1 -- :GW_PH_A\n:GW_PH_A",
	             "$t$ :GW_PH_A $t$ $$ :GW_PH_A $$ it's $1 -- :GW_PH_A\nit's");
	assert_subst(f, "psql", "'x' \"y\" $a-b$ :GW_PH_A", "'x' \"y\" $a-b$ it's");
}

/* Cut off by the end of the text, a placeholder is text as written, and
 * so is everything after an unterminated comment or dollar quote. */
static void test_cut_off_by_the_end(void **state)
{
	static const char *const as_written[] = {
	        "SELECT :'GW_PH_A",
	        "SELECT :\"GW_PH_A",
	        "SELECT :",
	        "SELECT $abc",
	        "SELECT ${",
	        "SELECT ${GW_PH_A",
	        "SELECT $${GW_PH_A",
	        "SELECT $x$ :GW_PH_A",
	        "SELECT 1 /* :GW_PH_A",
	        "SELECT 1 /* /* */ :GW_PH_A *",
	};
	fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(as_written) / sizeof(as_written[0]); i++)
		assert_subst(f, "psql", as_written[i], NULL);
	assert_subst(f, "psql", "SELECT ${GW_PH_A} /", "SELECT it's /");
	assert_subst(f, "psql", "SELECT ${GW_PH_A} -", "SELECT it's -");
	assert_subst(f, "psql", "SELECT ${GW_PH_A} /* x *", "SELECT it's /* x *");
}

/* An empty value replaces its placeholder; .env is read last; off
 * replaces nothing; flyway knows no psql form. */
static void test_values_and_modes(void **state)
{
	fixture *f = *state;

	assert_subst(f, "psql", "'x' \"y\" ${GW_PH_EMPTY}: $${GW_PH_A}", "'x' \"y\" : ${GW_PH_A}");
	assert_int_equal(gw_placeholders__add(&f->p->placeholder_env, "GW_PH_DOTENV", "d", NULL),
	                 0);
	assert_subst(f, NULL, "SELECT ${GW_PH_DOTENV}", "SELECT d");
	assert_subst(f, "off", "SELECT ${GW_PH_A}", NULL);
	assert_subst(f, "flyway", "SELECT :GW_PH_A, ${GW_PH_A}", "SELECT :GW_PH_A, it's");
	assert_subst(f, "flyway", "SELECT 1", NULL);
}

/* An undefined name is an error at its line: psql's form is not told of
 * Flyway's escape; a name over 255 bytes is never defined. */
static void test_undefined(void **state)
{
	fixture *f = *state;
	const char *psql = "SELECT 1;\nSELECT :'GW_PH_NOPE';";
	const char *flyway =
	        "SELECT "
	        "${"
	        "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"
	        "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"
	        "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"
	        "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN};";
	char *out = NULL;

	free(f->p->opts.placeholders);
	f->p->opts.placeholders = strdup("psql");
	fx_assert_error(f,
	                gw_placeholders__substitute(&out, f->p, psql, strlen(psql), psql,
	                                            strlen(psql), 0, "m.sql"),
	                GW_ECONFIG,
	                "m.sql:2: placeholder :'GW_PH_NOPE' is not defined; set GW_PH_NOPE in the "
	                "[placeholders] section of godwit.conf or in the environment; nothing was "
	                "run",
	                NULL);
	assert_null(out);
	setenv("NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"
	       "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"
	       "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"
	       "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN",
	       "x", 1);
	assert_int_equal(gw_placeholders__substitute(&out, f->p, flyway, strlen(flyway), flyway,
	                                             strlen(flyway), 0, "m.sql"),
	                 GW_ECONFIG);
	assert_null(out);
	assert_non_null(strstr(
	        gw_ctx_error(f->ctx)->message,
	        "is not defined; set "
	        "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"
	        "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"
	        "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"
	        "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN in the"));
	gw_ctx_clear_error(f->ctx);
}

/* For lint: outside strings each placeholder keeps its length; psql's
 * literal becomes the string lint's secret rules know. */
static void test_normalize_and_lint_placeholder(void **state)
{
	fixture *f = *state;
	char text[] = "SELECT :'pw', :\"t\", :n, ${X}, '${X}', x::int";

	free(f->p->opts.placeholders);
	f->p->opts.placeholders = strdup("psql");
	gw_placeholders__normalize(f->p, text, strlen(text));
	assert_string_equal(text, "SELECT '$pw', ____, __, ____, '${X}', x::int");
	free(f->p->opts.placeholders);
	f->p->opts.placeholders = strdup("off");
	gw_placeholders__normalize(f->p, text, strlen(text));
	assert_string_equal(text, "SELECT '$pw', ____, __, ____, '${X}', x::int");
	assert_true(gw_lint__placeholder("${A}"));
	assert_true(gw_lint__placeholder("$a_1"));
	assert_false(gw_lint__placeholder("${A"));
	assert_false(gw_lint__placeholder("${}"));
	assert_false(gw_lint__placeholder("${A}x"));
	assert_false(gw_lint__placeholder("${1}"));
	assert_false(gw_lint__placeholder("$"));
	assert_false(gw_lint__placeholder("$a-b"));
	assert_false(gw_lint__placeholder("$1"));
	assert_false(gw_lint__placeholder("a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_psql_forms_and_where_they_count, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_cut_off_by_the_end, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_values_and_modes, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_undefined, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_normalize_and_lint_placeholder, setup,
	                                        fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
