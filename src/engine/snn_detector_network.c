/*
 * snn_detector_network.c: a member's reservoir as a network image of kind
 * fanin (snn_image.h): the same block bytes, the same neuron parameters, so
 * that the engine's image functions see the detector's network.
 *
 * Part of the streaming anomaly detector (snn_detector.h for the algorithm,
 * snn_detector_int.h for the state layout the parts share).
 */
#include "snn_detector_int.h"
#include "snn_fanin.h"
#include "snn_image.h"

/* The image config of the detector's reservoir (weights not rebuilt). */
static snn_status
network_config(const snn_detector_config *cfg, const det_layout *L,
			   snn_config *ic, snn_error *err)
{
	snn_neuron_config *nc = &ic->layers[0].neuron;

	if (cfg->res_tau_m > SNN_MAX_TAU || cfg->res_tau_adapt > SNN_MAX_TAU ||
		cfg->res_tau_trace > SNN_MAX_TAU)
		return snn_fail(err, SNN_E_LIMIT, "reservoir",
						"a detector with a time constant over %g has no network image",
						(double) SNN_MAX_TAU);
	snn_config_defaults(ic, SNN_KIND_FANIN);
	ic->n_inputs = (uint32_t) L->nin;
	ic->layers[0].size = (uint32_t) L->n;
	ic->fanin_k = (uint32_t) L->k;
	ic->fanin_kin = (uint32_t) L->kin;
	ic->res_connectivity = (float) L->k / (float) L->n;
	ic->res_input_connectivity = (float) L->kin / (float) L->nin;
	ic->res_exc_ratio = (float) cfg->res_exc_ratio;
	ic->res_spectral_radius = (float) cfg->res_spectral_radius;
	ic->res_input_scaling = (float) cfg->res_input_gain;
	ic->fanin_tau_trace = (float) cfg->res_tau_trace;
	nc->model = cfg->res_model == SNN_NEURON_ALIF ? SNN_MODEL_ALIF : SNN_MODEL_LIF;
	nc->tau_m = (float) cfg->res_tau_m;
	nc->v_th = (float) cfg->res_threshold;
	nc->tau_adapt = (float) cfg->res_tau_adapt;
	nc->adapt_inc = cfg->res_model == SNN_NEURON_ALIF ? (float) cfg->res_adapt : 0.0f;
	return SNN_OK;
}

snn_status
snn_detector_network(const snn_detector_config *cfg, const void *state,
					 int member, void *image, size_t image_size,
					 size_t *needed, snn_error *err)
{
	det_layout	L;
	snn_config	ic;
	snn_plan	plan;
	snn_build_extra extra = {0};
	snn_fanin_params p;
	snn_layer  *layer;
	snn_image  *h = image;
	snn_status	st;

	if ((st = snn_detector_validate(cfg, err)) != SNN_OK)
		return st;
	det_layout_of(cfg, &L);
	if (member < 0 || member >= L.nens)
		return snn_fail(err, SNN_E_RANGE, "member",
						"the detector has members 0 to %d, not %d", L.nens - 1, member);
	if ((st = network_config(cfg, &L, &ic, err)) != SNN_OK)
		return st;
	extra.no_random = 1;
	if ((st = snn_image_plan(&ic, &extra, &plan, err)) != SNN_OK)
		return st;
	*needed = plan.image_size;
	if (image == NULL || image_size < plan.image_size)
		return SNN_OK;
	if ((st = snn_image_build(&ic, &extra, &plan, image, NULL, err)) != SNN_OK)
		return st;
	/* the block's bytes, and the factors the detector steps with */
	memcpy((char *) image + h->sec[SNN_SEC_FANIN].offset,
		   CSEC(CMEMBER(state, L, member), L, off_ridx, char),
		   h->sec[SNN_SEC_FANIN].size);
	det_fanin_params(cfg, 0, &p);
	layer = (snn_layer *) ((char *) image + h->sec[SNN_SEC_LAYERS].offset);
	layer->decay_m = p.decay_m;
	layer->decay_adapt = p.decay_adapt;
	layer->decay_trace = p.decay_trace;
	return snn_image_validate(image, plan.image_size, err);
}
