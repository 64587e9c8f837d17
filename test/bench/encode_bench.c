/*
 * encode_bench.c: throughput of the engine's encoders on one core.
 *   usage: encode_bench NEURONS STEPS REPEATS
 * Prints one line per encoder: name, work, seconds per call, millions of
 * values (TTFS, population) or events (rate, Poisson, delta) per second.
 * The inputs are the same deterministic values the Python peer uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "snn_encode.h"

/* Monotonic seconds. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	size_t		n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	uint32_t	steps = argc > 2 ? (uint32_t) strtoul(argv[2], NULL, 10) : 1000;
	int			reps = argc > 3 ? atoi(argv[3]) : 5;
	double	   *v = malloc(sizeof(double) * (n > steps ? n : steps));
	uint8_t    *pat = malloc(n * 8);
	double	   *dec = malloc(sizeof(double) * n);
	uint32_t   *scratch = malloc(sizeof(uint32_t) * (steps + 1));
	uint64_t   *pscratch = malloc(sizeof(uint64_t) * 2 * n);
	snn_event  *ev;
	size_t		cap = 0,
				ne = 0;
	snn_error	err;
	double		t0,
				dt;

	/* values i / n in [0, 1): the peer uses the same */
	for (size_t i = 0; i < n; i++)
		v[i] = (double) i / (double) n;
	snn_encode_rate(v, n, 0, 1, steps, 0.5, NULL, 0, &cap, NULL, &err);
	ev = malloc(sizeof(snn_event) * (cap > steps ? cap : steps) * 2 + 16);

	t0 = now();
	for (int r = 0; r < reps * 100; r++)
		snn_encode_ttfs(v, n, 0, 1, 255, pat, &err);
	dt = (now() - t0) / (reps * 100);
	printf("ttfs      %zu values             %.6f s  %8.1f M values/s\n", n, dt, n / dt / 1e6);

	t0 = now();
	for (int r = 0; r < reps * 100; r++)
		snn_decode_ttfs(pat, n, 0, 1, 255, dec, &err);
	dt = (now() - t0) / (reps * 100);
	printf("ttfs-dec  %zu values             %.6f s  %8.1f M values/s\n", n, dt, n / dt / 1e6);

	t0 = now();
	for (int r = 0; r < reps; r++)
		snn_encode_rate(v, n, 0, 1, steps, 0.5, ev, cap, &ne, scratch, &err);
	dt = (now() - t0) / reps;
	printf("rate      %zu x %u -> %zu events  %.6f s  %8.1f M events/s\n", n, steps, ne, dt, ne / dt / 1e6);

	snn_encode_poisson(v, n, 0, 1, steps, 0.5, 42, NULL, 0, &cap, NULL, &err);
	free(ev);
	ev = malloc(sizeof(snn_event) * (cap > steps ? cap : steps) + 16);
	t0 = now();
	for (int r = 0; r < reps; r++)
		snn_encode_poisson(v, n, 0, 1, steps, 0.5, 42, ev, cap, &ne, pscratch, &err);
	dt = (now() - t0) / reps;
	printf("poisson   %zu x %u -> %zu events  %.6f s  %8.1f M events/s  %8.1f M draws/s\n",
		   n, steps, ne, dt, ne / dt / 1e6, (double) n * steps / dt / 1e6);

	if (n * 8 <= SNN_PATTERN_MAX_DIM)
	{
		t0 = now();
		for (int r = 0; r < reps * 100; r++)
			snn_encode_population(v, n, 0, 1, 8, 255, 1, 0.1, pat, &err);
		dt = (now() - t0) / (reps * 100);
		printf("population %zu values x 8 fields  %.6f s  %8.1f M values/s\n", n, dt, n / dt / 1e6);
	}

	/* delta over a series of `steps` samples of a sine */
	for (uint32_t t = 0; t < steps; t++)
		v[t] = __builtin_sin(t / 50.0);
	t0 = now();
	for (int r = 0; r < reps * 10; r++)
		snn_encode_delta(v, steps, 0.01, ev, steps, &ne, &err);
	dt = (now() - t0) / (reps * 10);
	printf("delta     %u samples -> %zu events  %.6f s  %8.1f M samples/s\n", steps, ne, dt, steps / dt / 1e6);
	return 0;
}
