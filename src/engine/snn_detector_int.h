/*
 * snn_detector_int.h: what the parts of the anomaly detector share (not
 * part of the engine's interface): the layout of the flat state buffer,
 * its header, the vector types and the functions one part calls in another.
 *
 * See snn_detector.h for the algorithm.  The state is one flat buffer: a
 * fixed header followed by 64-byte aligned sections whose offsets depend on
 * the configuration only (recomputed by det_layout_of(), checked against the
 * copy kept in the header).  No pointers are stored, so a state can be
 * copied, saved and restored byte for byte.
 */
#ifndef SNN_DETECTOR_INT_H
#define SNN_DETECTOR_INT_H

#include "snn_detector.h"

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

#define DET_MAGIC	0x534e4e44u /* "SNND" */
#define DET_VERSION 2u			/* 2: readout column-major, STDP output index */
#define N_SIGNALS	2			/* prediction error, spike-pattern novelty */

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
	size_t		off_norm;		/* double[nf * 7]: mean, var, prev, dvar,
								 * seen, min, max */
	size_t		off_v;			/* float[n] membrane */
	size_t		off_a;			/* float[n] threshold adaptation */
	size_t		off_tr;			/* float[n] spike traces */
	size_t		off_spk;		/* uint8[n] spikes of the last substep */
	size_t		off_cnt;		/* uint8[n] spike counts of the last event */
	size_t		off_ridx;		/* uint16[n * k] presynaptic neuron */
	size_t		off_rw;			/* float[n * k] recurrent weights */
	size_t		off_rptr;		/* uint32[n + 1] start of each neuron's
								 * outputs */
	size_t		off_rslot;		/* uint32[n * k] synapse slots (i * k + j) by
								 * pre */
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
	size_t		off_level;		/* level-change section, after the members */
	size_t		total;			/* bytes of the whole state: nens * size and
								 * the level-change section (if on) */
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

/* The level-change signal's counters (snn_detector_level.c). */
typedef struct det_level_head
{
	int32_t		short_pos;		/* next slot of the short rings */
	int32_t		short_count;
	int32_t		calib_pos;		/* next slot of the statistic's history */
	int32_t		calib_count;
	int32_t		fis_pos;		/* next slot of the -ln p ring */
	int32_t		fis_count;
	double		fisher_sum;		/* sum of the -ln p ring */
} det_level_head;

static inline size_t
align64(size_t x)
{
	return (x + 63) & ~(size_t) 63;
}

#define MEMBER(st, L, m) ((void *) ((char *) (st) + (size_t) (m) * (L).size))
#define CMEMBER(st, L, m) ((const void *) ((const char *) (st) + (size_t) (m) * (L).size))
#define SEC(st, L, off, T) ((T *) ((char *) (st) + (L).off))
#define CSEC(st, L, off, T) ((const T *) ((const char *) (st) + (L).off))

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

/* snn_detector_config.c */
void		det_layout_of(const snn_detector_config *c, det_layout *L);
uint64_t	det_config_hash(const snn_detector_config *cfg);
uint64_t	det_config_hash_order(const snn_detector_config *cfg, int reversed);

/* snn_detector_encode.c */
void		det_encode_event(const snn_detector_config *cfg, const det_layout *L,
							 double *norm, const double *x, int64_t ts, int learn,
							 float *u, double *outside, int *outside_f);

/* snn_detector_reservoir.c */
struct snn_fanin;
struct snn_fanin_spec;
struct snn_fanin_params;
void		det_fanin_params(const snn_detector_config *cfg, int learn,
							 struct snn_fanin_params *p);
void		det_fanin_spec(const snn_detector_config *cfg, const det_layout *L,
						   uint64_t seed, struct snn_fanin_spec *spec);
void		det_block(const det_layout *L, void *state, struct snn_fanin *b);
int			det_run_reservoir(const snn_detector_config *cfg, const det_layout *L,
							  void *state, const float *u, int learn);

/* snn_detector_readout.c */
typedef double (*readout_fn) (float *, const float *, const float *,
							  const float *, int, int, int, float *);
typedef int (*count_fn) (const float *, int, float);
extern readout_fn det_readout_pass;
extern count_fn det_count_at_least;
void		det_choose_readout(void);
void		det_readout_features(const det_layout *L, const void *state,
								 const float *u, float *x);
void		det_code_errors(double coverage, const float *u, const float *yhat,
							int n, double *d, double *dn);

/* snn_detector_score.c */
void		det_keep_surprise(const det_layout *L, void *state, det_head *h);
double		det_pattern_novelty(const snn_detector_config *cfg, const det_layout *L,
								void *state, det_head *h, int learn);
double		det_signal_likelihood(const snn_detector_config *cfg, const det_layout *L,
								  void *state, det_head *h, int k, double raw,
								  int learn);
double		det_fisher_tail(double x, int w);
double		det_ensemble_likelihood(const member_out *mo, int k, int *winner);
double		det_range_likelihood(const snn_detector_config *cfg, double seen);
double		det_alarm_stage(const snn_detector_config *cfg, det_head *h, double lik,
							int *alarm);

/* snn_detector_level.c */
size_t		det_level_bytes(const snn_detector_config *c, const det_layout *L);
double		det_level_likelihood(const snn_detector_config *c, const det_layout *L,
								 void *state, const double *features, double perr,
								 int learn);
int			det_level_state_ok(const snn_detector_config *c, const det_layout *L,
							   const void *state);

#endif							/* SNN_DETECTOR_INT_H */
