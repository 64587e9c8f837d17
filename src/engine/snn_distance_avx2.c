/*
 * snn_distance_avx2.c: the AVX2 byte distance kernels (32 bytes a step),
 * written with SIMDe like every vector kernel of the engine.
 *
 * SIMDe emits native AVX2 only where the compiler targets AVX2, and a
 * target attribute on one function is not enough for it, so this file is
 * compiled for AVX2 as a whole (the pragma below) and holds nothing but
 * kernels that snn_distance.c calls after checking the CPU at run time.
 */
#include "snn_distance_int.h"

#ifdef SNN_DISTANCE_HAVE_AVX2
#pragma GCC target("avx2")
#include <simde/x86/avx2.h>


/* 32 bytes at a time with AVX2; chosen only when the CPU has it. */
uint64_t
snn_l2sq_u8_avx2(const uint8_t *a, const uint8_t *b, size_t n)
{
	const simde__m256i zero = simde_mm256_setzero_si256();
	uint64_t	total = 0;
	size_t		i = 0;

	while (n - i >= 32)
	{
		simde__m256i acc = simde_mm256_setzero_si256();
		size_t		stop = n - i > 32 * 8192 ? i + 32 * 8192 : n;
		uint32_t	lanes[8];

		for (; i + 32 <= stop; i += 32)
		{
			simde__m256i va = simde_mm256_loadu_si256((const simde__m256i *) (a + i));
			simde__m256i vb = simde_mm256_loadu_si256((const simde__m256i *) (b + i));
			simde__m256i lo = simde_mm256_sub_epi16(simde_mm256_unpacklo_epi8(va, zero),
													simde_mm256_unpacklo_epi8(vb, zero));
			simde__m256i hi = simde_mm256_sub_epi16(simde_mm256_unpackhi_epi8(va, zero),
													simde_mm256_unpackhi_epi8(vb, zero));

			acc = simde_mm256_add_epi32(acc, simde_mm256_madd_epi16(lo, lo));
			acc = simde_mm256_add_epi32(acc, simde_mm256_madd_epi16(hi, hi));
		}
		simde_mm256_storeu_si256((simde__m256i *) lanes, acc);
		for (int k = 0; k < 8; k++)
			total += lanes[k];
	}
	return total + snn_l2sq_u8_sse2(a + i, b + i, n - i);
}

/* 32 bytes at a time with vpsadbw. */
uint64_t
snn_l1_u8_avx2(const uint8_t *a, const uint8_t *b, size_t n)
{
	simde__m256i acc = simde_mm256_setzero_si256();
	uint64_t	lanes[4];
	size_t		i = 0;

	for (; i + 32 <= n; i += 32)
	{
		simde__m256i va = simde_mm256_loadu_si256((const simde__m256i *) (a + i));
		simde__m256i vb = simde_mm256_loadu_si256((const simde__m256i *) (b + i));

		acc = simde_mm256_add_epi64(acc, simde_mm256_sad_epu8(va, vb));
	}
	simde_mm256_storeu_si256((simde__m256i *) lanes, acc);
	return lanes[0] + lanes[1] + lanes[2] + lanes[3] + snn_l1_u8_sse2(a + i, b + i, n - i);
}

#else

/* ISO C wants a translation unit to declare something. */
typedef int snn_distance_avx2_unused;

#endif
