/*
 * snn_distance.c: byte distance kernels with SIMDe.
 *
 * L1 uses the sum-of-absolute-differences instruction (psadbw), which sums
 * eight byte differences into one 64-bit lane.  L2 widens bytes to 16 bits,
 * subtracts, and squares-and-adds pairs with a 16-bit multiply-add (pmaddwd)
 * into 32-bit lanes; each lane gets at most 2 * 255^2 per step, and the lanes
 * are flushed to 64 bits every 8192 steps so nothing can overflow at any
 * dimension.  An AVX2 variant (snn_distance_avx2.c, also SIMDe) is chosen
 * at run time on x86-64; every other target uses the SIMDe SSE2 path, which
 * SIMDe maps to the native vector unit (NEON on ARM) or to portable C.
 */
#include "snn_distance.h"

#include <string.h>

#include <simde/x86/sse2.h>

#include "snn_distance_int.h"

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
uint64_t
snn_l2sq_u8_sse2(const uint8_t *a, const uint8_t *b, size_t n)
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
uint64_t
snn_l1_u8_sse2(const uint8_t *a, const uint8_t *b, size_t n)
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

typedef uint64_t (*snn_kernel_fn) (const uint8_t *, const uint8_t *, size_t);

static snn_kernel_fn l2_impl = NULL;
static snn_kernel_fn l1_impl = NULL;
static const char *impl_name = NULL;

/* Pick the widest path this CPU supports; idempotent, so races are benign. */
static void
choose_impl(void)
{
#ifdef SNN_DISTANCE_HAVE_AVX2
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
	{
		l1_impl = snn_l1_u8_avx2;
		impl_name = "avx2";
		l2_impl = snn_l2sq_u8_avx2;
		return;
	}
#endif
	l1_impl = snn_l1_u8_sse2;
	impl_name = "sse2";
	l2_impl = snn_l2sq_u8_sse2;
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

/* ---- compressed patterns ---- */

/* neurons decoded at a time: stack buffers for the SIMD kernels */
#define SNN_QUANT_CHUNK 256

/* Bytes of the code of a pattern of dim neurons. */
size_t
snn_quant_code_size(snn_quant q, size_t dim)
{
	switch (q)
	{
		case SNN_QUANT_4BIT:
			return (dim + 1) / 2;
		case SNN_QUANT_BIT:
			return (dim + 7) / 8;
		case SNN_QUANT_2BIT:
			return (dim + 3) / 4;
		default:
			return dim;
	}
}

/* Cell of one byte. */
static inline unsigned
quant_cell(snn_quant q, uint8_t v)
{
	if (q == SNN_QUANT_4BIT)
		return v == SNN_SILENT ? 15u : v / 17u;
	if (q == SNN_QUANT_2BIT)
		return v == SNN_SILENT ? 3u : v >= 144 ? 2u : v >= 64 ? 1u : 0u;
	return v >= 128 ? 1u : 0u;
}

/* Cell of neuron i of a code. */
static inline unsigned
quant_code_cell(snn_quant q, const uint8_t *code, size_t i)
{
	if (q == SNN_QUANT_4BIT)
		return (code[i >> 1] >> ((i & 1) * 4)) & 0xF;
	if (q == SNN_QUANT_2BIT)
		return (code[i >> 2] >> ((i & 3) * 2)) & 0x3;
	return (code[i >> 3] >> (i & 7)) & 1;
}

/* Lowest and highest step of a cell, and its centre. */
static inline void
quant_cell_range(snn_quant q, unsigned c, uint8_t *lo, uint8_t *hi, uint8_t *mid)
{
	if (q == SNN_QUANT_4BIT)
	{
		*lo = c == 15 ? SNN_SILENT : (uint8_t) (17 * c);
		*hi = c == 15 ? SNN_SILENT : (uint8_t) (17 * c + 16);
		*mid = c == 15 ? SNN_SILENT : (uint8_t) (17 * c + 8);
	}
	else if (q == SNN_QUANT_2BIT)
	{
		static const uint8_t lo2[4] = {0, 64, 144, SNN_SILENT};
		static const uint8_t hi2[4] = {63, 143, 254, SNN_SILENT};
		static const uint8_t mid2[4] = {32, 104, 199, SNN_SILENT};

		*lo = lo2[c & 3];
		*hi = hi2[c & 3];
		*mid = mid2[c & 3];
	}
	else
	{
		*lo = c ? 128 : 0;
		*hi = c ? 255 : 127;
		*mid = c ? 192 : 64;
	}
}

/* Write the code of pattern x. */
void
snn_quant_encode(snn_quant q, const uint8_t *x, size_t dim, uint8_t *code)
{
	size_t		size = snn_quant_code_size(q, dim);

	if (q == SNN_QUANT_NONE)
	{
		memcpy(code, x, dim);
		return;
	}
	memset(code, 0, size);
	for (size_t i = 0; i < dim; i++)
	{
		unsigned	c = quant_cell(q, x[i]);

		if (q == SNN_QUANT_4BIT)
			code[i >> 1] |= (uint8_t) (c << ((i & 1) * 4));
		else if (q == SNN_QUANT_2BIT)
			code[i >> 2] |= (uint8_t) (c << ((i & 3) * 2));
		else
			code[i >> 3] |= (uint8_t) (c << (i & 7));
	}
}

/* Gap between a byte and a cell: 0 inside, else to its nearest end. */
static inline uint8_t
quant_gap(uint8_t v, uint8_t lo, uint8_t hi)
{
	return v < lo ? (uint8_t) (lo - v) : v > hi ? (uint8_t) (v - hi) : 0;
}

/* Lower bound, one neuron at a time: the definition. */
uint64_t
snn_quant_lower_bound_scalar(snn_quant q, int l1, const uint8_t *x,
							 const uint8_t *code, size_t dim)
{
	uint64_t	s = 0;

	if (q == SNN_QUANT_NONE)
		return l1 ? snn_l1_u8_scalar(x, code, dim) : snn_l2sq_u8_scalar(x, code, dim);
	for (size_t i = 0; i < dim; i++)
	{
		uint8_t		lo,
					hi,
					mid;
		uint64_t	g;

		quant_cell_range(q, quant_code_cell(q, code, i), &lo, &hi, &mid);
		g = quant_gap(x[i], lo, hi);
		s += l1 ? g : g * g;
	}
	return s;
}

/* Centre distance, one neuron at a time: the definition. */
uint64_t
snn_quant_code_distance_scalar(snn_quant q, int l1, const uint8_t *a,
							   const uint8_t *b, size_t dim)
{
	uint64_t	s = 0;

	if (q == SNN_QUANT_NONE)
		return l1 ? snn_l1_u8_scalar(a, b, dim) : snn_l2sq_u8_scalar(a, b, dim);
	for (size_t i = 0; i < dim; i++)
	{
		uint8_t		lo,
					hi,
					ma,
					mb;
		int64_t		d;

		quant_cell_range(q, quant_code_cell(q, a, i), &lo, &hi, &ma);
		quant_cell_range(q, quant_code_cell(q, b, i), &lo, &hi, &mb);
		d = (int64_t) ma - (int64_t) mb;
		s += (uint64_t) (l1 ? (d < 0 ? -d : d) : d * d);
	}
	return s;
}

/* Estimate and bound, one neuron at a time: the definition. */
uint64_t
snn_quant_estimate_scalar(snn_quant q, int l1, const uint8_t *x,
						  const uint8_t *code, size_t dim, uint64_t *bound)
{
	uint64_t	s = 0;

	*bound = snn_quant_lower_bound_scalar(q, l1, x, code, dim);
	if (q == SNN_QUANT_NONE)
		return *bound;
	for (size_t i = 0; i < dim; i++)
	{
		uint8_t		lo,
					hi,
					mid;
		int64_t		d;

		quant_cell_range(q, quant_code_cell(q, code, i), &lo, &hi, &mid);
		d = (int64_t) x[i] - (int64_t) mid;
		s += (uint64_t) (l1 ? (d < 0 ? -d : d) : d * d);
	}
	return s;
}

/*
 * Per-cell tables of one mode, built once: the ends and centre of each of
 * the 16 cells (the 2-bit mode uses four, the bit mode two).
 */
typedef struct quant_tables
{
	uint8_t		lo[16];
	uint8_t		hi[16];
	uint8_t		mid[16];
} quant_tables;

static quant_tables quant_tab[4];
static int	quant_tab_ready;

/* Fill the cell tables (idempotent, so a race only repeats the work). */
static void
quant_init_tables(void)
{
	for (int q = SNN_QUANT_4BIT; q <= SNN_QUANT_2BIT; q++)
		for (unsigned c = 0; c < 16; c++)
			quant_cell_range((snn_quant) q, q == SNN_QUANT_BIT ? (c & 1) : q == SNN_QUANT_2BIT ? (c & 3) : c,
							 &quant_tab[q].lo[c], &quant_tab[q].hi[c], &quant_tab[q].mid[c]);
	quant_tab_ready = 1;
}

/*
 * One chunk of a code against the query: each neuron's gap to its cell
 * (0 inside it), and the cell's centre when mid is given.
 */
static inline void
quant_decode_chunk(snn_quant q, const uint8_t *x, const uint8_t *code,
				   size_t start, size_t n, uint8_t *gap, uint8_t *mid)
{
	const quant_tables *t = &quant_tab[q];

	for (size_t j = 0; j < n; j++)
	{
		unsigned	c = quant_code_cell(q, code, start + j);
		uint8_t		v = x[start + j];
		uint8_t		below = t->lo[c] > v ? (uint8_t) (t->lo[c] - v) : 0;
		uint8_t		above = v > t->hi[c] ? (uint8_t) (v - t->hi[c]) : 0;

		gap[j] = below | above;
		if (mid)
			mid[j] = t->mid[c];
	}
}

/*
 * Lower bound through the SIMD kernels: each chunk of neurons is decoded to
 * its gaps (bytes), whose distance to zero is the bound.
 */
uint64_t
snn_quant_lower_bound(snn_quant q, int l1, const uint8_t *x,
					  const uint8_t *code, size_t dim)
{
	static const uint8_t zero[SNN_QUANT_CHUNK];
	uint8_t		gap[SNN_QUANT_CHUNK];
	uint64_t	s = 0;

	if (q == SNN_QUANT_NONE)
		return l1 ? snn_l1_u8(x, code, dim) : snn_l2sq_u8(x, code, dim);
	if (!quant_tab_ready)
		quant_init_tables();
	for (size_t start = 0; start < dim; start += SNN_QUANT_CHUNK)
	{
		size_t		n = dim - start < SNN_QUANT_CHUNK ? dim - start : SNN_QUANT_CHUNK;

		quant_decode_chunk(q, x, code, start, n, gap, NULL);
		s += l1 ? snn_l1_u8(gap, zero, n) : snn_l2sq_u8(gap, zero, n);
	}
	return s;
}

/* Centre distance through the SIMD kernels, a chunk of neurons at a time. */
uint64_t
snn_quant_code_distance(snn_quant q, int l1, const uint8_t *a,
						const uint8_t *b, size_t dim)
{
	uint8_t		ma[SNN_QUANT_CHUNK],
				mb[SNN_QUANT_CHUNK];
	uint64_t	s = 0;

	if (q == SNN_QUANT_NONE)
		return l1 ? snn_l1_u8(a, b, dim) : snn_l2sq_u8(a, b, dim);
	if (!quant_tab_ready)
		quant_init_tables();
	for (size_t start = 0; start < dim; start += SNN_QUANT_CHUNK)
	{
		size_t		n = dim - start < SNN_QUANT_CHUNK ? dim - start : SNN_QUANT_CHUNK;
		const quant_tables *t = &quant_tab[q];

		for (size_t j = 0; j < n; j++)
		{
			ma[j] = t->mid[quant_code_cell(q, a, start + j)];
			mb[j] = t->mid[quant_code_cell(q, b, start + j)];
		}
		s += l1 ? snn_l1_u8(ma, mb, n) : snn_l2sq_u8(ma, mb, n);
	}
	return s;
}

/*
 * Estimate and lower bound through the SIMD kernels: each chunk of neurons
 * is decoded once to its cells' centres and to its gaps (bytes).
 */
uint64_t
snn_quant_estimate(snn_quant q, int l1, const uint8_t *x,
				   const uint8_t *code, size_t dim, uint64_t *bound)
{
	static const uint8_t zero[SNN_QUANT_CHUNK];
	uint8_t		gap[SNN_QUANT_CHUNK],
				mid[SNN_QUANT_CHUNK];
	uint64_t	s = 0,
				b = 0;

	if (q == SNN_QUANT_NONE)
	{
		*bound = l1 ? snn_l1_u8(x, code, dim) : snn_l2sq_u8(x, code, dim);
		return *bound;
	}
	if (!quant_tab_ready)
		quant_init_tables();
	for (size_t start = 0; start < dim; start += SNN_QUANT_CHUNK)
	{
		size_t		n = dim - start < SNN_QUANT_CHUNK ? dim - start : SNN_QUANT_CHUNK;

		quant_decode_chunk(q, x, code, start, n, gap, mid);
		b += l1 ? snn_l1_u8(gap, zero, n) : snn_l2sq_u8(gap, zero, n);
		s += l1 ? snn_l1_u8(x + start, mid, n) : snn_l2sq_u8(x + start, mid, n);
	}
	*bound = b;
	return s;
}
