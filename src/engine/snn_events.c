/*
 * snn_events.c: canonical order of spike events (see snn_events.h).
 */
#include "snn_events.h"

#include <stdlib.h>

/* Limits first, so callers can check a declared shape before allocating. */
snn_status
snn_train_check_shape(uint64_t n_neurons, uint64_t n_steps, uint64_t n_events,
					  snn_error *err)
{
	if (n_neurons < 1 || n_neurons > SNN_TRAIN_MAX_NEURONS)
		return snn_fail(err, n_neurons < 1 ? SNN_E_RANGE : SNN_E_LIMIT, "neurons",
						"spiketrain neurons %llu is outside 1..%d",
						(unsigned long long) n_neurons, SNN_TRAIN_MAX_NEURONS);
	if (n_steps < 1 || n_steps > SNN_TRAIN_MAX_STEPS)
		return snn_fail(err, n_steps < 1 ? SNN_E_RANGE : SNN_E_LIMIT, "steps",
						"spiketrain steps %llu is outside 1..%d",
						(unsigned long long) n_steps, SNN_TRAIN_MAX_STEPS);
	if (n_events > SNN_TRAIN_MAX_EVENTS)
		return snn_fail(err, SNN_E_LIMIT, "events",
						"spiketrain has %llu events, more than the limit of %d",
						(unsigned long long) n_events, SNN_TRAIN_MAX_EVENTS);
	return SNN_OK;
}

/* Full check of untrusted events, e.g. from binary input. */
snn_status
snn_train_validate(uint32_t n_neurons, uint32_t n_steps,
				   const snn_event *events, size_t n_events, snn_error *err)
{
	snn_status	st = snn_train_check_shape(n_neurons, n_steps, n_events, err);

	if (st != SNN_OK)
		return st;
	for (size_t i = 0; i < n_events; i++)
	{
		if (events[i].neuron >= n_neurons)
			return snn_fail(err, SNN_E_FORMAT, "events",
							"spiketrain event %zu has neuron %u, outside 0..%u",
							i, events[i].neuron, n_neurons - 1);
		if (events[i].step >= n_steps)
			return snn_fail(err, SNN_E_FORMAT, "events",
							"spiketrain event %zu has step %u, outside 0..%u",
							i, events[i].step, n_steps - 1);
		if (i > 0 && !snn_event_before(events[i - 1], events[i]))
			return snn_fail(err, SNN_E_FORMAT, "events",
							"spiketrain event %zu (neuron %u, step %u) is not after the one before it",
							i, events[i].neuron, events[i].step);
	}
	return SNN_OK;
}

/* qsort comparator for canonical order. */
static int
event_cmp(const void *pa, const void *pb)
{
	const snn_event *a = pa;
	const snn_event *b = pb;

	if (a->step != b->step)
		return a->step < b->step ? -1 : 1;
	if (a->neuron != b->neuron)
		return a->neuron < b->neuron ? -1 : 1;
	return 0;
}

/* Sort only when needed, then squeeze out duplicates. */
size_t
snn_events_normalise(snn_event *events, size_t n_events)
{
	size_t		out;
	int			sorted = 1;

	if (n_events < 2)
		return n_events;
	for (size_t i = 1; i < n_events; i++)
	{
		if (!snn_event_before(events[i - 1], events[i]))
		{
			sorted = 0;
			break;
		}
	}
	if (sorted)
		return n_events;
	qsort(events, n_events, sizeof(snn_event), event_cmp);
	out = 1;
	for (size_t i = 1; i < n_events; i++)
	{
		if (events[i].step != events[out - 1].step ||
			events[i].neuron != events[out - 1].neuron)
			events[out++] = events[i];
	}
	return out;
}

/* One pass: the first event seen for a neuron is its earliest. */
void
snn_events_first_spikes(const snn_event *events, size_t n_events,
						uint32_t n_neurons, uint32_t *first)
{
	for (uint32_t i = 0; i < n_neurons; i++)
		first[i] = UINT32_MAX;
	for (size_t i = 0; i < n_events; i++)
	{
		uint32_t	nr = events[i].neuron;

		if (nr < n_neurons && first[nr] == UINT32_MAX)
			first[nr] = events[i].step;
	}
}
