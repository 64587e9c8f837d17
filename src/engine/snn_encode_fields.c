/*
 * snn_encode_fields.c: the analog activations of Gaussian receptive fields
 * (the population code before any spike timing), on a line and on a ring.
 *
 * These feed a network as input currents (the anomaly detector drives its
 * reservoir with them); snn_encode_population turns the same kind of fields
 * into first-spike times.  Called once a value on the hot path, so the
 * arguments are checked once by snn_encode_fields_check, not a call.
 */
#include "snn_encode.h"

#include <math.h>

/*
 * Gaussian fields walked outwards from a peak: out[at(t)] = exp(-(dp - t g)^2
 * / 2) for t = 1 .. n_up and exp(-(dp + t g)^2 / 2) at the mirror slots
 * t = 1 .. n_down, where at() steps by +1 or -1 with wrap-around modulo nf.
 * Two Gaussians a step apart differ by the factor exp(-g d - g^2 / 2), and
 * that factor itself shrinks by exp(-g^2) a step, so three exps do the work
 * of one a field.  The products carry a relative error of a few 1e-16 a
 * step, far below the float the fields are stored in.
 */
static void
gauss_walk(double dp, double g, int p, int n_up, int n_down, int nf, float *out)
{
	double		c = exp(-g * g),
				v = exp(-0.5 * dp * dp),
				r_up = exp(g * dp - 0.5 * g * g),
				r_down = c / r_up,
				vu = v,
				vd = v;

	out[p] = (float) v;
	for (int t = 1, i = p; t <= n_up; t++)
	{
		i = i + 1 == nf ? 0 : i + 1;
		vu *= r_up;
		r_up *= c;
		out[i] = (float) vu;
	}
	for (int t = 1, i = p; t <= n_down; t++)
	{
		i = i == 0 ? nf - 1 : i - 1;
		vd *= r_down;
		r_down *= c;
		out[i] = (float) vd;
	}
}

snn_status
snn_encode_fields_check(double lo, double hi, uint32_t n, double width,
						int ring, snn_error *err)
{
	uint32_t	min_n = ring ? 1 : 2;

	if (!ring && (!isfinite(lo) || !isfinite(hi)))
		return snn_fail(err, SNN_E_NAN, "lo", "lo and hi must be finite numbers");
	if (!ring && (!(lo < hi) || !isfinite(hi - lo)))
		return snn_fail(err, SNN_E_CONFIG, "hi", "lo must be below hi");
	if (n < min_n || n > SNN_POPULATION_MAX_PER_VALUE)
		return snn_fail(err, SNN_E_RANGE, "n", "%u fields are outside %u..%d",
						n, min_n, SNN_POPULATION_MAX_PER_VALUE);
	if (!isfinite(width) || !(width > 0.0))
		return snn_fail(err, SNN_E_RANGE, "width",
						"width must be a finite number greater than 0");
	return SNN_OK;
}

void
snn_encode_fields(double v, double lo, double hi, uint32_t n, double width,
				  float *out)
{
	int			nf = (int) n;
	double		spacing = (hi - lo) / (nf - 1);
	double		sig = width * spacing,
				d0;
	int			p;

	/* beyond two widths outside the range every field is as far as there */
	if (v > hi + 2 * sig)
		v = hi + 2 * sig;
	if (v < lo - 2 * sig)
		v = lo - 2 * sig;
	d0 = (v - lo) / sig;		/* distance to field 0, in widths */
	if (width < 0.125)
	{
		/* narrow fields: the walk's factors would underflow; direct */
		for (int i = 0; i < nf; i++)
		{
			double		d = (v - (lo + i * spacing)) / sig;

			out[i] = (float) exp(-0.5 * d * d);
		}
		return;
	}
	p = (int) lround((v - lo) / spacing);
	p = p < 0 ? 0 : p > nf - 1 ? nf - 1 : p;
	gauss_walk(d0 - p / width, 1.0 / width, p, nf - 1 - p, p, nf, out);
}

void
snn_encode_ring_fields(double phase, uint32_t n, double width, float *out)
{
	int			nf = (int) n;
	double		q = phase * nf,
				dp;
	int			p,
				n_up;

	if (width < 0.125)
	{
		for (int i = 0; i < nf; i++)
		{
			double		d = q - i;

			d -= nf * floor(d / nf + 0.5);	/* wrap to [-nf/2, nf/2) */
			d /= width;
			out[i] = (float) exp(-0.5 * d * d);
		}
		return;
	}
	p = (int) floor(q + 0.5);
	dp = q - p;					/* in [-1/2, 1/2) */
	p = ((p % nf) + nf) % nf;
	/* every field once, at its nearest distance around the ring */
	n_up = (int) floor(dp + nf / 2.0);
	gauss_walk(dp / width, 1.0 / width, p, n_up, nf - 1 - n_up, nf, out);
}
