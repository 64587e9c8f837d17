/*
 * test_learn_stdp.c: pair-based STDP potentiates pre-before-post pairs and
 * depresses post-before-pre pairs by the trace amounts, weights stay within
 * their bounds, and the winner-take-all layer learns distinct prototypes for
 * distinct input patterns; Oja's rule finds the unit-norm principal
 * component and Sanger's rule orthogonal components.
 */
#include <math.h>
#include <string.h>

#include "snn_learn.h"
#include "unit.h"

static void
test_pairs(void)
{
	snn_stdp_options o;
	float		w[1],
				xp[1],
				yp[1];
	uint8_t		pre[10],
				post[10];
	float		expect;

	snn_stdp_defaults(&o);

	/* pre at step 0, post at step 5: potentiation A+ exp(-5/tau_pre) */
	memset(pre, 0, sizeof(pre));
	memset(post, 0, sizeof(post));
	pre[0] = 1;
	post[5] = 1;
	w[0] = 0.5f;
	xp[0] = yp[0] = 0.0f;
	snn_stdp_apply(w, 1, 1, pre, post, 10, &o, xp, yp);
	expect = 0.5f + o.a_plus * expf(-5.0f / o.tau_pre);
	CHECKF(w[0] > 0.5f && fabsf(w[0] - expect) < 1e-6f, "pre-post w=%g expect %g", w[0], expect);

	/* post at step 0, pre at step 5: depression A- exp(-5/tau_post) */
	memset(pre, 0, sizeof(pre));
	memset(post, 0, sizeof(post));
	post[0] = 1;
	pre[5] = 1;
	w[0] = 0.5f;
	xp[0] = yp[0] = 0.0f;
	snn_stdp_apply(w, 1, 1, pre, post, 10, &o, xp, yp);
	expect = 0.5f - o.a_minus * expf(-5.0f / o.tau_post);
	CHECKF(w[0] < 0.5f && fabsf(w[0] - expect) < 1e-6f, "post-pre w=%g expect %g", w[0], expect);

	/* closer pairs change more */
	{
		float		near,
					far;

		memset(pre, 0, sizeof(pre));
		memset(post, 0, sizeof(post));
		pre[0] = 1;
		post[1] = 1;
		w[0] = 0.5f;
		xp[0] = yp[0] = 0;
		snn_stdp_apply(w, 1, 1, pre, post, 10, &o, xp, yp);
		near = w[0] - 0.5f;
		memset(post, 0, sizeof(post));
		post[9] = 1;
		w[0] = 0.5f;
		xp[0] = yp[0] = 0;
		snn_stdp_apply(w, 1, 1, pre, post, 10, &o, xp, yp);
		far = w[0] - 0.5f;
		CHECK(near > far && far > 0);
	}

	/* hard bounds */
	memset(pre, 0, sizeof(pre));
	memset(post, 0, sizeof(post));
	for (int t = 0; t < 10; t++)
		pre[t] = post[t] = 1;
	o.a_plus = 1.0f;
	o.a_minus = 0.0f;
	w[0] = 0.9f;
	xp[0] = yp[0] = 0;
	snn_stdp_apply(w, 1, 1, pre, post, 10, &o, xp, yp);
	CHECK(w[0] == o.w_max);
	o.a_plus = 0.0f;
	o.a_minus = 1.0f;
	snn_stdp_apply(w, 1, 1, pre, post, 10, &o, xp, yp);
	CHECK(w[0] == o.w_min);
}

/* Two disjoint input patterns: different output neurons win them. */
static void
test_wta(void)
{
	enum
	{
		NI = 20, NO = 4, NS = 200
	};
	static float x[NS * NI],
				w[NI * NO],
				theta[NO],
				scratch[NI + NO];
	static char work[4096];
	snn_stdp_options o;
	snn_train_result r;
	snn_error	err;
	uint64_t	s = 11;
	int32_t		win_a,
				win_b;
	uint32_t	counts[NO];

	for (int i = 0; i < NS; i++)
		for (int j = 0; j < NI; j++)
			x[i * NI + j] = ((i & 1) ? (j >= NI / 2) : (j < NI / 2)) ? 1.0f : 0.0f;
	for (int i = 0; i < NI * NO; i++)
		w[i] = (float) (0.1 + 0.2 * snn_rand_unit(&s));
	snn_stdp_defaults(&o);
	o.epochs = 3;
	CHECK(snn_stdp_workspace_size(NI, NO) <= sizeof(work));
	CHECK(snn_stdp_train(w, theta, NI, NO, x, NS, &o, work, sizeof(work), &r, &err) == SNN_OK);
	CHECK(r.epochs == 3 && r.samples == NS);
	CHECK(r.accuracy > 0.9);	/* some output answered almost every sample */
	for (int i = 0; i < NI * NO; i++)
		CHECK(w[i] >= o.w_min && w[i] <= o.w_max);
	win_a = snn_wta_first(w, theta, NI, NO, x, &o, 5, NULL, scratch, NULL, NULL, NULL);
	win_b = snn_wta_first(w, theta, NI, NO, x + NI, &o, 5, NULL, scratch, NULL, NULL, NULL);
	CHECK(win_a >= 0 && win_b >= 0 && win_a != win_b);
	/* the winner of pattern A weighs A's inputs more than B's */
	{
		double		on = 0,
					off = 0;

		for (int j = 0; j < NI; j++)
			*(j < NI / 2 ? &on : &off) += w[j * NO + win_a];
		CHECKF(on > off, "winner A on %g off %g", on, off);
	}
	/* inference is reproducible */
	CHECK(snn_wta_first(w, theta, NI, NO, x, &o, 5, NULL, scratch, NULL, NULL, NULL) == win_a);
	{
		uint64_t	syn = 0;

		CHECK(snn_wta_first(w, theta, NI, NO, x, &o, 5, counts, scratch, &syn, NULL, NULL) == win_a);
		CHECK(counts[win_a] > 0 && syn > 0);
	}
	/* errors */
	o.tau_pre = 0;
	CHECK(snn_stdp_train(w, theta, NI, NO, x, NS, &o, work, sizeof(work), &r, &err) == SNN_E_RANGE);
	CHECK(strcmp(err.field, "tau_pre") == 0);
	snn_stdp_defaults(&o);
	o.w_min = 2;
	CHECK(snn_stdp_train(w, theta, NI, NO, x, NS, &o, work, sizeof(work), &r, &err) == SNN_E_RANGE);
	snn_stdp_defaults(&o);
	x[3] = 2.0f;
	CHECK(snn_stdp_train(w, theta, NI, NO, x, NS, &o, work, sizeof(work), &r, &err) == SNN_E_RANGE);
	x[3] = NAN;
	CHECK(snn_stdp_train(w, theta, NI, NO, x, NS, &o, work, sizeof(work), &r, &err) == SNN_E_NAN);
	CHECK(snn_stdp_train(w, theta, NI, NO, x, 0, &o, work, sizeof(work), &r, &err) == SNN_E_EMPTY);
}

/* Data stretched along u: Oja's weight vector becomes +-u, unit norm. */
static void
test_oja(void)
{
	enum
	{
		NI = 5, NS = 2000
	};
	static float x[NS * NI],
				w[NI * 2],
				mean[NI];
	static char work[4096];
	float		u[NI] = {0.6f, 0.0f, 0.8f, 0.0f, 0.0f};
	float		v[NI] = {0.0f, 1.0f, 0.0f, 0.0f, 0.0f};
	uint64_t	s = 5;
	snn_hebb_options o;
	snn_train_result r;
	snn_error	err;
	double		norm = 0,
				dot = 0;

	for (int i = 0; i < NS; i++)
	{
		double		a = 3.0 * (snn_rand_unit(&s) - 0.5) * 2,
					b = 1.0 * (snn_rand_unit(&s) - 0.5) * 2;

		for (int j = 0; j < NI; j++)
			x[i * NI + j] = (float) (1.0 + a * u[j] + b * v[j] +
									 0.05 * (snn_rand_unit(&s) - 0.5));
	}
	snn_hebb_defaults(&o);
	o.learning_rate = 0.002f;
	for (int j = 0; j < NI; j++)
		w[j] = 0.1f * (float) (j + 1);
	CHECK(snn_hebb_train(w, mean, NI, 1, x, NS, &o, work, sizeof(work), &r, &err) == SNN_OK);
	for (int j = 0; j < NI; j++)
	{
		norm += w[j] * w[j];
		dot += w[j] * u[j];
	}
	CHECKF(fabs(sqrt(norm) - 1.0) < 0.05, "norm %g", sqrt(norm));
	CHECKF(fabs(dot) > 0.98, "alignment %g", dot);
	CHECK(fabs(mean[0] - 1.0) < 0.1);

	/* Sanger: two outputs, the second along v, orthogonal to the first */
	for (int j = 0; j < NI * 2; j++)
		w[j] = 0.1f * (float) ((j * 7) % 5 + 1) * ((j & 1) ? -1 : 1);
	CHECK(snn_hebb_train(w, mean, NI, 2, x, NS, &o, work, sizeof(work), &r, &err) == SNN_OK);
	{
		double		d0 = 0,
					d1 = 0,
					cross = 0;

		for (int j = 0; j < NI; j++)
		{
			d0 += w[j * 2] * u[j];
			d1 += w[j * 2 + 1] * v[j];
			cross += w[j * 2] * w[j * 2 + 1];
		}
		CHECKF(fabs(d0) > 0.95 && fabs(d1) > 0.95 && fabs(cross) < 0.05,
			   "sanger d0 %g d1 %g cross %g", d0, d1, cross);
		CHECK(r.loss < 0.05);
	}
	o.learning_rate = 0;
	CHECK(snn_hebb_train(w, mean, NI, 2, x, NS, &o, work, sizeof(work), &r, &err) == SNN_E_RANGE);
	snn_hebb_defaults(&o);
	CHECK(snn_hebb_train(w, mean, NI, 0, x, NS, &o, work, sizeof(work), &r, &err) == SNN_E_EMPTY);
}

int
main(void)
{
	test_pairs();
	test_wta();
	test_oja();
	UNIT_DONE();
}
