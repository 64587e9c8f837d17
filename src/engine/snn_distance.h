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

/* Name of the SIMD path in use ("avx2", "sse2", "neon", "scalar"). */
const char *snn_distance_impl(void);

#endif							/* SNN_DISTANCE_H */
