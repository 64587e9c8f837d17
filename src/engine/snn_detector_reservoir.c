/*
 * snn_detector_reservoir.c: the spiking reservoir of a member: the engine's
 * fixed fan-in block (snn_fanin.h) over the member's sections, driven by
 * the event's code through a sparse input projection.
 *
 * Part of the streaming anomaly detector (snn_detector.h for the algorithm,
 * snn_detector_int.h for the state layout the parts share).
 */
#include "snn_detector_int.h"
#include "snn_fanin.h"

_Static_assert(SNN_DETECTOR_MAX_NEURONS <= SNN_FANIN_MAX_NEURONS,
			   "the detector's reservoir must fit the engine's fan-in block");

/* The recurrent block of a member: its sections, seen by the engine. */
void
det_block(const det_layout *L, void *state, snn_fanin *b)
{
	b->n = (uint32_t) L->n;
	b->k = (uint32_t) L->k;
	b->pre = SEC(state, *L, off_ridx, uint16_t);
	b->w = SEC(state, *L, off_rw, float);
	b->out_ptr = SEC(state, *L, off_rptr, uint32_t);
	b->out_slot = SEC(state, *L, off_rslot, uint32_t);
	b->out_post = SEC(state, *L, off_rpost, uint16_t);
}

/* Simulate the reservoir for one event; returns the number of spikes. */
int
det_run_reservoir(const snn_detector_config *cfg, const det_layout *L, void *state,
				  const float *u, int learn)
{
	const uint16_t *iidx = SEC(state, *L, off_iidx, uint16_t);
	const float *iw = SEC(state, *L, off_iw, float);
	float		iin[SNN_DETECTOR_MAX_NEURONS];
	snn_fanin	b;
	snn_fanin_state s;
	snn_fanin_params p;
	float		eta = (float) cfg->learn_stdp_rate;

	det_block(L, state, &b);
	s.v = SEC(state, *L, off_v, float);
	s.a = SEC(state, *L, off_a, float);
	s.trace = SEC(state, *L, off_tr, float);
	s.spk = SEC(state, *L, off_spk, uint8_t);
	s.count = SEC(state, *L, off_cnt, uint8_t);
	p.decay_m = (float) exp(-1.0 / cfg->res_tau_m);
	p.decay_adapt = (float) exp(-1.0 / cfg->res_tau_adapt);
	p.decay_trace = (float) exp(-1.0 / cfg->res_tau_trace);
	p.threshold = (float) cfg->res_threshold;
	p.adapt_inc = cfg->res_model == SNN_NEURON_ALIF ? (float) cfg->res_adapt : 0.0f;
	p.substeps = cfg->res_substeps;
	p.reset = cfg->res_reset;
	/* pair-based STDP with traces, sign kept (Dale), magnitude bounded */
	p.learn = learn && cfg->learn_stdp && eta > 0;
	p.a_plus = eta;
	p.a_minus = 1.05f * eta;
	p.w_max = 2.0f * p.threshold;

	snn_fanin_sums(iidx, iw, u, L->n, L->kin, iin);
	/* mean input over the fan-in; 4 x threshold saturates a neuron */
	for (int i = 0; i < L->n; i++)
		iin[i] = iin[i] / L->kin * 4.0f;
	return snn_fanin_run(&b, &p, &s, iin);
}
