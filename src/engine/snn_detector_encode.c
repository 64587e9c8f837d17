/*
 * snn_detector_encode.c: online normalisation and the Gaussian receptive-
 * field code of an event (values, changes, time of day); the fields are the
 * engine's (snn_encode_fields.c).
 *
 * Part of the streaming anomaly detector (snn_detector.h for the algorithm,
 * snn_detector_int.h for the state layout the parts share).
 */
#include "snn_detector_int.h"
#include "snn_encode.h"

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
		double	   *s = norm + 7 * f;	/* mean, var, prev, dvar, seen, min,
										 * max */
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
		snn_encode_fields(z, -cfg->enc_range, cfg->enc_range, nfld, cfg->enc_width, pu);
		pu += nfld;
		if (cfg->enc_delta)
		{
			snn_encode_fields(dz, -cfg->enc_range, cfg->enc_range, nfld, cfg->enc_width, pu);
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
		snn_encode_ring_fields((double) r / day_us, cfg->enc_time_of_day, 1.0, pu);
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
