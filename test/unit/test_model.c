/*
 * test_model.c: the model layer of training: STDP and Hebbian start
 * weights are within their bounds and the same for the same seed, and the
 * Hebbian projection picks the output whose weights best match the
 * centred sample; ridge and Hebbian outputs map to first-spike times.
 */
#include <math.h>
#include <string.h>

#include "snn_model.h"
#include "unit.h"

/* STDP start weights: in [w_min + 10%, w_min + 50%] of the span, seeded. */
static void
test_stdp_init(void)
{
	snn_stdp_options o;
	float		a[200],
				b[200];
	int			differ = 0;

	snn_stdp_defaults(&o);
	o.w_min = -1.0f;
	o.w_max = 3.0f;
	o.seed = 7;
	snn_model_stdp_init(a, 200, &o);
	snn_model_stdp_init(b, 200, &o);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
	for (int i = 0; i < 200; i++)
		CHECKF(a[i] >= -1.0f + 0.4f - 1e-6f && a[i] <= -1.0f + 2.0f + 1e-6f,
			   "w[%d]=%g", i, a[i]);
	o.seed = 8;
	snn_model_stdp_init(b, 200, &o);
	for (int i = 0; i < 200; i++)
		differ += a[i] != b[i];
	CHECK(differ > 190);
}

/* Hebbian start weights: within +-1/sqrt(n_in), both signs, seeded. */
static void
test_hebb_init(void)
{
	float		a[16 * 4],
				b[16 * 4];
	int			neg = 0,
				pos = 0;

	snn_model_hebb_init(a, 16, 4, 3);
	snn_model_hebb_init(b, 16, 4, 3);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
	for (int i = 0; i < 64; i++)
	{
		CHECKF(fabsf(a[i]) <= 0.25f, "w[%d]=%g", i, a[i]);
		neg += a[i] < 0;
		pos += a[i] > 0;
	}
	CHECK(neg > 10 && pos > 10);
}

/* The winner is the output whose weight column matches the centred sample. */
static void
test_hebb_winner(void)
{
	/* 3 inputs, 3 outputs: output j looks at input j */
	float		w[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
	float		mean[3] = {1, 1, 1};
	float		x[3],
				y[3];

	x[0] = 1;
	x[1] = 3;
	x[2] = 2;
	CHECK(snn_model_hebb_winner(w, mean, 3, 3, x, y) == 1);
	CHECK(y[0] == 0.0f && y[1] == 2.0f && y[2] == 1.0f);
	/* centring matters: below the mean everywhere but input 0 */
	x[0] = 1;
	x[1] = 0;
	x[2] = 0;
	CHECK(snn_model_hebb_winner(w, mean, 3, 3, x, y) == 0);
	/* ties go to the first */
	x[0] = 2;
	x[1] = 2;
	x[2] = 2;
	CHECK(snn_model_hebb_winner(w, mean, 3, 3, x, y) == 0);
}

/* Read-out outputs as times: 1 and above at 0, 0 and below silent. */
static void
test_ttfs(void)
{
	float		out[5] = {1.5f, 1.0f, 0.5f, 0.0f, -2.0f};
	float		y[4] = {4.0f, 2.0f, 0.0f, -1.0f};
	float		none[2] = {0.0f, -1.0f};
	uint8_t		t[5];

	snn_model_ridge_ttfs(out, 5, t);
	CHECK(t[0] == 0 && t[1] == 0 && t[2] == 127 && t[3] == 255 && t[4] == 255);
	snn_model_hebb_ttfs(y, 4, 0, t);
	CHECK(t[0] == 0 && t[1] == 127 && t[2] == 255 && t[3] == 255);
	snn_model_hebb_ttfs(none, 2, 0, t);
	CHECK(t[0] == 255 && t[1] == 255);
}

int
main(void)
{
	test_ttfs();
	test_stdp_init();
	test_hebb_init();
	test_hebb_winner();
	UNIT_DONE();
}
