/*
 * snn_learn.h: learning rules and rate-to-spike conversion on plain arrays.
 *
 * Everything here works on caller-owned buffers (data, parameters and a
 * workspace whose size a *_workspace_size() function gives) and never
 * allocates, so the PostgreSQL side can hand in palloc'd memory and abandon
 * it on an error or a cancel.  The long loops (training, conversion, ridge)
 * check for interrupts through snn_interrupted() (snn_interrupt.h) and then
 * return SNN_E_CANCELLED, with the outputs in an unspecified state.
 *
 * Data sets are row-major float[n][dim]; class labels are int32 in
 * [0, n_classes).  Every entry point validates its inputs first (empty data,
 * NaN or infinity, labels out of range, mismatched sizes) and changes no
 * output buffer when it fails.
 */
#ifndef SNN_LEARN_H
#define SNN_LEARN_H

#include <stddef.h>
#include <stdint.h>

#include "snn_interrupt.h"
#include "snn_random.h"
#include "snn_status.h"

#define SNN_MLP_MAX_LAYERS	8	/* weight layers of a rate network */
#define SNN_MLP_MAX_WIDTH	65535	/* neurons in one layer */
#define SNN_LEARN_MAX_CLASSES 65535
#define SNN_CONV_MAX_STEPS	255 /* output times must fit the spikes type */

/* Called at the end of each epoch with its number, the most and its loss. */
typedef void (*snn_progress_fn) (void *arg, uint32_t epoch, uint32_t epochs, double loss);

/* What a training run reports (kept as history in the network). */
typedef struct snn_train_result
{
	uint32_t	epochs;			/* epochs run */
	uint32_t	best_epoch;		/* epoch whose parameters were kept */
	uint64_t	samples;		/* training samples (after the split) */
	double		loss;			/* training loss of the kept parameters */
	double		accuracy;		/* training accuracy (classification) */
	double		val_loss;		/* NaN when there is no validation split */
	double		val_accuracy;
	int			converged;		/* target loss met or early stop fired */
	double		seconds;		/* wall time of the run */
} snn_train_result;

/* Validate a data set: n > 0, dim > 0, every value finite. */
snn_status	snn_check_data(const float *x, size_t n, size_t dim, const char *field,
						   snn_error *err);

/* Validate labels: every one in [0, n_classes); n_classes in [2, max]. */
snn_status	snn_check_labels(const int32_t *y, size_t n, uint32_t n_classes,
							 snn_error *err);

/* Wall-clock seconds (monotonic). */
double		snn_now(void);

/* ---------------------------------------------------------------------
 * Rate network (multi-layer perceptron): ReLU hidden layers, linear
 * output with softmax cross-entropy.  Parameters are one float array:
 * for each layer l, W[in][out] (row-major by input) then b[out].
 */
typedef struct snn_mlp_shape
{
	uint32_t	n_layers;		/* weight layers, 1 .. SNN_MLP_MAX_LAYERS */
	uint32_t	sizes[SNN_MLP_MAX_LAYERS + 1];	/* inputs, hidden..., outputs */
} snn_mlp_shape;

size_t		snn_mlp_param_count(const snn_mlp_shape *shape);
size_t		snn_mlp_weight_offset(const snn_mlp_shape *shape, uint32_t layer);
size_t		snn_mlp_bias_offset(const snn_mlp_shape *shape, uint32_t layer);
snn_status	snn_mlp_check_shape(const snn_mlp_shape *shape, snn_error *err);

/* Glorot-uniform weights, zero biases, from seed. */
void		snn_mlp_init(const snn_mlp_shape *shape, float *params, uint64_t seed);

/* Logits of one sample; scratch holds 2 * max width floats. */
void		snn_mlp_forward(const snn_mlp_shape *shape, const float *params,
							const float *x, float *logits, float *scratch);

/* Index of the largest of n values (first on ties). */
uint32_t	snn_argmax(const float *v, uint32_t n);

typedef struct snn_bp_options
{
	uint32_t	max_epochs;		/* default 100 */
	uint32_t	batch_size;		/* default 64 */
	float		learning_rate;	/* Adam step, default 0.01 */
	float		beta1;			/* default 0.9 */
	float		beta2;			/* default 0.999 */
	float		epsilon;		/* default 1e-8 */
	float		l2;				/* weight decay on weights, default 1e-4 */
	float		validation_split;	/* fraction held out, default 0.1 */
	uint32_t	patience;		/* epochs without improvement, default 8 */
	float		tolerance;		/* relative loss improvement that counts,
								 * default 0.01 */
	float		target_loss;	/* stop when training loss <= this; 0 = off */
	uint64_t	seed;			/* initialisation, split and shuffling */
	snn_progress_fn progress;	/* optional, after each epoch */
	void	   *progress_arg;
} snn_bp_options;

void		snn_bp_defaults(snn_bp_options *o);
snn_status	snn_bp_check_options(const snn_bp_options *o, snn_error *err);

/* Workspace bytes for snn_bp_train on n samples. */
size_t		snn_bp_workspace_size(const snn_mlp_shape *shape, size_t n,
								  const snn_bp_options *o);

/*
 * Train params (initialised by the caller, e.g. snn_mlp_init) on x[n][in]
 * with labels y.  On success params holds the best parameters seen
 * (lowest validation loss, or the last epoch without a split).
 */
snn_status	snn_bp_train(const snn_mlp_shape *shape, float *params,
						 const float *x, const int32_t *y, size_t n,
						 const snn_bp_options *o, void *work, size_t work_size,
						 snn_train_result *res, snn_error *err);

/* ---------------------------------------------------------------------
 * Input scaling: per-feature min-max to [0, 1], learnt from data.
 * x' = (x - offset) * scale, clipped to [0, 1] at inference.
 */
void		snn_minmax_fit(const float *x, size_t n, size_t dim, float *offset,
						   float *scale);
void		snn_minmax_apply(const float *x, size_t n, size_t dim,
							 const float *offset, const float *scale, float *out);

/* ---------------------------------------------------------------------
 * Conversion of a trained rate network to a spiking one (snn_convert.c).
 *
 * Data-based normalisation (Diehl et al. 2015; Rueckauer et al. 2017): for
 * each layer, lambda_l is the given percentile of its positive activations
 * over the data; W'_l = W_l * lambda_{l-1} / lambda_l, b'_l = b_l / lambda_l,
 * hidden thresholds 1.  Hidden neurons integrate-and-fire with reset by
 * subtraction, the first layer driven by the (scaled) analog input as a
 * constant current.  Output neurons integrate without leak; the first to
 * reach output_threshold is the answer (time-to-first-spike readout).
 */
typedef struct snn_convert_options
{
	float		percentile;		/* default 99.9 */
	uint32_t	steps;			/* simulation steps, default 128, <= 255 */
	float		output_threshold;	/* 0 = automatic (see snn_convert.c) */
} snn_convert_options;

void		snn_convert_defaults(snn_convert_options *o);

/* The converted network: same parameter layout as the rate network. */
typedef struct snn_ttfs_net
{
	snn_mlp_shape shape;
	uint32_t	steps;
	float		output_threshold;
	const float *params;		/* normalised weights and biases */
	const float *lambda;		/* [n_layers] normalisation factors */
} snn_ttfs_net;

size_t		snn_convert_workspace_size(const snn_mlp_shape *shape, size_t n);

/*
 * Normalise params (rate network) into out_params (same size) and fill
 * lambda[n_layers] and *out_threshold, using x[n][in] (already scaled).
 */
snn_status	snn_convert(const snn_mlp_shape *shape, const float *params,
						const float *x, size_t n, const snn_convert_options *o,
						float *out_params, float *lambda, float *out_threshold,
						void *work, size_t work_size, snn_error *err);

/* Result of one spiking inference. */
typedef struct snn_ttfs_result
{
	int32_t		predicted;		/* class: first output to fire */
	int32_t		runner_up;		/* output with the next highest potential */
	int			fired;			/* 1 when an output reached threshold */
	uint32_t	steps;			/* steps simulated (stops at the first output
								 * spike) */
	double		confidence;		/* (v_first - v_second) / threshold, in [0, 1] */
	uint64_t	synaptic_ops;	/* weight additions (incl. input currents) */
	uint64_t	neuron_updates; /* membrane updates */
	uint32_t	layer_spikes[SNN_MLP_MAX_LAYERS];
} snn_ttfs_result;

/* Scratch floats snn_ttfs_run needs. */
size_t		snn_ttfs_scratch_size(const snn_mlp_shape *shape);

/*
 * Run the converted network on one scaled input x[in]; out_times[n_out]
 * (may be NULL) receives each output's first-spike step, 255 = silent.
 */
void		snn_ttfs_run(const snn_ttfs_net *net, const float *x,
						 uint8_t *out_times, float *scratch,
						 snn_ttfs_result *res);

/* ---------------------------------------------------------------------
 * Ridge regression (snn_learn_ridge.c): W = (S'S + alpha I)^-1 S'Y with an
 * unpenalised bias, solved by Cholesky.  W is [dim + 1][k], the last row
 * the bias.  For classification, Y is one-hot of the labels.
 */
size_t		snn_ridge_workspace_size(size_t dim, size_t k);
snn_status	snn_ridge_fit(const float *s, size_t n, size_t dim,
						  const float *y, size_t k, double alpha,
						  float *w, void *work, size_t work_size,
						  snn_error *err);

/* One-hot targets of labels into y[n][k]. */
void		snn_one_hot(const int32_t *labels, size_t n, uint32_t k, float *y);

/* out[k] = W' [s; 1]. */
void		snn_ridge_predict(const float *w, size_t dim, size_t k,
							  const float *s, float *out);

/* ---------------------------------------------------------------------
 * Unsupervised learning of one feed-forward layer (snn_learn_stdp.c,
 * snn_learn_hebb.c).  Weights are float[in][out], row-major by input.
 */
typedef struct snn_stdp_options
{
	uint32_t	epochs;			/* default 1 */
	uint32_t	steps;			/* steps a sample is shown, default 50 */
	float		dt;				/* ms, default 1 */
	float		tau_pre;		/* ms, default 20 */
	float		tau_post;		/* ms, default 20 */
	float		a_plus;			/* default 0.01 */
	float		a_minus;		/* default 0.0105 */
	float		w_min;			/* default 0 */
	float		w_max;			/* default 1 */
	float		tau_m;			/* membrane, ms, default 20 */
	float		v_th;			/* threshold (normalised units), default 1 */
	float		max_rate;		/* input spike probability a step at x = 1,
								 * default 0.2 */
	int			wta;			/* winner-take-all, default 1 */
	int			homeostasis;	/* adaptive thresholds, default 1 */
	float		theta_plus;		/* threshold increase a spike, default 0.05 */
	float		tau_theta;		/* ms, default 1e4 */
	uint64_t	seed;
	snn_progress_fn progress;	/* optional, after each epoch */
	void	   *progress_arg;
} snn_stdp_options;

void		snn_stdp_defaults(snn_stdp_options *o);
snn_status	snn_stdp_check_options(const snn_stdp_options *o, snn_error *err);
size_t		snn_stdp_workspace_size(size_t n_in, size_t n_out);

/*
 * Train w[n_in][n_out] and theta[n_out] (thresholds added by homeostasis)
 * on x[n][n_in] scaled to [0, 1] (Poisson spike trains, rate max_rate * x).
 * res->loss is the mean reconstruction error, res->accuracy unused (NaN).
 */
snn_status	snn_stdp_train(float *w, float *theta, size_t n_in, size_t n_out,
						   const float *x, size_t n, const snn_stdp_options *o,
						   void *work, size_t work_size,
						   snn_train_result *res, snn_error *err);

/*
 * One pair-based STDP update given spike trains: pre[steps][n_in] and
 * post[steps][n_out] as 0/1 bytes; used by the trainer and by tests.
 * Traces x_pre and y_post (n_in, n_out floats) carry over between calls.
 */
void		snn_stdp_apply(float *w, size_t n_in, size_t n_out,
						   const uint8_t *pre, const uint8_t *post, uint32_t steps,
						   const snn_stdp_options *o, float *x_pre, float *y_post);

/*
 * Inference through the WTA layer for one sample (no learning, fixed seed
 * so the answer is reproducible): the first output to fire, or -1.  With
 * counts (n_out) it runs every step and counts spikes, else it stops at the
 * first spike.  scratch: n_in + n_out floats; synaptic_ops (may be NULL)
 * is added to; times (n_out bytes, may be NULL) gets first-spike steps
 * (255 = silent) and steps_run (may be NULL) the steps simulated.
 */
int32_t		snn_wta_first(const float *w, const float *theta, size_t n_in,
						  size_t n_out, const float *x, const snn_stdp_options *o,
						  uint64_t seed, uint32_t *counts, float *scratch,
						  uint64_t *synaptic_ops, uint8_t *times,
						  uint32_t *steps_run);

/*
 * Online pair-based STDP on a fixed fan-in recurrent block (snn_fanin.h),
 * after a substep in which the n_fired neurons fired[] (ascending) fired;
 * spiked[n] is 1 for them, trace[n] the traces before this substep's
 * spikes are added.  A synapse pre -> post onto a neuron that fired gains
 * a_plus * trace[pre] (pre before post) and loses a_minus * trace[post]
 * when pre fired too; a synapse from a neuron that fired onto a silent one
 * loses a_minus * trace[post] (post before pre).  Each weight keeps its
 * sign (Dale's law) with its magnitude clipped to [0, w_max]; a negative
 * weight clipped to zero becomes -0, which later calls treat as
 * excitatory (so an inhibitory synapse that reached zero may grow back
 * positive: the detector's results depend on it); every other
 * synapse is unchanged, so this equals a walk over all n k synapses in a
 * fraction of the time.
 */
struct snn_fanin;
void		snn_stdp_fanin_fired(const struct snn_fanin *b, const float *trace,
								 const uint8_t *spiked, const uint16_t *fired,
								 uint32_t n_fired, float a_plus, float a_minus,
								 float w_max);

typedef struct snn_hebb_options
{
	uint32_t	epochs;			/* default 20 */
	float		learning_rate;	/* default 0.01 */
	int			sanger;			/* 1: Sanger's rule (ordered components) */
	uint64_t	seed;
	snn_progress_fn progress;	/* optional, after each epoch */
	void	   *progress_arg;
} snn_hebb_options;

void		snn_hebb_defaults(snn_hebb_options *o);
snn_status	snn_hebb_check_options(const snn_hebb_options *o, snn_error *err);

/*
 * Oja's rule dw_j = eta y_j (x - y_j w_j) (or Sanger's generalisation
 * dw_j = eta y_j (x - sum_{k<=j} y_k w_k)) on centred data; w[n_in][n_out]
 * must hold initial weights.  mean[n_in] receives the data mean.
 * res->loss is the mean reconstruction error of the last epoch.
 */
size_t		snn_hebb_workspace_size(size_t n_in, size_t n_out);
snn_status	snn_hebb_train(float *w, float *mean, size_t n_in, size_t n_out,
						   const float *x, size_t n, const snn_hebb_options *o,
						   void *work, size_t work_size,
						   snn_train_result *res, snn_error *err);

#endif							/* SNN_LEARN_H */
