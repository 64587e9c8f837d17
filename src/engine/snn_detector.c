/*
 * snn_detector.c: the streaming spiking-reservoir anomaly detector.
 *
 * See snn_detector.h for the algorithm.  The state is one flat buffer: a
 * fixed header followed by 64-byte aligned sections whose offsets depend on
 * the configuration only (recomputed by det_layout(), checked against the
 * copy kept in the header).  No pointers are stored, so a state can be
 * copied, saved and restored byte for byte.
 */
#include "snn_detector.h"
#include "snn_distance.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#if defined(__x86_64__) || defined(__SSE2__)
#include <xmmintrin.h>
#define DET_HAVE_MXCSR 1
#endif

/*
 * GCC's vector types, for loops whose selects would otherwise compile to
 * branches (a comparison may trap, so the compiler does not turn it into a
 * mask) or whose sums the compiler would keep in memory.  Lane-wise
 * operations, so the results are those of the scalar loops.
 */
#if defined(__GNUC__)
typedef float v4f __attribute__((vector_size(16)));
typedef float v8f __attribute__((vector_size(32)));
typedef double v4d __attribute__((vector_size(32)));
typedef long long v4q __attribute__((vector_size(32)));

/* Unaligned loads and stores of eight floats (macros: no vector ABI). */
#define LD8(v, p)	memcpy(&(v), (p), sizeof(v8f))
#define ST8(p, v)	memcpy((p), &(v), sizeof(v8f))
#endif

#define DET_MAGIC	0x534e4e44u	/* "SNND" */
#define DET_VERSION 2u	/* 2: readout column-major, STDP output index */
#define N_SIGNALS	2			/* prediction error, spike-pattern novelty */

/* ---------------------------------------------------------------------
 * configuration: a table of named numeric fields
 * --------------------------------------------------------------------- */

typedef struct field_desc
{
	const char *name;
	size_t		off;
	char		type;			/* 'i' int32, 'd' double */
	double		min;
	double		max;
	int			open_min;		/* min itself not allowed */
} field_desc;

#define FI(f, lo, hi) {#f, offsetof(snn_detector_config, f), 'i', lo, hi, 0}
#define FD(f, lo, hi) {#f, offsetof(snn_detector_config, f), 'd', lo, hi, 0}
#define FDO(f, lo, hi) {#f, offsetof(snn_detector_config, f), 'd', lo, hi, 1}

static const field_desc fields[] = {
	FI(preset, 0, 4),
	FI(n_features, 1, SNN_DETECTOR_MAX_FEATURES),
	FI(enc_fields, 2, SNN_DETECTOR_MAX_FIELDS),
	FD(enc_range, 0.01, 100),	/* a narrower code is a division by ~0 */
	FD(enc_width, 0.01, 100),
	FD(enc_norm_tau, 1, 1e9),
	FI(enc_delta, 0, 1),
	FI(enc_time_of_day, 0, SNN_DETECTOR_MAX_FIELDS),
	FI(enc_day_of_week, 0, 1),
	FI(res_neurons, 1, SNN_DETECTOR_MAX_NEURONS),
	FDO(res_connectivity, 0, 1),
	FD(res_spectral_radius, 0, 10),
	FDO(res_input_connectivity, 0, 1),
	FD(res_input_gain, 0, 1000),
	FD(res_exc_ratio, 0, 1),
	FI(res_model, 0, 1),
	FDO(res_tau_m, 0, 1e6),
	FDO(res_threshold, 0, 1e6),
	FDO(res_tau_adapt, 0, 1e9),
	FD(res_adapt, 0, 1e6),
	FDO(res_tau_trace, 0, 1e9),
	FI(res_substeps, 1, SNN_DETECTOR_MAX_SUBSTEPS),
	FI(res_reset, 0, 1),
	FI(res_ensemble, 1, SNN_DETECTOR_MAX_ENSEMBLE),
	FI(learn_online, 0, 1),
	FI(learn_stdp, 0, 1),
	FD(learn_stdp_rate, 0, 1),
	FDO(learn_readout_rate, 0, 2),
	FD(score_coverage, 0, 1),
	FI(score_signals, 1, 3),
	FI(score_memory, 0, SNN_DETECTOR_MAX_MEMORY),
	FI(score_memory_gap, 0, SNN_DETECTOR_MAX_MEMORY),
	FI(score_knn, 1, 16),
	FI(score_surprise_memory, 0, SNN_DETECTOR_MAX_MEMORY),
	FD(score_surprise_at, 0, 1),
	FD(score_range_tolerance, 0, 100),
	FD(score_log, 0, 1),
	FI(score_calibration, 0, SNN_DETECTOR_MAX_MEMORY),
	FD(score_tie, 0, 1),
	FD(score_tie_spread, 0, 100),
	FI(score_warmup, 0, 1000000000),
	FI(score_short, 1, SNN_DETECTOR_MAX_SHORT),
	FD(score_long_tau, 1, 1e9),
	FDO(score_min_std, 0, 1),
	FD(score_threshold, 0, 1),
	FI(score_refractory, 0, 1000000000),
	FD(score_alarm_adapt, 0, 1),
	FDO(score_alarm_tau, 0, 1e9),
};

#define N_FIELDS ((int) (sizeof(fields) / sizeof(fields[0])))

static const char *const preset_names[] = {
	"generic", "security", "performance", "business", "sensor"
};

static const char *const preset_actions[] = {
	"Inspect the events around the anomaly and compare them with the same "
	"period on previous days; confirm or dismiss so the baseline stays "
	"meaningful.",
	"Treat as a possible intrusion: check the source (user, host, key) of the "
	"contributing events, look for unusual logins, privilege changes or key "
	"usage, and revoke or rotate credentials if the activity is not "
	"explained.",
	"Check the affected service for saturation (CPU, memory, I/O, "
	"connections), recent deployments or configuration changes, and failing "
	"dependencies; scale out or roll back if latency or errors keep rising.",
	"Verify the data pipeline first (missing or duplicated events), then look "
	"for a campaign, pricing or partner change that explains the shift; "
	"alert the owner of the metric if it persists.",
	"Check the sensor and its surroundings: calibration drift, a failing "
	"device or a physical fault (overheating, leak, power); schedule an "
	"inspection if readings stay outside their usual band.",
};

/* Defaults shared by every preset; presets change a few fields. */
static void
config_base(snn_detector_config *c)
{
	memset(c, 0, sizeof(*c));
	c->preset = SNN_PRESET_GENERIC;
	c->n_features = 1;
	c->enc_fields = 16;
	c->enc_range = 4.0;
	c->enc_width = 1.0;
	c->enc_norm_tau = 2000.0;
	c->enc_delta = 1;
	c->enc_time_of_day = 12;
	c->enc_day_of_week = 0;
	c->res_neurons = 128;
	c->res_connectivity = 0.1;
	c->res_spectral_radius = 0.3;
	c->res_input_connectivity = 0.2;
	c->res_input_gain = 1.0;
	c->res_exc_ratio = 0.8;
	c->res_model = SNN_NEURON_ALIF;
	c->res_tau_m = 4.0;
	c->res_threshold = 1.0;
	c->res_tau_adapt = 20.0;
	c->res_adapt = 0.2;
	c->res_tau_trace = 8.0;
	c->res_substeps = 4;
	c->res_reset = 1;
	c->res_ensemble = 1;
	c->learn_online = 1;
	c->learn_stdp = 1;
	c->learn_stdp_rate = 1e-4;
	c->learn_readout_rate = 0.1;
	c->score_coverage = 0.3;
	c->score_signals = 2;
	c->score_memory = 512;
	c->score_memory_gap = 20;
	c->score_knn = 5;
	c->score_surprise_memory = 64;
	c->score_surprise_at = 0.99;
	c->score_range_tolerance = 0.05;
	c->score_calibration = 1000;
	c->score_tie_spread = 0.1;
	c->score_warmup = 300;
	c->score_short = 5;
	c->score_long_tau = 2000.0;
	c->score_min_std = 0.02;
	c->score_threshold = 0.5;
	c->score_refractory = 150;
	c->score_alarm_adapt = 0.0;
	c->score_alarm_tau = 5000.0;
}

/* Defaults for a named domain. */
snn_status
snn_detector_config_default(int preset, snn_detector_config *cfg,
							snn_error *err)
{
	if (preset < 0 || preset > SNN_PRESET_SENSOR)
		return snn_fail(err, SNN_E_CONFIG, "preset", "unknown preset %d", preset);
	config_base(cfg);
	cfg->preset = preset;
	switch (preset)
	{
		case SNN_PRESET_SECURITY:
			/* bursts matter more than slow drifts: react fast, fewer misses */
			cfg->score_short = 3;
			cfg->score_threshold = 0.45;
			cfg->score_refractory = 100;
			break;
		case SNN_PRESET_PERFORMANCE:
			/* the defaults were chosen on NAB's server metrics */
			break;
		case SNN_PRESET_BUSINESS:
			/* daily and weekly cycles: remember two weeks of hourly events */
			cfg->enc_time_of_day = 24;
			cfg->enc_day_of_week = 1;
			cfg->score_memory = 2048;
			cfg->score_calibration = 2000;
			cfg->score_threshold = 0.55;
			break;
		case SNN_PRESET_SENSOR:
			/* slow physical processes: longer memory, longer windows */
			cfg->enc_norm_tau = 5000.0;
			cfg->res_tau_trace = 16.0;
			cfg->score_short = 8;
			cfg->score_calibration = 2000;
			break;
		default:
			break;
	}
	return SNN_OK;
}

int
snn_detector_preset_from_name(const char *name)
{
	for (int i = 0; i <= SNN_PRESET_SENSOR; i++)
		if (strcmp(name, preset_names[i]) == 0)
			return i;
	return -1;
}

const char *
snn_detector_preset_name(int preset)
{
	if (preset < 0 || preset > SNN_PRESET_SENSOR)
		return "unknown";
	return preset_names[preset];
}

const char *
snn_detector_recommended_actions(int preset)
{
	if (preset < 0 || preset > SNN_PRESET_SENSOR)
		return preset_actions[0];
	return preset_actions[preset];
}

static const field_desc *
find_field(const char *name)
{
	for (int i = 0; i < N_FIELDS; i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

int
snn_detector_config_nfields(void)
{
	return N_FIELDS;
}

const char *
snn_detector_config_field_name(int i)
{
	return (i >= 0 && i < N_FIELDS) ? fields[i].name : NULL;
}

/* Set a field by name, checking its type and range. */
snn_status
snn_detector_config_set(snn_detector_config *cfg, const char *name,
						double value, snn_error *err)
{
	const field_desc *f = find_field(name);
	char	   *p;

	if (f == NULL)
		return snn_fail(err, SNN_E_CONFIG, name, "unknown detector setting \"%s\"", name);
	if (!isfinite(value))
		return snn_fail(err, SNN_E_NAN, name, "setting \"%s\" must be finite", name);
	if (value < f->min || value > f->max || (f->open_min && value <= f->min))
		return snn_fail(err, SNN_E_CONFIG, name,
						"setting \"%s\" is %g, must be in %c%g, %g]", name,
						value, f->open_min ? '(' : '[', f->min, f->max);
	p = (char *) cfg + f->off;
	if (f->type == 'i')
	{
		int32_t		iv;

		if (value != floor(value))
			return snn_fail(err, SNN_E_CONFIG, name,
							"setting \"%s\" must be an integer, not %g", name, value);
		iv = (int32_t) value;
		memcpy(p, &iv, sizeof(iv));
	}
	else
		memcpy(p, &value, sizeof(value));
	return SNN_OK;
}

static double
field_value(const snn_detector_config *cfg, const field_desc *f)
{
	const char *p = (const char *) cfg + f->off;

	if (f->type == 'i')
	{
		int32_t		iv;

		memcpy(&iv, p, sizeof(iv));
		return iv;
	}
	else
	{
		double		dv;

		memcpy(&dv, p, sizeof(dv));
		return dv;
	}
}

snn_status
snn_detector_config_get(const snn_detector_config *cfg, const char *name,
						double *value, snn_error *err)
{
	const field_desc *f = find_field(name);

	if (f == NULL)
		return snn_fail(err, SNN_E_CONFIG, name, "unknown detector setting \"%s\"", name);
	*value = field_value(cfg, f);
	return SNN_OK;
}

/* ---------------------------------------------------------------------
 * state layout
 * --------------------------------------------------------------------- */

typedef struct det_layout
{
	int			nf;				/* features */
	int			nval;			/* value code length (predicted) */
	int			nin;			/* input code length: value + time */
	int			n;				/* neurons */
	int			k;				/* recurrent fan-in */
	int			kin;			/* input fan-in */
	int			nx;				/* readout features: n + nin + 1 */
	int			ns;				/* short window */
	int			nm;				/* pattern memory */
	int			nsm;			/* surprise memory (0 without novelty) */
	int			nc;				/* calibration ring */
	size_t		off_norm;		/* double[nf * 7]: mean, var, prev, dvar, seen, min, max */
	size_t		off_v;			/* float[n] membrane */
	size_t		off_a;			/* float[n] threshold adaptation */
	size_t		off_tr;			/* float[n] spike traces */
	size_t		off_spk;		/* uint8[n] spikes of the last substep */
	size_t		off_cnt;		/* uint8[n] spike counts of the last event */
	size_t		off_ridx;		/* uint16[n * k] presynaptic neuron */
	size_t		off_rw;			/* float[n * k] recurrent weights */
	size_t		off_rptr;		/* uint32[n + 1] start of each neuron's outputs */
	size_t		off_rslot;		/* uint32[n * k] synapse slots (i * k + j) by pre */
	size_t		off_rpost;		/* uint16[n * k] postsynaptic neuron of each */
	size_t		off_iidx;		/* uint16[n * kin] input line */
	size_t		off_iw;			/* float[n * kin] input weights */
	size_t		off_w;			/* float[nx * nval] readout, column-major */
	size_t		off_x;			/* float[nx] readout features of last event */
	size_t		off_yhat;		/* float[nval] prediction for this event */
	size_t		off_mem;		/* uint8[nm * n] past spike patterns (ring) */
	size_t		off_smem;		/* uint8[nsm * n] patterns of surprises (ring) */
	size_t		off_sevent;		/* int64[nsm] the event each one came from */
	size_t		off_short;		/* double[N_SIGNALS * ns] raw signal ring */
	size_t		off_calib;		/* float[N_SIGNALS * nc] past raw values */
	size_t		size;			/* bytes of one member (all of it for one) */
	int			nens;			/* members: reservoirs of the ensemble */
	size_t		total;			/* bytes of the whole state: nens * size */
} det_layout;

typedef struct det_head
{
	uint32_t	magic;
	uint32_t	version;
	uint64_t	size;
	uint64_t	cfg_hash;
	uint64_t	rng;
	int64_t		events;
	int64_t		last_ts;
	int32_t		refractory_left;
	int32_t		short_pos;
	int32_t		short_count;
	int32_t		mem_pos;		/* next slot of the pattern memory */
	int32_t		mem_count;		/* patterns stored */
	int32_t		calib_pos;
	int32_t		calib_count;
	int32_t		winner;			/* member that made the last likelihood */
	int32_t		last_spikes;
	int32_t		pad;
	double		short_sum[N_SIGNALS];
	double		lmean[N_SIGNALS];	/* long-run mean of the short mean */
	double		lvar[N_SIGNALS];	/* long-run variance of the short mean */
	double		lcount[N_SIGNALS];
	double		last_score;
	double		alarm_adapt;	/* threshold adaptation of the alarm stage */
	double		x_norm;			/* 1e-9 + |x|^2 of the readout features, 0 if
								 * not yet known (states saved before it) */
	int32_t		smem_pos;		/* next slot of the surprise memory */
	int32_t		smem_count;		/* surprises stored */
} det_head;

static size_t
align64(size_t x)
{
	return (x + 63) & ~(size_t) 63;
}

/* Section offsets from a (valid) configuration. */
static void
det_layout_of(const snn_detector_config *c, det_layout *L)
{
	size_t		o;

	L->nf = c->n_features;
	L->nval = c->n_features * c->enc_fields * (c->enc_delta ? 2 : 1);
	L->nin = L->nval + c->enc_time_of_day + (c->enc_day_of_week ? 7 : 0);
	L->n = c->res_neurons;
	L->k = (int) lround(c->res_connectivity * c->res_neurons);
	if (L->k < 1)
		L->k = 1;
	if (L->k > L->n)
		L->k = L->n;
	L->kin = (int) lround(c->res_input_connectivity * L->nin);
	if (L->kin < 1)
		L->kin = 1;
	if (L->kin > L->nin)
		L->kin = L->nin;
	L->nx = L->n + L->nin + 1;
	L->ns = c->score_short;
	L->nm = c->score_memory;
	L->nsm = (c->score_signals & 2) && L->nm > 0 ? c->score_surprise_memory : 0;
	L->nc = c->score_calibration;

	o = align64(sizeof(det_head));
	L->off_norm = o;
	o = align64(o + sizeof(double) * L->nf * 7);
	L->off_v = o;
	o = align64(o + sizeof(float) * L->n);
	L->off_a = o;
	o = align64(o + sizeof(float) * L->n);
	L->off_tr = o;
	o = align64(o + sizeof(float) * L->n);
	L->off_spk = o;
	o = align64(o + L->n);
	L->off_cnt = o;
	o = align64(o + L->n);
	L->off_ridx = o;
	o = align64(o + sizeof(uint16_t) * L->n * L->k);
	L->off_rw = o;
	o = align64(o + sizeof(float) * L->n * L->k);
	L->off_rptr = o;
	o = align64(o + sizeof(uint32_t) * (L->n + 1));
	L->off_rslot = o;
	o = align64(o + sizeof(uint32_t) * L->n * L->k);
	L->off_rpost = o;
	o = align64(o + sizeof(uint16_t) * L->n * L->k);
	L->off_iidx = o;
	o = align64(o + sizeof(uint16_t) * L->n * L->kin);
	L->off_iw = o;
	o = align64(o + sizeof(float) * L->n * L->kin);
	L->off_w = o;
	o = align64(o + sizeof(float) * (size_t) L->nval * L->nx);
	L->off_x = o;
	o = align64(o + sizeof(float) * L->nx);
	L->off_yhat = o;
	o = align64(o + sizeof(float) * L->nval);
	L->off_mem = o;
	o = align64(o + (size_t) L->nm * L->n);
	L->off_smem = o;
	o = align64(o + (size_t) L->nsm * L->n);
	L->off_sevent = o;
	o = align64(o + sizeof(int64_t) * L->nsm);
	L->off_short = o;
	o = align64(o + sizeof(double) * N_SIGNALS * L->ns);
	L->off_calib = o;
	o = align64(o + sizeof(float) * N_SIGNALS * L->nc);
	L->size = o;
	/* members follow each other; member 0's head also holds the alarm stage */
	L->nens = c->res_ensemble;
	L->total = o * (size_t) L->nens;
}

/* Member m of an ensemble state (member 0 is the state itself). */
#define MEMBER(st, L, m) ((void *) ((char *) (st) + (size_t) (m) * (L).size))
#define CMEMBER(st, L, m) ((const void *) ((const char *) (st) + (size_t) (m) * (L).size))

/* FNV-1a over the configuration fields, to recognise a foreign state. */
static uint64_t
config_hash(const snn_detector_config *cfg)
{
	uint64_t	h = 1469598103934665603ULL;

	for (int i = 0; i < N_FIELDS; i++)
	{
		double		v = field_value(cfg, &fields[i]);
		unsigned char b[sizeof(double)];

		/* a single reservoir hashes as before the ensemble existed */
		if (fields[i].off == offsetof(snn_detector_config, res_ensemble) &&
			v == 1.0)
			continue;
		memcpy(b, &v, sizeof(v));
		for (size_t j = 0; j < sizeof(b); j++)
		{
			h ^= b[j];
			h *= 1099511628211ULL;
		}
	}
	return h;
}

snn_status
snn_detector_validate(const snn_detector_config *cfg, snn_error *err)
{
	det_layout	L;

	if (cfg == NULL)
		return snn_fail(err, SNN_E_CONFIG, "", "no detector configuration");
	for (int i = 0; i < N_FIELDS; i++)
	{
		const field_desc *f = &fields[i];
		double		v = field_value(cfg, f);

		if (!isfinite(v))
			return snn_fail(err, SNN_E_NAN, f->name, "setting \"%s\" must be finite", f->name);
		if (v < f->min || v > f->max || (f->open_min && v <= f->min))
			return snn_fail(err, SNN_E_CONFIG, f->name,
							"setting \"%s\" is %g, must be in %c%g, %g]", f->name,
							v, f->open_min ? '(' : '[', f->min, f->max);
	}
	if (cfg->res_model == SNN_NEURON_ALIF && cfg->res_adapt <= 0.0)
		return snn_fail(err, SNN_E_CONFIG, "res_adapt",
						"setting \"res_adapt\" must be positive for adaptive LIF neurons");
	if (cfg->score_warmup < cfg->score_short)
		return snn_fail(err, SNN_E_CONFIG, "score_warmup",
						"setting \"score_warmup\" (%d) must be at least score_short (%d)",
						cfg->score_warmup, cfg->score_short);
	det_layout_of(cfg, &L);
	if (L.nin > 65535)
		return snn_fail(err, SNN_E_LIMIT, "enc_fields",
						"input code of %d lines is over the limit of 65535", L.nin);
	if (L.total > SNN_DETECTOR_MAX_STATE && L.nens > 1)
		return snn_fail(err, SNN_E_LIMIT, "res_ensemble",
						"detector state of %zu bytes (%d reservoirs of %zu) is over the limit of %d",
						L.total, L.nens, L.size, SNN_DETECTOR_MAX_STATE);
	if (L.total > SNN_DETECTOR_MAX_STATE)
		return snn_fail(err, SNN_E_LIMIT, "res_neurons",
						"detector state of %zu bytes is over the limit of %d",
						L.total, SNN_DETECTOR_MAX_STATE);
	return SNN_OK;
}

size_t
snn_detector_state_size(const snn_detector_config *cfg)
{
	det_layout	L;

	if (snn_detector_validate(cfg, NULL) != SNN_OK)
		return 0;
	det_layout_of(cfg, &L);
	return L.total;
}

/* ---------------------------------------------------------------------
 * helpers
 * --------------------------------------------------------------------- */

/* splitmix64: seeded, portable, no libc state */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t	z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static double
rng_unif(uint64_t *s)
{
	return (rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

#define SEC(st, L, off, T) ((T *) ((char *) (st) + (L).off))
#define CSEC(st, L, off, T) ((const T *) ((const char *) (st) + (L).off))

/* Pick k distinct integers of [0, n) (partial Fisher-Yates on a scratch). */
static void
pick_distinct(uint64_t *rng, int n, int k, int exclude, uint16_t *out)
{
	int			got = 0;

	/* rejection sampling: k is small against n in practice */
	while (got < k)
	{
		int			c = (int) (rng_unif(rng) * n);
		int			dup = (c == exclude && k < n);

		for (int j = 0; j < got && !dup; j++)
			dup = (out[j] == c);
		if (!dup)
			out[got++] = (uint16_t) c;
	}
}

/*
 * The outgoing synapses of each neuron (a CSR of slots into the recurrent
 * weights, in slot order), so that STDP visits only the synapses of the
 * neurons that fired.
 */
static void
index_outputs(const det_layout *L, void *state)
{
	const uint16_t *ridx = CSEC(state, *L, off_ridx, uint16_t);
	uint32_t   *rptr = SEC(state, *L, off_rptr, uint32_t);
	uint32_t   *rslot = SEC(state, *L, off_rslot, uint32_t);
	uint16_t   *rpost = SEC(state, *L, off_rpost, uint16_t);
	size_t		nk = (size_t) L->n * L->k;

	memset(rptr, 0, sizeof(uint32_t) * (L->n + 1));
	for (size_t s = 0; s < nk; s++)
		rptr[ridx[s] + 1]++;
	for (int p = 0; p < L->n; p++)
		rptr[p + 1] += rptr[p];
	/* fill with rptr[p] as the cursor of p, then shift the starts back */
	for (size_t s = 0; s < nk; s++)
	{
		uint32_t	at = rptr[ridx[s]]++;

		rslot[at] = (uint32_t) s;
		rpost[at] = (uint16_t) (s / L->k);
	}
	for (int p = L->n; p > 0; p--)
		rptr[p] = rptr[p - 1];
	rptr[0] = 0;
}

/* One member: its own seeded reservoir and input weights, empty memories. */
static void
init_member(const snn_detector_config *cfg, const det_layout *L, void *state,
			uint64_t seed)
{
	det_head   *h = (det_head *) state;
	uint64_t	rng = seed ^ 0x6a09e667f3bcc909ULL;
	uint16_t   *ridx,
			   *iidx;
	float	   *rw,
			   *iw;
	double		sumsq = 0.0,
				scale;
	int			n_exc;

	h->magic = DET_MAGIC;
	h->version = DET_VERSION;
	h->size = L->size;
	h->cfg_hash = config_hash(cfg);

	/* recurrent weights: Dale's law, balanced E/I, scaled to the radius */
	ridx = SEC(state, *L, off_ridx, uint16_t);
	rw = SEC(state, *L, off_rw, float);
	n_exc = (int) lround(cfg->res_exc_ratio * L->n);
	for (int i = 0; i < L->n; i++)
	{
		pick_distinct(&rng, L->n, L->k, i, ridx + (size_t) i * L->k);
		for (int j = 0; j < L->k; j++)
		{
			int			pre = ridx[(size_t) i * L->k + j];
			double		w = rng_unif(&rng);

			if (pre >= n_exc)
				w = -w * (n_exc > 0 && n_exc < L->n ?
						  (double) n_exc / (L->n - n_exc) : 1.0);
			rw[(size_t) i * L->k + j] = (float) w;
			sumsq += w * w;
		}
	}

	/*
	 * Circular law: a sparse random matrix with zero-mean entries has its
	 * eigenvalues in a disc of radius sqrt(mean row sum of squares).
	 */
	scale = sumsq > 0 ? cfg->res_spectral_radius / sqrt(sumsq / L->n) : 0.0;
	for (size_t j = 0; j < (size_t) L->n * L->k; j++)
		rw[j] = (float) (rw[j] * scale * cfg->res_threshold);

	index_outputs(L, state);

	/* input weights: random sign, so neurons respond to different mixtures */
	iidx = SEC(state, *L, off_iidx, uint16_t);
	iw = SEC(state, *L, off_iw, float);
	for (int i = 0; i < L->n; i++)
	{
		pick_distinct(&rng, L->nin, L->kin, -1, iidx + (size_t) i * L->kin);
		for (int j = 0; j < L->kin; j++)
		{
			double		w = 0.5 + rng_unif(&rng);

			if (rng_unif(&rng) < 0.3)
				w = -w;
			iw[(size_t) i * L->kin + j] = (float) (w * cfg->res_input_gain *
												   cfg->res_threshold);
		}
	}
	h->rng = rng;
	h->last_ts = INT64_MIN;
}

/*
 * The seed of member m: member 0 has the detector's own seed, so a single
 * reservoir is the first member of every ensemble of the same seed.
 */
static uint64_t
member_seed(uint64_t seed, int m)
{
	return seed ^ ((uint64_t) m * 0x9E3779B97F4A7C15ULL);
}

snn_status
snn_detector_init(const snn_detector_config *cfg, void *state,
				  size_t state_size, uint64_t seed, snn_error *err)
{
	det_layout	L;
	snn_status	st;

	if ((st = snn_detector_validate(cfg, err)) != SNN_OK)
		return st;
	det_layout_of(cfg, &L);
	if (state == NULL || state_size < L.total)
		return snn_fail(err, SNN_E_NOMEM, "state",
						"detector state buffer of %zu bytes, %zu needed",
						state_size, L.total);
	memset(state, 0, L.total);
	for (int m = 0; m < L.nens; m++)
		init_member(cfg, &L, MEMBER(state, L, m), member_seed(seed, m));
	((det_head *) state)->size = L.total;
	return SNN_OK;
}

/* A position p of a ring of n slots, with c of them filled, is usable. */
static int
ring_ok(int32_t p, int32_t c, int n)
{
	return c >= 0 && c <= n && (n == 0 ? p == 0 : p >= 0 && p < n);
}

/*
 * Every index a step follows or writes through (ring positions, synapse and
 * input indices, the output index of STDP) stays inside its section, so a
 * damaged state that passed the checksum cannot make a step touch memory
 * outside the buffer.
 */
static int
state_indices_ok(const det_layout *L, const void *state)
{
	const det_head *h = (const det_head *) state;
	const uint16_t *ridx = CSEC(state, *L, off_ridx, uint16_t);
	const uint16_t *iidx = CSEC(state, *L, off_iidx, uint16_t);
	const uint32_t *rptr = CSEC(state, *L, off_rptr, uint32_t);
	const uint32_t *rslot = CSEC(state, *L, off_rslot, uint32_t);
	const uint16_t *rpost = CSEC(state, *L, off_rpost, uint16_t);
	size_t		nk = (size_t) L->n * L->k;

	/* a negative event count would overflow the surprise memory's gap test */
	if (h->events < 0 ||
		!ring_ok(h->mem_pos, h->mem_count, L->nm) ||
		!ring_ok(h->smem_pos, h->smem_count, L->nsm) ||
		!ring_ok(h->calib_pos, h->calib_count, L->nc) ||
		!ring_ok(h->short_pos, h->short_count, L->ns))
		return 0;
	for (size_t s = 0; s < nk; s++)
		if (ridx[s] >= L->n)
			return 0;
	for (size_t s = 0; s < (size_t) L->n * L->kin; s++)
		if (iidx[s] >= L->nin)
			return 0;
	if (rptr[0] != 0 || rptr[L->n] != nk)
		return 0;
	for (int p = 0; p < L->n; p++)
	{
		if (rptr[p + 1] < rptr[p])
			return 0;
		for (uint32_t at = rptr[p]; at < rptr[p + 1]; at++)
			if (rslot[at] >= nk || ridx[rslot[at]] != p ||
				rpost[at] != rslot[at] / L->k)
				return 0;
	}
	return 1;
}

/* True when n floats from p are all finite. */
static int
floats_finite(const float *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(p[i]))
			return 0;
	return 1;
}

/* True when n doubles from p are all finite. */
static int
doubles_finite(const double *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(p[i]))
			return 0;
	return 1;
}

/*
 * Every number of a member is finite: a state from outside (an import, a
 * damaged file with a valid checksum) with a NaN or an infinity would
 * otherwise give scores that are not numbers.
 */
static int
state_numbers_ok(const det_layout *L, const void *state)
{
	const det_head *h = (const det_head *) state;
	size_t		nk = (size_t) L->n * L->k;

	return doubles_finite(h->short_sum, N_SIGNALS) &&
		doubles_finite(h->lmean, N_SIGNALS) &&
		doubles_finite(h->lvar, N_SIGNALS) &&
		doubles_finite(h->lcount, N_SIGNALS) &&
		isfinite(h->last_score) && isfinite(h->alarm_adapt) && isfinite(h->x_norm) &&
		doubles_finite(CSEC(state, *L, off_norm, double), (size_t) L->nf * 7) &&
		floats_finite(CSEC(state, *L, off_v, float), L->n) &&
		floats_finite(CSEC(state, *L, off_a, float), L->n) &&
		floats_finite(CSEC(state, *L, off_tr, float), L->n) &&
		floats_finite(CSEC(state, *L, off_rw, float), nk) &&
		floats_finite(CSEC(state, *L, off_iw, float), (size_t) L->n * L->kin) &&
		floats_finite(CSEC(state, *L, off_w, float), (size_t) L->nval * L->nx) &&
		floats_finite(CSEC(state, *L, off_x, float), L->nx) &&
		floats_finite(CSEC(state, *L, off_yhat, float), L->nval) &&
		doubles_finite(CSEC(state, *L, off_short, double), (size_t) N_SIGNALS * L->ns) &&
		floats_finite(CSEC(state, *L, off_calib, float), (size_t) N_SIGNALS * L->nc);
}

snn_status
snn_detector_check_state(const snn_detector_config *cfg, const void *state,
						 size_t state_size, snn_error *err)
{
	const det_head *h = (const det_head *) state;
	det_layout	L;
	snn_status	st;

	if ((st = snn_detector_validate(cfg, err)) != SNN_OK)
		return st;
	det_layout_of(cfg, &L);
	if (state == NULL || state_size < sizeof(det_head))
		return snn_fail(err, SNN_E_FORMAT, "state", "detector state is too short");
	if (h->magic != DET_MAGIC || h->version != DET_VERSION)
		return snn_fail(err, SNN_E_FORMAT, "state",
						"not a detector state of format version %u", DET_VERSION);
	if (h->size != L.total || state_size < L.total)
		return snn_fail(err, SNN_E_FORMAT, "state",
						"detector state of %llu bytes, configuration needs %zu",
						(unsigned long long) h->size, L.total);
	if (h->cfg_hash != config_hash(cfg))
		return snn_fail(err, SNN_E_FORMAT, "state",
						"detector state was made for another configuration");
	/* the refractory period scales the score: outside it, no score in [0, 1] */
	if (h->refractory_left < 0 || h->refractory_left > cfg->score_refractory)
		return snn_fail(err, SNN_E_FORMAT, "state",
						"detector state has a refractory count out of range");
	if (h->winner < 0 || h->winner >= L.nens)
		return snn_fail(err, SNN_E_FORMAT, "state",
						"detector state names member %d of an ensemble of %d",
						h->winner, L.nens);
	for (int m = 0; m < L.nens; m++)
	{
		const det_head *hm = (const det_head *) CMEMBER(state, L, m);

		if (m > 0 && (hm->magic != DET_MAGIC || hm->version != DET_VERSION ||
					  hm->size != L.size || hm->cfg_hash != h->cfg_hash))
			return snn_fail(err, SNN_E_FORMAT, "state",
							"member %d of the detector state is damaged", m);
		if (!state_indices_ok(&L, CMEMBER(state, L, m)))
			return snn_fail(err, SNN_E_FORMAT, "state",
							"detector state has an index out of range");
		if (!state_numbers_ok(&L, CMEMBER(state, L, m)))
			return snn_fail(err, SNN_E_FORMAT, "state",
							"detector state holds a number that is not finite");
	}
	return SNN_OK;
}

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

/* Upper-tail likelihood 1 - Q(z) of a standard normal. */
static double
normal_cdf(double z)
{
	return 0.5 * erfc(-z / sqrt(2.0));
}

/* ---------------------------------------------------------------------
 * one event
 * --------------------------------------------------------------------- */

/*
 * Normalise and encode the features into u (input code); *outside is the
 * largest excursion beyond the range seen so far and *outside_f the feature
 * that made it, so an out-of-range anomaly names the value that left.
 */
static void
encode_event(const snn_detector_config *cfg, const det_layout *L,
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

/*
 * One STDP change of a weight: sign kept (Dale), magnitude in [0, wmax], no
 * change when dw is 0 or when skip is set.  The selects are masks on the
 * bits: the weight's sign and a change's clamp at 0 are coin flips, which
 * as branches mispredicted (most of a step's time with the defaults).  A
 * weight of -0 counts as excitatory, as "old < 0" says.
 */
static inline void
stdp_apply(float *w, float dw, float wmax, int skip)
{
	float		old = *w,
				mag = fabsf(old) + dw;
	uint32_t	ob,
				mb,
				neg = -(uint32_t) (old < 0.0f),
				low = -(uint32_t) (mag < 0.0f),
				keep = -(uint32_t) (dw != 0.0f && !skip);

	mag = mag > wmax ? wmax : mag;
	memcpy(&ob, &old, sizeof(ob));
	memcpy(&mb, &mag, sizeof(mb));
	mb &= ~low;					/* below 0: +0 */
	mb ^= neg & 0x80000000u;	/* the sign of the old weight */
	mb = (mb & keep) | (ob & ~keep);
	memcpy(w, &mb, sizeof(mb));
}

/*
 * Pair-based STDP with traces for the synapses of the neurons that fired in
 * this substep (fl, n_fired of them): a synapse onto a firing neuron is
 * potentiated by its pre's trace (and depressed as well when the pre fired
 * too); a synapse from a firing neuron onto a silent one is depressed by the
 * post's trace.  Every other synapse is unchanged, and each synapse changes
 * on its own, so this equals the walk over all synapses, in a fraction of
 * the time.
 */
static void
stdp_fired(const det_layout *L, void *state, const uint8_t *newspk,
		   const uint16_t *fl, int n_fired, float eta, float wmax)
{
	const uint16_t *ridx = CSEC(state, *L, off_ridx, uint16_t);
	const uint32_t *rptr = CSEC(state, *L, off_rptr, uint32_t);
	const uint32_t *rslot = CSEC(state, *L, off_rslot, uint32_t);
	const uint16_t *rpost = CSEC(state, *L, off_rpost, uint16_t);
	const float *tr = CSEC(state, *L, off_tr, float);
	float	   *rw = SEC(state, *L, off_rw, float);
	float		dep = 1.05f * eta;

	for (int f = 0; f < n_fired; f++)
	{
		int			i = fl[f];
		const uint16_t *ri = ridx + (size_t) i * L->k;
		float	   *wi = rw + (size_t) i * L->k;

		for (int j = 0; j < L->k; j++)
		{
			int			p = ri[j];
			float		dw = 0.0f;

			dw += eta * tr[p];	/* pre before post: potentiate */
			/* post before pre: depress (b * 0 = +0 takes nothing off) */
			dw -= dep * tr[i] * (float) newspk[p];
			stdp_apply(&wi[j], dw, wmax, 0);
		}
	}
	for (int f = 0; f < n_fired; f++)
	{
		int			p = fl[f];

		for (uint32_t at = rptr[p]; at < rptr[p + 1]; at++)
		{
			int			i = rpost[at];
			float		dw = 0.0f;

			dw -= dep * tr[i];	/* post before pre: depress */
			/* a synapse onto a firing neuron was done above */
			stdp_apply(&rw[rslot[at]], dw, wmax, newspk[i]);
		}
	}
}

/*
 * out[i] = sum over j < k of w[i k + j] * src[idx[i k + j]] for n rows: the
 * input and the recurrent currents.  Eight rows at a time: each sum adds its
 * terms in the same order as one row at a time would, but eight independent
 * sums do not wait on each other's additions.
 */
static void
sparse_sums(const uint16_t *idx, const float *w, const float *src, int n,
			int k, float *out)
{
	int			i = 0;

	for (; i + 8 <= n; i += 8)
	{
		float		s[8] = {0};

		for (int j = 0; j < k; j++)
			for (int r = 0; r < 8; r++)
			{
				size_t		o = (size_t) (i + r) * k + j;

				s[r] += w[o] * src[idx[o]];
			}
		for (int r = 0; r < 8; r++)
			out[i + r] = s[r];
	}
	for (; i < n; i++)
	{
		float		s = 0.0f;

		for (int j = 0; j < k; j++)
			s += w[(size_t) i * k + j] * src[idx[(size_t) i * k + j]];
		out[i] = s;
	}
}

/* Simulate the reservoir for one event; returns the number of spikes. */
static int
run_reservoir(const snn_detector_config *cfg, const det_layout *L, void *state,
			  const float *u, int learn)
{
	float	   *v = SEC(state, *L, off_v, float);
	float	   *a = SEC(state, *L, off_a, float);
	float	   *tr = SEC(state, *L, off_tr, float);
	uint8_t    *spk = SEC(state, *L, off_spk, uint8_t);
	uint8_t    *cnt = SEC(state, *L, off_cnt, uint8_t);
	const uint16_t *ridx = SEC(state, *L, off_ridx, uint16_t);
	float	   *rw = SEC(state, *L, off_rw, float);
	const uint16_t *iidx = SEC(state, *L, off_iidx, uint16_t);
	const float *iw = SEC(state, *L, off_iw, float);
	float		dm = (float) exp(-1.0 / cfg->res_tau_m);
	float		da = (float) exp(-1.0 / cfg->res_tau_adapt);
	float		dt = (float) exp(-1.0 / cfg->res_tau_trace);
	float		thr = (float) cfg->res_threshold;
	float		adapt = cfg->res_model == SNN_NEURON_ALIF ? (float) cfg->res_adapt : 0.0f;
	float		eta = (float) cfg->learn_stdp_rate;
	int			stdp = learn && cfg->learn_stdp && eta > 0;
	float		wmax = 2.0f * thr;
	uint8_t		newspk[SNN_DETECTOR_MAX_NEURONS];
	uint16_t	fl[SNN_DETECTOR_MAX_NEURONS];
	float		iin[SNN_DETECTOR_MAX_NEURONS],
				rec[SNN_DETECTOR_MAX_NEURONS],
				spkf[SNN_DETECTOR_MAX_NEURONS];
	int			total = 0,
				prev = 0;

	sparse_sums(iidx, iw, u, L->n, L->kin, iin);
	for (int i = 0; i < L->n; i++)
	{
		/* mean input over the fan-in; 4 x threshold saturates a neuron */
		iin[i] = iin[i] / L->kin * 4.0f;
		cnt[i] = 0;
		if (cfg->res_reset)
			v[i] = 0.0f;		/* each event starts from rest: no phase jitter */
		spkf[i] = spk[i];		/* the spikes as weights' factors, 0 or 1 */
		prev += spk[i];
	}
	for (int step = 0; step < cfg->res_substeps; step++)
	{
		int			fired = 0;

		/*
		 * Spikes are sparse: with none in the last substep every recurrent
		 * sum is +0, and adding +0 changes no membrane (it is never -0).
		 */
		if (prev > 0)
			sparse_sums(ridx, rw, spkf, L->n, L->k, rec);
		for (int i = 0; i < L->n; i++)
		{
			v[i] = v[i] * dm + iin[i] + (prev > 0 ? rec[i] : 0.0f);
			newspk[i] = v[i] >= thr + a[i];
			if (newspk[i])
			{
				v[i] = 0.0f;
				a[i] += adapt;
				fl[fired++] = (uint16_t) i;
				if (cnt[i] < 255)
					cnt[i]++;
			}
			a[i] *= da;
		}
		total += fired;
		prev = fired;
		/* pair-based STDP with traces, sign kept (Dale), magnitude bounded */
		if (stdp && fired > 0)
			stdp_fired(L, state, newspk, fl, fired, eta, wmax);
		for (int i = 0; i < L->n; i++)
		{
			tr[i] = tr[i] * dt + newspk[i];
			spk[i] = newspk[i];
			spkf[i] = newspk[i];
		}
	}
	return total;
}

/* Readout features: traces, the input code itself, and a bias. */
static void
readout_features(const det_layout *L, const void *state, const float *u, float *x)
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
static inline __attribute__((always_inline)) void
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
static inline __attribute__((always_inline)) double
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
static inline __attribute__((always_inline)) double
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
static inline __attribute__((always_inline)) int
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

typedef double (*readout_fn) (float *, const float *, const float *,
							  const float *, int, int, int, float *);
typedef int (*count_fn) (const float *, int, float);
static readout_fn readout_pass = NULL;
static count_fn count_at_least = NULL;
static int	readout_generic_only = 0;

/* Pick the kernels for this CPU; idempotent, so races are benign. */
static void
choose_readout(void)
{
#ifdef DET_HAVE_AVX2
	__builtin_cpu_init();
	if (!readout_generic_only && __builtin_cpu_supports("avx2"))
	{
		count_at_least = count_avx2;
		readout_pass = readout_avx2;
		return;
	}
#endif
	count_at_least = count_default;
	readout_pass = readout_default;
}

void
snn_detector_use_generic_kernels(int on)
{
	readout_generic_only = on;
	choose_readout();
}

/*
 * Insert distance d into the nb (of at most k) smallest, kept sorted;
 * returns the new count.  Less than one quantisation step a neuron (n) is no
 * difference.
 */
static inline int
knn_insert(uint64_t *best, int nb, int k, uint64_t d, int n)
{
	int			pos;

	d = d > (uint64_t) n ? d - n : 0;
	if (nb < k)
		nb++;
	else if (d >= best[k - 1])
		return nb;
	pos = nb - 1;
	while (pos > 0 && best[pos - 1] > d)
	{
		best[pos] = best[pos - 1];
		pos--;
	}
	best[pos] = d;
	return nb;
}

/*
 * Keep this event's spike pattern (the newest of the recent memory) in the
 * surprise memory: a ring of the patterns of events whose novelty was
 * surprising.  The recent memory forgets a pattern after score_memory
 * events; a kind of burst that recurs every few days is then new each time
 * it comes back.  The surprise memory remembers it, as an ART category
 * does, so the second and later occurrences count as seen before, while a
 * kind of pattern never seen is still far from everything.  Patterns kept
 * within the gap are skipped like those of the recent memory, so a
 * sustained anomaly does not vouch for itself.
 */
static void
keep_surprise(const det_layout *L, void *state, det_head *h)
{
	const uint8_t *mem = CSEC(state, *L, off_mem, uint8_t);
	uint8_t    *smem = SEC(state, *L, off_smem, uint8_t);
	int64_t    *sevent = SEC(state, *L, off_sevent, int64_t);
	int			last = (h->mem_pos - 1 + L->nm) % L->nm;

	memcpy(smem + (size_t) h->smem_pos * L->n, mem + (size_t) last * L->n, L->n);
	sevent[h->smem_pos] = h->events;
	h->smem_pos = (h->smem_pos + 1) % L->nsm;
	if (h->smem_count < L->nsm)
		h->smem_count++;
}

/*
 * Spike-pattern novelty: the mean L1 distance of this event's spike pattern
 * (the reservoir's traces quantised to bytes) to its k nearest neighbours
 * among the patterns of past events, leaving out the most recent ones (they
 * share this event's history), per neuron and scaled to [0, 1].  The
 * reservoir's fading memory makes the pattern an embedding of the recent
 * stretch of the stream, so this is a k-nearest-neighbour novelty of the
 * recent shape, computed with the byte distance kernels of the index.
 */
static double
pattern_novelty(const snn_detector_config *cfg, const det_layout *L,
				void *state, det_head *h, int learn)
{
	const float *tr = CSEC(state, *L, off_tr, float);
	uint8_t    *mem = SEC(state, *L, off_mem, uint8_t);
	const uint8_t *smem = CSEC(state, *L, off_smem, uint8_t);
	const int64_t *sevent = CSEC(state, *L, off_sevent, int64_t);
	uint8_t		pat[SNN_DETECTOR_MAX_NEURONS];
	uint64_t	best[16];
	int			k = cfg->score_knn,
				nb = 0,
				searched,
				j;
	double		sum = 0.0;

	if (L->nm == 0)
		return 0.0;
	for (int i = 0; i < L->n; i++)
	{
		/* 1/32 resolution: traces up to ~8 fit in a byte */
		float		q = tr[i] * 32.0f + 0.5f;

		/* a damaged state's NaN or negative trace must not reach the cast */
		pat[i] = q >= 255.0f ? 255 : q > 0.0f ? (uint8_t) q : 0;
	}
	/*
	 * The patterns older than the gap, oldest first: one circular run of
	 * mem_count - gap slots starting at the oldest.  The sum of the k
	 * smallest distances does not depend on the order of the scan.
	 */
	searched = h->mem_count - cfg->score_memory_gap;
	j = (h->mem_pos - h->mem_count + L->nm) % L->nm;
	for (int c = 0; c < searched; c++, j = j + 1 == L->nm ? 0 : j + 1)
		nb = knn_insert(best, nb, k, snn_l1_u8(pat, mem + (size_t) j * L->n, L->n), L->n);
	/* the surprises kept apart, except those inside the gap */
	for (int c = 0; c < h->smem_count; c++)
		if (sevent[c] <= h->events - cfg->score_memory_gap)
			nb = knn_insert(best, nb, k, snn_l1_u8(pat, smem + (size_t) c * L->n, L->n), L->n);
	for (int j = 0; j < nb; j++)
		sum += (double) best[j];
	if (learn)
	{
		memcpy(mem + (size_t) h->mem_pos * L->n, pat, L->n);
		h->mem_pos = (h->mem_pos + 1) % L->nm;
		if (h->mem_count < L->nm)
			h->mem_count++;
	}
	if (nb == 0)
		return 0.0;
	sum /= (double) nb * L->n * 64.0;
	return sum > 1.0 ? 1.0 : sum;
}

/*
 * Conformal likelihood of signal k: the p-value of this raw value among the
 * last score_calibration values of the signal (the share at least as large),
 * combined over the short window by Fisher's method (-2 sum ln p follows a
 * chi-square law with 2w degrees of freedom when nothing is anomalous).  No
 * assumption on the shape of the signal's distribution, so one threshold fits
 * streams of very different noise.
 */
static double
conformal_likelihood(const snn_detector_config *cfg, const det_layout *L,
					 void *state, det_head *h, int k, double raw, int learn)
{
	double	   *ring = SEC(state, *L, off_short, double) + (size_t) k * L->ns;
	float	   *cal = SEC(state, *L, off_calib, float) + (size_t) k * L->nc;
	int			ge = 0,
				w;
	double		p,
				nlp,
				x,
				term,
				sum,
				lo = raw * (1.0 - cfg->score_tie);

	/*
	 * Past values within score_tie of this one (relative), or within
	 * score_tie_spread standard deviations of the signal, count as ties: a
	 * difference inside the signal's own noise is no evidence.  The spread
	 * is the signal's exponentially weighted variance over about
	 * score_calibration events, kept in lmean / lvar (which the Gaussian
	 * mode uses for the short mean instead), updated after its use.
	 */
	if (cfg->score_tie_spread > 0)
	{
		double		d = raw - h->lmean[k],
					alpha = 1.0 / (h->lcount[k] + 1.0 < L->nc ? h->lcount[k] + 1.0 : L->nc),
					spread_lo = raw - cfg->score_tie_spread * sqrt(h->lvar[k]);

		if (spread_lo < lo)
			lo = spread_lo;
		if (learn)
		{
			h->lmean[k] += alpha * d;
			h->lvar[k] = (1.0 - alpha) * (h->lvar[k] + alpha * d * d);
			h->lcount[k] += 1.0;
		}
	}
	ge = count_at_least(cal, h->calib_count, (float) lo);
	p = (ge + 1.0) / (h->calib_count + 1.0);
	nlp = -log(p);
	h->short_sum[k] += nlp - ring[h->short_pos];
	ring[h->short_pos] = nlp;
	if (learn)
		cal[h->calib_pos] = (float) raw;	/* caller advances calib_pos */
	w = h->short_count < L->ns ? h->short_count + 1 : L->ns;
	x = h->short_sum[k] > 0 ? h->short_sum[k] : 0.0;	/* = X / 2 */
	/* upper tail of chi-square(2w) at 2x: e^-x sum_{i<w} x^i / i! */
	term = 1.0;
	sum = 1.0;
	for (int i = 1; i < w; i++)
	{
		term *= x / i;
		sum += term;
	}
	return 1.0 - exp(-x + log(sum));
}

/* Anomaly likelihood of signal k: short mean against long-run statistics. */
static double
signal_likelihood(const snn_detector_config *cfg, const det_layout *L,
				  void *state, det_head *h, int k, double raw, int learn)
{
	double	   *ring = SEC(state, *L, off_short, double) + (size_t) k * L->ns;
	double		m,
				sd,
				lik,
				alpha;

	if (cfg->score_calibration > 0)
		return conformal_likelihood(cfg, L, state, h, k, raw, learn);
	/* the ring position is advanced by the caller once for all signals */
	h->short_sum[k] += raw - ring[h->short_pos];
	ring[h->short_pos] = raw;
	m = h->short_sum[k] / (h->short_count < L->ns ? h->short_count + 1 : L->ns);
	/* surprise signals are skewed: their logarithm is closer to normal */
	if (cfg->score_log > 0)
		m = log(m + cfg->score_log);
	sd = sqrt(h->lvar[k]);
	if (sd < cfg->score_min_std)
		sd = cfg->score_min_std;
	lik = h->lcount[k] > 0 ? normal_cdf((m - h->lmean[k]) / sd) : 0.5;
	if (learn)
	{
		double		d = m - h->lmean[k];

		alpha = 1.0 / (h->lcount[k] + 1.0 < cfg->score_long_tau ?
					   h->lcount[k] + 1.0 : cfg->score_long_tau);
		h->lmean[k] += alpha * d;
		h->lvar[k] = (1.0 - alpha) * (h->lvar[k] + alpha * d * d);
		h->lcount[k] += 1.0;
	}
	return lik;
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
static void
code_errors(double coverage, const float *u, const float *yhat, int n,
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

/*
 * Flush denormals to zero while a step runs, and put the caller's mode back
 * after: the far receptive fields, decaying traces and the NLMS update make
 * subnormal floats that cost the x86 FPU a hundred cycles each (measured:
 * 42% of the step), and nothing the detector computes needs them.  Scores are
 * then the same with and without PostgreSQL around the engine (the offline
 * driver and the trigger call the same function).  Elsewhere a no-op.
 */
static unsigned int
det_fp_enter(void)
{
#ifdef DET_HAVE_MXCSR
	unsigned int saved = _mm_getcsr();

	_mm_setcsr(saved | 0x8040);	/* FTZ (bit 15) and DAZ (bit 6) */
	return saved;
#else
	return 0;
#endif
}

/* Restore the floating-point mode saved by det_fp_enter(). */
static void
det_fp_leave(unsigned int saved)
{
#ifdef DET_HAVE_MXCSR
	_mm_setcsr(saved);
#else
	(void) saved;
#endif
}

snn_status
snn_detector_check_features(const snn_detector_config *cfg,
							const double *features, int n, snn_error *err)
{
	if (features == NULL || n != cfg->n_features)
		return snn_fail(err, SNN_E_DIM, "features",
						"detector expects %d features, got %d", cfg->n_features,
						features == NULL ? 0 : n);
	for (int f = 0; f < n; f++)
	{
		if (!isfinite(features[f]))
			return snn_fail(err, SNN_E_NAN, "features",
							"feature %d is not a finite number", f + 1);
		/* the running variances square the values */
		if (fabs(features[f]) > SNN_DETECTOR_MAX_ABS)
			return snn_fail(err, SNN_E_RANGE, "features",
							"feature %d is %g, beyond the detector's range of +-%g",
							f + 1, features[f], SNN_DETECTOR_MAX_ABS);
	}
	return SNN_OK;
}

/* What one member's step hands to the ensemble. */
typedef struct member_out
{
	double		lik;			/* likelihood of the member's signals */
	double		perr;			/* raw prediction error */
	double		nov;			/* raw spike-pattern novelty */
	int			contrib;		/* feature with the largest error */
	int			cause;			/* snn_anomaly_cause of lik */
	int			spikes;			/* reservoir spikes of this step */
} member_out;

/*
 * One member's step from the event's code u: the error of its previous
 * prediction, its reservoir, its novelty, the readout update and the
 * likelihoods of its signals.
 */
static void
member_step(const snn_detector_config *cfg, const det_layout *L, void *state,
			const float *u, int learn, member_out *o)
{
	det_head   *h = (det_head *) state;
	float	   *W = SEC(state, *L, off_w, float),
			   *x = SEC(state, *L, off_x, float),
			   *yhat = SEC(state, *L, off_yhat, float);
	double		fe[SNN_DETECTOR_MAX_FEATURES],
				dv[64],
				dn[64];
	double		num = 0.0,
				den = 1e-9,
				xx = 1e-9,
				l0 = 0.0,
				l1 = 0.0;
	float		e[SNN_DETECTOR_MAX_FEATURES * SNN_DETECTOR_MAX_FIELDS * 2],
				xn[SNN_DETECTOR_MAX_NEURONS + SNN_DETECTOR_MAX_FEATURES *
				   SNN_DETECTOR_MAX_FIELDS * 2 + SNN_DETECTOR_MAX_FIELDS + 7 + 1];
	int			update = 0;

	o->contrib = 0;
	o->nov = 0.0;
	/* prediction error of the code predicted at the previous event */
	memset(fe, 0, sizeof(double) * L->nf);
	if (h->events > 0)
	{
		int			per_f = L->nval / L->nf;

		for (int f = 0; f < L->nf; f++)
			for (int c = 0; c < per_f; c += 64)
			{
				int			i0 = f * per_f + c,
							nc = per_f - c < 64 ? per_f - c : 64;

				code_errors(cfg->score_coverage, u + i0, yhat + i0, nc, dv, dn);
				for (int i = 0; i < nc; i++)
				{
					num += dv[i];
					den += dn[i];
					fe[f] += dv[i];
				}
			}
		for (int f = 1; f < L->nf; f++)
			if (fe[f] > fe[o->contrib])
				o->contrib = f;
		/* NLMS: the previous prediction moves towards what happened */
		if (learn)
		{
			float		mu;

			if (h->x_norm > 0)
				xx = h->x_norm;	/* summed by the last readout pass */
			else
				for (int j = 0; j < L->nx; j++)
					xx += (double) x[j] * x[j];
			mu = (float) (cfg->learn_readout_rate / xx);
			for (int i = 0; i < L->nval; i++)
				e[i] = (u[i] - yhat[i]) * mu;
			update = 1;
		}
	}
	o->perr = num / den;
	if (o->perr > 1.0)
		o->perr = 1.0;

	o->spikes = run_reservoir(cfg, L, state, u, learn);
	/* the kNN search is most of a small detector's step: only when used */
	if (cfg->score_signals & 2)
		o->nov = pattern_novelty(cfg, L, state, h, learn);

	/* apply the update and predict the next event's value code */
	readout_features(L, state, u, xn);
	h->x_norm = readout_pass(W, e, x, xn, L->nval, L->nx, update, yhat);
	memcpy(x, xn, sizeof(float) * L->nx);

	/* likelihoods of both signals, over a shared short window */
	if (cfg->score_signals & 1)
		l0 = signal_likelihood(cfg, L, state, h, 0, o->perr, 1);
	if (cfg->score_signals & 2)
		l1 = signal_likelihood(cfg, L, state, h, 1, o->nov, 1);
	if (L->nsm > 0 && learn && l1 >= cfg->score_surprise_at)
		keep_surprise(L, state, h);
	o->lik = l0 > l1 ? l0 : l1;
	o->cause = (cfg->score_signals & 1) && l0 >= l1 ?
		SNN_CAUSE_PREDICTION : SNN_CAUSE_NOVELTY;
	h->short_pos = (h->short_pos + 1) % L->ns;
	if (L->nc > 0)
	{
		h->calib_pos = (h->calib_pos + 1) % L->nc;
		if (h->calib_count < L->nc)
			h->calib_count++;
	}
	if (h->short_count < L->ns)
		h->short_count++;
	h->last_spikes = o->spikes;
	h->events++;
}

/*
 * The ensemble's likelihood: the largest of its members', corrected for
 * having looked K times (Sidak: the chance that none of K independent
 * members is this surprised is lik^K), so that the score's scale, and the
 * threshold, mean the same for any K.  Sets *winner to that member.
 */
static double
ensemble_likelihood(const member_out *mo, int k, int *winner)
{
	double		best = mo[0].lik;

	*winner = 0;
	for (int m = 1; m < k; m++)
		if (mo[m].lik > best)
		{
			best = mo[m].lik;
			*winner = m;
		}
	return k == 1 ? best : pow(best, k);
}

/*
 * The alarm stage, on member 0's head: the likelihood's log scale, the
 * warmup, the adaptive alarm level and the relative refractory period.
 * Returns the score; *alarm is 1 when it raised an alarm.
 */
static double
alarm_stage(const snn_detector_config *cfg, det_head *h, double lik, int *alarm)
{
	double		score = log(1.0000000001 - lik) / log(1.0 - 0.9999999999);

	*alarm = 0;
	if (score < 0)
		score = 0;
	if (score > 1)
		score = 1;
	if (h->events <= cfg->score_warmup)
		score = 0.0;
	/*
	 * The alarm stage is an adaptive-threshold neuron: every alarm raises its
	 * threshold, which decays back; a stream that keeps alarming needs ever
	 * stronger evidence, so noisy streams stop flooding.
	 */
	if (cfg->score_alarm_adapt > 0)
	{
		score -= h->alarm_adapt;
		if (score < 0)
			score = 0;
		h->alarm_adapt *= exp(-1.0 / cfg->score_alarm_tau);
	}
	if (h->refractory_left > 0)
	{
		/* relative refractory period: sensitivity recovers linearly */
		score *= 1.0 - (double) h->refractory_left / (cfg->score_refractory + 1);
		h->refractory_left--;
	}
	/* a score over the threshold even so fires again and restarts the period */
	if (score >= cfg->score_threshold && cfg->score_threshold > 0)
	{
		*alarm = 1;
		h->refractory_left = cfg->score_refractory;
		h->alarm_adapt += cfg->score_alarm_adapt;
	}
	return score;
}

snn_status
snn_detector_step(const snn_detector_config *cfg, void *state,
				  const double *features, int n, int64_t timestamp_us,
				  double *score_out, snn_detector_detail *detail,
				  snn_error *err)
{
	det_layout	L;
	det_head   *h = (det_head *) state;
	float		u[SNN_DETECTOR_MAX_FEATURES * SNN_DETECTOR_MAX_FIELDS * 2 +
				  SNN_DETECTOR_MAX_FIELDS + 7];
	member_out	mo[SNN_DETECTOR_MAX_ENSEMBLE];
	snn_status	st;
	double		lik,
				score,
				outside = 0.0;
	unsigned int fp_mode;
	int			learn = cfg->learn_online,
				alarm,
				w,
				cause,
				contrib,
				outside_f = 0;

	if ((st = snn_detector_check_features(cfg, features, n, err)) != SNN_OK)
		return st;
	if (state == NULL || h->magic != DET_MAGIC)
		return snn_fail(err, SNN_E_FORMAT, "state", "detector state is not initialised");
	det_layout_of(cfg, &L);
	if (h->size != L.total)
		return snn_fail(err, SNN_E_FORMAT, "state",
						"detector state does not match its configuration");
	/* from here on nothing fails: the state is only changed below */
	fp_mode = det_fp_enter();
	if (readout_pass == NULL)
		choose_readout();

	/* one code for every member: the normaliser lives in member 0 */
	encode_event(cfg, &L, SEC(state, L, off_norm, double), features,
				 timestamp_us, learn, u, &outside, &outside_f);
	member_step(cfg, &L, state, u, learn, &mo[0]);
	for (int m = 1; m < L.nens; m++)
		member_step(cfg, &L, MEMBER(state, L, m), u, learn, &mo[m]);
	lik = ensemble_likelihood(mo, L.nens, &w);
	cause = mo[w].cause;
	contrib = mo[w].contrib;
	/* a value beyond everything seen so far is as surprising as it gets */
	if (cfg->score_range_tolerance > 0 && outside > cfg->score_range_tolerance)
	{
		lik = 1.0;
		cause = SNN_CAUSE_RANGE;
		contrib = outside_f;
	}
	score = alarm_stage(cfg, h, lik, &alarm);
	h->winner = w;
	h->last_ts = timestamp_us;
	h->last_score = score;
	*score_out = score;
	if (detail)
	{
		detail->score = score;
		detail->likelihood = lik;
		detail->prediction_error = mo[w].perr;
		detail->novelty = mo[w].nov;
		detail->alarm = alarm;
		detail->contributing_feature = contrib;
		detail->cause = cause;
		detail->n_spikes = mo[w].spikes;
		detail->events = h->events;
	}
	det_fp_leave(fp_mode);
	return SNN_OK;
}

int
snn_detector_last_spikes(const snn_detector_config *cfg, const void *state,
						 uint8_t *out, int n)
{
	det_layout	L;

	det_layout_of(cfg, &L);
	if (n <= 0 || out == NULL)
		return 0;
	if (n > L.n)
		n = L.n;
	/* the member whose likelihood made the last score */
	memcpy(out, CSEC(CMEMBER(state, L, ((const det_head *) state)->winner), L,
					 off_cnt, uint8_t), n);
	return n;
}
