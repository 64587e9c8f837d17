/*
 * digits_engine.c: the training engine alone on the digits CSVs written by
 * digits_csv.py (no PostgreSQL): backprop 64-H-10, conversion, spiking test
 * accuracy, timings.  Build: see digits_bench.sh.
 *   digits_engine DIR [hidden] [epochs] [steps]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snn_learn.h"

static size_t
load(const char *path, float **x, int32_t **y)
{
	FILE	   *f = fopen(path, "r");
	size_t		n = 0,
				cap = 2048;
	char		line[4096];

	if (!f)
	{
		perror(path);
		exit(2);
	}
	*x = malloc(cap * 64 * sizeof(float));
	*y = malloc(cap * sizeof(int32_t));
	while (fgets(line, sizeof(line), f) && n < cap)
	{
		char	   *p = line;

		(*y)[n] = (int32_t) strtol(p, &p, 10);
		for (int j = 0; j < 64; j++)
		{
			p++;
			(*x)[n * 64 + j] = strtof(p, &p);
		}
		n++;
	}
	fclose(f);
	return n;
}

int
main(int argc, char **argv)
{
	char		path[1024];
	float	   *xtr,
			   *xte;
	int32_t    *ytr,
			   *yte;
	size_t		ntr,
				nte;
	snn_mlp_shape shape = {2, {64, 64, 10}};
	snn_bp_options o;
	snn_convert_options co;
	snn_train_result r;
	snn_error	err;
	float		off[64],
				sc[64];

	snprintf(path, sizeof(path), "%s/train.csv", argv[1]);
	ntr = load(path, &xtr, &ytr);
	snprintf(path, sizeof(path), "%s/test.csv", argv[1]);
	nte = load(path, &xte, &yte);
	if (argc > 2)
		shape.sizes[1] = atoi(argv[2]);
	snn_bp_defaults(&o);
	if (argc > 3)
		o.max_epochs = atoi(argv[3]);
	if (argc > 4)
		o.learning_rate = atof(argv[4]);
	if (argc > 5)
		o.batch_size = atoi(argv[5]);
	if (argc > 7)
		o.seed = atoi(argv[7]);
	if (argc > 8)
		o.patience = atoi(argv[8]);
	if (argc > 9)
		o.tolerance = atof(argv[9]);
	snn_convert_defaults(&co);
	if (argc > 6)
		co.steps = atoi(argv[6]);

	double		t0 = snn_now();
	clock_t		c0 = clock();
	float	   *xs = malloc(ntr * 64 * sizeof(float));
	float	   *xts = malloc(nte * 64 * sizeof(float));

	snn_minmax_fit(xtr, ntr, 64, off, sc);
	snn_minmax_apply(xtr, ntr, 64, off, sc, xs);
	size_t		P = snn_mlp_param_count(&shape);
	float	   *params = malloc(P * sizeof(float));
	float	   *sp = malloc(P * sizeof(float));
	size_t		ws = snn_bp_workspace_size(&shape, ntr, &o);
	void	   *work = malloc(ws);

	snn_mlp_init(&shape, params, o.seed);
	if (snn_bp_train(&shape, params, xs, ytr, ntr, &o, work, ws, &r, &err) != SNN_OK)
	{
		fprintf(stderr, "train: %s\n", err.msg);
		return 1;
	}
	double		t1 = snn_now();
	clock_t		c1 = clock();
	size_t		cws = snn_convert_workspace_size(&shape, ntr);
	void	   *cwork = malloc(cws);
	float		lambda[8],
				theta;

	if (snn_convert(&shape, params, xs, ntr, &co, sp, lambda, &theta, cwork, cws, &err) != SNN_OK)
	{
		fprintf(stderr, "convert: %s\n", err.msg);
		return 1;
	}
	double		t2 = snn_now();

	/* test */
	snn_minmax_apply(xte, nte, 64, off, sc, xts);
	snn_ttfs_net net = {shape, co.steps, theta, sp, lambda};
	float	   *scratch = malloc(snn_ttfs_scratch_size(&shape) * sizeof(float));
	float		logits[10],
				fs[256];
	size_t		ok_rate = 0,
				ok_spk = 0,
				agree = 0,
				nofire = 0;
	double		steps = 0,
				synops = 0;
	uint8_t		times[10];
	double		t3 = snn_now();

	for (size_t i = 0; i < nte; i++)
	{
		snn_ttfs_result tr;

		snn_ttfs_run(&net, xts + i * 64, times, scratch, &tr);
		ok_spk += tr.predicted == yte[i];
		nofire += !tr.fired;
		steps += tr.steps;
		synops += tr.synaptic_ops;
		snn_mlp_forward(&shape, params, xts + i * 64, logits, fs);
		int			pr = snn_argmax(logits, 10);

		ok_rate += pr == yte[i];
		agree += pr == tr.predicted;
	}
	double		t4 = snn_now();

	printf("epochs %u best %u converged %d train loss %.4f acc %.4f val acc %.4f\n",
		   r.epochs, r.best_epoch, r.converged, r.loss, r.accuracy, r.val_accuracy);
	printf("cpu %.1f ms (%.2f ms/epoch) ", (double) (c1 - c0) * 1000.0 / CLOCKS_PER_SEC,
		   (double) (c1 - c0) * 1000.0 / CLOCKS_PER_SEC / r.epochs);
	printf("train %.1f ms, convert %.1f ms (lambda %.3f %.3f, theta %.3f)\n",
		   (t1 - t0) * 1e3, (t2 - t1) * 1e3, lambda[0], lambda[1], theta);
	printf("test rate acc %.4f spiking acc %.4f agree %.4f nofire %zu mean steps %.1f synops %.0f, %.2f us/sample (both)\n",
		   (double) ok_rate / nte, (double) ok_spk / nte, (double) agree / nte, nofire,
		   steps / nte, synops / nte, (t4 - t3) * 1e6 / nte);
	return 0;
}
