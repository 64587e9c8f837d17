/*
 * test_learn_ridge.c: ridge regression recovers a known linear map with its
 * bias, classifies separable one-hot targets, shrinks with alpha, and
 * reports singular systems instead of dividing by zero.
 */
#include <math.h>
#include <string.h>

#include "snn_learn.h"
#include "unit.h"

#define N 400
#define D 6
#define K 3

int
main(void)
{
	static float s[N * D],
				y[N * K],
				w[(D + 1) * K],
				w2[(D + 1) * K],
				a[D * K];
	static char work[1 << 16];
	float		bias[K] = {0.5f, -1.0f, 2.0f};
	uint64_t	r = 3;
	snn_error	err;
	double		maxerr = 0;

	for (int i = 0; i < D * K; i++)
		a[i] = (float) (2.0 * snn_rand_unit(&r) - 1.0);
	for (int i = 0; i < N; i++)
	{
		for (int p = 0; p < D; p++)
			s[i * D + p] = (float) (snn_rand_unit(&r) * 4.0 - 2.0);
		for (int c = 0; c < K; c++)
		{
			double		v = bias[c];

			for (int p = 0; p < D; p++)
				v += s[i * D + p] * a[p * K + c];
			y[i * K + c] = (float) v;
		}
	}
	CHECK(snn_ridge_workspace_size(D, K) <= sizeof(work));
	CHECK(snn_ridge_fit(s, N, D, y, K, 1e-6, w, work, sizeof(work), &err) == SNN_OK);
	for (int p = 0; p < D; p++)
		for (int c = 0; c < K; c++)
			maxerr = fmax(maxerr, fabs(w[p * K + c] - a[p * K + c]));
	for (int c = 0; c < K; c++)
		maxerr = fmax(maxerr, fabs(w[D * K + c] - bias[c]));
	CHECKF(maxerr < 1e-3, "max error %g", maxerr);
	{
		float		out[K];

		snn_ridge_predict(w, D, K, s + 5 * D, out);
		for (int c = 0; c < K; c++)
			CHECK(fabs(out[c] - y[5 * K + c]) < 1e-3);
	}

	/* a large alpha shrinks the weights (but not the bias) */
	CHECK(snn_ridge_fit(s, N, D, y, K, 1e6, w2, work, sizeof(work), &err) == SNN_OK);
	{
		double		n1 = 0,
					n2 = 0;

		for (int i = 0; i < D * K; i++)
		{
			n1 += w[i] * w[i];
			n2 += w2[i] * w2[i];
		}
		CHECK(n2 < 0.01 * n1);
	}

	/* classification through one-hot targets */
	{
		static int32_t lab[N];
		int			ok = 0;

		for (int i = 0; i < N; i++)
			lab[i] = s[i * D] < -0.7f ? 0 : (s[i * D] < 0.7f ? 1 : 2);
		snn_one_hot(lab, N, K, y);
		CHECK(y[0 * K + lab[0]] == 1.0f);
		for (int i = 0; i < N; i++)
		{
			float		t = 0;

			for (int c = 0; c < K; c++)
				t += y[i * K + c];
			CHECK(t == 1.0f);
		}
		/* squares of the first feature make the classes linearly separable */
		for (int i = 0; i < N; i++)
			s[i * D + 1] = s[i * D] * s[i * D];
		CHECK(snn_ridge_fit(s, N, D, y, K, 1e-3, w, work, sizeof(work), &err) == SNN_OK);
		for (int i = 0; i < N; i++)
		{
			float		out[K];

			snn_ridge_predict(w, D, K, s + i * D, out);
			ok += (int32_t) snn_argmax(out, K) == lab[i];
		}
		CHECKF(ok >= 0.9 * N, "ridge classification %d of %d", ok, N);
	}

	/* singular: a constant state with alpha 0; the bias is collinear */
	for (int i = 0; i < N; i++)
		s[i * D + 2] = 1.0f;
	memcpy(w2, w, sizeof(w));
	CHECK(snn_ridge_fit(s, N, D, y, K, 0.0, w, work, sizeof(work), &err) == SNN_E_RANGE);
	CHECK(strcmp(err.field, "alpha") == 0);
	CHECK(memcmp(w2, w, sizeof(w)) == 0);
	CHECK(snn_ridge_fit(s, N, D, y, K, 1e-3, w, work, sizeof(work), &err) == SNN_OK);
	CHECK(snn_ridge_fit(s, N, D, y, K, -1.0, w, work, sizeof(work), &err) == SNN_E_RANGE);
	CHECK(snn_ridge_fit(s, 0, D, y, K, 1.0, w, work, sizeof(work), &err) == SNN_E_EMPTY);
	s[3] = NAN;
	CHECK(snn_ridge_fit(s, N, D, y, K, 1.0, w, work, sizeof(work), &err) == SNN_E_NAN);
	s[3] = 0.0f;
	CHECK(snn_ridge_fit(s, N, D, y, K, 1.0, w, work, 10, &err) == SNN_E_NOMEM);
	UNIT_DONE();
}
