/*
 * snn_image.c: configuration defaults and validation, and building,
 * validating and editing the flat network image (see snn_image.h).
 *
 * Building runs in two passes over the same seeded random streams: the plan
 * counts synapses (so the caller allocates exactly once, after validation),
 * the build fills them.  Each CSR row draws from its own stream, seeded by
 * (seed, projection, row), so both passes see identical connectivity.
 */
#include "snn_image.h"
#include "snn_fanin.h"
#include "snn_interrupt.h"
#include "snn_random.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(snn_image) == 1024, "snn_image header is 1024 bytes");
_Static_assert(sizeof(snn_history_rec) == 64, "history records are 64 bytes");

#define ALIGN_UP(x, a)	(((x) + (a) - 1) / (a) * (a))

/* ---- random numbers: splitmix64 (snn_random.h), one stream per row ---- */

/* The stream of one row of one projection, independent of every other. */
static inline uint64_t
rng_stream(uint64_t seed, uint32_t proj, uint32_t row)
{
	uint64_t	s = seed ^ ((uint64_t) proj << 56) ^ ((uint64_t) row * 0xD1B54A32D192ED03ULL);

	(void) snn_splitmix64_next(&s);
	return s;
}

/* ---- names ---- */

const char *
snn_model_name(uint32_t model)
{
	switch (model)
	{
		case SNN_MODEL_LIF:
			return "lif";
		case SNN_MODEL_ALIF:
			return "adaptive_lif";
		case SNN_MODEL_IZHIKEVICH:
			return "izhikevich";
	}
	return "?";
}

const char *
snn_preset_name(uint32_t preset)
{
	switch (preset)
	{
		case SNN_IZH_RS:
			return "regular_spiking";
		case SNN_IZH_FS:
			return "fast_spiking";
		case SNN_IZH_CH:
			return "chattering";
		case SNN_IZH_IB:
			return "intrinsically_bursting";
	}
	return "custom";
}

const char *
snn_kind_name(uint32_t kind)
{
	switch (kind)
	{
		case SNN_KIND_FEEDFORWARD:
			return "feedforward";
		case SNN_KIND_RESERVOIR:
			return "reservoir";
		case SNN_KIND_FANIN:
			return "fanin";
	}
	return "?";
}

/* ---- defaults and validation ---- */

/* Defaults of a model (and Izhikevich preset), from the usual literature values. */
void
snn_neuron_defaults(snn_neuron_config *n)
{
	uint32_t	model = n->model ? n->model : SNN_MODEL_LIF;
	uint32_t	preset = n->preset;

	memset(n, 0, sizeof(*n));
	n->model = model;
	n->preset = preset;
	n->tau_m = 20.0f;
	n->v_rest = -65.0f;
	n->v_reset = NAN;			/* = v_rest */
	n->v_th = -50.0f;
	n->t_ref = 2.0f;
	n->tau_syn_exc = 5.0f;
	n->tau_syn_inh = 10.0f;
	n->bias = 0.0f;
	n->v_init_min = NAN;		/* = v_rest */
	n->v_init_max = NAN;		/* = v_init_min */
	n->tau_adapt = 100.0f;
	n->adapt_inc = 0.0f;
	if (model == SNN_MODEL_ALIF)
		n->adapt_inc = 1.0f;
	if (model == SNN_MODEL_IZHIKEVICH)
	{
		/* Izhikevich (2003), Simple model of spiking neurons, fig. 2 */
		static const float presets[5][4] = {
			{0.02f, 0.2f, -65.0f, 8.0f},	/* custom starts from RS */
			{0.02f, 0.2f, -65.0f, 8.0f},	/* regular spiking */
			{0.1f, 0.2f, -65.0f, 2.0f}, /* fast spiking */
			{0.02f, 0.2f, -50.0f, 2.0f},	/* chattering */
			{0.02f, 0.2f, -55.0f, 4.0f} /* intrinsically bursting */
		};
		const float *p = presets[preset <= SNN_IZH_IB ? preset : 0];

		n->izh_a = p[0];
		n->izh_b = p[1];
		n->izh_c = p[2];
		n->izh_d = p[3];
		n->v_th = 30.0f;		/* spike peak */
		n->t_ref = 0.0f;
		n->v_reset = NAN;		/* = izh_c */
	}
}

/* Fail unless x is finite. */
#define NEED_FINITE(x, name) do { \
	if (!isfinite(x)) \
		return snn_fail(err, SNN_E_NAN, fld(buf, prefix, name), \
						"%s must be a finite number", fld(buf, prefix, name)); \
} while (0)

/* Fail unless 0 < x <= max. */
#define NEED_POS(x, name, max) do { \
	NEED_FINITE(x, name); \
	if (!((x) > 0.0f)) \
		return snn_fail(err, SNN_E_RANGE, fld(buf, prefix, name), \
						"%s must be positive, got %g", fld(buf, prefix, name), (double) (x)); \
	if ((x) > (max)) \
		return snn_fail(err, SNN_E_RANGE, fld(buf, prefix, name), \
						"%s must be at most %g, got %g", fld(buf, prefix, name), (double) (max), (double) (x)); \
} while (0)

/* "prefix.name" (or just name) into buf. */
static const char *
fld(char *buf, const char *prefix, const char *name)
{
	if (prefix && prefix[0])
		snprintf(buf, 64, "%.40s.%.20s", prefix, name);
	else
		snprintf(buf, 64, "%.60s", name);
	return buf;
}

snn_status
snn_neuron_validate(snn_neuron_config *n, const char *prefix, snn_error *err)
{
	char		buf[64];

	if (n->model < SNN_MODEL_LIF || n->model > SNN_MODEL_IZHIKEVICH)
		return snn_fail(err, SNN_E_CONFIG, fld(buf, prefix, "model"),
						"unknown neuron model %u", n->model);
	if (n->preset > SNN_IZH_IB)
		return snn_fail(err, SNN_E_CONFIG, fld(buf, prefix, "preset"),
						"unknown preset %u", n->preset);
	if (n->preset != SNN_IZH_CUSTOM && n->model != SNN_MODEL_IZHIKEVICH)
		return snn_fail(err, SNN_E_CONFIG, fld(buf, prefix, "preset"),
						"presets apply to the izhikevich model only");
	NEED_FINITE(n->v_rest, "v_rest");
	if (isnan(n->v_reset))
		n->v_reset = n->model == SNN_MODEL_IZHIKEVICH ? n->izh_c : n->v_rest;
	if (n->model == SNN_MODEL_IZHIKEVICH)
		n->izh_c = n->v_reset;
	if (isnan(n->v_init_min))
		n->v_init_min = n->v_rest;
	if (isnan(n->v_init_max))
		n->v_init_max = n->v_init_min;
	NEED_FINITE(n->v_reset, "v_reset");
	NEED_FINITE(n->v_th, "v_th");
	NEED_FINITE(n->bias, "bias");
	NEED_FINITE(n->v_init_min, "v_init_min");
	NEED_FINITE(n->v_init_max, "v_init_max");
	NEED_FINITE(n->t_ref, "t_ref");
	if (n->t_ref < 0.0f || n->t_ref > SNN_MAX_TAU)
		return snn_fail(err, SNN_E_RANGE, fld(buf, prefix, "t_ref"),
						"%s must be between 0 and %g, got %g", buf,
						(double) SNN_MAX_TAU, (double) n->t_ref);
	NEED_POS(n->tau_syn_exc, "tau_syn_exc", SNN_MAX_TAU);
	NEED_POS(n->tau_syn_inh, "tau_syn_inh", SNN_MAX_TAU);
	if (fabsf(n->v_rest) > 1e4f || fabsf(n->v_reset) > 1e4f || fabsf(n->v_th) > 1e4f ||
		fabsf(n->bias) > 1e6f)
		return snn_fail(err, SNN_E_RANGE, fld(buf, prefix, "v_th"),
						"potentials must be within +-10000 mV and bias within +-1e6");
	if (n->v_init_min > n->v_init_max)
		return snn_fail(err, SNN_E_RANGE, fld(buf, prefix, "v_init_max"),
						"%s must not be below v_init_min", buf);
	if (n->model == SNN_MODEL_IZHIKEVICH)
	{
		NEED_POS(n->izh_a, "a", 10.0f);
		NEED_FINITE(n->izh_b, "b");
		NEED_FINITE(n->izh_d, "d");
		if (fabsf(n->izh_b) > 10.0f || fabsf(n->izh_d) > 1000.0f)
			return snn_fail(err, SNN_E_RANGE, fld(buf, prefix, "b"),
							"izhikevich b must be within +-10 and d within +-1000");
		if (!(n->v_th > n->v_reset))
			return snn_fail(err, SNN_E_RANGE, fld(buf, prefix, "v_th"),
							"%s (spike peak) must be above v_reset", buf);
	}
	else
	{
		NEED_POS(n->tau_m, "tau_m", SNN_MAX_TAU);
		if (!(n->v_th > n->v_reset))
			return snn_fail(err, SNN_E_RANGE, fld(buf, prefix, "v_th"),
							"%s must be above v_reset (%g), got %g", buf,
							(double) n->v_reset, (double) n->v_th);
		if (n->model == SNN_MODEL_ALIF)
		{
			NEED_POS(n->tau_adapt, "tau_adapt", SNN_MAX_TAU);
			NEED_FINITE(n->adapt_inc, "adapt_inc");
			if (n->adapt_inc < 0.0f || n->adapt_inc > 1e4f)
				return snn_fail(err, SNN_E_RANGE, fld(buf, prefix, "adapt_inc"),
								"%s must be between 0 and 10000", buf);
		}
	}
	return SNN_OK;
}

void
snn_config_defaults(snn_config *cfg, snn_kind kind)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->kind = kind;
	cfg->dt = kind == SNN_KIND_RESERVOIR ? 0.1f : 1.0f;
	cfg->seed = 0;
	cfg->wta = 0;
	cfg->wta_inhibition = 20.0f;
	cfg->res_connectivity = 0.1f;
	cfg->res_spectral_radius = 1.0f;
	cfg->res_exc_ratio = 0.8f;
	cfg->res_input_scaling = 10.0f;
	cfg->res_input_connectivity = 0.1f;
	cfg->res_weight_exc = NAN;
	cfg->res_weight_inh = NAN;
	for (int i = 0; i < SNN_MAX_LAYERS; i++)
	{
		snn_layer_config *l = &cfg->layers[i];

		l->neuron.model = SNN_MODEL_LIF;
		snn_neuron_defaults(&l->neuron);
		l->connectivity = 1.0f;
		l->weight_min = 0.0f;
		l->weight_max = NAN;	/* derived from fan-in */
	}
	if (kind == SNN_KIND_RESERVOIR)
		cfg->n_layers = 1;
	if (kind == SNN_KIND_FANIN)
	{
		/* the anomaly detector's defaults: normalised units, dt = 1 */
		snn_neuron_config *n = &cfg->layers[0].neuron;

		cfg->n_layers = 1;
		cfg->fanin_tau_trace = 8.0f;
		cfg->res_spectral_radius = 0.3f;
		cfg->res_input_scaling = 1.0f;
		n->model = SNN_MODEL_ALIF;
		snn_neuron_defaults(n);
		n->tau_m = 4.0f;
		n->v_rest = 0.0f;
		n->v_th = 1.0f;
		n->t_ref = 0.0f;
		n->tau_adapt = 20.0f;
		n->adapt_inc = 0.2f;
	}
}

/* Check that 0 < p <= 1. */
static snn_status
check_prob(float p, const char *name, snn_error *err)
{
	if (!isfinite(p))
		return snn_fail(err, SNN_E_NAN, name, "%s must be a finite number", name);
	if (!(p > 0.0f && p <= 1.0f))
		return snn_fail(err, SNN_E_RANGE, name,
						"%s must be in (0, 1], got %g", name, (double) p);
	return SNN_OK;
}

/*
 * What kind fanin adds to a reservoir's checks: the block's shape (fan-ins
 * from the connectivities when not given), random weights only, a LIF or
 * adaptive LIF layer, a trace time constant.
 */
static snn_status
normalize_fanin(snn_config *cfg, snn_error *err)
{
	uint32_t	n = cfg->layers[0].size;
	uint32_t	model = cfg->layers[0].neuron.model;

	if (n == 0 || n > SNN_FANIN_MAX_NEURONS)
		return snn_fail(err, SNN_E_LIMIT, "size",
						"a fan-in block has 1 to %d neurons, got %u",
						SNN_FANIN_MAX_NEURONS, n);
	if (cfg->n_inputs == 0 || cfg->n_inputs > 65535)
		return snn_fail(err, SNN_E_LIMIT, "inputs",
						"a fan-in block has 1 to 65535 inputs, got %u", cfg->n_inputs);
	if (cfg->fanin_k == 0)
		cfg->fanin_k = (uint32_t) lround((double) cfg->res_connectivity * n);
	if (cfg->fanin_kin == 0)
		cfg->fanin_kin = (uint32_t) lround((double) cfg->res_input_connectivity * cfg->n_inputs);
	cfg->fanin_k = cfg->fanin_k < 1 ? 1 : cfg->fanin_k;
	cfg->fanin_kin = cfg->fanin_kin < 1 ? 1 : cfg->fanin_kin;
	if (cfg->fanin_k > n || cfg->fanin_kin > cfg->n_inputs)
		return snn_fail(err, SNN_E_RANGE, "fanin",
						"a fan-in block hears at most its %u neurons and %u inputs",
						n, cfg->n_inputs);
	if (cfg->res_fixed_weights)
		return snn_fail(err, SNN_E_CONFIG, "weight_exc",
						"a fan-in block has random weights only");
	if (model != SNN_MODEL_LIF && model != SNN_MODEL_ALIF)
		return snn_fail(err, SNN_E_CONFIG, "neuron.model",
						"a fan-in block has LIF or adaptive LIF neurons");
	if (!isfinite(cfg->fanin_tau_trace) || !(cfg->fanin_tau_trace > 0.0f) ||
		cfg->fanin_tau_trace > SNN_MAX_TAU)
		return snn_fail(err, SNN_E_RANGE, "tau_trace",
						"tau_trace must be in (0, %g] ms", (double) SNN_MAX_TAU);
	return SNN_OK;
}

snn_status
snn_config_normalize(snn_config *cfg, snn_error *err)
{
	char		name[64];
	snn_status	st;
	uint64_t	total = 0;

	if (cfg->kind != SNN_KIND_FEEDFORWARD && cfg->kind != SNN_KIND_RESERVOIR &&
		cfg->kind != SNN_KIND_FANIN)
		return snn_fail(err, SNN_E_CONFIG, "kind", "unknown network kind %u", cfg->kind);
	if (cfg->kind != SNN_KIND_FANIN &&
		(cfg->fanin_k != 0 || cfg->fanin_kin != 0 || cfg->fanin_tau_trace != 0.0f))
		return snn_fail(err, SNN_E_CONFIG, "fanin",
						"fan-in settings apply to networks of kind fanin only");
	if (!isfinite(cfg->dt))
		return snn_fail(err, SNN_E_NAN, "dt", "dt must be a finite number");
	if (!(cfg->dt > 0.0f) || cfg->dt > SNN_MAX_DT)
		return snn_fail(err, SNN_E_RANGE, "dt", "dt must be in (0, %g] ms, got %g",
						(double) SNN_MAX_DT, (double) cfg->dt);
	if (cfg->n_inputs > SNN_MAX_INPUTS)
		return snn_fail(err, SNN_E_LIMIT, "inputs", "inputs must be at most %d, got %u",
						SNN_MAX_INPUTS, cfg->n_inputs);
	if (cfg->kind == SNN_KIND_FEEDFORWARD)
	{
		if (cfg->n_inputs == 0)
			return snn_fail(err, SNN_E_EMPTY, "inputs",
							"a feed-forward network needs at least one input");
		if (cfg->n_layers == 0)
			return snn_fail(err, SNN_E_EMPTY, "layers",
							"a feed-forward network needs at least one layer");
		if (cfg->n_layers > SNN_MAX_LAYERS)
			return snn_fail(err, SNN_E_LIMIT, "layers", "at most %d layers, got %u",
							SNN_MAX_LAYERS, cfg->n_layers);
		if (!isfinite(cfg->wta_inhibition) || cfg->wta_inhibition < 0.0f ||
			cfg->wta_inhibition > 1e6f)
			return snn_fail(err, SNN_E_RANGE, "wta.inhibition",
							"wta.inhibition must be between 0 and 1e6 mV");
	}
	else
	{
		if (cfg->n_layers != 1)
			return snn_fail(err, SNN_E_CONFIG, "layers",
							"a reservoir has exactly one layer");
		if ((st = check_prob(cfg->res_connectivity, "connectivity", err)) != SNN_OK)
			return st;
		if ((st = check_prob(cfg->res_input_connectivity, "input_connectivity", err)) != SNN_OK)
			return st;
		if (!isfinite(cfg->res_spectral_radius))
			return snn_fail(err, SNN_E_NAN, "spectral_radius", "spectral_radius must be a finite number");
		if (!(cfg->res_spectral_radius > 0.0f) || cfg->res_spectral_radius > 1e4f)
			return snn_fail(err, SNN_E_RANGE, "spectral_radius",
							"spectral_radius must be in (0, 10000], got %g",
							(double) cfg->res_spectral_radius);
		if (!isfinite(cfg->res_exc_ratio) || cfg->res_exc_ratio < 0.0f || cfg->res_exc_ratio > 1.0f)
			return snn_fail(err, SNN_E_RANGE, "exc_ratio",
							"exc_ratio must be in [0, 1], got %g", (double) cfg->res_exc_ratio);
		if (!isfinite(cfg->res_input_scaling) || cfg->res_input_scaling < 0.0f ||
			cfg->res_input_scaling > 1e6f)
			return snn_fail(err, SNN_E_RANGE, "input_scaling",
							"input_scaling must be between 0 and 1e6, got %g",
							(double) cfg->res_input_scaling);
		/* fixed weights: both given (weight_exc >= 0, weight_inh <= 0) */
		cfg->res_fixed_weights = !isnan(cfg->res_weight_exc) || !isnan(cfg->res_weight_inh);
		if (cfg->res_fixed_weights)
		{
			if (isnan(cfg->res_weight_exc))
				cfg->res_weight_exc = 0.0f;
			if (isnan(cfg->res_weight_inh))
				cfg->res_weight_inh = 0.0f;
			if (!isfinite(cfg->res_weight_exc) || cfg->res_weight_exc < 0.0f ||
				cfg->res_weight_exc > 1e6f)
				return snn_fail(err, SNN_E_RANGE, "weight_exc",
								"weight_exc must be between 0 and 1e6 mV");
			if (!isfinite(cfg->res_weight_inh) || cfg->res_weight_inh > 0.0f ||
				cfg->res_weight_inh < -1e6f)
				return snn_fail(err, SNN_E_RANGE, "weight_inh",
								"weight_inh must be between -1e6 and 0 mV");
		}
		else
			cfg->res_weight_exc = cfg->res_weight_inh = NAN;
		cfg->wta = 0;
		if (cfg->kind == SNN_KIND_FANIN &&
			(st = normalize_fanin(cfg, err)) != SNN_OK)
			return st;
	}
	for (uint32_t i = 0; i < cfg->n_layers; i++)
	{
		snn_layer_config *l = &cfg->layers[i];
		uint32_t	fan_in = i == 0 ? cfg->n_inputs : cfg->layers[i - 1].size;

		if (cfg->kind == SNN_KIND_FEEDFORWARD)
			snprintf(name, sizeof(name), "layers[%u].size", i);
		else
			snprintf(name, sizeof(name), "size");
		if (l->size == 0)
			return snn_fail(err, SNN_E_EMPTY, name, "%s must be at least 1", name);
		if (l->size > SNN_MAX_NEURONS)
			return snn_fail(err, SNN_E_LIMIT, name, "%s must be at most %d, got %u",
							name, SNN_MAX_NEURONS, l->size);
		total += l->size;
		if (total > SNN_MAX_NEURONS)
			return snn_fail(err, SNN_E_LIMIT, name,
							"networks have at most %d neurons in all", SNN_MAX_NEURONS);
		if (cfg->kind == SNN_KIND_FEEDFORWARD)
			snprintf(name, sizeof(name), "layers[%u].neuron", i);
		else
			snprintf(name, sizeof(name), "neuron");
		if ((st = snn_neuron_validate(&l->neuron, name, err)) != SNN_OK)
			return st;
		if (cfg->kind == SNN_KIND_FEEDFORWARD)
		{
			char		f[64];

			snprintf(f, sizeof(f), "layers[%u].connectivity", i);
			if ((st = check_prob(l->connectivity, f, err)) != SNN_OK)
				return st;
			snprintf(f, sizeof(f), "layers[%u].weight_min", i);
			if (!isfinite(l->weight_min) || fabsf(l->weight_min) > 1e6f)
				return snn_fail(err, SNN_E_RANGE, f, "%s must be a finite number within +-1e6", f);
			if (isnan(l->weight_max))
			{
				const snn_neuron_config *n = &l->neuron;
				float		span = n->model == SNN_MODEL_IZHIKEVICH ? 20.0f : n->v_th - n->v_rest;
				float		ratio = n->model == SNN_MODEL_IZHIKEVICH ? 1.0f : n->tau_m / n->tau_syn_exc;

				if (span < 1.0f)
					span = 1.0f;
				l->weight_max = 2.0f * span * ratio / (l->connectivity * (float) fan_in);
				if (l->weight_max < l->weight_min)
					l->weight_max = l->weight_min;
			}
			snprintf(f, sizeof(f), "layers[%u].weight_max", i);
			if (!isfinite(l->weight_max) || fabsf(l->weight_max) > 1e6f)
				return snn_fail(err, SNN_E_RANGE, f, "%s must be a finite number within +-1e6", f);
			if (l->weight_max < l->weight_min)
				return snn_fail(err, SNN_E_RANGE, f, "%s must not be below weight_min", f);
		}
	}
	for (uint32_t i = cfg->n_layers; i < SNN_MAX_LAYERS; i++)
		memset(&cfg->layers[i], 0, sizeof(cfg->layers[i]));
	return SNN_OK;
}

/* ---- layer factors ---- */

/*
 * round(t / dt) as a step count, in double precision and clamped to
 * INT32_MAX: t_ref = 1e6 ms over dt = 3e-5 ms is 3.3e10 steps, which a
 * 32-bit (or a long on some platforms) conversion would wrap to garbage.
 * Any count above SNN_MAX_STEPS means "for the whole run" anyway.
 */
int32_t
snn_time_steps(double t, double dt)
{
	double		r = floor(t / dt + 0.5);

	if (!(r > 0.0))
		return 0;
	if (r >= (double) INT32_MAX)
		return INT32_MAX;
	return (int32_t) r;
}

/* Exact one-step factors of the linear LIF system, so dt can be coarse. */
void
snn_layer_prepare(snn_layer *l, float dt)
{
	const snn_neuron_config *p = &l->p;
	double		h = dt;

	l->model = p->model;
	l->decay_exc = (float) exp(-h / p->tau_syn_exc);
	l->decay_inh = (float) exp(-h / p->tau_syn_inh);
	l->ref_steps = snn_time_steps(p->t_ref, h);
	if (p->model == SNN_MODEL_IZHIKEVICH)
	{
		/* Euler substeps of at most 0.125 ms keep the quadratic stable */
		int			n = (int) ceil(h / 0.125 - 1e-9);

		l->izh_substeps = n < 1 ? 1 : n;
		l->izh_h = (float) (h / l->izh_substeps);
		l->decay_m = 1.0f;
		l->gain_exc = l->gain_inh = 0.0f;
		l->drive = 0.0f;
		l->decay_adapt = 1.0f;
		return;
	}

	/*
	 * v(t+h) - E = (v - E) a + I_s(t) * g_s with a = exp(-h/tau_m) and, for a
	 * current decaying with tau_s, g_s = tau_s / (tau_s - tau_m) (exp(-h /
	 * tau_s) - a), or h / tau_m * a when tau_s = tau_m.
	 */
	{
		double		tm = p->tau_m;
		double		a = exp(-h / tm);
		double		g[2];
		double		ts[2] = {p->tau_syn_exc, p->tau_syn_inh};

		for (int k = 0; k < 2; k++)
		{
			if (fabs(ts[k] - tm) < 1e-9 * tm)
				g[k] = h / tm * a;
			else
				g[k] = ts[k] / (ts[k] - tm) * (exp(-h / ts[k]) - a);
		}
		l->decay_m = (float) a;
		l->gain_exc = (float) g[0];
		l->gain_inh = (float) g[1];
		l->drive = (float) (((double) p->v_rest + p->bias) * (1.0 - a));
		l->decay_adapt = (float) exp(-h / p->tau_adapt);
		l->izh_substeps = 0;
		l->izh_h = 0.0f;
	}
}

/* ---- building ---- */

/* Projection ids for the random streams. */
#define PROJ_INPUT	0
#define PROJ_REC	1
#define PROJ_W_IN	2
#define PROJ_W_REC	3
#define PROJ_INIT	4

/*
 * Connected columns of one row by geometric skipping: calls emit for each
 * chosen column in ascending order, excluding column `skip` (or UINT32_MAX).
 */
typedef struct row_sampler
{
	uint64_t	rng;
	double		log1mp;			/* log(1 - p), or 0 for p = 1 */
	uint32_t	m;				/* candidates */
	uint32_t	skip;
	int64_t		j;				/* last position drawn */
} row_sampler;

static void
sampler_init(row_sampler *s, uint64_t seed, uint32_t proj, uint32_t row,
			 float p, uint32_t m, uint32_t skip)
{
	s->rng = rng_stream(seed, proj, row);
	s->log1mp = p >= 1.0f ? 0.0 : log1p(-(double) p);
	s->skip = skip;
	s->m = skip < m ? m - 1 : m;
	s->j = -1;
}

/* Next connected column, or UINT32_MAX at the end of the row. */
static inline uint32_t
sampler_next(row_sampler *s)
{
	uint32_t	c;

	if (s->log1mp == 0.0)
		s->j++;
	else
	{
		double		k = floor(log(snn_splitmix64_unit_pos(&s->rng)) / s->log1mp);

		if (k > (double) s->m)
			return UINT32_MAX;
		s->j += 1 + (int64_t) k;
	}
	if (s->j >= (int64_t) s->m)
		return UINT32_MAX;
	c = (uint32_t) s->j;
	if (c >= s->skip)
		c++;
	return c;
}

/* Layer slot layout: slots of each layer start at a multiple of 16. */
static uint32_t
layout_slots(const snn_config *cfg, uint32_t *first_slot, uint32_t *first_neuron)
{
	uint32_t	slot = 0,
				neuron = 0;

	for (uint32_t i = 0; i < cfg->n_layers; i++)
	{
		first_slot[i] = slot;
		first_neuron[i] = neuron;
		slot += ALIGN_UP(cfg->layers[i].size, SNN_SLOT_ALIGN);
		neuron += cfg->layers[i].size;
	}
	return slot;
}

/*
 * Walk every synapse of the network in CSR order.  With a NULL image it
 * only counts; otherwise it writes rows, targets and weights.
 */
typedef struct csr_out
{
	uint32_t   *rowptr;
	uint32_t   *target;
	float	   *weight;
	uint64_t	n;
} csr_out;

/* Append one synapse (source row already open) to out. */
static inline void
csr_put(csr_out *o, uint32_t slot, uint32_t n_slots, float w)
{
	if (o->target)
	{
		o->target[o->n] = w < 0.0f ? n_slots + slot : slot;
		o->weight[o->n] = w;
	}
	o->n++;
}

/* Synapses leaving one source row towards layer `to` (random or dense). */
static void
emit_projection(const snn_config *cfg, const snn_build_extra *extra,
				csr_out *o, uint32_t proj, uint32_t src, uint32_t to,
				const uint32_t *first_slot, uint32_t n_slots, uint32_t skip)
{
	const snn_layer_config *l = &cfg->layers[to];
	const float *dense = (extra && extra->weights && cfg->kind == SNN_KIND_FEEDFORWARD) ?
	extra->weights[to] : NULL;
	row_sampler s;
	uint64_t	wr = rng_stream(cfg->seed, proj + 2, src + (to << 24));
	float		p;
	uint32_t	c;

	if (dense)
	{
		for (c = 0; c < l->size; c++)
		{
			float		w = dense[(size_t) src * l->size + c];

			if (w != 0.0f)
				csr_put(o, first_slot[to] + c, n_slots, w);
		}
		return;
	}
	if (cfg->kind == SNN_KIND_RESERVOIR)
		p = proj == PROJ_INPUT ? cfg->res_input_connectivity : cfg->res_connectivity;
	else
		p = l->connectivity;
	sampler_init(&s, cfg->seed, proj + (to << 4), src, p, l->size, skip);
	while ((c = sampler_next(&s)) != UINT32_MAX)
	{
		float		w = 0.0f;

		if (o->target)
		{
			double		u = snn_splitmix64_unit_pos(&wr);

			if (cfg->kind == SNN_KIND_FEEDFORWARD)
				w = (float) (l->weight_min + (l->weight_max - l->weight_min) * u);
			else if (proj == PROJ_INPUT)
				w = (float) (cfg->res_input_scaling * u);
			else
			{
				int			exc = src < (uint32_t) llround((double) cfg->res_exc_ratio * l->size);

				if (cfg->res_fixed_weights)
					w = exc ? cfg->res_weight_exc : cfg->res_weight_inh;
				else if (exc)
					w = (float) u;
				else
				{
					double		ne = llround((double) cfg->res_exc_ratio * l->size);
					double		ni = l->size - ne;

					/* balanced: inhibitory mass equals excitatory mass */
					w = (float) (-u * (ne > 0 ? ne / ni : 1.0));
				}
			}
		}
		csr_put(o, first_slot[to] + c, n_slots, w);
	}
}

/* Work units of one CSR row: its synapses, plus the row itself. */
#define ROW_UNITS(o, before, size) ((o)->n - (before) + (size) / 16 + 16)

/* Input CSR: inputs -> first layer (feed-forward) or reservoir; 1 = cancelled. */
static int
walk_inputs(const snn_config *cfg, const snn_build_extra *extra, csr_out *o,
			const uint32_t *first_slot, uint32_t n_slots)
{
	for (uint32_t i = 0; i < cfg->n_inputs; i++)
	{
		uint64_t	before = o->n;

		if (o->rowptr)
			o->rowptr[i] = (uint32_t) o->n;
		emit_projection(cfg, extra, o, PROJ_INPUT, i, 0, first_slot, n_slots, UINT32_MAX);
		if (snn_interrupted(ROW_UNITS(o, before, cfg->layers[0].size)))
			return 1;
	}
	if (o->rowptr)
		o->rowptr[cfg->n_inputs] = (uint32_t) o->n;
	return 0;
}

/* Neuron CSR rows by source slot: next layer, lateral WTA, reservoir; 1 = cancelled. */
static int
walk_recurrent(const snn_config *cfg, const snn_build_extra *extra, csr_out *o,
			   const uint32_t *first_slot, uint32_t n_slots)
{
	uint32_t	slot = 0;

	for (uint32_t l = 0; l < cfg->n_layers; l++)
	{
		uint32_t	size = cfg->layers[l].size;
		uint32_t	padded = ALIGN_UP(size, SNN_SLOT_ALIGN);

		for (uint32_t i = 0; i < padded; i++, slot++)
		{
			uint64_t	before = o->n;

			if (o->rowptr)
				o->rowptr[slot] = (uint32_t) o->n;
			if (i >= size)
				continue;
			if (cfg->kind == SNN_KIND_RESERVOIR)
				emit_projection(cfg, extra, o, PROJ_REC, i, 0, first_slot, n_slots, i);
			else if (l + 1 < cfg->n_layers)
				emit_projection(cfg, extra, o, PROJ_REC, i, l + 1, first_slot, n_slots, UINT32_MAX);
			else if (cfg->wta)
			{
				for (uint32_t k = 0; k < size; k++)
					if (k != i)
						csr_put(o, first_slot[l] + k, n_slots, -cfg->wta_inhibition);
			}
			if (snn_interrupted(ROW_UNITS(o, before, size)))
				return 1;
		}
	}
	if (o->rowptr)
		o->rowptr[n_slots] = (uint32_t) o->n;
	return 0;
}

/* Byte layout of every section for the given counts. */
static size_t
layout_sections(snn_image *h, const snn_config *cfg, uint32_t n_slots,
				uint64_t n_in, uint64_t n_rec, uint32_t n_history)
{
	size_t		sizes[SNN_SEC_COUNT] = {0};
	size_t		off = ALIGN_UP(sizeof(snn_image), SNN_ALIGN);

	sizes[SNN_SEC_CONFIG] = sizeof(snn_config);
	sizes[SNN_SEC_LAYERS] = sizeof(snn_layer) * cfg->n_layers;
	if (cfg->kind == SNN_KIND_FANIN)
	{
		/* the block instead of the CSR sections */
		snn_fanin_layout lay;

		snn_fanin_layout_of(cfg->layers[0].size, cfg->fanin_k, cfg->fanin_kin, &lay);
		sizes[SNN_SEC_FANIN] = lay.size;
	}
	else
	{
		sizes[SNN_SEC_IN_ROWPTR] = sizeof(uint32_t) * ((size_t) cfg->n_inputs + 1);
		sizes[SNN_SEC_IN_TARGET] = sizeof(uint32_t) * n_in;
		sizes[SNN_SEC_IN_WEIGHT] = sizeof(float) * n_in;
		sizes[SNN_SEC_REC_ROWPTR] = sizeof(uint32_t) * ((size_t) n_slots + 1);
		sizes[SNN_SEC_REC_TARGET] = sizeof(uint32_t) * n_rec;
		sizes[SNN_SEC_REC_WEIGHT] = sizeof(float) * n_rec;
	}
	sizes[SNN_SEC_HISTORY] = sizeof(snn_history_rec) * n_history;
	for (int s = 0; s < SNN_SEC_COUNT; s++)
	{
		if (h)
		{
			h->sec[s].offset = off;
			h->sec[s].size = sizes[s];
		}
		off += ALIGN_UP(sizes[s], SNN_ALIGN);
	}
	return off;
}

/* State layout: v, I_exc, I_inh, adaptation/u, refractory, spike list. */
static size_t
state_bytes(uint32_t n_slots)
{
	/* state header (64) + 4 float arrays + i32 refractory + 2 u32 lists */
	return SNN_ALIGN + (size_t) 8 * ALIGN_UP((size_t) n_slots * 4, SNN_ALIGN);
}

snn_status
snn_image_plan(snn_config *cfg, const snn_build_extra *extra, snn_plan *plan,
			   snn_error *err)
{
	uint32_t	first_slot[SNN_MAX_LAYERS],
				first_neuron[SNN_MAX_LAYERS];
	snn_status	st;
	csr_out		o;
	double		expect = 0;

	memset(plan, 0, sizeof(*plan));
	if ((st = snn_config_normalize(cfg, err)) != SNN_OK)
		return st;
	if (extra && extra->n_history > SNN_MAX_HISTORY)
		return snn_fail(err, SNN_E_LIMIT, "history", "at most %d history records",
						SNN_MAX_HISTORY);
	plan->n_slots = layout_slots(cfg, first_slot, first_neuron);
	for (uint32_t l = 0; l < cfg->n_layers; l++)
		plan->n_neurons += cfg->layers[l].size;

	/* a cheap bound first, so a huge request fails before any sampling */
	for (uint32_t l = 0; l < cfg->n_layers; l++)
	{
		double		fan_in = l == 0 ? cfg->n_inputs : cfg->layers[l - 1].size;
		double		p = cfg->kind == SNN_KIND_RESERVOIR ? cfg->res_input_connectivity : cfg->layers[l].connectivity;

		expect += fan_in * cfg->layers[l].size * p;
		if (cfg->kind == SNN_KIND_RESERVOIR)
			expect += (double) cfg->layers[0].size * cfg->layers[0].size * cfg->res_connectivity;
	}
	if (cfg->wta)
		expect += (double) cfg->layers[cfg->n_layers - 1].size * cfg->layers[cfg->n_layers - 1].size;
	if (extra && extra->weights)
		expect = 0;				/* dense weights: counted exactly below */
	if (expect > 1.05 * SNN_MAX_SYNAPSES + 1000)
		return snn_fail(err, SNN_E_LIMIT, cfg->kind == SNN_KIND_RESERVOIR ? "connectivity" : "layers",
						"the network would have about %.0f synapses, more than the limit of %d",
						expect, SNN_MAX_SYNAPSES);

	if (cfg->kind == SNN_KIND_FANIN)
	{
		/* a fixed fan-in: the counts follow from the shape */
		plan->n_in_syn = (uint64_t) cfg->layers[0].size * cfg->fanin_kin;
		plan->n_rec_syn = (uint64_t) cfg->layers[0].size * cfg->fanin_k;
	}
	else if (extra && extra->no_random)
	{
		plan->n_in_syn = extra->n_in_syn;
		plan->n_rec_syn = extra->n_rec_syn;
	}
	else
	{
		memset(&o, 0, sizeof(o));
		if (walk_inputs(cfg, extra, &o, first_slot, plan->n_slots))
			return snn_cancelled(err);
		plan->n_in_syn = o.n;
		memset(&o, 0, sizeof(o));
		if (walk_recurrent(cfg, extra, &o, first_slot, plan->n_slots))
			return snn_cancelled(err);
		plan->n_rec_syn = o.n;
	}
	if (plan->n_in_syn + plan->n_rec_syn > SNN_MAX_SYNAPSES)
		return snn_fail(err, SNN_E_LIMIT, "synapses",
						"the network has %llu synapses, more than the limit of %d",
						(unsigned long long) (plan->n_in_syn + plan->n_rec_syn),
						SNN_MAX_SYNAPSES);
	plan->image_size = layout_sections(NULL, cfg, plan->n_slots, plan->n_in_syn,
									   plan->n_rec_syn, extra ? extra->n_history : 0);
	plan->scratch_size = cfg->kind == SNN_KIND_RESERVOIR ? (size_t) 2 * sizeof(double) * plan->n_slots : 0;
	return SNN_OK;
}

/* y += xi * row (targets folded onto slots); restrict keeps it tight. */
static void
spread_row(double *restrict y, const uint32_t *restrict tg, const float *restrict w,
		   uint32_t begin, uint32_t end, double xi, uint32_t n)
{
	for (uint32_t j = begin; j < end; j++)
	{
		uint32_t	t = tg[j];

		t -= t >= n ? n : 0;
		y[t] += w[j] * xi;
	}
}

/*
 * Spectral radius of the recurrent weights by power iteration: the growth
 * rate |W^k x|^(1/k) converges to it even when the leading eigenvalues are
 * a complex pair, so the log growth is averaged over the last iterations.
 */
static snn_status
spectral_radius(const snn_image *img, double *x, double *y, double *rho,
				snn_error *err)
{
	const uint32_t *rp = snn_sec(img, SNN_SEC_REC_ROWPTR);
	const uint32_t *tg = snn_sec(img, SNN_SEC_REC_TARGET);
	const float *w = snn_sec(img, SNN_SEC_REC_WEIGHT);
	uint32_t	n = img->n_slots;
	uint64_t	rng = rng_stream(img->seed, 7, 7);
	double		sumlog = 0;
	int			iters = 300,
				counted = 0;

	/* bound the work: about 1e9 multiply-adds */
	if (img->n_rec_syn > 0 && (double) img->n_rec_syn * iters > 1e9)
		iters = (int) (1e9 / (double) img->n_rec_syn);
	if (iters < 30)
		iters = 30;

	*rho = 0.0;
	for (uint32_t i = 0; i < n; i++)
		x[i] = snn_splitmix64_unit_pos(&rng) - 0.5;
	for (int it = 0; it < iters; it++)
	{
		double		norm = 0;

		if (snn_interrupted(img->n_rec_syn + 3 * (uint64_t) n))
			return snn_cancelled(err);

		memset(y, 0, sizeof(double) * n);
		for (uint32_t i = 0; i < n; i++)
			spread_row(y, tg, w, rp[i], rp[i + 1], x[i], n);
		for (uint32_t i = 0; i < n; i++)
			norm += y[i] * y[i];
		norm = sqrt(norm);
		if (norm == 0.0 || !isfinite(norm))
			return SNN_OK;
		for (uint32_t i = 0; i < n; i++)
			x[i] = y[i] / norm;
		if (it >= iters / 3)
		{
			sumlog += log(norm);
			counted++;
		}
	}
	*rho = exp(sumlog / counted);
	return SNN_OK;
}

/* The trace decay of a fan-in layer over one step (0 for the other kinds). */
static float
fanin_decay_trace(const snn_config *cfg)
{
	if (cfg->kind != SNN_KIND_FANIN)
		return 0.0f;
	return (float) exp(-(double) cfg->dt / cfg->fanin_tau_trace);
}

/* How snn_fanin_build wires the block of a fanin config. */
static void
fanin_spec_of(const snn_config *cfg, snn_fanin_spec *spec)
{
	spec->n = cfg->layers[0].size;
	spec->k = cfg->fanin_k;
	spec->n_in = cfg->n_inputs;
	spec->kin = cfg->fanin_kin;
	spec->exc_ratio = cfg->res_exc_ratio;
	spec->radius = cfg->res_spectral_radius;
	spec->input_gain = cfg->res_input_scaling;
	spec->unit = cfg->layers[0].neuron.v_th;
	spec->seed = cfg->seed;
}

snn_status
snn_image_build(const snn_config *cfg, const snn_build_extra *extra,
				const snn_plan *plan, void *image, void *scratch, snn_error *err)
{
	snn_image  *h = image;
	uint32_t	first_slot[SNN_MAX_LAYERS],
				first_neuron[SNN_MAX_LAYERS];
	snn_layer  *layers;
	csr_out		o;
	uint32_t	n_history = extra ? extra->n_history : 0;

	/* zero by megabytes: the first touch of fresh pages is the slow part */
	for (size_t off = 0; off < plan->image_size; off += (size_t) 1 << 20)
	{
		size_t		len = plan->image_size - off;

		memset((char *) image + off, 0, len < ((size_t) 1 << 20) ? len : ((size_t) 1 << 20));
		if (snn_interrupted((uint64_t) 1 << 18))
			return snn_cancelled(err);
	}
	h->magic = SNN_IMAGE_MAGIC;
	h->version = SNN_IMAGE_VERSION;
	h->kind = (uint16_t) cfg->kind;
	h->flags = cfg->wta ? SNN_FLAG_WTA : 0;
	h->header_size = sizeof(snn_image);
	h->n_inputs = cfg->n_inputs;
	h->n_layers = cfg->n_layers;
	h->n_slots = layout_slots(cfg, first_slot, first_neuron);
	h->n_neurons = plan->n_neurons;
	h->n_in_syn = plan->n_in_syn;
	h->n_rec_syn = plan->n_rec_syn;
	h->state_size = state_bytes(h->n_slots);
	h->dt = cfg->dt;
	h->seed = cfg->seed;
	h->n_history = n_history;
	h->total_size = layout_sections(h, cfg, h->n_slots, plan->n_in_syn, plan->n_rec_syn,
									n_history);
	if (h->total_size != plan->image_size || h->n_slots != plan->n_slots)
		return snn_fail(err, SNN_E_INTERNAL, "", "image plan does not match the build");
	memcpy((char *) image + h->sec[SNN_SEC_CONFIG].offset, cfg, sizeof(snn_config));

	layers = (snn_layer *) ((char *) image + h->sec[SNN_SEC_LAYERS].offset);
	for (uint32_t l = 0; l < cfg->n_layers; l++)
	{
		layers[l].size = cfg->layers[l].size;
		layers[l].first_neuron = first_neuron[l];
		layers[l].first_slot = first_slot[l];
		layers[l].p = cfg->layers[l].neuron;
		snn_layer_prepare(&layers[l], cfg->dt);
		layers[l].decay_trace = fanin_decay_trace(cfg);
	}
	if (extra && extra->no_random)
		return SNN_OK;
	if (cfg->kind == SNN_KIND_FANIN)
	{
		snn_fanin_spec spec;

		fanin_spec_of(cfg, &spec);
		(void) snn_fanin_build(&spec, (char *) image + h->sec[SNN_SEC_FANIN].offset);
		return SNN_OK;
	}

	o.rowptr = (uint32_t *) ((char *) image + h->sec[SNN_SEC_IN_ROWPTR].offset);
	o.target = (uint32_t *) ((char *) image + h->sec[SNN_SEC_IN_TARGET].offset);
	o.weight = (float *) ((char *) image + h->sec[SNN_SEC_IN_WEIGHT].offset);
	o.n = 0;
	if (walk_inputs(cfg, extra, &o, first_slot, h->n_slots))
		return snn_cancelled(err);
	if (o.n != plan->n_in_syn)
		return snn_fail(err, SNN_E_INTERNAL, "", "input synapse count changed between passes");
	o.rowptr = (uint32_t *) ((char *) image + h->sec[SNN_SEC_REC_ROWPTR].offset);
	o.target = (uint32_t *) ((char *) image + h->sec[SNN_SEC_REC_TARGET].offset);
	o.weight = (float *) ((char *) image + h->sec[SNN_SEC_REC_WEIGHT].offset);
	o.n = 0;
	if (walk_recurrent(cfg, extra, &o, first_slot, h->n_slots))
		return snn_cancelled(err);
	if (o.n != plan->n_rec_syn)
		return snn_fail(err, SNN_E_INTERNAL, "", "synapse count changed between passes");

	if (cfg->kind == SNN_KIND_RESERVOIR && !cfg->res_fixed_weights && h->n_rec_syn > 0)
	{
		double		rho;
		snn_status	st = spectral_radius(h, scratch, (double *) scratch + h->n_slots,
										 &rho, err);

		if (st != SNN_OK)
			return st;
		if (rho > 0.0)
		{
			float		scale = (float) (cfg->res_spectral_radius / rho);

			for (uint64_t j = 0; j < h->n_rec_syn; j++)
				o.weight[j] *= scale;
		}
	}
	return SNN_OK;
}

/* ---- validation of outside images ---- */

/* Check one CSR: rows monotone, ending at n, targets below limit, weights finite. */
static snn_status
check_csr(const snn_image *h, snn_section rs, snn_section ts, snn_section wsec,
		  uint32_t rows, uint64_t n, const char *name, snn_error *err)
{
	const uint32_t *rp = snn_sec(h, rs);
	const uint32_t *tg = snn_sec(h, ts);
	const float *w = snn_sec(h, wsec);

	if (rp[0] != 0 || rp[rows] != n)
		return snn_fail(err, SNN_E_FORMAT, name, "%s rows do not cover the synapses", name);
	for (uint32_t r = 0; r < rows; r++)
		if (rp[r + 1] < rp[r])
			return snn_fail(err, SNN_E_FORMAT, name, "%s row %u is not ordered", name, r);
	for (uint64_t j = 0; j < n; j++)
	{
		uint32_t	t = tg[j];
		uint32_t	slot = t >= h->n_slots ? t - h->n_slots : t;

		if ((j & 4095) == 0 && snn_interrupted(4096))
			return snn_cancelled(err);
		if (t >= 2 * h->n_slots)
			return snn_fail(err, SNN_E_FORMAT, name, "synapse %llu of %s targets slot %u, out of range",
							(unsigned long long) j, name, t);
		if (!isfinite(w[j]) || fabsf(w[j]) > 1e6f)
			return snn_fail(err, SNN_E_FORMAT, name, "weight %llu of %s is not a finite number within +-1e6",
							(unsigned long long) j, name);
		if ((w[j] < 0.0f) != (t >= h->n_slots))
			return snn_fail(err, SNN_E_FORMAT, name, "synapse %llu of %s has a weight sign that does not match its current",
							(unsigned long long) j, name);
		/* the target must be a real neuron, not padding */
		{
			const snn_layer *L = snn_layers(h);
			uint32_t	l = 0;

			while (l + 1 < h->n_layers && L[l + 1].first_slot <= slot)
				l++;
			if (slot < L[l].first_slot || slot - L[l].first_slot >= L[l].size)
				return snn_fail(err, SNN_E_FORMAT, name, "synapse %llu of %s targets a padding slot",
								(unsigned long long) j, name);
		}
	}
	return SNN_OK;
}

/*
 * The block of a fanin image: counts as in its header, every index in
 * range and the output index consistent (snn_fanin_check), every weight
 * finite within +-1e6.
 */
static snn_status
check_fanin(const snn_image *h, const snn_config *cfg, snn_error *err)
{
	snn_fanin	b;
	size_t		nk,
				nkin;

	snn_fanin_view((char *) h + h->sec[SNN_SEC_FANIN].offset, h->n_neurons,
				   (uint32_t) (h->n_rec_syn / h->n_neurons), h->n_inputs,
				   (uint32_t) (h->n_in_syn / h->n_neurons), &b);
	nk = (size_t) b.n * b.k;
	nkin = (size_t) b.n * b.kin;
	if (b.k != cfg->fanin_k || b.kin != cfg->fanin_kin ||
		nk != h->n_rec_syn || nkin != h->n_in_syn)
		return snn_fail(err, SNN_E_FORMAT, "header",
						"fan-in block counts do not match the config");
	if (snn_interrupted(2 * (nk + nkin)))
		return snn_cancelled(err);
	if (!snn_fanin_check(&b))
		return snn_fail(err, SNN_E_FORMAT, "synapses.fanin",
						"fan-in block has an index out of range");
	for (size_t j = 0; j < nk + nkin; j++)
	{
		float		w = j < nk ? b.w[j] : b.in_w[j - nk];

		if (!isfinite(w) || fabsf(w) > 1e6f)
			return snn_fail(err, SNN_E_FORMAT, "synapses.fanin",
							"weight %zu of the fan-in block is not a finite number within +-1e6", j);
	}
	return SNN_OK;
}

/*
 * The stored update factors equal the ones recomputed here, up to a few
 * float ulps: an image built where libm's exp() rounds differently must
 * still load.  Integer factors must match exactly.
 */
static int
factors_match(const snn_layer *a, const snn_layer *b)
{
	const float x[] = {a->decay_m, a->gain_exc, a->gain_inh, a->drive, a->decay_exc,
	a->decay_inh, a->decay_adapt, a->izh_h, a->decay_trace};
	const float y[] = {b->decay_m, b->gain_exc, b->gain_inh, b->drive, b->decay_exc,
	b->decay_inh, b->decay_adapt, b->izh_h, b->decay_trace};

	if (a->model != b->model || a->ref_steps != b->ref_steps ||
		a->izh_substeps != b->izh_substeps)
		return 0;
	for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); i++)
	{
		if (!isfinite(y[i]) || fabsf(x[i] - y[i]) > 1e-6f * fmaxf(1.0f, fabsf(x[i])))
			return 0;
	}
	return 1;
}

/* True when n bytes at p are all zero. */
static int
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/*
 * The canonical form: sections in order, each at the first 64-byte
 * boundary after the previous one, zero padding between them, header
 * fields consistent with the config, reserved fields and sections zero
 * unless a flag says they are used.  So two equal networks have equal
 * bytes, and a future format that uses a reserved field is refused by
 * this version instead of misread.
 */
static snn_status
check_canonical(const snn_image *h, const snn_config *cfg, snn_error *err)
{
	const uint32_t known = SNN_FLAG_WTA | SNN_FLAG_HAS_READOUT | SNN_FLAG_HAS_NORM | SNN_FLAG_TRAINED;
	size_t		off = ALIGN_UP(sizeof(snn_image), SNN_ALIGN);
	uint64_t	neurons = 0;
	const snn_config *stored = snn_sec(h, SNN_SEC_CONFIG);
	const snn_layer *L = snn_layers(h);
	const snn_history_rec *hist = snn_sec(h, SNN_SEC_HISTORY);

	for (uint32_t l = 0; l < cfg->n_layers; l++)
		neurons += cfg->layers[l].size;
	if (h->n_neurons != neurons || h->seed != cfg->seed)
		return snn_fail(err, SNN_E_FORMAT, "header", "network header does not match its config");
	if ((h->flags & ~known) != 0 || ((h->flags & SNN_FLAG_WTA) != 0) != (cfg->wta != 0))
		return snn_fail(err, SNN_E_FORMAT, "flags", "unknown or inconsistent network flags");
	if (!all_zero(h->reserved, sizeof(h->reserved)) || !all_zero(h->pad, sizeof(h->pad)))
		return snn_fail(err, SNN_E_FORMAT, "header", "reserved header fields are not zero");
	if (!(h->flags & SNN_FLAG_HAS_READOUT) &&
		(h->readout_inputs || h->readout_outputs || h->readout_layer || h->sec[SNN_SEC_READOUT].size))
		return snn_fail(err, SNN_E_FORMAT, "readout", "readout fields set without the readout flag");
	if (!(h->flags & SNN_FLAG_HAS_NORM) && (h->n_norm || h->sec[SNN_SEC_NORM].size))
		return snn_fail(err, SNN_E_FORMAT, "norm", "normalisation fields set without the flag");
	for (int s = 0; s < SNN_SEC_COUNT; s++)
	{
		if (s > SNN_SEC_FANIN && h->sec[s].size != 0)
			return snn_fail(err, SNN_E_FORMAT, "sections", "reserved section %d is not empty", s);
		if (h->sec[s].offset != off)
			return snn_fail(err, SNN_E_FORMAT, "sections", "section %d is not at its canonical offset", s);
		if (!all_zero((const char *) h + off + h->sec[s].size,
					  ALIGN_UP(h->sec[s].size, SNN_ALIGN) - h->sec[s].size))
			return snn_fail(err, SNN_E_FORMAT, "sections", "padding after section %d is not zero", s);
		off += ALIGN_UP(h->sec[s].size, SNN_ALIGN);
	}
	if (off != h->total_size)
		return snn_fail(err, SNN_E_FORMAT, "sections", "sections do not end at the end of the image");
	if (!all_zero(stored->reserved, sizeof(stored->reserved)))
		return snn_fail(err, SNN_E_FORMAT, "config", "reserved config fields are not zero");
	for (uint32_t l = 0; l < SNN_MAX_LAYERS; l++)
	{
		const snn_layer_config *lc = &stored->layers[l];

		if (l >= cfg->n_layers ? !all_zero(lc, sizeof(*lc)) :
			(!all_zero(lc->reserved, sizeof(lc->reserved)) || lc->reserved0 != 0 ||
			 !all_zero(lc->neuron.reserved, sizeof(lc->neuron.reserved))))
			return snn_fail(err, SNN_E_FORMAT, "config", "reserved config fields are not zero");
	}
	for (uint32_t l = 0; l < h->n_layers; l++)
		if (!all_zero(L[l].reserved, sizeof(L[l].reserved)))
			return snn_fail(err, SNN_E_FORMAT, "layers", "reserved layer fields are not zero");
	for (uint32_t i = 0; i < h->n_history; i++)
	{
		size_t		n = strnlen(hist[i].note, sizeof(hist[i].note));

		if (n == sizeof(hist[i].note) || !all_zero(hist[i].note + n, sizeof(hist[i].note) - n) ||
			!isfinite(hist[i].loss) || !isfinite(hist[i].metric))
			return snn_fail(err, SNN_E_FORMAT, "history", "history record %u is malformed", i);
		for (size_t k = 0; k < n; k++)
			if (hist[i].note[k] < 0x20 || hist[i].note[k] > 0x7e)
				return snn_fail(err, SNN_E_FORMAT, "history",
								"history record %u has a note that is not printable ASCII", i);
	}
	return SNN_OK;
}

snn_status
snn_image_validate(const void *image, size_t size, snn_error *err)
{
	const snn_image *h = image;
	snn_config	cfg;
	snn_status	st;
	uint32_t	first_slot[SNN_MAX_LAYERS],
				first_neuron[SNN_MAX_LAYERS];
	size_t		expect;
	const snn_layer *L;

	if (size < sizeof(snn_image))
		return snn_fail(err, SNN_E_FORMAT, "header", "network image too short (%zu bytes)", size);
	if (h->magic != SNN_IMAGE_MAGIC)
		return snn_fail(err, SNN_E_FORMAT, "magic", "not an snn network image (bad magic)");
	if (h->version != SNN_IMAGE_VERSION)
		return snn_fail(err, SNN_E_FORMAT, "version", "unsupported network image version %u",
						h->version);
	if (h->header_size != sizeof(snn_image) || h->total_size != size)
		return snn_fail(err, SNN_E_FORMAT, "header", "network image size does not match its header");
	for (int s = 0; s < SNN_SEC_COUNT; s++)
	{
		if (h->sec[s].offset % SNN_ALIGN != 0 || h->sec[s].offset < sizeof(snn_image) ||
			h->sec[s].offset > size || h->sec[s].size > size - h->sec[s].offset)
			return snn_fail(err, SNN_E_FORMAT, "sections", "section %d lies outside the image", s);
	}
	if (h->sec[SNN_SEC_CONFIG].size != sizeof(snn_config))
		return snn_fail(err, SNN_E_FORMAT, "config", "config section has the wrong size");
	memcpy(&cfg, snn_sec(h, SNN_SEC_CONFIG), sizeof(cfg));
	if ((st = snn_config_normalize(&cfg, err)) != SNN_OK)
		return st;
	if (cfg.kind != h->kind || cfg.n_inputs != h->n_inputs || cfg.n_layers != h->n_layers ||
		cfg.dt != h->dt || h->n_history > SNN_MAX_HISTORY ||
		h->n_in_syn + h->n_rec_syn > SNN_MAX_SYNAPSES)
		return snn_fail(err, SNN_E_FORMAT, "header", "network header does not match its config");
	if (layout_slots(&cfg, first_slot, first_neuron) != h->n_slots ||
		h->state_size != state_bytes(h->n_slots))
		return snn_fail(err, SNN_E_FORMAT, "header", "network slot layout does not match its config");
	{
		snn_image	tmp;

		memset(&tmp, 0, sizeof(tmp));
		expect = layout_sections(&tmp, &cfg, h->n_slots, h->n_in_syn, h->n_rec_syn, h->n_history);
		for (int s = SNN_SEC_CONFIG; s <= SNN_SEC_HISTORY; s++)
			if (tmp.sec[s].size != h->sec[s].size)
				return snn_fail(err, SNN_E_FORMAT, "sections", "section %d has the wrong size", s);
		if (tmp.sec[SNN_SEC_FANIN].size != h->sec[SNN_SEC_FANIN].size)
			return snn_fail(err, SNN_E_FORMAT, "sections", "section %d has the wrong size",
							SNN_SEC_FANIN);
		(void) expect;
	}
	if ((st = check_canonical(h, &cfg, err)) != SNN_OK)
		return st;
	L = snn_layers(h);
	for (uint32_t l = 0; l < h->n_layers; l++)
	{
		snn_layer	chk = L[l];

		if (L[l].size != cfg.layers[l].size || L[l].first_slot != first_slot[l] ||
			L[l].first_neuron != first_neuron[l] ||
			memcmp(&L[l].p, &cfg.layers[l].neuron, sizeof(snn_neuron_config)) != 0)
			return snn_fail(err, SNN_E_FORMAT, "layers", "layer %u does not match the config", l);
		snn_layer_prepare(&chk, h->dt);
		chk.decay_trace = fanin_decay_trace(&cfg);
		if ((chk.decay_trace == 0.0f) != (L[l].decay_trace == 0.0f) ||
			!factors_match(&chk, &L[l]))
			return snn_fail(err, SNN_E_FORMAT, "layers", "layer %u has inconsistent update factors", l);
	}
	if (cfg.kind == SNN_KIND_FANIN)
		return check_fanin(h, &cfg, err);
	if ((st = check_csr(h, SNN_SEC_IN_ROWPTR, SNN_SEC_IN_TARGET, SNN_SEC_IN_WEIGHT,
						h->n_inputs, h->n_in_syn, "synapses.input", err)) != SNN_OK)
		return st;
	if ((st = check_csr(h, SNN_SEC_REC_ROWPTR, SNN_SEC_REC_TARGET, SNN_SEC_REC_WEIGHT,
						h->n_slots, h->n_rec_syn, "synapses.recurrent", err)) != SNN_OK)
		return st;
	return SNN_OK;
}

uint32_t
snn_neuron_layer(const snn_image *img, uint32_t neuron)
{
	const snn_layer *L = snn_layers(img);
	uint32_t	l = 0;

	while (l + 1 < img->n_layers && L[l + 1].first_neuron <= neuron)
		l++;
	return l;
}

size_t
snn_image_with_section(const snn_image *img, snn_section s, const void *data,
					   size_t size, void *out, size_t out_size)
{
	snn_image  *h = out;
	size_t		off = ALIGN_UP(sizeof(snn_image), SNN_ALIGN);
	size_t		need = off;

	for (int k = 0; k < SNN_SEC_COUNT; k++)
		need += ALIGN_UP(k == (int) s ? size : img->sec[k].size, SNN_ALIGN);
	if (out == NULL || out_size < need)
		return need;
	memset(out, 0, need);
	memcpy(out, img, sizeof(snn_image));
	for (int k = 0; k < SNN_SEC_COUNT; k++)
	{
		size_t		sz = k == (int) s ? size : img->sec[k].size;
		const void *src = k == (int) s ? data : snn_sec(img, k);

		h->sec[k].offset = off;
		h->sec[k].size = sz;
		if (sz > 0 && src)
			memcpy((char *) out + off, src, sz);
		off += ALIGN_UP(sz, SNN_ALIGN);
	}
	h->total_size = need;
	if (s == SNN_SEC_HISTORY)
		h->n_history = (uint32_t) (size / sizeof(snn_history_rec));
	return need;
}
