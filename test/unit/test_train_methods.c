/*
 * test_train_methods.c: the training entry point (snn_train_methods.h):
 * the four methods through snn_train_run, the table, and the errors a
 * caller or a user can cause (unknown method, wrong network, labels,
 * options, memory, a cancel).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "snn_interrupt.h"
#include "snn_train_methods.h"
#include "unit.h"

/* ---- the caller's memory: every block kept, freed at once ---- */

typedef struct arena
{
	void	   *blocks[256];
	int			n;
	int			fail_after;		/* -1: never fail */
} arena;

static void *
arena_alloc(void *arg, size_t size, int zero)
{
	arena	   *a = arg;
	void	   *p;

	if (a->fail_after >= 0 && a->n >= a->fail_after)
		return NULL;
	if (a->n == 256)
		return NULL;
	p = zero ? calloc(1, size) : malloc(size);
	if (p)
		a->blocks[a->n++] = p;
	return p;
}

static void
arena_free(arena *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->blocks[i]);
	a->n = 0;
}

static snn_image *
build(snn_config *cfg)
{
	snn_plan	plan;
	snn_error	err;
	void	   *img,
			   *scratch;

	if (snn_image_plan(cfg, NULL, &plan, &err) != SNN_OK)
		return NULL;
	img = aligned_alloc(64, (plan.image_size + 63) / 64 * 64);
	memset(img, 0, (plan.image_size + 63) / 64 * 64);
	scratch = malloc(plan.scratch_size + 8);
	if (snn_image_build(cfg, NULL, &plan, img, scratch, &err) != SNN_OK)
	{
		free(img);
		img = NULL;
	}
	free(scratch);
	return img;
}

/* A feed-forward network: inputs -> sizes[0] -> ... (fully connected). */
static snn_image *
feedforward(uint32_t inputs, int n_layers, const uint32_t *sizes)
{
	snn_config	cfg;

	snn_config_defaults(&cfg, SNN_KIND_FEEDFORWARD);
	cfg.n_inputs = inputs;
	cfg.n_layers = n_layers;
	for (int l = 0; l < n_layers; l++)
		cfg.layers[l].size = sizes[l];
	cfg.seed = 11;
	return build(&cfg);
}

static snn_image *
reservoir(uint32_t inputs, uint32_t size)
{
	snn_config	cfg;

	snn_config_defaults(&cfg, SNN_KIND_RESERVOIR);
	cfg.n_inputs = inputs;
	cfg.layers[0].size = size;
	cfg.res_input_connectivity = 1.0f;
	cfg.res_input_scaling = 20.0f;
	cfg.seed = 3;
	return build(&cfg);
}

/* XOR-like data: two clusters a class, 2 features. */
static float xs[8][2] = {{0, 0}, {0.1f, 0.1f}, {1, 1}, {0.9f, 0.9f},
{0, 1}, {0.1f, 0.9f}, {1, 0}, {0.9f, 0.1f}};
static int32_t ys[8] = {0, 0, 0, 0, 1, 1, 1, 1};

static void
request(snn_train_request *rq, const snn_image *img, const char *method, arena *a)
{
	memset(rq, 0, sizeof(*rq));
	rq->img = img;
	rq->method = snn_train_method_find(method);
	rq->data.n = 8;
	rq->data.dim = 2;
	rq->data.x = &xs[0][0];
	rq->data.y = ys;
	rq->alloc = arena_alloc;
	rq->alloc_arg = a;
	rq->out_header = 8;
	a->n = 0;
	a->fail_after = -1;
}

/* Set option name of rq's method to v. */
static void
set_option(snn_train_request *rq, const char *name, double v)
{
	for (int i = 0; i < rq->method->n_options; i++)
		if (strcmp(rq->method->options[i].name, name) == 0)
		{
			rq->options.given[i] = 1;
			rq->options.value[i] = v;
			return;
		}
	CHECKF(0, "no option %s", name);
}

/* A trained result: valid image, the method's block, one more record. */
static void
check_result(const snn_image *img, snn_method method, void *out, size_t size)
{
	const snn_image *ni = (const snn_image *) ((char *) out + 8);
	const snn_trained *t;
	snn_error	err;

	CHECK(snn_image_validate(ni, size, &err) == SNN_OK);
	CHECK(ni->flags & SNN_FLAG_TRAINED);
	CHECK(ni->n_history == img->n_history + 1);
	t = snn_trained_of(ni);
	CHECK(t != NULL);
	if (t)
		CHECK(t->method == (uint32_t) method && t->n_features == img->n_inputs);
	CHECK(((const snn_history_rec *) snn_sec(ni, SNN_SEC_HISTORY))[img->n_history].method ==
		  (uint32_t) method);
	for (int i = 0; i < 8; i++)
		CHECK(((const char *) out)[i] == 0);
}

static void
test_table(void)
{
	const char *names[] = {"backprop", "ridge", "stdp", "hebbian"};

	for (int i = 0; i < 4; i++)
	{
		const snn_train_method *m = snn_train_method_at(i);

		CHECK(m != NULL && strcmp(m->name, names[i]) == 0);
		CHECK(m == snn_train_method_find(names[i]));
		CHECK(m->n_options > 0 && m->n_options <= SNN_TRAIN_MAX_OPTIONS);
		CHECK(strcmp(snn_method_name(m->method), names[i]) == 0);
	}
	CHECK(snn_train_method_at(4) == NULL);
	CHECK(snn_train_method_at(-1) == NULL);
	CHECK(snn_train_method_find("sgd") == NULL);
	CHECK(snn_train_method_find("ridge")->flags & SNN_TRAIN_TAKES_TARGETS);
	CHECK(!(snn_train_method_find("stdp")->flags & SNN_TRAIN_NEEDS_LABELS));
}

static void
test_backprop(void)
{
	uint32_t	sizes[2] = {8, 2};
	snn_image  *img = feedforward(2, 2, sizes);
	snn_train_request rq;
	arena		a;
	void	   *out = NULL,
			   *out2 = NULL;
	size_t		size = 0,
				size2 = 0;
	snn_error	err;
	const snn_trained *t1,
			   *t2;

	CHECK(img != NULL);
	if (!img)
		return;
	request(&rq, img, "backprop", &a);
	set_option(&rq, "epochs", 300);
	set_option(&rq, "validation_split", 0);
	set_option(&rq, "seed", 7);
	CHECK(snn_train_check(&rq, &err) == SNN_OK);
	CHECK(snn_train_run(&rq, &out, &size, &err) == SNN_OK);
	check_result(img, SNN_METHOD_BACKPROP, out, size);
	/* the same seed trains the same network */
	{
		arena		b;
		snn_train_request rq2 = rq;

		b.n = 0;
		b.fail_after = -1;
		rq2.alloc_arg = &b;
		CHECK(snn_train_run(&rq2, &out2, &size2, &err) == SNN_OK);
		CHECK(size2 == size);
		t1 = snn_trained_of((const snn_image *) ((char *) out + 8));
		t2 = snn_trained_of((const snn_image *) ((char *) out2 + 8));
		CHECK(t1 && t2 && memcmp(t1, t2, sizeof(snn_trained) + t1->n_floats * sizeof(float)) == 0);
		arena_free(&b);
	}
	arena_free(&a);

	/* labels beyond the output layer, targets, no labels, bad options */
	request(&rq, img, "backprop", &a);
	ys[3] = 2;
	CHECK(snn_train_check(&rq, &err) == SNN_E_RANGE);
	CHECK(strstr(err.msg, "label 2 of sample 4 is outside [0, 2)") != NULL);
	ys[3] = 0;
	rq.data.y = NULL;
	CHECK(snn_train_check(&rq, &err) == SNN_E_CONFIG);
	CHECK(strcmp(err.msg, "method backprop needs labels") == 0);
	rq.data.t = &xs[0][0];
	rq.data.k = 1;
	CHECK(snn_train_check(&rq, &err) == SNN_E_CONFIG);
	CHECK(strstr(err.msg, "real targets are for ridge") != NULL);
	request(&rq, img, "backprop", &a);
	set_option(&rq, "steps", 256);
	CHECK(snn_train_check(&rq, &err) == SNN_E_RANGE);
	CHECK(strcmp(err.field, "steps") == 0);
	/* data that do not fit the network */
	request(&rq, img, "backprop", &a);
	rq.data.n = 0;
	CHECK(snn_train_check(&rq, &err) == SNN_E_EMPTY);
	request(&rq, img, "backprop", &a);
	rq.data.dim = 3;
	CHECK(snn_train_check(&rq, &err) == SNN_E_DIM);
	/* out of memory at each allocation in turn: an error, never a crash */
	for (int k = 0;; k++)
	{
		snn_status	st;

		request(&rq, img, "backprop", &a);
		set_option(&rq, "epochs", 2);
		a.fail_after = k;
		st = snn_train_run(&rq, &out, &size, &err);
		arena_free(&a);
		if (st == SNN_OK)
		{
			CHECK(k > 3);
			break;
		}
		CHECK(st == SNN_E_LIMIT && strcmp(err.msg, "out of memory") == 0);
		if (k > 100)
			break;
	}
	free(img);
}

static int
stop_now(void *arg)
{
	(void) arg;
	return 1;
}

static void
test_ridge(void)
{
	snn_image  *img = reservoir(2, 40);
	uint32_t	sizes[1] = {2};
	snn_image  *ff = feedforward(2, 1, sizes);
	float		targets[8];
	snn_train_request rq;
	arena		a;
	void	   *out;
	size_t		size;
	snn_error	err;

	CHECK(img != NULL && ff != NULL);
	if (!img || !ff)
		return;
	/* classification */
	request(&rq, img, "ridge", &a);
	set_option(&rq, "steps", 30);
	CHECK(snn_train_run(&rq, &out, &size, &err) == SNN_OK);
	check_result(img, SNN_METHOD_RIDGE, out, size);
	CHECK(snn_trained_of((const snn_image *) ((char *) out + 8))->n_classes == 2);
	arena_free(&a);
	/* regression on real targets */
	for (int i = 0; i < 8; i++)
		targets[i] = xs[i][0] + xs[i][1];
	request(&rq, img, "ridge", &a);
	rq.data.y = NULL;
	rq.data.t = targets;
	rq.data.k = 1;
	CHECK(snn_train_run(&rq, &out, &size, &err) == SNN_OK);
	check_result(img, SNN_METHOD_RIDGE, out, size);
	CHECK(snn_trained_of((const snn_image *) ((char *) out + 8))->n_classes == 0);
	arena_free(&a);
	/* a feed-forward network: the kind is wrong */
	request(&rq, ff, "ridge", &a);
	CHECK(snn_train_check(&rq, &err) == SNN_E_CONFIG);
	CHECK(strcmp(err.field, "kind") == 0);
	CHECK(strcmp(err.msg, "method ridge needs a reservoir network, not a feedforward") == 0);
	/* negative labels */
	request(&rq, img, "ridge", &a);
	ys[0] = -1;
	CHECK(snn_train_check(&rq, &err) == SNN_E_RANGE);
	CHECK(strcmp(err.msg, "label -1 of sample 1 is negative") == 0);
	ys[0] = 0;
	/* a cancel stops it with SNN_E_CANCELLED */
	request(&rq, img, "ridge", &a);
	snn_interrupt_set(stop_now, NULL, 1);
	CHECK(snn_train_run(&rq, &out, &size, &err) == SNN_E_CANCELLED);
	snn_interrupt_set(NULL, NULL, 0);
	arena_free(&a);
	free(img);
	free(ff);
}

static void
test_single_layer(void)
{
	uint32_t	one[1] = {4},
				two[2] = {4, 2};
	snn_image  *img = feedforward(2, 1, one);
	snn_image  *deep = feedforward(2, 2, two);
	snn_image  *res = reservoir(2, 20);
	snn_train_request rq;
	arena		a;
	void	   *out;
	size_t		size;
	snn_error	err;
	const char *methods[2] = {"stdp", "hebbian"};
	snn_method	ids[2] = {SNN_METHOD_STDP, SNN_METHOD_HEBBIAN};

	CHECK(img != NULL && deep != NULL && res != NULL);
	if (!img || !deep || !res)
		return;
	for (int m = 0; m < 2; m++)
	{
		const snn_trained *t;

		/* with labels: every neuron labelled with a class or -1 */
		request(&rq, img, methods[m], &a);
		set_option(&rq, "epochs", 2);
		set_option(&rq, "seed", 5);
		CHECK(snn_train_run(&rq, &out, &size, &err) == SNN_OK);
		check_result(img, ids[m], out, size);
		t = snn_trained_of((const snn_image *) ((char *) out + 8));
		CHECK(t && t->n_classes == 2 && t->n_outputs == 4);
		if (t)
			for (uint32_t j = 0; j < 4; j++)
			{
				float		l = snn_trained_floats(t)[t->off_labels + j];

				CHECK(l == -1.0f || l == 0.0f || l == 1.0f);
			}
		arena_free(&a);
		/* without labels */
		request(&rq, img, methods[m], &a);
		rq.data.y = NULL;
		CHECK(snn_train_run(&rq, &out, &size, &err) == SNN_OK);
		check_result(img, ids[m], out, size);
		arena_free(&a);
		/* two layers, a reservoir */
		request(&rq, deep, methods[m], &a);
		CHECK(snn_train_check(&rq, &err) == SNN_E_CONFIG);
		CHECK(strstr(err.msg, "learns a single layer; the network has 2 layers") != NULL);
		request(&rq, res, methods[m], &a);
		CHECK(snn_train_check(&rq, &err) == SNN_E_CONFIG);
		CHECK(strcmp(err.field, "kind") == 0);
	}
	/* stdp: the weight range must not be empty */
	request(&rq, img, "stdp", &a);
	set_option(&rq, "w_min", 1);
	set_option(&rq, "w_max", 0);
	CHECK(snn_train_check(&rq, &err) == SNN_E_CONFIG);
	CHECK(strcmp(err.msg, "option \"w_min\" must be below \"w_max\"") == 0);
	/* hebbian: the rule is a choice; Sanger's trains too */
	request(&rq, img, "hebbian", &a);
	CHECK(rq.method->options[2].kind == SNN_OPT_CHOICE);
	set_option(&rq, "rule", 1);
	CHECK(snn_train_run(&rq, &out, &size, &err) == SNN_OK);
	arena_free(&a);
	/* no method at all */
	request(&rq, img, "sgd", &a);
	CHECK(rq.method == NULL);
	CHECK(snn_train_check(&rq, &err) == SNN_E_CONFIG);
	free(img);
	free(deep);
	free(res);
}

int
main(void)
{
	test_table();
	test_backprop();
	test_ridge();
	test_single_layer();
	UNIT_DONE();
}
