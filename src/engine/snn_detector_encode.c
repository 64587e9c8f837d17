/*
 * snn_detector_encode.c: online normalisation and the Gaussian receptive-
 * field code of an event (values, changes, time of day).
 *
 * Part of the streaming anomaly detector (snn_detector.h for the algorithm,
 * snn_detector_int.h for the state layout the parts share).
 */
#include "snn_detector_int.h"

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

/* Gaussian receptive fields over z in [-range, range] (population code). */
static void
encode_population(double z, int nf, double range, double width, float *out)
{
	double		spacing = 2.0 * range / (nf - 1);
	double		sig = width * spacing,
				d0;
	int			p;

	if (z > range + 2 * sig)
		z = range + 2 * sig;
	if (z < -range - 2 * sig)
		z = -range - 2 * sig;
	d0 = (z + range) / sig;		/* distance to field 0, in widths */
	if (width < 0.125)
	{
		/* narrow fields: the walk's factors would underflow; direct */
		for (int i = 0; i < nf; i++)
		{
			double		d = (z - (-range + i * spacing)) / sig;

			out[i] = (float) exp(-0.5 * d * d);
		}
		return;
	}
	p = (int) lround((z + range) / spacing);
	p = p < 0 ? 0 : p > nf - 1 ? nf - 1 : p;
	gauss_walk(d0 - p / width, 1.0 / width, p, nf - 1 - p, p, nf, out);
}

/* Gaussian fields on a ring: phase in [0, 1), field i centred at i / nf. */
static void
encode_ring(double phase, int nf, double width, float *out)
{
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

void
snn_detector_fields(double z, int nf, double range, double width, int ring,
					float *out)
{
	if (ring)
		encode_ring(z, nf, width, out);
	else
		encode_population(z, nf, range, width, out);
}

/* ---------------------------------------------------------------------
 * one event
 * --------------------------------------------------------------------- */

/*
 * Normalise and encode the features into u (input code); *outside is the
 * largest excursion beyond the range seen so far and *outside_f the feature
 * that made it, so an out-of-range anomaly names the value that left.
 */
void
det_encode_event(const snn_detector_config *cfg, const det_layout *L,
			 double *norm, const double *x, int64_t ts, int learn, float *u,
			 double *outside, int *outside_f)
{
	int			nfld = cfg->enc_fields;
	float	   *pu = u;

	for (int f = 0; f < L->nf; f++)
	{
		double	   *s = norm + 7 * f;	/* mean, var, prev, dvar, seen, min, max */
		double		seen = s[4];
		double		alpha = 1.0 / (seen + 1.0 < cfg->enc_norm_tau ? seen + 1.0 : cfg->enc_norm_tau);
		double		sd,
					z,
					dz;
		double		scale = fabs(s[0]) > 1.0 ? fabs(s[0]) : 1.0;
		double		floor_var = 1e-6 * scale * scale;

		/* statistics before this value: strictly causal */
		sd = sqrt((seen > 0 ? s[1] : 0.0) + floor_var);
		z = seen > 0 ? (x[f] - s[0]) / sd : 0.0;
		dz = seen > 0 ? (x[f] - s[2]) / sqrt(s[3] + floor_var) : 0.0;
		encode_population(z, nfld, cfg->enc_range, cfg->enc_width, pu);
		pu += nfld;
		if (cfg->enc_delta)
		{
			encode_population(dz, nfld, cfg->enc_range, cfg->enc_width, pu);
			pu += nfld;
		}
		/* how far outside the range seen so far, in units of that range */
		if (seen > 0 && s[6] > s[5])
		{
			double		o = x[f] > s[6] ? (x[f] - s[6]) / (s[6] - s[5]) :
				x[f] < s[5] ? (s[5] - x[f]) / (s[6] - s[5]) : 0.0;

			if (o > *outside)
			{
				*outside = o;
				*outside_f = f;
			}
		}
		if (learn || seen == 0)
		{
			double		d = x[f] - s[0];
			double		dd = seen > 0 ? x[f] - s[2] : 0.0;

			if (seen == 0 || x[f] < s[5])
				s[5] = x[f];
			if (seen == 0 || x[f] > s[6])
				s[6] = x[f];
			s[0] += alpha * d;
			s[1] = (1.0 - alpha) * (s[1] + alpha * d * d);
			if (seen > 0)
				s[3] = (1.0 - alpha) * s[3] + alpha * dd * dd;
			s[4] = seen + 1.0;
		}
		s[2] = x[f];
	}
	if (cfg->enc_time_of_day > 0)
	{
		int64_t		day_us = 86400LL * 1000000LL;
		int64_t		r = ts % day_us;

		if (r < 0)
			r += day_us;
		encode_ring((double) r / day_us, cfg->enc_time_of_day, 1.0, pu);
		pu += cfg->enc_time_of_day;
	}
	if (cfg->enc_day_of_week)
	{
		int64_t		day_us = 86400LL * 1000000LL;
		int64_t		d = ts / day_us - (ts % day_us < 0);	/* floor, no overflow */
		int			dow = (int) (((d + 4) % 7 + 7) % 7);	/* 0 = Sunday */

		for (int i = 0; i < 7; i++)
			pu[i] = (i == dow) ? 1.0f : 0.0f;
		pu += 7;
	}
}
