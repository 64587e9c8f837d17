/*
 * snn_detector_config.c: the detector configuration: named fields, presets,
 * validation, the state layout and size it implies.
 *
 * Part of the streaming anomaly detector (snn_detector.h for the algorithm,
 * snn_detector_int.h for the state layout the parts share).
 */
#include "snn_detector_int.h"

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
	FI(score_range_history, 0, 1),
	FD(score_log, 0, 1),
	FI(score_calibration, 0, SNN_DETECTOR_MAX_MEMORY),
	FD(score_tie, 0, 1),
	FD(score_tie_spread, 0, 100),
	FI(score_warmup, 0, 1000000000),
	FI(score_short, 1, SNN_DETECTOR_MAX_SHORT),
	FD(score_long_tau, 1, 1e9),
	FDO(score_min_std, 0, 1),
	FI(score_level, 0, SNN_DETECTOR_MAX_SHORT),
	FI(score_level_long, 0, SNN_DETECTOR_MAX_MEMORY),
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
	/* a young stream's new extreme is no certainty (EXPERIMENTS.md row 117) */
	c->score_range_history = 1;
	c->score_calibration = 1000;
	c->score_tie_spread = 0.1;
	/* score as soon as the short window is full (EXPERIMENTS.md row 114) */
	c->score_warmup = 0;
	c->score_short = 5;
	c->score_long_tau = 2000.0;
	c->score_min_std = 0.02;
	c->score_level = 0;
	c->score_level_long = 0;
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

/* Section offsets from a (valid) configuration. */
void
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
	L->off_level = o * (size_t) L->nens;
	L->total = L->off_level + det_level_bytes(c, L);
}

/* Member m of an ensemble state (member 0 is the state itself). */

/* FNV-1a over the configuration fields, to recognise a foreign state. */
uint64_t
det_config_hash(const snn_detector_config *cfg)
{
	return det_config_hash_order(cfg, 0);
}

/*
 * The hash with each field's bytes in this machine's order, or reversed
 * (the hash a server of the other byte order computes for the same
 * configuration).
 */
uint64_t
det_config_hash_order(const snn_detector_config *cfg, int reversed)
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
		/* with the level signal off, as before it existed */
		if (cfg->score_level == 0 &&
			(fields[i].off == offsetof(snn_detector_config, score_level) ||
			 fields[i].off == offsetof(snn_detector_config, score_level_long)))
			continue;
		/* the range rule certain at once, as before the history counted */
		if (fields[i].off == offsetof(snn_detector_config, score_range_history) &&
			v == 0.0)
			continue;
		memcpy(b, &v, sizeof(v));
		for (size_t j = 0; j < sizeof(b); j++)
		{
			h ^= b[reversed ? sizeof(b) - 1 - j : j];
			h *= 1099511628211ULL;
		}
	}
	return h;
}

void
snn_detector_config_swap(snn_detector_config *cfg)
{
	for (int i = 0; i < N_FIELDS; i++)
	{
		unsigned char *p = (unsigned char *) cfg + fields[i].off;
		size_t		w = fields[i].type == 'i' ? sizeof(int32_t) : sizeof(double);

		for (size_t j = 0; j < w / 2; j++)
		{
			unsigned char t = p[j];

			p[j] = p[w - 1 - j];
			p[w - 1 - j] = t;
		}
	}
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
	if (cfg->score_warmup != 0 && cfg->score_warmup < cfg->score_short)
		return snn_fail(err, SNN_E_CONFIG, "score_warmup",
						"setting \"score_warmup\" (%d) must be 0 (the short window) or at least score_short (%d)",
						cfg->score_warmup, cfg->score_short);
	if (cfg->score_level > 0 && cfg->score_calibration == 0)
		return snn_fail(err, SNN_E_CONFIG, "score_level",
						"setting \"score_level\" needs a conformal calibration (score_calibration > 0)");
	if (cfg->score_level > 0 && cfg->score_level_long > 0 &&
		cfg->score_level_long <= cfg->score_level)
		return snn_fail(err, SNN_E_CONFIG, "score_level_long",
						"setting \"score_level_long\" (%d) must be longer than score_level (%d)",
						cfg->score_level_long, cfg->score_level);
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

/*
 * The warm-up in events: 0 means the short window, so a detector scores as
 * soon as its short window is full, whatever score_short is.  A saved
 * configuration names its warm-up (300, the default before) and keeps it.
 */
int32_t
snn_detector_warmup(const snn_detector_config *cfg)
{
	return cfg->score_warmup == 0 ? cfg->score_short : cfg->score_warmup;
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
