/*
 * distance_bench_f32.c: the float32 peers of distance_bench.c, in their own
 * file so they get pgvector's auto-vectorisation flags (distance.sh passes
 * -O3 -ftree-vectorize -fassociative-math -fno-signed-zeros
 * -fno-trapping-math), once for baseline x86-64 and once for AVX2+FMA.
 */
#include <math.h>
#include <stddef.h>

/* Squared L2 over floats, the loop a float vector type runs. */
float
f32_l2sq_base(const float *a, const float *b, size_t n)
{
	float		s = 0;

	for (size_t i = 0; i < n; i++)
	{
		float		d = a[i] - b[i];

		s += d * d;
	}
	return s;
}

/* L1 over floats. */
float
f32_l1_base(const float *a, const float *b, size_t n)
{
	float		s = 0;

	for (size_t i = 0; i < n; i++)
		s += fabsf(a[i] - b[i]);
	return s;
}

#if defined(__x86_64__) && defined(__GNUC__)

/* The same loop compiled for AVX2 and FMA. */
__attribute__((target("avx2,fma")))
float
f32_l2sq_avx2(const float *a, const float *b, size_t n)
{
	float		s = 0;

	for (size_t i = 0; i < n; i++)
	{
		float		d = a[i] - b[i];

		s += d * d;
	}
	return s;
}

/* L1 for AVX2. */
__attribute__((target("avx2,fma")))
float
f32_l1_avx2(const float *a, const float *b, size_t n)
{
	float		s = 0;

	for (size_t i = 0; i < n; i++)
		s += fabsf(a[i] - b[i]);
	return s;
}

/* True when this CPU can run the AVX2 peers. */
int
f32_have_avx2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#else

float
f32_l2sq_avx2(const float *a, const float *b, size_t n)
{
	return f32_l2sq_base(a, b, n);
}

float
f32_l1_avx2(const float *a, const float *b, size_t n)
{
	return f32_l1_base(a, b, n);
}

int
f32_have_avx2(void)
{
	return 0;
}
#endif
