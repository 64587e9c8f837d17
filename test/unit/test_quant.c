/*
 * test_quant.c: compressed patterns.  The SIMD paths of the lower bound and
 * the centre distance equal their scalar definitions at every length 1..600
 * (across the decoding chunk) for the 4-bit, 2-bit and 1-bit codes, the
 * lower bound never exceeds the exact
 * distance to any pattern with that code, it is exact (0) for the pattern's
 * own code only when the query lies in every cell, and codes round-trip.
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

/* A TTFS-like byte: mostly spikes, some silent, some extremes. */
static uint8_t
rand_byte(uint64_t *seed)
{
	uint64_t	r = next_rand(seed);

	switch (r % 10)
	{
		case 0:
			return SNN_SILENT;
		case 1:
			return 0;
		case 2:
			return 254;
		default:
			return (uint8_t) ((r >> 8) % 255);
	}
}

int
main(void)
{
	static uint8_t x[600],
				y[600],
				cx[600],
				cy[600];
	uint64_t	seed = 7;

	CHECK(snn_quant_code_size(SNN_QUANT_4BIT, 128) == 64);
	CHECK(snn_quant_code_size(SNN_QUANT_4BIT, 3) == 2);
	CHECK(snn_quant_code_size(SNN_QUANT_BIT, 128) == 16);
	CHECK(snn_quant_code_size(SNN_QUANT_BIT, 9) == 2);
	CHECK(snn_quant_code_size(SNN_QUANT_NONE, 9) == 9);
	CHECK(snn_quant_code_size(SNN_QUANT_2BIT, 128) == 32);
	CHECK(snn_quant_code_size(SNN_QUANT_2BIT, 5) == 2);

	for (int q = SNN_QUANT_NONE; q <= SNN_QUANT_2BIT; q++)
	{
		for (size_t n = 1; n <= 600; n += (n < 300 ? 1 : 37))
		{
			for (int rep = 0; rep < 3; rep++)
			{
				for (size_t i = 0; i < n; i++)
				{
					x[i] = rand_byte(&seed);
					/* y near x half the time, so small bounds occur */
					y[i] = rep == 0 ? rand_byte(&seed) :
						(uint8_t) (x[i] == SNN_SILENT ? x[i] :
								   (x[i] + (next_rand(&seed) % 5)) % 255);
				}
				snn_quant_encode((snn_quant) q, x, n, cx);
				snn_quant_encode((snn_quant) q, y, n, cy);
				for (int l1 = 0; l1 <= 1; l1++)
				{
					uint64_t	exact = l1 ? snn_l1_u8_scalar(x, y, n) : snn_l2sq_u8_scalar(x, y, n);
					uint64_t	lb = snn_quant_lower_bound((snn_quant) q, l1, x, cy, n);
					uint64_t	lbs = snn_quant_lower_bound_scalar((snn_quant) q, l1, x, cy, n);
					uint64_t	cd = snn_quant_code_distance((snn_quant) q, l1, cx, cy, n);
					uint64_t	cds = snn_quant_code_distance_scalar((snn_quant) q, l1, cx, cy, n);

					CHECKF(lb == lbs, "q %d l1 %d n %zu: %llu != %llu", q, l1, n,
						   (unsigned long long) lb, (unsigned long long) lbs);
					CHECKF(cd == cds, "q %d l1 %d n %zu", q, l1, n);
					{
						/*
						 * the estimate's SIMD path matches its definition and
						 * brings the bound
						 */
						uint64_t	eb,
									ebs;
						uint64_t	est = snn_quant_estimate((snn_quant) q, l1, x, cy, n, &eb);
						uint64_t	ests = snn_quant_estimate_scalar((snn_quant) q, l1, x, cy, n, &ebs);

						CHECKF(est == ests && eb == lb && ebs == lb, "estimate q %d l1 %d n %zu", q, l1, n);
						if (q == SNN_QUANT_NONE)
							CHECK(est == exact);

						/*
						 * dim <= 65535 keeps both within 32 bits (the scan
						 * packs them)
						 */
						CHECK(est <= (uint64_t) n * 255 * 255 && eb <= (uint64_t) n * 255 * 255);
					}
					CHECKF(lb <= exact, "q %d l1 %d n %zu: bound %llu > exact %llu", q, l1, n,
						   (unsigned long long) lb, (unsigned long long) exact);
					if (q == SNN_QUANT_NONE)
						CHECK(lb == exact && cd == exact);
					/* a pattern is inside its own cells */
					CHECK(snn_quant_lower_bound((snn_quant) q, l1, x, cx, n) == 0);
					CHECK(snn_quant_code_distance((snn_quant) q, l1, cx, cx, n) == 0);
					/* equal codes are the only ones at centre distance 0 */
					CHECK((cd == 0) == (memcmp(cx, cy, snn_quant_code_size((snn_quant) q, n)) == 0));
				}
			}
		}
	}

	/* cells: 4bit boundaries and silence; bit halves */
	{
		uint8_t		v[6] = {0, 16, 17, 254, SNN_SILENT, 127};
		uint8_t		c[3];
		uint8_t		b[1];

		snn_quant_encode(SNN_QUANT_4BIT, v, 6, c);
		CHECK(c[0] == 0x00);	/* 0 -> 0, 16 -> 0 */
		CHECK(c[1] == 0xE1);	/* 17 -> 1, 254 -> 14 */
		CHECK(c[2] == 0x7F);	/* silent -> 15, 127 -> 7 */
		snn_quant_encode(SNN_QUANT_BIT, v, 6, b);
		CHECK(b[0] == 0x18);	/* 254 and silent late; 127 early */
		/* query 40 against cell 0 ([0, 16]): gap 24 */
		{
			uint8_t		qv[1] = {40};
			uint8_t		cc[1] = {0};

			CHECK(snn_quant_lower_bound(SNN_QUANT_4BIT, 0, qv, cc, 1) == 24 * 24);
			CHECK(snn_quant_lower_bound(SNN_QUANT_4BIT, 1, qv, cc, 1) == 24);
		}
	}
	/* cells: 2bit edges 63|64, 143|144, 254|silence */
	{
		uint8_t		v[8] = {0, 63, 64, 143, 144, 254, SNN_SILENT, 100};
		uint8_t		c[2];

		snn_quant_encode(SNN_QUANT_2BIT, v, 8, c);
		CHECK(c[0] == 0x50);	/* 0 -> 0, 63 -> 0, 64 -> 1, 143 -> 1 */
		CHECK(c[1] == 0x7A);	/* 144 -> 2, 254 -> 2, silent -> 3, 100 -> 1 */
		/* query 10 against cell 1 ([64, 143]): gap 54; 200 against it: 57 */
		{
			uint8_t		qv[2] = {10, 200};
			uint8_t		cc[1] = {0x05};

			CHECK(snn_quant_lower_bound(SNN_QUANT_2BIT, 0, qv, cc, 2) == 54 * 54 + 57 * 57);
			CHECK(snn_quant_lower_bound(SNN_QUANT_2BIT, 1, qv, cc, 2) == 54 + 57);
			CHECK(snn_quant_lower_bound_scalar(SNN_QUANT_2BIT, 1, qv, cc, 2) == 54 + 57);
			/* the estimate: both against the centre of cell 1, 104 */
			{
				uint64_t	b;

				CHECK(snn_quant_estimate(SNN_QUANT_2BIT, 0, qv, cc, 2, &b) == 94 * 94 + 96 * 96);
				CHECK(b == 54 * 54 + 57 * 57);
				CHECK(snn_quant_estimate(SNN_QUANT_2BIT, 1, qv, cc, 2, &b) == 94 + 96 && b == 54 + 57);
			}
		}
		/* silence against cell 2 ([144, 254]): gap 1; a spike against silence */
		{
			uint8_t		qv[2] = {SNN_SILENT, 0};
			uint8_t		cc[1] = {0x0E}; /* cell 2, cell 3 */

			CHECK(snn_quant_lower_bound(SNN_QUANT_2BIT, 1, qv, cc, 2) == 1 + 255);
		}
	}
	UNIT_DONE();
}
