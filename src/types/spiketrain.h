/*
 * spiketrain.h: the on-disk layout of the spiketrain type.
 *
 * A header, then n_events snn_event records sorted by (step, neuron) with
 * no duplicates.  n_neurons and n_steps bound every event (neuron <
 * n_neurons, step < n_steps), so a train carries its own shape even when
 * some neurons never fire.
 */
#ifndef SNN_SPIKETRAIN_TYPE_H
#define SNN_SPIKETRAIN_TYPE_H

#include "postgres.h"

#include "fmgr.h"

#include "snn_spiketrain.h"

typedef struct SpikeTrain
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint32		n_neurons;		/* neurons 0 .. n_neurons - 1 */
	uint32		n_steps;		/* steps 0 .. n_steps - 1 */
	uint32		n_events;		/* number of events that follow */
	snn_event	events[FLEXIBLE_ARRAY_MEMBER];
} SpikeTrain;

#define SPIKETRAIN_SIZE(n)			(offsetof(SpikeTrain, events) + (Size) (n) * sizeof(snn_event))
#define DatumGetSpikeTrain(x)		((SpikeTrain *) PG_DETOAST_DATUM(x))
#define PG_GETARG_SPIKETRAIN_P(n)	DatumGetSpikeTrain(PG_GETARG_DATUM(n))
#define PG_RETURN_SPIKETRAIN_P(x)	PG_RETURN_POINTER(x)

/* An empty train of the given shape with room for n_events events. */
static inline SpikeTrain *
spiketrain_alloc(uint32 n_neurons, uint32 n_steps, uint32 n_events)
{
	SpikeTrain *t = (SpikeTrain *) palloc0(SPIKETRAIN_SIZE(n_events));

	SET_VARSIZE(t, SPIKETRAIN_SIZE(n_events));
	t->n_neurons = n_neurons;
	t->n_steps = n_steps;
	t->n_events = n_events;
	return t;
}

#endif							/* SNN_SPIKETRAIN_TYPE_H */
