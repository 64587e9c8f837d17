/*
 * snn_events.h: checks and normalisation of spike event arrays.
 *
 * Every producer of a spike train (text input, binary receive, the array
 * constructor, encoders, the simulator) ends with an array of snn_event in
 * canonical order: sorted by step, then neuron, no duplicate pair, every
 * event inside the train's shape.  These helpers establish and verify that
 * order.  Plain C11, no allocation.
 */
#ifndef SNN_EVENTS_H
#define SNN_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "snn_spiketrain.h"
#include "snn_status.h"

/* True when a precedes b in canonical (step, neuron) order. */
static inline int
snn_event_before(snn_event a, snn_event b)
{
	return a.step < b.step || (a.step == b.step && a.neuron < b.neuron);
}

/*
 * Check a train's shape against the limits: 1 <= n_neurons <=
 * SNN_TRAIN_MAX_NEURONS, 1 <= n_steps <= SNN_TRAIN_MAX_STEPS, n_events <=
 * SNN_TRAIN_MAX_EVENTS.
 */
snn_status	snn_train_check_shape(uint64_t n_neurons, uint64_t n_steps,
								  uint64_t n_events, snn_error *err);

/*
 * Check a whole train: its shape, then that the events are strictly
 * increasing in (step, neuron) order and inside the shape.  The error
 * names the index of the first bad event.
 */
snn_status	snn_train_validate(uint32_t n_neurons, uint32_t n_steps,
							   const snn_event *events, size_t n_events,
							   snn_error *err);

/* Sort events into canonical (step, neuron) order, in place, O(n log n). */
void		snn_events_sort(snn_event *events, size_t n_events);

/*
 * Sort events into canonical order and drop duplicate pairs, in place.
 * Returns the new count.  Already-sorted input costs one linear pass.
 */
size_t		snn_events_normalise(snn_event *events, size_t n_events);

/*
 * Step of the first spike of each neuron: first[i] for i < n_neurons is
 * the earliest step neuron i fires at, or UINT32_MAX when it never fires.
 * Events must be canonical.
 */
void		snn_events_first_spikes(const snn_event *events, size_t n_events,
									uint32_t n_neurons, uint32_t *first);

/*
 * The events of steps from .. from + len - 1, shifted to start at step 0,
 * into out (room for n_events at most; out may not overlap events).
 * Events must be canonical; so is the result.  Returns its count.
 */
size_t		snn_events_window(const snn_event *events, size_t n_events,
							  uint32_t from, uint32_t len, snn_event *out);

/* Spikes of each neuron: counts[i] for i < n_neurons. */
void		snn_events_counts(const snn_event *events, size_t n_events,
							  uint32_t n_neurons, uint32_t *counts);

#endif							/* SNN_EVENTS_H */
