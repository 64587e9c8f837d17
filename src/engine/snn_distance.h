/*
 * snn_distance.h: exact integer distances between TTFS byte patterns.
 *
 * A pattern is one byte a neuron: the step of its first spike, 0..254, or
 * 255 when silent, so silence is "later than every spike" with no branch.
 * Kernels return exact integers: the squared L2 distance and the L1 distance.
 * Results are identical on every path (SIMD or scalar), so index builds are
 * deterministic.
 */
#ifndef SNN_DISTANCE_H
#define SNN_DISTANCE_H

#include <stddef.h>
#include <stdint.h>

#define SNN_SILENT 255			/* the byte of a neuron that never fired */

/* Squared L2 distance, SIMD path chosen at first call for this CPU. */
uint64_t	snn_l2sq_u8(const uint8_t *a, const uint8_t *b, size_t n);

/* L1 distance (sum of absolute differences), SIMD path. */
uint64_t	snn_l1_u8(const uint8_t *a, const uint8_t *b, size_t n);

/* Scalar references: the definition every SIMD path must match. */
uint64_t	snn_l2sq_u8_scalar(const uint8_t *a, const uint8_t *b, size_t n);
uint64_t	snn_l1_u8_scalar(const uint8_t *a, const uint8_t *b, size_t n);

/*
 * Compressed patterns (an snn_hnsw index option).  A code replaces each byte
 * by the number of its cell: SNN_QUANT_4BIT packs one nibble a neuron (two a
 * byte, the even neuron in the low nibble): steps 0..254 fall into 15 cells of
 * 17 steps each, silence (255) is cell 15; SNN_QUANT_BIT packs one bit a
 * neuron (eight a byte, neuron i at bit i % 8): 0 for steps 0..127, 1 for
 * 128..255; SNN_QUANT_2BIT packs two bits a neuron (four a byte, neuron i at
 * bits 2 * (i % 4)): three cells of steps, narrower for early spikes (which
 * carry the strongest inputs), 0..63, 64..143 and 144..254, and silence
 * (255) as cell 3.  A pattern lies inside its cells, so the distance from an exact
 * query to the nearest point of the cells is a lower bound of the exact
 * distance to every pattern with that code; the index orders by it and lets
 * the executor recheck the exact distance.  Two codes are compared through
 * their cells' centres (neighbour selection), which is 0 only for equal codes.
 * (The snn_hnsw index offers the 4-bit and 2-bit codes: the 1-bit bound is
 * too loose to order a scan.)
 */
typedef enum snn_quant
{
	SNN_QUANT_NONE = 0,			/* the pattern itself */
	SNN_QUANT_4BIT = 1,
	SNN_QUANT_BIT = 2,
	SNN_QUANT_2BIT = 3
} snn_quant;

/* Bytes of the code of a pattern of dim neurons. */
size_t		snn_quant_code_size(snn_quant q, size_t dim);

/* Write the code of pattern x (code_size bytes, unused bits zero). */
void		snn_quant_encode(snn_quant q, const uint8_t *x, size_t dim, uint8_t *code);

/*
 * Lower bound of the squared L2 (l1 false) or L1 (l1 true) distance from the
 * exact pattern x to any pattern whose code is code.
 */
uint64_t	snn_quant_lower_bound(snn_quant q, int l1, const uint8_t *x,
								  const uint8_t *code, size_t dim);

/* Distance between the cell centres of two codes (squared L2 or L1). */
uint64_t	snn_quant_code_distance(snn_quant q, int l1, const uint8_t *a,
									const uint8_t *b, size_t dim);

/*
 * Estimate of the distance from the exact pattern x to a pattern with code
 * code: the distance to its cells' centres (squared L2 or L1), which
 * separates elements that a loose lower bound ties (an index scan breaks
 * the bound's ties with it); the bound (snn_quant_lower_bound) is written to
 * *bound in the same pass.
 */
uint64_t	snn_quant_estimate(snn_quant q, int l1, const uint8_t *x,
							   const uint8_t *code, size_t dim, uint64_t *bound);

/* Scalar references of the three above, one neuron at a time. */
uint64_t	snn_quant_estimate_scalar(snn_quant q, int l1, const uint8_t *x,
									  const uint8_t *code, size_t dim,
									  uint64_t *bound);

uint64_t	snn_quant_lower_bound_scalar(snn_quant q, int l1, const uint8_t *x,
										 const uint8_t *code, size_t dim);
uint64_t	snn_quant_code_distance_scalar(snn_quant q, int l1, const uint8_t *a,
										   const uint8_t *b, size_t dim);

/* Name of the SIMD path in use ("avx2", "sse2", "neon", "scalar"). */
const char *snn_distance_impl(void);

#endif							/* SNN_DISTANCE_H */
