/*
 * snn_distance.c: byte distance kernels with SIMDe.
 *
 * L1 uses the sum-of-absolute-differences instruction (psadbw), which sums
 * eight byte differences into one 64-bit lane.  L2 widens bytes to 16 bits,
 * subtracts, and squares-and-adds pairs with a 16-bit multiply-add (pmaddwd)
 * into 32-bit lanes; each lane gets at most 2 * 255^2 per step, and the lanes
 * are flushed to 64 bits every 8192 steps so nothing can overflow at any
 * dimension.  An AVX2 variant is compiled with a target attribute and chosen
 * at run time on x86-64; every other target uses the SIMDe SSE2 path, which
 * SIMDe maps to the native vector unit (NEON on ARM) or to portable C.
 */
#include "snn_distance.h"

#include <simde/x86/sse2.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

/* Definition of squared L2 that every path must match exactly. */
uint64_t
snn_l2sq_u8_scalar(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t	s = 0;

	for (size_t i = 0; i < n; i++)
	{
		int32_t		d = (int32_t) a[i] - (int32_t) b[i];

		s += (uint64_t) (d * d);
	}
	return s;
}

/* Definition of L1 that every path must match exactly. */
uint64_t
snn_l1_u8_scalar(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t	s = 0;

	/* branch-free, so random data costs no mispredictions */
	for (size_t i = 0; i < n; i++)
	{
		int32_t		d = (int32_t) a[i] - (int32_t) b[i];

		s += (uint64_t) (d < 0 ? -d : d);
	}
	return s;
}

/* Sum the four unsigned 32-bit lanes of an SSE register. */
static inline uint64_t
hsum_u32x4(simde__m128i v)
{
	uint32_t	lanes[4];

	simde_mm_storeu_si128((simde__m128i *) lanes, v);
	return (uint64_t) lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

/* 16 bytes at a time: SSE2 (native on x86-64, translated elsewhere). */
static uint64_t
l2sq_sse2(const uint8_t *a, const uint8_t *b, size_t n)
{
	const simde__m128i zero = simde_mm_setzero_si128();
	uint64_t	total = 0;
	size_t		i = 0;

	while (n - i >= 16)
	{
		simde__m128i acc = simde_mm_setzero_si128();
		size_t		stop = n - i > 16 * 8192 ? i + 16 * 8192 : n;

		for (; i + 16 <= stop; i += 16)
		{
			simde__m128i va = simde_mm_loadu_si128((const simde__m128i *) (a + i));
			simde__m128i vb = simde_mm_loadu_si128((const simde__m128i *) (b + i));
			simde__m128i lo = simde_mm_sub_epi16(simde_mm_unpacklo_epi8(va, zero),
												 simde_mm_unpacklo_epi8(vb, zero));
			simde__m128i hi = simde_mm_sub_epi16(simde_mm_unpackhi_epi8(va, zero),
												 simde_mm_unpackhi_epi8(vb, zero));

			acc = simde_mm_add_epi32(acc, simde_mm_madd_epi16(lo, lo));
			acc = simde_mm_add_epi32(acc, simde_mm_madd_epi16(hi, hi));
		}
		total += hsum_u32x4(acc);
	}
	return total + snn_l2sq_u8_scalar(a + i, b + i, n - i);
}

/* 16 bytes at a time with psadbw into two 64-bit lanes. */
static uint64_t
l1_sse2(const uint8_t *a, const uint8_t *b, size_t n)
{
	simde__m128i acc = simde_mm_setzero_si128();
	uint64_t	lanes[2];
	size_t		i = 0;

	for (; i + 16 <= n; i += 16)
	{
		simde__m128i va = simde_mm_loadu_si128((const simde__m128i *) (a + i));
		simde__m128i vb = simde_mm_loadu_si128((const simde__m128i *) (b + i));

		acc = simde_mm_add_epi64(acc, simde_mm_sad_epu8(va, vb));
	}
	simde_mm_storeu_si128((simde__m128i *) lanes, acc);
	return lanes[0] + lanes[1] + snn_l1_u8_scalar(a + i, b + i, n - i);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define SNN_HAVE_AVX2_DISPATCH 1

/* 32 bytes at a time with AVX2; chosen only when the CPU has it. */
__attribute__((target("avx2")))
static uint64_t
l2sq_avx2(const uint8_t *a, const uint8_t *b, size_t n)
{
	const __m256i zero = _mm256_setzero_si256();
	uint64_t	total = 0;
	size_t		i = 0;

	while (n - i >= 32)
	{
		__m256i		acc = _mm256_setzero_si256();
		size_t		stop = n - i > 32 * 8192 ? i + 32 * 8192 : n;
		uint32_t	lanes[8];

		for (; i + 32 <= stop; i += 32)
		{
			__m256i		va = _mm256_loadu_si256((const __m256i *) (a + i));
			__m256i		vb = _mm256_loadu_si256((const __m256i *) (b + i));
			__m256i		lo = _mm256_sub_epi16(_mm256_unpacklo_epi8(va, zero),
											  _mm256_unpacklo_epi8(vb, zero));
			__m256i		hi = _mm256_sub_epi16(_mm256_unpackhi_epi8(va, zero),
											  _mm256_unpackhi_epi8(vb, zero));

			acc = _mm256_add_epi32(acc, _mm256_madd_epi16(lo, lo));
			acc = _mm256_add_epi32(acc, _mm256_madd_epi16(hi, hi));
		}
		_mm256_storeu_si256((__m256i *) lanes, acc);
		for (int k = 0; k < 8; k++)
			total += lanes[k];
	}
	return total + l2sq_sse2(a + i, b + i, n - i);
}

/* 32 bytes at a time with vpsadbw. */
__attribute__((target("avx2")))
static uint64_t
l1_avx2(const uint8_t *a, const uint8_t *b, size_t n)
{
	__m256i		acc = _mm256_setzero_si256();
	uint64_t	lanes[4];
	size_t		i = 0;

	for (; i + 32 <= n; i += 32)
	{
		__m256i		va = _mm256_loadu_si256((const __m256i *) (a + i));
		__m256i		vb = _mm256_loadu_si256((const __m256i *) (b + i));

		acc = _mm256_add_epi64(acc, _mm256_sad_epu8(va, vb));
	}
	_mm256_storeu_si256((__m256i *) lanes, acc);
	return lanes[0] + lanes[1] + lanes[2] + lanes[3] + l1_sse2(a + i, b + i, n - i);
}
#endif

typedef uint64_t (*snn_kernel_fn) (const uint8_t *, const uint8_t *, size_t);

static snn_kernel_fn l2_impl = NULL;
static snn_kernel_fn l1_impl = NULL;
static const char *impl_name = NULL;

/* Pick the widest path this CPU supports; idempotent, so races are benign. */
static void
choose_impl(void)
{
#ifdef SNN_HAVE_AVX2_DISPATCH
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
	{
		l1_impl = l1_avx2;
		impl_name = "avx2";
		l2_impl = l2sq_avx2;
		return;
	}
#endif
	l1_impl = l1_sse2;
	impl_name = "sse2";
	l2_impl = l2sq_sse2;
}

uint64_t
snn_l2sq_u8(const uint8_t *a, const uint8_t *b, size_t n)
{
	if (l2_impl == NULL)
		choose_impl();
	return l2_impl(a, b, n);
}

uint64_t
snn_l1_u8(const uint8_t *a, const uint8_t *b, size_t n)
{
	if (l1_impl == NULL)
		choose_impl();
	return l1_impl(a, b, n);
}

const char *
snn_distance_impl(void)
{
	if (impl_name == NULL)
		choose_impl();
	return impl_name;
}
