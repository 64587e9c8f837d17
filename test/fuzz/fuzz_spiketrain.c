/*
 * fuzz_spiketrain.c: libFuzzer harness for the spiketrain text parser.
 *
 * Any input must either fail with a documented status and a non-empty,
 * bounded message, or parse into a canonical train (sorted, no repeats,
 * inside its shape) whose formatted text parses back to the same train and
 * formats to the same text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snn_events.h"
#include "snn_spiketrain_text.h"

/* Abort with a message libFuzzer records as a crash. */
#define REQUIRE(c) do { if (!(c)) { fprintf(stderr, "requirement failed at line %d: %s\n", __LINE__, #c); __builtin_trap(); } } while (0)

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *) data;
	size_t		cap = snn_spiketrain_text_max_events(text, size);
	snn_event  *ev = malloc(sizeof(snn_event) * (cap ? cap : 1));
	snn_event  *ev2;
	uint32_t	nn,
				ns,
				nn2,
				ns2;
	size_t		n,
				n2,
				len,
				len2,
				tcap;
	char	   *out,
			   *out2;
	snn_error	err;
	snn_status	st;

	REQUIRE(ev != NULL);
	st = snn_spiketrain_parse(text, size, &nn, &ns, ev, cap, &n, &err);
	if (st != SNN_OK)
	{
		REQUIRE(st == SNN_E_SYNTAX || st == SNN_E_RANGE || st == SNN_E_LIMIT);
		REQUIRE(err.status == st);
		REQUIRE(err.msg[0] != '\0');
		REQUIRE(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
		REQUIRE(memchr(err.field, '\0', sizeof(err.field)) != NULL);
		REQUIRE(err.pos <= size);
		free(ev);
		return 0;
	}
	REQUIRE(n <= cap);
	REQUIRE(snn_train_validate(nn, ns, ev, n, &err) == SNN_OK);

	/* format, parse again, format again: same train, same text */
	tcap = snn_spiketrain_text_size(nn, ns, ev, n);
	out = malloc(tcap);
	REQUIRE(out != NULL);
	REQUIRE(snn_spiketrain_format(nn, ns, ev, n, out, tcap, &len, &err) == SNN_OK);
	REQUIRE(len + 1 == tcap && strlen(out) == len);
	ev2 = malloc(sizeof(snn_event) * (n ? n : 1));
	REQUIRE(ev2 != NULL);
	REQUIRE(snn_spiketrain_text_max_events(out, len) == n);
	REQUIRE(snn_spiketrain_parse(out, len, &nn2, &ns2, ev2, n, &n2, &err) == SNN_OK);
	REQUIRE(nn2 == nn && ns2 == ns && n2 == n);
	REQUIRE(n == 0 || memcmp(ev, ev2, n * sizeof(snn_event)) == 0);
	out2 = malloc(tcap);
	REQUIRE(out2 != NULL);
	REQUIRE(snn_spiketrain_format(nn2, ns2, ev2, n2, out2, tcap, &len2, &err) == SNN_OK);
	REQUIRE(len2 == len && memcmp(out, out2, len) == 0);
	free(out);
	free(out2);
	free(ev2);
	free(ev);
	return 0;
}
