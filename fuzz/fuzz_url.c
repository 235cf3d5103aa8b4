/*
 * fuzz_url.c: fuzz target for the URL helpers of src/util/url.c:
 * gw_url_scheme, gw_url_sqlite_path, gw_url_ambiguous_userinfo and, above
 * all, gw_url_mask, which stands between a password and every message,
 * log line and event that shows a database URL.
 *
 * The input is one URL or libpq key/value string (it ends at a NUL byte).
 * The harness finds the passwords in it by itself, conservatively: only
 * where RFC 3986 and libpq agree on what the password is, and it asserts
 * only what the header promises: the output is the input with each
 * password replaced by "****". So a character that occurs in the input
 * only inside passwords must not occur in the output, nor may a password
 * (a '*'-free run of one) unless it also occurs outside every password.
 *
 *   scheme://user:PASSWORD@host/...   one '@' between "://" and the first
 *                                     '/', '?' or '#' (with more, libpq
 *                                     and the RFC disagree on the host);
 *   scheme://host/db?a=b&password=PASSWORD&c=d   up to '&' or '#';
 *   host=h password=PASSWORD user=u   libpq key/value, when the whole
 *                                     string parses as one: a quoted
 *                                     value with \' and \\ escapes, or a
 *                                     run of non-blanks without '\'.
 *
 * A string is a URL when it starts with an RFC 3986 scheme and "://";
 * anything else is a key/value string (libpq itself only takes
 * postgres:// and postgresql:// as URIs).
 */
#include <string.h>

#include "fuzz.h"
#include "util/str.h"
#include "util/url.h"

#define MAX_SPANS 64

typedef struct spans {
	size_t start[MAX_SPANS];
	size_t len[MAX_SPANS];
	size_t count;
	int overflow;
} spans;

static void add_span(spans *sp, size_t start, size_t len)
{
	if (!len)
		return;
	if (sp->count == MAX_SPANS) {
		sp->overflow = 1;
		return;
	}
	sp->start[sp->count] = start;
	sp->len[sp->count++] = len;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* libpq's isspace() in the C locale. */
static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The length of an RFC 3986 scheme at the start of s, 0 if none. */
static size_t rfc_scheme_len(const char *s)
{
	size_t i;

	if (!is_alpha(s[0]))
		return 0;
	for (i = 1; is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.';
	     i++)
		;
	return i;
}

/* The passwords of scheme://... ; checks gw_url_ambiguous_userinfo on the
 * way, where the RFC and libpq see the same authority. */
static void url_spans(spans *sp, const char *s, size_t auth)
{
	size_t auth_end = auth + strcspn(s + auth, "/?#");
	size_t libpq_end = auth + strcspn(s + auth, "/");
	size_t i, at = 0, ats = 0, p, end;
	const char *colon;

	for (i = auth; i < auth_end; i++) {
		if (s[i] == '@') {
			at = i;
			ats++;
		}
	}
	if (auth_end == libpq_end)
		FUZZ_CHECK(gw_url_ambiguous_userinfo(s) == (ats > 1));
	if (ats == 1 && (colon = memchr(s + auth, ':', at - auth)) != NULL)
		add_span(sp, (size_t)(colon - s) + 1, at - (size_t)(colon - s) - 1);

	/* The query: from the first '?' after the authority to '#'. */
	p = auth_end + strcspn(s + auth_end, "?#");
	if (s[p] != '?')
		return;
	end = p + 1 + strcspn(s + p + 1, "#");
	for (i = p + 1; i < end;) {
		size_t stop = i + strcspn(s + i, "&#");

		if (stop > end)
			stop = end;
		if (stop - i >= 9 && !memcmp(s + i, "password=", 9))
			add_span(sp, i + 9, stop - i - 9);
		i = stop + 1;
	}
}

/* The passwords of a libpq key/value string; 0 when the string does not
 * parse as one (the harness then asserts nothing about it). */
static int keyword_spans(spans *sp, const char *s)
{
	size_t i = 0, key, key_end, val, val_end;
	int backslash;

	for (;;) {
		while (is_blank(s[i]))
			i++;
		if (!s[i])
			return 1;
		key = i;
		while (s[i] && s[i] != '=' && !is_blank(s[i]))
			i++;
		key_end = i;
		while (is_blank(s[i]))
			i++;
		if (s[i] != '=')
			return 0;
		i++;
		while (is_blank(s[i]))
			i++;
		backslash = 0;
		if (s[i] == '\'') {
			val = ++i;
			while (s[i] != '\'') {
				if (!s[i])
					return 0;
				if (s[i] == '\\' && s[i + 1])
					i++;
				i++;
			}
			val_end = i++;
		} else {
			val = i;
			while (s[i] && !is_blank(s[i]))
				backslash |= s[i++] == '\\';
			val_end = i;
		}
		if (key_end - key == 8 && !memcmp(s + key, "password", 8)) {
			/* libpq reads escapes outside quotes too, but does not
			 * document it: no promise to check there. */
			if (backslash)
				return 0;
			add_span(sp, val, val_end - val);
		}
	}
}

static int in_spans(const spans *sp, size_t pos)
{
	for (size_t k = 0; k < sp->count; k++)
		if (pos >= sp->start[k] && pos < sp->start[k] + sp->len[k])
			return 1;
	return 0;
}

/* Whether w occurs in s somewhere that overlaps no password. */
static int occurs_outside(const char *s, size_t slen, const char *w, size_t wlen, const spans *sp)
{
	for (size_t q = 0; q + wlen <= slen; q++) {
		size_t k;

		if (memcmp(s + q, w, wlen))
			continue;
		for (k = 0; k < sp->count; k++)
			if (q < sp->start[k] + sp->len[k] && sp->start[k] < q + wlen)
				break;
		if (k == sp->count)
			return 1;
	}
	return 0;
}

static int contains(const char *hay, const char *w, size_t wlen)
{
	size_t n = strlen(hay);

	for (size_t q = 0; q + wlen <= n; q++)
		if (!memcmp(hay + q, w, wlen))
			return 1;
	return 0;
}

static void check_no_leak(const char *s, size_t slen, const char *out, const spans *sp)
{
	unsigned char outside[256] = {0}, shown[256] = {0};
	size_t i, k;

	for (i = 0; i < slen; i++)
		if (!in_spans(sp, i))
			outside[(unsigned char)s[i]] = 1;
	for (i = 0; out[i]; i++)
		shown[(unsigned char)out[i]] = 1;
	for (k = 0; k < sp->count; k++) {
		const char *pw = s + sp->start[k];
		size_t n = sp->len[k], run;

		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)pw[i];

			if (c != '*' && shown[c] && !outside[c]) {
				fprintf(stderr,
				        "password byte 0x%02x of \"%.*s\" shown in \"%s\"\n", c,
				        (int)n, pw, out);
				FUZZ_CHECK(!"a password byte is shown");
			}
		}
		/* Each '*'-free run of the password, whole. */
		for (i = 0; i < n; i += run + 1) {
			run = strcspn(pw + i, "*");
			if (run > n - i)
				run = n - i;
			if (run && contains(out, pw + i, run) &&
			    !occurs_outside(s, slen, pw + i, run, sp)) {
				fprintf(stderr, "password \"%.*s\" shown in \"%s\"\n", (int)n, pw,
				        out);
				FUZZ_CHECK(!"a password is shown");
			}
		}
	}
}

static int has_ci(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; *s; s++) {
		size_t j;

		for (j = 0; j < n && (s[j] | 0x20) == w[j]; j++)
			;
		if (j == n)
			return 1;
	}
	return 0;
}

static void check_mask(const char *s, size_t slen)
{
	gw_str out = GW_STR_INIT;
	spans sp;
	size_t scheme = rfc_scheme_len(s);
	int parsed = 1;

	memset(&sp, 0, sizeof(sp));
	/* It appends. */
	FUZZ_CHECK(gw_str_puts(&out, "P") == 0);
	FUZZ_CHECK(gw_url_mask(&out, s) == 0);
	FUZZ_CHECK(out.ptr[0] == 'P' && strlen(out.ptr) == out.size);

	if (scheme && !strncmp(s + scheme, "://", 3))
		url_spans(&sp, s, scheme + 3);
	else
		parsed = keyword_spans(&sp, s);
	if (parsed && !sp.overflow)
		check_no_leak(s, slen, out.ptr + 1, &sp);

	/* Nothing that could be a password: nothing to replace. */
	if (!strchr(s, '@') && !has_ci(s, "password"))
		FUZZ_CHECK(!strcmp(out.ptr + 1, s));
	gw_str_dispose(&out);
}

static void check_scheme(const char *s, char *scheme, size_t size)
{
	char small[64];
	size_t n, rfc = rfc_scheme_len(s);
	int r = gw_url_scheme(scheme, size, s);

	if (rfc && s[rfc] == ':' && rfc < size)
		FUZZ_CHECK(r == 0);
	if (r < 0) {
		FUZZ_CHECK(r == -1);
		scheme[0] = '\0';
		return;
	}
	FUZZ_CHECK(r == 0);
	n = strlen(scheme);
	FUZZ_CHECK(n > 0 && n < size && s[n] == ':');
	for (size_t i = 0; i < n; i++) {
		char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];

		FUZZ_CHECK(scheme[i] == c);
		FUZZ_CHECK((c >= 'a' && c <= 'z') || is_digit(c) || c == '+' || c == '-' ||
		           c == '.');
	}
	/* It fits in exactly n + 1 bytes, not in n. */
	FUZZ_CHECK(gw_url_scheme(small, n + 1, s) == 0 && !strcmp(small, scheme));
	FUZZ_CHECK(gw_url_scheme(small, n, s) == -1);
}

static void check_sqlite(const char *s, const char *scheme)
{
	gw_str path = GW_STR_INIT;
	int is_sqlite = !strcmp(scheme, "sqlite") || !strcmp(scheme, "sqlite3");
	int r;

	FUZZ_CHECK(gw_str_puts(&path, "P") == 0);
	r = gw_url_sqlite_path(&path, s);
	FUZZ_CHECK(r == (is_sqlite ? 0 : -1));
	if (is_sqlite) {
		/* sqlite:PATH, sqlite://PATH and sqlite:///PATH (which keeps
		 * its leading '/'). */
		const char *after = s + strlen(scheme) + 1;

		if (after[0] == '/' && after[1] == '/')
			after += 2;
		FUZZ_CHECK(path.ptr[0] == 'P' && !strcmp(path.ptr + 1, after));
	} else {
		FUZZ_CHECK(path.size == 1);
	}
	gw_str_dispose(&path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	char scheme[64];
	size_t len = strlen(s);

	check_scheme(s, scheme, sizeof(scheme));
	check_sqlite(s, scheme);
	check_mask(s, len);
	/* Outside URLs it has nothing to say. */
	if (!strstr(s, "://"))
		FUZZ_CHECK(gw_url_ambiguous_userinfo(s) == 0);
	free(s);
	return 0;
}
