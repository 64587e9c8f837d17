/*
 * snn_events.c: canonical order of spike events (see snn_events.h).
 */
#include "snn_events.h"


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

/* The canonical order as one integer: step, then neuron. */
static inline uint64_t
event_key(snn_event e)
{
	return ((uint64_t) e.step << 32) | e.neuron;
}

/* Insertion sort for short runs. */
static void
insertion_sort(snn_event *ev, size_t n)
{
	for (size_t i = 1; i < n; i++)
	{
		snn_event	x = ev[i];
		uint64_t	k = event_key(x);
		size_t		j = i;

		while (j > 0 && event_key(ev[j - 1]) > k)
		{
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = x;
	}
}

/* Restore the max-heap property below node i of a heap of n events. */
static void
sift_down(snn_event *ev, size_t i, size_t n)
{
	for (;;)
	{
		size_t		c = 2 * i + 1;

		if (c >= n)
			return;
		if (c + 1 < n && event_key(ev[c + 1]) > event_key(ev[c]))
			c++;
		if (event_key(ev[i]) >= event_key(ev[c]))
			return;
		{
			snn_event	t = ev[i];

			ev[i] = ev[c];
			ev[c] = t;
		}
		i = c;
	}
}

/* Heapsort: the O(n log n) fallback that bounds the worst case. */
static void
heap_sort(snn_event *ev, size_t n)
{
	for (size_t i = n / 2; i > 0; i--)
		sift_down(ev, i - 1, n);
	for (size_t end = n; end > 1; end--)
	{
		snn_event	t = ev[0];

		ev[0] = ev[end - 1];
		ev[end - 1] = t;
		sift_down(ev, 0, end - 1);
	}
}

/*
 * Introsort on the 64-bit key: quicksort with a median-of-three pivot,
 * recursing into the smaller part only (stack depth O(log n)), heapsort
 * when the depth budget runs out, insertion sort for short runs.  Several
 * times faster than qsort() with a comparator, and never quadratic.
 */
static void
intro_sort(snn_event *ev, size_t n, int depth)
{
	while (n > 16)
	{
		size_t		i,
					j;
		uint64_t	a,
					b,
					c,
					pivot;

		if (depth-- == 0)
		{
			heap_sort(ev, n);
			return;
		}
		a = event_key(ev[0]);
		b = event_key(ev[n / 2]);
		c = event_key(ev[n - 1]);
		pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		/* Hoare partition */
		i = 0;
		j = n - 1;
		for (;;)
		{
			while (event_key(ev[i]) < pivot)
				i++;
			while (event_key(ev[j]) > pivot)
				j--;
			if (i >= j)
				break;
			{
				snn_event	t = ev[i];

				ev[i] = ev[j];
				ev[j] = t;
			}
			i++;
			j--;
		}
		/* [0, j] <= pivot <= [j + 1, n) */
		if (j + 1 < n - (j + 1))
		{
			intro_sort(ev, j + 1, depth);
			ev += j + 1;
			n -= j + 1;
		}
		else
		{
			intro_sort(ev + j + 1, n - (j + 1), depth);
			n = j + 1;
		}
	}
	insertion_sort(ev, n);
}

/* Sort events into canonical order. */
void
snn_events_sort(snn_event *events, size_t n_events)
{
	int			depth = 0;

	for (size_t m = n_events; m > 1; m >>= 1)
		depth += 2;
	intro_sort(events, n_events, depth);
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
	snn_events_sort(events, n_events);
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

/* Index of the first event at or after step, by binary search. */
static size_t
first_at_or_after(const snn_event *events, size_t n_events, uint32_t step)
{
	size_t		lo = 0,
				hi = n_events;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (events[mid].step < step)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Sorted by step, so the window is one contiguous run of events. */
size_t
snn_events_window(const snn_event *events, size_t n_events, uint32_t from,
				  uint32_t len, snn_event *out)
{
	uint64_t	end = (uint64_t) from + len;
	size_t		k = 0;

	for (size_t i = first_at_or_after(events, n_events, from);
		 i < n_events && events[i].step < end; i++)
	{
		out[k].step = events[i].step - from;
		out[k].neuron = events[i].neuron;
		k++;
	}
	return k;
}

/* One pass over the events. */
void
snn_events_counts(const snn_event *events, size_t n_events,
				  uint32_t n_neurons, uint32_t *counts)
{
	for (uint32_t i = 0; i < n_neurons; i++)
		counts[i] = 0;
	for (size_t i = 0; i < n_events; i++)
		if (events[i].neuron < n_neurons)
			counts[events[i].neuron]++;
}
