/*
 * fuzz_spikes.c: libFuzzer harness for the spikes text parser.
 *
 * Any input must either parse or fail with a status of the documented
 * classes and a NUL-terminated message; on success the canonical text must
 * parse back to the same pattern, and formatting that again must give the
 * same text (format is a fixed point).  The input is cut at its first NUL,
 * as PostgreSQL's cstring input would see it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snn_spikes_text.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop with a message; libFuzzer reports the abort as a crash. */
static void
fail(const char *why)
{
	fprintf(stderr, "fuzz_spikes: %s\n", why);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text = malloc(size + 1);
	size_t		cap;
	uint8_t    *pat;
	size_t		dim = 12345;
	snn_error	err;
	snn_status	st;

	memcpy(text, data, size);
	text[size] = '\0';
	cap = snn_spikes_parse_bound(text);
	if (cap < 1 || cap > SNN_SPIKES_MAX_DIM + 1)
		fail("bound out of range");
	pat = malloc(cap);
	st = snn_spikes_parse(text, pat, cap, &dim, &err);
	if (st != SNN_OK)
	{
		if (st != SNN_E_SYNTAX && st != SNN_E_RANGE && st != SNN_E_EMPTY &&
			st != SNN_E_LIMIT)
			fail("unexpected status");
		if (err.status != st || dim != 0 || err.msg[0] == '\0' ||
			memchr(err.msg, '\0', sizeof(err.msg)) == NULL ||
			memchr(err.field, '\0', sizeof(err.field)) == NULL)
			fail("bad error report");
	}
	else
	{
		size_t		tcap = SNN_SPIKES_TEXT_CAP(dim);
		char	   *canon = malloc(tcap);
		char	   *canon2 = malloc(tcap);
		uint8_t    *back = malloc(dim + 1);
		size_t		dim2 = 0;
		size_t		len;

		if (dim < 1 || dim > SNN_SPIKES_MAX_DIM)
			fail("dimension out of range");
		len = snn_spikes_format(pat, dim, canon, tcap);
		if (len == 0 || len >= tcap || strlen(canon) != len)
			fail("format length");
		if (snn_spikes_parse(canon, back, dim + 1, &dim2, &err) != SNN_OK)
			fail("canonical text does not parse");
		if (dim2 != dim || memcmp(back, pat, dim) != 0)
			fail("round trip changed the pattern");
		if (snn_spikes_format(back, dim2, canon2, tcap) != len ||
			strcmp(canon, canon2) != 0)
			fail("format is not a fixed point");
		free(canon);
		free(canon2);
		free(back);
	}
	free(pat);
	free(text);
	return 0;
}
