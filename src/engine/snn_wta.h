/*
 * snn_wta.h: a winner-take-all layer of leaky integrate-and-fire neurons.
 *
 * One neuron per competitor, each driven by a constant input current.  The
 * membrane follows tau dv/dt = -v + I (resistance 1), integrated exactly for
 * each step: v <- I + (v - I) exp(-dt / tau).  A neuron fires when v reaches
 * the threshold; the first to fire wins, is reset, and inhibits every other
 * neuron by subtracting `inhibition` from its potential, which ends the
 * competition.  Neurons crossing in the same step are resolved in favour of
 * the highest potential (the strongest input), then the lowest index, so the
 * outcome is deterministic and the winner is always a neuron with the largest
 * current.  A neuron whose current does not exceed the threshold (the
 * rheobase) never fires: if none does within t_max, there is no winner.
 *
 * For allocation, currents come from distances: inside the vigilance
 * distance, I = threshold * (1 + margin) + gain * (1 - d / far), where far
 * is the largest distance within the vigilance (divisive normalisation over
 * the competitors), so the current rises strictly with similarity and the
 * similarities spread over [0, 1]: two distinct distances give currents
 * that differ by far more than rounding, whatever the vigilance (with
 * 1 - d / vigilance, a vigilance of 1e12 made near distances tie and the
 * first listed won).  Outside the vigilance, I = 0.  Since the potential of
 * a constant-current LIF neuron rises with its current at every instant,
 * the first to fire, and the highest potential among those crossing in the
 * same step, is the nearest candidate.
 */
#ifndef SNN_WTA_H
#define SNN_WTA_H

#include <stddef.h>

#include "snn_status.h"

#define SNN_WTA_MAX_NEURONS 1000

typedef struct snn_wta_params
{
	double		tau;			/* membrane time constant, ms (10) */
	double		threshold;		/* firing threshold (1) */
	double		dt;				/* integration step, ms (0.05) */
	double		t_max;			/* competition window, ms (100) */
	double		inhibition;		/* lateral inhibition on the losers (10) */
	double		gain;			/* current per unit similarity (4) */
	double		margin;			/* current over the rheobase, farthest (0.05) */
} snn_wta_params;

typedef struct snn_wta_result
{
	int			winner;			/* index of the winner, -1 when none fired */
	double		t_fire;			/* winner's firing time, ms */
	int			steps;			/* integration steps taken */
	int			simultaneous;	/* neurons over threshold in the winning step */
} snn_wta_result;

/* The defaults above. */
void		snn_wta_default_params(snn_wta_params *p);

/* Check a parameter set; names the offending field. */
snn_status	snn_wta_validate(const snn_wta_params *p, snn_error *err);

/*
 * Currents from distances under a vigilance distance (finite, >= 0): rising
 * strictly with similarity inside it, 0 outside (at vigilance 0 only d = 0
 * is inside).
 */
snn_status	snn_wta_currents(const double *dist, int n, double vigilance,
							 const snn_wta_params *p, double *current, snn_error *err);

/*
 * Run the competition.  v is a work buffer of n doubles.  n = 0 is allowed
 * (no winner).
 */
snn_status	snn_wta_run(const double *current, int n, const snn_wta_params *p,
						double *v, snn_wta_result *res, snn_error *err);

#endif							/* SNN_WTA_H */
