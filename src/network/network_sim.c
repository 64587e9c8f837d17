/*
 * network_sim.c: snn_simulate and snn_simulate_stats, the SQL face of the
 * simulator.
 *
 * The engine runs in chunks of steps so that a long simulation can be
 * cancelled (CHECK_FOR_INTERRUPTS between chunks); spikes arrive through a
 * sink that appends them to a growing array, checked against the
 * spiketrain event limit.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "network.h"
#include "snn.h"
#include "spiketrain.h"

PG_FUNCTION_INFO_V1(snn_simulate);
PG_FUNCTION_INFO_V1(snn_simulate_stats);

typedef struct sim_sink
{
	snn_event  *ev;
	Size		n;
	Size		cap;
	int32		layer;			/* -1: every neuron */
	uint32		lo;				/* dense ids of the layer: [lo, hi) */
	uint32		hi;
	bool		overflow;
} sim_sink;

/* Append one step's spikes (of the chosen layer) to the output. */
static int
sink_append(void *arg, uint32_t step, const uint32_t *ids, uint32_t n)
{
	sim_sink   *s = arg;

	for (uint32 i = 0; i < n; i++)
	{
		uint32		id = ids[i];

		if (id < s->lo || id >= s->hi)
			continue;
		if (s->n == s->cap)
		{
			Size		cap = s->cap * 2;

			if (s->n >= SNN_TRAIN_MAX_EVENTS)
			{
				s->overflow = true;
				return 1;
			}
			if (cap > SNN_TRAIN_MAX_EVENTS)
				cap = SNN_TRAIN_MAX_EVENTS;
			s->ev = repalloc_huge(s->ev, sizeof(snn_event) * cap);
			s->cap = cap;
		}
		s->ev[s->n].step = step;
		s->ev[s->n++].neuron = id - s->lo;
	}
	return 0;
}

typedef struct sim_result
{
	snn_counters c;
	double		loop_ms;
	uint32		steps;
	uint32		out_neurons;
} sim_result;

/*
 * Run a network on an input train (or none) for steps steps from a state
 * initialised with seed; spikes of one layer (or all) go to the sink.
 */
static const snn_image *
run_network(FunctionCallInfo fcinfo, sim_sink *sink, sim_result *res)
{
	SnnNetwork *net = PG_GETARG_SNN_P(0);
	const snn_image *img = SnnNetworkImage(net);
	SpikeTrain *in = PG_ARGISNULL(1) ? NULL : PG_GETARG_SPIKETRAIN_P(1);
	int64		steps;
	int64		seed = PG_ARGISNULL(3) ? 0 : PG_GETARG_INT64(3);
	char	   *raw;
	void	   *state;
	uint32		chunk,
				done = 0;
	snn_error	err;
	instr_time	t0,
				t1;

	if (PG_ARGISNULL(2))
	{
		if (in == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("steps must be given when there is no input train")));
		steps = in->n_steps;
	}
	else
		steps = PG_GETARG_INT32(2);
	/* zero or negative is a bad argument (22023); too many is a limit (54000) */
	if (steps < 1 || steps > SNN_MAX_STEPS)
		ereport(ERROR,
				(errcode(steps < 1 ? ERRCODE_INVALID_PARAMETER_VALUE : ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("steps must be between 1 and %d, got " INT64_FORMAT, SNN_MAX_STEPS, steps)));
	if (in && in->n_neurons != img->n_inputs)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the input train has %u neurons but the network has %u inputs",
						in->n_neurons, img->n_inputs)));

	sink->layer = -1;
	sink->lo = 0;
	sink->hi = img->n_neurons;
	if (!PG_ARGISNULL(4))
	{
		int32		layer = PG_GETARG_INT32(4);
		const snn_layer *L = snn_layers(img);

		if (layer < 0 || (uint32) layer >= img->n_layers)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("layer %d does not exist: the network has layers 0 to %u",
							layer, img->n_layers - 1)));
		sink->layer = layer;
		sink->lo = L[layer].first_neuron;
		sink->hi = L[layer].first_neuron + L[layer].size;
	}
	sink->cap = 1024;
	sink->n = 0;
	sink->ev = palloc(sizeof(snn_event) * sink->cap);
	sink->overflow = false;

	raw = palloc_extended(img->state_size + SNN_ALIGN, MCXT_ALLOC_HUGE);
	state = (void *) TYPEALIGN(SNN_ALIGN, raw);
	snn_state_init(img, state, (uint64) seed);
	memset(&res->c, 0, sizeof(res->c));

	/* about 2^22 neuron updates a chunk: well under a millisecond or so */
	chunk = Max(1, (uint32) ((1 << 22) / Max(img->n_neurons, 1)));
	INSTR_TIME_SET_CURRENT(t0);
	while (done < steps)
	{
		uint32		n = Min(chunk, (uint32) steps - done);

		CHECK_FOR_INTERRUPTS();
		snn_error_clear(&err);
		if (snn_run(img, state, in ? in->events : NULL, in ? in->n_events : 0,
					done, n, sink_append, sink, &res->c,
					done > 0 ? SNN_RUN_INPUT_CHECKED : 0, &err) != SNN_OK)
		{
			if (sink->overflow)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("the simulation produced more than %d spikes, the spiketrain limit",
								SNN_TRAIN_MAX_EVENTS)));
			snn_network_error(&err, "snn_simulate");
		}
		done += n;
	}
	INSTR_TIME_SET_CURRENT(t1);
	INSTR_TIME_SUBTRACT(t1, t0);
	res->loop_ms = INSTR_TIME_GET_MILLISEC(t1);
	res->steps = (uint32) steps;
	res->out_neurons = sink->hi - sink->lo;
	pfree(raw);
	return img;
}

/* snn_simulate(net, input, steps, seed, layer) -> spiketrain of the output. */
Datum
snn_simulate(PG_FUNCTION_ARGS)
{
	sim_sink	sink;
	sim_result	res;
	SpikeTrain *out;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	run_network(fcinfo, &sink, &res);
	out = spiketrain_alloc(res.out_neurons, res.steps, (uint32) sink.n);
	memcpy(out->events, sink.ev, sizeof(snn_event) * sink.n);
	PG_RETURN_SPIKETRAIN_P(out);
}

/* snn_simulate_stats(...) -> jsonb: spike counts, synaptic events, timing. */
Datum
snn_simulate_stats(PG_FUNCTION_ARGS)
{
	sim_sink	sink;
	sim_result	res;
	StringInfoData b;
	const snn_image *img;
	double		secs;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	img = run_network(fcinfo, &sink, &res);
	secs = res.loop_ms / 1000.0;
	initStringInfo(&b);
	appendStringInfo(&b, "{\"steps\": %u, \"neurons\": %u, \"spikes\": " UINT64_FORMAT
					 ", \"layer_spikes\": [", res.steps, img->n_neurons, res.c.spikes);
	for (uint32 i = 0; i < img->n_layers; i++)
		appendStringInfo(&b, "%s" UINT64_FORMAT, i ? ", " : "", res.c.layer_spikes[i]);
	appendStringInfo(&b, "], \"input_events\": " UINT64_FORMAT ", \"synaptic_events\": " UINT64_FORMAT
					 ", \"neuron_updates\": " UINT64_FORMAT ", \"loop_ms\": %.3f"
					 ", \"synaptic_events_per_s\": %.0f, \"biological_ms\": %.3f}",
					 res.c.input_events, res.c.synaptic_events, res.c.neuron_updates,
					 res.loop_ms, secs > 0 ? res.c.synaptic_events / secs : 0.0,
					 (double) res.steps * img->dt);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(b.data)));
}
