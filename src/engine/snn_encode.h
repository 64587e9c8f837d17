/*
 * snn_encode.h: encoders from real values to spikes, and decoders back.
 *
 * Every encoder is deterministic: the same arguments give the same spikes
 * on every machine (Poisson uses its own counter-based generator, never
 * libc's).  All inputs are validated first; nothing is written on error.
 *
 * Common checks, in this order:
 *   values: n >= 1 (SNN_E_EMPTY), within the encoder's size limit
 *     (SNN_E_LIMIT), every element finite (SNN_E_NAN, "element k" counts
 *     from 1);
 *   lo, hi: finite (SNN_E_NAN), lo < hi and hi - lo finite (SNN_E_CONFIG);
 *   steps: within the encoder's range (SNN_E_RANGE, SNN_E_LIMIT above the
 *     train limit).
 *
 * Normalised value: u(v) = (v - lo) / (hi - lo), clamped to [0, 1] where an
 * encoder says so.
 */
#ifndef SNN_ENCODE_H
#define SNN_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "snn_random.h"
#include "snn_spiketrain.h"
#include "snn_status.h"

#define SNN_TTFS_MAX_STEPS		255 /* TTFS patterns: steps 0..254 */
#define SNN_PATTERN_MAX_DIM		65535	/* neurons in a TTFS pattern */
#define SNN_POPULATION_MAX_PER_VALUE 1024	/* receptive fields per value */
#define SNN_ENCODE_MAX_CELLS	100000000	/* values x steps for Poisson */
#define SNN_TTFS_SILENT			255 /* byte of a silent neuron */

/*
 * Time to first spike.  out[i] (n bytes) is the step neuron i fires at:
 *   v <= lo          -> silent (255)
 *   v >= hi          -> 0
 *   otherwise        -> floor((hi - v) / (hi - lo) * (steps - 1) + 0.5)
 * so larger values fire earlier.  steps in 1..255; n <= 65535.
 */
snn_status	snn_encode_ttfs(const double *values, size_t n, double lo,
							double hi, uint32_t steps, uint8_t *out,
							snn_error *err);

/*
 * Inverse of snn_encode_ttfs: step t -> hi - (t / (steps - 1)) (hi - lo),
 * kept inside [lo, hi] (t = 0 -> hi when steps = 1); silent -> lo.  A step above steps - 1 is
 * SNN_E_RANGE.  |decode(encode(v)) - v| <= (hi - lo) / (2 (steps - 1)) for
 * v in [lo, hi].
 */
snn_status	snn_decode_ttfs(const uint8_t *t, size_t n, double lo, double hi,
							uint32_t steps, double *out, snn_error *err);

/*
 * Regular (deterministic) rate code over steps steps.  Neuron i fires
 * r = floor(u * max_rate * steps + 0.5) times, u clamped to [0, 1], its
 * j-th spike (j = 0 .. r - 1) at step floor((2j + 1) * steps / (2r)):
 * evenly spread and centred in the window.  max_rate in (0, 1] is spikes
 * per step at u = 1.  n <= SNN_TRAIN_MAX_NEURONS, steps in
 * 1..SNN_TRAIN_MAX_STEPS.
 *
 * Two-phase: with events == NULL only *n_events is set (the exact count,
 * SNN_E_LIMIT above SNN_TRAIN_MAX_EVENTS); then call again with cap >=
 * that count.  Events come out in canonical (step, neuron) order.
 * step_scratch (steps + 1 entries, or NULL) lets the encoder order them
 * with a counting sort in O(events + steps) instead of sorting.  Like the
 * Poisson code below, it checks for interrupts (snn_interrupt.h) and may
 * return SNN_E_CANCELLED.
 */
snn_status	snn_encode_rate(const double *values, size_t n, double lo,
							double hi, uint32_t steps, double max_rate,
							snn_event *events, size_t cap, size_t *n_events,
							uint32_t *step_scratch, snn_error *err);

/*
 * Inverse of the rate code: out[i] = lo + min(1, c_i / (max_rate *
 * n_steps)) * (hi - lo), c_i the number of events of neuron i.  Exact to
 * within (hi - lo) / (2 max_rate steps) of the encoded value in [lo, hi].
 */
snn_status	snn_decode_rate(uint32_t n_neurons, uint32_t n_steps,
							const snn_event *events, size_t n_events,
							double lo, double hi, double max_rate,
							double *out, snn_error *err);

/*
 * Bernoulli ("Poisson") rate code: neuron i fires at step s with
 * probability p_i = u * max_rate (u clamped to [0, 1]), independently.
 * The draw for (i, s) is the (s + 1)-th output of a SplitMix64 generator
 * seeded with the (i + 1)-th output of a SplitMix64 generator seeded with
 * seed; the neuron fires when the 64-bit draw is below p_i * 2^64 (always
 * when p_i = 1).  So a neuron's spikes depend only on (seed, i, p_i), and
 * the same call gives the same spikes everywhere.  n * steps <=
 * SNN_ENCODE_MAX_CELLS.  Two-phase like snn_encode_rate (each phase draws
 * everything; the count phase only counts).  neuron_scratch (2 n entries,
 * or NULL) holds each neuron's threshold and stream seed so they are
 * computed once, which makes the draws several times faster.
 */
snn_status	snn_encode_poisson(const double *values, size_t n, double lo,
							   double hi, uint32_t steps, double max_rate,
							   uint64_t seed, snn_event *events, size_t cap,
							   size_t *n_events, uint64_t *neuron_scratch,
							   snn_error *err);

/*
 * Population code with Gaussian receptive fields: each value drives
 * per_value neurons (neuron k * per_value + j for value k), centred at
 * c_j = lo + j * d with d = (hi - lo) / (per_value - 1) (one field centred
 * at (lo + hi) / 2 with d = hi - lo when per_value = 1), of width
 * w = sigma * d.  Activation a = exp(-((v - c_j) / w)^2 / 2) is then TTFS
 * coded with lo = min_activation, hi = 1: a <= min_activation stays
 * silent.  sigma > 0, min_activation in [0, 1), steps 1..255, per_value
 * 1..1024, n * per_value <= 65535; out holds n * per_value bytes.
 */
snn_status	snn_encode_population(const double *values, size_t n, double lo,
								  double hi, uint32_t per_value,
								  uint32_t steps, double sigma,
								  double min_activation, uint8_t *out,
								  snn_error *err);

/*
 * Inverse of the population code, value by value.  A field's spike step
 * gives its activation back, a = 1 - t (1 - min_activation) / (steps - 1),
 * hence the distance |v - c_j| = w sqrt(-2 ln a).  A coarse estimate comes
 * from the earliest field (lowest j on ties), the side (c_j - or + the
 * distance) being the one whose predicted steps for fields j - 1 and j + 1
 * are closer to the observed ones (ties: the lower).  The answer is then
 * the candidate nearest the coarse estimate from the fired field where the
 * Gaussian is steepest (largest a |v - c_j|), which pins the value best.
 * With steps = 255, sigma = 1 and min_activation = 0.1 the error is below
 * 0.5% of the field spacing for values in [lo, hi] (test_encode.c).  A
 * group where every field is silent carries no value: out gets NaN there
 * (SQL: NULL).  t holds n * per_value bytes, out n values.
 */
snn_status	snn_decode_population(const uint8_t *t, size_t n, double lo,
								  double hi, uint32_t per_value,
								  uint32_t steps, double sigma,
								  double min_activation, double *out,
								  snn_error *err);

/*
 * Analog receptive fields (snn_encode_fields.c): the activations a
 * population code is made of, as floats for a network's input currents.
 * Line: field i of n centred at lo + i (hi - lo) / (n - 1), standard
 * deviation width field spacings; out[i] = exp(-d_i^2 / 2), d_i the
 * distance of v to centre i in standard deviations, v first clamped to
 * [lo - 2 sd, hi + 2 sd].  Ring: field i centred at phase i / n of a ring
 * of circumference 1, width in field spacings, each field at its nearest
 * distance around the ring.  Fields of width >= 1/8 are computed by a
 * walk from the peak (three exps for all n), narrower ones one exp a
 * field; both are within two float roundings of exp(-d^2 / 2).
 * No checks a call (hot path): check the arguments once with
 * snn_encode_fields_check (ring: lo, hi unused; n >= 1; line: n >= 2,
 * lo < hi finite; both: width finite > 0, n <= 1024) and pass a finite v.
 */
snn_status	snn_encode_fields_check(double lo, double hi, uint32_t n,
									double width, int ring, snn_error *err);
void		snn_encode_fields(double v, double lo, double hi, uint32_t n,
							  double width, float *out);
void		snn_encode_ring_fields(double phase, uint32_t n, double width,
								   float *out);

/*
 * Delta (sigma-delta) code of a time series x[0 .. n - 1]: two neurons, 0
 * (UP) and 1 (DOWN), over n steps.  A reference starts at x[0] and moves
 * by threshold at each spike.  At each step t >= 1: if x[t] - ref >=
 * threshold, neuron 0 fires at step t and ref += threshold; else if ref -
 * x[t] >= threshold, neuron 1 fires and ref -= threshold.  At most one
 * spike a step, so a jump of k thresholds becomes a burst over k steps
 * (the reference follows with a slew rate of one threshold a step).  The
 * comparisons allow a relative tolerance of 1e-9 of threshold, so 0.1 ->
 * 0.3 with threshold 0.2 fires despite binary rounding.  threshold finite
 * > 0; n <= SNN_TRAIN_MAX_STEPS.  events needs room for n events.
 */
snn_status	snn_encode_delta(const double *x, size_t n, double threshold,
							 snn_event *events, size_t cap, size_t *n_events,
							 snn_error *err);

/*
 * Inverse of the delta code: out[t] (n_steps values) = x0 + threshold *
 * (UP spikes - DOWN spikes at steps <= t), the encoder's reference.  The
 * train must have 2 neurons (SNN_E_DIM otherwise); a value that
 * overflows a double is SNN_E_RANGE.
 */
snn_status	snn_decode_delta(uint32_t n_neurons, uint32_t n_steps,
							 const snn_event *events, size_t n_events,
							 double x0, double threshold, double *out,
							 snn_error *err);

#endif							/* SNN_ENCODE_H */
