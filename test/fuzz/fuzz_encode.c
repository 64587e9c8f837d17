/*
 * fuzz_encode.c: libFuzzer harness for the encoders and decoders.
 *
 * The input chooses the parameters (lo, hi, steps, rates, sigma, ...) and
 * the values, as raw doubles, so NaN, infinities, subnormals and extremes
 * all occur.  Every call must either fail with a documented status and a
 * message, or succeed with outputs that obey the contract: trains in
 * canonical order inside their shape, exact event counts, TTFS steps in
 * range, finite decoded values (NaN only for a silent population group).
 * The sanitizers catch undefined float-to-integer conversions.
 */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snn_encode.h"
#include "snn_events.h"

#define REQUIRE(c) do { if (!(c)) { fprintf(stderr, "requirement failed at line %d: %s\n", __LINE__, #c); __builtin_trap(); } } while (0)
#define MAXN 64

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Take the next double from the input (zero when it runs out). */
static double
take(const uint8_t **p, size_t *left)
{
	double		d = 0;

	if (*left >= sizeof(double))
	{
		memcpy(&d, *p, sizeof(double));
		*p += sizeof(double);
		*left -= sizeof(double);
	}
	return d;
}

/* A failure must be one of the documented statuses, with a message. */
static void
check_failure(snn_status st, const snn_error *err)
{
	REQUIRE(st == SNN_E_EMPTY || st == SNN_E_LIMIT || st == SNN_E_NAN ||
			st == SNN_E_CONFIG || st == SNN_E_RANGE || st == SNN_E_DIM);
	REQUIRE(err->msg[0] != '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t		left = size;
	uint8_t		hdr[4] = {0, 0, 0, 0};
	double		lo,
				hi,
				rate,
				sigma,
				minact,
				thr,
				v[MAXN];
	uint32_t	steps,
				per;
	size_t		n,
				ne,
				ne2;
	static snn_event ev[MAXN * 256 + 1];
	static uint8_t pat[MAXN * 20];
	static double dec[MAXN * 256];
	static uint32_t scratch[257];
	static uint64_t pscratch[2 * MAXN];
	snn_error	err;
	snn_status	st;

	memcpy(hdr, p, left < 4 ? left : 4);
	p += left < 4 ? left : 4;
	left -= left < 4 ? left : 4;
	steps = hdr[0];				/* 0..255: in and out of range */
	per = hdr[1] % 20;			/* 0..19 fields */
	lo = take(&p, &left);
	hi = take(&p, &left);
	rate = take(&p, &left);
	sigma = take(&p, &left);
	minact = take(&p, &left);
	thr = take(&p, &left);
	n = left / sizeof(double);
	if (n > MAXN)
		n = MAXN;
	for (size_t i = 0; i < n; i++)
		v[i] = take(&p, &left);

	/* TTFS, and decode back within half a step for values in range */
	st = snn_encode_ttfs(v, n, lo, hi, steps, pat, &err);
	if (st != SNN_OK)
		check_failure(st, &err);
	else
	{
		REQUIRE(snn_decode_ttfs(pat, n, lo, hi, steps, dec, &err) == SNN_OK);
		for (size_t i = 0; i < n; i++)
		{
			REQUIRE(pat[i] == 255 || pat[i] < steps);
			REQUIRE(isfinite(dec[i]));
			if (v[i] >= lo && v[i] <= hi && steps > 1)
				REQUIRE(fabs(dec[i] - v[i]) <= (hi - lo) / (steps - 1) * 0.5000001 + 1e-300);
		}
	}

	/* rate: count phase, both fill paths identical, canonical */
	st = snn_encode_rate(v, n, lo, hi, steps, rate, NULL, 0, &ne, NULL, &err);
	if (st != SNN_OK)
		check_failure(st, &err);
	else
	{
		static snn_event ev2[MAXN * 256 + 1];

		REQUIRE(ne <= n * steps);
		REQUIRE(snn_encode_rate(v, n, lo, hi, steps, rate, ev, ne, &ne2, NULL, &err) == SNN_OK && ne2 == ne);
		REQUIRE(snn_encode_rate(v, n, lo, hi, steps, rate, ev2, ne, &ne2, scratch, &err) == SNN_OK && ne2 == ne);
		REQUIRE(ne == 0 || memcmp(ev, ev2, ne * sizeof(snn_event)) == 0);
		REQUIRE(snn_train_validate((uint32_t) n, steps, ev, ne, &err) == SNN_OK);
		REQUIRE(snn_decode_rate((uint32_t) n, steps, ev, ne, lo, hi, rate, dec, &err) == SNN_OK);
		for (size_t i = 0; i < n; i++)
			REQUIRE(isfinite(dec[i]) && dec[i] >= lo && dec[i] <= hi);
	}

	/* Poisson: both paths identical, canonical */
	st = snn_encode_poisson(v, n, lo, hi, steps, rate, (uint64_t) hdr[2] * 977, NULL, 0, &ne, NULL, &err);
	if (st != SNN_OK)
		check_failure(st, &err);
	else
	{
		static snn_event ev2[MAXN * 256 + 1];

		REQUIRE(ne <= n * steps);
		REQUIRE(snn_encode_poisson(v, n, lo, hi, steps, rate, (uint64_t) hdr[2] * 977, ev, ne, &ne2, NULL, &err) == SNN_OK && ne2 == ne);
		REQUIRE(snn_encode_poisson(v, n, lo, hi, steps, rate, (uint64_t) hdr[2] * 977, ev2, ne, &ne2, pscratch, &err) == SNN_OK && ne2 == ne);
		REQUIRE(ne == 0 || memcmp(ev, ev2, ne * sizeof(snn_event)) == 0);
		REQUIRE(snn_train_validate((uint32_t) n, steps, ev, ne, &err) == SNN_OK);
	}

	/* population: steps in range, decode finite or NaN for a silent group */
	st = snn_encode_population(v, n, lo, hi, per, steps, sigma, minact, pat, &err);
	if (st != SNN_OK)
		check_failure(st, &err);
	else
	{
		REQUIRE(snn_decode_population(pat, n, lo, hi, per, steps, sigma, minact, dec, &err) == SNN_OK);
		for (size_t k = 0; k < n; k++)
		{
			int			silent = 1;

			for (uint32_t j = 0; j < per; j++)
			{
				REQUIRE(pat[k * per + j] == 255 || pat[k * per + j] < steps);
				silent &= pat[k * per + j] == 255;
			}
			REQUIRE(silent ? isnan(dec[k]) : isfinite(dec[k]));
		}
	}

	/* delta: at most one spike a step, decode tracks the reference */
	st = snn_encode_delta(v, n, thr, ev, MAXN * 256, &ne, &err);
	if (st != SNN_OK)
		check_failure(st, &err);
	else
	{
		REQUIRE(ne < (n ? n : 1));
		REQUIRE(snn_train_validate(2, (uint32_t) n, ev, ne, &err) == SNN_OK);
		for (size_t e = 1; e < ne; e++)
			REQUIRE(ev[e].step > ev[e - 1].step);
		st = snn_decode_delta(2, (uint32_t) n, ev, ne, v[0], thr, dec, &err);
		if (st != SNN_OK)
			check_failure(st, &err);
	}
	return 0;
}
