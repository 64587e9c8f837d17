/*
 * snn_spiketrain.h: spike events as the engine sees them.
 *
 * A spike train is an array of (step, neuron) events sorted by step, then
 * by neuron, with no duplicate pair.  Neurons are numbered from 0; steps run
 * from 0 to n_steps - 1.  The PostgreSQL spiketrain type (src/spiketrain.h)
 * stores exactly this array after a small header, so the engine reads a
 * detoasted value in place.
 */
#ifndef SNN_SPIKETRAIN_H
#define SNN_SPIKETRAIN_H

#include <stdint.h>

#define SNN_TRAIN_MAX_NEURONS	1000000 /* neurons in one train */
#define SNN_TRAIN_MAX_STEPS		10000000	/* duration in steps */
#define SNN_TRAIN_MAX_EVENTS	50000000	/* events in one train (400 MB) */

typedef struct snn_event
{
	uint32_t	step;
	uint32_t	neuron;
} snn_event;

#endif							/* SNN_SPIKETRAIN_H */
