/*
 * distance_bench.c: throughput of the spikes distance kernels beside the
 * float32 distance a float vector type would compute over the same data.
 *
 * One query is compared with every pattern of a set (what a sequential scan
 * or an index's candidate list does), for 64, 128, 256 and 1024 neurons:
 *
 *   u8 simd     the engine kernels (snn_l2sq_u8 / snn_l1_u8, AVX2 when the
 *               CPU has it, else SSE2 through SIMDe)
 *   u8 scalar   the engine's scalar reference definitions, as compiled by
 *               the same flags as the extension (-O3: gcc may vectorise them)
 *   f32 base    a plain C float loop built with pgvector's flags
 *               (-O3 -ftree-vectorize -fassociative-math -fno-signed-zeros
 *               -fno-trapping-math), baseline x86-64 (SSE2)
 *   f32 avx2    the same loop compiled for AVX2+FMA, what a -march=native
 *               float build would get
 *
 * The float patterns hold the same values (silent = 255.0), so every row
 * computes the same distances; the program checks that they agree.  It
 * prints patterns per second and GB/s of pattern data read, and the ratio
 * of the u8 SIMD kernel to each peer.  Never pass/fail on time.
 *
 *   usage: distance_bench [MiB of u8 patterns per dimension, default 16]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snn_distance.h"

/* The float peers live in distance_bench_f32.c (their own flags). */
float		f32_l2sq_base(const float *a, const float *b, size_t n);
float		f32_l1_base(const float *a, const float *b, size_t n);
float		f32_l2sq_avx2(const float *a, const float *b, size_t n);
float		f32_l1_avx2(const float *a, const float *b, size_t n);
int			f32_have_avx2(void);

static volatile double sink;

/* Seconds on a monotonic clock. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* float32 sums round once they pass 2^24, so peers agree only closely. */
static int
close_enough(double exact, double approx)
{
	return fabs(exact - approx) <= 1e-5 * exact;
}

typedef uint64_t (*u8_fn) (const uint8_t *, const uint8_t *, size_t);
typedef float (*f32_fn) (const float *, const float *, size_t);

/* Best of 5 passes over the set: seconds for one pass. */
static double
time_u8(u8_fn f, const uint8_t *q, const uint8_t *set, size_t n, size_t dim,
		double *check)
{
	double		best = 1e30;

	for (int rep = 0; rep < 5; rep++)
	{
		double		t0 = now();
		uint64_t	acc = 0;

		for (size_t i = 0; i < n; i++)
			acc += f(q, set + i * dim, dim);
		t0 = now() - t0;
		if (t0 < best)
			best = t0;
		*check = (double) acc;
	}
	sink = *check;
	return best;
}

/* Best of 5 passes over the float set: seconds for one pass. */
static double
time_f32(f32_fn f, const float *q, const float *set, size_t n, size_t dim,
		 double *check)
{
	double		best = 1e30;

	for (int rep = 0; rep < 5; rep++)
	{
		double		t0 = now();
		double		acc = 0;

		for (size_t i = 0; i < n; i++)
			acc += f(q, set + i * dim, dim);
		t0 = now() - t0;
		if (t0 < best)
			best = t0;
		*check = acc;
	}
	sink = *check;
	return best;
}

/* One table row: name, patterns/s, GB/s, and the SIMD kernel's speed-up. */
static void
row(const char *metric, size_t dim, const char *impl, size_t n, double secs,
	size_t bytes_per, double simd_secs)
{
	printf("%-3s %5zu  %-10s %10.2f %8.2f %8.2fx\n", metric, dim, impl,
		   n / secs / 1e6, (double) n * bytes_per / secs / 1e9, secs / simd_secs);
}

int
main(int argc, char **argv)
{
	const size_t dims[] = {64, 128, 256, 1024};
	double		mib = argc > 1 ? atof(argv[1]) : 16;
	uint64_t	seed = 12345;
	int			mismatches = 0;

	if (mib <= 0 || mib > 1024)
	{
		fprintf(stderr, "usage: %s [MiB of u8 patterns, 0 < MiB <= 1024]\n", argv[0]);
		return 2;
	}
	printf("spikes distance kernels: u8 SIMD path \"%s\", %.0f MiB of u8 patterns "
		   "(%.0f MiB as float32) a dimension, best of 5 passes\n",
		   snn_distance_impl(), mib, mib * 4);
	printf("f32 avx2 peer %s\n\n", f32_have_avx2() ? "runs with AVX2+FMA" : "falls back to baseline (no AVX2)");
	printf("%-3s %5s  %-10s %10s %8s %9s\n", "", "dim", "impl", "Mpat/s", "GB/s", "simd x");

	for (size_t k = 0; k < sizeof(dims) / sizeof(dims[0]); k++)
	{
		size_t		dim = dims[k];
		size_t		n = (size_t) (mib * 1024 * 1024) / dim;
		uint8_t    *set = malloc(n * dim);
		float	   *fset = malloc(n * dim * sizeof(float));
		uint8_t    *q = malloc(dim);
		float	   *fq = malloc(dim * sizeof(float));
		double		c_simd, c_scalar, c_base, c_avx2;
		double		t_simd, t_scalar, t_base, t_avx2;

		if (!set || !fset || !q || !fq)
		{
			fprintf(stderr, "out of memory\n");
			return 1;
		}
		for (size_t i = 0; i < n * dim + dim; i++)
		{
			uint8_t		v;

			seed ^= seed >> 12;
			seed ^= seed << 25;
			seed ^= seed >> 27;
			v = (seed * 2685821657736338717ULL) >> 56;
			v = v < 51 ? SNN_SILENT : v % 255;	/* a fifth silent */
			if (i < n * dim)
			{
				set[i] = v;
				fset[i] = (float) v;
			}
			else
			{
				q[i - n * dim] = v;
				fq[i - n * dim] = (float) v;
			}
		}

		t_simd = time_u8(snn_l2sq_u8, q, set, n, dim, &c_simd);
		t_scalar = time_u8(snn_l2sq_u8_scalar, q, set, n, dim, &c_scalar);
		t_base = time_f32(f32_l2sq_base, fq, fset, n, dim, &c_base);
		t_avx2 = time_f32(f32_l2sq_avx2, fq, fset, n, dim, &c_avx2);
		if (c_simd != c_scalar || !close_enough(c_simd, c_base) ||
			!close_enough(c_simd, c_avx2))
		{
			fprintf(stderr, "L2 results differ at dim %zu: %.0f %.0f %.0f %.0f\n",
					dim, c_simd, c_scalar, c_base, c_avx2);
			mismatches++;
		}
		row("L2", dim, "u8 simd", n, t_simd, dim, t_simd);
		row("L2", dim, "u8 scalar", n, t_scalar, dim, t_simd);
		row("L2", dim, "f32 base", n, t_base, dim * 4, t_simd);
		row("L2", dim, "f32 avx2", n, t_avx2, dim * 4, t_simd);

		t_simd = time_u8(snn_l1_u8, q, set, n, dim, &c_simd);
		t_scalar = time_u8(snn_l1_u8_scalar, q, set, n, dim, &c_scalar);
		t_base = time_f32(f32_l1_base, fq, fset, n, dim, &c_base);
		t_avx2 = time_f32(f32_l1_avx2, fq, fset, n, dim, &c_avx2);
		if (c_simd != c_scalar || !close_enough(c_simd, c_base) ||
			!close_enough(c_simd, c_avx2))
		{
			fprintf(stderr, "L1 results differ at dim %zu: %.0f %.0f %.0f %.0f\n",
					dim, c_simd, c_scalar, c_base, c_avx2);
			mismatches++;
		}
		row("L1", dim, "u8 simd", n, t_simd, dim, t_simd);
		row("L1", dim, "u8 scalar", n, t_scalar, dim, t_simd);
		row("L1", dim, "f32 base", n, t_base, dim * 4, t_simd);
		row("L1", dim, "f32 avx2", n, t_avx2, dim * 4, t_simd);
		printf("\n");
		free(set);
		free(fset);
		free(q);
		free(fq);
	}
	printf("simd x = time of that row / time of u8 simd (above 1: the SIMD byte kernel is faster)\n");
	return mismatches ? 1 : 0;
}
