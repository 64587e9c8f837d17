/*
 * snn_trained.h: what training leaves in a network image.
 *
 * A trained network keeps, in its SNN_SEC_NORM section, one "trained
 * block": a fixed header followed by float arrays addressed by offsets (in
 * floats from the end of the header).  It holds everything inference needs
 * beyond the image's own neurons and synapses: the input scaling learnt
 * from the data, the converted rate network (backprop), the ridge readout
 * (reservoirs), the homeostatic thresholds and neuron labels (STDP,
 * Hebbian).  The image's synapse weights are updated too (so snn_info and
 * snn_simulate see the trained weights), but inference runs the dynamics
 * described here, which are exactly what training optimised.
 */
#ifndef SNN_TRAINED_H
#define SNN_TRAINED_H

#include <stddef.h>
#include <stdint.h>

#include "snn_image.h"
#include "snn_learn.h"

#define SNN_TRAINED_MAGIC	0x52544E53u /* "SNTR" */
#define SNN_TRAINED_VERSION 1

typedef enum snn_method
{
	SNN_METHOD_BACKPROP = 1,
	SNN_METHOD_RIDGE = 2,
	SNN_METHOD_STDP = 3,
	SNN_METHOD_HEBBIAN = 4
} snn_method;

typedef struct snn_trained
{
	uint32_t	magic;
	uint32_t	version;
	uint32_t	method;			/* snn_method */
	uint32_t	n_features;		/* = image n_inputs */
	uint32_t	n_classes;		/* 0: regression (ridge only) */
	uint32_t	n_outputs;		/* output values / output neurons */
	uint32_t	steps;			/* simulation steps of an inference */
	uint32_t	state_dim;		/* ridge: reservoir neurons read out */
	snn_mlp_shape shape;		/* backprop: the rate network */
	float		output_threshold;	/* backprop: TTFS output threshold */
	float		max_rate;		/* ridge, stdp: input spikes per step at x = 1 */
	float		tau_m;			/* stdp: membrane time constant, ms */
	float		v_th;			/* stdp: threshold */
	float		dt;				/* stdp: ms */
	uint32_t	wta;			/* stdp: winner-take-all */
	uint64_t	seed;			/* inference noise (stdp) and state (ridge) */
	/* offsets in floats from the end of this header; n_* in floats */
	uint32_t	off_offset;		/* [n_features] input minimum */
	uint32_t	off_scale;		/* [n_features] 1 / input range */
	uint32_t	off_params;		/* backprop: normalised weights; stdp/hebb:
								 * unused (the image has them) */
	uint32_t	n_params;
	uint32_t	off_rate;		/* backprop: the rate network's parameters */
	uint32_t	off_lambda;		/* backprop: [n_layers] */
	uint32_t	off_readout;	/* ridge: [state_dim + 1][n_outputs] */
	uint32_t	n_readout;
	uint32_t	off_theta;		/* stdp: [n_outputs] thresholds */
	uint32_t	off_labels;		/* stdp/hebb: [n_outputs] class, -1 none */
	uint32_t	off_weights;	/* stdp/hebb: [n_features][n_outputs] */
	uint32_t	off_mean;		/* hebb: [n_features] data mean */
	uint32_t	n_floats;		/* floats after the header */
	uint32_t	reserved[9];
} snn_trained;

static inline const float *
snn_trained_floats(const snn_trained *t)
{
	return (const float *) (t + 1);
}

const char *snn_method_name(uint32_t method);
int			snn_method_from_name(const char *name); /* 0 when unknown */

/* Check a trained block against its image: sizes, offsets, finite values. */
snn_status	snn_trained_validate(const snn_image *img, const void *block,
								 size_t size, snn_error *err);

/* The trained block of an image, or NULL when it has none. */
const snn_trained *snn_trained_of(const snn_image *img);

/*
 * Dense feed-forward weights of layer l (float[fan_in][size]) read from
 * the image's synapses, and written back (sign picks the current slot).
 * Writing requires every synapse of the layer to exist (connectivity 1);
 * snn_layer_dense_count says whether they do.
 */
uint64_t	snn_layer_dense_count(const snn_image *img, uint32_t layer);
void		snn_layer_get_dense(const snn_image *img, uint32_t layer, float *w);
void		snn_layer_set_dense(snn_image *img, uint32_t layer, const float *w,
								float scale);

/*
 * Reservoir read-out states: the features x[n_inputs] (scaled to [0, 1])
 * as a regular rate code (max_rate spikes a step at 1) for steps steps,
 * from a state seeded with seed; out[n_neurons] gets each neuron's spike
 * count / steps.  work: snn_reservoir_work_size bytes.
 */
size_t		snn_reservoir_work_size(const snn_image *img, uint32_t steps);
snn_status	snn_reservoir_states(const snn_image *img, const float *x,
								 uint32_t steps, float max_rate, uint64_t seed,
								 float *out, void *work, size_t work_size,
								 snn_counters *counters, snn_error *err);

#endif							/* SNN_TRAINED_H */
