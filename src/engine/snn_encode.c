/*
 * snn_encode.c: encoders and decoders (formulas in snn_encode.h).
 *
 * Each function validates everything first and writes its outputs only
 * once the inputs are known good.  The arithmetic is plain IEEE-754 double
 * plus integer steps, so results are the same on every platform.
 */
#include "snn_encode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "snn_events.h"
#include "snn_interrupt.h"

#define DELTA_TOLERANCE 1e-9

/* Input array: non-empty, within max, every element finite. */
static snn_status
check_values(const double *v, size_t n, size_t max, const char *what,
			 snn_error *err)
{
	if (n == 0)
		return snn_fail(err, SNN_E_EMPTY, what, "%s must not be empty", what);
	if (n > max)
		return snn_fail(err, SNN_E_LIMIT, what, "%s has %zu elements, more than the limit of %zu",
						what, n, max);
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return snn_fail(err, SNN_E_NAN, what, "element %zu of %s is %s, not a finite number",
							i + 1, what, isnan(v[i]) ? "NaN" : "infinite");
	return SNN_OK;
}

/* The value range: finite, ordered, with a finite width. */
static snn_status
check_range(double lo, double hi, snn_error *err)
{
	if (!isfinite(lo))
		return snn_fail(err, SNN_E_NAN, "lo", "lo must be a finite number");
	if (!isfinite(hi))
		return snn_fail(err, SNN_E_NAN, "hi", "hi must be a finite number");
	if (!(lo < hi))
		return snn_fail(err, SNN_E_CONFIG, "lo", "lo (%g) must be less than hi (%g)", lo, hi);
	if (!isfinite(hi - lo))
		return snn_fail(err, SNN_E_RANGE, "hi", "hi - lo overflows a double");
	return SNN_OK;
}

/* Step counts: 1..max, a limit error above the train limit. */
static snn_status
check_steps(uint32_t steps, uint32_t max, snn_error *err)
{
	if (steps < 1 || steps > max)
		return snn_fail(err, steps > SNN_TRAIN_MAX_STEPS ? SNN_E_LIMIT : SNN_E_RANGE, "steps",
						"steps %u is outside 1..%u", steps, max);
	return SNN_OK;
}

/* A probability per step in (0, 1]. */
static snn_status
check_rate(double max_rate, snn_error *err)
{
	if (isnan(max_rate) || isinf(max_rate))
		return snn_fail(err, SNN_E_NAN, "max_rate", "max_rate must be a finite number");
	if (!(max_rate > 0.0 && max_rate <= 1.0))
		return snn_fail(err, SNN_E_RANGE, "max_rate",
						"max_rate %g is outside (0, 1] (spikes per step)", max_rate);
	return SNN_OK;
}

/* u(v) clamped to [0, 1]. */
static double
unit_clamped(double v, double lo, double hi)
{
	double		u = (v - lo) / (hi - lo);

	return u < 0.0 ? 0.0 : (u > 1.0 ? 1.0 : u);
}

/* The TTFS step of one value, or SNN_TTFS_SILENT. */
static uint8_t
ttfs_step(double v, double lo, double hi, uint32_t steps)
{
	double		t;

	if (!(v > lo))				/* NaN too, though callers reject it */
		return SNN_TTFS_SILENT;
	if (v >= hi)
		return 0;
	t = floor((hi - v) / (hi - lo) * (double) (steps - 1) + 0.5);
	if (t > (double) (steps - 1))	/* cannot happen; belt and braces */
		t = (double) (steps - 1);
	return (uint8_t) t;
}

/* Larger values fire earlier. */
snn_status
snn_encode_ttfs(const double *values, size_t n, double lo, double hi,
				uint32_t steps, uint8_t *out, snn_error *err)
{
	snn_status	st;

	if ((st = check_values(values, n, SNN_PATTERN_MAX_DIM, "values", err)) != SNN_OK ||
		(st = check_range(lo, hi, err)) != SNN_OK ||
		(st = check_steps(steps, SNN_TTFS_MAX_STEPS, err)) != SNN_OK)
		return st;
	for (size_t i = 0; i < n; i++)
		out[i] = ttfs_step(values[i], lo, hi, steps);
	return SNN_OK;
}

/* The value a TTFS step stands for. */
static double
ttfs_value(uint8_t t, double lo, double hi, uint32_t steps)
{
	double		v;

	if (t == SNN_TTFS_SILENT)
		return lo;
	if (steps == 1)
		return hi;
	/* t / (steps - 1) <= 1 first: t * (hi - lo) could overflow */
	v = hi - ((double) t / (double) (steps - 1)) * (hi - lo);
	/* rounding must not step outside the range (e.g. lo = -1e308) */
	return v < lo ? lo : (v > hi ? hi : v);
}

/* Back from steps to values. */
snn_status
snn_decode_ttfs(const uint8_t *t, size_t n, double lo, double hi,
				uint32_t steps, double *out, snn_error *err)
{
	snn_status	st;

	if (n == 0)
		return snn_fail(err, SNN_E_EMPTY, "spikes", "spikes must not be empty");
	if ((st = check_range(lo, hi, err)) != SNN_OK ||
		(st = check_steps(steps, SNN_TTFS_MAX_STEPS, err)) != SNN_OK)
		return st;
	for (size_t i = 0; i < n; i++)
		if (t[i] != SNN_TTFS_SILENT && t[i] >= steps)
			return snn_fail(err, SNN_E_RANGE, "spikes",
							"neuron %zu fires at step %u, outside 0..%u for steps = %u",
							i, t[i], steps - 1, steps);
	for (size_t i = 0; i < n; i++)
		out[i] = ttfs_value(t[i], lo, hi, steps);
	return SNN_OK;
}

/* Spike count of the regular rate code. */
static uint32_t
rate_count(double v, double lo, double hi, uint32_t steps, double max_rate)
{
	double		r = floor(unit_clamped(v, lo, hi) * max_rate * (double) steps + 0.5);

	return r > (double) steps ? steps : (uint32_t) r;
}

/* Step of spike j of a neuron with r spikes over steps steps. */
static inline uint32_t
rate_spike_step(uint64_t j, uint64_t r, uint32_t steps)
{
	return (uint32_t) (((2 * j + 1) * (uint64_t) steps) / (2 * r));
}

/*
 * Evenly spread spikes.  With scratch, a counting sort by step puts them
 * in canonical order in O(events + steps): neurons are visited in order,
 * so within a step they come out ascending.  Without, they are generated
 * neuron by neuron and sorted.
 */
snn_status
snn_encode_rate(const double *values, size_t n, double lo, double hi,
				uint32_t steps, double max_rate, snn_event *events,
				size_t cap, size_t *n_events, uint32_t *step_scratch,
				snn_error *err)
{
	snn_status	st;
	uint64_t	total = 0;
	size_t		k = 0;

	if ((st = check_values(values, n, SNN_TRAIN_MAX_NEURONS, "values", err)) != SNN_OK ||
		(st = check_range(lo, hi, err)) != SNN_OK ||
		(st = check_steps(steps, SNN_TRAIN_MAX_STEPS, err)) != SNN_OK ||
		(st = check_rate(max_rate, err)) != SNN_OK)
		return st;
	for (size_t i = 0; i < n; i++)
		total += rate_count(values[i], lo, hi, steps, max_rate);
	if (total > SNN_TRAIN_MAX_EVENTS)
		return snn_fail(err, SNN_E_LIMIT, "events",
						"the rate code has %llu spikes, more than the limit of %d",
						(unsigned long long) total, SNN_TRAIN_MAX_EVENTS);
	*n_events = (size_t) total;
	if (events == NULL)
		return SNN_OK;
	if (cap < total)
		return snn_fail(err, SNN_E_NOMEM, "events", "room for %zu events, %llu needed",
						cap, (unsigned long long) total);
	if (step_scratch == NULL)
	{
		for (size_t i = 0; i < n; i++)
		{
			uint64_t	r = rate_count(values[i], lo, hi, steps, max_rate);

			if (snn_interrupted(r + 1))
				return snn_cancelled(err);
			for (uint64_t j = 0; j < r; j++)
			{
				events[k].neuron = (uint32_t) i;
				events[k].step = rate_spike_step(j, r, steps);
				k++;
			}
		}
		snn_events_sort(events, k);
		return SNN_OK;
	}
	/* counting sort: step_scratch[s] = index of the next event at step s */
	memset(step_scratch, 0, sizeof(uint32_t) * ((size_t) steps + 1));
	for (size_t i = 0; i < n; i++)
	{
		uint64_t	r = rate_count(values[i], lo, hi, steps, max_rate);

		if (snn_interrupted(r + 1))
			return snn_cancelled(err);
		for (uint64_t j = 0; j < r; j++)
			step_scratch[rate_spike_step(j, r, steps) + 1]++;
	}
	for (uint32_t s = 1; s <= steps; s++)
		step_scratch[s] += step_scratch[s - 1];
	for (size_t i = 0; i < n; i++)
	{
		uint64_t	r = rate_count(values[i], lo, hi, steps, max_rate);

		if (snn_interrupted(r + 1))
			return snn_cancelled(err);
		for (uint64_t j = 0; j < r; j++)
		{
			uint32_t	t = rate_spike_step(j, r, steps);

			events[step_scratch[t]].step = t;
			events[step_scratch[t]++].neuron = (uint32_t) i;
		}
	}
	return SNN_OK;
}

/* Counts per neuron back to values. */
snn_status
snn_decode_rate(uint32_t n_neurons, uint32_t n_steps, const snn_event *events,
				size_t n_events, double lo, double hi, double max_rate,
				double *out, snn_error *err)
{
	snn_status	st;

	if ((st = check_range(lo, hi, err)) != SNN_OK ||
		(st = check_rate(max_rate, err)) != SNN_OK ||
		(st = snn_train_check_shape(n_neurons, n_steps, n_events, err)) != SNN_OK)
		return st;
	for (uint32_t i = 0; i < n_neurons; i++)
		out[i] = 0.0;
	for (size_t e = 0; e < n_events; e++)
		if (events[e].neuron < n_neurons)
			out[events[e].neuron] += 1.0;
	for (uint32_t i = 0; i < n_neurons; i++)
	{
		double		u = out[i] / (max_rate * (double) n_steps);

		double		v = lo + (u > 1.0 ? 1.0 : u) * (hi - lo);

		out[i] = v > hi ? hi : v;	/* rounding must not pass hi */
	}
	return SNN_OK;
}

/*
 * Bernoulli threshold: fire when a 64-bit draw is below p * 2^64.
 * UINT64_MAX stands for p = 1 (always fire): a draw can equal UINT64_MAX,
 * so "always" is tested apart from the comparison.
 */
static uint64_t
poisson_threshold(double p)
{
	if (p >= 1.0)
		return UINT64_MAX;
	if (p <= 0.0)
		return 0;
	return (uint64_t) ldexp(p, 64);
}

/* Seed of neuron i's stream: the (i + 1)-th SplitMix64 output of seed. */
static inline uint64_t
poisson_key(uint64_t seed, size_t i)
{
	return snn_splitmix64_mix(seed + SNN_GOLDEN_GAMMA * ((uint64_t) i + 1));
}

/* 1 when a neuron with threshold thr and stream key fires at step s. */
static inline size_t
poisson_fires(uint64_t thr, uint64_t key, uint32_t s)
{
	uint64_t	draw = snn_splitmix64_mix(key + SNN_GOLDEN_GAMMA * ((uint64_t) s + 1));

	return (size_t) ((draw < thr) | (thr == UINT64_MAX));
}

/*
 * One pass over steps x neurons, counting, or also writing when events is
 * not NULL (at most cap of them).  With scratch, each neuron's threshold
 * and key are computed once (scratch[2i], scratch[2i + 1]); without, for
 * every cell.  The inner loops are branch-free on the random outcome: an
 * event slot is written every cell and kept only when the neuron fired.
 */
static size_t
poisson_pass(const double *values, size_t n, double lo, double hi,
			 uint32_t steps, double max_rate, uint64_t seed,
			 snn_event *events, size_t cap, const uint64_t *scratch,
			 int *cancelled)
{
	size_t		k = 0;

	for (uint32_t s = 0; s < steps; s++)
	{
		if (snn_interrupted(n + 1))
		{
			*cancelled = 1;
			return k;
		}
		for (size_t i = 0; i < n; i++)
		{
			uint64_t	thr,
						key;
			size_t		f;

			if (scratch)
			{
				thr = scratch[2 * i];
				key = scratch[2 * i + 1];
			}
			else
			{
				thr = poisson_threshold(unit_clamped(values[i], lo, hi) * max_rate);
				key = poisson_key(seed, i);
			}
			f = poisson_fires(thr, key, s);
			if (events && k < cap)
			{
				events[k].step = s;
				events[k].neuron = (uint32_t) i;
			}
			k += f;
		}
	}
	return k;
}

/* Seeded, counter-based: step-major generation is already in order. */
snn_status
snn_encode_poisson(const double *values, size_t n, double lo, double hi,
				   uint32_t steps, double max_rate, uint64_t seed,
				   snn_event *events, size_t cap, size_t *n_events,
				   uint64_t *neuron_scratch, snn_error *err)
{
	snn_status	st;
	size_t		total;
	int			cancelled = 0;

	if ((st = check_values(values, n, SNN_TRAIN_MAX_NEURONS, "values", err)) != SNN_OK ||
		(st = check_range(lo, hi, err)) != SNN_OK ||
		(st = check_steps(steps, SNN_TRAIN_MAX_STEPS, err)) != SNN_OK ||
		(st = check_rate(max_rate, err)) != SNN_OK)
		return st;
	if ((uint64_t) n * steps > SNN_ENCODE_MAX_CELLS)
		return snn_fail(err, SNN_E_LIMIT, "steps",
						"values x steps = %llu, more than the Poisson limit of %d",
						(unsigned long long) n * steps, SNN_ENCODE_MAX_CELLS);
	if (neuron_scratch)
		for (size_t i = 0; i < n; i++)
		{
			neuron_scratch[2 * i] = poisson_threshold(unit_clamped(values[i], lo, hi) * max_rate);
			neuron_scratch[2 * i + 1] = poisson_key(seed, i);
		}
	total = poisson_pass(values, n, lo, hi, steps, max_rate, seed, NULL, 0, neuron_scratch,
						 &cancelled);
	if (cancelled)
		return snn_cancelled(err);
	if (total > SNN_TRAIN_MAX_EVENTS)
		return snn_fail(err, SNN_E_LIMIT, "events",
						"the Poisson code has %zu spikes, more than the limit of %d",
						total, SNN_TRAIN_MAX_EVENTS);
	*n_events = total;
	if (events == NULL)
		return SNN_OK;
	if (cap < total)
		return snn_fail(err, SNN_E_NOMEM, "events", "room for %zu events, %zu needed",
						cap, total);
	*n_events = poisson_pass(values, n, lo, hi, steps, max_rate, seed, events, cap, neuron_scratch,
							 &cancelled);
	return cancelled ? snn_cancelled(err) : SNN_OK;
}

/* Checks shared by population encode and decode. */
static snn_status
check_population(size_t n, double lo, double hi, uint32_t per_value,
				 uint32_t steps, double sigma, double min_activation,
				 snn_error *err)
{
	snn_status	st;

	if ((st = check_range(lo, hi, err)) != SNN_OK ||
		(st = check_steps(steps, SNN_TTFS_MAX_STEPS, err)) != SNN_OK)
		return st;
	if (per_value < 1 || per_value > SNN_POPULATION_MAX_PER_VALUE)
		return snn_fail(err, per_value < 1 ? SNN_E_RANGE : SNN_E_LIMIT, "neurons_per_value",
						"neurons_per_value %u is outside 1..%d",
						per_value, SNN_POPULATION_MAX_PER_VALUE);
	if ((uint64_t) n * per_value > SNN_PATTERN_MAX_DIM)
		return snn_fail(err, SNN_E_LIMIT, "neurons_per_value",
						"values x neurons_per_value = %llu, more than the pattern limit of %d",
						(unsigned long long) n * per_value, SNN_PATTERN_MAX_DIM);
	if (!isfinite(sigma))
		return snn_fail(err, SNN_E_NAN, "sigma", "sigma must be a finite number");
	if (!(sigma > 0.0))
		return snn_fail(err, SNN_E_RANGE, "sigma", "sigma %g must be greater than 0", sigma);
	if (!isfinite(min_activation))
		return snn_fail(err, SNN_E_NAN, "min_activation", "min_activation must be a finite number");
	if (!(min_activation >= 0.0 && min_activation < 1.0))
		return snn_fail(err, SNN_E_RANGE, "min_activation",
						"min_activation %g is outside [0, 1)", min_activation);
	/* the field width sigma * spacing must be a positive finite double */
	{
		double		d = per_value == 1 ? hi - lo : (hi - lo) / (double) (per_value - 1);
		double		w = sigma * d;

		if (!(w > 0.0) || !isfinite(w))
			return snn_fail(err, SNN_E_RANGE, "sigma",
							"field width sigma x spacing = %g x %g is not a positive finite number",
							sigma, d);
	}
	return SNN_OK;
}

/* Geometry of the receptive fields: centre of field j and spacing. */
static double
field_centre(double lo, double hi, uint32_t per_value, uint32_t j, double *spacing)
{
	if (per_value == 1)
	{
		*spacing = hi - lo;
		return lo + (hi - lo) / 2.0;
	}
	*spacing = (hi - lo) / (double) (per_value - 1);
	return lo + ((double) j / (double) (per_value - 1)) * (hi - lo);
}

/* TTFS step of field j for value v. */
static uint8_t
population_step(double v, double lo, double hi, uint32_t per_value, uint32_t j,
				uint32_t steps, double sigma, double min_activation)
{
	double		d;
	double		c = field_centre(lo, hi, per_value, j, &d);
	double		z = (v - c) / (sigma * d);

	return ttfs_step(exp(-0.5 * z * z), min_activation, 1.0, steps);
}

/* Gaussian receptive fields, each field TTFS-coded. */
snn_status
snn_encode_population(const double *values, size_t n, double lo, double hi,
					  uint32_t per_value, uint32_t steps, double sigma,
					  double min_activation, uint8_t *out, snn_error *err)
{
	snn_status	st;

	if ((st = check_values(values, n, SNN_PATTERN_MAX_DIM, "values", err)) != SNN_OK ||
		(st = check_population(n, lo, hi, per_value, steps, sigma, min_activation, err)) != SNN_OK)
		return st;
	for (size_t k = 0; k < n; k++)
		for (uint32_t j = 0; j < per_value; j++)
			out[k * per_value + j] = population_step(values[k], lo, hi, per_value, j,
													 steps, sigma, min_activation);
	return SNN_OK;
}

/* How far a candidate's predicted neighbours are from the observed ones. */
static unsigned
neighbour_mismatch(double v, const uint8_t *t, double lo, double hi,
				   uint32_t per_value, uint32_t j, uint32_t steps, double sigma,
				   double min_activation)
{
	unsigned	m = 0;

	if (j > 0)
	{
		int			p = population_step(v, lo, hi, per_value, j - 1, steps, sigma, min_activation);

		m += (unsigned) abs(p - (int) t[j - 1]);
	}
	if (j + 1 < per_value)
	{
		int			p = population_step(v, lo, hi, per_value, j + 1, steps, sigma, min_activation);

		m += (unsigned) abs(p - (int) t[j + 1]);
	}
	return m;
}

/* Distance of a value from field j's centre implied by its spike step. */
static double
field_distance(uint8_t t, uint32_t steps, double w, double min_activation,
			   double *activation)
{
	double		q = steps == 1 ? 0.0 : (1.0 - min_activation) / (double) (steps - 1);
	double		a = 1.0 - (double) t * q;

	/*
	 * The last step stands for activations in (min_activation, min_activation
	 * + q / 2]: take the middle, which stays above 0 when min_activation is
	 * 0.
	 */
	if (a <= min_activation)
		a = min_activation + 0.25 * q;
	*activation = a;
	return a >= 1.0 ? 0.0 : w * sqrt(-2.0 * log(a));
}

/*
 * Invert the code for one value: a coarse estimate from the earliest field
 * (side chosen by its neighbours), refined by the field whose activation
 * is steepest there, since a spike step pins a value best on the flank of
 * a Gaussian and worst at its top.
 */
static double
decode_group(const uint8_t *g, double lo, double hi, uint32_t per_value,
			 uint32_t steps, double sigma, double min_activation)
{
	uint32_t	best = 0;
	double		d,
				a,
				c,
				dist,
				below,
				above,
				coarse,
				result,
				best_slope = -1.0;

	for (uint32_t j = 1; j < per_value; j++)
		if (g[j] < g[best])
			best = j;
	if (g[best] == SNN_TTFS_SILENT)
		return NAN;
	c = field_centre(lo, hi, per_value, best, &d);
	dist = field_distance(g[best], steps, sigma * d, min_activation, &a);
	below = c - dist;
	above = c + dist;
	coarse = neighbour_mismatch(above, g, lo, hi, per_value, best, steps, sigma, min_activation) <
		neighbour_mismatch(below, g, lo, hi, per_value, best, steps, sigma, min_activation) ?
		above : below;
	result = coarse;
	for (uint32_t j = 0; j < per_value; j++)
	{
		double		cj,
					dj,
					slope,
					cand;

		if (g[j] == SNN_TTFS_SILENT)
			continue;
		cj = field_centre(lo, hi, per_value, j, &d);
		dj = field_distance(g[j], steps, sigma * d, min_activation, &a);
		cand = fabs(cj - dj - coarse) <= fabs(cj + dj - coarse) ? cj - dj : cj + dj;
		/* |da/dv| = a |z| / w, the same w for every field */
		slope = a * dj;
		if (slope > best_slope)
		{
			best_slope = slope;
			result = cand;
		}
	}
	return result;
}

/* Value by value; a silent group gives NaN. */
snn_status
snn_decode_population(const uint8_t *t, size_t n, double lo, double hi,
					  uint32_t per_value, uint32_t steps, double sigma,
					  double min_activation, double *out, snn_error *err)
{
	snn_status	st;

	if (n == 0)
		return snn_fail(err, SNN_E_EMPTY, "spikes", "spikes must not be empty");
	if ((st = check_population(n, lo, hi, per_value, steps, sigma, min_activation, err)) != SNN_OK)
		return st;
	for (size_t i = 0; i < n * per_value; i++)
		if (t[i] != SNN_TTFS_SILENT && t[i] >= steps)
			return snn_fail(err, SNN_E_RANGE, "spikes",
							"neuron %zu fires at step %u, outside 0..%u for steps = %u",
							i, t[i], steps - 1, steps);
	for (size_t k = 0; k < n; k++)
		out[k] = decode_group(t + k * per_value, lo, hi, per_value, steps, sigma,
							  min_activation);
	return SNN_OK;
}

/* Sigma-delta: one spike a step at most, the reference kept exact. */
snn_status
snn_encode_delta(const double *x, size_t n, double threshold,
				 snn_event *events, size_t cap, size_t *n_events,
				 snn_error *err)
{
	snn_status	st;
	int64_t		level = 0;
	size_t		k = 0;
	double		need;

	if ((st = check_values(x, n, SNN_TRAIN_MAX_STEPS, "values", err)) != SNN_OK)
		return st;
	if (!isfinite(threshold))
		return snn_fail(err, SNN_E_NAN, "threshold", "threshold must be a finite number");
	if (!(threshold > 0.0))
		return snn_fail(err, SNN_E_RANGE, "threshold", "threshold %g must be greater than 0",
						threshold);
	if (cap < n)
		return snn_fail(err, SNN_E_NOMEM, "events", "room for %zu events, %zu needed", cap, n);
	need = threshold * (1.0 - DELTA_TOLERANCE);
	for (size_t s = 1; s < n; s++)
	{
		double		ref = x[0] + (double) level * threshold;

		if (x[s] - ref >= need)
		{
			events[k].step = (uint32_t) s;
			events[k++].neuron = 0;
			level++;
		}
		else if (ref - x[s] >= need)
		{
			events[k].step = (uint32_t) s;
			events[k++].neuron = 1;
			level--;
		}
	}
	*n_events = k;
	return SNN_OK;
}

/* The reference the delta encoder tracked, step by step. */
snn_status
snn_decode_delta(uint32_t n_neurons, uint32_t n_steps, const snn_event *events,
				 size_t n_events, double x0, double threshold, double *out,
				 snn_error *err)
{
	snn_status	st;
	int64_t		level = 0;
	size_t		e = 0;

	if ((st = snn_train_check_shape(n_neurons, n_steps, n_events, err)) != SNN_OK)
		return st;
	if (n_neurons != 2)
		return snn_fail(err, SNN_E_DIM, "neurons",
						"a delta code has 2 neurons (UP, DOWN), this train has %u", n_neurons);
	if (!isfinite(x0))
		return snn_fail(err, SNN_E_NAN, "initial", "initial must be a finite number");
	if (!isfinite(threshold))
		return snn_fail(err, SNN_E_NAN, "threshold", "threshold must be a finite number");
	if (!(threshold > 0.0))
		return snn_fail(err, SNN_E_RANGE, "threshold", "threshold %g must be greater than 0",
						threshold);
	for (uint32_t s = 0; s < n_steps; s++)
	{
		for (; e < n_events && events[e].step == s; e++)
			level += events[e].neuron == 0 ? 1 : -1;
		out[s] = x0 + (double) level * threshold;
		if (!isfinite(out[s]))
			return snn_fail(err, SNN_E_RANGE, "threshold",
							"the decoded value overflows a double at step %u", s);
	}
	return SNN_OK;
}
