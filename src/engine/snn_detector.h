/*
 * snn_detector.h: a streaming anomaly detector built around a spiking
 * reservoir (issue 7, the engine half).
 *
 * Per event: the features are normalised online (exponentially weighted mean
 * and variance, no global min/max) and encoded by Gaussian receptive fields
 * (a population code), together with the change since the previous event and
 * a ring-shaped time-of-day code (optionally day of week) from the timestamp.
 * The code drives a seeded, sparse, recurrent reservoir of (adaptive) LIF
 * neurons for a few substeps (Dale's law, balanced E/I, scaled to a spectral
 * radius, optional pair-based STDP).  Two raw surprise signals come out:
 *
 *	- spike-pattern novelty: the L1 distance of the reservoir's traces,
 *	  quantised to bytes, to the k nearest of the last score_memory patterns
 *	  (the newest few left out): a kNN novelty of the recent stretch of the
 *	  stream, since the reservoir's fading memory embeds it;
 *	- prediction error: a linear readout trained online by normalised LMS
 *	  predicts the next event's value code; the error is the share of the
 *	  actual code that was not predicted (HTM-like).
 *
 * Each selected signal becomes an anomaly likelihood: by default a conformal
 * p-value among its own last score_calibration values (past values within
 * score_tie_spread standard deviations below it count as ties: no evidence
 * from inside the signal's own noise), combined over the short window by
 * Fisher's method; or (score_calibration = 0) Numenta's
 * Gaussian tail of the short-window mean against long-run statistics.  A
 * value beyond the range seen so far (by score_range_tolerance of it) is
 * certain.  The score in [0, 1] is the log-scaled likelihood (0.5 = one
 * chance in 10^5); an alarm (score >= score_threshold) starts a relative
 * refractory period during which the score recovers linearly; a score that
 * crosses the threshold even so is an alarm again and restarts the period.
 *
 * An optional third signal, level change (score_level = w > 0, off by
 * default; snn_detector_level.c), catches a change of level or rhythm that
 * stays inside the seen range: the mean of each value (and of the
 * prediction error) over the last w events against the mean and spread of
 * the score_level_long events before them, standardised, as a conformal
 * p-value combined by Fisher's method over disjoint windows; the step takes
 * the larger of its likelihood and the ensemble's.
 *
 * An ensemble (res_ensemble = K > 1) runs K such reservoirs, each with its
 * own readout, memories and calibration, on the same input code; member m
 * has the seed seed ^ m * 0x9E3779B97F4A7C15, so member 0 is the single
 * reservoir of the same seed.  The likelihood of a step is the largest
 * member's to the power K (Sidak's correction for K looks), so the score's
 * scale and the threshold mean the same for any K; the details are the
 * winning member's.
 *
 * Everything a stream needs lives in ONE flat, fixed-size, pointer-free byte
 * buffer whose size follows from the configuration, so it can sit in shared
 * memory and be saved and restored byte for byte.  Strictly causal: each
 * event is seen once, in order.  Deterministic for a given seed.
 *
 * Plain C11, no postgres.h.
 */
#ifndef SNN_DETECTOR_H
#define SNN_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "snn_status.h"

#define SNN_DETECTOR_MAX_FEATURES	64
#define SNN_DETECTOR_MAX_FIELDS		64
#define SNN_DETECTOR_MAX_NEURONS	4096
#define SNN_DETECTOR_MAX_SHORT		1024
#define SNN_DETECTOR_MAX_MEMORY		65536
#define SNN_DETECTOR_MAX_SUBSTEPS	64
#define SNN_DETECTOR_MAX_ENSEMBLE	16
/* the state of one stream never exceeds this many bytes */
#define SNN_DETECTOR_MAX_STATE		(64 * 1024 * 1024)
/* features beyond this magnitude are refused: their squares must not overflow */
#define SNN_DETECTOR_MAX_ABS		1e150

typedef enum snn_detector_preset
{
	SNN_PRESET_GENERIC = 0,
	SNN_PRESET_SECURITY,
	SNN_PRESET_PERFORMANCE,
	SNN_PRESET_BUSINESS,
	SNN_PRESET_SENSOR
} snn_detector_preset;

typedef enum snn_neuron_model
{
	SNN_NEURON_LIF = 0,			/* leaky integrate-and-fire */
	SNN_NEURON_ALIF = 1			/* LIF with an adaptive threshold */
} snn_neuron_model;

/*
 * A detector configuration.  Every field is a plain number so that the
 * PostgreSQL side can fill it from jsonb by name with
 * snn_detector_config_set(); times are in events unless said otherwise.
 */
typedef struct snn_detector_config
{
	int32_t		preset;			/* snn_detector_preset */
	int32_t		n_features;		/* values per event */

	/* encoder */
	int32_t		enc_fields;		/* Gaussian receptive fields per feature */
	double		enc_range;		/* fields cover z in [-range, range] */
	double		enc_width;		/* field sigma, in field spacings */
	double		enc_norm_tau;	/* normalisation time constant (events) */
	int32_t		enc_delta;		/* also encode the change since last event */
	int32_t		enc_time_of_day;	/* fields on the day ring (0 = off) */
	int32_t		enc_day_of_week;	/* encode the day of the week (0/1) */

	/* reservoir */
	int32_t		res_neurons;
	double		res_connectivity;	/* fraction of neurons each one hears */
	double		res_spectral_radius;
	double		res_input_connectivity; /* fraction of input lines a neuron
										 * hears */
	double		res_input_gain;
	double		res_exc_ratio;	/* fraction of excitatory neurons */
	int32_t		res_model;		/* snn_neuron_model */
	double		res_tau_m;		/* membrane time constant (substeps) */
	double		res_threshold;
	double		res_tau_adapt;	/* threshold adaptation time constant
								 * (substeps) */
	double		res_adapt;		/* threshold increment per spike (ALIF) */
	double		res_tau_trace;	/* spike trace time constant (substeps) */
	int32_t		res_substeps;	/* simulation substeps per event */
	int32_t		res_reset;		/* membranes start from rest at each event */
	int32_t		res_ensemble;	/* reservoirs of different seeds, each with
								 * its own readout and memories; the score
								 * takes the most surprised one */

	/* learning */
	int32_t		learn_online;	/* 0 = frozen: score but never learn */
	int32_t		learn_stdp;		/* STDP on the recurrent weights */
	double		learn_stdp_rate;
	double		learn_readout_rate; /* NLMS step size in (0, 2) */

	/* scoring */
	int32_t		score_warmup;	/* events scored 0 while statistics settle
								 * (setting 0: the short window) */
	int32_t		score_short;	/* short window (events) */
	double		score_long_tau; /* long-run statistics time constant */
	double		score_min_std;	/* floor on the long-run std of the mean */
	double		score_coverage; /* a field counts as predicted from this level
								 * (HTM-like error); 0 = squared error */
	int32_t		score_signals;	/* 1 prediction error, 2 spike novelty, 3 both */
	int32_t		score_memory;	/* past spike patterns kept for novelty */
	int32_t		score_memory_gap;	/* newest patterns left out of the search */
	int32_t		score_knn;		/* neighbours averaged for novelty */
	int32_t		score_surprise_memory;	/* patterns of surprising events kept
										 * apart from the recent memory */
	int32_t		score_range_history;	/* 1: the range rule is as certain as
										 * n values seen can make it (a new
										 * extreme of n has chance 2/(n+1));
										 * 0: certain at once (before).  Sits
										 * in what was padding, like
										 * score_level */
	double		score_surprise_at;	/* novelty likelihood that keeps one */
	double		score_range_tolerance;	/* a value this far (in units of the
										 * range seen so far) outside that
										 * range is an anomaly; 0 = off */
	double		score_log;		/* > 0: likelihood of log(mean + this) */
	int32_t		score_calibration;	/* > 0: conformal p-values against this
									 * many past values, combined by Fisher's
									 * method; 0: Gaussian likelihood */
	int32_t		score_level;	/* > 0: level-change signal, short window of
								 * this many events; 0 = off.  Sits in what
								 * was padding, so sizeof (saved states,
								 * exports) is unchanged and older ones, zero
								 * there, read it as off */
	double		score_tie;		/* past values within this fraction below the
								 * current one count as ties (conformal) */
	double		score_tie_spread;	/* ... or within this many standard
									 * deviations of the signal (0 = off) */
	double		score_threshold;	/* alarm level of the score */
	int32_t		score_refractory;	/* events an alarm silences its stream */
	int32_t		score_level_long;	/* ... against this many events before
									 * them; 0 = 32 * score_level (padding
									 * before, like score_level) */
	double		score_alarm_adapt;	/* each alarm raises the alarm level by
									 * this */
	double		score_alarm_tau;	/* ... decaying with this time constant */
} snn_detector_config;

/* Which signal made the likelihood of a step. */
typedef enum snn_anomaly_cause
{
	SNN_CAUSE_PREDICTION = 0,	/* the readout's prediction error */
	SNN_CAUSE_NOVELTY = 1,		/* the spike pattern's kNN novelty */
	SNN_CAUSE_RANGE = 2,		/* a value beyond the range seen so far */
	SNN_CAUSE_LEVEL = 3			/* a change of level or rhythm (score_level) */
} snn_anomaly_cause;

/* What one step produced besides the score (all optional to read). */
typedef struct snn_detector_detail
{
	double		score;			/* the score in [0, 1] */
	double		likelihood;		/* max anomaly likelihood in [0, 1] (of an
								 * ensemble: corrected for its K members) */
	/* of an ensemble, the fields below but alarm are the winning member's */
	double		prediction_error;	/* raw readout error in [0, 1] */
	double		novelty;		/* raw spike-pattern novelty in [0, 1]; 0 when
								 * that signal is off (not computed) */
	int32_t		alarm;			/* 1 when this step raised an alarm */
	int32_t		contributing_feature;	/* feature with the largest error */
	int32_t		cause;			/* snn_anomaly_cause of the likelihood */
	int32_t		n_spikes;		/* reservoir spikes during this step */
	int64_t		events;			/* events seen so far, this one included */
} snn_detector_detail;

/* Fill cfg with the defaults of a preset; SNN_E_CONFIG for an unknown one. */
snn_status	snn_detector_config_default(int preset, snn_detector_config *cfg,
										snn_error *err);

/* Preset by name ("generic", "security", ...); -1 if unknown. */
int			snn_detector_preset_from_name(const char *name);
const char *snn_detector_preset_name(int preset);

/* The recommended-actions text of a preset (static, never NULL). */
const char *snn_detector_recommended_actions(int preset);

/* Set one field by name; unknown names and non-integers for integer fields fail. */
snn_status	snn_detector_config_set(snn_detector_config *cfg, const char *name,
									double value, snn_error *err);

/* Get one field by name as a double. */
snn_status	snn_detector_config_get(const snn_detector_config *cfg,
									const char *name, double *value,
									snn_error *err);

/* Number of fields, and the name of field i (NULL past the end). */
int			snn_detector_config_nfields(void);
const char *snn_detector_config_field_name(int i);

/* Check every field; the error names the offending field. */
snn_status	snn_detector_validate(const snn_detector_config *cfg, snn_error *err);

/* Bytes of state one stream needs (0 if cfg is invalid). */
size_t		snn_detector_state_size(const snn_detector_config *cfg);

/* Events scored 0 at the start of a stream (score_warmup, 0 = score_short). */
int32_t		snn_detector_warmup(const snn_detector_config *cfg);

/* Initialise a state buffer of snn_detector_state_size() bytes. */
snn_status	snn_detector_init(const snn_detector_config *cfg, void *state,
							  size_t state_size, uint64_t seed, snn_error *err);

/*
 * Check that a (restored or imported) state buffer belongs to this
 * configuration and is safe to step: every index inside its section, every
 * number finite, the refractory count in range.
 */
snn_status	snn_detector_check_state(const snn_detector_config *cfg,
									 const void *state, size_t state_size,
									 snn_error *err);

/*
 * Check an event's features as a step would: n of them (cfg->n_features),
 * each finite and at most SNN_DETECTOR_MAX_ABS in magnitude.  Adapters call
 * it first, so that no stream is made for an event the step would refuse.
 */
snn_status	snn_detector_check_features(const snn_detector_config *cfg,
										const double *features, int n,
										snn_error *err);

/*
 * Feed one event: n features (checked by snn_detector_check_features) at
 * timestamp_us (microseconds
 * since 1970-01-01 UTC).  Writes the score in
 * [0, 1] to *score_out and, when detail is not NULL, the details.  On error
 * the state is left exactly as it was.
 */
snn_status	snn_detector_step(const snn_detector_config *cfg, void *state,
							  const double *features, int n,
							  int64_t timestamp_us, double *score_out,
							  snn_detector_detail *detail, snn_error *err);

/*
 * The spike counts of each reservoir neuron during the last step (one byte a
 * neuron, saturating at 255); returns the number of neurons written.
 */
int			snn_detector_last_spikes(const snn_detector_config *cfg,
									 const void *state, uint8_t *out, int n);

/*
 * Reverse the byte order of every number of a state of cfg (cfg in this
 * machine's order), in place: to_host = 1 for a state that came from a
 * server of the other byte order, 0 to write one for such a server.  The
 * state's configuration hash, which is of the configuration's bytes in
 * each server's order, is translated too.  Check the result with
 * snn_detector_check_state.  A little-endian value is then the same bytes
 * on every server (the export's encoding, src/streams/stream_export.c).
 */
snn_status	snn_detector_state_swap(const snn_detector_config *cfg,
									void *state, size_t state_size,
									int to_host, snn_error *err);

/* Reverse the byte order of every field of a configuration, in place. */
void		snn_detector_config_swap(snn_detector_config *cfg);

/*
 * The reservoir of ensemble member `member` (0 for a single reservoir) as a
 * network image of kind fanin (snn_image.h): the block's bytes as the state
 * holds them (weights as learned so far), the neuron parameters and decay
 * factors the step uses; the image's seed is 0 (its weights come from the
 * state, not from a seed).  Sets *needed to the image's size and fills
 * image when image_size is at least that (image 64-byte aligned).
 */
snn_status	snn_detector_network(const snn_detector_config *cfg,
								 const void *state, int member, void *image,
								 size_t image_size, size_t *needed,
								 snn_error *err);

/*
 * Tests only: 1 makes every later step use the portable kernels instead of
 * the widest this CPU has (the results must not differ), 0 undoes it.
 */
void		snn_detector_use_generic_kernels(int on);

#endif							/* SNN_DETECTOR_H */
