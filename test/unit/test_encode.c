/*
 * test_encode.c: every encoder's exact output on hand-computed cases, the
 * decoders' accuracy bounds, Poisson reproducibility and statistics, and
 * the validation of every argument.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snn_encode.h"
#include "snn_events.h"
#include "unit.h"

#define MAXEV 200000
static snn_event ev[MAXEV];

/* Events equal to a list of (step, neuron) pairs. */
static int
events_are(const snn_event *e, size_t n, const uint32_t (*want)[2], size_t nw)
{
	if (n != nw)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (e[i].step != want[i][0] || e[i].neuron != want[i][1])
			return 0;
	return 1;
}

/* Spikes of one neuron in a train. */
static size_t
count_of(const snn_event *e, size_t n, uint32_t neuron)
{
	size_t		c = 0;

	for (size_t i = 0; i < n; i++)
		c += e[i].neuron == neuron;
	return c;
}

static void
test_ttfs(void)
{
	snn_error	err;
	uint8_t		out[16];
	double		dec[16];

	/* hand-computed: (1 - v) * 254 rounded half up; <= lo silent; >= hi 0 */
	{
		double		v[7] = {-1, 0, 0.25, 0.5, 0.998, 1, 2};
		uint8_t		want[7] = {255, 255, 191, 127, 1, 0, 0};

		CHECK(snn_encode_ttfs(v, 7, 0, 1, 255, out, &err) == SNN_OK);
		CHECK(memcmp(out, want, 7) == 0);
	}
	/* other range and steps: (1 - v) / 2 * 10 */
	{
		double		v[5] = {-0.999, -0.5, 0, 0.5, 0.95};
		uint8_t		want[5] = {10, 8, 5, 3, 0};

		CHECK(snn_encode_ttfs(v, 5, -1, 1, 11, out, &err) == SNN_OK);
		CHECKF(memcmp(out, want, 5) == 0, "%u %u %u %u %u", out[0], out[1], out[2], out[3], out[4]);
		CHECK(snn_decode_ttfs(out, 5, -1, 1, 11, dec, &err) == SNN_OK);
		CHECK(dec[0] == -1 && dec[2] == 0 && dec[4] == 1);
		CHECK(fabs(dec[1] - (-0.6)) < 1e-12 && fabs(dec[3] - 0.4) < 1e-12);
	}
	/* steps = 1: fire at 0 or stay silent; decodes to hi or lo */
	{
		double		v[3] = {0, 1e-9, 0.5};

		CHECK(snn_encode_ttfs(v, 3, 0, 1, 1, out, &err) == SNN_OK);
		CHECK(out[0] == 255 && out[1] == 0 && out[2] == 0);
		CHECK(snn_decode_ttfs(out, 3, 0, 1, 1, dec, &err) == SNN_OK);
		CHECK(dec[0] == 0 && dec[1] == 1 && dec[2] == 1);
	}
	/* decode(encode(x)) within half a quantisation step, several ranges */
	{
		const double ranges[4][2] = {{0, 1}, {-3, 7}, {1e-6, 2e-6}, {-1e6, 1e6}};
		const uint32_t stepss[5] = {2, 3, 17, 100, 255};
		int			bad = 0;

		for (int r = 0; r < 4; r++)
			for (int s = 0; s < 5; s++)
			{
				double		lo = ranges[r][0],
							hi = ranges[r][1];
				double		q = (hi - lo) / (stepss[s] - 1);

				for (int k = 0; k <= 2000; k++)
				{
					double		x = lo + (hi - lo) * k / 2000.0;
					uint8_t		t;
					double		y;

					if (snn_encode_ttfs(&x, 1, lo, hi, stepss[s], &t, &err) != SNN_OK ||
						snn_decode_ttfs(&t, 1, lo, hi, stepss[s], &y, &err) != SNN_OK ||
						fabs(y - x) > q / 2 * (1 + 1e-9))
						bad++;
				}
			}
		CHECKF(bad == 0, "%d values decoded further than half a step", bad);
	}
	/* errors */
	{
		double		v[2] = {0.5, NAN};
		double		inf = INFINITY;
		double	   *big = calloc(SNN_PATTERN_MAX_DIM + 1, sizeof(double));
		uint8_t    *bigout = malloc(SNN_PATTERN_MAX_DIM + 1);
		uint8_t		t[2] = {3, 255};

		CHECK(snn_encode_ttfs(v, 0, 0, 1, 255, out, &err) == SNN_E_EMPTY);
		CHECK(snn_encode_ttfs(v, 2, 0, 1, 255, out, &err) == SNN_E_NAN);
		CHECKF(strstr(err.msg, "element 2") != NULL, "%s", err.msg);
		CHECK(snn_encode_ttfs(&inf, 1, 0, 1, 255, out, &err) == SNN_E_NAN);
		CHECK(snn_encode_ttfs(v, 1, 1, 1, 255, out, &err) == SNN_E_CONFIG);
		CHECK(snn_encode_ttfs(v, 1, 2, 1, 255, out, &err) == SNN_E_CONFIG);
		CHECK(snn_encode_ttfs(v, 1, NAN, 1, 255, out, &err) == SNN_E_NAN);
		CHECK(snn_encode_ttfs(v, 1, 0, INFINITY, 255, out, &err) == SNN_E_NAN);
		CHECK(snn_encode_ttfs(v, 1, -1e308, 1e308, 255, out, &err) == SNN_E_RANGE);
		CHECK(snn_encode_ttfs(v, 1, 0, 1, 0, out, &err) == SNN_E_RANGE);
		CHECK(snn_encode_ttfs(v, 1, 0, 1, 256, out, &err) == SNN_E_RANGE);
		CHECK(snn_encode_ttfs(big, SNN_PATTERN_MAX_DIM + 1, 0, 1, 255, bigout, &err) == SNN_E_LIMIT);
		CHECK(snn_encode_ttfs(big, SNN_PATTERN_MAX_DIM, 0, 1, 255, bigout, &err) == SNN_OK);
		CHECK(snn_decode_ttfs(t, 2, 0, 1, 3, dec, &err) == SNN_E_RANGE);
		CHECK(snn_decode_ttfs(t, 2, 0, 1, 4, dec, &err) == SNN_OK && dec[0] == 0 && dec[1] == 0);
		CHECK(snn_decode_ttfs(t, 0, 0, 1, 4, dec, &err) == SNN_E_EMPTY);
		CHECK(snn_decode_ttfs(t, 2, 1, 0, 4, dec, &err) == SNN_E_CONFIG);
		free(big);
		free(bigout);
	}
}

static void
test_rate(void)
{
	snn_error	err;
	size_t		n;
	double		v[4] = {0, 0.5, 1, 0.25};
	double		dec[4];

	/* counts 0, 4, 8, 2 over 8 steps, at floor((2j + 1) 8 / (2r)) */
	{
		static const uint32_t want[][2] = {
			{0, 2}, {1, 1}, {1, 2}, {2, 2}, {2, 3}, {3, 1}, {3, 2}, {4, 2},
		{5, 1}, {5, 2}, {6, 2}, {6, 3}, {7, 1}, {7, 2}};

		CHECK(snn_encode_rate(v, 4, 0, 1, 8, 1.0, NULL, 0, &n, NULL, &err) == SNN_OK && n == 14);
		CHECK(snn_encode_rate(v, 4, 0, 1, 8, 1.0, ev, n, &n, NULL, &err) == SNN_OK);
		CHECK(events_are(ev, n, want, sizeof(want) / sizeof(want[0])));
		CHECK(snn_train_validate(4, 8, ev, n, &err) == SNN_OK);
		CHECK(snn_decode_rate(4, 8, ev, n, 0, 1, 1.0, dec, &err) == SNN_OK);
		CHECK(dec[0] == 0 && dec[1] == 0.5 && dec[2] == 1 && dec[3] == 0.25);
	}
	/* max_rate halves the counts; values outside [lo, hi] clamp */
	{
		double		w[3] = {-5, 1, 99};

		CHECK(snn_encode_rate(w, 3, 0, 1, 10, 0.5, ev, MAXEV, &n, NULL, &err) == SNN_OK);
		CHECK(count_of(ev, n, 0) == 0 && count_of(ev, n, 1) == 5 && count_of(ev, n, 2) == 5);
		CHECK(snn_encode_rate(w, 3, 0, 1, 10, 0.5, ev, 9, &n, NULL, &err) == SNN_E_NOMEM);
	}
	/* decode(encode(x)) within half a count; always canonical */
	{
		int			bad = 0;

		for (int k = 0; k <= 1000; k++)
		{
			double		x = -2 + 5.0 * k / 1000;
			double		y;

			if (snn_encode_rate(&x, 1, -2, 3, 97, 0.7, ev, MAXEV, &n, NULL, &err) != SNN_OK ||
				snn_train_validate(1, 97, ev, n, &err) != SNN_OK ||
				snn_decode_rate(1, 97, ev, n, -2, 3, 0.7, &y, &err) != SNN_OK ||
				fabs(y - x) > 5.0 / (2 * 0.7 * 97) * (1 + 1e-9))
				bad++;
		}
		CHECKF(bad == 0, "%d rate round trips out of bounds", bad);
	}
	/* the counting-sort path (with scratch) gives the same train as sorting */
	{
		static snn_event ev2[MAXEV];
		static uint32_t scratch[1001];
		double		w[300];
		size_t		n2;
		uint64_t	s = 11;

		for (int i = 0; i < 300; i++)
		{
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			w[i] = (double) (s >> 11) / 9007199254740992.0;
		}
		CHECK(snn_encode_rate(w, 300, 0, 1, 1000, 0.3, ev, MAXEV, &n, NULL, &err) == SNN_OK);
		CHECK(snn_encode_rate(w, 300, 0, 1, 1000, 0.3, ev2, MAXEV, &n2, scratch, &err) == SNN_OK);
		CHECK(n == n2 && n > 1000 && memcmp(ev, ev2, n * sizeof(snn_event)) == 0);
		CHECK(snn_train_validate(300, 1000, ev2, n2, &err) == SNN_OK);
	}
	/* errors and limits */
	{
		double	   *ones = malloc(sizeof(double) * 10000);

		for (int i = 0; i < 10000; i++)
			ones[i] = 1;
		CHECK(snn_encode_rate(v, 4, 0, 1, 8, 0.0, NULL, 0, &n, NULL, &err) == SNN_E_RANGE);
		CHECK(snn_encode_rate(v, 4, 0, 1, 8, 1.5, NULL, 0, &n, NULL, &err) == SNN_E_RANGE);
		CHECK(snn_encode_rate(v, 4, 0, 1, 8, NAN, NULL, 0, &n, NULL, &err) == SNN_E_NAN);
		CHECK(snn_encode_rate(v, 4, 0, 1, 0, 1, NULL, 0, &n, NULL, &err) == SNN_E_RANGE);
		CHECK(snn_encode_rate(v, 4, 0, 1, SNN_TRAIN_MAX_STEPS + 1, 1, NULL, 0, &n, NULL, &err) == SNN_E_LIMIT);
		CHECK(snn_encode_rate(v, 0, 0, 1, 8, 1, NULL, 0, &n, NULL, &err) == SNN_E_EMPTY);

		/*
		 * 10000 x 10000000 spikes is over the event limit: refused before any
		 * work
		 */
		CHECK(snn_encode_rate(ones, 10000, 0, 1, SNN_TRAIN_MAX_STEPS, 1, NULL, 0, &n, NULL, &err) == SNN_E_LIMIT);
		CHECK(snn_decode_rate(2, 8, ev, 0, 0, 1, 1, dec, &err) == SNN_OK && dec[0] == 0 && dec[1] == 0);
		free(ones);
	}
}

static void
test_poisson(void)
{
	snn_error	err;
	size_t		n,
				n2;
	static snn_event ev2[MAXEV];

	/* pinned output: the generator is part of the contract */
	{
		double		v[4] = {0, 0.5, 1, 0.25};
		static const uint32_t want[][2] = {
			{0, 2}, {2, 2}, {2, 3}, {3, 2}, {5, 2}, {6, 2}, {7, 2}, {8, 2},
		{8, 3}, {9, 1}, {9, 3}, {11, 1}, {12, 2}, {13, 1}, {14, 2}, {15, 2}};

		CHECK(snn_encode_poisson(v, 4, 0, 1, 16, 0.5, 42, ev, MAXEV, &n, NULL, &err) == SNN_OK);
		CHECK(events_are(ev, n, want, sizeof(want) / sizeof(want[0])));
	}
	/* same seed, same spikes; another seed, other spikes */
	{
		double		v[50];

		for (int i = 0; i < 50; i++)
			v[i] = i / 49.0;
		CHECK(snn_encode_poisson(v, 50, 0, 1, 200, 0.4, 7, ev, MAXEV, &n, NULL, &err) == SNN_OK);
		CHECK(snn_encode_poisson(v, 50, 0, 1, 200, 0.4, 7, ev2, MAXEV, &n2, NULL, &err) == SNN_OK);
		CHECK(n == n2 && memcmp(ev, ev2, n * sizeof(snn_event)) == 0);
		CHECK(snn_train_validate(50, 200, ev, n, &err) == SNN_OK);
		{
			uint64_t	scratch[100];

			/* the scratch path draws exactly the same spikes */
			CHECK(snn_encode_poisson(v, 50, 0, 1, 200, 0.4, 7, ev2, MAXEV, &n2, scratch, &err) == SNN_OK);
			CHECK(n == n2 && memcmp(ev, ev2, n * sizeof(snn_event)) == 0);
		}
		CHECK(snn_encode_poisson(v, 50, 0, 1, 200, 0.4, 8, ev2, MAXEV, &n2, NULL, &err) == SNN_OK);
		CHECK(n != n2 || memcmp(ev, ev2, n * sizeof(snn_event)) != 0);
		/* negative seeds (bigint) are just other seeds */
		CHECK(snn_encode_poisson(v, 50, 0, 1, 200, 0.4, (uint64_t) -1, ev2, MAXEV, &n2, NULL, &err) == SNN_OK);
	}
	/* a neuron's spikes depend only on (seed, index, rate), not on the others */
	{
		double		a[3] = {0.3, 0.6, 0.9};
		double		b[3] = {0.8, 0.6, 0.1};
		size_t		na = 0,
					nb = 0;
		snn_event	ea[600],
					eb[600];
		size_t		ka = 0,
					kb = 0;

		CHECK(snn_encode_poisson(a, 3, 0, 1, 200, 1, 99, ev, MAXEV, &na, NULL, &err) == SNN_OK);
		for (size_t i = 0; i < na; i++)
			if (ev[i].neuron == 1)
				ea[ka++] = ev[i];
		CHECK(snn_encode_poisson(b, 3, 0, 1, 200, 1, 99, ev, MAXEV, &nb, NULL, &err) == SNN_OK);
		for (size_t i = 0; i < nb; i++)
			if (ev[i].neuron == 1)
				eb[kb++] = ev[i];
		CHECK(ka == kb && ka > 0 && memcmp(ea, eb, ka * sizeof(snn_event)) == 0);
	}
	/* p = 1 fires every step, p = 0 never */
	{
		double		v[2] = {1, 0};

		CHECK(snn_encode_poisson(v, 2, 0, 1, 100, 1, 5, ev, MAXEV, &n, NULL, &err) == SNN_OK);
		CHECK(n == 100 && count_of(ev, n, 0) == 100);
	}

	/*
	 * statistics: 100 neurons x 1000 steps at p = 0.3: total within 5 sd of
	 * 30000 (sd = 145); each neuron within 6 sd of 300 (sd = 14.5);
	 * inter-spike gaps geometric: P(gap = 1) = p within 5 sd.
	 */
	{
		double		v[100];
		size_t		gaps = 0,
					ones = 0;
		int			bad = 0;
		uint32_t	last[100];

		for (int i = 0; i < 100; i++)
		{
			v[i] = 0.6;
			last[i] = UINT32_MAX;
		}
		CHECK(snn_encode_poisson(v, 100, 0, 1, 1000, 0.5, 2024, ev, MAXEV, &n, NULL, &err) == SNN_OK);
		CHECKF(fabs((double) n - 30000) < 5 * 145, "total %zu", n);
		for (uint32_t i = 0; i < 100; i++)
			if (fabs((double) count_of(ev, n, i) - 300) > 6 * 14.5)
				bad++;
		CHECK(bad == 0);
		for (size_t i = 0; i < n; i++)
		{
			uint32_t	nr = ev[i].neuron;

			if (last[nr] != UINT32_MAX)
			{
				gaps++;
				ones += ev[i].step - last[nr] == 1;
			}
			last[nr] = ev[i].step;
		}
		CHECKF(fabs((double) ones / gaps - 0.3) < 5 * sqrt(0.21 / gaps), "P(gap=1) %g", (double) ones / gaps);
	}
	/* errors and the work limit */
	{
		double		v[2] = {0.5, 0.5};
		double	   *many = calloc(20000, sizeof(double));

		CHECK(snn_encode_poisson(v, 2, 0, 1, 10, 0, 1, NULL, 0, &n, NULL, &err) == SNN_E_RANGE);
		CHECK(snn_encode_poisson(v, 2, 0, 1, 10, 2, 1, NULL, 0, &n, NULL, &err) == SNN_E_RANGE);
		CHECK(snn_encode_poisson(v, 0, 0, 1, 10, 1, 1, NULL, 0, &n, NULL, &err) == SNN_E_EMPTY);
		CHECK(snn_encode_poisson(v, 2, 1, 0, 10, 1, 1, NULL, 0, &n, NULL, &err) == SNN_E_CONFIG);
		CHECK(snn_encode_poisson(many, 20000, 0, 1, 10000, 1, 1, NULL, 0, &n, NULL, &err) == SNN_E_LIMIT);
		CHECK(snn_encode_poisson(v, 2, 0, 1, 10, 1, 1, ev, 5, &n, NULL, &err) == SNN_E_NOMEM);
		free(many);
	}
}

static void
test_population(void)
{
	snn_error	err;
	uint8_t		out[64];
	double		dec[8];

	/* 0.3 over 5 fields at 0, .25, .5, .75, 1 (w = .25); hand-computed */
	{
		double		v = 0.3;
		uint8_t		want[5] = {145, 6, 77, 226, 255};

		CHECK(snn_encode_population(&v, 1, 0, 1, 5, 255, 1, 0.1, out, &err) == SNN_OK);
		CHECKF(memcmp(out, want, 5) == 0, "%u %u %u %u %u", out[0], out[1], out[2], out[3], out[4]);
	}
	/* a value on a centre fires that field at step 0; layout k * m + j */
	{
		double		v[2] = {0.5, 1};

		CHECK(snn_encode_population(v, 2, 0, 1, 3, 255, 1, 0.1, out, &err) == SNN_OK);
		CHECK(out[1] == 0 && out[5] == 0 && out[0] == out[2] && out[3] == 244);
	}
	/* one field sits mid-range with width hi - lo */
	{
		double		v = 0.5;

		CHECK(snn_encode_population(&v, 1, 0, 1, 1, 255, 1, 0.1, out, &err) == SNN_OK && out[0] == 0);
	}
	/* decode accuracy: below 0.5% of the spacing for 2..9 fields */
	{
		double		worst = 0;

		for (uint32_t m = 2; m <= 9; m++)
			for (int k = 0; k <= 2000; k++)
			{
				double		x = -1 + 3.0 * k / 2000;
				double		y;

				CHECK(snn_encode_population(&x, 1, -1, 2, m, 255, 1, 0.1, out, &err) == SNN_OK);
				CHECK(snn_decode_population(out, 1, -1, 2, m, 255, 1, 0.1, &y, &err) == SNN_OK);
				if (fabs(y - x) / (3.0 / (m - 1)) > worst)
					worst = fabs(y - x) / (3.0 / (m - 1));
			}
		CHECKF(worst < 0.005, "worst error %g of the spacing", worst);
	}
	/* several values decode independently; a silent group is NaN */
	{
		double		v[3] = {0.1, 0.9, 50};

		CHECK(snn_encode_population(v, 3, 0, 1, 6, 255, 1, 0.1, out, &err) == SNN_OK);
		CHECK(snn_decode_population(out, 3, 0, 1, 6, 255, 1, 0.1, dec, &err) == SNN_OK);
		CHECK(fabs(dec[0] - 0.1) < 0.002 && fabs(dec[1] - 0.9) < 0.002 && isnan(dec[2]));
	}
	/* errors */
	{
		double		v = 0.5;

		CHECK(snn_encode_population(&v, 1, 0, 1, 0, 255, 1, 0.1, out, &err) == SNN_E_RANGE);
		CHECK(snn_encode_population(&v, 1, 0, 1, 1025, 255, 1, 0.1, out, &err) == SNN_E_LIMIT);
		CHECK(snn_encode_population(&v, 1, 0, 1, 5, 256, 1, 0.1, out, &err) == SNN_E_RANGE);
		CHECK(snn_encode_population(&v, 1, 0, 1, 5, 255, 0, 0.1, out, &err) == SNN_E_RANGE);
		CHECK(snn_encode_population(&v, 1, 0, 1, 5, 255, NAN, 0.1, out, &err) == SNN_E_NAN);
		CHECK(snn_encode_population(&v, 1, 0, 1, 5, 255, 1, 1, out, &err) == SNN_E_RANGE);
		CHECK(snn_encode_population(&v, 1, 0, 1, 5, 255, 1, -0.1, out, &err) == SNN_E_RANGE);
		CHECK(snn_encode_population(&v, 100, 0, 1, 1000, 255, 1, 0.1, out, &err) == SNN_E_LIMIT ||
			  snn_encode_population(&v, 100, 0, 1, 1000, 255, 1, 0.1, out, &err) == SNN_E_NAN);
		CHECK(snn_decode_population(out, 0, 0, 1, 5, 255, 1, 0.1, dec, &err) == SNN_E_EMPTY);
		out[0] = 200;
		CHECK(snn_decode_population(out, 1, 0, 1, 5, 100, 1, 0.1, dec, &err) == SNN_E_RANGE);
	}
}

static void
test_delta(void)
{
	snn_error	err;
	size_t		n;
	double		dec[64];

	/* hand-traced: UP at 2 (ref .2), DOWN at 5 (ref 0), DOWN at 6 (ref -.2) */
	{
		double		x[7] = {0, 0.1, 0.3, 0.35, 0.1, -0.5, -0.5};
		static const uint32_t want[][2] = {{2, 0}, {5, 1}, {6, 1}};

		CHECK(snn_encode_delta(x, 7, 0.2, ev, 7, &n, &err) == SNN_OK);
		CHECK(events_are(ev, n, want, 3));
		CHECK(snn_decode_delta(2, 7, ev, n, 0, 0.2, dec, &err) == SNN_OK);
		CHECK(dec[0] == 0 && dec[1] == 0 && fabs(dec[2] - 0.2) < 1e-15 && fabs(dec[4] - 0.2) < 1e-15);
		CHECK(fabs(dec[5]) < 1e-15 && fabs(dec[6] + 0.2) < 1e-15);
	}
	/* exactly one threshold despite binary rounding: 0.1 -> 0.3 by 0.2 */
	{
		double		x[2] = {0.1, 0.3};

		CHECK(snn_encode_delta(x, 2, 0.2, ev, 2, &n, &err) == SNN_OK && n == 1 && ev[0].neuron == 0);
	}
	/* a jump of 3 thresholds becomes a burst of 3 UP spikes */
	{
		double		x[5] = {1, 4, 4, 4, 4};
		static const uint32_t want[][2] = {{1, 0}, {2, 0}, {3, 0}};

		CHECK(snn_encode_delta(x, 5, 1, ev, 5, &n, &err) == SNN_OK);
		CHECK(events_are(ev, n, want, 3));
	}

	/*
	 * steps of at most a threshold (here <= 0.146 < 0.2): tracked within a
	 * threshold
	 */
	{
		double		x[1000];
		static double y[1000];
		double		worst = 0;

		for (int t = 0; t < 1000; t++)
			x[t] = 3 * sin(t / 40.0) + 0.5 * cos(t / 7.0);
		CHECK(snn_encode_delta(x, 1000, 0.2, ev, 1000, &n, &err) == SNN_OK);
		CHECK(snn_train_validate(2, 1000, ev, n, &err) == SNN_OK);
		CHECK(snn_decode_delta(2, 1000, ev, n, x[0], 0.2, y, &err) == SNN_OK);
		for (int t = 0; t < 1000; t++)
			if (fabs(y[t] - x[t]) > worst)
				worst = fabs(y[t] - x[t]);
		CHECKF(worst < 0.2, "worst tracking error %g", worst);
		CHECK(n > 100);
	}
	/* a constant series is silent */
	{
		double		x[3] = {2, 2, 2};

		CHECK(snn_encode_delta(x, 3, 0.5, ev, 3, &n, &err) == SNN_OK && n == 0);
		CHECK(snn_encode_delta(x, 1, 0.5, ev, 1, &n, &err) == SNN_OK && n == 0);
	}
	/* errors */
	{
		double		x[2] = {0, INFINITY};

		CHECK(snn_encode_delta(x, 0, 0.5, ev, 2, &n, &err) == SNN_E_EMPTY);
		CHECK(snn_encode_delta(x, 2, 0.5, ev, 2, &n, &err) == SNN_E_NAN);
		CHECK(snn_encode_delta(x, 1, 0, ev, 2, &n, &err) == SNN_E_RANGE);
		CHECK(snn_encode_delta(x, 1, -1, ev, 2, &n, &err) == SNN_E_RANGE);
		CHECK(snn_encode_delta(x, 1, NAN, ev, 2, &n, &err) == SNN_E_NAN);
		CHECK(snn_encode_delta(x, 2, 0.5, ev, 1, &n, &err) == SNN_E_NAN);
		CHECK(snn_decode_delta(3, 4, ev, 0, 0, 1, dec, &err) == SNN_E_DIM);
		CHECK(snn_decode_delta(2, 4, ev, 0, NAN, 1, dec, &err) == SNN_E_NAN);
		CHECK(snn_decode_delta(2, 4, ev, 0, 0, 0, dec, &err) == SNN_E_RANGE);
	}
}

/* Direct Gaussian of the distance d, as the fields were first written. */
static float
gauss_direct(double d)
{
	return (float) exp(-0.5 * d * d);
}

/*
 * The engine's analog receptive fields (walked outwards from the peak with three
 * exps) match one exp a field to within a float's rounding, for population
 * and ring codes, narrow to wide fields, z inside and far outside the range.
 */
static void
test_fields(void)
{
	static const int nfs[] = {1, 2, 3, 12, 16, 64};
	static const double widths[] = {0.05, 0.125, 0.3, 1.0, 2.5, 100.0};
	double		worst = 0.0;
	int			bad = 0;

	for (int a = 0; a < 6; a++)
		for (int b = 0; b < 6; b++)
			for (int ring = 0; ring < 2; ring++)
			{
				int			nf = nfs[a];
				double		width = widths[b],
							range = 4.0;

				if (!ring && nf < 2)
					continue;
				for (int s = 0; s <= 4000; s++)
				{
					double		z = ring ? s / 4001.0 : -9.0 + s * 18.0 / 4000;
					double		spacing = 2.0 * range / (nf - 1),
								sig = width * spacing,
								zc = z;
					float		out[64];

					if (ring)
						snn_encode_ring_fields(z, nf, width, out);
					else
						snn_encode_fields(z, -range, range, nf, width, out);
					if (!ring)
						zc = z > range + 2 * sig ? range + 2 * sig :
							z < -range - 2 * sig ? -range - 2 * sig : z;
					for (int i = 0; i < nf; i++)
					{
						double		d,
									want,
									err;

						if (ring)
						{
							d = z * nf - i;
							d -= nf * floor(d / nf + 0.5);
							d /= width;
						}
						else
							d = (zc - (-range + i * spacing)) / sig;
						want = gauss_direct(d);
						err = fabs(out[i] - want);
						/* two float steps of the value, or below FLT_MIN */
						if (err > 2.5e-7 * want && err > 1.2e-38)
							bad++;
						if (want > 1e-30 && err / want > worst)
							worst = err / want;
					}
				}
			}
	CHECKF(bad == 0, "%d fields off by more than two float steps (worst %g)", bad, worst);
}

/*
 * Fields over an asymmetric range agree with the direct formula, clamp
 * beyond two widths, and the argument check refuses what the kernels
 * cannot take.
 */
static void
test_fields_range(void)
{
	snn_error	err;
	float		out[8],
				far[8];
	int			bad = 0;

	for (int s = 0; s <= 1000; s++)
	{
		double		v = -3.0 + s * 19.0 / 1000; /* over [2, 10] and beyond */
		double		spacing = 8.0 / 7,
					sig = 0.7 * spacing,
					vc = v > 10 + 2 * sig ? 10 + 2 * sig : v < 2 - 2 * sig ? 2 - 2 * sig : v;

		snn_encode_fields(v, 2.0, 10.0, 8, 0.7, out);
		for (int i = 0; i < 8; i++)
		{
			double		want = gauss_direct((vc - (2.0 + i * spacing)) / sig);

			if (fabs(out[i] - want) > 2.5e-7 * want && fabs(out[i] - want) > 1.2e-38)
				bad++;
		}
	}
	CHECKF(bad == 0, "%d asymmetric fields off", bad);
	/* a value far outside gives the fields of the clamp */
	snn_encode_fields(1e6, 2.0, 10.0, 8, 0.7, out);
	snn_encode_fields(10.0 + 2 * 0.7 * 8.0 / 7, 2.0, 10.0, 8, 0.7, far);
	CHECK(memcmp(out, far, sizeof(out)) == 0);
	CHECK(snn_encode_fields_check(2.0, 10.0, 8, 0.7, 0, &err) == SNN_OK);
	CHECK(snn_encode_fields_check(0.0, 0.0, 8, 0.7, 1, &err) == SNN_OK);
	CHECK(snn_encode_fields_check(0.0, 0.0, 1, 0.7, 1, &err) == SNN_OK);
	CHECK(snn_encode_fields_check(10.0, 2.0, 8, 0.7, 0, &err) == SNN_E_CONFIG);
	CHECK(snn_encode_fields_check(NAN, 2.0, 8, 0.7, 0, &err) == SNN_E_NAN);
	CHECK(snn_encode_fields_check(2.0, 10.0, 1, 0.7, 0, &err) == SNN_E_RANGE);
	CHECK(snn_encode_fields_check(2.0, 10.0, 1025, 0.7, 0, &err) == SNN_E_RANGE);
	CHECK(snn_encode_fields_check(2.0, 10.0, 8, 0.0, 0, &err) == SNN_E_RANGE);
	CHECK(snn_encode_fields_check(2.0, 10.0, 8, INFINITY, 1, &err) == SNN_E_RANGE);
}

int
main(void)
{
	test_ttfs();
	test_rate();
	test_poisson();
	test_population();
	test_delta();
	CHECK(snn_splitmix64_mix(0) == 0);
	CHECK(snn_splitmix64_mix(UINT64_C(0x9E3779B97F4A7C15)) == UINT64_C(0xE220A8397B1DCDAF));
	test_fields();
	test_fields_range();
	UNIT_DONE();
}
