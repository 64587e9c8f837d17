/*
 * test_trained.c: dense access to a feed-forward image's weights (the
 * sign of a weight picks the excitatory or inhibitory current slot), the
 * trained block's validation, and reservoir states for ridge read-outs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "snn_trained.h"
#include "unit.h"

static snn_image *
build(snn_config *cfg)
{
	snn_plan	plan;
	snn_error	err;
	void	   *img,
			   *scratch;

	snn_error_clear(&err);
	if (snn_image_plan(cfg, NULL, &plan, &err) != SNN_OK)
	{
		fprintf(stderr, "plan: %s\n", err.msg);
		return NULL;
	}
	img = aligned_alloc(64, (plan.image_size + 63) / 64 * 64);
	scratch = malloc(plan.scratch_size + 8);
	if (snn_image_build(cfg, NULL, &plan, img, scratch, &err) != SNN_OK)
	{
		fprintf(stderr, "build: %s\n", err.msg);
		free(img);
		img = NULL;
	}
	free(scratch);
	return img;
}

static void
test_dense(void)
{
	snn_config	cfg;
	snn_image  *img;
	float		w0[3 * 4],
				w1[4 * 2],
				back[3 * 4];
	const snn_layer *L;

	snn_config_defaults(&cfg, SNN_KIND_FEEDFORWARD);
	cfg.n_inputs = 3;
	cfg.n_layers = 2;
	cfg.layers[0].size = 4;
	cfg.layers[1].size = 2;
	img = build(&cfg);
	CHECK(img != NULL);
	if (!img)
		return;
	L = snn_layers(img);
	CHECK(snn_layer_dense_count(img, 0) == 12);
	CHECK(snn_layer_dense_count(img, 1) == 8);
	for (int i = 0; i < 12; i++)
		w0[i] = (i % 3 == 0) ? -(float) i - 1 : (float) i + 1;
	for (int i = 0; i < 8; i++)
		w1[i] = (i & 1) ? 0.5f * i : -0.25f * i;
	snn_layer_set_dense(img, 0, w0, 2.0f);
	snn_layer_set_dense(img, 1, w1, 1.0f);
	snn_layer_get_dense(img, 0, back);
	for (int i = 0; i < 12; i++)
		CHECK(back[i] == 2.0f * w0[i]);
	snn_layer_get_dense(img, 1, back);
	for (int i = 0; i < 8; i++)
		CHECK(back[i] == w1[i]);
	/* negative weights target the inhibitory slot, others the excitatory */
	{
		const uint32_t *tgt = snn_sec(img, SNN_SEC_IN_TARGET);
		const float *wt = snn_sec(img, SNN_SEC_IN_WEIGHT);

		for (uint64_t e = 0; e < img->n_in_syn; e++)
		{
			if (wt[e] < 0.0f)
				CHECK(tgt[e] >= img->n_slots);
			else
				CHECK(tgt[e] < img->n_slots);
			CHECK((tgt[e] % img->n_slots) >= L[0].first_slot &&
				  (tgt[e] % img->n_slots) < L[0].first_slot + L[0].size);
		}
	}
	{
		snn_error	err;

		CHECK(snn_image_validate(img, img->total_size, &err) == SNN_OK);
	}
	free(img);
}

static void
test_block(void)
{
	snn_config	cfg;
	snn_image  *img;
	size_t		nf = 2,
				no = 3;
	size_t		n_floats = 3 * nf + nf * no + 2 * no;
	size_t		size = sizeof(snn_trained) + n_floats * sizeof(float);
	snn_trained *t = calloc(1, size);
	float	   *f = (float *) (t + 1);
	snn_error	err;

	snn_config_defaults(&cfg, SNN_KIND_FEEDFORWARD);
	cfg.n_inputs = (uint32_t) nf;
	cfg.n_layers = 1;
	cfg.layers[0].size = (uint32_t) no;
	img = build(&cfg);
	CHECK(img != NULL);
	if (!img)
		return;
	t->magic = SNN_TRAINED_MAGIC;
	t->version = SNN_TRAINED_VERSION;
	t->method = SNN_METHOD_STDP;
	t->n_features = (uint32_t) nf;
	t->n_outputs = (uint32_t) no;
	t->n_classes = 2;
	t->steps = 10;
	t->max_rate = 0.2f;
	t->tau_m = 20;
	t->v_th = 1;
	t->dt = 1;
	t->n_floats = (uint32_t) n_floats;
	t->off_offset = 0;
	t->off_scale = (uint32_t) nf;
	t->off_weights = (uint32_t) (2 * nf);
	t->off_mean = (uint32_t) (2 * nf + nf * no);
	t->off_theta = (uint32_t) (3 * nf + nf * no);
	t->off_labels = (uint32_t) (3 * nf + nf * no + no);
	f[t->off_labels] = 0;
	f[t->off_labels + 1] = 1;
	f[t->off_labels + 2] = -1;
	CHECK(snn_trained_validate(img, t, size, &err) == SNN_OK);
	CHECK(snn_trained_validate(img, t, size - 4, &err) == SNN_E_FORMAT);
	f[t->off_labels + 2] = 2;	/* class out of range */
	CHECK(snn_trained_validate(img, t, size, &err) == SNN_E_FORMAT);
	f[t->off_labels + 2] = -1;
	f[0] = NAN;
	CHECK(snn_trained_validate(img, t, size, &err) == SNN_E_FORMAT);
	f[0] = 0;
	t->off_theta = (uint32_t) n_floats; /* past the end */
	CHECK(snn_trained_validate(img, t, size, &err) == SNN_E_FORMAT);
	t->off_theta = (uint32_t) (3 * nf + nf * no);
	t->n_features = 5;
	CHECK(snn_trained_validate(img, t, size, &err) == SNN_E_FORMAT);
	t->n_features = (uint32_t) nf;
	t->magic = 0;
	CHECK(snn_trained_validate(img, t, size, &err) == SNN_E_FORMAT);
	t->magic = SNN_TRAINED_MAGIC;
	t->method = 9;
	CHECK(snn_trained_validate(img, t, size, &err) == SNN_E_FORMAT);
	CHECK(strcmp(snn_method_name(SNN_METHOD_RIDGE), "ridge") == 0);
	CHECK(snn_method_from_name("hebbian") == SNN_METHOD_HEBBIAN);
	CHECK(snn_method_from_name("sgd") == 0);
	CHECK(snn_trained_of(img) == NULL);
	free(t);
	free(img);
}

static void
test_reservoir(void)
{
	snn_config	cfg;
	snn_image  *img;
	float		x[4] = {1, 1, 1, 1},
				z[4] = {0, 0, 0, 0};
	float	   *s1,
			   *s2;
	void	   *work;
	size_t		ws;
	snn_error	err;
	snn_counters c;
	double		sum = 0;

	snn_config_defaults(&cfg, SNN_KIND_RESERVOIR);
	cfg.n_inputs = 4;
	cfg.layers[0].size = 50;
	cfg.dt = 1.0f;
	cfg.res_input_connectivity = 1.0f;
	cfg.res_input_scaling = 20.0f;
	cfg.seed = 3;
	img = build(&cfg);
	CHECK(img != NULL);
	if (!img)
		return;
	ws = snn_reservoir_work_size(img, 60);
	work = malloc(ws);
	s1 = calloc(img->n_neurons, sizeof(float));
	s2 = calloc(img->n_neurons, sizeof(float));
	memset(&c, 0, sizeof(c));
	CHECK(snn_reservoir_states(img, x, 60, 0.5f, 1, s1, work, ws, &c, &err) == SNN_OK);
	for (uint32_t j = 0; j < img->n_neurons; j++)
	{
		CHECK(s1[j] >= 0.0f && s1[j] <= 1.0f);
		sum += s1[j];
	}
	CHECK(sum > 0);				/* driven neurons spike */
	CHECK(c.steps == 60 && c.input_events > 0);
	/* deterministic, and silent input leaves the reservoir at rest */
	CHECK(snn_reservoir_states(img, x, 60, 0.5f, 1, s2, work, ws, NULL, &err) == SNN_OK);
	CHECK(memcmp(s1, s2, sizeof(float) * img->n_neurons) == 0);
	CHECK(snn_reservoir_states(img, z, 60, 0.5f, 1, s2, work, ws, NULL, &err) == SNN_OK);
	sum = 0;
	for (uint32_t j = 0; j < img->n_neurons; j++)
		sum += s2[j];
	CHECK(sum == 0);
	CHECK(snn_reservoir_states(img, x, 60, 0.5f, 1, s2, work, 10, NULL, &err) == SNN_E_NOMEM);
	free(work);
	free(s1);
	free(s2);
	free(img);
}

int
main(void)
{
	test_dense();
	test_block();
	test_reservoir();
	UNIT_DONE();
}
