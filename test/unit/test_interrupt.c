/*
 * test_interrupt.c: the engine's interrupt hook.  A hook that asks to stop
 * after N calls makes every long loop (network plan and build, spectral
 * radius, validation, simulation, ridge, backprop, conversion, STDP,
 * Hebbian) return SNN_E_CANCELLED; the same call with no stop succeeds, so
 * nothing is left half done.  Run under ASan or valgrind for leaks: the
 * engine allocates nothing in these calls, the test frees what it made.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "snn_encode.h"
#include "snn_image.h"
#include "snn_interrupt.h"
#include "snn_learn.h"
#include "unit.h"

static uint64_t stop_after;		/* calls before the hook says stop */
static uint64_t hook_calls;

/* Say stop from call stop_after + 1 on (0: never). */
static int
stop_hook(void *arg)
{
	(void) arg;
	hook_calls++;
	return stop_after > 0 && hook_calls > stop_after;
}

/* Arm the hook: every check point calls it (quantum 1). */
static void
arm(uint64_t after)
{
	stop_after = after;
	hook_calls = 0;
	snn_interrupt_set(stop_hook, NULL, 1);
}

/* A reservoir config of size neurons. */
static void
reservoir(snn_config *cfg, uint32_t size)
{
	snn_config_defaults(cfg, SNN_KIND_RESERVOIR);
	cfg->n_inputs = 4;
	cfg->layers[0].size = size;
	cfg->res_connectivity = 0.2f;
	cfg->seed = 3;
}

/* Plan and build stop at each of the first check points; then succeed. */
static void
test_build(void)
{
	snn_config	cfg;
	snn_plan	plan;
	snn_error	err;
	void	   *img,
			   *scratch;
	uint64_t	total;

	/* no stop: count the check points */
	reservoir(&cfg, 300);
	arm(0);
	CHECK(snn_image_plan(&cfg, NULL, &plan, &err) == SNN_OK);
	img = aligned_alloc(64, (plan.image_size + 63) / 64 * 64);
	scratch = malloc(plan.scratch_size + 8);
	CHECK(snn_image_build(&cfg, NULL, &plan, img, scratch, &err) == SNN_OK);
	CHECK(snn_image_validate(img, plan.image_size, &err) == SNN_OK);
	total = hook_calls;
	CHECKF(total > 300, "%llu check points", (unsigned long long) total);

	/*
	 * stop at a point in the plan, the build (rows, spectral radius),
	 * validation
	 */
	for (uint64_t after = 0; after < total; after += total / 7 + 1)
	{
		snn_status	st;

		reservoir(&cfg, 300);
		arm(after + 1);
		snn_error_clear(&err);
		st = snn_image_plan(&cfg, NULL, &plan, &err);
		if (st == SNN_OK)
			st = snn_image_build(&cfg, NULL, &plan, img, scratch, &err);
		if (st == SNN_OK)
			st = snn_image_validate(img, plan.image_size, &err);
		CHECKF(st == SNN_E_CANCELLED && err.status == SNN_E_CANCELLED,
			   "stop after %llu: status %d", (unsigned long long) after + 1, (int) st);
		CHECK(hook_calls == after + 2);
	}
	/* the spectral radius alone: a build stops inside it */
	{
		uint64_t	before_radius;

		reservoir(&cfg, 300);
		cfg.res_weight_exc = 1.0f;	/* fixed weights: no power iteration */
		cfg.res_weight_inh = -1.0f;
		arm(0);
		CHECK(snn_image_plan(&cfg, NULL, &plan, &err) == SNN_OK);
		CHECK(snn_image_build(&cfg, NULL, &plan, img, scratch, &err) == SNN_OK);
		before_radius = hook_calls;
		reservoir(&cfg, 300);
		arm(before_radius + 5);
		CHECK(snn_image_plan(&cfg, NULL, &plan, &err) == SNN_OK);
		CHECK(snn_image_build(&cfg, NULL, &plan, img, scratch, &err) == SNN_E_CANCELLED);
	}
	free(img);
	free(scratch);
}

/* Simulation stops at a step and can be resumed from the state. */
static void
test_run(void)
{
	snn_config	cfg;
	snn_plan	plan;
	snn_error	err;
	snn_image  *img;
	void	   *scratch,
			   *st;

	reservoir(&cfg, 200);
	arm(0);
	CHECK(snn_image_plan(&cfg, NULL, &plan, &err) == SNN_OK);
	img = aligned_alloc(64, (plan.image_size + 63) / 64 * 64);
	scratch = malloc(plan.scratch_size + 8);
	CHECK(snn_image_build(&cfg, NULL, &plan, img, scratch, &err) == SNN_OK);
	st = aligned_alloc(64, (img->state_size + 63) / 64 * 64);
	snn_state_init(img, st, 1);
	arm(10);
	CHECK(snn_run(img, st, NULL, 0, 0, 1000, NULL, NULL, NULL, 0, &err) == SNN_E_CANCELLED);
	CHECK(hook_calls == 11);	/* one check a step */
	arm(0);
	CHECK(snn_run(img, st, NULL, 0, 0, 1000, NULL, NULL, NULL, 0, &err) == SNN_OK);
	CHECK(hook_calls == 1000);
	free(st);
	free(scratch);
	free(img);
}

/* Ridge stops while accumulating, factorising and solving. */
static void
test_ridge(void)
{
	enum
	{
		N = 50, D = 40, K = 3
	};
	static float s[N * D],
				y[N * K],
				w[(D + 1) * K];
	static char work[1 << 16];
	snn_error	err;
	uint64_t	total;
	uint64_t	rng = 5;

	for (int i = 0; i < N * D; i++)
		s[i] = (float) snn_rand_unit(&rng);
	for (int i = 0; i < N * K; i++)
		y[i] = (float) snn_rand_unit(&rng);
	CHECK(snn_ridge_workspace_size(D, K) <= sizeof(work));
	arm(0);
	CHECK(snn_ridge_fit(s, N, D, y, K, 0.1, w, work, sizeof(work), &err) == SNN_OK);
	total = hook_calls;
	CHECK(total == N + (D + 1) + K);	/* samples, factor columns, solves */
	for (uint64_t after = 1; after <= total; after += 7)
	{
		arm(after);
		CHECK(snn_ridge_fit(s, N, D, y, K, 0.1, w, work, sizeof(work), &err) == SNN_E_CANCELLED);
	}
}

/* Backprop, conversion, STDP and Hebbian stop; without a stop they succeed. */
static void
test_learning(void)
{
	enum
	{
		N = 64, D = 4, K = 2
	};
	static float x[N * D],
				params[1024],
				out[1024],
				w[D * 8],
				theta[8],
				mean[D];
	static int32_t y[N];
	static char work[1 << 18];
	snn_mlp_shape shape = {2, {D, 16, K}};
	snn_bp_options o;
	snn_convert_options co;
	snn_stdp_options so;
	snn_hebb_options ho;
	snn_train_result r;
	snn_error	err;
	float		lambda[2],
				th;
	uint64_t	rng = 9;

	for (int i = 0; i < N; i++)
	{
		for (int j = 0; j < D; j++)
			x[i * D + j] = (float) snn_rand_unit(&rng);
		y[i] = x[i * D] > 0.5f;
	}
	snn_bp_defaults(&o);
	o.max_epochs = 50;
	o.patience = 100;
	snn_mlp_init(&shape, params, 1);
	arm(3);
	CHECK(snn_bp_train(&shape, params, x, y, N, &o, work, sizeof(work), &r, &err) == SNN_E_CANCELLED);
	CHECK(err.status == SNN_E_CANCELLED);
	arm(0);
	snn_mlp_init(&shape, params, 1);
	CHECK(snn_bp_train(&shape, params, x, y, N, &o, work, sizeof(work), &r, &err) == SNN_OK);
	CHECK(r.epochs == 50);

	snn_convert_defaults(&co);
	arm(2);
	CHECK(snn_convert(&shape, params, x, N, &co, out, lambda, &th, work, sizeof(work), &err) == SNN_E_CANCELLED);
	arm(0);
	CHECK(snn_convert(&shape, params, x, N, &co, out, lambda, &th, work, sizeof(work), &err) == SNN_OK);

	snn_stdp_defaults(&so);
	so.epochs = 3;
	for (int i = 0; i < D * 8; i++)
		w[i] = 0.5f;
	memset(theta, 0, sizeof(theta));
	arm(N + 5);					/* a check a sample: stops in epoch 2 */
	CHECK(snn_stdp_train(w, theta, D, 8, x, N, &so, work, sizeof(work), &r, &err) == SNN_E_CANCELLED);
	CHECK(hook_calls == N + 6);
	arm(0);
	CHECK(snn_stdp_train(w, theta, D, 8, x, N, &so, work, sizeof(work), &r, &err) == SNN_OK);
	CHECK(hook_calls == 3 * N);

	snn_hebb_defaults(&ho);
	ho.epochs = 4;
	for (int i = 0; i < D * 2; i++)
		w[i] = 0.1f * (float) (i + 1);
	arm(2 * N);
	CHECK(snn_hebb_train(w, mean, D, 2, x, N, &ho, work, sizeof(work), &r, &err) == SNN_E_CANCELLED);
	arm(0);
	CHECK(snn_hebb_train(w, mean, D, 2, x, N, &ho, work, sizeof(work), &r, &err) == SNN_OK);
	CHECK(hook_calls == 4 * N);
}

/* The rate and Poisson encoders stop between values or steps. */
static void
test_encoders(void)
{
	static double v[100];
	static snn_event ev[100 * 1000];
	static uint32_t step_scratch[1001];
	static uint64_t neuron_scratch[200];
	snn_error	err;
	size_t		count;

	for (int i = 0; i < 100; i++)
		v[i] = i / 99.0;
	arm(0);
	CHECK(snn_encode_rate(v, 100, 0, 1, 1000, 0.5, NULL, 0, &count, NULL, &err) == SNN_OK);
	arm(50);
	CHECK(snn_encode_rate(v, 100, 0, 1, 1000, 0.5, ev, count, &count, step_scratch, &err) == SNN_E_CANCELLED);
	arm(50);
	CHECK(snn_encode_rate(v, 100, 0, 1, 1000, 0.5, ev, count, &count, NULL, &err) == SNN_E_CANCELLED);
	arm(0);
	CHECK(snn_encode_rate(v, 100, 0, 1, 1000, 0.5, ev, count, &count, step_scratch, &err) == SNN_OK);
	arm(500);
	CHECK(snn_encode_poisson(v, 100, 0, 1, 1000, 0.5, 7, NULL, 0, &count, neuron_scratch, &err) == SNN_E_CANCELLED);
	arm(0);
	CHECK(snn_encode_poisson(v, 100, 0, 1, 1000, 0.5, 7, NULL, 0, &count, neuron_scratch, &err) == SNN_OK);
	arm(1500);
	CHECK(snn_encode_poisson(v, 100, 0, 1, 1000, 0.5, 7, ev, count, &count, neuron_scratch, &err) == SNN_E_CANCELLED);
}

/* The default quantum: the hook is called once per ~2^20 units of work. */
static void
test_quantum(void)
{
	snn_interrupt_set(stop_hook, NULL, 0);
	stop_after = 0;
	hook_calls = 0;
	for (int i = 0; i < 1000; i++)
		CHECK(snn_interrupted(SNN_INTERRUPT_QUANTUM / 100) == 0);
	CHECK(hook_calls == 9 || hook_calls == 10);
	/* without a hook nothing stops */
	snn_interrupt_set(NULL, NULL, 1);
	CHECK(snn_interrupted(1000) == 0);
}

int
main(void)
{
	test_build();
	test_run();
	test_ridge();
	test_learning();
	test_encoders();
	test_quantum();
	snn_interrupt_set(NULL, NULL, 0);
	UNIT_DONE();
}
