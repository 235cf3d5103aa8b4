/*
 * lint_secrets.c: secrets written into migrations: passwords in CREATE/
 * ALTER ROLE, and string literals that look like keys or tokens (AWS
 * access keys, private key blocks, JWTs, long high-entropy strings).
 *
 * Literals can sit anywhere in a statement, so this family walks the whole
 * typed tree generically through protobuf-c's message descriptors instead
 * of knowing every node type; gw_lint__visit, the walk, serves the other
 * families' rules about calls that can sit anywhere too (lint_tx.c).
 */
#include <string.h>

#include "lint_int.h"
#include "pgq.h"

/* Deeper trees are not walked: the parser's own limit is far below. */
#define MAX_DEPTH 2000

static int is_upper_digit(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static int aws_key(const char *s)
{
	const char *p = strstr(s, "AKIA");
	int i;

	for (; p; p = strstr(p + 1, "AKIA")) {
		for (i = 4; i < 20 && is_upper_digit(p[i]); i++)
			;
		if (i == 20 && !is_upper_digit(p[20]))
			return 1;
	}
	return 0;
}

static size_t b64url_run(const char *s)
{
	size_t n = 0;

	while (is_b64url(s[n]))
		n++;
	return n;
}

static int jwt(const char *s)
{
	const char *p = strstr(s, "eyJ");
	size_t a, b, c;

	for (; p; p = strstr(p + 1, "eyJ")) {
		a = b64url_run(p);
		if (a < 10 || p[a] != '.')
			continue;
		b = b64url_run(p + a + 1);
		if (b < 10 || p[a + 1 + b] != '.')
			continue;
		c = b64url_run(p + a + b + 2);
		if (c >= 10)
			return 1;
	}
	return 0;
}

/* log2 without libm (the library does not link it): x = m * 2^k with m in
 * [1, 2), and ln m from the atanh series, which converges fast there. */
static double log2_of(double x)
{
	double k = 0, y, y2, term, sum = 0;
	int i;

	while (x >= 2) {
		x /= 2;
		k++;
	}
	while (x < 1) {
		x *= 2;
		k--;
	}
	y = (x - 1) / (x + 1);
	y2 = y * y;
	term = y;
	for (i = 1; i < 30; i += 2) {
		sum += term / i;
		term *= y2;
	}
	return k + 2 * sum / 0.6931471805599453;
}

/* Shannon entropy in bits per character of a long token without blanks,
 * mixing upper case, lower case and digits: what generated keys look
 * like, and what words, sentences and hex checksums do not. */
static int high_entropy(const char *s)
{
	size_t n = strlen(s), i;
	unsigned int count[256] = {0};
	int upper = 0, lower = 0, digit = 0;
	double h = 0;

	if (n < 32 || n > 512)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(is_b64url((char)c) || c == '+' || c == '/' || c == '='))
			return 0;
		upper |= c >= 'A' && c <= 'Z';
		lower |= c >= 'a' && c <= 'z';
		digit |= c >= '0' && c <= '9';
		count[c]++;
	}
	if (!(upper && lower && digit))
		return 0;
	for (i = 0; i < 256; i++)
		if (count[i]) {
			double p = (double)count[i] / (double)n;

			h -= p * log2_of(p);
		}
	return h >= 4.5;
}

static const char *secret_kind(const char *s)
{
	if (aws_key(s))
		return "an AWS access key";
	if (strstr(s, "-----BEGIN ") && strstr(s, "PRIVATE KEY-----"))
		return "a private key";
	if (jwt(s))
		return "a JSON Web Token";
	if (high_entropy(s))
		return "a high-entropy string (a key or token?)";
	return NULL;
}

static void check_literal(gw_lint_cx *cx, const PgQuery__AConst *c)
{
	const char *kind;

	if (c->val_case != PG_QUERY__A__CONST__VAL_SVAL || !c->sval || !c->sval->sval)
		return;
	if ((kind = secret_kind(c->sval->sval)))
		gw_lint__report(cx, "secret-literal", c->location, NULL, NULL, NULL,
		                "this string looks like %s; keep secrets out of migrations", kind);
}

static void walk(gw_lint_cx *cx, const ProtobufCMessage *m, const ProtobufCMessageDescriptor *want,
                 gw_lint_visitor fn, int depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const char *base = (const char *)m;
	unsigned int i;

	if (depth > MAX_DEPTH)
		return;
	if (d == want) {
		fn(cx, m);
		return;
	}
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];

		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(const void *)(base + f->quantifier_offset), k;
			ProtobufCMessage *const *arr =
			        *(ProtobufCMessage *const *const *)(const void *)(base + f->offset);

			for (k = 0; k < n; k++)
				if (arr[k])
					walk(cx, arr[k], want, fn, depth + 1);
			continue;
		}
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)(const void *)(base + f->quantifier_offset) != f->id)
			continue;
		{
			const ProtobufCMessage *sub =
			        *(ProtobufCMessage *const *)(const void *)(base + f->offset);

			if (sub)
				walk(cx, sub, want, fn, depth + 1);
		}
	}
}

void gw_lint__visit(gw_lint_cx *cx, const PgQuery__Node *n, const ProtobufCMessageDescriptor *want,
                    gw_lint_visitor fn)
{
	walk(cx, &n->base, want, fn, 0);
}

static void visit_literal(gw_lint_cx *cx, const ProtobufCMessage *m)
{
	check_literal(cx, (const PgQuery__AConst *)m);
}

static void role_options(gw_lint_cx *cx, PgQuery__Node **opts, size_t n, const char *role)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const PgQuery__DefElem *d = opts[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM
		                                    ? opts[i]->def_elem
		                                    : NULL;

		if (d && !strcmp(d->defname, "password") && gw_lint__string(d->arg) &&
		    !gw_lint__placeholder(gw_lint__string(d->arg)))
			gw_lint__report(cx, "hardcoded-password", d->location, NULL, NULL, NULL,
			                "the password of role %s is written into the migration",
			                role);
	}
}

void gw_lint__check_secrets(gw_lint_cx *cx)
{
	const PgQuery__Node *n = cx->node;

	if (n->node_case == PG_QUERY__NODE__NODE_CREATE_ROLE_STMT)
		role_options(cx, n->create_role_stmt->options, n->create_role_stmt->n_options,
		             n->create_role_stmt->role);
	else if (n->node_case == PG_QUERY__NODE__NODE_ALTER_ROLE_STMT)
		role_options(cx, n->alter_role_stmt->options, n->alter_role_stmt->n_options,
		             n->alter_role_stmt->role && n->alter_role_stmt->role->rolename
		                     ? n->alter_role_stmt->role->rolename
		                     : "");
	if (gw_lint__on(cx, "secret-literal"))
		gw_lint__visit(cx, n, &pg_query__a__const__descriptor, visit_literal);
}
