/*
 * test_distance.c: the SIMD kernels equal the scalar definitions exactly on
 * random inputs of every length 1..300, at every alignment, plus extremes
 * and lengths past the points where the SIMD lanes are flushed.
 */
#include <stdint.h>
#include <string.h>

#include "snn_distance.h"
#include "unit.h"

/* xorshift64*: a reproducible generator with no libc state. */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

int
main(void)
{
	static uint8_t bufa[300 + 64],
				bufb[300 + 64];
	static uint8_t big_a[200000],
				big_b[200000];
	uint64_t	seed = 42;

	for (size_t n = 1; n <= 300; n++)
	{
		for (size_t off = 0; off < 4; off++)
		{
			uint8_t    *a = bufa + off * 7;
			uint8_t    *b = bufb + off * 3;

			for (size_t i = 0; i < n; i++)
			{
				uint64_t	r = next_rand(&seed);

				/* mix in silent neurons and extremes */
				a[i] = (r & 7) == 0 ? 255 : (uint8_t) (r >> 8);
				b[i] = (r & 56) == 0 ? 255 : (uint8_t) (r >> 16);
			}
			CHECKF(snn_l2sq_u8(a, b, n) == snn_l2sq_u8_scalar(a, b, n), "l2 n=%zu off=%zu", n, off);
			CHECKF(snn_l1_u8(a, b, n) == snn_l1_u8_scalar(a, b, n), "l1 n=%zu off=%zu", n, off);
			CHECK(snn_l2sq_u8(a, a, n) == 0);
			CHECK(snn_l1_u8(b, b, n) == 0);
		}
	}

	/* worst case: every neuron at distance 255, long enough to need flushes */
	memset(big_a, 0, sizeof(big_a));
	memset(big_b, 255, sizeof(big_b));
	CHECK(snn_l2sq_u8(big_a, big_b, sizeof(big_a)) == (uint64_t) 255 * 255 * sizeof(big_a));
	CHECK(snn_l1_u8(big_a, big_b, sizeof(big_a)) == (uint64_t) 255 * sizeof(big_a));
	CHECK(snn_l2sq_u8(big_a, big_b, 0) == 0);

	/*
	 * Past the lane flush points of both paths (16 * 8192 bytes for SSE2, 32 *
	 * 8192 for AVX2): worst case and random bytes at lengths around them.
	 */
	{
		static uint8_t huge_a[32 * 8192 * 2 + 100],
					huge_b[32 * 8192 * 2 + 100];
		const size_t lens[] = {16 * 8192 - 1, 16 * 8192, 16 * 8192 + 17,
		32 * 8192 - 1, 32 * 8192, 32 * 8192 + 33, sizeof(huge_a)};

		memset(huge_a, 0, sizeof(huge_a));
		memset(huge_b, 255, sizeof(huge_b));
		for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++)
		{
			CHECKF(snn_l2sq_u8(huge_a, huge_b, lens[k]) == (uint64_t) 255 * 255 * lens[k],
				   "worst l2 n=%zu", lens[k]);
			CHECKF(snn_l1_u8(huge_b, huge_a, lens[k]) == (uint64_t) 255 * lens[k],
				   "worst l1 n=%zu", lens[k]);
		}
		for (size_t i = 0; i < sizeof(huge_a); i++)
		{
			uint64_t	r = next_rand(&seed);

			huge_a[i] = (uint8_t) r;
			huge_b[i] = (uint8_t) (r >> 8);
		}
		for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++)
		{
			CHECKF(snn_l2sq_u8(huge_a, huge_b, lens[k]) == snn_l2sq_u8_scalar(huge_a, huge_b, lens[k]),
				   "random l2 n=%zu", lens[k]);
			CHECKF(snn_l1_u8(huge_a, huge_b, lens[k]) == snn_l1_u8_scalar(huge_a, huge_b, lens[k]),
				   "random l1 n=%zu", lens[k]);
		}
	}

	/* known value: [0,3,silent] vs [1,3,12] */
	{
		uint8_t		x[3] = {0, 3, 255};
		uint8_t		y[3] = {1, 3, 12};

		CHECK(snn_l2sq_u8(x, y, 3) == 1 + 0 + 243 * 243);
		CHECK(snn_l1_u8(x, y, 3) == 1 + 0 + 243);
	}
	printf("distance kernel path: %s\n", snn_distance_impl());
	UNIT_DONE();
}
