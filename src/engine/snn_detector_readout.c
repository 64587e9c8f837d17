/*
 * snn_detector_readout.c: the NLMS readout that predicts the next event's
 * code, its prediction error, and the CPU-specific kernels.
 *
 * Part of the streaming anomaly detector (snn_detector.h for the algorithm,
 * snn_detector_int.h for the state layout the parts share).
 */
#include "snn_detector_int.h"

/* Readout features: traces, the input code itself, and a bias. */
void
det_readout_features(const det_layout *L, const void *state, const float *u, float *x)
{
	const float *tr = CSEC(state, *L, off_tr, float);

	for (int i = 0; i < L->n; i++)
		x[i] = tr[i] * 0.25f;	/* traces reach ~4: keep features near 1 */
	for (int i = 0; i < L->nin; i++)
		x[L->n + i] = u[i];
	x[L->n + L->nin] = 1.0f;
}

/*
 * The readout's NLMS update and its next prediction in one pass over W,
 * which is stored column by column (W[j * nval + i]): column j first moves
 * by e x_old[j] (when learning), then adds w x_new[j] to the prediction.
 * Every weight and every output sees the operations of an update pass
 * followed by a prediction pass, in the same order; blocks of 32 outputs
 * keep their sums in registers, and the outputs are the lanes of a vector.
 */
static inline __attribute__((always_inline))
void
readout_block(float *restrict W, const float *restrict e,
			  const float *restrict xo, const float *restrict xn, int nval,
			  int nx, int i0, int nb, int learn, float *restrict yhat)
{
	float		acc[32] = {0};

	for (int j = 0; j < nx; j++)
	{
		float	   *wj = W + (size_t) j * nval + i0;

		for (int r = 0; r < nb; r++)
		{
			float		w = wj[r];

			if (learn)
			{
				w += e[i0 + r] * xo[j];
				wj[r] = w;
			}
			acc[r] += w * xn[j];
		}
	}
	for (int r = 0; r < nb; r++)
		yhat[i0 + r] = acc[r];
}

#if defined(__GNUC__)
/*
 * readout_block() for 32 outputs with the sums in four vector registers
 * (the compiler keeps a float[32] in memory): lane-wise multiplies and adds,
 * the same operations in the same order.  Returns 1e-9 + |xn|^2 (summed in
 * feature order), the next update's normaliser.
 */
static inline __attribute__((always_inline))
double
readout_block32(float *restrict W, const float *restrict e,
				const float *restrict xo, const float *restrict xn, int nval,
				int nx, int i0, int learn, float *restrict yhat)
{
	double		sq = 1e-9;
	v8f			a0 = {0},
				a1 = {0},
				a2 = {0},
				a3 = {0},
				e0 = {0},
				e1 = {0},
				e2 = {0},
				e3 = {0};

	if (learn)
	{
		LD8(e0, e + i0);
		LD8(e1, e + i0 + 8);
		LD8(e2, e + i0 + 16);
		LD8(e3, e + i0 + 24);
	}
	for (int j = 0; j < nx; j++)
	{
		float	   *wj = W + (size_t) j * nval + i0;
		v8f			w0,
					w1,
					w2,
					w3;

		LD8(w0, wj);
		LD8(w1, wj + 8);
		LD8(w2, wj + 16);
		LD8(w3, wj + 24);
		if (learn)
		{
			w0 += e0 * xo[j];
			w1 += e1 * xo[j];
			w2 += e2 * xo[j];
			w3 += e3 * xo[j];
			ST8(wj, w0);
			ST8(wj + 8, w1);
			ST8(wj + 16, w2);
			ST8(wj + 24, w3);
		}
		a0 += w0 * xn[j];
		a1 += w1 * xn[j];
		a2 += w2 * xn[j];
		a3 += w3 * xn[j];
		/* a dependent chain, hidden behind the independent vector work */
		sq += (double) xn[j] * xn[j];
	}
	ST8(yhat + i0, a0);
	ST8(yhat + i0 + 8, a1);
	ST8(yhat + i0 + 16, a2);
	ST8(yhat + i0 + 24, a3);
	return sq;
}
#else
/* no vector types: the plain block, and the normaliser is not summed (-1) */
#define readout_block32(W, e, xo, xn, nval, nx, i0, learn, yhat) \
	(readout_block(W, e, xo, xn, nval, nx, i0, 32, learn, yhat), -1.0)
#endif

/*
 * All outputs: full blocks of 32, then the rest.  Returns 1e-9 + |xn|^2,
 * the next update's normaliser, summed in feature order.
 */
static inline __attribute__((always_inline))
double
readout_body(float *W, const float *e, const float *xo, const float *xn,
			 int nval, int nx, int learn, float *yhat)
{
	double		xx = -1.0;		/* not summed yet */
	int			i0 = 0;

	for (; i0 + 32 <= nval; i0 += 32)
		xx = learn ? readout_block32(W, e, xo, xn, nval, nx, i0, 1, yhat) :
			readout_block32(W, e, xo, xn, nval, nx, i0, 0, yhat);
	if (i0 < nval)
		readout_block(W, e, xo, xn, nval, nx, i0, nval - i0, learn, yhat);
	if (xx < 0)
	{
		xx = 1e-9;
		for (int j = 0; j < nx; j++)
			xx += (double) xn[j] * xn[j];
	}
	return xx;
}

/* How many of the n values are at least lo: the conformal p-value's rank. */
static inline __attribute__((always_inline))
int
count_body(const float *v, int n, float lo)
{
	int			ge = 0;

	for (int j = 0; j < n; j++)
		ge += v[j] >= lo;
	return ge;
}

static int
count_default(const float *v, int n, float lo)
{
	return count_body(v, n, lo);
}

static double
readout_default(float *W, const float *e, const float *xo, const float *xn,
				int nval, int nx, int learn, float *yhat)
{
	return readout_body(W, e, xo, xn, nval, nx, learn, yhat);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define DET_HAVE_AVX2 1

/*
 * The same loops compiled for AVX2, eight lanes: separate multiplies and
 * adds (AVX2 does not imply FMA), so the results are bit for bit those of
 * the default path.
 */
__attribute__((target("avx2"))) static double
readout_avx2(float *W, const float *e, const float *xo, const float *xn,
			 int nval, int nx, int learn, float *yhat)
{
	return readout_body(W, e, xo, xn, nval, nx, learn, yhat);
}

__attribute__((target("avx2"))) static int
count_avx2(const float *v, int n, float lo)
{
	return count_body(v, n, lo);
}
#endif

readout_fn	det_readout_pass = NULL;
count_fn	det_count_at_least = NULL;
static int	readout_generic_only = 0;

/* Pick the kernels for this CPU; idempotent, so races are benign. */
void
det_choose_readout(void)
{
#ifdef DET_HAVE_AVX2
	__builtin_cpu_init();
	if (!readout_generic_only && __builtin_cpu_supports("avx2"))
	{
		det_count_at_least = count_avx2;
		det_readout_pass = readout_avx2;
		return;
	}
#endif
	det_count_at_least = count_default;
	det_readout_pass = readout_default;
}

void
snn_detector_use_generic_kernels(int on)
{
	readout_generic_only = on;
	det_choose_readout();
}

/* One line's prediction error and its share of the normaliser. */
static inline void
code_error(double coverage, float uf, float y, double *d, double *dn)
{
	double		p = y < 0.0f ? 0.0 : y > 1.0f ? 1.0 : (double) y;

	if (coverage > 0)
	{
		/* HTM-like: the share of the code that was not predicted */
		*d = uf * (p >= coverage ? 0.0 : 1.0 - p / coverage);
		*dn = uf;
	}
	else
	{
		double		e = uf - p;

		*d = e * e;
		*dn = (double) uf * uf + p * p;
	}
}

/*
 * Prediction errors of n lines of the code, d[i], and their share of the
 * normaliser, dn[i], before they are summed in line order.  The near fields
 * pass the coverage at random, so the branches of code_error() mispredict;
 * four lines at a time with masks give the same values without a branch.
 */
void
det_code_errors(double coverage, const float *u, const float *yhat, int n,
				double *d, double *dn)
{
	int			i = 0;

#if defined(__GNUC__)
	if (coverage > 0)
		for (; i + 4 <= n; i += 4)
		{
			v4f			yf,
						uf;
			v4d			y,
						uv,
						p,
						miss,
						one = {1.0, 1.0, 1.0, 1.0};
			v4q			m;

			memcpy(&yf, yhat + i, sizeof(yf));
			memcpy(&uf, u + i, sizeof(uf));
			y = __builtin_convertvector(yf, v4d);
			uv = __builtin_convertvector(uf, v4d);
			/* clamp to [0, 1]; a NaN stays NaN as in code_error() */
			p = (v4d) ((v4q) y & ~(y < 0.0));
			m = p > 1.0;
			p = (v4d) (((v4q) p & ~m) | ((v4q) one & m));
			/* lines at or past the coverage count as predicted: +0 */
			miss = 1.0 - p / coverage;
			miss = (v4d) ((v4q) miss & ~(p >= coverage));
			miss = uv * miss;
			memcpy(d + i, &miss, sizeof(miss));
			memcpy(dn + i, &uv, sizeof(uv));
		}
#endif
	for (; i < n; i++)
		code_error(coverage, u[i], yhat[i], &d[i], &dn[i]);
}
