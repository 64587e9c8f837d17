/*
 * snn_detector_reservoir.c: the spiking reservoir of a member: the engine's
 * fixed fan-in block (snn_fanin.h).  A member holds the block's section
 * (the SNN_SEC_FANIN section of a network image of kind fanin, byte for
 * byte) from off_ridx to the end of off_iw; the event's code drives it
 * through the block's input projection.
 *
 * Part of the streaming anomaly detector (snn_detector.h for the algorithm,
 * snn_detector_int.h for the state layout the parts share).
 */
#include "snn_detector_int.h"
#include "snn_fanin.h"

_Static_assert(SNN_DETECTOR_MAX_NEURONS <= SNN_FANIN_MAX_NEURONS,
			   "the detector's reservoir must fit the engine's fan-in block");

/* The reservoir of a member: its fan-in section, seen by the engine. */
void
det_block(const det_layout *L, void *state, snn_fanin *b)
{
	snn_fanin_view(SEC(state, *L, off_ridx, char), (uint32_t) L->n,
				   (uint32_t) L->k, (uint32_t) L->nin, (uint32_t) L->kin, b);
}

/* The run parameters of the detector's reservoir (learn: STDP on). */
void
det_fanin_params(const snn_detector_config *cfg, int learn, snn_fanin_params *p)
{
	float		eta = (float) cfg->learn_stdp_rate;

	p->decay_m = (float) exp(-1.0 / cfg->res_tau_m);
	p->decay_adapt = (float) exp(-1.0 / cfg->res_tau_adapt);
	p->decay_trace = (float) exp(-1.0 / cfg->res_tau_trace);
	p->threshold = (float) cfg->res_threshold;
	p->adapt_inc = cfg->res_model == SNN_NEURON_ALIF ? (float) cfg->res_adapt : 0.0f;
	p->substeps = cfg->res_substeps;
	p->reset = cfg->res_reset;
	/* pair-based STDP with traces, sign kept (Dale), magnitude bounded */
	p->learn = learn && cfg->learn_stdp && eta > 0;
	p->a_plus = eta;
	p->a_minus = 1.05f * eta;
	p->w_max = 2.0f * p->threshold;
}

/* Simulate the reservoir for one event; returns the number of spikes. */
int
det_run_reservoir(const snn_detector_config *cfg, const det_layout *L, void *state,
				  const float *u, int learn)
{
	snn_fanin	b;
	snn_fanin_state s;
	snn_fanin_params p;

	det_block(L, state, &b);
	s.v = SEC(state, *L, off_v, float);
	s.a = SEC(state, *L, off_a, float);
	s.trace = SEC(state, *L, off_tr, float);
	s.spk = SEC(state, *L, off_spk, uint8_t);
	s.count = SEC(state, *L, off_cnt, uint8_t);
	det_fanin_params(cfg, learn, &p);
	return snn_fanin_step(&b, &p, &s, u);
}

/* How a member of this seed wires its reservoir (snn_fanin_build). */
void
det_fanin_spec(const snn_detector_config *cfg, const det_layout *L,
			   uint64_t seed, snn_fanin_spec *spec)
{
	spec->n = (uint32_t) L->n;
	spec->k = (uint32_t) L->k;
	spec->n_in = (uint32_t) L->nin;
	spec->kin = (uint32_t) L->kin;
	spec->exc_ratio = cfg->res_exc_ratio;
	spec->radius = cfg->res_spectral_radius;
	spec->input_gain = cfg->res_input_gain;
	spec->unit = cfg->res_threshold;
	spec->seed = seed;
}
