/*
 * fuzz_network.c: libFuzzer harness for the network image and builder.
 *
 * First byte 0 mod 4: the rest is a network image (as binary input would
 * give it): snn_image_validate must never crash, and an image it accepts
 * must simulate safely.  2 mod 4: a small valid image is built, then the
 * rest is applied as (offset, xor) patches, 3 bytes each, so mutations
 * reach deep into the sections within libFuzzer's length limit.  Odd: the rest fills an snn_config field by
 * field (kinds, sizes, floats of any value): snn_image_plan must reject
 * bad configs cleanly, and every image it plans and builds must pass
 * snn_image_validate and simulate without fault.  Each mode reaches the
 * three kinds (feed-forward, reservoir, fanin).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snn_image.h"

/* Simulate an accepted image for a few steps with a little input. */
static void
exercise(const snn_image *img)
{
	void	   *state = aligned_alloc(64, (img->state_size + 63) / 64 * 64);
	snn_event	in[4];
	size_t		n = 0;
	snn_counters c;
	snn_error	err;

	if (!state)
		return;
	for (uint32_t i = 0; i < 4 && i < img->n_inputs; i++)
	{
		in[n].step = i;
		in[n++].neuron = i;
	}
	memset(&c, 0, sizeof(c));
	snn_state_init(img, state, 1);
	(void) snn_run(img, state, in, n, 0, 16, NULL, NULL, &c, 0, &err);
	(void) snn_run(img, state, in, n, 0, 16, NULL, NULL, &c, SNN_RUN_SCALAR, &err);
	free(state);
}

/* Take the next bytes as a value, zero when the input is used up. */
static void
take(const uint8_t **p, size_t *left, void *dst, size_t n)
{
	size_t		k = n < *left ? n : *left;

	memset(dst, 0, n);
	memcpy(dst, *p, k);
	*p += k;
	*left -= k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	snn_error	err;

	if (size < 1)
		return 0;
	if ((data[0] & 3) == 2)
	{
		snn_config	cfg;
		snn_plan	plan;
		void	   *img,
				   *scratch;

		snn_config_defaults(&cfg, (data[0] & 8) ? SNN_KIND_FANIN :
							(data[0] & 4) ? SNN_KIND_RESERVOIR : SNN_KIND_FEEDFORWARD);
		cfg.n_inputs = 3;
		cfg.layers[0].size = 5;
		if (cfg.kind == SNN_KIND_FEEDFORWARD)
		{
			cfg.n_layers = 2;
			cfg.wta = 1;
			cfg.layers[1].size = 3;
			cfg.layers[1].neuron.model = SNN_MODEL_IZHIKEVICH;
			cfg.layers[1].neuron.preset = SNN_IZH_FS;
			snn_neuron_defaults(&cfg.layers[1].neuron);
		}
		else
			cfg.res_connectivity = 0.5f;
		if (snn_image_plan(&cfg, NULL, &plan, &err) != SNN_OK)
			abort();
		img = aligned_alloc(64, (plan.image_size + 63) / 64 * 64);
		scratch = malloc(plan.scratch_size + 8);
		if (snn_image_build(&cfg, NULL, &plan, img, scratch, &err) != SNN_OK)
			abort();
		for (size_t i = 1; i + 3 <= size; i += 3)
		{
			size_t		off = ((size_t) data[i] | ((size_t) data[i + 1] << 8)) % plan.image_size;

			((uint8_t *) img)[off] ^= data[i + 2];
		}
		if (snn_image_validate(img, plan.image_size, &err) == SNN_OK)
			exercise(img);
		free(img);
		free(scratch);
	}
	else if ((data[0] & 1) == 0)
	{
		size_t		n = size - 1;
		void	   *img = aligned_alloc(64, (n + 63) / 64 * 64 + 64);

		if (!img)
			return 0;
		memcpy(img, data + 1, n);
		if (snn_image_validate(img, n, &err) == SNN_OK)
			exercise(img);
		free(img);
	}
	else
	{
		snn_config	cfg;
		const uint8_t *p = data + 1;
		size_t		left = size - 1;
		uint8_t		kind,
					nl;
		snn_plan	plan;

		take(&p, &left, &kind, 1);
		snn_config_defaults(&cfg, (kind & 8) ? SNN_KIND_FANIN :
							(kind & 1) ? SNN_KIND_RESERVOIR : SNN_KIND_FEEDFORWARD);
		take(&p, &left, &nl, 1);
		if (cfg.kind == SNN_KIND_FEEDFORWARD)
			cfg.n_layers = nl % 5;
		take(&p, &left, &cfg.n_inputs, 2);
		cfg.n_inputs &= 0xFF;
		take(&p, &left, &cfg.seed, 8);
		take(&p, &left, &cfg.wta, 1);
		for (uint32_t l = 0; l < SNN_MAX_LAYERS && l < 4; l++)
		{
			uint8_t		model;

			take(&p, &left, &cfg.layers[l].size, 1);
			take(&p, &left, &model, 1);
			cfg.layers[l].neuron.model = 1 + model % 3;
			cfg.layers[l].neuron.preset = cfg.layers[l].neuron.model == SNN_MODEL_IZHIKEVICH ? (model >> 2) % 5 : 0;
			snn_neuron_defaults(&cfg.layers[l].neuron);
			if (model & 0x80)
				take(&p, &left, &cfg.layers[l].neuron.tau_m, 4 * 14);
			if (model & 0x40)
				take(&p, &left, &cfg.layers[l].connectivity, 12);
		}
		if (kind & 2)
			take(&p, &left, &cfg.dt, 4);
		if (kind & 4)
			take(&p, &left, &cfg.res_connectivity, 4 * 7);
		/* fanin_k, fanin_kin, fanin_tau_trace */
		if (kind & 16)
			take(&p, &left, &cfg.fanin_k, 4 * 3);
		if (snn_image_plan(&cfg, NULL, &plan, &err) == SNN_OK && plan.image_size < (1 << 22))
		{
			void	   *img = aligned_alloc(64, (plan.image_size + 63) / 64 * 64);
			void	   *scratch = malloc(plan.scratch_size + 8);

			if (img && scratch &&
				snn_image_build(&cfg, NULL, &plan, img, scratch, &err) == SNN_OK)
			{
				if (snn_image_validate(img, plan.image_size, &err) != SNN_OK)
					abort();	/* a built image must validate */
				exercise(img);
			}
			free(img);
			free(scratch);
		}
	}
	return 0;
}
