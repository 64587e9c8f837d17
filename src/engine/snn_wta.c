/*
 * snn_wta.c: winner-take-all competition of LIF neurons (see snn_wta.h).
 */
#include "snn_wta.h"

#include <math.h>

void
snn_wta_default_params(snn_wta_params *p)
{
	p->tau = 10.0;
	p->threshold = 1.0;
	p->dt = 0.05;
	p->t_max = 100.0;
	p->inhibition = 10.0;
	p->gain = 4.0;
	p->margin = 0.05;
}

/* Every field finite and in range, so a run always terminates. */
snn_status
snn_wta_validate(const snn_wta_params *p, snn_error *err)
{
	if (!isfinite(p->tau) || p->tau <= 0)
		return snn_fail(err, SNN_E_CONFIG, "tau", "tau must be a positive finite time");
	if (!isfinite(p->threshold) || p->threshold <= 0)
		return snn_fail(err, SNN_E_CONFIG, "threshold", "threshold must be positive and finite");
	if (!isfinite(p->dt) || p->dt <= 0)
		return snn_fail(err, SNN_E_CONFIG, "dt", "dt must be a positive finite time");
	if (!isfinite(p->t_max) || p->t_max < p->dt || p->t_max / p->dt > 1e7)
		return snn_fail(err, SNN_E_CONFIG, "t_max",
						"t_max must be at least dt and at most 10^7 steps");
	if (!isfinite(p->inhibition) || p->inhibition < 0)
		return snn_fail(err, SNN_E_CONFIG, "inhibition", "inhibition must be finite and >= 0");
	if (!isfinite(p->gain) || p->gain <= 0)
		return snn_fail(err, SNN_E_CONFIG, "gain", "gain must be positive and finite");
	if (!isfinite(p->margin) || p->margin <= 0)
		return snn_fail(err, SNN_E_CONFIG, "margin", "margin must be positive and finite");
	return SNN_OK;
}

/*
 * The farthest distance within the vigilance: the scale of the similarities,
 * so that they spread over [0, 1] whatever the vigilance (0 when none is
 * within it, or only exact matches).
 */
static double
inside_scale(const double *dist, int n, double vigilance)
{
	double		far = 0.0;

	for (int i = 0; i < n; i++)
		if (dist[i] <= vigilance && dist[i] > far)
			far = dist[i];
	return far;
}

snn_status
snn_wta_currents(const double *dist, int n, double vigilance,
				 const snn_wta_params *p, double *current, snn_error *err)
{
	snn_status	st = snn_wta_validate(p, err);
	double		scale;

	if (st != SNN_OK)
		return st;
	if (isnan(vigilance) || isinf(vigilance))
		return snn_fail(err, SNN_E_NAN, "vigilance", "vigilance must be a finite distance");
	if (vigilance < 0)
		return snn_fail(err, SNN_E_RANGE, "vigilance", "vigilance must not be negative");
	if (n < 0 || n > SNN_WTA_MAX_NEURONS)
		return snn_fail(err, SNN_E_LIMIT, "n", "at most %d competitors", SNN_WTA_MAX_NEURONS);
	for (int i = 0; i < n; i++)
		if (isnan(dist[i]) || dist[i] < 0)
			return snn_fail(err, SNN_E_RANGE, "distance", "distance %d is not a non-negative number", i);
	scale = inside_scale(dist, n, vigilance);
	for (int i = 0; i < n; i++)
	{
		double		d = dist[i];
		double		sim;

		if (d > vigilance)
		{
			current[i] = 0.0;
			continue;
		}
		sim = scale > 0 ? 1.0 - d / scale : 1.0;
		current[i] = p->threshold * (1.0 + p->margin) + p->gain * sim;
	}
	return SNN_OK;
}

snn_status
snn_wta_run(const double *current, int n, const snn_wta_params *p,
			double *v, snn_wta_result *res, snn_error *err)
{
	snn_status	st = snn_wta_validate(p, err);
	double		decay;
	long		nsteps;

	res->winner = -1;
	res->t_fire = 0;
	res->steps = 0;
	res->simultaneous = 0;
	if (st != SNN_OK)
		return st;
	if (n < 0 || n > SNN_WTA_MAX_NEURONS)
		return snn_fail(err, SNN_E_LIMIT, "n", "at most %d competitors", SNN_WTA_MAX_NEURONS);
	for (int i = 0; i < n; i++)
	{
		if (!isfinite(current[i]))
			return snn_fail(err, SNN_E_NAN, "current", "current %d is not finite", i);
		v[i] = 0.0;
	}

	decay = exp(-p->dt / p->tau);
	nsteps = (long) ceil(p->t_max / p->dt);
	for (long s = 1; s <= nsteps; s++)
	{
		int			best = -1,
					over = 0;

		for (int i = 0; i < n; i++)
		{
			v[i] = current[i] + (v[i] - current[i]) * decay;
			if (v[i] >= p->threshold)
			{
				over++;
				if (best < 0 || v[i] > v[best])
					best = i;
			}
		}
		res->steps = (int) s;
		if (best >= 0)
		{
			/* the winner resets; lateral inhibition silences the rest */
			for (int i = 0; i < n; i++)
				v[i] = i == best ? 0.0 : v[i] - p->inhibition;
			res->winner = best;
			res->t_fire = (double) s * p->dt;
			res->simultaneous = over;
			return SNN_OK;
		}
	}
	return SNN_OK;
}
