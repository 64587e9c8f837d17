/*
 * snn_fanin.h: a recurrent block of spiking neurons with a fixed fan-in,
 * stepped with an analog input current: the engine's kernel for small
 * reservoirs driven event by event (the anomaly detector's), where the
 * image's spike-event simulator (snn_image.h, snn_run) would spend its time
 * on delivery and currents the model does not have.
 *
 * The block: n neurons, neuron i hears k distinct presynaptic neurons
 * pre[i k + j] of the same block through weights w[i k + j] (row-major by
 * postsynaptic neuron, so the recurrent current is a gather).  An output
 * index by presynaptic neuron (out_ptr, out_slot, out_post: a CSR of the
 * synapse slots, in slot order) lets learning visit only the synapses of
 * neurons that fired.  An input projection of fixed fan-in (neuron i hears
 * kin lines in_idx[i kin + j] of n_in through in_w[i kin + j]) turns an
 * analog input code into each neuron's current (snn_fanin_input).  Every
 * array is caller-owned; the engine keeps no pointer.
 *
 * The block's arrays in one flat section (snn_fanin_layout_of): pre, w,
 * out_ptr, out_slot, out_post, in_idx, in_w, each at a 64-byte boundary
 * from the section's start, in host byte order (little-endian on every
 * platform we build for).  A network image of kind "fanin" holds it as
 * its SNN_SEC_FANIN section (snn_image.h), and the anomaly detector's
 * state holds it, byte for byte the same, in each member: the detector's
 * reservoir is that image's block.
 *
 * Neuron model (adaptive LIF in normalised units, one substep of the event
 * a step, every synapse instantaneous):
 *   v_i <- v_i * decay_m + I_i + sum_j w_ij s_j      (s: last substep's spikes)
 *   fires when v_i >= threshold + a_i; then v_i <- 0, a_i <- a_i + adapt_inc
 *   a_i <- a_i * decay_adapt                          (every neuron)
 *   trace_i <- trace_i * decay_trace + s'_i           (s': this substep's)
 * with online STDP (snn_learn.h, snn_stdp_fanin_fired) after each substep
 * when learning.  Plain float operations in a fixed order, no fused
 * multiply-add: the same bits on every build.
 */
#ifndef SNN_FANIN_H
#define SNN_FANIN_H

#include <stddef.h>
#include <stdint.h>

#define SNN_FANIN_MAX_NEURONS	4096	/* scratch of a run is on the stack */

typedef struct snn_fanin
{
	uint32_t	n;				/* neurons */
	uint32_t	k;				/* fan-in, <= n */
	const uint16_t *pre;		/* [n k] presynaptic neuron of each slot */
	float	   *w;				/* [n k] weights, slot i k + j */
	const uint32_t *out_ptr;	/* [n + 1] start of each neuron's outputs */
	const uint32_t *out_slot;	/* [n k] slots, grouped by presynaptic neuron */
	const uint16_t *out_post;	/* [n k] postsynaptic neuron of each */
	uint32_t	n_in;			/* input lines */
	uint32_t	kin;			/* input fan-in, <= n_in (0: no projection) */
	const uint16_t *in_idx;		/* [n kin] input line of each slot */
	const float *in_w;			/* [n kin] input weights */
} snn_fanin;

/* Byte offsets of a block's arrays from the start of its section. */
typedef struct snn_fanin_layout
{
	size_t		off_pre;
	size_t		off_w;
	size_t		off_ptr;
	size_t		off_slot;
	size_t		off_post;
	size_t		off_iidx;
	size_t		off_iw;
	size_t		size;			/* bytes used: the end of in_w */
} snn_fanin_layout;

/*
 * How a block is wired (snn_fanin_build): the random recurrent weights
 * and input projection, in double precision as the caller holds them.
 */
typedef struct snn_fanin_spec
{
	uint32_t	n;
	uint32_t	k;
	uint32_t	n_in;
	uint32_t	kin;
	double		exc_ratio;		/* fraction of excitatory neurons */
	double		radius;			/* spectral radius (circular law) */
	double		input_gain;		/* input weight magnitude, times unit */
	double		unit;			/* the threshold: weights are in its units */
	uint64_t	seed;
} snn_fanin_spec;

/* Per-neuron arrays a run changes (n each). */
typedef struct snn_fanin_state
{
	float	   *v;				/* membrane */
	float	   *a;				/* threshold adaptation */
	float	   *trace;			/* spike traces (STDP, readouts) */
	uint8_t    *spk;			/* spikes of the last substep, 0 or 1 */
	uint8_t    *count;			/* spikes of the last run, saturating at 255 */
} snn_fanin_state;

typedef struct snn_fanin_params
{
	float		decay_m;		/* exp(-1 / tau_m) */
	float		decay_adapt;	/* exp(-1 / tau_adapt) */
	float		decay_trace;	/* exp(-1 / tau_trace) */
	float		threshold;
	float		adapt_inc;		/* 0: plain LIF */
	int			substeps;		/* >= 1 */
	int			reset;			/* 1: every membrane starts the run at 0 */
	int			learn;			/* 1: STDP after each substep */
	float		a_plus;			/* STDP (snn_stdp_fanin_fired) */
	float		a_minus;
	float		w_max;
} snn_fanin_params;

/*
 * Random recurrent wiring from *rng (splitmix64, advanced): neuron i hears
 * k distinct neurons other than itself (itself too only when k = n), row
 * by row, each weight drawn right after its row's indices.  Neurons below
 * round(exc_ratio n) are excitatory (weights U(0, 1)); the others are
 * inhibitory, U(0, 1) times -n_exc / n_inh so that E and I balance.  All
 * weights are then scaled so that the circular law puts the spectral
 * radius at radius, times unit (the threshold, in the detector).
 * n <= SNN_FANIN_MAX_NEURONS, 1 <= k <= n.
 */
void		snn_fanin_wire_dale(uint32_t n, uint32_t k, double exc_ratio,
								double radius, double unit, uint64_t *rng,
								uint16_t *pre, float *w);

/*
 * Random input projection from *rng: neuron i hears k distinct lines of
 * n_src (idx[i k + j]) with weights of magnitude U(0.5, 1.5), negative
 * with probability 0.3, times gain times unit.  1 <= k <= n_src <= 65536.
 */
void		snn_fanin_wire_input(uint32_t n, uint32_t k, uint32_t n_src,
								 double gain, double unit, uint64_t *rng,
								 uint16_t *idx, float *w);

/*
 * out[i] = sum over j < k of w[i k + j] * src[idx[i k + j]] for n rows: a
 * gather of fixed fan-in (the recurrent current, or an input projection of
 * its own fan-in and index range).  Each row's terms are added in order j
 * = 0 .. k - 1, eight rows at a time.
 */
void		snn_fanin_sums(const uint16_t *idx, const float *w, const float *src,
						   int n, int k, float *out);

/* Fill out_ptr, out_slot and out_post of a block from its pre. */
void		snn_fanin_index_outputs(uint32_t n, uint32_t k, const uint16_t *pre,
									uint32_t *out_ptr, uint32_t *out_slot,
									uint16_t *out_post);

/* The section layout of a block of n neurons, fan-in k, input fan-in kin. */
void		snn_fanin_layout_of(uint32_t n, uint32_t k, uint32_t kin,
								snn_fanin_layout *lay);

/* A block seen over its section (sec: 64-byte aligned, layout of its shape). */
void		snn_fanin_view(void *sec, uint32_t n, uint32_t k, uint32_t n_in,
						   uint32_t kin, snn_fanin *b);

/*
 * Wire a block into its zeroed section: the recurrent weights
 * (snn_fanin_wire_dale), the output index, then the input projection
 * (snn_fanin_wire_input), from one splitmix64 stream of seed ^
 * 0x6a09e667f3bcc909; returns the stream's state after it.  The same spec
 * gives the same bytes: the detector's members and images of kind fanin
 * are wired by this one function.
 */
uint64_t	snn_fanin_build(const snn_fanin_spec *spec, void *sec);

/*
 * The input current of each neuron for an analog code u[n_in]: the mean
 * over its fan-in, times 4 (so that a code of ones through unit weights
 * saturates a neuron at four thresholds):
 *   in_i = (sum_j in_w[i kin + j] u[in_idx[i kin + j]]) / kin * 4
 * summed in the order of snn_fanin_sums.
 */
void		snn_fanin_input(const snn_fanin *b, const float *u, float *in);

/*
 * snn_fanin_input for a code of zeros and ones given as a bitmap (line l
 * is 1 when bit l % 8 of on[l / 8] is set): the same floats, bit for bit.
 */
void		snn_fanin_input_bits(const snn_fanin *b, const uint8_t *on, float *in);

/*
 * True when a block from outside (a restored state, an image) is safe to
 * run: every presynaptic neuron below n, every input line below n_in, and
 * the output index consistent with pre (each slot once, under its
 * presynaptic neuron, naming its row).
 */
int			snn_fanin_check(const snn_fanin *b);

/*
 * One run of p->substeps substeps with the input current in[n] held
 * constant; returns the number of spikes.  n <= SNN_FANIN_MAX_NEURONS;
 * no allocation, scratch on the stack (15 bytes a neuron, 60 kB at most).
 */
int			snn_fanin_run(const snn_fanin *b, const snn_fanin_params *p,
						  snn_fanin_state *s, const float *in);

/*
 * One event: the analog code u[n_in] through the input projection
 * (snn_fanin_input), held for p->substeps substeps (snn_fanin_run); returns
 * the spikes.  The anomaly detector's reservoir step, and the per-step
 * call of a network image of kind fanin (snn_image_fanin).
 */
int			snn_fanin_step(const snn_fanin *b, const snn_fanin_params *p,
						   snn_fanin_state *s, const float *u);

#endif							/* SNN_FANIN_H */
