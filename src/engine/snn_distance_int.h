/*
 * snn_distance_int.h: what snn_distance.c shares with its AVX2 kernel file.
 */
#ifndef SNN_DISTANCE_INT_H
#define SNN_DISTANCE_INT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The AVX2 kernels are built where GCC can compile one file for AVX2
 * (x86-64; clang lacks "#pragma GCC target", so it takes the SSE2 path).
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SNN_DISTANCE_HAVE_AVX2 1
#endif

/* The SSE2 paths (SIMDe), also the AVX2 kernels' tails. */
extern uint64_t snn_l2sq_u8_sse2(const uint8_t *a, const uint8_t *b, size_t n);
extern uint64_t snn_l1_u8_sse2(const uint8_t *a, const uint8_t *b, size_t n);

#ifdef SNN_DISTANCE_HAVE_AVX2
extern uint64_t snn_l2sq_u8_avx2(const uint8_t *a, const uint8_t *b, size_t n);
extern uint64_t snn_l1_u8_avx2(const uint8_t *a, const uint8_t *b, size_t n);
#endif

#endif							/* SNN_DISTANCE_INT_H */
