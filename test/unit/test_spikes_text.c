/*
 * test_spikes_text.c: the spikes text parser accepts exactly the documented
 * grammar, reports the right status and message for each malformed input,
 * and parse -> format -> parse is the identity.
 */
#include <stdint.h>
#include <string.h>

#include "snn_spikes_text.h"
#include "unit.h"

static uint8_t out[SNN_SPIKES_MAX_DIM + 1];

/* Parse text with a buffer as the PostgreSQL side sizes it. */
static snn_status
parse(const char *text, size_t *dim, snn_error *err)
{
	return snn_spikes_parse(text, out, snn_spikes_parse_bound(text), dim, err);
}

/* text must parse to the given bytes. */
static void
expect_ok(const char *text, const uint8_t *want, size_t n)
{
	size_t		dim = 0;
	snn_error	err;
	snn_status	st = parse(text, &dim, &err);

	CHECKF(st == SNN_OK, "\"%s\": status %d (%s)", text, st, err.msg);
	CHECKF(dim == n, "\"%s\": dim %zu, want %zu", text, dim, n);
	if (st == SNN_OK && dim == n)
		CHECKF(memcmp(out, want, n) == 0, "\"%s\": wrong bytes", text);
}

/* text must fail with status st and a message containing needle. */
static void
expect_fail(const char *text, snn_status st, const char *needle)
{
	size_t		dim = 99;
	snn_error	err;
	snn_status	got = parse(text, &dim, &err);

	CHECKF(got == st, "\"%s\": status %d, want %d (%s)", text, got, st, err.msg);
	CHECKF(err.status == st, "\"%s\": err.status %d", text, err.status);
	CHECKF(strstr(err.msg, needle) != NULL, "\"%s\": message \"%s\" lacks \"%s\"",
		   text, err.msg, needle);
	CHECKF(dim == 0, "\"%s\": dim %zu after failure", text, dim);
}

/* xorshift64*: reproducible. */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

int
main(void)
{
	static char big[SNN_SPIKES_MAX_DIM * 4 + 64];
	static uint8_t pat[SNN_SPIKES_MAX_DIM];
	static uint8_t again[SNN_SPIKES_MAX_DIM];
	uint64_t	seed = 7;

	/* accepted forms */
	{
		const uint8_t a[] = {0, 3, 255, 12};
		const uint8_t b[] = {254};
		const uint8_t c[] = {255, 255};
		const uint8_t d[] = {0, 3, 7};

		expect_ok("[0,3,_,12]", a, 4);
		expect_ok("  [ 0 ,\t3,\n_ , 12 ]  ", a, 4);
		expect_ok("[254]", b, 1);
		expect_ok("[_,_]", c, 2);
		expect_ok("[-0,+3,007]", d, 3);
	}

	/* malformed: every class of error with its message */
	expect_fail("", SNN_E_SYNTAX, "must start with \"[\"");
	expect_fail("   ", SNN_E_SYNTAX, "must start with \"[\"");
	expect_fail("1,2]", SNN_E_SYNTAX, "malformed spikes literal \"1,2]\"");
	expect_fail("{1,2}", SNN_E_SYNTAX, "must start with \"[\"");
	expect_fail("[1,2", SNN_E_SYNTAX, "must end with \"]\"");
	expect_fail("[1,", SNN_E_SYNTAX, "must end with \"]\"");
	expect_fail("[", SNN_E_SYNTAX, "must end with \"]\"");
	expect_fail("[]", SNN_E_EMPTY, "at least 1 neuron");
	expect_fail("[  ]", SNN_E_EMPTY, "at least 1 neuron");
	expect_fail("[,]", SNN_E_SYNTAX, "empty element at neuron 0");
	expect_fail("[1,]", SNN_E_SYNTAX, "empty element at neuron 1");
	expect_fail("[1,,2]", SNN_E_SYNTAX, "empty element at neuron 1");
	expect_fail("[,1]", SNN_E_SYNTAX, "empty element at neuron 0");
	expect_fail("[1]x", SNN_E_SYNTAX, "junk after closing \"]\"");
	expect_fail("[1] ]", SNN_E_SYNTAX, "junk after closing \"]\"");
	expect_fail("[1][2]", SNN_E_SYNTAX, "junk after closing \"]\"");
	expect_fail("[_ _]", SNN_E_SYNTAX, "expected \",\" or \"]\" after neuron 0");
	expect_fail("[1 2]", SNN_E_SYNTAX, "after neuron 0");
	expect_fail("[[1]]", SNN_E_SYNTAX, "\"[1\" at neuron 0");
	expect_fail("[__]", SNN_E_SYNTAX, "\"__\" at neuron 0");
	expect_fail("[abc]", SNN_E_SYNTAX, "\"abc\" at neuron 0");
	expect_fail("[1,1.5]", SNN_E_SYNTAX, "\"1.5\" at neuron 1");
	expect_fail("[1e2]", SNN_E_SYNTAX, "\"1e2\"");
	expect_fail("[0x10]", SNN_E_SYNTAX, "\"0x10\"");
	expect_fail("[+]", SNN_E_SYNTAX, "\"+\"");
	expect_fail("[-]", SNN_E_SYNTAX, "\"-\"");
	expect_fail("[--1]", SNN_E_SYNTAX, "\"--1\"");
	expect_fail("[NaN]", SNN_E_SYNTAX, "\"NaN\"");
	expect_fail("[1\xc3\xa9]", SNN_E_SYNTAX, "\"1\xc3\xa9\"");
	expect_fail("[255]", SNN_E_RANGE, "spike step \"255\" at neuron 0 is out of range");
	expect_fail("[0,-1]", SNN_E_RANGE, "\"-1\" at neuron 1 is out of range");
	expect_fail("[99999999999999999999999999999]", SNN_E_RANGE, "out of range");
	expect_fail("[4294967296]", SNN_E_RANGE, "out of range");
	expect_fail("[4294967550]", SNN_E_RANGE, "out of range");

	/* a token longer than the quote limit is clipped, never cut mid UTF-8 */
	{
		size_t		dim;
		snn_error	err;
		const char *t = "[aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\xc3\xa9\xc3\xa9]";

		CHECK(parse(t, &dim, &err) == SNN_E_SYNTAX);
		CHECKF(strstr(err.msg, "aaa\"") == NULL && strstr(err.msg, "...\"") != NULL,
			   "clipped quote: %s", err.msg);
		CHECK(strstr(err.msg, "\xc3...") == NULL);
	}

	/* the dimension limit: exactly the maximum parses, one more is refused */
	{
		size_t		len = 0;
		size_t		dim;
		snn_error	err;

		big[len++] = '[';
		for (int i = 0; i < SNN_SPIKES_MAX_DIM; i++)
		{
			big[len++] = '1';
			big[len++] = ',';
		}
		big[len - 1] = ']';
		big[len] = '\0';
		CHECK(parse(big, &dim, &err) == SNN_OK && dim == SNN_SPIKES_MAX_DIM);
		big[len - 1] = ',';
		big[len++] = '2';
		big[len++] = ']';
		big[len] = '\0';
		CHECK(parse(big, &dim, &err) == SNN_E_LIMIT);
		CHECK(strstr(err.msg, "more than 65535 neurons") != NULL);
		CHECK(snn_spikes_parse_bound(big) == SNN_SPIKES_MAX_DIM + 1);
		/* a buffer smaller than the literal needs is a caller bug: NOMEM */
		CHECK(snn_spikes_parse("[1,2,3]", out, 2, &dim, &err) == SNN_E_NOMEM);
	}

	/* a NULL err is allowed */
	{
		size_t		dim;

		CHECK(snn_spikes_parse("[x]", out, 4, &dim, NULL) == SNN_E_SYNTAX);
		CHECK(snn_spikes_parse("[300]", out, 4, &dim, NULL) == SNN_E_RANGE);
		CHECK(snn_spikes_parse("[1", out, 4, &dim, NULL) == SNN_E_SYNTAX);
	}

	/* format: canonical text, and a short buffer writes nothing */
	{
		const uint8_t a[] = {0, 3, 255, 12, 254, 100, 99, 10, 9};
		char		buf[64];

		CHECK(snn_spikes_format(a, 9, buf, sizeof(buf)) == strlen("[0,3,_,12,254,100,99,10,9]"));
		CHECK(strcmp(buf, "[0,3,_,12,254,100,99,10,9]") == 0);
		buf[0] = 'x';
		CHECK(snn_spikes_format(a, 9, buf, SNN_SPIKES_TEXT_CAP(9) - 1) == 0);
		CHECK(buf[0] == 'x');
	}

	/* random round trips, worst-case width included: 254 everywhere */
	for (int round = 0; round < 200; round++)
	{
		size_t		n = round == 0 ? SNN_SPIKES_MAX_DIM : 1 + next_rand(&seed) % 2000;
		size_t		dim;
		size_t		len;
		snn_error	err;

		for (size_t i = 0; i < n; i++)
		{
			uint64_t	r = next_rand(&seed);

			pat[i] = round == 0 ? 254 : (r & 3) == 0 ? 255 : (uint8_t) (r % 255);
		}
		len = snn_spikes_format(pat, n, big, SNN_SPIKES_TEXT_CAP(n));
		CHECK(len > 0 && len < SNN_SPIKES_TEXT_CAP(n));
		CHECK(snn_spikes_parse(big, again, sizeof(again), &dim, &err) == SNN_OK);
		CHECK(dim == n && memcmp(pat, again, n) == 0);
	}
	UNIT_DONE();
}
