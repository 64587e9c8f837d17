/*
 * test_spiketrain.c: the spiketrain text parser accepts exactly the
 * documented grammar (accept and reject tables with the expected status,
 * token and canonical output), output round-trips, and the event helpers
 * sort, de-duplicate and validate as documented.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snn_events.h"
#include "snn_spiketrain_text.h"
#include "unit.h"

static snn_event events[64];

/* Reference order for checking snn_events_sort. */
static int
cmp_ref(const void *pa, const void *pb)
{
	const snn_event *a = pa,
			   *b = pb;

	if (a->step != b->step)
		return a->step < b->step ? -1 : 1;
	return a->neuron < b->neuron ? -1 : a->neuron > b->neuron;
}

/* xorshift64*: reproducible test data. */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* snn_events_sort equals qsort on random, sorted, reversed, flat inputs. */
static void
test_sort(void)
{
	static snn_event a[20000],
				b[20000];
	uint64_t	seed = 7;
	const size_t sizes[] = {0, 1, 2, 3, 15, 16, 17, 100, 1000, 20000};

	for (int shape = 0; shape < 6; shape++)
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
		{
			size_t		n = sizes[k];

			for (size_t i = 0; i < n; i++)
			{
				uint64_t	r = next_rand(&seed);

				switch (shape)
				{
					case 0:		/* random over a wide range */
						a[i].step = (uint32_t) r;
						a[i].neuron = (uint32_t) (r >> 32);
						break;
					case 1:		/* many duplicates */
						a[i].step = (uint32_t) (r % 3);
						a[i].neuron = (uint32_t) ((r >> 32) % 2);
						break;
					case 2:		/* sorted */
						a[i].step = (uint32_t) i;
						a[i].neuron = 0;
						break;
					case 3:		/* reversed */
						a[i].step = (uint32_t) (n - i);
						a[i].neuron = (uint32_t) (n - i);
						break;
					case 4:		/* all equal */
						a[i].step = 5;
						a[i].neuron = 5;
						break;
					default:	/* organ pipe, same step, neurons vary */
						a[i].step = 1;
						a[i].neuron = (uint32_t) (i < n / 2 ? i : n - i);
						break;
				}
			}
			memcpy(b, a, n * sizeof(snn_event));
			snn_events_sort(a, n);
			qsort(b, n, sizeof(snn_event), cmp_ref);
			CHECKF(n == 0 || memcmp(a, b, n * sizeof(snn_event)) == 0, "sort shape %d n %zu", shape, n);
		}
}

/* Parse, format; returns the status and fills out with the canonical text. */
static snn_status
roundtrip(const char *in, char *out, size_t cap, snn_error *err)
{
	uint32_t	nn,
				ns;
	size_t		n,
				len;
	snn_status	st;

	st = snn_spiketrain_parse(in, strlen(in), &nn, &ns, events, 64, &n, err);
	if (st != SNN_OK)
		return st;
	return snn_spiketrain_format(nn, ns, events, n, out, cap, &len, err);
}

int
main(void)
{
	/* accepted inputs and their canonical form */
	static const struct
	{
		const char *in;
		const char *out;
	}			good[] = {
		{"{neurons:4,steps:20,events:[1@0,3@0,0@7]}", "{neurons:4,steps:20,events:[1@0,3@0,0@7]}"},
		{"{neurons:1,steps:1,events:[]}", "{neurons:1,steps:1,events:[]}"},
		{" { neurons : 4 , steps : 20 , events : [ 0 @ 7 , 3@0 , 1@0 ] } ",
		"{neurons:4,steps:20,events:[1@0,3@0,0@7]}"},
		{"{neurons:4,steps:20,events:[0@7,0@7,0@7]}", "{neurons:4,steps:20,events:[0@7]}"},
		{"{neurons:3,steps:5,events:[2@4,1@4,0@4,2@0]}", "{neurons:3,steps:5,events:[2@0,0@4,1@4,2@4]}"},
		{"\t{neurons:\n007,steps:\r010,events:[06@09]}\n", "{neurons:7,steps:10,events:[6@9]}"},
		{"{neurons:1000000,steps:10000000,events:[999999@9999999]}",
		"{neurons:1000000,steps:10000000,events:[999999@9999999]}"},
		{"{neurons:2,steps:2,events:[1@1,0@1,1@0,0@0]}", "{neurons:2,steps:2,events:[0@0,1@0,0@1,1@1]}"},
	};

	/* rejected inputs: status, and the token the error must quote */
	static const struct
	{
		const char *in;
		snn_status	st;
		const char *token;
	}			bad[] = {
		{"", SNN_E_SYNTAX, ""},
		{"   ", SNN_E_SYNTAX, ""},
		{"[neurons:4]", SNN_E_SYNTAX, "["},
		{"{", SNN_E_SYNTAX, ""},
		{"{neurons:4", SNN_E_SYNTAX, ""},
		{"{steps:4,neurons:4,events:[]}", SNN_E_SYNTAX, "steps"},
		{"{neuron:4,steps:4,events:[]}", SNN_E_SYNTAX, "neuron"},
		{"{neuronsx:4,steps:4,events:[]}", SNN_E_SYNTAX, "neuronsx"},
		{"{neurons 4,steps:4,events:[]}", SNN_E_SYNTAX, "4"},
		{"{neurons:-4,steps:4,events:[]}", SNN_E_SYNTAX, "-4"},
		{"{neurons:+4,steps:4,events:[]}", SNN_E_SYNTAX, "+4"},
		{"{neurons:4x,steps:4,events:[]}", SNN_E_SYNTAX, "4x"},
		{"{neurons:4.0,steps:4,events:[]}", SNN_E_SYNTAX, "4.0"},
		{"{neurons:1e3,steps:4,events:[]}", SNN_E_SYNTAX, "1e3"},
		{"{neurons:0,steps:4,events:[]}", SNN_E_RANGE, "neurons"},
		{"{neurons:4,steps:0,events:[]}", SNN_E_RANGE, "steps"},
		{"{neurons:1000001,steps:4,events:[]}", SNN_E_LIMIT, "neurons"},
		{"{neurons:4,steps:10000001,events:[]}", SNN_E_LIMIT, "steps"},
		{"{neurons:99999999999999999999999999999,steps:4,events:[]}", SNN_E_LIMIT, "neurons"},
		{"{neurons:4,steps:4,events:[4@0]}", SNN_E_RANGE, "4@0"},
		{"{neurons:4,steps:4,events:[0@4]}", SNN_E_RANGE, "0@4"},
		{"{neurons:4,steps:4,events:[0@99999999999999999999]}", SNN_E_RANGE, "0@99999999999999999999"},
		{"{neurons:4,steps:4,events:[0@]}", SNN_E_SYNTAX, "]"},
		{"{neurons:4,steps:4,events:[@1]}", SNN_E_SYNTAX, "@"},
		{"{neurons:4,steps:4,events:[0@1,]}", SNN_E_SYNTAX, "]"},
		{"{neurons:4,steps:4,events:[,0@1]}", SNN_E_SYNTAX, ","},
		{"{neurons:4,steps:4,events:[0@1 1@2]}", SNN_E_SYNTAX, "1"},
		{"{neurons:4,steps:4,events:[0@1@2]}", SNN_E_SYNTAX, "@"},
		{"{neurons:4,steps:4,events:[(0,1)]}", SNN_E_SYNTAX, "(0"},
		{"{neurons:4,steps:4,events:[0@1]", SNN_E_SYNTAX, ""},
		{"{neurons:4,steps:4,events:[0@1}", SNN_E_SYNTAX, "}"},
		{"{neurons:4,steps:4,events:[0@1]}}", SNN_E_SYNTAX, "}"},
		{"{neurons:4,steps:4,events:[0@1]} x", SNN_E_SYNTAX, "x"},
		{"{neurons:4,steps:4,events:[0@1],}", SNN_E_SYNTAX, ","},
		{"{neurons:4,steps:4}", SNN_E_SYNTAX, "}"},
		{"{neurons:4,,steps:4,events:[]}", SNN_E_SYNTAX, ","},
		{"{neurons:4,steps:4,events:[\x01]}", SNN_E_SYNTAX, "\\x01"},
		{"{neurons:4,steps:4,events:[\"0\"]}", SNN_E_SYNTAX, "\\x220\\x22"},
		{"{neurons:4,steps:4,events:[0\xff@1]}", SNN_E_SYNTAX, "0\\xff"},
	};
	char		buf[512];
	snn_error	err;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
	{
		snn_status	st = roundtrip(good[i].in, buf, sizeof(buf), &err);

		CHECKF(st == SNN_OK, "accept [%s]: %s", good[i].in, err.msg);
		CHECKF(st != SNN_OK || strcmp(buf, good[i].out) == 0, "canonical [%s] -> [%s]", good[i].in, buf);
		/* canonical output is a fixed point */
		if (st == SNN_OK)
		{
			char		again[512];

			CHECK(roundtrip(buf, again, sizeof(again), &err) == SNN_OK);
			CHECKF(strcmp(buf, again) == 0, "fixed point [%s] -> [%s]", buf, again);
		}
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		snn_status	st = roundtrip(bad[i].in, buf, sizeof(buf), &err);

		CHECKF(st == bad[i].st, "reject [%s]: status %d, expected %d (%s)", bad[i].in, st, bad[i].st, err.msg);
		CHECKF(strcmp(err.field, bad[i].token) == 0, "reject [%s]: token [%s], expected [%s] (%s)",
			   bad[i].in, err.field, bad[i].token, err.msg);
		CHECK(err.msg[0] != '\0');
	}

	/* error messages quote the token and give the position */
	roundtrip("{neurons:4,steps:4,events:[0@1;2@3]}", buf, sizeof(buf), &err);
	CHECKF(strstr(err.msg, "\"1;2\"") != NULL && strstr(err.msg, "position 29") != NULL, "%s", err.msg);
	CHECK(err.pos == 29);
	roundtrip("{neurons:4,steps:4,events:[9@1]}", buf, sizeof(buf), &err);
	CHECKF(strstr(err.msg, "\"9@1\"") != NULL && strstr(err.msg, "0..3") != NULL, "%s", err.msg);
	/* a very long bad token is cut, never overflowing the field */
	{
		char		longtok[300];

		memset(longtok, 'z', sizeof(longtok));
		longtok[sizeof(longtok) - 1] = '\0';
		CHECK(roundtrip(longtok, buf, sizeof(buf), &err) == SNN_E_SYNTAX);
		CHECK(strlen(err.field) < sizeof(err.field));
		CHECK(strlen(err.msg) < sizeof(err.msg));
	}

	/* the parser never reads past len: a valid text cut short fails */
	{
		const char *full = "{neurons:4,steps:20,events:[1@0,3@0,0@7]}";
		uint32_t	nn,
					ns;
		size_t		n;

		for (size_t cut = 0; cut < strlen(full); cut++)
			CHECKF(snn_spiketrain_parse(full, cut, &nn, &ns, events, 64, &n, &err) == SNN_E_SYNTAX,
				   "cut at %zu", cut);
		/* and an embedded NUL is a bad byte, not an end */
		CHECK(snn_spiketrain_parse("{neurons:4\0,steps:4,events:[]}", 30, &nn, &ns, events, 64, &n, &err) == SNN_E_SYNTAX);
	}

	/* room: max_events counts '@', the parser reports too little room */
	{
		const char *t = "{neurons:4,steps:20,events:[1@0,3@0,0@7]}";
		uint32_t	nn,
					ns;
		size_t		n;

		CHECK(snn_spiketrain_text_max_events(t, strlen(t)) == 3);
		CHECK(snn_spiketrain_text_max_events("", 0) == 0);
		/* bounded by the length: k events need 4k - 1 bytes */
		CHECK(snn_spiketrain_text_max_events("@@@@@@@@", 8) == 2);
		CHECK(snn_spiketrain_text_max_events("0@0,0@0", 7) == 2);
		CHECK(snn_spiketrain_text_max_events("x@", 2) == 0);
		CHECK(snn_spiketrain_parse(t, strlen(t), &nn, &ns, events, 2, &n, &err) == SNN_E_NOMEM);
		CHECK(snn_spiketrain_parse(t, strlen(t), &nn, &ns, events, 3, &n, &err) == SNN_OK && n == 3);
		CHECK(nn == 4 && ns == 20);
		CHECK(events[0].step == 0 && events[0].neuron == 1);
		CHECK(events[2].step == 7 && events[2].neuron == 0);
	}

	/* formatter: exact size, refuses a short buffer */
	{
		snn_event	ev[2] = {{0, 1}, {12, 999999}};
		size_t		len;
		size_t		need = snn_spiketrain_text_size(1000000, 13, ev, 2);

		CHECK(need == strlen("{neurons:1000000,steps:13,events:[1@0,999999@12]}") + 1);
		CHECK(snn_spiketrain_format(1000000, 13, ev, 2, buf, need - 1, &len, &err) == SNN_E_NOMEM);
		CHECK(snn_spiketrain_format(1000000, 13, ev, 2, buf, need, &len, &err) == SNN_OK);
		CHECK(len == need - 1 && strcmp(buf, "{neurons:1000000,steps:13,events:[1@0,999999@12]}") == 0);
	}

	/* normalise: sorts by (step, neuron), drops repeats */
	{
		snn_event	ev[6] = {{5, 1}, {0, 2}, {5, 0}, {0, 2}, {5, 1}, {3, 3}};
		size_t		n = snn_events_normalise(ev, 6);

		CHECK(n == 4);
		CHECK(ev[0].step == 0 && ev[0].neuron == 2);
		CHECK(ev[1].step == 3 && ev[1].neuron == 3);
		CHECK(ev[2].step == 5 && ev[2].neuron == 0);
		CHECK(ev[3].step == 5 && ev[3].neuron == 1);
		CHECK(snn_events_normalise(ev, 0) == 0);
		CHECK(snn_events_normalise(ev, 1) == 1);
	}

	/* validate: order, repeats, bounds, shape limits */
	{
		snn_event	ok[3] = {{0, 1}, {0, 2}, {4, 0}};
		snn_event	unsorted[2] = {{1, 0}, {0, 0}};
		snn_event	dup[2] = {{1, 0}, {1, 0}};
		snn_event	same_step[2] = {{1, 3}, {1, 2}};
		snn_event	far_neuron[1] = {{0, 3}};
		snn_event	far_step[1] = {{5, 0}};

		CHECK(snn_train_validate(3, 5, ok, 3, &err) == SNN_OK);
		CHECK(snn_train_validate(3, 5, ok, 0, &err) == SNN_OK);
		CHECK(snn_train_validate(3, 5, unsorted, 2, &err) == SNN_E_FORMAT);
		CHECK(snn_train_validate(3, 5, dup, 2, &err) == SNN_E_FORMAT);
		CHECK(snn_train_validate(4, 5, same_step, 2, &err) == SNN_E_FORMAT);
		CHECK(snn_train_validate(3, 5, far_neuron, 1, &err) == SNN_E_FORMAT);
		CHECK(snn_train_validate(3, 5, far_step, 1, &err) == SNN_E_FORMAT);
		CHECK(snn_train_validate(0, 5, ok, 0, &err) == SNN_E_RANGE);
		CHECK(snn_train_validate(3, 0, ok, 0, &err) == SNN_E_RANGE);
		CHECK(snn_train_check_shape(SNN_TRAIN_MAX_NEURONS + 1, 1, 0, &err) == SNN_E_LIMIT);
		CHECK(snn_train_check_shape(1, SNN_TRAIN_MAX_STEPS + 1, 0, &err) == SNN_E_LIMIT);
		CHECK(snn_train_check_shape(1, 1, SNN_TRAIN_MAX_EVENTS + 1ULL, &err) == SNN_E_LIMIT);
		CHECK(snn_train_check_shape(SNN_TRAIN_MAX_NEURONS, SNN_TRAIN_MAX_STEPS,
									SNN_TRAIN_MAX_EVENTS, &err) == SNN_OK);
	}

	/* first spikes: earliest step per neuron, UINT32_MAX when silent */
	{
		snn_event	ev[4] = {{0, 2}, {3, 0}, {3, 2}, {9, 0}};
		uint32_t	first[4];

		snn_events_first_spikes(ev, 4, 4, first);
		CHECK(first[0] == 3 && first[1] == UINT32_MAX && first[2] == 0 && first[3] == UINT32_MAX);
	}

	/* window: contiguous run, shifted; counts per neuron */
	{
		snn_event	ev[5] = {{0, 0}, {0, 2}, {5, 2}, {7, 0}, {19, 0}};
		snn_event	out[5];
		uint32_t	counts[4];

		CHECK(snn_events_window(ev, 5, 5, 10, out) == 2);
		CHECK(out[0].step == 0 && out[0].neuron == 2 && out[1].step == 2 && out[1].neuron == 0);
		CHECK(snn_events_window(ev, 5, 0, 1, out) == 2 && out[1].neuron == 2);
		CHECK(snn_events_window(ev, 5, 19, 1, out) == 1 && out[0].step == 0);
		CHECK(snn_events_window(ev, 5, 20, 5, out) == 0);
		CHECK(snn_events_window(ev, 5, 0, UINT32_MAX, out) == 5);
		CHECK(snn_events_window(ev, 5, UINT32_MAX, UINT32_MAX, out) == 0);
		CHECK(snn_events_window(ev, 0, 0, 10, out) == 0);
		snn_events_counts(ev, 5, 4, counts);
		CHECK(counts[0] == 3 && counts[1] == 0 && counts[2] == 2 && counts[3] == 0);
	}
	test_sort();
	UNIT_DONE();
}
