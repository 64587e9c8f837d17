/*
 * snn_image.h: the flat network image and the simulator API.
 *
 * A network is one relocatable byte image: a fixed header, then sections
 * addressed by (offset, size) from the start of the image, each offset a
 * multiple of 64, never a pointer.  The same bytes are the payload of the
 * snn SQL type (src/network.h puts 8 bytes of varlena header in front, so
 * the image starts 8-byte aligned), a network copied into shared memory,
 * and what snn_run() reads in place.  Everything is little-endian host
 * order; the binary send/recv form is the image itself.
 *
 *   header (snn_image, 1024 bytes)
 *   SNN_SEC_CONFIG      snn_config: the normalised configuration the image
 *                       was built from (architecture and parameters)
 *   SNN_SEC_LAYERS      snn_layer[n_layers]: neuron model, parameters and
 *                       precomputed update factors of each layer
 *   SNN_SEC_IN_ROWPTR   uint32[n_inputs + 1]: CSR row starts, input -> neurons
 *   SNN_SEC_IN_TARGET   uint32[n_in_syn]: current slot of each input synapse
 *   SNN_SEC_IN_WEIGHT   float[n_in_syn]
 *   SNN_SEC_REC_ROWPTR  uint32[n_slots + 1]: CSR rows by source slot, for
 *                       every neuron -> neuron synapse (feed-forward between
 *                       layers, lateral winner-take-all, reservoir)
 *   SNN_SEC_REC_TARGET  uint32[n_rec_syn]
 *   SNN_SEC_REC_WEIGHT  float[n_rec_syn]
 *   SNN_SEC_HISTORY     snn_history_rec[n_history]: training history
 *   SNN_SEC_READOUT     reserved for a trained readout (training area)
 *   SNN_SEC_NORM        reserved for normalisation factors (training area)
 *   SNN_SEC_FANIN       the fixed fan-in block of kind fanin (snn_fanin.h:
 *                       pre, w, out_ptr, out_slot, out_post, in_idx, in_w;
 *                       empty for the other kinds)
 *   SNN_SEC_EXTRA1..3   reserved
 *
 * Neurons are numbered densely 0 .. n_neurons - 1, layer after layer (the
 * input is not a layer: inputs are spike sources numbered 0 .. n_inputs-1).
 * Inside the engine each layer starts at a "slot" that is a multiple of 16,
 * so vector loops never straddle layers; a synapse target is a current slot:
 * slot for the excitatory current (weight >= 0) and n_slots + slot for the
 * inhibitory one (weight < 0), so delivery never branches on the sign.
 *
 * Mutable simulation state (membrane potentials, synaptic currents,
 * adaptation, refractory counters, spike scratch) lives in a separate buffer
 * of hdr->state_size bytes (64-byte aligned), see snn_state_init().
 *
 * Units: time in ms, potentials in mV; a synaptic current is expressed as
 * the potential it would hold the membrane at (mV), as in Brian2's CUBA
 * example: tau_m dv/dt = (v_rest - v) + I_exc + I_inh + bias, with I_exc and
 * I_inh decaying exponentially with tau_syn_exc / tau_syn_inh; a spike
 * through a synapse adds its weight to the target's current.
 *
 * Step order (each of `steps` steps, t = 0 .. steps - 1):
 *   1. update every neuron (exact integration for LIF/ALIF, Euler substeps
 *      for Izhikevich), currents decay; refractory neurons keep v;
 *   2. threshold: neurons that cross fire at step t (reported), reset;
 *   3. deliver: spikes of step t from neurons and input events of step t add
 *      their weights to the currents, seen by the update of step t + 1.
 * So every synapse has a delay of one step.
 *
 * Learning rules may change weights in a private copy of an image between
 * snn_run calls (run step by step, or in chunks), provided each weight keeps
 * its sign: the target current slot (excitatory or inhibitory) is chosen by
 * the sign at build time, so clamp at zero rather than cross it, or rebuild.
 * snn_image_validate checks this invariant.
 *
 * Kind fanin (SNN_KIND_FANIN) is the anomaly detector's reservoir as an
 * image: one layer of n LIF or adaptive LIF neurons whose synapses are the
 * fixed fan-in block of SNN_SEC_FANIN (the CSR sections are empty; the
 * header's n_in_syn and n_rec_syn count the block's slots), stepped by
 * snn_fanin_run (snn_fanin.h): every synapse instantaneous, an analog
 * input current through the block's input projection, v <- v decay_m + I,
 * fire on v >= v_th + a, reset to 0, a += adapt_inc, then a decays; no
 * refractory period, no resting potential, no synaptic currents.  A
 * per-step caller (snn_image_fanin, snn_fanin_step) drives it with an
 * analog code held for any number of substeps, as the anomaly detector
 * does; snn_run treats each step as one substep
 * whose code is 1 on the inputs that have an event at that step, else 0.
 */
#ifndef SNN_IMAGE_H
#define SNN_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "snn_spiketrain.h"
#include "snn_status.h"

#define SNN_IMAGE_MAGIC		0x4B4E4E53u /* "SNNK" */
#define SNN_IMAGE_VERSION	1
#define SNN_ALIGN			64
#define SNN_SLOT_ALIGN		16	/* layer slots start at multiples of this */

/* Documented limits (README "Limits"). */
#define SNN_MAX_LAYERS		16	/* hidden + output layers */
#define SNN_MAX_NEURONS		1000000 /* simulated neurons in one network */
#define SNN_MAX_INPUTS		1000000 /* input spike sources */
#define SNN_MAX_SYNAPSES	50000000	/* input + recurrent synapses */
#define SNN_MAX_HISTORY		10000	/* training history records */
#define SNN_MAX_DT			10.0f	/* ms */
#define SNN_MAX_TAU			1.0e6f	/* ms */
#define SNN_MAX_STEPS		SNN_TRAIN_MAX_STEPS

typedef enum snn_kind
{
	SNN_KIND_FEEDFORWARD = 1,
	SNN_KIND_RESERVOIR = 2,
	SNN_KIND_FANIN = 3			/* fixed fan-in block, analog input */
} snn_kind;

typedef enum snn_model
{
	SNN_MODEL_LIF = 1,
	SNN_MODEL_ALIF = 2,			/* LIF with an adaptive threshold */
	SNN_MODEL_IZHIKEVICH = 3
} snn_model;

typedef enum snn_izh_preset
{
	SNN_IZH_CUSTOM = 0,
	SNN_IZH_RS = 1,				/* regular spiking */
	SNN_IZH_FS = 2,				/* fast spiking */
	SNN_IZH_CH = 3,				/* chattering */
	SNN_IZH_IB = 4				/* intrinsically bursting */
} snn_izh_preset;

typedef enum snn_section
{
	SNN_SEC_CONFIG = 0,
	SNN_SEC_LAYERS,
	SNN_SEC_IN_ROWPTR,
	SNN_SEC_IN_TARGET,
	SNN_SEC_IN_WEIGHT,
	SNN_SEC_REC_ROWPTR,
	SNN_SEC_REC_TARGET,
	SNN_SEC_REC_WEIGHT,
	SNN_SEC_HISTORY,
	SNN_SEC_READOUT,
	SNN_SEC_NORM,
	SNN_SEC_FANIN,				/* kind fanin: the block (snn_fanin.h) */
	SNN_SEC_EXTRA1,
	SNN_SEC_EXTRA2,
	SNN_SEC_EXTRA3,
	SNN_SEC_COUNT
} snn_section;

/* Header flags. */
#define SNN_FLAG_WTA			0x0001	/* output layer has lateral inhibition */
#define SNN_FLAG_HAS_READOUT	0x0002	/* SNN_SEC_READOUT is filled */
#define SNN_FLAG_HAS_NORM		0x0004	/* SNN_SEC_NORM is filled */
#define SNN_FLAG_TRAINED		0x0008	/* weights changed by training */

/* Neuron model and parameters of one population; zero fields get defaults. */
typedef struct snn_neuron_config
{
	uint32_t	model;			/* snn_model */
	uint32_t	preset;			/* snn_izh_preset (Izhikevich only) */
	float		tau_m;			/* membrane time constant, ms (LIF/ALIF) */
	float		v_rest;			/* resting potential, mV */
	float		v_reset;		/* potential after a spike, mV (Izh: c) */
	float		v_th;			/* threshold, mV (Izh: spike peak) */
	float		t_ref;			/* refractory period, ms */
	float		tau_syn_exc;	/* excitatory current decay, ms */
	float		tau_syn_inh;	/* inhibitory current decay, ms */
	float		bias;			/* constant input current, mV */
	float		v_init_min;		/* initial v drawn uniformly in [min, max] */
	float		v_init_max;
	float		tau_adapt;		/* ALIF threshold adaptation decay, ms */
	float		adapt_inc;		/* ALIF threshold increase per spike, mV */
	float		izh_a,
				izh_b,
				izh_c,
				izh_d;			/* Izhikevich parameters */
	float		reserved[4];
} snn_neuron_config;

/* One simulated layer of a feed-forward network (or the reservoir). */
typedef struct snn_layer_config
{
	uint32_t	size;
	uint32_t	reserved0;
	snn_neuron_config neuron;
	float		connectivity;	/* from the previous layer (or inputs), (0,1] */
	float		weight_min;		/* random weights uniform in [min, max] */
	float		weight_max;
	float		reserved[5];
} snn_layer_config;

/*
 * The configuration every kind is built from (SNN_SEC_CONFIG holds a copy).
 * Feed-forward: n_inputs, layers[0 .. n_layers-1] (hidden..., output), wta.
 * Reservoir: n_inputs, layers[0] is the reservoir (n_layers = 1), res_*.
 */
typedef struct snn_config
{
	uint32_t	kind;			/* snn_kind */
	uint32_t	n_inputs;
	uint32_t	n_layers;
	uint32_t	wta;			/* 1: lateral inhibition in the output layer */
	float		dt;				/* ms */
	float		wta_inhibition; /* mV removed from every other output */
	uint64_t	seed;			/* weights and connectivity */
	/* reservoir */
	float		res_connectivity;
	float		res_spectral_radius;	/* used when res_fixed_weights = 0 */
	float		res_exc_ratio;	/* fraction of excitatory neurons */
	float		res_input_scaling;
	float		res_input_connectivity;
	float		res_weight_exc; /* used when res_fixed_weights = 1 */
	float		res_weight_inh; /* (negative) */
	uint32_t	res_fixed_weights;
	/* kind fanin only (zero for the others) */
	uint32_t	fanin_k;		/* presynaptic neurons a neuron hears; 0:
								 * round(res_connectivity size) */
	uint32_t	fanin_kin;		/* input lines a neuron hears; 0:
								 * round(res_input_connectivity n_inputs) */
	float		fanin_tau_trace;	/* spike trace time constant, ms */
	float		reserved[5];
	snn_layer_config layers[SNN_MAX_LAYERS];
} snn_config;

/* A layer as the simulator reads it (SNN_SEC_LAYERS). */
typedef struct snn_layer
{
	uint32_t	size;
	uint32_t	first_neuron;	/* dense numbering */
	uint32_t	first_slot;		/* multiple of SNN_SLOT_ALIGN */
	uint32_t	model;
	snn_neuron_config p;		/* parameters, defaults filled in */
	/* update factors precomputed from p and dt */
	float		decay_m;		/* exp(-dt/tau_m) */
	float		gain_exc;		/* effect of I_exc on v over one step */
	float		gain_inh;
	float		drive;			/* (v_rest + bias) * (1 - decay_m) */
	float		decay_exc;		/* exp(-dt/tau_syn_exc) */
	float		decay_inh;
	float		decay_adapt;	/* exp(-dt/tau_adapt) */
	int32_t		ref_steps;		/* round(t_ref / dt), at most INT32_MAX */
	int32_t		izh_substeps;
	float		izh_h;			/* dt / izh_substeps */
	float		decay_trace;	/* fanin: exp(-dt / tau_trace), else 0 */
	float		reserved[5];
} snn_layer;

typedef struct snn_section_ref
{
	uint64_t	offset;			/* from the image start, multiple of 64 */
	uint64_t	size;			/* bytes used */
} snn_section_ref;

/* One training history record (SNN_SEC_HISTORY), 64 bytes. */
typedef struct snn_history_rec
{
	uint32_t	method;			/* defined by the training area */
	uint32_t	epochs;
	uint64_t	samples;
	double		loss;
	double		metric;			/* accuracy or similar */
	int64_t		time_us;		/* Unix time of the training, microseconds */
	char		note[24];
} snn_history_rec;

/* The image header: 1024 bytes, at offset 0. */
typedef struct snn_image
{
	uint32_t	magic;
	uint16_t	version;
	uint16_t	kind;
	uint32_t	flags;
	uint32_t	header_size;	/* sizeof(snn_image) */
	uint64_t	total_size;		/* bytes of the whole image */
	uint32_t	n_inputs;
	uint32_t	n_layers;
	uint32_t	n_neurons;		/* simulated neurons (dense) */
	uint32_t	n_slots;		/* padded neuron slots */
	uint64_t	n_in_syn;
	uint64_t	n_rec_syn;
	uint64_t	state_size;		/* bytes of the state buffer */
	float		dt;
	uint32_t	n_history;
	uint64_t	seed;
	/* reserved for the training area: readout and normalisation shape */
	uint32_t	readout_inputs;
	uint32_t	readout_outputs;
	uint32_t	readout_layer;
	uint32_t	n_norm;
	uint32_t	reserved[48];
	snn_section_ref sec[SNN_SEC_COUNT];
	uint8_t		pad[1024 - 96 - 48 * 4 - SNN_SEC_COUNT * 16];
} snn_image;

/* Work counters of snn_run (added to, never reset by snn_run). */
typedef struct snn_counters
{
	uint64_t	steps;
	uint64_t	spikes;
	uint64_t	input_events;
	uint64_t	synaptic_events;	/* weights added by delivery */
	uint64_t	neuron_updates;
	uint64_t	layer_spikes[SNN_MAX_LAYERS];
} snn_counters;

/*
 * Output sink: called once per step that has spikes, with the dense
 * neuron ids of the step in ascending order.  Return nonzero to stop the
 * run (snn_run then returns SNN_E_NOMEM with the field "output").
 */
typedef int (*snn_spike_fn) (void *arg, uint32_t step, const uint32_t *neurons,
							 uint32_t n);

#define SNN_RUN_SCALAR	0x0001	/* plain C membrane updates (for tests) */
#define SNN_RUN_SSE		0x0002	/* 4-lane SIMDe path even where AVX2 runs */
#define SNN_RUN_INPUT_CHECKED 0x0004	/* input already checked by an earlier
										 * chunk of the same run: skip the
										 * O(n) order and range check */

/* Section access. */
static inline const void *
snn_sec(const snn_image *img, snn_section s)
{
	return (const char *) img + img->sec[s].offset;
}

static inline const snn_layer *
snn_layers(const snn_image *img)
{
	return (const snn_layer *) snn_sec(img, SNN_SEC_LAYERS);
}

/* Resolve derived defaults in cfg and validate every field. */
snn_status	snn_config_normalize(snn_config *cfg, snn_error *err);

/*
 * Fill every parameter of n with the defaults of its model and preset
 * (n->model and n->preset must be set; 0 = LIF).  Fields that default to
 * another field (v_reset, v_init_min, v_init_max, izh_*) are set to NaN,
 * resolved by snn_neuron_validate.
 */
void		snn_neuron_defaults(snn_neuron_config *n);

/* Resolve derived defaults and validate; errors name prefix.field. */
snn_status	snn_neuron_validate(snn_neuron_config *n, const char *prefix,
								snn_error *err);

/* A config with every default of the kind: call before setting fields. */
void		snn_config_defaults(snn_config *cfg, snn_kind kind);

/*
 * Building.  Optional explicit dense weights for feed-forward layers:
 * weights[l] is NULL (random) or float[fan_in * size] row-major by source
 * (zero = no synapse).
 */
typedef struct snn_build_extra
{
	const float *const *weights;	/* [n_layers] or NULL */
	uint32_t	no_random;		/* leave weights and CSR zero (text input
								 * fills the sections afterwards) */
	uint32_t	n_history;		/* room for this many history records */
	uint64_t	n_in_syn;		/* with no_random: synapse counts */
	uint64_t	n_rec_syn;
} snn_build_extra;

typedef struct snn_plan
{
	size_t		image_size;
	size_t		scratch_size;	/* bytes of scratch snn_image_build needs */
	uint64_t	n_in_syn;
	uint64_t	n_rec_syn;
	uint32_t	n_slots;
	uint32_t	n_neurons;
} snn_plan;

/*
 * snn_image_plan validates cfg (normalising it in place) and computes sizes
 * without allocating (the counting pass over the synapses, like the build,
 * checks for interrupts and may return SNN_E_CANCELLED); snn_image_build then fills a zeroed buffer of
 * plan->image_size bytes (and scratch of plan->scratch_size bytes).  Random
 * connectivity and weights depend only on cfg->seed.
 */
snn_status	snn_image_plan(snn_config *cfg, const snn_build_extra *extra,
						   snn_plan *plan, snn_error *err);
snn_status	snn_image_build(const snn_config *cfg, const snn_build_extra *extra,
							const snn_plan *plan, void *image, void *scratch,
							snn_error *err);

/*
 * Check an image from outside (binary input, text input): every offset,
 * size, CSR row and target in range, weights finite, and the canonical
 * form: sections in order at their 64-byte boundaries with zero padding,
 * reserved fields zero, header consistent with the config.  The training
 * area must set SNN_FLAG_HAS_READOUT (with readout_*) before filling
 * SNN_SEC_READOUT, and SNN_FLAG_HAS_NORM (with n_norm) for SNN_SEC_NORM;
 * SNN_SEC_FANIN is filled for kind fanin only (checked with
 * snn_fanin_check), and the EXTRA sections must stay empty in format
 * version 1.
 */
snn_status	snn_image_validate(const void *image, size_t size, snn_error *err);

/* round(t / dt) steps for times t, dt >= 0, clamped to [0, INT32_MAX]. */
int32_t		snn_time_steps(double t, double dt);

/* Recompute the precomputed layer factors from p and dt (after editing). */
void		snn_layer_prepare(snn_layer *l, float dt);

/* Dense neuron id -> layer index. */
uint32_t	snn_neuron_layer(const snn_image *img, uint32_t neuron);

/*
 * Copy an image into out (out_size >= the returned size) with section s
 * replaced by data/size (NULL/0 empties it); returns the new image size, or
 * 0 when out is too small.  For the training area: history, readout, norm.
 */
size_t		snn_image_with_section(const snn_image *img, snn_section s,
								   const void *data, size_t size,
								   void *out, size_t out_size);

/* Simulation state. */
size_t		snn_state_size(const snn_image *img);

/* Initialise state (64-byte aligned, state_size bytes): v drawn in
 * [v_init_min, v_init_max] from seed, currents and adaptation zero. */
void		snn_state_init(const snn_image *img, void *state, uint64_t seed);

/*
 * The arrays of a state buffer, indexed by slot (snn_neuron_slot): for
 * readouts, inference and learning rules that look at potentials or
 * currents between snn_run calls.  adapt is the ALIF threshold offset or
 * the Izhikevich u; ref the remaining refractory steps.
 */
typedef struct snn_state_arrays
{
	float	   *v;
	float	   *cur_exc;
	float	   *cur_inh;
	float	   *adapt;
	int32_t    *ref;
} snn_state_arrays;

void		snn_state_get(const snn_image *img, void *state, snn_state_arrays *out);

/* Slot of dense neuron id `neuron` (< n_neurons). */
uint32_t	snn_neuron_slot(const snn_image *img, uint32_t neuron);

/*
 * Run steps first_step .. first_step + steps - 1 (a long run may be cut in
 * chunks, with the same state and input).  It checks for interrupts every
 * step (snn_interrupt.h) and returns SNN_E_CANCELLED, the state then
 * partly advanced.  input: the whole run's events, sorted by (step, neuron), neuron
 * an input index < n_inputs; only events of the chunk's steps are used.
 * The sink gets absolute step numbers.  sink may be NULL.  Deterministic:
 * the result depends only on the image, the initial state and the input.
 */
snn_status	snn_run(const snn_image *img, void *state,
					const snn_event *input, size_t n_input,
					uint32_t first_step, uint32_t steps,
					snn_spike_fn sink, void *sink_arg, snn_counters *counters,
					int flags, snn_error *err);

/*
 * Kind fanin.  The block of an image (its weights writable only in a
 * private copy of the image, as for any learning rule), the parameters of
 * one substep from its layer (substeps 1, no reset, no learning: set them
 * in *p to drive it otherwise), and the per-neuron arrays of a state
 * buffer of the image (snn_state_init): v, adaptation, traces, spikes of
 * the last substep and counts of the last call.  SNN_E_CONFIG when the
 * image is of another kind.
 */
struct snn_fanin;
struct snn_fanin_params;
struct snn_fanin_state;
snn_status	snn_image_fanin(const snn_image *img, struct snn_fanin *b,
							struct snn_fanin_params *p, snn_error *err);
void		snn_image_fanin_state(const snn_image *img, void *state,
								  struct snn_fanin_state *s);

/* Names of models, presets and kinds ("lif", "rs", "feedforward"...). */
const char *snn_model_name(uint32_t model);
const char *snn_preset_name(uint32_t preset);
const char *snn_kind_name(uint32_t kind);

#endif							/* SNN_IMAGE_H */
