/*
 * test_learn_backprop.c: the rate network learns a generated nonlinear
 * problem, the converted spiking network agrees with it on most samples,
 * training is deterministic, and bad inputs fail without changing anything.
 */
#include <math.h>
#include <string.h>

#include "snn_energy.h"
#include "snn_learn.h"
#include "unit.h"

#define N 600
#define D 8
#define K 3

/* Three classes by the angle of (x0 - .5, x1 - .5), other features noise. */
static void
make_problem(float *x, int32_t *y, uint64_t seed)
{
	uint64_t	s = seed;

	for (int i = 0; i < N; i++)
	{
		double		a,
					r;

		for (int j = 0; j < D; j++)
			x[i * D + j] = (float) snn_rand_unit(&s);
		a = atan2(x[i * D + 1] - 0.5, x[i * D] - 0.5) + M_PI;
		r = hypot(x[i * D + 1] - 0.5, x[i * D] - 0.5);
		y[i] = r < 0.15 ? 0 : (a < M_PI ? 1 : 2);
	}
}

/* What the progress callback saw: calls in epoch order, the last loss. */
typedef struct progress_log
{
	uint32_t	calls;
	uint32_t	epochs;
	int			in_order;
	double		last_loss;
} progress_log;

/* Progress callback of the second training run: records each epoch. */
static void
record_progress(void *arg, uint32_t epoch, uint32_t epochs, double loss)
{
	progress_log *log = arg;

	log->calls++;
	log->in_order &= epoch == log->calls;
	log->epochs = epochs;
	log->last_loss = loss;
}

int
main(void)
{
	static float x[N * D],
				params[4096],
				params2[4096],
				sp[4096],
				copy[4096];
	static int32_t y[N];
	static char work[1 << 20];
	snn_mlp_shape shape = {2, {D, 32, K}};
	snn_bp_options o;
	snn_convert_options co;
	snn_train_result r;
	snn_error	err;
	size_t		P = snn_mlp_param_count(&shape);
	float		lambda[2],
				theta,
				logits[K],
				fs[128],
				scratch[512];
	int			ok = 0,
				agree = 0,
				fired = 0;

	CHECK(P == D * 32 + 32 + 32 * K + K);
	CHECK(snn_mlp_weight_offset(&shape, 1) == D * 32 + 32);
	CHECK(snn_mlp_bias_offset(&shape, 1) == D * 32 + 32 + 32 * K);
	make_problem(x, y, 7);
	snn_bp_defaults(&o);
	o.max_epochs = 300;
	o.patience = 30;
	CHECK(snn_bp_workspace_size(&shape, N, &o) <= sizeof(work));
	snn_mlp_init(&shape, params, o.seed);
	CHECK(snn_bp_train(&shape, params, x, y, N, &o, work, sizeof(work), &r, &err) == SNN_OK);
	CHECKF(r.accuracy >= 0.95, "train accuracy %.3f", r.accuracy);
	CHECKF(r.val_accuracy >= 0.9, "validation accuracy %.3f", r.val_accuracy);
	CHECK(r.epochs >= r.best_epoch && r.best_epoch >= 1);
	CHECK(r.samples == N - (size_t) floor(0.1 * N));
	CHECK(r.loss > 0 && r.loss < 0.3);

	/* the same seed gives the same network; progress comes once an epoch */
	{
		progress_log plog = {0, 0, 1, -1};

		o.progress = record_progress;
		o.progress_arg = &plog;
		snn_mlp_init(&shape, params2, o.seed);
		CHECK(snn_bp_train(&shape, params2, x, y, N, &o, work, sizeof(work), &r, &err) == SNN_OK);
		CHECK(memcmp(params, params2, P * sizeof(float)) == 0);
		CHECKF(plog.calls == r.epochs && plog.in_order, "%u progress calls for %u epochs",
			   plog.calls, r.epochs);
		CHECK(plog.epochs == 300 && plog.last_loss > 0 && isfinite(plog.last_loss));
		o.progress = NULL;
	}

	/* conversion: the spiking network answers like the rate network */
	snn_convert_defaults(&co);
	CHECK(snn_convert_workspace_size(&shape, N) <= sizeof(work));
	CHECK(snn_convert(&shape, params, x, N, &co, sp, lambda, &theta, work, sizeof(work), &err) == SNN_OK);
	CHECK(lambda[0] > 0 && lambda[1] > 0 && theta > 0);
	CHECK(snn_ttfs_scratch_size(&shape) <= 512);
	{
		snn_ttfs_net net = {shape, co.steps, theta, sp, lambda};

		for (int i = 0; i < N; i++)
		{
			snn_ttfs_result tr;
			uint8_t		times[K];
			int			pr;

			snn_ttfs_run(&net, x + i * D, times, scratch, &tr);
			snn_mlp_forward(&shape, params, x + i * D, logits, fs);
			pr = (int) snn_argmax(logits, K);
			ok += pr == y[i];
			agree += pr == tr.predicted;
			fired += tr.fired;
			CHECK(tr.predicted >= 0 && tr.predicted < K);
			CHECK(tr.confidence >= 0.0 && tr.confidence <= 1.0);
			CHECK(tr.steps >= 1 && tr.steps <= co.steps);
			if (tr.fired)
			{
				/* the winner's spike time is the earliest output time */
				CHECK(times[tr.predicted] == tr.steps - 1);
				for (int k = 0; k < K; k++)
					CHECK(times[k] >= times[tr.predicted]);
			}
			CHECK(tr.synaptic_ops > 0 && tr.neuron_updates == (uint64_t) tr.steps * (32 + K));
		}
	}
	CHECKF(agree >= 0.95 * N, "spiking agrees with rate on %d of %d", agree, N);
	CHECKF(fired >= 0.8 * N, "an output fired on %d of %d", fired, N);
	printf("backprop: rate accuracy %.3f, spiking agreement %.3f, fired %.3f\n",
		   (double) ok / N, (double) agree / N, (double) fired / N);

	/* errors leave the parameters alone */
	memcpy(copy, params, P * sizeof(float));
	y[5] = K;
	CHECK(snn_bp_train(&shape, params, x, y, N, &o, work, sizeof(work), &r, &err) == SNN_E_RANGE);
	CHECK(strcmp(err.field, "labels") == 0);
	y[5] = -1;
	CHECK(snn_bp_train(&shape, params, x, y, N, &o, work, sizeof(work), &r, &err) == SNN_E_RANGE);
	y[5] = 0;
	x[17] = NAN;
	CHECK(snn_bp_train(&shape, params, x, y, N, &o, work, sizeof(work), &r, &err) == SNN_E_NAN);
	x[17] = INFINITY;
	CHECK(snn_bp_train(&shape, params, x, y, N, &o, work, sizeof(work), &r, &err) == SNN_E_NAN);
	x[17] = 0.5f;
	CHECK(snn_bp_train(&shape, params, x, y, 0, &o, work, sizeof(work), &r, &err) == SNN_E_EMPTY);
	CHECK(snn_bp_train(&shape, params, x, y, N, &o, work, 100, &r, &err) == SNN_E_NOMEM);
	o.learning_rate = 0;
	CHECK(snn_bp_train(&shape, params, x, y, N, &o, work, sizeof(work), &r, &err) == SNN_E_RANGE);
	CHECK(strcmp(err.field, "learning_rate") == 0);
	snn_bp_defaults(&o);
	o.validation_split = 1.0f;
	CHECK(snn_bp_train(&shape, params, x, y, N, &o, work, sizeof(work), &r, &err) == SNN_E_RANGE);
	CHECK(memcmp(copy, params, P * sizeof(float)) == 0);
	{
		snn_mlp_shape bad = {0, {D}};

		CHECK(snn_mlp_check_shape(&bad, &err) == SNN_E_LIMIT);
		bad.n_layers = 1;
		bad.sizes[1] = 0;
		CHECK(snn_mlp_check_shape(&bad, &err) == SNN_E_EMPTY);
	}
	co.steps = 256;
	CHECK(snn_convert(&shape, params, x, N, &co, sp, lambda, &theta, work, sizeof(work), &err) == SNN_E_RANGE);

	/* target loss stops early and counts as converged */
	snn_bp_defaults(&o);
	o.target_loss = 0.5f;
	o.validation_split = 0.0f;
	snn_mlp_init(&shape, params, 1);
	CHECK(snn_bp_train(&shape, params, x, y, N, &o, work, sizeof(work), &r, &err) == SNN_OK);
	CHECK(r.converged == 1 && r.epochs < o.max_epochs);
	CHECK(isnan(r.val_loss));

	/* energy tables: four platforms, positive constants, linear in counts */
	{
		int			np;
		const snn_energy_platform *pl = snn_energy_platforms(&np);

		CHECK(np >= 4);
		for (int i = 0; i < np; i++)
		{
			CHECK(pl[i].pj_per_synop > 0);
			CHECK(fabs(snn_energy_nj(&pl[i], 1000, 0) - pl[i].pj_per_synop) < 1e-9);
		}
		CHECK(fabs(snn_energy_mac_pj() - 4.6) < 1e-9);
	}
	UNIT_DONE();
}
