/*
 * fuzz_detector.c: libFuzzer harness for the streaming anomaly detector.
 *
 * The input chooses a preset, up to eight settings (any field, any double:
 * NaN, infinities, huge and tiny values), a seed, and then the events: raw
 * doubles as features and raw 64-bit timestamps.  Settings must either be
 * refused with SNN_E_CONFIG, SNN_E_NAN or SNN_E_LIMIT and a message, or
 * give a valid configuration.  Every step must either fail with SNN_E_NAN
 * or SNN_E_RANGE (and leave the state exactly as it was) or give a score in
 * [0, 1] and a likelihood in [0, 1].  What is left of the input then
 * damages the state a word at a time: snn_detector_check_state must refuse
 * it or the following steps must stay inside the buffer (the sanitizers
 * watch).  Before the damage, a state converted to the other byte order
 * and back must be the same bytes, and the reservoir's export as an image
 * must validate or be refused with a message.  Sizes are capped so that one input runs in milliseconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snn_detector.h"

#define REQUIRE(c) do { if (!(c)) { fprintf(stderr, "requirement failed at line %d: %s\n", __LINE__, #c); __builtin_trap(); } } while (0)

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Take n bytes of the input (zeros when it runs out). */
static void
take(const uint8_t **p, size_t *left, void *out, size_t n)
{
	size_t		k = *left < n ? *left : n;

	memset(out, 0, n);
	memcpy(out, *p, k);
	*p += k;
	*left -= k;
}

/* Keep one input's work small: fewer neurons, patterns and values. */
static void
cap(snn_detector_config *cfg)
{
	if (cfg->res_neurons > 48)
		cfg->res_neurons = 48;
	if (cfg->res_ensemble > 3)
		cfg->res_ensemble = 3;
	if (cfg->score_memory > 128)
		cfg->score_memory = 128;
	if (cfg->score_memory_gap > cfg->score_memory)
		cfg->score_memory_gap = cfg->score_memory;
	if (cfg->score_surprise_memory > 64)
		cfg->score_surprise_memory = 64;
	if (cfg->score_calibration > 128)
		cfg->score_calibration = 128;
	if (cfg->n_features > 4)
		cfg->n_features = 4;
	if (cfg->enc_fields > 16)
		cfg->enc_fields = 16;
	if (cfg->res_substeps > 4)
		cfg->res_substeps = 4;
	if (cfg->score_short > 16)
		cfg->score_short = 16;
	if (cfg->score_warmup > 20)
		cfg->score_warmup = cfg->score_short > 20 ? cfg->score_short : 20;
	if (cfg->score_level > 16)
		cfg->score_level = 16;
	if (cfg->score_level_long > 64)
		cfg->score_level_long = 64;
}

/* One event: a failure leaves the state as it was, a success is in range. */
static void
step_one(const snn_detector_config *cfg, void *state, size_t sz, void *copy,
		 const double *x, int64_t ts, int checked)
{
	snn_detector_detail det;
	snn_error	err;
	snn_status	st;
	double		score = -1;
	uint8_t		pattern[48];

	memcpy(copy, state, sz);
	st = snn_detector_step(cfg, state, x, cfg->n_features, ts, &score, &det, &err);
	if (st != SNN_OK)
	{
		REQUIRE(st == SNN_E_NAN || st == SNN_E_RANGE || (!checked && st == SNN_E_FORMAT));
		REQUIRE(err.msg[0] != '\0');
		REQUIRE(memcmp(copy, state, sz) == 0);
		return;
	}
	/* the winning member's spike pattern, one byte a neuron */
	REQUIRE(snn_detector_last_spikes(cfg, state, pattern, 48) == cfg->res_neurons);
	if (checked)
	{
		/* an intact state gives scores in range; a damaged one only safety */
		REQUIRE(score >= 0.0 && score <= 1.0);
		REQUIRE(det.likelihood >= 0.0 && det.likelihood <= 1.0);
		REQUIRE(det.prediction_error >= 0.0 && det.prediction_error <= 1.0);
		REQUIRE(det.novelty >= 0.0 && det.novelty <= 1.0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t		left = size,
				sz;
	snn_detector_config cfg;
	snn_error	err;
	snn_status	st;
	uint8_t		hdr[3];
	uint64_t	seed;
	void	   *state,
			   *copy;
	int			nfields = snn_detector_config_nfields();

	take(&p, &left, hdr, sizeof(hdr));
	REQUIRE(snn_detector_config_default(hdr[0] % 5, &cfg, &err) == SNN_OK);
	for (int i = 0; i < (hdr[1] & 7); i++)
	{
		uint8_t		f;
		double		v;

		take(&p, &left, &f, 1);
		take(&p, &left, &v, sizeof(v));
		st = snn_detector_config_set(&cfg, snn_detector_config_field_name(f % nfields), v, &err);
		if (st != SNN_OK)
			REQUIRE((st == SNN_E_CONFIG || st == SNN_E_NAN || st == SNN_E_LIMIT) && err.msg[0] != '\0');
	}
	cap(&cfg);
	if ((st = snn_detector_validate(&cfg, &err)) != SNN_OK)
	{
		REQUIRE((st == SNN_E_CONFIG || st == SNN_E_NAN || st == SNN_E_LIMIT) && err.msg[0] != '\0');
		REQUIRE(snn_detector_state_size(&cfg) == 0);
		return 0;
	}
	sz = snn_detector_state_size(&cfg);
	REQUIRE(sz > 0);
	state = malloc(sz);
	copy = malloc(sz);
	REQUIRE(state != NULL && copy != NULL);
	take(&p, &left, &seed, sizeof(seed));
	REQUIRE(snn_detector_init(&cfg, state, sz, seed, &err) == SNN_OK);
	REQUIRE(snn_detector_check_state(&cfg, state, sz, &err) == SNN_OK);

	/* events: hdr[2] of them, then the damage */
	for (int e = 0; e < hdr[2] && left > 0; e++)
	{
		double		x[4];
		int64_t		ts;

		take(&p, &left, x, sizeof(double) * cfg.n_features);
		take(&p, &left, &ts, sizeof(ts));
		step_one(&cfg, state, sz, copy, x, ts, 1);
	}
	/* the other byte order and back is the same state */
	memcpy(copy, state, sz);
	REQUIRE(snn_detector_state_swap(&cfg, copy, sz, 0, &err) == SNN_OK);
	REQUIRE(snn_detector_state_swap(&cfg, copy, sz, 1, &err) == SNN_OK);
	REQUIRE(memcmp(copy, state, sz) == 0);
	/* the reservoir as an image: valid, or refused with a message */
	{
		size_t		need = 0;
		void	   *img;

		if (snn_detector_network(&cfg, state, 0, NULL, 0, &need, &err) == SNN_OK)
		{
			img = aligned_alloc(64, (need + 63) / 64 * 64);
			REQUIRE(img != NULL);
			if (snn_detector_network(&cfg, state, 0, img, need, &need, &err) != SNN_OK)
				REQUIRE(err.msg[0] != '\0');
			free(img);
		}
		else
			REQUIRE(err.msg[0] != '\0');
	}
	while (left >= 6)
	{
		uint32_t	off;
		uint16_t	w;

		take(&p, &left, &off, sizeof(off));
		take(&p, &left, &w, sizeof(w));
		off %= (uint32_t) (sz - 1);
		memcpy((char *) state + off, &w, sizeof(w));
	}
	if (snn_detector_check_state(&cfg, state, sz, &err) == SNN_OK)
	{
		for (int e = 0; e < 3; e++)
		{
			double		x[4] = {1.0 + e, -2.0, 3.5, 0.25};

			step_one(&cfg, state, sz, copy, x, 1700000000000000LL + e * 60000000LL, 0);
		}
	}
	else
		REQUIRE(err.msg[0] != '\0');
	free(state);
	free(copy);
	return 0;
}
